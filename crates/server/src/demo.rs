//! First start and the demo county: on an empty database an administrator is created with a
//! one-time password; `--demo` adds a county office, its townships and departments, an account
//! for every role and items from the project's corpus fixture.

use crate::accounts::{self, NewUser, ensure_unit, random_password, upsert_user};
use crate::db::{Db, now_ms};
use serde::Deserialize;
use xinbao_core::item::ItemType;
use xinbao_core::role::Role;

pub const ROOT_OFFICE: &str = "林双县人民政府办公室";
const CORPUS: &str = include_str!("../../../fixtures/corpus.jsonl");

/// On an empty database: the root office and an `admin` account whose password is printed once
/// and must be changed at first login. Returns the password when it created the account.
pub async fn ensure_admin(db: &Db) -> anyhow::Result<Option<String>> {
    if accounts::user_count(db).await? > 0 {
        return Ok(None);
    }
    let root = ensure_unit(db, None, ROOT_OFFICE, "office").await?;
    let password = random_password()?;
    upsert_user(
        db,
        NewUser {
            username: "admin",
            display_name: "管理员",
            role: Role::Admin,
            unit_id: root,
            password: &password,
            must_change_password: true,
        },
    )
    .await?;
    Ok(Some(password))
}

#[derive(Deserialize)]
struct CorpusItem {
    id: String,
    unit: String,
    author: String,
    #[serde(rename = "type")]
    item_type: String,
    title: String,
    body: String,
}

/// One demo account, as printed for the newcomer.
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub display_name: String,
    pub unit: String,
}

/// Loads (or refreshes) the demo county. Demo passwords are new on every run, so the printed
/// list is always the one that works.
pub async fn load_demo(db: &Db) -> anyhow::Result<Vec<DemoAccount>> {
    let root = ensure_unit(db, None, ROOT_OFFICE, "office").await?;
    let mut out = Vec::new();
    let staff = [("editor", "王晓燕", Role::Editor), ("signer", "陈志刚", Role::Signer), ("reader", "刘建国", Role::Reader)];
    for (username, name, role) in staff {
        let password = random_password()?;
        upsert_user(db, NewUser { username, display_name: name, role, unit_id: root, password: &password, must_change_password: false })
            .await?;
        out.push(DemoAccount { username: username.into(), password, role, display_name: name.into(), unit: ROOT_OFFICE.into() });
    }
    let items: Vec<CorpusItem> = CORPUS.lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect::<Result<_, _>>()?;
    let mut officer_of_unit: Vec<(String, i64, i64)> = Vec::new();
    for item in &items {
        let (unit_id, author_id) = match officer_of_unit.iter().find(|(u, _, _)| *u == item.unit) {
            Some((_, unit_id, author_id)) => (*unit_id, *author_id),
            None => {
                let kind = if item.unit.ends_with('镇') || item.unit.ends_with('乡') { "township" } else { "department" };
                let unit_id = ensure_unit(db, Some(root), &item.unit, kind).await?;
                let username = format!("officer{}", officer_of_unit.len() + 1);
                let password = random_password()?;
                let author_id = upsert_user(
                    db,
                    NewUser {
                        username: &username,
                        display_name: &item.author,
                        role: Role::Officer,
                        unit_id,
                        password: &password,
                        must_change_password: false,
                    },
                )
                .await?;
                out.push(DemoAccount {
                    username,
                    password,
                    role: Role::Officer,
                    display_name: item.author.clone(),
                    unit: item.unit.clone(),
                });
                officer_of_unit.push((item.unit.clone(), unit_id, author_id));
                (unit_id, author_id)
            }
        };
        let item_type = ItemType::parse(&item.item_type).unwrap_or_default();
        let now = now_ms();
        sqlx::query(
            "INSERT INTO items (id, unit_id, author_id, item_type, title, body, state, rev, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'submitted', 1, $7, $7) ON CONFLICT (id) DO NOTHING",
        )
        .bind(format!("demo-{}", item.id))
        .bind(unit_id)
        .bind(author_id)
        .bind(item_type.as_str())
        .bind(&item.title)
        .bind(&item.body)
        .bind(now)
        .execute(&db.pool)
        .await?;
    }
    Ok(out)
}
