//! The review desk (审核台) of editors and signers: the items their office reviews — pulled by
//! sync, so they read offline too — urgent first; one item with the author's submission and
//! the current text side by side as a character diff, the actions `xinbao_core::review`
//! permits, and the comment thread. Actions are mutations like any other: recorded locally at
//! once, sent by the sync engine, exactly once.

use crate::api;
use crate::i18n::{ui, use_i18n};
use crate::item::sync_panel::side;
use crate::outbox;
use crate::scores::item_scoring::ItemScoringSection;
use crate::session::use_session;
use crate::store::{self, LocalDraft};
use crate::sync::use_sync;
use crate::util::date_time;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use xinbao_core::api::QueueRow;
use xinbao_core::item::{FocusTag, ItemType};
use xinbao_core::review::{Action, Actor, DeadlineRules, permitted};
use xinbao_core::signoff::{self, Destination, Route, Signing, may_sign};
use xinbao_core::sync::{ItemSnapshot, ItemState, LocalSync};

/// Items of others in this browser's store that the office reviews (never drafts): the offline
/// view of the queue, and the urgent threads.
fn queue_of(list: Vec<LocalDraft>, me: i64) -> Vec<LocalDraft> {
    let mut q: Vec<LocalDraft> = list
        .into_iter()
        .filter(|d| d.sync.author_id.is_some_and(|a| a != me))
        .filter(|d| d.sync.state.is_some_and(|s| !matches!(s, ItemState::Draft | ItemState::Deleted)))
        .collect();
    // Urgent first, then the oldest waiting.
    q.sort_by(|a, b| {
        let urgent = |d: &LocalDraft| d.content.item_type != ItemType::Urgent;
        urgent(a).cmp(&urgent(b)).then(a.updated_at.total_cmp(&b.updated_at))
    });
    q
}

/// A row of the queue as shown: from the server's page online, from this device offline.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) title: String,
    state: Option<ItemState>,
    item_type: ItemType,
    pub(crate) unit_name: String,
    author_name: String,
    updated_at: f64,
    quality: Option<String>,
    event_time: Option<i64>,
    waiting_at: Option<String>,
}

impl Row {
    fn local(d: &LocalDraft) -> Row {
        Row {
            id: d.id.clone(),
            title: d.content.title.clone(),
            state: d.sync.state,
            item_type: d.content.item_type,
            unit_name: d.sync.unit_name.clone(),
            author_name: d.sync.author_name.clone(),
            updated_at: d.updated_at,
            quality: d.sync.quality.clone(),
            event_time: d.content.event_time,
            waiting_at: d.sync.signing.as_ref().filter(|_| d.sync.state == Some(ItemState::AwaitingSignOff)).and_then(|s| s.waiting_at()),
        }
    }

    pub(crate) fn server(r: QueueRow) -> Row {
        Row {
            id: r.id,
            title: r.title,
            state: Some(r.state),
            item_type: r.item_type,
            unit_name: r.unit_name,
            author_name: r.author_name,
            updated_at: r.updated_at as f64,
            quality: r.quality,
            event_time: r.event_time,
            waiting_at: r.waiting_at,
        }
    }
}

/// The queue's order: `waiting` (urgent first, then the longest waiting) or `recent`.
const SORTS: [(&str, xinbao_core::i18n::Text); 2] = [("waiting", ui::SORT_WAITING), ("recent", ui::SORT_RECENT)];
const PAGE_SIZES: [usize; 3] = [20, 50, 100];
/// localStorage: the page size this person picked.
const PAGE_SIZE_KEY: &str = "xinbao.queue_page_size";

/// What the desk asks for: the filters, the order and the page.
#[derive(Clone, Debug, PartialEq)]
struct Ask {
    state: Option<ItemState>,
    text: String,
    unit: String,
    unit_id: Option<i64>,
    kind: Option<ItemType>,
    tag: Option<FocusTag>,
    since: Option<f64>,
    sort: &'static str,
    page: usize,
    size: usize,
}

impl Ask {
    /// `GET /api/review/queue?…` for this page, one row more than shown (to know whether a
    /// next page exists).
    fn path(&self) -> String {
        let mut q = vec![format!("sort={}", self.sort), format!("limit={}", self.size + 1), format!("offset={}", self.page * self.size)];
        if let Some(s) = self.state {
            q.push(format!("state={}", s.as_str()));
        }
        if let Some(u) = self.unit_id {
            q.push(format!("unit={u}"));
        }
        if let Some(k) = self.kind {
            q.push(format!("item_type={}", k.as_str()));
        }
        if let Some(at) = self.since {
            q.push(format!("since={}", at as i64));
        }
        if !self.text.trim().is_empty() {
            q.push(format!("q={}", String::from(js_sys::encode_uri_component(self.text.trim()))));
        }
        format!("/api/review/queue?{}", q.join("&"))
    }

    /// Why this question is answered from this device even online: a tag lives in the item's
    /// text, not a column; a unit known by name only cannot be asked by id.
    fn where_from(&self) -> Option<xinbao_core::i18n::Text> {
        (self.tag.is_some() || (!self.unit.is_empty() && self.unit_id.is_none())).then_some(ui::QUEUE_LOCAL_FILTER)
    }

    /// This device's page of the question, and why it is this device's.
    async fn local_page(&self, me: i64, why: xinbao_core::i18n::Text) -> Page {
        let all = self.local(&queue_of(store::list_drafts(me).await.unwrap_or_default(), me));
        let more = all.len() > (self.page + 1) * self.size;
        Page { rows: all.into_iter().skip(self.page * self.size).take(self.size).collect(), more, local: Some(why) }
    }

    /// The same filters over this device's items (the offline view).
    fn local(&self, items: &[LocalDraft]) -> Vec<Row> {
        let t = self.text.trim();
        let mut rows: Vec<Row> = items
            .iter()
            .filter(|d| self.state.is_none() || d.sync.state == self.state)
            .filter(|d| self.unit.is_empty() || d.sync.unit_name == self.unit)
            .filter(|d| self.kind.is_none_or(|k| d.content.item_type == k))
            .filter(|d| self.tag.is_none_or(|g| d.content.tags.contains(&g)))
            .filter(|d| self.since.is_none_or(|at| d.updated_at >= at))
            .filter(|d| t.is_empty() || d.content.title.contains(t) || d.content.body.contains(t) || d.sync.unit_name.contains(t))
            .map(Row::local)
            .collect();
        if self.sort == "recent" {
            rows.sort_by(|a, b| b.updated_at.total_cmp(&a.updated_at));
        }
        rows
    }
}

/// The page shown, and where it came from.
#[derive(Clone, Debug, PartialEq)]
struct Page {
    rows: Vec<Row>,
    more: bool,
    /// Read from this device's items, and why (offline, a filter only this device can apply,
    /// the server's refusal).
    local: Option<xinbao_core::i18n::Text>,
}

/// A unit filter's value when only the unit's name is known (from this device's items).
const NAME_ONLY: &str = "name:";
/// The search is asked once typing pauses this long.
const TYPING_PAUSE_MS: u64 = 300;

/// Makes sure item `id` is on this device: pulled already, or fetched now from the server and
/// kept (`outbox::keep_fetched`). False when it is neither (offline, or not the caller's to see).
async fn ensure_local(user: i64, id: &str) -> bool {
    if let Ok(Some(_)) = store::load_draft(user, id).await {
        return true;
    }
    match api::get_json::<ItemSnapshot>(&format!("/api/items/{id}")).await {
        Ok(s) => outbox::keep_fetched(user, &s).await.is_ok(),
        Err(_) => false,
    }
}

#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let me = session.me.get_untracked().map_or(0, |m| m.user_id);
    // This device's items: the offline view, the unit names offline, and the urgent threads.
    let items = RwSignal::new(None::<Vec<LocalDraft>>);
    // A link from the home page carries its filter (`?state=`, `?unit=`, `?item_type=`).
    let linked = leptos_router::hooks::use_query_map().get_untracked();
    let state_filter = RwSignal::new(linked.get("state").and_then(|s| ItemState::parse(&s)));
    let text = RwSignal::new(String::new());
    let typed = StoredValue::new(String::new());
    let unit_filter = RwSignal::new(linked.get("unit").filter(|u| u.parse::<i64>().is_ok()).unwrap_or_default());
    let type_filter = RwSignal::new(linked.get("item_type").and_then(|t| ItemType::parse(&t)));
    let tag_filter = RwSignal::new(None::<FocusTag>);
    // Changed on or after this day (ms at local midnight), from a date input.
    let since = RwSignal::new(None::<f64>);
    let sort = RwSignal::new("waiting");
    let marked = RwSignal::new(std::collections::BTreeSet::<String>::new());
    let page_no = RwSignal::new(0usize);
    let size = RwSignal::new({
        use gloo_storage::{LocalStorage, Storage};
        LocalStorage::get::<usize>(PAGE_SIZE_KEY).ok().filter(|n| PAGE_SIZES.contains(n)).unwrap_or(50)
    });
    // The office's units (online), for the unit filter.
    let units = RwSignal::new(Vec::<xinbao_core::commissions::UnitName>::new());
    let page = RwSignal::new(None::<Page>);
    let generation = use_sync().map(|s| s.generation);
    // Opening the queue asks the server what is new (the local copy shows meanwhile).
    if let Some(s) = use_sync() {
        s.check_now();
    }
    // Urgent items are listed first here: the announcements have been looked at.
    if let Some(a) = crate::announce::use_announcements() {
        a.seen();
    }
    // The clock and the rules for urgent deadlines (the office's setting; the last one seen is
    // kept for offline use).
    let now = crate::util::ticking_clock();
    let rules = crate::item::urgent_panel::use_rules();
    Effect::new(move |_| {
        if let Some(g) = generation {
            g.track();
        }
        spawn_local(async move {
            let list = store::list_drafts(me).await.unwrap_or_default();
            if !items.is_disposed() {
                items.set(Some(queue_of(list, me)));
            }
        });
    });
    // Asked again after each sync round until it answers (a slow line may drop the first ask).
    Effect::new(move |_| {
        if let Some(g) = generation {
            g.track();
        }
        if !units.with_untracked(Vec::is_empty) {
            return;
        }
        spawn_local(async move {
            if let Ok(list) = api::get_json::<Vec<xinbao_core::commissions::UnitName>>("/api/commissions/units").await
                && !units.is_disposed()
            {
                units.set(list);
            }
        });
    });
    let ask = Memo::new(move |_| {
        // The unit picked: by id from the office's list (names repeat under different
        // townships), or by name from this device's items when the list could not be had.
        let picked = unit_filter.get();
        let unit_id = picked.parse::<i64>().ok();
        let unit = match unit_id {
            Some(id) => units.with(|u| u.iter().find(|x| x.id == id).map(|x| x.name.clone())).unwrap_or_default(),
            None => picked.strip_prefix(NAME_ONLY).unwrap_or_default().to_owned(),
        };
        Ask {
            state: state_filter.get(),
            text: text.get(),
            unit_id,
            unit,
            kind: type_filter.get(),
            tag: tag_filter.get(),
            since: since.get(),
            sort: sort.get(),
            page: page_no.get(),
            size: size.get(),
        }
    });
    // Online the page comes from the server (filters, search and order there: the office's
    // whole history, not what this device holds); offline from this device, said so. Answers
    // that arrive after a newer question are dropped.
    let asked = StoredValue::new(0u64);
    let last_ask = StoredValue::new(None::<Ask>);
    Effect::new(move |_| {
        let a = ask.get();
        if let Some(g) = generation {
            g.track();
        }
        // Another question: nothing of the last answer stays on screen to be marked or acted on.
        if last_ask.get_value().as_ref() != Some(&a) {
            last_ask.set_value(Some(a.clone()));
            page.set(None);
            marked.set(Default::default());
        }
        let n = asked.get_value() + 1;
        asked.set_value(n);
        spawn_local(async move {
            let next = match a.where_from() {
                Some(why) => a.local_page(me, why).await,
                None => match api::get_json::<Vec<QueueRow>>(&a.path()).await {
                    Ok(mut rows) => {
                        let more = rows.len() > a.size;
                        rows.truncate(a.size);
                        Page { rows: rows.into_iter().map(Row::server).collect(), more, local: None }
                    }
                    Err(api::ApiError::Network) => a.local_page(me, ui::QUEUE_OFFLINE).await,
                    Err(e) => a.local_page(me, e.text()).await,
                },
            };
            if !page.is_disposed() && asked.get_value() == n {
                page.set(Some(next));
            }
        });
    });
    // A new filter starts at the first page.
    Effect::new(move |_| {
        let _ =
            (state_filter.get(), text.get(), unit_filter.get(), type_filter.get(), tag_filter.get(), since.get(), sort.get(), size.get());
        page_no.set(0);
    });
    let shown = move || page.with(|p| p.as_ref().map(|p| p.rows.clone()).unwrap_or_default());
    // Keyboard: j/k move, Enter opens, x marks, s takes in the marked (or current) items.
    let cursor = RwSignal::new(0usize);
    let navigate = leptos_router::hooks::use_navigate();
    let sync = use_sync();
    let take_in = move |ids: Vec<String>| {
        spawn_local(async move {
            for id in ids {
                // A row from the server this device has not pulled is fetched and kept first.
                if !ensure_local(me, &id).await {
                    continue;
                }
                let _ = outbox::update_sync(me, &id, |d, _| {
                    let ok = d.sync.state == Some(ItemState::Submitted) && d.sync.act.is_none();
                    if ok {
                        d.sync.act = Some((Action::Screen, String::new()));
                    }
                    ok
                })
                .await;
            }
            if !marked.is_disposed() {
                marked.set(Default::default());
            }
            if let Some(s) = sync {
                s.generation.update(|g| *g += 1);
                s.sync_now();
            }
        });
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let list = shown();
        let at = cursor.get_untracked().min(list.len().saturating_sub(1));
        match ev.key().as_str() {
            "j" => cursor.set((at + 1).min(list.len().saturating_sub(1))),
            "k" => cursor.set(at.saturating_sub(1)),
            "Enter" | "o" => {
                if let Some(d) = list.get(at) {
                    navigate(&format!("/review/{}", d.id), Default::default());
                }
            }
            "x" => {
                if let Some(d) = list.get(at) {
                    let id = d.id.clone();
                    marked.update(|m| {
                        if !m.remove(&id) {
                            m.insert(id);
                        }
                    });
                }
            }
            "s" => {
                let ids: Vec<String> = marked.get_untracked().into_iter().collect();
                let ids = if ids.is_empty() { list.get(at).map(|d| vec![d.id.clone()]).unwrap_or_default() } else { ids };
                take_in(ids);
            }
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || keys.remove());
    let local = move || page.with(|p| p.as_ref().and_then(|p| p.local));
    view! {
        <main class="page review">
            <h2>{move || i18n.t(ui::REVIEW_DESK)}</h2>
            <p class="muted small">{move || i18n.t(ui::REVIEW_KEYS)}</p>
            <div class="desk-tools" role="search">
                <input type="search" data-testid="review-search" aria-label=move || i18n.t(ui::SEARCH)
                    placeholder=move || i18n.t(ui::SEARCH_HINT) on:input=move |ev| {
                        // Asked once typing pauses: each question is a search of the office's
                        // whole history on the server.
                        let v = event_target_value(&ev);
                        typed.set_value(v.clone());
                        set_timeout(move || if typed.get_value() == v { text.set(v) }, std::time::Duration::from_millis(TYPING_PAUSE_MS));
                    } />
                <select data-testid="state-filter" aria-label=move || i18n.t(ui::ALL_STATES) on:change=move |ev| state_filter.set(ItemState::parse(&event_target_value(&ev)))>
                    <option value="">{move || i18n.t(ui::ALL_STATES)}</option>
                    {ItemState::ALL.into_iter().filter(|s| !matches!(s, ItemState::Draft | ItemState::Deleted))
                        .map(|s| view! { <option value=s.as_str() selected=move || state_filter.get() == Some(s)>{move || i18n.t(s.label())}</option> }).collect_view()}
                </select>
                <select data-testid="unit-filter" aria-label=move || i18n.t(ui::UNIT) on:change=move |ev| unit_filter.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t(ui::ALL_UNITS)}</option>
                    {move || {
                        // The office's units by id; offline, the names this device's items carry.
                        let mut options: Vec<(String, String)> = units.with(|u| u.iter().map(|x| (x.id.to_string(), x.name.clone())).collect());
                        if options.is_empty() {
                            let mut names: Vec<String> = items.with(|l| l.iter().flatten().map(|d| d.sync.unit_name.clone()).collect());
                            names.sort();
                            names.dedup();
                            options = names.into_iter().map(|n| (format!("{NAME_ONLY}{n}"), n)).collect();
                        }
                        options.into_iter().map(|(v, n)| { let picked = unit_filter.get_untracked() == v; view! { <option value=v selected=picked>{n}</option> } }).collect_view()
                    }}
                </select>
                <select data-testid="type-filter" aria-label=move || i18n.t(ui::ITEM_TYPE) on:change=move |ev| type_filter.set(ItemType::parse(&event_target_value(&ev)))>
                    <option value="">{move || i18n.t(ui::ALL_TYPES)}</option>
                    {ItemType::ALL.into_iter().map(|t| view! { <option value=t.as_str() selected=move || type_filter.get() == Some(t)>{move || i18n.t(t.label())}</option> }).collect_view()}
                </select>
                <select data-testid="tag-filter" aria-label=move || i18n.t(ui::FOCUS_TAGS) on:change=move |ev| {
                    let v = event_target_value(&ev);
                    tag_filter.set(FocusTag::ALL.into_iter().find(|t| t.as_str() == v));
                }>
                    <option value="">{move || i18n.t(ui::ALL_TAGS)}</option>
                    {FocusTag::ALL.into_iter().map(|t| view! { <option value=t.as_str()>{move || i18n.t(t.label())}</option> }).collect_view()}
                </select>
                <input type="date" data-testid="since-filter" aria-label=move || i18n.t(ui::SINCE) on:change=move |ev| {
                    let v = event_target_value(&ev);
                    since.set((!v.is_empty()).then(|| js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&format!("{v}T00:00:00"))).get_time()).filter(|t| t.is_finite()));
                } />
                <select data-testid="queue-sort" aria-label=move || i18n.t(ui::SORT) on:change=move |ev| {
                    let v = event_target_value(&ev);
                    sort.set(SORTS.iter().map(|(k, _)| *k).find(|k| *k == v).unwrap_or("waiting"));
                }>
                    {SORTS.into_iter().map(|(k, label)| view! { <option value=k>{move || i18n.t(label)}</option> }).collect_view()}
                </select>
                <select data-testid="page-size" aria-label=move || i18n.t(ui::PAGE_SIZE) on:change=move |ev| {
                    let n = event_target_value(&ev).parse().ok().filter(|n| PAGE_SIZES.contains(n)).unwrap_or(50);
                    use gloo_storage::{LocalStorage, Storage};
                    let _ = LocalStorage::set(PAGE_SIZE_KEY, n);
                    size.set(n);
                }>
                    {PAGE_SIZES.into_iter().map(|n| view! { <option value=n.to_string() selected=move || size.get() == n>{move || format!("{n} {}", i18n.t(ui::PER_PAGE))}</option> }).collect_view()}
                </select>
            </div>
            {move || local().map(|why| {
                let testid = if why == ui::QUEUE_OFFLINE { "queue-offline" } else { "queue-local" };
                view! { <p class="note" role="status" data-testid=testid>{i18n.t(why)}</p> }
            })}
            {move || items.with(|l| {
                let urgent: Vec<LocalDraft> = l.iter().flatten().filter(|d| d.content.item_type == ItemType::Urgent).cloned().collect();
                (!urgent.is_empty()).then(|| view! { <crate::item::chains::Chains items=urgent rules=rules.get() href=|id| format!("/review/{id}") /> })
            })}
            {move || match page.with(|p| p.as_ref().map(|p| p.rows.len())) {
                None => view! { <p class="muted">{i18n.t(ui::LOADING)}</p> }.into_any(),
                Some(0) => view! { <p class="muted" data-testid="review-empty">{i18n.t(ui::REVIEW_EMPTY)}</p> }.into_any(),
                Some(_) => view! {
                    <ul class="draft-list" data-testid="review-list">
                        {move || shown().into_iter().enumerate().map(|(i, d)| {
                            let id = d.id.clone();
                            let id2 = d.id.clone();
                            view! {
                            <li class="draft-item" class:selected=move || cursor.get() == i data-testid="review-item">
                                <input type="checkbox" aria-label=move || i18n.t(ui::MARK) data-testid="mark"
                                    prop:checked=move || marked.with(|m| m.contains(&id))
                                    on:change=move |_| {
                                        let id = id2.clone();
                                        marked.update(|m| {
                                            if !m.remove(&id) {
                                                m.insert(id);
                                            }
                                        });
                                    } />
                                <a href=format!("/review/{}", d.id) class="draft-row">
                                    <span class="draft-title" data-testid="review-item-title">{d.title.clone()}</span>
                                    <span class="draft-meta">
                                        <span class="badge">{i18n.t(d.item_type.label())}</span>
                                        <span class="badge status" data-testid="review-state">{d.state.map(|s| i18n.t(s.label())).unwrap_or_default()}</span>
                                        {d.waiting_at.clone().map(|at| view! { <span class="muted small" data-testid="review-waiting-at">{format!("（{at}）")}</span> })}
                                        <span>{format!("{} {} · {}", i18n.t(ui::FROM), d.unit_name, d.author_name)}</span>
                                        <span>{format!("{} {}", i18n.t(ui::UPDATED), date_time(d.updated_at))}</span>
                                        {deadline(&d, now.get(), rules.get(), i18n.lang.get())}
                                        {d.quality.clone().map(|q| view! { <span class="quality-hint" data-testid="quality-hint">{q}</span> })}
                                    </span>
                                </a>
                            </li>
                        }}).collect_view()}
                    </ul>
                }.into_any(),
            }}
            <div class="inline-form pager">
                <button type="button" class="secondary" data-testid="prev-page" prop:disabled=move || page_no.get() == 0
                    on:click=move |_| page_no.update(|p| *p = p.saturating_sub(1))>{move || i18n.t(ui::PREV_PAGE)}</button>
                <span data-testid="page-no">{move || match i18n.lang.get() {
                    xinbao_core::i18n::Lang::Zh => format!("第{}页", page_no.get() + 1),
                    xinbao_core::i18n::Lang::En => format!("Page {}", page_no.get() + 1),
                }}</span>
                <button type="button" class="secondary" data-testid="next-page" prop:disabled=move || !page.with(|p| p.as_ref().is_some_and(|p| p.more))
                    on:click=move |_| page_no.update(|p| *p += 1)>{move || i18n.t(ui::NEXT_PAGE)}</button>
            </div>
            <div class="inline-form">
                <button type="button" class="secondary" data-testid="bulk-screen" prop:disabled=move || marked.with(|m| m.is_empty())
                    on:click=move |_| take_in(marked.get_untracked().into_iter().collect())>
                    {move || format!("{} ({})", i18n.t(ui::BULK_SCREEN), marked.with(|m| m.len()))}
                </button>
                // The marked items' sheets in one Word file, in the order listed.
                {move || {
                    let ids: Vec<String> = marked.with(|m| shown().into_iter().filter(|d| m.contains(&d.id)).map(|d| d.id).collect());
                    (!ids.is_empty()).then(|| view! {
                        <a class="link" data-testid="bulk-word" href=format!("/api/items/sheets.docx?ids={}", ids.join(",")) download="">
                            {format!("{} ({})", i18n.t(ui::BULK_WORD), ids.len())}
                        </a>
                    })
                }}
            </div>
        </main>
    }
}

#[component]
pub fn ReviewItemPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sync = use_sync();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    let item = RwSignal::new(None::<LocalDraft>);
    // Neither on this device nor fetched (offline, or not the caller's to see).
    let missing = RwSignal::new(false);
    let thread = RwSignal::new(LocalSync::default());
    // Every revision (online); the diff compares `from` (default: the author's last submission)
    // with `to` (default: the text as it stands here).
    let revisions = RwSignal::new(None::<Option<Vec<xinbao_core::sync::Revision>>>);
    let from = RwSignal::new(None::<u64>);
    let to = RwSignal::new(None::<u64>);
    let note = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let me = session.me.get_untracked();
    let user = me.as_ref().map_or(0, |m| m.user_id);
    let role = me.as_ref().map(|m| m.role);
    {
        let id = id.clone();
        Effect::new(move |_| {
            if let Some(s) = sync {
                s.generation.track();
            }
            let id = id.clone();
            spawn_local(async move {
                // A row the server's queue showed that this device has not pulled is fetched
                // and kept here, so it opens (and is acted on) like any other — offline too.
                let d = match store::load_draft(user, &id).await {
                    Ok(Some(d)) => Some(d),
                    Ok(None) if ensure_local(user, &id).await => store::load_draft(user, &id).await.ok().flatten(),
                    _ => None,
                };
                if item.is_disposed() {
                    return;
                }
                let Some(d) = d else {
                    missing.set(item.with_untracked(Option::is_none));
                    return;
                };
                missing.set(false);
                if item.with_untracked(|i| i.as_ref().is_none_or(|i| i.sync.rev != d.sync.rev)) {
                    title.set(d.content.title.clone());
                    body.set(d.content.body.clone());
                }
                thread.set(d.sync.clone());
                item.set(Some(d));
            });
        });
    }
    // The revisions, from the server (online).
    {
        let id = id.clone();
        spawn_local(async move {
            let found = api::revisions(&id).await.ok();
            if revisions.is_disposed() {
                return;
            }
            if let Some(revs) = &found {
                from.set(revs.iter().rev().find(|r| r.state == ItemState::Submitted).map(|r| r.rev));
            }
            revisions.set(Some(found));
        });
    }
    let note_error = RwSignal::new(None::<xinbao_core::i18n::Text>);
    // 送签: where the item is meant to go and whether it is important choose its sign-off chain
    // (after a send-back, what the editor chose before).
    let route = RwSignal::new(Route::default());
    // Awaiting sign-off, online: who may sign where it waits, as the server works it out now
    // (the office's setup may have changed since this device pulled the item).
    let fresh_chain = RwSignal::new(None::<(u64, Signing)>);
    {
        let id = id.clone();
        Effect::new(move |asked: Option<Option<u64>>| {
            let waiting = item.with(|d| d.as_ref().filter(|d| d.sync.state == Some(ItemState::AwaitingSignOff)).map(|d| d.sync.rev));
            if let Some(rev) = waiting
                && asked.flatten() != Some(rev)
            {
                let id = id.clone();
                spawn_local(async move {
                    if let Ok(snap) = api::get_json::<ItemSnapshot>(&format!("/api/items/{id}")).await
                        && let Some(chain) = snap.signing
                        && !fresh_chain.is_disposed()
                    {
                        fresh_chain.set(Some((snap.rev, chain)));
                    }
                });
            }
            waiting
        });
    }
    let stored_route = Memo::new(move |_| item.with(|d| d.as_ref().and_then(|d| d.sync.signing.as_ref().map(|s| s.route))));
    Effect::new(move |_| {
        if let Some(chosen) = stored_route.get() {
            route.set(chosen);
        }
    });
    let act = move |action: Action| {
        let Some(d) = item.get_untracked() else { return };
        let (n, t, b) = (note.get_untracked(), title.get_untracked(), body.get_untracked());
        if let Err(why) = xinbao_core::review::check_note(n.trim(), false) {
            note_error.set(Some(why));
            return;
        }
        note_error.set(None);
        spawn_local(async move {
            let r = outbox::update_sync(user, &d.id, |d, _| {
                if action.carries_text() {
                    d.content.title = t;
                    d.content.body = b;
                    d.local_rev += 1;
                }
                d.sync.act = Some((action, n));
                d.sync.act_route = (action == Action::SendToSignOff).then(|| route.get_untracked());
                true
            })
            .await;
            if let Ok(Some(d)) = r
                && !item.is_disposed()
            {
                note.set(String::new());
                thread.set(d.sync.clone());
                item.set(Some(d));
                if let Some(s) = sync {
                    s.sync_now();
                }
            }
        });
    };
    let actions = move || {
        let (Some(d), Some(role)) = (item.get(), role) else { return Vec::new() };
        let Some(state) = d.sync.state else { return Vec::new() };
        if d.sync.act.is_some() {
            return Vec::new();
        }
        // A signer acts only at a level they may sign at (the server holds to the same rule,
        // and told this device who may, as of its last answer).
        let chain = fresh_chain.get().filter(|(rev, _)| *rev == d.sync.rev).map(|(_, c)| c).or(d.sync.signing.clone());
        permitted(Actor { role, reviews_it: true }, state, d.content.item_type == ItemType::Urgent)
            .into_iter()
            .filter(|a| !signoff::moves_chain(*a) || *a == Action::SendToSignOff || may_sign(chain.as_ref(), *a, user))
            .collect()
    };
    let state = Memo::new(move |_| item.with(|d| d.as_ref().and_then(|d| d.sync.state)));
    let scoring_id = id.clone();
    let editing = move || item.with(|d| d.as_ref().is_some_and(|d| d.sync.state == Some(ItemState::Editing) && d.sync.act.is_none()));
    view! {
        <main class="page review-item">
            <div class="inline-form">
                <a class="back" href="/review">{move || i18n.t(ui::REVIEW_DESK)}</a>
                <a class="link" data-testid="sheet-link" href=format!("/review/{id}/print")>{move || format!("{}（{}）", i18n.t(ui::SHEET), i18n.t(ui::PRINT))}</a>
                <a class="link" data-testid="item-docx" href=format!("/api/items/{id}/sheet.docx") download="">{move || i18n.t(ui::DOWNLOAD_WORD)}</a>
            </div>
            {move || missing.get().then(|| view! { <p class="error" role="alert" data-testid="item-missing">{i18n.t(ui::ITEM_NOT_HERE)}</p> })}
            {move || item.get().map(|d| view! {
                <p class="muted small">
                    <span class="badge status" data-testid="review-item-state">{d.sync.state.map(|s| i18n.t(s.label())).unwrap_or_default()}</span>
                    {format!(" {} {} · {} · {}", i18n.t(ui::FROM), d.sync.unit_name, d.sync.author_name, i18n.t(d.content.item_type.label()))}
                    {d.sync.act.as_ref().map(|_| view! { <span class="note" data-testid="action-queued">{i18n.t(ui::ACTION_QUEUED)}</span> })}
                </p>
                {d.sync.quality.clone().map(|q| view! { <p class="quality-hint" data-testid="quality-hint">{q}</p> })}
                {(!d.sync.upward.is_empty()).then(|| view! {
                    <p class="small" data-testid="upward-marks">
                        {crate::item::sync_panel::marks_line(&d.sync.upward, i18n.lang.get())}
                    </p>
                })}
                {d.sync.signing.clone().filter(|_| matches!(d.sync.state, Some(ItemState::AwaitingSignOff | ItemState::Signed))).map(|s| {
                    let chain = fresh_chain.get().filter(|(rev, _)| *rev == d.sync.rev).map(|(_, c)| c).unwrap_or_else(|| s.clone());
                    let waits_elsewhere = d.sync.state == Some(ItemState::AwaitingSignOff)
                        && role == Some(xinbao_core::role::Role::Signer)
                        && !may_sign(Some(&chain), Action::Sign, user)
                        && !may_sign(Some(&chain), Action::SendBack, user);
                    view! {
                        <p class="small" data-testid="signing-progress">
                            {format!("{}（{}）：{}", i18n.t(ui::SIGNING_PROGRESS), i18n.t(s.route.destination.label()), s.progress(i18n.lang.get()))}
                            {s.route.important.then(|| view! { <span class="badge">{i18n.t(ui::IMPORTANT)}</span> })}
                        </p>
                        {waits_elsewhere.then(|| view! { <p class="note" data-testid="waits-other-level">{i18n.t(ui::WAITS_FOR_OTHER_LEVEL)}</p> })}
                    }
                })}
            })}
            <label for="review-title">{move || i18n.t(ui::TITLE)}</label>
            <input id="review-title" data-testid="review-title" prop:value=move || title.get() prop:readonly=move || !editing()
                on:input=move |ev| title.set(event_target_value(&ev)) />
            <label for="review-body">{move || i18n.t(ui::BODY)}</label>
            <textarea id="review-body" data-testid="review-body" rows="10" prop:value=move || body.get() prop:readonly=move || !editing()
                on:input=move |ev| body.set(event_target_value(&ev))></textarea>
            {move || match revisions.get() {
                None => None,
                Some(None) => Some(view! { <p class="muted small">{i18n.t(ui::REVISIONS_OFFLINE)}</p> }.into_any()),
                Some(Some(revs)) => {
                    let text_of = |rev: Option<u64>| match rev {
                        Some(n) => revs.iter().find(|r| r.rev == n).map(|r| (r.content.title.clone(), r.content.body.clone())).unwrap_or_default(),
                        None => (title.get(), body.get()),
                    };
                    let ((ot, ob), (t, b)) = (text_of(from.get()), text_of(to.get()));
                    let options = move |selected: Option<u64>, current: bool| {
                        let mut opts: Vec<_> = revs.iter().map(|r| {
                            let label = format!("{} {} · {} · {}", i18n.t(ui::REVISION), r.rev, i18n.t(r.state.label()), r.by);
                            view! { <option value=r.rev.to_string() selected=selected == Some(r.rev)>{label}</option> }.into_any()
                        }).collect();
                        if current {
                            opts.push(view! { <option value="" selected=selected.is_none()>{i18n.t(ui::CURRENT_TEXT)}</option> }.into_any());
                        }
                        opts
                    };
                    Some(view! {
                        <div class="inline-form">
                            <select data-testid="diff-from" aria-label=i18n.t(ui::AUTHOR_ORIGINAL) on:change=move |ev| from.set(event_target_value(&ev).parse().ok())>
                                {options(from.get_untracked(), false)}
                            </select>
                            "→"
                            <select data-testid="diff-to" aria-label=i18n.t(ui::CURRENT_TEXT) on:change=move |ev| to.set(event_target_value(&ev).parse().ok())>
                                {options(to.get_untracked(), true)}
                            </select>
                        </div>
                        <div class="diff" data-testid="review-diff">
                            <div class="diff-side">
                                <p class="diff-title">{side(&ot, &t, false)}</p><p class="diff-body">{side(&ob, &b, false)}</p></div>
                            <div class="diff-side">
                                <p class="diff-title">{side(&ot, &t, true)}</p><p class="diff-body">{side(&ob, &b, true)}</p></div>
                        </div>
                    }.into_any())
                }
            }}
            <label for="review-note">{move || i18n.t(ui::NOTE)}</label>
            <textarea id="review-note" data-testid="review-note" rows="2" prop:value=move || note.get()
                on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            {move || note_error.get().map(|e| view! { <p class="error" role="alert" data-testid="note-error">{i18n.t(e)}</p> })}
            {move || actions().contains(&Action::SendToSignOff).then(|| view! {
                <fieldset class="inline-form" data-testid="sign-route">
                    <label for="sign-for">{i18n.t(ui::SIGN_FOR)}</label>
                    <select id="sign-for" data-testid="sign-destination" prop:value=move || route.get().destination.as_str()
                        on:change=move |ev| {
                            let upward = event_target_value(&ev) == Destination::Upward.as_str();
                            route.update(|r| r.destination = if upward { Destination::Upward } else { Destination::Periodical });
                        }>
                        {Destination::ALL.into_iter().map(|d| view! {
                            <option value=d.as_str()>{i18n.t(d.label())}</option>
                        }).collect_view()}
                    </select>
                    <label>
                        <input type="checkbox" data-testid="sign-important" prop:checked=move || route.get().important
                            on:change=move |ev| route.update(|r| r.important = event_target_checked(&ev)) />
                        {i18n.t(ui::IMPORTANT)}
                    </label>
                </fieldset>
            })}
            <div class="review-actions">
                {move || actions().into_iter().map(|a| view! {
                    <button type="button" class=if a.needs_note() { "secondary" } else { "primary" }
                        data-testid=format!("act-{}", a.as_str())
                        on:click=move |_| act(a)>{i18n.t(a.label())}</button>
                }).collect_view()}
            </div>
            // Rendered once: a comment being typed survives sync updating the item.
            <ReviewThread owner=user item_id=id.clone() sync=thread />
            // Re-rendered only when the state changes (an adoption form being filled survives sync).
            {move || state.get().filter(|s| *s == ItemState::Signed).map(|s| view! { <ItemScoringSection item_id=scoring_id.clone() state=s /> })}
        </main>
    }
}

/// The last review step and the comment thread of an item, with a box to add a comment (sent
/// by sync). Shown to the author in the editor and to reviewers on the review desk.
#[component]
pub fn ReviewThread(owner: i64, item_id: String, sync: RwSignal<LocalSync>) -> impl IntoView {
    let i18n = use_i18n();
    let sync_engine = use_sync();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<xinbao_core::i18n::Text>);
    let send = move |_| {
        let t = text.get_untracked();
        if t.trim().is_empty() {
            return;
        }
        // The server's bound, said here before anything is queued (nothing is cut short).
        if let Err(why) = xinbao_core::review::check_note(&t, true) {
            error.set(Some(why));
            return;
        }
        error.set(None);
        let id = item_id.clone();
        spawn_local(async move {
            if let Ok(Some(d)) = outbox::update_sync(owner, &id, |d, _| {
                d.sync.comment.push(xinbao_core::sync::QueuedComment { key: crate::util::random_id(), text: t });
                true
            })
            .await
                && !sync.is_disposed()
            {
                text.set(String::new());
                sync.set(d.sync);
                if let Some(s) = sync_engine {
                    s.sync_now();
                }
            }
        });
    };
    view! {
        <section class="thread" data-testid="thread">
            {move || sync.with(|s| s.review.clone()).map(|r| view! {
                <p class="review-note" data-testid="review-note-shown">
                    {format!("{} · {} · {}：{}", i18n.t(r.action.label()), r.by, date_time(r.at as f64), r.note)}
                </p>
            })}
            <h4>{move || i18n.t(ui::COMMENTS)}</h4>
            <ul class="comments" data-testid="comments">
                {move || sync.with(|s| s.comments.clone()).into_iter().map(|c| view! {
                    <li data-testid="comment"><strong>{c.by}</strong>{format!(" {}：", date_time(c.at as f64))}{c.text}</li>
                }).collect_view()}
                {move || sync.with(|s| s.comment.clone()).into_iter().map(|c| view! { <li class="muted" data-testid="comment-pending">{c.text}{i18n.t(ui::COMMENT_PENDING)}</li> }).collect_view()}
            </ul>
            <textarea data-testid="comment-text" rows="2" aria-label=move || i18n.t(ui::ADD_COMMENT) prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="comment-error">{i18n.t(e)}</p> })}
            <button type="button" class="secondary" data-testid="comment-send" on:click=send>{move || i18n.t(ui::ADD_COMMENT)}</button>
        </section>
    }
}

/// An urgent item's countdown (only while it is still with the office before sign-off).
pub(crate) fn deadline(d: &Row, now: f64, rules: DeadlineRules, lang: xinbao_core::i18n::Lang) -> Option<impl IntoView + use<>> {
    let open = d.state.is_some_and(|s| matches!(s, ItemState::Submitted | ItemState::Screening | ItemState::Editing));
    if d.item_type != ItemType::Urgent || !open {
        return None;
    }
    deadline_badge(d.event_time, now, rules, lang)
}

/// 书面报告剩余/已超时 N 分钟 for an urgent item with an event time (the queue, 上报).
pub(crate) fn deadline_badge(
    event_time: Option<i64>,
    now: f64,
    rules: DeadlineRules,
    lang: xinbao_core::i18n::Lang,
) -> Option<impl IntoView + use<>> {
    let left = xinbao_core::review::urgent_minutes_left(event_time, now as i64, rules)?;
    Some(
        view! { <span class=if left < 0 { "deadline late" } else { "deadline" } data-testid="deadline">{xinbao_core::review::deadline_text(left, lang)}</span> },
    )
}
