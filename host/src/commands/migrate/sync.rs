//! `migrate sync-plan ENV --from ENV2` and `migrate sync ENV --from ENV2` (Use Case 5): apply to ENV, in order,
//! the migrations ENV2 has applied and ENV has not (from the migration files, or from the SQL ENV2's history
//! stored when a file is missing), then compare the two schemas: a difference the migrations do not explain
//! is reported, never fixed.

use anyhow::Context as _;
use serde::Serialize;

use super::{Workspace, print_json, records_at};
use crate::commands::Context;
use crate::connection::Database;
use crate::executor::{ApplyOptions, Executor, Migration, NOT_STORED, Target};
use crate::history::Status;

/// A migration the sync applies, and where its SQL comes from.
#[derive(Debug, Serialize)]
struct Step {
    version: u64,
    id: String,
    /// `file` or `history` (the SQL ENV2 recorded, its file being gone).
    source: &'static str,
    #[serde(skip)]
    migration: Migration,
}

#[derive(Debug, Serialize)]
struct Plan {
    to: String,
    from: String,
    steps: Vec<Step>,
    /// Migrations ENV has applied that ENV2 has not: a sync only adds, so they stay.
    only_in_target: Vec<String>,
}

fn url_of(ws: &Workspace, env: &str) -> anyhow::Result<String> {
    Ok(ws
        .project
        .resolve_database(None, Some(env), |v| std::env::var(v).ok())?
        .0)
}

async fn plan(ws: &Workspace, to: &str, from: &str) -> anyhow::Result<Plan> {
    if to == from {
        anyhow::bail!("`{to}` cannot be synced from itself: name two environments");
    }
    let target = records_at(&url_of(ws, to)?, &ws.history)
        .await
        .with_context(|| format!("reading the history of `{to}`"))?;
    let source = records_at(&url_of(ws, from)?, &ws.history)
        .await
        .with_context(|| format!("reading the history of `{from}`"))?;
    let files = ws.migrations();
    let mut steps = vec![];
    for r in source.values().filter(|r| r.status == Status::Applied) {
        if target
            .get(&r.version)
            .is_some_and(|t| t.status == Status::Applied)
        {
            if let Some(t) = target.get(&r.version)
                && t.checksum != r.checksum
            {
                anyhow::bail!(
                    "version {} is `{}` in `{to}` and `{}` in `{from}`, with different SQL: the environments disagree on what that version is\n\nNothing was changed. Compare them with `ai-shell schema diff {from} {to}`.",
                    r.version,
                    t.name,
                    r.name
                );
            }
            continue;
        }
        if let Some(t) = target.get(&r.version)
            && t.status != Status::RolledBack
        {
            anyhow::bail!(
                "`{to}` has migration {} {} ({}): finish or roll it back there before syncing",
                t.name,
                t.status.as_str().replace('_', " "),
                t.error
                    .as_deref()
                    .unwrap_or("see `ai-shell migrate status`")
            );
        }
        let step = match files.iter().find(|m| m.version == r.version) {
            Some(m) if m.checksum == r.checksum => Step {
                version: r.version,
                id: m.id.clone(),
                source: "file",
                migration: m.clone(),
            },
            Some(m) => anyhow::bail!(
                "the file of {} ({}) is not what `{from}` applied (checksum {} there, {} in the file)\n\nNothing was changed. Restore the file as applied, or sync from an environment that applied this file.",
                r.name,
                m.id,
                &r.checksum[..12.min(r.checksum.len())],
                &m.checksum[..12.min(m.checksum.len())]
            ),
            None if r.up_sql.starts_with(NOT_STORED)
                || crate::rollout::file::is_phased(&r.up_sql) =>
            {
                anyhow::bail!(
                    "{} has no file in the migrations folder, and `{from}`'s history cannot replay it (its SQL was not stored, or it was applied in phases)\n\nRestore its file, then sync again.",
                    r.name
                )
            }
            None => Step {
                version: r.version,
                id: r.name.clone(),
                source: "history",
                migration: Migration {
                    version: r.version,
                    id: r.name.clone(),
                    up: r.up_sql.clone(),
                    down: r.down_sql.clone(),
                    checksum: r.checksum.clone(),
                    transactional: r.transactional,
                    draft: false,
                    consented: false,
                },
            },
        };
        steps.push(step);
    }
    let only_in_target = target
        .values()
        .filter(|t| t.status == Status::Applied)
        .filter(|t| {
            source
                .get(&t.version)
                .is_none_or(|r| r.status != Status::Applied)
        })
        .map(|t| t.name.clone())
        .collect();
    Ok(Plan {
        to: to.to_string(),
        from: from.to_string(),
        steps,
        only_in_target,
    })
}

fn show(plan: &Plan) {
    if plan.steps.is_empty() {
        println!(
            "✓ `{}` has every migration `{}` has applied: nothing to sync",
            plan.to, plan.from
        );
    } else {
        println!(
            "Sync plan for `{}` from `{}`: {} migration(s), in order",
            plan.to,
            plan.from,
            plan.steps.len()
        );
        for s in &plan.steps {
            println!("  {} (from its {})", s.id, s.source);
        }
    }
    for name in &plan.only_in_target {
        println!(
            "  note: `{}` has applied {name}, which `{}` has not: a sync only adds, it stays",
            plan.to, plan.from
        );
    }
}

/// `migrate sync-plan ENV --from ENV2`.
pub async fn sync_plan(ctx: &mut Context, to: &str, from: &str, json: bool) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let plan = plan(&ws, to, from).await?;
    if json {
        return print_json(&plan);
    }
    show(&plan);
    Ok(())
}

/// `migrate sync ENV --from ENV2`.
pub async fn sync(
    ctx: &mut Context,
    to: &str,
    from: &str,
    allow_destructive: bool,
    json: bool,
) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let plan = plan(&ws, to, from).await?;
    if !json {
        show(&plan);
    }
    let target_url = url_of(&ws, to)?;
    if !plan.steps.is_empty() {
        let db = Database::connect(&target_url).await?;
        let dialect = ctx.registry()?.dialect_for(db.url()).await?;
        let terminal = super::terminal::Terminal::new(json);
        let mut executor = Executor::new(&db, &ws.history);
        executor.reporter = &terminal;
        executor.lock_timeout = ws.project.lock_timeout;
        executor.timeout = ws.project.timeout;
        executor.dialect = Some(&dialect);
        executor.allow_destructive = allow_destructive;
        let migrations: Vec<Migration> = plan.steps.iter().map(|s| s.migration.clone()).collect();
        let result = executor
            .apply(
                &migrations,
                &ApplyOptions {
                    target: Target::All,
                    dry_run: false,
                    accept_checksums: Default::default(),
                    phases: crate::executor::PhaseOptions::default(),
                },
            )
            .await;
        db.close().await;
        let outcome = result?;
        if !json {
            for a in &outcome.applied {
                println!("✓ Applied {} to `{to}`", a.id);
            }
        }
    }
    // The two schemas, now that `to` has what `from` has.
    let source = Database::connect(&url_of(&ws, from)?).await?;
    let target = Database::connect(&target_url).await?;
    let dialect = ctx.registry()?.dialect_for(target.url()).await?;
    let compared = async {
        let a = crate::commands::schema::introspect(&target, &dialect, Some(&ws.history)).await?;
        let b = crate::commands::schema::introspect(&source, &dialect, Some(&ws.history)).await?;
        anyhow::Ok(crate::diff::diff(&a, &b, &Default::default()))
    }
    .await;
    source.close().await;
    target.close().await;
    let d = compared?;
    if json {
        return print_json(&serde_json::json!({
            "plan": plan,
            "schemas_equal": d.is_empty(),
            "differences": d.changes.iter().map(crate::changes::describe::describe).chain(d.unsupported.iter().cloned()).collect::<Vec<_>>(),
        }));
    }
    if d.is_empty() {
        println!("✓ `{to}`'s schema now equals `{from}`'s");
        return Ok(());
    }
    let lines: Vec<String> = d
        .changes
        .iter()
        .map(crate::changes::describe::describe)
        .chain(d.unsupported.iter().cloned())
        .collect();
    anyhow::bail!(
        "`{to}` has every migration `{from}` has, but their schemas still differ; the migrations do not explain:\n  - {}\n\nNothing was changed to hide it. See `ai-shell schema diff {to} {from}`.",
        lines.join("\n  - ")
    )
}
