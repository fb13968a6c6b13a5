//! Guest SDK for ai-shell notification sinks.
//!
//! A sink crate implements [`Sink`] and registers it with [`export_sink!`]. A sink turns an event into a
//! [`Delivery`] for one channel (an HTTP request, a line for the channel's file, or a reasoned skip) and
//! judges the endpoint's answer ([`Sink::classify`]). It never touches the network or the filesystem and
//! never sees the channel's URL or secret: the host sends the request, signs it when asked, appends the
//! line, retries and keeps the outbox. The only import is the operator's log.
//!
//! The helpers here read channel options ([`setting`]), the event's data ([`data`]), check and compact
//! JSON ([`check_json`], [`compact_json`]) and classify answers the usual way ([`classify_default`],
//! [`retry_after`]). With the `testing` feature, `testing` has a sample event of every type.
//!
//! ```
//! use ai_shell_notify_sdk::{
//!     ChannelContext, Delivery, DeliveryKind, Event, HttpRequest, PluginError, SettingDoc, Sink,
//!     SinkInfo, export_sink, serde_json::json, setting,
//! };
//!
//! pub struct Teams;
//!
//! impl Sink for Teams {
//!     fn info() -> SinkInfo {
//!         SinkInfo {
//!             name: "teams".into(),
//!             version: "0.1.0".into(),
//!             description: "Microsoft Teams workflow webhook".into(),
//!             kind: DeliveryKind::Http,
//!             batch: false, // the host delivers events one by one
//!             settings: vec![SettingDoc {
//!                 key: "title".into(),
//!                 required: false,
//!                 summary: "Title of the card; default: the event type".into(),
//!             }],
//!         }
//!     }
//!
//!     fn render(event: Event, channel: ChannelContext) -> Result<Delivery, PluginError> {
//!         let title = setting(&channel, "title").unwrap_or(&event.event_type);
//!         let body = json!({ "title": title, "text": event.summary });
//!         Ok(Delivery::Http(HttpRequest {
//!             method: "POST".into(),
//!             headers: vec![("Content-Type".into(), "application/json".into())],
//!             body: body.to_string().into_bytes(),
//!             sign: None,
//!         }))
//!     }
//!     // `render_batch` and `classify` have defaults: one event at a time, and 2xx delivered,
//!     // 408/425/429/5xx retried (honouring Retry-After), anything else permanent.
//! }
//!
//! export_sink!(Teams);
//! ```

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "notify",
        pub_export_macro: true,
        export_macro_name: "__export_notify_world",
        default_bindings_module: "ai_shell_notify_sdk::bindings",
        with: {
            "ai-shell:plugin/types@0.1.0": ai_shell_plugin_model::types,
        },
        additional_derives: [PartialEq, Eq],
        generate_all,
    });
}

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use ai_shell_plugin_model::types::{LogLevel, PluginError};
pub use bindings::exports::ai_shell::plugin::sink_api::{
    ChannelContext, DatabaseRef, Delivery, DeliveryKind, Event, HttpRequest, HttpResponse,
    MigrationRef, Outcome, SettingDoc, SinkInfo,
};
pub use serde_json;

/// The WIT package version this SDK (and so every sink built with it) was generated from.
pub const WIT_VERSION: &str = "0.1.0";

/// The version of the event envelope this SDK documents (`"version": 1` in `envelope-json`).
pub const ENVELOPE_VERSION: u32 = 1;

/// Every event type the host emits (version 1 of the envelope). Sinks must accept others too: a newer
/// host may add types, which a sink renders from the common fields and the summary.
pub const EVENT_TYPES: [&str; 11] = [
    "migration.planned",
    "approval.requested",
    "approval.granted",
    "apply.started",
    "apply.succeeded",
    "apply.failed",
    "rollback.completed",
    "gate.waiting",
    "strategy.progress",
    "drift.detected",
    "override.used",
];

/// Headers the host sets itself and refuses from a sink (compared without case).
pub const HOST_HEADERS: [&str; 11] = [
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-authorization",
    "proxy-connection",
    "expect",
];

/// A notification sink: identity, rendering, and the judgement of an answer.
pub trait Sink {
    /// Name, version, delivery kind, whether it aggregates, and the channel options it reads.
    fn info() -> SinkInfo;

    /// The delivery of one event to a channel.
    fn render(event: Event, channel: ChannelContext) -> Result<Delivery, PluginError>;

    /// One delivery for several events (a multi-database run's, in order). The host calls it only when
    /// [`SinkInfo::batch`] is true. The default renders a single event with [`Sink::render`] and refuses
    /// more: a sink that aggregates must say how (a Slack message with a line per event, a JSON array...).
    fn render_batch(
        mut events: Vec<Event>,
        channel: ChannelContext,
    ) -> Result<Delivery, PluginError> {
        if events.len() == 1 {
            return Self::render(events.remove(0), channel);
        }
        Err(PluginError::InvalidInput(format!(
            "the sink `{}` does not aggregate events: deliver the {} events one by one",
            Self::info().name,
            events.len()
        )))
    }

    /// What became of an `http` delivery. The default is [`classify_default`].
    fn classify(response: HttpResponse) -> Outcome {
        classify_default(&response)
    }
}

/// Sends a message to the operator's log (only inside the host: natively there is no host to log to).
pub fn log(level: LogLevel, message: &str) {
    bindings::ai_shell::plugin::log::log(level, message)
}

/// The value of the channel option `key`, if set (the first occurrence wins).
pub fn setting<'a>(channel: &'a ChannelContext, key: &str) -> Option<&'a str> {
    channel
        .settings
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The channel option `key` as a boolean (`true`/`false`, `yes`/`no`, `1`/`0`, `on`/`off`), if set.
pub fn flag(channel: &ChannelContext, key: &str) -> Result<Option<bool>, PluginError> {
    match setting(channel, key).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(None),
        Some(v) => match v.as_str() {
            "true" | "yes" | "1" | "on" => Ok(Some(true)),
            "false" | "no" | "0" | "off" => Ok(Some(false)),
            _ => Err(PluginError::InvalidInput(format!(
                "channel `{}`: option `{key}` must be true or false, not `{v}`",
                channel.name
            ))),
        },
    }
}

/// The event's data, a JSON object (an empty `data-json` reads as `{}`).
pub fn data(event: &Event) -> Result<serde_json::Map<String, serde_json::Value>, PluginError> {
    if event.data_json.trim().is_empty() {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_str(&event.data_json) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(PluginError::InvalidInput(format!(
            "event {}: data-json is not a JSON object",
            event.id
        ))),
        Err(e) => Err(PluginError::InvalidInput(format!(
            "event {}: data-json is not JSON ({e})",
            event.id
        ))),
    }
}

/// Checks that `text` is one JSON object (the envelope); `what` names it in the error.
pub fn check_json(text: &str, what: &str) -> Result<(), PluginError> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(_) => Err(PluginError::InvalidInput(format!(
            "{what} is not a JSON object"
        ))),
        Err(e) => Err(PluginError::InvalidInput(format!(
            "{what} is not JSON ({e})"
        ))),
    }
}

/// `json` on one line: whitespace between tokens removed, the text of strings and the order of keys kept
/// (a raw line break inside a string, which JSON forbids, is written as `\n`/`\r`). Compact JSON comes
/// back unchanged.
pub fn compact_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            match c {
                _ if escaped => {
                    escaped = false;
                    out.push(c);
                }
                '\\' => {
                    escaped = true;
                    out.push(c);
                }
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                _ => out.push(c),
            }
        } else {
            match c {
                ' ' | '\t' | '\n' | '\r' => {}
                '"' => {
                    in_string = true;
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
    out
}

/// The value of header `name` (compared without case), if present.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Whether `name` is a valid HTTP header name (an RFC 9110 token) that the host lets a sink set.
pub fn allowed_header_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
        && !HOST_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// `text` cut to at most `max` characters, ending with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The start of a response body as text, for a message: invalid UTF-8 replaced, at most `max` characters,
/// surrounding whitespace trimmed.
pub fn body_excerpt(body: &[u8], max: usize) -> String {
    truncate(String::from_utf8_lossy(body).trim(), max)
}

/// How long the endpoint asks to wait, from `Retry-After`: delay-seconds, or an HTTP date measured from
/// the response's `Date` header (none without one: the sandbox has no trustworthy clock).
pub fn retry_after(headers: &[(String, String)]) -> Option<u32> {
    let value = header(headers, "retry-after")?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds.min(u32::MAX as u64) as u32);
    }
    let at = http_date(value)?;
    let now = http_date(header(headers, "date")?.trim())?;
    Some(at.saturating_sub(now).min(u32::MAX as u64) as u32)
}

/// Seconds since the Unix epoch of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110
/// requires senders to use.
pub fn http_date(text: &str) -> Option<u64> {
    let rest = text.split_once(", ")?.1;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts[..] else {
        return None;
    };
    let day: u64 = day.parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == month)? as u64
        + 1;
    let year: i64 = year.parse().ok()?;
    let hms: Vec<u64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [h, m, s] = hms[..] else { return None };
    if !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 || year < 1970 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days as u64 * 86_400 + h * 3600 + m * 60 + s)
}

/// The usual reading of an answer: 2xx delivered; 408, 425, 429 and 5xx retried (honouring
/// `Retry-After`); a redirect permanent (the host follows none); any other status permanent, with the
/// start of the body.
pub fn classify_default(response: &HttpResponse) -> Outcome {
    let status = response.status;
    match status {
        200..=299 => Outcome::Delivered,
        408 | 425 | 429 | 500..=599 => Outcome::Retry(retry_after(&response.headers)),
        300..=399 => Outcome::Permanent(format!(
            "the endpoint answered {status} redirecting to {}: redirects are not followed, configure \
             the final URL",
            header(&response.headers, "location").unwrap_or("(no location)")
        )),
        _ => {
            let body = body_excerpt(&response.body, 300);
            Outcome::Permanent(if body.is_empty() {
                format!("the endpoint refused the delivery ({status})")
            } else {
                format!("the endpoint refused the delivery ({status}): {body}")
            })
        }
    }
}

/// Registers a type implementing [`Sink`] as this component's `sink-api` export.
///
/// The export exists only when compiling for wasm, so a sink crate's unit tests still build natively.
#[macro_export]
macro_rules! export_sink {
    ($ty:ty) => {
        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        pub struct __AiShellSinkExport;

        #[cfg(target_arch = "wasm32")]
        impl $crate::bindings::exports::ai_shell::plugin::sink_api::Guest for __AiShellSinkExport {
            fn info() -> $crate::SinkInfo {
                <$ty as $crate::Sink>::info()
            }
            fn render(
                event: $crate::Event,
                channel: $crate::ChannelContext,
            ) -> ::core::result::Result<$crate::Delivery, $crate::PluginError> {
                <$ty as $crate::Sink>::render(event, channel)
            }
            fn render_batch(
                events: ::std::vec::Vec<$crate::Event>,
                channel: $crate::ChannelContext,
            ) -> ::core::result::Result<$crate::Delivery, $crate::PluginError> {
                <$ty as $crate::Sink>::render_batch(events, channel)
            }
            fn classify(response: $crate::HttpResponse) -> $crate::Outcome {
                <$ty as $crate::Sink>::classify(response)
            }
        }

        #[cfg(target_arch = "wasm32")]
        $crate::bindings::__export_notify_world!(__AiShellSinkExport with_types_in $crate::bindings);
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_default_classification_follows_the_status() {
        assert_eq!(
            classify_default(&response(200, &[], "")),
            Outcome::Delivered
        );
        assert_eq!(
            classify_default(&response(204, &[], "")),
            Outcome::Delivered
        );
        assert_eq!(
            classify_default(&response(500, &[], "")),
            Outcome::Retry(None)
        );
        assert_eq!(
            classify_default(&response(503, &[("Retry-After", "30")], "")),
            Outcome::Retry(Some(30))
        );
        assert_eq!(
            classify_default(&response(429, &[("retry-after", " 7 ")], "")),
            Outcome::Retry(Some(7))
        );
        assert_eq!(
            classify_default(&response(408, &[], "")),
            Outcome::Retry(None)
        );
        assert_eq!(
            classify_default(&response(425, &[], "")),
            Outcome::Retry(None)
        );
        match classify_default(&response(404, &[], "no such hook\n")) {
            Outcome::Permanent(why) => {
                assert_eq!(why, "the endpoint refused the delivery (404): no such hook")
            }
            other => panic!("{other:?}"),
        }
        match classify_default(&response(
            301,
            &[("location", "https://elsewhere.example/")],
            "",
        )) {
            Outcome::Permanent(why) => assert!(why.contains("https://elsewhere.example/"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    /// A sink that only implements the required methods.
    struct Minimal;

    impl Sink for Minimal {
        fn info() -> SinkInfo {
            SinkInfo {
                name: "minimal".into(),
                version: "0.1.0".into(),
                description: String::new(),
                kind: DeliveryKind::FileLine,
                batch: false,
                settings: vec![],
            }
        }
        fn render(event: Event, _channel: ChannelContext) -> Result<Delivery, PluginError> {
            Ok(Delivery::FileLine(event.id))
        }
    }

    #[test]
    fn the_defaults_render_a_batch_of_one_and_refuse_more() {
        use crate::testing::{channel, event};
        let one = Minimal::render_batch(vec![event("apply.failed")], channel(&[])).unwrap();
        assert_eq!(one, Delivery::FileLine(event("apply.failed").id));
        match Minimal::render_batch(
            vec![event("apply.failed"), event("apply.started")],
            channel(&[]),
        ) {
            Err(PluginError::InvalidInput(why)) => {
                assert!(
                    why.contains("`minimal`") && why.contains("2 events"),
                    "{why}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            Minimal::classify(response(503, &[("Retry-After", "9")], "")),
            Outcome::Retry(Some(9))
        );
    }

    #[test]
    fn settings_flags_and_data_are_read_from_the_channel_and_event() {
        use crate::testing::{channel, event};
        let ch = channel(&[
            ("mode", "a"),
            ("mode", "b"),
            ("on", "Yes"),
            ("off", "0"),
            ("bad", "maybe"),
        ]);
        assert_eq!(setting(&ch, "mode"), Some("a"));
        assert_eq!(setting(&ch, "missing"), None);
        assert_eq!(flag(&ch, "on").unwrap(), Some(true));
        assert_eq!(flag(&ch, "off").unwrap(), Some(false));
        assert_eq!(flag(&ch, "missing").unwrap(), None);
        assert!(matches!(
            flag(&ch, "bad"),
            Err(PluginError::InvalidInput(_))
        ));
        let e = event("apply.failed");
        assert_eq!(data(&e).unwrap()["sqlstate"], "23505");
        let mut e = event("apply.failed");
        e.data_json = String::new();
        assert!(data(&e).unwrap().is_empty());
        e.data_json = "null".into();
        assert!(matches!(data(&e), Err(PluginError::InvalidInput(_))));
        assert!(check_json("{\"a\":1}", "x").is_ok());
        assert!(check_json("[]", "x").is_err());
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(retry_after(&h(&[("Retry-After", "120")])), Some(120));
        assert_eq!(retry_after(&h(&[])), None);
        assert_eq!(retry_after(&h(&[("Retry-After", "soon")])), None);
        // A date needs the response's own Date to be measured from.
        assert_eq!(
            retry_after(&h(&[("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")])),
            None
        );
        assert_eq!(
            retry_after(&h(&[
                ("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
                ("Date", "Wed, 21 Oct 2015 07:26:30 GMT"),
            ])),
            Some(90)
        );
        // A date already past: retry now.
        assert_eq!(
            retry_after(&h(&[
                ("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
                ("Date", "Thu, 22 Oct 2015 07:26:30 GMT"),
            ])),
            Some(0)
        );
        assert_eq!(
            http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            http_date("Tue, 29 Feb 2000 12:00:00 GMT"),
            Some(951_825_600)
        );
        assert_eq!(http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
    }

    #[test]
    fn compact_json_removes_whitespace_between_tokens_only() {
        let pretty =
            "{\n  \"a\": \"x y\\n\\\"z\\\" \",\n  \"b\": [1, 2],\r\n  \"c\": \"é\u{2028}\"\n}";
        assert_eq!(
            compact_json(pretty),
            "{\"a\":\"x y\\n\\\"z\\\" \",\"b\":[1,2],\"c\":\"é\u{2028}\"}"
        );
        let compact = r#"{"version":1,"id":"x","data":{"m":"a \\ b"}}"#;
        assert_eq!(compact_json(compact), compact);
        // A raw line break inside a string (invalid JSON) cannot split the line.
        assert_eq!(compact_json("{\"a\":\"1\n2\"}"), "{\"a\":\"1\\n2\"}");
    }

    #[test]
    fn header_names_are_tokens_the_host_does_not_own() {
        assert!(allowed_header_name("X-AI-Shell-Signature"));
        assert!(allowed_header_name("Content-Type"));
        assert!(!allowed_header_name("Host"));
        assert!(!allowed_header_name("transfer-encoding"));
        assert!(!allowed_header_name("X-Bad\r\nHost"));
        assert!(!allowed_header_name("X Bad"));
        assert!(!allowed_header_name(""));
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo wörld", 6), "héllo…");
        assert_eq!(body_excerpt(b"  ok \n", 10), "ok");
        assert_eq!(body_excerpt(&[0xff, b'a'], 10), "\u{fffd}a");
    }
}
