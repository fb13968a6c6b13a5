//! `migrate validate [ID]`: parse every file, compare checksums with the history, and on engines with
//! transactional DDL (PostgreSQL, SQLite) run the pending migrations inside a transaction that is rolled back.

use serde::Serialize;

use super::{Workspace, open, print_json, records, to_migration};
use crate::commands::Context;
use crate::connection::Engine;
use crate::executor::{split, transaction_control, transactional_ddl};
use crate::history::Status;

#[derive(Debug, Serialize)]
struct Check {
    id: String,
    ok: bool,
    findings: Vec<String>,
}

pub async fn validate(ctx: &mut Context, id: Option<String>, json: bool) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let (db, mut s) = open(ctx).await?;
    let engine = s.engine();
    let recs = records(&mut s, &ws.history).await?;
    let only = match &id {
        Some(r) => Some(ws.resolve(r, &recs)?),
        None => None,
    };
    let mut checks = vec![];
    let mut trial = vec![];
    for f in ws
        .files
        .iter()
        .filter(|f| only.is_none_or(|v| v == f.version))
    {
        let m = to_migration(f);
        let mut findings: Vec<String> = vec![];
        let mut ok = true;
        for finding in crate::migrations::file::validate(f) {
            ok &= !finding.is_error();
            findings.push(finding.to_string());
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
            Some(r) if r.status == Status::Applied => {}
            _ => trial.push((checks.len(), m)),
        }
        checks.push(Check {
            id: f.id(),
            ok,
            findings,
        });
    }

    // A trial run: everything pending, in order, inside one transaction that is always rolled back.
    let can_trial = transactional_ddl(engine);
    if can_trial && !trial.is_empty() {
        let begin = if engine == Engine::Sqlite {
            "BEGIN IMMEDIATE"
        } else {
            "BEGIN"
        };
        // Table rebuilds turn foreign keys off around their transaction; the trial does the same around its own.
        let fk_off = engine == Engine::Sqlite
            && trial.iter().any(|(_, m)| {
                crate::executor::foreign_key_pragmas(engine, &split(engine, &m.up))
                    .0
                    .is_some()
            });
        if fk_off {
            s.execute_script("PRAGMA foreign_keys = OFF").await?;
        }
        s.execute_script(begin).await?;
        for (index, m) in &trial {
            if !m.transactional {
                checks[*index]
                    .findings
                    .push("runs outside a transaction: not trial-run".into());
                continue;
            }
            let (_, body, _) = crate::executor::foreign_key_pragmas(engine, &split(engine, &m.up));
            for (k, statement) in body.iter().enumerate() {
                if let Err(e) = s.execute_script(statement).await {
                    checks[*index].ok = false;
                    checks[*index]
                        .findings
                        .push(format!("trial run failed at statement {}: {e}", k + 1));
                    break;
                }
            }
            if !checks[*index].ok {
                break;
            }
        }
        s.execute_script("ROLLBACK").await?;
        if fk_off {
            s.execute_script("PRAGMA foreign_keys = ON").await?;
        }
    }
    drop(s);
    db.close().await;

    let failed = checks.iter().filter(|c| !c.ok).count();
    if json {
        print_json(
            &serde_json::json!({ "valid": failed == 0, "trial_run": can_trial, "migrations": checks }),
        )?;
    } else {
        for c in &checks {
            println!("{} {}", if c.ok { "✓" } else { "✗" }, c.id);
            for f in &c.findings {
                println!("    {f}");
            }
        }
        if !can_trial {
            println!(
                "(MySQL/MariaDB DDL cannot be rolled back: pending migrations were parsed, not trial-run)"
            );
        } else if !trial.is_empty() {
            println!("Pending migrations were trial-run in a transaction and rolled back.");
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} migration(s) failed validation");
    }
    if !json {
        println!("✓ {} migration(s) valid", checks.len());
    }
    Ok(())
}
