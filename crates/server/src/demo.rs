//! First start and the demo county: on an empty database an administrator is created with a
//! one-time password; `--demo` adds a county office, its townships and departments, an account
//! for every role and items from the project's corpus fixture.

use crate::accounts::{self, NewUser, ensure_unit, random_password, upsert_user};
use crate::db::{Db, now_ms};
use serde::Deserialize;
use xinbao_core::api::Me;
use xinbao_core::item::{DraftContent, ItemType};
use xinbao_core::review::Action;
use xinbao_core::role::Role;
use xinbao_core::sync::{MAX_BATCH, Mutation, Op, Outcome, PushRequest};

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
/// list is always the one that works. The items arrive the way real ones do — each officer's
/// submissions, then the editor's and signer's review steps, pushed through the very sync
/// endpoint the app uses — so every item has its office, revisions and change log, shows in the
/// review queue, and stands somewhere in its life: submitted, being screened, returned with a
/// comment, being edited, awaiting sign-off, signed.
pub async fn load_demo(state: &crate::state::AppState) -> anyhow::Result<Vec<DemoAccount>> {
    let db = &state.db;
    let root = ensure_unit(db, None, ROOT_OFFICE, "office").await?;
    let mut out = Vec::new();
    let staff = [("editor", "王晓燕", Role::Editor), ("signer", "陈志刚", Role::Signer), ("reader", "刘建国", Role::Reader)];
    let mut staff_ids = Vec::new();
    for (username, name, role) in staff {
        let password = random_password()?;
        let id = upsert_user(
            db,
            NewUser { username, display_name: name, role, unit_id: root, password: &password, must_change_password: false },
        )
        .await?;
        staff_ids.push(id);
        out.push(DemoAccount { username: username.into(), password, role, display_name: name.into(), unit: ROOT_OFFICE.into() });
    }
    let items: Vec<CorpusItem> = CORPUS.lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect::<Result<_, _>>()?;
    // (unit, unit id, author id, the author's mutations)
    let mut officers: Vec<(String, i64, i64, Vec<Mutation>)> = Vec::new();
    let mut town_ids: Vec<i64> = Vec::new();
    // Who wrote each corpus item.
    let mut author_of: Vec<Option<i64>> = Vec::new();
    let now = now_ms();
    for (n, item) in items.iter().enumerate() {
        let at = match officers.iter().position(|(u, ..)| *u == item.unit) {
            Some(at) => at,
            None => {
                let kind = if item.unit.ends_with('镇') || item.unit.ends_with('乡') { "township" } else { "department" };
                let unit_id = ensure_unit(db, Some(root), &item.unit, kind).await?;
                let username = format!("officer{}", officers.len() + 1);
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
                if kind == "township" {
                    town_ids.push(unit_id);
                }
                officers.push((item.unit.clone(), unit_id, author_id, Vec::new()));
                officers.len() - 1
            }
        };
        let item_type = ItemType::parse(&item.item_type).unwrap_or_default();
        let content = DraftContent {
            title: item.title.clone(),
            body: item.body.clone(),
            item_type,
            phone: format!("1390000{:04}", n + 1),
            // An urgent item says when it happened: two hours before the demo was loaded.
            event_time: (item_type == ItemType::Urgent).then_some(now - 2 * 3600 * 1000),
            ..DraftContent::default()
        };
        author_of.push(Some(officers[at].2));
        let list = &mut officers[at].3;
        list.push(Mutation { mid: list.len() as u64 + 1, item_id: demo_id(&item.id), base_rev: 0, op: Op::Submit { content } });
    }
    // Loaded before (a restart with --demo): the items are there, at whatever step they reached.
    if sqlx::query("SELECT 1 FROM sync_clients WHERE client_id = $1")
        .bind(demo_client(staff_ids[0]))
        .fetch_optional(&db.pool)
        .await?
        .is_some()
    {
        return Ok(out);
    }
    // Demo items an older version wrote straight into the table (no office, no change log,
    // invisible to the review desk) make way for these.
    sqlx::query("DELETE FROM items WHERE id LIKE 'demo-%' AND office_id IS NULL").execute(&db.pool).await?;
    // The months before this one first, so the periodical's issues number in date order.
    let writers: Vec<(i64, i64)> = officers.iter().map(|(_, unit, author, _)| (*author, *unit)).collect();
    history(state, root, &as_me(db, staff_ids[0], root).await?, &writers).await?;
    // Each officer's next mutation id, for what they send after the office's steps.
    let mut next_mid: Vec<(i64, i64, u64)> = Vec::new();
    for (_, unit_id, author_id, mutations) in officers {
        let me = as_me(db, author_id, unit_id).await?;
        next_mid.push((author_id, unit_id, mutations.len() as u64 + 1));
        push_as(state, &me, mutations).await?;
    }
    // The office at work: every item somewhere in its life (by its place in the corpus).
    let (editor, signer) = (as_me(db, staff_ids[0], root).await?, as_me(db, staff_ids[1], root).await?);
    let (mut by_editor, mut by_signer) = (Vec::new(), Vec::new());
    for (n, item) in items.iter().enumerate() {
        let id = demo_id(&item.id);
        let act = |base: u64, action: Action, note: &str| (base, Op::Act { action, note: note.into(), content: None, route: None });
        let steps: Vec<(u64, Op)> = match n % 6 {
            0 => vec![],
            1 => vec![act(1, Action::Screen, "")],
            2 => vec![
                act(1, Action::Screen, ""),
                (2, Op::Comment { text: "请补充具体数据和下一步打算。".into(), key: format!("demo-{}", item.id) }),
                act(2, Action::Return, "缺少具体数据，请补充后重新报送"),
            ],
            3 => vec![act(1, Action::Screen, ""), act(2, Action::Edit, "")],
            _ => vec![act(1, Action::Screen, ""), act(2, Action::Edit, ""), act(3, Action::SendToSignOff, "")],
        };
        for (base, op) in steps {
            by_editor.push(Mutation { mid: by_editor.len() as u64 + 1, item_id: id.clone(), base_rev: base, op });
        }
        if n % 6 == 5 {
            let op = Op::Act { action: Action::Sign, note: "同意".into(), content: None, route: None };
            by_signer.push(Mutation { mid: by_signer.len() as u64 + 1, item_id: id, base_rev: 4, op });
        }
    }
    push_as(state, &editor, by_editor).await?;
    push_as(state, &signer, by_signer).await?;
    let signed: Vec<String> = items.iter().enumerate().filter(|(n, _)| n % 6 == 5).map(|(_, i)| demo_id(&i.id)).collect();
    let reader = as_me(db, staff_ids[2], root).await?;
    after_sign_off(state, &editor, &signer, &reader, &signed).await?;
    // A commission the office sent two townships this week, one of which has answered; and the
    // first urgent report followed by its 续报一.
    let towns: Vec<(i64, i64, u64)> = next_mid.iter().copied().filter(|(_, unit, _)| town_ids.contains(unit)).take(2).collect();
    let today = xinbao_core::scores::day_of(now);
    let fields = serde_json::json!({"kind": "targeted", "topic": "冬季安全生产和防火工作进展", "description": "请报送冬季安全生产检查、森林草原防火的新情况、新做法。",
        "units": towns.iter().map(|(_, unit, _)| *unit).collect::<Vec<_>>(),
        "from": xinbao_core::scores::day_text(today - 1), "deadline": xinbao_core::scores::day_text(today + 7)});
    let commission = crate::commissions::create(
        axum::extract::State(state.clone()),
        crate::auth::CurrentUser(editor.clone()),
        crate::error::ApiJson(serde_json::from_value(fields)?),
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo commission: {e:?}"))?
    .0;
    // And this month's 信息报送要点, which every unit of the office sees.
    let priorities = serde_json::json!({"kind": "priority", "topic": "岁末年初信息报送要点", "description": "重点报送冬季安全生产、保供稳价、群众过冬保障和年度重点任务完成情况。",
        "units": [], "from": xinbao_core::scores::day_text(today - 3), "deadline": xinbao_core::scores::day_text(today + 25)});
    let _priorities = crate::commissions::create(
        axum::extract::State(state.clone()),
        crate::auth::CurrentUser(editor.clone()),
        crate::error::ApiJson(serde_json::from_value(priorities)?),
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo priorities: {e:?}"))?;
    if let Some((author, unit, mid)) = towns.first().copied() {
        let me = as_me(db, author, unit).await?;
        let content = DraftContent {
            title: format!("{}开展冬季安全生产大检查", me.unit_name),
            body: format!(
                "11月以来，{}组织安监、消防等力量对辖区企业、人员密集场所开展拉网式排查，检查企业46家，发现并整改隐患23处。",
                me.unit_name
            ),
            phone: "13900009999".into(),
            commission: Some(commission.id.to_string()),
            ..DraftContent::default()
        };
        let answer = Mutation { mid, item_id: demo_id("commission-answer"), base_rev: 0, op: Op::Submit { content } };
        push_as(state, &me, vec![answer]).await?;
        if let Some(slot) = next_mid.iter_mut().find(|(a, ..)| *a == author) {
            slot.2 += 1;
        }
    }
    if let Some((n, first)) = items.iter().enumerate().find(|(_, i)| ItemType::parse(&i.item_type) == Some(ItemType::Urgent)) {
        let author = next_mid.iter().copied().find(|(a, ..)| Some(*a) == author_of[n]);
        if let Some((author, unit, mid)) = author {
            let me = as_me(db, author, unit).await?;
            let content = DraftContent {
                title: format!("（续报一）{}", first.title),
                body: "截至目前，现场处置工作有序推进，受影响群众已全部妥善安置，相关情况将及时续报。".into(),
                item_type: ItemType::Urgent,
                phone: format!("1390000{:04}", n + 1),
                event_time: Some(now - 2 * 3600 * 1000),
                stage: xinbao_core::item::ReportStage::FollowUp(1),
                follows: Some(demo_id(&first.id)),
                ..DraftContent::default()
            };
            let follow = Mutation { mid, item_id: demo_id(&format!("{}-follow-up", first.id)), base_rev: 0, op: Op::Submit { content } };
            push_as(state, &me, vec![follow]).await?;
        }
    }
    Ok(out)
}

/// The three months before this one, so the scoreboard's other periods, the trend, past notices
/// and every township's view of the periodical have content: each officer's items of those
/// months (with their version and change-log entry, as a push writes them; long settled —
/// signed, not used or kept in reserve), a published issue of the county periodical each month
/// carrying that month's signed items (through the periodical's endpoints), the city's
/// adoptions of some, and the points of those months derived by
/// `xinbao_core::scores::all_events` from the facts, as a recompute does. This month is the
/// live one, made through the endpoints in [`load_demo`].
async fn history(state: &crate::state::AppState, office: i64, editor_me: &Me, writers: &[(i64, i64)]) -> anyhow::Result<()> {
    use crate::auth::CurrentUser;
    use crate::error::ApiJson;
    use axum::extract::{Path, State};
    let editor = editor_me.user_id;
    use xinbao_core::scores::{all_events, day_of, day_start_ms, from_ymd, month_index, ymd};
    const EVENTS: [&str; 8] = [
        "完成秋粮收购",
        "推进秸秆综合利用",
        "开展安全生产检查",
        "化解一起土地纠纷",
        "做好冬季供暖保障",
        "建设高标准农田",
        "整治农村人居环境",
        "推广订单农业",
    ];
    let fail = |what: &'static str| move |e: crate::error::AppError| anyhow::anyhow!("demo history {what}: {e:?}");
    let db = &state.db;
    // Written before (a load that failed later, restarted): not twice.
    if sqlx::query("SELECT 1 FROM items WHERE id = $1").bind(demo_id("history-1-0-0")).fetch_optional(&db.pool).await?.is_some() {
        return Ok(());
    }
    let (y, m, _) = ymd(day_of(now_ms()));
    let this_month = from_ymd(y, m, 1);
    let month_start = |back: u32| {
        let months = y * 12 + m as i32 - 1 - back as i32;
        from_ymd(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1)
    };
    let units: std::collections::BTreeMap<i64, String> = sqlx::query("SELECT id, name FROM units")
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .filter_map(|r| Some((sqlx::Row::try_get(&r, 0).ok()?, sqlx::Row::try_get(&r, 1).ok()?)))
        .collect();
    // The office's publications (its defaults, made the first time anyone asks).
    let pubs = crate::adoption::publications(State(state.clone()), CurrentUser(editor_me.clone())).await.map_err(fail("publications"))?.0;
    let publication = |part: &str| pubs.iter().find(|p| p.name.contains(part)).map(|p| p.id);
    let (Some(own), Some(city)) = (publication("政务信息"), publication("市政府")) else { return Ok(()) };
    let mut tx = db.begin_write().await?;
    let mut items = Vec::new();
    let mut adopted: Vec<(String, i64, i32)> = Vec::new();
    let mut signed_in: [Vec<String>; 3] = Default::default();
    for back in 1..=3u32 {
        let first = month_start(back);
        let days = month_start(back - 1) - first;
        for (n, (author, unit)) in writers.iter().enumerate() {
            for j in 0..(2 + (n as u32 + back) % 3) {
                let day = first + ((n as i32 * 7 + j as i32 * 9 + back as i32) % (days - 3).max(1));
                let at = day_start_ms(day) + 9 * 3_600_000 + (n as i64 * 17 + i64::from(j) * 41) % 480 * 60_000;
                let id = demo_id(&format!("history-{back}-{n}-{j}"));
                let title =
                    format!("{}{}", units.get(unit).map_or("", String::as_str), EVENTS[(n + j as usize + back as usize) % EVENTS.len()]);
                let body = format!("{title}，涉及{}个村{}户，下一步将巩固成效、建立长效机制。", 3 + (n + j as usize) % 9, 120 + n * 37);
                let state = if j == 0 || (n + back as usize).is_multiple_of(4) {
                    "signed"
                } else if j == 1 {
                    "not_used"
                } else {
                    "reserved"
                };
                let content = serde_json::json!({"title": title, "body": body, "phone": format!("1390000{:04}", n + 1)}).to_string();
                if state == "signed" {
                    signed_in[back as usize - 1].push(id.clone());
                    if (n + j as usize).is_multiple_of(3) {
                        adopted.push((id.clone(), city, (day + 4).min(first + days - 1)));
                    }
                }
                items.push(crate::seed::SettledItem { id, author: *author, unit: *unit, title, body, state, at, day, content });
            }
        }
    }
    crate::seed::write_settled(&mut tx, office, &items).await?;
    tx.commit().await?;
    // A published issue of the county periodical each month, oldest first, with that month's
    // signed items (publishing records their full-text adoptions).
    let mut last: Option<(i32, u32, u32)> = None;
    for back in (1..=3u32).rev() {
        // Dated the last day of its month: after every item in it was submitted.
        let date = month_start(back - 1) - 1;
        // Numbered from its own date (第1期 again in a new year), not from today's.
        let in_year = last.filter(|l| l.0 == xinbao_core::scores::ymd(date).0).map(|l| l.1);
        let (year, number, total) = xinbao_core::periodical::next_numbers(in_year, last.map(|l| l.2), date);
        last = Some((year, number, total));
        let issue = crate::periodical::create(
            State(state.clone()),
            CurrentUser(editor_me.clone()),
            ApiJson(serde_json::from_value(serde_json::json!({"publication_id": own}))?),
        )
        .await
        .map_err(fail("issue"))?
        .0;
        let mut fields = serde_json::to_value(&issue.fields)?;
        fields["year"] = serde_json::json!(year);
        fields["number"] = serde_json::json!(number);
        fields["total_number"] = serde_json::json!(total);
        fields["date"] = serde_json::json!(xinbao_core::scores::day_text(date));
        fields["items"] = serde_json::json!(signed_in[back as usize - 1]);
        fields["editor_note"] = serde_json::json!("本期刊发各乡镇、部门重点工作进展。");
        let _saved = crate::periodical::save(
            State(state.clone()),
            CurrentUser(editor_me.clone()),
            Path(issue.id),
            ApiJson(serde_json::from_value(fields)?),
        )
        .await
        .map_err(fail("issue save"))?;
        let _published = crate::periodical::publish(State(state.clone()), CurrentUser(editor_me.clone()), Path(issue.id))
            .await
            .map_err(fail("publish"))?;
    }
    let mut tx = db.begin_write().await?;
    let now = now_ms();
    for (item, publication, day) in &adopted {
        let (ay, am, _) = ymd(*day);
        let row = sqlx::query(
            "INSERT INTO adoptions (office_id, publication_id, form, day, issue, recorded_by, recorded_at) VALUES ($1, $2, 'full', $3, $4, $5, $6) RETURNING id",
        )
        .bind(office)
        .bind(*publication)
        .bind(i64::from(*day))
        .bind(format!("{ay}年第{}期", am * 4))
        .bind(editor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let adoption: i64 = sqlx::Row::try_get(&row, 0)?;
        sqlx::query("INSERT INTO adoption_items (adoption_id, item_id) VALUES ($1, $2)")
            .bind(adoption)
            .bind(item)
            .execute(&mut *tx)
            .await?;
    }
    // The points of those months, as a recompute derives them; this month's stay as scored live.
    let facts = crate::scoring::facts(&mut *tx, office).await.map_err(fail("facts"))?;
    let versions = crate::scores::tables(&mut *tx, office).await.map_err(fail("tables"))?;
    let events: Vec<_> = all_events(&facts, &versions).into_iter().filter(|e| e.day < this_month).collect();
    sqlx::query("DELETE FROM score_events WHERE office_id = $1 AND day < $2")
        .bind(office)
        .bind(i64::from(this_month))
        .execute(&mut *tx)
        .await?;
    crate::scores::insert_events(&mut tx, office, &events).await.map_err(fail("events"))?;
    crate::scores::rebuild_months(&mut *tx, office, month_index(month_start(3))).await.map_err(fail("months"))?;
    tx.commit().await?;
    Ok(())
}

/// What follows sign-off, done by the office through its own endpoints: adoptions at county and
/// city level (points on the scoreboard and in the notice), a leader's instruction with its
/// feedback, and the county periodical's published issue carrying two signed items.
async fn after_sign_off(state: &crate::state::AppState, editor: &Me, signer: &Me, reader: &Me, signed: &[String]) -> anyhow::Result<()> {
    use crate::auth::CurrentUser;
    use crate::error::ApiJson;
    use axum::extract::{Path, State};
    fn body<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> anyhow::Result<ApiJson<T>> {
        Ok(ApiJson(serde_json::from_value(v)?))
    }
    let fail = |what: &'static str| move |e: crate::error::AppError| anyhow::anyhow!("demo {what}: {e:?}");
    let today = xinbao_core::scores::day_text(xinbao_core::scores::day_of(now_ms()));
    // The office's publications (its defaults, made the first time anyone asks).
    let list = crate::adoption::publications(State(state.clone()), CurrentUser(editor.clone())).await.map_err(fail("publications"))?.0;
    let publication = |part: &str| list.iter().find(|p| p.name.contains(part)).map(|p| p.id);
    let (Some(own), Some(city)) = (publication("政务信息"), publication("市政府")) else { return Ok(()) };
    // The county periodical: an issue with the first two signed items, published (placing an
    // item in it records its full-text adoption).
    let issue =
        crate::periodical::create(State(state.clone()), CurrentUser(editor.clone()), body(serde_json::json!({"publication_id": own}))?)
            .await
            .map_err(fail("issue"))?
            .0;
    let mut fields = serde_json::to_value(&issue.fields)?;
    fields["items"] = serde_json::json!(signed.iter().take(2).collect::<Vec<_>>());
    fields["editor_note"] = serde_json::json!("本期刊发秋收和基层治理工作情况。");
    let _saved = crate::periodical::save(State(state.clone()), CurrentUser(editor.clone()), Path(issue.id), body(fields)?)
        .await
        .map_err(fail("issue save"))?;
    let _published =
        crate::periodical::publish(State(state.clone()), CurrentUser(editor.clone()), Path(issue.id)).await.map_err(fail("publish"))?;
    // The city office took two of them up.
    for id in signed.iter().skip(1).take(2) {
        let adoption = serde_json::json!({"publication_id": city, "form": "full", "date": today, "issue": "第88期"});
        let _adopted = crate::adoption::adopt(State(state.clone()), CurrentUser(editor.clone()), Path(id.clone()), body(adoption)?)
            .await
            .map_err(fail("adoption"))?;
    }
    // A county leader's instruction on one, with the feedback on what was done.
    if let Some(id) = signed.get(2) {
        let note =
            serde_json::json!({"level": "county", "date": today, "leader": "县长 王某某", "text": "请有关部门总结经验，在全县推广。"});
        let instruction = crate::adoption::instruct(State(state.clone()), CurrentUser(reader.clone()), Path(id.clone()), body(note)?)
            .await
            .map_err(fail("instruction"))?
            .0;
        let feedback = serde_json::json!({"note": "已印发各乡镇学习借鉴。"});
        let _answered = crate::adoption::feedback(State(state.clone()), CurrentUser(signer.clone()), Path(instruction.id), body(feedback)?)
            .await
            .map_err(fail("feedback"))?;
    }
    Ok(())
}

/// A demo item's id: 32 hex digits from the corpus id, the same on every run.
fn demo_id(corpus_id: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(format!("xinbao-demo-{corpus_id}").as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The sync client id an account's demo items are pushed under.
fn demo_client(user_id: i64) -> String {
    format!("{:032x}", 0xde30_0000_u64 + user_id as u64)
}

async fn as_me(db: &Db, user_id: i64, unit_id: i64) -> anyhow::Result<Me> {
    use sqlx::Row;
    let row =
        sqlx::query("SELECT u.username, u.display_name, u.role, n.name FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = $1")
            .bind(user_id)
            .fetch_one(&db.pool)
            .await?;
    Ok(Me {
        user_id,
        username: row.try_get(0)?,
        display_name: row.try_get(1)?,
        role: {
            let raw: String = row.try_get(2)?;
            Role::parse(&raw).ok_or_else(|| anyhow::anyhow!("unreadable role {raw:?} in users.role"))?
        },
        unit_id,
        unit_name: row.try_get(3)?,
        must_change_password: false,
        seal_local: false,
    })
}

/// Pushes `mutations` as `me`, through the sync endpoint itself, in batches it accepts; every
/// one must be applied.
async fn push_as(state: &crate::state::AppState, me: &Me, mutations: Vec<Mutation>) -> anyhow::Result<()> {
    for batch in mutations.chunks(MAX_BATCH) {
        let req = PushRequest { client_id: demo_client(me.user_id), mutations: batch.to_vec() };
        let answer =
            crate::sync::push(axum::extract::State(state.clone()), crate::auth::CurrentUser(me.clone()), crate::error::ApiJson(req))
                .await
                .map_err(|e| anyhow::anyhow!("loading the demo items: {e:?}"))?
                .0;
        for r in &answer.results {
            if !matches!(r.outcome, Outcome::Applied { .. }) {
                anyhow::bail!("demo item {} as {}: {:?}", r.item_id, me.username, r.outcome);
            }
        }
    }
    Ok(())
}
