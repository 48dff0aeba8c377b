//! Generated offices for tests and benchmarks: a county's year (1 office, 20 units, 80
//! officers, 12,000 items, 3,000 adoptions, 150 instructions) or a province's (1,000,000
//! items, 200,000 adoptions). Deterministic for a seed. The points are derived by the same
//! `xinbao_core::scores` functions the live endpoints use, from facts stored in the same
//! tables, so a seeded scoreboard is as exact — and as drillable — as a real one.
//!
//! `xinbao-server seed --scale year|province` runs it; `cargo xtask bench scores` times the
//! rankings over it.

use crate::accounts::hash_password;
use crate::db::{Db, Value, insert_many, now_ms};
use anyhow::Context;
use sqlx::Row;
use xinbao_core::scores::{
    AdoptionFact, Credit, Facts, Form, InstructionFact, Level, Period, PubKind, ScoreEvent, SubmissionFact, all_events, day_start_ms,
    default_publications,
};

/// How much to generate.
#[derive(Clone, Debug)]
pub struct Scale {
    pub office: String,
    pub units: usize,
    pub officers: usize,
    pub items: usize,
    pub adoptions: usize,
    pub instructions: usize,
    pub year: i32,
    pub seed: u64,
}

impl Scale {
    /// A county's year, as issue 6 names it.
    pub fn year(year: i32) -> Scale {
        Scale {
            office: "林川县人民政府办公室".into(),
            units: 20,
            officers: 80,
            items: 12_000,
            adoptions: 3_000,
            instructions: 150,
            year,
            seed: 6,
        }
    }

    /// A county with many officers and a modest year (the load test's 2,000 simulated officers,
    /// `seed12-o0`…`seed12-o1999`).
    pub fn officers(year: i32) -> Scale {
        Scale {
            office: "青石县人民政府办公室".into(),
            units: 50,
            officers: 2_000,
            items: 4_000,
            adoptions: 800,
            instructions: 40,
            year,
            seed: 12,
        }
    }

    /// A province: 1,000,000 items and 200,000 adoptions in one office's tree.
    pub fn province(year: i32) -> Scale {
        Scale {
            office: "江川省人民政府办公厅".into(),
            units: 400,
            officers: 4_000,
            items: 1_000_000,
            adoptions: 200_000,
            instructions: 10_000,
            year,
            seed: 9,
        }
    }
}

/// What was generated: the office, the password every seeded account has, and the facts the
/// points come from (for checking the server's totals against `xinbao_core::scores`).
pub struct Seeded {
    pub office: i64,
    pub password: String,
    pub editor: String,
    pub facts: Facts,
}

/// A settled item of a generated office, written as a push would have left it: its row, its
/// one version in `item_revisions`, its change-log entry (so the browsers of its author and of
/// the office's editors pull it) and its submission. The seeded years and the demo's earlier
/// months both write theirs with [`write_settled`].
pub(crate) struct SettledItem {
    pub id: String,
    pub author: i64,
    pub unit: i64,
    pub title: String,
    pub body: String,
    pub state: &'static str,
    /// When it was written and submitted (ms), and the day it counts on.
    pub at: i64,
    pub day: i32,
    /// The content as the sync protocol carries it (JSON).
    pub content: String,
}

/// Writes `items` of `office`, with change-log numbers taken from the counter in this
/// transaction.
pub(crate) async fn write_settled(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    office: i64,
    items: &[SettledItem],
) -> anyhow::Result<()> {
    use Value::{Int, Null, Text};
    if items.is_empty() {
        return Ok(());
    }
    let row = sqlx::query("UPDATE seq_counter SET value = value + $1 WHERE id = 1 RETURNING value")
        .bind(items.len() as i64)
        .fetch_one(&mut **tx)
        .await?;
    let first_seq = row.try_get::<i64, _>(0)? - items.len() as i64 + 1;
    let (mut rows, mut revs, mut changes, mut subs) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (k, it) in items.iter().enumerate() {
        rows.push(vec![
            Text(it.id.clone()),
            Int(it.unit),
            Int(it.author),
            Text("dynamic".into()),
            Text(it.title.clone()),
            Text(it.body.clone()),
            Text(it.state.into()),
            Int(5),
            Int(it.at),
            Int(it.at),
            Text(it.content.clone()),
            Int(office),
        ]);
        revs.push(vec![Text(it.id.clone()), Int(5), Text(it.state.into()), Text(it.content.clone()), Int(it.author), Int(it.at)]);
        changes.push(vec![Int(first_seq + k as i64), Text(it.id.clone()), Int(it.author), Int(office), Int(it.at)]);
        subs.push(vec![Text(it.id.clone()), Int(office), Int(it.author), Int(it.unit), Int(i64::from(it.day)), Null]);
    }
    let columns =
        ["id", "unit_id", "author_id", "item_type", "title", "body", "state", "rev", "created_at", "updated_at", "content", "office_id"];
    insert_many(tx, "items", &columns, &rows).await?;
    insert_many(tx, "item_revisions", &["item_id", "rev", "state", "content", "actor_id", "at"], &revs).await?;
    insert_many(tx, "change_log", &["seq", "item_id", "author_id", "office_id", "at"], &changes).await?;
    insert_many(tx, "submissions", &["item_id", "office_id", "author_id", "unit_id", "day", "late_minutes"], &subs).await?;
    Ok(())
}

/// splitmix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOWNS: [&str; 24] = [
    "河西",
    "兰州湾",
    "大丰",
    "柳林",
    "石桥",
    "王集",
    "李庄",
    "东营",
    "南河",
    "北岭",
    "青山",
    "白杨",
    "马坊",
    "高台",
    "新华",
    "红星",
    "永安",
    "太平",
    "长乐",
    "桃源",
    "杏花",
    "龙泉",
    "金沙",
    "银滩",
];
const DEPARTMENTS: [&str; 8] = ["农业农村局", "水利局", "应急管理局", "教育局", "卫生健康局", "交通运输局", "自然资源局", "生态环境局"];
const SURNAMES: [&str; 16] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林"];
const GIVEN: [&str; 16] = ["明", "芳", "伟", "静", "强", "敏", "磊", "丽", "军", "燕", "勇", "娟", "涛", "霞", "超", "艳"];
const EVENTS: [&str; 8] =
    ["抢收小麦", "推进秸秆还田", "开展安全检查", "化解土地纠纷", "应对冰雹灾害", "建设高标准农田", "整治人居环境", "推广订单农业"];

/// Generates `scale` into `db`: units (in three classes with quotas), accounts, items with
/// their submissions, adoptions (some combined) and instructions, and the score events the
/// core derives from them. Every account's password is `Xinbao-seed-2026`.
pub async fn seed(db: &Db, scale: &Scale) -> anyhow::Result<Seeded> {
    use Value::{Int, Text};
    let mut rng = Rng(scale.seed);
    let password = "Xinbao-seed-2026".to_owned();
    let hash = hash_password(&password)?;
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let office: i64 = sqlx::query("INSERT INTO units (parent_id, name, kind, created_at) VALUES (NULL, $1, 'office', $2) RETURNING id")
        .bind(&scale.office)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .context("creating the seeded office (is it seeded already?)")?
        .try_get(0)?;

    // Unit classes and units.
    let mut class_ids = Vec::new();
    for (name, monthly, weekly) in [("一类乡镇", 6, 1), ("二类乡镇", 4, 1), ("县直部门", 2, 0)] {
        let id: i64 = sqlx::query(
            "INSERT INTO unit_classes (office_id, name, monthly_quota, weekly_per_person) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(office)
        .bind(name)
        .bind(monthly)
        .bind(weekly)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        class_ids.push(id);
    }
    let mut units = Vec::with_capacity(scale.units);
    for i in 0..scale.units {
        let department = i % 4 == 3;
        let base = if department { DEPARTMENTS[(i / 4) % DEPARTMENTS.len()] } else { TOWNS[(i - i / 4) % TOWNS.len()] };
        let round = if department { i / 4 / DEPARTMENTS.len() } else { (i - i / 4) / TOWNS.len() };
        let name = match (department, round) {
            (true, 0) => base.to_owned(),
            (true, r) => format!("{base}{}分局", r + 1),
            (false, 0) => format!("{base}镇"),
            (false, r) => format!("{base}{}镇", r + 1),
        };
        let class = if department { class_ids[2] } else { class_ids[i % 2] };
        let id: i64 =
            sqlx::query("INSERT INTO units (parent_id, name, kind, created_at, class_id) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(office)
                .bind(&name)
                .bind(if department { "department" } else { "township" })
                .bind(now)
                .bind(class)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
        units.push(id);
    }

    // Accounts: the office's editor, signer, reader and administrator, and the officers.
    let tag = scale.seed;
    let editor = format!("seed{tag}-editor");
    let mut people = Vec::new();
    for (name, role, display) in [
        (editor.clone(), "editor", "信息科编辑"),
        (format!("seed{tag}-signer"), "signer", "办公室主任"),
        (format!("seed{tag}-reader"), "reader", "县领导"),
        (format!("seed{tag}-admin"), "admin", "管理员"),
    ] {
        people.push(vec![Text(name), Text(display.into()), Text(role.into()), Int(office), Text(hash.clone()), Int(now)]);
    }
    for n in 0..scale.officers {
        let display =
            format!("{}{}{}", SURNAMES[n % 16], GIVEN[(n / 16) % 16], if n >= 256 { (n / 256).to_string() } else { String::new() });
        people.push(vec![
            Text(format!("seed{tag}-o{n}")),
            Text(display),
            Text("officer".into()),
            Int(units[n % units.len()]),
            Text(hash.clone()),
            Int(now),
        ]);
    }
    insert_many(&mut tx, "users", &["username", "display_name", "role", "unit_id", "password_hash", "created_at"], &people).await?;
    let mut officer_ids = vec![0i64; scale.officers];
    for r in sqlx::query("SELECT id, username FROM users WHERE username LIKE $1").bind(format!("seed{tag}-o%")).fetch_all(&mut *tx).await? {
        let name: String = r.try_get(1)?;
        if let Some(n) = name.rsplit("-o").next().and_then(|n| n.parse::<usize>().ok()).filter(|n| *n < scale.officers) {
            officer_ids[n] = r.try_get(0)?;
        }
    }
    let officer_id = |n: usize| officer_ids[n];
    let officer_unit = |n: usize| units[n % units.len()];

    // Publications.
    let place: String = scale.office.chars().take(2).collect();
    let mut publications = Vec::new();
    for (name, level, kind) in default_publications(&format!("{place}政务信息")) {
        let id: i64 = sqlx::query("INSERT INTO publications (office_id, name, level, kind) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(office)
            .bind(&name)
            .bind(level.as_str())
            .bind(kind.as_str())
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        publications.push((id, name, level, kind));
    }

    // Items and their submissions, spread over the year; a quarter of them signed.
    let year = Period::year(scale.year);
    let days = (year.to - year.from + 1) as usize;
    let id_base: u128 = u128::from(scale.seed) << 96;
    let item_id = |i: usize| format!("{:032x}", id_base + i as u128);
    let mut submissions = Vec::with_capacity(scale.items);
    let mut signed = Vec::new();
    let mut batch: Vec<SettledItem> = Vec::with_capacity(20_000);
    for i in 0..scale.items {
        let n = rng.below(scale.officers);
        let day = year.from + rng.below(days) as i32;
        let at = day_start_ms(day) + 9 * 3_600_000 + rng.below(8 * 3_600_000) as i64;
        let credit = Credit { item_id: item_id(i), author_id: officer_id(n), unit_id: officer_unit(n) };
        let is_signed = rng.below(4) == 0 || signed.len() < scale.adoptions / 2;
        let state = if is_signed { "signed" } else { ["submitted", "screening", "not_used", "reserved"][rng.below(4)] };
        let title = format!("{}{}", TOWNS[rng.below(TOWNS.len())], EVENTS[rng.below(EVENTS.len())]);
        let body = format!("{}，全镇{}，涉及{}个村{}户。", title, EVENTS[rng.below(EVENTS.len())], 3 + rng.below(20), 50 + rng.below(900));
        let content = serde_json::json!({"title": title, "body": body, "phone": "13912345678"}).to_string();
        batch.push(SettledItem {
            id: credit.item_id.clone(),
            author: credit.author_id,
            unit: credit.unit_id,
            title,
            body,
            state,
            at,
            day,
            content,
        });
        if is_signed {
            signed.push((submissions.len(), day));
        }
        submissions.push(SubmissionFact { credit, day, late_minutes: None });
        if batch.len() == 20_000 || i + 1 == scale.items {
            write_settled(&mut tx, office, &batch).await?;
            batch.clear();
        }
    }

    // Adoptions of signed items, on or after their submission: mostly the county periodical,
    // some briefs, combined pieces of two or three items, and a few upward.
    let editor_id: i64 = sqlx::query("SELECT id FROM users WHERE username = $1").bind(&editor).fetch_one(&mut *tx).await?.try_get(0)?;
    let mut adoptions = Vec::with_capacity(scale.adoptions);
    let (mut a_rows, mut ai_rows) = (Vec::new(), Vec::new());
    let first_adoption: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) FROM adoptions").fetch_one(&mut *tx).await?.try_get(0)?;
    for k in 0..scale.adoptions {
        let (first, day0) = signed[rng.below(signed.len())];
        let roll = rng.below(100);
        let (p, form) = match roll {
            0..=49 => (0, Form::Full),
            50..=69 => (0, Form::Brief),
            70..=84 => (0, Form::Combined),
            85..=89 => (1, Form::Brief),
            90..=92 => (2, Form::Full),
            93..=97 => (4, Form::Full),
            98 => (5, Form::Full),
            _ => (6, Form::Full),
        };
        let mut items = vec![submissions[first].credit.clone()];
        if form == Form::Combined {
            for _ in 0..1 + rng.below(2) {
                let (other, _) = signed[rng.below(signed.len())];
                if other != first {
                    items.push(submissions[other].credit.clone());
                }
            }
        }
        let day = (day0 + rng.below(20) as i32).min(year.to);
        let (pid, name, level, kind): &(i64, String, Level, PubKind) = &publications[p];
        let id = first_adoption + k as i64 + 1;
        let issue = format!("{}年第{}期", scale.year, 1 + (day - year.from) / 7);
        a_rows.push(vec![
            Int(id),
            Int(office),
            Int(*pid),
            Text(form.as_str().into()),
            Int(i64::from(day)),
            Text(issue.clone()),
            Int(editor_id),
            Int(now),
        ]);
        let mut seen = std::collections::BTreeSet::new();
        for c in &items {
            if seen.insert(c.item_id.clone()) {
                ai_rows.push(vec![Int(id), Text(c.item_id.clone())]);
            }
        }
        adoptions.push(AdoptionFact { id, items, level: *level, kind: *kind, form, day, label: format!("《{name}》{issue}") });
    }
    insert_many(
        &mut tx,
        "adoptions",
        &["id", "office_id", "publication_id", "form", "day", "issue", "recorded_by", "recorded_at"],
        &a_rows,
    )
    .await?;
    insert_many(&mut tx, "adoption_items", &["adoption_id", "item_id"], &ai_rows).await?;

    // Leader instructions on adopted items, now and then at a level already instructed.
    let mut instructions = Vec::with_capacity(scale.instructions);
    let mut i_rows = Vec::new();
    let first_instruction: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) FROM instructions").fetch_one(&mut *tx).await?.try_get(0)?;
    for k in 0..scale.instructions {
        let a = &adoptions[rng.below(adoptions.len())];
        let level = match rng.below(100) {
            0..=84 => Level::County,
            85..=94 => Level::City,
            95..=98 => Level::Province,
            _ => Level::National,
        };
        let day = (a.day + rng.below(10) as i32).min(year.to);
        let id = first_instruction + k as i64 + 1;
        let leader = format!("{}{}", SURNAMES[rng.below(16)], if level == Level::County { "县长" } else { "市长" });
        i_rows.push(vec![
            Int(id),
            Text(a.items[0].item_id.clone()),
            Text(level.as_str().into()),
            Int(i64::from(day)),
            Text(leader.clone()),
            Text("请认真研究，抓好落实。".into()),
            Int(editor_id),
            Int(now),
            Int(office),
        ]);
        instructions.push(InstructionFact { id, credit: a.items[0].clone(), level, day, leader });
    }
    insert_many(
        &mut tx,
        "instructions",
        &["id", "item_id", "level", "day", "leader", "text", "recorded_by", "recorded_at", "office_id"],
        &i_rows,
    )
    .await?;

    // The points, as the core derives them (the defaults: no scoring table stored).
    let facts = Facts { submissions, adoptions, instructions, commissions: Vec::new() };
    let events: Vec<ScoreEvent> = all_events(&facts, &[]);
    crate::scores::insert_events(&mut tx, office, &events).await.map_err(|e| anyhow::anyhow!("storing score events: {e:?}"))?;
    crate::scores::rebuild_months(&mut *tx, office, i32::MIN).await.map_err(|e| anyhow::anyhow!("monthly totals: {e:?}"))?;
    tx.commit().await?;
    if db.backend == crate::db::Backend::Postgres {
        // Explicit ids were inserted: move the sequences past them.
        for table in ["adoptions", "instructions"] {
            sqlx::query(&format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"))
                .execute(&db.pool)
                .await?;
        }
    }
    // Fresh statistics (and on PostgreSQL the visibility map, for index-only scans), as a
    // database that grew over a year would have.
    let maintain = if db.backend == crate::db::Backend::Postgres { "VACUUM ANALYZE" } else { "ANALYZE" };
    sqlx::query(maintain).execute(&db.pool).await?;
    Ok(Seeded { office, password, editor, facts })
}
