//! `migrate history`, `migrate info`, `migrate logs` and `migrate note`.

use std::path::PathBuf;

use anyhow::Context as _;

use super::{Workspace, open, print_json, records};
use crate::commands::Context;
use crate::executor::split;
use crate::history::Status;

pub async fn history(ctx: &mut Context, export: Option<PathBuf>, json: bool) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let (db, mut s) = open(ctx).await?;
    let recs = records(&mut s, &ws.history).await?;
    drop(s);
    db.close().await;
    let list: Vec<_> = recs.values().collect();
    if let Some(path) = &export {
        let text = serde_json::to_string_pretty(&serde_json::json!({ "migrations": list }))?;
        std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "✓ Exported {} history entries to {}",
            list.len(),
            path.display()
        );
    }
    if json {
        return print_json(&list);
    }
    println!("Migration History");
    println!();
    for r in &list {
        let mark = match r.status {
            Status::Applied => "✓",
            Status::RolledBack => "↩",
            Status::Running => "…",
            Status::Waiting => "⏸",
            Status::Failed | Status::RollingBack => "✗",
        };
        println!(
            "{mark} {} ({})",
            r.name,
            r.applied_at.as_deref().unwrap_or("-")
        );
        if let Some(d) = ws
            .files
            .iter()
            .find(|f| f.version == r.version)
            .and_then(|f| f.meta.description.as_ref())
        {
            println!("  {d}");
        }
        let status = match r.status {
            Status::Failed => format!(
                "Failed at statement {} of {}",
                r.statements_done + 1,
                r.statements_total
            ),
            other => other.as_str().replace('_', " "),
        };
        println!("  Status: {status}");
    }
    let version = recs
        .values()
        .filter(|r| r.status == Status::Applied)
        .map(|r| r.version)
        .max();
    let applied: Vec<u64> = recs
        .values()
        .filter(|r| r.status == Status::Applied)
        .map(|r| r.version)
        .collect();
    let pending = ws
        .files
        .iter()
        .filter(|f| !applied.contains(&f.version))
        .count();
    println!();
    println!(
        "Current Schema Version: {}",
        version
            .map(|v| v.to_string())
            .unwrap_or_else(|| "none".into())
    );
    println!("Pending Migrations: {pending}");
    Ok(())
}

pub async fn info(ctx: &mut Context, reference: &str, json: bool) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let (db, mut s) = open(ctx).await?;
    let recs = records(&mut s, &ws.history).await?;
    let engine = s.engine();
    drop(s);
    db.close().await;
    let version = ws.resolve(reference, &recs)?;
    let file = ws.files.iter().find(|f| f.version == version);
    let rec = recs.get(&version);
    let up = rec
        .map(|r| r.up_sql.clone())
        .or_else(|| file.map(|f| f.up.clone()))
        .unwrap_or_default();
    let rollback = match rec {
        Some(r) => {
            let mut usable = r.clone();
            if usable.down_sql.is_none() {
                usable.down_sql = file.and_then(|f| f.down.clone());
            }
            usable.rollback_availability()
        }
        None => match file.and_then(|f| f.down.as_deref()) {
            None => Err("it has no down section".to_string()),
            Some(d) if split(engine, d).is_empty() => {
                Err("its down section is empty (irreversible)".into())
            }
            Some(_) => Ok(()),
        },
    };
    if json {
        return print_json(&serde_json::json!({
            "id": file.map(|f| f.id()).or_else(|| rec.map(|r| r.name.clone())),
            "version": version,
            "description": file.and_then(|f| f.meta.description.clone()),
            "file": file.map(|f| f.display_name()),
            "history": rec,
            "statements": split(engine, &up),
            "rollback_available": rollback.is_ok(),
            "rollback_reason": rollback.err(),
        }));
    }
    println!("Migration Details");
    println!();
    println!(
        "ID: {}",
        file.map(|f| f.id())
            .or_else(|| rec.map(|r| r.name.clone()))
            .unwrap_or_default()
    );
    println!("Version: {version}");
    if let Some(d) = file.and_then(|f| f.meta.description.as_deref()) {
        println!("Description: {d}");
    }
    match rec {
        Some(r) => {
            println!("Status: {}", r.status.as_str().replace('_', " "));
            println!("Applied: {}", r.applied_at.as_deref().unwrap_or("-"));
            println!(
                "Duration: {}",
                r.duration_ms
                    .map(|d| format!("{d}ms"))
                    .unwrap_or_else(|| "-".into())
            );
            println!("Applied By: {}", r.applied_by.as_deref().unwrap_or("-"));
            if let Some(e) = &r.error {
                println!("Error: {e}");
            }
            if let Some(n) = &r.notes {
                println!("Notes: {n}");
            }
        }
        None => println!("Status: pending"),
    }
    println!();
    println!("SQL:");
    let mut up = up;
    if up.starts_with(crate::executor::NOT_STORED) {
        println!("  {}", up.trim().trim_start_matches("-- "));
        match (file, rec) {
            (Some(f), Some(r)) if crate::migrations::checksum::checksum(&f.up) == r.checksum => {
                println!("  (shown from its file, which has the checksum of what was applied)");
                up = f.up.clone();
            }
            _ => up.clear(),
        }
    }
    for statement in split(engine, &up) {
        println!("  {};", statement.replace('\n', "\n  "));
    }
    println!();
    match rollback {
        Ok(()) => println!("Rollback Available: Yes"),
        Err(why) => println!("Rollback Available: No ({why})"),
    }
    Ok(())
}

pub async fn logs(ctx: &mut Context, reference: &str, json: bool) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let (db, mut s) = open(ctx).await?;
    let recs = records(&mut s, &ws.history).await?;
    let version = ws.resolve(reference, &recs)?;
    let events = if recs.is_empty() {
        vec![]
    } else {
        ws.history.events(&mut s, version).await?
    };
    drop(s);
    db.close().await;
    if json {
        return print_json(&events);
    }
    if events.is_empty() {
        println!("No events recorded for migration {version}");
    }
    for e in events {
        println!("{} {:<18} {}", e.at, e.event, e.detail.unwrap_or_default());
    }
    Ok(())
}

pub async fn note(ctx: &mut Context, reference: &str, text: &str) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let (db, mut s) = open(ctx).await?;
    let recs = records(&mut s, &ws.history).await?;
    let version = ws.resolve(reference, &recs)?;
    if !ws.history.add_note(&mut s, version, text).await? {
        anyhow::bail!(
            "migration {version} is not in the history yet: notes attach to applied (or failed) migrations"
        );
    }
    ws.history.log(&mut s, version, "note", text).await?;
    drop(s);
    db.close().await;
    println!("✓ Note added to migration {version}");
    Ok(())
}
