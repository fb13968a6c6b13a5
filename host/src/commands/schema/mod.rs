//! `ai-shell schema ...`

mod export;
mod show;

use super::Context;
use crate::cli::SchemaCommand;

pub async fn run(ctx: &mut Context, cmd: SchemaCommand) -> anyhow::Result<()> {
    match cmd {
        SchemaCommand::Export(args) => export::run(ctx, args).await,
        SchemaCommand::Show(args) => show::run(ctx, args).await,
        SchemaCommand::Version { json } => super::migrate::schema_version(ctx, json).await,
    }
}
