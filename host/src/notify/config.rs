//! `[migrations.notify]`: which channels exist, the sink each uses, where it delivers and which events it gets
//! (see `docs/notifications.md`).

use anyhow::{Context, bail};

/// One channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Channel {
    pub name: String,
    /// The sink plugin's name: `slack`, `webhook`, `file`, or an installed one.
    pub sink: String,
    /// The URL as written (`${VAR}` read when it is used).
    pub url: Option<String>,
    /// The variable holding the signing secret.
    pub secret_env: Option<String>,
    /// A `file` sink's path, relative to the project folder.
    pub path: Option<String>,
    /// Event types it gets (`*`: all).
    pub events: Vec<String>,
    /// Event types that must be delivered before an apply's first statement.
    pub required: Vec<String>,
    pub allow_http_loopback: bool,
    /// The other keys: the sink's options.
    pub options: Vec<(String, String)>,
}

impl Channel {
    pub fn wants(&self, event_type: &str) -> bool {
        self.events.iter().any(|e| e == "*" || e == event_type) || self.requires(event_type)
    }

    pub fn requires(&self, event_type: &str) -> bool {
        self.required.iter().any(|e| e == "*" || e == event_type)
    }
}

/// The whole table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NotifyConfig {
    pub enabled: bool,
    pub channels: Vec<Channel>,
}

/// Every event type the host emits, with the short names the tutorial uses.
pub const EVENT_TYPES: &[(&str, &str)] = &[
    ("migration.planned", "planned"),
    ("approval.requested", "approval"),
    ("approval.granted", "approved"),
    ("apply.started", "started"),
    ("apply.succeeded", "applied"),
    ("apply.failed", "failed"),
    ("rollback.completed", "rolled_back"),
    ("gate.waiting", "waiting"),
    ("strategy.progress", "progress"),
    ("drift.detected", "drift"),
    ("override.used", "override"),
    ("notify.test", "test"),
];

/// The event type a name denotes (its full or short name, `*` or `all`); an unknown one is an error listing
/// them.
pub fn event_type(name: &str) -> anyhow::Result<String> {
    let n = name.trim().to_ascii_lowercase().replace('-', "_");
    if n == "*" || n == "all" {
        return Ok("*".into());
    }
    if let Some((full, _)) = EVENT_TYPES
        .iter()
        .find(|(full, short)| *full == n || *short == n || short.replace('_', "") == n)
    {
        return Ok(full.to_string());
    }
    bail!(
        "unknown event `{}`: use one of {} (or their full names: {}), or `all`",
        name.escape_debug(),
        EVENT_TYPES
            .iter()
            .map(|(_, s)| *s)
            .collect::<Vec<_>>()
            .join(", "),
        EVENT_TYPES
            .iter()
            .map(|(f, _)| *f)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A list of event names: a TOML array, or one string of comma-separated names.
fn events(v: &toml::Value, where_: &str) -> anyhow::Result<Vec<String>> {
    let names: Vec<String> = match v {
        toml::Value::String(s) => s.split(',').map(str::to_string).collect(),
        toml::Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map(str::to_string))
            .collect::<Option<_>>()
            .with_context(|| format!("{where_}: the events must be strings"))?,
        _ => bail!("{where_}: events must be a list of event names"),
    };
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| event_type(n).with_context(|| where_.to_string()))
        .collect()
}

/// The default events of a channel without its own list.
const DEFAULT_EVENTS: &[&str] = &["apply.succeeded", "apply.failed", "rollback.completed"];

impl NotifyConfig {
    pub fn from_toml(value: Option<&toml::Value>) -> anyhow::Result<NotifyConfig> {
        let Some(value) = value else {
            return Ok(NotifyConfig::default());
        };
        let table = value
            .as_table()
            .context("[migrations.notify] must be a table")?;
        for k in table.keys() {
            if !["enabled", "slack", "events", "channels"].contains(&k.as_str()) {
                bail!(
                    "unknown key `{k}` in [migrations.notify] (known: enabled, slack, events, and [migrations.notify.channels.NAME] tables)"
                );
            }
        }
        let default_events = match table.get("events") {
            Some(v) => events(v, "[migrations.notify] events")?,
            None => DEFAULT_EVENTS.iter().map(|s| s.to_string()).collect(),
        };
        let mut channels = Vec::new();
        if let Some(url) = table.get("slack") {
            let url = url
                .as_str()
                .context("[migrations.notify] slack must be the webhook URL (as ${VAR})")?;
            channels.push(Channel {
                name: "slack".into(),
                sink: "slack".into(),
                url: Some(url.to_string()),
                secret_env: None,
                path: None,
                events: default_events.clone(),
                required: vec![],
                allow_http_loopback: false,
                options: vec![],
            });
        }
        if let Some(named) = table.get("channels") {
            let named = named
                .as_table()
                .context("[migrations.notify.channels] must hold one table per channel")?;
            for (name, v) in named {
                crate::project::check_name(name, "channel")?;
                let where_ = format!("[migrations.notify.channels.{name}]");
                let t = v
                    .as_table()
                    .with_context(|| format!("{where_} must be a table"))?;
                let text = |k: &str| -> anyhow::Result<Option<String>> {
                    match t.get(k) {
                        None => Ok(None),
                        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
                        Some(_) => bail!("{where_} {k} must be a string"),
                    }
                };
                let sink = text("sink")?
                    .with_context(|| format!("{where_} names no sink (sink = \"slack\", \"webhook\", \"file\" or an installed one)"))?;
                let mut options = vec![];
                for (k, v) in t {
                    if [
                        "sink",
                        "url",
                        "secret-env",
                        "path",
                        "events",
                        "required",
                        "allow-http-loopback",
                    ]
                    .contains(&k.as_str())
                    {
                        continue;
                    }
                    let v = match v {
                        toml::Value::String(s) => s.clone(),
                        toml::Value::Integer(_)
                        | toml::Value::Boolean(_)
                        | toml::Value::Float(_) => v.to_string(),
                        _ => {
                            bail!("{where_} {k}: a sink option must be a string, number or boolean")
                        }
                    };
                    options.push((k.clone(), v));
                }
                let channel = Channel {
                    name: name.clone(),
                    url: text("url")?,
                    secret_env: text("secret-env")?,
                    path: text("path")?,
                    events: match t.get("events") {
                        Some(v) => events(v, &format!("{where_} events"))?,
                        None => default_events.clone(),
                    },
                    required: match t.get("required") {
                        Some(v) => events(v, &format!("{where_} required"))?,
                        None => vec![],
                    },
                    allow_http_loopback: t
                        .get("allow-http-loopback")
                        .map(|v| {
                            v.as_bool().with_context(|| {
                                format!("{where_} allow-http-loopback must be true or false")
                            })
                        })
                        .transpose()?
                        .unwrap_or(false),
                    options,
                    sink,
                };
                if channel.sink == "file" && channel.path.is_none() {
                    bail!("{where_}: a file channel needs path = \"...\"");
                }
                if channel.sink != "file" && channel.url.is_none() {
                    bail!(
                        "{where_}: a {} channel needs url = \"${{VAR}}\"",
                        channel.sink
                    );
                }
                channels.push(channel);
            }
        }
        let enabled = match table.get("enabled") {
            Some(v) => v
                .as_bool()
                .context("[migrations.notify] enabled must be true or false")?,
            None => !channels.is_empty(),
        };
        Ok(NotifyConfig { enabled, channels })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tutorial_shorthand_and_channels_are_read() {
        let v: toml::Value = toml::from_str(
            r#"
enabled = true
slack = "${SLACK_WEBHOOK}"
events = "applied,failed,rolled_back"
[channels.audit]
sink = "webhook"
url = "https://hooks.example.com/x"
secret-env = "AUDIT_SECRET"
required = ["started"]
signature-header = "X-Sig"
"#,
        )
        .unwrap();
        let c = NotifyConfig::from_toml(Some(&v)).unwrap();
        assert!(c.enabled);
        assert_eq!(
            c.channels[0].events,
            ["apply.succeeded", "apply.failed", "rollback.completed"]
        );
        let audit = &c.channels[1];
        assert!(audit.requires("apply.started") && audit.wants("apply.started"));
        assert_eq!(
            audit.options,
            [("signature-header".to_string(), "X-Sig".to_string())]
        );
        let bad: toml::Value = toml::from_str("events = [\"aplied\"]").unwrap();
        let e = format!("{:#}", NotifyConfig::from_toml(Some(&bad)).unwrap_err());
        assert!(e.contains("unknown event `aplied`"), "{e}");
    }
}
