//! `migrate import`, `migrate baseline` and `migrate renumber`.

use std::collections::{HashMap, HashSet};

use super::{Workspace, confirm, open, records};
use crate::cli::ImportFrom;
use crate::commands::Context;
use crate::connection::Database;
use crate::executor::Executor;
use crate::migrations::directory::{
    MigrationDir, MigrationDirError, apply_renumber, renumber_plan_keeping,
};
use crate::migrations::import::{ImportLayout, import as import_folder};
use crate::project::Project;

pub fn import(ctx: &mut Context, from: ImportFrom, dir: &std::path::Path) -> anyhow::Result<()> {
    let cwd = std::env::current_dir()?;
    let project = Project::load(&cwd, ctx.global.migrations_dir.as_deref())?;
    let layout = match from {
        ImportFrom::Sqlx => ImportLayout::Sqlx,
        ImportFrom::Dbmate => ImportLayout::Dbmate,
        ImportFrom::GolangMigrate => ImportLayout::GolangMigrate,
        ImportFrom::Flyway => ImportLayout::Flyway,
    };
    std::fs::create_dir_all(&project.migrations_dir)?;
    let report = import_folder(layout, dir, &project.migrations_dir)?;
    for i in &report.imported {
        let sources: Vec<String> = i
            .sources
            .iter()
            .map(|p| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        println!("✓ {} → {}", sources.join(" + "), i.target.display());
    }
    for s in &report.skipped {
        eprintln!("skipped {}: {}", s.path.display(), s.reason);
    }
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "Imported {} {} migration(s) into {}",
        report.imported.len(),
        layout.name(),
        project.migrations_dir.display()
    );
    println!(
        "If the database already ran them with {}, record that with `ai-shell migrate baseline N`.",
        layout.name()
    );
    Ok(())
}

pub async fn baseline(ctx: &mut Context, version: u64) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let db = Database::connect(&ctx.global.database).await?;
    let terminal = super::terminal::Terminal::new(false);
    let mut executor = Executor::new(&db, &ws.history);
    executor.reporter = &terminal;
    executor.lock_timeout = ws.project.lock_timeout;
    let result = executor.baseline(&ws.migrations(), version).await;
    db.close().await;
    let marked = result?;
    println!(
        "✓ Baseline: the database is recorded at version {version} ({} migration(s) marked applied without running)",
        marked.len()
    );
    Ok(())
}

pub async fn renumber(ctx: &mut Context, yes: bool) -> anyhow::Result<()> {
    let cwd = std::env::current_dir()?;
    let project = Project::load(&cwd, ctx.global.migrations_dir.as_deref())?;
    let set = match MigrationDir::load(&project.migrations_dir) {
        Ok(_) => {
            println!("✓ No two migrations share a version: nothing to renumber");
            return Ok(());
        }
        Err(MigrationDirError::DuplicateVersions { set, .. }) => set,
        Err(e) => return Err(e.into()),
    };
    // Keep the file the history says was applied; move the others above everything known.
    let history = crate::history::History::new(&project.history_table)?;
    let (db, mut s) = open(ctx).await?;
    let recs = records(&mut s, &history).await?;
    drop(s);
    db.close().await;
    let applied: HashSet<u64> = recs.keys().copied().collect();
    let ids: HashMap<u64, String> = recs.values().map(|r| (r.version, r.name.clone())).collect();
    let plan = renumber_plan_keeping(&set, &applied, &ids);
    for (from, to) in &plan {
        eprintln!("  {} → {}", from.display(), to.display());
    }
    if !confirm(&format!("Renaming {} file(s).", plan.len()), yes)? {
        println!("Cancelled: nothing was renamed.");
        return Ok(());
    }
    apply_renumber(&plan)?;
    println!("✓ Renumbered {} migration(s)", plan.len());
    Ok(())
}
