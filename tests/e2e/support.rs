//! Test support: fresh databases per test on each engine, the CLI under test, and the round-trip check.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use ai_shell::connection::Database;

/// The engines under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
    Mysql,
}

/// Where the servers are: overridable for machines that run them elsewhere.
fn server_url(engine: Engine) -> String {
    match engine {
        Engine::Postgres => std::env::var("AI_SHELL_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into()),
        Engine::Mysql => std::env::var("AI_SHELL_TEST_MYSQL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into()),
        Engine::Sqlite => unreachable!("SQLite needs no server"),
    }
}

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("test runtime")
});

/// Runs a future to completion on the shared test runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    RUNTIME.block_on(f)
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The workspace's target directory.
pub fn target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target")
}

/// A compiled-component cache shared by all tests of a run (entries are written atomically).
pub fn cache_dir() -> PathBuf {
    target_dir().join("test-cache")
}

/// A freshly created database, dropped when the value is.
pub struct TestDb {
    engine: Engine,
    url: String,
    name: String,
    _dir: Option<tempfile::TempDir>,
    plugins_dir: tempfile::TempDir,
}

impl TestDb {
    /// Creates a uniquely named, empty database. Panics (never skips) when the server is unreachable.
    pub fn new(engine: Engine) -> TestDb {
        let name = format!(
            "aishell_t{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let plugins_dir = tempfile::tempdir().unwrap();
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!(
                    "sqlite://{}",
                    dir.path().join(format!("{name}.db")).display()
                );
                TestDb {
                    engine,
                    url,
                    name,
                    _dir: Some(dir),
                    plugins_dir,
                }
            }
            Engine::Postgres | Engine::Mysql => {
                let server = server_url(engine);
                let admin = match engine {
                    Engine::Postgres => format!("{server}/postgres"),
                    _ => format!("{server}/test"),
                };
                block_on(async {
                    let db = Database::connect(&admin).await.unwrap_or_else(|e| {
                        panic!("{engine:?} server for tests is unreachable at {admin}: {e}\n\nStart it (see .ci/run); database tests are never skipped.")
                    });
                    let quoted = match engine {
                        Engine::Postgres => format!("\"{name}\""),
                        _ => format!("`{name}`"),
                    };
                    db.execute_script(&format!("CREATE DATABASE {quoted}"))
                        .await
                        .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
                    db.close().await;
                });
                TestDb {
                    engine,
                    url: format!("{server}/{name}"),
                    name,
                    _dir: None,
                    plugins_dir,
                }
            }
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs a multi-statement script through the host library; panics with the database's error.
    pub fn exec(&self, script: &str) {
        if let Err(e) = self.try_exec(script) {
            panic!("script failed on {}: {e}", self.url);
        }
    }

    /// Runs a multi-statement script through the host library.
    pub fn try_exec(&self, script: &str) -> Result<(), String> {
        block_on(async {
            let db = Database::connect(&self.url)
                .await
                .map_err(|e| e.to_string())?;
            let r = db.execute_script(script).await.map_err(|e| e.to_string());
            db.close().await;
            r
        })
    }

    /// The built binary with `--database` set, a shared component cache and no installed plugins.
    pub fn cli(&self) -> assert_cmd::Command {
        let mut cmd = ai_shell_cmd();
        cmd.env("AI_SHELL_PLUGINS_DIR", self.plugins_dir.path());
        cmd.arg("--database").arg(&self.url);
        cmd
    }

    /// The directory installed plugins of this test's CLI live in.
    pub fn plugins_dir(&self) -> &std::path::Path {
        self.plugins_dir.path()
    }
}

/// The built binary with a shared component cache and no inherited `DATABASE_URL`.
pub fn ai_shell_cmd() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_ai-shell"));
    cmd.env("AI_SHELL_CACHE_DIR", cache_dir());
    // The user's own configuration (`config set --global`) must not leak into the tests.
    cmd.env(
        "AI_SHELL_CONFIG_DIR",
        target_dir().join("e2e-no-user-config"),
    );
    cmd.env_remove("DATABASE_URL");
    cmd.env("NO_COLOR", "1");
    cmd
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin, statement) = match self.engine {
            Engine::Sqlite => return,
            Engine::Postgres => (
                format!("{}/postgres", server_url(self.engine)),
                format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
            ),
            Engine::Mysql => (
                format!("{}/test", server_url(self.engine)),
                format!("DROP DATABASE IF EXISTS `{}`", self.name),
            ),
        };
        let _ = block_on(async {
            let db = Database::connect(&admin).await.map_err(|e| e.to_string())?;
            let r = db
                .execute_script(&statement)
                .await
                .map_err(|e| e.to_string());
            db.close().await;
            r
        });
    }
}

/// Runs the CLI and returns stdout; panics with stderr when it fails.
pub fn run_ok(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().expect("running ai-shell");
    if !out.status.success() {
        panic!(
            "ai-shell failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// `schema export --format json` of `db`, parsed.
pub fn export_json(db: &TestDb) -> serde_json::Value {
    let text = run_ok(db.cli().args(["schema", "export", "--format", "json"]));
    serde_json::from_str(&text).expect("export --format json prints JSON")
}

/// `schema export --format sql` of `db`.
pub fn export_sql(db: &TestDb) -> String {
    run_ok(db.cli().args(["schema", "export", "--format", "sql"]))
}

/// Loads `fixture` into a fresh database A, exports A as SQL, loads that into a fresh database B, and
/// checks that A and B introspect to the same model. Returns model A for further checks.
pub fn assert_round_trip(engine: Engine, fixture: &str) -> serde_json::Value {
    let a = TestDb::new(engine);
    a.exec(fixture);
    let model_a = export_json(&a);
    let script = export_sql(&a);
    let b = TestDb::new(engine);
    if let Err(e) = b.try_exec(&script) {
        let saved = save_artifact(&format!("{}-export.sql", a.name()), &script);
        panic!(
            "the exported script does not load into a fresh {engine:?} database: {e}\n(script saved to {saved})"
        );
    }
    let model_b = export_json(&b);
    if model_a != model_b {
        let left = serde_json::to_string_pretty(&model_a).unwrap();
        let right = serde_json::to_string_pretty(&model_b).unwrap();
        let diff = similar::TextDiff::from_lines(&left, &right)
            .unified_diff()
            .context_radius(4)
            .header(
                "introspected from the fixture",
                "introspected after export + load",
            )
            .to_string();
        let saved = save_artifact(&format!("{}-export.sql", a.name()), &script);
        let shown: String = diff.lines().take(200).collect::<Vec<_>>().join("\n");
        panic!("round trip changed the model on {engine:?} (script saved to {saved}):\n{shown}");
    }
    model_a
}

/// Writes a debugging artifact under target/test-artifacts and returns its path.
pub fn save_artifact(name: &str, text: &str) -> String {
    let dir = target_dir().join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The text of a real-world schema from ../shared/data/schemas.
pub fn shared_schema(name: &str) -> String {
    let candidates = [
        std::env::var("AI_SHELL_SHARED_SCHEMAS")
            .ok()
            .map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/schemas")),
        Some(PathBuf::from("/work/shared/data/schemas")),
    ];
    for dir in candidates.into_iter().flatten() {
        if let Ok(text) = std::fs::read_to_string(dir.join(name)) {
            return text;
        }
    }
    panic!(
        "real-world schema {name} not found: set AI_SHELL_SHARED_SCHEMAS to the folder holding it"
    );
}
