//! The periodical (期刊): the list of issues; composing one (组稿排版) — the office's editor
//! picks signed items, orders them (buttons, or Alt+↑/↓ on a focused item), fills in the
//! masthead (numbers proposed from the last issue), saves and publishes; and the issue as
//! printed (red masthead, A4 print styles) with its Word download. A published issue is
//! read-only; a leader can record an instruction on any of its items from here.

use crate::api;
use crate::api::failure;
use crate::i18n::{ui, use_i18n};
use crate::scores::item_scoring::ItemScoringSection;
use crate::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use xinbao_core::api::ErrorCode;
use xinbao_core::periodical::{Candidate, IssueDeleted, IssueFields, IssueState, IssueSummary, IssueView, NewIssue, total_label};
use xinbao_core::role::Role;
use xinbao_core::scores::{PubKind, Publication};
use xinbao_core::sync::ItemState;

#[component]
pub fn PeriodicalPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let is_editor = session.me.get_untracked().is_some_and(|m| m.role == Role::Editor);
    let issues = RwSignal::new(None::<Result<Vec<IssueSummary>, String>>);
    let pubs = RwSignal::new(Vec::<Publication>::new());
    let message = RwSignal::new(None::<String>);
    spawn_local(async move {
        let got = api::get_json::<Vec<IssueSummary>>("/api/periodical/issues").await;
        if !issues.is_disposed() {
            issues.set(Some(got.map_err(|e| i18n.t(e.text()).to_owned())));
        }
        if is_editor && let Ok(p) = api::get_json::<Vec<Publication>>("/api/publications").await {
            pubs.set(p.into_iter().filter(|p| p.kind == PubKind::Periodical).collect());
        }
    });
    let navigate = use_navigate();
    let chosen = RwSignal::new(None::<i64>);
    // One new issue per click, however often it is clicked on a slow line.
    let creating = RwSignal::new(false);
    let create = move |_| {
        let Some(pid) = chosen.get_untracked().or_else(|| pubs.with_untracked(|p| p.first().map(|p| p.id))) else { return };
        if creating.get_untracked() {
            return;
        }
        creating.set(true);
        let navigate = navigate.clone();
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            let got = api::post_json::<_, IssueView>("/api/periodical/issues", &NewIssue { publication_id: pid }).await;
            creating.set(false);
            match got {
                Ok(v) => navigate(&format!("/periodical/{}", v.id), Default::default()),
                Err(e) => message.set(Some(failure(e, lang))),
            }
        });
    };
    view! {
        <main class="page periodical">
            <h2>{move || i18n.t(ui::PERIODICAL)}</h2>
            {is_editor.then(|| view! {
                <div class="inline-form">
                    <select data-testid="issue-publication" aria-label=move || i18n.t(ui::PUBLICATION) on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                        {move || pubs.get().into_iter().map(|p| view! { <option value=p.id.to_string()>{p.name}</option> }).collect_view()}
                    </select>
                    <button type="button" class="primary" data-testid="new-issue"
                        // Until the office's periodicals are known a click would do nothing at all.
                        disabled=move || pubs.with(Vec::is_empty) || creating.get() on:click=create.clone()>{move || i18n.t(ui::NEW_ISSUE)}</button>
                </div>
            })}
            {move || message.get().map(|m| view! { <p class="error">{m}</p> })}
            {move || match issues.get() {
                None => view! { <p class="muted">{i18n.t(ui::LOADING)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">{i18n.t(ui::NO_ISSUES)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="issue-list">{list.into_iter().map(|s| view! {
                        <li data-testid="issue-row">
                            <a href=format!("/periodical/{}", s.id)>{format!("《{}》{}（{}）", s.publication, s.label, total_label(s.total_number))}</a>
                            <span class="muted small">{format!(" {} · {} {}", s.date, s.items, i18n.t(ui::ITEMS_N))}</span>
                            <span class="badge">{i18n.t(if s.state == IssueState::Published { ui::ISSUE_PUBLISHED } else { ui::ISSUE_DRAFT })}</span>
                        </li>
                    }).collect_view()}</ul>
                }.into_any(),
            }}
        </main>
    }
}

#[component]
pub fn IssuePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok())).unwrap_or(0);
    let issue = RwSignal::new(None::<Result<IssueView, String>>);
    spawn_local(async move {
        let got = api::get_json::<IssueView>(&format!("/api/periodical/issues/{id}")).await;
        if !issue.is_disposed() {
            issue.set(Some(got.map_err(|e| i18n.t(e.text()).to_owned())));
        }
    });
    let session = use_session();
    let role = session.me.get_untracked().map(|m| m.role);
    view! {
        <main class="page issue-page">
            {move || match issue.get() {
                None => view! { <p class="muted">{i18n.t(ui::LOADING)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(v)) if v.state == IssueState::Draft && role == Some(Role::Editor) => view! { <Compose issue=v on_saved=issue /> }.into_any(),
                Some(Ok(v)) => view! { <Printed issue=v leader=matches!(role, Some(Role::Reader | Role::Signer | Role::Editor)) /> }.into_any(),
            }}
        </main>
    }
}

/// The editor's composing view of a draft issue.
#[component]
fn Compose(issue: IssueView, on_saved: RwSignal<Option<Result<IssueView, String>>>) -> impl IntoView {
    let i18n = use_i18n();
    let id = issue.id;
    let fields = RwSignal::new(issue.fields.clone());
    // The items in order: (id, title, unit).
    let items = RwSignal::new(issue.items.iter().map(|i| (i.id.clone(), i.title.clone(), i.unit.clone())).collect::<Vec<_>>());
    // The items and masthead as the server last said (what a conflict is compared with).
    let base = RwSignal::new(issue.items.iter().map(|i| (i.id.clone(), i.title.clone())).collect::<Vec<_>>());
    let base_fields = RwSignal::new(issue.fields.clone());
    // A save in flight: a second click waits for it instead of conflicting with it.
    let saving = RwSignal::new(false);
    let candidates = RwSignal::new(Vec::<Candidate>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let confirming = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    let navigate = use_navigate();
    let delete = move |_| {
        let navigate = navigate.clone();
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            match api::post_json::<_, IssueDeleted>(&format!("/api/periodical/issues/{id}/delete"), &serde_json::json!({})).await {
                Ok(_) => navigate("/periodical", Default::default()),
                Err(e) => message.set(Some((false, failure(e, lang)))),
            }
        });
    };
    // Another editor saved first: say what they changed, take their revision, keep this
    // editor's placement on screen (saving again makes it the issue).
    let conflicted = move |detail: String| {
        spawn_local(async move {
            let Ok(now) = api::get_json::<IssueView>(&format!("/api/periodical/issues/{id}")).await else {
                message.set(Some((false, detail)));
                return;
            };
            let before = base.get_untracked();
            let titles = |list: Vec<String>| list.into_iter().map(|t| format!("《{t}》")).collect::<Vec<_>>().join("");
            let placed = titles(now.items.iter().filter(|i| !before.iter().any(|(b, _)| *b == i.id)).map(|i| i.title.clone()).collect());
            let removed = titles(before.iter().filter(|(b, _)| !now.items.iter().any(|i| i.id == *b)).map(|(_, t)| t.clone()).collect());
            let mut text = detail;
            let (was, is) = (base_fields.get_untracked(), now.fields.clone());
            let changed: Vec<&str> = [
                ((was.year, was.number, was.total_number) != (is.year, is.number, is.total_number), "期号"),
                (was.date != is.date, "日期"),
                (was.signer != is.signer, "签发人"),
                (was.editor_note != is.editor_note, "编者按"),
                (was.circulation != is.circulation, "报送范围"),
            ]
            .into_iter()
            .filter_map(|(c, name)| c.then_some(name))
            .collect();
            if !changed.is_empty() {
                text.push_str(&format!("。{}{}", i18n.t(ui::ISSUE_CONFLICT_FIELDS), changed.join("、")));
            }
            if !placed.is_empty() {
                text.push_str(&format!("。{}{placed}", i18n.t(ui::ISSUE_CONFLICT_PLACED)));
            }
            if !removed.is_empty() {
                text.push_str(&format!("。{}{removed}", i18n.t(ui::ISSUE_CONFLICT_REMOVED)));
            }
            text.push_str(&format!("。{}", i18n.t(ui::ISSUE_CONFLICT_KEEP)));
            base.set(now.items.iter().map(|i| (i.id.clone(), i.title.clone())).collect());
            base_fields.set(now.fields.clone());
            fields.update(|f| f.rev = now.fields.rev);
            message.set(Some((false, text)));
        });
    };
    spawn_local(async move {
        if let Ok(c) = api::get_json::<Vec<Candidate>>("/api/periodical/candidates").await
            && !candidates.is_disposed()
        {
            candidates.set(c);
        }
    });
    let move_by = move |i: usize, delta: isize| {
        items.update(|list| {
            let j = i as isize + delta;
            if j >= 0 && (j as usize) < list.len() {
                list.swap(i, j as usize);
            }
        });
    };
    let body = move || {
        let mut f = fields.get_untracked();
        f.items = items.with_untracked(|l| l.iter().map(|(id, _, _)| id.clone()).collect());
        f
    };
    let save = move |then_publish: bool| {
        let f = body();
        if let Some(p) = f.problems().first() {
            message.set(Some((false, i18n.t(*p).to_owned())));
            return;
        }
        if saving.get_untracked() {
            return;
        }
        saving.set(true);
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            let got = api::post_json::<_, IssueView>(&format!("/api/periodical/issues/{id}"), &f).await;
            saving.set(false);
            match got {
                Err(e) if e.0 == api::ApiError::Server(ErrorCode::Conflict) => conflicted(failure(e, lang)),
                Err(e) => message.set(Some((false, failure(e, lang)))),
                Ok(v) if !then_publish => {
                    message.set(Some((true, i18n.t(ui::SETTINGS_SAVED).to_owned())));
                    base.set(v.items.iter().map(|i| (i.id.clone(), i.title.clone())).collect());
                    base_fields.set(v.fields.clone());
                    fields.set(v.fields);
                }
                Ok(_) => {
                    match api::post_json::<_, IssueView>(&format!("/api/periodical/issues/{id}/publish"), &serde_json::json!({})).await {
                        Ok(v) => on_saved.set(Some(Ok(v))),
                        Err(e) => message.set(Some((false, failure(e, lang)))),
                    }
                }
            }
        });
    };
    let text_field = move |label: xinbao_core::i18n::Text,
                           testid: &'static str,
                           get: fn(&IssueFields) -> String,
                           set: fn(&mut IssueFields, String)| {
        view! {
            <label>{move || i18n.t(label)}
                <input data-testid=testid prop:value=move || fields.with(get) on:input=move |ev| fields.update(|f| set(f, event_target_value(&ev))) />
            </label>
        }
    };
    let number_field =
        move |label: xinbao_core::i18n::Text, testid: &'static str, get: fn(&IssueFields) -> u32, set: fn(&mut IssueFields, u32)| {
            view! {
                <label>{move || i18n.t(label)}
                    <input type="number" min="1" data-testid=testid prop:value=move || fields.with(get).to_string()
                        on:input=move |ev| if let Ok(n) = event_target_value(&ev).trim().parse() { fields.update(|f| set(f, n)) } />
                </label>
            }
        };
    view! {
        <h2>{format!("《{}》", issue.publication)}<span class="badge">{move || i18n.t(ui::ISSUE_DRAFT)}</span></h2>
        <div class="masthead-fields inline-form" data-testid="masthead">
            {number_field(ui::ISSUE_YEAR, "issue-year", |f| f.year.max(0) as u32, |f, n| f.year = n as i32)}
            {number_field(ui::ISSUE_NUMBER, "issue-number", |f| f.number, |f, n| f.number = n)}
            {number_field(ui::ISSUE_TOTAL, "issue-total", |f| f.total_number, |f, n| f.total_number = n)}
            <label>{move || i18n.t(ui::DATE)}
                <input type="date" data-testid="issue-date" prop:value=move || fields.with(|f| f.date.clone()) on:change=move |ev| fields.update(|f| f.date = event_target_value(&ev)) />
            </label>
            {text_field(ui::SIGNER, "issue-signer", |f| f.signer.clone(), |f, v| f.signer = v)}
        </div>
        <label class="block">{move || i18n.t(ui::EDITOR_NOTE)}
            <textarea data-testid="issue-note" prop:value=move || fields.with(|f| f.editor_note.clone()) on:input=move |ev| fields.update(|f| f.editor_note = event_target_value(&ev))></textarea>
        </label>
        <div class="inline-form circulation">
            {text_field(ui::REPORT_TO, "issue-report-to", |f| f.circulation.report_to.clone(), |f, v| f.circulation.report_to = v)}
            {text_field(ui::COPY_TO, "issue-copy-to", |f| f.circulation.copy_to.clone(), |f, v| f.circulation.copy_to = v)}
            {text_field(ui::SEND_TO, "issue-send-to", |f| f.circulation.send_to.clone(), |f, v| f.circulation.send_to = v)}
        </div>
        <div class="compose">
            <section aria-labelledby="in-issue-head">
                <h3 id="in-issue-head">{move || i18n.t(ui::IN_THIS_ISSUE)}</h3>
                <ol class="issue-items" data-testid="issue-items">{move || {
                    let list = items.get();
                    let n = list.len();
                    list.into_iter().enumerate().map(|(i, (item_id, title, unit))| view! {
                        <li data-testid="issue-item" tabindex="0" on:keydown=move |ev| {
                            if ev.alt_key() && ev.key() == "ArrowUp" { ev.prevent_default(); move_by(i, -1); }
                            if ev.alt_key() && ev.key() == "ArrowDown" { ev.prevent_default(); move_by(i, 1); }
                        }>
                            <span class="issue-item-title">{title}</span><span class="muted small">{format!(" {unit}")}</span>
                            <button type="button" class="link" data-testid="item-up" disabled=i == 0 aria-label=i18n.t(ui::MOVE_UP) on:click=move |_| move_by(i, -1)>"↑"</button>
                            <button type="button" class="link" data-testid="item-down" disabled=i + 1 == n aria-label=i18n.t(ui::MOVE_DOWN) on:click=move |_| move_by(i, 1)>"↓"</button>
                            <button type="button" class="link danger" data-testid="item-remove" aria-label=i18n.t(ui::REMOVE) on:click=move |_| {
                                let gone = item_id.clone();
                                items.update(|l| l.retain(|(x, _, _)| *x != gone));
                            }>"✕"</button>
                        </li>
                    }).collect_view()
                }}</ol>
            </section>
            <section aria-labelledby="candidates-head">
                <h3 id="candidates-head">{move || i18n.t(ui::SIGNED_ITEMS)}</h3>
                <ul class="candidates" data-testid="candidates">{move || candidates.get().into_iter().filter(|c| !items.with(|l| l.iter().any(|(x, _, _)| *x == c.id))).map(|c| {
                    let entry = (c.id.clone(), c.title.clone(), c.unit.clone());
                    view! {
                        <li data-testid="candidate">
                            <button type="button" class="link" data-testid="candidate-add" on:click=move |_| items.update(|l| l.push(entry.clone()))>{format!("＋ {}", c.title)}</button>
                            <span class="muted small">{format!(" {}", c.unit)}{(!c.in_issues.is_empty()).then(|| format!(" · {}", c.in_issues.join("、")))}</span>
                        </li>
                    }
                }).collect_view()}</ul>
            </section>
        </div>
        <div class="form-foot">
            <button type="button" class="secondary" data-testid="issue-save" disabled=move || saving.get() on:click=move |_| save(false)>{move || i18n.t(ui::SAVE)}</button>
            {move || if confirming.get() {
                view! {
                    <span>{i18n.t(ui::PUBLISH_CONFIRM)}</span>
                    <button type="button" class="primary" data-testid="issue-publish-confirm" on:click=move |_| save(true)>{i18n.t(ui::PUBLISH)}</button>
                    <button type="button" class="link" on:click=move |_| confirming.set(false)>{i18n.t(ui::CANCEL)}</button>
                }.into_any()
            } else {
                view! { <button type="button" class="primary" data-testid="issue-publish" on:click=move |_| confirming.set(true)>{i18n.t(ui::PUBLISH)}</button> }.into_any()
            }}
            <a class="link" data-testid="issue-docx" href=format!("/api/periodical/issues/{id}/docx") download="">{move || i18n.t(ui::DOWNLOAD_WORD)}</a>
            {move || if deleting.get() {
                view! {
                    <span>{i18n.t(ui::DELETE_ISSUE_CONFIRM)}</span>
                    <button type="button" class="danger" data-testid="issue-delete-confirm" on:click=delete.clone()>{i18n.t(ui::DELETE_ISSUE)}</button>
                    <button type="button" class="link" on:click=move |_| deleting.set(false)>{i18n.t(ui::CANCEL)}</button>
                }.into_any()
            } else {
                view! { <button type="button" class="link danger" data-testid="issue-delete" on:click=move |_| deleting.set(true)>{i18n.t(ui::DELETE_ISSUE)}</button> }.into_any()
            }}
        </div>
        {move || message.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } role="status" data-testid="issue-message">{t}</p> })}
    }
}

/// The issue as printed: the red masthead, the items, the circulation list.
#[component]
fn Printed(issue: IssueView, leader: bool) -> impl IntoView {
    let i18n = use_i18n();
    let v = issue;
    let print = move |_| crate::util::print_page();
    let c = v.fields.circulation.clone();
    view! {
        <div class="inline-form no-print">
            <button type="button" class="secondary" data-testid="issue-print" on:click=print>{move || i18n.t(ui::PRINT)}</button>
            <a class="link" data-testid="issue-docx" href=format!("/api/periodical/issues/{}/docx", v.id) download="">{move || i18n.t(ui::DOWNLOAD_WORD)}</a>
            <a class="link" href="/periodical">{move || i18n.t(ui::PERIODICAL)}</a>
        </div>
        <article class="issue-print" data-testid="issue-printed">
            <header class="masthead">
                <h1 class="masthead-name" data-testid="masthead-name">{v.publication.clone()}</h1>
                <p class="masthead-number">{format!("{}　{}", v.label(), total_label(v.fields.total_number))}</p>
                <p class="masthead-line"><span>{v.office.clone()}</span><span>{v.date_text()}</span></p>
            </header>
            {(!v.fields.editor_note.trim().is_empty()).then(|| view! { <p class="issue-note">{format!("【编者按】{}", v.fields.editor_note.trim())}</p> })}
            {v.items.iter().map(|item| {
                let paras: Vec<String> = item.body.split('\n').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect();
                let item_id = item.id.clone();
                view! {
                    <section class="issue-article" data-testid="issue-article">
                        <h2>{item.title.clone()}</h2>
                        {paras.into_iter().map(|p| view! { <p class="notice-body">{p}</p> }).collect_view()}
                        <p class="issue-byline">{format!("（{}　{}）", item.unit, item.author)}</p>
                        {leader.then(|| view! { <div class="no-print"><ItemScoringSection item_id=item_id state=ItemState::Signed /></div> })}
                    </section>
                }
            }).collect_view()}
            <footer class="circulation">
                {[("报：", c.report_to), ("送：", c.copy_to), ("发：", c.send_to)].into_iter().filter(|(_, t)| !t.trim().is_empty()).map(|(l, t)| view! { <p>{format!("{l}{t}")}</p> }).collect_view()}
                {(!v.fields.signer.is_empty()).then(|| view! { <p>{format!("签发：{}", v.fields.signer)}</p> })}
            </footer>
        </article>
    }
}
