//! A dialect plugin that misbehaves on request, to prove the host's sandbox.
//!
//! - From the test binary, `quote-identifier` takes the misbehaviour's name: `loop`, `alloc`, `read-file`,
//!   `env`, `connect`, `panic`.
//! - From the command line, the plugin is installed with `ai-shell plugin install` and serves the `sqlite`
//!   URL scheme (the host connects only to the engines it knows, so an installed dialect takes over one of
//!   their schemes). Its `introspect`, the first call of every command that reads a database, looks for a
//!   table named `hostile_<misbehaviour>` (`hostile_loop`, `hostile_read_file`...) and does what it says.
//!
//! The strategy twin, `examples/hostile_strategy.rs`, does the same in `plan`.

pub mod misbehave;

use ai_shell_plugin_sdk::{
    DatabaseSchema, Dialect, PluginError, PluginInfo, SqlValue, export_dialect, host,
};

use misbehave::{Misbehaviour, Outcome};

/// The hostile dialect.
pub struct Hostile;

impl Dialect for Hostile {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile".into(),
            version: "0.1.0".into(),
            description: "misbehaves on request (sandbox tests)".into(),
            url_schemes: vec!["sqlite".into()],
        }
    }

    fn introspect() -> Result<DatabaseSchema, PluginError> {
        let tables = host::rows(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            &[] as &[SqlValue],
        )?;
        let mut names = vec![];
        for row in tables {
            names.push(row.text("name")?);
        }
        let Some(how) = names.iter().find_map(|n| Misbehaviour::for_table(n)) else {
            return Err(PluginError::InvalidInput(
                "the hostile plugin does nothing useful: create a table named hostile_loop, hostile_alloc, hostile_read_file, hostile_env, hostile_connect or hostile_panic to choose how it misbehaves".into(),
            ));
        };
        Err(outcome_error(how.run()))
    }

    fn quote_identifier(name: String) -> String {
        match Misbehaviour::named(&name) {
            Some(how) => match how.run() {
                Outcome::Done(text) => text,
                Outcome::Refused(why) => format!("denied: {why}"),
            },
            None => format!("\"{name}\""),
        }
    }
}

/// The error a call that misbehaved returns: a refusal as `denied`, anything that got through as a
/// breach of the sandbox.
pub fn outcome_error(outcome: Outcome) -> PluginError {
    match outcome {
        Outcome::Refused(why) => PluginError::Denied(why),
        Outcome::Done(what) => PluginError::Internal(format!("the sandbox let it through: {what}")),
    }
}

export_dialect!(Hostile);
