//! `xinbao-server`: serve the app and API, or administer accounts from the command line.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use xinbao_core::role::Role;
use xinbao_server::accounts::{NewUser, ensure_unit, root_unit, upsert_user};
use xinbao_server::config::Config;
use xinbao_server::db::Db;
use xinbao_server::{Application, demo};

#[derive(Parser)]
#[command(name = "xinbao-server", version, about = "信报 Xinbao server: API, database and the web app")]
struct Cli {
    /// Log as JSON lines (for log collectors) instead of text.
    #[arg(long, global = true, env = "XINBAO_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Storage {
    /// Data directory (SQLite database, attachments).
    #[arg(long, env = "XINBAO_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Database URL; default: SQLite in the data directory. `postgres://user@host/db` for PostgreSQL.
    #[arg(long, env = "XINBAO_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the built app.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "XINBAO_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[command(flatten)]
        storage: Storage,
        /// The built app (`cargo xtask build` writes it to dist/).
        #[arg(long, env = "XINBAO_STATIC_DIR", default_value = "dist")]
        static_dir: PathBuf,
        /// Load the demo county (units, an account per role, sample items).
        #[arg(long)]
        demo: bool,
        /// Mark the session cookie Secure (set when served over HTTPS).
        #[arg(long, env = "XINBAO_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Largest request body accepted, in bytes.
        #[arg(long, env = "XINBAO_MAX_BODY_BYTES", default_value_t = 2 * 1024 * 1024)]
        max_body_bytes: usize,
        /// Browsers seal drafts, the outbox and photos in IndexedDB under a key only the
        /// officer's password opens (on by default: township PCs are shared). `false` to turn off.
        #[arg(long, env = "XINBAO_LOCAL_ENCRYPTION", default_value_t = true, action = clap::ArgAction::Set)]
        local_encryption: bool,
        /// A reverse proxy in front of this server (an address or a network, e.g. 127.0.0.1 or
        /// 10.0.0.0/8; repeat or comma-separate for more): its X-Forwarded-For names the client
        /// for login throttling. Without it the header is ignored.
        #[arg(long = "trusted-proxy", env = "XINBAO_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_cidr)]
        trusted_proxies: Vec<xinbao_server::ratelimit::Cidr>,
        /// Serve https with this PEM certificate chain (the server's certificate first; an
        /// office CA last is offered at /ca). Plain http on the same port is redirected to https,
        /// except on localhost. `tls-init` makes one.
        #[arg(long, env = "XINBAO_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of --tls-cert.
        #[arg(long, env = "XINBAO_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Seconds between rounds of forwarding 上报 to destinations that run Xinbao (and
        /// taking back what they did with it); a batch recorded goes at once.
        #[arg(long, env = "XINBAO_FORWARD_EVERY", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=3600))]
        forward_every: u64,
    },
    /// Import units and accounts from a spreadsheet made from the template (the admin page's
    /// 批量导入 offers it): every row is checked first; nothing is imported unless all pass. New
    /// accounts get one-time passwords, printed here and written to --passwords.
    Import {
        #[command(flatten)]
        storage: Storage,
        /// The workbook (.xlsx, as the template is).
        file: PathBuf,
        /// Check every row and say what would be created, without writing anything.
        #[arg(long)]
        check: bool,
        /// Write the new accounts' one-time passwords to this .xlsx (to print and hand out).
        #[arg(long)]
        passwords: Option<PathBuf>,
        /// Write an empty template to FILE instead, and import nothing.
        #[arg(long)]
        template: bool,
    },
    /// Make an office CA and a server certificate for the addresses people type (an intranet
    /// address, a host name), for `serve --tls-cert DIR/server.crt --tls-key DIR/server.key`.
    /// The CA's private key is not kept: nothing else can be signed with it.
    TlsInit {
        /// Where to write office-ca.crt, server.crt and server.key.
        #[arg(long, default_value = "tls")]
        dir: PathBuf,
        /// A host name of the server (repeat for more), e.g. xinbao.county.gov.cn.
        #[arg(long = "host")]
        hosts: Vec<String>,
        /// An address of the server (repeat for more), e.g. 10.1.2.3.
        #[arg(long = "ip")]
        ips: Vec<std::net::IpAddr>,
        /// The office's name, shown in the certificate (e.g. 林双县人民政府办公室).
        #[arg(long, default_value = "县政府办公室信息科")]
        office: String,
        /// Replace certificates already there (every PC must install the new CA).
        #[arg(long)]
        force: bool,
    },
    /// Run the writing checks over a JSONL file of items (corpus format): one JSON line per
    /// item, then agreement per label when the file carries labels.
    Quality {
        file: PathBuf,
        /// Rules file (JSON, the format of crates/core/src/quality/rules.json); default: built in.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Write a consistent copy of the SQLite database to PATH (safe while the server runs).
    Backup {
        #[command(flatten)]
        storage: Storage,
        path: PathBuf,
    },
    /// Put a backup in place of the data directory's database (stop the server first). The
    /// restored database gets a new epoch, so browsers re-propose what the backup lacks.
    Restore {
        #[command(flatten)]
        storage: Storage,
        path: PathBuf,
    },
    /// Give the database a new epoch: run after restoring PostgreSQL from a backup (`pg_restore`,
    /// point-in-time recovery), before starting the servers, so every browser compares what it
    /// was told the server holds with what it now holds and sends again what is missing.
    NewEpoch {
        #[command(flatten)]
        storage: Storage,
    },
    /// Copy everything from the SQLite database to an empty PostgreSQL database, verifying each
    /// table's row count and checksum before committing (stop the server first):
    /// `migrate-to postgres://user@host/db`.
    MigrateTo {
        #[command(flatten)]
        storage: Storage,
        /// The PostgreSQL database to fill.
        target: String,
    },
    /// Generate an office with a year of items, adoptions, instructions and points (for trying
    /// the scoreboard and for benchmarks): `year` is a county (12,000 items), `officers` a county
    /// of 2,000 officers (the load test), `province` 1,000,000 items. Every seeded account's password is printed.
    Seed {
        #[command(flatten)]
        storage: Storage,
        /// `year`, `officers` or `province`.
        #[arg(long, default_value = "year")]
        scale: String,
        /// The calendar year the items fall in.
        #[arg(long, default_value_t = 2026)]
        year: i32,
    },
    /// Create an account (or reset an existing one's password, role and unit).
    AddUser {
        #[command(flatten)]
        storage: Storage,
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        /// officer, editor, signer, admin or reader.
        #[arg(long)]
        role: String,
        /// Display name (defaults to the user name).
        #[arg(long)]
        name: Option<String>,
        /// Unit name under the root office (created if missing); default: the root office.
        #[arg(long)]
        unit: Option<String>,
        /// The password is one-time: it must be changed at first login.
        #[arg(long)]
        must_change_password: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if cli.log_json {
        logs.json().init();
    } else {
        logs.init();
    }
    match cli.command {
        Command::Serve {
            addr,
            storage,
            static_dir,
            demo,
            secure_cookies,
            max_body_bytes,
            local_encryption,
            trusted_proxies,
            tls_cert,
            tls_key,
            forward_every,
        } => {
            let tls = tls_cert.zip(tls_key).map(|(cert, key)| xinbao_server::tls::TlsFiles { cert, key });
            let config = Config {
                addr,
                data_dir: storage.data_dir,
                database_url: storage.database_url,
                static_dir,
                demo,
                secure_cookies,
                max_body_bytes,
                local_encryption,
                trusted_proxies,
                tls,
                forward_every: std::time::Duration::from_secs(forward_every),
            };
            Application::build(config).await?.run().await
        }
        Command::Import { storage, file, check, passwords, template } => {
            if template {
                std::fs::write(&file, xinbao_server::setup::template_xlsx()?)?;
                println!("template written to {}", file.display());
                return Ok(());
            }
            let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let config = Config { database_url: storage.database_url, ..Config::for_tests(storage.data_dir) };
            let db = Db::connect(&config.database_url()?).await?;
            db.migrate().await?;
            let report =
                xinbao_server::setup::import(&db, &bytes, None, None, check).await.map_err(|e| anyhow::anyhow!("import: {e:?}"))?;
            if !report.errors.is_empty() {
                eprintln!("{} 未导入 nothing imported — {} 处错误:", file.display(), report.errors.len());
                for e in &report.errors {
                    eprintln!("  {} 第{}行  {}", e.sheet, e.row, e.zh);
                }
                std::process::exit(1);
            }
            let verb = if report.imported { "已导入 imported" } else { "检查通过 checked (nothing written)" };
            println!("{verb}: {} 个单位 units, {} 个账号 accounts", report.units, report.accounts.len());
            for a in &report.accounts {
                println!("  {:<16} {:<14} {:<8} {:<20} {}", a.username, a.password, a.role.label().zh, a.unit, a.display_name);
            }
            if let (Some(path), true) = (passwords, report.imported) {
                std::fs::write(&path, xinbao_server::setup::passwords_xlsx(&report.accounts)?)?;
                println!("一次性密码表 one-time passwords: {}", path.display());
            }
            Ok(())
        }
        Command::TlsInit { dir, hosts, ips, office, force } => {
            let issued = xinbao_server::tls::init(&dir, &office, &hosts, &ips, force)?;
            println!("office CA   {}", issued.ca_cert.display());
            println!("certificate {} (with the CA)", issued.server_cert.display());
            println!("key         {} (keep it on this server only)", issued.server_key.display());
            println!("CA SHA-256  {}", issued.fingerprint);
            println!(
                "\nserve with: xinbao-server serve --addr 0.0.0.0:8443 --tls-cert {} --tls-key {}",
                issued.server_cert.display(),
                issued.server_key.display()
            );
            println!("then every PC installs the CA from http://<this server>:8443/ca (compare the fingerprint above)");
            Ok(())
        }
        Command::Backup { storage, path } => {
            let config = Config { database_url: storage.database_url, ..Config::for_tests(storage.data_dir) };
            let db = Db::connect(&config.database_url()?).await?;
            xinbao_server::backup::backup(&db, &path).await?;
            println!("backup written to {} ({})", path.display(), xinbao_server::backup::summary(&db).await?);
            Ok(())
        }
        Command::Restore { storage, path } => {
            let counts = xinbao_server::backup::restore(&path, &storage.data_dir).await?;
            println!("restored {} into {} ({counts})", path.display(), storage.data_dir.display());
            Ok(())
        }
        Command::NewEpoch { storage } => {
            let config = Config { database_url: storage.database_url, ..Config::for_tests(storage.data_dir) };
            let db = Db::connect(&config.database_url()?).await?;
            db.migrate().await?;
            println!("new epoch {}: browsers will compare and send again what this database lacks", db.new_epoch().await?);
            Ok(())
        }
        Command::MigrateTo { storage, target } => {
            let config = Config { database_url: storage.database_url, ..Config::for_tests(storage.data_dir) };
            let source = Db::connect(&config.database_url()?).await?;
            let report = xinbao_server::migrate::migrate_to(&source, &target).await?;
            println!("{:<28} {:>10}  checksum (SQLite = PostgreSQL)", "table", "rows");
            for t in &report {
                println!("{:<28} {:>10}  {}", t.table, t.rows, t.checksum);
            }
            let rows: u64 = report.iter().map(|t| t.rows).sum();
            println!("migrated and verified: {} tables, {rows} rows", report.len());
            Ok(())
        }
        Command::Seed { storage, scale, year } => {
            let scale = match scale.as_str() {
                "year" => xinbao_server::seed::Scale::year(year),
                "province" => xinbao_server::seed::Scale::province(year),
                "officers" => xinbao_server::seed::Scale::officers(year),
                other => anyhow::bail!("unknown scale {other}: use year, officers or province"),
            };
            let config = Config { database_url: storage.database_url, ..Config::for_tests(storage.data_dir) };
            let db = Db::connect(&config.database_url()?).await?;
            db.migrate().await?;
            let started = std::time::Instant::now();
            let s = xinbao_server::seed::seed(&db, &scale).await?;
            println!(
                "seeded {} (unit id {}): {} items, {} adoptions, {} instructions in {:.1} s; editor {} / password {}",
                scale.office,
                s.office,
                s.facts.submissions.len(),
                s.facts.adoptions.len(),
                s.facts.instructions.len(),
                started.elapsed().as_secs_f64(),
                s.editor,
                s.password
            );
            Ok(())
        }
        Command::Quality { file, rules } => xinbao_server::quality::run(&file, rules.as_deref()),
        Command::AddUser { storage, username, password, role, name, unit, must_change_password } => {
            let role =
                Role::parse(&role).ok_or_else(|| anyhow::anyhow!("unknown role {role}: use officer, editor, signer, admin or reader"))?;
            let config = Config { database_url: storage.database_url, ..Config::for_tests(storage.data_dir) };
            let db = Db::connect(&config.database_url()?).await?;
            db.migrate().await?;
            let root = match root_unit(&db).await? {
                Some(id) => id,
                None => ensure_unit(&db, None, demo::ROOT_OFFICE, "office").await?,
            };
            let unit_id = match &unit {
                Some(u) => ensure_unit(&db, Some(root), u, "township").await?,
                None => root,
            };
            let display = name.unwrap_or_else(|| username.clone());
            let id = upsert_user(
                &db,
                NewUser { username: &username, display_name: &display, role, unit_id, password: &password, must_change_password },
            )
            .await?;
            println!("account {username} (id {id}) ready");
            Ok(())
        }
    }
}

fn parse_cidr(text: &str) -> Result<xinbao_server::ratelimit::Cidr, String> {
    xinbao_server::ratelimit::Cidr::parse(text).ok_or_else(|| format!("not an address or network: {text} (e.g. 127.0.0.1 or 10.0.0.0/8)"))
}
