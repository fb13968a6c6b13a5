//! `ai-shell schema diff FROM [TO]`: what turns one live schema into another, as the change IR rendered by the
//! dialect: shown, printed as SQL (up and down), or written as a reversible migration.

use anyhow::Context as _;
use serde::Serialize;

use super::introspect;
use crate::changes::describe::describe;
use crate::cli::DiffArgs;
use crate::commands::Context;
use crate::connection::{Database, DatabaseUrl};
use crate::diff::{Options, Rename, diff};
use crate::history::History;
use crate::model::{Change, DatabaseSchema};
use crate::plugins::DialectPlugin;

/// One side of the comparison, opened.
struct Side {
    label: String,
    db: Database,
    dialect: DialectPlugin,
    schema: DatabaseSchema,
}

/// The URL a side names: `current` (the command's database), an environment of `ai-shell.toml`, or a URL.
fn side_url(ctx: &Context, name: &str) -> anyhow::Result<(String, String)> {
    if name == "current" {
        let label = DatabaseUrl::parse(&ctx.global.database)
            .map(|u| format!("current ({u})"))
            .unwrap_or_else(|_| "current".into());
        return Ok((ctx.global.database.clone(), label));
    }
    if name.contains("://") || name.starts_with("sqlite:") {
        let label = DatabaseUrl::parse(name)?.to_string();
        return Ok((name.to_string(), label));
    }
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let project = crate::project::Project::load(&cwd, ctx.global.migrations_dir.as_deref())?;
    let (url, _) = project.resolve_database(None, Some(name), |v| std::env::var(v).ok())?;
    Ok((url, name.to_string()))
}

async fn open(ctx: &mut Context, name: &str, history: &History) -> anyhow::Result<Side> {
    let (url, label) = side_url(ctx, name)?;
    let db = Database::connect(&url)
        .await
        .with_context(|| format!("opening `{name}`"))?;
    let dialect = ctx.registry()?.dialect_for(db.url()).await?;
    let schema = introspect(&db, &dialect, Some(history)).await?;
    Ok(Side {
        label,
        db,
        dialect,
        schema,
    })
}

#[derive(Serialize)]
struct DiffJson {
    from: String,
    to: String,
    changes: Vec<String>,
    up: Vec<String>,
    down: Vec<String>,
    rename_candidates: Vec<String>,
    destructive: Vec<String>,
    unsupported: Vec<String>,
    migration: Option<String>,
}

pub async fn run(ctx: &mut Context, args: DiffArgs) -> anyhow::Result<()> {
    let renames = args
        .renames
        .iter()
        .map(|r| r.parse::<Rename>().map_err(|e| anyhow::anyhow!(e)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let project = crate::project::Project::load(&cwd, ctx.global.migrations_dir.as_deref())?;
    let history = History::new(&project.history_table)?;
    let from = open(ctx, &args.from, &history).await?;
    let to = open(ctx, args.to.as_deref().unwrap_or("current"), &history).await?;
    let result = compare(&from, &to, &renames, &args, &project).await;
    from.db.close().await;
    to.db.close().await;
    result
}

async fn compare(
    from: &Side,
    to: &Side,
    renames: &[Rename],
    args: &DiffArgs,
    project: &crate::project::Project,
) -> anyhow::Result<()> {
    if from.db.engine() != to.db.engine() {
        anyhow::bail!(
            "{} is {} and {} is {}: a diff compares schemas of one engine, whose changes one dialect renders\n\nCompare each with a database of its own engine.",
            from.label,
            from.db.engine().dialect_name(),
            to.label,
            to.db.engine().dialect_name()
        );
    }
    let engine = from.db.engine();
    let d = diff(
        &from.schema,
        &to.schema,
        &Options {
            renames: renames.to_vec(),
        },
    );
    let up = from
        .dialect
        .render(&d.changes, &from.schema)
        .await
        .context("rendering the differences")?;
    let down = from
        .dialect
        .render(&d.down, &to.schema)
        .await
        .context("rendering the down section")?;
    let candidates: Vec<String> = d.rename_candidates.iter().map(|r| r.to_string()).collect();
    let destructive: Vec<String> = d
        .destructive
        .iter()
        .filter_map(|x| d.changes.get(x.index))
        .map(describe)
        .collect();

    let mut written = None;
    if args.generate_migration && !d.changes.is_empty() {
        if !d.unsupported.is_empty() || !d.down_unsupported.is_empty() {
            anyhow::bail!(
                "some differences have no change ai-shell can write, so the migration would not reach {}:\n  - {}\n\nNothing was written.",
                to.label,
                d.unsupported
                    .iter()
                    .chain(&d.down_unsupported)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n  - ")
            );
        }
        if !destructive.is_empty() && !args.allow_destructive {
            anyhow::bail!(
                "the migration would drop data:\n  - {}\n\nNothing was written. If a dropped and an added column (or table) are one renamed, say so with --rename (candidates: {}); otherwise add --allow-destructive.",
                destructive.join("\n  - "),
                if candidates.is_empty() {
                    "none".to_string()
                } else {
                    candidates.join(", ")
                }
            );
        }
        let steps = |changes: &[Change]| changes.iter().map(describe).collect::<Vec<_>>();
        let meta = crate::migrations::file::Meta {
            description: Some(format!("schema diff: {} to {}", from.label, to.label)),
            author: Some(crate::history::record::current_user()),
            destructive: !destructive.is_empty(),
            transaction: !crate::commands::migrate::needs_no_transaction(engine, &up),
            ..Default::default()
        };
        let path = crate::migrations::directory::create(
            &project.migrations_dir,
            &args.name,
            meta,
            &crate::commands::migrate::section(engine, &up, &steps(&d.changes)),
            Some(&crate::commands::migrate::section(
                engine,
                &down,
                &steps(&d.down),
            )),
            0,
        )?;
        written = Some(path.display().to_string());
    }

    if args.json {
        let json = DiffJson {
            from: from.label.clone(),
            to: to.label.clone(),
            changes: d.changes.iter().map(describe).collect(),
            up: up.iter().map(|s| s.sql.clone()).collect(),
            down: down.iter().map(|s| s.sql.clone()).collect(),
            rename_candidates: candidates,
            destructive,
            unsupported: d.unsupported.clone(),
            migration: written,
        };
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    println!("Comparing {} → {}", from.label, to.label);
    if d.is_empty() {
        println!("No differences.");
        return Ok(());
    }
    println!();
    for change in &d.changes {
        println!("{} {}", mark(change), describe(change));
    }
    for why in &d.unsupported {
        println!("? {why} (not expressible as a change: write it by hand)");
    }
    if !candidates.is_empty() {
        println!();
    }
    for r in &candidates {
        println!("  possible rename: {r} (say so with --rename \"{r}\" to keep the data)");
    }
    if !destructive.is_empty() {
        println!();
        println!("Drops data: {}", destructive.join("; "));
    }
    if args.sql {
        println!();
        println!("-- up");
        for s in &up {
            println!("{};", s.sql.trim_end());
        }
        println!();
        println!("-- down");
        for s in &down {
            println!("{};", s.sql.trim_end());
        }
    }
    if let Some(path) = written {
        println!();
        println!("✓ Created {path} (apply it with `ai-shell migrate apply`)");
    }
    Ok(())
}

/// `+` for what is created, `-` for what is dropped, `~` for what changes.
fn mark(change: &Change) -> char {
    let debug = format!("{change:?}");
    let name = debug.trim_start_matches("Change::");
    if name.starts_with("Create") || name.starts_with("Add") {
        '+'
    } else if name.starts_with("Drop") {
        '-'
    } else {
        '~'
    }
}
