//! The history never lies and nothing runs twice: renamed files, edited retries, the server's `sql_mode`,
//! oversized migrations, on every engine where the defect can happen.

use crate::migrate::{ENGINES, Project};
use crate::support::Engine;

#[test]
fn a_renamed_applied_file_is_recognised_and_not_run_again() {
    for engine in ENGINES {
        let p = Project::new(engine);
        p.write(
            "001_create_t.sql",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);",
            Some("DROP TABLE t;"),
        );
        p.write(
            "002_seed_t.sql",
            "INSERT INTO t (id, n) VALUES (1, 10);\nINSERT INTO t (id, n) SELECT id + 100, n FROM t;",
            Some("DELETE FROM t;"),
        );
        p.run(&["migrate", "apply"]);
        std::fs::rename(
            p.migrations().join("002_seed_t.sql"),
            p.migrations().join("005_seed_t.sql"),
        )
        .unwrap();
        let status = p.run(&["migrate", "status"]);
        assert!(
            status.contains("renamed") && status.contains("rename it back to `002_seed_t.sql`"),
            "{engine:?}: {status}"
        );
        let err = p.fail(&["migrate", "apply"]);
        assert!(
            err.contains("005_seed_t has the same statements as 002_seed_t")
                && err.contains("Rename it back"),
            "{engine:?}: {err}"
        );
        let rows = p.column("SELECT COUNT(*) FROM t");
        assert_eq!(rows, ["2"], "{engine:?}: the seed ran once");
        // Named back, everything is applied; a deliberate second run differs from the applied file.
        std::fs::rename(
            p.migrations().join("005_seed_t.sql"),
            p.migrations().join("002_seed_t.sql"),
        )
        .unwrap();
        p.run(&["migrate", "apply"]);
        p.write(
            "003_seed_t_again.sql",
            "-- once more\nINSERT INTO t (id, n) VALUES (1000, 10);",
            Some("DELETE FROM t WHERE id = 1000;"),
        );
        p.run(&["migrate", "apply"]);
        assert_eq!(p.column("SELECT COUNT(*) FROM t"), ["3"], "{engine:?}");
    }
}

#[test]
fn a_retry_refuses_edits_to_statements_that_already_ran() {
    for engine in [Engine::Mysql, Engine::Postgres] {
        let p = Project::new(engine);
        let file = p.migrations().join("001_seed.sql");
        let write = |second: &str, third: &str| {
            std::fs::write(
                &file,
                format!(
                    "-- transaction: false\n\n-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n{second}\n{third}\n\n-- +down\nDROP TABLE t;\n"
                ),
            )
            .unwrap()
        };
        write(
            "INSERT INTO t VALUES (1);",
            "INSERT INTO missing VALUES (1);",
        );
        let err = p.fail(&["migrate", "apply"]);
        assert!(
            err.contains("statement 3 of 3") && err.contains("Statements 1..2 were applied"),
            "{engine:?}: {err}"
        );
        // Statement 2 ran as `VALUES (1)`: an edit to it is refused, and nothing runs.
        write("INSERT INTO t VALUES (2);", "INSERT INTO t VALUES (3);");
        let err = p.fail(&["migrate", "retry", "001"]);
        assert!(
            err.contains("statement 2 of its file differs") && err.contains("migrate info 1"),
            "{engine:?}: {err}"
        );
        assert_eq!(
            p.column("SELECT id FROM t ORDER BY id"),
            ["1"],
            "{engine:?}"
        );
        // Only the failed statement changed: the retry continues from it.
        write("INSERT INTO t   VALUES (1);", "INSERT INTO t VALUES (3);");
        p.run(&["migrate", "retry", "001"]);
        assert_eq!(
            p.column("SELECT id FROM t ORDER BY id"),
            ["1", "3"],
            "{engine:?}"
        );
    }
}

#[test]
fn a_failure_at_the_first_statement_says_that_none_ran() {
    let p = Project::new(Engine::Mysql);
    p.write("001_broken.sql", "INSERT INTO missing VALUES (1);", None);
    let err = p.fail(&["migrate", "apply"]);
    assert!(
        err.contains("No statement of it ran") && !err.contains("1..0"),
        "{err}"
    );
}

#[test]
fn mariadb_migrations_run_under_the_servers_sql_mode() {
    let p = Project::new(Engine::Mysql);
    p.write(
        "001_concat.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a VARCHAR(10), b VARCHAR(10), c VARCHAR(40));\n\
         CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.c = NEW.a || NEW.b;\n\
         INSERT INTO t (id, a, b) VALUES (1, '1', '2');",
        Some("DROP TABLE t;"),
    );
    p.run(&["migrate", "apply"]);
    let global = p.column("SELECT @@GLOBAL.sql_mode");
    let trigger = p.column(
        "SELECT SQL_MODE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = 't_bi'",
    );
    assert_eq!(trigger, global, "the trigger keeps the server's mode");
    assert!(!trigger[0].contains("PIPES_AS_CONCAT") && !trigger[0].contains("IGNORE_SPACE"));
    // `||` is OR under the server's mode, as it would be in the mysql client.
    assert_eq!(p.column("SELECT c FROM t"), ["1"]);
}

/// `ai-shell migrate ARGS` in the project, started and left running.
fn spawn(p: &Project, args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_ai-shell"))
        .env("AI_SHELL_CACHE_DIR", crate::support::cache_dir())
        .env("AI_SHELL_PLUGINS_DIR", p.db.plugins_dir())
        .current_dir(p.dir.path())
        .args(["--database", p.db.url(), "migrate"])
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// MariaDB: waits until a statement starting with `head` runs in the project's database, then kills its
/// connection on the server.
fn kill_server_side(p: &Project, head: &str) {
    let running = format!(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '{}' AND INFO LIKE '{head}%'",
        p.db.name()
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let id = loop {
        if let Some(id) = p.column(&running).pop() {
            break id;
        }
        assert!(std::time::Instant::now() < deadline, "`{head}` never ran");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    p.db.exec(&format!("KILL CONNECTION {id}"));
}

/// A statement that sleeps `seconds`, then inserts `v` into `t`.
fn slow_insert(engine: Engine, v: usize, seconds: f64) -> String {
    match engine {
        Engine::Postgres => format!("INSERT INTO t (v) SELECT {v} FROM pg_sleep({seconds})"),
        Engine::Mysql => format!("INSERT INTO t (v) SELECT {v} + SLEEP({seconds})"),
        // No sleep function: a count that takes about as long.
        Engine::Sqlite => format!(
            "INSERT INTO t (v) SELECT {v} FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {}) SELECT max(x) FROM c)",
            (seconds * 4_000_000.0) as u64
        ),
    }
}

/// Item 1 of the crash-window issue: a run killed (SIGKILL) at any moment of a migration whose statements
/// commit one by one (MariaDB; PostgreSQL and SQLite with `transaction: false`) leaves each statement run
/// exactly once after the next `apply`, the last one included: 20 kills per engine, spread over the run.
#[test]
fn a_run_killed_at_any_moment_runs_no_statement_twice() {
    for engine in ENGINES {
        let p = Project::new(engine);
        p.write(
            "001_create_t.sql",
            match engine {
                Engine::Postgres => {
                    "CREATE TABLE t (id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v INTEGER)"
                }
                Engine::Mysql => "CREATE TABLE t (id INTEGER PRIMARY KEY AUTO_INCREMENT, v INTEGER)",
                Engine::Sqlite => "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)",
            },
            Some("DROP TABLE t;"),
        );
        p.run(&["migrate", "apply"]);
        for round in 0..20usize {
            let version = round + 2;
            std::fs::write(
                p.migrations().join(format!("{version:03}_fill_{round}.sql")),
                format!(
                    "-- transaction: false\n\n-- +up\n{};\n{};\n\n-- +down\nDELETE FROM t WHERE v = {version};\n",
                    slow_insert(engine, version, 0.3),
                    slow_insert(engine, version, 0.3)
                ),
            )
            .unwrap();
            let mut child = spawn(&p, &["apply"]);
            // Kill times spread over connecting, both statements and the records after them.
            let delay = 60 + (round * 37) % 700;
            std::thread::sleep(std::time::Duration::from_millis(delay as u64));
            child.kill().unwrap();
            child.wait().unwrap();
            p.run(&["migrate", "apply"]);
            let rows = p.column(&format!("SELECT COUNT(*) FROM t WHERE v = {version}"));
            assert_eq!(
                rows,
                ["2"],
                "{engine:?}, round {round}: killed after {delay} ms, each of the 2 statements must have run once"
            );
        }
        let status = p.run(&["migrate", "status"]);
        assert!(
            !status.contains("failed") && !status.contains("running"),
            "{engine:?}: {status}"
        );
    }
}

/// MariaDB: a statement nothing can make atomic with its record (`DO`, `CALL`), interrupted while it ran (here
/// its connection is killed on the server), is neither re-run nor skipped by guesswork: `apply` refuses and
/// names both choices, and `retry` takes one.
#[test]
fn an_interrupted_statement_of_unknown_effect_is_left_to_the_operator() {
    let p = Project::new(Engine::Mysql);
    p.write(
        "001_create_t.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTO_INCREMENT, v INTEGER);",
        Some("DROP TABLE t;"),
    );
    p.run(&["migrate", "apply"]);
    std::fs::write(
        p.migrations().join("002_slow.sql"),
        "-- +up\nINSERT INTO t (v) VALUES (1);\nDO SLEEP(5);\nINSERT INTO t (v) VALUES (3);\n",
    )
    .unwrap();
    let mut child = spawn(&p, &["apply"]);
    kill_server_side(&p, "DO SLEEP");
    child.wait().unwrap();
    let err = p.fail(&["migrate", "apply"]);
    assert!(
        err.contains("interrupted while statement 2 of 3 ran")
            && err.contains("--skip-statement 2")
            && err.contains("--rerun-statement 2"),
        "{err}"
    );
    let err = p.fail(&["migrate", "retry", "002", "--skip-statement", "3"]);
    assert!(err.contains("stopped at statement 2 of 3, not 3"), "{err}");
    p.run(&["migrate", "retry", "002", "--skip-statement", "2"]);
    assert_eq!(p.column("SELECT v FROM t ORDER BY id"), ["1", "3"]);
    let logs = p.run(&["migrate", "logs", "002"]);
    assert!(logs.contains("--skip-statement"), "{logs}");
    let err = p.fail(&["migrate", "retry", "002", "--rerun-statement", "2"]);
    assert!(err.contains("not failed"), "{err}");
}

/// A rollback outside a transaction (MariaDB) that fails part-way records how far it got: the migration is
/// `rolling_back`, `apply` refuses it, the next rollback continues at the failed down statement, and
/// `--down-from-file` takes a corrected down section, but only if the statements that ran are unchanged.
#[test]
fn a_rollback_that_stops_part_way_continues_where_it_stopped() {
    let p = Project::new(Engine::Mysql);
    let file = p.migrations().join("001_two_tables.sql");
    let write = |down: &str| {
        std::fs::write(
            &file,
            format!(
                "-- +up\nCREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (id INTEGER PRIMARY KEY);\nALTER TABLE b ADD COLUMN c INTEGER;\n\n-- +down\n{down}\n"
            ),
        )
        .unwrap()
    };
    write("ALTER TABLE b DROP COLUMN c;\nDROP TABLE b_typo;\nDROP TABLE a;");
    p.run(&["migrate", "apply"]);
    let err = p.fail(&["migrate", "rollback", "001", "--yes"]);
    assert!(
        err.contains("statement 2 of 3") && err.contains("Down statement 1 ran"),
        "{err}"
    );
    assert!(p.run(&["migrate", "status"]).contains("rolling_back"));
    assert!(p.fail(&["migrate", "apply"]).contains("partly rolled back"));
    // The recorded copy is what runs again: it fails at the same statement, not at statement 1.
    let err = p.fail(&["migrate", "rollback", "001", "--yes"]);
    assert!(err.contains("statement 2 of 3"), "{err}");
    // A corrected file whose first down statement changed is refused; one that keeps it continues.
    write("ALTER TABLE b DROP COLUMN c_other;\nDROP TABLE b;\nDROP TABLE a;");
    let err = p.fail(&["migrate", "rollback", "001", "--yes", "--down-from-file"]);
    assert!(
        err.contains("down statement 1 of its file differs"),
        "{err}"
    );
    write("ALTER TABLE b DROP COLUMN c;\nDROP TABLE b;\nDROP TABLE a;");
    p.run(&["migrate", "rollback", "001", "--yes", "--down-from-file"]);
    assert!(
        p.tables().iter().all(|t| t != "a" && t != "b"),
        "{:?}",
        p.tables()
    );
    let status = p.run(&["migrate", "status"]);
    assert!(
        status.contains("rolled_back") || status.contains("↩"),
        "{status}"
    );
    let logs = p.run(&["migrate", "logs", "001"]);
    assert!(logs.contains("rollback-resumed"), "{logs}");
    // Applied again, it rolls back with the corrected down section recorded from the file.
    p.run(&["migrate", "apply"]);
    p.run(&["migrate", "rollback", "001", "--yes"]);
}

/// PostgreSQL: a role that may write the tables but not create any applies migrations once the history
/// exists (the history is not re-created before every run).
#[test]
fn postgres_a_role_without_create_applies_once_the_history_exists() {
    let p = Project::new(Engine::Postgres);
    p.write(
        "001_create_t.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY);",
        Some("DROP TABLE t;"),
    );
    p.run(&["migrate", "apply"]);
    let role = format!("{}_writer", p.db.name());
    p.db.exec(&format!(
        "CREATE ROLE \"{role}\" LOGIN; \
         REVOKE CREATE ON SCHEMA public FROM PUBLIC; \
         GRANT USAGE ON SCHEMA public TO \"{role}\"; \
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"{role}\"; \
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \"{role}\";"
    ));
    p.write(
        "002_seed.sql",
        "INSERT INTO t (id) VALUES (1);",
        Some("DELETE FROM t;"),
    );
    let url = p.db.url().replacen("postgres@", &format!("{role}@"), 1);
    let out = crate::support::ai_shell_cmd()
        .env("AI_SHELL_PLUGINS_DIR", p.db.plugins_dir())
        .current_dir(p.dir.path())
        .args(["--database", &url, "migrate", "apply"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    p.db.exec(&format!("DROP OWNED BY \"{role}\"; DROP ROLE \"{role}\";"));
    assert!(out.status.success(), "{stderr}");
    assert_eq!(p.column("SELECT count(*) FROM t"), ["1"]);
}

/// A connection lost while a statement runs is reported with the migration, the statement and what the
/// history holds, not as a bare driver error.
#[test]
fn a_connection_lost_mid_apply_names_the_migration_statement_and_state() {
    let p = Project::new(Engine::Mysql);
    std::fs::write(
        p.migrations().join("001_slow.sql"),
        "-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\nINSERT INTO t VALUES (1);\nDO SLEEP(5);\nINSERT INTO t VALUES (2);\n",
    )
    .unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_ai-shell"))
        .env("AI_SHELL_CACHE_DIR", crate::support::cache_dir())
        .env("AI_SHELL_PLUGINS_DIR", p.db.plugins_dir())
        .current_dir(p.dir.path())
        .args(["--database", p.db.url(), "migrate", "apply"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    kill_server_side(&p, "DO SLEEP");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("migration 001_slow")
            && err.contains("statement 3 of 4 did not finish")
            && err.contains("statements 1..2 ran")
            && err.contains("migrate apply` resumes at statement 3"),
        "{err}"
    );
}

/// Restores MariaDB's global max_allowed_packet when dropped.
struct PacketLimit {
    db: crate::support::TestDb,
    original: String,
}

impl Drop for PacketLimit {
    fn drop(&mut self) {
        self.db.exec(&format!(
            "SET GLOBAL max_allowed_packet = {}",
            self.original
        ));
    }
}

/// MariaDB: a migration larger than max_allowed_packet applies (the history keeps a note with its size and
/// checksum instead of the SQL), and a single statement over the limit is refused before anything runs.
#[test]
fn mariadb_migrations_over_max_allowed_packet_apply_or_are_refused_up_front() {
    let p = Project::new(Engine::Mysql);
    let original = p.column("SELECT @@GLOBAL.max_allowed_packet").remove(0);
    let limit = PacketLimit {
        db: crate::support::TestDb::new(Engine::Mysql),
        original,
    };
    limit.db.exec("SET GLOBAL max_allowed_packet = 1048576");
    // 12 statements of about 100 KB: 1.2 MB in all.
    let rows = |from: usize| {
        (from..from + 2_000)
            .map(|i| format!("({i}, '{}')", "x".repeat(40)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let up: Vec<String> = (0..12)
        .map(|b| format!("INSERT INTO t (id, v) VALUES {};", rows(b * 2_000)))
        .collect();
    p.write(
        "001_create_t.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR(50));",
        Some("DROP TABLE t;"),
    );
    p.write("002_fill.sql", &up.join("\n"), Some("DELETE FROM t;"));
    p.run(&["migrate", "apply"]);
    assert_eq!(p.column("SELECT COUNT(*) FROM t"), ["24000"]);
    let info = p.run(&["migrate", "info", "002"]);
    assert!(info.contains("not stored in the history"), "{info}");
    // One statement of 1.2 MB cannot be sent: refused with the cause, before statement 1 runs.
    p.write(
        "003_one_big.sql",
        &format!(
            "DELETE FROM t WHERE id = 0;\nINSERT INTO t (id, v) VALUES {};",
            (0..12)
                .map(|b| rows(100_000 + b * 2_000))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None,
    );
    let err = p.fail(&["migrate", "apply"]);
    assert!(
        err.contains("statement 2 is") && err.contains("max_allowed_packet (1048576 bytes)"),
        "{err}"
    );
    assert_eq!(p.column("SELECT COUNT(*) FROM t"), ["24000"]);
    drop(limit);
}

/// An applied file whose down section changed is reported by `status` and `validate` (a rollback runs the
/// recorded one unless --down-from-file), on every engine.
#[test]
fn an_edited_down_section_of_an_applied_file_is_reported() {
    for engine in ENGINES {
        let p = Project::new(engine);
        p.write(
            "001_create_t.sql",
            "CREATE TABLE t (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE t;"),
        );
        p.run(&["migrate", "apply"]);
        assert!(
            !p.run(&["migrate", "status"])
                .contains("down section was edited")
        );
        p.write(
            "001_create_t.sql",
            "CREATE TABLE t (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE IF EXISTS t;"),
        );
        for args in [["migrate", "status"], ["migrate", "validate"]] {
            let out = p.run(&args);
            assert!(
                out.contains("its down section was edited after it was applied")
                    && out.contains("--down-from-file"),
                "{engine:?} {args:?}: {out}"
            );
        }
    }
}

/// PostgreSQL errors say what is wrong, not where in the server's source it was found ("at line 948").
#[test]
fn postgres_errors_carry_no_server_source_lines() {
    let p = Project::new(Engine::Postgres);
    let (server, _) = p.db.url().rsplit_once('/').unwrap();
    let out = crate::support::ai_shell_cmd()
        .args([
            "--database",
            &format!("{server}/no_such_database_here"),
            "migrate",
            "status",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("database \"no_such_database_here\" does not exist")
            && !err.contains(" at line "),
        "{err}"
    );
}

/// MariaDB: a scratch database left by a `validate` that was killed (no session holds it) is dropped by the
/// next trial run; one in use is not.
#[test]
fn mariadb_a_killed_validates_scratch_database_is_dropped_by_the_next() {
    let p = Project::new(Engine::Mysql);
    let orphan = format!("ai_shell_trial_{}", std::process::id() as u64 * 1_000_003);
    p.db.exec(&format!(
        "CREATE DATABASE `{orphan}`; CREATE TABLE `{orphan}`.t (id INTEGER PRIMARY KEY);"
    ));
    p.write(
        "001_create_t.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY);",
        Some("DROP TABLE t;"),
    );
    p.run(&["migrate", "validate"]);
    let left = p.column(&format!(
        "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{orphan}'"
    ));
    assert_eq!(left, ["0"], "the orphaned scratch database was dropped");
}
