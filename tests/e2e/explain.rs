//! `migrate "<request>" --explain` (how the offline planner read each word, the names it matched, the plan or
//! the words it could not place; nothing applied) and the hand-over to the LLM planner when the offline one
//! cannot understand a request (`--planner llm` named in the refusal; `[llm] fallback = true` asks the LLM,
//! whose plan passes the same validation), against the local Anthropic-protocol server of `llm.rs`.

use serde_json::Value;

use crate::llm::{FakeAnthropic, add_column, cli, tool_use};
use crate::support::{Engine, TestDb, export_json, run_ok};

/// A request the offline planner cannot read: prose with no name presented as one.
const PROSE: &str = "add a column for the customer's favourite colour to users";

fn users_db() -> TestDb {
    let db = TestDb::new(Engine::Sqlite);
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
    db
}

#[test]
fn explain_shows_each_word_and_applies_nothing() {
    let db = users_db();
    let dir = tempfile::tempdir().unwrap();
    let before = export_json(&db);
    let out = run_ok(db.cli().current_dir(dir.path()).args([
        "migrate",
        "Could you please add a nickname colum to the usres table? Thanks",
        "--explain",
    ]));
    for expected in [
        "please",
        "filler",
        "colum",
        "typo of `column`",
        "usres",
        "users (typo (1 edit))",
        "nickname → new column users.nickname",
        "Add column nickname",
    ] {
        assert!(out.contains(expected), "{expected} missing from:\n{out}");
    }
    assert_eq!(export_json(&db), before, "--explain changed the schema");
    assert!(!dir.path().join("migrations").exists());
}

#[test]
fn explain_json_marks_unplaced_words_and_exits_non_zero() {
    let db = users_db();
    let dir = tempfile::tempdir().unwrap();
    let out = db
        .cli()
        .current_dir(dir.path())
        .env_remove("ANTHROPIC_API_KEY")
        .args([
            "migrate",
            "add a nickname column to users and make it wobbly",
            "--explain",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "refused", "{v}");
    assert_eq!(v["refusal"]["kind"], "ambiguous", "{v}");
    let words = v["reading"]["words"].as_array().unwrap();
    let slot = |w: &str| {
        words
            .iter()
            .find(|x| x["text"] == w)
            .map(|x| x["slot"].as_str().unwrap().to_string())
    };
    assert_eq!(slot("add").as_deref(), Some("verb"), "{v}");
    assert_eq!(slot("users").as_deref(), Some("table"), "{v}");
    assert!(
        v["refusal"]["message"]
            .as_str()
            .unwrap()
            .contains("make it wobbly"),
        "{v}"
    );

    // A plan: status planned, exit 0, the reading and the changes.
    let out = run_ok(db.cli().current_dir(dir.path()).args([
        "migrate",
        "add nickname to users because marketing asked",
        "--explain",
        "--json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "planned", "{v}");
    assert!(v["reading"]["unplaced"].as_array().unwrap().is_empty());
    assert_eq!(v["changes"].as_array().unwrap().len(), 1, "{v}");
}

#[test]
fn a_refusal_names_the_llm_planner_when_one_is_configured() {
    let db = users_db();
    let server = FakeAnthropic::start(vec![tool_use(add_column("favourite_colour"))]);
    let dir = tempfile::tempdir().unwrap();
    let out = cli(&db, &server, dir.path())
        .args(["migrate", PROSE, "--planner", "offline", "--yes"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--planner llm") && err.contains("configured LLM planner"),
        "{err}"
    );
    assert!(
        server.requests.lock().unwrap().is_empty(),
        "no fallback asked for"
    );
}

#[test]
fn fallback_asks_the_llm_and_validates_its_plan() {
    let db = users_db();
    let server = FakeAnthropic::start(vec![tool_use(add_column("favourite_colour"))]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ai-shell.toml"), "[llm]\nfallback = true\n").unwrap();
    let out = run_ok(cli(&db, &server, dir.path()).args(["migrate", PROSE, "--yes", "--json"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "applied", "{v}");
    assert_eq!(v["planner"], "llm", "{v}");
    assert!(export_json(&db).to_string().contains("favourite_colour"));
    assert_eq!(server.requests.lock().unwrap().len(), 1);

    // What the offline planner reads needs no LLM: nothing is sent.
    run_ok(cli(&db, &server, dir.path()).args(["migrate", "add nickname to users", "--yes"]));
    assert_eq!(server.requests.lock().unwrap().len(), 1);

    // A name that does not exist is not a misunderstanding: refused offline, the LLM is not asked.
    let out = cli(&db, &server, dir.path())
        .args(["migrate", "drop column shoe_size from users", "--yes"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(server.requests.lock().unwrap().len(), 1);

    // The LLM's plan passes the same gate: a column that already exists is sent back, then refused.
    let server = FakeAnthropic::start(vec![tool_use(add_column("name"))]);
    let before = export_json(&db);
    let out = cli(&db, &server, dir.path())
        .args(["migrate", PROSE, "--yes"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(server.requests.lock().unwrap().len(), 2);
    assert_eq!(export_json(&db), before);
}
