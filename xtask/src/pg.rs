//! A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, started on a
//! free loopback port as the unprivileged `postgres` user, removed afterwards. CI starts with
//! nothing running, so the tests bring their own.

use crate::run::{Result, cmd, is_root, status};
use crate::tools::ensure_apt;
use std::net::TcpListener;
use std::path::PathBuf;

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    as_root: bool,
}

impl Cluster {
    /// `postgres://xinbao@127.0.0.1:PORT/postgres`: a superuser URL tests use to create their own
    /// databases.
    pub fn admin_url(&self) -> String {
        format!("postgres://xinbao@127.0.0.1:{}/postgres", self.port)
    }

    /// Creates database `name` on the cluster and returns its URL.
    pub fn database(&self, name: &str) -> Result<String> {
        let out = self
            .pg(
                "psql",
                &[
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &self.port.to_string(),
                    "-U",
                    "xinbao",
                    "-d",
                    "postgres",
                    "-c",
                    &format!("CREATE DATABASE {name}"),
                ],
            )
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("creating database {name}: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(format!("postgres://xinbao@127.0.0.1:{}/{name}", self.port))
    }

    fn pg(&self, tool: &str, args: &[&str]) -> std::process::Command {
        let exe = self.bin.join(tool).display().to_string();
        if self.as_root {
            let mut all = vec!["-u", "postgres", "--", exe.as_str()];
            all.extend_from_slice(args);
            cmd("runuser", &all)
        } else {
            cmd(&exe, args)
        }
    }

    /// Installs PostgreSQL if missing and starts a fresh cluster.
    pub fn start() -> Result<Cluster> {
        ensure_apt(&["postgresql"])?;
        let versions = std::fs::read_dir("/usr/lib/postgresql").map_err(|e| format!("no PostgreSQL under /usr/lib/postgresql: {e}"))?;
        let mut bins: Vec<PathBuf> = versions.flatten().map(|d| d.path().join("bin")).filter(|b| b.join("initdb").exists()).collect();
        bins.sort();
        let bin = bins.pop().ok_or("no initdb found under /usr/lib/postgresql/*/bin")?;
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).map_err(|e| e.to_string())?;
        let dir = std::env::temp_dir().join(format!("xinbao-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let as_root = is_root();
        if as_root {
            status(&mut cmd("chown", &["postgres:postgres", &dir.display().to_string()]))?;
        }
        let cluster = Cluster { dir, bin, port, as_root };
        let data = cluster.dir.join("data").display().to_string();
        let sock = cluster.dir.display().to_string();
        status(
            cluster
                .pg("initdb", &["-D", &data, "-U", "xinbao", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
                .stdout(std::process::Stdio::null()),
        )?;
        // fsync off: a test cluster need not survive power loss; the server's own durability
        // settings (commits acknowledged only when committed) are unchanged.
        let opts = format!(
            "-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=512MB"
        );
        let log = cluster.dir.join("log").display().to_string();
        status(&mut cluster.pg("pg_ctl", &["-D", &data, "-o", &opts, "-l", &log, "-w", "start"]))?;
        Ok(cluster)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        let _ = self.pg("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
