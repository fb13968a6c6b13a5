//! Notifications against a local server that answers as Slack and a webhook receiver do: events of an apply
//! and a rollback delivered through the built-in sinks, signatures verified by the receiver, an endpoint
//! that is down never failing an apply and `notify flush` delivering each event once later, permanent and
//! transient answers, required events, and the network rules (no private addresses, https only).

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

use crate::migrate::{ENGINES, Project};
use crate::support::Engine;

/// A request the server received: path, signature header, body.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    signature: Option<String>,
    body: String,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// A local HTTP server: `/slack/ok` answers `200 ok` as Slack does, `/slack/revoked` `404 no_service`,
/// `/busy` `503` with `Retry-After`, `/hook` `200` (the test checks the signature).
struct Receiver {
    base: String,
    log: Log,
    _runtime: tokio::runtime::Runtime,
}

impl Receiver {
    fn start_on(listener: std::net::TcpListener) -> Receiver {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener).unwrap()
        };
        let log: Log = Arc::new(Mutex::new(Vec::new()));
        async fn any(
            State(log): State<Log>,
            Path(path): Path<String>,
            headers: HeaderMap,
            body: String,
        ) -> (StatusCode, HeaderMap, String) {
            log.lock().unwrap().push(Seen {
                path: path.clone(),
                signature: headers
                    .get("x-ai-shell-signature")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                body,
            });
            let mut out = HeaderMap::new();
            match path.as_str() {
                "slack/ok" | "hook" => (StatusCode::OK, out, "ok".into()),
                "slack/revoked" => (StatusCode::NOT_FOUND, out, "no_service".into()),
                _ => {
                    out.insert("retry-after", "120".parse().unwrap());
                    (StatusCode::SERVICE_UNAVAILABLE, out, "busy".into())
                }
            }
        }
        let app = axum::Router::new()
            .route("/{*path}", post(any))
            .with_state(log.clone());
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            base,
            log,
            _runtime: runtime,
        }
    }

    fn start() -> Receiver {
        Receiver::start_on(std::net::TcpListener::bind("127.0.0.1:0").unwrap())
    }

    fn seen(&self, path: &str) -> Vec<Seen> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

fn types(seen: &[Seen]) -> Vec<String> {
    seen.iter()
        .map(|s| {
            let v: serde_json::Value = serde_json::from_str(&s.body).unwrap();
            v["type"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

/// HMAC-SHA256 as a receiver checks it: `t=<t>,v1=<hex of HMAC(secret, "<t>.<body>")>`.
fn valid_signature(header: &str, secret: &str, body: &str) -> bool {
    let (t, v1) = header
        .split_once(',')
        .map(|(t, v)| (t.trim_start_matches("t="), v.trim_start_matches("v1=")))
        .unwrap();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let expected = ring::hmac::sign(&key, format!("{t}.{body}").as_bytes());
    hex::encode(expected.as_ref()) == v1
}

fn configure(p: &Project, text: &str) {
    std::fs::write(p.dir.path().join("ai-shell.toml"), text).unwrap();
}

#[test]
fn apply_and_rollback_events_reach_slack_a_signed_webhook_and_a_file() {
    for engine in ENGINES {
        let r = Receiver::start();
        let p = Project::new(engine);
        configure(
            &p,
            &format!(
                r#"[migrations.notify.channels.team]
sink = "slack"
url = "{0}/slack/ok"
allow-http-loopback = true
events = "applied,failed,rolled_back"
mention = "@here"

[migrations.notify.channels.audit]
sink = "webhook"
url = "{0}/hook"
secret-env = "AI_SHELL_TEST_HOOK_SECRET"
allow-http-loopback = true
events = ["all"]

[migrations.notify.channels.journal]
sink = "file"
path = "events.jsonl"
events = "*"
"#,
                r.base
            ),
        );
        p.write(
            "001_create_t.sql",
            "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY);",
            Some("DROP TABLE t;"),
        );
        p.write(
            "002_bad.sql",
            "ALTER TABLE no_such_table ADD COLUMN c INTEGER;",
            None,
        );
        let out = p
            .cli()
            .env("AI_SHELL_TEST_HOOK_SECRET", "hush")
            .args(["migrate", "apply"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        p.cli()
            .env("AI_SHELL_TEST_HOOK_SECRET", "hush")
            .args(["migrate", "rollback", "001", "--yes"])
            .assert()
            .success();
        let team: Vec<String> = r
            .seen("slack/ok")
            .iter()
            .map(|s| {
                let v: serde_json::Value = serde_json::from_str(&s.body).unwrap();
                v["text"].as_str().unwrap_or_default().to_string()
            })
            .collect();
        assert_eq!(team.len(), 3, "{engine:?}: {team:?}");
        assert!(team[0].contains("001_create_t"), "{team:?}");
        assert!(
            team[1].contains("002_bad") && team[1].contains("@here") || team[1].contains("<!here>"),
            "{team:?}"
        );
        assert!(team[2].contains("001_create_t"), "{team:?}");
        let audit = r.seen("hook");
        assert_eq!(
            types(&audit),
            [
                "apply.started",
                "apply.started",
                "apply.succeeded",
                "apply.failed",
                "rollback.completed"
            ],
            "{engine:?}"
        );
        for s in &audit {
            assert!(
                valid_signature(s.signature.as_deref().unwrap(), "hush", &s.body),
                "{engine:?}: bad signature on {}",
                s.body
            );
            let v: serde_json::Value = serde_json::from_str(&s.body).unwrap();
            assert_eq!(v["version"], 1);
            assert!(
                !v["database"]["url"].as_str().unwrap().contains("127.0.0.1"),
                "{v}"
            );
        }
        let failed: serde_json::Value = serde_json::from_str(&audit[3].body).unwrap();
        assert_eq!(failed["migration"]["id"], "002_bad", "{failed}");
        assert_eq!(failed["data"]["statement"], 1, "{failed}");
        let lines = std::fs::read_to_string(p.dir.path().join("events.jsonl")).unwrap();
        assert_eq!(lines.lines().count(), 5, "{lines}");
        // Nothing is left pending; the outbox is not part of the user's schema.
        let list = p.json(&["notify", "list"]);
        assert!(
            list["channels"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["pending"] == 0),
            "{list}"
        );
        let export = p.run(&["schema", "export"]);
        assert!(!export.contains("outbox"), "{engine:?}");
    }
}

#[test]
fn an_endpoint_that_is_down_never_fails_an_apply_and_a_later_flush_delivers_once() {
    let p = Project::new(Engine::Sqlite);
    // A port nothing listens on yet.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    configure(
        &p,
        &format!(
            r#"[migrations.notify.channels.hook]
sink = "webhook"
url = "http://127.0.0.1:{port}/hook"
secret-env = "AI_SHELL_TEST_HOOK_SECRET"
allow-http-loopback = true

[migrations.notify.channels.revoked]
sink = "slack"
url = "http://127.0.0.1:{port}/slack/revoked"
allow-http-loopback = true

[migrations.notify.channels.busy]
sink = "slack"
url = "http://127.0.0.1:{port}/busy"
allow-http-loopback = true
"#
        ),
    );
    p.write(
        "001_create_t.sql",
        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY);",
        Some("DROP TABLE t;"),
    );
    let started = std::time::Instant::now();
    let out = p
        .cli()
        .env("AI_SHELL_TEST_HOOK_SECRET", "hush")
        .args(["migrate", "apply"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    assert!(String::from_utf8_lossy(&out.stderr).contains("will retry"));
    assert_eq!(p.column("SELECT COUNT(*) FROM t"), ["0"]);

    // The endpoint comes up on that port: a flush delivers each pending event once, a second one nothing.
    let r = Receiver::start_on(std::net::TcpListener::bind(("127.0.0.1", port)).unwrap());
    let flush = |p: &Project| {
        let out = p
            .cli()
            .env("AI_SHELL_TEST_HOOK_SECRET", "hush")
            .args(["notify", "flush", "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let first = flush(&p);
    assert_eq!(first["delivered"], 1, "{first}");
    // Slack's `no_service` is permanent; a 503 is retried later.
    assert_eq!(first["failed"], 1, "{first}");
    assert_eq!(first["retrying"], 1, "{first}");
    assert_eq!(types(&r.seen("hook")), ["apply.succeeded"]);
    let second = flush(&p);
    assert_eq!(second["delivered"], 0, "{second}");
    assert_eq!(r.seen("hook").len(), 1);
    assert_eq!(
        r.seen("slack/revoked").len(),
        1,
        "a permanent failure is not retried"
    );
    let list = p.json(&["notify", "list"]);
    let problems = list["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|x| x["channel"] == "revoked" && x["status"] == "failed"),
        "{list}"
    );
    assert!(
        problems
            .iter()
            .any(|x| x["channel"] == "busy" && x["status"] == "pending"),
        "{list}"
    );
}

#[test]
fn required_events_stop_an_apply_and_internal_addresses_are_never_reached() {
    let p = Project::new(Engine::Sqlite);
    configure(
        &p,
        r#"[migrations.notify.channels.gate]
sink = "webhook"
url = "https://10.0.0.7/hook"
secret-env = "AI_SHELL_TEST_HOOK_SECRET"
required = ["started"]
"#,
    );
    p.write(
        "001_create_t.sql",
        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY);",
        Some("DROP TABLE t;"),
    );
    let out = p
        .cli()
        .env("AI_SHELL_TEST_HOOK_SECRET", "hush")
        .args(["migrate", "apply"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("apply.started notification is required")
            && err.contains("a private address")
            && err.contains("nothing was changed"),
        "{err}"
    );
    assert!(!p.tables().contains(&"t".to_string()));
    // Plain http to a public host, and the tutorial's shorthand with a literal secret, are refused.
    configure(
        &p,
        "[migrations.notify.channels.x]\nsink = \"slack\"\nurl = \"http://example.com/hook\"\n",
    );
    let err = p.fail(&["notify", "test", "x"]);
    assert!(err.contains("only https://"), "{err}");
    std::fs::remove_file(p.dir.path().join("ai-shell.toml")).unwrap();
    let err = p.fail(&[
        "config",
        "set",
        "migrations.notify.slack",
        "https://hooks.slack.com/services/T0/B0/secret",
    ]);
    assert!(err.contains("is a secret"), "{err}");
    let out = p
        .cli()
        .env(
            "AI_SHELL_TEST_SLACK_URL",
            "https://hooks.slack.com/services/T0/B0/secret",
        )
        .args([
            "config",
            "set",
            "migrations.notify.slack",
            "https://hooks.slack.com/services/T0/B0/secret",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = std::fs::read_to_string(p.dir.path().join("ai-shell.toml")).unwrap();
    assert!(
        text.contains("slack = \"${AI_SHELL_TEST_SLACK_URL}\""),
        "{text}"
    );
    assert!(!text.contains("secret\""), "{text}");
}

#[test]
fn approvals_drift_and_plans_are_told_too() {
    let p = Project::new(Engine::Sqlite);
    configure(
        &p,
        "[migrations.notify.channels.journal]\nsink = \"file\"\npath = \"events.jsonl\"\nevents = \"all\"\n",
    );
    p.run(&["migrate", "create table notes with id and body", "--yes"]);
    p.db.exec("INSERT INTO notes (body) VALUES ('kept')");
    let out = p.run(&["migrate", "drop table notes", "--require-approval"]);
    assert!(out.contains("Approval required"), "{out}");
    p.run(&["migrate", "approve", "002", "--reason", "unused since v2"]);
    p.db.exec("CREATE TABLE made_by_hand (id INTEGER)");
    let out = p.cli().args(["schema", "detect-drift"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = std::fs::read_to_string(p.dir.path().join("events.jsonl")).unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "migration.planned",
            "apply.started",
            "apply.succeeded",
            "migration.planned",
            "approval.requested",
            "approval.granted",
            "drift.detected"
        ],
        "{text}"
    );
    assert_eq!(events[4]["migration"]["id"], "002_drop_notes", "{text}");
    assert_eq!(events[5]["data"]["reason"], "unused since v2", "{text}");
    assert!(
        events[6]["data"]["objects"][0]
            .as_str()
            .unwrap()
            .contains("made_by_hand"),
        "{text}"
    );
    assert!(events[6]["migration"].is_null());
}

#[test]
fn a_hostile_sink_reaches_nothing_and_never_fails_an_apply() {
    let wasm = crate::support::target_dir()
        .join("plugins/wasm32-wasip2/release/examples/hostile_sink.wasm");
    let r = Receiver::start();
    let p = Project::new(Engine::Sqlite);
    p.run(&["plugin", "install", wasm.to_str().unwrap()]);
    let modes = [
        "loop",
        "alloc",
        "panic",
        "host-header",
        "crlf",
        "method",
        "file",
        "net",
    ];
    let mut config = String::new();
    for mode in modes {
        config.push_str(&format!(
            "[migrations.notify.channels.{}]\nsink = \"hostile-sink\"\nurl = \"{}/hook\"\nsecret-env = \"AI_SHELL_TEST_HOOK_SECRET\"\nallow-http-loopback = true\nmode = \"{mode}\"\n\n",
            mode.replace('-', "_"),
            r.base
        ));
    }
    configure(&p, &config);
    p.write(
        "001_create_t.sql",
        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY);",
        Some("DROP TABLE t;"),
    );
    let out = p
        .cli()
        .env("AI_SHELL_TEST_HOOK_SECRET", "hush")
        .env("AI_SHELL_PLUGIN_TIMEOUT_MS", "500")
        .args(["migrate", "apply"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(p.tables().contains(&"t".to_string()));
    // Not one request reached the endpoint: the host refused every delivery these modes asked for.
    assert!(r.seen("hook").is_empty(), "{:?}", r.seen("hook"));
    let list = p.json(&["notify", "list"]);
    let problems: Vec<String> = list["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| format!("{} {}", x["channel"], x["error"]))
        .collect();
    let text = problems.join("\n");
    for (mode, expect) in [
        // 100 MB of body: refused by the host (its header), or stopped at the time limit building it.
        ("host_header", "`hostile-sink`"),
        ("crlf", "control character"),
        ("method", "is not a token"),
        ("loop", "time"),
        ("alloc", "memory"),
        ("panic", "panicked"),
        ("file", "refused"),
        ("net", "refused"),
    ] {
        assert!(
            problems
                .iter()
                .any(|l| l.contains(mode) && l.contains(expect)),
            "{mode}: expected `{expect}` in:\n{text}"
        );
    }
}

#[test]
fn a_sink_made_with_plugin_new_builds_installs_and_delivers() {
    let r = Receiver::start();
    let p = Project::new(Engine::Sqlite);
    let dir = p.dir.path().join("chat");
    p.run(&[
        "plugin",
        "new",
        "sink",
        "chat",
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
    let wasm = target.join("wasm32-wasip2/release/chat_sink.wasm");
    p.run(&["plugin", "install", wasm.to_str().unwrap()]);
    configure(
        &p,
        &format!(
            "[migrations.notify.channels.ops]\nsink = \"chat\"\nurl = \"{}/hook\"\nallow-http-loopback = true\nprefix = \"[prod]\"\n",
            r.base
        ),
    );
    let out = p.run(&["notify", "test", "ops"]);
    assert!(out.contains("Delivered"), "{out}");
    let seen = r.seen("hook");
    assert_eq!(
        seen.iter().map(|s| s.body.as_str()).collect::<Vec<_>>(),
        [r#"{"content":"[prod] ai-shell notification test of channel ops"}"#]
    );
}
