//! The server's half of the writing checks: `xinbao-server quality FILE.jsonl` evaluates the
//! checks (the very same `xinbao_core::quality` the browser runs) on items in the corpus format
//! and prints one JSON line per item, then agreement per label where the file has labels.

use anyhow::{Context as _, bail};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use xinbao_core::i18n::Lang;
use xinbao_core::item::ItemType;
use xinbao_core::quality::{Context, Input, Labels, Report, Rules, Verdict, check};

/// One line of a corpus file (the format of `fixtures/corpus.jsonl`); labels are optional.
#[derive(Deserialize)]
pub struct CorpusLine {
    pub id: String,
    #[serde(rename = "type")]
    pub item_type: ItemType,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub follow_up_of: Option<String>,
    #[serde(default)]
    pub labels: Option<Labels>,
    #[serde(default)]
    pub verdict: Option<Verdict>,
}

/// Parses a JSONL corpus; a bad line is an error naming its line number.
pub fn parse_corpus(text: &str) -> anyhow::Result<Vec<CorpusLine>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| serde_json::from_str(l).with_context(|| format!("line {}: not an item in the corpus format", n + 1)))
        .collect()
}

fn label_values(l: &Labels) -> [(&'static str, bool); 8] {
    [
        ("situation", l.situation),
        ("data", l.data),
        ("analysis", l.analysis),
        ("suggestion", l.suggestion),
        ("filler_heavy", l.filler_heavy),
        ("long_sentence", l.long_sentence),
        ("literary_style", l.literary_style),
        ("title_ok", l.title_ok),
    ]
}

/// Checks every item; returns the JSON lines and, when labels are present, the agreement table.
pub fn evaluate(items: &[CorpusLine], rules: &Rules) -> (Vec<String>, Option<String>) {
    let bodies: HashMap<&str, &str> = items.iter().map(|i| (i.id.as_str(), i.body.as_str())).collect();
    let mut lines = Vec::new();
    let mut agree: Vec<(&'static str, usize, usize)> = label_values(&Labels::default()).iter().map(|(n, _)| (*n, 0, 0)).collect();
    let mut verdicts = (0usize, 0usize);
    for item in items {
        let follows = item.follow_up_of.as_deref().and_then(|id| bodies.get(id).copied());
        let report: Report =
            check(Input { title: &item.title, body: &item.body, item_type: item.item_type }, Context { follows, others: &[] }, rules);
        let kinds: Vec<serde_json::Value> = report
            .findings
            .iter()
            .map(|f| serde_json::json!({"severity": f.severity, "message": f.message(Lang::Zh), "span": f.span, "field": f.field}))
            .collect();
        lines.push(
            serde_json::json!({
                "id": item.id,
                "labels": report.labels,
                "verdict": report.verdict,
                "summary": report.summary(Lang::Zh),
                "findings": kinds,
            })
            .to_string(),
        );
        if let Some(want) = &item.labels {
            for (slot, ((_, w), (_, g))) in agree.iter_mut().zip(label_values(want).into_iter().zip(label_values(&report.labels))) {
                slot.2 += 1;
                if w == g {
                    slot.1 += 1;
                }
            }
        }
        if let Some(v) = item.verdict {
            verdicts.1 += 1;
            if v == report.verdict {
                verdicts.0 += 1;
            }
        }
    }
    if agree.iter().all(|a| a.2 == 0) && verdicts.1 == 0 {
        return (lines, None);
    }
    let mut table = String::from("label            agree   of  rate\n");
    for (name, a, n) in agree.iter().filter(|a| a.2 > 0) {
        let _ = writeln!(table, "{name:<16} {a:>5} {n:>4}  {:>5.1}%", *a as f64 * 100.0 / *n as f64);
    }
    if verdicts.1 > 0 {
        let _ = writeln!(
            table,
            "{:<16} {:>5} {:>4}  {:>5.1}%",
            "verdict",
            verdicts.0,
            verdicts.1,
            verdicts.0 as f64 * 100.0 / verdicts.1 as f64
        );
    }
    (lines, Some(table))
}

/// The `quality` command.
pub fn run(file: &std::path::Path, rules_file: Option<&std::path::Path>) -> anyhow::Result<()> {
    let rules = match rules_file {
        Some(p) => Rules::from_json(&std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?)
            .map_err(anyhow::Error::msg)?,
        None => Rules::default(),
    };
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let items = parse_corpus(&text)?;
    if items.is_empty() {
        bail!("{} has no items", file.display());
    }
    let (lines, table) = evaluate(&items, &rules);
    for l in lines {
        println!("{l}");
    }
    if let Some(t) = table {
        eprintln!("\n{t}");
    }
    Ok(())
}

/// How far back a submission is compared with the office's items, in days.
const DUPLICATE_DAYS: i32 = 90;
/// Most earlier items a submission is compared with (the ones sharing most band keys first).
const MAX_CANDIDATES: i64 = 200;

/// The writing checks on a submission, as stored on the item (`items.quality`): the report with
/// the 续报 check against the author's first report, and the near-duplicate check against the
/// office's items submitted in the last 90 days — found by their MinHash band keys, compared by
/// their signatures. `summary` is the section's hint (each earlier item it resembles, by title);
/// `author_summary` the author's (their own earlier items by title, anyone else's unnamed: an
/// officer does not read other units' items). The item's signature and band keys are stored
/// for the submissions after it.
pub(crate) async fn on_submission(
    tx: &mut crate::db::Tx,
    me: &xinbao_core::api::Me,
    item_id: &str,
    content: &xinbao_core::item::DraftContent,
) -> Result<String, crate::error::AppError> {
    use crate::db::{Backend, Sql, Value};
    use crate::error::AppError;
    use sqlx::Row;
    use xinbao_core::quality::{FindingKind, Other, Signature};
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    let rules = RULES.get_or_init(Rules::default);
    let follows = match &content.follows {
        Some(id) => sqlx::query("SELECT body FROM items WHERE id = $1 AND author_id = $2")
            .bind(id)
            .bind(me.user_id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get::<String, _>(0))
            .transpose()?,
        None => None,
    };
    let office: Option<i64> =
        sqlx::query_scalar("SELECT office_id FROM items WHERE id = $1").bind(item_id).fetch_optional(&mut **tx).await?.flatten();
    let signature = Signature::of_item(&content.title, &content.body);
    let bands = signature.bands();
    let today = xinbao_core::scores::day_of(crate::db::now_ms());
    let mut others = Vec::new();
    let mut own: std::collections::HashSet<String> = std::collections::HashSet::new();
    if let Some(office) = office
        && !bands.is_empty()
    {
        let mut sql = Sql::new(
            "SELECT i.id, i.title, i.minhash, i.author_id FROM items i JOIN (SELECT item_id, COUNT(*) AS shared FROM item_bands WHERE office_id = ",
        );
        sql.bind(office)
            .push(" AND day >= ")
            .bind(i64::from(today - DUPLICATE_DAYS))
            .push(" AND item_id <> ")
            .bind(item_id)
            .push(" AND band_key IN (");
        sql.list(bands.iter().map(|b| Value::Int(*b)));
        sql.push(
            ") GROUP BY item_id) c ON c.item_id = i.id WHERE i.state NOT IN ('draft', 'deleted', 'returned') AND i.minhash IS NOT NULL ORDER BY c.shared DESC LIMIT ",
        )
        .bind(MAX_CANDIDATES);
        for r in sql.query(Backend::of(tx)).fetch_all(&mut **tx).await? {
            let id: String = r.try_get(0)?;
            if content.follows.as_deref() == Some(id.as_str()) {
                continue;
            }
            let Some(sig) = r.try_get::<Option<String>, _>(2)?.as_deref().and_then(Signature::from_hex) else { continue };
            if r.try_get::<i64, _>(3)? == me.user_id {
                own.insert(id.clone());
            }
            others.push(Other { id, title: r.try_get(1)?, signature: sig });
        }
    }
    let report = check(
        Input { title: &content.title, body: &content.body, item_type: content.item_type },
        Context { follows: follows.as_deref(), others: &others },
        rules,
    );
    let summary = report.hint(Lang::Zh);
    let mut for_author = report.clone();
    for f in &mut for_author.findings {
        if let FindingKind::NearDuplicate { id, title, .. } = &mut f.kind
            && !own.contains(id.as_str())
        {
            title.clear();
            id.clear();
        }
    }
    let author_summary = for_author.hint(Lang::Zh);
    // This item is compared with from now on (a revised one under its new text).
    sqlx::query("UPDATE items SET minhash = $1 WHERE id = $2").bind(signature.to_hex()).bind(item_id).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM item_bands WHERE item_id = $1").bind(item_id).execute(&mut **tx).await?;
    if let Some(office) = office
        && !bands.is_empty()
    {
        let rows: Vec<Vec<Value>> =
            bands.iter().map(|b| vec![Value::Int(office), Value::Int(*b), Value::from(item_id), Value::Int(i64::from(today))]).collect();
        crate::db::insert_many(tx, "item_bands", &["office_id", "band_key", "item_id", "day"], &rows).await?;
    }
    let mut json = serde_json::to_value(&report).map_err(|e| AppError::Internal(e.into()))?;
    json["summary"] = serde_json::Value::String(summary);
    json["author_summary"] = serde_json::Value::String(author_summary);
    Ok(json.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_line_is_reported_with_its_number() {
        let err = parse_corpus("{\"id\":\"a\",\"type\":\"dynamic\",\"title\":\"t\",\"body\":\"b\"}\n\nnot json\n").err();
        assert!(err.map(|e| e.to_string()).unwrap_or_default().contains("line 3"));
    }

    #[test]
    fn items_without_labels_get_no_agreement_table() {
        let items = parse_corpus("{\"id\":\"a\",\"type\":\"urgent\",\"title\":\"河西镇冰雹\",\"body\":\"6月3日，河西镇遭受冰雹。\"}")
            .unwrap_or_default();
        let (lines, table) = evaluate(&items, &Rules::default());
        assert_eq!(lines.len(), 1);
        assert!(lines[0].contains("\"id\":\"a\"") && lines[0].contains("四有"));
        assert!(table.is_none());
    }
}
