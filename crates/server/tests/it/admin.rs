//! Administration (issue 5): accounts, units, the audit trail — administrators only, every
//! change audited. SQLite and PostgreSQL.

use crate::common::{TestApp, json, text};
use axum::http::StatusCode;
use serde_json::json;
use xinbao_core::role::Role;

const PW: &str = "Chunfeng-2026";

async fn admin(t: &TestApp) -> String {
    let root = t.root().await;
    t.user_in("boss", PW, Role::Admin, root).await;
    t.login("boss", PW).await
}

#[tokio::test]
async fn only_administrators_reach_administration() {
    let t = TestApp::spawn().await;
    let root = t.root().await;
    for (name, role) in [("o", Role::Officer), ("e", Role::Editor), ("s", Role::Signer), ("r", Role::Reader)] {
        t.user_in(name, PW, role, root).await;
        let c = t.login(name, PW).await;
        for path in ["/api/admin/users", "/api/admin/units", "/api/admin/audit", "/api/admin/audit.csv"] {
            assert_eq!(t.get(path, Some(&c)).await.status(), StatusCode::FORBIDDEN, "{name} GET {path}");
        }
        for (path, body) in [
            ("/api/admin/users", json!({"username": "x", "display_name": "x", "role": "admin", "unit_id": root})),
            ("/api/admin/users/1", json!({"role": "admin"})),
            ("/api/admin/users/1/reset-password", json!({})),
            ("/api/admin/units", json!({"parent_id": root, "name": "x"})),
            (&format!("/api/admin/units/{root}"), json!({"name": "x"})),
        ] {
            assert_eq!(t.post_json(path, body, Some(&c)).await.status(), StatusCode::FORBIDDEN, "{name} POST {path}");
        }
    }
    assert_eq!(t.get("/api/admin/users", None).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn accounts_are_created_changed_disabled_and_reset_with_one_time_passwords() {
    let t = TestApp::spawn().await;
    let c = admin(&t).await;
    let root = t.root().await;
    let unit =
        json(t.post_json("/api/admin/units", json!({"parent_id": root, "name": "兰州湾镇", "kind": "township"}), Some(&c)).await).await;
    let unit_id = unit["id"].as_i64().unwrap_or(0);
    let made = t
        .post_json(
            "/api/admin/users",
            json!({"username": "LiJianjun", "display_name": "李建军", "role": "officer", "unit_id": unit_id}),
            Some(&c),
        )
        .await;
    assert_eq!(made.status(), StatusCode::OK);
    let made = json(made).await;
    let (id, first_pw) = (made["user_id"].as_i64().unwrap_or(0), made["password"].as_str().unwrap_or("").to_owned());
    // The one-time password logs in and must be changed.
    let me = json(t.post_json("/api/login", json!({"username": "lijianjun", "password": first_pw}), None).await).await;
    assert_eq!(me["must_change_password"], true);
    assert_eq!(me["unit_name"], "兰州湾镇");
    // The same user name twice is refused with a reason.
    let dup = t
        .post_json(
            "/api/admin/users",
            json!({"username": "lijianjun", "display_name": "x", "role": "officer", "unit_id": unit_id}),
            Some(&c),
        )
        .await;
    assert_eq!(dup.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(dup).await.contains("该用户名已存在"));

    // Made an editor of the root office, then disabled: sessions end, login refused.
    let session = t.login("lijianjun", &first_pw).await;
    let changed = json(t.post_json(&format!("/api/admin/users/{id}"), json!({"role": "editor", "unit_id": root}), Some(&c)).await).await;
    assert_eq!((changed["role"].as_str(), changed["unit_id"].as_i64()), (Some("editor"), Some(root)));
    t.post_json(&format!("/api/admin/users/{id}"), json!({"disabled": true}), Some(&c)).await;
    assert_eq!(t.get("/api/me", Some(&session)).await.status(), StatusCode::UNAUTHORIZED);
    let refused = t.post_json("/api/login", json!({"username": "lijianjun", "password": first_pw}), None).await;
    assert_ne!(refused.status(), StatusCode::OK);
    // Enabled again and reset: the old password no longer works, the new one must be changed.
    t.post_json(&format!("/api/admin/users/{id}"), json!({"disabled": false}), Some(&c)).await;
    let reset = json(t.post_json(&format!("/api/admin/users/{id}/reset-password"), json!({}), Some(&c)).await).await;
    let new_pw = reset["password"].as_str().unwrap_or("").to_owned();
    assert_ne!(new_pw, first_pw);
    assert_eq!(
        t.post_json("/api/login", json!({"username": "lijianjun", "password": first_pw}), None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let me = json(t.post_json("/api/login", json!({"username": "lijianjun", "password": new_pw}), None).await).await;
    assert_eq!(me["must_change_password"], true);
    // An administrator cannot lock themselves out.
    let boss = json(t.get("/api/me", Some(&c)).await).await["user_id"].as_i64().unwrap_or(0);
    let selfish = t.post_json(&format!("/api/admin/users/{boss}"), json!({"disabled": true}), Some(&c)).await;
    assert_eq!(selfish.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Every change is in the audit trail, filterable, and exportable as CSV.
    let rows = json(t.get("/api/admin/audit?subject=lijianjun", Some(&c)).await).await;
    let actions: Vec<&str> = rows.as_array().map(|r| r.iter().filter_map(|x| x["action"].as_str()).collect()).unwrap_or_default();
    for a in ["user_created", "user_changed", "password_reset", "login", "login_refused_disabled"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    let changed_row =
        rows.as_array().and_then(|r| r.iter().find(|x| x["detail"].as_str().is_some_and(|d| d.contains("role officer → editor")))).cloned();
    assert!(changed_row.is_some_and(|r| r["actor"].as_str().is_some_and(|a| a.contains("boss"))));
    let csv = t.get("/api/admin/audit.csv?action=user_", Some(&c)).await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let body = text(csv).await;
    assert!(body.starts_with("\u{feff}编号,时间(毫秒),操作人,操作,对象,详情\r\n"), "{body}");
    assert!(body.contains("\"user_created\",\"lijianjun\""));
    assert!(!body.contains("\"login\""), "the filter applies to the CSV too");
}

#[tokio::test]
async fn the_unit_tree_is_generic_and_never_loops() {
    let t = TestApp::spawn().await;
    let c = admin(&t).await;
    let root = t.root().await;
    let post = |path: String, body: serde_json::Value| {
        let (t, c) = (&t, c.clone());
        async move { t.post_json(&path, body, Some(&c)).await }
    };
    let city_county =
        json(post("/api/admin/units".into(), json!({"parent_id": root, "name": "大丰县人民政府办公室", "kind": "office"})).await).await;
    let county = city_county["id"].as_i64().unwrap_or(0);
    let town = json(post("/api/admin/units".into(), json!({"parent_id": county, "name": "大丰镇", "kind": "township"})).await).await;
    let town = town["id"].as_i64().unwrap_or(0);
    // Moving a unit under its own descendant is refused; under itself too.
    let res = post(format!("/api/admin/units/{county}"), json!({"parent_id": town})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await.contains("不能把单位移到它自己或它的下级单位之下"));
    assert_eq!(post(format!("/api/admin/units/{town}"), json!({"parent_id": town})).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A bad kind or an empty name says why.
    assert_eq!(
        post("/api/admin/units".into(), json!({"parent_id": root, "name": "x", "kind": "castle"})).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(post("/api/admin/units".into(), json!({"parent_id": root, "name": "  "})).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Rename and move back to the root: fine.
    let moved = json(post(format!("/api/admin/units/{town}"), json!({"parent_id": root, "name": "大丰镇人民政府"})).await).await;
    assert_eq!((moved["parent_id"].as_i64(), moved["name"].as_str()), (Some(root), Some("大丰镇人民政府")));
    let units = json(t.get("/api/admin/units", Some(&c)).await).await;
    assert_eq!(units.as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn the_urgent_deadline_is_a_setting_only_administrators_change() {
    let t = TestApp::spawn().await;
    let c = admin(&t).await;
    let root = t.root().await;
    t.user_in("e", PW, Role::Editor, root).await;
    let editor = t.login("e", PW).await;
    assert_eq!(json(t.get("/api/settings", Some(&editor)).await).await["urgent_written_minutes"], 60);
    assert_eq!(
        t.post_json("/api/admin/settings", json!({"urgent_written_minutes": 120}), Some(&editor)).await.status(),
        StatusCode::FORBIDDEN
    );
    let bad = t.post_json("/api/admin/settings", json!({"urgent_written_minutes": 0}), Some(&c)).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(bad).await.contains("5到1440分钟"));
    assert_eq!(t.post_json("/api/admin/settings", json!({"urgent_written_minutes": 120}), Some(&c)).await.status(), StatusCode::OK);
    assert_eq!(json(t.get("/api/settings", Some(&editor)).await).await["urgent_written_minutes"], 120);
    let rows = json(t.get("/api/admin/audit?action=settings_changed", Some(&c)).await).await;
    assert_eq!(rows[0]["detail"], "urgent_written_minutes 60 → 120");
    // `%` and `_` in a filter are taken literally, not as wildcards.
    let none = json(t.get("/api/admin/audit?action=%25", Some(&c)).await).await;
    assert_eq!(none.as_array().map(Vec::len), Some(0));
    let underscore = json(t.get("/api/admin/audit?action=s_changed", Some(&c)).await).await;
    assert_eq!(underscore.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn names_that_could_impersonate_are_refused_and_a_refusal_is_not_audited_as_done() {
    let t = TestApp::spawn().await;
    let root = t.root().await;
    let c = admin(&t).await;
    let add = |name: &str| {
        let (t, c, name) = (&t, c.clone(), name.to_owned());
        async move { t.post_json("/api/admin/units", json!({"parent_id": root, "name": name, "kind": "township"}), Some(&c)).await }
    };
    let res = add("\u{3000}兰州湾镇 ").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(res).await["name"], "兰州湾镇", "trimmed, the ideographic space too");
    let audited = crate::common::office::audited(&t, "unit_created").await.len();
    // The same name again, with a trailing space: refused, nothing created, nothing audited.
    let res = add("兰州湾镇 ").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(res).await["detail"], "同一上级下已有同名单位");
    assert_eq!(crate::common::office::audited(&t, "unit_created").await.len(), audited);
    // A look-alike with a zero-width space cannot sit beside it.
    let res = add("兰州湾镇\u{200b}").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().unwrap_or_default().contains("看不见的字符"));
    let units = json(t.get("/api/admin/units", Some(&c)).await).await;
    let named: Vec<&str> = units
        .as_array()
        .map(|u| u.iter().filter_map(|u| u["name"].as_str()).filter(|n| n.contains("兰州湾")).collect())
        .unwrap_or_default();
    assert_eq!(named, ["兰州湾镇"]);
    // People's names the same way; full-width letters become ordinary ones.
    let res = t
        .post_json(
            "/api/admin/users",
            json!({"username": "ＬＺＷ", "display_name": "李\u{200b}建军", "role": "officer", "unit_id": root}),
            Some(&c),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = t
        .post_json(
            "/api/admin/users",
            json!({"username": "ＬＺＷ", "display_name": " 李建军\u{3000}", "role": "officer", "unit_id": root}),
            Some(&c),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let users = json(t.get("/api/admin/users", Some(&c)).await).await;
    let lzw = users.as_array().and_then(|u| u.iter().find(|u| u["username"] == "lzw")).cloned().unwrap_or_default();
    assert_eq!(lzw["display_name"], "李建军");
}

#[tokio::test]
async fn an_office_administrator_manages_their_own_office_only() {
    let t = TestApp::spawn().await;
    let root = t.root().await;
    let server_admin = admin(&t).await;
    let town = t.unit(root, "兰州湾镇", "township").await;
    let office2 = t.unit(root, "大丰县人民政府办公室", "office").await;
    let town2 = t.unit(office2, "大丰镇", "township").await;
    let mine = t.user_in("dfz", PW, Role::Officer, town2).await;
    let theirs = t.user_in("lzw", PW, Role::Officer, town).await;
    t.user_in("dfadmin", PW, Role::Admin, office2).await;
    let office_admin = t.login("dfadmin", PW).await;
    let _ = t.login("lzw", PW).await;

    // Lists: their office's units and accounts only.
    let units = json(t.get("/api/admin/units", Some(&office_admin)).await).await;
    let ids: Vec<i64> = units.as_array().map(|u| u.iter().filter_map(|u| u["id"].as_i64()).collect()).unwrap_or_default();
    assert_eq!(ids, [office2, town2]);
    let users = json(t.get("/api/admin/users", Some(&office_admin)).await).await;
    let names: Vec<&str> = users.as_array().map(|u| u.iter().filter_map(|u| u["username"].as_str()).collect()).unwrap_or_default();
    assert_eq!(names, ["dfz", "dfadmin"]);
    // Their own: reset, change, end sessions, add a township.
    assert_eq!(
        t.post_json(&format!("/api/admin/users/{mine}/reset-password"), json!({}), Some(&office_admin)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        t.post_json(&format!("/api/admin/users/{mine}"), json!({"display_name": "大丰镇信息员"}), Some(&office_admin)).await.status(),
        StatusCode::OK
    );
    let res =
        t.post_json("/api/admin/units", json!({"parent_id": office2, "name": "新丰镇", "kind": "township"}), Some(&office_admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Anyone else's: as if it did not exist; nothing changes, nothing is audited as done.
    let before = crate::common::office::audited(&t, "password_reset").await.len();
    for (path, body) in [
        (format!("/api/admin/users/{theirs}/reset-password"), json!({})),
        (format!("/api/admin/users/{theirs}"), json!({"disabled": true})),
        (format!("/api/admin/users/{theirs}/revoke-sessions"), json!({})),
        (format!("/api/admin/units/{town}"), json!({"name": "改名"})),
        (format!("/api/admin/units/{town2}"), json!({"parent_id": root})),
    ] {
        let status = t.post_json(&path, body, Some(&office_admin)).await.status();
        assert!(matches!(status, StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY), "{path}: {status}");
    }
    assert_eq!(crate::common::office::audited(&t, "password_reset").await.len(), before);
    let res = t
        .post_json(
            "/api/admin/users",
            json!({"username": "spy", "display_name": "某", "role": "admin", "unit_id": root}),
            Some(&office_admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = t.post_json("/api/admin/units", json!({"parent_id": office2, "name": "某办", "kind": "office"}), Some(&office_admin)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a new office is the server administrator's to make");
    let res = t.post_json("/api/admin/settings", json!({"urgent_written_minutes": 30}), Some(&office_admin)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The audit trail: what their office's accounts did, not the county's logins.
    let audit = crate::common::text(t.get("/api/admin/audit?limit=5000", Some(&office_admin)).await).await;
    assert!(audit.contains("password_reset") && !audit.contains("\"lzw\""), "{audit}");
    // An administrator placed in a township under the root office cannot make themselves (or
    // anyone) a server administrator: the root unit is not theirs.
    let townadmin = t.user_in("townadmin", PW, Role::Admin, town).await;
    let ta = t.login("townadmin", PW).await;
    let res = t.post_json(&format!("/api/admin/users/{townadmin}"), json!({"unit_id": root}), Some(&ta)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = t
        .post_json("/api/admin/users", json!({"username": "root2", "display_name": "某", "role": "admin", "unit_id": root}), Some(&ta))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let boss: i64 = json(t.get("/api/me", Some(&server_admin)).await).await["user_id"].as_i64().unwrap_or(0);
    assert_eq!(t.post_json(&format!("/api/admin/users/{boss}/reset-password"), json!({}), Some(&ta)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(t.post_json("/api/admin/scoring/floor", json!({"percent": 10}), Some(&ta)).await.status(), StatusCode::FORBIDDEN);
    // The server administrator manages all of it.
    let all = json(t.get("/api/admin/users", Some(&server_admin)).await).await;
    let everyone: Vec<&str> = all.as_array().map(|u| u.iter().filter_map(|u| u["username"].as_str()).collect()).unwrap_or_default();
    assert!(["boss", "dfz", "lzw", "dfadmin"].iter().all(|n| everyone.contains(n)), "{everyone:?}");
    assert_eq!(
        t.post_json(&format!("/api/admin/users/{theirs}/revoke-sessions"), json!({}), Some(&server_admin)).await.status(),
        StatusCode::OK
    );
}

/// A workbook with the two sheets, as an office fills the template in.
fn workbook(units: &[[&str; 4]], accounts: &[[&str; 4]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, header, rows) in
        [("单位", ["单位名称", "上级单位", "类型", "考核类别"], units), ("账号", ["用户名", "姓名", "所属单位", "角色"], accounts)]
    {
        let ws = wb.add_worksheet();
        ws.set_name(name).expect("sheet name");
        for (r, row) in std::iter::once(&header).chain(rows.iter()).enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    ws.write_string(r as u32, c as u16, *cell).expect("cell");
                }
            }
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

async fn post_bytes(t: &TestApp, path: &str, body: Vec<u8>, cookie: &str) -> axum::http::Response<axum::body::Body> {
    use axum::http::{Request, header};
    let req = Request::post(path)
        .header("x-xinbao-client", "1")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .body(axum::body::Body::from(body))
        .expect("request");
    t.send(req).await
}

async fn counts(t: &TestApp) -> (i64, i64) {
    use sqlx::Row;
    let one = |sql: &'static str| async move {
        sqlx::query(sql).fetch_one(&t.app.state.db.pool).await.and_then(|r| r.try_get::<i64, _>(0)).unwrap_or(-1)
    };
    (one("SELECT COUNT(*) FROM units").await, one("SELECT COUNT(*) FROM users").await)
}

#[tokio::test]
async fn a_county_is_imported_from_a_spreadsheet_all_rows_or_none_with_one_time_passwords() {
    let t = TestApp::spawn().await;
    let c = admin(&t).await;
    let root_name = json(t.get("/api/admin/units", Some(&c)).await).await[0]["name"].as_str().unwrap_or_default().to_owned();

    // The template reads back as the two sheets with their headers.
    let template = crate::common::bytes(t.get("/api/admin/import/template", Some(&c)).await).await;
    let (units, accounts) = xinbao_server::setup::read_workbook(&template).expect("the template reads");
    assert_eq!(units, [["单位名称", "上级单位", "类型", "考核类别"]]);
    assert_eq!(accounts, [["用户名", "姓名", "所属单位", "角色"]]);

    // One bad row anywhere: nothing written, every error listed by sheet and row.
    let before = counts(&t).await;
    let bad = workbook(
        &[["城关镇", &root_name, "乡镇", ""], ["城关社区", "城关街道", "乡镇", ""]],
        &[["wangxh", "王小红", "城关镇", "信息员"], ["boss", "重名", "城关镇", "编辑"], ["zhaog", "赵刚", "城关镇", "科长"]],
    );
    let report = json(post_bytes(&t, "/api/admin/import", bad, &c).await).await;
    assert_eq!(report["imported"], false);
    let errors: Vec<(String, i64)> = report["errors"]
        .as_array()
        .map(|e| e.iter().map(|e| (e["sheet"].as_str().unwrap_or("").to_owned(), e["row"].as_i64().unwrap_or(0))).collect())
        .unwrap_or_default();
    assert_eq!(errors, [("单位".to_owned(), 3), ("账号".to_owned(), 3), ("账号".to_owned(), 4)], "{report}");
    assert!(report.to_string().contains("“城关街道”不存在") && report.to_string().contains("“boss”已被使用"), "{report}");
    assert_eq!(counts(&t).await, before, "nothing imported");

    // A clean file: checked first (nothing written, no passwords), then imported.
    let good = workbook(
        &[["城关社区", "城关镇", "乡镇", ""], ["城关镇", &root_name, "乡镇", ""], ["县农业农村局", &root_name, "部门", ""]],
        &[["WangXH", "王小红", "城关社区", "信息员"], ["zhaog", "赵刚", "县农业农村局", "信息员"], ["liuy", "刘艳", &root_name, "编辑"]],
    );
    let checked = json(post_bytes(&t, "/api/admin/import?check=true", good.clone(), &c).await).await;
    assert_eq!((checked["imported"].as_bool(), checked["units"].as_i64()), (Some(false), Some(3)), "{checked}");
    assert!(checked["accounts"].as_array().is_some_and(|a| a.len() == 3 && a.iter().all(|a| a["password"] == "")));
    assert_eq!(counts(&t).await, before);
    let done = json(post_bytes(&t, "/api/admin/import", good.clone(), &c).await).await;
    assert_eq!(done["imported"], true, "{done}");
    assert_eq!(counts(&t).await, (before.0 + 3, before.1 + 3));
    let issued = done["accounts"].as_array().cloned().unwrap_or_default();
    assert_eq!(issued[0]["username"], "wangxh");
    assert_eq!(issued[0]["unit"], "城关社区");
    // The tree as written: 城关社区 under 城关镇.
    let units = json(t.get("/api/admin/units", Some(&c)).await).await;
    let id_of = |name: &str| units.as_array().and_then(|u| u.iter().find(|u| u["name"] == name)).map(|u| u["id"].clone());
    let community = units.as_array().and_then(|u| u.iter().find(|u| u["name"] == "城关社区")).cloned().unwrap_or_default();
    assert_eq!(Some(community["parent_id"].clone()), id_of("城关镇"));
    assert_eq!(
        id_of("县农业农村局")
            .and_then(|_| units.as_array().and_then(|u| u.iter().find(|u| u["name"] == "县农业农村局")).map(|u| u["kind"].clone())),
        Some(json!("department"))
    );
    // Each one-time password logs in, and must be changed first.
    for a in &issued {
        let (name, pw) = (a["username"].as_str().unwrap_or(""), a["password"].as_str().unwrap_or(""));
        assert_eq!(pw.chars().count(), 12);
        let cookie = t.login(name, pw).await;
        assert_eq!(json(t.get("/api/me", Some(&cookie)).await).await["must_change_password"], true);
    }
    // The same file again: every account and unit is now taken; nothing doubles.
    let again = json(post_bytes(&t, "/api/admin/import", good, &c).await).await;
    assert_eq!(again["errors"].as_array().map(Vec::len), Some(6), "{again}");
    assert_eq!(counts(&t).await, (before.0 + 3, before.1 + 3));
    // Audited once, as an import.
    assert_eq!(crate::common::office::audited(&t, "imported").await.len(), 1);

    // The printable sheet: what the browser sends back, as a workbook.
    let sheet = t.post_json("/api/admin/import/passwords.xlsx", json!(issued), Some(&c)).await;
    assert_eq!(sheet.status(), StatusCode::OK);
    let xlsx = crate::common::bytes(sheet).await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("an xlsx");
    let mut strings = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").expect("strings"), &mut strings).expect("utf-8");
    assert!(strings.contains(issued[1]["password"].as_str().unwrap_or("?")) && strings.contains("王小红"));

    // Not a workbook at all: said, nothing written.
    let junk = json(post_bytes(&t, "/api/admin/import", b"PK\x03\x04 not really".to_vec(), &c).await).await;
    assert!(junk["errors"][0]["zh"].as_str().is_some_and(|m| m.contains("无法读取")), "{junk}");
}

#[tokio::test]
async fn an_office_administrator_imports_into_their_own_office_only() {
    let t = TestApp::spawn().await;
    let root = t.root().await;
    let _ = admin(&t).await;
    t.unit(root, "兰州湾镇", "township").await;
    let office2 = t.unit(root, "大丰县人民政府办公室", "office").await;
    t.user_in("dfadmin", PW, Role::Admin, office2).await;
    let c = t.login("dfadmin", PW).await;
    let before = counts(&t).await;
    // Another office's township is unknown to them, and a new office is not theirs to make.
    let file = workbook(
        &[["新丰镇", "大丰县人民政府办公室", "乡镇", ""], ["某办", "大丰县人民政府办公室", "办公室", ""]],
        &[["spy", "某人", "兰州湾镇", "管理员"]],
    );
    let report = json(post_bytes(&t, "/api/admin/import", file, &c).await).await;
    let text = report.to_string();
    assert!(text.contains("系统管理员") && text.contains("“兰州湾镇”不存在"), "{report}");
    assert_eq!(counts(&t).await, before);
    // Others cannot import at all.
    t.user_in("ed", PW, Role::Editor, office2).await;
    let editor = t.login("ed", PW).await;
    assert_eq!(post_bytes(&t, "/api/admin/import", workbook(&[], &[]), &editor).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(t.get("/api/admin/import/template", Some(&editor)).await.status(), StatusCode::FORBIDDEN);
}

/// A spreadsheet as LibreOffice Calc writes it: two sheets, one user name typed as a number.
fn flat_ods(units: &[[&str; 3]], accounts: &[[&str; 4]]) -> String {
    let cell = |v: &str| {
        if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
            format!(r#"<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>"#)
        } else {
            format!(r#"<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>"#)
        }
    };
    let table = |name: &str, rows: Vec<Vec<&str>>| {
        let body: String =
            rows.iter().map(|r| format!("<table:table-row>{}</table:table-row>", r.iter().map(|c| cell(c)).collect::<String>())).collect();
        format!(r#"<table:table table:name="{name}">{body}</table:table>"#)
    };
    let units = std::iter::once(vec!["单位名称", "上级单位", "类型"]).chain(units.iter().map(|r| r.to_vec())).collect();
    let accounts = std::iter::once(vec!["用户名", "姓名", "所属单位", "角色"]).chain(accounts.iter().map(|r| r.to_vec())).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet>{}{}</office:spreadsheet></office:body></office:document>"#,
        table("单位", units),
        table("账号", accounts)
    )
}

/// LibreOffice's CSV filter with commas, quotes and UTF-8 (76): the first sheet as text.
const CSV_UTF8: &str = "csv:Text - txt - csv (StarCalc):44,34,76";

/// Converts `file` with LibreOffice (its own profile: tests run in parallel) into `ext`.
fn libreoffice(file: &std::path::Path, ext: &str) -> std::path::PathBuf {
    let dir = file.parent().unwrap_or(std::path::Path::new("."));
    let out = std::process::Command::new("libreoffice")
        .arg(format!("-env:UserInstallation=file://{}", dir.join("profile").display()))
        .args(["--headless", "--convert-to", ext, "--outdir"])
        .arg(dir)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run libreoffice ({e}): `cargo xtask test` installs it"));
    assert!(out.status.success(), "libreoffice failed: {}", String::from_utf8_lossy(&out.stderr));
    let made = file.with_extension(ext.split(':').next().unwrap_or(ext));
    assert!(made.exists(), "LibreOffice wrote no {}", made.display());
    made
}

#[tokio::test]
async fn a_workbook_saved_by_libreoffice_imports_and_the_template_opens_in_it() {
    let t = TestApp::spawn().await;
    let root_name = xinbao_server::demo::ROOT_OFFICE;
    let _ = t.root().await;
    let dir = crate::common::fresh_dir();
    let ods = dir.join("county.fods");
    let text = flat_ods(
        &[["新河镇", root_name, "乡镇"], ["县水利局", root_name, "部门"]],
        &[["13912345678", "孙新河", "新河镇", "信息员"], ["shuili", "钱水利", "县水利局", "信息员"]],
    );
    std::fs::write(&ods, text).expect("writing the sheet");
    let xlsx = std::fs::read(libreoffice(&ods, "xlsx")).expect("the xlsx LibreOffice wrote");
    let report = xinbao_server::setup::import(&t.app.state.db, &xlsx, None, None, false).await.expect("import");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let names: Vec<&str> = report.accounts.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(names, ["13912345678", "shuili"], "a number typed as a user name stays whole");
    assert_eq!(report.units, 2);
    let cookie = t.login("13912345678", &report.accounts[0].password).await;
    assert_eq!(json(t.get("/api/me", Some(&cookie)).await).await["unit_name"], "新河镇");

    // The template and the password sheet open in LibreOffice with their Chinese.
    let template = dir.join("template.xlsx");
    std::fs::write(&template, xinbao_server::setup::template_xlsx().expect("template")).expect("write");
    let csv = std::fs::read_to_string(libreoffice(&template, CSV_UTF8)).expect("csv");
    assert!(csv.starts_with("单位名称,上级单位,类型,考核类别"), "{csv}");
    let sheet = dir.join("passwords.xlsx");
    std::fs::write(&sheet, xinbao_server::setup::passwords_xlsx(&report.accounts).expect("sheet")).expect("write");
    let _ = std::fs::remove_file(dir.join("passwords.csv"));
    let csv = std::fs::read_to_string(libreoffice(&sheet, CSV_UTF8)).expect("csv");
    assert!(csv.contains(&format!("孙新河,新河镇,信息员,13912345678,{}", report.accounts[0].password)), "{csv}");
}

#[tokio::test]
async fn a_stray_far_cell_a_title_row_or_too_many_rows_cost_nothing_and_are_said() {
    let sheet = |cells: &[(u32, u16, &str)]| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("单位").expect("name");
        for (r, c, v) in cells {
            ws.write_string(*r, *c, *v).expect("cell");
        }
        wb.save_to_buffer().expect("xlsx")
    };
    // A cell at XFD1048576 (a dense reader would allocate 17 billion cells): ignored.
    let far = sheet(&[(0, 0, "单位名称"), (0, 1, "上级单位"), (1, 0, "新河镇"), (1, 1, "兰州湾镇"), (1_048_575, 16_383, "x")]);
    let (units, _) = xinbao_server::setup::read_workbook(&far).expect("reads");
    assert_eq!(units.len(), 2);
    // A title above the header: the header is the first row with anything in it; rows keep the
    // numbers the spreadsheet shows.
    let known = xinbao_core::setup::Known::default();
    for title in ["", "林双县单位名单"] {
        let titled = sheet(&[(0, 0, title), (2, 0, "单位名称"), (2, 1, "上级单位"), (3, 0, "新河镇"), (3, 1, "无此镇")]);
        let (units, _) = xinbao_server::setup::read_workbook(&titled).expect("reads");
        let errors = xinbao_core::setup::check(&units, &[], &known).expect_err("no such parent");
        assert_eq!((errors[0].row, errors.len()), (4, 1), "{errors:?}");
        assert!(errors[0].zh.contains("“无此镇”不存在"), "{errors:?}");
    }
    // Far too many rows: said before anything is checked.
    let long = sheet(&[(0, 0, "单位名称"), (0, 1, "上级单位"), (100_000, 0, "某镇")]);
    let said = xinbao_server::setup::read_workbook(&long).expect_err("too many rows");
    assert!(said.contains("行数太多"), "{said}");
}
