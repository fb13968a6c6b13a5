//! From a request in plain English to rendered up and down SQL: the pipeline `migrate "<request>"` and
//! `migrate impact` share. Planners propose changes; the host validates them against the live schema; the
//! dialect plugin renders them. Nothing here writes to the database.

use std::time::Instant;

use anyhow::Context as _;

use crate::changes::{Plan, Refusal, inverse::inverse, validate::validate};
use crate::cli::PlannerChoice;
use crate::connection::{Database, Engine};
use crate::history::History;
use crate::model::{Change, DatabaseSchema, Statement};
use crate::plugins::DialectPlugin;

/// A validated plan with its SQL.
pub struct Prepared {
    pub plan: Plan,
    pub planner: PlannerChoice,
    pub planning_ms: f64,
    /// The live schema the plan was made against (without ai-shell's own history tables).
    pub before: DatabaseSchema,
    pub up: Vec<Statement>,
    /// The changes and SQL that undo `up`, or why there are none.
    pub down: Result<(Vec<Change>, Vec<Statement>), String>,
}

/// Why no plan came out.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// The live schema as planners see it: without ai-shell's history tables.
pub async fn live_schema(
    db: &Database,
    dialect: &DialectPlugin,
    history: &History,
) -> anyhow::Result<DatabaseSchema> {
    crate::commands::schema::introspect(db, dialect, Some(history)).await
}

/// Plans `request` against `schema`, validates the plan and renders it.
pub async fn prepare(
    request: &str,
    planner: PlannerChoice,
    engine: Engine,
    schema: DatabaseSchema,
    dialect: &DialectPlugin,
    llm: Option<&crate::project::LlmSettings>,
) -> Result<Prepared, PrepareError> {
    let started = Instant::now();
    let plan = match planner {
        PlannerChoice::Offline => crate::planner::plan(request, &schema, engine)?,
        PlannerChoice::Llm => super::llm_planner::plan(request, &schema, engine, llm).await?,
    };
    let planning_ms = started.elapsed().as_secs_f64() * 1000.0;
    let after = validate(&plan.changes, &schema, engine).map_err(|problems| {
        anyhow::anyhow!(
            "the planner proposed changes that do not fit the live schema:\n  - {}\n\nNothing was changed. Rephrase the request, or write the migration by hand with `ai-shell migrate new NAME`.",
            problems.join("\n  - ")
        )
    })?;
    let up = dialect
        .render(&plan.changes, &schema)
        .await
        .context("rendering the migration")?;
    let down = match &plan.down {
        Some(down) => Ok(down.clone()),
        None => inverse(&plan.changes, &schema),
    };
    let down = match down {
        Ok(changes) => dialect
            .render(&changes, &after)
            .await
            .map(|statements| (changes, statements))
            .map_err(|e| format!("rendering the down section failed: {e}")),
        Err(why) => Err(why),
    };
    Ok(Prepared {
        plan,
        planner,
        planning_ms,
        before: schema,
        up,
        down,
    })
}

/// Whether statements must run outside a transaction, beyond SQLite's foreign-key pragmas (which the
/// executor runs around the transaction itself).
pub fn needs_no_transaction(engine: Engine, statements: &[Statement]) -> bool {
    statements
        .iter()
        .any(|s| s.outside_transaction && !(engine == Engine::Sqlite && is_fk_pragma(&s.sql)))
}

fn is_fk_pragma(sql: &str) -> bool {
    crate::executor::foreign_keys_pragma(sql).is_some()
}

/// The statements as a migration section: each change's statements under a comment saying what it does.
/// On SQLite, the foreign-key pragmas of table rebuilds become one `OFF` first and one `ON` last, so the
/// executor can run them around the migration's transaction.
pub fn section(engine: Engine, statements: &[Statement], steps: &[String]) -> String {
    let sqlite_pragmas =
        engine == Engine::Sqlite && statements.iter().any(|s| is_fk_pragma(&s.sql));
    let mut out = String::new();
    if sqlite_pragmas {
        out.push_str("PRAGMA foreign_keys = OFF;\n\n");
    }
    let mut last: Option<u32> = None;
    for s in statements {
        if sqlite_pragmas && is_fk_pragma(&s.sql) {
            continue;
        }
        if last != Some(s.change_index) {
            if last.is_some() {
                out.push('\n');
            }
            if let Some(step) = steps.get(s.change_index as usize) {
                out.push_str(&format!("-- {step}\n"));
            }
            last = Some(s.change_index);
        }
        out.push_str(s.sql.trim_end());
        out.push_str(";\n");
    }
    if sqlite_pragmas {
        out.push_str("\nPRAGMA foreign_keys = ON;\n");
    }
    out
}
