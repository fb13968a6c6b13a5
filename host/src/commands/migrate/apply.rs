//! `migrate apply` and `migrate retry`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;

use super::{Workspace, print_json, records};
use crate::cli::RolloutArgs;
use crate::commands::Context;
use crate::executor::{ApplyOptions, ApplyOutcome, ExecError, Executor, Target};
use crate::history::Record;
use crate::policy::approval;

fn version_text(v: Option<u64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "none".into())
}

/// What `migrate apply` was asked.
pub struct ApplyArgs {
    pub id: Option<String>,
    pub to_version: Option<u64>,
    pub dry_run: bool,
    pub accept_checksum: Vec<u64>,
    pub allow_destructive: bool,
    pub with_retry: bool,
    pub backup_first: bool,
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
    if !outcome.losses.is_empty() {
        let verb = if outcome.dry_run {
            "would destroy"
        } else {
            "destroyed"
        };
        println!(
            "-- This run {verb} data that existed:\n{}",
            outcome.losses.lines()
        );
    }
    if outcome.dry_run {
        println!("Dry run: nothing was changed.");
    } else {
        println!(
            "✓ {}",
            super::version_change(outcome.version_before, outcome.version_after)
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
        allow_destructive,
        with_retry,
        backup_first,
        json,
        rollout,
    } = args;
    let ws = Workspace::load(ctx)?;
    let (db, dialect) = ctx.connect().await?;
    let mut s = db.session().await?;
    let recs = records(&mut s, &ws.history).await?;
    drop(s);
    let checked = folder_check(&ws, &recs).and_then(|()| match (&id, to_version) {
        (Some(reference), _) => Ok(Target::Only(ws.resolve(reference, &recs)?)),
        (None, Some(n)) => Ok(Target::UpTo(n)),
        (None, None) => Ok(Target::All),
    });
    let target = match checked {
        Ok(t) => t,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let (overrides, approved) = match policy_check(ctx, &ws, &db, &dialect, &recs, &target).await {
        Ok(o) => o,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let starting = starting(&ws, &recs, &target);
    if !dry_run && !starting.is_empty() {
        let ids: Vec<String> = starting.iter().map(|m| m.id()).collect();
        let checked = match super::safeguards::require_review(&ws, &starting, &approved) {
            Ok(()) => {
                crate::commands::backup::before_change(
                    &ws,
                    &db,
                    &recs,
                    backup_first,
                    "migrate apply",
                    ids,
                )
                .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = checked {
            db.close().await;
            return Err(e);
        }
    }
    let env = ctx.global.environment.clone();
    let notifier =
        crate::notify::Notifier::new(&ws.project.notify, &db, ws.history.table(), env.as_deref());
    if !dry_run && let Err(e) = crate::commands::notify::started(ctx, &notifier, &starting).await {
        db.close().await;
        return Err(e);
    }
    let terminal = super::terminal::Terminal::new(json);
    let mut executor = Executor::new(&db, &ws.history);
    executor.reporter = &terminal;
    executor.lock_timeout = ws.project.lock_timeout;
    executor.timeout = ws.project.timeout;
    executor.dialect = Some(&dialect);
    executor.allow_destructive = allow_destructive;
    let options = ApplyOptions {
        target,
        dry_run,
        accept_checksums: accept_checksum.into_iter().collect::<BTreeSet<_>>(),
        phases: super::phased::phase_options(ctx, &ws, &rollout),
    };
    let mut migrations = ws.migrations();
    // An approval that holds is also consent to the data its migration destroys.
    for m in &mut migrations {
        m.consented |= approved.contains(&m.id);
    }
    let mut result = executor.apply(&migrations, &options).await;
    // Nothing ran: at a terminal, show what is at stake and ask for a typed `yes`.
    if let Err(ExecError::Destructive(losses, _)) = &result
        && std::io::stdin().is_terminal()
        && !json
    {
        if super::consent_to_losses(losses, false, "This apply")? {
            executor.allow_destructive = true;
            result = executor.apply(&migrations, &options).await;
        } else {
            db.close().await;
            println!("Cancelled: nothing was changed.");
            return Ok(());
        }
    }
    if with_retry {
        result = retry_transient(&executor, &migrations, &options, result).await;
    }
    if let Ok(outcome) = &result
        && !outcome.dry_run
    {
        record_overrides(&db, &ws, outcome, &overrides).await;
        for (id, note) in overrides
            .iter()
            .filter(|(id, _)| outcome.applied.iter().any(|a| &a.id == id))
        {
            notifier
                .emit(crate::commands::notify::override_event(&ws, id, note), None)
                .await;
        }
        if let Some((_, id, phase, text)) = &outcome.waiting {
            let event = crate::notify::NewEvent {
                event_type: "gate.waiting",
                migration: ws
                    .files
                    .iter()
                    .find(|f| &f.id() == id)
                    .map(crate::commands::notify::migration_info),
                summary: format!("{id} waits at phase {phase}: {text}"),
                data: serde_json::json!({
                    "phase": phase, "text": text,
                    "command": format!("ai-shell migrate confirm {id}"),
                }),
            };
            notifier.emit(event, None).await;
        }
    }
    let ids: Vec<String> = starting.iter().map(|m| m.id()).collect();
    crate::commands::notify::outcome(&ws, &notifier, &ids, &result).await;
    crate::commands::notify::deliver_after(ctx, &notifier).await;
    db.close().await;
    report(&result?, json)
}

/// Writes each override that let an applied migration through into its history row's notes and its event
/// log: rule, who, reason and the checksum of the file it was given for.
async fn record_overrides(
    db: &crate::connection::Database,
    ws: &Workspace,
    outcome: &ApplyOutcome,
    overrides: &[(String, String)],
) {
    let Ok(mut s) = db.session().await else {
        return;
    };
    for (id, note) in overrides {
        if !outcome.applied.iter().any(|a| &a.id == id) {
            continue;
        }
        let Some(version) = ws.files.iter().find(|f| &f.id() == id).map(|f| f.version) else {
            continue;
        };
        let noted = ws.history.add_note(&mut s, version, note).await;
        let logged = ws
            .history
            .log(&mut s, version, "policy-override", note)
            .await;
        if let Err(e) = noted.and(logged) {
            eprintln!("warning: the policy override of {id} could not be recorded: {e}");
        }
    }
}

/// The migration files this run would start (not ones already applied, failed or running, which `retry`
/// continues).
fn starting<'a>(
    ws: &'a Workspace,
    recs: &BTreeMap<u64, Record>,
    target: &Target,
) -> Vec<&'a crate::migrations::MigrationFile> {
    ws.files
        .iter()
        .filter(|f| {
            recs.get(&f.version)
                .is_none_or(|r| r.status == crate::history::Status::RolledBack)
        })
        .filter(|f| match target {
            Target::All => !f.meta.draft,
            Target::Only(v) => f.version == *v,
            Target::UpTo(n) => f.version <= *n && !f.meta.draft,
        })
        .collect()
}

/// The policies on the migrations this run would start: findings shown, and an error-level one nothing
/// allows stops the run before anything is applied.
async fn policy_check(
    ctx: &mut Context,
    ws: &Workspace,
    db: &crate::connection::Database,
    dialect: &crate::plugins::DialectPlugin,
    recs: &BTreeMap<u64, Record>,
    target: &Target,
) -> anyhow::Result<(Vec<(String, String)>, Vec<String>)> {
    let pending = starting(ws, recs, target);
    if pending.is_empty() {
        return Ok((vec![], vec![]));
    }
    let policies = super::policy_gate::load(ctx, ws).await?;
    // The live schema is read only when an approval is involved (its fingerprint) or a rule needs it.
    let approvals_involved = pending.iter().any(|m| {
        !approval::of(m).is_empty() || approval::needed(m, policies.approvals(), true).is_some()
    });
    let before = if approvals_involved
        || pending
            .iter()
            .any(|m| super::policy_gate::reads_schema(&m.up))
    {
        Some(super::planning::live_schema(db, dialect, &ws.history).await?)
    } else {
        None
    };
    let mut subjects = super::policy_gate::check_files(
        ctx,
        ws,
        &policies,
        db.engine(),
        Some((db, before.as_ref())),
        &pending,
    )
    .await?;
    // Approvals first: one that holds may let its rules' findings through.
    let approved = match &before {
        Some(before) if approvals_involved => super::policy_gate::approvals(
            ctx,
            ws,
            &policies,
            db.engine(),
            before,
            &pending,
            &mut subjects,
        )?,
        _ => Default::default(),
    };
    let mut notes = approved.notes;
    if super::policy_gate::show(&subjects) {
        anyhow::bail!(super::policy_gate::blocked_message(
            &subjects,
            "nothing was applied."
        ));
    }
    let who = crate::history::record::current_user();
    for (m, subject) in pending.iter().zip(&subjects) {
        for r in subject.findings.iter().filter(|r| r.allowed.is_some()) {
            notes.push((
                m.id(),
                format!(
                    "policy override: {} ({}) allowed by {who}: {} (checksum {})",
                    r.finding.rule,
                    crate::policy::report::severity_word(r.finding.severity),
                    r.allowed.as_deref().unwrap_or_default(),
                    crate::migrations::checksum(&m.up)
                ),
            ));
        }
    }
    Ok((notes, approved.ids))
}

/// How often `--with-retry` runs a migration again after a transient failure.
const TRANSIENT_RETRIES: u32 = 5;

/// Whether a failure is worth running again as it is: a deadlock, a lock that was not granted in time, a
/// serialization failure, or SQLite's busy database.
fn transient(e: &ExecError) -> bool {
    let ExecError::Failed { error, .. } = e else {
        return false;
    };
    let text = error.to_ascii_lowercase();
    [
        "sqlstate 40001",
        "sqlstate 40p01",
        "sqlstate 55p03",
        "deadlock",
        "lock wait timeout",
        "database is locked",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

/// `--with-retry`: while the run failed on a transient error, waits (0.5 s, 1 s, 2 s...) and continues the
/// failed migration with `retry` (its committed statements are not run again), then the rest of the run.
async fn retry_transient(
    executor: &Executor<'_>,
    migrations: &[crate::executor::Migration],
    options: &ApplyOptions,
    mut result: Result<ApplyOutcome, ExecError>,
) -> Result<ApplyOutcome, ExecError> {
    let mut attempt = 0;
    while let Err(e) = &result {
        if !transient(e) || attempt >= TRANSIENT_RETRIES {
            break;
        }
        let ExecError::Failed { id, .. } = e else {
            break;
        };
        let Some(m) = migrations.iter().find(|m| &m.id == id) else {
            break;
        };
        attempt += 1;
        eprintln!(
            "warning: {id} failed on a transient error; retrying ({attempt}/{TRANSIENT_RETRIES})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500 << (attempt - 1))).await;
        result = match executor
            .retry(migrations, m.version, &options.phases, None)
            .await
        {
            Ok(_) => executor.apply(migrations, options).await,
            Err(e) => Err(e),
        };
    }
    result
}

/// A folder holding none of the applied migrations is refused when it has files (they would be applied out
/// of place); an empty one is only warned about (there is nothing to apply from it).
fn folder_check(ws: &Workspace, recs: &BTreeMap<u64, Record>) -> anyhow::Result<()> {
    if ws.files.is_empty() {
        if let Some(why) = ws.foreign_folder(recs) {
            eprintln!("warning: {why}");
        }
        return Ok(());
    }
    ws.check_folder(recs)
}

pub async fn retry(
    ctx: &mut Context,
    reference: &str,
    with_retry: bool,
    choice: Option<crate::executor::StatementChoice>,
    json: bool,
    rollout: RolloutArgs,
) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let (db, dialect) = ctx.connect().await?;
    let mut s = db.session().await?;
    let recs = records(&mut s, &ws.history).await?;
    drop(s);
    let version = ws.resolve(reference, &recs)?;
    let terminal = super::terminal::Terminal::new(json);
    let mut executor = Executor::new(&db, &ws.history);
    executor.reporter = &terminal;
    executor.lock_timeout = ws.project.lock_timeout;
    executor.timeout = ws.project.timeout;
    executor.dialect = Some(&dialect);
    let phases = super::phased::phase_options(ctx, &ws, &rollout);
    let migrations = ws.migrations();
    let mut result = executor.retry(&migrations, version, &phases, choice).await;
    let mut attempt = 0;
    while with_retry && attempt < TRANSIENT_RETRIES && result.as_ref().is_err_and(transient) {
        attempt += 1;
        eprintln!(
            "warning: the retry failed on a transient error; retrying ({attempt}/{TRANSIENT_RETRIES})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500 << (attempt - 1))).await;
        result = executor.retry(&migrations, version, &phases, choice).await;
    }
    db.close().await;
    report(&result?, json)
}

#[cfg(test)]
mod tests {
    use super::{ExecError, transient};

    fn failed(error: &str) -> ExecError {
        ExecError::Failed {
            id: "005_add_indexes".into(),
            step: 3,
            total: 5,
            error: error.into(),
            hint: String::new(),
        }
    }

    #[test]
    fn only_deadlocks_lock_timeouts_and_serialization_failures_are_retried() {
        for yes in [
            "Deadlock found when trying to get lock; try restarting transaction (SQLSTATE 40001)",
            "deadlock detected (SQLSTATE 40P01)",
            "canceling statement due to lock timeout (SQLSTATE 55P03)",
            "Lock wait timeout exceeded; try restarting transaction (SQLSTATE HY000)",
            "database is locked",
        ] {
            assert!(transient(&failed(yes)), "{yes}");
        }
        for no in [
            "relation \"x\" does not exist (SQLSTATE 42P01)",
            "Duplicate key name 'idx' (SQLSTATE 42000)",
        ] {
            assert!(!transient(&failed(no)), "{no}");
        }
        assert!(!transient(&ExecError::Refused("deadlock".into())));
    }
}
