//! `migrate review ID`, `migrate edit ID` and `migrate preview [ID] --show-steps`: reading a migration
//! before it runs.

use anstream::println;
use anstyle::{AnsiColor, Style};
use serde::Serialize;

use super::{Workspace, open, print_json, records};
use crate::commands::Context;
use crate::connection::Engine;
use crate::history::Status;
use crate::migrations::checksum::checksum;
use crate::migrations::file::{self, MigrationFile, Rollback};
use crate::migrations::split;

const BOLD: Style = Style::new().bold();
const SQL: Style = AnsiColor::Cyan.on_default();
const DIM: Style = Style::new().dimmed();
const WARN: Style = AnsiColor::Yellow.on_default();

fn find<'a>(ws: &'a Workspace, reference: &str) -> anyhow::Result<&'a MigrationFile> {
    // Without a file, `resolve` explains why: a mistyped id names the migration that holds its number.
    ws.find_file(reference)
        .ok_or_else(|| match ws.resolve(reference, &Default::default()) {
            Err(why) => why,
            Ok(_) => anyhow::anyhow!("no migration file `{reference}`"),
        })
}

/// The state of a migration from the history, when the database can be reached.
async fn state(ctx: &Context, ws: &Workspace, version: u64) -> Option<String> {
    let (db, mut s) = open(ctx).await.ok()?;
    let recs = records(&mut s, &ws.history).await.ok()?;
    drop(s);
    db.close().await;
    Some(match recs.get(&version) {
        None => "pending".into(),
        Some(r) => match r.status {
            Status::Failed => format!(
                "failed ({})",
                r.error
                    .clone()
                    .unwrap_or_else(|| "no error recorded".into())
            ),
            other => other.as_str().to_string(),
        },
    })
}

#[derive(Serialize)]
struct ReviewJson<'a> {
    id: String,
    file: Option<String>,
    description: Option<&'a str>,
    created: Option<&'a str>,
    author: Option<&'a str>,
    strategy: &'a str,
    destructive: bool,
    transaction: bool,
    draft: bool,
    checksum: String,
    up: &'a str,
    down: Option<&'a str>,
    rollback: &'a str,
    findings: Vec<String>,
    /// What the policies report about the file (without a database: table sizes unknown).
    policy: Vec<crate::policy::Reported>,
    state: Option<String>,
}

pub async fn review(
    ctx: &mut Context,
    reference: &str,
    accept: bool,
    json: bool,
) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let f = find(&ws, reference)?;
    if accept {
        let Some(path) = &f.path else {
            anyhow::bail!("{} has no file to accept", f.id());
        };
        crate::migrations::directory::set_header_value(
            path,
            super::safeguards::REVIEWED,
            &super::safeguards::review_value(&f.up),
        )?;
        if f.meta.draft {
            crate::migrations::directory::set_draft(path, false)?;
        }
        println!(
            "✓ Accepted {} (reviewed by {}, bound to its up section's checksum): `ai-shell migrate apply` will run it.",
            f.id(),
            crate::history::record::current_user()
        );
        return Ok(());
    }
    let findings: Vec<String> = file::validate(f).iter().map(|x| x.to_string()).collect();
    let rollback = match f.rollback() {
        Rollback::Available => "available",
        Rollback::Irreversible => "irreversible (empty down section)",
        Rollback::Unavailable => "missing (no down section)",
    };
    let state = state(ctx, &ws, f.version).await;
    let engine = crate::connection::DatabaseUrl::parse(&ctx.global.database)
        .ok()
        .map(|u| u.engine());
    let policies = super::policy_gate::load(ctx, &ws).await?;
    let policy = super::policy_gate::check_files(
        ctx,
        &ws,
        &policies,
        engine.unwrap_or(Engine::Sqlite),
        None,
        &[f],
    )
    .await?
    .pop();
    if json {
        return print_json(&ReviewJson {
            id: f.id(),
            file: f.path.as_ref().map(|p| p.display().to_string()),
            description: f.meta.description.as_deref(),
            created: f.meta.created.as_deref(),
            author: f.meta.author.as_deref(),
            strategy: &f.meta.strategy,
            destructive: f.meta.destructive,
            transaction: f.meta.transaction,
            draft: f.meta.draft,
            checksum: checksum(&f.up),
            up: &f.up,
            down: f.down.as_deref(),
            rollback,
            findings,
            policy: policy.map(|p| p.findings).unwrap_or_default(),
            state,
        });
    }
    println!("{BOLD}Migration {}{BOLD:#}", f.id());
    if let Some(p) = &f.path {
        println!("  File: {}", p.display());
    }
    let field = |name: &str, value: Option<&str>| {
        if let Some(v) = value {
            println!("  {name}: {v}");
        }
    };
    field("Description", f.meta.description.as_deref());
    field("Created", f.meta.created.as_deref());
    field("Author", f.meta.author.as_deref());
    println!("  Strategy: {}", f.meta.strategy);
    println!(
        "  Destructive: {}",
        if f.meta.destructive { "yes" } else { "no" }
    );
    println!(
        "  Runs in a transaction: {}",
        match (f.meta.transaction, engine) {
            (true, Some(Engine::MySql)) =>
                "no (MySQL/MariaDB commit each DDL statement: progress is recorded after every statement)",
            (true, _) => "yes",
            (false, _) => "no",
        }
    );
    if f.meta.draft {
        println!(
            "  Draft: yes (`migrate apply` skips it; accept it with `ai-shell migrate review {} --accept`)",
            f.id()
        );
    }
    println!("  Checksum: {}", checksum(&f.up));
    println!("  Rollback: {rollback}");
    if let Some(s) = &state {
        println!("  State: {s}");
    }
    println!();
    println!("{BOLD}-- Up{BOLD:#}");
    print_section(&f.up);
    println!();
    println!("{BOLD}-- Down{BOLD:#}");
    match &f.down {
        Some(d) => print_section(d),
        None => println!("{DIM}(none){DIM:#}"),
    }
    if let Some(p) = policy.filter(|p| !p.findings.is_empty()) {
        println!(
            "\n{BOLD}Policy findings{BOLD:#} (table sizes unknown here; `ai-shell lint --live` reads them)"
        );
        print!("{}", crate::policy::report::human(&p));
    }
    if findings.is_empty() {
        println!("\n✓ The file is valid.");
    } else {
        println!();
        for finding in findings {
            println!("{WARN}! {finding}{WARN:#}");
        }
    }
    Ok(())
}

fn print_section(sql: &str) {
    for line in sql.trim().lines() {
        if line.trim_start().starts_with("--") {
            println!("{DIM}{line}{DIM:#}");
        } else {
            println!("{SQL}{line}{SQL:#}");
        }
    }
}

pub async fn edit(ctx: &mut Context, reference: &str) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let f = find(&ws, reference)?;
    let path = f
        .path
        .clone()
        .ok_or_else(|| anyhow::anyhow!("migration {} has no file to edit", f.id()))?;
    let before = checksum(&f.up);
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    // `$EDITOR` may carry arguments (`code --wait`): run it through the shell, the file as `$1`.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("ai-shell-edit")
        .arg(&path)
        .status()
        .map_err(|e| {
            anyhow::anyhow!("starting the editor `{editor}`: {e}\n\nSet $EDITOR to your editor.")
        })?;
    if !status.success() {
        anyhow::bail!("the editor `{editor}` exited with {status}; the file was not re-checked");
    }
    let bytes =
        std::fs::read(&path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    let edited = file::decode(&path, bytes)
        .and_then(|text| file::parse(&path, &text))
        .map_err(|e| {
            anyhow::anyhow!(
                "{} no longer parses: {e}\n\nFix it with `ai-shell migrate edit {reference}`.",
                path.display()
            )
        })?;
    let findings = file::validate(&edited);
    let after = checksum(&edited.up);
    for finding in &findings {
        println!("{WARN}! {finding}{WARN:#}");
    }
    if findings.iter().any(|f| f.is_error()) {
        anyhow::bail!(
            "{} has problems (above); it will not apply until they are fixed",
            path.display()
        );
    }
    // What parses may still be refused by the server: a pending migration is trial-run as `validate` does.
    let version = edited.version;
    let pending = state(ctx, &ws, version)
        .await
        .is_some_and(|s| s != "applied");
    if pending && super::validate::check(ctx, Some(version.to_string()), false).await? > 0 {
        anyhow::bail!(
            "{} does not run (above); fix it with `ai-shell migrate edit {reference}`",
            path.display()
        );
    }
    if before == after {
        println!(
            "✓ {} is valid; the up section is unchanged (checksum {after})",
            path.display()
        );
    } else {
        println!(
            "✓ {} is valid; new checksum {after} (was {before})",
            path.display()
        );
        println!(
            "  If it was already applied, `migrate apply` will stop on the change until you accept it with --accept-checksum {}.",
            edited.version
        );
    }
    Ok(())
}

/// One statement of a migration with the comment lines written just above it.
#[derive(Serialize)]
struct Step {
    number: usize,
    description: Option<String>,
    sql: String,
    destructive: bool,
    outside_transaction: bool,
}

#[derive(Serialize)]
struct PreviewJson {
    id: String,
    transaction: bool,
    steps: Vec<Step>,
}

fn steps(engine: Engine, f: &MigrationFile) -> Vec<Step> {
    let lines: Vec<&str> = f.up.lines().collect();
    let statements = split::statements(&f.up, engine.into());
    let (before, _, after) = crate::executor::foreign_key_pragmas(
        engine,
        &statements.iter().map(|s| s.sql.clone()).collect::<Vec<_>>(),
    );
    let last = statements.len();
    statements
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            // Comment lines directly above the statement describe it.
            let mut notes = Vec::new();
            let mut k = s.line.saturating_sub(1);
            while k > 0 {
                let l = lines.get(k - 1).map(|l| l.trim()).unwrap_or("");
                if let Some(note) = l.strip_prefix("--") {
                    notes.push(note.trim().to_string());
                    k -= 1;
                } else {
                    break;
                }
            }
            // Or the statement's own leading comment lines.
            for l in lines.iter().skip(s.line.saturating_sub(1)) {
                match l.trim().strip_prefix("--") {
                    Some(note) if notes.is_empty() => notes.push(note.trim().to_string()),
                    _ => break,
                }
            }
            notes.reverse();
            let upper = s.sql.to_ascii_uppercase();
            Step {
                number: i + 1,
                description: (!notes.is_empty()).then(|| notes.join(" ")),
                destructive: upper.starts_with("DROP TABLE")
                    || (upper.starts_with("ALTER TABLE") && upper.contains(" DROP COLUMN ")),
                outside_transaction: !f.meta.transaction
                    || (i == 0 && before.is_some())
                    || (i + 1 == last && after.is_some()),
                sql: s.sql,
            }
        })
        .collect()
}

pub async fn preview(
    ctx: &mut Context,
    reference: Option<String>,
    show_steps: bool,
    json: bool,
) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let url = crate::connection::DatabaseUrl::parse(&ctx.global.database)?;
    let engine = url.engine();
    let files: Vec<&MigrationFile> = match &reference {
        Some(r) => vec![find(&ws, r)?],
        None => {
            let (db, mut s) = open(ctx).await?;
            let recs = records(&mut s, &ws.history).await?;
            drop(s);
            db.close().await;
            ws.files
                .iter()
                .filter(|f| {
                    recs.get(&f.version)
                        .is_none_or(|r| r.status != Status::Applied)
                })
                .collect()
        }
    };
    if files.is_empty() {
        if json {
            return print_json(&Vec::<PreviewJson>::new());
        }
        println!("Nothing pending: every migration is applied.");
        return Ok(());
    }
    let previews: Vec<PreviewJson> = files
        .iter()
        .map(|f| PreviewJson {
            id: f.id(),
            transaction: f.meta.transaction,
            steps: steps(engine, f),
        })
        .collect();
    if json {
        return print_json(&previews);
    }
    for (p, f) in previews.iter().zip(&files) {
        if crate::rollout::file::is_phased(&f.up) {
            // A phased migration previews as its plan: phases, statements, locks, estimates.
            let phases = crate::rollout::file::parse(&f.up, f.down.as_deref(), engine)
                .map_err(|e| anyhow::anyhow!("{}: {e}", f.id()))?;
            let mut strategies: Vec<String> = vec![];
            for ph in &phases {
                if !ph.strategy.is_empty() && !strategies.contains(&ph.strategy) {
                    strategies.push(ph.strategy.clone());
                }
            }
            println!(
                "{BOLD}Migration {}{BOLD:#} {DIM}({} phases){DIM:#}",
                p.id,
                phases.len()
            );
            let defaults = crate::executor::PhaseOptions::default();
            crate::rollout::show::print(
                &phases,
                &strategies,
                &[],
                defaults.batch_size,
                defaults.lock_timeout.as_millis() as u64,
            );
            continue;
        }
        println!(
            "{BOLD}Migration {}{BOLD:#} {DIM}({} steps, {}){DIM:#}",
            p.id,
            p.steps.len(),
            if p.transaction {
                "in one transaction"
            } else {
                "statement by statement, no transaction"
            }
        );
        for s in &p.steps {
            let what = s
                .description
                .clone()
                .unwrap_or_else(|| s.sql.lines().next().unwrap_or("").to_string());
            let mut flags = Vec::new();
            if s.destructive {
                flags.push("destructive");
            }
            if s.outside_transaction && p.transaction {
                flags.push("outside the transaction");
            }
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!(" {WARN}[{}]{WARN:#}", flags.join(", "))
            };
            println!("  Step {}: {what}{flags}", s.number);
            if show_steps {
                for line in s.sql.lines() {
                    println!("    {SQL}{line}{SQL:#}");
                }
            }
        }
        println!();
    }
    Ok(())
}
