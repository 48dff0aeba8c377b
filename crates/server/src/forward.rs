//! Office to office (issue 24, deliverable 4): a destination that runs Xinbao too. Its office
//! gives this office a service account (an officer of a unit named after this office there);
//! this server is then a client of that server over the same sync protocol a browser speaks.
//!
//! - **Out.** An item sent up to a connected destination by 系统报送 becomes a *forward*: the
//!   very mutation that submits it there (`submit`, base 0, on an id derived from the item and
//!   the account, `xinbao_core::upward::forward_item_id`), frozen under the next mutation number
//!   of the link's client id, in the transaction that records the batch. A round pushes the
//!   queued ones in order; a lost answer, a restart or a second server sends the same numbers
//!   with the same content, which the destination answers from its store. When the destination
//!   says the numbers went back (`reused`, `expected`: one side was restored) or its epoch
//!   changed (it was restored), the link starts over under a new client id and everything goes
//!   again — an item the destination holds already meets itself there (a conflict on its own
//!   id), so it still arrives once.
//! - **Back.** A round pulls the account's changes. For each forwarded item it keeps the
//!   destination's state and last review note, copies its comments (each once, by key), and
//!   makes the item's adoptions and instructions here match the destination's — each keyed by
//!   the destination's own id in `forward_facts`, so it is recorded once, and taken back when
//!   the destination took it back. Points follow from this office's scoring table, as for one
//!   typed in by hand; the level is the destination's (`xinbao_core::upward::level_here`).
//!
//! Rounds run every `--forward-every` (20 s) and at once after a batch. Every server of a
//! database runs them, but one at a time works a link: it holds the link's lease (`round_owner`,
//! `round_until`) and renews it before each request, in the statement that reads the link's
//! client id — so the numbers it sends are the account's it logs in with. Entering the link
//! again ends the lease: a round begun under the old account stops before its next request. The
//! frozen mutations make a retry the same, and each fact's key lets one writer win. After the
//! destination failed, the timer waits longer (`--forward-every` doubling, up to 16 times it and
//! at most 10 min) before the link's next
//! try; a batch recorded or the link entered again tries at once.

use crate::adoption::{MAX_SHORT, MAX_TEXT, publication_of, record_adoption, remove_adoption};
use crate::db::{Tx, now_ms, random_hex};
use crate::error::AppError;
use crate::state::AppState;
use sqlx::Row;
use std::sync::Arc;
use std::time::Duration;
use xinbao_core::scores::{AdoptionView, InstructionView, ItemScoring, Level, PubKind};
use xinbao_core::sync::{Mutation, Op, Outcome, PullResponse, PushResponse};
use xinbao_core::upward::{ForwardStatus, forward_item_id, level_here};

/// The header every state-changing request carries (`crate::CLIENT_HEADER`, the server's CSRF
/// guard), as the destination's server asks it.
const CLIENT_HEADER: &str = "x-xinbao-client";
/// Forwards pushed in one request (the protocol takes 200)…
const PUSH_BATCH: i64 = 100;
/// …and at most this many bytes of them (the destination takes 2 MB by default; one item is
/// at most 60,000 characters).
const PUSH_BYTES: usize = 1 << 20;
/// Pages pulled in one round.
const PULL_PAGES: usize = 20;
/// The largest answer read from a destination.
const MAX_ANSWER: u64 = 64 << 20;
/// How long a server holds a link's round without renewing it (a server that died mid-round
/// lets go after this).
const LEASE_MS: i64 = 10 * 60 * 1000;
/// How often a long request renews the lease while it runs.
const RENEW_EVERY: Duration = Duration::from_secs(60);
/// The longest wait between tries after the destination failed.
const MAX_BACKOFF_MS: i64 = 10 * 60 * 1000;
/// How often the office's standing at the destination is read.
const STANDING_EVERY_MS: i64 = 60 * 60 * 1000;

/// Faults a test injects into a round: the answer to a push or a pull lost on the way back
/// (the destination did the work; this side never heard).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Faults {
    pub lose_push_answer: bool,
    pub lose_pull_answer: bool,
    /// The round stops after reading what it will push: it says so on the first, and goes on
    /// when told on the second (a test enters the link again meanwhile).
    pub pause_before_push: Option<&'static (tokio::sync::Notify, tokio::sync::Notify)>,
}

/// Why a round stopped: the destination (unreachable, refusing) — kept on the link for the
/// page — or this server's database.
enum Trouble {
    Remote(String),
    /// The destination refused the account itself: no more tries until it is entered again.
    Halt(String),
    /// Another server works the link now, or the link was entered again: this round stops and
    /// leaves the link as it is.
    Yield,
    Local(AppError),
}

impl<E: Into<AppError>> From<E> for Trouble {
    fn from(e: E) -> Trouble {
        Trouble::Local(e.into())
    }
}

/// A link as a round reads it.
#[derive(Clone, Debug)]
struct Link {
    destination: i64,
    name: String,
    level: Level,
    office: i64,
    url: String,
    username: String,
    password: String,
    ca_pem: String,
    local_user: i64,
    /// When the office's standing there was last read.
    standing_at: i64,
    /// The longest a request other than a photo's may take, start to end: a destination that
    /// answers a byte a minute must not hold the round (or, when a link is tried, the
    /// administrator's page behind nginx's 60 s).
    deadline: Duration,
}

/// A round's requests: long enough for a page of changes over 400 kbit/s.
const ROUND_DEADLINE: Duration = Duration::from_secs(180);
/// A photo's upload: 10 MB over 400 kbit/s takes minutes.
const PHOTO_DEADLINE: Duration = Duration::from_secs(25 * 60);
/// Trying a link from the administrator's page.
const TRY_DEADLINE: Duration = Duration::from_secs(30);

async fn links(state: &AppState) -> Result<Vec<Link>, AppError> {
    let rows = sqlx::query(
        "SELECT l.destination_id, d.name, d.level, d.office_id, l.url, l.username, l.password, l.ca_pem, l.local_user, l.standing_at \
         FROM upward_links l JOIN upward_destinations d ON d.id = l.destination_id WHERE l.halted = 0 ORDER BY l.destination_id",
    )
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let level: String = r.try_get(2)?;
            Ok(Link {
                destination: r.try_get(0)?,
                name: r.try_get(1)?,
                level: crate::db::stored(Level::parse(&level), "upward_destinations.level", &level)?,
                office: r.try_get(3)?,
                url: r.try_get(4)?,
                username: r.try_get(5)?,
                password: r.try_get(6)?,
                ca_pem: r.try_get(7)?,
                local_user: r.try_get(8)?,
                standing_at: r.try_get(9)?,
                deadline: ROUND_DEADLINE,
            })
        })
        .collect()
}

/// Runs rounds until the server stops: every `--forward-every`, and at once when nudged (a
/// batch recorded, a link entered). A link whose destination failed waits out its backoff on
/// the timer.
pub async fn run(state: AppState) {
    loop {
        let nudged = tokio::select! {
            _ = tokio::time::sleep(state.config.forward_every) => false,
            _ = state.forwarder.nudge.notified() => true,
        };
        if let Err(e) = rounds(&state, Faults::default(), !nudged).await {
            tracing::warn!(error = ?e, "forwarding round");
        }
    }
}

/// One round over every link: push what waits, pull what came back. A destination that
/// cannot be reached leaves its problem on the link (shown on the page) and the rest goes on.
pub async fn round(state: &AppState) -> Result<(), AppError> {
    round_with(state, Faults::default()).await
}

#[doc(hidden)]
pub async fn round_with(state: &AppState, faults: Faults) -> Result<(), AppError> {
    rounds(state, faults, false).await
}

async fn rounds(state: &AppState, faults: Faults, on_timer: bool) -> Result<(), AppError> {
    for link in links(state).await? {
        if !take_lease(state, &link, on_timer).await? {
            continue;
        }
        let outcome = match push(state, &link, faults).await {
            Ok(()) => match pull(state, &link, faults).await {
                Ok(came_back) => match retake(state, &link).await {
                    // The standing is a courtesy: failing to read it is not the link's failure.
                    Ok(()) => match standing(state, &link, came_back).await {
                        Err(Trouble::Yield) => Err(Trouble::Yield),
                        Err(Trouble::Halt(why)) => Err(Trouble::Halt(why)),
                        Err(Trouble::Remote(why)) => {
                            tracing::info!(destination = link.destination, why, "reading the standing");
                            Ok(())
                        }
                        Err(Trouble::Local(e)) => {
                            tracing::warn!(destination = link.destination, error = ?e, "reading the standing");
                            Ok(())
                        }
                        Ok(()) => Ok(()),
                    },
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        let (problem, contact, halt, failed) = match outcome {
            Ok(()) => (String::new(), Some(now_ms()), false, false),
            Err(Trouble::Remote(why)) => (why, None, false, true),
            Err(Trouble::Halt(why)) => (why, None, true, false),
            // Entered again meanwhile, or another server holds it: as that left it.
            Err(Trouble::Yield) => continue,
            // This server's database: the next round tries again; the other links go on.
            Err(Trouble::Local(e)) => {
                tracing::warn!(destination = link.destination, error = ?e, "forwarding round");
                ("本机处理回传时出错，稍后自动重试".to_owned(), None, false, true)
            }
        };
        // Not over what the administrator entered meanwhile; the lease let go.
        let now = now_ms();
        let ended = sqlx::query(
            "UPDATE upward_links SET problem = $1, last_contact = COALESCE($2, last_contact), halted = $3, \
             failures = CASE WHEN $4 = 1 THEN failures + 1 ELSE 0 END, \
             next_try = CASE WHEN $4 = 1 THEN $5 + $6 * (CASE failures WHEN 0 THEN 1 WHEN 1 THEN 2 WHEN 2 THEN 4 WHEN 3 THEN 8 ELSE 16 END) ELSE 0 END, \
             round_owner = '', round_until = 0 \
             WHERE destination_id = $7 AND username = $8 AND password = $9 AND round_owner = $10",
        )
        .bind(&problem)
        .bind(contact)
        .bind(i64::from(halt))
        .bind(i64::from(failed))
        .bind(now)
        .bind((state.config.forward_every.as_millis() as i64).clamp(1_000, MAX_BACKOFF_MS / 16))
        .bind(link.destination)
        .bind(&link.username)
        .bind(&link.password)
        .bind(state.forwarder.instance())
        .execute(&state.db.pool)
        .await;
        if let Err(e) = ended {
            tracing::warn!(destination = link.destination, error = ?e, "recording a forwarding round");
        }
    }
    Ok(())
}

/// Takes the link's round for this server: false when another server holds it, the link was
/// entered again since it was read, or (`on_timer`) it waits out a backoff.
async fn take_lease(state: &AppState, link: &Link, on_timer: bool) -> Result<bool, AppError> {
    let now = now_ms();
    let taken = sqlx::query(
        "UPDATE upward_links SET round_owner = $1, round_until = $2 \
         WHERE destination_id = $3 AND username = $4 AND password = $5 AND url = $6 AND halted = 0 \
         AND (round_until < $7 OR round_owner = $1) AND ($8 = 0 OR next_try <= $7)",
    )
    .bind(state.forwarder.instance())
    .bind(now + LEASE_MS)
    .bind(link.destination)
    .bind(&link.username)
    .bind(&link.password)
    .bind(&link.url)
    .bind(now)
    .bind(i64::from(on_timer))
    .execute(&state.db.pool)
    .await?
    .rows_affected();
    Ok(taken == 1)
}

/// What a round works with, read in the statement that renews its lease: the numbers it sends
/// are the client id's of the account it logs in as.
struct Held {
    client_id: String,
    epoch: String,
    cursor: i64,
}

/// The numbers a forward went with.
struct Sent {
    mid: i64,
    remote: String,
}

/// The most comments taken for one item. Text is taken within this office's own limits
/// (`adoption::MAX_TEXT`, `MAX_SHORT`): a misbehaving destination must not fill every
/// township's device.
const MAX_REMOTE_COMMENTS: usize = 200;

/// `text` from a destination cut to `max` characters, without NUL (which PostgreSQL refuses):
/// taken, not refused as [`crate::scores::bounded`] refuses what a person types.
fn clipped(text: &str, max: usize) -> String {
    text.chars().filter(|c| *c != '\0').take(max).collect()
}

/// Renews this server's lease on the link and reads it: `Yield` when the lease is gone (the
/// link entered again, or a server that outwaited a stalled round took it).
async fn renew(state: &AppState, link: &Link) -> Result<Held, Trouble> {
    let row = sqlx::query(
        "UPDATE upward_links SET round_until = $1 \
         WHERE destination_id = $2 AND round_owner = $3 AND username = $4 AND password = $5 AND url = $6 \
         RETURNING client_id, epoch, pull_cursor",
    )
    .bind(now_ms() + LEASE_MS)
    .bind(link.destination)
    .bind(state.forwarder.instance())
    .bind(&link.username)
    .bind(&link.password)
    .bind(&link.url)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(row) = row else { return Err(Trouble::Yield) };
    Ok(Held { client_id: row.try_get(0)?, epoch: row.try_get(1)?, cursor: row.try_get(2)? })
}

// ---------------------------------------------------------------------------------------------
// The wire: a blocking client, off the async threads.

/// The client for a link: no kept connections (a township NAT or a restarted destination
/// drops them), bounded waits, the destination office's own CA when it gave one.
fn agent(ca_pem: &str, deadline: Duration) -> Result<ureq::Agent, String> {
    let mut tls = ureq::tls::TlsConfig::builder();
    if !ca_pem.trim().is_empty() {
        let certs: Vec<_> = ureq::tls::parse_pem(ca_pem.as_bytes())
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err("上级单位证书无法读取，请粘贴 PEM 格式的证书".into());
        }
        tls = tls.root_certs(ureq::tls::RootCerts::Specific(Arc::new(certs)));
    }
    // A 400 kbit/s line sends a 10 MB photo in minutes: bodies get long, the rest is short.
    let config = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_send_body(Some(Duration::from_secs(20 * 60)))
        .timeout_recv_response(Some(Duration::from_secs(120)))
        .timeout_recv_body(Some(Duration::from_secs(20 * 60)))
        .timeout_global(Some(deadline))
        .max_redirects(0)
        .http_status_as_error(false)
        .max_idle_connections(0)
        .tls_config(tls.build())
        .build();
    Ok(ureq::Agent::new_with_config(config))
}

/// An answer: status, body, the cookies it set.
struct Answer {
    status: u16,
    body: Vec<u8>,
    cookies: Vec<String>,
}

async fn call(link: &Link, method: &'static str, path: String, cookie: Option<String>, body: Option<Vec<u8>>) -> Result<Answer, Trouble> {
    let (url, ca) = (format!("{}{path}", link.url), link.ca_pem.clone());
    let deadline = if method == "PUT" { PHOTO_DEADLINE } else { link.deadline };
    let answer = tokio::task::spawn_blocking(move || -> Result<Answer, String> {
        let agent = agent(&ca, deadline)?;
        let unreachable = |e: ureq::Error| unreachable_words(&e);
        let mut response = match (method, body) {
            ("GET", _) => {
                let mut req = agent.get(&url);
                if let Some(c) = &cookie {
                    req = req.header("cookie", c);
                }
                req.call().map_err(unreachable)?
            }
            ("HEAD", _) => {
                let mut req = agent.head(&url);
                if let Some(c) = &cookie {
                    req = req.header("cookie", c);
                }
                req.call().map_err(unreachable)?
            }
            (m, body) => {
                let mut req = if m == "PUT" { agent.put(&url) } else { agent.post(&url) };
                req = req.header(CLIENT_HEADER, "forward");
                if let Some(c) = &cookie {
                    req = req.header("cookie", c);
                }
                let kind = if m == "PUT" { "application/octet-stream" } else { "application/json" };
                req.content_type(kind).send(body.unwrap_or_default().as_slice()).map_err(unreachable)?
            }
        };
        let cookies = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .map(|pair| pair.trim().to_owned())
            .collect();
        let status = response.status().as_u16();
        let body = if method == "HEAD" {
            Vec::new()
        } else {
            response.body_mut().with_config().limit(MAX_ANSWER).read_to_vec().map_err(unreachable)?
        };
        Ok(Answer { status, body, cookies })
    })
    .await
    .map_err(|e| Trouble::Local(AppError::Internal(e.into())))?;
    answer.map_err(Trouble::Remote)
}

/// What the section's page says when the destination cannot be reached: the kind of trouble in
/// words, never the error's own text (it may name the destination's host, which only the
/// administrator sees). The whole error goes to the server's log.
fn unreachable_words(e: &ureq::Error) -> String {
    tracing::info!(error = %e, "reaching a destination");
    let text = e.to_string().to_lowercase();
    let kind = if text.contains("timeout") || text.contains("timed out") {
        "上级信报无应答"
    } else if text.contains("certificate") || text.contains("tls") || text.contains("rustls") {
        "上级信报的证书不被信任或与地址不符"
    } else if text.contains("redirect") {
        "上级信报地址发生跳转，请核对地址"
    } else if text.contains("refused") {
        "上级信报拒绝连接"
    } else if text.contains("resolve") || text.contains("not found") || text.contains("dns") {
        "找不到上级信报地址"
    } else {
        "网络中断"
    };
    format!("无法连接上级信报（{kind}），稍后自动重试")
}

/// A session is the link's account's at its address: a link entered again with another account
/// (on this server or another of the database) never uses the old account's session.
fn session_key(link: &Link) -> String {
    format!("{}\n{}\n{}", link.destination, link.url, link.username)
}

/// Logs the link's account in; the session cookie is kept for the next rounds.
async fn login(state: &AppState, link: &Link) -> Result<String, Trouble> {
    let body = serde_json::to_vec(&xinbao_core::api::LoginRequest { username: link.username.clone(), password: link.password.clone() })
        .map_err(|e| Trouble::Local(AppError::Internal(e.into())))?;
    let answer = call(link, "POST", "/api/login".into(), None, Some(body)).await?;
    match answer.status {
        200 => {}
        401 => return Err(Trouble::Halt("上级信报拒绝登录：账号或密码不对（请向上级索取新密码后在“上级信报连接”中重新填写）".into())),
        403 => return Err(Trouble::Halt("上级信报上的本单位账号已停用（请联系上级后在“上级信报连接”中重新填写）".into())),
        429 => return Err(Trouble::Remote("上级信报暂时限制登录，稍后自动重试".into())),
        s => return Err(Trouble::Remote(format!("上级信报登录失败（{s}），稍后自动重试"))),
    }
    let cookie = answer.cookies.join("; ");
    if cookie.is_empty() {
        return Err(Trouble::Remote("上级信报没有返回登录凭据".into()));
    }
    state.forwarder.set_cookie(&session_key(link), Some(cookie.clone()));
    Ok(cookie)
}

/// A request with the link's session, logging in first or again when it has none or it ended.
/// Every request of a round renews its lease first: none goes out after the link was entered
/// again.
async fn with_session(state: &AppState, link: &Link, method: &'static str, path: &str, body: Option<Vec<u8>>) -> Result<Answer, Trouble> {
    renew(state, link).await?;
    let cookie = match state.forwarder.cookie(&session_key(link)) {
        Some(c) => c,
        None => held(state, link, login(state, link)).await?,
    };
    let answer = held(state, link, call(link, method, path.to_owned(), Some(cookie), body.clone())).await?;
    if answer.status != 401 {
        return Ok(answer);
    }
    state.forwarder.set_cookie(&session_key(link), None);
    let cookie = held(state, link, login(state, link)).await?;
    held(state, link, call(link, method, path.to_owned(), Some(cookie), body)).await
}

/// A request that may outlast the lease (a photo over 400 kbit/s): the lease is renewed every
/// minute while it runs, and the request is given up when the lease is gone.
async fn held<T>(state: &AppState, link: &Link, work: impl std::future::Future<Output = Result<T, Trouble>>) -> Result<T, Trouble> {
    tokio::pin!(work);
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = tokio::time::sleep(RENEW_EVERY) => { renew(state, link).await?; }
        }
    }
}

fn json_body<T: serde::de::DeserializeOwned>(answer: &Answer, what: &str) -> Result<T, Trouble> {
    if answer.status == 403 {
        // The account may not act: it must change its one-time password there first, or the
        // client id is another account's. Nothing is tried again until the administrator has
        // sorted it out and enters the connection again (no start over, no lock-out).
        return Err(Trouble::Halt(
            "上级信报不接受本单位账号（账号须先在上级信报登录并修改初始密码，或账号已变更）：处理后请在“上级信报连接”中重新填写".into(),
        ));
    }
    if answer.status == 503 {
        return Err(Trouble::Remote("上级信报暂时不可用，稍后自动重试".into()));
    }
    if answer.status != 200 {
        return Err(Trouble::Remote(format!("上级信报拒绝了{what}（{}），稍后自动重试", answer.status)));
    }
    serde_json::from_slice(&answer.body).map_err(|_| Trouble::Remote(format!("上级信报对{what}的应答无法读取")))
}

// ---------------------------------------------------------------------------------------------
// Out.

/// Freezes the forwards of a batch just recorded (`upward::send_up`, in its transaction) when
/// its destination is connected: each item's submit mutation under the link's next numbers.
pub(crate) async fn enqueue(tx: &mut Tx, destination: i64, ids: &[String]) -> Result<bool, AppError> {
    let linked: Option<i64> = sqlx::query_scalar("SELECT destination_id FROM upward_links WHERE destination_id = $1")
        .bind(destination)
        .fetch_optional(&mut **tx)
        .await?;
    if linked.is_none() {
        return Ok(false);
    }
    for id in ids {
        let Some((item, _)) = crate::items::load_item(tx, id).await? else { continue };
        // The row lock on the link hands out numbers in commit order, with the account they
        // are that account's numbers under (an entry made meanwhile waits for this).
        let (mid, username): (i64, String) =
            sqlx::query_as("UPDATE upward_links SET next_mid = next_mid + 1 WHERE destination_id = $1 RETURNING next_mid - 1, username")
                .bind(destination)
                .fetch_one(&mut **tx)
                .await?;
        let remote = forward_item_id(id, &username);
        // This office's commission means nothing there; a 续报's first report is named by its
        // id there when it went there too, or else the 续报 arrives as a first report.
        let mut content = xinbao_core::item::DraftContent { commission: None, ..item.content };
        if let Some(first) = content.follows.take() {
            // Named only when it went, or goes, under this account and was not refused there.
            let went: Option<(String, String)> =
                sqlx::query_as("SELECT remote_id, status FROM forwards WHERE destination_id = $1 AND item_id = $2")
                    .bind(destination)
                    .bind(&first)
                    .fetch_optional(&mut **tx)
                    .await?;
            let there = forward_item_id(&first, &username);
            match went {
                Some((remote_first, status)) if remote_first == there && status != ForwardStatus::Refused.as_str() => {
                    content.follows = Some(there)
                }
                _ => content.stage = xinbao_core::item::ReportStage::Initial,
            }
        }
        let mutation = Mutation { mid: mid as u64, item_id: remote.clone(), base_rev: 0, op: Op::Submit { content } };
        let frozen = serde_json::to_string(&mutation).map_err(|e| AppError::Internal(e.into()))?;
        sqlx::query(
            "INSERT INTO forwards (destination_id, item_id, remote_id, mid, mutation, status) VALUES ($1, $2, $3, $4, $5, 'queued') \
             ON CONFLICT DO NOTHING",
        )
        .bind(destination)
        .bind(id)
        .bind(&remote)
        .bind(mid)
        .bind(&frozen)
        .execute(&mut **tx)
        .await?;
    }
    Ok(true)
}

/// Pushes the link's queued forwards, in order, a batch at a time.
async fn push(state: &AppState, link: &Link, faults: Faults) -> Result<(), Trouble> {
    for _ in 0..20 {
        // As stored now (the link may have started over since the round began), with the
        // lease renewed in the same statement.
        let Held { client_id, epoch, .. } = renew(state, link).await?;
        let rows = sqlx::query(
            "SELECT id, mid, remote_id, mutation FROM forwards WHERE destination_id = $1 AND status = 'queued' ORDER BY mid LIMIT $2",
        )
        .bind(link.destination)
        .bind(PUSH_BATCH)
        .fetch_all(&state.db.pool)
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut mutations = Vec::with_capacity(rows.len());
        let mut sent: Vec<(i64, u64, String)> = Vec::with_capacity(rows.len());
        let mut bytes = 0;
        for r in &rows {
            let frozen: String = r.try_get(3)?;
            bytes += frozen.len();
            if !mutations.is_empty() && bytes > PUSH_BYTES {
                break;
            }
            let mutation: Mutation = crate::db::stored_json(&frozen, "forwards.mutation", &r.try_get::<i64, _>(0)?.to_string())?;
            if let Op::Submit { content } = &mutation.op {
                upload_photos(state, link, content).await?;
            }
            sent.push((r.try_get(0)?, r.try_get::<i64, _>(1)? as u64, r.try_get(2)?));
            mutations.push(mutation);
        }
        if let Some((reached, go)) = faults.pause_before_push {
            reached.notify_one();
            go.notified().await;
        }
        let body = serde_json::to_vec(&xinbao_core::sync::PushRequest { client_id: client_id.clone(), mutations })
            .map_err(|e| Trouble::Local(AppError::Internal(e.into())))?;
        let answer = with_session(state, link, "POST", "/api/sync/push", Some(body)).await?;
        if faults.lose_push_answer {
            return Err(Trouble::Remote("（测试）应答在途中丢失".into()));
        }
        let answer: PushResponse = json_body(&answer, "报送")?;
        if !epoch.is_empty() && answer.epoch != epoch {
            // The destination was restored from a backup: everything goes again.
            start_over(state, link, &client_id, true, Some(&answer.epoch)).await?;
            return Ok(());
        }
        let mut tx = state.db.begin_write().await?;
        // The items that arrived (applied, or held there already — sent before under another
        // client id, or before this side's restore) are marked so only once read back as the
        // destination has them now, with what they gathered there, which no pull may bring
        // again. Until then they stay queued, and a failure sends the same numbers again.
        // A forward marked only under the numbers it went with: one renumbered meanwhile (the
        // link started over or was entered again) waits for its new ones.
        let mut met = Vec::new();
        for result in &answer.results {
            let Some((id, mid, _)) = sent.iter().find(|(_, mid, remote)| *mid == result.mid && *remote == result.item_id) else { continue };
            let sent_as = Sent { mid: *mid as i64, remote: result.item_id.clone() };
            match &result.outcome {
                Outcome::Applied { .. } | Outcome::Conflict { .. } => met.push((*id, sent_as)),
                Outcome::Rejected { detail, .. } => {
                    sqlx::query(
                        "UPDATE forwards SET status = $1, detail = $2 WHERE id = $3 AND status = 'queued' AND mid = $4 AND remote_id = $5",
                    )
                    .bind(ForwardStatus::Refused.as_str())
                    .bind(format!("上级信报未接收：{}", clipped(detail, MAX_TEXT)))
                    .bind(id)
                    .bind(sent_as.mid)
                    .bind(&sent_as.remote)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        for (id, sent_as) in met {
            let answer = with_session(state, link, "GET", &format!("/api/items/{}", sent_as.remote), None).await?;
            if answer.status == 404 {
                // Held there under another account (sent before the account changed): it
                // arrived, and what happens to it there is that account's.
                sqlx::query("UPDATE forwards SET status = 'arrived' WHERE id = $1 AND status = 'queued' AND mid = $2 AND remote_id = $3")
                    .bind(id)
                    .bind(sent_as.mid)
                    .bind(&sent_as.remote)
                    .execute(&state.db.pool)
                    .await?;
                continue;
            }
            let now: xinbao_core::sync::ItemSnapshot = json_body(&answer, "稿件")?;
            if now.id != sent_as.remote {
                return Err(Trouble::Remote("上级信报返回的稿件与所送稿件不符，稍后自动重试".into()));
            }
            let item: String = sqlx::query_scalar("SELECT item_id FROM forwards WHERE id = $1").bind(id).fetch_one(&state.db.pool).await?;
            contained(state, id, take_in(state, link, id, &item, &now, Some(&sent_as)).await).await?;
        }
        if answer.expected.is_some() {
            // The destination lost mutations it had answered (restored, its epoch kept): what
            // it answered may be gone too, so everything goes again.
            start_over(state, link, &client_id, true, None).await?;
        } else if answer.reused.is_some() {
            // This side went back (restored from a backup): the numbers mean something else
            // there now; what waits goes again under new ones.
            start_over(state, link, &client_id, false, None).await?;
        } else if answer.results.len() < sent.len() {
            return Err(Trouble::Remote("上级信报只处理了部分稿件，稍后自动重试".into()));
        }
    }
    Ok(())
}

/// A new client id for the link, its queued forwards numbered again from 1; with `everything`
/// (the destination was restored) the arrived ones go again too and the pull starts from 0.
/// Only the server that still sees `old` does it.
async fn start_over(state: &AppState, link: &Link, old: &str, everything: bool, epoch: Option<&str>) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    let fresh = random_hex::<16>().map_err(AppError::Internal)?;
    let moved = sqlx::query(
        "UPDATE upward_links SET client_id = $1, pull_cursor = CASE WHEN $2 = 1 THEN 0 ELSE pull_cursor END, epoch = COALESCE($3, epoch) \
         WHERE destination_id = $4 AND client_id = $5 AND round_owner = $6",
    )
    .bind(&fresh)
    .bind(i64::from(everything))
    .bind(epoch)
    .bind(link.destination)
    .bind(old)
    .bind(state.forwarder.instance())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 0 {
        return Ok(());
    }
    if everything {
        // What arrived under this account goes again; what arrived under an earlier one is
        // that account's there and stays as it is.
        let arrived: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, item_id, remote_id FROM forwards WHERE destination_id = $1 AND status = 'arrived'")
                .bind(link.destination)
                .fetch_all(&mut *tx)
                .await?;
        for (id, item, remote) in arrived {
            if remote == forward_item_id(&item, &link.username) {
                sqlx::query("UPDATE forwards SET status = 'queued' WHERE id = $1").bind(id).execute(&mut *tx).await?;
            }
        }
    }
    renumber(&mut tx, link.destination, "= 'queued'", 1, None).await?;
    tx.commit().await?;
    tracing::info!(destination = link.destination, everything, "forwarding starts over under a new client id");
    Ok(())
}

/// Photos travel before the mutation that names them: the ones the destination lacks.
async fn upload_photos(state: &AppState, link: &Link, content: &xinbao_core::item::DraftContent) -> Result<(), Trouble> {
    for photo in &content.photos {
        let path = format!("/api/attachments/{}", photo.sha256);
        if with_session(state, link, "HEAD", &path, None).await?.status == 200 {
            continue;
        }
        let data: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT data FROM attachments WHERE sha256 = $1").bind(&photo.sha256).fetch_optional(&state.db.pool).await?;
        let Some(data) = data else { continue };
        let answer = with_session(state, link, "PUT", &path, Some(data)).await?;
        if !matches!(answer.status, 200 | 201) {
            return Err(Trouble::Remote(format!("照片上传到上级信报失败（{}），稍后自动重试", answer.status)));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Back.

/// This office's row on the destination's own scoreboard, the year so far (every account there
/// reads the board, as every office here does): kept on the link for the 上报 page.
/// The office's row on the destination's scoreboard, the year so far: read when something came
/// back, and otherwise at most hourly (it is the destination's whole board).
async fn standing(state: &AppState, link: &Link, came_back: bool) -> Result<(), Trouble> {
    if !came_back && now_ms() - link.standing_at < STANDING_EVERY_MS {
        return Ok(());
    }
    let me: xinbao_core::api::Me = json_body(&with_session(state, link, "GET", "/api/me", None).await?, "账号信息")?;
    let today = xinbao_core::scores::day_of(now_ms());
    let from = xinbao_core::scores::day_text(xinbao_core::scores::from_ymd(xinbao_core::scores::ymd(today).0, 1, 1));
    let to = xinbao_core::scores::day_text(today);
    let board: xinbao_core::scores::Scoreboard =
        json_body(&with_session(state, link, "GET", &format!("/api/scores?from={from}&to={to}"), None).await?, "积分排名")?;
    let Some(row) = board.rows.iter().find(|r| r.id == me.unit_id) else {
        sqlx::query("UPDATE upward_links SET standing_at = $1 WHERE destination_id = $2 AND round_owner = $3")
            .bind(now_ms())
            .bind(link.destination)
            .bind(state.forwarder.instance())
            .execute(&state.db.pool)
            .await?;
        return Ok(());
    };
    let standing = xinbao_core::upward::Standing {
        rank: row.rank,
        of: board.rows.iter().filter(|r| r.group == row.group).count() as u32,
        group: row.group.clone(),
        submitted: row.tally.submitted,
        adopted: row.tally.adopted,
        centi: row.tally.centi,
        from,
        to,
    };
    let stored = serde_json::to_string(&standing).map_err(|e| Trouble::Local(AppError::Internal(e.into())))?;
    sqlx::query("UPDATE upward_links SET standing = $1, standing_at = $3 WHERE destination_id = $2 AND round_owner = $4")
        .bind(stored)
        .bind(link.destination)
        .bind(now_ms())
        .bind(state.forwarder.instance())
        .execute(&state.db.pool)
        .await?;
    Ok(())
}

/// Pulls the account's changes and takes in each forwarded item's.
async fn pull(state: &AppState, link: &Link, faults: Faults) -> Result<bool, Trouble> {
    let mut came_back = false;
    for _ in 0..PULL_PAGES {
        let Held { client_id, epoch, cursor } = renew(state, link).await?;
        let body = serde_json::to_vec(&xinbao_core::sync::PullRequest { client_id: client_id.clone(), cursor: cursor.max(0) as u64 })
            .map_err(|e| Trouble::Local(AppError::Internal(e.into())))?;
        let answer = with_session(state, link, "POST", "/api/sync/pull", Some(body)).await?;
        if faults.lose_pull_answer {
            return Err(Trouble::Remote("（测试）应答在途中丢失".into()));
        }
        let answer: PullResponse = json_body(&answer, "回传")?;
        if !epoch.is_empty() && answer.epoch != epoch {
            start_over(state, link, &client_id, true, Some(&answer.epoch)).await?;
            return Ok(came_back);
        }
        if answer.reset {
            // The destination's log is behind the cursor: it was restored, whatever its epoch
            // says. Everything goes again, and the pull starts from 0.
            start_over(state, link, &client_id, true, Some(&answer.epoch)).await?;
            return Ok(came_back);
        }
        for change in &answer.changes {
            let forward = sqlx::query("SELECT id, item_id FROM forwards WHERE destination_id = $1 AND remote_id = $2")
                .bind(link.destination)
                .bind(&change.id)
                .fetch_optional(&state.db.pool)
                .await?;
            if let Some(f) = forward {
                came_back = true;
                let id: i64 = f.try_get(0)?;
                contained(state, id, take_in(state, link, id, &f.try_get::<String, _>(1)?, change, None).await).await?;
            }
        }
        // Recorded only after what it covers (a crash before this takes the page in again,
        // which changes nothing).
        sqlx::query(
            "UPDATE upward_links SET pull_cursor = $1, epoch = $2 WHERE destination_id = $3 AND client_id = $4 AND round_owner = $5",
        )
        .bind(answer.cursor as i64)
        .bind(&answer.epoch)
        .bind(link.destination)
        .bind(&client_id)
        .bind(state.forwarder.instance())
        .execute(&state.db.pool)
        .await?;
        if !answer.has_more {
            break;
        }
    }
    Ok(came_back)
}

/// Reads again from the destination the items whose taking-in failed here, a few a round.
async fn retake(state: &AppState, link: &Link) -> Result<(), Trouble> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, item_id, remote_id FROM forwards WHERE destination_id = $1 AND retake = 1 AND status = 'arrived' ORDER BY id LIMIT 20",
    )
    .bind(link.destination)
    .fetch_all(&state.db.pool)
    .await?;
    for (id, item, remote) in rows {
        let answer = with_session(state, link, "GET", &format!("/api/items/{remote}"), None).await?;
        if answer.status == 404 {
            // No longer this account's there: nothing more to take in.
            sqlx::query("UPDATE forwards SET retake = 0 WHERE id = $1").bind(id).execute(&state.db.pool).await?;
            continue;
        }
        let now: xinbao_core::sync::ItemSnapshot = json_body(&answer, "稿件")?;
        if now.id != remote {
            return Err(Trouble::Remote("上级信报返回的稿件与所送稿件不符，稍后自动重试".into()));
        }
        contained(state, id, take_in(state, link, id, &item, &now, None).await).await?;
    }
    Ok(())
}

/// One item's failure here (what the destination sent cannot be stored: a constraint, a
/// deadlock) stays that item's, named on it and flagged: the link's other items go on, and each
/// round reads the flagged items from the destination again ([`retake`]) until they are in. The
/// destination's own troubles end the round as before.
async fn contained(state: &AppState, forward: i64, outcome: Result<(), Trouble>) -> Result<(), Trouble> {
    match outcome {
        Err(Trouble::Local(e)) => {
            tracing::warn!(forward, error = ?e, "taking in what a destination sent back");
            sqlx::query("UPDATE forwards SET detail = $1, retake = 1 WHERE id = $2")
                .bind("本机记录上级回传时出错，稍后自动重试")
                .bind(forward)
                .execute(&state.db.pool)
                .await?;
            Ok(())
        }
        other => other,
    }
}

/// One forwarded item as the destination has it now: its state and note, its comments, its
/// adoptions and instructions; with `arrived`, a push's answer says the destination holds it
/// (a pull does not move a queued forward: its push will say so, without a gap in its numbers).
async fn take_in(
    state: &AppState,
    link: &Link,
    forward: i64,
    item: &str,
    change: &xinbao_core::sync::ItemSnapshot,
    arrived: Option<&Sent>,
) -> Result<(), Trouble> {
    let answer = with_session(state, link, "GET", &format!("/api/items/{}/scoring", change.id), None).await?;
    // Not readable there (an item sent under another account): its facts are left as they are.
    let scoring: Option<ItemScoring> = if answer.status == 404 { None } else { Some(json_body(&answer, "采用情况")?) };
    // All of it in one transaction, the forward marked arrived (and its retake cleared) last:
    // whatever fails here leaves it queued (its push goes again) or to be taken in again.
    let mut tx = state.db.begin_write().await?;
    let note = change.review.as_ref().map(|r| r.note.clone()).unwrap_or_default();
    sqlx::query("UPDATE forwards SET remote_state = $1, remote_note = $2 WHERE id = $3")
        .bind(change.state.as_str())
        .bind(clipped(&note, MAX_TEXT))
        .bind(forward)
        .execute(&mut *tx)
        .await?;
    let mut changed = false;
    for c in change.comments.iter().take(MAX_REMOTE_COMMENTS) {
        // Each once, whatever page or round brings it again (keyed by the item there, the time
        // and the text: a name changed there is not a new comment).
        let key = {
            use sha2::{Digest, Sha256};
            let digest = Sha256::digest(format!("{}\n{}\n{}", change.id, c.at, c.text).as_bytes());
            format!("fwd:{}:{}", link.destination, digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>())
        };
        let added = sqlx::query(
            "INSERT INTO comments (item_id, author_id, at, text, comment_key) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(item)
        .bind(link.local_user)
        .bind(c.at)
        .bind(format!("【{}】{}：{}", link.name, clipped(&c.by, MAX_SHORT), clipped(&c.text, MAX_TEXT)))
        .bind(&key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        changed |= added > 0;
    }
    if changed {
        crate::items::log_changes(&mut tx, [item.to_owned()]).await?;
    }
    // The facts, each in a savepoint: one this office may not change (a period closed here)
    // is left out and named on the item; the link's next entry (which pulls everything again)
    // or the item's next change there tries it again.
    if let Some(scoring) = scoring {
        let mut problems = Vec::new();
        let moved = match_adoptions(&mut tx, link, item, &scoring.adoptions, &mut problems).await?
            | match_instructions(&mut tx, link, item, &scoring.instructions, &mut problems).await?;
        if moved {
            crate::commissions::rescore_answers(&mut tx, link.office, &[item.to_owned()]).await?;
            crate::items::log_changes(&mut tx, [item.to_owned()]).await?;
        }
        sqlx::query("UPDATE forwards SET detail = $1 WHERE id = $2").bind(problems.join("；")).bind(forward).execute(&mut *tx).await?;
    }
    let (mid, remote) = arrived.map(|s| (s.mid, s.remote.as_str())).unwrap_or((-1, ""));
    sqlx::query(
        "UPDATE forwards SET status = CASE WHEN $1 = 1 AND status = 'queued' AND mid = $2 AND remote_id = $3 THEN 'arrived' ELSE status END, \
         retake = 0 WHERE id = $4",
    )
    .bind(i64::from(arrived.is_some()))
    .bind(mid)
    .bind(remote)
    .bind(forward)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The facts of `kind` recorded here for the item from this destination: (its id there, ours).
async fn facts(tx: &mut Tx, link: &Link, kind: &str, item: &str) -> Result<Vec<(i64, i64)>, AppError> {
    Ok(sqlx::query_as("SELECT remote_id, local_id FROM forward_facts WHERE destination_id = $1 AND kind = $2 AND item_id = $3")
        .bind(link.destination)
        .bind(kind)
        .bind(item)
        .fetch_all(&mut **tx)
        .await?)
}

/// Claims a fact for the item before recording it: false when another server (or an earlier
/// round) has.
async fn claim(tx: &mut Tx, link: &Link, kind: &str, remote: i64, item: &str) -> Result<bool, AppError> {
    let sql =
        "INSERT INTO forward_facts (destination_id, kind, remote_id, item_id, local_id) VALUES ($1, $2, $3, $4, 0) ON CONFLICT DO NOTHING";
    Ok(on_fact(tx, sql, link, kind, remote, item).await? == 1)
}

/// Gives a fact up (the destination took it back): false when another server has.
async fn unclaim(tx: &mut Tx, link: &Link, kind: &str, remote: i64, item: &str) -> Result<bool, AppError> {
    let sql = "DELETE FROM forward_facts WHERE destination_id = $1 AND kind = $2 AND remote_id = $3 AND item_id = $4";
    Ok(on_fact(tx, sql, link, kind, remote, item).await? == 1)
}

async fn on_fact(tx: &mut Tx, sql: &str, link: &Link, kind: &str, remote: i64, item: &str) -> Result<u64, AppError> {
    Ok(sqlx::query(sql).bind(link.destination).bind(kind).bind(remote).bind(item).execute(&mut **tx).await?.rows_affected())
}

async fn settle(tx: &mut Tx, link: &Link, kind: &str, remote: i64, item: &str, local: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE forward_facts SET local_id = $1 WHERE destination_id = $2 AND kind = $3 AND remote_id = $4 AND item_id = $5")
        .bind(local)
        .bind(link.destination)
        .bind(kind)
        .bind(remote)
        .bind(item)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// This office's publication for the destination's, at the level it counts at here: the same
/// name at that level, or — when this office has a publication of that name at another level
/// (every office starts with a 每日要情 of its own) — the name with the destination's after it.
/// Found by name and level together, so a provincial 每日要情 the city recorded is never taken
/// for the city's own.
async fn publication_here(
    tx: &mut Tx,
    link: &Link,
    name: &str,
    level: Level,
) -> Result<Option<xinbao_core::scores::Publication>, AppError> {
    let office = link.office;
    let name = clipped(name, MAX_SHORT);
    let mut candidates = vec![name.clone(), format!("{name}（{}）", link.name)];
    // A third spelling should both of those be taken at other levels.
    candidates.push(format!("{name}（{}·{}）", link.name, level.label().zh));
    for candidate in candidates {
        let found: Option<(i64, String)> = sqlx::query_as("SELECT id, level FROM publications WHERE office_id = $1 AND name = $2")
            .bind(office)
            .bind(&candidate)
            .fetch_optional(&mut **tx)
            .await?;
        match found {
            Some((id, l)) if l == level.as_str() => return publication_of(tx, office, id).await,
            Some(_) => continue,
            None => {
                sqlx::query("INSERT INTO publications (office_id, name, level, kind) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                    .bind(office)
                    .bind(&candidate)
                    .bind(level.as_str())
                    .bind(PubKind::Periodical.as_str())
                    .execute(&mut **tx)
                    .await?;
                let id: Option<i64> = sqlx::query_scalar("SELECT id FROM publications WHERE office_id = $1 AND name = $2 AND level = $3")
                    .bind(office)
                    .bind(&candidate)
                    .bind(level.as_str())
                    .fetch_optional(&mut **tx)
                    .await?;
                match id {
                    Some(id) => return publication_of(tx, office, id).await,
                    None => continue,
                }
            }
        }
    }
    Ok(None)
}

/// Makes the item's adoptions from this destination what the destination has, each fact in a
/// savepoint of its own: one this office may not change (its day in a period closed here) is
/// named in `problems` and the others go on.
async fn match_adoptions(
    tx: &mut Tx,
    link: &Link,
    item: &str,
    there: &[AdoptionView],
    problems: &mut Vec<String>,
) -> Result<bool, AppError> {
    let mut moved = false;
    let here = facts(tx, link, "adoption", item).await?;
    for (remote, local) in &here {
        if !there.iter().any(|a| a.id == *remote) {
            savepoint(tx).await?;
            let outcome = take_back_adoption(tx, link, item, *remote, *local).await;
            moved |= kept(tx, outcome, problems, "上级撤回的采用").await?;
        }
    }
    for a in there.iter().filter(|a| !here.iter().any(|(r, _)| *r == a.id)) {
        savepoint(tx).await?;
        let outcome = add_adoption(tx, link, item, a).await;
        moved |= kept(tx, outcome, problems, &format!("上级采用（《{}》{}）", a.publication, a.issue)).await?;
    }
    Ok(moved)
}

async fn take_back_adoption(tx: &mut Tx, link: &Link, item: &str, remote: i64, local: i64) -> Result<bool, AppError> {
    if !unclaim(tx, link, "adoption", remote, item).await? {
        return Ok(false);
    }
    // The whole adoption here when it was recorded for this item alone, by the link; one an
    // editor typed in stays theirs to take back.
    let by_link: Option<i64> = sqlx::query_scalar("SELECT id FROM adoptions WHERE id = $1 AND recorded_by = $2")
        .bind(local)
        .bind(link.local_user)
        .fetch_optional(&mut **tx)
        .await?;
    if by_link.is_none() {
        return Ok(false);
    }
    remove_adoption(tx, link.local_user, link.office, local).await?;
    Ok(true)
}

async fn add_adoption(tx: &mut Tx, link: &Link, item: &str, a: &AdoptionView) -> Result<bool, AppError> {
    let Some(loaded) = crate::scores::load(tx, item).await? else { return Ok(false) };
    let Some(publication) = publication_here(tx, link, &a.publication, level_here(a.level, link.level)).await? else { return Ok(false) };
    let day = crate::scores::date(&a.date)?;
    crate::scores::check_fact_day(tx, link.office, day, &[item.to_owned()]).await?;
    if !claim(tx, link, "adoption", a.id, item).await? {
        return Ok(false);
    }
    // The editor may have typed it in already from the destination's notice: the same item, a
    // publication at the same level, the same issue. That record stands for it (its points are
    // counted once); nothing is added.
    if let Some(typed) = typed_in(tx, item, link.office, publication.level, &a.issue).await? {
        settle(tx, link, "adoption", a.id, item, typed).await?;
        return Ok(false);
    }
    let issue = clipped(&a.issue, MAX_SHORT);
    let local = record_adoption(tx, link.local_user, link.office, &publication, a.form, day, &issue, vec![loaded.credit]).await?;
    settle(tx, link, "adoption", a.id, item, local).await?;
    Ok(true)
}

/// An adoption of the item typed in here by hand — for this item alone, in a publication at
/// `level`, with the same issue (or the same number in it: 第12期 is 12) — that stands for no
/// destination's fact yet. A combined piece, an adoption without an issue, or one the system
/// recorded is never taken for it.
async fn typed_in(tx: &mut Tx, item: &str, office: i64, level: Level, issue: &str) -> Result<Option<i64>, AppError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT a.id, a.issue FROM adoptions a JOIN adoption_items ai ON ai.adoption_id = a.id \
         JOIN publications p ON p.id = a.publication_id JOIN users u ON u.id = a.recorded_by \
         WHERE ai.item_id = $1 AND a.office_id = $2 AND p.level = $3 AND u.username NOT LIKE '#%' \
         AND (SELECT COUNT(*) FROM adoption_items x WHERE x.adoption_id = a.id) = 1 \
         AND NOT EXISTS (SELECT 1 FROM forward_facts f WHERE f.kind = 'adoption' AND f.local_id = a.id) \
         ORDER BY a.id",
    )
    .bind(item)
    .bind(office)
    .bind(level.as_str())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().find(|(_, typed)| xinbao_core::upward::same_issue(typed, issue)).map(|(id, _)| id))
}

/// Makes the item's instructions from this destination what the destination has, as
/// [`match_adoptions`] does.
async fn match_instructions(
    tx: &mut Tx,
    link: &Link,
    item: &str,
    there: &[InstructionView],
    problems: &mut Vec<String>,
) -> Result<bool, AppError> {
    let mut moved = false;
    let here = facts(tx, link, "instruction", item).await?;
    for (remote, local) in &here {
        if !there.iter().any(|i| i.id == *remote) {
            savepoint(tx).await?;
            let outcome = take_back_instruction(tx, link, item, *remote, *local).await;
            moved |= kept(tx, outcome, problems, "上级撤回的批示").await?;
        }
    }
    for i in there.iter().filter(|i| !here.iter().any(|(r, _)| *r == i.id)) {
        savepoint(tx).await?;
        let outcome = add_instruction(tx, link, item, i).await;
        moved |= kept(tx, outcome, problems, &format!("上级批示（{}）", i.leader)).await?;
    }
    Ok(moved)
}

async fn take_back_instruction(tx: &mut Tx, link: &Link, item: &str, remote: i64, local: i64) -> Result<bool, AppError> {
    if !unclaim(tx, link, "instruction", remote, item).await? {
        return Ok(false);
    }
    sqlx::query("DELETE FROM instructions WHERE id = $1").bind(local).execute(&mut **tx).await?;
    rescore_instructions_of(tx, link, item).await?;
    Ok(true)
}

async fn add_instruction(tx: &mut Tx, link: &Link, item: &str, i: &InstructionView) -> Result<bool, AppError> {
    let day = crate::scores::date(&i.date)?;
    crate::scores::check_fact_day(tx, link.office, day, &[item.to_owned()]).await?;
    if !claim(tx, link, "instruction", i.id, item).await? {
        return Ok(false);
    }
    let local: i64 = sqlx::query_scalar(
        "INSERT INTO instructions (item_id, level, day, leader, text, recorded_by, recorded_at, office_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(item)
    .bind(level_here(i.level, link.level).as_str())
    .bind(i64::from(day))
    .bind(clipped(&i.leader, MAX_SHORT))
    .bind(format!("{}（{}回传）", clipped(&i.text, MAX_TEXT), link.name))
    .bind(link.local_user)
    .bind(now_ms())
    .bind(link.office)
    .fetch_one(&mut **tx)
    .await?;
    settle(tx, link, "instruction", i.id, item, local).await?;
    crate::accounts::audit_in(
        &mut **tx,
        Some(link.local_user),
        "instruction",
        item,
        &format!("{} {}（回传）", i.level.label().zh, clipped(&i.leader, MAX_SHORT)),
    )
    .await?;
    rescore_instructions_of(tx, link, item).await?;
    Ok(true)
}

async fn rescore_instructions_of(tx: &mut Tx, link: &Link, item: &str) -> Result<(), AppError> {
    if let Some(loaded) = crate::scores::load(tx, item).await? {
        crate::adoption::rescore_instructions(tx, &loaded, link.office).await?;
    }
    Ok(())
}

async fn savepoint(tx: &mut Tx) -> Result<(), AppError> {
    sqlx::query("SAVEPOINT forward_fact").execute(&mut **tx).await?;
    Ok(())
}

/// Ends a fact's savepoint: kept when it went through; rolled back, and named in `problems`,
/// when this office refused it; a database failure stays a failure.
async fn kept(tx: &mut Tx, outcome: Result<bool, AppError>, problems: &mut Vec<String>, what: &str) -> Result<bool, AppError> {
    match outcome {
        Ok(moved) => {
            sqlx::query("RELEASE SAVEPOINT forward_fact").execute(&mut **tx).await?;
            Ok(moved)
        }
        Err(AppError::Refused(_, detail)) => {
            sqlx::query("ROLLBACK TO SAVEPOINT forward_fact").execute(&mut **tx).await?;
            sqlx::query("RELEASE SAVEPOINT forward_fact").execute(&mut **tx).await?;
            problems.push(format!("{what}未能记入：{}", detail.unwrap_or_else(|| "不符合记分规则".into())));
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Setting a link up.

/// The office's links as its pages show them (`with_account`: the administrator's page names the
/// address and the account; the section's list shows only whether it is connected and how).
pub(crate) async fn links_of(
    conn: &mut sqlx::AnyConnection,
    office: i64,
    with_account: bool,
) -> Result<Vec<xinbao_core::upward::Link>, AppError> {
    let rows = sqlx::query(
        "SELECT l.destination_id, l.url, l.username, l.problem, l.last_contact, l.standing, \
         (SELECT COUNT(*) FROM forwards f WHERE f.destination_id = l.destination_id AND f.status = 'queued') AS queued \
         FROM upward_links l JOIN upward_destinations d ON d.id = l.destination_id WHERE d.office_id = $1 ORDER BY l.destination_id",
    )
    .bind(office)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(xinbao_core::upward::Link {
                destination_id: r.try_get(0)?,
                // The address and the account are the administrator's to see.
                url: if with_account { r.try_get(1)? } else { String::new() },
                username: if with_account { r.try_get(2)? } else { String::new() },
                problem: r.try_get(3)?,
                last_contact: r.try_get(4)?,
                standing: serde_json::from_str(&r.try_get::<String, _>(5)?).ok(),
                queued: u32::try_from(r.try_get::<i64, _>(6)?).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// Tries the account at the destination before a link is stored: the words of what failed.
pub(crate) async fn try_link(
    state: &AppState,
    destination: i64,
    url: &str,
    new: &xinbao_core::upward::NewLink,
) -> Result<Option<String>, AppError> {
    agent(&new.ca_pem, TRY_DEADLINE).map_err(AppError::bad_request)?;
    let probe = Link {
        destination,
        name: String::new(),
        level: Level::City,
        office: 0,
        url: url.to_owned(),
        username: new.username.trim().to_owned(),
        password: new.password.clone(),
        ca_pem: new.ca_pem.clone(),
        local_user: 0,
        standing_at: 0,
        deadline: TRY_DEADLINE,
    };
    match login(state, &probe).await {
        Ok(_) => Ok(None),
        Err(Trouble::Remote(why) | Trouble::Halt(why)) => Ok(Some(why)),
        Err(Trouble::Yield) => Ok(None),
        Err(Trouble::Local(e)) => Err(e),
    }
}

/// Stores a link. The same account again (a new password, a new address for the same server)
/// keeps the link's numbers and sends what the destination refused again; another account
/// starts over under a new client id, and what has not arrived goes under that account's ids
/// (what arrived stays where it is: it is the old account's there).
pub(crate) async fn store_link(
    tx: &mut Tx,
    destination: i64,
    url: &str,
    new: &xinbao_core::upward::NewLink,
    local_user: i64,
) -> Result<(), AppError> {
    let client = random_hex::<16>().map_err(AppError::Internal)?;
    let username = crate::accounts::normalize_username(&new.username);
    let known: Option<(String, i64)> = sqlx::query_as("SELECT username, halted FROM upward_links WHERE destination_id = $1")
        .bind(destination)
        .fetch_optional(&mut **tx)
        .await?;
    let Some((old_user, halted)) = known else {
        sqlx::query(
            "INSERT INTO upward_links (destination_id, url, username, password, ca_pem, local_user, client_id, next_mid) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
        )
        .bind(destination)
        .bind(url)
        .bind(&username)
        .bind(&new.password)
        .bind(new.ca_pem.trim())
        .bind(local_user)
        .bind(&client)
        .execute(&mut **tx)
        .await?;
        return Ok(());
    };
    let another = crate::accounts::normalize_username(&old_user) != username;
    // A link halted because the destination refused the account starts afresh under a new
    // client id as well: whatever the refusal was about, the numbers carry none of it.
    let fresh = another || halted != 0;
    // The round of any server under the old entry ends at its next request (its lease is gone);
    // the next round tries at once.
    sqlx::query(
        "UPDATE upward_links SET url = $1, username = $2, password = $3, ca_pem = $4, problem = '', halted = 0, pull_cursor = 0, \
         client_id = CASE WHEN $5 = 1 THEN $6 ELSE client_id END, epoch = CASE WHEN $5 = 1 THEN '' ELSE epoch END, \
         round_owner = '', round_until = 0, failures = 0, next_try = 0 WHERE destination_id = $7",
    )
    .bind(url)
    .bind(&username)
    .bind(&new.password)
    .bind(new.ca_pem.trim())
    .bind(i64::from(fresh))
    .bind(&client)
    .bind(destination)
    .execute(&mut **tx)
    .await?;
    // Those that go (again): numbered after what the link has used, or from 1 under a new
    // client id (under another account's ids for another account).
    if another {
        renumber(tx, destination, "<> 'arrived'", 1, Some(&username)).await
    } else if fresh {
        renumber(tx, destination, "<> 'arrived'", 1, None).await
    } else {
        let next: i64 = sqlx::query_scalar("SELECT next_mid FROM upward_links WHERE destination_id = $1")
            .bind(destination)
            .fetch_one(&mut **tx)
            .await?;
        renumber(tx, destination, "= 'refused'", next, None).await
    }
}

/// Queues the link's forwards whose status is `which` (an SQL condition) again, numbered in
/// their order from `first` — under `account`'s ids there when the account changed — and sets
/// the link's next number after them.
async fn renumber(tx: &mut Tx, destination: i64, which: &str, first: i64, account: Option<&str>) -> Result<(), AppError> {
    let rows = sqlx::query(&format!(
        "SELECT id, item_id, mutation, remote_id FROM forwards WHERE destination_id = $1 AND status {which} ORDER BY mid, id"
    ))
    .bind(destination)
    .fetch_all(&mut **tx)
    .await?;
    // What goes again, by its id there before: a 续报 among them finds its first report.
    let mut going = std::collections::HashMap::new();
    for r in &rows {
        going.insert(r.try_get::<String, _>(3)?, r.try_get::<String, _>(1)?);
    }
    for (n, r) in rows.iter().enumerate() {
        let id: i64 = r.try_get(0)?;
        let mut mutation: Mutation = crate::db::stored_json(&r.try_get::<String, _>(2)?, "forwards.mutation", &id.to_string())?;
        mutation.mid = (first + n as i64) as u64;
        if let Some(account) = account {
            mutation.item_id = forward_item_id(&r.try_get::<String, _>(1)?, account);
            // A 续报 names its first report by the first report's id there: under the new
            // account's when that one goes (again) too, or else it goes as a first report.
            if let Op::Submit { content } = &mut mutation.op
                && let Some(follows) = content.follows.take()
            {
                match going.get(&follows) {
                    Some(first) => content.follows = Some(forward_item_id(first, account)),
                    None => content.stage = xinbao_core::item::ReportStage::Initial,
                }
            }
        }
        let frozen = serde_json::to_string(&mutation).map_err(|e| AppError::Internal(e.into()))?;
        sqlx::query("UPDATE forwards SET mid = $1, remote_id = $2, mutation = $3, status = 'queued', detail = '' WHERE id = $4")
            .bind(mutation.mid as i64)
            .bind(&mutation.item_id)
            .bind(&frozen)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("UPDATE upward_links SET next_mid = $1 WHERE destination_id = $2")
        .bind(first + rows.len() as i64)
        .bind(destination)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
