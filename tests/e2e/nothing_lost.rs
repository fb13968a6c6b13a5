//! Nothing is lost through ai-shell's own commands, on every engine: ids match exactly, data is destroyed only
//! with consent and a count of what is at stake, rollbacks do not pull objects from under later migrations,
//! requests that are not applied stay drafts, and a wrong folder cannot corrupt the history.

use crate::migrate::{ENGINES, Project};
use crate::support::Engine;

/// A project with `users` (3 rows) from 001 and a `status` column holding values from 002.
fn seeded(engine: Engine) -> Project {
    let p = Project::new(engine);
    p.write(
        "001_create_users.sql",
        "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50));",
        Some("DROP TABLE users;"),
    );
    p.write(
        "002_add_status_to_users.sql",
        "ALTER TABLE users ADD COLUMN status VARCHAR(20);",
        Some("ALTER TABLE users DROP COLUMN status;"),
    );
    p.run(&["migrate", "apply"]);
    p.db.exec(
        "INSERT INTO users (id, name, status) VALUES (1, 'a', 'new'), (2, 'b', 'paid'), (3, 'c', NULL)",
    );
    p
}

fn count(p: &Project, sql: &str) -> String {
    p.column(sql).pop().unwrap_or_default()
}

fn status_values(p: &Project) -> String {
    count(p, "SELECT COUNT(status) FROM users")
}

#[test]
fn an_id_with_another_slug_names_no_migration() {
    for engine in ENGINES {
        let p = seeded(engine);
        for verb in [
            vec!["migrate", "rollback", "002_add_indexes", "--yes"],
            vec!["migrate", "info", "002_add_indexes"],
            vec!["migrate", "review", "002_add_indexes"],
            vec!["migrate", "rollback-status", "002_add_indexes"],
            vec!["migrate", "apply", "002_add_indexes"],
        ] {
            let err = p.fail(&verb);
            assert!(
                err.contains("no migration `002_add_indexes`")
                    && err.contains("002_add_status_to_users"),
                "{engine:?} {verb:?}: {err}"
            );
        }
        assert_eq!(status_values(&p), "2", "{engine:?}");
        // The exact id, the number and the slug still work.
        p.run(&["migrate", "info", "002_add_status_to_users"]);
        p.run(&["migrate", "info", "2"]);
        p.run(&["migrate", "info", "add_status_to_users"]);
    }
}

#[test]
fn apply_refuses_to_destroy_data_without_consent() {
    for engine in ENGINES {
        let p = seeded(engine);
        p.write("003_drop_users.sql", "DROP TABLE users;", Some(""));
        let err = p.fail(&["migrate", "apply"]);
        assert!(
            err.contains("drops table users (3 rows)") && err.contains("--allow-destructive"),
            "{engine:?}: {err}"
        );
        assert_eq!(count(&p, "SELECT COUNT(*) FROM users"), "3", "{engine:?}");
        let status = p.json(&["migrate", "status"]);
        assert_eq!(status["version"], 2, "{engine:?}: {status}");
        // A dry run shows the count; a hand-written column drop is caught the same way.
        assert!(
            p.run(&["migrate", "apply", "--dry-run"])
                .contains("drops table users (3 rows)"),
            "{engine:?}"
        );
        std::fs::remove_file(p.migrations().join("003_drop_users.sql")).unwrap();
        p.write(
            "003_drop_status.sql",
            "ALTER TABLE users DROP COLUMN status;",
            Some(""),
        );
        let err = p.fail(&["migrate", "apply"]);
        assert!(
            err.contains("drops column users.status (2 non-NULL values)"),
            "{engine:?}: {err}"
        );
        assert_eq!(status_values(&p), "2", "{engine:?}");
        p.run(&["migrate", "apply", "--allow-destructive"]);
        assert_eq!(p.json(&["migrate", "status"])["version"], 3, "{engine:?}");
        // An empty table loses nothing: no consent needed.
        p.write(
            "004_create_scratch.sql",
            "CREATE TABLE scratch (id INTEGER NOT NULL PRIMARY KEY);",
            Some("DROP TABLE scratch;"),
        );
        p.write("005_drop_scratch.sql", "DROP TABLE scratch;", Some(""));
        p.run(&["migrate", "apply"]);
        assert!(!p.tables().contains(&"scratch".to_string()), "{engine:?}");
    }
}

#[test]
fn rollbacks_need_consent_for_data_and_keep_later_migrations_whole() {
    for engine in ENGINES {
        let p = seeded(engine);
        let down = match engine {
            Engine::Mysql => "DROP INDEX idx_users_status ON users;",
            _ => "DROP INDEX idx_users_status;",
        };
        p.write(
            "003_index_status.sql",
            "CREATE INDEX idx_users_status ON users (status);",
            Some(down),
        );
        p.write(
            "004_add_note_to_users.sql",
            "ALTER TABLE users ADD COLUMN note VARCHAR(20);",
            Some("ALTER TABLE users DROP COLUMN note;"),
        );
        p.run(&["migrate", "apply"]);
        // 003 indexes the column 002 added: 002 cannot go alone; 004 does not use it.
        let err = p.fail(&["migrate", "rollback", "002", "--yes"]);
        assert!(
            err.contains("003_index_status")
                && !err.contains("004_add_note")
                && err.contains("--cascade"),
            "{engine:?}: {err}"
        );
        // With --cascade the column's values are at stake: --yes alone is not consent.
        let err = p.fail(&["migrate", "rollback", "002", "--yes", "--cascade"]);
        assert!(
            err.contains("drops column users.status (2 non-NULL values)"),
            "{engine:?}: {err}"
        );
        assert_eq!(status_values(&p), "2", "{engine:?}");
        let status = p.json(&["migrate", "status"]);
        assert_eq!(status["version"], 4, "{engine:?}");
        // A rollback that loses nothing needs only the usual confirmation.
        p.run(&["migrate", "rollback", "004", "--yes"]);
        p.run(&[
            "migrate",
            "rollback",
            "002",
            "--yes",
            "--cascade",
            "--allow-destructive",
        ]);
        let states: Vec<String> = p.json(&["migrate", "status"])["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| format!("{}={}", m["version"], m["state"].as_str().unwrap()))
            .collect();
        assert_eq!(
            states,
            [
                "1=applied",
                "2=rolled_back",
                "3=rolled_back",
                "4=rolled_back"
            ],
            "{engine:?}"
        );
        assert_eq!(count(&p, "SELECT COUNT(*) FROM users"), "3", "{engine:?}");
    }
}

#[test]
fn requests_that_are_not_applied_stay_drafts() {
    for engine in ENGINES {
        let p = seeded(engine);
        // No terminal to ask on: nothing applied, a draft kept.
        let err = p.fail(&["migrate", "create widgets table with name"]);
        assert!(err.contains("saved as draft 003_"), "{engine:?}: {err}");
        let file = std::fs::read_dir(p.migrations())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with("003_"))
            .expect("the draft file");
        let id = file.trim_end_matches(".sql").to_string();
        assert!(
            std::fs::read_to_string(p.migrations().join(&file))
                .unwrap()
                .contains("-- draft: true")
        );
        // `apply` does not run it; status says so.
        p.run(&["migrate", "apply"]);
        assert!(!p.tables().contains(&"widgets".to_string()), "{engine:?}");
        let status = p.json(&["migrate", "status"]);
        assert_eq!(status["pending"], 0, "{engine:?}: {status}");
        assert!(status.to_string().contains("\"draft\""), "{status}");
        // Accepting it makes it an ordinary pending migration.
        p.run(&["migrate", "review", &id, "--accept"]);
        p.run(&["migrate", "apply"]);
        assert!(p.tables().contains(&"widgets".to_string()), "{engine:?}");
        // A drop refused for lack of consent writes nothing at all.
        let err = p.fail(&["migrate", "drop widgets table", "--yes"]);
        assert!(err.contains("--allow-destructive"), "{engine:?}: {err}");
        assert!(
            !std::fs::read_dir(p.migrations()).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("004_")),
            "{engine:?}"
        );
    }
}

#[test]
fn a_wrong_folder_cannot_corrupt_the_history() {
    for engine in ENGINES {
        let p = seeded(engine);
        let elsewhere = tempfile::tempdir().unwrap();
        let cli = |args: &[&str]| {
            let mut cmd = p.db.cli();
            cmd.current_dir(elsewhere.path()).args(args);
            cmd.output().unwrap()
        };
        let out = cli(&["migrate", "add age to users", "--yes"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("wrong migrations folder"),
            "{engine:?}: {err}"
        );
        assert!(!elsewhere.path().join("migrations").exists(), "{engine:?}");
        // A file that reuses an applied version under another name is not that migration.
        std::fs::create_dir_all(elsewhere.path().join("migrations")).unwrap();
        std::fs::write(
            elsewhere.path().join("migrations/001_other.sql"),
            "-- +up\nCREATE TABLE other (id INTEGER);\n",
        )
        .unwrap();
        let out = cli(&["migrate", "apply", "--accept-checksum", "1"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("wrong migrations folder"),
            "{engine:?}: {err}"
        );
        let status = p.json(&["migrate", "status"]);
        assert_eq!(status["version"], 2, "{engine:?}");
        // Back in the project: a new migration comes after every version the history knows, even one whose
        // file is gone.
        p.run(&["migrate", "rollback", "--yes", "--allow-destructive"]);
        std::fs::remove_file(p.migrations().join("002_add_status_to_users.sql")).unwrap();
        p.run(&["migrate", "new", "add_age"]);
        assert!(
            p.migrations().join("003_add_age.sql").exists(),
            "{engine:?}: {:?}",
            std::fs::read_dir(p.migrations())
                .unwrap()
                .collect::<Vec<_>>()
        );
        let status = p.json(&["migrate", "status"]);
        assert_eq!(status["pending"], 1, "{engine:?}: {status}");
    }
}

#[test]
fn bookkeeping_tables_are_not_the_users_schema() {
    for engine in ENGINES {
        let p = seeded(engine);
        let shown = p.run(&["schema", "show"]);
        assert!(
            shown.contains("users") && !shown.contains("ai_shell_migrations"),
            "{engine:?}: {shown}"
        );
        let exported = p.run(&["schema", "export"]);
        assert!(!exported.contains("ai_shell_migrations"), "{engine:?}");
        let all = p.run(&["schema", "show", "--include-internal"]);
        assert!(all.contains("ai_shell_migrations"), "{engine:?}: {all}");
    }
}

#[test]
fn a_split_rolls_back_to_the_same_schema_and_rows() {
    for engine in ENGINES {
        let p = Project::new(engine);
        p.write(
            "001_create_users.sql",
            "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, phone VARCHAR(20), bio VARCHAR(200), CONSTRAINT chk_users_phone CHECK (phone <> ''));\nCREATE UNIQUE INDEX uq_users_phone ON users (phone);",
            Some("DROP TABLE users;"),
        );
        p.run(&["migrate", "apply"]);
        p.db.exec(
            "INSERT INTO users (id, name, phone, bio) VALUES (1, 'a', '5551', 'x'), (2, 'b', NULL, NULL), (3, 'c', '5553', NULL)",
        );
        let before = crate::support::export_json(&p.db);
        let rows = |p: &Project| {
            p.column(match engine {
                Engine::Sqlite => "SELECT id || '|' || name || '|' || COALESCE(phone, '-') || '|' || COALESCE(bio, '-') FROM users ORDER BY id",
                _ => "SELECT CONCAT(id, '|', name, '|', COALESCE(phone, '-'), '|', COALESCE(bio, '-')) FROM users ORDER BY id",
            })
        };
        let rows_before = rows(&p);
        p.run(&[
            "migrate",
            "split users into accounts and profiles: phone, bio",
            "--yes",
            "--allow-destructive",
        ]);
        assert!(p.tables().contains(&"profiles".to_string()), "{engine:?}");
        p.run(&["migrate", "rollback", "--yes", "--allow-destructive"]);
        let after = crate::support::export_json(&p.db);
        assert_eq!(
            crate::eval::checks::shape(&after),
            crate::eval::checks::shape(&before),
            "{engine:?}: the rollback did not restore the schema"
        );
        assert_eq!(rows(&p), rows_before, "{engine:?}");
        assert_eq!(count(&p, "SELECT COUNT(bio) FROM users"), "1", "{engine:?}");
    }
}

/// Tutorial Step 6 on MariaDB: both sides of every foreign key change together, the keys are dropped and added
/// back around the change, and the rollback narrows back without consent while every value fits.
#[test]
fn a_key_type_change_across_foreign_keys_applies_and_rolls_back_on_mariadb() {
    let p = Project::new(Engine::Mysql);
    p.write(
        "001_create_users_and_orders.sql",
        "CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50));\nCREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id));\nCREATE TABLE comments (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT, CONSTRAINT fk_comments_user FOREIGN KEY (user_id) REFERENCES users (id));",
        Some("DROP TABLE comments;\nDROP TABLE orders;\nDROP TABLE users;"),
    );
    p.run(&["migrate", "apply"]);
    p.db.exec("INSERT INTO users (name) VALUES ('a'), ('b'); INSERT INTO orders (user_id) VALUES (1), (2), (2)");
    let before = crate::support::export_json(&p.db);
    p.run(&[
        "migrate",
        "change user_id from integer to bigint in all tables",
        "--yes",
    ]);
    let types = p.column(
        "SELECT CONCAT(table_name, '.', column_name, '=', data_type) FROM information_schema.columns WHERE table_schema = DATABASE() AND column_name IN ('user_id', 'id') AND table_name IN ('users', 'orders', 'comments') ORDER BY 1",
    );
    assert!(
        types.contains(&"orders.user_id=bigint".to_string())
            && types.contains(&"comments.user_id=bigint".to_string())
            && types.contains(&"users.id=bigint".to_string()),
        "{types:?}"
    );
    assert_eq!(count(&p, "SELECT COUNT(*) FROM orders"), "3");
    // Every value fits an INT again: the rollback needs no consent, and restores the schema.
    p.run(&["migrate", "rollback", "--yes"]);
    assert_eq!(
        crate::eval::checks::shape(&crate::support::export_json(&p.db)),
        crate::eval::checks::shape(&before)
    );
    // A value an INT cannot hold is at stake: refused without consent.
    p.run(&["migrate", "apply"]);
    p.db.exec("INSERT INTO users (id, name) VALUES (3000000000, 'big')");
    let err = p.fail(&["migrate", "rollback", "--yes"]);
    assert!(
        err.contains("changes users.id to int") && err.contains("(1 non-NULL values)"),
        "{err}"
    );
}

/// MariaDB drops the index it made for a foreign key once a wider index serves the key, and then refuses to
/// drop the wider one: a rollback of that index, and a request to drop it, keep an index for the key in the
/// same statement, and every row stays.
#[test]
fn an_index_a_foreign_key_needs_rolls_back_and_drops_on_mariadb() {
    let p = Project::new(Engine::Mysql);
    p.write(
        "001_create_users_and_orders.sql",
        "CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY);\nCREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT, status VARCHAR(20), CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id));",
        Some("DROP TABLE orders;\nDROP TABLE users;"),
    );
    p.run(&["migrate", "apply"]);
    p.db.exec("INSERT INTO users () VALUES (), (); INSERT INTO orders (user_id, status) VALUES (1, 'a'), (2, 'b'), (2, NULL)");
    let indexes = |p: &Project| {
        p.column(
            "SELECT CONCAT(index_name, ':', GROUP_CONCAT(column_name ORDER BY seq_in_index)) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'orders' AND index_name <> 'PRIMARY' GROUP BY index_name ORDER BY 1",
        )
    };
    assert_eq!(indexes(&p), ["fk_orders_user:user_id"]);
    p.run(&[
        "migrate",
        "add an index on orders (user_id, status)",
        "--yes",
    ]);
    let wide = indexes(&p);
    assert_eq!(wide.len(), 1, "{wide:?}");
    assert!(wide[0].ends_with(":user_id,status"), "{wide:?}");
    let out = p
        .cli()
        .args(["migrate", "rollback", "--yes"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("fk_orders_user"), "{stderr}");
    assert_eq!(indexes(&p), ["fk_orders_user:user_id"]);
    // Changed outside the migrations: only a wide index serves the key, and a request drops it.
    p.db.exec("ALTER TABLE orders ADD INDEX idx_wide (user_id, status), DROP INDEX fk_orders_user");
    assert_eq!(indexes(&p), ["idx_wide:user_id,status"]);
    let shown = p.run(&["migrate", "drop index idx_wide", "--yes"]);
    assert!(shown.contains("ADD INDEX `fk_orders_user`"), "{shown}");
    assert_eq!(indexes(&p), ["fk_orders_user:user_id"]);
    assert_eq!(count(&p, "SELECT COUNT(*) FROM orders"), "3");
    p.run(&["migrate", "rollback", "--yes"]);
    let back = indexes(&p);
    assert!(
        back.contains(&"idx_wide:user_id,status".to_string()),
        "{back:?}"
    );
}

/// MariaDB: an instant drop planned as the rollback of an online column addition is refused by the server
/// once the column is indexed; the rollback falls back to an in-place drop and says so, and rollback-status
/// names the later migration that uses the column.
#[test]
fn a_refused_instant_rollback_falls_back_on_mariadb() {
    let p = Project::new(Engine::Mysql);
    p.write(
        "001_create_items.sql",
        "CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50));",
        Some("DROP TABLE items;"),
    );
    p.run(&["migrate", "apply"]);
    p.db.exec("INSERT INTO items (name) VALUES ('a'), ('b')");
    p.run(&["migrate", "add status to items", "--zero-downtime", "--yes"]);
    let file = std::fs::read_to_string(
        std::fs::read_dir(p.migrations())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|n| n.to_string_lossy().contains("002_"))
            .unwrap(),
    )
    .unwrap();
    assert!(file.contains("ALGORITHM=INSTANT"), "{file}");
    p.write(
        "003_index_status.sql",
        "CREATE INDEX idx_items_status ON items (status);",
        Some("DROP INDEX idx_items_status ON items;"),
    );
    p.run(&["migrate", "apply"]);
    let status = p.run(&["migrate", "rollback-status", "2"]);
    assert!(
        status.contains("not available")
            && status.contains("003_index_status")
            && status.contains("--cascade"),
        "{status}"
    );
    // Indexed outside the migrations as well: the instant drop is refused even after 003 is undone.
    p.db.exec("CREATE INDEX idx_items_status_name ON items (status, name)");
    let out = p
        .cli()
        .args(["migrate", "rollback", "2", "--yes", "--cascade"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("ALGORITHM=INPLACE"), "{stderr}");
    let columns = p.column(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'items' ORDER BY ordinal_position",
    );
    assert_eq!(columns, ["id", "name"]);
    assert_eq!(count(&p, "SELECT COUNT(*) FROM items"), "2");
}

/// Broken SQL is reported by the server, not called valid because it parses: `validate` trial-runs pending
/// migrations on every engine (MariaDB in a scratch database that is dropped), and `edit` does the same for the
/// migration it edited.
#[test]
fn broken_sql_is_never_reported_valid() {
    for engine in ENGINES {
        let p = seeded(engine);
        p.write(
            "003_typo.sql",
            "ALTR TABLE users ADD COLUMN x INTEGER;",
            Some(""),
        );
        p.write(
            "004_after.sql",
            "ALTER TABLE users ADD COLUMN y INTEGER;",
            Some("ALTER TABLE users DROP COLUMN y;"),
        );
        let out = p.cli().args(["migrate", "validate"]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{engine:?}: {stdout}");
        assert!(
            stdout.contains("✗ 003_typo") && stdout.contains("trial run failed at statement 1"),
            "{engine:?}: {stdout}"
        );
        assert!(
            stdout.contains("✗ 004_after") && stdout.contains("003_typo runs before it and fails"),
            "{engine:?}: {stdout}"
        );
        // Nothing was kept: no column, no scratch database.
        assert!(
            p.fail(&["migrate", "validate", "4"])
                .contains("failed validation")
        );
        assert_eq!(count(&p, "SELECT COUNT(*) FROM users"), "3", "{engine:?}");
        if engine == Engine::Mysql {
            let scratch = p.column("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name LIKE 'ai_shell_trial%'");
            assert_eq!(scratch, ["0"]);
        }
        // `edit` trial-runs the edited migration: fixing the typo makes both valid.
        let editor = p.dir.path().join("editor.sh");
        std::fs::write(&editor, "#!/bin/sh\nsed -i 's/^ALTR /ALTER /' \"$1\"\n").unwrap();
        let mut perms = std::fs::metadata(&editor).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&editor, perms).unwrap();
        crate::support::run_ok(
            p.cli()
                .env("EDITOR", &editor)
                .env_remove("VISUAL")
                .args(["migrate", "edit", "003_typo"]),
        );
        p.run(&["migrate", "validate"]);
        // An edit that breaks it is refused.
        std::fs::write(&editor, "#!/bin/sh\nsed -i 's/^ALTER TABLE users ADD COLUMN x/ALTER TABLE nowhere ADD COLUMN x/' \"$1\"\n").unwrap();
        let out = p
            .cli()
            .env("EDITOR", &editor)
            .env_remove("VISUAL")
            .args(["migrate", "edit", "003_typo"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{engine:?}");
    }
}

/// MariaDB shadow copy of a table whose foreign key does not cascade: the copy's secondary indexes and key are
/// built once its rows are in, and the table ends with exactly the indexes and keys it had (names, column
/// order, prefixes, comments), the changed type apart, and the key still refuses an orphan.
#[test]
fn online_type_change_rebuilds_indexes_and_keys_after_the_copy_on_mariadb() {
    let p = Project::new(Engine::Mysql);
    p.write(
        "001_create_users_and_orders.sql",
        "CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50));\nCREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, amount INT NOT NULL DEFAULT 0, note VARCHAR(200), CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id), UNIQUE KEY uq_note (note), KEY idx_amount_note (amount, note(20)) COMMENT 'for reports', KEY idx_user_desc (user_id DESC, id));",
        Some("DROP TABLE orders;\nDROP TABLE users;"),
    );
    p.run(&["migrate", "apply"]);
    p.db.exec("INSERT INTO users (name) VALUES ('a'), ('b'); INSERT INTO orders (user_id, amount, note) SELECT 1 + seq % 2, seq, CONCAT('n', seq) FROM seq_1_to_3000");
    let orders = |m: &serde_json::Value| {
        let mut t = m["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"]["name"] == "orders")
            .unwrap()
            .clone();
        t["columns"] = serde_json::Value::Null;
        t.to_string().replace("\"NoAction\"", "\"Restrict\"")
    };
    let before = orders(&crate::support::export_json(&p.db));
    let out = p.run(&[
        "migrate",
        "change amount in orders to bigint",
        "--zero-downtime",
        "--yes",
        "--confirm-gates",
    ]);
    assert!(
        out.contains("DROP INDEX `idx_amount_note`") && out.contains("build-indexes"),
        "not built after the copy:\n{out}"
    );
    assert_eq!(orders(&crate::support::export_json(&p.db)), before);
    assert_eq!(
        p.column("SELECT data_type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'orders' AND column_name = 'amount'"),
        ["bigint"]
    );
    assert_eq!(
        count(&p, "SELECT CAST(SUM(amount) AS CHAR) FROM orders"),
        (3000 * 3001 / 2).to_string()
    );
    // The key was built without checking rows, and checks new ones.
    let orphan =
        p.db.try_exec("INSERT INTO orders (user_id, amount) VALUES (99, 1)")
            .expect_err("an order of no user");
    assert!(orphan.to_string().contains("foreign key"), "{orphan}");
}

/// MariaDB `--zero-downtime` type change of a table with its own foreign key: a shadow copy that carries the
/// key (under a temporary name until the original is dropped), not a plain MODIFY under a write lock; and a
/// change no online strategy can make is refused with the lock it would take, not run silently.
#[test]
fn online_type_changes_on_tables_with_foreign_keys_on_mariadb() {
    let p = Project::new(Engine::Mysql);
    p.write(
        "001_create_users_and_orders.sql",
        "CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50));\nCREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT, amount INT NOT NULL DEFAULT 0, CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);",
        Some("DROP TABLE orders;\nDROP TABLE users;"),
    );
    p.run(&["migrate", "apply"]);
    p.db.exec("INSERT INTO users (name) VALUES ('a'), ('b'); INSERT INTO orders (user_id, amount) VALUES (1, 5), (2, 7), (2, 9)");
    let before = crate::support::export_json(&p.db);
    let out = p.run(&[
        "migrate",
        "change amount in orders to bigint",
        "--zero-downtime",
        "--yes",
        "--confirm-gates",
    ]);
    assert!(
        out.contains("_orders__aish_new"),
        "not a shadow copy:\n{out}"
    );
    let after = crate::support::export_json(&p.db);
    // InnoDB treats RESTRICT and NO ACTION alike, and MariaDB records a key added in place with
    // foreign_key_checks off as NO ACTION whichever was written.
    let fks = |m: &serde_json::Value| {
        m["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"]["name"] == "orders")
            .unwrap()["foreign_keys"]
            .to_string()
            .replace("\"NoAction\"", "\"Restrict\"")
    };
    assert_eq!(fks(&after), fks(&before));
    assert_eq!(
        p.column("SELECT data_type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'orders' AND column_name = 'amount'"),
        ["bigint"]
    );
    assert_eq!(
        count(&p, "SELECT CAST(SUM(amount) AS CHAR) FROM orders"),
        "21"
    );
    // The key still acts: deleting a user deletes its orders.
    p.db.exec("DELETE FROM users WHERE id = 2");
    assert_eq!(count(&p, "SELECT COUNT(*) FROM orders"), "1");
    // users is referenced by orders: no shadow copy can swap it; refused, nothing changed.
    let err = p.fail(&[
        "migrate",
        "change name in users to varchar(20)",
        "--zero-downtime",
        "--yes",
    ]);
    assert!(
        err.contains("no online strategy")
            && err.contains("lock")
            && err.contains("Nothing was changed"),
        "{err}"
    );
    assert_eq!(
        p.column("SELECT CAST(character_maximum_length AS CHAR) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'users' AND column_name = 'name'"),
        ["50"]
    );
}

/// Every path that could destroy data, run with `--yes` but without `--allow-destructive` and with stdin
/// closed: each is refused and every row and value is still there.
#[test]
fn no_command_destroys_data_on_yes_alone() {
    for engine in ENGINES {
        let p = seeded(engine);
        let snapshot = |p: &Project| {
            (
                count(p, "SELECT COUNT(*) FROM users"),
                count(p, "SELECT COUNT(name) FROM users"),
                status_values(p),
            )
        };
        let before = snapshot(&p);
        let attempts: Vec<Vec<&str>> = vec![
            vec!["migrate", "drop table users", "--yes"],
            vec!["migrate", "remove status from users", "--yes"],
            vec![
                "migrate",
                "remove status from users",
                "--yes",
                "--zero-downtime",
            ],
            vec!["migrate", "change name in users to varchar(1)", "--yes"],
            vec!["migrate", "rollback", "--yes"],
            vec!["migrate", "rollback", "--to-version", "0", "--yes"],
            vec!["migrate", "rollback", "1", "--yes", "--cascade"],
        ];
        for args in &attempts {
            let out = p.cli().args(args).output().unwrap();
            assert!(!out.status.success(), "{engine:?} {args:?} succeeded");
            assert_eq!(snapshot(&p), before, "{engine:?} {args:?}");
        }
        for (file, sql) in [
            ("003_truncate.sql", "TRUNCATE TABLE users;"),
            ("003_delete.sql", "DELETE FROM users;"),
            ("003_drop.sql", "DROP TABLE users;"),
            ("003_drop_column.sql", "ALTER TABLE users DROP COLUMN name;"),
        ] {
            let path = p.write(file, sql, Some(""));
            p.fail(&["migrate", "apply"]);
            assert_eq!(snapshot(&p), before, "{engine:?} {file}");
            std::fs::remove_file(path).unwrap();
        }
        // No file was left for a later `apply` to run unasked.
        let left: Vec<String> = std::fs::read_dir(p.migrations())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with("001_") && !n.starts_with("002_"))
            .collect();
        assert!(left.is_empty(), "{engine:?}: {left:?}");
    }
}

/// Troubleshooting 1 of the tutorial, command by command as written, on every engine: a migration that fails
/// midway is found, inspected, rolled back, fixed and retried by its id, and no other migration is touched.
#[test]
fn troubleshooting_1_runs_as_written() {
    for engine in ENGINES {
        let p = seeded(engine);
        p.write(
            "003_create_orders.sql",
            "CREATE TABLE orders (id INTEGER NOT NULL PRIMARY KEY, user_id INTEGER, total INTEGER);",
            Some("DROP TABLE orders;"),
        );
        p.write(
            "004_add_note_to_orders.sql",
            "ALTER TABLE orders ADD COLUMN note VARCHAR(50);",
            Some("ALTER TABLE orders DROP COLUMN note;"),
        );
        let drop = |i: &str, t: &str| match engine {
            Engine::Mysql => format!("DROP INDEX {i} ON {t};"),
            _ => format!("DROP INDEX {i};"),
        };
        p.write(
            "005_add_indexes.sql",
            "CREATE INDEX idx_orders_user ON orders (user_id);\nCREATE INDEX idx_orders_total ON orders (total);\nCREATE INDEX idx_orders_placed ON orders (placed_at);",
            Some(&format!(
                "{}\n{}\n{}",
                drop("idx_orders_placed", "orders"),
                drop("idx_orders_total", "orders"),
                drop("idx_orders_user", "orders")
            )),
        );
        p.fail(&["migrate", "apply"]);
        p.db.exec("INSERT INTO orders (id, user_id, total, note) VALUES (1, 1, 10, 'keep me')");
        let status = p.run(&["migrate", "status"]);
        assert!(
            status.contains("005_add_indexes [failed]"),
            "{engine:?}: {status}"
        );
        let logs = p.run(&["migrate", "logs", "005_add_indexes"]);
        assert!(logs.contains("placed_at"), "{engine:?}: {logs}");
        // Rolls back what ran of 005 (on MariaDB its first two statements), nothing else.
        p.run(&["migrate", "rollback", "005_add_indexes", "--yes"]);
        assert_eq!(
            count(&p, "SELECT note FROM orders"),
            "keep me",
            "{engine:?}"
        );
        // Fix the cause, then retry; or revert and apply by id.
        p.db.exec("ALTER TABLE orders ADD COLUMN placed_at VARCHAR(30)");
        p.run(&["migrate", "apply", "005_add_indexes", "--with-retry"]);
        p.run(&["migrate", "revert", "005_add_indexes", "--yes"]);
        p.run(&["migrate", "apply", "005_add_indexes", "--with-retry"]);
        let states: Vec<String> = p.json(&["migrate", "status"])["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["state"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(states, ["applied"; 5], "{engine:?}");
        assert_eq!(status_values(&p), "2", "{engine:?}");
        assert_eq!(
            count(&p, "SELECT note FROM orders"),
            "keep me",
            "{engine:?}"
        );
        // `retry ... --fix-deadlock` is accepted as the tutorial writes it (nothing failed: nothing to retry).
        let err = p.fail(&["migrate", "retry", "005_add_indexes", "--fix-deadlock"]);
        assert!(err.contains("not failed"), "{engine:?}: {err}");
    }
}

/// A `/*` never closed would swallow every statement after it: apply, rollback and validate refuse the
/// section with the line where it opens, on every engine, and nothing runs.
#[test]
fn an_unterminated_comment_never_loses_statements() {
    for engine in ENGINES {
        let p = seeded(engine);
        p.write(
            "003_two_tables.sql",
            "CREATE TABLE a (id INTEGER);\n/* the second one\nCREATE TABLE b (id INTEGER);",
            Some("DROP TABLE a;"),
        );
        let err = p.fail(&["migrate", "apply"]);
        assert!(
            err.contains("003_two_tables")
                && err.contains("line 2")
                && err.contains("`/*` comment"),
            "{engine:?}: {err}"
        );
        assert!(!p.tables().contains(&"a".to_string()), "{engine:?}");
        let out = p.cli().args(["migrate", "validate"]).output().unwrap();
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("never closed"),
            "{engine:?}"
        );
        // A down section with an open string is refused before the rollback runs.
        std::fs::remove_file(p.migrations().join("003_two_tables.sql")).unwrap();
        p.write(
            "003_two_tables.sql",
            "CREATE TABLE a (id INTEGER);",
            Some("DROP TABLE a;\nSELECT 'oops;"),
        );
        p.run(&["migrate", "apply"]);
        let err = p.fail(&["migrate", "rollback", "--yes"]);
        assert!(
            err.contains("down section") && err.contains("string"),
            "{engine:?}: {err}"
        );
        assert!(p.tables().contains(&"a".to_string()), "{engine:?}");
    }
}

/// Use Case 1 as the tutorial writes it: the request at a terminal (here a pseudo-terminal from `script`),
/// answered "later", keeps the migration pending; `migrate apply --zero-downtime` then applies it.
#[test]
fn use_case_1_generate_then_apply_later() {
    let p = Project::new(Engine::Sqlite);
    p.write(
        "001_create_users.sql",
        "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50));",
        Some("DROP TABLE users;"),
    );
    p.run(&["migrate", "apply"]);
    let request = "\n  create user_preferences table with:\n  - user_id foreign key to users\n  - theme (light/dark)\n  - language\n  - notifications_enabled\n  - email_frequency\n";
    let command = format!(
        "{} --database '{}' migrate '{request}'",
        env!("CARGO_BIN_EXE_ai-shell"),
        p.db.url()
    );
    let mut script = std::process::Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .current_dir(p.dir.path())
        .env("AI_SHELL_CACHE_DIR", crate::support::cache_dir())
        .env("AI_SHELL_PLUGINS_DIR", p.db.plugins_dir())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = script
        .spawn()
        .expect("script (util-linux) runs the CLI on a pseudo-terminal");
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(b"l\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("(pending)"), "{stdout}");
    assert!(!p.tables().contains(&"user_preferences".to_string()));
    p.run(&["migrate", "apply", "--zero-downtime"]);
    assert!(p.tables().contains(&"user_preferences".to_string()));
}

/// Issue 15: a plan whose later statement fails on the data there is (a foreign key over rows with no match,
/// a unique key over duplicates, NOT NULL over NULLs) is refused before its first statement, naming the
/// rows: on MariaDB the index a refused foreign key needs was left behind. A column with a foreign key and
/// an index renames and rolls back whole.
#[test]
fn plans_the_data_would_break_are_refused_before_any_statement() {
    for engine in ENGINES {
        let p = seeded(engine);
        p.write(
            "003_create_orders.sql",
            "CREATE TABLE orders (id INTEGER NOT NULL PRIMARY KEY, user_id INTEGER, total INTEGER);",
            Some("DROP TABLE orders;"),
        );
        p.run(&["migrate", "apply"]);
        p.db.exec(
            "INSERT INTO orders (id, user_id, total) VALUES (1, 1, 5), (2, 7, 6), (3, NULL, 7)",
        );
        let indexes = || p.run(&["schema", "export", "--format", "json"]);
        let before = indexes();

        let err = p.fail(&[
            "migrate",
            "add a foreign key from orders.user_id to users",
            "--yes",
        ]);
        assert!(
            err.contains("1 row with no matching row in users") && err.contains("user_id=7"),
            "{engine:?}: {err}"
        );
        p.db.exec("UPDATE users SET status = 'new' WHERE id = 2");
        let err = p.fail(&["migrate", "make status unique in users", "--yes"]);
        assert!(err.contains("status='new'"), "{engine:?}: {err}");
        let err = p.fail(&["migrate", "make status not null in users", "--yes"]);
        assert!(
            err.contains("1 row holding NULL") && err.contains("id=3"),
            "{engine:?}: {err}"
        );
        assert_eq!(
            indexes(),
            before,
            "{engine:?}: a refusal changed the schema"
        );
        assert_eq!(p.json(&["migrate", "status"])["version"], 3, "{engine:?}");

        // With the rows fixed, the same foreign key applies; then its column renames and rolls back whole.
        p.db.exec("UPDATE orders SET user_id = 2 WHERE id = 2");
        p.run(&[
            "migrate",
            "add a foreign key from orders.user_id to users",
            "--yes",
        ]);
        let with_fk = indexes();
        p.run(&["migrate", "rename orders.user_id to customer_id", "--yes"]);
        assert_eq!(
            count(&p, "SELECT COUNT(customer_id) FROM orders"),
            "2",
            "{engine:?}"
        );
        p.run(&["migrate", "rollback", "--yes"]);
        assert_eq!(
            indexes(),
            with_fk,
            "{engine:?}: the rename did not roll back whole"
        );
    }
}

/// `--allow-destructive` given to the command that writes a migration is recorded in the file for its up
/// section: `migrate apply` then needs no second consent (and says what it destroyed), while an edit of the up
/// section withdraws it; a hand-written `allow-destructive:` naming another up consents to nothing.
#[test]
fn consent_given_when_writing_a_migration_holds_for_that_up_only() {
    for engine in ENGINES {
        let p = seeded(engine);
        let to = p.dir.path().join("to.sql");
        std::fs::write(
            &to,
            "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50));",
        )
        .unwrap();
        let to = to.display().to_string();
        let diff = [
            "schema",
            "diff",
            "current",
            "--to-file",
            &to,
            "--generate-migration",
        ];
        // Without the flag, nothing is written.
        let err = p.fail(&diff);
        assert!(err.contains("--allow-destructive"), "{engine:?}: {err}");
        let mut with = diff.to_vec();
        with.push("--allow-destructive");
        p.run(&with);
        let file = std::fs::read_dir(p.migrations())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|f| f.to_string_lossy().contains("003_"))
            .expect("the diff's migration");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.contains("-- allow-destructive: "),
            "{engine:?}: {text}"
        );

        // An edited up section has no consent.
        std::fs::write(
            &file,
            text.replace("-- +up\n", "-- +up\n-- edited after the diff\n"),
        )
        .unwrap();
        let err = p.fail(&["migrate", "apply"]);
        assert!(
            err.contains("users.status (2 non-NULL values)") && err.contains("--allow-destructive"),
            "{engine:?}: {err}"
        );
        assert_eq!(status_values(&p), "2", "{engine:?}");

        // As written, it applies and says what it destroyed under the recorded consent.
        std::fs::write(&file, &text).unwrap();
        let out = p.run(&["migrate", "apply"]);
        assert!(
            out.contains("users.status (2 non-NULL values)")
                && out.contains("consented when the migration was written"),
            "{engine:?}: {out}"
        );
        assert_eq!(p.json(&["migrate", "status"])["version"], 3, "{engine:?}");

        // A request written with --generate-only --allow-destructive: the same.
        p.run(&[
            "migrate",
            "drop the users table",
            "--generate-only",
            "--allow-destructive",
        ]);
        let out = p.run(&["migrate", "apply"]);
        assert!(out.contains("users (3 rows)"), "{engine:?}: {out}");
        assert!(!p.tables().contains(&"users".to_string()), "{engine:?}");
    }
}

/// Rolling back an added column whose values are all its constant default loses nothing (adding it again
/// gives the same values), so `--yes` is enough; once a row holds another value, the rollback needs consent
/// and counts that row. Generated columns are computed, so dropping one loses nothing either.
#[test]
fn rollbacks_count_only_values_the_column_default_does_not_give_back() {
    for engine in ENGINES {
        let p = seeded(engine);
        p.write(
            "003_add_plan_to_users.sql",
            "ALTER TABLE users ADD COLUMN plan VARCHAR(10) NOT NULL DEFAULT 'free';",
            Some("ALTER TABLE users DROP COLUMN plan;"),
        );
        p.run(&["migrate", "apply"]);
        p.run(&["migrate", "rollback", "--yes"]);
        assert_eq!(p.json(&["migrate", "status"])["version"], 2, "{engine:?}");

        p.run(&["migrate", "apply"]);
        p.db.exec("UPDATE users SET plan = 'pro' WHERE id = 2");
        let err = p.fail(&["migrate", "rollback", "--yes"]);
        assert!(
            err.contains("users.plan (1 non-NULL values)"),
            "{engine:?}: {err}"
        );
        assert_eq!(
            count(&p, "SELECT COUNT(*) FROM users WHERE plan = 'pro'"),
            "1"
        );
        p.run(&["migrate", "rollback", "--yes", "--allow-destructive"]);

        let generated = match engine {
            Engine::Postgres => {
                "ALTER TABLE users ADD COLUMN name_length INTEGER GENERATED ALWAYS AS (length(name)) STORED;"
            }
            Engine::Mysql => {
                "ALTER TABLE users ADD COLUMN name_length INTEGER AS (CHAR_LENGTH(name)) STORED;"
            }
            Engine::Sqlite => {
                "ALTER TABLE users ADD COLUMN name_length INTEGER GENERATED ALWAYS AS (length(name)) VIRTUAL;"
            }
        };
        p.write(
            "004_add_name_length.sql",
            generated,
            Some("ALTER TABLE users DROP COLUMN name_length;"),
        );
        p.run(&["migrate", "apply"]);
        p.run(&["migrate", "rollback", "--yes"]);
        assert_eq!(p.json(&["migrate", "status"])["version"], 3, "{engine:?}");
    }
}

#[test]
fn a_fill_before_not_null_rolls_back_to_exactly_the_rows_it_filled() {
    for engine in ENGINES {
        let p = seeded(engine);
        // Row 1 holds the fill value already; only row 3 is NULL.
        p.db.exec("UPDATE users SET status = 'unknown' WHERE id = 1");
        p.run(&[
            "migrate",
            "users.status can no longer be missing; use 'unknown' for the rows that have none",
            "--yes",
        ]);
        assert_eq!(
            count(&p, "SELECT COUNT(*) FROM users WHERE status = 'unknown'"),
            "2",
            "{engine:?}"
        );
        // ai-shell's record of the filled rows is not the user's schema, and not drift.
        let shown = p.run(&["schema", "show"]);
        assert!(!shown.contains("ai_shell_fill"), "{engine:?}: {shown}");
        let exported = p.run(&["schema", "export"]);
        assert!(!exported.contains("ai_shell_fill"), "{engine:?}");
        // A row inserted since keeps its value; the filled row is NULL again, row 1 keeps its own value.
        p.db.exec("INSERT INTO users (id, name, status) VALUES (4, 'd', 'unknown')");
        p.run(&["migrate", "rollback", "--yes"]);
        assert_eq!(
            p.column("SELECT COALESCE(status, '<null>') FROM users ORDER BY id"),
            ["unknown", "paid", "<null>", "unknown"],
            "{engine:?}"
        );
        assert!(
            !p.tables().iter().any(|t| t.starts_with("ai_shell_fill")),
            "{engine:?}: {:?}",
            p.tables()
        );
    }
}

/// Text to a number: the values that are not written as one are counted before anything runs, and the
/// conversion needs consent like any narrowing; with it, the column converts and the values are kept.
#[test]
fn text_to_a_number_counts_the_values_that_do_not_convert() {
    for engine in ENGINES {
        let p = Project::new(engine);
        p.write(
            "001_create_codes.sql",
            "CREATE TABLE codes (id INTEGER NOT NULL PRIMARY KEY, code VARCHAR(20), ref VARCHAR(20));",
            Some("DROP TABLE codes;"),
        );
        p.run(&["migrate", "apply"]);
        p.db.exec(
            "INSERT INTO codes (id, code, ref) VALUES (1, '12', '978-1'), (2, ' 7', '42'), (3, NULL, 'x9'), (4, '-3', NULL)",
        );
        // Two of ref's values are not numbers: counted, nothing runs without consent.
        let out = p
            .cli()
            .args(["migrate", "change codes.ref to integer", "--yes"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{engine:?}");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("allow-destructive")
                && (text.contains("2 non-NULL values") || text.contains("2 stored values")),
            "{engine:?}: {text}"
        );
        assert_eq!(count(&p, "SELECT COUNT(ref) FROM codes"), "3", "{engine:?}");
        // Every value of code is a whole number: with consent it converts, and every value is kept.
        p.run(&[
            "migrate",
            "change codes.code to integer",
            "--yes",
            "--allow-destructive",
        ]);
        assert_eq!(count(&p, "SELECT SUM(code) FROM codes"), "16", "{engine:?}");
    }
}

/// Several instructions in one request are planned part by part and applied as one migration that rolls
/// back whole.
#[test]
fn two_instructions_in_one_request_apply_and_roll_back_together() {
    for engine in ENGINES {
        let p = seeded(engine);
        p.run(&[
            "migrate",
            "users.name should be unique, and the status should default to 'new'",
            "--yes",
        ]);
        p.db.exec("INSERT INTO users (id, name) VALUES (4, 'd')");
        assert_eq!(
            count(&p, "SELECT status FROM users WHERE id = 4"),
            "new",
            "{engine:?}"
        );
        p.db.exec("DELETE FROM users WHERE id = 4");
        p.run(&["migrate", "rollback", "--yes"]);
        // Both changes are gone: a second 'a' is accepted and gets no default.
        p.db.exec("INSERT INTO users (id, name) VALUES (5, 'a')");
        assert_eq!(
            count(&p, "SELECT COUNT(status) FROM users WHERE id = 5"),
            "0",
            "{engine:?}"
        );
    }
}
