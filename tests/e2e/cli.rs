//! The command line itself: help, version, connection errors, plugin management.

use crate::support::{Engine, TestDb, ai_shell_cmd, run_ok};

#[test]
fn version_and_help_cover_every_command() {
    let out = run_ok(ai_shell_cmd().arg("--version"));
    assert!(out.starts_with("ai-shell "), "{out}");
    for args in [
        vec!["--help"],
        vec!["schema", "--help"],
        vec!["schema", "export", "--help"],
        vec!["schema", "show", "--help"],
        vec!["plugin", "--help"],
        vec!["plugin", "list", "--help"],
        vec!["plugin", "install", "--help"],
        vec!["plugin", "remove", "--help"],
    ] {
        let out = run_ok(ai_shell_cmd().args(&args));
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
}

#[test]
fn an_unreachable_server_is_reported_without_the_password() {
    let out = ai_shell_cmd()
        .args([
            "--database",
            "postgres://admin:hunter2@127.0.0.1:1/app",
            "schema",
            "export",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("could not connect"), "{err}");
    assert!(!err.contains("hunter2"), "password leaked: {err}");
    assert!(err.contains("admin:***@127.0.0.1:1"), "{err}");
}

#[test]
fn a_malformed_url_says_what_is_wrong() {
    let out = ai_shell_cmd()
        .args(["--database", "oracle://scott:tiger@db/x", "schema", "show"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unsupported scheme `oracle`"), "{err}");
    assert!(!err.contains("tiger"), "{err}");
    // Invalid usage, as the README documents it.
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn database_url_is_read_from_a_dotenv_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("from-env.db");
    std::fs::write(
        dir.path().join(".env"),
        format!("DATABASE_URL=sqlite://{}\n", db.display()),
    )
    .unwrap();
    run_ok(
        ai_shell_cmd()
            .current_dir(dir.path())
            .args(["schema", "export", "--format", "json"]),
    );
    assert!(
        db.exists(),
        "the database named in .env was created and read"
    );
}

#[test]
fn plugin_list_shows_the_built_in_dialects_and_strategies() {
    let db = TestDb::new(Engine::Sqlite);
    let out = run_ok(db.cli().args(["plugin", "list", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = v["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "postgres",
            "mysql",
            "sqlite",
            "postgres-online",
            "mysql-online",
            "sqlite-rebuild",
            "standard",
            "builtin",
            "slack",
            "webhook",
            "file"
        ],
        "{out}"
    );
    for (i, p) in v["plugins"].as_array().unwrap().iter().enumerate() {
        let kind = match i {
            0..3 => "dialect",
            3..7 => "strategy",
            7 => "policy",
            _ => "sink",
        };
        assert_eq!(p["kind"], kind, "{p}");
        assert_eq!(p["sha256"].as_str().map(str::len), Some(64), "{p}");
        assert_eq!(p["wit_version"], "0.1.0");
        assert_eq!(p["source"]["type"], "builtin");
    }
    let table = run_ok(db.cli().args(["plugin", "list"]));
    for word in [
        "postgres",
        "mysql",
        "sqlite",
        "built-in",
        "0.1.0",
        "strategy",
        "any dialect",
        "notifications",
    ] {
        assert!(table.contains(word), "{table}");
    }
}

#[test]
fn plugins_install_list_and_remove() {
    let db = TestDb::new(Engine::Sqlite);
    let wasm = std::path::PathBuf::from(env!("AI_SHELL_PLUGIN_DIR")).join("ai_shell_hostile.wasm");
    let out = run_ok(db.cli().args(["plugin", "install"]).arg(&wasm));
    assert!(out.contains("Installed dialect hostile"), "{out}");
    let list = run_ok(db.cli().args(["plugin", "list"]));
    assert!(
        list.contains("hostile") && list.contains("installed"),
        "{list}"
    );
    run_ok(db.cli().args(["plugin", "remove", "hostile"]));
    let list = run_ok(db.cli().args(["plugin", "list"]));
    assert!(!list.contains("hostile"), "{list}");
    let out = db
        .cli()
        .args(["plugin", "remove", "hostile"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no installed plugin named `hostile`"));
}

#[test]
fn installing_something_that_is_not_a_plugin_changes_nothing() {
    let db = TestDb::new(Engine::Sqlite);
    let junk = db
        .plugins_dir()
        .parent()
        .unwrap()
        .join(format!("{}-junk.wasm", db.name()));
    std::fs::write(&junk, b"\0asm\x01\0\0\0").unwrap();
    let out = db
        .cli()
        .args(["plugin", "install"])
        .arg(&junk)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a WebAssembly component"), "{err}");
    assert_eq!(std::fs::read_dir(db.plugins_dir()).unwrap().count(), 0);
    std::fs::remove_file(junk).unwrap();
}

#[test]
fn schema_show_and_export_on_the_example_shop() {
    let db = TestDb::new(Engine::Sqlite);
    db.exec(include_str!("../../examples/shop-sqlite.sql"));

    let overview = run_ok(db.cli().args(["schema", "show"]));
    for name in [
        "customers",
        "products",
        "orders",
        "order_items",
        "open_orders",
        "4 tables",
    ] {
        assert!(overview.contains(name), "{name} missing from:\n{overview}");
    }
    let detail = run_ok(db.cli().args(["schema", "show", "orders"]));
    for part in [
        "customer_id",
        "status",
        "'pending'",
        "idx_orders_customer",
        "idx_orders_open",
        "customers(id)",
        "cascade",
    ] {
        assert!(detail.contains(part), "{part} missing from:\n{detail}");
    }

    let out = db.cli().args(["schema", "show", "nope"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no table named `nope`") && err.contains("customers"),
        "{err}"
    );

    let file = db.plugins_dir().join("export.sql");
    run_ok(db.cli().args(["schema", "export", "--output"]).arg(&file));
    let script = std::fs::read_to_string(&file).unwrap();
    assert!(
        script.contains("CREATE TABLE") && script.contains("order_items"),
        "{script}"
    );
    // The global option also works after the subcommand.
    let json = run_ok(
        crate::support::ai_shell_cmd()
            .env("AI_SHELL_PLUGINS_DIR", db.plugins_dir())
            .args([
                "schema",
                "export",
                "--format",
                "json",
                "--database",
                db.url(),
            ]),
    );
    let model: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(model["tables"].as_array().unwrap().len(), 4);
}
