//! A policy plugin that misbehaves on request, to prove that policies fail closed.
//!
//! Its `check-plan` looks for a statement that names a table `hostile_<misbehaviour>` (`hostile_loop`,
//! `hostile_alloc`, `hostile_panic`, `hostile_read_file`...) and does what it says; on any other plan it
//! finds nothing. `check-schema` does the same with the schema's tables.

#[path = "../src/misbehave.rs"]
mod misbehave;

#[cfg(target_arch = "wasm32")]
use ai_shell_policy_sdk::export_policy;
use ai_shell_policy_sdk::{Finding, PlanInput, PluginError, PluginInfo, Policy, SchemaInput};
use misbehave::{Misbehaviour, Outcome};

pub struct HostilePolicy;

fn misbehave(how: Misbehaviour) -> Result<Vec<Finding>, PluginError> {
    Err(match how.run() {
        Outcome::Refused(why) => PluginError::Denied(why),
        Outcome::Done(what) => PluginError::Internal(format!("the sandbox let it through: {what}")),
    })
}

impl Policy for HostilePolicy {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-policy".into(),
            version: "0.1.0".into(),
            description: "misbehaves on request while judging (sandbox tests)".into(),
            rules: vec![],
        }
    }

    fn check_plan(input: PlanInput) -> Result<Vec<Finding>, PluginError> {
        let how = input.statements.iter().find_map(|s| {
            s.sql
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .find_map(Misbehaviour::for_table)
        });
        match how {
            Some(how) => misbehave(how),
            None => Ok(vec![]),
        }
    }

    fn check_schema(input: SchemaInput) -> Result<Vec<Finding>, PluginError> {
        match input
            .schema
            .tables
            .iter()
            .find_map(|t| Misbehaviour::for_table(&t.name.name))
        {
            Some(how) => misbehave(how),
            None => Ok(vec![]),
        }
    }
}

#[cfg(target_arch = "wasm32")]
export_policy!(HostilePolicy);
