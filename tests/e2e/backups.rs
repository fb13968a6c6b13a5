//! `config` and `backup` as a user meets them: settings written, read and refused; a backup, a
//! destructive migration and a restore that brings back every row, on every engine; damaged backups and
//! restores without consent refused with nothing changed; backups taken or required before changes.

use crate::migrate::{ENGINES, Project};
use crate::support::Engine;

fn output(p: &Project, args: &[&str]) -> (i32, String, String) {
    let out = p.cli().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A project whose `users` table holds 300 rows of awkward values (quotes, unicode, NULLs, big numbers).
fn seeded(engine: Engine) -> Project {
    let p = Project::new(engine);
    p.write(
        "001_create_users.sql",
        "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(80), score BIGINT, note TEXT);",
        Some("DROP TABLE users;"),
    );
    p.run(&["migrate", "apply"]);
    let rows: Vec<String> = (1..=300)
        .map(|i| {
            let note = if i % 7 == 0 {
                "NULL".to_string()
            } else {
                format!("'l''été {i} ✓'")
            };
            format!(
                "({i}, 'n{i} \"q\"', {}, {note})",
                i64::from(i) * 1_000_000_007
            )
        })
        .collect();
    p.db.exec(&format!(
        "INSERT INTO users (id, name, score, note) VALUES {}",
        rows.join(", ")
    ));
    p
}

/// Every row of `users`, in order, as text: equal before and after a round trip or nothing came back.
fn users(p: &Project) -> Vec<String> {
    let concat = match p.db.engine() {
        Engine::Mysql => {
            "SELECT CONCAT_WS('|', id, name, score, COALESCE(note, '<null>')) FROM users ORDER BY id"
        }
        _ => {
            "SELECT CAST(id AS TEXT) || '|' || name || '|' || CAST(score AS TEXT) || '|' || COALESCE(note, '<null>') FROM users ORDER BY id"
        }
    };
    p.column(concat)
}

#[test]
fn config_writes_reads_and_refuses_settings() {
    let p = Project::new(Engine::Sqlite);
    let file = p.dir.path().join("ai-shell.toml");
    std::fs::write(
        &file,
        "# team settings\n[migrations]\ndir = \"migrations\" # kept\n",
    )
    .unwrap();
    // The tutorial's spelling is accepted and written in the file's.
    p.run(&["config", "set", "migrations.safety.requireBackup", "true"]);
    p.run(&["config", "set", "migrations.backup.retention", "7d"]);
    p.run(&[
        "config",
        "set",
        "migrations.production.zero-downtime",
        "true",
    ]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("# team settings\n[migrations]\ndir = \"migrations\" # kept\n"),
        "{text}"
    );
    assert!(
        text.contains("[migrations.safety]\nrequire-backup = true"),
        "{text}"
    );
    assert!(text.contains("retention = \"7d\""), "{text}");
    assert_eq!(
        p.run(&["config", "get", "migrations.safety.require_backup"])
            .trim(),
        "true"
    );
    // Unset settings print their default; the JSON says where a value comes from.
    assert_eq!(
        p.run(&["config", "get", "migrations.safety.enabled"])
            .trim(),
        "true"
    );
    let v = p.json(&["config", "get", "migrations.backup.retention"]);
    assert_eq!(v["source"], "project", "{v}");
    // Mistakes are refused, naming what would be right, and the file is left as it was.
    let err = p.fail(&["config", "set", "migrations.safety.requireBackp", "true"]);
    assert!(
        err.contains("did you mean `migrations.safety.require-backup`"),
        "{err}"
    );
    let err = p.fail(&["config", "set", "migrations.backup.retention", "a week"]);
    assert!(err.contains("7d"), "{err}");
    let err = p.fail(&["config", "set", "migrations.safety.enabled", "maybe"]);
    assert!(err.contains("true or false"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    // The user's configuration is read under the project's; the project's value wins.
    let user = tempfile::tempdir().unwrap();
    let with_user = |args: &[&str]| {
        let out = p
            .cli()
            .env("AI_SHELL_CONFIG_DIR", user.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    with_user(&[
        "config",
        "set",
        "--global",
        "migrations.backup.max-age",
        "2h",
    ]);
    with_user(&[
        "config",
        "set",
        "--global",
        "migrations.backup.retention",
        "30d",
    ]);
    assert!(
        std::fs::read_to_string(user.path().join("config.toml"))
            .unwrap()
            .contains("max-age = \"2h\"")
    );
    let v: serde_json::Value = serde_json::from_str(&with_user(&[
        "config",
        "get",
        "migrations.backup.max-age",
        "--json",
    ]))
    .unwrap();
    assert_eq!(
        (v["value"].as_str(), v["source"].as_str()),
        (Some("2h"), Some("global")),
        "{v}"
    );
    assert_eq!(
        with_user(&["config", "get", "migrations.backup.retention"]).trim(),
        "7d"
    );
    let listed = with_user(&["config", "list"]);
    assert!(
        listed.contains("migrations.backup.max-age") && listed.contains("(global)"),
        "{listed}"
    );
    // Unset removes the key and the table it leaves empty.
    p.run(&["config", "unset", "migrations.safety.require-backup"]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("safety"), "{text}");
}

#[test]
fn a_backup_brings_back_every_row_after_a_destructive_migration() {
    for engine in ENGINES {
        let p = seeded(engine);
        let before = users(&p);
        assert_eq!(before.len(), 300);
        let m = p.json(&["backup", "create", "--name", "before-drop"]);
        assert_eq!(m["name"], "before-drop");
        assert_eq!(m["schema_version"], 1, "{engine:?}: {m}");
        let users_rows = m["tables"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(k, _)| k.ends_with("users") && !k.contains("ai_shell"))
            .map(|(_, v)| v.clone());
        assert_eq!(users_rows, Some(300.into()), "{engine:?}: {m}");
        p.write("002_drop_users.sql", "DROP TABLE users;", None);
        p.run(&["migrate", "apply", "--allow-destructive"]);
        assert!(!p.tables().contains(&"users".to_string()));
        // The drop has no down section: rollback-status names the backup to restore (Troubleshooting 3).
        let status = p.run(&["migrate", "rollback-status", "002"]);
        assert!(
            status.contains("not available")
                && status.contains("ai-shell backup restore before-drop"),
            "{engine:?}: {status}"
        );

        // Without consent, and without --force over a newer schema version: refused, nothing changed.
        let (code, _, err) = output(&p, &["backup", "restore", "before-drop"]);
        assert_eq!(code, 1, "{engine:?}: {err}");
        assert!(
            err.contains("--allow-destructive") && err.contains("nothing was changed"),
            "{err}"
        );
        let err = p.fail(&["backup", "restore", "before-drop", "--allow-destructive"]);
        assert!(
            err.contains("newer schema version") && err.contains("002_drop_users"),
            "{engine:?}: {err}"
        );
        assert!(!p.tables().contains(&"users".to_string()));

        let out = p.run(&[
            "backup",
            "restore",
            "before-drop",
            "--allow-destructive",
            "--force",
        ]);
        assert!(out.contains("Restored before-drop"), "{out}");
        assert_eq!(
            users(&p),
            before,
            "{engine:?}: rows differ after the restore"
        );
        // The history is the backup's: the drop is pending again.
        let pending = p.run(&["migrate", "pending"]);
        assert!(pending.contains("002_drop_users"), "{engine:?}: {pending}");
        // What was there before the restore was kept as a backup of its own.
        let list = p.json(&["backup", "list"]);
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["name"].as_str())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("pre-restore-")),
            "{engine:?}: {names:?}"
        );

        let v = p.json(&["backup", "verify", "before-drop"]);
        assert_eq!(v["ok"], true, "{engine:?}: {v}");

        // A damaged backup is refused by verify and restore, and the database is untouched.
        let file = p.dir.path().join(".ai-shell/backups/before-drop.backup");
        let bytes = std::fs::read(&file).unwrap();
        std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
        let err = p.fail(&["backup", "verify", "before-drop"]);
        assert!(err.contains("damaged"), "{engine:?}: {err}");
        let err = p.fail(&[
            "backup",
            "restore",
            "before-drop",
            "--allow-destructive",
            "--force",
        ]);
        assert!(err.contains("damaged"), "{engine:?}: {err}");
        assert_eq!(users(&p), before);
        // Backups hold data: the folder keeps them out of git.
        assert!(p.dir.path().join(".ai-shell/.gitignore").is_file());
    }
}

#[test]
fn backups_are_taken_first_or_required_and_reviews_are_required() {
    for engine in [Engine::Sqlite, Engine::Mysql] {
        let p = seeded(engine);
        p.run(&["config", "set", "migrations.safety.requireBackup", "true"]);
        p.write(
            "002_add_level.sql",
            "ALTER TABLE users ADD COLUMN level INTEGER;",
            Some("ALTER TABLE users DROP COLUMN level;"),
        );
        // No backup of the database as it is: refused before anything runs.
        let err = p.fail(&["migrate", "apply"]);
        assert!(
            err.contains("needs a fresh backup") && err.contains("nothing was changed"),
            "{engine:?}: {err}"
        );
        assert_eq!(p.column("SELECT COUNT(*) FROM ai_shell_migrations"), ["1"]);
        // --backup-first takes one, named after what it precedes.
        let out = p
            .cli()
            .args(["migrate", "apply", "--backup-first"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("Backup created: .ai-shell/backups/pre-migration-")
        );
        let list = p.json(&["backup", "list"]);
        assert_eq!(list[0]["preceded"][0], "002_add_level", "{list}");
        assert_eq!(list[0]["schema_version"], 1, "{list}");
        // A backup taken at the current version counts as fresh: the rollback may run (and takes none).
        p.run(&["backup", "create", "--name", "at-2"]);
        p.run(&["migrate", "rollback", "--yes", "--allow-destructive"]);
        assert_eq!(p.json(&["backup", "list"]).as_array().unwrap().len(), 2);
        // With auto, every change takes one; the retention prunes older ones, keeping the newest.
        p.run(&["config", "set", "migrations.backup.auto", "true"]);
        p.run(&["config", "set", "migrations.backup.retention", "1s"]);
        std::thread::sleep(std::time::Duration::from_millis(1100));
        p.run(&["migrate", "apply"]);
        let list = p.json(&["backup", "list"]);
        assert_eq!(list.as_array().unwrap().len(), 1, "{engine:?}: {list}");
        assert_eq!(list[0]["reason"], "before migrate apply", "{list}");

        // require-review: a file nobody accepted does not run; an accepted one does, until it is edited.
        p.run(&["config", "set", "migrations.safety.require-review", "true"]);
        let path = p.write(
            "003_add_rank.sql",
            "ALTER TABLE users ADD COLUMN rank_no INTEGER;",
            Some("ALTER TABLE users DROP COLUMN rank_no;"),
        );
        let err = p.fail(&["migrate", "apply"]);
        assert!(
            err.contains("not reviewed") && err.contains("003_add_rank"),
            "{engine:?}: {err}"
        );
        p.run(&["migrate", "review", "003", "--accept"]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("-- reviewed: by="), "{text}");
        std::fs::write(&path, text.replace("rank_no INTEGER", "rank_no BIGINT")).unwrap();
        let err = p.fail(&["migrate", "apply"]);
        assert!(err.contains("not reviewed"), "{engine:?}: {err}");
        p.run(&["migrate", "review", "003", "--accept"]);
        p.run(&["migrate", "apply"]);
        assert_eq!(
            p.column("SELECT COUNT(*) FROM ai_shell_migrations WHERE status = 'applied'"),
            ["3"]
        );
    }
}

#[test]
fn a_migration_over_the_timeout_is_cancelled_and_its_transaction_rolled_back() {
    for engine in ENGINES {
        let p = Project::new(engine);
        p.run(&["config", "set", "migrations.timeout", "1"]);
        let slow = match engine {
            Engine::Sqlite => {
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c;"
            }
            Engine::Postgres => "SELECT pg_sleep(60);",
            Engine::Mysql => "SELECT SLEEP(60);",
        };
        p.write(
            "001_slow.sql",
            &format!("CREATE TABLE made (id INTEGER NOT NULL PRIMARY KEY);\n{slow}"),
            Some("DROP TABLE made;"),
        );
        let started = std::time::Instant::now();
        let err = p.fail(&["migrate", "apply"]);
        let took = started.elapsed();
        assert!(
            took < std::time::Duration::from_secs(20),
            "{engine:?}: took {took:?}"
        );
        assert!(
            err.contains("cancelled after 1s (migrations.timeout)")
                && err.contains("statement 2 of 2"),
            "{engine:?}: {err}"
        );
        // Where DDL is transactional, nothing of it stays; MariaDB keeps what committed, recorded as failed.
        let made = p.tables().contains(&"made".to_string());
        assert_eq!(made, engine == Engine::Mysql, "{engine:?}");
        let status = p.column("SELECT status FROM ai_shell_migrations WHERE version = 1");
        assert_eq!(status, ["failed"], "{engine:?}");
    }
}

#[test]
fn new_migration_files_are_committed_alone_when_configured() {
    let p = Project::new(Engine::Sqlite);
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(p.dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    git(&["init", "-q"]);
    git(&["config", "user.email", "dev@example.com"]);
    git(&["config", "user.name", "Dev"]);
    p.run(&["config", "set", "migrations.vcs.enabled", "true"]);
    p.run(&["config", "set", "migrations.vcs.auto-commit", "true"]);
    // Someone else's staged work stays staged and out of the migration's commit.
    std::fs::write(p.dir.path().join("notes.txt"), "wip\n").unwrap();
    git(&["add", "notes.txt"]);
    p.run(&["migrate", "new", "add audit table"]);
    p.run(&[
        "migrate",
        "create table audit_log with id and message",
        "--generate-only",
    ]);
    let log = git(&["log", "--format=%s", "--name-only"]);
    assert!(
        log.contains("ai-shell: add migration 001_add_audit_table"),
        "{log}"
    );
    assert!(
        log.contains("ai-shell: add migration 002_create_audit_log_table"),
        "{log}"
    );
    assert!(!log.contains("notes.txt"), "{log}");
    assert!(git(&["status", "--porcelain"]).contains("A  notes.txt"));
    // Without auto-commit nothing is committed.
    p.run(&["config", "set", "migrations.vcs.auto-commit", "false"]);
    p.run(&["migrate", "new", "another one"]);
    assert_eq!(git(&["rev-list", "--count", "HEAD"]).trim(), "2");
}

#[test]
fn prerequisite_checks_say_what_works_and_what_the_account_may_do() {
    for engine in ENGINES {
        let p = Project::new(engine);
        let out = p.run(&["features", "check", "migrations"]);
        assert!(
            out.contains("✓ Migration features enabled"),
            "{engine:?}: {out}"
        );
        assert!(
            out.contains("✓ dialect plugin") && out.contains("✓ backups"),
            "{engine:?}: {out}"
        );
        let out = p.run(&["check-permissions", "--feature", "migrations"]);
        assert!(
            out.contains("✓ CREATE, ALTER, DROP permissions"),
            "{engine:?}: {out}"
        );
    }
    // A PostgreSQL role that may not create in schema public (the default since PostgreSQL 15) is told so.
    let p = Project::new(Engine::Postgres);
    let role = format!("ai_shell_limited_{}", std::process::id());
    p.db.exec(&format!(
        "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN"
    ));
    let url =
        p.db.url()
            .replacen("://postgres@", &format!("://{role}@"), 1);
    let out = crate::support::ai_shell_cmd()
        .current_dir(p.dir.path())
        .args(["--database", &url, "check-permissions", "--json"])
        .output()
        .unwrap();
    p.db.exec(&format!("DROP ROLE IF EXISTS {role}"));
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let create = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "CREATE")
        .unwrap();
    assert_eq!(create["status"], "fail", "{v}");
    assert!(
        create["detail"]
            .as_str()
            .unwrap()
            .contains("GRANT CREATE ON SCHEMA public"),
        "{v}"
    );
    // An unreachable database fails the features check, naming it.
    let out = crate::support::ai_shell_cmd()
        .current_dir(p.dir.path())
        .args([
            "--database",
            "postgres://nobody@127.0.0.1:1/none",
            "features",
            "check",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("✗ database"));
    // Shell completions come from the command definition.
    let bash = p.run(&["completions", "bash"]);
    assert!(
        bash.contains("ai-shell") && bash.contains("backup") && bash.contains("--backup-first"),
        "{}",
        &bash[..200]
    );
    let fish = p.run(&["completions", "fish"]);
    assert!(fish.contains("complete -c ai-shell"));
}
