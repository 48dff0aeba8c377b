//! Operations (issue 9): `/metrics` counts requests by route template, pushes by what became of
//! their mutations (a replay is not counted as applied twice), and reads the review queue's
//! size from the database. Runs on SQLite and PostgreSQL.

use crate::common::office::{id, office};
use crate::common::{TestApp, json, text};
use axum::http::StatusCode;
use axum::http::header;
use serde_json::json;

/// The value of the sample named exactly `series` (name and labels), if present.
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')).and_then(|v| v.trim().parse().ok()))
}

#[tokio::test]
async fn metrics_count_routes_pushes_conflicts_and_the_queue() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let content = json!({"title": "河西镇秋粮收购过半", "body": "截至11月20日，全镇收购秋粮1.2万吨，同比增长8%。", "phone": "13912345678"});
    let submit = json!({"mid": 1, "item_id": id(900), "base_rev": 0, "op": "submit", "content": content});
    let save = json!({"mid": 2, "item_id": id(901), "base_rev": 0, "op": "save", "content": content});
    let batch = json!({"client_id": o.officer.client, "mutations": [submit, save]});
    let first = t.post_json("/api/sync/push", batch.clone(), Some(&o.officer.cookie)).await;
    assert_eq!(first.status(), StatusCode::OK);
    // The same batch again (a lost answer): replayed, nothing applied twice.
    let again = json(t.post_json("/api/sync/push", batch, Some(&o.officer.cookie)).await).await;
    assert_eq!(again["results"][0]["outcome"], "applied");
    // A save from a stale base: kept as a conflict.
    o.officer.mid = 2;
    let stale = o.officer.push(&t, 901, 0, json!({"op": "save", "content": content})).await;
    assert_eq!(stale["outcome"], "conflict", "{stale}");
    // Two requests to one templated route, with different ids.
    for n in [900, 901] {
        let res = t.get(&format!("/api/items/{}/revisions", id(n)), Some(&o.officer.cookie)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    let res = t.get("/metrics", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let kind = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let m = text(res).await;
    assert_eq!(sample(&m, "xinbao_sync_pushes_total"), Some(3.0), "{m}");
    assert_eq!(sample(&m, "xinbao_sync_mutations_total{outcome=\"applied\"}"), Some(2.0));
    assert_eq!(sample(&m, "xinbao_sync_mutations_total{outcome=\"replayed\"}"), Some(2.0));
    assert_eq!(sample(&m, "xinbao_sync_mutations_total{outcome=\"conflict\"}"), Some(1.0));
    assert_eq!(sample(&m, "xinbao_sync_conflicts_total"), Some(1.0));
    assert_eq!(sample(&m, "xinbao_http_requests_total{method=\"POST\",route=\"/api/sync/push\",status=\"200\"}"), Some(3.0));
    // The route template, never the raw path with its id.
    let route = "method=\"GET\",route=\"/api/items/{id}/revisions\"";
    assert_eq!(sample(&m, &format!("xinbao_http_requests_total{{{route},status=\"200\"}}")), Some(2.0));
    assert_eq!(sample(&m, &format!("xinbao_http_request_duration_seconds_count{{{route}}}")), Some(2.0));
    assert_eq!(sample(&m, &format!("xinbao_http_request_duration_seconds_bucket{{{route},le=\"+Inf\"}}")), Some(2.0));
    assert!(!m.contains(&id(900)), "no item id in any label");
    // Logins show under their route, by status (the office's accounts logged in above).
    assert!(sample(&m, "xinbao_http_requests_total{method=\"POST\",route=\"/api/login\",status=\"200\"}").unwrap_or(0.0) >= 2.0);
    // The queue is read from the database: the one submitted item.
    assert_eq!(sample(&m, "xinbao_review_queue_items{state=\"submitted\"}"), Some(1.0));
    assert_eq!(sample(&m, "xinbao_review_queue_items{state=\"editing\"}"), Some(0.0));
    assert_eq!(sample(&m, "xinbao_database_up"), Some(1.0));

    // The editor takes the item in: the queue moves on the next scrape.
    let r = o.editor.push(&t, 900, 1, json!({"op": "act", "action": "screen"})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let m = text(t.get("/metrics", None).await).await;
    assert_eq!(sample(&m, "xinbao_review_queue_items{state=\"submitted\"}"), Some(0.0));
    assert_eq!(sample(&m, "xinbao_review_queue_items{state=\"screening\"}"), Some(1.0));

    // Methods nobody uses, each new: one `other` label, never one per method.
    for k in 0..50 {
        let req = axum::http::Request::builder()
            .method(axum::http::Method::from_bytes(format!("X-INVENTED-{k}").as_bytes()).unwrap_or_default())
            .uri(format!("/api/anything/{k}"))
            .body(axum::body::Body::empty())
            .unwrap_or_default();
        let _ = t.send(req).await;
    }
    let m = text(t.get("/metrics", None).await).await;
    assert!(!m.contains("X-INVENTED"), "an invented method became a label");
    assert!(!m.contains("/api/anything/"), "a raw path became a label");
    assert!(m.contains("method=\"other\""));
}

async fn put_photo(t: &TestApp, cookie: &str, n: u64) -> (StatusCode, String) {
    let mut photo = vec![0xFF, 0xD8, 0xFF, 0xE0];
    photo.extend(n.to_be_bytes());
    t.put_photo(cookie, &photo).await
}

#[tokio::test]
async fn orphaned_photos_and_old_conflicts_are_cleared_and_named_photos_stay() {
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    let (status, named) = put_photo(&t, &o.officer.cookie, 1).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, orphan) = put_photo(&t, &o.officer.cookie, 2).await;
    let (_, fresh_orphan) = put_photo(&t, &o.officer.cookie, 3).await;
    let content = json!({"title": "河西镇秋粮收购过半", "body": "截至11月20日，全镇收购秋粮1.2万吨。", "phone": "13912345678",
        "photos": [{"sha256": named, "name": "现场.jpg", "width": 4, "height": 3, "size": 12}]});
    let r = o.officer.push(&t, 1, 0, json!({"op": "save", "content": content})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    let r = o.officer.push(&t, 1, 0, json!({"op": "save", "content": content})).await;
    assert_eq!(r["outcome"], "conflict", "{r}");
    let db = &t.app.state.db;
    let long_ago = xinbao_server::db::now_ms() - 200 * 24 * 3600 * 1000;
    for sql in ["UPDATE attachments SET created_at = $1 WHERE sha256 <> $2", "UPDATE conflicts SET at = $1 WHERE item_id <> $2"] {
        sqlx::query(sql).bind(long_ago).bind(&fresh_orphan).execute(&db.pool).await.unwrap_or_default();
    }
    let swept = xinbao_server::housekeeping::sweep(db).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((swept.photos, swept.conflicts), (1, 1), "{swept:?}");
    let held = |hash: String| async move {
        sqlx::query("SELECT 1 FROM attachments WHERE sha256 = $1").bind(hash).fetch_optional(&db.pool).await.ok().flatten().is_some()
    };
    assert!(held(named.clone()).await, "a photo an item names stays");
    assert!(!held(orphan.clone()).await, "a week-old photo nobody names goes");
    assert!(held(fresh_orphan).await, "a photo uploaded today waits for its push");
    // The client asks before it pushes, and sends the photo again.
    let head = axum::http::Request::head(format!("/api/attachments/{orphan}"))
        .header(header::COOKIE, &o.officer.cookie)
        .body(axum::body::Body::empty())
        .unwrap_or_default();
    assert_eq!(t.send(head).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_account_cannot_upload_more_than_its_daily_quota() {
    let t = TestApp::spawn().await;
    let o = office(&t).await;
    assert_eq!(put_photo(&t, &o.officer.cookie, 1).await.0, StatusCode::CREATED);
    // As if the account had uploaded its quota already today.
    sqlx::query("UPDATE attachments SET size = $1")
        .bind(xinbao_server::photos::DAILY_QUOTA_BYTES)
        .execute(&t.app.state.db.pool)
        .await
        .unwrap_or_default();
    let (status, _) = put_photo(&t, &o.officer.cookie, 2).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Another account is not affected.
    assert_eq!(put_photo(&t, &o.officer2.cookie, 3).await.0, StatusCode::CREATED);
}
