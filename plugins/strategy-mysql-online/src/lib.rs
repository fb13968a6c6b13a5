//! The `mysql-online` strategy: changes to big MySQL/MariaDB tables carried out while the
//! application reads and writes them. Each statement is InnoDB online DDL with an explicit
//! `ALGORITHM=INSTANT` or `ALGORITHM=INPLACE, LOCK=NONE`, so the server fails rather than
//! silently blocking writes when it cannot do it online; column type changes InnoDB cannot do in
//! place go through a trigger-synchronised shadow table swapped in by one atomic `RENAME TABLE`.
//! Every phase is `ddl-outside-transaction` (MySQL DDL commits by itself) and has a rollback.
//!
//! Changes it has no online plan for (or whose table it does not find) get `None`, and the host
//! asks the next strategy.

mod add_column;
mod change_type;
mod column_attrs;
mod column_sql;
mod context;
mod drop_column;
mod foreign_key;
mod index;
mod names;
mod quote;
mod rename;
mod version;

#[cfg(target_arch = "wasm32")]
use ai_shell_strategy_sdk::export_strategy;
use ai_shell_strategy_sdk::{
    Change, DatabaseSchema, Engine, LogLevel, Phase, PluginError, PluginInfo, Strategy, TableStats,
};

use context::Ctx;
use version::Server;

/// The strategy.
pub struct MysqlOnline;

impl Strategy for MysqlOnline {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "mysql-online".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "InnoDB online DDL (INSTANT / INPLACE without locks) and shadow-table copies for type changes, with gates before destructive steps".into(),
            dialects: vec!["mysql".into()],
            online: true,
        }
    }

    fn plan(
        changes: Vec<Change>,
        schema: DatabaseSchema,
        stats: Vec<TableStats>,
        engine: Engine,
    ) -> Result<Option<Vec<Phase>>, PluginError> {
        if engine.dialect != "mysql" {
            return Ok(None);
        }
        let [change] = changes.as_slice() else {
            return Ok(None);
        };
        let Some(server) = Server::parse(&engine.server_version) else {
            log(&format!(
                "mysql-online: cannot read the server version `{}`",
                engine.server_version
            ));
            return Ok(None);
        };
        let ctx = Ctx {
            schema: &schema,
            stats: &stats,
            server,
        };
        match change {
            Change::AddColumn(a) => add_column::plan(&ctx, a),
            Change::DropColumn(c) => drop_column::plan(&ctx, c),
            Change::AddIndex(a) => index::add_index(&ctx, a),
            Change::AddUnique(u) => index::add_unique(&ctx, u),
            Change::AddForeignKey(f) => foreign_key::plan(&ctx, f),
            Change::DropForeignKey(o) => foreign_key::drop(&ctx, o),
            Change::RenameColumn(r) => rename::column(&ctx, r),
            Change::RenameTable(r) => rename::table(&ctx, r),
            Change::SetDefault(d) => column_attrs::set_default(&ctx, d),
            Change::DropDefault(r) => column_attrs::drop_default(&ctx, r),
            Change::SetNotNull(r) => column_attrs::nullability(&ctx, r, false),
            Change::DropNotNull(r) => column_attrs::nullability(&ctx, r, true),
            Change::AlterColumnType(a) => change_type::plan(&ctx, a),
            _ => Ok(None),
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn log(message: &str) {
    ai_shell_strategy_sdk::log(LogLevel::Warn, message);
}

#[cfg(not(target_arch = "wasm32"))]
fn log(_message: &str) {
    let _ = LogLevel::Warn;
}

#[cfg(target_arch = "wasm32")]
export_strategy!(MysqlOnline);

#[cfg(test)]
mod tests;
