//! `migrate impact "<request>"`: what a request would do to the live database, without doing it: tables
//! touched, their row counts, the lock each statement takes, an estimated duration from table sizes, the
//! risk, and a recommendation.

use anstream::println;
use anstyle::{AnsiColor, Style};
use serde::Serialize;

use super::planning::{self, PrepareError};
use super::{Workspace, print_json};
use crate::changes::simulate::display;
use crate::changes::{existing_table, is_destructive, is_destructive_at, simulate};
use crate::cli::PlannerChoice;
use crate::commands::Context;
use crate::connection::Engine;
use crate::model::{Change, LockLevel, QualifiedName, Statement};

const BOLD: Style = Style::new().bold();
const SQL: Style = AnsiColor::Cyan.on_default();

/// Rows per second assumed for work proportional to a table's size; deliberately conservative.
const REWRITE_ROWS_PER_SEC: f64 = 200_000.0;
const INDEX_ROWS_PER_SEC: f64 = 500_000.0;
const COPY_ROWS_PER_SEC: f64 = 100_000.0;

#[derive(Serialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
#[serde(rename_all = "lowercase")]
enum Risk {
    Low,
    Medium,
    High,
}

#[derive(Serialize)]
struct StatementImpact {
    sql: String,
    table: Option<String>,
    rows: Option<u64>,
    lock: &'static str,
    rewrites_table: bool,
    outside_transaction: bool,
    estimated_ms: u64,
    risk: Risk,
}

#[derive(Serialize)]
struct ImpactReport {
    request: String,
    tables: Vec<TableRows>,
    statements: Vec<StatementImpact>,
    estimated_ms: u64,
    risk: Risk,
    destructive: bool,
    recommendation: String,
}

#[derive(Serialize)]
struct TableRows {
    table: String,
    rows: Option<u64>,
}

pub async fn impact(
    ctx: &mut Context,
    request: &str,
    planner: Option<PlannerChoice>,
    json: bool,
) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let planner = planner.unwrap_or_else(|| super::request::default_planner(&ws));
    let (db, dialect) = ctx.connect().await?;
    let engine = db.engine();
    let schema = planning::live_schema(&db, &dialect, &ws.history).await?;
    let prepared = match planning::prepare(
        request,
        planner,
        engine,
        schema,
        &dialect,
        ws.project.llm.as_ref(),
    )
    .await
    {
        Ok(p) => p,
        Err(PrepareError::Refused(r)) => {
            db.close().await;
            return Err(anyhow::anyhow!("{r}"));
        }
        Err(PrepareError::Failed(e)) => {
            db.close().await;
            return Err(e);
        }
    };
    let mut s = db.read_only_session().await?;
    let mut tables: Vec<TableRows> = Vec::new();
    let mut statements = Vec::new();
    for st in &prepared.up {
        let change = &prepared.plan.changes[st.change_index as usize];
        let table = existing_table(change).cloned();
        let rows = match &table {
            Some(t) if simulate::table(&prepared.before, t).is_ok() => {
                let name = display(t);
                match tables.iter().find(|x| x.table == name) {
                    Some(x) => x.rows,
                    None => {
                        let rows = crate::rollout::stats::row_count(&mut s, engine, t).await;
                        tables.push(TableRows { table: name, rows });
                        rows
                    }
                }
            }
            _ => Some(0),
        };
        statements.push(assess(st, change, table.as_ref(), rows));
    }
    let _ = s.finish().await;
    db.close().await;
    let destructive = prepared.plan.destructive
        || (0..prepared.plan.changes.len()).any(|i| is_destructive_at(&prepared.plan.changes, i));
    let risk = statements
        .iter()
        .map(|s| s.risk)
        .max()
        .unwrap_or(Risk::Low)
        .max(if destructive { Risk::High } else { Risk::Low });
    let report = ImpactReport {
        request: request.to_string(),
        estimated_ms: statements.iter().map(|s| s.estimated_ms).sum(),
        recommendation: recommend(engine, &statements, risk, destructive),
        tables,
        statements,
        risk,
        destructive,
    };
    if json {
        return print_json(&report);
    }
    println!("{BOLD}Impact of:{BOLD:#} {request}");
    println!();
    println!("{BOLD}Tables touched:{BOLD:#}");
    if report.tables.is_empty() {
        println!("  (only new tables)");
    }
    for t in &report.tables {
        println!(
            "  {}: {} rows",
            t.table,
            t.rows
                .map(|r| r.to_string())
                .unwrap_or_else(|| "unknown".into())
        );
    }
    println!();
    println!("{BOLD}Statements:{BOLD:#}");
    for (i, st) in report.statements.iter().enumerate() {
        println!(
            "  {}. {SQL}{}{SQL:#}",
            i + 1,
            st.sql.lines().next().unwrap_or("")
        );
        println!(
            "     lock: {}{}{} · estimated {} · risk {:?}",
            st.lock,
            if st.rewrites_table {
                " · rewrites the table"
            } else {
                ""
            },
            if st.outside_transaction {
                " · outside a transaction"
            } else {
                ""
            },
            crate::rollout::show::duration(st.estimated_ms),
            st.risk
        );
    }
    println!();
    println!(
        "Estimated duration: {}",
        crate::rollout::show::duration(report.estimated_ms)
    );
    println!(
        "Risk: {:?}{}",
        report.risk,
        if destructive { " (can lose data)" } else { "" }
    );
    println!("Recommendation: {}", report.recommendation);
    Ok(())
}

/// Rows in a table: the engine's statistics where they exist, else a count.
fn assess(
    st: &Statement,
    change: &Change,
    table: Option<&QualifiedName>,
    rows: Option<u64>,
) -> StatementImpact {
    let n = rows.unwrap_or(0) as f64;
    let upper = st.sql.to_ascii_uppercase();
    let per_row = if st.rewrites_table {
        Some(REWRITE_ROWS_PER_SEC)
    } else if matches!(change, Change::AddIndex(_) | Change::AddUnique(_))
        || upper.contains("INDEX")
    {
        Some(INDEX_ROWS_PER_SEC)
    } else if matches!(
        change,
        Change::CopyRows(_)
            | Change::FillColumn(_)
            | Change::FillNulls(_)
            | Change::RestoreNulls(_)
    ) {
        Some(COPY_ROWS_PER_SEC)
    } else if matches!(
        change,
        Change::SetNotNull(_) | Change::AddForeignKey(_) | Change::AddCheck(_)
    ) {
        // Validation scans the table.
        Some(INDEX_ROWS_PER_SEC * 2.0)
    } else {
        None
    };
    let estimated_ms = 5 + per_row.map(|r| (n / r * 1000.0) as u64).unwrap_or(0);
    let lock = match st.lock {
        LockLevel::None => "none",
        LockLevel::Shared => "shared (blocks writes)",
        LockLevel::Exclusive => "exclusive (blocks reads and writes)",
    };
    let risk = match (st.lock, rows.unwrap_or(0)) {
        (_, _) if is_destructive(change) => Risk::High,
        (LockLevel::Exclusive, r) if r > 100_000 && per_row.is_some() => Risk::High,
        (LockLevel::Shared, r) if r > 1_000_000 => Risk::High,
        (LockLevel::Exclusive | LockLevel::Shared, r) if r > 10_000 && per_row.is_some() => {
            Risk::Medium
        }
        _ => Risk::Low,
    };
    StatementImpact {
        sql: st.sql.clone(),
        table: table.map(display),
        rows,
        lock,
        rewrites_table: st.rewrites_table,
        outside_transaction: st.outside_transaction,
        estimated_ms,
        risk,
    }
}

fn recommend(
    engine: Engine,
    statements: &[StatementImpact],
    risk: Risk,
    destructive: bool,
) -> String {
    let mut advice = Vec::new();
    if destructive {
        advice.push(
            "it drops data: take a backup first and apply with --allow-destructive once reviewed"
                .to_string(),
        );
    }
    let slow_lock = statements
        .iter()
        .any(|s| s.risk >= Risk::Medium && s.lock != "none");
    if slow_lock {
        advice.push(match engine {
            Engine::Postgres => "large tables are locked while the statements run: apply outside peak hours, or build indexes CONCURRENTLY".into(),
            Engine::MySql => "large tables are locked while the statements run: apply outside peak hours (online DDL with ALGORITHM=INPLACE, LOCK=NONE where the server allows it)".into(),
            Engine::Sqlite => "the database is locked for writes while the table is rewritten: apply when writers are idle".into(),
        });
    }
    if advice.is_empty() && risk == Risk::Low {
        advice.push("safe to apply directly: small tables, short locks".into());
    }
    advice.join("; ")
}
