//! Guest SDK for ai-shell plugins.
//!
//! A plugin crate implements one trait per plugin kind (today [`Dialect`]) and registers it with one
//! macro ([`export_dialect!`]); wit-bindgen's export boilerplate stays in here. Every trait method
//! except identity has a default, so a plugin contains only its own logic.

pub mod data;
pub mod host;
pub mod rows;

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "dialect",
        pub_export_macro: true,
        export_macro_name: "__export_dialect_world",
        default_bindings_module: "ai_shell_plugin_sdk::bindings",
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
pub use ai_shell_plugin_model::types::{
    CapabilitySet, DatabaseError, LockLevel, LogLevel, PluginError, SqlValue,
};
pub use bindings::exports::ai_shell::plugin::dialect_api::{PluginInfo, Statement};

/// The WIT package version this SDK (and so every plugin built with it) was generated from.
/// The host reads it from the component's export names before compiling the plugin.
pub const WIT_VERSION: &str = "0.1.0";

/// A database dialect: identity, capabilities, introspection and rendering for one engine.
pub trait Dialect {
    /// Name, version and URL schemes of the plugin.
    fn info() -> PluginInfo;

    /// What the engine can do; defaults to nothing.
    fn capabilities() -> CapabilitySet {
        CapabilitySet {
            transactional_ddl: false,
            concurrent_index: false,
            instant_add_column: false,
            alter_table_in_place: false,
            namespaces: false,
            enum_types: false,
            sequences: false,
            partial_indexes: false,
            expression_indexes: false,
            check_constraints: false,
            advisory_locks: false,
        }
    }

    /// Reads the live schema through [`host::query`].
    fn introspect() -> Result<DatabaseSchema, PluginError> {
        Err(PluginError::UnsupportedChange(
            "this dialect cannot introspect".into(),
        ))
    }

    /// Turns `changes`, applied in order to `current`, into statements.
    fn render(
        changes: Vec<Change>,
        current: DatabaseSchema,
    ) -> Result<Vec<Statement>, PluginError> {
        let _ = (changes, current);
        Err(PluginError::UnsupportedChange(
            "this dialect cannot render changes".into(),
        ))
    }

    /// Quotes an identifier; the default is the SQL standard's double quotes.
    fn quote_identifier(name: String) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    /// The engine's spelling of a type.
    fn type_name(data_type: ColumnType) -> Result<String, PluginError> {
        Err(PluginError::UnsupportedChange(format!(
            "no spelling for type {data_type:?}"
        )))
    }

    /// Reads an engine spelling back into the model; the default keeps it verbatim.
    fn parse_type(spelling: String) -> ColumnType {
        ColumnType::Other(spelling)
    }
}

/// Registers a type implementing [`Dialect`] as this component's `dialect` export.
///
/// The export exists only when compiling for wasm, so a plugin crate's unit tests still build natively.
#[macro_export]
macro_rules! export_dialect {
    ($ty:ty) => {
        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        pub struct __AiShellDialectExport;

        #[cfg(target_arch = "wasm32")]
        impl $crate::bindings::exports::ai_shell::plugin::dialect_api::Guest for __AiShellDialectExport {
            fn info() -> $crate::PluginInfo {
                <$ty as $crate::Dialect>::info()
            }
            fn capabilities() -> $crate::CapabilitySet {
                <$ty as $crate::Dialect>::capabilities()
            }
            fn introspect() -> ::core::result::Result<$crate::DatabaseSchema, $crate::PluginError> {
                <$ty as $crate::Dialect>::introspect()
            }
            fn render(
                changes: ::std::vec::Vec<$crate::Change>,
                current: $crate::DatabaseSchema,
            ) -> ::core::result::Result<::std::vec::Vec<$crate::Statement>, $crate::PluginError> {
                <$ty as $crate::Dialect>::render(changes, current)
            }
            fn quote_identifier(name: ::std::string::String) -> ::std::string::String {
                <$ty as $crate::Dialect>::quote_identifier(name)
            }
            fn type_name(
                data_type: $crate::ColumnType,
            ) -> ::core::result::Result<::std::string::String, $crate::PluginError> {
                <$ty as $crate::Dialect>::type_name(data_type)
            }
            fn parse_type(spelling: ::std::string::String) -> $crate::ColumnType {
                <$ty as $crate::Dialect>::parse_type(spelling)
            }
        }

        #[cfg(target_arch = "wasm32")]
        $crate::bindings::__export_dialect_world!(__AiShellDialectExport with_types_in $crate::bindings);
    };
}
