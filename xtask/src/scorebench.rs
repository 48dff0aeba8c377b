//! Ranking benchmarks (issue 6): a seeded county year (12,000 items, 3,000 adoptions) on SQLite,
//! and a seeded province (1,000,000 items, 200,000 adoptions) on SQLite and PostgreSQL; the
//! year's scoreboard by unit and by person, and the year's notice (three scoreboards), timed
//! over HTTP against the release server.

use crate::run::{Result, cmd};
use crate::syncbench::{Http, get, post};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Instant;

pub struct RankNumbers {
    pub label: String,
    pub items: usize,
    pub seed_s: f64,
    /// (what, p50 ms, p95 ms)
    pub timings: Vec<(String, f64, f64)>,
}

/// Where a seeded office lives: SQLite in a data directory, or a PostgreSQL database.
pub struct Target<'a> {
    pub data_dir: &'a Path,
    pub database_url: Option<String>,
}

impl Target<'_> {
    fn args(&self) -> Vec<String> {
        let mut a = vec!["--data-dir".to_owned(), self.data_dir.display().to_string()];
        if let Some(url) = &self.database_url {
            a.extend(["--database-url".to_owned(), url.clone()]);
        }
        a
    }
}

/// Seeds `scale` (`year` or `province`) into `target` with the server's own `seed` command.
pub fn seed(server_bin: &Path, target: &Target, scale: &str) -> Result<f64> {
    let started = Instant::now();
    let mut args = vec!["seed".to_owned(), "--scale".to_owned(), scale.to_owned(), "--year".to_owned(), "2026".to_owned()];
    args.extend(target.args());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = cmd(&server_bin.display().to_string(), &args).output().map_err(|e| format!("seed: {e}"))?;
    if !out.status.success() {
        return Err(format!("seed {scale} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    println!("{}", String::from_utf8_lossy(&out.stdout).trim());
    Ok(started.elapsed().as_secs_f64())
}

/// The server arguments for `target` (after `serve`).
pub fn serve_args(target: &Target) -> Vec<String> {
    target.args()
}

/// Times the year's rankings as the seeded office's editor (`seed{tag}-editor`).
pub fn time_rankings(port: u16, editor: &str, label: &str, items: usize, seed_s: f64, runs: usize) -> Result<RankNumbers> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let http: Http = Client::builder(TokioExecutor::new()).build_http();
        let (status, _, cookie) =
            post(&http, port, "/api/login", json!({"username": editor, "password": "Xinbao-seed-2026"}).to_string(), None).await?;
        let cookie = cookie.filter(|_| status == 200).ok_or_else(|| format!("{editor} could not log in ({status})"))?;
        let mut timings = Vec::new();
        for (what, path) in [
            ("the year's ranking by unit", "/api/scores?from=2026-01-01&to=2026-12-31&by=unit"),
            ("the year's ranking by person", "/api/scores?from=2026-01-01&to=2026-12-31&by=person"),
            ("a range cutting months (3-17 to 7-4), by unit", "/api/scores?from=2026-03-17&to=2026-07-04&by=unit"),
            ("the year's notice (three scoreboards)", "/api/notice?from=2026-01-01&to=2026-12-31"),
            // Everything the section's home page asks (counts, urgent rows, the week's
            // commissions, the month's quotas, instructions): target ≤ 100 ms p95.
            ("the section's home page", "/api/review/home"),
        ] {
            let mut t = Vec::with_capacity(runs + 3);
            for _ in 0..runs + 3 {
                let start = Instant::now();
                let (status, body) = get(&http, port, path, &cookie).await?;
                t.push(start.elapsed().as_secs_f64() * 1000.0);
                let v: Value = serde_json::from_slice(&body).map_err(|e| format!("{path}: {e}"))?;
                if status != 200 || (v.get("title").is_none() && v.get("waiting").is_none()) {
                    return Err(format!("{path}: {status} {v}"));
                }
            }
            t.drain(..3); // warm-up (first reads set hint bits, fill caches)
            t.sort_by(f64::total_cmp);
            timings.push((what.to_owned(), t[t.len() / 2], t[((t.len() as f64 * 0.95) as usize).min(t.len() - 1)]));
        }
        Ok(RankNumbers { label: label.to_owned(), items, seed_s, timings })
    })
}

/// Waits until PostgreSQL has digested a bulk load (a checkpoint, then no autovacuum worker for
/// three looks in a row, ten minutes at most, and a last checkpoint): the rankings are timed on
/// a database as it is in daily use, not while it writes out a million fresh rows.
pub fn settle_postgres(url: &str) -> Result<()> {
    use sqlx::Row;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        sqlx::any::install_default_drivers();
        let e = |e: sqlx::Error| e.to_string();
        let pool = sqlx::AnyPool::connect(url).await.map_err(e)?;
        sqlx::query("CHECKPOINT").execute(&pool).await.map_err(e)?;
        let started = Instant::now();
        let mut quiet = 0;
        while quiet < 3 && started.elapsed().as_secs() < 600 {
            let row = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")
                .fetch_one(&pool)
                .await
                .map_err(e)?;
            let busy: i64 = row.try_get(0).map_err(e)?;
            quiet = if busy == 0 { quiet + 1 } else { 0 };
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
        sqlx::query("CHECKPOINT").execute(&pool).await.map_err(e)?;
        pool.close().await;
        println!("PostgreSQL settled after the load in {:.0} s", started.elapsed().as_secs_f64());
        Ok(())
    })
}
