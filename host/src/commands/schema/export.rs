//! `ai-shell schema export [--format sql|json] [--output FILE]`

use crate::cli::{ExportArgs, ExportFormat};
use crate::commands::{Context, write_output};

pub async fn run(ctx: &mut Context, args: ExportArgs) -> anyhow::Result<()> {
    let history = super::bookkeeping(ctx, args.include_internal)?;
    let (db, dialect) = ctx.connect().await?;
    let schema = super::introspect(&db, &dialect, history.as_ref()).await?;
    let text = match args.format {
        ExportFormat::Json => serde_json::to_string_pretty(&schema)? + "\n",
        ExportFormat::Sql => {
            let body = crate::schema::export::to_sql(&dialect, &schema).await?;
            format!(
                "-- Schema of {} exported by ai-shell {} ({} dialect {})\n{body}",
                db.url(),
                env!("CARGO_PKG_VERSION"),
                dialect.meta().name,
                dialect.meta().version
            )
        }
    };
    db.close().await;
    write_output(args.output.as_deref(), &text)
}
