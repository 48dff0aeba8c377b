//! The notice (通报) page: pick a month, quarter or year, read the notice as it will be
//! printed (A4, print styles hide the app around it), print it, or download it as Word or
//! Excel. The notice itself is built on the server by `xinbao_core::scores::Notice::build`.

use crate::api;
use crate::i18n::{ui, use_i18n};
use crate::util::today;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinbao_core::role::Role;
use xinbao_core::scores::{Notice, NoticeReopen, NoticeRow, PEOPLE_COLUMNS, Period, day_text, ordinal, ymd};

fn month_before(p: Period) -> Period {
    let (y, m, _) = ymd(p.from);
    if m == 1 { Period::month(y - 1, 12) } else { Period::month(y, m - 1) }
}

#[component]
pub fn NoticePage() -> impl IntoView {
    let i18n = use_i18n();
    let (y, m, _) = ymd(today());
    // Offices publish a month's notice early in the next month: last month by default.
    let period = RwSignal::new(month_before(Period::month(y, m)));
    let notice = RwSignal::new(None::<Result<Notice, String>>);
    let query = move || {
        let p = period.get();
        format!("from={}&to={}", day_text(p.from), day_text(p.to))
    };
    Effect::new(move |_| {
        let q = query();
        notice.set(None);
        spawn_local(async move {
            let got = api::get_json::<Notice>(&format!("/api/notice?{q}")).await;
            if !notice.is_disposed() {
                notice.set(Some(got.map_err(|e| e.text().get(i18n.lang.get_untracked()).to_owned())));
            }
        });
    });
    let session = crate::session::use_session();
    // The section (the office's editors and signers) issues a notice once its period has ended.
    let may_issue = session.me.get_untracked().is_some_and(|m| matches!(m.role, Role::Editor | Role::Signer));
    let issuing = RwSignal::new(false);
    let issue_message = RwSignal::new(None::<String>);
    // An administrator can withdraw an issued notice (issued by mistake), with a reason.
    let is_admin = session.me.get_untracked().is_some_and(|m| m.role == Role::Admin);
    let reason = RwSignal::new(String::new());
    let reopen = move |_| {
        let p = period.get_untracked();
        let lang = i18n.lang.get_untracked();
        let body = NoticeReopen { from: day_text(p.from), to: day_text(p.to), reason: reason.get_untracked() };
        spawn_local(async move {
            match api::post_json::<_, Notice>("/api/admin/notice/reopen", &body).await {
                Ok(n) => {
                    issue_message.set(None);
                    reason.set(String::new());
                    notice.set(Some(Ok(n)));
                }
                Err(e) => issue_message.set(Some(crate::api::failure(e, lang))),
            }
        });
    };
    let issue = move |_| {
        let q = query();
        let lang = i18n.lang.get_untracked();
        issuing.set(false);
        spawn_local(async move {
            match api::post_json::<_, Notice>(&format!("/api/notice/issue?{q}"), &serde_json::json!({})).await {
                Ok(n) => {
                    issue_message.set(None);
                    notice.set(Some(Ok(n)));
                }
                Err(e) => issue_message.set(Some(crate::api::failure(e, lang))),
            }
        });
    };
    let print = move |_| crate::util::print_page();
    let choices = [
        (ui::LAST_MONTH, month_before(Period::month(y, m)), "notice-last-month"),
        (ui::THIS_MONTH, Period::month(y, m), "notice-this-month"),
        (ui::THIS_QUARTER, Period::quarter(y, m.div_ceil(3)), "notice-quarter"),
        (ui::THIS_YEAR, Period::year(y), "notice-year"),
        (ui::LAST_YEAR, Period::year(y - 1), "notice-last-year"),
    ];
    view! {
        <main class="page notice-page">
            <div class="inline-form no-print" role="toolbar">
                {choices.into_iter().map(|(label, p, id)| view! {
                    <button type="button" class="link" data-testid=id class:selected=move || period.get() == p on:click=move |_| period.set(p)>
                        {move || i18n.t(label)}
                    </button>
                }).collect_view()}
                <button type="button" class="secondary" data-testid="notice-print" on:click=print>{move || i18n.t(ui::PRINT)}</button>
                <a class="link" data-testid="notice-docx" href=move || format!("/api/notice.docx?{}", query()) download="">{move || i18n.t(ui::DOWNLOAD_WORD)}</a>
                <a class="link" data-testid="notice-xlsx" href=move || format!("/api/notice.xlsx?{}", query()) download="">{move || i18n.t(ui::DOWNLOAD_EXCEL)}</a>
                {move || {
                    let open = notice.with(|n| matches!(n, Some(Ok(n)) if n.issued_by.is_none())) && period.get().to < today();
                    (may_issue && open).then(|| if issuing.get() {
                        view! {
                            <span>{i18n.t(ui::ISSUE_NOTICE_CONFIRM)}</span>
                            <button type="button" class="primary" data-testid="notice-issue-confirm" on:click=issue>{i18n.t(ui::ISSUE_NOTICE)}</button>
                            <button type="button" class="link" on:click=move |_| issuing.set(false)>{i18n.t(ui::CANCEL)}</button>
                        }.into_any()
                    } else {
                        view! { <button type="button" class="secondary" data-testid="notice-issue" on:click=move |_| issuing.set(true)>{i18n.t(ui::ISSUE_NOTICE)}</button> }.into_any()
                    })
                }}
            </div>
            {move || issue_message.get().map(|m| view! { <p class="error no-print" role="alert" data-testid="notice-issue-message">{m}</p> })}
            {move || notice.with(|n| match n {
                Some(Ok(n)) => n.issued_by.clone(),
                _ => None,
            }).map(|by| view! {
                <p class="note no-print" data-testid="notice-issued">{format!("{}：{by}", i18n.t(ui::NOTICE_ISSUED))}</p>
                {is_admin.then(|| view! {
                    <p class="inline-form no-print">
                        <input data-testid="notice-reopen-reason" placeholder=i18n.t(ui::REOPEN_REASON) aria-label=i18n.t(ui::REOPEN_REASON)
                            prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                        <button type="button" class="link danger" data-testid="notice-reopen" on:click=reopen>{i18n.t(ui::REOPEN_NOTICE)}</button>
                    </p>
                })}
            })}
            {move || match notice.get() {
                None => view! { <p class="muted">{i18n.t(ui::LOADING)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(n)) => view! { <NoticeSheet notice=n /> }.into_any(),
            }}
        </main>
    }
}

fn table(cols: &[&str], rows: Vec<Vec<String>>, testid: &'static str) -> impl IntoView + use<> {
    let cols: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
    view! {
        <table class="notice-table" data-testid=testid>
            <thead><tr>{cols.into_iter().map(|c| view! { <th>{c}</th> }).collect_view()}</tr></thead>
            <tbody>{rows.into_iter().map(|r| {
                // A footer line (the people's totals) has no rank.
                let footer = r.first().is_some_and(String::is_empty);
                view! { <tr data-testid="notice-row" class:notice-footer=footer>{r.into_iter().map(|t| view! { <td>{t}</td> }).collect_view()}</tr> }
            }).collect_view()}</tbody>
        </table>
    }
}

/// The notice as printed: Chinese only, as the office sends it.
#[component]
fn NoticeSheet(notice: Notice) -> impl IntoView {
    let n = notice;
    let mut part = 0usize;
    let mut next = move || {
        part += 1;
        ordinal(part - 1)
    };
    let sections = n
        .sections
        .iter()
        .map(|s| {
            let o = next();
            view! {
                <h3>{format!("{o}、{}", s.class)}</h3>
                {table(&n.unit_columns(), s.rows.iter().map(NoticeRow::unit_cells).collect(), "notice-section")}
            }
        })
        .collect_view();
    let people = (!n.people.is_empty()).then(|| {
        let o = next();
        view! {
            <h3>{format!("{o}、信息员个人排名")}</h3>
            {table(&PEOPLE_COLUMNS, n.people_cells(), "notice-people")}
        }
    });
    let awards = (!n.awards.is_empty()).then(|| {
        let o = next();
        view! {
            <h3>{format!("{o}、表彰")}</h3>
            {n.awards.iter().map(|a| view! { <p data-testid="notice-award">{a.line()}</p> }).collect_view()}
        }
    });
    let o = next();
    view! {
        <article class="notice" data-testid="notice">
            <p class="notice-office">{n.office.clone()}</p>
            <h2 class="notice-title" data-testid="notice-title">{n.title.clone()}</h2>
            <p class="notice-body">{n.summary.clone()}</p>
            {sections}
            {people}
            {awards}
            <h3>{format!("{o}、有关情况")}</h3>
            {n.remarks.iter().map(|r| view! { <p class="notice-body" data-testid="notice-remark">{r.clone()}</p> }).collect_view()}
            <p class="notice-sign">{n.office.clone()}<br />{n.issued.clone()}</p>
        </article>
    }
}
