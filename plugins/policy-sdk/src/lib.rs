//! Guest SDK for ai-shell policy plugins.
//!
//! A policy crate implements [`Policy`] and registers it with [`export_policy!`]. Policies only judge:
//! they receive a plan (changes, rendered statements, schemas, table sizes, data problems the host found,
//! the run context) or a whole schema, and return findings. They have no SQL access, filesystem or
//! network; the only import is the operator's log.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "policy",
        pub_export_macro: true,
        export_macro_name: "__export_policy_world",
        default_bindings_module: "ai_shell_policy_sdk::bindings",
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
pub use ai_shell_plugin_model::types::{LockLevel, LogLevel, PluginError};
pub use bindings::exports::ai_shell::plugin::policy_api::{
    Author, DataProblem, DataProblemKind, Finding, PlanInput, PluginInfo, Rule, RuleScope,
    RunContext, SchemaInput, Setting, Severity, Statement, TableSize,
};

/// The WIT package version this SDK (and so every policy built with it) was generated from.
pub const WIT_VERSION: &str = "0.1.0";

/// A policy: identity, rules, and the two checks.
pub trait Policy {
    /// Name, version, description and every rule the policy can report.
    fn info() -> PluginInfo;

    /// Findings about one migration plan.
    fn check_plan(input: PlanInput) -> Result<Vec<Finding>, PluginError>;

    /// Findings about a whole schema.
    fn check_schema(input: SchemaInput) -> Result<Vec<Finding>, PluginError>;
}

/// Sends a message to the operator's log.
pub fn log(level: LogLevel, message: &str) {
    bindings::ai_shell::plugin::log::log(level, message)
}

/// The value of option `key` for `rule` (a setting for `*` applies to every rule; the rule's own wins).
pub fn setting<'a>(settings: &'a [Setting], rule: &str, key: &str) -> Option<&'a str> {
    let own = settings.iter().find(|s| s.rule == rule && s.key == key);
    own.or_else(|| settings.iter().find(|s| s.rule == "*" && s.key == key))
        .map(|s| s.value.as_str())
}

/// Whether two qualified names denote the same object (a missing namespace matches any; case ignored).
pub fn same_name(a: &QualifiedName, b: &QualifiedName) -> bool {
    a.name.eq_ignore_ascii_case(&b.name)
        && match (&a.namespace, &b.namespace) {
            (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
            _ => true,
        }
}

/// The table called `name` in `schema`, if any.
pub fn find_table<'a>(schema: &'a DatabaseSchema, name: &QualifiedName) -> Option<&'a Table> {
    schema.tables.iter().find(|t| same_name(&t.name, name))
}

/// Registers a type implementing [`Policy`] as this component's `policy` export.
///
/// The export exists only when compiling for wasm, so a policy crate's unit tests still build natively.
#[macro_export]
macro_rules! export_policy {
    ($ty:ty) => {
        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        pub struct __AiShellPolicyExport;

        #[cfg(target_arch = "wasm32")]
        impl $crate::bindings::exports::ai_shell::plugin::policy_api::Guest for __AiShellPolicyExport {
            fn info() -> $crate::PluginInfo {
                <$ty as $crate::Policy>::info()
            }
            fn check_plan(
                input: $crate::PlanInput,
            ) -> ::core::result::Result<::std::vec::Vec<$crate::Finding>, $crate::PluginError> {
                <$ty as $crate::Policy>::check_plan(input)
            }
            fn check_schema(
                input: $crate::SchemaInput,
            ) -> ::core::result::Result<::std::vec::Vec<$crate::Finding>, $crate::PluginError> {
                <$ty as $crate::Policy>::check_schema(input)
            }
        }

        #[cfg(target_arch = "wasm32")]
        $crate::bindings::__export_policy_world!(__AiShellPolicyExport with_types_in $crate::bindings);
    };
}
