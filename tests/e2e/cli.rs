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
fn plugin_list_shows_the_built_in_dialects() {
    let db = TestDb::new(Engine::Sqlite);
    let out = run_ok(db.cli().args(["plugin", "list", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = v["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["postgres", "mysql", "sqlite"], "{out}");
    for p in v["plugins"].as_array().unwrap() {
        assert_eq!(p["kind"], "dialect");
        assert_eq!(p["wit_version"], "0.1.0");
        assert_eq!(p["source"]["type"], "builtin");
    }
    let table = run_ok(db.cli().args(["plugin", "list"]));
    for word in ["postgres", "mysql", "sqlite", "built-in", "0.1.0"] {
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
