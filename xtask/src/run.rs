//! Running commands: print what runs, fail with a message that says which command failed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub type Result<T> = std::result::Result<T, String>;

/// The workspace root (the folder above `xtask/`).
pub fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(Path::to_path_buf).unwrap_or(here)
}

/// A command rooted at the workspace, with the project's tools first on PATH.
pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(root()).env("PATH", tool_path());
    c
}

/// PATH with `tools/node_modules/.bin` (wasm-opt from npm's binaryen) and `~/.cargo/bin` first.
pub fn tool_path() -> String {
    let mut parts = vec![root().join("tools/node_modules/.bin").display().to_string()];
    if let Some(home) = std::env::var_os("HOME") {
        parts.push(PathBuf::from(home).join(".cargo/bin").display().to_string());
    }
    if let Ok(p) = std::env::var("PATH") {
        parts.push(p);
    }
    parts.join(":")
}

fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Runs `c`, streaming its output; an unsuccessful exit is an error naming the command.
pub fn status(c: &mut Command) -> Result<()> {
    let line = describe(c);
    println!("$ {line}");
    let st = c.status().map_err(|e| format!("cannot run `{line}`: {e}"))?;
    if st.success() { Ok(()) } else { Err(format!("`{line}` failed ({st})")) }
}

/// Runs `c` quietly and returns its stdout, or None when it cannot run or fails.
pub fn output(c: &mut Command) -> Option<String> {
    let out = c.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether this process runs as root (Debian's packages are then installed without sudo, and
/// PostgreSQL and nginx are run as their own users).
pub fn is_root() -> bool {
    output(&mut cmd("id", &["-u"])).is_some_and(|u| u.trim() == "0")
}

/// Whether `program` can be found and started.
pub fn exists(program: &str, version_arg: &str) -> Option<String> {
    output(&mut cmd(program, &[version_arg]))
}

/// A server process started for a bench or a check, killed when dropped.
pub struct Server {
    child: std::process::Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// The server's process id (the benchmarks read its memory and CPU).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Runs `bin serve --addr 127.0.0.1:0 ARGS…` and waits for its "listening on" line.
    pub fn start(bin: &Path, args: &[String], stderr: Stdio) -> Result<Server> {
        Server::start_on(bin, "127.0.0.1:0", args, stderr)
    }

    /// [`Server::start`] on a given address (a restarted server behind a proxy keeps its port).
    pub fn start_on(bin: &Path, addr: &str, args: &[String], stderr: Stdio) -> Result<Server> {
        use std::io::{BufRead, BufReader};
        let mut all = vec!["serve".to_owned(), "--addr".to_owned(), addr.to_owned()];
        all.extend(args.iter().cloned());
        let mut child = cmd(&bin.display().to_string(), &all.iter().map(String::as_str).collect::<Vec<_>>())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("starting the server: {e}"))?;
        let stdout = child.stdout.take().ok_or("no server stdout")?;
        for line in BufReader::new(stdout).lines().map_while(std::result::Result::ok) {
            if let Some(addr) = line.strip_prefix("listening on http://") {
                let port = addr.rsplit(':').next().and_then(|p| p.parse().ok()).ok_or("bad listening line")?;
                return Ok(Server { child, port });
            }
        }
        Err("the server exited before listening".into())
    }

    /// Kills the process at once (SIGKILL: nothing in flight is finished).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Asks the process to stop (SIGTERM) and waits for it, 30 s at most (then it is killed):
    /// whether it exited successfully in time.
    pub fn stop(mut self) -> bool {
        let pid = self.child.id().to_string();
        if output(&mut cmd("kill", &["-TERM", &pid])).is_none() {
            return false;
        }
        let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < until {
            match self.child.try_wait() {
                Ok(Some(status)) => return status.success(),
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
                Err(_) => return false,
            }
        }
        // Drop kills it.
        false
    }
}
