//! `schema diff`: two live databases of one engine compared; the generated migration takes the first to the
//! second (renames keep their data), and its rollback takes it back, on every engine.

use crate::migrate::{ENGINES, Project};
use crate::support::{Engine, TestDb};

const ORIGINAL: &str = "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, fullname VARCHAR(100));";

const DESIRED: &str = "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, full_name VARCHAR(100), email VARCHAR(255));
CREATE TABLE orders (id INTEGER NOT NULL PRIMARY KEY, user_id INTEGER NOT NULL, amount INTEGER, CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id));
CREATE INDEX idx_orders_amount ON orders (amount);";

#[test]
fn a_generated_migration_reaches_the_other_schema_and_rolls_back_exactly() {
    for engine in ENGINES {
        let p = Project::new(engine);
        p.db.exec(ORIGINAL);
        p.db.exec("INSERT INTO users (id, name, fullname) VALUES (1, 'ada', 'Ada Lovelace'), (2, 'alan', 'Alan Turing')");
        let desired = TestDb::new(engine);
        desired.exec(DESIRED);
        let original = TestDb::new(engine);
        original.exec(ORIGINAL);

        // The same schema: nothing.
        let same = p.run(&["schema", "diff", "current", original.url()]);
        assert!(same.contains("No differences."), "{engine:?}: {same}");

        let shown = p.run(&["schema", "diff", "current", desired.url(), "--sql"]);
        for expected in [
            "+ add column email to users",
            "+ create table orders",
            "users.fullname=full_name",
            "-- down",
        ] {
            assert!(
                shown.contains(expected),
                "{engine:?}: `{expected}` in\n{shown}"
            );
        }
        // A drop of a column that holds data is not written without consent or a rename.
        let err = p.fail(&[
            "schema",
            "diff",
            "current",
            desired.url(),
            "--generate-migration",
        ]);
        assert!(
            err.contains("would drop data") && err.contains("--rename"),
            "{engine:?}: {err}"
        );
        assert!(std::fs::read_dir(p.migrations()).unwrap().next().is_none());

        p.run(&[
            "schema",
            "diff",
            "current",
            desired.url(),
            "--generate-migration",
            "--rename",
            "users.fullname=full_name",
        ]);
        p.run(&["migrate", "apply"]);
        let after = p.run(&["schema", "diff", "current", desired.url()]);
        assert!(after.contains("No differences."), "{engine:?}: {after}");
        assert_eq!(
            p.column("SELECT full_name FROM users ORDER BY id"),
            ["Ada Lovelace", "Alan Turing"],
            "{engine:?}: the renamed column kept its data"
        );

        p.run(&["migrate", "rollback", "--yes"]);
        let back = p.run(&["schema", "diff", "current", original.url()]);
        assert!(back.contains("No differences."), "{engine:?}: {back}");
        assert_eq!(
            p.column("SELECT fullname FROM users ORDER BY id"),
            ["Ada Lovelace", "Alan Turing"],
            "{engine:?}"
        );
    }
}

/// `--to-file` (and `--to-version`): the file is loaded into a scratch database and read back as the engine
/// reads it, so another spelling of the same schema is no difference; the generated migration is numbered
/// after what the history holds, reaches the file's schema and rolls back to the original.
#[test]
fn a_schema_file_is_compared_as_the_engine_reads_it() {
    let respelled = "create table users (\n  id integer not null primary key,\n  name varchar( 50 ) not null,\n  fullname varchar(100)\n);";
    let desired = "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, fullname VARCHAR(100), email VARCHAR(255));
CREATE TABLE orders (id INTEGER NOT NULL PRIMARY KEY, user_id INTEGER NOT NULL, amount NUMERIC(10, 2), CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id));
CREATE INDEX idx_orders_amount ON orders (amount);";
    for engine in ENGINES {
        let p = Project::new(engine);
        p.write("001_create_users.sql", ORIGINAL, Some("DROP TABLE users;"));
        p.run(&["migrate", "apply"]);
        p.db.exec("INSERT INTO users (id, name, fullname) VALUES (1, 'ada', 'Ada Lovelace')");
        let file = |name: &str, text: &str| {
            let path = p.dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path.display().to_string()
        };
        let same = file("same.sql", respelled);
        let out = p.run(&["schema", "diff", "current", "--to-file", &same]);
        assert!(out.contains("No differences."), "{engine:?}: {out}");

        let wanted = file("desired.sql", desired);
        p.run(&[
            "schema",
            "diff",
            "current",
            "--to-file",
            &wanted,
            "--generate-migration",
            "--name",
            "reach desired",
        ]);
        assert!(
            p.migrations().join("002_reach_desired.sql").exists(),
            "{engine:?}: numbered after the history's version 1"
        );
        p.run(&["migrate", "apply"]);
        let out = p.run(&["schema", "diff", "current", "--to-file", &wanted]);
        assert!(out.contains("No differences."), "{engine:?}: {out}");

        // The schema at version 1, rebuilt from the history: what 002 added is the difference.
        let out = p.run(&["schema", "diff", "current", "--to-version", "1"]);
        assert!(
            out.contains("drop table orders") && out.contains("drop column email"),
            "{engine:?}: {out}"
        );
        let err = p.fail(&["schema", "diff", "current", "--to-version", "9"]);
        assert!(
            err.contains("version 9 is not in the history"),
            "{engine:?}: {err}"
        );

        p.run(&["migrate", "rollback", "--yes"]);
        let out = p.run(&["schema", "diff", "current", "--to-file", &same]);
        assert!(out.contains("No differences."), "{engine:?}: {out}");
        assert_eq!(
            p.column("SELECT fullname FROM users"),
            ["Ada Lovelace"],
            "{engine:?}"
        );

        // A file the engine refuses: its error and the line of the statement, nothing written.
        let bad = file(
            "bad.sql",
            "CREATE TABLE a (id INTEGER);\n\nCREATE TABLLE b (id INTEGER);\n",
        );
        let err = p.fail(&[
            "schema",
            "diff",
            "current",
            "--to-file",
            &bad,
            "--generate-migration",
        ]);
        assert!(err.contains("bad.sql, line 3"), "{engine:?}: {err}");
        assert!(
            !p.migrations().join("003_schema_diff.sql").exists(),
            "{engine:?}"
        );
    }
}

#[test]
fn schemas_of_two_engines_are_not_compared() {
    let p = Project::new(Engine::Postgres);
    let other = TestDb::new(Engine::Sqlite);
    let err = p.fail(&["schema", "diff", "current", other.url()]);
    assert!(err.contains("compares schemas of one engine"), "{err}");
    let err = p.fail(&["schema", "diff", "no_such_environment"]);
    assert!(
        err.contains("unknown environment `no_such_environment`"),
        "{err}"
    );
}

/// `schema versions --all-environments` (Use Case 5): each environment's version and last migration, and how
/// many migrations it is ahead of or behind the others; an unreachable one is named, not fatal.
#[test]
fn versions_across_environments_show_who_is_ahead() {
    let p = Project::new(Engine::Sqlite);
    let dir = p.dir.path();
    // Without --database: the environments choose.
    let run = |args: &[&str]| {
        crate::support::run_ok(
            crate::support::ai_shell_cmd()
                .env("AI_SHELL_PLUGINS_DIR", p.db.plugins_dir())
                .current_dir(dir)
                .args(args),
        )
    };
    let url = |name: &str| format!("sqlite://{}", dir.join(format!("{name}.db")).display());
    for v in 1..=4 {
        p.write(
            &format!("{v:03}_step_{v}.sql"),
            &format!("CREATE TABLE t{v} (id INTEGER PRIMARY KEY);"),
            Some(&format!("DROP TABLE t{v};")),
        );
    }
    run(&[
        "connections",
        "add-group",
        "environments",
        "dev",
        &url("dev"),
        "staging",
        &url("staging"),
        "production",
        &url("production"),
    ]);
    run(&["migrate", "apply", "--env", "dev"]);
    run(&["migrate", "apply", "--env", "staging", "--to-version", "3"]);
    run(&[
        "migrate",
        "apply",
        "--env",
        "production",
        "--to-version",
        "2",
    ]);
    let out = run(&["schema", "versions", "--all-environments"]);
    for expected in [
        "dev: version 4",
        "Last migration: 004_step_4",
        "ahead by 1 (staging) and 2 (production)",
        "staging: version 3",
        "production: version 2",
        "behind by 2 (dev) and 1 (staging)",
    ] {
        assert!(out.contains(expected), "`{expected}` in\n{out}");
    }
    let json: serde_json::Value = serde_json::from_str(&run(&[
        "schema",
        "versions",
        "--all-environments",
        "--json",
    ]))
    .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    // One environment that cannot be reached is reported, the others still are.
    run(&[
        "connections",
        "add",
        "broken",
        "postgres://nobody:CANARY@127.0.0.1:1/x",
    ]);
    let out = run(&["schema", "versions", "--all-environments"]);
    assert!(
        out.contains("broken: not reachable") && out.contains("dev: version 4"),
        "{out}"
    );
    assert!(!out.contains("CANARY"), "{out}");
}

/// `migrate sync-plan` and `migrate sync` (Use Case 5): production gets what staging applied, from the files or,
/// when a file is gone, from the SQL staging's history stored; then the schemas are compared, and a difference
/// the migrations do not explain is reported, not fixed.
#[test]
fn sync_brings_an_environment_to_another_and_reports_what_migrations_do_not_explain() {
    let p = Project::new(Engine::Sqlite);
    let dir = p.dir.path();
    let run = |args: &[&str]| {
        crate::support::ai_shell_cmd()
            .env("AI_SHELL_PLUGINS_DIR", p.db.plugins_dir())
            .current_dir(dir)
            .args(args)
            .output()
            .unwrap()
    };
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let url = |name: &str| format!("sqlite://{}", dir.join(format!("{name}.db")).display());
    for v in 1..=4 {
        p.write(
            &format!("{v:03}_step_{v}.sql"),
            &format!("CREATE TABLE t{v} (id INTEGER PRIMARY KEY);"),
            Some(&format!("DROP TABLE t{v};")),
        );
    }
    ok(&["connections", "add", "staging", &url("staging")]);
    ok(&["connections", "add", "production", &url("production")]);
    ok(&["migrate", "apply", "--env", "staging"]);
    ok(&[
        "migrate",
        "apply",
        "--env",
        "production",
        "--to-version",
        "2",
    ]);
    // 004's file is gone: its SQL comes from staging's history.
    std::fs::remove_file(p.migrations().join("004_step_4.sql")).unwrap();
    let planned = ok(&["migrate", "sync-plan", "production", "--from", "staging"]);
    assert!(
        planned.contains("003_step_3 (from its file)")
            && planned.contains("004_step_4 (from its history)"),
        "{planned}"
    );
    let synced = ok(&["migrate", "sync", "production", "--from", "staging"]);
    assert!(synced.contains("schema now equals"), "{synced}");
    let versions = ok(&["schema", "versions", "--all-environments"]);
    assert!(versions.matches("in sync").count() == 2, "{versions}");
    // A change made outside the migrations is reported, and nothing hides it.
    let staging =
        crate::support::block_on(ai_shell::connection::Database::connect(&url("staging"))).unwrap();
    crate::support::block_on(staging.execute_script("CREATE TABLE extra (id INTEGER PRIMARY KEY)"))
        .unwrap();
    crate::support::block_on(staging.close());
    let out = run(&["migrate", "sync", "production", "--from", "staging"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("create table extra"),
        "{err}"
    );
    let err = String::from_utf8_lossy(
        &run(&["migrate", "sync", "production", "--from", "nowhere"]).stderr,
    )
    .into_owned();
    assert!(err.contains("unknown environment `nowhere`"), "{err}");
}

/// Engine objects and column properties the diff used to leave out: a trigger (and on PostgreSQL the function
/// it calls) that goes is dropped, before the function; a column's collation changes; a check on a column is
/// added (on MariaDB it stays on the column itself). The migration reaches the other schema and its rollback
/// gives the first back, rows kept, on every engine.
#[test]
fn triggers_collations_and_column_checks_are_diffed_both_ways() {
    for engine in ENGINES {
        let (before, after) = match engine {
            Engine::Postgres => (
                "CREATE TABLE notes (id INTEGER NOT NULL PRIMARY KEY, title VARCHAR(50), n INTEGER);
                 CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.n := coalesce(NEW.n, 0) + 1; RETURN NEW; END $$;
                 CREATE TRIGGER bump BEFORE UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION bump();",
                "CREATE TABLE notes (id INTEGER NOT NULL PRIMARY KEY, title VARCHAR(50) COLLATE \"C\", n INTEGER CHECK (n >= 0));",
            ),
            Engine::Mysql => (
                "CREATE TABLE notes (id INTEGER NOT NULL PRIMARY KEY, title VARCHAR(50), n INTEGER);
                 CREATE TRIGGER bump BEFORE UPDATE ON notes FOR EACH ROW SET NEW.n = COALESCE(NEW.n, 0) + 1;",
                "CREATE TABLE notes (id INTEGER NOT NULL PRIMARY KEY, title VARCHAR(50) COLLATE utf8mb4_bin, n INTEGER CHECK (n >= 0));",
            ),
            Engine::Sqlite => (
                "CREATE TABLE notes (id INTEGER NOT NULL PRIMARY KEY, title VARCHAR(50), n INTEGER);
                 CREATE TRIGGER bump AFTER UPDATE ON notes BEGIN UPDATE notes SET n = coalesce(n, 0) + 1 WHERE id = NEW.id AND 0; END;",
                "CREATE TABLE notes (id INTEGER NOT NULL PRIMARY KEY, title VARCHAR(50) COLLATE NOCASE, n INTEGER CHECK (n >= 0));",
            ),
        };
        let p = Project::new(engine);
        p.db.exec(before);
        p.db.exec("INSERT INTO notes (id, title, n) VALUES (1, 'a', 1), (2, 'B', 2)");
        let original = TestDb::new(engine);
        original.exec(before);
        let desired = TestDb::new(engine);
        desired.exec(after);

        let plan = p.run(&["schema", "diff", "current", desired.url()]);
        assert!(
            plan.contains("drop trigger") && plain_collation(&plan),
            "{engine:?}: {plan}"
        );
        p.run(&[
            "schema",
            "diff",
            "current",
            desired.url(),
            "--generate-migration",
        ]);
        p.run(&["migrate", "apply"]);
        let now = p.run(&["schema", "diff", "current", desired.url()]);
        assert!(now.contains("No differences."), "{engine:?}: {now}");
        p.run(&["migrate", "rollback", "--yes"]);
        let back = p.run(&["schema", "diff", "current", original.url()]);
        assert!(back.contains("No differences."), "{engine:?}: {back}");
        assert_eq!(p.column("SELECT COUNT(*) FROM notes"), ["2"], "{engine:?}");
    }
}

fn plain_collation(plan: &str) -> bool {
    plan.to_lowercase().contains("collat")
}

/// A column given an identity (PostgreSQL `GENERATED ... AS IDENTITY`, MySQL AUTO_INCREMENT, SQLite
/// AUTOINCREMENT) keeps its values, and the next generated one follows the largest; the rollback takes the
/// identity away and leaves the values. On MariaDB, rows holding 0 would be renumbered: counted, and only
/// with consent.
#[test]
fn identities_are_added_and_removed_keeping_the_values() {
    for engine in ENGINES {
        let p = Project::new(engine);
        p.db.exec("CREATE TABLE items (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(20))");
        p.db.exec("INSERT INTO items (id, name) VALUES (1, 'one'), (7, 'seven')");
        let desired = match engine {
            Engine::Postgres => {
                "CREATE TABLE items (id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name VARCHAR(20));"
            }
            Engine::Mysql => {
                "CREATE TABLE items (id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20));"
            }
            Engine::Sqlite => {
                "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(20));"
            }
        };
        let to = p.dir.path().join("to.sql");
        std::fs::write(&to, desired).unwrap();
        let to = to.display().to_string();
        let shown = p.run(&["schema", "diff", "current", "--to-file", &to]);
        assert!(shown.contains("items.id"), "{engine:?}: {shown}");
        p.run(&[
            "schema",
            "diff",
            "current",
            "--to-file",
            &to,
            "--generate-migration",
        ]);
        p.run(&["migrate", "apply"]);
        p.db.exec("INSERT INTO items (name) VALUES ('next')");
        assert_eq!(
            p.column("SELECT id FROM items WHERE name = 'next'"),
            ["8"],
            "{engine:?}"
        );
        p.run(&["migrate", "rollback", "--yes"]);
        assert_eq!(
            p.column("SELECT id FROM items ORDER BY id"),
            ["1", "7", "8"],
            "{engine:?}"
        );
        let same = p.run(&["schema", "diff", "current", "--to-file", &to]);
        assert!(!same.contains("No differences."), "{engine:?}: {same}");
    }

    // MariaDB gives 0 a new number when AUTO_INCREMENT is added, even in a hand-written migration.
    let p = Project::new(Engine::Mysql);
    p.db.exec("CREATE TABLE items (id INT NOT NULL PRIMARY KEY, name VARCHAR(20))");
    p.db.exec("INSERT INTO items (id, name) VALUES (0, 'zero'), (5, 'five')");
    p.write(
        "001_number_items.sql",
        "ALTER TABLE items MODIFY COLUMN id INT NOT NULL AUTO_INCREMENT;",
        Some("ALTER TABLE items MODIFY COLUMN id INT NOT NULL;"),
    );
    let err = p.fail(&["migrate", "apply"]);
    assert!(
        err.contains("gives its 0 values new numbers") && err.contains("1 rows"),
        "{err}"
    );
    assert_eq!(p.column("SELECT id FROM items ORDER BY id"), ["0", "5"]);
    p.run(&["migrate", "apply", "--allow-destructive"]);
    assert_eq!(p.column("SELECT id FROM items ORDER BY id"), ["1", "5"]);
}

/// PostgreSQL: labels added to an enum a column uses are added in place; the rollback makes the type again
/// without them, and fails whole while a row holds one of them.
#[test]
fn an_enum_in_use_gains_labels_and_loses_them_only_when_no_row_holds_them() {
    let p = Project::new(Engine::Postgres);
    p.db.exec("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE checkins (id integer PRIMARY KEY, mood mood NOT NULL DEFAULT 'ok')");
    p.db.exec("INSERT INTO checkins VALUES (1, 'ok'), (2, 'happy')");
    let to = p.dir.path().join("to.sql");
    std::fs::write(&to, "CREATE TYPE mood AS ENUM ('meh', 'sad', 'ok', 'happy', 'ecstatic'); CREATE TABLE checkins (id integer PRIMARY KEY, mood mood NOT NULL DEFAULT 'ok');").unwrap();
    let to = to.display().to_string();
    let shown = p.run(&["schema", "diff", "current", "--to-file", &to, "--sql"]);
    assert!(shown.contains("ADD VALUE 'meh' BEFORE 'sad'"), "{shown}");
    p.run(&[
        "schema",
        "diff",
        "current",
        "--to-file",
        &to,
        "--generate-migration",
    ]);
    p.run(&["migrate", "apply"]);
    let labels = |p: &Project| p.column("SELECT enum_range(NULL::mood)::text");
    assert_eq!(labels(&p), ["{meh,sad,ok,happy,ecstatic}"]);
    p.db.exec("INSERT INTO checkins VALUES (3, 'ecstatic')");
    let err = p.fail(&["migrate", "rollback", "--yes"]);
    assert!(err.contains("ecstatic"), "{err}");
    assert_eq!(labels(&p), ["{meh,sad,ok,happy,ecstatic}"]);
    p.db.exec("DELETE FROM checkins WHERE id = 3");
    p.run(&["migrate", "rollback", "--yes"]);
    assert_eq!(labels(&p), ["{sad,ok,happy}"]);
    assert_eq!(
        p.column("SELECT mood::text FROM checkins ORDER BY id"),
        ["ok", "happy"]
    );
}
