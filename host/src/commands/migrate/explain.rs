//! `ai-shell migrate "<request>" --explain`: how the offline planner read a request (each word's slot,
//! the names matched to schema objects and why, the plan or the refusal), without writing or applying
//! anything. Exit 0 when it planned; a refusal exits as `migrate` refusals do, with the unplaced words marked.

use anstream::println;
use anstyle::{AnsiColor, Style};
use serde::Serialize;

use super::{Workspace, planning, print_json};
use crate::changes::{Refusal, validate::validate};
use crate::cli::{PlannerChoice, RequestArgs};
use crate::commands::Context;
use crate::model::Change;
use crate::planner::{Reading, Slot};

const BOLD: Style = Style::new().bold();
const UNPLACED: Style = AnsiColor::Red.on_default().bold();
const DIM: Style = Style::new().dimmed();

/// What `--explain --json` prints.
#[derive(Serialize)]
struct JsonExplain<'a> {
    /// `planned` or `refused`.
    status: &'a str,
    request: &'a str,
    planner: &'a str,
    /// Each word's slot, the names matched, the words that could not be placed; absent when the request
    /// could not be read at all.
    reading: Option<&'a Reading>,
    summary: &'a [String],
    changes: &'a [Change],
    #[serde(skip_serializing_if = "Option::is_none")]
    refusal: Option<&'a Refusal>,
}

pub async fn run(ctx: &mut Context, args: RequestArgs) -> anyhow::Result<()> {
    if args.planner == Some(PlannerChoice::Llm) {
        anyhow::bail!(
            "--explain shows how the offline planner reads a request; the LLM planner gives no such reading\n\nDrop --planner llm, or run the request with --planner llm --dry-run to see the LLM's plan."
        );
    }
    let request = args.request.clone().unwrap_or_default();
    let ws = Workspace::load(ctx)?;
    let (db, dialect) = ctx.connect().await?;
    let engine = db.engine();
    let schema = planning::live_schema(&db, &dialect, &ws.history).await;
    db.close().await;
    let schema = schema?;
    let explained = crate::planner::explain(&request, &schema, engine);
    // The plan passes the same gate as `migrate` applies (identifiers, every change fits the schema).
    let outcome = explained.outcome.and_then(|plan| {
        validate(&plan.changes, &schema, engine)
            .map(|_| plan)
            .map_err(|problems| {
                Refusal::unsupported(format!(
                    "the plan does not fit the live schema: {}",
                    problems.join("; ")
                ))
            })
    });
    let reading = explained.reading.as_ref();
    let (summary, changes) = match &outcome {
        Ok(plan) => (plan.summary.as_slice(), plan.changes.as_slice()),
        Err(_) => (&[][..], &[][..]),
    };
    if args.json {
        print_json(&JsonExplain {
            status: if outcome.is_ok() {
                "planned"
            } else {
                "refused"
            },
            request: &request,
            planner: "offline",
            reading,
            summary,
            changes,
            refusal: outcome.as_ref().err(),
        })?;
    } else {
        show(reading, &outcome);
    }
    match outcome {
        Ok(_) => Ok(()),
        Err(refusal) if args.json => Err(anyhow::anyhow!("{refusal}\n\nNothing was changed.")),
        Err(refusal) => Err(anyhow::anyhow!(
            "{refusal}\n\nNothing was changed (--explain never applies anything)."
        )),
    }
}

fn show(reading: Option<&Reading>, outcome: &Result<crate::changes::Plan, Refusal>) {
    println!("{BOLD}How the request was read (offline planner){BOLD:#}");
    let Some(reading) = reading else {
        println!("  (the request could not be split into words)");
        return;
    };
    let width = reading
        .words
        .iter()
        .map(|w| w.text.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    println!("  {DIM}{:<width$}  {:<11}  read as{DIM:#}", "word", "slot");
    for w in &reading.words {
        let text: String = w.text.chars().take(40).collect();
        let style = if w.slot == Slot::Unplaced {
            UNPLACED
        } else {
            Style::new()
        };
        let detail = match (w.slot, &w.detail) {
            (Slot::Unplaced, _) => "fills no slot: not understood".to_string(),
            (_, Some(d)) => d.clone(),
            _ => String::new(),
        };
        println!(
            "  {style}{text:<width$}  {:<11}{style:#}  {detail}",
            w.slot.label()
        );
    }
    if !reading.names.is_empty() {
        println!();
        println!("{BOLD}Names{BOLD:#}");
        for m in &reading.names {
            println!("  {} → {} ({})", m.word, m.object, m.how);
        }
    }
    if !reading.problems.is_empty() {
        println!();
        println!("{BOLD}Not asked for{BOLD:#}");
        for p in &reading.problems {
            println!("  {UNPLACED}{p}{UNPLACED:#}");
        }
    }
    println!();
    match outcome {
        Ok(plan) => {
            println!("{BOLD}Plan{BOLD:#}");
            for line in &plan.summary {
                println!("  {line}");
            }
        }
        Err(_) if !reading.unplaced.is_empty() => {
            println!(
                "{BOLD}Refused{BOLD:#}: could not place {}",
                reading.unplaced.join(", ")
            );
        }
        Err(_) => println!("{BOLD}Refused{BOLD:#}"),
    }
}
