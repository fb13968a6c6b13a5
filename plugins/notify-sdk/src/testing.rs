//! Sample events, channels and answers for sinks' native unit tests (feature `testing`).
//!
//! [`event`] gives an event of each type of [`EVENT_TYPES`](crate::EVENT_TYPES) with the data the host
//! sends for it (`docs/notifications.md`) and its envelope serialised as the host does: compact JSON,
//! `version` first. The `apply.failed` sample's message has quotes, a line break, `<`, `&` and non-ASCII
//! text, to test escaping.

use crate::{ChannelContext, DatabaseRef, Event, HttpResponse, MigrationRef};
use serde_json::{Value, json};

/// The data of the sample event of `event_type` (`{}` for a type the SDK does not know).
pub fn sample_data(event_type: &str) -> Value {
    match event_type {
        "migration.planned" => json!({
            "file": "migrations/005_add_email.sql",
            "author": "llm",
            "request": "add an email column to users",
            "statements": 2,
            "destructive": false,
            "requires_approval": false
        }),
        "approval.requested" => json!({
            "file": "migrations/005_add_email.sql",
            "reason": "destructive: drops column users.legacy_email",
            "rules": ["drop-column"],
            "command": "ai-shell migrate approve 005_add_email --reason \"...\""
        }),
        "approval.granted" => json!({
            "approver": "bob@example.com",
            "reason": "legacy column unused since v2",
            "overrides": ["drop-column"],
            "expires": "2025-05-02T12:00:00Z"
        }),
        "apply.started" => json!({ "statements": 2, "phases": 3 }),
        "apply.succeeded" => json!({ "statements": 2, "duration_ms": 1834 }),
        "apply.failed" => json!({
            "statement": 2,
            "sqlstate": "23505",
            "code": null,
            "message": "duplicate key value violates unique constraint \"users_email_key\"\nDETAIL: Key (email)=(zoë@例え.jp) already exists <&>",
            "rolled_back": true,
            "duration_ms": 412
        }),
        "rollback.completed" => json!({
            "statements": 1,
            "duration_ms": 95,
            "reason": "apply failed at statement 2"
        }),
        "gate.waiting" => json!({
            "phase": "contract",
            "text": "the application no longer reads users.legacy_email",
            "command": "ai-shell migrate confirm 005_add_email"
        }),
        "strategy.progress" => json!({
            "phase": "backfill",
            "table": "public.users",
            "rows_done": 1_250_000,
            "rows_total": 2_000_000,
            "percent": 62.5,
            "eta_seconds": 340,
            "replica_lag_seconds": 1.5
        }),
        "drift.detected" => json!({
            "differences": 2,
            "objects": [
                "table public.users: column nickname is not in the history",
                "index public.orders_created_idx is missing"
            ]
        }),
        "override.used" => json!({
            "rule": "index-not-concurrent",
            "reason": "table is empty in this environment",
            "by": "alice@example.com",
            "statement": 1,
            "kind": "inline"
        }),
        _ => json!({}),
    }
}

/// The summary line the host writes for the sample event of `event_type`.
pub fn sample_summary(event_type: &str) -> String {
    match event_type {
        "migration.planned" => "005_add_email planned by llm: 2 statements",
        "approval.requested" => "005_add_email needs an approval on production (drop-column)",
        "approval.granted" => "005_add_email approved by bob@example.com for production",
        "apply.started" => "005_add_email applying on production (postgres-online, 3 phases)",
        "apply.succeeded" => "005_add_email applied on production in 1.8 s",
        "apply.failed" => {
            "005_add_email failed on production at statement 2: duplicate key value violates unique constraint \"users_email_key\""
        }
        "rollback.completed" => "005_add_email rolled back on production",
        "gate.waiting" => "005_add_email waits for a confirmation before phase contract",
        "strategy.progress" => "005_add_email backfill of public.users: 62.5% (ETA 5 min 40 s)",
        "drift.detected" => "production differs from the history in 2 places",
        "override.used" => "index-not-concurrent overridden by alice@example.com on production",
        other => return format!("something happened: {other}"),
    }
    .to_string()
}

/// A sample event of `event_type` with the sample data.
pub fn event(event_type: &str) -> Event {
    event_with(event_type, sample_data(event_type))
}

/// A sample event of `event_type` with `data`; the envelope is built from the same fields.
pub fn event_with(event_type: &str, data: Value) -> Event {
    let n = crate::EVENT_TYPES
        .iter()
        .position(|t| *t == event_type)
        .unwrap_or(99);
    let id = format!("0196a3c4-7d1e-7b3a-9f00-{n:012}");
    let time = format!("2025-05-01T12:{n:02}:00Z");
    let migration = (event_type != "drift.detected").then(|| MigrationRef {
        id: "005_add_email".into(),
        name: "add email".into(),
        checksum: "sha256:9f2c1e".into(),
        strategy: Some("postgres-online".into()),
    });
    let database = DatabaseRef {
        engine: "postgres".into(),
        url: "postgres://***:5432/shop".into(),
    };
    let summary = sample_summary(event_type);
    let envelope = envelope(&Envelope {
        id: &id,
        time: &time,
        event_type,
        actor: "alice@example.com",
        project: "shop",
        environment: Some("production"),
        database: &database,
        migration: migration.as_ref(),
        summary: &summary,
        data: &data,
    });
    Event {
        id,
        time,
        event_type: event_type.into(),
        actor: "alice@example.com".into(),
        project: "shop".into(),
        environment: Some("production".into()),
        database,
        migration,
        summary,
        data_json: data.to_string(),
        envelope_json: envelope,
    }
}

/// The fields of an envelope.
pub struct Envelope<'a> {
    pub id: &'a str,
    pub time: &'a str,
    pub event_type: &'a str,
    pub actor: &'a str,
    pub project: &'a str,
    pub environment: Option<&'a str>,
    pub database: &'a DatabaseRef,
    pub migration: Option<&'a MigrationRef>,
    pub summary: &'a str,
    pub data: &'a Value,
}

/// The envelope as the host serialises it: compact JSON, keys in the documented order.
pub fn envelope(e: &Envelope) -> String {
    let s = |v: &str| Value::from(v).to_string();
    let migration = match e.migration {
        None => "null".to_string(),
        Some(m) => format!(
            "{{\"id\":{},\"name\":{},\"checksum\":{},\"strategy\":{}}}",
            s(&m.id),
            s(&m.name),
            s(&m.checksum),
            m.strategy.as_deref().map_or("null".into(), s)
        ),
    };
    format!(
        "{{\"version\":{},\"id\":{},\"time\":{},\"type\":{},\"actor\":{},\"project\":{},\"environment\":{},\
         \"database\":{{\"engine\":{},\"url\":{}}},\"migration\":{},\"summary\":{},\"data\":{}}}",
        crate::ENVELOPE_VERSION,
        s(e.id),
        s(e.time),
        s(e.event_type),
        s(e.actor),
        s(e.project),
        e.environment.map_or("null".into(), s),
        s(&e.database.engine),
        s(&e.database.url),
        migration,
        s(e.summary),
        e.data
    )
}

/// A channel named `deploys` with these options.
pub fn channel(settings: &[(&str, &str)]) -> ChannelContext {
    ChannelContext {
        name: "deploys".into(),
        settings: settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        batch_count: 1,
    }
}

/// An answer with this status, headers and body.
pub fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_envelope_is_compact_json_with_the_common_fields() {
        for t in crate::EVENT_TYPES {
            let e = event(t);
            assert!(!e.envelope_json.contains('\n'), "{t}");
            let v: Value = serde_json::from_str(&e.envelope_json).unwrap();
            assert_eq!(v["version"], 1);
            assert_eq!(v["type"], t);
            assert_eq!(v["id"], e.id.as_str());
            assert_eq!(
                v["data"],
                serde_json::from_str::<Value>(&e.data_json).unwrap()
            );
            assert!(e.envelope_json.starts_with("{\"version\":1,\"id\":"));
            assert_ne!(v["data"], json!({}), "{t} has no sample data");
        }
    }
}
