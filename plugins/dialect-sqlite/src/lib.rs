//! The built-in SQLite dialect of ai-shell: introspection through `sqlite_schema` and the pragma
//! table-valued functions (plus the stored `CREATE` text where they are silent), and rendering
//! that uses `ALTER TABLE` where SQLite can and the documented table rebuild where it cannot.

pub mod introspect;
pub mod quote;
pub mod render;
pub mod sql;
pub mod types;

use ai_shell_plugin_sdk::{
    CapabilitySet, Change, ColumnType, DatabaseSchema, Dialect, PluginError, PluginInfo, Statement,
};

pub struct Sqlite;

impl Dialect for Sqlite {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "sqlite".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "SQLite 3.35+: introspection and DDL rendering, with table rebuilds for what ALTER TABLE cannot do".into(),
            url_schemes: vec!["sqlite".into()],
        }
    }

    fn capabilities() -> CapabilitySet {
        CapabilitySet {
            transactional_ddl: true,
            concurrent_index: false,
            instant_add_column: true,
            alter_table_in_place: false,
            namespaces: false,
            enum_types: false,
            sequences: false,
            partial_indexes: true,
            expression_indexes: true,
            check_constraints: true,
            advisory_locks: false,
        }
    }

    fn introspect() -> Result<DatabaseSchema, PluginError> {
        introspect::introspect()
    }

    fn render(
        changes: Vec<Change>,
        current: DatabaseSchema,
    ) -> Result<Vec<Statement>, PluginError> {
        render::render(&changes, current)
    }

    fn quote_identifier(name: String) -> String {
        quote::quote_identifier(&name)
    }

    fn type_name(data_type: ColumnType) -> Result<String, PluginError> {
        types::type_name(&data_type)
    }

    fn parse_type(spelling: String) -> ColumnType {
        types::parse_type(&spelling)
    }
}

// Natively (unit tests) there is no component to export, and the linker rejects the WIT names.
#[cfg(target_arch = "wasm32")]
ai_shell_plugin_sdk::export_dialect!(Sqlite);
