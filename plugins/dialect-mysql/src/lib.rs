//! The built-in MySQL/MariaDB dialect: reads a database through `information_schema` and renders
//! changes as MySQL DDL (backquoted identifiers, non-transactional, InnoDB online DDL attributes).

mod introspect;
mod quote;
mod render;
mod types;

use ai_shell_plugin_sdk::{
    CapabilitySet, Change, ColumnType, DatabaseSchema, Dialect, PluginError, PluginInfo, Statement,
    export_dialect,
};

/// Marks an `ON UPDATE` clause kept in a column's default, the model having no field of its own
/// for it: `current_timestamp() ON UPDATE current_timestamp()`.
pub const ON_UPDATE: &str = " ON UPDATE ";

pub struct Mysql;

impl Dialect for Mysql {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "mysql".into(),
            version: "0.1.0".into(),
            description: "MySQL 8 and MariaDB 10.5+ (introspection through information_schema)"
                .into(),
            url_schemes: vec!["mysql".into(), "mariadb".into()],
        }
    }

    fn capabilities() -> CapabilitySet {
        CapabilitySet {
            transactional_ddl: false,
            concurrent_index: false,
            instant_add_column: true,
            alter_table_in_place: true,
            namespaces: false,
            enum_types: false,
            sequences: false,
            partial_indexes: false,
            // MySQL 8 has functional key parts, MariaDB does not; capabilities cannot ask.
            expression_indexes: false,
            check_constraints: true,
            advisory_locks: true,
        }
    }

    fn introspect() -> Result<DatabaseSchema, PluginError> {
        introspect::introspect()
    }

    fn render(
        changes: Vec<Change>,
        current: DatabaseSchema,
    ) -> Result<Vec<Statement>, PluginError> {
        render::render(changes, current)
    }

    fn quote_identifier(name: String) -> String {
        quote::ident(&name)
    }

    fn type_name(data_type: ColumnType) -> Result<String, PluginError> {
        types::name(&data_type)
    }

    fn parse_type(spelling: String) -> ColumnType {
        types::parse(&spelling)
    }
}

export_dialect!(Mysql);
