//! `ai-shell plugin ...`

mod install;
mod list;
mod new;

use super::Context;
use crate::cli::PluginCommand;

pub async fn run(ctx: &mut Context, cmd: PluginCommand) -> anyhow::Result<()> {
    match cmd {
        PluginCommand::List { json } => list::run(ctx, json).await,
        PluginCommand::Install {
            file,
            force,
            sha256,
        } => install::install(ctx, &file, force, sha256.as_deref()).await,
        PluginCommand::Remove { name } => install::remove(ctx, &name),
        PluginCommand::New { kind, name, dir } => new::run(kind, &name, dir.as_deref()),
    }
}
