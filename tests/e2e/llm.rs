//! `migrate "<request>" --planner llm` from the built binary against a local server speaking the Anthropic
//! Messages protocol: the model's tool input becomes the migration; an invalid plan is sent back once and
//! then refused, changing nothing. (The protocol itself is tested in `host/src/llm/tests.rs`.)

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};

use crate::support::{Engine, TestDb, export_json, run_ok};

/// Answers every request with the next of `replies` (the last one repeats) and records the requests.
pub(crate) struct FakeAnthropic {
    pub(crate) url: String,
    pub(crate) requests: Arc<Mutex<Vec<Value>>>,
    _runtime: tokio::runtime::Runtime,
}

pub(crate) fn tool_use(input: Value) -> Value {
    json!({
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-6",
        "content": [{"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "propose_migration", "input": input}],
        "stop_reason": "tool_use",
        "stop_sequence": null,
        "usage": {"input_tokens": 1432, "output_tokens": 187}
    })
}

impl FakeAnthropic {
    pub(crate) fn start(replies: Vec<Value>) -> FakeAnthropic {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let state = (requests.clone(), Arc::new(replies));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        type S = (Arc<Mutex<Vec<Value>>>, Arc<Vec<Value>>);
        async fn messages(
            State((seen, replies)): State<S>,
            body: String,
        ) -> ([(axum::http::HeaderName, &'static str); 1], String) {
            let mut seen = seen.lock().unwrap();
            seen.push(serde_json::from_str(&body).expect("the client sends JSON"));
            let i = (seen.len() - 1).min(replies.len() - 1);
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                replies[i].to_string(),
            )
        }
        let app = axum::Router::new()
            .route("/v1/messages", post(messages))
            .with_state(state);
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeAnthropic {
            url,
            requests,
            _runtime: runtime,
        }
    }
}

pub(crate) fn add_column(name: &str) -> Value {
    json!({
        "changes": [{"AddColumn": {
            "table": {"namespace": null, "name": "users"},
            "column": {"name": name, "data_type": {"Varchar": 320}, "nullable": true, "default": null,
                       "identity": null, "generated": null, "collation": null, "comment": null}
        }}],
        "summary": ["Add column email varchar(320) to users"],
        "slug": "add_email_to_users"
    })
}

pub(crate) fn cli(
    db: &TestDb,
    server: &FakeAnthropic,
    dir: &std::path::Path,
) -> assert_cmd::Command {
    let mut cmd = db.cli();
    cmd.current_dir(dir)
        .env("ANTHROPIC_API_KEY", "sk-ant-test-secret-key")
        .env("AI_SHELL_LLM_BASE_URL", &server.url)
        .env_remove("AI_SHELL_LLM_PROVIDER")
        .env_remove("AI_SHELL_LLM_MODEL");
    cmd
}

#[test]
fn llm_plan_becomes_a_validated_migration() {
    let db = TestDb::new(Engine::Sqlite);
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
    let server = FakeAnthropic::start(vec![tool_use(add_column("email"))]);
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(cli(&db, &server, dir.path()).args([
        "migrate",
        "add email field to users table",
        "--planner",
        "llm",
        "--yes",
        "--json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "applied", "{v}");
    assert_eq!(v["planner"], "llm");
    assert!(
        v["down"][0].as_str().unwrap().contains("DROP COLUMN"),
        "{v}"
    );
    let schema = export_json(&db);
    assert!(schema.to_string().contains("\"email\""), "email not added");
    // The request carried the live schema and the tool generated from the IR, and never the key in the body.
    let seen = server.requests.lock().unwrap();
    let body = seen[0].to_string();
    assert!(
        body.contains("users(") && body.contains("propose_migration"),
        "{body}"
    );
    assert!(!body.contains("sk-ant-test-secret-key"));
}

#[test]
fn an_invalid_llm_plan_is_sent_back_once_then_refused_without_changes() {
    let db = TestDb::new(Engine::Sqlite);
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
    // `name` already exists: invalid against the live schema, twice.
    let server = FakeAnthropic::start(vec![tool_use(add_column("name"))]);
    let dir = tempfile::tempdir().unwrap();
    let before = export_json(&db);
    let out = cli(&db, &server, dir.path())
        .args(["migrate", "add name to users", "--planner", "llm", "--yes"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already exists"), "{err}");
    assert!(!err.contains("sk-ant-test-secret-key"), "{err}");
    assert_eq!(
        server.requests.lock().unwrap().len(),
        2,
        "one retry with the errors"
    );
    assert_eq!(export_json(&db), before);
    assert!(
        !dir.path().join("migrations").exists()
            || std::fs::read_dir(dir.path().join("migrations"))
                .unwrap()
                .next()
                .is_none()
    );
}

#[test]
fn llm_without_configuration_is_a_clear_error() {
    let db = TestDb::new(Engine::Sqlite);
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY)");
    let dir = tempfile::tempdir().unwrap();
    let out = db
        .cli()
        .current_dir(dir.path())
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("AI_SHELL_LLM_PROVIDER")
        .env_remove("AI_SHELL_LLM_BASE_URL")
        .env_remove("AI_SHELL_LLM_MODEL")
        .env_remove("AI_SHELL_LLM_API_KEY")
        .args(["migrate", "add email to users", "--planner", "llm", "--yes"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no LLM is configured"), "{err}");
}
