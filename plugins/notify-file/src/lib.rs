//! The file sink of ai-shell: each event's envelope as one line of JSON (JSON Lines). The host appends the
//! line and a newline to the channel's file (`path` in the channel's configuration, which the sink never
//! sees); a batch is the events' lines joined with newlines, so the file gets one line per event either
//! way. The envelope is written as the host serialised it, compacted onto one line should it hold line
//! breaks between tokens.

use ai_shell_notify_sdk::{
    ChannelContext, Delivery, DeliveryKind, Event, HttpResponse, Outcome, PluginError, Sink,
    SinkInfo, check_json, compact_json, export_sink,
};

/// The sink.
pub struct File;

/// The line of one event: its envelope, checked and on one line.
fn line(event: &Event) -> Result<String, PluginError> {
    check_json(
        &event.envelope_json,
        &format!("event {}: envelope-json", event.id),
    )?;
    Ok(compact_json(&event.envelope_json))
}

impl Sink for File {
    fn info() -> SinkInfo {
        SinkInfo {
            name: "file".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "JSON Lines: each event's envelope as one line appended to the channel's file"
                    .into(),
            kind: DeliveryKind::FileLine,
            batch: true,
            settings: vec![],
        }
    }

    fn render(event: Event, _channel: ChannelContext) -> Result<Delivery, PluginError> {
        Ok(Delivery::FileLine(line(&event)?))
    }

    fn render_batch(events: Vec<Event>, _channel: ChannelContext) -> Result<Delivery, PluginError> {
        if events.is_empty() {
            return Ok(Delivery::Skip("no events to deliver".into()));
        }
        let lines = events.iter().map(line).collect::<Result<Vec<_>, _>>()?;
        Ok(Delivery::FileLine(lines.join("\n")))
    }

    /// Never called for a file sink; an answer would be a host bug, so nothing is delivered by it.
    fn classify(response: HttpResponse) -> Outcome {
        Outcome::Permanent(format!(
            "the file sink sends no HTTP requests (got an answer {})",
            response.status
        ))
    }
}

export_sink!(File);

#[cfg(test)]
mod tests {
    use super::*;
    use ai_shell_notify_sdk::EVENT_TYPES;
    use ai_shell_notify_sdk::serde_json::{self, Value};
    use ai_shell_notify_sdk::testing::{channel, event, response};

    fn text(d: Delivery) -> String {
        match d {
            Delivery::FileLine(s) => s,
            other => panic!("not a file line: {other:?}"),
        }
    }

    #[test]
    fn info_says_file_lines() {
        let info = File::info();
        assert_eq!(info.name, "file");
        assert_eq!(info.kind, DeliveryKind::FileLine);
        assert!(info.batch);
        assert!(info.settings.is_empty());
    }

    #[test]
    fn the_line_is_the_envelope_for_every_event_type() {
        for t in EVENT_TYPES {
            let e = event(t);
            let line = text(File::render(e.clone(), channel(&[])).unwrap());
            assert_eq!(line, e.envelope_json, "{t}");
            assert!(!line.contains('\n') && !line.contains('\r'));
            let v: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(v["type"], t);
            assert_eq!(v["version"], 1);
        }
        // The failure's message keeps its escaped line break and non-ASCII text.
        let line = text(File::render(event("apply.failed"), channel(&[])).unwrap());
        assert!(line.contains(r#"\"users_email_key\"\nDETAIL: Key (email)=(zoë@例え.jp)"#));
    }

    #[test]
    fn a_pretty_envelope_is_written_on_one_line() {
        let mut e = event("apply.succeeded");
        e.envelope_json = "{\n  \"version\": 1,\n  \"summary\": \"a  b\"\n}\n".into();
        let line = text(File::render(e, channel(&[])).unwrap());
        assert_eq!(line, r#"{"version":1,"summary":"a  b"}"#);
    }

    #[test]
    fn an_envelope_that_is_not_a_json_object_is_refused() {
        for bad in ["", "not json", "[1]", "{\"a\":"] {
            let mut e = event("apply.failed");
            e.envelope_json = bad.into();
            assert!(
                matches!(
                    File::render(e, channel(&[])),
                    Err(PluginError::InvalidInput(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_batch_is_one_line_per_event_joined_by_newlines() {
        let events: Vec<Event> = EVENT_TYPES.iter().map(|t| event(t)).collect();
        let joined = text(File::render_batch(events.clone(), channel(&[])).unwrap());
        assert!(!joined.ends_with('\n'));
        let lines: Vec<&str> = joined.split('\n').collect();
        assert_eq!(lines.len(), EVENT_TYPES.len());
        for (line, e) in lines.iter().zip(&events) {
            assert_eq!(*line, e.envelope_json);
        }
        assert!(matches!(
            File::render_batch(vec![], channel(&[])),
            Ok(Delivery::Skip(_))
        ));
        // One bad envelope refuses the whole batch rather than writing part of it.
        let mut bad = events.clone();
        bad[3].envelope_json = "{".into();
        assert!(File::render_batch(bad, channel(&[])).is_err());
    }

    #[test]
    fn an_answer_is_never_a_delivery() {
        assert!(matches!(
            File::classify(response(200, &[], "ok")),
            Outcome::Permanent(_)
        ));
    }
}
