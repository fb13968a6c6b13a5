//! `ai-shell backup create|list|restore|verify`, and the backups `migrate apply` and `rollback` take first
//! (`--backup-first`, `migrations.backup.auto`) or require (`migrations.safety.require-backup`).

use std::collections::BTreeMap;

use anyhow::Context as _;

use super::Context;
use super::migrate::{Workspace, confirm_typed, print_json, records};
use crate::backup::{self, Found, HistoryState, Store};
use crate::cli::BackupCommand;
use crate::connection::{Database, DatabaseUrl};
use crate::history::{Record, Status};

pub async fn run(ctx: &mut Context, cmd: BackupCommand) -> anyhow::Result<()> {
    match cmd {
        BackupCommand::Create { name, json } => create(ctx, name, json).await,
        BackupCommand::List { json } => list(ctx, json),
        BackupCommand::Restore {
            backup,
            to,
            allow_destructive,
            force,
            no_safety_backup,
        } => restore(ctx, &backup, to, allow_destructive, force, no_safety_backup).await,
        BackupCommand::Verify { backup, json } => verify(ctx, &backup, json).await,
    }
}

/// The backup folder of the project.
pub(crate) fn store(ws: &Workspace) -> Store {
    let dir = ws
        .project
        .backup
        .dir
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(".ai-shell").join("backups"));
    Store::new(dir)
}

/// The applied migrations of a history, in version order.
fn state(recs: &BTreeMap<u64, Record>) -> HistoryState {
    let applied: Vec<&Record> = recs
        .values()
        .filter(|r| r.status == Status::Applied)
        .collect();
    HistoryState {
        schema_version: applied.last().map(|r| r.version),
        applied: applied.iter().map(|r| r.name.clone()).collect(),
    }
}

/// Takes a backup of `db` named `name` (or a timestamped one), prunes old ones per the retention, and says so.
pub(crate) async fn take(
    ws: &Workspace,
    db: &Database,
    name: Option<String>,
    reason: &str,
    preceded: Vec<String>,
    quiet: bool,
) -> anyhow::Result<Found> {
    let mut s = db.session().await?;
    let recs = records(&mut s, &ws.history).await;
    drop(s);
    let recs = recs?;
    let store = store(ws);
    let name = name.unwrap_or_else(|| {
        store.unique_name(&backup::timestamped(if preceded.is_empty() {
            "backup"
        } else {
            "pre-migration"
        }))
    });
    let found = backup::create(
        db,
        &store,
        backup::Request {
            name,
            reason: reason.to_string(),
            preceded,
            history: state(&recs),
            url: db.url(),
        },
    )
    .await?;
    if !quiet {
        eprintln!(
            "✓ Backup created: {} ({}, {} tables, {} rows, {} ms)",
            found.file.display(),
            size_text(found.manifest.size),
            found.manifest.tables.len(),
            found.manifest.tables.values().sum::<u64>(),
            found.manifest.duration_ms
        );
    }
    if let Some(retention) = ws.project.backup_retention {
        match store.prune(&found.manifest.database, retention) {
            Ok(removed) if !removed.is_empty() && !quiet => eprintln!(
                "  Deleted {} backup(s) older than the retention ({}): {}",
                removed.len(),
                ws.project.backup.retention.as_deref().unwrap_or_default(),
                removed.join(", ")
            ),
            Ok(_) => {}
            Err(e) => eprintln!("warning: old backups could not be pruned: {e:#}"),
        }
    }
    Ok(found)
}

/// Before `action` changes the database: a backup when asked (`--backup-first`) or configured
/// (`backup.auto`); otherwise, when `safety.require-backup` is set, a fresh one must exist (taken at the
/// current history, within `backup.max-age`). Returns the backup's name, when there is one.
pub(crate) async fn before_change(
    ws: &Workspace,
    db: &Database,
    recs: &BTreeMap<u64, Record>,
    backup_first: bool,
    action: &str,
    preceded: Vec<String>,
) -> anyhow::Result<Option<String>> {
    if backup_first || ws.project.backup.auto == Some(true) {
        let found = take(ws, db, None, &format!("before {action}"), preceded, false)
            .await
            .with_context(|| {
                format!("{action} takes a backup first, and it failed: nothing was changed")
            })?;
        return Ok(Some(found.manifest.name));
    }
    if !ws.project.safety.requires_backup() {
        return Ok(None);
    }
    let now = state(recs);
    let database = db.url().redacted();
    let max_age = ws.project.backup_max_age;
    let fresh = store(ws).list()?.into_iter().rev().find(|f| {
        f.manifest.database == database
            && f.manifest.applied == now.applied
            && f.manifest.age().is_some_and(|a| a <= max_age)
    });
    match fresh {
        Some(f) => {
            eprintln!(
                "✓ Backup {} (taken {}) holds the database as it is now",
                f.manifest.name, f.manifest.created
            );
            Ok(Some(f.manifest.name))
        }
        None => anyhow::bail!(
            "{action} needs a fresh backup (migrations.safety.require-backup): none of {} was taken of this database at its current version within {}: nothing was changed\n\nTake one with `ai-shell backup create`, add --backup-first, or set `ai-shell config set migrations.backup.auto true`.",
            store(ws).dir.display(),
            humantime::format_duration(max_age)
        ),
    }
}

fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} kB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

async fn create(ctx: &mut Context, name: Option<String>, json: bool) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    if let Some(n) = &name {
        backup::check_name(n)?;
    }
    let db = Database::connect(&ctx.global.database).await?;
    let found = take(&ws, &db, name, "backup create", vec![], json).await;
    db.close().await;
    let found = found?;
    if json {
        return print_json(&found.manifest);
    }
    println!(
        "✓ Backup {} of {}",
        found.manifest.name, found.manifest.database
    );
    println!(
        "  File: {} ({})",
        found.file.display(),
        size_text(found.manifest.size)
    );
    println!("  sha256: {}", found.manifest.sha256);
    println!(
        "  Schema version: {}",
        found
            .manifest
            .schema_version
            .map(|v| v.to_string())
            .unwrap_or_else(|| "none (no migration applied)".into())
    );
    println!(
        "  Restore it with `ai-shell backup restore {}`; check it with `ai-shell backup verify {}`.",
        found.manifest.name, found.manifest.name
    );
    Ok(())
}

fn list(ctx: &mut Context, json: bool) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let store = store(&ws);
    let all = store.list()?;
    if json {
        let manifests: Vec<&backup::Manifest> = all.iter().map(|f| &f.manifest).collect();
        return print_json(&manifests);
    }
    if all.is_empty() {
        println!(
            "No backups in {}: take one with `ai-shell backup create`.",
            store.dir.display()
        );
        return Ok(());
    }
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header([
        "name", "created", "database", "version", "size", "rows", "reason",
    ]);
    for f in &all {
        let m = &f.manifest;
        t.add_row([
            m.name.clone(),
            m.created.clone(),
            m.database.clone(),
            m.schema_version
                .map(|v| v.to_string())
                .unwrap_or("-".into()),
            size_text(m.size),
            m.tables.values().sum::<u64>().to_string(),
            m.reason.clone(),
        ]);
    }
    println!("{t}");
    Ok(())
}

async fn verify(ctx: &mut Context, reference: &str, json: bool) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let found = store(&ws).find(reference)?;
    let url = DatabaseUrl::parse(&ctx.global.database)?;
    if url.engine().dialect_name() != found.manifest.engine {
        anyhow::bail!(
            "backup `{}` is of a {} database, and the target database is {}: a backup is verified by loading it on a server of its own engine\n\nPoint --database (or --env) at a {} server.",
            found.manifest.name,
            found.manifest.engine,
            url.engine().dialect_name(),
            found.manifest.engine
        );
    }
    let v = backup::verify(&found, &url).await?;
    if json {
        print_json(&serde_json::json!({
            "name": found.manifest.name,
            "ok": v.mismatches.is_empty(),
            "tables": v.tables,
            "rows": v.rows,
            "mismatches": v.mismatches.iter().map(|(t, r, g)| serde_json::json!({"table": t, "recorded": r, "found": g})).collect::<Vec<_>>(),
        }))?;
    } else {
        println!(
            "✓ Checksum of {} matches ({}, sha256 {})",
            found.file.display(),
            size_text(found.manifest.size),
            &found.manifest.sha256[..16]
        );
        println!(
            "✓ Loaded where nothing is kept: {} tables, {} rows",
            v.tables, v.rows
        );
        for (t, r, g) in &v.mismatches {
            let n = |x: &Option<u64>| x.map(|x| x.to_string()).unwrap_or("no table".into());
            println!("✗ {t}: {} rows recorded, {} found", n(r), n(g));
        }
    }
    if !v.mismatches.is_empty() {
        let note = if found.manifest.counts_exact {
            ""
        } else {
            " (MariaDB backups count rows just before the dump: writes in between explain small differences)"
        };
        if !json {
            eprintln!(
                "error: backup `{}` does not hold the rows recorded when it was taken{note}",
                found.manifest.name
            );
        }
        return Err(super::Exit(1).into());
    }
    if !json {
        println!("✓ Backup {} is complete", found.manifest.name);
    }
    Ok(())
}

async fn restore(
    ctx: &mut Context,
    reference: &str,
    to: Option<String>,
    allow_destructive: bool,
    force: bool,
    no_safety_backup: bool,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let ws = Workspace::load(ctx)?;
    let found = store(&ws).find(reference)?;
    // A damaged file is refused before anything is touched.
    backup::check_file(&found)?;
    let target = to.clone().unwrap_or_else(|| ctx.global.database.clone());
    let url = DatabaseUrl::parse(&target)?;
    if url.engine().dialect_name() != found.manifest.engine {
        anyhow::bail!(
            "backup `{}` is of a {} database and cannot be restored into {} ({}): nothing was changed",
            found.manifest.name,
            found.manifest.engine,
            url.redacted(),
            url.engine().dialect_name()
        );
    }
    let db = Database::connect(&target).await?;
    let seen = async {
        let mut s = db.session().await?;
        let recs = records(&mut s, &ws.history).await?;
        let rows = backup::count_rows(&mut s).await?;
        anyhow::Ok((recs, rows))
    }
    .await;
    let (recs, rows) = match seen {
        Ok(x) => x,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let now = state(&recs);
    let undone: Vec<&String> = now
        .applied
        .iter()
        .filter(|id| !found.manifest.applied.contains(id))
        .collect();
    let m = &found.manifest;
    println!(
        "Backup {}: taken {} of {}, schema version {}, {} tables, {} rows",
        m.name,
        m.created,
        m.database,
        m.schema_version
            .map(|v| v.to_string())
            .unwrap_or("none".into()),
        m.tables.len(),
        m.tables.values().sum::<u64>()
    );
    let at_stake: u64 = rows.values().sum();
    let mut warning = format!(
        "⚠ Restoring replaces everything in {} ({} tables, {} rows now):",
        url.redacted(),
        rows.len(),
        at_stake
    );
    for (t, n) in rows
        .iter()
        .filter(|(t, n)| **n > 0 && !ws.history.owns(t.rsplit('.').next().unwrap_or(t)))
        .take(20)
    {
        warning.push_str(&format!("\n  - {t}: {n} rows"));
    }
    if !undone.is_empty() {
        warning.push_str(&format!(
            "\n  Migrations applied after the backup are undone (the database goes back to version {}): {}",
            m.schema_version.map(|v| v.to_string()).unwrap_or("none".into()),
            undone.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    let has_content = !rows.is_empty();
    let consented = if !has_content {
        true
    } else if std::io::stdin().is_terminal() && !(allow_destructive && (force || undone.is_empty()))
    {
        confirm_typed(&warning)?
    } else if !allow_destructive {
        db.close().await;
        anyhow::bail!(
            "{warning}\nRefused: nothing was changed\n\nAdd --allow-destructive to replace it (a backup of what is there now is taken first, unless --no-safety-backup)."
        );
    } else if !undone.is_empty() && !force {
        db.close().await;
        anyhow::bail!(
            "{warning}\nRefused: the database is at a newer schema version than the backup: nothing was changed\n\nAdd --force as well to go back to the backup's version."
        );
    } else {
        true
    };
    if !consented {
        db.close().await;
        println!("Cancelled: nothing was changed.");
        return Ok(());
    }
    let safety = if has_content && !no_safety_backup {
        let taken = take(
            &ws,
            &db,
            Some(store(&ws).unique_name(&backup::timestamped("pre-restore"))),
            &format!("before backup restore {}", m.name),
            vec![],
            false,
        )
        .await;
        match taken {
            Ok(f) => Some(f),
            Err(e) => {
                db.close().await;
                return Err(e.context(
                    "the backup of what is there now failed, so nothing was restored (--no-safety-backup skips it)",
                ));
            }
        }
    } else {
        None
    };
    db.close().await;
    let restored = backup::restore(&found, &url, to.is_some()).await;
    if let Err(e) = restored {
        // PostgreSQL and SQLite restore in one transaction; MariaDB is put back from the safety backup.
        if url.engine() == crate::connection::Engine::MySql
            && let Some(safety) = &safety
        {
            let back = backup::restore(safety, &url, false).await;
            return Err(match back {
                Ok(()) => e.context(format!(
                    "the restore failed; the database was put back from {} as it was before",
                    safety.manifest.name
                )),
                Err(b) => e.context(format!(
                    "the restore failed, and putting back {} failed too ({b:#}): restore it with `ai-shell backup restore {} --allow-destructive`",
                    safety.manifest.name, safety.manifest.name
                )),
            });
        }
        return Err(e.context("the restore failed: nothing was changed"));
    }
    println!(
        "✓ Restored {} into {}: {} tables, {} rows",
        m.name,
        url.redacted(),
        m.tables.len(),
        m.tables.values().sum::<u64>()
    );
    println!(
        "✓ Schema version: {} (the history is the backup's)",
        m.schema_version
            .map(|v| v.to_string())
            .unwrap_or("none".into())
    );
    if let Some(s) = safety {
        println!(
            "  What was there before is in backup {} (`ai-shell backup restore {}` puts it back).",
            s.manifest.name, s.manifest.name
        );
    }
    Ok(())
}
