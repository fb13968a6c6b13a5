//! The built-in policy of ai-shell: rules about destructive, blocking and data-dependent changes, the
//! design of new objects, and legacy schemas. Rules read the statements' SQL text (see [`sql`]), so a
//! plan checked when it is made and the same migration file checked later by `lint` or `apply` get
//! the same findings. The rules are listed in [`rules::table::RULES`] and documented in
//! `docs/policies.md`.

mod rules;
mod sql;
mod types;

#[cfg(test)]
mod tests;

use ai_shell_policy_sdk::{
    Finding, PlanInput, PluginError, PluginInfo, Policy, SchemaInput, export_policy,
};

/// The policy.
pub struct BuiltIn;

impl Policy for BuiltIn {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "builtin".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "Built-in rules: destructive and blocking changes, changes the data makes fail, \
                          and the design of new tables and legacy schemas"
                    .into(),
            rules: rules::table::rules(),
        }
    }

    fn check_plan(input: PlanInput) -> Result<Vec<Finding>, PluginError> {
        Ok(rules::check_plan(&input))
    }

    fn check_schema(input: SchemaInput) -> Result<Vec<Finding>, PluginError> {
        Ok(rules::check_schema(&input))
    }
}

export_policy!(BuiltIn);
