use super::*;
use ai_shell_notify_sdk::serde_json::{self, Value, json};
use ai_shell_notify_sdk::testing::{channel, event, event_with, response};
use ai_shell_notify_sdk::{EVENT_TYPES, HttpRequest};

fn request_of(d: Delivery) -> HttpRequest {
    match d {
        Delivery::Http(r) => r,
        other => panic!("not an http delivery: {other:?}"),
    }
}

/// The payload of one event's message, parsed back from the request's bytes.
fn payload(event_type: &str, settings: &[(&str, &str)]) -> Value {
    let r = request_of(Slack::render(event(event_type), channel(settings)).unwrap());
    serde_json::from_slice(&r.body).unwrap()
}

/// Every mrkdwn and plain text of the blocks, joined.
fn block_texts(p: &Value) -> String {
    let mut out = Vec::new();
    for b in p["blocks"].as_array().unwrap() {
        if let Some(t) = b["text"]["text"].as_str() {
            out.push(t.to_string());
        }
        for f in b["fields"].as_array().into_iter().flatten() {
            out.push(f["text"].as_str().unwrap().to_string());
        }
        for e in b["elements"].as_array().into_iter().flatten() {
            out.push(e["text"].as_str().unwrap().to_string());
        }
    }
    out.join("\n")
}

/// Checks Block Kit's limits and shapes on a payload.
fn assert_valid_blocks(p: &Value) {
    assert!(p["text"].as_str().is_some_and(|t| !t.is_empty()));
    let blocks = p["blocks"].as_array().unwrap();
    assert!(!blocks.is_empty() && blocks.len() <= 50);
    for b in blocks {
        match b["type"].as_str().unwrap() {
            "header" => {
                assert_eq!(b["text"]["type"], "plain_text");
                assert!(b["text"]["text"].as_str().unwrap().chars().count() <= 150);
            }
            "section" => {
                if let Some(fields) = b["fields"].as_array() {
                    assert!(!fields.is_empty() && fields.len() <= 10, "{b}");
                    for f in fields {
                        assert_eq!(f["type"], "mrkdwn");
                        assert!(f["text"].as_str().unwrap().chars().count() <= 2000);
                    }
                } else {
                    assert_eq!(b["text"]["type"], "mrkdwn");
                    let t = b["text"]["text"].as_str().unwrap();
                    assert!(!t.is_empty() && t.chars().count() <= 3000);
                }
            }
            "context" => {
                let elements = b["elements"].as_array().unwrap();
                assert!(!elements.is_empty() && elements.len() <= 10);
            }
            other => panic!("unexpected block type {other}"),
        }
    }
}

#[test]
fn info_says_http_with_batches_and_lists_the_options() {
    let info = Slack::info();
    assert_eq!(info.name, "slack");
    assert_eq!(info.kind, DeliveryKind::Http);
    assert!(info.batch);
    let keys: Vec<&str> = info.settings.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "channel",
            "username",
            "icon-emoji",
            "icon-url",
            "mention",
            "mention-on",
            "max-lines"
        ]
    );
    assert!(info.settings.iter().all(|s| !s.required));
}

#[test]
fn every_event_type_renders_a_valid_message_with_its_title_and_migration() {
    let titles = [
        ("migration.planned", "📝 Migration planned: 005_add_email"),
        ("approval.requested", "✋ Approval requested: 005_add_email"),
        ("approval.granted", "👍 Approval granted: 005_add_email"),
        ("apply.started", "🚀 Migration started: 005_add_email"),
        ("apply.succeeded", "✅ Migration applied: 005_add_email"),
        ("apply.failed", "🔴 Migration failed: 005_add_email"),
        ("rollback.completed", "↩️ Rollback completed: 005_add_email"),
        ("gate.waiting", "⏸️ Waiting for confirmation: 005_add_email"),
        (
            "strategy.progress",
            "⏳ Migration in progress: 005_add_email",
        ),
        ("drift.detected", "⚠️ Schema drift detected"),
        ("override.used", "⚠️ Policy rule overridden: 005_add_email"),
    ];
    assert_eq!(titles.len(), EVENT_TYPES.len());
    for (t, title) in titles {
        let e = event(t);
        let r = request_of(Slack::render(e.clone(), channel(&[])).unwrap());
        assert_eq!(r.method, "POST");
        assert_eq!(r.sign, None, "Slack webhooks are not signed");
        assert!(
            r.headers
                .iter()
                .any(|(k, v)| k == "Content-Type" && v.starts_with("application/json"))
        );
        let p: Value = serde_json::from_slice(&r.body).unwrap();
        assert_valid_blocks(&p);
        assert_eq!(p["blocks"][0]["text"]["text"], title, "{t}");
        let texts = block_texts(&p);
        assert!(texts.contains("*Environment*\nproduction"), "{t}: {texts}");
        assert!(
            texts.contains("*Database*\npostgres `postgres://***:5432/shop`"),
            "{t}: {texts}"
        );
        assert!(texts.contains(&format!("event `{}`", e.id)), "{t}");
        assert!(texts.contains("project *shop*"), "{t}");
        if t != "drift.detected" {
            assert!(
                texts.contains("*Migration*\n`005_add_email` add email"),
                "{t}"
            );
            assert!(texts.contains("*Strategy*\npostgres-online"), "{t}");
        }
        assert_eq!(p["unfurl_links"], false);
        assert!(p.get("channel").is_none());
    }
}

#[test]
fn each_event_type_shows_its_own_data() {
    let expect: [(&str, &[&str]); 11] = [
        (
            "migration.planned",
            &[
                "*Author*\nllm",
                "*Statements*\n2",
                "*Destructive*\nno",
                "*File*\n`migrations/005_add_email.sql`",
                "*Request*\n>add an email column to users",
            ],
        ),
        (
            "approval.requested",
            &[
                "*Rules*\ndrop-column",
                "*Why*\n>destructive: drops column users.legacy_email",
                "Approve with `ai-shell migrate approve 005_add_email --reason \"...\"`",
            ],
        ),
        (
            "approval.granted",
            &[
                "*Approver*\nbob@example.com",
                "*Overrides*\ndrop-column",
                "*Expires*\n2025-05-02T12:00:00Z",
                "*Reason*\n>legacy column unused since v2",
            ],
        ),
        ("apply.started", &["*Statements*\n2", "*Phases*\n3"]),
        ("apply.succeeded", &["*Statements*\n2", "*Duration*\n1.8 s"]),
        (
            "apply.failed",
            &[
                "*Statement*\n#2",
                "*SQLSTATE*\n23505",
                "*Rolled back*\nyes",
                "*After*\n412 ms",
            ],
        ),
        (
            "rollback.completed",
            &[
                "*Statements*\n1",
                "*Duration*\n95 ms",
                "*Reason*\napply failed at statement 2",
            ],
        ),
        (
            "gate.waiting",
            &[
                "*Phase*\ncontract",
                "*To confirm*\n>the application no longer reads users.legacy_email",
                "Confirm with `ai-shell migrate confirm 005_add_email`",
            ],
        ),
        (
            "strategy.progress",
            &[
                "*Phase*\nbackfill",
                "*Table*\npublic.users",
                "*Rows*\n1250000 / 2000000",
                "*Progress*\n62.5%",
                "*ETA*\n5 min 40 s",
                "*Replica lag*\n1.5 s",
            ],
        ),
        (
            "drift.detected",
            &[
                "*Differences*\n2",
                "• table public.users: column nickname is not in the history\n• index public.orders_created_idx is missing",
            ],
        ),
        (
            "override.used",
            &[
                "*Rule*\nindex-not-concurrent",
                "*By*\nalice@example.com",
                "*Statement*\n#1",
                "*Kind*\ninline",
                "*Reason*\n>table is empty in this environment",
            ],
        ),
    ];
    for (t, parts) in expect {
        let texts = block_texts(&payload(t, &[]));
        for part in parts {
            assert!(texts.contains(part), "{t}: {part:?} not in\n{texts}");
        }
    }
    // The error code field appears only when the engine gave one.
    assert!(!block_texts(&payload("apply.failed", &[])).contains("*Error code*"));
    let mut data = ai_shell_notify_sdk::testing::sample_data("apply.failed");
    data["sqlstate"] = Value::Null;
    data["code"] = json!("1062");
    let r = request_of(Slack::render(event_with("apply.failed", data), channel(&[])).unwrap());
    let texts = block_texts(&serde_json::from_slice(&r.body).unwrap());
    assert!(texts.contains("*Error code*\n1062"));
    assert!(!texts.contains("*SQLSTATE*"));
}

#[test]
fn quotes_line_breaks_unicode_and_mrkdwn_characters_are_escaped() {
    let r = request_of(Slack::render(event("apply.failed"), channel(&[])).unwrap());
    let body = String::from_utf8(r.body.clone()).unwrap();
    // The JSON text itself: quotes and line breaks escaped, no raw line break anywhere.
    assert!(!body.contains('\n'));
    assert!(body.contains(r#"unique constraint \"users_email_key\""#));
    let p: Value = serde_json::from_str(&body).unwrap();
    let texts = block_texts(&p);
    // Parsed back: the message quoted line by line, non-ASCII kept, & < > as entities.
    assert!(
        texts.contains(
            "*Error*\n>duplicate key value violates unique constraint \"users_email_key\"\n>DETAIL: Key (email)=(zoë@例え.jp) already exists &lt;&amp;&gt;"
        ),
        "{texts}"
    );
    assert!(!texts.contains("<&>"));
    assert_eq!(
        p["text"],
        "🔴 Migration failed: 005_add_email failed on production at statement 2: duplicate key value violates unique constraint \"users_email_key\""
    );

    // A summary that tries to mention everyone or make a link stays text.
    let mut e = event("apply.succeeded");
    e.summary = "<!channel> see <https://evil.example|here>".into();
    let r = request_of(Slack::render(e, channel(&[])).unwrap());
    let p: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        p["blocks"][1]["text"]["text"],
        "&lt;!channel&gt; see &lt;https://evil.example|here&gt;"
    );
    assert!(!p["text"].as_str().unwrap().contains("<!channel>"));
}

#[test]
fn options_reach_the_payload() {
    let p = payload(
        "apply.succeeded",
        &[
            ("channel", "#deploys"),
            ("username", "ai-shell"),
            ("icon-emoji", ":rocket:"),
            ("icon-url", "https://example.com/i.png"),
            ("allow-http-loopback", "true"),
        ],
    );
    assert_eq!(p["channel"], "#deploys");
    assert_eq!(p["username"], "ai-shell");
    assert_eq!(p["icon_emoji"], ":rocket:");
    assert_eq!(p["icon_url"], "https://example.com/i.png");
}

#[test]
fn bad_options_are_invalid_input_naming_the_option() {
    for (key, value) in [
        ("icon-emoji", "rocket"),
        ("icon-url", "http://example.com/i.png"),
        ("mention", "@alice"),
        ("mention", "<https://evil.example>"),
        ("max-lines", "0"),
        ("max-lines", "many"),
    ] {
        match Slack::render(event("apply.failed"), channel(&[(key, value)])) {
            Err(PluginError::InvalidInput(why)) => {
                assert!(why.contains(&format!("`{key}`")), "{why}");
                assert!(why.contains("`deploys`"), "{why}");
            }
            other => panic!("{key}={value}: {other:?}"),
        }
    }
}

#[test]
fn the_mention_goes_on_failures_only_unless_configured() {
    let settings = [("mention", "@here U024BE7LH")];
    let failed = payload("apply.failed", &settings);
    assert!(
        failed["text"]
            .as_str()
            .unwrap()
            .starts_with("<!here> <@U024BE7LH> 🔴 Migration failed")
    );
    assert!(
        failed["blocks"][1]["text"]["text"]
            .as_str()
            .unwrap()
            .starts_with("<!here> <@U024BE7LH> 005_add_email failed")
    );
    let ok = payload("apply.succeeded", &settings);
    assert!(!ok.to_string().contains("<!here>"));

    let on = [
        ("mention", "<!subteam^S0614TZR7>"),
        ("mention-on", "gate.waiting, approval.requested"),
    ];
    assert!(
        payload("gate.waiting", &on)["text"]
            .as_str()
            .unwrap()
            .starts_with("<!subteam^S0614TZR7> ")
    );
    assert!(!payload("apply.failed", &on).to_string().contains("subteam"));
    let all = [("mention", "@channel"), ("mention-on", "*")];
    assert!(
        payload("apply.started", &all)["text"]
            .as_str()
            .unwrap()
            .starts_with("<!channel> ")
    );
}

#[test]
fn an_unknown_event_type_renders_from_the_common_fields_and_its_data() {
    let e = event_with(
        "backup.completed",
        json!({ "name": "pre-005", "size_bytes": 1024, "verified": true, "nested": {"x": 1} }),
    );
    let r = request_of(Slack::render(e, channel(&[])).unwrap());
    let p: Value = serde_json::from_slice(&r.body).unwrap();
    assert_valid_blocks(&p);
    assert_eq!(
        p["blocks"][0]["text"]["text"],
        "🔔 backup.completed: 005_add_email"
    );
    let texts = block_texts(&p);
    assert!(texts.contains("*name*\npre-005"), "{texts}");
    assert!(texts.contains("*size bytes*\n1024"), "{texts}");
    assert!(texts.contains("*verified*\nyes"), "{texts}");
    assert!(!texts.contains("nested"));
}

#[test]
fn data_that_is_not_a_json_object_is_invalid_input() {
    let mut e = event("apply.failed");
    e.data_json = "[1,2]".into();
    assert!(matches!(
        Slack::render(e, channel(&[])),
        Err(PluginError::InvalidInput(_))
    ));
}

#[test]
fn long_texts_are_cut_to_slacks_limits() {
    let mut data = ai_shell_notify_sdk::testing::sample_data("apply.failed");
    data["message"] = json!("x".repeat(10_000));
    let mut e = event_with("apply.failed", data);
    e.migration.as_mut().unwrap().id = "m".repeat(300);
    e.summary = "s".repeat(5000);
    let r = request_of(Slack::render(e, channel(&[])).unwrap());
    let p: Value = serde_json::from_slice(&r.body).unwrap();
    assert_valid_blocks(&p);
    assert!(p["text"].as_str().unwrap().ends_with('…'));
}

#[test]
fn a_batch_is_one_message_with_a_line_per_event() {
    let mut events: Vec<Event> = ["apply.succeeded", "apply.failed", "apply.succeeded"]
        .iter()
        .map(|t| event(t))
        .collect();
    events[0].database.url = "postgres://***:5432/shop_eu".into();
    events[2].database.url = "postgres://***:5432/shop_us".into();
    let mut ch = channel(&[("mention", "@here")]);
    ch.batch_count = 3;
    let r = request_of(Slack::render_batch(events, ch).unwrap());
    let p: Value = serde_json::from_slice(&r.body).unwrap();
    assert_valid_blocks(&p);
    assert_eq!(p["blocks"][0]["text"]["text"], "🔴 3 events");
    assert_eq!(
        p["text"],
        "<!here> 🔴 ai-shell: 3 events: 2 apply.succeeded, 1 apply.failed"
    );
    let texts = block_texts(&p);
    assert!(texts.contains(
        "✅ 005_add_email applied on production in 1.8 s — production `postgres://***:5432/shop_eu`\n🔴 005_add_email failed"
    ), "{texts}");
    assert!(texts.contains("`postgres://***:5432/shop_us`"));
    assert!(!texts.contains("more"));
    // First and last events at the same time: one time, no range.
    assert!(
        texts.contains("by alice@example.com · 2025-05-01T12:04:00Z"),
        "{texts}"
    );
    assert!(!texts.contains(" – 2025"));
}

#[test]
fn a_batch_of_one_type_says_so_and_a_long_batch_is_capped() {
    let events: Vec<Event> = (0..30).map(|_| event("apply.succeeded")).collect();
    let r = request_of(Slack::render_batch(events.clone(), channel(&[])).unwrap());
    let p: Value = serde_json::from_slice(&r.body).unwrap();
    assert_valid_blocks(&p);
    assert_eq!(
        p["blocks"][0]["text"]["text"],
        "✅ Migration applied (30 events)"
    );
    let texts = block_texts(&p);
    assert_eq!(texts.matches("✅ 005_add_email applied").count(), 20);
    assert!(texts.contains("… and 10 more"));
    // No mention configured: none in the message.
    assert!(!p.to_string().contains("<!"));

    let r = request_of(Slack::render_batch(events, channel(&[("max-lines", "5")])).unwrap());
    let texts = block_texts(&serde_json::from_slice(&r.body).unwrap());
    assert_eq!(texts.matches("✅ 005_add_email applied").count(), 5);
    assert!(texts.contains("… and 25 more"));
}

#[test]
fn a_batch_with_long_summaries_is_split_into_sections_within_the_limit() {
    let events: Vec<Event> = (0..40)
        .map(|i| {
            let mut e = event("apply.succeeded");
            e.summary = format!("{i} {}", "y".repeat(600));
            e
        })
        .collect();
    let r = request_of(Slack::render_batch(events, channel(&[("max-lines", "40")])).unwrap());
    let p: Value = serde_json::from_slice(&r.body).unwrap();
    assert_valid_blocks(&p);
    let sections = p["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "section")
        .count();
    assert!(sections >= 7, "{sections}");
}

#[test]
fn a_batch_of_one_is_the_single_message_and_an_empty_batch_is_skipped() {
    let one = request_of(Slack::render_batch(vec![event("apply.failed")], channel(&[])).unwrap());
    let single = request_of(Slack::render(event("apply.failed"), channel(&[])).unwrap());
    assert_eq!(one.body, single.body);
    assert!(matches!(
        Slack::render_batch(vec![], channel(&[])),
        Ok(Delivery::Skip(_))
    ));
}

#[test]
fn only_200_ok_is_delivered() {
    assert_eq!(
        Slack::classify(response(200, &[], "ok")),
        Outcome::Delivered
    );
    assert_eq!(
        Slack::classify(response(200, &[], "ok\n")),
        Outcome::Delivered
    );
    match Slack::classify(response(200, &[], "<html>captive portal</html>")) {
        Outcome::Permanent(why) => {
            assert!(why.contains("`<html>captive portal</html>`"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        Slack::classify(response(200, &[], "")),
        Outcome::Permanent(_)
    ));
    assert!(matches!(
        Slack::classify(response(204, &[], "")),
        Outcome::Permanent(_)
    ));
}

#[test]
fn client_errors_are_permanent_with_slacks_reason() {
    match Slack::classify(response(400, &[], "invalid_payload")) {
        Outcome::Permanent(why) => {
            assert!(why.contains("400 invalid_payload"), "{why}");
            assert!(why.contains("bug in the sink"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    match Slack::classify(response(404, &[], "no_service")) {
        Outcome::Permanent(why) => {
            assert!(why.contains("404 no_service"), "{why}");
            assert!(why.contains("revoked"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    match Slack::classify(response(404, &[], "channel_not_found")) {
        Outcome::Permanent(why) => assert!(why.contains("`channel` option"), "{why}"),
        other => panic!("{other:?}"),
    }
    match Slack::classify(response(403, &[], "")) {
        Outcome::Permanent(why) => assert_eq!(why, "Slack refused the message (403)"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        Slack::classify(response(302, &[("Location", "https://x.example/")], "")),
        Outcome::Permanent(_)
    ));
}

#[test]
fn rate_limits_and_server_errors_are_retried() {
    assert_eq!(
        Slack::classify(response(429, &[("Retry-After", "30")], "rate_limited")),
        Outcome::Retry(Some(30))
    );
    assert_eq!(
        Slack::classify(response(429, &[], "rate_limited")),
        Outcome::Retry(None)
    );
    assert_eq!(
        Slack::classify(response(500, &[], "rollup_error")),
        Outcome::Retry(None)
    );
    assert_eq!(
        Slack::classify(response(503, &[("Retry-After", "5")], "")),
        Outcome::Retry(Some(5))
    );
    assert_eq!(
        Slack::classify(response(502, &[], "")),
        Outcome::Retry(None)
    );
}

#[test]
fn durations_read_for_people() {
    assert_eq!(render::duration(412.0), "412 ms");
    assert_eq!(render::duration(1834.0), "1.8 s");
    assert_eq!(render::duration(340_000.0), "5 min 40 s");
    assert_eq!(render::duration(7_500_000.0), "2 h 5 min");
}
