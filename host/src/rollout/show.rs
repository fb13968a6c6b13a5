//! The plan shown before a phased migration is applied: phases, statements, locks and estimates.

use anstream::println;
use anstyle::{AnsiColor, Style};

use super::{Kind, Phase};

const BOLD: Style = Style::new().bold();
const SQL: Style = AnsiColor::Cyan.on_default();
const DIM: Style = Style::new().dimmed();
const WARN: Style = AnsiColor::Yellow.on_default();

/// Human duration: `45 ms`, `3.2 s`, `4 min 23 s`.
pub fn duration(ms: u64) -> String {
    match ms {
        0..=999 => format!("{ms} ms"),
        1_000..=59_999 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

/// Prints the plan: every phase with its SQL, locks and estimate, then the totals.
pub fn print(
    phases: &[Phase],
    strategies: &[String],
    warnings: &[String],
    batch_size: u64,
    lock_timeout_ms: u64,
) {
    println!(
        "{BOLD}📋 Zero-Downtime Migration Plan{BOLD:#} {DIM}(strategies: {}){DIM:#}",
        strategies.join(", ")
    );
    println!();
    for p in phases {
        println!(
            "{BOLD}Phase {}: {}{BOLD:#} {DIM}[{}: {}]{DIM:#}",
            p.number,
            if p.description.is_empty() {
                &p.name
            } else {
                &p.description
            },
            p.name,
            kind_words(p.kind)
        );
        for s in &p.statements {
            println!("  {SQL}{};{SQL:#}", s.trim_end_matches(';'));
        }
        if let Some(b) = &p.backfill {
            println!("  {SQL}{};{SQL:#}", b.batch.trim_end_matches(';'));
            println!(
                "  - In batches of {batch_size} rows by {} range, one short transaction each, with a checkpoint",
                b.key
            );
        }
        if let Some(g) = &p.gate {
            println!("  - Waits for your confirmation: {g}");
            println!("    (`ai-shell migrate confirm ID`, or answer at the prompt)");
        }
        if p.kind != Kind::Gate {
            let note = if p.lock_note.is_empty() {
                p.lock.clone()
            } else {
                format!("{}: {}", p.lock, p.lock_note)
            };
            println!("  - Locks: {note}");
            println!("  - Estimated: {}", duration(p.estimated_ms));
        }
        println!();
    }
    let total: u64 = phases.iter().map(|p| p.estimated_ms).sum();
    println!("Total estimated time: ~{}", duration(total));
    let blocking: Vec<&Phase> = phases
        .iter()
        .filter(|p| p.strategy == "standard" && p.lock == "exclusive")
        .collect();
    if blocking.is_empty() {
        println!(
            "Application downtime: 0 seconds (every lock is requested with a {lock_timeout_ms} ms timeout and retried, so queries never queue behind a waiting migration)"
        );
    } else {
        for p in blocking {
            println!(
                "{WARN}Blocking: phase {} ({}) holds its locks while it runs (~{}){WARN:#}",
                p.number,
                p.name,
                duration(p.estimated_ms)
            );
        }
    }
    for w in warnings {
        println!("{WARN}⚠ {w}{WARN:#}");
    }
    println!();
}

fn kind_words(kind: Kind) -> &'static str {
    match kind {
        Kind::Ddl => "DDL in one transaction",
        Kind::DdlOutsideTransaction => "DDL outside a transaction",
        Kind::Backfill => "batched backfill",
        Kind::Validate => "validation",
        Kind::Gate => "confirmation gate",
        Kind::Cleanup => "clean-up",
    }
}
