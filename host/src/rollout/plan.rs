//! Choosing a strategy per change and rendering the phases it returns.
//!
//! For each change, in order: the table's size decides whether an online strategy is wanted (or
//! `--zero-downtime` forces it). Then the strategies serving the dialect are asked in order of preference
//! (installed first, then the built-ins, online ones first, `standard` last; for small tables only
//! installed non-online strategies and `standard`) and the first plan wins.
//! `render` steps are rendered by the dialect plugin against the schema as the change's earlier render
//! steps left it; `render-inverse` steps become the host's inverse of those changes.

use anyhow::Context as _;

use super::{Backfill, Kind, Phase};
use crate::changes::describe::describe;
use crate::changes::inverse::inverse;
use crate::changes::{existing_table, simulate};
use crate::connection::Database;
use crate::model::{Change, DatabaseSchema, LockLevel, QualifiedName};
use crate::plugins::bindings::strategy::exports::ai_shell::plugin::strategy_api::{
    self as wit, Engine as EngineInfo, PhaseKind, Step,
};
use crate::plugins::{DialectPlugin, PluginRegistry, StrategyPlugin};

/// When an online strategy is used.
#[derive(Clone, Debug)]
pub struct Options {
    /// Use the online strategy for every change that has one (`--zero-downtime`).
    pub zero_downtime: bool,
    /// Tables with at least this many rows get the online strategy anyway.
    pub online_threshold_rows: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            zero_downtime: false,
            online_threshold_rows: 100_000,
        }
    }
}

/// The phases of a plan, and what the operator should know about them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Rollout {
    pub phases: Vec<Phase>,
    /// The strategies used, in order of first use.
    pub strategies: Vec<String>,
    pub warnings: Vec<String>,
}

/// The rollout of `changes`, or `None` when every change is planned by `standard` (an ordinary migration).
pub async fn plan(
    changes: &[Change],
    before: &DatabaseSchema,
    db: &Database,
    dialect: &DialectPlugin,
    registry: &PluginRegistry,
    options: &Options,
) -> anyhow::Result<Option<Rollout>> {
    let engine = db.engine();
    let dialect_name = dialect.meta().name.clone();
    let strategies = registry.strategies_for(&dialect_name).await?;
    let mut tables: Vec<QualifiedName> = vec![];
    for c in changes {
        if let Some(t) = existing_table(c)
            && !tables.iter().any(|x| simulate::same(x, t))
        {
            tables.push(t.clone());
        }
    }
    let mut s = db.session().await?;
    let stats = super::stats::table_stats(&mut s, engine, &tables).await;
    let server_version = super::stats::server_version(&mut s, engine).await;
    drop(s);
    let info = EngineInfo {
        dialect: dialect_name.clone(),
        server_version,
        capabilities: dialect.capabilities().await?,
    };

    // Every change on a small table, without --zero-downtime and with no installed strategy: `standard`
    // plans them all, which is the plain migration. Asking it change by change would cost a plugin call with
    // the whole schema per change (quadratic in a request's size) for nothing.
    let installed = strategies
        .iter()
        .any(|s| matches!(s.meta().source, crate::plugins::PluginSource::Installed(_)));
    let small = |c: &Change| {
        existing_table(c)
            .and_then(|t| stats.iter().find(|s| simulate::same(&s.table, t)))
            .is_none_or(|s| s.rows < options.online_threshold_rows)
    };
    if !options.zero_downtime && !installed && changes.iter().all(small) {
        return Ok(None);
    }

    let mut logical = before.clone();
    let mut rollout = Rollout {
        phases: vec![],
        strategies: vec![],
        warnings: vec![],
    };
    // Changes that asked for an online rollout but would hold a lock on a table with rows.
    let mut blocking: Vec<String> = vec![];
    for change in changes {
        let rows = existing_table(change)
            .and_then(|t| stats.iter().find(|s| simulate::same(&s.table, t)))
            .map(|s| s.rows)
            .unwrap_or(0);
        let online_wanted = options.zero_downtime || rows >= options.online_threshold_rows;
        let candidates: Vec<&StrategyPlugin> = if online_wanted {
            strategies
                .iter()
                .filter(|s| s.online())
                .chain(strategies.iter().filter(|s| !s.online()))
                .collect()
        } else {
            // Small tables: an installed (team-specific) strategy, else `standard`; the built-in
            // engine-specific ones are for big tables and `--zero-downtime`.
            strategies
                .iter()
                .filter(|s| {
                    !s.online()
                        && (s.meta().name == "standard"
                            || matches!(
                                s.meta().source,
                                crate::plugins::PluginSource::Installed(_)
                            ))
                })
                .collect()
        };
        let mut chosen = None;
        for strategy in candidates {
            let planned = strategy
                .plan(std::slice::from_ref(change), &logical, &stats, &info)
                .await?;
            if let Some(phases) = planned {
                chosen = Some((strategy, phases));
                break;
            }
        }
        let Some((strategy, phases)) = chosen else {
            anyhow::bail!(
                "no strategy plans `{}` on {dialect_name}: install one that does, or write the migration by hand with `ai-shell migrate new NAME`",
                describe(change)
            );
        };
        let name = strategy.meta().name.clone();
        if online_wanted && !strategy.online() {
            rollout.warnings.push(format!(
                "no online strategy handles `{}` on {dialect_name}: `{name}` runs it with the locks its DDL takes",
                describe(change)
            ));
        }
        if !rollout.strategies.contains(&name) {
            rollout.strategies.push(name.clone());
        }
        let mut sim = logical.clone();
        for p in phases {
            let phase = render_phase(p, &name, &mut sim, dialect, &mut rollout.warnings).await?;
            // SQLite has one writer: its rebuild strategy is the best there is, and its plan shows the lock.
            if online_wanted
                && !strategy.online()
                && phase.lock != "none"
                && rows > 0
                && engine != crate::connection::Engine::Sqlite
            {
                blocking.push(format!(
                    "`{}`: {name} holds {} lock on {} rows ({})",
                    describe(change),
                    if phase.lock == "exclusive" {
                        "an exclusive (read and write)"
                    } else {
                        "a shared (write-blocking)"
                    },
                    crate::safety::thousands(rows),
                    phase.lock_note
                ));
            }
            push(&mut rollout.phases, phase);
        }
        simulate::apply(&mut logical, change).map_err(|e| anyhow::anyhow!(e))?;
    }
    if options.zero_downtime && !blocking.is_empty() {
        anyhow::bail!(
            "a zero-downtime rollout was asked for, but no online strategy on {dialect_name} handles:\n  - {}\n\nNothing was changed. Run the change without --zero-downtime in a maintenance window to accept that lock, roll it out with a tool that handles the case (pt-online-schema-change, gh-ost), or split the change into steps an online strategy handles.",
            blocking.join("\n  - ")
        );
    }
    if rollout.strategies.iter().all(|s| s == "standard") {
        return Ok(None);
    }
    for (i, p) in rollout.phases.iter_mut().enumerate() {
        p.number = i + 1;
    }
    Ok(Some(rollout))
}

/// Appends `phase`, merging consecutive plain `standard` phases into one transaction.
fn push(phases: &mut Vec<Phase>, phase: Phase) {
    if let Some(last) = phases.last_mut()
        && last.strategy == "standard"
        && phase.strategy == "standard"
        && last.kind == Kind::Ddl
        && phase.kind == Kind::Ddl
    {
        last.statements.extend(phase.statements);
        let mut rollback = phase.rollback;
        rollback.append(&mut last.rollback);
        last.rollback = rollback;
        last.estimated_ms += phase.estimated_ms;
        last.description = "Apply the changes in one transaction".into();
        return;
    }
    phases.push(phase);
}

async fn render_phase(
    p: wit::Phase,
    strategy: &str,
    sim: &mut DatabaseSchema,
    dialect: &DialectPlugin,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Phase> {
    let before = sim.clone();
    let mut statements = vec![];
    for step in &p.steps {
        statements.extend(render_step(step, sim, &before, dialect, true).await?);
    }
    let mut rollback = vec![];
    for step in &p.rollback {
        let mut after = sim.clone();
        match render_step(step, &mut after, &before, dialect, false).await {
            Ok(statements) => rollback.extend(statements),
            // No automatic inverse (data copied into an existing table...): the phase has no rollback.
            Err(e) if matches!(step, Step::RenderInverse(_)) => {
                warnings.push(format!(
                    "phase `{}` cannot be rolled back automatically: {e:#}",
                    p.name
                ));
                rollback.clear();
                break;
            }
            Err(e) => return Err(e),
        }
    }
    let (kind, backfill, gate) = match p.kind {
        PhaseKind::Ddl => (Kind::Ddl, None, None),
        PhaseKind::DdlOutsideTransaction => (Kind::DdlOutsideTransaction, None, None),
        PhaseKind::Validate => (Kind::Validate, None, None),
        PhaseKind::Cleanup => (Kind::Cleanup, None, None),
        PhaseKind::Gate(question) => (Kind::Gate, None, Some(question)),
        PhaseKind::Backfill(b) => {
            let table = quote_name(dialect, &b.table).await?;
            let key = dialect.quote_identifier(&b.key).await?;
            (
                Kind::Backfill,
                Some(Backfill {
                    table,
                    key,
                    batch: b.batch,
                }),
                None,
            )
        }
    };
    Ok(Phase {
        number: 0,
        name: p.name,
        kind,
        description: p.description,
        strategy: strategy.to_string(),
        statements: if kind == Kind::Backfill || kind == Kind::Gate {
            vec![]
        } else {
            statements
        },
        backfill,
        gate,
        rollback,
        lock: match p.lock {
            LockLevel::None => "none",
            LockLevel::Shared => "shared",
            LockLevel::Exclusive => "exclusive",
        }
        .to_string(),
        lock_note: p.lock_note,
        estimated_ms: p.estimated_ms,
    })
}

/// One step as SQL. `sim` is the schema the step applies to (advanced by render steps when `forward`);
/// `before` the schema before the phase, which `render-inverse` undoes changes against.
async fn render_step(
    step: &Step,
    sim: &mut DatabaseSchema,
    before: &DatabaseSchema,
    dialect: &DialectPlugin,
    forward: bool,
) -> anyhow::Result<Vec<String>> {
    Ok(match step {
        Step::Sql(sql) => vec![sql.clone()],
        Step::Render(changes) => {
            let out = dialect
                .render(changes, sim)
                .await
                .context("rendering a strategy's step")?;
            if forward {
                simulate::apply_all(sim, changes).map_err(|e| anyhow::anyhow!(e))?;
            }
            out.into_iter().map(|s| s.sql).collect()
        }
        Step::RenderInverse(changes) => {
            let undo = inverse(changes, before).map_err(|e| anyhow::anyhow!(e))?;
            dialect
                .render(&undo, sim)
                .await
                .context("rendering a strategy's rollback")?
                .into_iter()
                .map(|s| s.sql)
                .collect()
        }
    })
}

async fn quote_name(dialect: &DialectPlugin, name: &QualifiedName) -> anyhow::Result<String> {
    let table = dialect.quote_identifier(&name.name).await?;
    Ok(match &name.namespace {
        Some(ns) => format!("{}.{table}", dialect.quote_identifier(ns).await?),
        None => table,
    })
}
