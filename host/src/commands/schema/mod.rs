//! `ai-shell schema ...`

mod analyze;
mod diff;
mod drift;
mod export;
mod show;
mod versions;

use anyhow::Context as _;

use super::Context;
use crate::cli::SchemaCommand;
use crate::connection::Database;
use crate::history::History;
use crate::model::DatabaseSchema;
use crate::plugins::DialectPlugin;

pub async fn run(ctx: &mut Context, cmd: SchemaCommand) -> anyhow::Result<()> {
    match cmd {
        SchemaCommand::Export(args) => export::run(ctx, args).await,
        SchemaCommand::Show(args) => show::run(ctx, args).await,
        SchemaCommand::Analyze {
            legacy_patterns,
            json,
        } => analyze::run(ctx, legacy_patterns, json).await,
        SchemaCommand::Diff(args) => diff::run(ctx, args).await,
        SchemaCommand::Versions {
            all_environments,
            json,
        } => versions::run(ctx, all_environments, json).await,
        SchemaCommand::Version { json } => super::migrate::schema_version(ctx, json).await,
        SchemaCommand::DetectDrift { json } => drift::detect(ctx, json).await,
        SchemaCommand::Verify { json } => drift::verify(ctx, json).await,
        SchemaCommand::CaptureDrift(args) => drift::capture(ctx, args).await,
        SchemaCommand::ResetToMigrations(args) => drift::reset(ctx, args).await,
    }
}

/// The live schema; without ai-shell's own bookkeeping tables when `history` names them.
pub(crate) async fn introspect(
    db: &Database,
    dialect: &DialectPlugin,
    history: Option<&History>,
) -> anyhow::Result<DatabaseSchema> {
    let mut schema = dialect
        .introspect(db)
        .await
        .with_context(|| format!("reading the schema of {}", db.url()))?;
    if let Some(history) = history {
        history.leave_out(&mut schema);
    }
    Ok(schema)
}

/// The history whose tables `schema show` and `schema export` leave out (none with `--include-internal`).
fn bookkeeping(ctx: &Context, include_internal: bool) -> anyhow::Result<Option<History>> {
    if include_internal {
        return Ok(None);
    }
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let project = crate::project::Project::load(&cwd, ctx.global.migrations_dir.as_deref())?;
    Ok(Some(History::new(&project.history_table)?))
}
