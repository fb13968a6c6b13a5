//! The Slack sink of ai-shell: a message for a Slack incoming webhook per event, or one message listing
//! the events of a multi-database run. The message has a plain `text` (the notification and the
//! fallback) and Block Kit `blocks`: a header (what happened, to which migration), the host's summary,
//! fields (environment, database, strategy, and the event's own data: statement number, SQLSTATE,
//! progress...) and a context line (project, actor, time, event id).
//!
//! Slack answers `200` with the body `ok` when it accepts a message; anything else is not a delivery:
//! `429` and `5xx` are retried (honouring `Retry-After`), other answers are permanent. Options are in
//! [`SETTINGS`]; the webhook URL is the channel's secret and never reaches the sink.

mod render;

use ai_shell_notify_sdk::{
    ChannelContext, Delivery, DeliveryKind, Event, HttpResponse, Outcome, PluginError, SettingDoc,
    Sink, SinkInfo, body_excerpt, classify_default, export_sink, retry_after,
};

/// The channel options: key, required, summary.
pub const SETTINGS: [(&str, bool, &str); 7] = [
    (
        "channel",
        false,
        "Channel to post to (`#deploys`), for legacy webhooks that allow it; default: the webhook's own",
    ),
    (
        "username",
        false,
        "Name the message is posted as, for legacy webhooks; default: the webhook's own",
    ),
    (
        "icon-emoji",
        false,
        "Emoji shown as the poster's icon (`:rocket:`), for legacy webhooks",
    ),
    (
        "icon-url",
        false,
        "URL of an image shown as the poster's icon, for legacy webhooks",
    ),
    (
        "mention",
        false,
        "Who to notify on the events of `mention-on`: `@here`, `@channel`, user ids (`U024BE7LH`) or `<!subteam^ID>`, separated by spaces",
    ),
    (
        "mention-on",
        false,
        "Event types that carry the mention, separated by commas, or `*`; default: `apply.failed`",
    ),
    (
        "max-lines",
        false,
        "Events listed in an aggregated message before `… and N more` (1 to 40); default: 20",
    ),
];

/// The sink.
pub struct Slack;

impl Sink for Slack {
    fn info() -> SinkInfo {
        SinkInfo {
            name: "slack".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "Slack incoming webhook: a message with text and blocks per event, one listing \
                          the events of a multi-database run"
                    .into(),
            kind: DeliveryKind::Http,
            batch: true,
            settings: SETTINGS
                .iter()
                .map(|(key, required, summary)| SettingDoc {
                    key: key.to_string(),
                    required: *required,
                    summary: summary.to_string(),
                })
                .collect(),
        }
    }

    fn render(event: Event, channel: ChannelContext) -> Result<Delivery, PluginError> {
        let options = render::Options::read(&channel)?;
        let payload = render::message(&event, &options)?;
        Ok(render::request(&payload))
    }

    fn render_batch(events: Vec<Event>, channel: ChannelContext) -> Result<Delivery, PluginError> {
        let options = render::Options::read(&channel)?;
        let payload = match events.len() {
            0 => {
                return Ok(Delivery::Skip("no events to deliver".into()));
            }
            1 => render::message(&events[0], &options)?,
            _ => render::batch_message(&events, &options)?,
        };
        Ok(render::request(&payload))
    }

    fn classify(response: HttpResponse) -> Outcome {
        classify(&response)
    }
}

/// Slack's reading of an answer: only `200 ok` is delivered.
pub fn classify(response: &HttpResponse) -> Outcome {
    let status = response.status;
    let body = body_excerpt(&response.body, 300);
    match status {
        200 if body == "ok" => Outcome::Delivered,
        200..=299 => Outcome::Permanent(format!(
            "Slack answered {status} with `{body}` instead of `ok`: the message was not posted"
        )),
        408 | 429 | 500..=599 => Outcome::Retry(retry_after(&response.headers)),
        400..=499 => {
            let hint = match body.as_str() {
                "invalid_payload" | "no_text" | "too_many_attachments" | "invalid_blocks" => {
                    "Slack could not read the message (a bug in the sink: please report it)"
                }
                "user_not_found" | "channel_not_found" => {
                    "the `channel` option names a channel this webhook cannot post to"
                }
                "channel_is_archived" => "the webhook's channel is archived",
                "action_prohibited" | "posting_to_general_channel_denied" => {
                    "the workspace's administrators do not let this webhook post there"
                }
                "no_service" | "no_service_id" | "no_team" | "no_active_hooks"
                | "invalid_token" | "team_disabled" => {
                    "the webhook URL is wrong or was revoked: set a new one for this channel"
                }
                _ => "Slack refused the message",
            };
            Outcome::Permanent(if body.is_empty() {
                format!("{hint} ({status})")
            } else {
                format!("{hint} ({status} {body})")
            })
        }
        _ => classify_default(response),
    }
}

export_sink!(Slack);

#[cfg(test)]
mod tests;
