//! The LLM planner against a local HTTP server on 127.0.0.1 that speaks each protocol's request and response
//! JSON: requests are checked as the server received them, answers are shaped like the real APIs'.

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::*;
use crate::model::*;
use crate::project::LlmSettings;

const KEY: &str = "sk-ant-test-SECRET-0123456789";

// ---------------------------------------------------------------------------------------------------------
// The scripted server.

/// One scripted answer.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Value,
    delay: Duration,
}

fn ok(body: Value) -> Reply {
    Reply {
        status: 200,
        headers: vec![],
        body,
        delay: Duration::ZERO,
    }
}

fn fail(status: u16, body: Value) -> Reply {
    Reply { status, ..ok(body) }
}

/// A request as the server received it.
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    path: String,
    headers: HashMap<String, String>,
    body: Value,
}

struct Shared {
    replies: Mutex<VecDeque<Reply>>,
    seen: Mutex<Vec<Seen>>,
}

struct Server {
    base: String,
    shared: Arc<Shared>,
}

impl Server {
    fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }
}

async fn serve(base_path: &str, replies: Vec<Reply>) -> Server {
    let shared = Arc::new(Shared {
        replies: Mutex::new(replies.into()),
        seen: Mutex::new(vec![]),
    });
    let app = Router::new().fallback(handle).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        base: format!("http://{addr}{base_path}"),
        shared,
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let headers = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    shared.seen.lock().unwrap().push(Seen {
        method,
        path: uri.path().to_string(),
        headers,
        body,
    });
    let reply = shared.replies.lock().unwrap().pop_front();
    let Some(reply) = reply else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no scripted reply left").into_response();
    };
    tokio::time::sleep(reply.delay).await;
    let mut out = HeaderMap::new();
    out.insert("content-type", "application/json".parse().unwrap());
    for (k, v) in reply.headers {
        out.insert(k, v.parse().unwrap());
    }
    (
        StatusCode::from_u16(reply.status).unwrap(),
        out,
        reply.body.to_string(),
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------------------
// Real-shaped answers.

fn anthropic_tool_use(id: &str, input: Value) -> Value {
    json!({
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-6",
        "content": [{"type": "tool_use", "id": id, "name": "propose_migration", "input": input}],
        "stop_reason": "tool_use",
        "stop_sequence": null,
        "usage": {"input_tokens": 1432, "output_tokens": 187}
    })
}

fn anthropic_error(kind: &str, message: &str) -> Value {
    json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"})
}

fn openai_tool_call(id: &str, arguments: &str) -> Value {
    json!({
        "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
        "object": "chat.completion",
        "created": 1741570283,
        "model": "qwen2.5-coder:7b",
        "choices": [{
            "index": 0,
            "message": {
                "role": "assistant",
                "content": null,
                "tool_calls": [{
                    "id": id,
                    "type": "function",
                    "function": {"name": "propose_migration", "arguments": arguments}
                }],
                "refusal": null
            },
            "logprobs": null,
            "finish_reason": "tool_calls"
        }],
        "usage": {"prompt_tokens": 1117, "completion_tokens": 46, "total_tokens": 1163}
    })
}

fn openai_error(message: &str, kind: &str, code: &str) -> Value {
    json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures.

fn qn(name: &str) -> QualifiedName {
    QualifiedName {
        namespace: None,
        name: name.into(),
    }
}

fn col(name: &str, data_type: ColumnType, nullable: bool) -> Column {
    Column {
        name: name.into(),
        data_type,
        nullable,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

fn table(name: &str, columns: Vec<Column>) -> Table {
    Table {
        name: qn(name),
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec![columns[0].name.clone()],
        }),
        columns,
        uniques: vec![],
        indexes: vec![],
        foreign_keys: vec![],
        checks: vec![],
        comment: None,
        options: vec![],
    }
}

fn fk(name: &str, column: &str, target: &str) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: vec![column.into()],
        referenced_table: qn(target),
        referenced_columns: vec!["id".into()],
        on_delete: FkAction::Cascade,
        on_update: FkAction::NoAction,
        deferrable: false,
        initially_deferred: false,
    }
}

fn users_schema() -> DatabaseSchema {
    let mut users = table(
        "users",
        vec![
            col("id", ColumnType::Bigint, false),
            col("name", ColumnType::Varchar(Some(100)), false),
            col("created_at", ColumnType::Timestamp(None), true),
        ],
    );
    users.columns[0].identity = Some(IdentityKind::AutoIncrement);
    DatabaseSchema {
        tables: vec![users],
        ..DatabaseSchema::empty()
    }
}

fn add_email() -> Change {
    let mut email = col("email", ColumnType::Varchar(Some(255)), false);
    email.default = Some("''".into());
    Change::AddColumn(AddColumn {
        table: qn("users"),
        column: email,
    })
}

fn add_email_input() -> Value {
    json!({
        "changes": [add_email()],
        "summary": ["Add column email varchar(255) to users"],
        "slug": "Add email to users!"
    })
}

fn config(provider: Provider, server: &Server, key: Option<&str>) -> LlmConfig {
    let mut c = LlmConfig::new(provider, &server.base, "test-model", key.map(ApiKey::new));
    c.backoff_base = Duration::from_millis(1);
    c
}

fn accept(_: &[Change]) -> Result<(), Vec<String>> {
    Ok(())
}

fn assert_no_key(text: &str) {
    assert!(
        !text.contains(KEY) && !text.contains("SECRET"),
        "the key leaked: {text}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Anthropic.

#[tokio::test]
async fn anthropic_request_and_tool_use_answer() {
    let server = serve(
        "",
        vec![ok(anthropic_tool_use("toolu_01A", add_email_input()))],
    )
    .await;
    let cfg = config(Provider::Anthropic, &server, Some(KEY));
    let calls = Cell::new(0);
    let plan = plan(
        &cfg,
        "add email field to users table",
        &users_schema(),
        Engine::Postgres,
        |c| {
            calls.set(calls.get() + 1);
            assert_eq!(c, [add_email()]);
            Ok(())
        },
    )
    .await
    .unwrap();
    assert_eq!(plan.changes, vec![add_email()]);
    assert_eq!(plan.summary, vec!["Add column email varchar(255) to users"]);
    assert_eq!(plan.slug, "add_email_to_users");
    assert_eq!(calls.get(), 1);

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.method, Method::POST);
    assert_eq!(req.path, "/v1/messages");
    assert_eq!(req.headers["x-api-key"], KEY);
    assert_eq!(req.headers["anthropic-version"], "2023-06-01");
    assert_eq!(req.headers["content-type"], "application/json");
    assert!(!req.headers.contains_key("authorization"));
    let body = &req.body;
    assert_eq!(body["model"], "test-model");
    assert!(body["max_tokens"].as_u64().unwrap() >= 1024);
    let system = body["system"].as_str().unwrap();
    assert!(system.contains("PostgreSQL"), "{system}");
    assert!(
        system
            .contains("users(id bigint pk identity, name varchar(100), created_at timestamp null)"),
        "{system}"
    );
    assert_eq!(body["messages"][0]["role"], "user");
    assert!(
        body["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("add email field to users table")
    );
    let tool = &body["tools"][0];
    assert_eq!(tool["name"], "propose_migration");
    assert_eq!(tool["input_schema"]["type"], "object");
    assert!(tool["input_schema"]["$defs"]["Change"].is_object());
    assert_eq!(
        body["tool_choice"],
        json!({"type": "tool", "name": "propose_migration"})
    );
}

#[tokio::test]
async fn anthropic_error_body_is_reported_without_retry() {
    let server = serve(
        "",
        vec![fail(
            400,
            anthropic_error("invalid_request_error", "max_tokens: Field required"),
        )],
    )
    .await;
    let cfg = config(Provider::Anthropic, &server, Some(KEY));
    let err = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Sqlite,
        accept,
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("HTTP 400") && text.contains("invalid_request_error"),
        "{text}"
    );
    assert!(text.contains("max_tokens: Field required"), "{text}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn rejected_key_names_the_variable_and_never_the_key() {
    // The server echoes the key in its message: it must not reach the error either.
    let server = serve(
        "",
        vec![fail(
            401,
            anthropic_error("authentication_error", &format!("invalid x-api-key {KEY}")),
        )],
    )
    .await;
    let cfg = config(Provider::Anthropic, &server, Some(KEY));
    let err = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Sqlite,
        accept,
    )
    .await
    .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        text.contains("the API key was rejected: check ANTHROPIC_API_KEY"),
        "{text}"
    );
    assert_no_key(&text);
    assert_no_key(&format!("{cfg:?}"));
}

#[tokio::test]
async fn rate_limit_honours_retry_after_then_succeeds() {
    let mut limited = fail(
        429,
        anthropic_error(
            "rate_limit_error",
            "Number of request tokens has exceeded your per-minute rate limit",
        ),
    );
    limited.headers.push(("retry-after", "1".into()));
    let server = serve(
        "",
        vec![
            limited,
            ok(anthropic_tool_use("toolu_01B", add_email_input())),
        ],
    )
    .await;
    let mut cfg = config(Provider::Anthropic, &server, Some(KEY));
    // Without retry-after the back-off would exceed the longest wait and the call would fail at once:
    // success proves the header's 1 s was used.
    cfg.backoff_base = Duration::from_secs(600);
    let plan = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::MySql,
        accept,
    )
    .await
    .unwrap();
    assert_eq!(plan.changes, vec![add_email()]);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0].body, seen[1].body,
        "a retry resends the same request"
    );
}

#[tokio::test]
async fn overloaded_and_server_errors_are_retried_with_backoff() {
    let server = serve(
        "",
        vec![
            fail(529, anthropic_error("overloaded_error", "Overloaded")),
            fail(500, anthropic_error("api_error", "Internal server error")),
            ok(anthropic_tool_use("toolu_01C", add_email_input())),
        ],
    )
    .await;
    let cfg = config(Provider::Anthropic, &server, Some(KEY));
    let plan = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Postgres,
        accept,
    )
    .await
    .unwrap();
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn retries_stop_after_max_retries() {
    let replies = (0..5)
        .map(|_| fail(503, anthropic_error("api_error", "Service unavailable")))
        .collect();
    let server = serve("", replies).await;
    let cfg = config(Provider::Anthropic, &server, Some(KEY));
    let err = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Postgres,
        accept,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            LlmError::Api {
                status: 503,
                retries: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("after 2 retries"), "{err}");
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn malformed_tool_input_is_sent_back_once_then_corrected() {
    let bad = json!({"changes": [{"AddColum": {"table": "users"}}], "summary": [], "slug": "x"});
    let server = serve(
        "",
        vec![
            ok(anthropic_tool_use("toolu_bad", bad.clone())),
            ok(anthropic_tool_use("toolu_good", add_email_input())),
        ],
    )
    .await;
    let cfg = config(Provider::Anthropic, &server, Some(KEY));
    let plan = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Postgres,
        accept,
    )
    .await
    .unwrap();
    assert_eq!(plan.changes, vec![add_email()]);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let messages = seen[1].body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(messages[1]["content"][0]["input"], bad);
    let result = &messages[2]["content"][0];
    assert_eq!(messages[2]["role"], "user");
    assert_eq!(result["type"], "tool_result");
    assert_eq!(result["tool_use_id"], "toolu_bad");
    assert_eq!(result["is_error"], true);
    assert!(
        result["content"].as_str().unwrap().contains("AddColum"),
        "{result}"
    );
    assert_eq!(seen[1].body["tool_choice"], seen[0].body["tool_choice"]);
}

#[tokio::test]
async fn invalid_twice_fails_naming_the_problems() {
    let server = serve(
        "",
        vec![
            ok(anthropic_tool_use("toolu_1", add_email_input())),
            ok(anthropic_tool_use("toolu_2", add_email_input())),
        ],
    )
    .await;
    let cfg = config(Provider::Anthropic, &server, Some(KEY));
    let calls = Cell::new(0);
    let err = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Postgres,
        |_| {
            calls.set(calls.get() + 1);
            Err(vec!["column users.email already exists".to_string()])
        },
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, LlmError::InvalidPlan { .. }));
    assert!(
        text.contains("invalid plan twice") && text.contains("column users.email already exists"),
        "{text}"
    );
    assert_eq!(calls.get(), 2);
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "exactly one follow-up turn");
    let follow_up = &seen[1].body["messages"][2]["content"][0];
    assert!(
        follow_up["content"]
            .as_str()
            .unwrap()
            .contains("already exists")
    );
}

#[tokio::test]
async fn raw_sql_is_refused_unless_asked_for() {
    let raw = json!({"changes": [{"RawSql": {"up": "ALTER TABLE users ADD email text", "down": null, "note": null}}],
        "summary": ["raw"], "slug": "raw"});
    let server = serve(
        "",
        vec![
            ok(anthropic_tool_use("toolu_raw", raw)),
            ok(anthropic_tool_use("toolu_ok", add_email_input())),
        ],
    )
    .await;
    let cfg = config(Provider::Anthropic, &server, Some(KEY));
    let plan = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Postgres,
        accept,
    )
    .await
    .unwrap();
    assert_eq!(plan.changes, vec![add_email()]);
    let result = &server.seen()[1].body["messages"][2]["content"][0]["content"];
    assert!(result.as_str().unwrap().contains("RawSql"), "{result}");
}

#[tokio::test]
async fn a_refusal_comes_back_as_data() {
    let refusal = json!({"changes": [], "summary": [], "slug": "", "refusal": {
        "kind": "not_found", "message": "There is no table `usres`.",
        "suggestions": ["users"], "example": "add email to users"}});
    let server = serve("", vec![ok(anthropic_tool_use("toolu_r", refusal))]).await;
    let cfg = config(Provider::Anthropic, &server, Some(KEY));
    let err = plan(
        &cfg,
        "add email to usres",
        &users_schema(),
        Engine::Postgres,
        accept,
    )
    .await
    .unwrap_err();
    let LlmError::Refused(r) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(r.kind, crate::changes::RefusalKind::NotFound);
    assert_eq!(r.suggestions, vec!["users"]);
    assert!(err.to_string().contains("Did you mean: users?"), "{err}");
}

/// The refusal kinds the schema declares are snake_case, as `--json` prints them; a model that writes them
/// in kebab-case is understood too.
#[test]
fn refusal_kinds_parse_in_both_spellings() {
    use crate::changes::RefusalKind;
    for (kind, want) in [
        ("not_a_schema_change", RefusalKind::NotASchemaChange),
        ("not-a-schema-change", RefusalKind::NotASchemaChange),
        ("not-found", RefusalKind::NotFound),
    ] {
        let input = json!({"changes": [], "summary": [], "slug": "", "refusal": {"kind": kind, "message": "m"}});
        match super::tool::parse(&input, "how many users are there") {
            Ok(super::tool::Parsed::Refusal(r)) => assert_eq!(r.kind, want, "{kind}"),
            other => panic!("{kind}: {other:?}"),
        }
    }
    let text = input_schema().to_string();
    assert!(
        text.contains("not_a_schema_change") && !text.contains("not-a-schema-change"),
        "{text}"
    );
}

#[tokio::test]
async fn a_slow_server_times_out_with_a_clear_error() {
    let mut slow = ok(anthropic_tool_use("toolu_slow", add_email_input()));
    slow.delay = Duration::from_secs(3);
    let server = serve("", vec![slow]).await;
    let mut cfg = config(Provider::Anthropic, &server, Some(KEY));
    cfg.timeout = Duration::from_millis(300);
    let err = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Postgres,
        accept,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, LlmError::Timeout { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("did not answer within 0.3 s") && text.contains(&server.base),
        "{text}"
    );
    assert_eq!(server.seen().len(), 1, "a time-out is not retried");
}

#[tokio::test]
async fn connection_refused_names_the_url_not_the_key() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let cfg = LlmConfig::new(Provider::Anthropic, &base, "m", Some(ApiKey::new(KEY)));
    let err = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Postgres,
        accept,
    )
    .await
    .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(matches!(err, LlmError::Unreachable { .. }), "{err:?}");
    assert!(text.contains(&format!("{base}/v1/messages")), "{text}");
    assert!(text.to_lowercase().contains("refused"), "{text}");
    assert_no_key(&text);
}

// ---------------------------------------------------------------------------------------------------------
// OpenAI-compatible.

#[tokio::test]
async fn openai_request_and_string_arguments() {
    let args = add_email_input().to_string();
    let server = serve("/v1", vec![ok(openai_tool_call("call_abc123", &args))]).await;
    let cfg = config(Provider::OpenAi, &server, Some(KEY));
    let plan = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Sqlite,
        accept,
    )
    .await
    .unwrap();
    assert_eq!(plan.changes, vec![add_email()]);
    let req = &server.seen()[0];
    assert_eq!(req.path, "/v1/chat/completions");
    assert_eq!(req.headers["authorization"], format!("Bearer {KEY}"));
    assert_eq!(req.headers["content-type"], "application/json");
    assert_eq!(req.body["model"], "test-model");
    assert_eq!(req.body["messages"][0]["role"], "system");
    assert!(
        req.body["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("SQLite")
    );
    assert_eq!(req.body["messages"][1]["role"], "user");
    let tool = &req.body["tools"][0];
    assert_eq!(tool["type"], "function");
    assert_eq!(tool["function"]["name"], "propose_migration");
    assert_eq!(tool["function"]["parameters"]["type"], "object");
    assert_eq!(
        req.body["tool_choice"],
        json!({"type": "function", "function": {"name": "propose_migration"}})
    );
}

#[tokio::test]
async fn openai_without_a_key_sends_no_authorization() {
    let args = add_email_input().to_string();
    let server = serve("/v1", vec![ok(openai_tool_call("call_1", &args))]).await;
    let cfg = config(Provider::OpenAi, &server, None);
    plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Sqlite,
        accept,
    )
    .await
    .unwrap();
    assert!(!server.seen()[0].headers.contains_key("authorization"));
}

#[tokio::test]
async fn openai_rate_limit_then_success() {
    let server = serve(
        "/v1",
        vec![
            fail(
                429,
                openai_error(
                    "Rate limit reached for requests",
                    "requests",
                    "rate_limit_exceeded",
                ),
            ),
            ok(openai_tool_call("call_2", &add_email_input().to_string())),
        ],
    )
    .await;
    let cfg = config(Provider::OpenAi, &server, Some(KEY));
    plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Sqlite,
        accept,
    )
    .await
    .unwrap();
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn openai_error_body_and_rejected_key() {
    let server = serve(
        "/v1",
        vec![
            fail(
                404,
                openai_error(
                    "The model `gpt-9` does not exist",
                    "invalid_request_error",
                    "model_not_found",
                ),
            ),
            fail(
                401,
                openai_error(
                    "Incorrect API key provided: sk-ant-te***6789.",
                    "invalid_request_error",
                    "invalid_api_key",
                ),
            ),
        ],
    )
    .await;
    let cfg = config(Provider::OpenAi, &server, Some(KEY));
    let err = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Sqlite,
        accept,
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("HTTP 404") && text.contains("does not exist"),
        "{text}"
    );
    let err = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Sqlite,
        accept,
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("the API key was rejected: check AI_SHELL_LLM_API_KEY"),
        "{err}"
    );
}

#[tokio::test]
async fn openai_malformed_arguments_are_sent_back_as_a_tool_message() {
    let server = serve(
        "/v1",
        vec![
            ok(openai_tool_call("call_bad", "{\"changes\": [")),
            ok(openai_tool_call(
                "call_good",
                &add_email_input().to_string(),
            )),
        ],
    )
    .await;
    let cfg = config(Provider::OpenAi, &server, None);
    let plan = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Sqlite,
        accept,
    )
    .await
    .unwrap();
    assert_eq!(plan.changes, vec![add_email()]);
    let messages = server.seen()[1].body["messages"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[2]["role"], "assistant");
    assert_eq!(messages[2]["tool_calls"][0]["id"], "call_bad");
    assert_eq!(messages[3]["role"], "tool");
    assert_eq!(messages[3]["tool_call_id"], "call_bad");
    assert!(
        messages[3]["content"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
}

#[tokio::test]
async fn openai_answer_without_a_tool_call_is_asked_again_then_fails() {
    let text_only = json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "llama3",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Sure! ALTER TABLE users ..."},
            "finish_reason": "stop"}]
    });
    let server = serve("/v1", vec![ok(text_only.clone()), ok(text_only)]).await;
    let cfg = config(Provider::OpenAi, &server, None);
    let err = plan(
        &cfg,
        "add email to users",
        &users_schema(),
        Engine::Sqlite,
        accept,
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("did not call the propose_migration tool"),
        "{err}"
    );
    let messages = server.seen()[1].body["messages"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(messages[3]["role"], "user");
}

// ---------------------------------------------------------------------------------------------------------
// Configuration, tool schema, schema text.

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn configuration_from_environment_and_project() {
    assert!(
        LlmConfig::from_vars(vars(&[("OPENAI_API_KEY", "x")]), None)
            .unwrap()
            .is_none()
    );

    let c = LlmConfig::from_vars(vars(&[("ANTHROPIC_API_KEY", KEY)]), None)
        .unwrap()
        .unwrap();
    assert_eq!(c.provider, Provider::Anthropic);
    assert_eq!(c.base_url, "https://api.anthropic.com");
    assert_eq!(c.model, ANTHROPIC_MODEL);
    assert_eq!(c.endpoint(), "https://api.anthropic.com/v1/messages");
    assert_no_key(&format!("{c:?}"));

    let c = LlmConfig::from_vars(
        vars(&[
            ("AI_SHELL_LLM_PROVIDER", "openai"),
            ("AI_SHELL_LLM_MODEL", "qwen2.5-coder"),
        ]),
        None,
    )
    .unwrap()
    .unwrap();
    assert_eq!(c.provider, Provider::OpenAi);
    assert_eq!(c.endpoint(), "http://127.0.0.1:11434/v1/chat/completions");
    assert!(c.api_key.is_none());

    let settings = LlmSettings {
        provider: Some("openai".into()),
        model: Some("llama3".into()),
        base_url: Some("http://localhost:8000/v1/".into()),
        timeout_secs: Some(30),
        max_retries: Some(5),
        fallback: None,
    };
    let c = LlmConfig::from_vars(
        vars(&[("AI_SHELL_LLM_MODEL", "env-model"), ("OPENAI_API_KEY", "k")]),
        Some(&settings),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (c.model.as_str(), c.base_url.as_str()),
        ("env-model", "http://localhost:8000/v1")
    );
    assert_eq!((c.timeout, c.max_retries), (Duration::from_secs(30), 5));
    assert!(c.api_key.is_some());

    let err =
        LlmConfig::from_vars(vars(&[("AI_SHELL_LLM_PROVIDER", "anthropic")]), None).unwrap_err();
    assert!(err.to_string().contains("ANTHROPIC_API_KEY"), "{err}");
    let err = LlmConfig::from_vars(vars(&[("AI_SHELL_LLM_PROVIDER", "openai")]), None).unwrap_err();
    assert!(err.to_string().contains("AI_SHELL_LLM_MODEL"), "{err}");
    let err = LlmConfig::from_vars(vars(&[("AI_SHELL_LLM_PROVIDER", "gemini")]), None).unwrap_err();
    assert!(err.to_string().contains("gemini"), "{err}");
    let err = LlmConfig::from_vars(
        vars(&[
            ("ANTHROPIC_API_KEY", KEY),
            ("AI_SHELL_LLM_BASE_URL", "ftp://x"),
        ]),
        None,
    )
    .unwrap_err();
    assert_no_key(&format!("{err:#}"));
}

/// Every `$ref` resolves, the top is an object, and the IR's JSON uses the names the schema declares.
#[test]
fn tool_schema_is_generated_from_the_ir() {
    let schema = input_schema();
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["required"], json!(["changes", "summary", "slug"]));
    assert!(schema.get("$schema").is_none());
    let defs = schema["$defs"].as_object().unwrap();
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = vec![];
    refs(&schema, &mut all);
    for r in &all {
        let name = r.strip_prefix("#/$defs/").expect(r);
        assert!(defs.contains_key(name), "{r} does not resolve");
    }
    let variants: Vec<String> = defs["Change"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| {
            v["properties"]
                .as_object()
                .into_iter()
                .flat_map(|p| p.keys().cloned())
        })
        .collect();
    assert!(
        variants.contains(&"AddColumn".to_string()) && variants.contains(&"CopyRows".to_string())
    );
    let example = serde_json::to_value(add_email()).unwrap();
    assert!(variants.contains(example.as_object().unwrap().keys().next().unwrap()));
    let compact = schema.to_string();
    assert!(
        compact.len() < 24_000,
        "the tool schema grew to {} bytes",
        compact.len()
    );
}

#[test]
fn slugs_are_snake_case() {
    assert_eq!(
        tool::slugify("Add email to Users!").as_deref(),
        Some("add_email_to_users")
    );
    assert_eq!(tool::slugify("  --  ").as_deref(), None);
    assert!(tool::slugify(&"x".repeat(200)).unwrap().len() <= 60);
}

fn big_schema(n: usize) -> DatabaseSchema {
    let mut tables = Vec::new();
    for i in 0..n {
        let mut t = table(
            &format!("table_{i:03}"),
            vec![
                col("id", ColumnType::Bigint, false),
                col(
                    &format!("label_{i:03}"),
                    ColumnType::Varchar(Some(200)),
                    true,
                ),
                col("created_at", ColumnType::TimestampTz(None), false),
                col("parent_id", ColumnType::Bigint, true),
                col("notes", ColumnType::Text, true),
            ],
        );
        if i > 0 {
            t.foreign_keys.push(fk(
                &format!("fk_table_{i:03}_parent"),
                "parent_id",
                &format!("table_{:03}", i - 1),
            ));
        }
        tables.push(t);
    }
    DatabaseSchema {
        tables,
        ..DatabaseSchema::empty()
    }
}

#[test]
fn schema_text_is_one_line_per_table() {
    let mut schema = users_schema();
    let mut orders = table(
        "orders",
        vec![
            col("id", ColumnType::Integer, false),
            col("user_id", ColumnType::Bigint, false),
            col(
                "total",
                ColumnType::Numeric(NumericParams {
                    precision: Some(10),
                    scale: Some(2),
                }),
                false,
            ),
        ],
    );
    orders
        .foreign_keys
        .push(fk("fk_orders_user_id", "user_id", "users"));
    schema.tables.push(orders);
    let text = schema_text::render(&schema, "anything", schema_text::BUDGET);
    assert_eq!(
        text,
        "users(id bigint pk identity, name varchar(100), created_at timestamp null)\n\
         orders(id integer pk, user_id bigint, total numeric(10,2)) fk fk_orders_user_id user_id -> users(id) on delete cascade"
    );
}

#[test]
fn a_large_schema_is_narrowed_to_the_tables_the_request_mentions() {
    let schema = big_schema(500);
    let full = schema_text::render(&schema, "", usize::MAX);
    assert!(
        full.len() > schema_text::BUDGET,
        "the fixture must exceed the budget"
    );
    let text = schema_text::render(
        &schema,
        "add a status column to table_250",
        schema_text::BUDGET,
    );
    assert!(text.len() <= schema_text::BUDGET, "{} bytes", text.len());
    assert!(text.contains("table_250(id bigint pk"), "{text}");
    assert!(
        text.contains("table_249(id"),
        "the referenced table: {text}"
    );
    assert!(
        text.contains("table_251(id"),
        "the referencing table: {text}"
    );
    assert!(!text.contains("table_100(id"));
    assert!(text.contains("3 of 500 tables shown in full"), "{text}");
    // A rare column name selects its table too; a common one (created_at) does not select them all.
    let text = schema_text::render(
        &schema,
        "make label_042 unique and created_at nullable",
        schema_text::BUDGET,
    );
    assert!(
        text.contains("table_042(id") && text.contains("3 of 500"),
        "{text}"
    );
    let prompt = prompt::system_prompt(
        Engine::Postgres,
        &schema,
        "add a status column to table_250",
    );
    assert!(prompt.len() < 40_000, "{}", prompt.len());
}

/// The tool schema is a valid JSON Schema draft 2020-12 document (what Anthropic checks tool input schemas
/// against), and the IR's own JSON, as serde writes it, is valid under it; a misspelt change is not.
#[test]
fn tool_schema_is_valid_draft_2020_12_and_accepts_the_irs_json() {
    let schema = input_schema();
    jsonschema::draft202012::meta::validate(&schema).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();

    // A wide sample of the IR: every creating change of a schema with keys, indexes, checks and FKs,
    // plus refactor and escape-hatch changes.
    let mut users = users_schema().tables.remove(0);
    users.uniques.push(UniqueConstraint {
        name: "uq_users_name".into(),
        columns: vec!["name".into()],
    });
    users.indexes.push(Index {
        name: "idx_users_lower_name".into(),
        unique: false,
        method: IndexMethod::Btree,
        keys: vec![IndexKey {
            target: IndexTarget::Expression("lower(name)".into()),
            descending: true,
            nulls_first: Some(false),
            opclass: None,
            collation: None,
            prefix_length: None,
        }],
        included_columns: vec![],
        predicate: Some("name IS NOT NULL".into()),
        comment: None,
    });
    users.checks.push(CheckConstraint {
        name: "ck_users_name".into(),
        expression: "length(name) > 0".into(),
    });
    let mut orders = table(
        "orders",
        vec![
            col("id", ColumnType::Uuid, false),
            col("user_id", ColumnType::Bigint, false),
            col(
                "status",
                ColumnType::InlineEnum(vec!["new".into(), "paid".into()]),
                false,
            ),
            col(
                "total",
                ColumnType::Numeric(NumericParams {
                    precision: Some(10),
                    scale: Some(2),
                }),
                false,
            ),
            col("meta", ColumnType::Other("jsonb".into()), true),
        ],
    );
    orders
        .foreign_keys
        .push(fk("fk_orders_user_id", "user_id", "users"));
    let changes = vec![
        Change::CreateTable(users),
        Change::CreateTable(orders),
        add_email(),
        Change::RenameColumn(RenameColumn {
            table: qn("users"),
            column: "name".into(),
            new_name: "full_name".into(),
        }),
        Change::SetNotNull(ColumnRef {
            table: qn("users"),
            column: "email".into(),
        }),
        Change::DropTable(qn("legacy")),
        Change::CopyRows(CopyRows {
            source: qn("users"),
            target: qn("people"),
            columns: vec![ColumnPair {
                source: "name".into(),
                target: "name".into(),
            }],
            distinct: true,
            when_any_not_null: vec!["name".into()],
        }),
        Change::RawSql(RawSql {
            up: "SELECT 1".into(),
            down: None,
            note: Some("asked for".into()),
        }),
    ];
    let input = json!({"changes": changes, "summary": ["..."], "slug": "sample"});
    let errors: Vec<String> = validator
        .iter_errors(&input)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // And the parser reads back what the schema accepts.
    let tool::Parsed::Plan { changes: back, .. } =
        tool::parse(&input, "raw sql: select 1").unwrap()
    else {
        panic!("not a plan")
    };
    assert_eq!(back, changes);

    let refusal = json!({"changes": [], "summary": [], "slug": "", "refusal": {"kind": "ambiguous", "message": "m"}});
    assert!(validator.is_valid(&refusal));
    let misspelt = json!({"changes": [{"AddColum": {}}], "summary": [], "slug": "x"});
    assert!(!validator.is_valid(&misspelt));
    let extra = json!({"changes": [], "summary": [], "slug": "x", "sql": "DROP TABLE users"});
    assert!(!validator.is_valid(&extra));
}
