//! `ai-shell schema show [TABLE] [--json]`

use crate::cli::ShowArgs;
use crate::commands::{Context, write_output};
use crate::schema::show;

pub async fn run(ctx: &mut Context, args: ShowArgs) -> anyhow::Result<()> {
    let history = super::bookkeeping(ctx, args.include_internal)?;
    let (db, dialect) = ctx.connect().await?;
    let schema = super::introspect(&db, &dialect, history.as_ref()).await?;
    db.close().await;
    let text = match &args.table {
        None if args.json => serde_json::to_string_pretty(&schema)? + "\n",
        None => show::overview(&schema),
        Some(name) => {
            let Some(table) = show::find_table(&schema, name) else {
                let mut known: Vec<String> =
                    schema.tables.iter().map(|t| t.name.display()).collect();
                known.truncate(20);
                anyhow::bail!(
                    "no table named `{name}` in {}\n\nKnown tables: {}",
                    db.url(),
                    if known.is_empty() {
                        "(none)".into()
                    } else {
                        known.join(", ")
                    }
                );
            };
            if args.json {
                serde_json::to_string_pretty(table)? + "\n"
            } else {
                show::table_detail(table, &dialect).await
            }
        }
    };
    write_output(None, &text)
}
