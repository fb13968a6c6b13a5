//! `ai-shell notify list|test|flush`, and the events the migration commands emit (see `crate::notify`).

use std::time::Duration;

use super::Context;
use super::migrate::{Workspace, print_json};
use crate::cli::NotifyCommand;
use crate::connection::Database;
use crate::notify::{MigrationInfo, NewEvent, Notifier};

/// How long a command waits for deliveries after its work (what is left waits for `notify flush`).
pub const AFTER_COMMAND: Duration = Duration::from_secs(5);

pub async fn run(ctx: &mut Context, cmd: NotifyCommand) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let db = Database::connect(&ctx.global.database).await?;
    let env = ctx.global.environment.clone();
    let notifier = Notifier::new(&ws.project.notify, &db, ws.history.table(), env.as_deref());
    let result = match cmd {
        NotifyCommand::List { json } => list(ctx, &notifier, json).await,
        NotifyCommand::Test { channel } => test(ctx, &notifier, &channel).await,
        NotifyCommand::Flush { json } => flush(ctx, &notifier, json).await,
    };
    db.close().await;
    result
}

async fn list(ctx: &mut Context, n: &Notifier<'_>, json: bool) -> anyhow::Result<()> {
    let rows = n.rows().await?;
    let count = |channel: &str, status: &str| {
        rows.iter()
            .filter(|r| r.channel == channel && r.status == status)
            .count()
    };
    if json {
        let channels: Vec<serde_json::Value> = n
            .config
            .channels
            .iter()
            .map(|c| {
                serde_json::json!({
                    "name": c.name, "sink": c.sink,
                    "url": c.url.as_deref().map(crate::project::redacted_url),
                    "path": c.path, "events": c.events, "required": c.required,
                    "pending": count(&c.name, "pending"), "delivered": count(&c.name, "delivered"),
                    "failed": count(&c.name, "failed"), "skipped": count(&c.name, "skipped"),
                })
            })
            .collect();
        let failures: Vec<serde_json::Value> = rows
            .iter()
            .filter(|r| r.status == "failed" || (r.status == "pending" && r.attempts > 0))
            .map(|r| serde_json::json!({"channel": r.channel, "event": r.event_type, "id": r.event_id, "status": r.status, "attempts": r.attempts, "error": r.last_error}))
            .collect();
        return print_json(&serde_json::json!({
            "enabled": n.config.enabled, "channels": channels, "problems": failures,
        }));
    }
    if n.config.channels.is_empty() {
        println!(
            "No notification channels: `ai-shell config set migrations.notify.slack '${{SLACK_WEBHOOK}}'`, or [migrations.notify.channels.NAME] in ai-shell.toml (docs/notifications.md)."
        );
        return Ok(());
    }
    println!(
        "Notifications: {}",
        if n.config.enabled {
            "enabled"
        } else {
            "disabled (migrations.notify.enabled = false)"
        }
    );
    for c in &n.config.channels {
        let target = c
            .url
            .as_deref()
            .map(crate::project::redacted_url)
            .or(c.path.clone())
            .unwrap_or_default();
        let sink = match ctx.registry()?.sink(&c.sink).await {
            Ok(s) => format!("{} {}", s.meta().name, s.meta().version),
            Err(e) => format!("{} (cannot be loaded: {e})", c.sink),
        };
        println!("  {} → {sink}: {target}", c.name);
        println!("      events: {}", c.events.join(", "));
        if !c.required.is_empty() {
            println!("      required before an apply: {}", c.required.join(", "));
        }
        println!(
            "      outbox: {} pending, {} delivered, {} failed, {} skipped",
            count(&c.name, "pending"),
            count(&c.name, "delivered"),
            count(&c.name, "failed"),
            count(&c.name, "skipped")
        );
    }
    for r in rows
        .iter()
        .filter(|r| r.status == "failed" || (r.status == "pending" && r.attempts > 0))
    {
        println!(
            "  ✗ {} {} ({}, {} attempts): {}",
            r.channel,
            r.event_type,
            r.status,
            r.attempts,
            r.last_error.as_deref().unwrap_or("")
        );
    }
    Ok(())
}

async fn test(ctx: &mut Context, n: &Notifier<'_>, channel: &str) -> anyhow::Result<()> {
    if !n.config.channels.iter().any(|c| c.name == channel) {
        let known: Vec<&str> = n.config.channels.iter().map(|c| c.name.as_str()).collect();
        anyhow::bail!(
            "no notification channel `{}` ({})\n\nSee them with `ai-shell notify list`.",
            channel.escape_debug(),
            if known.is_empty() {
                "none is configured".to_string()
            } else {
                format!("known: {}", known.join(", "))
            }
        );
    }
    let id = n
        .emit(
            NewEvent {
                event_type: "notify.test",
                migration: None,
                summary: format!("ai-shell notification test of channel {channel}"),
                data: serde_json::json!({}),
            },
            Some(channel),
        )
        .await
        .ok_or_else(|| anyhow::anyhow!("the test event could not be recorded in the outbox"))?;
    let done = n
        .flush(ctx.registry()?, true, Some(&id), Duration::from_secs(30))
        .await?;
    if done.delivered == 1 {
        println!("✓ Delivered a notify.test event to `{channel}` (id {id})");
        return Ok(());
    }
    if done.skipped == 1 {
        println!("⚠ The sink skipped the notify.test event for `{channel}`");
        return Ok(());
    }
    anyhow::bail!(
        "the test event was not delivered to `{channel}`: {}",
        done.problems.join("; ")
    )
}

async fn flush(ctx: &mut Context, n: &Notifier<'_>, json: bool) -> anyhow::Result<()> {
    let done = n
        .flush(ctx.registry()?, true, None, Duration::from_secs(300))
        .await?;
    if json {
        return print_json(&done);
    }
    println!(
        "✓ {} delivered, {} skipped, {} to retry, {} failed",
        done.delivered, done.skipped, done.retrying, done.failed
    );
    for p in &done.problems {
        println!("  - {p}");
    }
    Ok(())
}

/// The migration-reference of a file, for events.
pub fn migration_info(m: &crate::migrations::MigrationFile) -> MigrationInfo {
    MigrationInfo {
        id: m.id(),
        name: m.slug.replace('_', " "),
        checksum: crate::migrations::checksum(&m.up),
        strategy: (m.meta.strategy != "direct").then(|| m.meta.strategy.clone()),
    }
}

/// After a command: delivers what is due within a few seconds, warning about what did not go through.
pub async fn deliver_after(ctx: &mut Context, n: &Notifier<'_>) {
    if !n.config.enabled || n.config.channels.is_empty() {
        return;
    }
    let Ok(registry) = ctx.registry() else {
        return;
    };
    match n.flush(registry, false, None, AFTER_COMMAND).await {
        Ok(done) => {
            for p in &done.problems {
                eprintln!("warning: notification: {p}");
            }
        }
        Err(e) => eprintln!(
            "warning: notifications were not delivered: {e:#} (`ai-shell notify flush` tries again)"
        ),
    }
}

fn info_of(ws: &Workspace, id: &str) -> Option<MigrationInfo> {
    ws.files.iter().find(|f| f.id() == id).map(migration_info)
}

/// `apply.started` for each migration about to run; a channel's required delivery that fails stops the run.
pub async fn started(
    ctx: &mut Context,
    n: &Notifier<'_>,
    files: &[&crate::migrations::MigrationFile],
) -> anyhow::Result<()> {
    if !n.wants("apply.started") {
        return Ok(());
    }
    for f in files {
        let statements = crate::executor::split(n.engine(), &f.up).len();
        n.emit_required(
            ctx.registry()?,
            NewEvent {
                event_type: "apply.started",
                migration: Some(migration_info(f)),
                summary: format!("{} is being applied ({statements} statements)", f.id()),
                data: serde_json::json!({ "statements": statements, "phases": null }),
            },
        )
        .await?;
    }
    Ok(())
}

/// `apply.succeeded` for each applied migration, and `apply.failed` for a failure (the migrations of the
/// run applied before it, among `starting`, are read back from the history).
pub(crate) async fn outcome(
    ws: &Workspace,
    n: &Notifier<'_>,
    starting: &[String],
    result: &Result<crate::executor::ApplyOutcome, crate::executor::ExecError>,
) {
    if result.is_err() && n.wants("apply.succeeded") {
        let recs = match n.db().session().await {
            Ok(mut s) => super::migrate::records(&mut s, &ws.history)
                .await
                .unwrap_or_default(),
            Err(_) => Default::default(),
        };
        for r in recs
            .values()
            .filter(|r| r.status == crate::history::Status::Applied && starting.contains(&r.name))
        {
            n.emit(
                NewEvent {
                    event_type: "apply.succeeded",
                    migration: info_of(ws, &r.name),
                    summary: format!("{} applied", r.name),
                    data: serde_json::json!({ "statements": r.statements_total, "duration_ms": r.duration_ms }),
                },
                None,
            )
            .await;
        }
    }
    match result {
        Ok(o) if !o.dry_run => {
            for a in &o.applied {
                n.emit(
                    NewEvent {
                        event_type: "apply.succeeded",
                        migration: info_of(ws, &a.id),
                        summary: format!(
                            "{} applied ({} statements, {} ms)",
                            a.id,
                            a.statements.len(),
                            a.duration_ms
                        ),
                        data: serde_json::json!({ "statements": a.statements.len(), "duration_ms": a.duration_ms }),
                    },
                    None,
                )
                .await;
            }
        }
        Err(crate::executor::ExecError::Failed {
            id,
            step,
            total,
            error,
            ..
        }) => {
            let sqlstate = error
                .split("(SQLSTATE ")
                .nth(1)
                .and_then(|r| r.get(..5))
                .map(str::to_string);
            // "executing SQL on URL: the engine's message (SQLSTATE x)"
            let message = error
                .strip_prefix("executing SQL on ")
                .and_then(|rest| rest.split_once(": "))
                .map_or(error.as_str(), |(_, m)| m)
                .to_string();
            n.emit(
                NewEvent {
                    event_type: "apply.failed",
                    migration: info_of(ws, id),
                    summary: format!("{id} failed at statement {step} of {total}: {message}"),
                    data: serde_json::json!({
                        "statement": step, "sqlstate": sqlstate, "code": null, "message": message,
                        "rolled_back": n.engine() != crate::connection::Engine::MySql,
                        "duration_ms": null,
                    }),
                },
                None,
            )
            .await;
        }
        _ => {}
    }
}

/// `rollback.completed` for each migration rolled back.
pub(crate) async fn rolled_back(
    ws: &Workspace,
    n: &Notifier<'_>,
    outcome: &crate::executor::RollbackOutcome,
) {
    for r in &outcome.rolled_back {
        n.emit(
            NewEvent {
                event_type: "rollback.completed",
                migration: info_of(ws, &r.id),
                summary: format!("{} rolled back ({} statements, {} ms)", r.id, r.statements.len(), r.duration_ms),
                data: serde_json::json!({ "statements": r.statements.len(), "duration_ms": r.duration_ms, "reason": null }),
            },
            None,
        )
        .await;
    }
}

/// Emits one event on a connection of its own and delivers what is due (for commands that closed theirs).
pub(crate) async fn emit_now(ctx: &mut Context, ws: &Workspace, event: NewEvent) {
    let config = &ws.project.notify;
    if !config.enabled || !config.channels.iter().any(|c| c.wants(event.event_type)) {
        return;
    }
    let db = match Database::connect(&ctx.global.database).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!(
                "warning: the {} notification was not recorded: {e}",
                event.event_type
            );
            return;
        }
    };
    let env = ctx.global.environment.clone();
    let n = Notifier::new(config, &db, ws.history.table(), env.as_deref());
    n.emit(event, None).await;
    deliver_after(ctx, &n).await;
    db.close().await;
}

/// The event for a policy override recorded in the history: `note` is the history note written for it.
pub(crate) fn override_event(ws: &Workspace, id: &str, note: &str) -> NewEvent {
    // "policy override: RULE (severity) allowed by WHO: REASON (checksum C)"
    let rest = note.strip_prefix("policy override: ").unwrap_or(note);
    let rule = rest
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let by = rest
        .split_once(" allowed by ")
        .map(|(_, r)| r.split(':').next().unwrap_or_default().to_string());
    let reason = rest.split_once(": ").map(|(_, r)| {
        r.rsplit_once(" (checksum")
            .map_or(r, |(x, _)| x)
            .to_string()
    });
    let kind = if note.contains("approval") {
        "approval"
    } else {
        "inline"
    };
    NewEvent {
        event_type: "override.used",
        migration: info_of(ws, id),
        summary: format!("{id}: policy rule {rule} overridden"),
        data: serde_json::json!({ "rule": rule, "reason": reason, "by": by, "statement": null, "kind": kind }),
    }
}
