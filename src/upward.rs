//! 上报 (`/upward`): the section's signed items sent up in batches — destination, how, a note —
//! each batch's Word file of 报送单, what went up and what the upper level adopted (a link to
//! the item to record the adoption), and the year's statistics by level and month. Online
//! only: these are the server's records. The rules are `xinbao_core::upward`.

use crate::api::{self, failure};
use crate::i18n::{ui, use_i18n};
use crate::session::use_session;
use crate::util::date_time;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinbao_core::api::QueueRow;
use xinbao_core::item::ItemType;
use xinbao_core::role::Role;
use xinbao_core::scores::Level;
use xinbao_core::upward::{Method, NewSend, Stats, UpwardList, urgent_not_alone};

#[component]
pub fn UpwardPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sync = crate::sync::use_sync();
    let is_editor = session.me.get_untracked().is_some_and(|m| m.role == Role::Editor);
    let list = RwSignal::new(None::<Result<UpwardList, String>>);
    let stats = RwSignal::new(None::<Stats>);
    let year = RwSignal::new(js_sys::Date::new_0().get_full_year() as i32);
    let signed = RwSignal::new(None::<Result<Vec<QueueRow>, String>>);
    let rules = crate::item::urgent_panel::use_rules();
    let now = crate::util::ticking_clock();
    let chosen = RwSignal::new(Vec::<String>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let reload = move || {
        spawn_local(async move {
            let got = api::get_json::<UpwardList>("/api/upward").await;
            let numbers = api::get_json::<Stats>(&format!("/api/upward/stats?year={}", year.get_untracked())).await.ok();
            // Urgent first (they go at once), then the latest signed.
            let items = api::get_json::<Vec<QueueRow>>("/api/review/queue?state=signed&sort=recent&limit=200").await.map(|mut rows| {
                rows.sort_by_key(|r| r.item_type != ItemType::Urgent);
                rows
            });
            if list.is_disposed() {
                return;
            }
            list.set(Some(got.map_err(|e| i18n.t(e.text()).to_owned())));
            stats.set(numbers);
            signed.set(Some(items.map_err(|e| i18n.t(e.text()).to_owned())));
        });
    };
    reload();

    // The batch being written: its key is chosen now, so a send repeated after a lost answer is
    // recorded once; a new key after each batch recorded.
    let key = RwSignal::new(crate::util::random_id());
    let destination = RwSignal::new(String::new());
    let other_name = RwSignal::new(String::new());
    let other_level = RwSignal::new(Level::City);
    let method = RwSignal::new(Method::System);
    let note = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    // A batch changed after a failed send is another batch: a key of its own.
    Effect::new(move |first: Option<()>| {
        chosen.track();
        destination.track();
        other_name.track();
        method.track();
        date.track();
        if first.is_some() {
            key.set(crate::util::random_id());
        }
    });
    let sending = RwSignal::new(false);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let known = destination.get_untracked().parse::<i64>().ok();
        let first = list.with_untracked(|l| l.as_ref().and_then(|l| l.as_ref().ok()).and_then(|l| l.destinations.first().map(|d| d.id)));
        let body = NewSend {
            destination_id: if destination.get_untracked() == "other" { None } else { known.or(first) },
            destination_name: other_name.get_untracked(),
            level: other_level.get_untracked(),
            method: method.get_untracked(),
            note: note.get_untracked(),
            item_ids: chosen.get_untracked(),
            key: key.get_untracked(),
            date: date.get_untracked(),
        };
        let lang = i18n.lang.get_untracked();
        sending.set(true);
        spawn_local(async move {
            let r = api::post_json::<_, UpwardList>("/api/upward/send", &body).await;
            if list.is_disposed() {
                return;
            }
            sending.set(false);
            match r {
                Ok(l) => {
                    list.set(Some(Ok(l)));
                    chosen.set(Vec::new());
                    note.set(String::new());
                    key.set(crate::util::random_id());
                    message.set(Some((true, i18n.t(ui::UPWARD_DONE).to_owned())));
                    reload();
                    // This device's copies of the items learn where they went now, not at the
                    // next round.
                    if let Some(s) = sync {
                        s.sync_now();
                    }
                }
                Err(e) => message.set(Some((false, failure(e, lang)))),
            }
        });
    };
    let urgent_with_others = move || {
        chosen.with(|c| {
            signed.with(|s| {
                let rows = s.as_ref().and_then(|r| r.as_ref().ok()).map(Vec::as_slice).unwrap_or_default();
                urgent_not_alone(rows.iter().filter(|r| c.contains(&r.id)).map(|r| r.item_type))
            })
        })
    };
    // An urgent item's deadline, counted from its event (the office's rule).
    let deadline = move |item_type: ItemType, event_time: Option<i64>| {
        (item_type == ItemType::Urgent)
            .then(|| crate::review::deadline_badge(event_time, now.get(), rules.get(), i18n.lang.get()))
            .flatten()
    };

    view! {
        <main class="page upward">
            <h2>{move || i18n.t(ui::UPWARD)}</h2>
            {move || stats.get().map(|s| view! {
                <section aria-labelledby="upward-stats-head">
                    <h3 id="upward-stats-head">{i18n.t(ui::UPWARD_STATS)}</h3>
                    <select data-testid="upward-year" aria-label=i18n.t(ui::UPWARD_YEAR) on:change=move |ev| {
                        if let Ok(y) = event_target_value(&ev).parse() { year.set(y); reload(); }
                    }>
                        {let this = js_sys::Date::new_0().get_full_year() as i32;
                         (this - 4..=this).rev().map(|y| view! { <option value=y.to_string() selected=y == s.year>{format!("{y}年")}</option> }).collect_view()}
                    </select>
                    <table class="board" data-testid="upward-stats">
                        <thead><tr>
                            <th>{i18n.t(ui::UPWARD_LEVEL)}</th><th>{i18n.t(ui::UPWARD_MONTH)}</th>
                            <th>{i18n.t(ui::UPWARD_SENT_COUNT)}</th><th>{i18n.t(ui::UPWARD_ADOPTED_COUNT)}</th><th>{i18n.t(ui::UPWARD_RATE)}</th>
                        </tr></thead>
                        <tbody>{s.rows.into_iter().map(|r| view! {
                            <tr data-testid=if r.month == 0 { "upward-stats-year" } else { "upward-stats-month" }>
                                <td>{i18n.t(r.level.label())}</td>
                                <td>{if r.month == 0 { i18n.t(ui::UPWARD_YEAR).to_owned() } else { format!("{}月", r.month) }}</td>
                                <td>{r.sent}</td><td>{r.adopted}</td>
                                <td>{r.rate_tenths.map(|t| format!("{}.{}%", t / 10, t % 10)).unwrap_or_else(|| "—".into())}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                </section>
            })}
            {move || is_editor.then(|| view! {
                <section aria-labelledby="upward-new-head">
                    <h3 id="upward-new-head">{i18n.t(ui::UPWARD_NEW)}</h3>
                    <form on:submit=send data-testid="upward-form">
                        <p class="muted small">{i18n.t(ui::UPWARD_SIGNED)}</p>
                        <ul class="plain" data-testid="upward-candidates">
                            {move || {
                                let rows = match signed.get() {
                                    None => return ().into_any(),
                                    Some(Err(e)) => return view! { <li class="error" role="alert">{e}</li> }.into_any(),
                                    Some(Ok(rows)) => rows,
                                };
                                if rows.is_empty() {
                                    return view! { <li class="muted">{i18n.t(ui::UPWARD_NONE_SIGNED)}</li> }.into_any();
                                }
                                rows.into_iter().map(|r| {
                                    let id = r.id.clone();
                                    let on = chosen.with(|c| c.contains(&r.id));
                                    view! {
                                        <li data-testid="upward-candidate">
                                            <label>
                                                <input type="checkbox" prop:checked=on on:change=move |ev| {
                                                    let tick = event_target_checked(&ev);
                                                    let id = id.clone();
                                                    chosen.update(|c| { c.retain(|x| *x != id); if tick { c.push(id) } });
                                                } />
                                                {format!("{}（{} · {}）", r.title, r.unit_name, i18n.t(r.item_type.label()))}
                                            </label>
                                            " "
                                            {move || deadline(r.item_type, r.event_time)}
                                        </li>
                                    }
                                }).collect_view().into_any()
                            }}
                        </ul>
                        {move || urgent_with_others().then(|| view! { <p class="error" role="alert">{i18n.t(ui::UPWARD_URGENT_ALONE)}</p> })}
                        <div class="inline-form">
                            <label for="upward-destination">{i18n.t(ui::UPWARD_DESTINATION)}</label>
                            <select id="upward-destination" data-testid="upward-destination" on:change=move |ev| destination.set(event_target_value(&ev))>
                                {move || list.get().and_then(Result::ok).map(|l| l.destinations.into_iter().map(|d| view! {
                                    <option value=d.id.to_string()>{format!("{}（{}）", d.name, i18n.t(d.level.label()))}</option>
                                }).collect_view())}
                                <option value="other">{i18n.t(ui::UPWARD_OTHER)}</option>
                            </select>
                            {move || (destination.get() == "other").then(|| view! {
                                <input data-testid="upward-other-name" aria-label=i18n.t(ui::UPWARD_OTHER_NAME) placeholder=i18n.t(ui::UPWARD_OTHER_NAME)
                                    on:input=move |ev| other_name.set(event_target_value(&ev)) />
                                <select data-testid="upward-other-level" aria-label=i18n.t(ui::UPWARD_LEVEL)
                                    on:change=move |ev| other_level.set(Level::parse(&event_target_value(&ev)).unwrap_or(Level::City))>
                                    {[Level::City, Level::Province, Level::National].into_iter().map(|l| view! { <option value=l.as_str()>{i18n.t(l.label())}</option> }).collect_view()}
                                </select>
                            })}
                            <label for="upward-date">{i18n.t(ui::UPWARD_DATE)}</label>
                            <input id="upward-date" type="date" data-testid="upward-date" prop:value=move || date.get() on:change=move |ev| date.set(event_target_value(&ev)) />
                            <label for="upward-method">{i18n.t(ui::UPWARD_METHOD)}</label>
                            <select id="upward-method" data-testid="upward-method" on:change=move |ev| method.set(Method::parse(&event_target_value(&ev)).unwrap_or_default())>
                                {Method::ALL.into_iter().map(|m| view! { <option value=m.as_str()>{i18n.t(m.label())}</option> }).collect_view()}
                            </select>
                        </div>
                        <label for="upward-note">{i18n.t(ui::UPWARD_NOTE)}</label>
                        <input id="upward-note" data-testid="upward-note" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                        <button type="submit" class="primary" data-testid="upward-send" prop:disabled=move || sending.get() || chosen.with(Vec::is_empty)>
                            {i18n.t(ui::UPWARD_SEND)}
                        </button>
                    </form>
                    {move || message.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } role="status" data-testid="upward-message">{t}</p> })}
                </section>
            })}
            <section aria-labelledby="upward-list-head">
                <h3 id="upward-list-head">{move || i18n.t(ui::UPWARD_LIST)}</h3>
                {move || list.get().and_then(Result::ok).map(|l| {
                    l.links.into_iter().map(|link| {
                        let name = l.destinations.iter().find(|d| d.id == link.destination_id).map(|d| d.name.clone()).unwrap_or_default();
                        let waiting = if link.queued > 0 { format!(" · {} {}", link.queued, i18n.t(ui::UPWARD_LINK_WAITING)) } else { String::new() };
                        let standing = link.standing.as_ref().map(|s| {
                            view! { <p class="note" data-testid="upward-standing">{format!("{name}：{}", s.line(i18n.lang.get()))}</p> }
                        });
                        if link.problem.is_empty() {
                            view! { <p class="note" data-testid="upward-connection">{format!("{name}：{}{waiting}", i18n.t(ui::UPWARD_LINKED))}</p> {standing} }.into_any()
                        } else {
                            view! { <p class="error" role="status" data-testid="upward-connection-problem">{format!("{name}：{}{waiting}", link.problem)}</p> }.into_any()
                        }
                    }).collect_view()
                })}
                {move || match list.get() {
                    None => None,
                    Some(Err(e)) => Some(view! { <p class="error" role="alert">{e}</p> }.into_any()),
                    Some(Ok(l)) if l.sends.is_empty() => Some(view! { <p class="muted">{i18n.t(ui::UPWARD_NONE_SENT)}</p> }.into_any()),
                    Some(Ok(l)) => Some(view! {
                        <ul class="plain">{l.sends.into_iter().map(|s| {
                            let ids = s.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>().join(",");
                            view! {
                                <li class="card" data-testid="upward-send-row">
                                    <p>
                                        <strong>{s.destination.name.clone()}</strong>
                                        {format!(" · {} · {} · {} {}", i18n.t(s.method.label()), date_time(s.sent_at as f64), s.sent_by, s.note)}
                                        " "
                                        <a class="link" href=format!("/api/items/sheets.docx?ids={ids}") download="" data-testid="upward-word">{i18n.t(ui::UPWARD_WORD)}</a>
                                    </p>
                                    <ul class="plain">{s.items.into_iter().map(|i| view! {
                                        <li data-testid="upward-item">
                                            <a href=format!("/review/{}", i.id)>{i.title.clone()}</a>
                                            {format!("（{}）", i.unit_name)}
                                            {i.event_time.map(|t| format!(" 事发 {}", date_time(t as f64)))}
                                            " "
                                            {deadline(i.item_type, i.event_time)}
                                            " "
                                            <a class="link" href=format!("/api/items/{}/sheet.docx", i.id) download="" data-testid="upward-item-word">"Word"</a>
                                            " "
                                            {if i.adopted {
                                                view! { <span class="badge" data-testid="upward-adopted">{i18n.t(ui::UPWARD_ADOPTED)}</span> }.into_any()
                                            } else {
                                                view! { <a class="link" href=format!("/review/{}", i.id) data-testid="upward-record">{i18n.t(ui::UPWARD_RECORD_ADOPTION)}</a> }.into_any()
                                            }}
                                            {i.forward.map(|f| {
                                                let mut line = i18n.t(f.status.label()).to_owned();
                                                if let Some(there) = f.remote_state {
                                                    line.push_str(&format!(" · {}：{}", i18n.t(ui::UPWARD_THERE), i18n.t(there.label())));
                                                }
                                                for extra in [f.remote_note, f.detail] {
                                                    if !extra.is_empty() {
                                                        line.push_str(&format!(" · {extra}"));
                                                    }
                                                }
                                                let class = if f.status == xinbao_core::upward::ForwardStatus::Refused { "error" } else { "muted" };
                                                view! { <p class=class data-testid="upward-forward">{line}</p> }
                                            })}
                                        </li>
                                    }).collect_view()}</ul>
                                </li>
                            }
                        }).collect_view()}</ul>
                    }.into_any()),
                }}
            </section>
        </main>
    }
}
