//! The `postgres-online` strategy: expand/contract plans that keep PostgreSQL tables readable and
//! writable while their schema changes (in the spirit of pgroll, simpler). Catalog updates take their
//! ACCESS EXCLUSIVE locks for milliseconds under the executor's lock timeout; anything that scans or
//! rewrites a table runs concurrently (`CREATE INDEX CONCURRENTLY`, `VALIDATE CONSTRAINT`, batched
//! backfills). Changes it has no online recipe for are left to the next strategy (`None`).

#[cfg(target_arch = "wasm32")]
use ai_shell_strategy_sdk::export_strategy;
use ai_shell_strategy_sdk::{
    Change, DatabaseSchema, Engine, Phase, PluginError, PluginInfo, Strategy, TableStats,
};

mod add_column;
mod change_type;
mod constraints;
mod ddl;
mod drop_column;
mod names;
mod not_null;
mod plan;
mod quote;
mod rename;
mod types;
mod volatile;

#[cfg(test)]
mod tests;

use plan::Context;

/// The strategy.
pub struct PostgresOnline;

impl Strategy for PostgresOnline {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "postgres-online".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Expand/contract on PostgreSQL: concurrent index builds, NOT VALID constraints \
                          validated later, batched backfills, type changes through a synced column, \
                          compatibility views for renames"
                .into(),
            dialects: vec!["postgres".into()],
            online: true,
        }
    }

    fn plan(
        changes: Vec<Change>,
        schema: DatabaseSchema,
        stats: Vec<TableStats>,
        engine: Engine,
    ) -> Result<Option<Vec<Phase>>, PluginError> {
        if engine.dialect != "postgres" {
            return Ok(None);
        }
        let cx = Context {
            schema: &schema,
            stats: &stats,
            major: plan::major_version(&engine.server_version),
        };
        let mut phases = Vec::new();
        for change in &changes {
            match plan_one(change, &cx) {
                Some(p) => phases.extend(p),
                None => return Ok(None),
            }
        }
        Ok(Some(phases))
    }
}

/// The phases of one change, or `None` when it has no online recipe here.
fn plan_one(change: &Change, cx: &Context) -> Option<Vec<Phase>> {
    match change {
        Change::AddColumn(a) => add_column::plan(a, cx),
        Change::AlterColumnType(a) => change_type::plan(a, cx),
        Change::RenameColumn(r) => rename::plan_column(r, cx),
        Change::RenameTable(r) => Some(rename::plan_table(r)),
        Change::AddIndex(a) => constraints::plan_index(a, cx),
        Change::AddUnique(a) => constraints::plan_unique(a, cx),
        Change::AddForeignKey(a) => constraints::plan_foreign_key(a, cx),
        Change::AddCheck(a) => constraints::plan_check(a, cx),
        Change::SetNotNull(c) => constraints::plan_not_null(c, cx),
        Change::DropColumn(c) => drop_column::plan(c, cx),
        _ => None,
    }
}

#[cfg(target_arch = "wasm32")]
export_strategy!(PostgresOnline);
