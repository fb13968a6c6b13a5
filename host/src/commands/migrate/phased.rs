//! Phased (zero-downtime) migrations: turning the command line and the environment's settings into
//! rollout and phase options, and `migrate confirm`, `migrate cancel` and `migrate monitor`.

use std::time::Duration;

use serde::Serialize;

use super::{Workspace, print_json, records};
use crate::cli::RolloutArgs;
use crate::commands::Context;
use crate::connection::{Database, Engine};
use crate::executor::{ApplyOptions, Executor, PhaseOptions, PhasedEnd, Target};
use crate::history::{PhaseRecord, Record, Status};
use crate::rollout::{plan::Options as RolloutOptions, show};

/// When online strategies are used: the flag, else the environment's settings.
pub fn rollout_options(ctx: &Context, ws: &Workspace, args: &RolloutArgs) -> RolloutOptions {
    let env = ws.project.environment(ctx.global.environment.as_deref());
    let defaults = RolloutOptions::default();
    RolloutOptions {
        zero_downtime: args.zero_downtime || env.zero_downtime.unwrap_or(false),
        online_threshold_rows: env
            .online_threshold_rows
            .unwrap_or(defaults.online_threshold_rows),
    }
}

/// How phases run: the flags, else the environment's settings, else the defaults.
pub fn phase_options(ctx: &Context, ws: &Workspace, args: &RolloutArgs) -> PhaseOptions {
    let env = ws.project.environment(ctx.global.environment.as_deref());
    let defaults = PhaseOptions::default();
    PhaseOptions {
        batch_size: args
            .batch_size
            .or(env.batch_size)
            .unwrap_or(defaults.batch_size),
        lock_timeout: args
            .lock_timeout_ms
            .or(env.lock_timeout_ms)
            .map(Duration::from_millis)
            .unwrap_or(defaults.lock_timeout),
        max_rows_per_second: args.max_rows_per_second,
        max_replica_lag: Duration::from_millis(args.max_replica_lag_ms),
        replicas: if args.replicas.is_empty() {
            env.replicas.clone().unwrap_or_default()
        } else {
            args.replicas.clone()
        },
        confirm_gates: args.confirm_gates,
        auto_rollback: args.auto_rollback_on_error,
        monitor: args.monitor_performance,
        protect_plain: args.zero_downtime || env.zero_downtime.unwrap_or(false),
        ..defaults
    }
}

/// Prints how a phased migration's run ended (the phase lines were printed while it ran).
pub fn report_phased(id: &str, run: &crate::executor::PhasedOutcome) {
    match &run.end {
        PhasedEnd::Applied => {
            println!("✓ Zero-downtime migration complete: {id}");
            println!("Total time: {}", show::duration(run.duration_ms));
        }
        PhasedEnd::Waiting { phase, question } => {
            println!("⏸ {id} waits at phase {phase}: {question}");
            println!("  When that is true, run `ai-shell migrate confirm {id}` to continue.");
        }
    }
    if let Some(m) = &run.monitor {
        println!(
            "Performance: {} samples; at most {} session(s) waiting for a lock at once; longest lock wait seen {} ms",
            m.samples, m.max_blocked_sessions, m.longest_lock_wait_ms
        );
    }
}

/// `migrate confirm ID`: records the confirmation of the gate the migration waits at, and continues it.
pub async fn confirm(
    ctx: &mut Context,
    reference: &str,
    args: RolloutArgs,
    json: bool,
) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let db = Database::connect(&ctx.global.database).await?;
    let mut s = db.session().await?;
    let recs = records(&mut s, &ws.history).await?;
    let version = ws.resolve(reference, &recs)?;
    let record = recs.get(&version);
    if record.map(|r| r.status) != Some(Status::Waiting) {
        drop(s);
        db.close().await;
        anyhow::bail!(
            "migration {reference} is not waiting for a confirmation ({})\n\nSee `ai-shell migrate status`.",
            record.map(|r| r.status.as_str()).unwrap_or("never applied")
        );
    }
    let phase = record.map(|r| r.statements_done + 1).unwrap_or(1);
    let mut row = ws
        .history
        .phases(&mut s, version)
        .await?
        .into_iter()
        .find(|p| p.phase == phase)
        .ok_or_else(|| anyhow::anyhow!("no progress row for phase {phase} of {reference}"))?;
    row.status = crate::history::PhaseStatus::Confirmed;
    row.detail = Some(format!(
        "confirmed by {} with `migrate confirm`",
        crate::history::record::current_user()
    ));
    row.updated_at = Some(crate::history::record::now());
    ws.history.put_phase(&mut s, &row).await?;
    ws.history
        .log(&mut s, version, "confirmed", &format!("phase {phase}"))
        .await?;
    drop(s);
    if !json {
        println!(
            "✓ Confirmed phase {phase} of {}; continuing.",
            record.map(|r| r.name.as_str()).unwrap_or(reference)
        );
    }
    let terminal = super::terminal::Terminal::new(json);
    let mut executor = Executor::new(&db, &ws.history);
    executor.reporter = &terminal;
    executor.lock_timeout = ws.project.lock_timeout;
    executor.timeout = ws.project.timeout;
    let options = ApplyOptions {
        target: Target::Only(version),
        dry_run: false,
        accept_checksums: Default::default(),
        phases: phase_options(ctx, &ws, &args),
    };
    let result = executor.apply(&ws.migrations(), &options).await;
    db.close().await;
    let outcome = result?;
    if json {
        return print_json(&outcome);
    }
    for a in &outcome.applied {
        if let Some(run) = &a.phased {
            report_phased(&a.id, run);
        }
    }
    Ok(())
}

/// `migrate cancel ID`: flags the run and interrupts the statement it is executing.
pub async fn cancel(ctx: &mut Context, reference: &str) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let db = Database::connect(&ctx.global.database).await?;
    let mut s = db.session().await?;
    let recs = records(&mut s, &ws.history).await?;
    let version = ws.resolve(reference, &recs)?;
    if recs.get(&version).map(|r| r.status) != Some(Status::Running) {
        drop(s);
        db.close().await;
        anyhow::bail!(
            "migration {reference} is not running: nothing to cancel\n\nSee `ai-shell migrate status`."
        );
    }
    ws.history.request_cancel(&mut s, version).await?;
    let running = ws
        .history
        .phases(&mut s, version)
        .await?
        .into_iter()
        .find(|p| p.status == crate::history::PhaseStatus::Running);
    if let Some(id) = running.as_ref().and_then(|p| p.connection_id) {
        let interrupt = match s.engine() {
            Engine::Postgres => format!("SELECT pg_cancel_backend({id})"),
            Engine::MySql => format!("KILL QUERY {id}"),
            Engine::Sqlite => String::new(),
        };
        if !interrupt.is_empty() {
            // The statement may have finished meanwhile; the flag alone then stops the run.
            let _ = s.execute_script(&interrupt).await;
        }
    }
    ws.history
        .log(&mut s, version, "cancel-requested", "by `migrate cancel`")
        .await?;
    drop(s);
    db.close().await;
    println!(
        "✓ Asked the run of {reference} to stop{}. It records where it stopped; `ai-shell migrate retry {reference}` resumes, `ai-shell migrate rollback {reference}` undoes.",
        running
            .map(|p| format!(" (phase {} {})", p.phase, p.name))
            .unwrap_or_default()
    );
    Ok(())
}

#[derive(Serialize)]
struct MonitorState<'a> {
    record: &'a Record,
    phases: &'a [PhaseRecord],
}

/// `migrate monitor ID`: the migration's phases and progress, refreshed until it stops running.
pub async fn monitor(
    ctx: &mut Context,
    reference: &str,
    once: bool,
    json: bool,
) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let db = Database::connect(&ctx.global.database).await?;
    let mut last = String::new();
    loop {
        let mut s = db.session().await?;
        let recs = records(&mut s, &ws.history).await?;
        let version = ws.resolve(reference, &recs)?;
        let Some(record) = recs.get(&version) else {
            anyhow::bail!("migration {reference} has not started: nothing to monitor");
        };
        let phases = ws.history.phases(&mut s, version).await?;
        drop(s);
        if json {
            print_json(&MonitorState {
                record,
                phases: &phases,
            })?;
        } else {
            let text = describe(record, &phases);
            if text != last {
                print!("{text}");
                last = text;
            }
        }
        if once || json || record.status != Status::Running {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    db.close().await;
    Ok(())
}

fn describe(record: &Record, phases: &[PhaseRecord]) -> String {
    let mut out = format!(
        "{}: {} (phase {} of {})\n",
        record.name,
        record.status.as_str(),
        (record.statements_done + 1).min(record.statements_total.max(1)),
        record.statements_total
    );
    for p in phases {
        let progress = match (p.rows_total, p.checkpoint) {
            (Some(total), _) if total > 0 => format!(
                ", {} of ~{total} rows ({}%)",
                p.rows_done,
                (p.rows_done * 100 / total).min(100)
            ),
            _ => String::new(),
        };
        out.push_str(&format!(
            "  phase {} {}: {}{progress}{}\n",
            p.phase,
            p.name,
            p.status.as_str(),
            p.detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ));
    }
    out
}
