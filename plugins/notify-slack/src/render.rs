//! The Slack message of an event and of a batch, within Block Kit's limits (a header of 150 characters,
//! sections of 3,000, at most 10 fields of 2,000, at most 50 blocks). Every text taken from an event is
//! escaped for Slack's mrkdwn (`&`, `<`, `>`), so that an error message cannot mention people or make links.

use ai_shell_notify_sdk::serde_json::{self, Map, Value, json};
use ai_shell_notify_sdk::{
    ChannelContext, Delivery, Event, HttpRequest, PluginError, data, setting, truncate,
};

const HEADER_MAX: usize = 150;
const SECTION_MAX: usize = 3000;
const FIELD_MAX: usize = 2000;
const FIELDS_MAX: usize = 10;
const TEXT_MAX: usize = 3000;
/// Lines of a list inside one event's message (drift objects).
const LIST_MAX: usize = 10;

/// The channel's options, read and checked.
#[derive(Debug, Default)]
pub struct Options {
    pub channel: Option<String>,
    pub username: Option<String>,
    pub icon_emoji: Option<String>,
    pub icon_url: Option<String>,
    /// The mention in Slack's syntax (`<!here>`), when one is set.
    pub mention: Option<String>,
    /// Event types carrying the mention; `*` for all.
    pub mention_on: Vec<String>,
    pub max_lines: usize,
}

fn invalid(channel: &ChannelContext, key: &str, why: String) -> PluginError {
    PluginError::InvalidInput(format!(
        "Slack channel `{}`: option `{key}` {why}",
        channel.name
    ))
}

impl Options {
    pub fn read(channel: &ChannelContext) -> Result<Options, PluginError> {
        let get = |key: &str| {
            setting(channel, key)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let icon_emoji = get("icon-emoji");
        if let Some(icon) = &icon_emoji {
            let name = icon.strip_prefix(':').and_then(|i| i.strip_suffix(':'));
            if !name.is_some_and(|n| {
                !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '+' | '\''))
            }) {
                return Err(invalid(
                    channel,
                    "icon-emoji",
                    format!("must be an emoji name such as `:rocket:`, not `{icon}`"),
                ));
            }
        }
        let icon_url = get("icon-url");
        if let Some(url) = &icon_url
            && !url.starts_with("https://")
        {
            return Err(invalid(
                channel,
                "icon-url",
                format!("must be an https:// URL, not `{url}`"),
            ));
        }
        let mention = match get("mention") {
            None => None,
            Some(m) => Some(
                m.split([' ', ','])
                    .filter(|p| !p.is_empty())
                    .map(|p| mention(p).ok_or_else(|| invalid(channel, "mention", format!(
                        "cannot mention `{p}`: use `@here`, `@channel`, `@everyone`, a user id such as `U024BE7LH` or `<!subteam^ID>` (Slack webhooks cannot mention by name)"
                    ))))
                    .collect::<Result<Vec<_>, _>>()?
                    .join(" "),
            ),
        };
        let mention_on = match get("mention-on") {
            None => vec!["apply.failed".to_string()],
            Some(list) => list
                .split([',', ' '])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
        };
        let max_lines = match get("max-lines") {
            None => 20,
            Some(n) => match n.parse::<usize>() {
                Ok(n) if (1..=40).contains(&n) => n,
                _ => {
                    return Err(invalid(
                        channel,
                        "max-lines",
                        format!("must be a number from 1 to 40, not `{n}`"),
                    ));
                }
            },
        };
        Ok(Options {
            channel: get("channel"),
            username: get("username"),
            icon_emoji,
            icon_url,
            mention,
            mention_on,
            max_lines,
        })
    }

    fn mentions(&self, event_type: &str) -> bool {
        self.mention.is_some() && self.mention_on.iter().any(|t| t == "*" || t == event_type)
    }
}

/// One mention in Slack's syntax, or none when it is not one Slack understands in a webhook.
fn mention(text: &str) -> Option<String> {
    let special = |w: &str| match w {
        "here" | "channel" | "everyone" => Some(format!("<!{w}>")),
        _ => None,
    };
    if let Some(m) = text.strip_prefix('@').and_then(special) {
        return Some(m);
    }
    if let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
        let ok_id = |id: &str| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric());
        let ok = match inner.strip_prefix('!') {
            Some(rest) => {
                special(rest).is_some() || rest.strip_prefix("subteam^").is_some_and(ok_id)
            }
            None => inner.strip_prefix('@').is_some_and(ok_id),
        };
        return ok.then(|| text.to_string());
    }
    let id = text.strip_prefix('@').unwrap_or(text);
    let user_id = id.len() >= 9
        && (id.starts_with('U') || id.starts_with('W'))
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    user_id.then(|| format!("<@{id}>"))
}

/// Text escaped for mrkdwn: `&`, `<` and `>` as entities.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Escaped text as a quote, line by line.
fn quote(text: &str) -> String {
    escape(text)
        .lines()
        .map(|l| format!(">{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Escaped text as inline code, or plain when it holds a backtick.
fn code(text: &str) -> String {
    if text.contains('`') || text.is_empty() {
        escape(text)
    } else {
        format!("`{}`", escape(text))
    }
}

/// The emoji and title of an event type (a type this sink does not know gets a bell and its name).
pub fn look(event_type: &str) -> (&'static str, String) {
    let (emoji, title) = match event_type {
        "migration.planned" => ("📝", "Migration planned"),
        "approval.requested" => ("✋", "Approval requested"),
        "approval.granted" => ("👍", "Approval granted"),
        "apply.started" => ("🚀", "Migration started"),
        "apply.succeeded" => ("✅", "Migration applied"),
        "apply.failed" => ("🔴", "Migration failed"),
        "rollback.completed" => ("↩️", "Rollback completed"),
        "gate.waiting" => ("⏸️", "Waiting for confirmation"),
        "strategy.progress" => ("⏳", "Migration in progress"),
        "drift.detected" => ("⚠️", "Schema drift detected"),
        "override.used" => ("⚠️", "Policy rule overridden"),
        other => return ("🔔", other.to_string()),
    };
    (emoji, title.to_string())
}

/// How much an event needs attention: 2 failure, 1 someone must act or look, 0 news.
fn weight(event_type: &str) -> u8 {
    match event_type {
        "apply.failed" => 2,
        "approval.requested" | "gate.waiting" | "drift.detected" | "override.used" => 1,
        _ => 0,
    }
}

/// A data value as text: strings as they are, numbers, yes/no, lists joined; none for null or absent.
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "yes" } else { "no" }.into()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|i| text_of(Some(i)))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        other @ Value::Object(_) => Some(other.to_string()),
    }
}

/// Milliseconds or seconds for people: `412 ms`, `1.8 s`, `5 min 40 s`, `2 h 5 min`.
pub fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        return format!("{} ms", ms.round() as u64);
    }
    let s = ms / 1000.0;
    if s < 60.0 {
        return format!("{:.1} s", s);
    }
    let s = s.round() as u64;
    if s < 3600 {
        format!("{} min {} s", s / 60, s % 60)
    } else {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    }
}

/// A field: a bold label over an escaped value.
fn field(label: &str, value: &str) -> Value {
    json!({ "type": "mrkdwn", "text": truncate(&format!("*{label}*\n{value}"), FIELD_MAX) })
}

fn section(text: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": truncate(text, SECTION_MAX) } })
}

fn header(text: &str) -> Value {
    json!({ "type": "header", "text": { "type": "plain_text", "text": truncate(text, HEADER_MAX), "emoji": true } })
}

fn context(parts: &[String]) -> Value {
    json!({ "type": "context", "elements": [ { "type": "mrkdwn", "text": truncate(&parts.join(" · "), SECTION_MAX) } ] })
}

/// The fields and extra sections of an event's data.
fn specifics(event_type: &str, data: &Map<String, Value>) -> (Vec<Value>, Vec<String>) {
    let get = |key: &str| text_of(data.get(key));
    let mut fields = Vec::new();
    let mut sections = Vec::new();
    let mut add = |label: &str, value: Option<String>| {
        if let Some(v) = value {
            fields.push(field(label, &escape(&v)));
        }
    };
    let ms = |key: &str| data.get(key).and_then(Value::as_f64).map(duration);
    match event_type {
        "migration.planned" => {
            add("Author", get("author"));
            add("Statements", get("statements"));
            add("Destructive", get("destructive"));
            add("Needs approval", get("requires_approval"));
            if let Some(file) = get("file") {
                fields.push(field("File", &code(&file)));
            }
            if let Some(r) = get("request") {
                sections.push(format!("*Request*\n{}", quote(&r)));
            }
        }
        "approval.requested" => {
            add("Rules", get("rules"));
            if let Some(file) = get("file") {
                fields.push(field("File", &code(&file)));
            }
            if let Some(r) = get("reason") {
                sections.push(format!("*Why*\n{}", quote(&r)));
            }
            if let Some(c) = get("command") {
                sections.push(format!("Approve with {}", code(&c)));
            }
        }
        "approval.granted" => {
            add("Approver", get("approver"));
            add("Overrides", get("overrides"));
            add("Expires", get("expires"));
            if let Some(r) = get("reason") {
                sections.push(format!("*Reason*\n{}", quote(&r)));
            }
        }
        "apply.started" => {
            add("Statements", get("statements"));
            add("Phases", get("phases"));
        }
        "apply.succeeded" => {
            add("Statements", get("statements"));
            add("Duration", ms("duration_ms"));
        }
        "apply.failed" => {
            add("Statement", get("statement").map(|n| format!("#{n}")));
            add("SQLSTATE", get("sqlstate"));
            add("Error code", get("code"));
            add("Rolled back", get("rolled_back"));
            add("After", ms("duration_ms"));
            if let Some(m) = get("message") {
                sections.push(format!("*Error*\n{}", quote(&m)));
            }
        }
        "rollback.completed" => {
            add("Statements", get("statements"));
            add("Duration", ms("duration_ms"));
            add("Reason", get("reason"));
        }
        "gate.waiting" => {
            add("Phase", get("phase"));
            if let Some(t) = get("text") {
                sections.push(format!("*To confirm*\n{}", quote(&t)));
            }
            if let Some(c) = get("command") {
                sections.push(format!("Confirm with {}", code(&c)));
            }
        }
        "strategy.progress" => {
            add("Phase", get("phase"));
            add("Table", get("table"));
            let done = get("rows_done");
            add(
                "Rows",
                match (done, get("rows_total")) {
                    (Some(d), Some(t)) => Some(format!("{d} / {t}")),
                    (d, _) => d,
                },
            );
            add(
                "Progress",
                data.get("percent")
                    .and_then(Value::as_f64)
                    .map(|p| format!("{p:.1}%")),
            );
            add(
                "ETA",
                data.get("eta_seconds")
                    .and_then(Value::as_f64)
                    .map(|s| duration(s * 1000.0)),
            );
            add(
                "Replica lag",
                data.get("replica_lag_seconds")
                    .and_then(Value::as_f64)
                    .map(|s| duration(s * 1000.0)),
            );
        }
        "drift.detected" => {
            add("Differences", get("differences"));
            if let Some(Value::Array(objects)) = data.get("objects") {
                let mut lines: Vec<String> = objects
                    .iter()
                    .filter_map(|o| text_of(Some(o)))
                    .take(LIST_MAX)
                    .map(|o| format!("• {}", escape(&o)))
                    .collect();
                if objects.len() > LIST_MAX {
                    lines.push(format!("… and {} more", objects.len() - LIST_MAX));
                }
                if !lines.is_empty() {
                    sections.push(lines.join("\n"));
                }
            }
        }
        "override.used" => {
            add("Rule", get("rule"));
            add("By", get("by"));
            add("Statement", get("statement").map(|n| format!("#{n}")));
            add("Kind", get("kind"));
            if let Some(r) = get("reason") {
                sections.push(format!("*Reason*\n{}", quote(&r)));
            }
        }
        _ => {
            // A type this sink does not know: its data's plain values, labelled by their keys.
            for (key, value) in data {
                if !value.is_object() {
                    let label = key.replace(['_', '-'], " ");
                    add(&label, text_of(Some(value)));
                }
            }
        }
    }
    (fields, sections)
}

/// The message of one event.
pub fn message(event: &Event, options: &Options) -> Result<Value, PluginError> {
    let data = data(event)?;
    let (emoji, title) = look(&event.event_type);
    let heading = match &event.migration {
        Some(m) => format!("{emoji} {title}: {}", m.id),
        None => format!("{emoji} {title}"),
    };
    let mention = options
        .mentions(&event.event_type)
        .then(|| options.mention.clone().unwrap_or_default());
    let with_mention = |text: String| match &mention {
        Some(m) => format!("{m} {text}"),
        None => text,
    };

    let mut fields = Vec::new();
    if let Some(m) = &event.migration {
        let text = if m.name.is_empty() {
            code(&m.id)
        } else {
            format!("{} {}", code(&m.id), escape(&m.name))
        };
        fields.push(field("Migration", &text));
    }
    if let Some(env) = &event.environment {
        fields.push(field("Environment", &escape(env)));
    }
    fields.push(field(
        "Database",
        &format!(
            "{} {}",
            escape(&event.database.engine),
            code(&event.database.url)
        ),
    ));
    if let Some(strategy) = event.migration.as_ref().and_then(|m| m.strategy.as_ref()) {
        fields.push(field("Strategy", &escape(strategy)));
    }
    let (more, sections) = specifics(&event.event_type, &data);
    fields.extend(more);
    fields.truncate(FIELDS_MAX);

    let mut blocks = vec![
        header(&heading),
        section(&with_mention(escape(&event.summary))),
        json!({ "type": "section", "fields": fields }),
    ];
    blocks.extend(sections.iter().map(|s| section(s)));
    blocks.push(context(&[
        format!("project *{}*", escape(&event.project)),
        format!("by {}", escape(&event.actor)),
        escape(&event.time),
        format!("event {}", code(&event.id)),
    ]));

    let text = with_mention(format!("{emoji} {title}: {}", escape(&event.summary)));
    Ok(payload(truncate(&text, TEXT_MAX), blocks, options))
}

/// The message of several events: a line per event, up to `max-lines`, then how many more.
pub fn batch_message(events: &[Event], options: &Options) -> Result<Value, PluginError> {
    for e in events {
        data(e)?;
    }
    let first = &events[0];
    let worst = events
        .iter()
        .max_by_key(|e| weight(&e.event_type))
        .expect("a batch has events");
    let same_type = events.iter().all(|e| e.event_type == first.event_type);
    let heading = if same_type {
        let (emoji, title) = look(&first.event_type);
        format!("{emoji} {title} ({} events)", events.len())
    } else {
        format!("{} {} events", look(&worst.event_type).0, events.len())
    };

    // Counts per type, in the order the types first appear.
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for e in events {
        match counts.iter_mut().find(|(t, _)| *t == e.event_type) {
            Some((_, n)) => *n += 1,
            None => counts.push((&e.event_type, 1)),
        }
    }
    let tally = counts
        .iter()
        .map(|(t, n)| format!("{n} {t}"))
        .collect::<Vec<_>>()
        .join(", ");

    let mention = events
        .iter()
        .any(|e| options.mentions(&e.event_type))
        .then(|| options.mention.clone().unwrap_or_default());
    let with_mention = |text: String| match &mention {
        Some(m) => format!("{m} {text}"),
        None => text,
    };

    let mut lines: Vec<String> = events
        .iter()
        .take(options.max_lines)
        .map(|e| {
            let where_ = match &e.environment {
                Some(env) => format!("{} {}", escape(env), code(&e.database.url)),
                None => code(&e.database.url),
            };
            format!(
                "{} {} — {}",
                look(&e.event_type).0,
                truncate(&escape(&e.summary), 400),
                where_
            )
        })
        .collect();
    if events.len() > options.max_lines {
        lines.push(format!("… and {} more", events.len() - options.max_lines));
    }

    let mut blocks = vec![header(&heading)];
    if mention.is_some() {
        blocks.push(section(&with_mention(escape(&tally))));
    }
    // Lines grouped into sections of at most SECTION_MAX characters.
    let mut chunk = String::new();
    for line in lines {
        if !chunk.is_empty() && chunk.chars().count() + 1 + line.chars().count() > SECTION_MAX {
            blocks.push(section(&chunk));
            chunk.clear();
        }
        if !chunk.is_empty() {
            chunk.push('\n');
        }
        chunk.push_str(&line);
    }
    if !chunk.is_empty() {
        blocks.push(section(&chunk));
    }
    let last = &events[events.len() - 1];
    blocks.push(context(&[
        format!("project *{}*", escape(&first.project)),
        format!("by {}", escape(&first.actor)),
        if first.time == last.time {
            escape(&first.time)
        } else {
            format!("{} – {}", escape(&first.time), escape(&last.time))
        },
    ]));

    let text = with_mention(format!(
        "{} ai-shell: {} events: {}",
        look(&worst.event_type).0,
        events.len(),
        escape(&tally)
    ));
    Ok(payload(truncate(&text, TEXT_MAX), blocks, options))
}

fn payload(text: String, blocks: Vec<Value>, options: &Options) -> Value {
    let mut p = json!({
        "text": text,
        "blocks": blocks,
        "unfurl_links": false,
        "unfurl_media": false,
    });
    let map = p.as_object_mut().expect("an object");
    for (key, value) in [
        ("channel", &options.channel),
        ("username", &options.username),
        ("icon_emoji", &options.icon_emoji),
        ("icon_url", &options.icon_url),
    ] {
        if let Some(v) = value {
            map.insert(key.into(), Value::from(v.as_str()));
        }
    }
    p
}

/// The POST of a payload to the webhook.
pub fn request(payload: &Value) -> Delivery {
    Delivery::Http(HttpRequest {
        method: "POST".into(),
        headers: vec![
            (
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            ),
            (
                "User-Agent".into(),
                concat!("ai-shell-slack/", env!("CARGO_PKG_VERSION")).into(),
            ),
        ],
        body: serde_json::to_vec(payload).expect("a JSON value serialises"),
        sign: None,
    })
}
