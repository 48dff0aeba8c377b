//! The editor's sync panel: where this item stands (仅本地 / 草稿已备份 / 待报送 / 已报送 / 冲突 /
//! 失败 and why), the 报送 and 撤回报送 buttons, and — when the server's version changed while the
//! author edited here — both versions side by side with a character diff (core's `diff`), and
//! the three ways out: keep mine on top, take the server's (mine kept as a copy), or merge by
//! hand.

use crate::i18n::{Text, ui, use_i18n};
use leptos::prelude::*;
use xinbao_core::diff::{self, Change};
use xinbao_core::quality::Report;
use xinbao_core::sync::{LocalStatus, LocalSync};

#[component]
pub fn SyncPanel(
    sync: RwSignal<LocalSync>,
    /// The local revision of the draft as the editor holds it.
    local_rev: RwSignal<u32>,
    /// What is still missing before the item can be submitted.
    missing: RwSignal<Vec<Text>>,
    /// The text as last checked (title, body), for the diff.
    report: RwSignal<Option<(Report, String, String)>>,
    on_submit: Callback<()>,
    on_withdraw: Callback<()>,
    on_keep_mine: Callback<()>,
    on_take_server: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let merging = RwSignal::new(false);
    let status = Memo::new(move |_| sync.with(|s| s.status(local_rev.get())));
    let conflict_view = move || {
        let server = sync.with(|s| s.conflict.clone())?;
        let (mine_title, mine_body) = report.with(|r| r.as_ref().map(|(_, t, b)| (t.clone(), b.clone()))).unwrap_or_default();
        Some(view! {
            <div class="conflict server-conflict" role="alert" data-testid="server-conflict">
                <p>{i18n.t(ui::SERVER_CONFLICT)}</p>
                <div class="diff">
                    <div class="diff-side" data-testid="diff-server">
                        <h4>{format!("{}（{} {}）", i18n.t(ui::SERVER_VERSION), i18n.t(ui::REVISION), server.rev)}</h4>
                        <p class="diff-title">{side(&server.content.title, &mine_title, false)}</p>
                        <p class="diff-body">{side(&server.content.body, &mine_body, false)}</p>
                    </div>
                    <div class="diff-side" data-testid="diff-mine">
                        <h4>{i18n.t(ui::MY_VERSION)}</h4>
                        <p class="diff-title">{side(&server.content.title, &mine_title, true)}</p>
                        <p class="diff-body">{side(&server.content.body, &mine_body, true)}</p>
                    </div>
                </div>
                {move || if merging.get() {
                    view! {
                        <p class="muted small">{i18n.t(ui::MERGE_HINT)}</p>
                        <button type="button" class="primary" data-testid="merge-done" on:click=move |_| {
                            merging.set(false);
                            on_keep_mine.run(());
                        }>{i18n.t(ui::MERGE_DONE)}</button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="primary" data-testid="keep-mine" on:click=move |_| on_keep_mine.run(())>{i18n.t(ui::KEEP_MINE_ON_TOP)}</button>
                        <button type="button" class="secondary" data-testid="take-server" on:click=move |_| on_take_server.run(())>{i18n.t(ui::TAKE_SERVER)}</button>
                        <button type="button" class="secondary" data-testid="merge" on:click=move |_| merging.set(true)>{i18n.t(ui::MERGE_BY_HAND)}</button>
                    }.into_any()
                }}
            </div>
        })
    };
    view! {
        {conflict_view}
        <div class="sync-panel" data-testid="sync-panel">
            <span class=move || format!("badge status {}", status.with(LocalStatus::key)) data-testid="editor-status">
                {move || i18n.t(status.with(LocalStatus::label))}
            </span>
            {move || match status.get() {
                LocalStatus::Failed(why) => Some(view! { <span class="error" data-testid="failed-why">{format!("{}{}", i18n.t(ui::FAILED_PREFIX), why)}</span> }.into_any()),
                LocalStatus::Pending => Some(view! { <span class="muted small">{i18n.t(ui::SUBMIT_PENDING)}</span> }.into_any()),
                LocalStatus::Sent => Some(view! {
                    <span class="muted small">{move || format!("{}（{}）", i18n.t(ui::SUBMITTED_LOCKED), sync.with(|s| s.state.map(|st| i18n.t(st.label())).unwrap_or_default()))}</span>
                    {move || sync.with(|s| (!s.upward.is_empty()).then(|| marks_line(&s.upward, i18n.lang.get())))
                        .map(|line| view! { <span class="small" data-testid="upward-marks">{line}</span> })}
                    // What the server's checks found at submission: an earlier item of the
                    // office it resembles, a 续报 repeating its first report.
                    {move || sync.with(|s| s.quality.clone())
                        .map(|q| view! { <span class="small" data-testid="server-checks">{format!("{}{q}", i18n.t(ui::SERVER_CHECKS))}</span> })}
                }.into_any()),
                LocalStatus::Returned => Some(view! {
                    <span class="error" data-testid="returned-why">{move || sync.with(|s| s.review.as_ref().map(|r| format!("{}{}（{}）", i18n.t(ui::RETURNED_PREFIX), r.note, r.by)).unwrap_or_default())}</span>
                }.into_any()),
                _ => None,
            }}
            {move || {
                let s = sync.get();
                if s.state.is_some_and(|st| !st.authors_turn()) {
                    None
                } else if s.submit {
                    Some(view! {
                        <button type="button" class="secondary" data-testid="withdraw" on:click=move |_| on_withdraw.run(())>{i18n.t(ui::WITHDRAW_SUBMIT)}</button>
                    }.into_any())
                } else {
                    Some(view! {
                        <button type="button" class="primary" data-testid="submit"
                            prop:disabled=move || !missing.with(Vec::is_empty) || sync.with(|s| s.conflict.is_some())
                            on:click=move |_| on_submit.run(())>{i18n.t(ui::SUBMIT)}</button>
                    }.into_any())
                }
            }}
        </div>
    }
}

/// One side of a character diff from `old` to `new`: the old side marks what only it has
/// (deleted), the new side what only it has (inserted). Text nodes only: nothing typed becomes
/// markup. Used for server conflicts here and for revisions on the review desk.
pub(crate) fn side(old: &str, new: &str, new_side: bool) -> impl IntoView + use<> {
    diff::chars(old, new)
        .into_iter()
        .filter(|s| s.change != if new_side { Change::Deleted } else { Change::Inserted })
        .map(|s| match s.change {
            Change::Same => view! { <span>{s.text}</span> }.into_any(),
            Change::Inserted => view! { <ins>{s.text}</ins> }.into_any(),
            Change::Deleted => view! { <del>{s.text}</del> }.into_any(),
        })
        .collect_view()
}

/// "已上报：市政府办公室信息科（电子邮件，2026-12-06 10:20）；…" for an item's readers.
pub fn marks_line(marks: &[xinbao_core::upward::Mark], lang: xinbao_core::i18n::Lang) -> String {
    let each = marks
        .iter()
        .map(|m| format!("{}（{}，{}）", m.destination, m.method.label().get(lang), crate::util::date_time(m.sent_at as f64)))
        .collect::<Vec<_>>()
        .join("；");
    format!("{}：{each}", ui::UPWARD_SENT.get(lang))
}
