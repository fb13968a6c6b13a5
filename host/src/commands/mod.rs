//! One module per subcommand family; `dispatch` routes a parsed command line to it.

pub mod backup;
pub mod checks;
pub mod config;
pub mod connections;
pub mod lint;
pub mod migrate;
pub mod notify;
pub mod plugin;
pub mod schema;

use anyhow::Context as _;

use crate::cli::{Cli, Command, GlobalOptions};
use crate::connection::Database;
use crate::plugins::{DialectPlugin, PluginRegistry};

/// What a command needs, opened on first use.
pub struct Context {
    pub global: GlobalOptions,
    registry: Option<PluginRegistry>,
}

impl Context {
    pub fn new(global: GlobalOptions) -> Context {
        Context {
            global,
            registry: None,
        }
    }

    /// The plugin registry (runtime, cache, installed plugins).
    pub fn registry(&mut self) -> anyhow::Result<&PluginRegistry> {
        if self.registry.is_none() {
            self.registry = Some(PluginRegistry::from_env()?);
        }
        Ok(self.registry.as_ref().unwrap())
    }

    /// Connects to the target database and loads its dialect.
    pub async fn connect(&mut self) -> anyhow::Result<(Database, DialectPlugin)> {
        let db = Database::connect(&self.global.database).await?;
        let dialect = self
            .registry()?
            .dialect_for(db.url())
            .await
            .with_context(|| format!("preparing the dialect for {}", db.url()))?;
        Ok((db, dialect))
    }
}

/// A command's outcome told by its exit code after the command printed it (not an error message):
/// `schema detect-drift` and `schema verify` exit with 3 when there is drift.
#[derive(Debug, thiserror::Error)]
#[error("exit code {0}")]
pub struct Exit(pub u8);

/// Runs a parsed command line.
pub async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let mut global = cli.global;
    // Commands that open the target database: which one is settled once, here.
    if matches!(
        cli.command,
        Command::Schema(_)
            | Command::Migrate(_)
            | Command::Lint(_)
            | Command::Backup(_)
            | Command::Features(_)
            | Command::CheckPermissions { .. }
            | Command::Notify(_)
    ) {
        global.database = connections::resolve_database(&global)?;
    }
    let mut ctx = Context::new(global);
    match cli.command {
        Command::Schema(cmd) => schema::run(&mut ctx, cmd).await,
        Command::Migrate(args) => migrate::run(&mut ctx, *args).await,
        Command::Plugin(cmd) => plugin::run(&mut ctx, cmd).await,
        Command::Connect(args) => connections::connect(args).await,
        Command::Connections(cmd) => connections::run(cmd),
        Command::Lint(args) => lint::run(&mut ctx, args).await,
        Command::Config(cmd) => config::run(cmd),
        Command::Backup(cmd) => backup::run(&mut ctx, cmd).await,
        Command::Features(crate::cli::FeaturesCommand::Check { feature: _, json }) => {
            checks::features(&mut ctx, json).await
        }
        Command::Notify(cmd) => notify::run(&mut ctx, cmd).await,
        Command::CheckPermissions { feature: _, json } => checks::permissions(&mut ctx, json).await,
        Command::Completions { shell } => {
            let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "ai-shell", &mut script);
            write_output(None, &String::from_utf8_lossy(&script))
        }
    }
}

/// Writes `text` to `path`, or to stdout when there is no path.
pub fn write_output(path: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display())),
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}
