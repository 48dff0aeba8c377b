//! `GET /metrics` in the Prometheus text format: requests and their latencies by route, pushes
//! and what became of their mutations, the review queue's size by state and the pool.
//!
//! Counters live in this process (each server of a cluster reports its own; Prometheus sums
//! them); the queue sizes are read from the database at each scrape, so every server reports
//! the same. Nothing here is needed to serve a request: a restarted server starts from zero,
//! which Prometheus' `rate()` expects.

use crate::db::Db;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::Row;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use xinbao_core::sync::Outcome;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Default)]
struct Latency {
    /// Cumulative counts per bucket (the last is +Inf).
    buckets: [u64; BUCKETS.len() + 1],
    sum: f64,
}

/// One route's answers: how many per status, and how long they took.
#[derive(Default)]
struct Route {
    statuses: BTreeMap<u16, u64>,
    latency: Latency,
}

/// What one server process has counted since it started.
#[derive(Default)]
pub struct Metrics {
    /// (method, route template) → its answers.
    routes: Mutex<BTreeMap<(String, String), Route>>,
    push_batches: AtomicU64,
    applied: AtomicU64,
    conflicts: AtomicU64,
    rejected: AtomicU64,
    replayed: AtomicU64,
}

impl Metrics {
    fn observe(&self, method: String, route: String, status: u16, seconds: f64) {
        if let Ok(mut routes) = self.routes.lock() {
            let r = routes.entry((method, route)).or_default();
            *r.statuses.entry(status).or_default() += 1;
            let at = BUCKETS.iter().position(|b| seconds <= *b).unwrap_or(BUCKETS.len());
            for b in &mut r.latency.buckets[at..] {
                *b += 1;
            }
            r.latency.sum += seconds;
        }
    }

    /// A push that committed: how many of its mutations were new and how each ended, and how
    /// many were replays answered from the stored results.
    pub fn pushed(&self, fresh: &[&Outcome], replayed: usize) {
        self.push_batches.fetch_add(1, Ordering::Relaxed);
        self.replayed.fetch_add(replayed as u64, Ordering::Relaxed);
        for o in fresh {
            let c = match o {
                Outcome::Applied { .. } => &self.applied,
                Outcome::Conflict { .. } => &self.conflicts,
                Outcome::Rejected { .. } => &self.rejected,
            };
            c.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The method as a label: the standard ones by name, anything else (`FOO`, `X-ANYTHING`) as
/// `other` — a client inventing methods must not grow the label set.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// Counts every request by its route template (never the raw path: ids would make the label
/// set unbounded) and a known method; the app's files count as `static`.
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let method = method_label(req.method()).to_owned();
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "static".to_owned(), |m| m.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(req).await;
    metrics.observe(method, route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// `GET /metrics`
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format (version 0.0.4)", content_type = "text/plain")))]
pub async fn metrics(State(m): State<Arc<Metrics>>, State(db): State<Db>) -> Response {
    let mut out = String::with_capacity(8 * 1024);
    // Written under the lock (no await inside): both families from one view of the counts.
    if let Ok(routes) = m.routes.lock() {
        let _ = writeln!(out, "# HELP xinbao_http_requests_total HTTP requests answered, by route template and status.");
        let _ = writeln!(out, "# TYPE xinbao_http_requests_total counter");
        for ((method, route), r) in routes.iter() {
            for (status, n) in &r.statuses {
                let _ =
                    writeln!(out, "xinbao_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}", escape(route));
            }
        }
        let _ = writeln!(out, "# HELP xinbao_http_request_duration_seconds Time to answer, by route template.");
        let _ = writeln!(out, "# TYPE xinbao_http_request_duration_seconds histogram");
        for ((method, route), r) in routes.iter() {
            let (buckets, labels) = (&r.latency.buckets, format!("method=\"{method}\",route=\"{}\"", escape(route)));
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(out, "xinbao_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}", buckets[i]);
            }
            let total = buckets[BUCKETS.len()];
            let _ = writeln!(out, "xinbao_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {total}");
            let _ = writeln!(out, "xinbao_http_request_duration_seconds_sum{{{labels}}} {}", r.latency.sum);
            let _ = writeln!(out, "xinbao_http_request_duration_seconds_count{{{labels}}} {total}");
        }
    }
    let counter = |out: &mut String, name: &str, help: &str, values: &[(&str, &AtomicU64)]| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} counter");
        for (labels, v) in values {
            let labels = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
            let _ = writeln!(out, "{name}{labels} {}", v.load(Ordering::Relaxed));
        }
    };
    counter(&mut out, "xinbao_sync_pushes_total", "Push batches committed.", &[("", &m.push_batches)]);
    counter(
        &mut out,
        "xinbao_sync_mutations_total",
        "Mutations in committed pushes, by what became of them (replayed: already processed, answered from the stored result).",
        &[
            ("outcome=\"applied\"", &m.applied),
            ("outcome=\"conflict\"", &m.conflicts),
            ("outcome=\"rejected\"", &m.rejected),
            ("outcome=\"replayed\"", &m.replayed),
        ],
    );
    counter(
        &mut out,
        "xinbao_sync_conflicts_total",
        "Mutations kept as conflicts (the item changed on the server).",
        &[("", &m.conflicts)],
    );
    let _ = writeln!(out, "# HELP xinbao_db_pool_connections Database connections of this process, by use.");
    let _ = writeln!(out, "# TYPE xinbao_db_pool_connections gauge");
    let (size, idle) = (db.pool.size(), db.pool.num_idle() as u32);
    let _ = writeln!(out, "xinbao_db_pool_connections{{use=\"idle\"}} {idle}");
    let _ = writeln!(out, "xinbao_db_pool_connections{{use=\"busy\"}} {}", size.saturating_sub(idle));
    // The review queue, whole database: read at each scrape (one indexed GROUP BY).
    let queue = sqlx::query(
        "SELECT state, COUNT(*) FROM items WHERE state IN ('submitted','screening','reserved','editing','awaiting_sign_off') GROUP BY state",
    )
    .fetch_all(&db.pool)
    .await;
    let _ = writeln!(out, "# HELP xinbao_review_queue_items Items waiting in review, by state.");
    let _ = writeln!(out, "# TYPE xinbao_review_queue_items gauge");
    let mut up = 1;
    match queue {
        Ok(rows) => {
            let mut by_state: BTreeMap<String, i64> =
                ["submitted", "screening", "reserved", "editing", "awaiting_sign_off"].iter().map(|s| ((*s).to_owned(), 0)).collect();
            for row in rows {
                if let (Ok(s), Ok(n)) = (row.try_get::<String, _>(0), row.try_get::<i64, _>(1)) {
                    by_state.insert(s, n);
                }
            }
            for (s, n) in by_state {
                let _ = writeln!(out, "xinbao_review_queue_items{{state=\"{s}\"}} {n}");
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: reading the queue sizes");
            up = 0;
        }
    }
    let _ = writeln!(out, "# HELP xinbao_database_up Whether the database answered this scrape.");
    let _ = writeln!(out, "# TYPE xinbao_database_up gauge");
    let _ = writeln!(out, "xinbao_database_up {up}");
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], out).into_response()
}
