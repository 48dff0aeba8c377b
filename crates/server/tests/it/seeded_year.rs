//! A seeded county year (1 office, 20 units, 80 officers, 12,000 items, 3,000 adoptions, 150
//! instructions): the scoreboard's every row agrees with `xinbao_core::scores::tally` over the
//! same facts, and every total drills down to events that add up to it — by unit and by person,
//! for the year, a quarter and a range that cuts months. Runs on SQLite and PostgreSQL.

use crate::common::{TestApp, json};
use serde_json::Value;
use xinbao_core::scores::{By, Period, all_events, day_text, from_ymd, tally};
use xinbao_server::seed::{Scale, seed};

const YEAR: i32 = 2025;

async fn drill(t: &TestApp, cookie: &str, q: &str, key: &str, id: i64) -> (i64, u64, usize) {
    let (mut centi, mut submitted, mut seen, mut offset) = (0i64, 0u64, 0usize, 0u64);
    loop {
        let page = json(t.get(&format!("/api/scores/events?{q}&{key}={id}&offset={offset}"), Some(cookie)).await).await;
        let events = page["events"].as_array().cloned().unwrap_or_default();
        centi += events.iter().filter_map(|e| e["centi"].as_i64()).sum::<i64>();
        submitted += events.iter().filter(|e| e["rule"] == "submission").count() as u64;
        seen += events.len();
        assert_eq!(page["offset"].as_u64(), Some(offset));
        if events.is_empty() || seen as u64 >= page["total"].as_u64().unwrap_or(0) {
            assert_eq!(page["total_centi"].as_i64(), Some(centi), "the page's total is the sum of its events");
            return (centi, submitted, seen);
        }
        offset += events.len() as u64;
    }
}

#[tokio::test]
async fn a_seeded_year_ranks_exactly_and_every_total_drills_down() {
    let t = TestApp::spawn().await;
    let s = seed(&t.app.state.db, &Scale::year(YEAR)).await.unwrap_or_else(|e| panic!("seeding: {e:#}"));
    assert_eq!((s.facts.submissions.len(), s.facts.adoptions.len(), s.facts.instructions.len()), (12_000, 3_000, 150));
    let cookie = t.login(&s.editor, &s.password).await;
    // Seeded items reach an editor's browser as real ones do: the change log carries them to its
    // pull, and each has its version (issue 20: before, the desk of a seeded office was empty).
    let pulled =
        json(t.post_json("/api/sync/pull", serde_json::json!({"client_id": format!("{:032x}", 0x5eed), "cursor": 0}), Some(&cookie)).await)
            .await;
    let first_page = pulled["changes"].as_array().map(Vec::len).unwrap_or(0);
    assert!(first_page > 0, "the editor pulls seeded items: {pulled}");
    let first = pulled["changes"][0]["id"].as_str().unwrap_or_default().to_owned();
    let revisions = json(t.get(&format!("/api/items/{first}/revisions"), Some(&cookie)).await).await;
    assert_eq!(revisions.as_array().map(Vec::len), Some(1), "{revisions}");
    let events = all_events(&s.facts, &[]);
    let periods = [Period::year(YEAR), Period::quarter(YEAR, 2), Period { from: from_ymd(YEAR, 3, 17), to: from_ymd(YEAR, 7, 4) }];
    for p in periods {
        let q = format!("from={}&to={}", day_text(p.from), day_text(p.to));
        for (by, name, key) in [(By::Unit, "unit", "unit"), (By::Person, "person", "person")] {
            let board: Value = json(t.get(&format!("/api/scores?{q}&by={name}"), Some(&cookie)).await).await;
            let rows = board["rows"].as_array().cloned().unwrap_or_default();
            let expected = tally(&events, p, by);
            assert_eq!(rows.len(), if by == By::Unit { 20 } else { 80 }, "{name} rows for {}", p.title());
            let mut total_submitted = 0u64;
            for r in &rows {
                let id = r["id"].as_i64().unwrap_or(0);
                let core = expected.get(&id).cloned().unwrap_or_default();
                assert_eq!(r["tally"], serde_json::to_value(&core).unwrap_or_default(), "{name} {id} in {}", p.title());
                total_submitted += u64::from(core.submitted);
                // Drill down (the year only, by unit and a sample of people: the pages are the same code).
                if p == periods[0] && (by == By::Unit || id % 7 == 0) {
                    let (centi, submitted, _) = drill(&t, &cookie, &q, key, id).await;
                    assert_eq!(centi, core.centi, "{name} {id}: the drill-down adds up to the total");
                    assert_eq!(submitted, u64::from(core.submitted));
                }
            }
            let in_period = s.facts.submissions.iter().filter(|f| p.contains(f.day)).count() as u64;
            assert_eq!(total_submitted, in_period);
            // Ranks go down as points go down, within each group.
            for pair in rows.windows(2) {
                if pair[0]["group"] == pair[1]["group"] {
                    assert!(pair[0]["tally"]["centi"].as_i64() >= pair[1]["tally"]["centi"].as_i64());
                    assert!(pair[0]["rank"].as_u64() <= pair[1]["rank"].as_u64());
                }
            }
        }
    }
    // The notice of the year is built from the same numbers.
    let year = Period::year(YEAR);
    let notice = json(t.get(&format!("/api/notice?from={}&to={}", day_text(year.from), day_text(year.to)), Some(&cookie)).await).await;
    assert_eq!(notice["title"], format!("关于{YEAR}年政务信息工作情况的年度通报"));
    assert_eq!(notice["sections"].as_array().map(Vec::len), Some(3));
    assert!(notice["summary"].as_str().unwrap_or_default().contains("共报送政务信息12000条"), "{}", notice["summary"]);
}
