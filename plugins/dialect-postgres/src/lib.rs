//! The PostgreSQL dialect of ai-shell: reads a live schema from `pg_catalog` and renders the
//! change model as PostgreSQL DDL. Built as a wasm32-wasip2 component; the host provides the
//! read-only connection.

mod introspect;
mod model;
mod names;
mod quote;
mod render;
mod types;

#[cfg(target_arch = "wasm32")]
use ai_shell_plugin_sdk::export_dialect;
use ai_shell_plugin_sdk::{
    CapabilitySet, Change, ColumnType, DatabaseSchema, Dialect, PluginError, PluginInfo, Statement,
};

pub use render::render as render_changes;

pub struct Postgres;

impl Dialect for Postgres {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "postgres".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "PostgreSQL 12+: schemas, enums, sequences, partitions, functions, \
                          triggers; transactional DDL and concurrent indexes"
                .into(),
            url_schemes: vec!["postgres".into(), "postgresql".into()],
        }
    }

    fn capabilities() -> CapabilitySet {
        CapabilitySet {
            transactional_ddl: true,
            concurrent_index: true,
            // PostgreSQL 11+ adds a column with a non-volatile default without a rewrite.
            instant_add_column: true,
            alter_table_in_place: true,
            namespaces: true,
            enum_types: true,
            sequences: true,
            partial_indexes: true,
            expression_indexes: true,
            check_constraints: true,
            advisory_locks: true,
        }
    }

    fn introspect() -> Result<DatabaseSchema, PluginError> {
        introspect::run()
    }

    fn render(
        changes: Vec<Change>,
        current: DatabaseSchema,
    ) -> Result<Vec<Statement>, PluginError> {
        render::render(&changes, &current)
    }

    fn quote_identifier(name: String) -> String {
        quote::ident(&name)
    }

    fn type_name(data_type: ColumnType) -> Result<String, PluginError> {
        types::type_name(&data_type)
    }

    fn parse_type(spelling: String) -> ColumnType {
        types::parse_type(&spelling)
    }
}

// Only the component exports the dialect: native builds (unit tests) cannot link its
// `ai-shell:plugin/...` export names.
#[cfg(target_arch = "wasm32")]
export_dialect!(Postgres);
