//! `migrate status`, `migrate pending` and `schema version`.

use serde::Serialize;

use super::{Workspace, open, print_json, records, to_migration};
use crate::commands::Context;
use crate::history::Status;

/// One line of `migrate status`.
#[derive(Debug, Serialize)]
pub struct Line {
    pub version: u64,
    pub id: String,
    /// A file exists for it (a rolled-back migration without one cannot be applied again).
    #[serde(skip)]
    pub has_file: bool,
    /// applied, pending, draft (written, not accepted), renamed (pending, but an applied migration's
    /// statements under a new version), conflict (the file and the history disagree on the
    /// version's name), failed, running, rolled_back, changed (applied, file edited since), missing (applied,
    /// file gone).
    pub state: String,
    pub applied_at: Option<String>,
    pub detail: Option<String>,
}

/// Every migration known from the files or the history, with its state.
pub async fn lines(ctx: &Context) -> anyhow::Result<(Vec<Line>, bool)> {
    let ws = Workspace::load(ctx)?;
    let (db, mut s) = open(ctx).await?;
    let engine = s.engine();
    let initialized = ws.history.exists(&mut s).await?;
    let recs = records(&mut s, &ws.history).await?;
    drop(s);
    db.close().await;
    if let Some(why) = ws.foreign_folder(&recs) {
        eprintln!("warning: {why}");
    }
    let mut out = vec![];
    let mut versions: Vec<u64> = ws
        .files
        .iter()
        .map(|f| f.version)
        .chain(recs.keys().copied())
        .collect();
    versions.sort();
    versions.dedup();
    for v in versions {
        let file = ws.files.iter().find(|f| f.version == v);
        let rec = recs.get(&v);
        let id = file
            .map(|f| f.id())
            .or_else(|| rec.map(|r| r.name.clone()))
            .unwrap_or_default();
        let (state, detail) = match (file, rec) {
            (Some(f), None) if f.meta.draft => (
                "draft".to_string(),
                Some(format!(
                    "not accepted: `migrate apply` skips it (accept it with `ai-shell migrate review {} --accept`)",
                    f.id()
                )),
            ),
            (Some(f), None) => {
                let renamed = crate::executor::renamed_from(&to_migration(f), recs.values(), |v| {
                    ws.files.iter().any(|f| f.version == v)
                });
                match renamed {
                    Some(r) => (
                        "renamed".to_string(),
                        Some(format!(
                            "the same statements as applied {}, whose file is gone: rename it back to `{}.sql` (`migrate apply` refuses to run them twice)",
                            r.name, r.name
                        )),
                    ),
                    None => {
                        let awaiting = crate::policy::approval::needed(
                            f,
                            ws.project
                                .policy
                                .approvals_for(ctx.global.environment.as_deref()),
                            f.meta.destructive,
                        );
                        let sum = to_migration(f).checksum;
                        let approved = crate::policy::approval::of(f)
                            .iter()
                            .any(|a| a.checksum == sum);
                        match awaiting {
                            Some(why) if !approved => (
                                "pending".to_string(),
                                Some(format!(
                                    "awaiting approval ({why}): `ai-shell migrate approve {} --reason \"...\"`",
                                    f.id()
                                )),
                            ),
                            _ => ("pending".to_string(), None),
                        }
                    }
                }
            }
            (Some(f), Some(r)) if f.id() != r.name => (
                "conflict".into(),
                Some(format!(
                    "version {v} is `{}` in the history, but the file with that version is `{}`",
                    r.name,
                    f.id()
                )),
            ),
            (None, None) => unreachable!("listed from files or history"),
            (f, Some(r)) => match r.status {
                Status::Applied => match f {
                    Some(f) if to_migration(f).checksum != r.checksum => (
                        "changed".into(),
                        Some(format!(
                            "file edited since it was applied (checksum {} now {})",
                            &r.checksum[..12.min(r.checksum.len())],
                            &to_migration(f).checksum[..12]
                        )),
                    ),
                    Some(f) => (
                        "applied".into(),
                        super::validate::down_edited(engine, r, &to_migration(f)),
                    ),
                    None => (
                        "missing".into(),
                        Some("applied, but its file is gone".into()),
                    ),
                },
                Status::Failed => (
                    "failed".into(),
                    Some(format!(
                        "failed after {} of {} statements: {}",
                        r.statements_done,
                        r.statements_total,
                        r.error.clone().unwrap_or_default()
                    )),
                ),
                Status::Waiting => (
                    "waiting".into(),
                    Some(format!(
                        "phase {} of {}: {} (confirm with `ai-shell migrate confirm {v}`)",
                        r.statements_done + 1,
                        r.statements_total,
                        r.error.clone().unwrap_or_default()
                    )),
                ),
                Status::Running => (
                    "running".into(),
                    Some(format!(
                        "{} of {} statements recorded (a run is applying it, or died: the next apply resumes it)",
                        r.statements_done, r.statements_total
                    )),
                ),
                Status::RollingBack => (
                    "rolling_back".into(),
                    Some(format!(
                        "its rollback stopped before down statement {}{}: `ai-shell migrate rollback {v}` continues it",
                        r.statements_done + 1,
                        r.error
                            .as_deref()
                            .map(|e| format!(" ({e})"))
                            .unwrap_or_default()
                    )),
                ),
                Status::RolledBack if f.is_none() => (
                    "rolled_back".into(),
                    Some("its file is gone: nothing to apply again".into()),
                ),
                Status::RolledBack => ("rolled_back".into(), None),
            },
        };
        out.push(Line {
            version: v,
            has_file: file.is_some(),
            id,
            state,
            applied_at: rec.and_then(|r| r.applied_at.clone()),
            detail,
        });
    }
    Ok((out, initialized))
}

fn mark(state: &str) -> &'static str {
    match state {
        "applied" => "✓",
        "pending" => "·",
        "rolled_back" => "↩",
        "running" => "…",
        "waiting" => "⏸",
        "draft" => "✎",
        _ => "✗",
    }
}

pub async fn status(ctx: &mut Context, json: bool) -> anyhow::Result<()> {
    let (lines, initialized) = lines(ctx).await?;
    let version = lines
        .iter()
        .filter(|l| l.state == "applied" || l.state == "changed" || l.state == "missing")
        .map(|l| l.version)
        .max();
    let pending = lines
        .iter()
        .filter(|l| matches!(l.state.as_str(), "pending" | "rolled_back") && l.has_file)
        .count();
    if json {
        return print_json(&serde_json::json!({
            "initialized": initialized,
            "version": version,
            "pending": pending,
            "migrations": lines,
        }));
    }
    if !initialized {
        println!("Migration tracking: Not initialized (run `ai-shell migrate init`)");
    }
    for l in &lines {
        let at = l
            .applied_at
            .as_deref()
            .map(|a| format!(" ({a})"))
            .unwrap_or_default();
        println!("{} {} [{}]{at}", mark(&l.state), l.id, l.state);
        if let Some(d) = &l.detail {
            println!("    {d}");
        }
    }
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

pub async fn pending(ctx: &mut Context, json: bool) -> anyhow::Result<()> {
    let (lines, _) = lines(ctx).await?;
    let pending: Vec<&Line> = lines
        .iter()
        .filter(|l| {
            matches!(
                l.state.as_str(),
                "pending" | "rolled_back" | "failed" | "running" | "draft"
            ) && (l.has_file || !matches!(l.state.as_str(), "pending" | "rolled_back"))
        })
        .collect();
    if json {
        return print_json(&pending);
    }
    if pending.is_empty() {
        println!("✓ No pending migrations");
    }
    for l in pending {
        match l
            .detail
            .as_deref()
            .filter(|d| d.starts_with("awaiting approval"))
        {
            Some(d) => println!("{} {} [{}] {d}", mark(&l.state), l.id, l.state),
            None => println!("{} {} [{}]", mark(&l.state), l.id, l.state),
        }
    }
    Ok(())
}

/// `schema version`.
pub async fn schema_version(ctx: &mut Context, json: bool) -> anyhow::Result<()> {
    let (lines, initialized) = lines(ctx).await?;
    let applied: Vec<&Line> = lines
        .iter()
        .filter(|l| matches!(l.state.as_str(), "applied" | "changed" | "missing"))
        .collect();
    let version = applied.iter().map(|l| l.version).max();
    if json {
        return print_json(&serde_json::json!({
            "initialized": initialized,
            "version": version,
            "applied": applied.len(),
        }));
    }
    match (initialized, version) {
        (false, _) => println!("Not initialized"),
        (true, None) => println!("Version: none (no migration applied yet)"),
        (true, Some(v)) => {
            let id = applied
                .iter()
                .find(|l| l.version == v)
                .map(|l| l.id.clone())
                .unwrap_or_default();
            println!("Version: {v} ({id}; {} migrations applied)", applied.len());
        }
    }
    Ok(())
}
