//! The sandbox's limits seen from the command line. The hostile test plugins (plugins/testing/hostile: a
//! dialect serving `sqlite` and the `hostile-strategy` strategy) are installed with `ai-shell plugin
//! install`; a table named `hostile_<misbehaviour>` in the database makes them loop, grab memory, read a
//! host file or open a socket. `ai-shell migrate` must stop or refuse each with a clear error that names
//! the plugin and the limit, exit 1 in bounded time, and leave the database as it was.

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use ai_shell::connection::Database;
use ai_shell::model::SqlValue;
use ai_shell::plugins::Limits;

use crate::support::{Engine, TestDb, block_on, run_ok};

/// The plugins' time limit in these tests (`AI_SHELL_PLUGIN_TIMEOUT_MS`; 60 s by default).
const PLUGIN_TIMEOUT_MS: u64 = 5_000;

/// How long a command may take before the test kills it: the plugin time limit with a wide margin for a
/// loaded machine. Reaching it means the time limit did not stop the plugin.
const KILL_AFTER: Duration = Duration::from_secs(120);

/// Which hostile plugin is installed.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// The dialect: misbehaves in `introspect`, the first call of `migrate "<request>"`.
    Dialect,
    /// The strategy: misbehaves in `plan`, asked first under `--zero-downtime`.
    Strategy,
}

impl Kind {
    fn file(self) -> PathBuf {
        let dir = PathBuf::from(env!("AI_SHELL_PLUGIN_DIR"));
        match self {
            Kind::Dialect => dir.join("ai_shell_hostile.wasm"),
            Kind::Strategy => dir.join("examples").join("hostile_strategy.wasm"),
        }
    }

    fn plugin(self) -> &'static str {
        match self {
            Kind::Dialect => "hostile",
            Kind::Strategy => "hostile-strategy",
        }
    }

    fn call(self) -> &'static str {
        match self {
            Kind::Dialect => "introspect",
            Kind::Strategy => "plan",
        }
    }
}

/// A SQLite database holding the table that selects the misbehaviour, a project folder, and the plugin
/// installed for this test's CLI only.
struct Target {
    db: TestDb,
    dir: tempfile::TempDir,
    table: String,
}

impl Target {
    fn new(kind: Kind, how: &str) -> Target {
        let db = TestDb::new(Engine::Sqlite);
        let table = format!("hostile_{how}");
        db.exec(&format!(
            "CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
             INSERT INTO {table} (name) VALUES ('a'), ('b');"
        ));
        let installed = run_ok(db.cli().args(["plugin", "install"]).arg(kind.file()));
        let kind_word = match kind {
            Kind::Dialect => "dialect",
            Kind::Strategy => "strategy",
        };
        assert!(
            installed.contains(&format!("Installed {kind_word} {} 0.1.0", kind.plugin())),
            "{installed}"
        );
        Target {
            db,
            dir: tempfile::tempdir().unwrap(),
            table,
        }
    }

    /// `ai-shell migrate "add email field to <table>" --yes` (with `--zero-downtime` for the strategy),
    /// killed after [`KILL_AFTER`].
    fn migrate(&self, kind: Kind) -> Output {
        let mut cmd = self.db.cli();
        cmd.current_dir(self.dir.path())
            .env("AI_SHELL_PLUGIN_TIMEOUT_MS", PLUGIN_TIMEOUT_MS.to_string())
            .args([
                "migrate",
                &format!("add email field to {}", self.table),
                "--yes",
            ])
            .timeout(KILL_AFTER);
        if let Kind::Strategy = kind {
            cmd.arg("--zero-downtime");
        }
        cmd.output().expect("running ai-shell")
    }

    /// Every schema object with its SQL, and the rows of the marker table.
    fn snapshot(&self) -> Vec<String> {
        let mut out = rows(
            self.db.url(),
            "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name",
        );
        out.extend(rows(
            self.db.url(),
            &format!("SELECT id || ' ' || name FROM {} ORDER BY id", self.table),
        ));
        out
    }

    /// Migration files written in the project folder.
    fn migration_files(&self) -> Vec<String> {
        walk(self.dir.path())
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
            .map(|p| p.display().to_string())
            .collect()
    }
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The first column of every row of `sql`, as text.
fn rows(url: &str, sql: &str) -> Vec<String> {
    block_on(async {
        let db = Database::connect(url).await.unwrap();
        let mut s = db.session().await.unwrap();
        let r = s.query(sql, &[]).await;
        drop(s);
        db.close().await;
        r.unwrap_or_else(|e| panic!("{sql}: {e}"))
            .rows
            .into_iter()
            .map(|row| match row.into_iter().next() {
                Some(SqlValue::Text(t)) => t,
                Some(SqlValue::Integer(n)) => n.to_string(),
                other => format!("{other:?}"),
            })
            .collect()
    })
}

/// Installs `kind`, makes it misbehave with `how`, and checks the command failed cleanly with every one of
/// `expected` in its error, and that nothing changed. Returns stderr.
fn misbehaves(kind: Kind, how: &str, expected: &[&str]) -> String {
    let target = Target::new(kind, how);
    let before = target.snapshot();
    let out = target.migrate(kind);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{kind:?} `{how}`: expected exit code 1, got {} (killed after {KILL_AFTER:?} if there is no code)\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );

    // Clear: names the plugin and the call, says what stopped it, and carries no Rust internals.
    let plugin = format!("plugin `{}`", kind.plugin());
    let call = format!("`{}`", kind.call());
    for wanted in [plugin.as_str(), call.as_str()].iter().chain(expected) {
        assert!(
            stderr.contains(wanted),
            "{kind:?} `{how}`: the error does not say {wanted:?}:\n{stderr}"
        );
    }
    assert!(stderr.starts_with("error: "), "{kind:?} `{how}`: {stderr}");
    for internal in [
        "panicked",
        "RUST_BACKTRACE",
        "backtrace",
        "Backtrace",
        "wasm trap",
        "Error {",
        "Os {",
        "kind: ",
        "Some(",
        "Trap(",
        "0x",
    ] {
        assert!(
            !stderr.contains(internal) && !stdout.contains(internal),
            "{kind:?} `{how}`: Rust internals ({internal:?}) in the output:\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
    }
    assert!(
        stderr.lines().count() <= 6,
        "{kind:?} `{how}`: a short error expected:\n{stderr}"
    );

    // Nothing applied: same objects and rows, no history rows, no migration file.
    assert_eq!(
        target.snapshot(),
        before,
        "{kind:?} `{how}` changed the database"
    );
    let history = rows(
        target.db.url(),
        "SELECT name FROM sqlite_master WHERE name LIKE 'ai_shell_migrations%'",
    );
    for table in history.iter().filter(|t| *t == "ai_shell_migrations") {
        assert_eq!(
            rows(target.db.url(), &format!("SELECT count(*) FROM {table}")),
            ["0"],
            "{kind:?} `{how}` recorded history"
        );
    }
    assert_eq!(
        target.migration_files(),
        Vec::<String>::new(),
        "{kind:?} `{how}` wrote a migration"
    );
    stderr
}

fn time_limit() -> String {
    format!("{:?} time limit", Duration::from_millis(PLUGIN_TIMEOUT_MS))
}

fn memory_limit() -> String {
    format!(
        "memory limit of {} MiB",
        Limits::default().memory_bytes >> 20
    )
}

#[test]
fn a_dialect_in_an_infinite_loop_is_stopped_at_the_time_limit() {
    misbehaves(Kind::Dialect, "loop", &[&time_limit(), "was stopped"]);
}

#[test]
fn a_dialect_grabbing_memory_is_stopped_at_the_memory_limit() {
    misbehaves(Kind::Dialect, "alloc", &[&memory_limit(), "was stopped"]);
}

#[test]
fn a_dialect_reading_a_host_file_is_refused() {
    let err = misbehaves(
        Kind::Dialect,
        "read_file",
        &["denied", "refused to read the host file /etc/passwd"],
    );
    assert!(!err.contains("root:"), "{err}");
}

#[test]
fn a_dialect_opening_a_socket_is_refused() {
    misbehaves(
        Kind::Dialect,
        "connect",
        &["denied", "refused a network connection"],
    );
}

#[test]
fn a_strategy_in_an_infinite_loop_is_stopped_at_the_time_limit() {
    misbehaves(
        Kind::Strategy,
        "loop",
        &[&time_limit(), "was stopped", "nothing was changed"],
    );
}

#[test]
fn a_strategy_grabbing_memory_is_stopped_at_the_memory_limit() {
    misbehaves(
        Kind::Strategy,
        "alloc",
        &[&memory_limit(), "was stopped", "nothing was changed"],
    );
}

#[test]
fn a_strategy_reading_a_host_file_is_refused() {
    let err = misbehaves(
        Kind::Strategy,
        "read_file",
        &[
            "denied",
            "refused to read the host file /etc/passwd",
            "nothing was changed",
        ],
    );
    assert!(!err.contains("root:"), "{err}");
}

#[test]
fn a_strategy_opening_a_socket_is_refused() {
    misbehaves(
        Kind::Strategy,
        "connect",
        &[
            "denied",
            "refused a network connection",
            "nothing was changed",
        ],
    );
}
