//! `schema analyze [--legacy-patterns]`: the live schema against the policies' schema rules, summarised
//! per rule (how many findings, in how many tables) with one recommendation each.

use std::collections::BTreeMap;

use anyhow::Context as _;

use super::super::Context;
use crate::changes::simulate::display;
use crate::history::History;
use crate::plugins::bindings::policy::exports::ai_shell::plugin::policy_api::{
    SchemaInput, Severity, TableSize,
};
use crate::policy::{Policies, Reported, report};
use crate::project::Project;

pub async fn run(ctx: &mut Context, legacy_patterns: bool, json: bool) -> anyhow::Result<()> {
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let project = Project::load(&cwd, ctx.global.migrations_dir.as_deref())?;
    let environment = ctx.global.environment.clone();
    let policies = Policies::load(
        ctx.registry()?,
        &project.policy,
        environment.as_deref(),
        &cwd,
    )
    .await?;
    let (db, dialect) = ctx.connect().await?;
    let history = History::new(&project.history_table)?;
    let schema = super::introspect(&db, &dialect, Some(&history)).await?;
    let tables: Vec<_> = schema.tables.iter().map(|t| t.name.clone()).collect();
    let mut s = db.session().await?;
    let stats = crate::rollout::stats::table_stats(&mut s, db.engine(), &tables).await;
    drop(s);
    db.close().await;
    let input = SchemaInput {
        schema,
        stats: stats
            .into_iter()
            .map(|t| TableSize {
                table: t.table,
                rows: t.rows,
                bytes: t.bytes,
            })
            .collect(),
        engine: dialect.meta().name.clone(),
        settings: policies.settings(),
    };
    let findings: Vec<Reported> = policies
        .check_schema(&input)
        .await?
        .into_iter()
        .filter(|r| legacy_patterns || r.finding.severity != Severity::Info)
        .collect();
    if json {
        return super::super::migrate::print_json(&serde_json::json!({
            "tables": tables.len(),
            "findings": findings,
        }));
    }
    println!(
        "🔍 {}Schema Analysis\n",
        if legacy_patterns { "Legacy " } else { "" }
    );
    if findings.is_empty() {
        println!(
            "No issues found in {} table{}.",
            tables.len(),
            if tables.len() == 1 { "" } else { "s" }
        );
        return Ok(());
    }
    // Per rule, in the order the policies list their rules.
    let mut by_rule: BTreeMap<usize, Vec<&Reported>> = BTreeMap::new();
    let order = policies.rules();
    for r in &findings {
        let at = order
            .iter()
            .position(|(_, rule)| rule.id == r.finding.rule)
            .unwrap_or(usize::MAX);
        by_rule.entry(at).or_default().push(r);
    }
    println!("Issues Found:");
    let mut advice = vec![];
    for (at, group) in &by_rule {
        let first = &group[0].finding;
        let summary = order
            .get(*at)
            .map(|(_, r)| r.summary.clone())
            .unwrap_or_else(|| first.rule.clone());
        let tables: std::collections::BTreeSet<String> = group
            .iter()
            .filter_map(|r| r.finding.table.as_ref().map(display))
            .collect();
        let mark = match first.severity {
            Severity::Error => "✗",
            Severity::Warn => "⚠️",
            Severity::Info => "ℹ",
        };
        let count = if tables.len() == group.len() {
            format!("{} table{}", tables.len(), plural(tables.len()))
        } else {
            format!(
                "{} finding{} in {} table{}",
                group.len(),
                plural(group.len()),
                tables.len(),
                plural(tables.len())
            )
        };
        println!(
            "  {mark} {summary} ({count}) [{} {}]",
            report::severity_word(first.severity),
            first.rule
        );
        if crate::cli::verbosity() >= 2 {
            for r in group {
                println!("      - {}", r.finding.message);
            }
        }
        advice.push(first.hint.clone());
    }
    println!("\nRecommendations:");
    for (i, a) in advice.iter().enumerate() {
        println!("  {}. {a}", i + 1);
    }
    println!(
        "\nEvery finding: `ai-shell schema analyze --json` (or -v); the rules: `ai-shell lint --rules`."
    );
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
