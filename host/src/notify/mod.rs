//! Notifications: events written to an outbox beside the history, one row per channel that wants them, then
//! delivered through sandboxed sink plugins (see `docs/notifications.md`). Delivery never fails a command,
//! except a channel's `required` events before an apply's first statement.

pub mod config;
mod outbox;
pub mod send;

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;

pub use self::config::{Channel, NotifyConfig};
use self::outbox::{Outbox, Row};
use self::send::SendError;
use crate::connection::Database;
use crate::plugins::bindings::notify::exports::ai_shell::plugin::sink_api::{
    ChannelContext, DatabaseRef, Delivery, Event, MigrationRef, Outcome,
};
use crate::plugins::{PluginRegistry, SinkPlugin};

/// The envelope's version.
pub const ENVELOPE_VERSION: u32 = 1;
/// Retries stop this long after the event.
const GIVE_UP: Duration = Duration::from_secs(24 * 3600);

/// The migration an event is about.
#[derive(Clone, Debug, Serialize)]
pub struct MigrationInfo {
    pub id: String,
    pub name: String,
    pub checksum: String,
    pub strategy: Option<String>,
}

/// An event to send.
pub struct NewEvent {
    pub event_type: &'static str,
    pub migration: Option<MigrationInfo>,
    pub summary: String,
    pub data: serde_json::Value,
}

#[derive(Serialize)]
struct Envelope<'a> {
    version: u32,
    id: &'a str,
    time: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    actor: &'a str,
    project: &'a str,
    environment: Option<&'a str>,
    database: DbRef<'a>,
    migration: Option<&'a MigrationInfo>,
    summary: &'a str,
    data: &'a serde_json::Value,
}

#[derive(Serialize, serde::Deserialize)]
struct DbRef<'a> {
    engine: &'a str,
    url: &'a str,
}

/// A random UUID (version 4).
fn uuid() -> String {
    let mut b = [0u8; 16];
    let rng = ring::rand::SystemRandom::new();
    if ring::rand::SecureRandom::fill(&rng, &mut b).is_err() {
        b = fastrand::u128(..).to_le_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The URL with no user, password or host name: `postgres://***:5432/shop`, a SQLite file by its name.
fn anonymous_url(url: &crate::connection::DatabaseUrl) -> String {
    if url.engine() == crate::connection::Engine::Sqlite {
        let raw = url.as_str();
        let file = raw.rsplit('/').next().unwrap_or(raw);
        return format!("sqlite://{}", file.split('?').next().unwrap_or(file));
    }
    match url::Url::parse(url.as_str()) {
        Ok(u) => format!(
            "{}://***{}{}",
            u.scheme(),
            u.port().map(|p| format!(":{p}")).unwrap_or_default(),
            u.path()
        ),
        Err(_) => "(a database)".into(),
    }
}

/// What one flush did.
#[derive(Debug, Default, Serialize)]
pub struct Flushed {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
    pub skipped: usize,
    /// `channel: reason` of each delivery that did not go through.
    pub problems: Vec<String>,
}

/// The project's notifications for one database.
pub struct Notifier<'a> {
    pub config: &'a NotifyConfig,
    db: &'a Database,
    outbox: Outbox,
    /// The outbox table is created once per command, not per event.
    ensured: std::sync::atomic::AtomicBool,
    project: String,
    environment: Option<String>,
}

impl<'a> Notifier<'a> {
    pub fn new(
        config: &'a NotifyConfig,
        db: &'a Database,
        history_table: &str,
        environment: Option<&str>,
    ) -> Notifier<'a> {
        let project = std::env::current_dir()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "ai-shell".into());
        Notifier {
            config,
            db,
            outbox: Outbox::new(history_table),
            ensured: std::sync::atomic::AtomicBool::new(false),
            project,
            environment: environment.map(str::to_string),
        }
    }

    pub fn db(&self) -> &Database {
        self.db
    }

    pub fn engine(&self) -> crate::connection::Engine {
        self.db.engine()
    }

    async fn ensure(&self, s: &mut crate::connection::Session) -> anyhow::Result<()> {
        use std::sync::atomic::Ordering;
        if !self.ensured.load(Ordering::Relaxed) {
            self.outbox.ensure(s).await?;
            self.ensured.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Whether any channel wants events of this type.
    pub fn wants(&self, event_type: &str) -> bool {
        self.config.enabled && self.config.channels.iter().any(|c| c.wants(event_type))
    }

    /// Writes the event to the outbox for every channel that wants it (or only `only`); returns its id. A
    /// failure to record it is a warning: notifications never fail the command.
    pub async fn emit(&self, event: NewEvent, only: Option<&str>) -> Option<String> {
        let channels: Vec<&Channel> = self
            .config
            .channels
            .iter()
            .filter(|c| match only {
                Some(name) => c.name == name,
                None => self.config.enabled && c.wants(event.event_type),
            })
            .collect();
        if channels.is_empty() {
            return None;
        }
        let id = uuid();
        let time = now();
        let actor = crate::history::record::current_user();
        let url = anonymous_url(self.db.url());
        let envelope = Envelope {
            version: ENVELOPE_VERSION,
            id: &id,
            time: &time,
            event_type: event.event_type,
            actor: &actor,
            project: &self.project,
            environment: self.environment.as_deref(),
            database: DbRef {
                engine: self.db.engine().dialect_name(),
                url: &url,
            },
            migration: event.migration.as_ref(),
            summary: &event.summary,
            data: &event.data,
        };
        let json = serde_json::to_string(&envelope).unwrap_or_default();
        let recorded = async {
            let mut s = self.db.session().await?;
            self.ensure(&mut s).await?;
            // One commit for every channel's row.
            s.execute_script(begin(self.db.engine())).await?;
            let mut added = Ok(());
            for c in &channels {
                added = self
                    .outbox
                    .add(&mut s, &id, &c.name, event.event_type, &json, &time)
                    .await;
                if added.is_err() {
                    break;
                }
            }
            match added {
                Ok(()) => s.execute_script("COMMIT").await?,
                Err(e) => {
                    let _ = s.execute_script("ROLLBACK").await;
                    return Err(e);
                }
            }
            anyhow::Ok(())
        }
        .await;
        if let Err(e) = recorded {
            eprintln!(
                "warning: the {} notification could not be recorded: {e:#}",
                event.event_type
            );
            return None;
        }
        Some(id)
    }

    /// Delivers what is due (everything pending with `all`), at most for `budget`; returns what happened.
    pub async fn flush(
        &self,
        registry: &PluginRegistry,
        all: bool,
        only_event: Option<&str>,
        budget: Duration,
    ) -> anyhow::Result<Flushed> {
        let started = std::time::Instant::now();
        let mut out = Flushed::default();
        let mut s = self.db.session().await?;
        self.ensure(&mut s).await?;
        let now_text = now();
        let rows = self
            .outbox
            .rows(&mut s, Some("pending"), (!all).then_some(now_text.as_str()))
            .await?;
        drop(s);
        // Each sink is loaded once per flush; the rows' new states are written together at the end (a
        // process that dies in between sends those events again: at least once).
        let mut sinks: HashMap<String, Result<SinkPlugin, String>> = HashMap::new();
        let mut updates = Vec::new();
        for row in rows {
            if only_event.is_some_and(|id| id != row.event_id) {
                continue;
            }
            if started.elapsed() > budget {
                out.retrying += 1;
                continue;
            }
            let result = self.deliver(registry, &mut sinks, &row).await;
            let (status, next, error) = match result {
                Ok(Outcome::Delivered) => {
                    out.delivered += 1;
                    ("delivered", now(), None)
                }
                Ok(Outcome::Retry(after)) => self.retry(
                    &row,
                    after.map(u64::from),
                    "the endpoint asked to retry".into(),
                    &mut out,
                ),
                Ok(Outcome::Permanent(why)) => {
                    out.failed += 1;
                    out.problems.push(format!("{}: {why}", row.channel));
                    ("failed", now(), Some(why))
                }
                Err(Attempt::Skipped(why)) => {
                    out.skipped += 1;
                    ("skipped", now(), Some(why))
                }
                Err(Attempt::Failed(SendError::Permanent(why))) => {
                    out.failed += 1;
                    out.problems.push(format!("{}: {why}", row.channel));
                    ("failed", now(), Some(why))
                }
                Err(Attempt::Failed(SendError::Transient(why))) => {
                    self.retry(&row, None, why, &mut out)
                }
            };
            updates.push((row, status, next, error));
        }
        if !updates.is_empty() {
            let mut s = self.db.session().await?;
            s.execute_script(begin(self.db.engine())).await?;
            let done_at = now();
            for (row, status, next, error) in &updates {
                if let Err(e) = self
                    .outbox
                    .update(&mut s, row, status, next, error.as_deref(), &done_at)
                    .await
                {
                    let _ = s.execute_script("ROLLBACK").await;
                    return Err(e);
                }
            }
            s.execute_script("COMMIT").await?;
        }
        Ok(out)
    }

    /// The outcome of an attempt to try again: after `after` seconds or the back-off (5 s doubling, at most
    /// 1 h), until a day after the event.
    fn retry(
        &self,
        row: &Row,
        after: Option<u64>,
        why: String,
        out: &mut Flushed,
    ) -> (&'static str, String, Option<String>) {
        let age = chrono::DateTime::parse_from_rfc3339(&row.created)
            .ok()
            .and_then(|t| {
                (chrono::Utc::now() - t.with_timezone(&chrono::Utc))
                    .to_std()
                    .ok()
            })
            .unwrap_or_default();
        if age > GIVE_UP {
            out.failed += 1;
            out.problems
                .push(format!("{}: gave up after a day: {why}", row.channel));
            return ("failed", now(), Some(format!("gave up after a day: {why}")));
        }
        let backoff = after.unwrap_or_else(|| 5u64.saturating_mul(1 << row.attempts.clamp(0, 10)));
        let wait = chrono::Duration::seconds(backoff.min(3600) as i64);
        out.retrying += 1;
        out.problems
            .push(format!("{}: {why} (will retry)", row.channel));
        (
            "pending",
            (chrono::Utc::now() + wait).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            Some(why),
        )
    }

    async fn deliver(
        &self,
        registry: &PluginRegistry,
        sinks: &mut HashMap<String, Result<SinkPlugin, String>>,
        row: &Row,
    ) -> Result<Outcome, Attempt> {
        let Some(channel) = self.config.channels.iter().find(|c| c.name == row.channel) else {
            return Err(Attempt::Failed(SendError::Permanent(format!(
                "channel `{}` is no longer configured",
                row.channel
            ))));
        };
        if !sinks.contains_key(&channel.sink) {
            let loaded = registry
                .sink(&channel.sink)
                .await
                .map_err(|e| e.to_string());
            sinks.insert(channel.sink.clone(), loaded);
        }
        let sink = match &sinks[&channel.sink] {
            Ok(s) => s,
            Err(e) => {
                return Err(Attempt::Failed(SendError::Permanent(format!(
                    "sink `{}` could not be loaded: {e}",
                    channel.sink
                ))));
            }
        };
        let event = to_wit(&row.envelope).ok_or_else(|| {
            Attempt::Failed(SendError::Permanent(
                "the recorded envelope is unreadable".into(),
            ))
        })?;
        let ctx = ChannelContext {
            name: channel.name.clone(),
            settings: channel.options.clone(),
            batch_count: 1,
        };
        let delivery = match sink.render(&event, &ctx).await {
            Ok(d) => d,
            Err(crate::plugins::PluginCallError::Failed { error, .. }) => {
                return Err(Attempt::Failed(SendError::Permanent(format!(
                    "sink `{}` refused the event: {}",
                    channel.sink,
                    crate::plugins::PluginCallError::Failed {
                        plugin: channel.sink.clone(),
                        version: String::new(),
                        call: "render",
                        error
                    }
                ))));
            }
            Err(e) => return Err(Attempt::Failed(SendError::Transient(e.to_string()))),
        };
        match delivery {
            Delivery::Skip(why) => Err(Attempt::Skipped(why)),
            Delivery::FileLine(line) => {
                send::append(channel, &line).map_err(Attempt::Failed)?;
                Ok(Outcome::Delivered)
            }
            Delivery::Http(req) => {
                let answer = send::http(channel, &req).await.map_err(Attempt::Failed)?;
                sink.classify(&answer)
                    .await
                    .map_err(|e| Attempt::Failed(SendError::Transient(e.to_string())))
            }
        }
    }

    /// Every outbox row (for `notify list`).
    pub async fn rows(&self) -> anyhow::Result<Vec<Row>> {
        let mut s = self.db.session().await?;
        self.ensure(&mut s).await?;
        self.outbox.rows(&mut s, None, None).await
    }

    /// Emits `event` and, when a channel requires it, delivers it now: a required delivery that fails is
    /// an error (the caller stops before changing anything).
    pub async fn emit_required(
        &self,
        registry: &PluginRegistry,
        event: NewEvent,
    ) -> anyhow::Result<()> {
        let required = self.config.enabled
            && self
                .config
                .channels
                .iter()
                .any(|c| c.requires(event.event_type));
        let kind = event.event_type;
        let Some(id) = self.emit(event, None).await else {
            if required {
                anyhow::bail!(
                    "the required {kind} notification could not be recorded: nothing was changed"
                );
            }
            return Ok(());
        };
        if !required {
            return Ok(());
        }
        let done = self
            .flush(registry, true, Some(&id), Duration::from_secs(30))
            .await?;
        let rows = self.rows().await?;
        let missing: Vec<String> = rows
            .iter()
            .filter(|r| r.event_id == id && r.status != "delivered")
            .filter(|r| {
                self.config
                    .channels
                    .iter()
                    .any(|c| c.name == r.channel && c.requires(kind))
            })
            .map(|r| {
                format!(
                    "{}: {}",
                    r.channel,
                    r.last_error.as_deref().unwrap_or("not delivered")
                )
            })
            .collect();
        if !missing.is_empty() {
            anyhow::bail!(
                "the {kind} notification is required and was not delivered ({}): nothing was changed\n\nFix the channel (`ai-shell notify test CHANNEL`), or remove {kind} from its `required` list.",
                missing.join("; ")
            );
        }
        let _ = done;
        Ok(())
    }
}

/// The statement that starts a transaction.
fn begin(engine: crate::connection::Engine) -> &'static str {
    match engine {
        crate::connection::Engine::MySql => "START TRANSACTION",
        _ => "BEGIN",
    }
}

enum Attempt {
    Skipped(String),
    Failed(SendError),
}

/// The WIT event of a recorded envelope.
fn to_wit(envelope: &str) -> Option<Event> {
    let v: serde_json::Value = serde_json::from_str(envelope).ok()?;
    let s = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let migration = v.get("migration").filter(|m| !m.is_null()).map(|m| {
        let f = |k: &str| {
            m.get(k)
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_string()
        };
        MigrationRef {
            id: f("id"),
            name: f("name"),
            checksum: f("checksum"),
            strategy: m
                .get("strategy")
                .and_then(|x| x.as_str())
                .map(str::to_string),
        }
    });
    Some(Event {
        id: s("id"),
        time: s("time"),
        event_type: s("type"),
        actor: s("actor"),
        project: s("project"),
        environment: v
            .get("environment")
            .and_then(|x| x.as_str())
            .map(str::to_string),
        database: DatabaseRef {
            engine: v["database"]["engine"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            url: v["database"]["url"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        },
        migration,
        summary: s("summary"),
        data_json: v
            .get("data")
            .map(|d| d.to_string())
            .unwrap_or_else(|| "{}".into()),
        envelope_json: envelope.to_string(),
    })
}
