//! The history never lies and nothing runs twice: renamed files, edited retries, the server's `sql_mode`,
//! oversized migrations, on every engine where the defect can happen.

use crate::migrate::{ENGINES, Project};

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
