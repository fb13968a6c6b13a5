//! `migrate validate [ID]`: parse every file, compare checksums with the history, and trial-run the pending
//! migrations where nothing is kept (`executor::trial`: a rolled-back transaction on PostgreSQL and SQLite, a
//! scratch database on MySQL/MariaDB).

use serde::Serialize;

use super::{Workspace, print_json, records, to_migration};
use crate::commands::Context;
use crate::executor::{Executor, Trial, transaction_control, transactional_ddl};
use crate::history::Status;
use crate::migrations::split::unterminated;

#[derive(Debug, Serialize)]
struct Check {
    id: String,
    ok: bool,
    /// The server ran it (in a transaction rolled back, or in a scratch database).
    trial_run: bool,
    findings: Vec<String>,
    /// Asked about (every one, or the one named).
    #[serde(skip)]
    shown: bool,
}

pub async fn validate(ctx: &mut Context, id: Option<String>, json: bool) -> anyhow::Result<()> {
    let failed = check(ctx, id, json).await?;
    if failed > 0 {
        anyhow::bail!("{failed} migration(s) failed validation");
    }
    Ok(())
}

/// Validates and trial-runs (see the module documentation), prints the findings; returns how many failed.
pub async fn check(ctx: &mut Context, id: Option<String>, json: bool) -> anyhow::Result<usize> {
    let ws = Workspace::load(ctx)?;
    let (db, dialect) = ctx.connect().await?;
    let mut s = db.session().await?;
    let engine = s.engine();
    let recs = records(&mut s, &ws.history).await?;
    drop(s);
    let only = match &id {
        Some(r) => Some(ws.resolve(r, &recs)?),
        None => None,
    };
    let mut checks = vec![];
    let mut trial = vec![];
    // With an id, the pending migrations before it are trial-run first (it may build on them), not reported.
    for f in ws
        .files
        .iter()
        .filter(|f| only.is_none_or(|v| f.version <= v))
    {
        let m = to_migration(f);
        let mut findings: Vec<String> = vec![];
        let mut ok = true;
        for finding in crate::migrations::file::validate(f) {
            ok &= !finding.is_error();
            findings.push(finding.to_string());
        }
        for (section, sql) in [("up", Some(&m.up)), ("down", m.down.as_ref())] {
            if let Some(u) = sql.and_then(|sql| unterminated(sql, engine.into())) {
                ok = false;
                findings.push(format!("{section} section, {u}"));
            }
        }
        if let Some(statement) = transaction_control(engine, &m.up) {
            ok = false;
            findings.push(format!(
                "controls transactions itself (`{statement}`): remove it"
            ));
        }
        match recs.get(&f.version) {
            Some(r) if r.status == Status::Applied && r.checksum != m.checksum => {
                ok = false;
                findings.push(format!(
                    "edited after it was applied: checksum when applied {}, now {}",
                    r.checksum, m.checksum
                ));
            }
            Some(r) if r.status == Status::Applied => {
                if let Some(why) = down_edited(engine, r, &m) {
                    findings.push(why);
                }
            }
            _ if ok => trial.push((checks.len(), m)),
            _ => {}
        }
        checks.push(Check {
            id: f.id(),
            ok,
            trial_run: false,
            findings,
            shown: only.is_none_or(|v| v == f.version),
        });
    }

    // A trial run of everything pending, in order, where nothing is kept.
    if !trial.is_empty() {
        let terminal = super::terminal::Terminal::new(json);
        let mut executor = Executor::new(&db, &ws.history);
        executor.reporter = &terminal;
        executor.dialect = Some(&dialect);
        let migrations: Vec<_> = trial.iter().map(|(_, m)| m.clone()).collect();
        let results = executor.trial(&migrations).await;
        let results = match results {
            Ok(r) => r,
            Err(e) => {
                db.close().await;
                return Err(e.into());
            }
        };
        for ((index, _), result) in trial.iter().zip(results) {
            let check = &mut checks[*index];
            match result {
                Trial::Passed => check.trial_run = true,
                Trial::Failed(k, error) => {
                    check.ok = false;
                    check.trial_run = true;
                    check
                        .findings
                        .push(format!("trial run failed at statement {k}: {error}"));
                }
                Trial::Skipped(why) => check.findings.push(why),
                // `apply` would stop before it as well.
                Trial::Blocked(id) => {
                    check.ok = false;
                    check
                        .findings
                        .push(format!("{id} runs before it and fails: not trial-run"));
                }
            }
        }
    }
    db.close().await;
    let tried: Vec<String> = trial.iter().map(|(i, _)| checks[*i].id.clone()).collect();
    checks.retain(|c| c.shown);

    let failed = checks.iter().filter(|c| !c.ok).count();
    if json {
        print_json(&serde_json::json!({ "valid": failed == 0, "migrations": checks }))?;
    } else {
        for c in &checks {
            // ✓ only for what the server ran (or what was applied before); · for what was only parsed.
            let mark = match (c.ok, c.trial_run) {
                (false, _) => "✗",
                (true, true) => "✓",
                (true, false) if tried.contains(&c.id) => "·",
                (true, false) => "✓",
            };
            println!("{mark} {}", c.id);
            for f in &c.findings {
                println!("    {f}");
            }
        }
        if !trial.is_empty() {
            println!(
                "{}",
                if transactional_ddl(engine) {
                    "Pending migrations were trial-run in a transaction and rolled back."
                } else {
                    "Pending migrations were trial-run in a scratch database with the live schema (no rows), dropped afterwards."
                }
            );
        }
    }
    if failed == 0 && !json {
        println!("✓ {} migration(s) valid", checks.len());
    }
    Ok(failed)
}

/// When the down section of an applied migration's file is not the one recorded when it was applied: what
/// a rollback would then run, and how to use the file's instead.
pub fn down_edited(
    engine: crate::connection::Engine,
    r: &crate::history::Record,
    m: &crate::executor::Migration,
) -> Option<String> {
    let recorded = r.down_sql.as_deref()?;
    if recorded.starts_with(crate::executor::NOT_STORED) {
        return None;
    }
    let norm = |sql: &str| {
        crate::executor::split(engine, sql)
            .iter()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
    };
    (norm(recorded) != norm(m.down.as_deref().unwrap_or_default())).then(|| {
        format!(
            "its down section was edited after it was applied: `migrate rollback {v}` runs the recorded one; add --down-from-file to run the file's (see `ai-shell migrate info {v}`)",
            v = r.version
        )
    })
}
