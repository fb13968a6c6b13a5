//! Running the engines' client tools (pg_dump, pg_restore, psql, mariadb-dump, mariadb): found on PATH,
//! given the password through the environment (never on the command line), errors without secrets.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use anyhow::Context as _;

use crate::connection::{DatabaseUrl, Engine};

/// How to install the client tools of `engine`.
fn install_hint(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => {
            "Install the PostgreSQL client tools (their major version at least the server's): Debian/Ubuntu `apt install postgresql-client`, Fedora `dnf install postgresql`, macOS `brew install libpq` (then add its bin folder to PATH)."
        }
        Engine::MySql => {
            "Install the MariaDB client tools: Debian/Ubuntu `apt install mariadb-client`, Fedora `dnf install mariadb`, macOS `brew install mariadb`."
        }
        Engine::Sqlite => "",
    }
}

/// The full path of `program` on PATH.
pub fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// The first of `programs` found on PATH, or an error saying how to install them.
pub fn require(engine: Engine, programs: &[&str]) -> anyhow::Result<PathBuf> {
    programs.iter().find_map(|p| find(p)).with_context(|| {
        format!(
            "{} was not found on PATH: ai-shell uses the engine's own tools for backups\n\n{}",
            programs[0],
            install_hint(engine)
        )
    })
}

/// The first line of `program --version`.
pub fn version(program: &std::path::Path) -> String {
    Command::new(program)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(|l| l.trim().to_string()))
        .unwrap_or_else(|| program.display().to_string())
}

/// Connection settings for a client tool: the URL without its password (libpq reads a URI) or the
/// separate MariaDB options, and the environment variables that carry the password.
pub struct Conn {
    pub args: Vec<String>,
    pub env: Vec<(&'static str, String)>,
}

/// libpq's parameters that a URI may carry; sqlx's own options are left out.
const LIBPQ_PARAMS: &[&str] = &[
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "application_name",
    "options",
    "connect_timeout",
    "target_session_attrs",
    "gssencmode",
    "channel_binding",
];

/// The settings that reach database `database` (default: the URL's) on `url`'s server.
pub fn conn(url: &DatabaseUrl, database: Option<&str>) -> anyhow::Result<Conn> {
    let mut u = url::Url::parse(url.as_str()).context("reading the database URL")?;
    let password = u.password().map(percent_decode);
    let _ = u.set_password(None);
    let db = database
        .map(str::to_string)
        .or_else(|| url.database_name())
        .unwrap_or_default();
    match url.engine() {
        Engine::Postgres => {
            let kept: Vec<(String, String)> = u
                .query_pairs()
                .filter(|(k, _)| LIBPQ_PARAMS.contains(&k.as_ref()))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            u.set_query(None);
            if !kept.is_empty() {
                u.query_pairs_mut().extend_pairs(kept);
            }
            u.set_path(&format!("/{db}"));
            let _ = u.set_scheme("postgresql");
            let mut env = vec![];
            if let Some(p) = password {
                env.push(("PGPASSWORD", p));
            }
            Ok(Conn {
                args: vec![format!("--dbname={u}")],
                env,
            })
        }
        Engine::MySql => {
            let mut args = vec![
                "--protocol=TCP".to_string(),
                format!("--host={}", u.host_str().unwrap_or("localhost")),
                format!("--port={}", u.port().unwrap_or(3306)),
            ];
            if !u.username().is_empty() {
                args.push(format!("--user={}", percent_decode(u.username())));
            }
            let mut env = vec![];
            if let Some(p) = password {
                env.push(("MYSQL_PWD", p));
            }
            args.push(db);
            Ok(Conn { args, env })
        }
        Engine::Sqlite => anyhow::bail!("SQLite needs no client tool"),
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// A command for `program` with `conn`'s environment.
pub fn command(program: &std::path::Path, conn: &Conn) -> Command {
    let mut cmd = Command::new(program);
    for (k, v) in &conn.env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null());
    cmd
}

/// Runs `cmd` to its end; a failure is an error with the tool's own message (secrets of `url` hidden).
pub fn run(mut cmd: Command, what: &str, url: &DatabaseUrl) -> anyhow::Result<Output> {
    let out = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("starting {what}"))?;
    check(&out, what, url)?;
    Ok(out)
}

/// An error for a tool that exited with a failure.
pub fn check(out: &Output, what: &str, url: &DatabaseUrl) -> anyhow::Result<()> {
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let message: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(12)
        .collect();
    anyhow::bail!(
        "{what} failed ({}):\n{}",
        out.status,
        url.redact_text(&message.join("\n"))
    )
}
