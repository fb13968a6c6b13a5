//! `migrate rollback` and `migrate rollback-status`.

use super::{Workspace, confirm, consent_to_losses, open, print_json, records};
use crate::commands::Context;
use crate::executor::{Executor, RollbackOptions, RollbackTarget};

/// What `migrate rollback` was asked.
pub struct RollbackArgs {
    pub id: Option<String>,
    pub to_version: Option<u64>,
    pub dry_run: bool,
    pub yes: bool,
    pub allow_destructive: bool,
    pub cascade: bool,
    pub down_from_file: bool,
    pub backup_first: bool,
    pub json: bool,
}

pub async fn rollback(ctx: &mut Context, args: RollbackArgs) -> anyhow::Result<()> {
    let RollbackArgs {
        id,
        to_version,
        dry_run,
        yes,
        allow_destructive,
        cascade,
        down_from_file,
        backup_first,
        json,
    } = args;
    let ws = Workspace::load(ctx)?;
    let (db, dialect) = ctx.connect().await?;
    let mut s = db.session().await?;
    let recs = records(&mut s, &ws.history).await?;
    drop(s);
    let target = match (&id, to_version) {
        (Some(r), _) => RollbackTarget::Only(ws.resolve(r, &recs)?),
        (None, Some(n)) => RollbackTarget::ToVersion(n),
        (None, None) => RollbackTarget::Last,
    };
    let terminal = super::terminal::Terminal::new(json);
    let mut executor = Executor::new(&db, &ws.history);
    executor.reporter = &terminal;
    executor.lock_timeout = ws.project.lock_timeout;
    executor.dialect = Some(&dialect);
    let migrations = ws.migrations();
    // Always preview first: the confirmation shows exactly what will run and what it destroys.
    let preview = executor
        .rollback(
            &migrations,
            &RollbackOptions {
                target,
                dry_run: true,
                cascade,
                down_from_file,
            },
        )
        .await;
    let preview = match preview {
        Ok(p) => p,
        Err(e) => {
            db.close().await;
            return Err(e.into());
        }
    };
    if preview.rolled_back.is_empty() {
        db.close().await;
        if json {
            return print_json(&preview);
        }
        println!("Nothing to roll back.");
        return Ok(());
    }
    if dry_run {
        db.close().await;
        if json {
            return print_json(&preview);
        }
        for r in &preview.rolled_back {
            println!(
                "-- Would roll back {} ({} statements)",
                r.id,
                r.statements.len()
            );
            for s in &r.statements {
                println!("{s};");
            }
            println!();
        }
        if !preview.losses.is_empty() {
            println!(
                "-- It would destroy data that exists (needs --allow-destructive):\n{}",
                preview.losses.lines()
            );
        }
        println!("Dry run: nothing was changed.");
        return Ok(());
    }
    if !json {
        eprintln!(
            "⚠️  Rolling back {} migration(s):",
            preview.rolled_back.len()
        );
        for r in &preview.rolled_back {
            eprintln!("  - {}", r.id);
            for s in &r.statements {
                eprintln!("      {s}");
            }
        }
    }
    let consented = if preview.losses.is_empty() {
        confirm("This changes the schema.", yes)
    } else {
        consent_to_losses(&preview.losses, allow_destructive, "This rollback")
    };
    let consented = match consented {
        Ok(c) => c,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    if !consented {
        db.close().await;
        println!("Cancelled: nothing was changed.");
        return Ok(());
    }
    let ids: Vec<String> = preview.rolled_back.iter().map(|r| r.id.clone()).collect();
    if let Err(e) = crate::commands::backup::before_change(
        &ws,
        &db,
        &recs,
        backup_first,
        "migrate rollback",
        ids,
    )
    .await
    {
        db.close().await;
        return Err(e);
    }
    executor.allow_destructive = true;
    let result = executor
        .rollback(
            &migrations,
            &RollbackOptions {
                target,
                dry_run: false,
                cascade,
                down_from_file,
            },
        )
        .await;
    if let Ok(outcome) = &result {
        let env = ctx.global.environment.clone();
        let notifier = crate::notify::Notifier::new(
            &ws.project.notify,
            &db,
            ws.history.table(),
            env.as_deref(),
        );
        crate::commands::notify::rolled_back(&ws, &notifier, outcome).await;
        crate::commands::notify::deliver_after(ctx, &notifier).await;
    }
    db.close().await;
    let outcome = result?;
    if json {
        return print_json(&outcome);
    }
    for r in &outcome.rolled_back {
        println!("✓ Rolled back {} ({}ms)", r.id, r.duration_ms);
    }
    println!(
        "✓ {}",
        super::version_change(outcome.version_before, outcome.version_after)
    );
    Ok(())
}

pub async fn status(ctx: &mut Context, reference: &str, json: bool) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let (db, mut s) = open(ctx).await?;
    let recs = records(&mut s, &ws.history).await?;
    let engine = s.engine();
    drop(s);
    db.close().await;
    let version = ws.resolve(reference, &recs)?;
    let file = ws.files.iter().find(|f| f.version == version);
    let (available, reason, statements) = match recs.get(&version) {
        None => (false, "it has not been applied".to_string(), vec![]),
        Some(r) => {
            let mut usable = r.clone();
            let from_file =
                usable.down_sql.is_none() && file.and_then(|f| f.down.as_ref()).is_some();
            if usable.down_sql.is_none() {
                usable.down_sql = file.and_then(|f| f.down.clone());
            }
            let later = crate::executor::dependents(engine, r, &recs);
            match usable.rollback_availability() {
                Err(why) => (false, why, vec![]),
                Ok(()) if !later.is_empty() => {
                    let list: Vec<String> = later
                        .iter()
                        .map(|(d, what)| format!("{} (uses {what})", d.name))
                        .collect();
                    (
                        false,
                        format!(
                            "later applied migrations use what it created: {}; `ai-shell migrate rollback {} --cascade` rolls them back first",
                            list.join(", "),
                            r.name
                        ),
                        vec![],
                    )
                }
                Ok(()) => match crate::executor::undo_statements(
                    engine,
                    r,
                    usable.down_sql.as_deref().unwrap_or(""),
                ) {
                    Err(why) => (false, why, vec![]),
                    Ok(stmts) => (
                        true,
                        if from_file {
                            "the history has no down SQL, so the file's down section will be used"
                                .into()
                        } else {
                            "the down SQL recorded when it was applied will be used".into()
                        },
                        stmts,
                    ),
                },
            }
        }
    };
    if json {
        return print_json(&serde_json::json!({
            "version": version,
            "available": available,
            "reason": reason,
            "statements": statements,
            "backup": if available { None } else { backup_before(&ws, version, &recs) },
        }));
    }
    if available {
        println!("Rollback of migration {version}: available ({reason})");
        for s in statements {
            println!("  {s};");
        }
    } else {
        println!("Rollback of migration {version}: not available, because {reason}");
        if let Some(name) = backup_before(&ws, version, &recs) {
            println!(
                "  A backup was taken before it: `ai-shell backup restore {name}` returns the database to that point (migrations applied since are undone too)."
            );
        }
    }
    Ok(())
}

/// The newest backup of this project taken before migration `version` was applied (one it preceded, or
/// one whose history does not have it yet while having everything before it).
fn backup_before(
    ws: &Workspace,
    version: u64,
    recs: &std::collections::BTreeMap<u64, crate::history::Record>,
) -> Option<String> {
    let id = recs.get(&version).map(|r| r.name.clone())?;
    let earlier: Vec<&String> = recs
        .values()
        .filter(|r| r.version < version && r.status == crate::history::Status::Applied)
        .map(|r| &r.name)
        .collect();
    crate::commands::backup::store(ws)
        .list()
        .ok()?
        .into_iter()
        .rev()
        .find(|f| {
            f.manifest.preceded.contains(&id)
                || (!f.manifest.applied.contains(&id)
                    && earlier.iter().all(|e| f.manifest.applied.contains(e)))
        })
        .map(|f| f.manifest.name)
}
