//! Guest SDK for ai-shell strategy plugins.
//!
//! A strategy crate implements [`Strategy`] and registers it with [`export_strategy!`]. Strategies only
//! plan: they receive the changes, the live schema, table statistics and the engine, and return the phases
//! the host's phase executor runs. They have no SQL access, filesystem or network; the only import is the
//! operator's log.
//!
//! This is a separate crate from the dialect SDK because one component carries one world's bindings.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "strategy",
        pub_export_macro: true,
        export_macro_name: "__export_strategy_world",
        default_bindings_module: "ai_shell_strategy_sdk::bindings",
        with: {
            "ai-shell:plugin/types@0.1.0": ai_shell_plugin_model::types,
            "ai-shell:plugin/schema@0.1.0": ai_shell_plugin_model::schema,
            "ai-shell:plugin/changes@0.1.0": ai_shell_plugin_model::changes,
        },
        generate_all,
    });
}

pub use ai_shell_plugin_model::changes::{
    AddCheck, AddColumn, AddForeignKey, AddIndex, AddPrimaryKey, AddUnique, AlterColumnType,
    Change, ColumnPair, ColumnRef, CopyRows, DropView, FillColumn, FillNulls, RawSql, RenameColumn,
    RenameTable, SetCollation, SetComment, SetDefault, SetIdentity, SetTableOptions, TableObject,
};
pub use ai_shell_plugin_model::schema::*;
pub use ai_shell_plugin_model::types::{CapabilitySet, LockLevel, LogLevel, PluginError};
pub use bindings::exports::ai_shell::plugin::strategy_api::{
    Backfill, Engine, Phase, PhaseKind, PluginInfo, Step, TableStats,
};

/// The WIT package version this SDK (and so every strategy built with it) was generated from.
pub const WIT_VERSION: &str = "0.1.0";

/// A rollout strategy: identity and planning.
pub trait Strategy {
    /// Name, version, description, the dialects served and whether the strategy is online.
    fn info() -> PluginInfo;

    /// The phases carrying out `changes` on `schema`, or `None` when this strategy does not handle them.
    fn plan(
        changes: Vec<Change>,
        schema: DatabaseSchema,
        stats: Vec<TableStats>,
        engine: Engine,
    ) -> Result<Option<Vec<Phase>>, PluginError>;
}

/// Sends a message to the operator's log.
pub fn log(level: LogLevel, message: &str) {
    bindings::ai_shell::plugin::log::log(level, message)
}

/// The table called `name` in `schema`, if any.
pub fn find_table<'a>(schema: &'a DatabaseSchema, name: &QualifiedName) -> Option<&'a Table> {
    schema.tables.iter().find(|t| same_name(&t.name, name))
}

/// The statistics of table `name`, if the host sent any.
pub fn stats_for<'a>(stats: &'a [TableStats], name: &QualifiedName) -> Option<&'a TableStats> {
    stats.iter().find(|s| same_name(&s.table, name))
}

/// Whether two qualified names denote the same object (a missing namespace matches any).
pub fn same_name(a: &QualifiedName, b: &QualifiedName) -> bool {
    a.name == b.name
        && match (&a.namespace, &b.namespace) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }
}

/// Registers a type implementing [`Strategy`] as this component's `strategy` export.
///
/// The export exists only when compiling for wasm, so a strategy crate's unit tests still build natively.
#[macro_export]
macro_rules! export_strategy {
    ($ty:ty) => {
        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        pub struct __AiShellStrategyExport;

        #[cfg(target_arch = "wasm32")]
        impl $crate::bindings::exports::ai_shell::plugin::strategy_api::Guest
            for __AiShellStrategyExport
        {
            fn info() -> $crate::PluginInfo {
                <$ty as $crate::Strategy>::info()
            }
            fn plan(
                changes: ::std::vec::Vec<$crate::Change>,
                schema: $crate::DatabaseSchema,
                stats: ::std::vec::Vec<$crate::TableStats>,
                engine: $crate::Engine,
            ) -> ::core::result::Result<
                ::core::option::Option<::std::vec::Vec<$crate::Phase>>,
                $crate::PluginError,
            > {
                <$ty as $crate::Strategy>::plan(changes, schema, stats, engine)
            }
        }

        #[cfg(target_arch = "wasm32")]
        $crate::bindings::__export_strategy_world!(__AiShellStrategyExport with_types_in $crate::bindings);
    };
}
