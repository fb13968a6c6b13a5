//! `ai-shell migrate "<request>"`: plan a change from plain English against the live schema, show it, ask,
//! write the migration file and apply it.

use std::io::IsTerminal;
use std::time::Instant;

use anstream::println;
use anstyle::{AnsiColor, Style};
use serde::Serialize;

use super::planning::{self, PrepareError, Prepared};
use super::{Workspace, print_json, records};
use crate::changes::describe::describe;
use crate::changes::{Refusal, RefusalKind, existing_table, is_destructive_at, simulate};
use crate::cli::{PlannerChoice, RequestArgs};
use crate::commands::Context;
use crate::connection::Engine;
use crate::executor::{ApplyOptions, Executor, Target};
use crate::history::record;
use crate::migrations::file::Meta;
use crate::model::{Change, QualifiedName};
use crate::plugins::DialectPlugin;
use crate::policy::approval;

const BOLD: Style = Style::new().bold();
const ADD: Style = AnsiColor::Green.on_default();
const REMOVE: Style = AnsiColor::Red.on_default();
const SQL: Style = AnsiColor::Cyan.on_default();
const DIM: Style = Style::new().dimmed();

/// What `--json` prints.
#[derive(Serialize)]
struct JsonReport<'a> {
    status: &'a str,
    request: &'a str,
    planner: &'a str,
    planning_ms: f64,
    migration: Option<JsonMigration>,
    summary: &'a [String],
    changes: &'a [Change],
    up: Vec<&'a str>,
    down: Option<Vec<&'a str>>,
    down_unavailable: Option<&'a str>,
    destructive: bool,
    /// The phases, when the changes are rolled out by a zero-downtime strategy.
    #[serde(skip_serializing_if = "Option::is_none")]
    rollout: Option<&'a crate::rollout::plan::Rollout>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phased: Option<&'a crate::executor::PhasedOutcome>,
    schema_version_before: Option<u64>,
    schema_version_after: Option<u64>,
    duration_ms: Option<u64>,
}

#[derive(Serialize)]
struct JsonMigration {
    id: String,
    file: String,
}

#[derive(Serialize)]
struct JsonRefusal<'a> {
    status: &'a str,
    #[serde(flatten)]
    refusal: &'a Refusal,
}

/// Prints the refusal as JSON when asked, and returns it as the command's error.
/// Why a request's migration must wait for `migrate approve` before it runs, if it must.
fn approval_needed(
    required: approval::Required,
    flag: bool,
    destructive: bool,
    llm_wrote: bool,
) -> Option<String> {
    use approval::Required;
    if flag {
        return Some("--require-approval".into());
    }
    if llm_wrote && destructive {
        return Some("an LLM wrote it and it destroys data".into());
    }
    match required {
        Required::All => Some("[policy] approvals = \"all\"".into()),
        Required::Destructive if destructive => {
            Some("it destroys data and [policy] approvals = \"destructive\"".into())
        }
        _ => None,
    }
}

fn refuse(json: bool, refusal: Refusal) -> anyhow::Error {
    if json {
        let _ = print_json(&JsonRefusal {
            status: "refused",
            refusal: &refusal,
        });
    }
    anyhow::anyhow!("{refusal}\n\nNothing was changed.")
}

/// The planner a request uses when `--planner` is not given: the LLM when `ai-shell.toml` has an `[llm]`
/// table, else the offline planner (an API key in the environment alone never sends a schema anywhere).
/// With `[llm] fallback = true` the offline planner goes first and hands over what it cannot read.
pub fn default_planner(ws: &Workspace) -> PlannerChoice {
    if ws.project.llm.is_some() && !super::handover::fallback(ws) {
        PlannerChoice::Llm
    } else {
        PlannerChoice::Offline
    }
}

pub async fn run(ctx: &mut Context, args: RequestArgs) -> anyhow::Result<()> {
    let request = args.request.clone().unwrap_or_default();
    if request.trim().is_empty() {
        return Err(refuse(
            args.json,
            Refusal {
                kind: RefusalKind::NotASchemaChange,
                message: "the request is empty".into(),
                suggestions: vec![],
                example: Some("add email field to users table".into()),
            },
        ));
    }
    if args.explain {
        return super::explain::run(ctx, args).await;
    }
    let ws = Workspace::load(ctx)?;
    let planner = args.planner.unwrap_or_else(|| default_planner(&ws));
    let (db, dialect) = ctx.connect().await?;
    let engine = db.engine();
    if !args.json {
        println!("{BOLD}🔍 Analyzing schema change request...{BOLD:#}");
    }
    let schema = planning::live_schema(&db, &dialect, &ws.history).await?;
    let fallback = args.planner.is_none() && super::handover::fallback(&ws);
    let prepared = match super::handover::prepare(
        &request, planner, fallback, engine, schema, &dialect, &ws, args.json,
    )
    .await
    {
        Ok(p) => p,
        Err(PrepareError::Refused(mut refusal)) => {
            db.close().await;
            // An example that only repeats the request helps nobody.
            let same = |a: &str, b: &str| {
                let words = |t: &str| {
                    t.split_whitespace()
                        .map(str::to_lowercase)
                        .collect::<Vec<_>>()
                };
                words(a) == words(b)
            };
            if refusal
                .example
                .as_deref()
                .is_some_and(|e| same(e, &request))
            {
                refusal.example = None;
            }
            return Err(refuse(args.json, refusal));
        }
        Err(PrepareError::Failed(e)) => {
            db.close().await;
            return Err(e);
        }
    };
    let destructive = prepared.plan.destructive
        || (0..prepared.plan.changes.len()).any(|i| is_destructive_at(&prepared.plan.changes, i));
    let rollout_options = super::phased::rollout_options(ctx, &ws, &args.rollout);
    let phase_options = super::phased::phase_options(ctx, &ws, &args.rollout);
    let rollout = match crate::rollout::plan::plan(
        &prepared.plan.changes,
        &prepared.before,
        &db,
        &dialect,
        ctx.registry()?,
        &rollout_options,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => {
            db.close().await;
            return Err(e.context("planning the rollout; nothing was changed"));
        }
    };
    if !args.json {
        show_plan(
            &prepared,
            &dialect,
            engine,
            rollout.as_ref(),
            &phase_options,
        )
        .await?;
    }

    // What applying it would destroy, counted now.
    let (losses, misfits) = match count_losses(&db, &dialect, &prepared).await {
        Ok(l) => l,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    if !args.json && !losses.is_empty() {
        println!("{REMOVE}⚠ Applying it destroys data that exists:{REMOVE:#}");
        println!("{}", losses.lines());
        println!();
    }

    // Changes the data there is would make fail, asked before the first statement runs.
    let applying = !args.dry_run && !args.generate_only;
    let blockers = match db.session().await {
        Ok(mut s) => {
            crate::safety::preflight::check(&mut s, &prepared.before, &prepared.plan.changes).await
        }
        Err(e) => {
            db.close().await;
            return Err(e.into());
        }
    };
    if !blockers.is_empty() {
        let lines = blockers
            .iter()
            .map(|b| format!("  - change {}: {b}", b.change))
            .collect::<Vec<_>>()
            .join("\n");
        if applying {
            db.close().await;
            return Err(refuse(
                args.json,
                Refusal::unsafe_(format!(
                    "the data there is would make this migration fail part way:\n{lines}\nFix those rows first (or ask for a change that handles them), then run it again."
                )),
            ));
        }
        if !args.json {
            println!("{REMOVE}⚠ Applying it would fail on the data there is now:{REMOVE:#}");
            println!("{lines}");
            println!();
        }
    }

    // The policies, on the statements the file will hold: an error-level finding stops before it is written.
    let up_text = match &rollout {
        Some(r) => crate::rollout::file::up_section(&r.phases),
        None => planning::section(engine, &prepared.up, &steps(&prepared.plan.changes)),
    };
    let checked = match super::policy_gate::load(ctx, &ws).await {
        Ok(policies) => super::policy_gate::check_request(
            ctx,
            &ws,
            &policies,
            &db,
            &prepared,
            &up_text,
            rollout.as_ref().map(|r| r.strategies.join("+")),
            // Rows in the way are facts of this database now: they stop an apply (above), and are shown by
            // a dry run, but do not keep a file from being written for later.
            if args.generate_only { &[] } else { &blockers },
        )
        .await
        .map(|s| (s, policies.approvals())),
        Err(e) => Err(e),
    };
    let (subject, approvals) = match checked {
        Ok(s) => s,
        Err(e) => {
            db.close().await;
            return Err(e.context("checking the plan against the policies; nothing was changed"));
        }
    };
    let subjects = [subject];
    if super::policy_gate::show(&subjects) {
        if args.dry_run {
            eprintln!(
                "{}",
                super::policy_gate::blocked_message(&subjects, "it would not be written.")
            );
        } else {
            db.close().await;
            return Err(refuse(
                args.json,
                Refusal::unsafe_(super::policy_gate::blocked_message(
                    &subjects,
                    "nothing was written or applied.",
                )),
            ));
        }
    }

    // Destructive changes need explicit consent: the flag, or a yes typed at a terminal; a plan that needs an
    // approval is written awaiting it (the approval is the consent) and not applied now.
    let destructive = destructive || !losses.is_empty();
    let llm_wrote = matches!(prepared.planner, PlannerChoice::Llm);
    let awaiting = approval_needed(approvals, args.require_approval, destructive, llm_wrote);
    let applying = applying && awaiting.is_none();
    let mut consented = args.allow_destructive;
    if applying && destructive && !args.allow_destructive {
        let at_stake = if let (true, Some(n)) = (losses.is_empty(), misfits.filter(|n| *n > 0)) {
            format!(
                "{} stored values the new type cannot hold at stake",
                crate::safety::thousands(n)
            )
        } else if losses.is_empty() && misfits == Some(0) {
            "every stored value fits the new type; it limits what can be stored from now on"
                .to_string()
        } else if losses.is_empty() {
            "no rows are stored there now".to_string()
        } else {
            losses
                .0
                .iter()
                .map(|l| match l.count {
                    Some(n) => format!("{} {}", crate::safety::thousands(n), l.unit),
                    None => "an uncounted amount".into(),
                })
                .collect::<Vec<_>>()
                .join(", ")
                + " at stake"
        };
        let terminal = std::io::stdin().is_terminal();
        if !terminal {
            db.close().await;
            return Err(refuse(
                args.json,
                Refusal {
                    kind: RefusalKind::Unsafe,
                    message: format!(
                        "this migration can lose data ({}; {at_stake}): review it, then run again with --allow-destructive (or answer yes at a terminal)",
                        destructive_reason(&prepared.plan.changes)
                    ),
                    suggestions: vec![],
                    example: None,
                },
            ));
        }
        if !super::confirm_typed(&format!(
            "⚠ This migration can lose data ({}; {at_stake}).",
            destructive_reason(&prepared.plan.changes)
        ))? {
            db.close().await;
            println!("Nothing was changed.");
            return Ok(());
        }
        consented = true;
    }

    if args.dry_run {
        db.close().await;
        if args.json {
            let mut report = json_report(&request, &prepared, "dry-run", None, destructive, None);
            report.rollout = rollout.as_ref();
            return print_json(&report);
        }
        println!("Dry run: nothing was written or applied.");
        return Ok(());
    }

    // The migration file.
    let base = Meta {
        description: Some(first_line(&request)),
        created: None,
        author: Some(record::current_user()),
        destructive,
        // `--allow-destructive` with `--generate-only`: the consent holds when the file is applied.
        allow_destructive: (destructive && args.allow_destructive).then(String::new),
        ..Meta::default()
    };
    let (up, down, meta) = match &rollout {
        Some(r) => (
            crate::rollout::file::up_section(&r.phases),
            crate::rollout::file::down_section(&r.phases),
            Meta {
                strategy: r.strategies.join("+"),
                transaction: false,
                ..base
            },
        ),
        None => (
            planning::section(engine, &prepared.up, &steps(&prepared.plan.changes)),
            match &prepared.down {
                Ok((changes, statements)) => planning::section(engine, statements, &steps(changes)),
                Err(_) => String::new(),
            },
            Meta {
                transaction: !planning::needs_no_transaction(engine, &prepared.up),
                ..base
            },
        ),
    };
    // The apply question is asked before the file is written: a request that is not applied is kept only as
    // a draft, which `migrate apply` does not run until it is accepted.
    let answer = if applying && !args.yes {
        if std::io::stdin().is_terminal() {
            Some(ask_apply()?)
        } else {
            None
        }
    } else {
        Some(Answer::Apply)
    };
    let mut meta = Meta {
        draft: applying && matches!(answer, None | Some(Answer::Draft)),
        ..meta
    };
    if args.require_approval {
        meta.extra
            .push((approval::APPROVAL.to_string(), "required".to_string()));
    }
    if llm_wrote {
        meta.extra
            .push((approval::PLANNER.to_string(), "llm".to_string()));
    }
    // A person who read the plan and answered "y" reviewed it (`migrations.safety.require-review`).
    let reviewed_here = applying && !args.yes && matches!(answer, Some(Answer::Apply));
    if reviewed_here {
        meta.extra.push((
            super::safeguards::REVIEWED.to_string(),
            super::safeguards::review_value(&crate::migrations::file::canonical_section(
                &crate::migrations::file::normalize_newlines(&up),
            )),
        ));
    }
    let mut s = db.session().await?;
    let recs = records(&mut s, &ws.history).await;
    drop(s);
    let recs = match recs.and_then(|r| ws.check_folder(&r).map(|()| r)) {
        Ok(r) => r,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let path = crate::migrations::directory::create(
        &ws.project.migrations_dir,
        &prepared.plan.slug,
        meta,
        &up,
        Some(&down),
        Workspace::highest_recorded(&recs),
    )?;
    crate::migrations::vcs::commit_new(
        &ws.project.vcs,
        &path,
        &path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let (version, slug) = crate::migrations::file::parse_file_name(&file_name)
        .ok_or_else(|| anyhow::anyhow!("unexpected migration file name {file_name}"))?;
    let id = crate::migrations::file::canonical_stem(version, &slug);
    let migration = JsonMigration {
        id: id.clone(),
        file: path.display().to_string(),
    };
    let env = ctx.global.environment.clone();
    let notifier =
        crate::notify::Notifier::new(&ws.project.notify, &db, ws.history.table(), env.as_deref());
    let written = Workspace::load(ctx)?;
    let file = written.files.iter().find(|f| f.id() == id);
    if let Some(f) = file {
        notifier
            .emit(
                crate::notify::NewEvent {
                    event_type: "migration.planned",
                    migration: Some(crate::commands::notify::migration_info(f)),
                    summary: format!("{id} planned from \"{request}\""),
                    data: serde_json::json!({
                        "file": path.display().to_string(),
                        "author": if llm_wrote { "llm" } else { "offline-planner" },
                        "request": request,
                        "statements": crate::executor::split(engine, &f.up).len(),
                        "destructive": destructive,
                        "requires_approval": awaiting.is_some(),
                    }),
                },
                None,
            )
            .await;
    }

    if let Some(why) = &awaiting
        && !args.dry_run
    {
        let event = crate::notify::NewEvent {
            event_type: "approval.requested",
            migration: file.map(crate::commands::notify::migration_info),
            summary: format!("{id} awaits approval ({why})"),
            data: serde_json::json!({
                "file": path.display().to_string(), "reason": why, "rules": [],
                "command": format!("ai-shell migrate approve {id} --reason \"...\""),
            }),
        };
        notifier.emit(event, None).await;
        crate::commands::notify::deliver_after(ctx, &notifier).await;
        db.close().await;
        if args.json {
            let mut report = json_report(
                &request,
                &prepared,
                "awaiting-approval",
                Some(migration),
                destructive,
                None,
            );
            report.rollout = rollout.as_ref();
            return print_json(&report);
        }
        if destructive {
            println!("{REMOVE}⚠️  DESTRUCTIVE MIGRATION DETECTED{REMOVE:#}");
        }
        println!(
            "⚠️  Approval required ({why}): {} was written and not applied.",
            path.display()
        );
        println!("\nTo approve:");
        println!("  1. Review migration: ai-shell migrate review {id}");
        println!("  2. Approve: ai-shell migrate approve {id} --reason \"...\"");
        println!("  3. Apply: ai-shell migrate apply {id}");
        return Ok(());
    }

    if args.generate_only {
        db.close().await;
        if args.json {
            let mut report = json_report(
                &request,
                &prepared,
                "generated",
                Some(migration),
                destructive,
                None,
            );
            report.rollout = rollout.as_ref();
            return print_json(&report);
        }
        println!("✓ Created {}", path.display());
        println!(
            "  Review it with `ai-shell migrate review {id}`, apply it with `ai-shell migrate apply {id}`."
        );
        return Ok(());
    }

    let draft_note = format!(
        "saved as draft {id} ({}): `ai-shell migrate apply` will not run it until you accept it with `ai-shell migrate review {id} --accept`, or apply it by its id with `ai-shell migrate apply {id}`",
        path.display()
    );
    match answer {
        None => {
            db.close().await;
            anyhow::bail!(
                "\"Apply this migration?\" needs an answer, and there is no terminal to ask on: nothing was applied; {draft_note}\n\nRun it in a terminal, or add --yes to apply at once (--generate-only to keep it pending)."
            );
        }
        Some(Answer::Draft) => {
            db.close().await;
            println!("Nothing was applied; {draft_note}.");
            return Ok(());
        }
        Some(Answer::Later) => {
            db.close().await;
            println!("✓ Created {} (pending)", path.display());
            println!(
                "  Apply it with `ai-shell migrate apply` (add --zero-downtime for big, busy tables)."
            );
            return Ok(());
        }
        Some(Answer::Apply) => {}
    }
    if ws.project.safety.requires_review() && !reviewed_here {
        db.close().await;
        crate::migrations::directory::set_draft(&path, true)?;
        anyhow::bail!(
            "migrations.safety.require-review: a migration applied with --yes has not been reviewed: nothing was applied; {draft_note}\n\nRead it with `ai-shell migrate review {id}`, accept it with `ai-shell migrate review {id} --accept`, then `ai-shell migrate apply {id}`."
        );
    }

    // Apply through the executor: run lock, history row, transaction, checksum.
    let ws = Workspace::load(ctx)?;
    let safeguarded = async {
        let mut s = db.session().await?;
        let recs = records(&mut s, &ws.history).await;
        drop(s);
        crate::commands::backup::before_change(
            &ws,
            &db,
            &recs?,
            false,
            "applying the migration",
            vec![id.clone()],
        )
        .await
    }
    .await;
    if let Err(e) = safeguarded {
        db.close().await;
        let kept = match crate::migrations::directory::set_draft(&path, true) {
            Ok(()) => draft_note.clone(),
            Err(w) => format!("the file is kept at {} ({w})", path.display()),
        };
        return Err(e.context(format!("{id} was not applied; {kept}")));
    }
    let migrations = ws.migrations();
    let terminal = super::terminal::Terminal::new(args.json);
    let mut executor = Executor::new(&db, &ws.history);
    executor.reporter = &terminal;
    executor.lock_timeout = ws.project.lock_timeout;
    executor.timeout = ws.project.timeout;
    executor.dialect = Some(&dialect);
    executor.allow_destructive = consented;
    if !args.json {
        if rollout.is_some() {
            println!("{BOLD}🔄 Executing zero-downtime migration...{BOLD:#}");
        } else {
            println!("{BOLD}🔄 Applying migration...{BOLD:#}");
        }
    }
    let started = Instant::now();
    let options = ApplyOptions {
        target: Target::Only(version),
        dry_run: false,
        accept_checksums: Default::default(),
        phases: phase_options,
    };
    if let Some(f) = written.files.iter().find(|f| f.id() == id)
        && let Err(e) = crate::commands::notify::started(ctx, &notifier, &[f]).await
    {
        db.close().await;
        return Err(e);
    }
    let outcome = executor.apply(&migrations, &options).await;
    crate::commands::notify::outcome(&written, &notifier, std::slice::from_ref(&id), &outcome)
        .await;
    crate::commands::notify::deliver_after(ctx, &notifier).await;
    let mut s = db.session().await?;
    let recs = records(&mut s, &ws.history).await?;
    drop(s);
    db.close().await;
    let outcome = match outcome {
        Ok(o) => o,
        // Refused before it started: kept as a draft, so a later `migrate apply` does not run it unasked.
        Err(e) if !recs.contains_key(&version) => {
            let kept = match crate::migrations::directory::set_draft(&path, true) {
                Ok(()) => draft_note.clone(),
                Err(w) => format!("the file is kept at {} ({w})", path.display()),
            };
            return Err(anyhow::Error::new(e).context(format!("{id} was not applied; {kept}")));
        }
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!(
                "applying {id} failed; the migration file is kept at {} (see `ai-shell migrate status`)",
                path.display()
            )));
        }
    };
    let duration = outcome
        .applied
        .first()
        .map(|a| a.duration_ms)
        .unwrap_or_else(|| started.elapsed().as_millis() as u64);
    let rollback = recs
        .get(&version)
        .map(|r| r.rollback_availability().is_ok())
        .unwrap_or(false);
    if args.json {
        let mut report = json_report(
            &request,
            &prepared,
            "applied",
            Some(migration),
            destructive,
            Some(duration),
        );
        report.schema_version_before = outcome.version_before;
        report.schema_version_after = outcome.version_after;
        report.rollout = rollout.as_ref();
        report.phased = outcome.applied.first().and_then(|a| a.phased.as_ref());
        if outcome.waiting.is_some() {
            report.status = "waiting";
        }
        return print_json(&report);
    }
    if let Some(run) = outcome.applied.first().and_then(|a| a.phased.as_ref()) {
        super::phased::report_phased(&id, run);
        if outcome.waiting.is_some() {
            return Ok(());
        }
    }
    println!("{ADD}✓ Migration applied successfully{ADD:#}");
    println!(
        "{ADD}✓ {}{ADD:#}",
        super::version_change(outcome.version_before, outcome.version_after)
    );
    println!();
    println!("{BOLD}Summary:{BOLD:#}");
    println!("  Migration ID: {id}");
    println!("  File: {}", path.display());
    println!("  Status: Applied");
    println!("  Duration: {duration}ms");
    println!(
        "  Rollback available: {}",
        if rollback {
            "Yes (ai-shell migrate rollback)".to_string()
        } else {
            match &prepared.down {
                Err(why) => format!("No: {why}"),
                Ok(_) => "No".into(),
            }
        }
    );
    Ok(())
}

fn json_report<'a>(
    request: &'a str,
    p: &'a Prepared,
    status: &'a str,
    migration: Option<JsonMigration>,
    destructive: bool,
    duration_ms: Option<u64>,
) -> JsonReport<'a> {
    JsonReport {
        status,
        request,
        planner: match p.planner {
            PlannerChoice::Offline => "offline",
            PlannerChoice::Llm => "llm",
        },
        planning_ms: p.planning_ms,
        migration,
        summary: &p.plan.summary,
        changes: &p.plan.changes,
        up: p.up.iter().map(|s| s.sql.as_str()).collect(),
        down: p
            .down
            .as_ref()
            .ok()
            .map(|(_, d)| d.iter().map(|s| s.sql.as_str()).collect()),
        down_unavailable: p.down.as_ref().err().map(|s| s.as_str()),
        destructive,
        rollout: None,
        phased: None,
        schema_version_before: None,
        schema_version_after: None,
        duration_ms,
    }
}

fn steps(changes: &[Change]) -> Vec<String> {
    changes.iter().map(describe).collect()
}

fn first_line(request: &str) -> String {
    request
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .trim_end_matches(':')
        .to_string()
}

fn destructive_reason(changes: &[Change]) -> String {
    let drops: Vec<String> = (0..changes.len())
        .filter(|&i| is_destructive_at(changes, i))
        .map(|i| describe(&changes[i]))
        .collect();
    if drops.is_empty() {
        "it narrows or rewrites existing data".into()
    } else {
        drops.join("; ")
    }
}

/// The tables a plan reads or changes, as they are now.
fn touched(changes: &[Change]) -> Vec<QualifiedName> {
    let mut out: Vec<QualifiedName> = Vec::new();
    let mut add = |n: &QualifiedName| {
        if !out.iter().any(|x| simulate::same(x, n)) {
            out.push(n.clone());
        }
    };
    for c in changes {
        if let Some(t) = existing_table(c) {
            add(t);
        }
        // The tables a change reads besides the one it works on.
        match c {
            Change::AddForeignKey(f) => add(&f.foreign_key.referenced_table),
            Change::FillColumn(f) => add(&f.source),
            Change::CreateTable(t) => {
                for fk in &t.foreign_keys {
                    add(&fk.referenced_table);
                }
            }
            _ => {}
        }
    }
    out
}

async fn show_plan(
    p: &Prepared,
    dialect: &DialectPlugin,
    engine: Engine,
    rollout: Option<&crate::rollout::plan::Rollout>,
    phases: &crate::executor::PhaseOptions,
) -> anyhow::Result<()> {
    println!();
    println!("{BOLD}Current schema:{BOLD:#}");
    let tables = touched(&p.plan.changes);
    let mut shown = 0;
    for name in &tables {
        if let Ok(t) = simulate::table(&p.before, name) {
            shown += 1;
            let mut cols = Vec::new();
            for c in &t.columns {
                let ty = dialect
                    .type_name(&c.data_type)
                    .await
                    .unwrap_or_else(|_| "?".into());
                cols.push(format!("{} ({ty})", c.name));
            }
            println!("  Table: {}", simulate::display(&t.name));
            println!("  Columns: {}", cols.join(", "));
        }
    }
    if shown == 0 {
        println!("  {DIM}(no existing table is involved){DIM:#}");
    }
    println!();
    println!("{BOLD}Proposed changes:{BOLD:#}");
    let summary = if p.plan.summary.is_empty() {
        steps(&p.plan.changes)
    } else {
        p.plan.summary.clone()
    };
    for line in summary {
        let style = if line.to_ascii_lowercase().starts_with("drop")
            || line.to_ascii_lowercase().starts_with("remove")
        {
            REMOVE
        } else {
            ADD
        };
        println!("  {style}+ {line}{style:#}");
    }
    println!();
    if let Some(r) = rollout {
        crate::rollout::show::print(
            &r.phases,
            &r.strategies,
            &r.warnings,
            phases.batch_size,
            phases.lock_timeout.as_millis() as u64,
        );
        return Ok(());
    }
    println!(
        "{BOLD}Generated migration:{BOLD:#} {DIM}({} planner, {:.1} ms){DIM:#}",
        match p.planner {
            PlannerChoice::Offline => "offline",
            PlannerChoice::Llm => "LLM",
        },
        p.planning_ms
    );
    println!("  -- Up Migration");
    print_sql(&planning::section(engine, &p.up, &steps(&p.plan.changes)));
    println!();
    println!("  -- Down Migration (rollback)");
    match &p.down {
        Ok((changes, statements)) => {
            print_sql(&planning::section(engine, statements, &steps(changes)))
        }
        Err(why) => println!("  {REMOVE}-- none: {why}{REMOVE:#}"),
    }
    println!();
    Ok(())
}

fn print_sql(section: &str) {
    for line in section.lines() {
        if line.starts_with("--") {
            println!("  {DIM}{line}{DIM:#}");
        } else if !line.is_empty() {
            println!("  {SQL}{line}{SQL:#}");
        }
    }
}

/// The data applying the plan would destroy, counted in the live database.
async fn count_losses(
    db: &crate::connection::Database,
    dialect: &DialectPlugin,
    prepared: &Prepared,
) -> anyhow::Result<(crate::safety::Losses, Option<u64>)> {
    let mut s = db.session().await?;
    let statements: Vec<String> = prepared.up.iter().map(|st| st.sql.clone()).collect();
    let mut inspector = crate::safety::Inspector {
        session: &mut s,
        schema: Some(&prepared.before),
        dialect: Some(dialect),
    };
    let losses = crate::safety::assess(&mut inspector, &prepared.plan.slug, &statements).await;
    // Counted again only where the statements hide the type change (SQLite's rebuild): what the
    // losses already count is not queried twice.
    let misfits = if losses.is_empty() {
        inspector.type_change_misfits(&prepared.plan.changes).await
    } else {
        None
    };
    drop(s);
    Ok((crate::safety::Losses(losses), misfits))
}

/// What to do with a planned migration, asked at a terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    /// Apply it now.
    Apply,
    /// Keep it pending: `migrate apply` runs it.
    Later,
    /// Keep it as a draft: `migrate apply` skips it until it is accepted.
    Draft,
}

/// "Apply this migration now? [y]es / [l]ater / [N]o".
fn ask_apply() -> anyhow::Result<Answer> {
    use std::io::{BufRead, Write};
    eprint!(
        "Apply this migration now? [y]es / [l]ater: keep it pending for `migrate apply` / [N]o: keep it as a draft: "
    );
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Answer::Apply,
        "l" | "later" => Answer::Later,
        _ => Answer::Draft,
    })
}
