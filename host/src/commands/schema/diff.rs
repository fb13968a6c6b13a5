//! `ai-shell schema diff FROM [TO]`: what turns one live schema into another, as the change IR rendered by the
//! dialect: shown, printed as SQL (up and down), or written as a reversible migration.

use anyhow::Context as _;
use serde::Serialize;

use super::introspect;
use crate::changes::describe::describe;
use crate::cli::DiffArgs;
use crate::commands::Context;
use crate::connection::{Database, DatabaseUrl, Engine};
use crate::diff::{Options, Rename, diff};
use crate::history::History;
use crate::history::record::{Record, Status};
use crate::model::{Change, DatabaseSchema};
use crate::plugins::DialectPlugin;
use crate::schema::scratch::Scratch;

/// One side of the comparison, opened.
struct Side {
    label: String,
    /// The live database; `None` for a schema read from a file or rebuilt from a history.
    db: Option<Database>,
    engine: Engine,
    /// The dialect of a live side (FROM always is one: it renders the changes).
    dialect: Option<DialectPlugin>,
    schema: DatabaseSchema,
}

impl Side {
    fn dialect(&self) -> &DialectPlugin {
        self.dialect.as_ref().expect("FROM is a live database")
    }

    async fn close(&self) {
        if let Some(db) = &self.db {
            db.close().await;
        }
    }
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
        engine: db.engine(),
        db: Some(db),
        dialect: Some(dialect),
        schema,
    })
}

/// The schema `sql` (from `source`) describes, as `from`'s engine reads it: loaded into a scratch database
/// on `server` and introspected; the scratch database is dropped whatever happens.
async fn scratch_schema(
    server: &Database,
    dialect: &DialectPlugin,
    sql: &str,
    source: &str,
) -> anyhow::Result<DatabaseSchema> {
    let scratch = Scratch::create(server).await?;
    let result = async {
        scratch.load(sql, source).await?;
        introspect(&scratch.db, dialect, None).await
    }
    .await;
    scratch.drop().await;
    result
}

/// The server scratch databases are made on: `--dev-url`'s, else FROM's.
async fn dev_server(from: &Side, dev_url: Option<&str>) -> anyhow::Result<Option<Database>> {
    let Some(url) = dev_url else {
        return Ok(None);
    };
    let db = Database::connect(url).await.context("opening --dev-url")?;
    if db.engine() != from.engine {
        db.close().await;
        anyhow::bail!(
            "--dev-url is {} but {} is {}: scratch databases must be of the compared engine",
            db.engine().dialect_name(),
            from.label,
            from.engine.dialect_name()
        );
    }
    Ok(Some(db))
}

/// The TO side named by `--to-file` or `--to-version`, built in a scratch database.
async fn scratch_side(from: &Side, args: &DiffArgs, history: &History) -> anyhow::Result<Side> {
    let (sql, label) = if let Some(file) = &args.to_file {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let text = crate::migrations::file::decode(file, bytes)?;
        (text, format!("file {}", file.display()))
    } else {
        let n = args
            .to_version
            .expect("a scratch side has a file or a version");
        (
            replay_to(from, n, history).await?,
            format!("{} at version {n}", from.label),
        )
    };
    let dev = dev_server(from, args.dev_url.as_deref()).await?;
    let server = match (&dev, &from.db) {
        (Some(d), _) | (None, Some(d)) => d,
        (None, None) => anyhow::bail!("no server to build {label} on: name one with --dev-url"),
    };
    let schema = scratch_schema(server, from.dialect(), &sql, &label).await;
    if let Some(d) = dev {
        d.close().await;
    }
    Ok(Side {
        label,
        db: None,
        engine: from.engine,
        dialect: None,
        schema: schema?,
    })
}

/// The up SQL of the migrations `from`'s history applied, up to version `n`, in order.
async fn replay_to(from: &Side, n: u64, history: &History) -> anyhow::Result<String> {
    let db = from.db.as_ref().expect("FROM is a live database");
    let mut s = db.session().await?;
    let records = crate::commands::migrate::records(&mut s, history).await;
    drop(s);
    let records = records?;
    let applied: Vec<&Record> = records
        .values()
        .filter(|r| r.status == Status::Applied)
        .collect();
    if n != 0 && !applied.iter().any(|r| r.version == n) {
        let versions = applied
            .iter()
            .map(|r| r.version.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        anyhow::bail!(
            "version {n} is not in the history of {} (applied versions: {})",
            from.label,
            if versions.is_empty() {
                "none".into()
            } else {
                versions
            }
        );
    }
    let mut sql = String::new();
    for r in applied.iter().filter(|r| r.version <= n) {
        if r.up_sql.starts_with(crate::executor::NOT_STORED) {
            anyhow::bail!(
                "the history of {} does not hold the SQL of {} (too big to store): the schema at version {n} cannot be rebuilt",
                from.label,
                r.name
            );
        }
        sql.push_str(&r.up_sql);
        sql.push_str("\n;\n");
    }
    Ok(sql)
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
    let to = if args.to_file.is_some() || args.to_version.is_some() {
        scratch_side(&from, &args, &history).await
    } else {
        open(ctx, args.to.as_deref().unwrap_or("current"), &history).await
    };
    let to = match to {
        Ok(to) => to,
        Err(e) => {
            from.close().await;
            return Err(e);
        }
    };
    let result = compare(&from, &to, &renames, &args, &project, &history).await;
    from.close().await;
    to.close().await;
    result
}

async fn compare(
    from: &Side,
    to: &Side,
    renames: &[Rename],
    args: &DiffArgs,
    project: &crate::project::Project,
    history: &History,
) -> anyhow::Result<()> {
    if from.engine != to.engine {
        anyhow::bail!(
            "{} is {} and {} is {}: a diff compares schemas of one engine, whose changes one dialect renders\n\nCompare each with a database of its own engine.",
            from.label,
            from.engine.dialect_name(),
            to.label,
            to.engine.dialect_name()
        );
    }
    let engine = from.engine;
    let d = diff(
        &from.schema,
        &to.schema,
        &Options {
            renames: renames.to_vec(),
        },
    );
    let up = from
        .dialect()
        .render(&d.changes, &from.schema)
        .await
        .context("rendering the differences")?;
    let down = from
        .dialect()
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
    let unwritable = !d.unsupported.is_empty() || !d.down_unsupported.is_empty();
    if args.generate_migration && (!d.changes.is_empty() || unwritable) {
        if unwritable {
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
            // The consent given here holds when the file is applied (for this up section only).
            allow_destructive: (!destructive.is_empty()).then(String::new),
            ..Default::default()
        };
        // Numbered after what FROM (where it is to be applied) has recorded, as well as the folder's files.
        let after = match &from.db {
            Some(db) => {
                let mut s = db.session().await?;
                let records = crate::commands::migrate::records(&mut s, history).await;
                drop(s);
                crate::commands::migrate::Workspace::highest_recorded(&records?)
            }
            None => 0,
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
            after,
        )?;
        crate::migrations::vcs::commit_new(
            &project.vcs,
            &path,
            &path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
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
