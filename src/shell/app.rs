//! The app shell: context (language, session), routes, and the header every page shares.

use crate::admin::AdminPage;
use crate::api;
use crate::commissions::CommissionsPage;
use crate::drafts::{desk::DeskPage, editor::EditorPage, receipts::ReceiptsPage};
use crate::home::HomePage;
use crate::i18n::{I18n, LangSwitch, ui, use_i18n};
use crate::outbox;
use crate::periodical::{IssuePage, PeriodicalPage};
use crate::pwa::{Pwa, use_pwa};
use crate::review::{ReviewItemPage, ReviewQueuePage};
use crate::scores::{board::ScoresPage, notice::NoticePage};
use crate::session::{Session, use_session};
use crate::sheet::SheetPage;
use crate::shell::{login::LoginPage, password::ChangePasswordPage, sync_bar::SyncBar, unlock::UnlockPage};
use crate::store;
use crate::sync::SyncState;
use crate::upward::UpwardPage;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::hooks::use_navigate;
use leptos_router::{Lazy, LazyRoute, path};

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::load();
    provide_context(i18n);
    let session = Session::load();
    // This tab hands its data key to new tabs of the same browser session; a locked new tab
    // asks the open ones before it asks for the password.
    crate::vault::share();
    if session.locked.get_untracked()
        && let Some(me) = session.me.get_untracked()
    {
        leptos::task::spawn_local(async move {
            if crate::vault::ask(me.user_id, 600).await && !session.locked.is_disposed() {
                session.locked.set(false);
            }
        });
    }
    // Opening on the desk with the data key at hand: its newest drafts are read while the desk's
    // module is fetched and compiled, not after.
    if !session.locked.get_untracked()
        && let Some(me) = session.me.get_untracked()
        && web_sys::window().and_then(|w| w.location().pathname().ok()).as_deref() == Some("/")
    {
        store::read_ahead(me.user_id, crate::drafts::desk::PAGE);
    }
    provide_context(session);
    provide_context(SyncState::start(session));
    let pwa = Pwa::start(session);
    provide_context(pwa);
    provide_context(crate::pwa::Handoff::start(session, pwa));
    provide_context(crate::announce::Announcements::start(session));
    // A tab left open for days still learns about new versions.
    let _ = leptos::prelude::set_interval_with_handle(move || pwa.look_for_update(), std::time::Duration::from_secs(30 * 60));
    view! {
        <UpdateBanner />
        <OfflineLimits />
        <Router>
            <Routes fallback=move || view! { <main class="page"><p>{move || i18n.t(ui::NOT_FOUND)}</p></main> }>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/") view={Lazy::<DeskRoute>::new()} />
                <Route path=path!("/drafts/:id") view={Lazy::<EditorRoute>::new()} />
                <Route path=path!("/receipts") view={Lazy::<ReceiptsRoute>::new()} />
                <Route path=path!("/home") view={Lazy::<HomeRoute>::new()} />
                <Route path=path!("/review") view={Lazy::<ReviewQueueRoute>::new()} />
                <Route path=path!("/admin") view={Lazy::<AdminRoute>::new()} />
                <Route path=path!("/review/:id") view={Lazy::<ReviewItemRoute>::new()} />
                <Route path=path!("/review/:id/print") view={Lazy::<SheetRoute>::new()} />
                <Route path=path!("/scores") view={Lazy::<ScoresRoute>::new()} />
                <Route path=path!("/notice") view={Lazy::<NoticeRoute>::new()} />
                <Route path=path!("/periodical") view={Lazy::<PeriodicalRoute>::new()} />
                <Route path=path!("/periodical/:id") view={Lazy::<IssueRoute>::new()} />
                <Route path=path!("/upward") view={Lazy::<UpwardRoute>::new()} />
                <Route path=path!("/commissions") view={Lazy::<CommissionsRoute>::new()} />
            </Routes>
        </Router>
    }
}

/// The pages behind the login, in four groups whose code is split off the app shell: `cargo
/// xtask build` cuts each group into its own Wasm module (wasm-split), fetched the first time
/// one of its routes opens and precached by the service worker. The first load carries only
/// the shell and the login page. Groups follow who opens what: an officer's daily work, the
/// information section's desk, the scores everyone reads, and administration. (One module per
/// page would make ~180 shared chunks, each a request on a slow line.)
macro_rules! lazy_pages {
    ($($module:ident: $($route:ident($view:ident) => $page:ident),+;)+) => {$($(
        #[::leptos::wasm_split::wasm_split($module, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $view() -> Result<AnyView, ::leptos::wasm_split::SplitLoaderError> {
            Ok(view! { <RequireLogin><$page /></RequireLogin> }.into_any())
        }

        struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }
            async fn view(_this: Self) -> AnyView {
                // Nobody logged in on this browser (a bookmark of `/`, a deep link): the login,
                // without fetching the page's module first.
                if !crate::session::hinted() {
                    return view! { <Redirect path="/login" /> }.into_any();
                }
                // A module that cannot be fetched (offline before the service worker has it)
                // is a message, never a panic: the load is retried on the next visit.
                $view().await.unwrap_or_else(|_| view! { <PageNotLoaded /> }.into_any())
            }
        }
    )+)+};
}

lazy_pages! {
    officer_pages:
        DeskRoute(desk_view) => DeskPage,
        EditorRoute(editor_view) => EditorPage,
        ReceiptsRoute(receipts_view) => ReceiptsPage,
        CommissionsRoute(commissions_view) => CommissionsPage;
    section_pages:
        HomeRoute(home_view) => HomePage,
        ReviewQueueRoute(review_queue_view) => ReviewQueuePage;
    review_item_pages:
        ReviewItemRoute(review_item_view) => ReviewItemPage,
        SheetRoute(sheet_view) => SheetPage;
    periodical_pages:
        PeriodicalRoute(periodical_view) => PeriodicalPage,
        IssueRoute(issue_view) => IssuePage,
        UpwardRoute(upward_view) => UpwardPage;
    score_pages:
        ScoresRoute(scores_view) => ScoresPage,
        NoticeRoute(notice_view) => NoticePage;
    admin_pages:
        AdminRoute(admin_view) => AdminPage;
}

/// In place of a page whose module could not be fetched.
#[component]
fn PageNotLoaded() -> impl IntoView {
    let i18n = use_i18n();
    let pwa = use_pwa();
    view! {
        <main class="page" data-testid="page-not-loaded">
            <p class="error" role="alert">{move || i18n.t(ui::PAGE_NOT_LOADED)}</p>
            <button type="button" class="primary" on:click=move |_| if let Some(pwa) = pwa { pwa.reload() }>
                {move || i18n.t(ui::TRY_AGAIN)}
            </button>
            " "
            <a class="link" href="/">{move || i18n.t(ui::BACK_TO_DESK)}</a>
        </main>
    }
}

/// What will not work offline here, and what to do — on every page, the login included: the
/// offline promise must never disappear silently (an intranet address over plain http).
#[component]
fn OfflineLimits() -> impl IntoView {
    let i18n = use_i18n();
    let refused = crate::pwa::use_pwa().map(|p| p.shell_refused);
    let handoff = crate::pwa::use_handoff().map(|h| h.target);
    let limits = move || {
        let mut limits = crate::pwa::offline_limits();
        if refused.is_some_and(|r| r.get()) {
            limits.push(crate::i18n::ui::SHELL_REFUSED);
        }
        limits
    };
    move || {
        let https = handoff.and_then(|h| h.get());
        let mut limits = limits();
        if https.is_some() {
            // The server offers https: say that instead, and how this page gets there.
            limits.retain(|t| *t != crate::i18n::ui::INSECURE_CONTEXT);
        }
        (!limits.is_empty() || https.is_some()).then(|| {
            view! {
                <div class="offline-limits" role="status" data-testid="offline-limits">
                    {https.map(|url| view! {
                        <p data-testid="handoff">{move || i18n.t(crate::i18n::ui::HANDOFF)}" "
                            <a href=url.clone() data-testid="handoff-link">{url.clone()}</a>" · "
                            <a href="/ca">{move || i18n.t(crate::i18n::ui::INSTALL_CA)}</a>
                        </p>
                    })}
                    {limits.into_iter().map(|t| view! { <p>{move || i18n.t(t)}</p> }).collect_view()}
                </div>
            }
        })
    }
}

/// Shows its children to a logged-in person, and the login page to anyone else.
#[component]
fn RequireLogin(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    move || {
        let must_change = session.me.with(|m| m.as_ref().map(|m| m.must_change_password));
        // A password someone else set is changed first: only then does the server release the
        // device secret that opens sealed drafts after a reset.
        if must_change == Some(true) {
            view! { <Header /><ChangePasswordPage /> }.into_any()
        } else if must_change.is_some() && session.locked.get() {
            view! { <UnlockPage /> }.into_any()
        } else if must_change.is_some() {
            view! { <Header /><SyncBar /><UrgentBanner />{children()} }.into_any()
        } else {
            view! { <Redirect path="/login" /> }.into_any()
        }
    }
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    // Unsent drafts stay on this device for this account only; say so before leaving.
    let confirm = RwSignal::new(None::<usize>);
    let really_log_out = move || {
        let navigate = navigate.clone();
        spawn_local(async move {
            // Ending the server session needs the network; the local logout must not.
            let _ = api::logout().await;
            store::close();
            session.log_out();
            navigate("/login", Default::default());
        });
    };
    let log_out = {
        let really_log_out = really_log_out.clone();
        move |_| {
            let really_log_out = really_log_out.clone();
            let user = session.me.get_untracked().map(|m| m.user_id);
            spawn_local(async move {
                let unsent = match user {
                    // What the server does not have yet would be stranded on this device.
                    Some(u) => outbox::pending_count(u).await.unwrap_or(0),
                    None => 0,
                };
                if unsent > 0 { confirm.set(Some(unsent)) } else { really_log_out() }
            });
        }
    };
    view! {
        <header class="top">
            <a class="brand" href=move || session.me.get().map_or("/", |me| crate::session::landing(me.role))>{move || i18n.t(ui::APP_NAME)}</a>
            <span class="who">
                {move || session.me.get().map(|me| format!("{} · {} · {}", me.display_name, me.unit_name, i18n.t(me.role.label())))}
            </span>
            {move || session.me.get().filter(|me| matches!(me.role, xinbao_core::role::Role::Editor | xinbao_core::role::Role::Signer)).map(|_| view! {
                <a class="link" href="/home" data-testid="home-link">{i18n.t(ui::HOME)}</a>
                <a class="link" href="/" data-testid="desk-link">{i18n.t(ui::MY_DRAFTS)}</a>
                <a class="link" href="/review" data-testid="review-link">{i18n.t(ui::REVIEW_DESK)}</a>
                <a class="link" href="/upward" data-testid="upward-link">{i18n.t(ui::UPWARD)}</a>
            })}
            {move || session.me.get().map(|_| view! {
                <a class="link" href="/scores" data-testid="scores-nav">{i18n.t(ui::SCORES)}</a>
                <a class="link" href="/notice" data-testid="notice-nav">{i18n.t(ui::NOTICE)}</a>
                <a class="link" href="/periodical" data-testid="periodical-nav">{i18n.t(ui::PERIODICAL)}</a>
                <a class="link" href="/commissions" data-testid="commissions-nav">{i18n.t(ui::COMMISSION_NAV)}</a>
            })}
            {move || session.me.get().filter(|me| me.role == xinbao_core::role::Role::Admin).map(|_| view! {
                <a class="link" href="/admin" data-testid="admin-link">{i18n.t(ui::ADMIN)}</a>
            })}
            <LangSwitch />
            <button type="button" class="link" data-testid="logout" on:click=log_out>{move || i18n.t(ui::LOG_OUT)}</button>
        </header>
        {move || confirm.get().map(|n| {
            let really_log_out = really_log_out.clone();
            view! {
                <div class="logout-confirm" role="alertdialog" data-testid="logout-confirm">
                    <p>{format!("{}{}{}", i18n.t(ui::UNSENT_BEFORE), n, i18n.t(ui::UNSENT_AFTER))}</p>
                    <button type="button" class="primary" on:click=move |_| really_log_out()>{i18n.t(ui::LOG_OUT_ANYWAY)}</button>
                    <button type="button" class="secondary" on:click=move |_| confirm.set(None)>{i18n.t(ui::CANCEL)}</button>
                </div>
            }
        })}
    }
}

/// Urgent items announced and not yet looked at, on every page: how many, and a link to them
/// (the one item, or the home page listing them).
#[component]
fn UrgentBanner() -> impl IntoView {
    let i18n = use_i18n();
    let announcements = crate::announce::use_announcements();
    move || {
        let a = announcements?;
        let unseen = a.unseen.get();
        let href = match unseen.as_slice() {
            [] => return None,
            [one] => format!("/review/{one}"),
            _ => "/home".to_owned(),
        };
        Some(view! {
            <div class="urgent-banner" role="alert" data-testid="urgent-banner">
                <span>{unseen.len()}" "{i18n.t(ui::URGENT_ARRIVED_COUNT)}</span>" "
                <a href=href data-testid="urgent-banner-link" on:click=move |_| a.seen()>{i18n.t(ui::URGENT_SEE)}</a>
            </div>
        })
    }
}

/// "有新版本" with an 更新 button: the new version is taken only when the person asks, and not
/// while text is still being saved.
#[component]
fn UpdateBanner() -> impl IntoView {
    let i18n = use_i18n();
    let pwa = use_pwa();
    move || {
        let pwa = pwa?;
        if pwa.taken_over.get() {
            return Some(
                view! {
                    <div class="update-banner" role="alert" data-testid="taken-over-banner">
                        <span>{move || i18n.t(ui::TAKEN_OVER)}</span>
                    </div>
                }
                .into_any(),
            );
        }
        if pwa.schema_stale.get() {
            return Some(
                view! {
                    <div class="update-banner" role="alert" data-testid="schema-banner">
                        <span>{move || i18n.t(ui::SCHEMA_CHANGED)}</span>
                        <button type="button" class="primary" prop:disabled=move || pwa.unsaved.get() on:click=move |_| pwa.reload()>
                            {move || i18n.t(if pwa.unsaved.get() { ui::SAVING } else { ui::RELOAD })}
                        </button>
                    </div>
                }
                .into_any(),
            );
        }
        pwa.update_ready.get().then(|| {
            view! {
                <div class="update-banner" role="status" data-testid="update-banner">
                    <span>{move || i18n.t(ui::UPDATE_READY)}</span>
                    <button type="button" class="primary" prop:disabled=move || pwa.unsaved.get() || pwa.switching.get() on:click=move |_| pwa.update()>
                        {move || {
                            i18n.t(if pwa.switching.get() {
                                ui::UPDATING
                            } else if pwa.unsaved.get() {
                                ui::SAVING
                            } else {
                                ui::UPDATE
                            })
                        }}
                    </button>
                </div>
            }
            .into_any()
        })
    }
}
