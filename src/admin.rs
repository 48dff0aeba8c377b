//! Administration (管理): accounts (create with a one-time password, change role / unit, disable,
//! reset the password), the unit tree (add, rename, move), and the audit trail (filter, CSV).
//! Online only: these are the server's records, and every change is audited there.

mod signing;
mod upward_links;

use crate::api::{self, ApiError};
use crate::i18n::{Text, ui, use_i18n};
use crate::util::date_time;
use leptos::prelude::*;
use leptos::task::spawn_local;
use xinbao_core::api::{Account, AccountChange, AuditRow, NewAccount, OneTimePassword, UnitChange, UnitInfo};
use xinbao_core::role::Role;

fn failure(e: (ApiError, Option<String>), lang: xinbao_core::i18n::Lang) -> String {
    e.1.unwrap_or_else(|| e.0.text().get(lang).to_owned())
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let accounts = RwSignal::new(Vec::<Account>::new());
    let units = RwSignal::new(Vec::<UnitInfo>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let reload = move || {
        spawn_local(async move {
            let (a, u) =
                (api::get_json::<Vec<Account>>("/api/admin/users").await, api::get_json::<Vec<UnitInfo>>("/api/admin/units").await);
            if accounts.is_disposed() {
                return;
            }
            match (a, u) {
                (Ok(a), Ok(u)) => {
                    accounts.set(a);
                    units.set(u);
                }
                (Err(e), _) | (_, Err(e)) => message.set(Some((false, i18n.t(e.text()).to_owned()))),
            }
        });
    };
    reload();
    let say = move |r: Result<String, String>| {
        message.set(Some(match r {
            Ok(t) => (true, t),
            Err(t) => (false, t),
        }))
    };

    // New account.
    let (username, name, role, unit) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(Role::Officer), RwSignal::new(0i64));
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = NewAccount {
            username: username.get_untracked(),
            display_name: name.get_untracked(),
            role: role.get_untracked(),
            unit_id: unit.get_untracked(),
        };
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            let r = api::post_json::<_, OneTimePassword>("/api/admin/users", &req).await;
            say(r.map(|p| format!("{}{}：{}", i18n.t(ui::ONE_TIME_PASSWORD_FOR), req.username, p.password)).map_err(|e| failure(e, lang)));
            reload();
        });
    };
    let change = move |id: i64, c: AccountChange| {
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            let r = api::post_json::<_, Account>(&format!("/api/admin/users/{id}"), &c).await;
            say(r.map(|a| format!("{}{}", i18n.t(ui::SAVED_ACCOUNT), a.username)).map_err(|e| failure(e, lang)));
            reload();
        });
    };
    let reset = move |id: i64, who: String| {
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            let r = api::post_json::<_, OneTimePassword>(&format!("/api/admin/users/{id}/reset-password"), &serde_json::json!({})).await;
            say(r.map(|p| format!("{}{}：{}", i18n.t(ui::ONE_TIME_PASSWORD_FOR), who, p.password)).map_err(|e| failure(e, lang)));
        });
    };

    // New unit / move.
    let (unit_name, unit_parent, unit_kind) = (RwSignal::new(String::new()), RwSignal::new(0i64), RwSignal::new(String::from("township")));
    let create_unit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = UnitChange {
            parent_id: Some(unit_parent.get_untracked()),
            name: Some(unit_name.get_untracked()),
            kind: Some(unit_kind.get_untracked()),
        };
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            let r = api::post_json::<_, UnitInfo>("/api/admin/units", &req).await;
            say(r.map(|u| format!("{}{}", i18n.t(ui::SAVED_UNIT), u.name)).map_err(|e| failure(e, lang)));
            reload();
        });
    };
    let move_unit = move |id: i64, parent: i64| {
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            let r = api::post_json::<_, UnitInfo>(
                &format!("/api/admin/units/{id}"),
                &UnitChange { parent_id: Some(parent), name: None, kind: None },
            )
            .await;
            say(r.map(|u| format!("{}{}", i18n.t(ui::SAVED_UNIT), u.name)).map_err(|e| failure(e, lang)));
            reload();
        });
    };
    let unit_options = move |selected: i64| {
        units
            .get()
            .into_iter()
            .map(move |u| view! { <option value=u.id.to_string() selected=u.id == selected>{u.name}</option> })
            .collect_view()
    };

    view! {
        <main class="page admin">
            <h2>{move || i18n.t(ui::ADMIN)}</h2>
            {move || message.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } role="status" data-testid="admin-message">{t}</p> })}

            <section aria-labelledby="accounts-head">
                <h3 id="accounts-head">{move || i18n.t(ui::ACCOUNTS)}</h3>
                <table class="receipt-table" data-testid="accounts">
                    <tbody>{move || accounts.get().into_iter().map(|a| {
                        let (id, who, disabled) = (a.id, a.username.clone(), a.disabled);
                        view! {
                            <tr data-testid="account">
                                <td>{format!("{}（{}）", a.display_name, a.username)}</td>
                                <td><select aria-label=i18n.t(ui::ROLE) on:change=move |ev| {
                                    if let Some(r) = Role::parse(&event_target_value(&ev)) {
                                        change(id, AccountChange { role: Some(r), ..Default::default() });
                                    }
                                }>{Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == a.role>{i18n.t(r.label())}</option> }).collect_view()}</select></td>
                                <td><select aria-label=i18n.t(ui::UNIT) on:change=move |ev| {
                                    if let Ok(u) = event_target_value(&ev).parse() {
                                        change(id, AccountChange { unit_id: Some(u), ..Default::default() });
                                    }
                                }>{unit_options(a.unit_id)}</select></td>
                                <td>{if disabled { i18n.t(ui::DISABLED) } else { "" }}</td>
                                <td>
                                    <button type="button" class="link" data-testid="toggle-disabled"
                                        on:click=move |_| change(id, AccountChange { disabled: Some(!disabled), ..Default::default() })>
                                        {i18n.t(if disabled { ui::ENABLE } else { ui::DISABLE })}
                                    </button>
                                    <button type="button" class="link" data-testid="reset-password" on:click=move |_| reset(id, who.clone())>{i18n.t(ui::RESET_PASSWORD)}</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table>
                <form class="inline-form" on:submit=create data-testid="new-account">
                    <input placeholder=move || i18n.t(ui::USERNAME) aria-label=move || i18n.t(ui::USERNAME) data-testid="new-username"
                        on:input=move |ev| username.set(event_target_value(&ev)) />
                    <input placeholder=move || i18n.t(ui::DISPLAY_NAME) aria-label=move || i18n.t(ui::DISPLAY_NAME) data-testid="new-name"
                        on:input=move |ev| name.set(event_target_value(&ev)) />
                    <select aria-label=move || i18n.t(ui::ROLE) data-testid="new-role" on:change=move |ev| {
                        if let Some(r) = Role::parse(&event_target_value(&ev)) { role.set(r) }
                    }>{Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{move || i18n.t(r.label())}</option> }).collect_view()}</select>
                    <select aria-label=move || i18n.t(ui::UNIT) data-testid="new-unit" on:change=move |ev| unit.set(event_target_value(&ev).parse().unwrap_or(0))>
                        <option value="0">{move || i18n.t(ui::CHOOSE_UNIT)}</option>
                        {move || unit_options(unit.get())}
                    </select>
                    <button type="submit" class="primary">{move || i18n.t(ui::CREATE_ACCOUNT)}</button>
                </form>
            </section>

            <section aria-labelledby="units-head">
                <h3 id="units-head">{move || i18n.t(ui::UNITS)}</h3>
                <ul data-testid="units">{move || {
                    let all = units.get();
                    all.iter().map(|u| {
                        let id = u.id;
                        let parent = all.iter().find(|p| Some(p.id) == u.parent_id).map(|p| p.name.clone()).unwrap_or_default();
                        view! {
                            <li data-testid="unit">{format!("{} [{}] ← {}", u.name, u.kind, parent)}
                                {u.parent_id.map(|p| view! {
                                    <select aria-label=i18n.t(ui::MOVE_UNDER) on:change=move |ev| {
                                        if let Ok(to) = event_target_value(&ev).parse() { move_unit(id, to) }
                                    }>{unit_options(p)}</select>
                                })}
                            </li>
                        }
                    }).collect_view()
                }}</ul>
                <form class="inline-form" on:submit=create_unit data-testid="new-unit-form">
                    <input placeholder=move || i18n.t(ui::UNIT_NAME) aria-label=move || i18n.t(ui::UNIT_NAME) data-testid="unit-name"
                        on:input=move |ev| unit_name.set(event_target_value(&ev)) />
                    <select aria-label=move || i18n.t(ui::PARENT_UNIT) data-testid="unit-parent" on:change=move |ev| unit_parent.set(event_target_value(&ev).parse().unwrap_or(0))>
                        <option value="0">{move || i18n.t(ui::CHOOSE_UNIT)}</option>
                        {move || unit_options(unit_parent.get())}
                    </select>
                    <select aria-label="kind" on:change=move |ev| unit_kind.set(event_target_value(&ev))>
                        <option value="township">{move || i18n.t(ui::KIND_TOWNSHIP)}</option>
                        <option value="department">{move || i18n.t(ui::KIND_DEPARTMENT)}</option>
                        <option value="office">{move || i18n.t(ui::KIND_OFFICE)}</option>
                    </select>
                    <button type="submit" class="primary">{move || i18n.t(ui::ADD_UNIT)}</button>
                </form>
            </section>
            <ImportSection reload=reload />
            <SettingsSection />
            <signing::SigningSection />
            <upward_links::UpwardLinksSection />
            <crate::scores::admin_scoring::ClassesSection units=units reload_units=reload />
            <crate::scores::admin_scoring::PublicationsSection />
            <crate::scores::admin_scoring::ScoringSection />
            <AuditSection />
        </main>
    }
}

/// 批量导入: the template, a check of every row, the import, and the one-time passwords to print
/// or download — shown once, here; the server keeps only their hashes.
#[component]
fn ImportSection(reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    use xinbao_core::api::{ImportReport, IssuedAccount};
    let i18n = use_i18n();
    let file = RwSignal::new_local(None::<web_sys::File>);
    let report = RwSignal::new(None::<ImportReport>);
    let failure_text = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let send = move |check: bool| {
        let Some(f) = file.get_untracked() else {
            failure_text.set(Some(i18n.t(ui::IMPORT_NO_FILE).to_owned()));
            return;
        };
        let lang = i18n.lang.get_untracked();
        busy.set(true);
        failure_text.set(None);
        spawn_local(async move {
            let path = if check { "/api/admin/import?check=true" } else { "/api/admin/import" };
            let r = api::post_file::<ImportReport>(path, &f).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match r {
                Ok(rep) => {
                    if rep.imported {
                        reload();
                    }
                    report.set(Some(rep));
                }
                Err(e) => failure_text.set(Some(failure(e, lang))),
            }
        });
    };
    let download_passwords = move |accounts: Vec<IssuedAccount>| {
        let lang = i18n.lang.get_untracked();
        spawn_local(async move {
            match api::post_for_file("/api/admin/import/passwords.xlsx", &accounts).await {
                Ok(blob) => {
                    crate::util::save_blob(&blob, "信报新账号一次性密码.xlsx");
                }
                Err(e) => failure_text.set(Some(failure(e, lang))),
            }
        });
    };
    let print = move |_| {
        let Some(w) = web_sys::window() else { return };
        let body = w.document().and_then(|d| d.body());
        if let Some(b) = &body {
            let _ = b.class_list().add_1("print-passwords");
        }
        crate::util::print_page();
        if let Some(b) = &body {
            let _ = b.class_list().remove_1("print-passwords");
        }
    };
    view! {
        <section aria-labelledby="import-head" data-testid="import">
            <h3 id="import-head">{move || i18n.t(ui::IMPORT_HEAD)}</h3>
            <p class="hint">{move || i18n.t(ui::IMPORT_HELP)}</p>
            <p><a class="link" href="/api/admin/import/template" download="" data-testid="import-template">{move || i18n.t(ui::DOWNLOAD_TEMPLATE)}</a></p>
            <div class="inline-form">
                <label>{move || i18n.t(ui::IMPORT_FILE)}
                    <input type="file" accept=".xlsx,.xls,.ods,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" data-testid="import-file"
                        on:change=move |ev| {
                            use wasm_bindgen::JsCast;
                            let picked = ev.target()
                                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                                .and_then(|i| i.files())
                                .and_then(|f| f.get(0));
                            file.set(picked);
                            report.set(None);
                        } />
                </label>
                <button type="button" data-testid="import-check" disabled=move || busy.get() on:click=move |_| send(true)>{move || i18n.t(ui::IMPORT_CHECK)}</button>
                <button type="button" class="primary" data-testid="import-run"
                    disabled=move || busy.get() || report.with(|r| r.as_ref().is_some_and(|r| r.imported))
                    on:click=move |_| send(false)>{move || i18n.t(ui::IMPORT_RUN)}</button>
            </div>
            {move || failure_text.get().map(|t| view! { <p class="error" role="alert">{t}</p> })}
            {move || report.get().map(|r| {
                if !r.errors.is_empty() {
                    let zh = i18n.lang.get() == xinbao_core::i18n::Lang::Zh;
                    view! {
                        <div class="error" role="alert" data-testid="import-errors">
                            <p>{i18n.t(ui::IMPORT_FAILED)}</p>
                            <ul>{r.errors.into_iter().map(|e| {
                                let at = if e.row == 0 { String::new() } else {
                                    format!("{} · {}：", e.sheet, i18n.t(ui::IMPORT_ROW).replace("{}", &e.row.to_string()))
                                };
                                view! { <li data-testid="import-error">{at}{if zh { e.zh } else { e.en }}</li> }
                            }).collect_view()}</ul>
                        </div>
                    }.into_any()
                } else {
                    let head = if r.imported { ui::IMPORT_DONE } else { ui::IMPORT_CHECKED };
                    let summary = format!("{}{}{}{}", i18n.t(head), r.units, i18n.t(ui::IMPORT_ACCOUNTS), r.accounts.len());
                    let accounts = r.accounts.clone();
                    let rows = r.accounts.into_iter().map(|a| view! {
                        <tr data-testid="issued-account">
                            <td>{a.display_name}</td><td>{a.unit}</td><td>{i18n.t(a.role.label())}</td>
                            <td>{a.username}</td><td class="password">{a.password}</td>
                        </tr>
                    }).collect_view();
                    view! {
                        <div class="note" role="status" data-testid="import-summary">{summary}</div>
                        <div class=if r.imported { "print-sheet passwords-sheet" } else { "print-sheet" } data-testid="import-accounts">
                            {r.imported.then(|| view! { <h4>{i18n.t(ui::PASSWORDS_HEAD)}</h4> })}
                            <table class="receipt-table">
                                <thead><tr>
                                    <th>{i18n.t(ui::DISPLAY_NAME)}</th><th>{i18n.t(ui::UNIT)}</th><th>{i18n.t(ui::ROLE)}</th>
                                    <th>{i18n.t(ui::USERNAME)}</th><th>{r.imported.then(|| i18n.t(ui::PASSWORD_COLUMN))}</th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                            {r.imported.then(|| view! {
                                <p class="no-print">
                                    <button type="button" class="primary" data-testid="print-passwords" on:click=print>{i18n.t(ui::PRINT)}</button>
                                    " "
                                    <button type="button" data-testid="download-passwords" on:click=move |_| download_passwords(accounts.clone())>{i18n.t(ui::DOWNLOAD_PASSWORDS)}</button>
                                </p>
                            })}
                        </div>
                    }.into_any()
                }
            })}
        </section>
    }
}

#[component]
fn AuditSection() -> impl IntoView {
    let i18n = use_i18n();
    let (action, subject, actor) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let rows = RwSignal::new(Vec::<AuditRow>::new());
    let error = RwSignal::new(None::<Text>);
    let query = move || {
        let enc = |s: String| js_sys::encode_uri_component(&s).as_string().unwrap_or_default();
        format!("action={}&subject={}&actor={}", enc(action.get()), enc(subject.get()), enc(actor.get()))
    };
    let search = move || {
        let q = query();
        spawn_local(async move {
            let r = api::get_json::<Vec<AuditRow>>(&format!("/api/admin/audit?{q}")).await;
            if rows.is_disposed() {
                return;
            }
            match r {
                Ok(list) => {
                    rows.set(list);
                    error.set(None);
                }
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    search();
    view! {
        <section aria-labelledby="audit-head">
            <h3 id="audit-head">{move || i18n.t(ui::AUDIT)}</h3>
            <form class="inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); search(); }>
                <input placeholder=move || i18n.t(ui::AUDIT_ACTION) aria-label=move || i18n.t(ui::AUDIT_ACTION) data-testid="audit-action" on:input=move |ev| action.set(event_target_value(&ev)) />
                <input placeholder=move || i18n.t(ui::AUDIT_SUBJECT) aria-label=move || i18n.t(ui::AUDIT_SUBJECT) data-testid="audit-subject" on:input=move |ev| subject.set(event_target_value(&ev)) />
                <input placeholder=move || i18n.t(ui::AUDIT_ACTOR) aria-label=move || i18n.t(ui::AUDIT_ACTOR) on:input=move |ev| actor.set(event_target_value(&ev)) />
                <button type="submit" class="secondary" data-testid="audit-search">{move || i18n.t(ui::SEARCH)}</button>
                <a class="link" data-testid="audit-csv" href=move || format!("/api/admin/audit.csv?{}", query()) download="">{move || i18n.t(ui::EXPORT_CSV)}</a>
            </form>
            {move || error.get().map(|t| view! { <p class="error">{i18n.t(t)}</p> })}
            <table class="receipt-table" data-testid="audit">
                <tbody>{move || rows.get().into_iter().map(|r| view! {
                    <tr data-testid="audit-row"><td>{date_time(r.at as f64)}</td><td>{r.actor}</td><td>{r.action}</td><td>{r.subject}</td><td>{r.detail}</td></tr>
                }).collect_view()}</tbody>
            </table>
        </section>
    }
}

/// The office's deadline rules.
#[component]
fn SettingsSection() -> impl IntoView {
    let i18n = use_i18n();
    let minutes = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    spawn_local(async move {
        if let Ok(r) = api::get_json::<xinbao_core::review::DeadlineRules>("/api/settings").await
            && !minutes.is_disposed()
        {
            minutes.set(r.urgent_written_minutes.to_string());
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = i18n.lang.get_untracked();
        let Ok(m) = minutes.get_untracked().trim().parse::<i64>() else {
            message.set(Some((false, i18n.t(ui::MINUTES_NUMBER).to_owned())));
            return;
        };
        spawn_local(async move {
            let body = xinbao_core::review::DeadlineRules { urgent_written_minutes: m };
            let r = api::post_json::<_, xinbao_core::review::DeadlineRules>("/api/admin/settings", &body).await;
            message.set(Some(match r {
                Ok(_) => (true, i18n.t(ui::SETTINGS_SAVED).to_owned()),
                Err(e) => (false, failure(e, lang)),
            }));
        });
    };
    view! {
        <section aria-labelledby="settings-head">
            <h3 id="settings-head">{move || i18n.t(ui::SETTINGS)}</h3>
            <form class="inline-form" on:submit=save>
                <label for="urgent-minutes">{move || i18n.t(ui::URGENT_MINUTES)}</label>
                <input id="urgent-minutes" type="number" min="5" max="1440" data-testid="urgent-minutes"
                    prop:value=move || minutes.get() on:input=move |ev| minutes.set(event_target_value(&ev)) />
                <button type="submit" class="primary" data-testid="save-settings">{move || i18n.t(ui::SAVE)}</button>
            </form>
            {move || message.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } data-testid="settings-message">{t}</p> })}
        </section>
    }
}
