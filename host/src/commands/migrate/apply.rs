//! `migrate apply` and `migrate retry`.

use std::collections::BTreeSet;

use super::{Workspace, print_json, records};
use crate::cli::RolloutArgs;
use crate::commands::Context;
use crate::connection::Database;
use crate::executor::{ApplyOptions, ApplyOutcome, Executor, Target};

fn version_text(v: Option<u64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "none".into())
}

/// What `migrate apply` was asked.
pub struct ApplyArgs {
    pub id: Option<String>,
    pub to_version: Option<u64>,
    pub dry_run: bool,
    pub accept_checksum: Vec<u64>,
    pub json: bool,
    pub rollout: RolloutArgs,
}

fn report(outcome: &ApplyOutcome, json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(outcome);
    }
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    if outcome.applied.is_empty() {
        println!(
            "✓ Nothing to apply: the database is up to date (version {})",
            version_text(outcome.version_after)
        );
        return Ok(());
    }
    for a in &outcome.applied {
        if outcome.dry_run {
            println!(
                "-- Would apply {} ({} statements)",
                a.id,
                a.statements.len()
            );
            for s in &a.statements {
                println!("{s};");
            }
            println!();
        } else if let Some(run) = &a.phased {
            super::phased::report_phased(&a.id, run);
        } else {
            let resumed = a
                .resumed_at_statement
                .map(|k| format!(", resumed at statement {k}"))
                .unwrap_or_default();
            println!(
                "✓ Applied {} ({} statements, {}ms{resumed})",
                a.id,
                a.statements.len(),
                a.duration_ms
            );
        }
    }
    if outcome.dry_run {
        println!("Dry run: nothing was changed.");
    } else {
        println!(
            "✓ Schema version: {} → {}",
            version_text(outcome.version_before),
            version_text(outcome.version_after)
        );
    }
    Ok(())
}

pub async fn apply(ctx: &mut Context, args: ApplyArgs) -> anyhow::Result<()> {
    let ApplyArgs {
        id,
        to_version,
        dry_run,
        accept_checksum,
        json,
        rollout,
    } = args;
    let ws = Workspace::load(ctx)?;
    let db = Database::connect(&ctx.global.database).await?;
    let target = match (&id, to_version) {
        (Some(reference), _) => {
            let mut s = db.session().await?;
            let recs = records(&mut s, &ws.history).await?;
            drop(s);
            Target::Only(ws.resolve(reference, &recs)?)
        }
        (None, Some(n)) => Target::UpTo(n),
        (None, None) => Target::All,
    };
    let mut executor = Executor::new(&db, &ws.history);
    executor.lock_timeout = ws.project.lock_timeout;
    let options = ApplyOptions {
        target,
        dry_run,
        accept_checksums: accept_checksum.into_iter().collect::<BTreeSet<_>>(),
        phases: super::phased::phase_options(ctx, &ws, &rollout, json),
    };
    let result = executor.apply(&ws.migrations(), &options).await;
    db.close().await;
    report(&result?, json)
}

pub async fn retry(
    ctx: &mut Context,
    reference: &str,
    json: bool,
    rollout: RolloutArgs,
) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let db = Database::connect(&ctx.global.database).await?;
    let mut s = db.session().await?;
    let recs = records(&mut s, &ws.history).await?;
    drop(s);
    let version = ws.resolve(reference, &recs)?;
    let mut executor = Executor::new(&db, &ws.history);
    executor.lock_timeout = ws.project.lock_timeout;
    let phases = super::phased::phase_options(ctx, &ws, &rollout, json);
    let result = executor.retry(&ws.migrations(), version, &phases).await;
    db.close().await;
    report(&result?, json)
}
