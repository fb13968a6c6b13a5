//! The generic webhook sink of ai-shell: it POSTs each event's envelope, the bytes of `envelope-json`
//! unchanged, and asks the host to sign them (HMAC-SHA256 with the channel's secret, in the header
//! `X-AI-Shell-Signature` or the channel's `signature-header`). An aggregated delivery is a JSON array of
//! the envelopes. The headers name the event type and carry the idempotency key:
//!
//! - `X-AI-Shell-Event`: the event type, or `batch` for an array;
//! - `X-AI-Shell-Delivery`: the event's id, or for an array `batch-` and 32 hex digits derived from the
//!   events' ids in order (the same events give the same key);
//! - `X-AI-Shell-Batch-Count`: for an array, how many envelopes it holds.
//!
//! Answers are read the usual way ([`classify_default`](ai_shell_notify_sdk::classify_default)).

use ai_shell_notify_sdk::{
    ChannelContext, Delivery, DeliveryKind, Event, HttpRequest, PluginError, SettingDoc, Sink,
    SinkInfo, allowed_header_name, check_json, export_sink, setting,
};

/// The signature header when the channel does not name one.
pub const SIGNATURE_HEADER: &str = "X-AI-Shell-Signature";

/// The sink.
pub struct Webhook;

/// The method and signature header a channel asks for.
struct Options {
    method: String,
    signature_header: String,
}

fn options(channel: &ChannelContext) -> Result<Options, PluginError> {
    let invalid = |key: &str, why: String| {
        PluginError::InvalidInput(format!(
            "webhook channel `{}`: option `{key}` {why}",
            channel.name
        ))
    };
    let signature_header = match setting(channel, "signature-header").map(str::trim) {
        None | Some("") => SIGNATURE_HEADER.to_string(),
        Some(h) if allowed_header_name(h) && !is_ours(h) => h.to_string(),
        Some(h) => {
            return Err(invalid(
                "signature-header",
                format!(
                    "must be a header name (letters, digits, `-`) that is not one the host or this sink sets, not `{h}`"
                ),
            ));
        }
    };
    let method = match setting(channel, "method").map(|m| m.trim().to_ascii_uppercase()) {
        None => "POST".to_string(),
        Some(m) if m == "POST" || m == "PUT" => m,
        Some(m) => return Err(invalid("method", format!("must be POST or PUT, not `{m}`"))),
    };
    Ok(Options {
        method,
        signature_header,
    })
}

/// A header this sink sets itself.
fn is_ours(name: &str) -> bool {
    [
        "content-type",
        "user-agent",
        "x-ai-shell-event",
        "x-ai-shell-delivery",
        "x-ai-shell-batch-count",
    ]
    .iter()
    .any(|h| h.eq_ignore_ascii_case(name))
}

fn request(
    options: Options,
    event_type: &str,
    key: String,
    count: Option<usize>,
    body: Vec<u8>,
) -> Delivery {
    let mut headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        (
            "User-Agent".to_string(),
            concat!("ai-shell-webhook/", env!("CARGO_PKG_VERSION")).to_string(),
        ),
        ("X-AI-Shell-Event".to_string(), event_type.to_string()),
        ("X-AI-Shell-Delivery".to_string(), key),
    ];
    if let Some(n) = count {
        headers.push(("X-AI-Shell-Batch-Count".to_string(), n.to_string()));
    }
    Delivery::Http(HttpRequest {
        method: options.method,
        headers,
        body,
        sign: Some(options.signature_header),
    })
}

/// A header value must be visible ASCII: an id or type that is not cannot be sent as it is.
fn header_value(text: &str, what: &str) -> Result<String, PluginError> {
    if !text.is_empty() && text.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        Ok(text.to_string())
    } else {
        Err(PluginError::InvalidInput(format!(
            "the event's {what} `{}` cannot be sent in a header",
            text.escape_debug()
        )))
    }
}

/// The idempotency key of an array of events: `batch-` and the 128-bit FNV-1a hash of their ids in
/// order, each followed by a newline.
pub fn batch_key(events: &[Event]) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut hash = OFFSET;
    for e in events {
        for b in e.id.bytes().chain([b'\n']) {
            hash ^= b as u128;
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("batch-{hash:032x}")
}

impl Sink for Webhook {
    fn info() -> SinkInfo {
        SinkInfo {
            name: "webhook".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "Generic webhook: the event envelope posted as it is, signed with HMAC-SHA256; \
                          a JSON array of envelopes for a multi-database run"
                    .into(),
            kind: DeliveryKind::Http,
            batch: true,
            settings: vec![
                SettingDoc {
                    key: "signature-header".into(),
                    required: false,
                    summary: format!(
                        "Header the host puts the HMAC-SHA256 signature in; default: `{SIGNATURE_HEADER}`"
                    ),
                },
                SettingDoc {
                    key: "method".into(),
                    required: false,
                    summary: "`POST` or `PUT`; default: `POST`".into(),
                },
            ],
        }
    }

    fn render(event: Event, channel: ChannelContext) -> Result<Delivery, PluginError> {
        let options = options(&channel)?;
        check_json(
            &event.envelope_json,
            &format!("event {}: envelope-json", event.id),
        )?;
        let event_type = header_value(&event.event_type, "type")?;
        let key = header_value(&event.id, "id")?;
        Ok(request(
            options,
            &event_type,
            key,
            None,
            event.envelope_json.into_bytes(),
        ))
    }

    fn render_batch(events: Vec<Event>, channel: ChannelContext) -> Result<Delivery, PluginError> {
        if events.is_empty() {
            return Ok(Delivery::Skip("no events to deliver".into()));
        }
        let options = options(&channel)?;
        let mut body = Vec::with_capacity(events.iter().map(|e| e.envelope_json.len() + 1).sum());
        body.push(b'[');
        for (i, e) in events.iter().enumerate() {
            check_json(&e.envelope_json, &format!("event {}: envelope-json", e.id))?;
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(e.envelope_json.as_bytes());
        }
        body.push(b']');
        Ok(request(
            options,
            "batch",
            batch_key(&events),
            Some(events.len()),
            body,
        ))
    }
}

export_sink!(Webhook);

#[cfg(test)]
mod tests {
    use super::*;
    use ai_shell_notify_sdk::serde_json::{self, Value};
    use ai_shell_notify_sdk::testing::{channel, event, response};
    use ai_shell_notify_sdk::{EVENT_TYPES, Outcome, header};

    fn http(d: Delivery) -> HttpRequest {
        match d {
            Delivery::Http(r) => r,
            other => panic!("not an http delivery: {other:?}"),
        }
    }

    #[test]
    fn info_says_http_with_batches() {
        let info = Webhook::info();
        assert_eq!(info.name, "webhook");
        assert_eq!(info.kind, DeliveryKind::Http);
        assert!(info.batch);
        assert_eq!(info.settings[0].key, "signature-header");
    }

    #[test]
    fn the_body_is_the_envelope_unchanged_for_every_event_type() {
        for t in EVENT_TYPES {
            let e = event(t);
            let r = http(Webhook::render(e.clone(), channel(&[])).unwrap());
            assert_eq!(r.body, e.envelope_json.as_bytes(), "{t}");
            assert_eq!(r.method, "POST");
            assert_eq!(r.sign.as_deref(), Some("X-AI-Shell-Signature"));
            assert_eq!(header(&r.headers, "content-type"), Some("application/json"));
            assert_eq!(
                header(&r.headers, "user-agent"),
                Some(concat!("ai-shell-webhook/", env!("CARGO_PKG_VERSION")))
            );
            assert_eq!(header(&r.headers, "x-ai-shell-event"), Some(t));
            assert_eq!(
                header(&r.headers, "x-ai-shell-delivery"),
                Some(e.id.as_str())
            );
            assert_eq!(header(&r.headers, "x-ai-shell-batch-count"), None);
        }
    }

    #[test]
    fn pretty_or_reordered_envelopes_are_still_posted_byte_for_byte() {
        let mut e = event("apply.failed");
        e.envelope_json =
            "{\n  \"version\": 1,\n  \"type\": \"apply.failed\", \"id\": \"x\"\n}".into();
        let r = http(Webhook::render(e.clone(), channel(&[])).unwrap());
        assert_eq!(r.body, e.envelope_json.as_bytes());
    }

    #[test]
    fn options_choose_the_signature_header_and_method() {
        let r = http(
            Webhook::render(
                event("apply.succeeded"),
                channel(&[
                    ("signature-header", "X-Hub-Signature-256"),
                    ("method", "put"),
                ]),
            )
            .unwrap(),
        );
        assert_eq!(r.sign.as_deref(), Some("X-Hub-Signature-256"));
        assert_eq!(r.method, "PUT");
        for (key, value) in [
            ("signature-header", "Host"),
            ("signature-header", "Content-Type"),
            ("signature-header", "X-Sig\r\nX-Evil: 1"),
            ("signature-header", "X Sig"),
            ("method", "GET"),
            ("method", "POST http://evil.example/"),
        ] {
            match Webhook::render(event("apply.succeeded"), channel(&[(key, value)])) {
                Err(PluginError::InvalidInput(why)) => {
                    assert!(why.contains(&format!("`{key}`")), "{why}")
                }
                other => panic!("{key}={value:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn an_envelope_that_is_not_json_or_ids_unfit_for_headers_are_refused() {
        let mut e = event("apply.failed");
        e.envelope_json = "{\"version\":1,".into();
        assert!(matches!(
            Webhook::render(e, channel(&[])),
            Err(PluginError::InvalidInput(_))
        ));
        let mut e = event("apply.failed");
        e.id = "abc\r\nHost: evil.example".into();
        match Webhook::render(e, channel(&[])) {
            Err(PluginError::InvalidInput(why)) => assert!(why.contains("header"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_batch_is_a_json_array_of_the_envelopes_in_order() {
        let events: Vec<Event> = ["apply.started", "apply.succeeded", "apply.failed"]
            .iter()
            .map(|t| event(t))
            .collect();
        let r = http(Webhook::render_batch(events.clone(), channel(&[])).unwrap());
        let expected = format!(
            "[{},{},{}]",
            events[0].envelope_json, events[1].envelope_json, events[2].envelope_json
        );
        assert_eq!(String::from_utf8(r.body).unwrap(), expected);
        let parsed: Vec<Value> = serde_json::from_str(&expected).unwrap();
        assert_eq!(parsed[2]["type"], "apply.failed");
        assert_eq!(header(&r.headers, "x-ai-shell-event"), Some("batch"));
        assert_eq!(header(&r.headers, "x-ai-shell-batch-count"), Some("3"));
        let key = header(&r.headers, "x-ai-shell-delivery").unwrap();
        assert!(key.starts_with("batch-") && key.len() == 38, "{key}");
        assert_eq!(r.sign.as_deref(), Some(SIGNATURE_HEADER));

        // The key depends on the events and their order only.
        assert_eq!(batch_key(&events), key);
        let mut reversed = events.clone();
        reversed.reverse();
        assert_ne!(batch_key(&reversed), key);
        assert_ne!(batch_key(&events[..2]), key);

        assert!(matches!(
            Webhook::render_batch(vec![], channel(&[])),
            Ok(Delivery::Skip(_))
        ));
    }

    #[test]
    fn answers_are_classified_the_usual_way() {
        assert_eq!(
            Webhook::classify(response(200, &[], "")),
            Outcome::Delivered
        );
        assert_eq!(
            Webhook::classify(response(202, &[], "queued")),
            Outcome::Delivered
        );
        assert_eq!(
            Webhook::classify(response(429, &[("Retry-After", "12")], "")),
            Outcome::Retry(Some(12))
        );
        assert_eq!(
            Webhook::classify(response(429, &[], "")),
            Outcome::Retry(None)
        );
        assert_eq!(
            Webhook::classify(response(500, &[], "")),
            Outcome::Retry(None)
        );
        assert_eq!(
            Webhook::classify(response(503, &[("Retry-After", "60")], "")),
            Outcome::Retry(Some(60))
        );
        match Webhook::classify(response(400, &[], "bad signature")) {
            Outcome::Permanent(why) => {
                assert!(why.contains("400") && why.contains("bad signature"))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Webhook::classify(response(404, &[], "")),
            Outcome::Permanent(_)
        ));
    }
}
