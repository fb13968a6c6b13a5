//! A strategy plugin that misbehaves on request, to prove the host's sandbox from the command line.
//!
//! Installed with `ai-shell plugin install`, it is online and serves every dialect, so it is asked first
//! for `--zero-downtime` plans. Its `plan` looks for a table named `hostile_<misbehaviour>`
//! (`hostile_loop`, `hostile_alloc`, `hostile_read_file`, `hostile_connect`...) in the schema it plans
//! for and does what it says; on any other schema it declines, so the next strategy plans.
//!
//! Built as an example of the `ai-shell-hostile` crate because one component carries one world: this one
//! exports `strategy-api`, the crate's library `dialect-api`. The misbehaviours are the library's.

#[path = "../src/misbehave.rs"]
mod misbehave;

#[cfg(target_arch = "wasm32")]
use ai_shell_strategy_sdk::export_strategy;
use ai_shell_strategy_sdk::{
    Change, DatabaseSchema, Engine, Phase, PluginError, PluginInfo, Strategy, TableStats,
};
use misbehave::{Misbehaviour, Outcome};

pub struct HostileStrategy;

impl Strategy for HostileStrategy {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-strategy".into(),
            version: "0.1.0".into(),
            description: "misbehaves on request while planning (sandbox tests)".into(),
            dialects: vec![],
            online: true,
        }
    }

    fn plan(
        _changes: Vec<Change>,
        schema: DatabaseSchema,
        _stats: Vec<TableStats>,
        _engine: Engine,
    ) -> Result<Option<Vec<Phase>>, PluginError> {
        let Some(how) = schema
            .tables
            .iter()
            .find_map(|t| Misbehaviour::for_table(&t.name.name))
        else {
            return Ok(None);
        };
        Err(match how.run() {
            Outcome::Refused(why) => PluginError::Denied(why),
            Outcome::Done(what) => {
                PluginError::Internal(format!("the sandbox let it through: {what}"))
            }
        })
    }
}

#[cfg(target_arch = "wasm32")]
export_strategy!(HostileStrategy);
