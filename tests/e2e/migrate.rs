//! The migration lifecycle on every engine: files, history, apply, rollback, status, locks, crashes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Engine, TestDb, block_on, run_ok};
use ai_shell::connection::Database;

pub(crate) const ENGINES: [Engine; 3] = [Engine::Sqlite, Engine::Postgres, Engine::Mysql];

/// A project folder with a migrations folder, used by one test against one database.
pub(crate) struct Project {
    pub(crate) db: TestDb,
    pub(crate) dir: tempfile::TempDir,
}

impl Project {
    pub(crate) fn new(engine: Engine) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("migrations")).unwrap();
        Project {
            db: TestDb::new(engine),
            dir,
        }
    }

    pub(crate) fn migrations(&self) -> PathBuf {
        self.dir.path().join("migrations")
    }

    pub(crate) fn cli(&self) -> assert_cmd::Command {
        let mut cmd = self.db.cli();
        cmd.current_dir(self.dir.path());
        cmd
    }

    pub(crate) fn run(&self, args: &[&str]) -> String {
        run_ok(self.cli().args(args))
    }

    /// Runs and expects failure; returns stderr.
    pub(crate) fn fail(&self, args: &[&str]) -> String {
        let out = self.cli().args(args).output().unwrap();
        assert!(
            !out.status.success(),
            "{args:?} should fail but printed:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    pub(crate) fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        let text = self.run(&all);
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}):\n{text}"))
    }

    pub(crate) fn write(&self, name: &str, up: &str, down: Option<&str>) -> PathBuf {
        let mut text = format!("-- description: {name}\n\n-- +up\n{up}\n");
        if let Some(down) = down {
            text.push_str(&format!("\n-- +down\n{down}\n"));
        }
        let path = self.migrations().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The SQL query's first column of every row, as text.
    pub(crate) fn column(&self, sql: &str) -> Vec<String> {
        block_on(async {
            let db = Database::connect(self.db.url()).await.unwrap();
            let mut s = db.session().await.unwrap();
            let r = s.query(sql, &[]).await.unwrap();
            drop(s);
            db.close().await;
            r.rows
                .into_iter()
                .map(|row| match &row[0] {
                    ai_shell::model::SqlValue::Text(t) => t.clone(),
                    ai_shell::model::SqlValue::Integer(i) => i.to_string(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
    }

    pub(crate) fn tables(&self) -> Vec<String> {
        let sql = match self.db.engine() {
            Engine::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Engine::Postgres => {
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
            }
            Engine::Mysql => {
                "SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"
            }
        };
        self.column(sql)
    }
}

fn table_sql(n: u64) -> (String, String) {
    (
        format!(
            "CREATE TABLE t{n:03} (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50), score INTEGER);\nCREATE INDEX idx_t{n:03}_name ON t{n:03} (name);"
        ),
        format!("DROP INDEX idx_t{n:03}_name;\nDROP TABLE t{n:03};"),
    )
}

/// MySQL's DROP INDEX needs the table.
fn down_for(engine: Engine, n: u64) -> String {
    match engine {
        Engine::Mysql => format!("DROP INDEX idx_t{n:03}_name ON t{n:03};\nDROP TABLE t{n:03};"),
        _ => table_sql(n).1,
    }
}

fn write_tables(p: &Project, count: u64) {
    for n in 1..=count {
        p.write(
            &format!("{n:03}_create_t{n:03}.sql"),
            &table_sql(n).0,
            Some(&down_for(p.db.engine(), n)),
        );
    }
}

#[test]
fn lifecycle_on_every_engine() {
    for engine in ENGINES {
        let p = Project::new(engine);
        assert!(
            p.run(&["schema", "version"]).contains("Not initialized"),
            "{engine:?}"
        );
        assert!(p.run(&["migrate", "init"]).contains("initialized"));
        assert_eq!(p.json(&["schema", "version"])["initialized"], true);

        let created = p.run(&["migrate", "new", "Create users table"]);
        assert!(created.contains("001_create_users_table.sql"), "{created}");
        // An empty template cannot be applied.
        let err = p.fail(&["migrate", "apply"]);
        assert!(err.contains("no SQL"), "{err}");
        p.write(
            "001_create_users_table.sql",
            "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL);",
            Some("DROP TABLE users;"),
        );
        p.write(
            "002_add_email_to_users.sql",
            "ALTER TABLE users ADD COLUMN email VARCHAR(255) NOT NULL DEFAULT '';\nCREATE INDEX idx_users_email ON users (email);",
            Some(&match engine {
                Engine::Mysql => "DROP INDEX idx_users_email ON users;\nALTER TABLE users DROP COLUMN email;".to_string(),
                _ => "DROP INDEX idx_users_email;\nALTER TABLE users DROP COLUMN email;".to_string(),
            }),
        );
        p.write(
            "003_add_phone.sql",
            "ALTER TABLE users ADD COLUMN phone VARCHAR(20);",
            Some("ALTER TABLE users DROP COLUMN phone;"),
        );

        let pending = p.json(&["migrate", "pending"]);
        assert_eq!(pending.as_array().unwrap().len(), 3, "{pending}");
        let dry = p.run(&["migrate", "apply", "--dry-run"]);
        assert!(
            dry.contains("CREATE INDEX idx_users_email") && dry.contains("nothing was changed"),
            "{dry}"
        );
        assert!(
            !p.tables().contains(&"users".to_string()),
            "dry run changed nothing"
        );

        let out = p.run(&["migrate", "apply", "--to-version", "2"]);
        assert!(
            out.contains("✓ Applied 002_add_email_to_users") && out.contains("none → 2"),
            "{out}"
        );
        let status = p.json(&["migrate", "status"]);
        assert_eq!(status["version"], 2, "{status}");
        assert_eq!(status["pending"], 1);
        p.run(&["migrate", "apply"]);
        assert_eq!(p.json(&["schema", "version"])["version"], 3);

        let info = p.json(&["migrate", "info", "002"]);
        assert_eq!(info["history"]["status"], "applied", "{info}");
        assert_eq!(info["statements"].as_array().unwrap().len(), 2);
        assert_eq!(info["rollback_available"], true);
        assert!(info["history"]["applied_by"].is_string());
        let text = p.run(&["migrate", "info", "002_add_email_to_users"]);
        assert!(
            text.contains("Rollback Available: Yes") && text.contains("Duration:"),
            "{text}"
        );

        p.run(&["migrate", "note", "2", "checked by the DBA"]);
        let logs = p.run(&["migrate", "logs", "2"]);
        assert!(
            logs.contains("applied") && logs.contains("checked by the DBA"),
            "{logs}"
        );

        let export = p.dir.path().join("history.json");
        p.run(&["migrate", "history", "--export", export.to_str().unwrap()]);
        let exported: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
        assert_eq!(exported["migrations"].as_array().unwrap().len(), 3);
        assert!(
            exported["migrations"][1]["up_sql"]
                .as_str()
                .unwrap()
                .contains("idx_users_email")
        );

        // Rollback needs confirmation when not on a terminal.
        let err = p.fail(&["migrate", "rollback"]);
        assert!(err.contains("--yes"), "{err}");
        let dry = p.run(&["migrate", "rollback", "--dry-run"]);
        assert!(
            dry.contains("003_add_phone") && dry.contains("DROP COLUMN phone"),
            "{dry}"
        );
        p.run(&["migrate", "rollback", "--yes"]);
        assert_eq!(p.json(&["schema", "version"])["version"], 2);
        let out = p.run(&["migrate", "rollback", "--to-version", "0", "--yes"]);
        assert!(
            out.contains("Rolled back 002") && out.contains("Rolled back 001"),
            "{out}"
        );
        assert!(
            !p.tables().contains(&"users".to_string()),
            "{engine:?}: {:?}",
            p.tables()
        );
        let history = p.json(&["migrate", "history"]);
        assert!(
            history
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["status"] == "rolled_back"),
            "{history}"
        );
        // Rolled back migrations are pending again, and re-apply cleanly.
        p.run(&["migrate", "apply"]);
        assert_eq!(p.json(&["schema", "version"])["version"], 3);
        assert!(p.run(&["migrate", "validate"]).contains("valid"));
    }
}

#[test]
fn rollback_works_when_the_file_is_gone_and_explains_when_it_cannot() {
    for engine in ENGINES {
        let p = Project::new(engine);
        let f1 = p.write(
            "001_a.sql",
            "CREATE TABLE a (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE a;"),
        );
        p.write(
            "002_b.sql",
            "CREATE TABLE b (id INTEGER PRIMARY KEY);",
            None,
        );
        p.write(
            "003_c.sql",
            "CREATE TABLE c (id INTEGER PRIMARY KEY);",
            Some(""),
        );
        p.run(&["migrate", "apply"]);
        let why = p.json(&["migrate", "rollback-status", "002"]);
        assert_eq!(why["available"], false);
        assert!(
            why["reason"].as_str().unwrap().contains("no down section"),
            "{why}"
        );
        let why = p.json(&["migrate", "rollback-status", "003"]);
        assert!(
            why["reason"].as_str().unwrap().contains("irreversible"),
            "{why}"
        );
        let err = p.fail(&["migrate", "rollback", "--yes"]);
        assert!(
            err.contains("cannot roll back 003_c") && err.contains("irreversible"),
            "{err}"
        );
        // The history keeps the down SQL as applied.
        std::fs::remove_file(f1).unwrap();
        assert_eq!(
            p.json(&["migrate", "rollback-status", "001"])["available"],
            true
        );
        p.run(&["migrate", "rollback", "001", "--yes"]);
        assert!(!p.tables().contains(&"a".to_string()), "{engine:?}");
    }
}

#[test]
fn a_tampered_file_stops_apply_but_line_endings_and_bom_do_not() {
    for engine in ENGINES {
        let p = Project::new(engine);
        let path = p.write(
            "001_a.sql",
            "CREATE TABLE a (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE a;"),
        );
        p.write(
            "002_b.sql",
            "CREATE TABLE b (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE b;"),
        );
        p.run(&["migrate", "apply", "001"]);
        // CRLF and a byte-order mark are not edits.
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
        p.run(&["migrate", "apply", "--dry-run"]);
        // A real edit is.
        std::fs::write(&path, text.replace("PRIMARY KEY", "PRIMARY KEY, x INTEGER")).unwrap();
        let err = p.fail(&["migrate", "apply"]);
        assert!(
            err.contains("001_a")
                && err.contains("checksum when applied")
                && err.contains("--accept-checksum 1"),
            "{err}"
        );
        assert!(
            !p.tables().contains(&"b".to_string()),
            "nothing applied after the mismatch"
        );
        assert_eq!(
            p.json(&["migrate", "status"])["migrations"][0]["state"],
            "changed"
        );
        p.run(&["migrate", "apply", "--accept-checksum", "1"]);
        assert!(p.tables().contains(&"b".to_string()));
        assert!(
            p.run(&["migrate", "logs", "1"])
                .contains("checksum-accepted")
        );
    }
}

#[test]
fn a_failing_migration_changes_nothing_on_transactional_engines() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let p = Project::new(engine);
        p.write(
            "001_ok.sql",
            "CREATE TABLE ok (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE ok;"),
        );
        p.write(
            "002_bad.sql",
            "CREATE TABLE half (id INTEGER PRIMARY KEY);\nCREATE TABLE ok (id INTEGER);",
            Some("DROP TABLE half;"),
        );
        p.write(
            "003_after.sql",
            "CREATE TABLE after_bad (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE after_bad;"),
        );
        let err = p.fail(&["migrate", "apply"]);
        assert!(
            err.contains("002_bad failed at statement 2 of 2")
                && err.contains("Nothing of this migration was applied"),
            "{err}"
        );
        let tables = p.tables();
        assert!(
            !tables.contains(&"half".to_string()),
            "{engine:?}: statement 1 was rolled back"
        );
        // The migration before it in the same run stays applied (on SQLite it shared the failed one's write
        // transaction up to its savepoint); the one after it did not run.
        assert!(tables.contains(&"ok".to_string()), "{engine:?}: {tables:?}");
        assert!(!tables.contains(&"after_bad".to_string()), "{tables:?}");
        let status = p.json(&["migrate", "status"]);
        assert_eq!(status["migrations"][0]["state"], "applied", "{status}");
        assert_eq!(status["migrations"][1]["state"], "failed", "{status}");
        assert_eq!(status["migrations"][2]["state"], "pending", "{status}");
        std::fs::remove_file(p.migrations().join("003_after.sql")).unwrap();
        // Validate's trial run finds the same failure and changes nothing.
        let err = p.fail(&["migrate", "validate"]);
        assert!(err.contains("failed validation"), "{err}");
        p.write(
            "002_bad.sql",
            "CREATE TABLE half (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE half;"),
        );
        p.run(&["migrate", "validate"]);
        assert!(
            !p.tables().contains(&"half".to_string()),
            "validate rolled back its trial run"
        );
        p.run(&["migrate", "apply"]);
        assert!(p.tables().contains(&"half".to_string()));
    }
}

/// The history is written with its values inlined in the migration's own script (one round trip): quotes,
/// backslashes, non-ASCII text and line breaks come back exactly as written, on every engine.
#[test]
fn the_history_keeps_the_sql_exactly_as_applied() {
    for engine in ENGINES {
        let p = Project::new(engine);
        let up = "CREATE TABLE quirks (id INTEGER PRIMARY KEY, label VARCHAR(40) DEFAULT 'it''s');\n\
                  -- a comment with a backslash \\ and a quote ' and é ü ✓\n\
                  CREATE INDEX idx_quirks_label ON quirks (label);";
        let down = match engine {
            Engine::Mysql => {
                "DROP INDEX idx_quirks_label ON quirks;\nDROP TABLE quirks; -- back\\slash"
            }
            _ => "DROP INDEX idx_quirks_label;\nDROP TABLE quirks; -- back\\slash",
        };
        p.write("001_quirks.sql", up, Some(down));
        p.write(
            "002_second.sql",
            "CREATE TABLE second (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE second;"),
        );
        p.run(&["migrate", "apply"]);
        let history = p.json(&["migrate", "history"]);
        let first = &history[0];
        assert_eq!(first["status"], "applied", "{engine:?}: {history}");
        assert_eq!(first["up_sql"].as_str().unwrap().trim(), up, "{engine:?}");
        assert_eq!(
            first["down_sql"].as_str().unwrap().trim(),
            down,
            "{engine:?}"
        );
        assert_eq!(history[1]["status"], "applied", "{history}");
        assert!(
            history[0]["duration_ms"].is_u64() && history[1]["duration_ms"].is_u64(),
            "{engine:?}: {history}"
        );
        // And the recorded down SQL is what a rollback runs.
        p.run(&["migrate", "rollback", "--to-version", "0", "--yes"]);
        assert!(p.tables().iter().all(|t| t != "quirks"), "{:?}", p.tables());
    }
}

/// SQLite: a table rebuild between `PRAGMA foreign_keys = OFF` and `ON` in the middle of a run. The pragma has
/// no effect inside a transaction, so the run's shared write transaction commits before it and a new one
/// starts after it; every migration is applied and recorded once.
#[test]
fn sqlite_rebuild_with_foreign_key_pragmas_in_the_middle_of_a_run() {
    let p = Project::new(Engine::Sqlite);
    p.write(
        "001_parent_child.sql",
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n\
         CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), note TEXT);\n\
         INSERT INTO parent (id) VALUES (1);\n\
         INSERT INTO child (id, parent_id, note) VALUES (1, 1, 'kept');",
        Some("DROP TABLE child;\nDROP TABLE parent;"),
    );
    p.write(
        "002_rebuild_child.sql",
        "PRAGMA foreign_keys = OFF;\n\
         CREATE TABLE child_new (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id), note TEXT);\n\
         INSERT INTO child_new (id, parent_id, note) SELECT id, parent_id, note FROM child;\n\
         DROP TABLE child;\n\
         ALTER TABLE child_new RENAME TO child;\n\
         PRAGMA foreign_keys = ON;",
        None,
    );
    p.write(
        "003_after.sql",
        "CREATE TABLE after_rebuild (id INTEGER PRIMARY KEY);",
        Some("DROP TABLE after_rebuild;"),
    );
    p.run(&["migrate", "apply"]);
    let history = p.json(&["migrate", "history"]);
    let states: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["applied", "applied", "applied"], "{history}");
    assert_eq!(p.column("SELECT note FROM child"), ["kept"]);
    assert_eq!(
        p.column("SELECT \"notnull\" FROM pragma_table_info('child') WHERE name = 'parent_id'"),
        ["1"]
    );
    assert!(p.tables().contains(&"after_rebuild".to_string()));
}

/// MySQL records no progress after CREATE TABLE / CREATE INDEX (a re-run fails with "already exists"): a run
/// killed after two such statements leaves `running` with 0 done, and the next run skips both, as the server
/// says they ran, then continues.
#[test]
fn mysql_resume_skips_the_create_statements_that_already_ran() {
    let p = Project::new(Engine::Mysql);
    let up = "CREATE TABLE r1 (id INTEGER PRIMARY KEY, name VARCHAR(20));\n\
              CREATE INDEX idx_r1_name ON r1 (name);\n\
              INSERT INTO r1 (id, name) VALUES (1, 'once');\n\
              CREATE TABLE r2 (id INTEGER PRIMARY KEY);";
    p.write("001_resume.sql", up, Some("DROP TABLE r2;\nDROP TABLE r1;"));
    // The state a SIGKILL right after statement 2 leaves: both ran, the history says none did.
    p.run(&["migrate", "init"]);
    p.db.exec("CREATE TABLE r1 (id INTEGER PRIMARY KEY, name VARCHAR(20))");
    p.db.exec("CREATE INDEX idx_r1_name ON r1 (name)");
    p.db.exec(&format!(
        "INSERT INTO ai_shell_migrations (version, name, checksum, status, statements_total, statements_done, \
         applied_at, up_sql, transactional) VALUES (1, '001_resume', 'x', 'running', 4, 0, '2026-01-01T00:00:00Z', \
         '{}', 0)",
        up.replace('\'', "''")
    ));
    p.run(&["migrate", "apply"]);
    let status = p.json(&["migrate", "status"]);
    assert_eq!(status["migrations"][0]["state"], "applied", "{status}");
    assert_eq!(
        p.column("SELECT name FROM r1"),
        ["once"],
        "statement 3 ran once"
    );
    assert!(p.tables().contains(&"r2".to_string()));
    let logs = p.run(&["migrate", "logs", "1"]);
    assert!(
        logs.contains("statement 1 had already run")
            && logs.contains("statement 2 had already run"),
        "{logs}"
    );
}

#[test]
fn mysql_failure_mid_migration_then_retry_or_rollback() {
    let p = Project::new(Engine::Mysql);
    let up = "CREATE TABLE m1 (id INTEGER PRIMARY KEY);\nCREATE TABLE m2 (id INTEGER PRIMARY KEY);\nINSERT INTO missing_table VALUES (1);\nCREATE TABLE m3 (id INTEGER PRIMARY KEY);";
    let down = "DROP TABLE m3;\nDELETE FROM m1;\nDROP TABLE m2;\nDROP TABLE m1;";
    p.write("001_multi.sql", up, Some(down));
    let err = p.fail(&["migrate", "apply"]);
    assert!(
        err.contains("failed at statement 3 of 4") && err.contains("retry 1"),
        "{err}"
    );
    let status = p.json(&["migrate", "status"]);
    let line = &status["migrations"][0];
    assert_eq!(line["state"], "failed");
    assert!(
        line["detail"].as_str().unwrap().contains("after 2 of 4"),
        "{status}"
    );
    assert_eq!(
        p.tables().iter().filter(|t| t.starts_with("m")).count(),
        2,
        "statements 1-2 are committed"
    );
    // apply refuses to run past a partial failure; retry continues from statement 3 once the cause is fixed.
    let err = p.fail(&["migrate", "apply"]);
    assert!(err.contains("failed earlier at statement 3"), "{err}");
    p.db.exec("CREATE TABLE missing_table (id INTEGER)");
    let out = p.run(&["migrate", "retry", "001"]);
    assert!(out.contains("resumed at statement 3"), "{out}");
    assert!(p.tables().contains(&"m3".to_string()));
    p.run(&["migrate", "rollback", "--yes"]);
    assert!(
        !p.tables()
            .iter()
            .any(|t| t.starts_with("m") && t != "missing_table"),
        "{:?}",
        p.tables()
    );
}

#[test]
fn mysql_rollback_of_a_partial_failure_undoes_only_what_ran() {
    let p = Project::new(Engine::Mysql);
    let up = "CREATE TABLE p1 (id INTEGER PRIMARY KEY);\nCREATE TABLE p2 (id INTEGER PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);";
    let down = "DELETE FROM p1;\nDROP TABLE p2;\nDROP TABLE p1;";
    p.write("001_partial.sql", up, Some(down));
    p.fail(&["migrate", "apply"]);
    let plan = p.json(&["migrate", "rollback-status", "1"]);
    assert_eq!(plan["available"], true, "{plan}");
    assert_eq!(
        plan["statements"].as_array().unwrap().len(),
        2,
        "down statements for up statements 1..2 only: {plan}"
    );
    p.run(&["migrate", "rollback", "1", "--yes"]);
    assert!(
        !p.tables().iter().any(|t| t == "p1" || t == "p2"),
        "{:?}",
        p.tables()
    );
    assert_eq!(
        p.json(&["migrate", "status"])["migrations"][0]["state"],
        "rolled_back"
    );
}

#[test]
fn eight_concurrent_runs_apply_each_migration_exactly_once() {
    for engine in ENGINES {
        let p = Project::new(engine);
        write_tables(&p, 20);
        let children: Vec<_> = (0..8)
            .map(|_| {
                let mut cmd = Command::new(env!("CARGO_BIN_EXE_ai-shell"));
                cmd.current_dir(p.dir.path())
                    .env("AI_SHELL_CACHE_DIR", crate::support::cache_dir())
                    .env("AI_SHELL_PLUGINS_DIR", p.db.plugins_dir())
                    .env_remove("DATABASE_URL")
                    .args(["--database", p.db.url(), "migrate", "apply"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{engine:?}: a concurrent run failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let applied_events = p.column(
            "SELECT version FROM ai_shell_migrations_log WHERE event = 'applied' ORDER BY version",
        );
        let expected: Vec<String> = (1..=20).map(|v| v.to_string()).collect();
        assert_eq!(
            applied_events, expected,
            "{engine:?}: each migration applied exactly once"
        );
        assert_eq!(p.json(&["schema", "version"])["version"], 20);
    }
}

/// A small deterministic generator (xorshift), seeded from the clock and printed so a failure can be replayed.
struct Random(u64);

impl Random {
    fn new() -> Random {
        let seed = std::env::var("AI_SHELL_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("random seed {seed} (set AI_SHELL_TEST_SEED to replay)");
        Random(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// History and schema agree: every applied migration's table and index exist, no other migration's table does
/// (except, on MySQL, the one statement a killed run may have executed without recording).
fn assert_history_matches_schema(p: &Project, count: u64) {
    let status = p.json(&["migrate", "status"]);
    let tables = p.tables();
    for line in status["migrations"].as_array().unwrap() {
        let v = line["version"].as_u64().unwrap();
        let name = format!("t{v:03}");
        let exists = tables.contains(&name);
        match line["state"].as_str().unwrap() {
            "applied" => assert!(
                exists,
                "{:?}: {name} is recorded applied but missing",
                p.db.engine()
            ),
            "pending" | "rolled_back" => assert!(
                !exists,
                "{:?}: {name} exists but is recorded {}",
                p.db.engine(),
                line["state"]
            ),
            "running" | "failed" => {
                assert_eq!(
                    p.db.engine(),
                    Engine::Mysql,
                    "only MySQL records partial progress: {line}"
                );
                let detail = line["detail"].as_str().unwrap_or("");
                if detail.starts_with("1 of") || detail.contains("after 1 of") {
                    assert!(
                        exists,
                        "{name}: statement 1 recorded but its table is missing"
                    );
                }
            }
            other => panic!("unexpected state {other} for {name}"),
        }
    }
    assert!(status["migrations"].as_array().unwrap().len() as u64 == count);
}

#[test]
fn sigkill_at_random_points_never_corrupts_the_history() {
    let count = 100;
    for engine in ENGINES {
        let p = Project::new(engine);
        write_tables(&p, count);
        let mut rng = Random::new();
        // Measure one full run to know where "random points" lie.
        let started = Instant::now();
        p.run(&["migrate", "apply"]);
        let full = started.elapsed();
        p.run(&["migrate", "rollback", "--to-version", "0", "--yes"]);
        for round in 0..20 {
            let mut child = Command::new(env!("CARGO_BIN_EXE_ai-shell"))
                .current_dir(p.dir.path())
                .env("AI_SHELL_CACHE_DIR", crate::support::cache_dir())
                .env("AI_SHELL_PLUGINS_DIR", p.db.plugins_dir())
                .env_remove("DATABASE_URL")
                .args(["--database", p.db.url(), "migrate", "apply"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let delay = Duration::from_millis(rng.below(full.as_millis() as u64 + 50));
            std::thread::sleep(delay);
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            assert_history_matches_schema(&p, count);
            // Give later rounds work to interrupt.
            let applied = p.json(&["schema", "version"])["version"]
                .as_u64()
                .unwrap_or(0);
            if applied == count || round % 5 == 4 {
                let back_to = rng.below(count);
                p.run(&[
                    "migrate",
                    "rollback",
                    "--to-version",
                    &back_to.to_string(),
                    "--yes",
                ]);
                assert_history_matches_schema(&p, count);
            }
        }
        // A resumed run completes and everything agrees.
        p.run(&["migrate", "apply"]);
        assert_history_matches_schema(&p, count);
        let status = p.json(&["migrate", "status"]);
        assert_eq!(status["version"], count, "{engine:?}");
        assert_eq!(status["pending"], 0);
        let tables: Vec<String> = p
            .tables()
            .into_iter()
            .filter(|t| t.starts_with('t'))
            .collect();
        assert_eq!(tables.len() as u64, count, "{engine:?}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn import_from_other_tools_then_apply_on_every_engine() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/import");
    for (layout, folder) in [
        ("sqlx", "sqlx"),
        ("dbmate", "dbmate"),
        ("golang-migrate", "golang-migrate"),
        ("flyway", "flyway"),
    ] {
        for engine in ENGINES {
            let p = Project::new(engine);
            let source = p.dir.path().join("source");
            copy_dir(&fixtures.join(folder), &source);
            let out = p.run(&[
                "migrate",
                "import",
                "--from",
                layout,
                source.to_str().unwrap(),
            ]);
            assert!(
                out.contains("import_a") || out.contains("Imported"),
                "{layout}: {out}"
            );
            p.run(&["migrate", "apply"]);
            let tables = p.tables();
            for t in ["import_a", "import_b", "import_c"] {
                assert!(
                    tables.contains(&t.to_string()),
                    "{layout} on {engine:?}: {tables:?}"
                );
            }
            p.run(&["migrate", "rollback", "--to-version", "0", "--yes"]);
            assert!(
                !p.tables().contains(&"import_a".to_string()),
                "{layout} downs were imported"
            );
        }
    }
}

#[test]
fn baseline_marks_an_existing_database() {
    for engine in ENGINES {
        let p = Project::new(engine);
        p.db.exec("CREATE TABLE legacy (id INTEGER PRIMARY KEY)");
        p.write(
            "001_legacy.sql",
            "CREATE TABLE legacy (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE legacy;"),
        );
        p.write(
            "002_next.sql",
            "CREATE TABLE next_one (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE next_one;"),
        );
        p.run(&["migrate", "baseline", "1"]);
        let out = p.run(&["migrate", "apply"]);
        assert!(
            out.contains("002_next") && !out.contains("001_legacy"),
            "{out}"
        );
        assert!(p.run(&["migrate", "info", "1"]).contains("baseline"));
    }
}

#[test]
fn duplicate_versions_are_detected_and_renumbered() {
    let p = Project::new(Engine::Sqlite);
    p.write(
        "001_a.sql",
        "CREATE TABLE a (id INTEGER PRIMARY KEY);",
        None,
    );
    p.write(
        "002_from_branch_one.sql",
        "CREATE TABLE b1 (id INTEGER PRIMARY KEY);",
        None,
    );
    p.write(
        "002_from_branch_two.sql",
        "CREATE TABLE b2 (id INTEGER PRIMARY KEY);",
        None,
    );
    let err = p.fail(&["migrate", "status"]);
    assert!(
        err.contains("002_from_branch_one")
            && err.contains("002_from_branch_two")
            && err.contains("renumber"),
        "{err}"
    );
    p.run(&["migrate", "renumber", "--yes"]);
    let status = p.json(&["migrate", "status"]);
    assert_eq!(
        status["migrations"].as_array().unwrap().len(),
        3,
        "{status}"
    );
    p.run(&["migrate", "apply"]);
}

#[test]
fn a_malformed_file_is_named_and_nothing_runs() {
    let p = Project::new(Engine::Sqlite);
    p.write(
        "001_a.sql",
        "CREATE TABLE a (id INTEGER PRIMARY KEY);",
        None,
    );
    std::fs::write(
        p.migrations().join("002_broken.sql"),
        "CREATE TABLE b (id INTEGER);\n",
    )
    .unwrap();
    let err = p.fail(&["migrate", "apply"]);
    assert!(
        err.contains("002_broken.sql") && err.contains("-- +up"),
        "{err}"
    );
    assert!(!p.tables().contains(&"a".to_string()), "nothing ran");
}

#[test]
fn migrations_dir_option_and_config_file() {
    let p = Project::new(Engine::Sqlite);
    let other = p.dir.path().join("db").join("migrate");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(
        other.join("001_x.sql"),
        "-- +up\nCREATE TABLE x (id INTEGER PRIMARY KEY);\n",
    )
    .unwrap();
    // Before or after the subcommand.
    p.run(&[
        "--migrations-dir",
        other.to_str().unwrap(),
        "migrate",
        "apply",
    ]);
    assert!(p.tables().contains(&"x".to_string()));
    std::fs::write(
        other.join("002_y.sql"),
        "-- +up\nCREATE TABLE y (id INTEGER PRIMARY KEY);\n",
    )
    .unwrap();
    std::fs::write(
        p.dir.path().join("ai-shell.toml"),
        "[migrations]\ndir = \"db/migrate\"\n",
    )
    .unwrap();
    p.run(&["migrate", "apply"]);
    assert!(p.tables().contains(&"y".to_string()), "{:?}", p.tables());

    let q = Project::new(Engine::Sqlite);
    std::fs::write(
        q.dir.path().join("ai-shell.toml"),
        "[migrations]\ntable = \"schema_history\"\n",
    )
    .unwrap();
    q.write(
        "001_z.sql",
        "CREATE TABLE z (id INTEGER PRIMARY KEY);",
        None,
    );
    q.run(&["migrate", "apply"]);
    let tables = q.tables();
    assert!(
        tables.contains(&"schema_history".to_string())
            && !tables.contains(&"ai_shell_migrations".to_string()),
        "{tables:?}"
    );
}
