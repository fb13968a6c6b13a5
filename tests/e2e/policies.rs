//! Policies at every entry point, on every engine: `lint` (formats, exit codes, overrides), `migrate apply`
//! (an error-level finding stops the run before anything runs) and English requests (stopped before the
//! file is written); configuration errors and policies that fail closed.

use crate::migrate::{ENGINES, Project};
use crate::support::Engine;

/// A project whose `users` table holds three rows, with `[policy.rules]` from `rules`.
fn seeded(engine: Engine, rules: &str) -> Project {
    let p = Project::new(engine);
    p.write(
        "001_create_users.sql",
        "CREATE TABLE users (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(50), status VARCHAR(20), created_at TIMESTAMP);",
        Some("DROP TABLE users;"),
    );
    p.run(&["migrate", "apply"]);
    p.db.exec(
        "INSERT INTO users (id, name, status) VALUES (1, 'a', 'new'), (2, 'b', 'paid'), (3, 'c', NULL)",
    );
    std::fs::write(
        p.dir.path().join("ai-shell.toml"),
        format!("[policy.rules]\n{rules}\n"),
    )
    .unwrap();
    p
}

fn output(p: &Project, args: &[&str]) -> (i32, String, String) {
    let out = p.cli().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn status_values(p: &Project) -> String {
    p.column("SELECT COUNT(status) FROM users")
        .pop()
        .unwrap_or_default()
}

#[test]
fn lint_reports_findings_in_every_format_with_an_exit_code_for_ci() {
    for engine in ENGINES {
        let p = seeded(engine, "drop-column = \"error\"");
        p.write(
            "002_drop_status.sql",
            "ALTER TABLE users DROP COLUMN status;",
            Some("ALTER TABLE users ADD COLUMN status VARCHAR(20);"),
        );
        // The error-level finding fails the run; the file and line are named.
        let (code, out, _) = output(&p, &["lint"]);
        assert_eq!(code, 1, "{engine:?}: {out}");
        assert!(
            out.contains("002_drop_status.sql")
                && out.contains("drop-column")
                && out.contains("line 4"),
            "{engine:?}: {out}"
        );
        let (code, json, _) = output(&p, &["lint", "--format", "json"]);
        assert_eq!(code, 1);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["errors"], 1, "{engine:?}: {json}");
        let finding = &v["files"][1]["findings"][0];
        assert_eq!(
            v["files"][1]["name"], "migrations/002_drop_status.sql",
            "{json}"
        );
        assert_eq!(finding["rule"], "drop-column", "{json}");
        assert_eq!(finding["blocks"], true, "{json}");
        let (_, gh, _) = output(&p, &["lint", "--format", "github"]);
        assert!(
            gh.contains("::error file=")
                && gh.contains("line=4")
                && gh.contains("title=drop-column"),
            "{engine:?}: {gh}"
        );
        let (_, sarif, _) = output(&p, &["lint", "--format", "sarif"]);
        let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert!(
            results
                .iter()
                .any(|r| r["ruleId"] == "drop-column" && r["level"] == "error"),
            "{sarif}"
        );
        // Allowed with a reason above the statement: shown as allowed, and the exit code is 0.
        p.write(
            "002_drop_status.sql",
            "-- ai-shell:allow drop-column reason=\"status moved to orders\"\nALTER TABLE users DROP COLUMN status;",
            Some("ALTER TABLE users ADD COLUMN status VARCHAR(20);"),
        );
        let (code, out, _) = output(&p, &["lint"]);
        assert_eq!(code, 0, "{engine:?}: {out}");
        assert!(
            out.contains("allowed") && out.contains("status moved to orders"),
            "{out}"
        );
        // An override without a reason is itself an error.
        p.write(
            "002_drop_status.sql",
            "-- ai-shell:allow drop-column\nALTER TABLE users DROP COLUMN status;",
            None,
        );
        let err = p.fail(&["lint"]);
        assert!(err.contains("has no reason"), "{engine:?}: {err}");
    }
}

#[test]
fn lint_live_knows_table_sizes_and_rules_list_their_severity() {
    for engine in ENGINES {
        let p = seeded(engine, "");
        p.write(
            "002_add_age.sql",
            "ALTER TABLE users ADD COLUMN age INTEGER NOT NULL;",
            None,
        );
        // Offline the table's size is unknown: a warning. Live, it has rows: an error (it would fail, or on
        // MySQL fill every row with 0).
        let (code, out, _) = output(&p, &["lint"]);
        assert_eq!(code, 0, "{engine:?}: {out}");
        assert!(
            out.contains("add-column-not-null-no-default"),
            "{engine:?}: {out}"
        );
        let (code, out, _) = output(&p, &["lint", "--live"]);
        assert_eq!(code, 1, "{engine:?}: {out}");
        assert!(
            out.contains("error") && out.contains("add-column-not-null-no-default"),
            "{engine:?}: {out}"
        );
        // The missing down section is reported too.
        assert!(out.contains("missing-down"), "{engine:?}: {out}");
    }
    let p = seeded(Engine::Sqlite, "drop-table = \"off\"");
    let rules = p.run(&["lint", "--rules"]);
    assert!(
        rules.contains("drop-table") && rules.contains("off"),
        "{rules}"
    );
    assert!(rules.lines().count() > 30, "{rules}");
}

#[test]
fn apply_stops_before_the_first_statement_when_an_error_finding_is_not_allowed() {
    for engine in ENGINES {
        let p = seeded(engine, "drop-column = \"error\"");
        p.write(
            "002_drop_status.sql",
            "ALTER TABLE users DROP COLUMN status;",
            Some("ALTER TABLE users ADD COLUMN status VARCHAR(20);"),
        );
        let err = p.fail(&["migrate", "apply", "--allow-destructive"]);
        assert!(
            err.contains("drop-column") && err.contains("nothing was applied"),
            "{engine:?}: {err}"
        );
        assert_eq!(status_values(&p), "2", "{engine:?}");
        let status = p.run(&["migrate", "status"]);
        assert!(status.contains("002"), "{status}");
        // Allowed with a reason, it runs (destroying data still needs its own consent).
        p.write(
            "002_drop_status.sql",
            "-- ai-shell:allow drop-column reason=\"status moved to orders\"\nALTER TABLE users DROP COLUMN status;",
            Some("ALTER TABLE users ADD COLUMN status VARCHAR(20);"),
        );
        let err = p.fail(&["migrate", "apply"]);
        assert!(err.contains("--allow-destructive"), "{engine:?}: {err}");
        p.run(&["migrate", "apply", "--allow-destructive"]);
        assert!(p.column("SELECT COUNT(*) FROM users").pop().unwrap() == "3");
        // The override is in the history: its log and the exported notes.
        let logs = p.run(&["migrate", "logs", "002"]);
        assert!(
            logs.contains("policy-override") && logs.contains("status moved to orders"),
            "{engine:?}: {logs}"
        );
        let export = p.dir.path().join("history.json");
        p.run(&["migrate", "history", "--export", export.to_str().unwrap()]);
        let text = std::fs::read_to_string(&export).unwrap();
        assert!(text.contains("policy override: drop-column"), "{text}");
    }
}

#[test]
fn a_request_blocked_by_policy_writes_no_file() {
    for engine in ENGINES {
        let p = seeded(engine, "drop-column = \"error\"");
        let err = p.fail(&[
            "migrate",
            "remove the status column from users",
            "--yes",
            "--allow-destructive",
        ]);
        assert!(
            err.contains("drop-column") && err.contains("nothing was written or applied"),
            "{engine:?}: {err}"
        );
        let files = std::fs::read_dir(p.migrations()).unwrap().count();
        assert_eq!(files, 1, "{engine:?}");
        assert_eq!(status_values(&p), "2", "{engine:?}");
        // The same request under the default severities (drop-column warns) is shown and applied.
        std::fs::write(p.dir.path().join("ai-shell.toml"), "").unwrap();
        let (code, _, err) = output(
            &p,
            &[
                "migrate",
                "remove the status column from users",
                "--yes",
                "--allow-destructive",
            ],
        );
        assert_eq!(code, 0, "{engine:?}: {err}");
        assert!(err.contains("drop-column"), "{engine:?}: {err}");
    }
}

#[test]
fn configuration_mistakes_and_broken_policies_fail_closed() {
    let p = seeded(Engine::Sqlite, "drop-colum = \"error\"");
    p.write(
        "002_t.sql",
        "CREATE TABLE t (id BIGINT PRIMARY KEY);",
        Some("DROP TABLE t;"),
    );
    let err = p.fail(&["migrate", "apply"]);
    assert!(
        err.contains("drop-colum") && err.contains("did you mean `drop-column`"),
        "{err}"
    );
    // A mandatory policy that cannot be read blocks; an advisory one warns.
    let wasm = crate::support::target_dir()
        .join("plugins/wasm32-wasip2/release/ai_shell_policy_builtin.wasm");
    for (entry, blocks) in [
        ("path = \"missing.wasm\"".to_string(), true),
        (
            format!(
                "path = \"{}\"\nsha256 = \"{}\"",
                wasm.display(),
                "0".repeat(64)
            ),
            true,
        ),
        (
            "path = \"missing.wasm\"\nmandatory = false".to_string(),
            false,
        ),
    ] {
        std::fs::write(
            p.dir.path().join("ai-shell.toml"),
            format!("[[policy.plugins]]\n{entry}\n"),
        )
        .unwrap();
        if blocks {
            let err = p.fail(&["migrate", "apply"]);
            assert!(err.contains("mandatory policy"), "{entry}: {err}");
            assert!(!p.tables().contains(&"t".to_string()));
        } else {
            let (code, _, err) = output(&p, &["migrate", "apply"]);
            assert_eq!(code, 0, "{err}");
            assert!(err.contains("advisory policy"), "{err}");
            assert!(p.tables().contains(&"t".to_string()));
        }
    }
}

#[test]
fn a_policy_made_with_plugin_new_builds_installs_and_reports_everywhere() {
    let p = seeded(Engine::Sqlite, "");
    let dir = p.dir.path().join("acme");
    p.run(&[
        "plugin",
        "new",
        "policy",
        "acme",
        "--dir",
        dir.to_str().unwrap(),
    ]);
    // Built as a third party would, outside this repository (its own toolchain file and workspace).
    let target = crate::support::target_dir().join("scaffold");
    let out = std::process::Command::new("cargo")
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wasm = target.join("wasm32-wasip2/release/acme_policy.wasm");
    p.run(&["plugin", "install", wasm.to_str().unwrap()]);
    std::fs::write(
        p.dir.path().join("ai-shell.toml"),
        "[policy.rules]\nacme-table-prefix = { severity = \"error\", prefix = \"shop_\" }\n",
    )
    .unwrap();
    p.write(
        "002_orders.sql",
        "CREATE TABLE orders (id BIGINT PRIMARY KEY);",
        Some("DROP TABLE orders;"),
    );
    let (code, out, _) = output(&p, &["lint"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("acme-table-prefix") && out.contains("shop_orders"),
        "{out}"
    );
    let err = p.fail(&["migrate", "apply"]);
    assert!(err.contains("acme-table-prefix"), "{err}");
    assert!(!p.tables().contains(&"orders".to_string()));
}

#[test]
fn a_policy_that_loops_allocates_panics_or_reaches_out_blocks_unless_advisory() {
    let wasm = crate::support::target_dir()
        .join("plugins/wasm32-wasip2/release/examples/hostile_policy.wasm");
    for (misbehaviour, expect) in [
        ("loop", "time limit"),
        ("alloc", "memory"),
        ("panic", "panicked"),
        ("read_file", "refused to read"),
        ("connect", "refused a network connection"),
    ] {
        let p = seeded(Engine::Sqlite, "");
        let table = format!("hostile_{misbehaviour}");
        p.write(
            "002_hostile.sql",
            &format!("CREATE TABLE {table} (id BIGINT PRIMARY KEY);"),
            Some(&format!("DROP TABLE {table};")),
        );
        let config = |mandatory: bool| {
            std::fs::write(
                p.dir.path().join("ai-shell.toml"),
                format!(
                    "[[policy.plugins]]\npath = \"{}\"\nmandatory = {mandatory}\n",
                    wasm.display()
                ),
            )
            .unwrap()
        };
        config(true);
        let out = p
            .cli()
            .env("AI_SHELL_PLUGIN_TIMEOUT_MS", "2000")
            .env("AI_SHELL_PLUGIN_MEMORY_MB", "256")
            .args(["migrate", "apply"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{misbehaviour}: {err}");
        assert!(
            err.contains("hostile-policy") && err.contains("fail closed") && err.contains(expect),
            "{misbehaviour}: {err}"
        );
        assert!(!p.tables().contains(&table), "{misbehaviour}");
        // Advisory: a warning, and the migration runs.
        config(false);
        let out = p
            .cli()
            .env("AI_SHELL_PLUGIN_TIMEOUT_MS", "2000")
            .env("AI_SHELL_PLUGIN_MEMORY_MB", "256")
            .args(["migrate", "apply"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{misbehaviour}: {err}");
        assert!(err.contains("advisory policy"), "{misbehaviour}: {err}");
        assert!(p.tables().contains(&table), "{misbehaviour}");
    }
}

#[test]
fn an_approval_holds_for_the_sql_schema_policies_and_environment_it_was_given_for() {
    for engine in ENGINES {
        let p = seeded(engine, "");
        p.db.exec("CREATE TABLE unused_table (id BIGINT NOT NULL PRIMARY KEY)");
        p.db.exec("INSERT INTO unused_table (id) VALUES (1), (2)");
        // Step 10: a destructive request that requires approval is written, not applied.
        let out = p.run(&["migrate", "drop table unused_table", "--require-approval"]);
        assert!(
            out.contains("DESTRUCTIVE")
                && out.contains("Approval required")
                && out.contains("migrate approve"),
            "{engine:?}: {out}"
        );
        let file = std::fs::read_dir(p.migrations())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|f| f.file_name().unwrap().to_string_lossy().starts_with("002"))
            .unwrap();
        let id = file.file_stem().unwrap().to_string_lossy().to_string();
        assert!(p.tables().contains(&"unused_table".to_string()));
        let pending = p.run(&["migrate", "pending"]);
        assert!(pending.contains("awaiting approval"), "{pending}");
        let err = p.fail(&["migrate", "apply"]);
        assert!(
            err.contains("needs an approval") && err.contains("has no approval"),
            "{engine:?}: {err}"
        );
        // No reason, no approval.
        p.fail(&["migrate", "approve", &id]);
        p.run(&["migrate", "approve", &id, "--reason", "Confirmed unused"]);
        // Drift in the target voids it until the schema is back as it was.
        p.db.exec("CREATE TABLE stray (id BIGINT NOT NULL PRIMARY KEY)");
        let err = p.fail(&["migrate", "apply"]);
        assert!(err.contains("another schema"), "{engine:?}: {err}");
        p.db.exec("DROP TABLE stray");
        // A one-byte change to the SQL voids it.
        let text = std::fs::read_to_string(&file).unwrap();
        let up = text.find("-- +up").unwrap();
        let edited = format!(
            "{}{}",
            &text[..up],
            text[up..].replacen("DROP TABLE", "DROP  TABLE", 1)
        );
        std::fs::write(&file, edited).unwrap();
        let err = p.fail(&["migrate", "apply"]);
        assert!(err.contains("other SQL"), "{engine:?}: {err}");
        std::fs::write(&file, &text).unwrap();
        // So does a change of the policies in force, or another environment.
        std::fs::write(
            p.dir.path().join("ai-shell.toml"),
            "[policy.rules]\ndrop-table = \"info\"\n",
        )
        .unwrap();
        let err = p.fail(&["migrate", "apply"]);
        assert!(err.contains("other policies"), "{engine:?}: {err}");
        std::fs::write(
            p.dir.path().join("ai-shell.toml"),
            format!("[environments.staging]\nurl = \"{}\"\n", p.db.url()),
        )
        .unwrap();
        let err = p.fail(&["--env", "staging", "migrate", "apply"]);
        assert!(
            err.contains("is for environment default, not staging"),
            "{engine:?}: {err}"
        );
        // As approved: it runs (the approval is the consent to drop the table's rows) and is recorded.
        p.run(&["migrate", "apply"]);
        assert!(
            !p.tables().contains(&"unused_table".to_string()),
            "{engine:?}"
        );
        let logs = p.run(&["migrate", "logs", &id]);
        assert!(
            logs.contains("approved by") && logs.contains("Confirmed unused"),
            "{logs}"
        );
    }
}

#[test]
fn configured_approvals_and_approver_rules_are_enforced() {
    let p = seeded(Engine::Sqlite, "");
    std::fs::write(
        p.dir.path().join("ai-shell.toml"),
        "[policy]\napprovals = \"destructive\"\napprover-not-author = true\n",
    )
    .unwrap();
    // An additive request runs; a destructive one waits for an approval.
    p.run(&["migrate", "add a nickname column to users", "--yes"]);
    let out = p.run(&[
        "migrate",
        "remove the status column from users",
        "--yes",
        "--allow-destructive",
    ]);
    assert!(out.contains("Approval required"), "{out}");
    assert_eq!(status_values(&p), "2");
    // Its author cannot approve it.
    let id = std::fs::read_dir(p.migrations())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| f.file_name().unwrap().to_string_lossy().starts_with("003"))
        .unwrap()
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let err = p.fail(&["migrate", "approve", &id, "--reason", "mine"]);
    assert!(err.contains("cannot approve"), "{err}");
    // Someone else can.
    let out = p
        .cli()
        .env("AI_SHELL_USER", "bob@example.com")
        .args([
            "migrate",
            "approve",
            &id,
            "--reason",
            "checked with the team",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p.run(&["migrate", "apply"]);
    let columns = p.column("SELECT name FROM pragma_table_info('users')");
    assert!(!columns.contains(&"status".to_string()), "{columns:?}");
}

#[test]
fn an_organisation_bundle_sets_floors_the_project_cannot_lower() {
    let p = seeded(Engine::Sqlite, "");
    let bundle = "[rules]\ndrop-column = \"error\"\n\n[environments.production]\nno-override = [\"drop-column\"]\n";
    std::fs::create_dir_all(p.dir.path().join("org")).unwrap();
    std::fs::write(p.dir.path().join("org/policy.toml"), bundle).unwrap();
    let sha = ai_shell::plugins::sha256(bundle.as_bytes());
    p.write(
        "002_drop_status.sql",
        "-- ai-shell:allow drop-column reason=\"status moved to orders\"\nALTER TABLE users DROP COLUMN status;",
        Some("ALTER TABLE users ADD COLUMN status VARCHAR(20);"),
    );
    let config = |extra: &str| {
        std::fs::write(
            p.dir.path().join("ai-shell.toml"),
            format!(
                "[environments.production]\nurl = \"{}\"\n\n[policy]\norg = \"org/policy.toml\"\n{extra}",
                p.db.url()
            ),
        )
        .unwrap()
    };
    // Unpinned, or pinned to another hash: refused.
    config("");
    let err = p.fail(&["lint"]);
    assert!(err.contains("not pinned") && err.contains(&sha), "{err}");
    config(&format!("org-sha256 = \"{}\"\n", "a".repeat(64)));
    let err = p.fail(&["lint"]);
    assert!(err.contains("changed since it was pinned"), "{err}");
    // The project cannot lower a floor.
    config(&format!(
        "org-sha256 = \"{sha}\"\n[policy.rules]\ndrop-column = \"warn\"\n"
    ));
    let err = p.fail(&["lint"]);
    assert!(err.contains("below the organisation's floor"), "{err}");
    // The floor makes the finding an error; the inline override holds in development, not in production.
    config(&format!("org-sha256 = \"{sha}\"\n"));
    let (code, out, _) = output(&p, &["lint"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("allowed"), "{out}");
    let (code, out, _) = output(&p, &["--env", "production", "lint"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("cannot be overridden here"), "{out}");
    let err = p.fail(&[
        "--env",
        "production",
        "migrate",
        "apply",
        "--allow-destructive",
    ]);
    assert!(err.contains("drop-column"), "{err}");
    assert_eq!(status_values(&p), "2");
}

#[test]
fn lint_git_base_checks_only_the_migrations_a_branch_changed() {
    let p = seeded(Engine::Sqlite, "drop-column = \"error\"");
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.email=ci@example.com", "-c", "user.name=CI"])
            .args(args)
            .current_dir(p.dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // On the base: a migration that breaks a rule (already reviewed and merged).
    p.write(
        "002_drop_status.sql",
        "ALTER TABLE users DROP COLUMN status;",
        Some("ALTER TABLE users ADD COLUMN status VARCHAR(20);"),
    );
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    git(&["checkout", "-q", "-b", "feature"]);
    p.write(
        "003_add_nickname.sql",
        "ALTER TABLE users ADD COLUMN nickname VARCHAR(40);",
        Some("ALTER TABLE users DROP COLUMN nickname;"),
    );
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "feature"]);
    let (code, out, err) = output(&p, &["lint", "--git-base", "main"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 file checked"), "{out}");
    let (code, out, _) = output(&p, &["lint"]);
    assert_eq!(code, 1, "{out}");
    let err = p.fail(&["lint", "--git-base", "no-such-branch"]);
    assert!(err.contains("git could not compare"), "{err}");
}
