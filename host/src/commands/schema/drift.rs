//! Schema drift: `schema detect-drift`, `schema verify`, `schema capture-drift` and
//! `schema reset-to-migrations`. The live schema is compared with the schema the applied migrations produced:
//! the snapshot the executor kept at the history's version, or, for a history written before snapshots
//! existed, its applied migrations' up SQL replayed into a scratch database. `[drift] ignore` patterns leave
//! objects out of both sides before the diff, so every command sees the same differences.
//!
//! Exit codes: 0 without drift, [`DRIFT_EXIT`] (3) with drift (`detect-drift`, `verify`), 1 on errors.

use anyhow::Context as _;
use serde::Serialize;

use super::introspect;
use crate::changes::describe::describe;
use crate::changes::simulate::{display, same};
use crate::cli::{CaptureDriftArgs, ResetToMigrationsArgs};
use crate::commands::migrate::{Workspace, to_migration};
use crate::commands::{Context, Exit};
use crate::connection::Database;
use crate::diff::{Diff, Options, diff};
use crate::executor::{ExecError, Executor};
use crate::history::{History, Status};
use crate::model::{Change, DatabaseSchema};
use crate::plugins::DialectPlugin;
use crate::schema::scratch::Scratch;

/// The exit code of `detect-drift` and `verify` when the live schema differs from the migrations.
pub const DRIFT_EXIT: u8 = 3;

/// Where the expected schema came from.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Basis {
    /// The snapshot kept at the history's version.
    Snapshot { taken_at: String, event: String },
    /// The applied migrations' up SQL replayed into a scratch database (no snapshot at that version).
    Replay { migrations: usize },
}

impl std::fmt::Display for Basis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Basis::Snapshot { taken_at, event } => {
                write!(f, "the snapshot kept at {taken_at} ({event})")
            }
            Basis::Replay { migrations } => write!(
                f,
                "the {migrations} applied migration(s) replayed in a scratch database"
            ),
        }
    }
}

/// The two schemas compared, `[drift] ignore` applied to both.
struct Measured {
    version: u64,
    basis: Basis,
    expected: DatabaseSchema,
    live: DatabaseSchema,
    /// Migrations in the history that are neither applied nor rolled back (they may explain differences).
    unsettled: Vec<String>,
}

/// The database, its dialect and the history, opened for a drift command.
struct Target {
    db: Database,
    dialect: DialectPlugin,
    history: History,
    ignore: Vec<String>,
}

async fn open(ctx: &mut Context) -> anyhow::Result<Target> {
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let project = crate::project::Project::load(&cwd, ctx.global.migrations_dir.as_deref())?;
    let history = History::new(&project.history_table)?;
    let (db, dialect) = ctx.connect().await?;
    Ok(Target {
        db,
        dialect,
        history,
        ignore: project.drift_ignore,
    })
}

/// The expected and the live schema of `t`.
async fn measure(t: &Target) -> anyhow::Result<Measured> {
    let mut s = t.db.session().await?;
    if !t.history.exists(&mut s).await? {
        anyhow::bail!(
            "{} has no migration history (`{}`): nothing says what its schema should be\n\nApply migrations with `ai-shell migrate apply`, or record the schema as it is with `ai-shell migrate baseline`.",
            t.db.url(),
            t.history.table()
        );
    }
    let records = t.history.all(&mut s).await?;
    let applied: Vec<_> = records
        .iter()
        .filter(|r| r.status == Status::Applied)
        .collect();
    let version = applied.iter().map(|r| r.version).max().unwrap_or(0);
    let unsettled = records
        .iter()
        .filter(|r| !matches!(r.status, Status::Applied | Status::RolledBack))
        .map(|r| format!("{} is {}", r.name, r.status.as_str()))
        .collect();
    let snapshot = t.history.snapshot(&mut s, version).await?;
    drop(s);
    let (mut expected, basis) = match snapshot {
        Some(snap) => (
            snap.schema,
            Basis::Snapshot {
                taken_at: snap.taken_at,
                event: snap.event,
            },
        ),
        None => {
            let sql: Vec<(String, String)> = applied
                .iter()
                .map(|r| (r.name.clone(), r.up_sql.clone()))
                .collect();
            (
                replay(t, &sql).await?,
                Basis::Replay {
                    migrations: sql.len(),
                },
            )
        }
    };
    let mut live = introspect(&t.db, &t.dialect, Some(&t.history)).await?;
    leave_out(&mut expected, &t.ignore);
    leave_out(&mut live, &t.ignore);
    Ok(Measured {
        version,
        basis,
        expected,
        live,
        unsettled,
    })
}

/// The schema `migrations` (name, up SQL) produce, loaded in order into a scratch database.
async fn replay(t: &Target, migrations: &[(String, String)]) -> anyhow::Result<DatabaseSchema> {
    if let Some((name, _)) = migrations
        .iter()
        .find(|(_, sql)| sql.starts_with(crate::executor::NOT_STORED))
    {
        anyhow::bail!(
            "the history has no snapshot of the schema and does not hold the SQL of {name} (too large for the server's max_allowed_packet), so the expected schema cannot be rebuilt\n\nRecord the current schema as expected by applying or rolling back a migration with this version of ai-shell."
        );
    }
    let scratch = Scratch::create(&t.db).await?;
    let result = async {
        for (name, sql) in migrations {
            scratch
                .load(sql, name)
                .await
                .context("replaying the applied migrations (the history has no schema snapshot)")?;
        }
        introspect(&scratch.db, &t.dialect, Some(&t.history)).await
    }
    .await;
    scratch.drop().await;
    result
}

/// Case-insensitive glob: `*` any run of characters, `?` one.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// `schema` without the objects `[drift] ignore` names: `table`, `table.column`, `table.index` (constraint,
/// foreign key, check), a view, sequence or engine object (`name` or `table.name`).
fn leave_out(schema: &mut DatabaseSchema, patterns: &[String]) {
    if patterns.is_empty() {
        return;
    }
    let hit = |name: &str| patterns.iter().any(|p| glob(p, name));
    let named = |q: &crate::model::QualifiedName| hit(&display(q)) || hit(&q.name);
    schema.tables.retain(|t| !named(&t.name));
    for t in &mut schema.tables {
        let prefix = display(&t.name);
        let inner = |n: &str| hit(&format!("{prefix}.{n}")) || hit(&format!("{}.{n}", t.name.name));
        t.columns.retain(|c| !inner(&c.name));
        t.indexes.retain(|x| !inner(&x.name));
        t.uniques.retain(|x| !inner(&x.name));
        t.foreign_keys.retain(|x| !inner(&x.name));
        t.checks.retain(|x| !inner(&x.name));
    }
    schema.views.retain(|v| !named(&v.name));
    schema.sequences.retain(|q| !named(&q.name));
    schema.objects.retain(|o| {
        !named(&o.name)
            && o.table
                .as_ref()
                .is_none_or(|t| !named(t) && !hit(&format!("{}.{}", display(t), o.name.name)))
    });
}

/// One difference, as the tutorial shows it.
#[derive(Clone, Debug, Serialize, PartialEq)]
struct Item {
    /// `+` only in the live schema, `-` only in the migrations, `~` in both but different, `?` not typed.
    mark: char,
    kind: String,
    object: String,
    /// The change in words (expected → live).
    detail: String,
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.mark {
            '+' => write!(f, "+ {} {} (not in migrations)", self.kind, self.object),
            '-' => write!(f, "- {} {} (expected but missing)", self.kind, self.object),
            '~' => write!(
                f,
                "~ {} {} (differs from migrations: {})",
                self.kind, self.object, self.detail
            ),
            _ => write!(f, "? {}", self.detail),
        }
    }
}

fn column(t: &crate::model::QualifiedName, c: &str) -> String {
    format!("{}.{c}", display(t))
}

fn on(name: &str, t: &crate::model::QualifiedName) -> String {
    format!("{name} on {}", display(t))
}

/// The differences of `d` (expected → live), one item per object: a drop and an add of one object are one
/// `~` item.
fn items(d: &Diff, expected: &DatabaseSchema) -> Vec<Item> {
    let mut out: Vec<Item> = vec![];
    for change in &d.changes {
        let (mark, kind, object) = match change {
            Change::CreateTable(t) => ('+', "table", display(&t.name)),
            Change::DropTable(n) => ('-', "table", display(n)),
            Change::AddColumn(a) => ('+', "column", column(&a.table, &a.column.name)),
            Change::DropColumn(c) => ('-', "column", column(&c.table, &c.column)),
            Change::AlterColumnType(a) => ('~', "column", column(&a.table, &a.column)),
            Change::SetNotNull(c) | Change::DropNotNull(c) | Change::DropDefault(c) => {
                ('~', "column", column(&c.table, &c.column))
            }
            Change::SetDefault(x) => ('~', "column", column(&x.table, &x.column)),
            Change::SetIdentity(x) => ('~', "column", column(&x.table, &x.column)),
            Change::SetCollation(x) => ('~', "column", column(&x.table, &x.column)),
            Change::SetTableOptions(x) => ('~', "table", display(&x.table)),
            Change::AddPrimaryKey(p) => ('+', "primary key", format!("of {}", display(&p.table))),
            Change::DropPrimaryKey(n) => ('-', "primary key", format!("of {}", display(n))),
            Change::AddIndex(a) => ('+', "index", on(&a.index.name, &a.table)),
            Change::DropIndex(o) => ('-', "index", on(&o.name, &o.table)),
            Change::AddUnique(u) => ('+', "unique constraint", on(&u.constraint.name, &u.table)),
            Change::DropUnique(o) => ('-', "unique constraint", on(&o.name, &o.table)),
            Change::AddForeignKey(f) => ('+', "foreign key", on(&f.foreign_key.name, &f.table)),
            Change::DropForeignKey(o) => ('-', "foreign key", on(&o.name, &o.table)),
            Change::AddCheck(c) => ('+', "check", on(&c.check.name, &c.table)),
            Change::DropCheck(o) => ('-', "check", on(&o.name, &o.table)),
            Change::CreateView(v) => ('+', "view", display(&v.name)),
            Change::DropView(v) => ('-', "view", display(&v.name)),
            Change::CreateSequence(q) => ('+', "sequence", display(&q.name)),
            Change::DropSequence(n) => ('-', "sequence", display(n)),
            Change::CreateEnumType(e) => ('+', "enum type", display(&e.name)),
            Change::DropEnumType(n) => ('-', "enum type", display(n)),
            Change::AlterEnumType(e) => ('~', "enum type", display(&e.name)),
            Change::CreateNamespace(n) => ('+', "schema", n.clone()),
            Change::DropNamespace(n) => ('-', "schema", n.clone()),
            Change::CreateExtension(e) => ('+', "extension", e.name.clone()),
            Change::DropExtension(e) => ('-', "extension", e.name.clone()),
            Change::CreateObject(o) => {
                let known = expected
                    .objects
                    .iter()
                    .any(|x| x.kind == o.kind && same(&x.name, &o.name));
                (if known { '~' } else { '+' }, "", display(&o.name))
            }
            Change::DropObject(o) => ('-', "", display(&o.name)),
            _ => ('~', "change", String::new()),
        };
        let kind = match change {
            Change::CreateObject(o) | Change::DropObject(o) => o.kind.clone(),
            _ => kind.to_string(),
        };
        let detail = describe(change);
        if let Some(other) = out
            .iter_mut()
            .find(|i| i.kind == kind && i.object == object && !object.is_empty() && i.mark != '?')
            && (other.mark != mark || mark == '~')
        {
            other.mark = '~';
            other.detail = format!("{}; {detail}", other.detail);
            continue;
        }
        out.push(Item {
            mark,
            kind,
            object,
            detail,
        });
    }
    for why in &d.unsupported {
        // Engine objects (triggers) the IR cannot drop or replace: said as the objects they are.
        let object = expected
            .objects
            .iter()
            .find(|o| why.starts_with(&format!("{} `{}` ", o.kind, o.name.display())));
        out.push(match object {
            Some(o) if why.contains("no longer present") => Item {
                mark: '-',
                kind: o.kind.clone(),
                object: display(&o.name),
                detail: why.clone(),
            },
            Some(o) => Item {
                mark: '~',
                kind: o.kind.clone(),
                object: display(&o.name),
                detail: "its definition changed".into(),
            },
            None => Item {
                mark: '?',
                kind: String::new(),
                object: String::new(),
                detail: why.clone(),
            },
        });
    }
    out
}

/// The changes that turn `from` into `to`, what the IR leaves out, and which changes destroy data.
fn changes_between(
    from: &DatabaseSchema,
    to: &DatabaseSchema,
) -> (Vec<Change>, Vec<String>, Vec<usize>) {
    let d = diff(from, to, &Options::default());
    let destructive = d.destructive.iter().map(|x| x.index).collect();
    (d.changes, d.unsupported, destructive)
}

#[derive(Serialize)]
struct DriftJson<'a> {
    drift: bool,
    version: u64,
    basis: &'a Basis,
    differences: Vec<String>,
    items: &'a [Item],
    unsettled: &'a [String],
}

/// Measures, closing the database whatever happens.
async fn measured(ctx: &mut Context) -> anyhow::Result<(Target, Measured)> {
    let t = open(ctx).await?;
    match measure(&t).await {
        Ok(m) => Ok((t, m)),
        Err(e) => {
            t.db.close().await;
            Err(e)
        }
    }
}

/// `schema detect-drift [--json]`.
pub async fn detect(ctx: &mut Context, json: bool) -> anyhow::Result<()> {
    let (t, m) = measured(ctx).await?;
    t.db.close().await;
    let d = diff(&m.expected, &m.live, &Options::default());
    let items = items(&d, &m.expected);
    if json {
        crate::commands::migrate::print_json(&DriftJson {
            drift: !items.is_empty(),
            version: m.version,
            basis: &m.basis,
            differences: items.iter().map(|i| i.to_string()).collect(),
            items: &items,
            unsettled: &m.unsettled,
        })?;
    } else if items.is_empty() {
        println!(
            "✓ No schema drift: the live schema matches the migrations (version {}, {})",
            m.version, m.basis
        );
    } else {
        println!("⚠️  Schema Drift Detected");
        println!();
        println!(
            "Unexpected changes (against version {}, {}):",
            m.version, m.basis
        );
        for i in &items {
            println!("  {i}");
        }
        println!();
        println!("This indicates manual changes were made outside the migration system.");
        for u in &m.unsettled {
            println!("Note: {u}; an unfinished migration may explain some of these differences.");
        }
        println!();
        println!("Record them: ai-shell schema capture-drift --generate-migration");
        println!("Or undo them: ai-shell schema reset-to-migrations --force");
    }
    if items.is_empty() {
        Ok(())
    } else {
        if let Ok(ws) = Workspace::load(ctx) {
            let event = crate::notify::NewEvent {
                event_type: "drift.detected",
                migration: None,
                summary: format!(
                    "schema drift: {} difference(s) from the migrations (version {})",
                    items.len(),
                    m.version
                ),
                data: serde_json::json!({
                    "differences": items.len(),
                    "objects": items.iter().take(50).map(|i| i.to_string()).collect::<Vec<_>>(),
                }),
            };
            crate::commands::notify::emit_now(ctx, &ws, event).await;
        }
        Err(Exit(DRIFT_EXIT).into())
    }
}

/// `schema verify [--json]`.
pub async fn verify(ctx: &mut Context, json: bool) -> anyhow::Result<()> {
    let (t, m) = measured(ctx).await?;
    t.db.close().await;
    let d = diff(&m.expected, &m.live, &Options::default());
    let items = items(&d, &m.expected);
    if json {
        #[derive(Serialize)]
        struct VerifyJson {
            verified: bool,
            version: u64,
            differences: usize,
        }
        crate::commands::migrate::print_json(&VerifyJson {
            verified: items.is_empty(),
            version: m.version,
            differences: items.len(),
        })?;
    } else if items.is_empty() {
        println!(
            "✓ Schema verified: it matches the migrations at version {}",
            m.version
        );
    } else {
        println!(
            "✗ Schema differs from the migrations at version {}: {} difference(s) (see `ai-shell schema detect-drift`)",
            m.version,
            items.len()
        );
    }
    if items.is_empty() {
        Ok(())
    } else {
        Err(Exit(DRIFT_EXIT).into())
    }
}

#[derive(Serialize)]
struct CaptureJson {
    differences: Vec<String>,
    up: Vec<String>,
    down: Vec<String>,
    down_drops: Vec<String>,
    migration: Option<String>,
    version: Option<u64>,
}

/// `schema capture-drift [--generate-migration] [--name N] [--json]`.
pub async fn capture(ctx: &mut Context, args: CaptureDriftArgs) -> anyhow::Result<()> {
    let (t, m) = measured(ctx).await?;
    let result = capture_measured(ctx, &t, &m, &args).await;
    t.db.close().await;
    result
}

async fn capture_measured(
    ctx: &mut Context,
    t: &Target,
    m: &Measured,
    args: &CaptureDriftArgs,
) -> anyhow::Result<()> {
    let engine = t.db.engine();
    let d = diff(&m.expected, &m.live, &Options::default());
    let items = items(&d, &m.expected);
    if items.is_empty() {
        if args.json {
            return crate::commands::migrate::print_json(&CaptureJson {
                differences: vec![],
                up: vec![],
                down: vec![],
                down_drops: vec![],
                migration: None,
                version: None,
            });
        }
        println!("✓ No schema drift: nothing to capture.");
        return Ok(());
    }
    let (up_changes, up_unsupported, _) = changes_between(&m.expected, &m.live);
    let (down_changes, down_unsupported, down_destructive) = changes_between(&m.live, &m.expected);
    let missing: Vec<String> = up_unsupported
        .iter()
        .chain(&down_unsupported)
        .cloned()
        .collect();
    if !missing.is_empty() {
        anyhow::bail!(
            "some differences have no change ai-shell can write, so the migration would not record the drift exactly:\n  - {}\n\nNothing was written. Leave them out with `[drift] ignore` in ai-shell.toml, or write the migration by hand.",
            missing.join("\n  - ")
        );
    }
    let up = t
        .dialect
        .render(&up_changes, &m.expected)
        .await
        .context("rendering the drift")?;
    let down = t
        .dialect
        .render(&down_changes, &m.live)
        .await
        .context("rendering the down section")?;
    let down_drops: Vec<String> = down_destructive
        .iter()
        .filter_map(|i| down_changes.get(*i))
        .map(describe)
        .collect();
    let mut written = None;
    let mut version = None;
    if args.generate_migration {
        let ws = Workspace::load(ctx)?;
        let mut s = t.db.session().await?;
        let recs = crate::commands::migrate::records(&mut s, &t.history).await?;
        drop(s);
        let steps = |changes: &[Change]| changes.iter().map(describe).collect::<Vec<_>>();
        let meta = crate::migrations::file::Meta {
            description: Some(format!(
                "captured schema drift: changes made outside the migrations after version {}",
                m.version
            )),
            author: Some(crate::history::record::current_user()),
            destructive: up_changes
                .iter()
                .any(|c| matches!(c, Change::DropTable(_) | Change::DropColumn(_))),
            transaction: !crate::commands::migrate::needs_no_transaction(engine, &up),
            ..Default::default()
        };
        let path = crate::migrations::directory::create(
            &ws.project.migrations_dir,
            &args.name,
            meta,
            &crate::commands::migrate::section(engine, &up, &steps(&up_changes)),
            Some(&crate::commands::migrate::section(
                engine,
                &down,
                &steps(&down_changes),
            )),
            Workspace::highest_recorded(&recs),
        )?;
        crate::migrations::vcs::commit_new(
            &ws.project.vcs,
            &path,
            &path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let ws = Workspace::load(ctx)?;
        let file = ws
            .files
            .iter()
            .find(|f| ws.project.migrations_dir.join(f.file_name()) == path)
            .with_context(|| format!("reading back {}", path.display()))?;
        let migration = to_migration(file);
        let mut executor = Executor::new(&t.db, &t.history);
        executor.lock_timeout = ws.project.lock_timeout;
        executor.dialect = Some(&t.dialect);
        executor
            .mark_applied(
                &migration,
                "schema capture-drift: its changes were made outside the migrations; recorded as applied without running",
            )
            .await?;
        written = Some(path.display().to_string());
        version = Some(migration.version);
    }
    if args.json {
        return crate::commands::migrate::print_json(&CaptureJson {
            differences: items.iter().map(|i| i.to_string()).collect(),
            up: up.iter().map(|s| s.sql.clone()).collect(),
            down: down.iter().map(|s| s.sql.clone()).collect(),
            down_drops,
            migration: written,
            version,
        });
    }
    println!("Drift to capture (against version {}):", m.version);
    for i in &items {
        println!("  {i}");
    }
    println!();
    println!("-- up (already in effect: it is not run)");
    for s in &up {
        println!("{};", s.sql.trim_end());
    }
    println!();
    println!("-- down (restores the migrated state)");
    for s in &down {
        println!("{};", s.sql.trim_end());
    }
    if !down_drops.is_empty() {
        println!();
        println!("Rolling it back would drop data: {}", down_drops.join("; "));
    }
    println!();
    match (written, version) {
        (Some(path), Some(v)) => {
            println!("✓ Created {path} and recorded it as applied (version {v}) without running it")
        }
        _ => println!("Write it and record it as applied with --generate-migration."),
    }
    Ok(())
}

#[derive(Serialize)]
struct ResetJson {
    differences: Vec<String>,
    changes: Vec<String>,
    statements: Vec<String>,
    destructive: Vec<String>,
    unsupported: Vec<String>,
    applied: bool,
}

/// `schema reset-to-migrations [--force] [--allow-destructive] [--json]`.
pub async fn reset(ctx: &mut Context, args: ResetToMigrationsArgs) -> anyhow::Result<()> {
    let (t, m) = measured(ctx).await?;
    let result = reset_measured(ctx, &t, &m, &args).await;
    t.db.close().await;
    result
}

async fn reset_measured(
    ctx: &mut Context,
    t: &Target,
    m: &Measured,
    args: &ResetToMigrationsArgs,
) -> anyhow::Result<()> {
    let d = diff(&m.expected, &m.live, &Options::default());
    let items = items(&d, &m.expected);
    let (changes, unsupported, destructive) = changes_between(&m.live, &m.expected);
    let statements: Vec<String> = t
        .dialect
        .render(&changes, &m.live)
        .await
        .context("rendering the changes that remove the drift")?
        .into_iter()
        .map(|s| s.sql)
        .collect();
    let destructive: Vec<String> = destructive
        .iter()
        .filter_map(|i| changes.get(*i))
        .map(describe)
        .collect();
    let mut applied = false;
    if args.force && !statements.is_empty() {
        let cwd = std::env::current_dir().context("reading the working directory")?;
        let project = crate::project::Project::load(&cwd, ctx.global.migrations_dir.as_deref())?;
        let mut executor = Executor::new(&t.db, &t.history);
        executor.lock_timeout = project.lock_timeout;
        executor.dialect = Some(&t.dialect);
        executor.allow_destructive = args.allow_destructive;
        match executor
            .repair("reset-to-migrations", m.version, &statements)
            .await
        {
            Ok(_) => applied = true,
            Err(ExecError::Destructive(losses, _)) => anyhow::bail!(
                "{}\n\nNothing was changed. Add --allow-destructive to drop it, or record the drift instead with `ai-shell schema capture-drift --generate-migration`.",
                losses.refusal("Resetting to the migrations")
            ),
            Err(e) => return Err(e.into()),
        }
    }
    if args.json {
        return crate::commands::migrate::print_json(&ResetJson {
            differences: items.iter().map(|i| i.to_string()).collect(),
            changes: changes.iter().map(describe).collect(),
            statements,
            destructive,
            unsupported,
            applied,
        });
    }
    if items.is_empty() {
        println!(
            "✓ No schema drift: the live schema matches the migrations (version {}).",
            m.version
        );
        return Ok(());
    }
    println!("Drift (against version {}, {}):", m.version, m.basis);
    for i in &items {
        println!("  {i}");
    }
    println!();
    println!("To remove it:");
    for c in &changes {
        println!("  {}", describe(c));
    }
    for why in &unsupported {
        println!("  ? {why} (not expressible as a change: undo it by hand)");
    }
    if !destructive.is_empty() {
        println!();
        println!("Drops data: {}", destructive.join("; "));
    }
    println!();
    for s in &statements {
        println!("{};", s.trim_end());
    }
    println!();
    if applied {
        println!(
            "✓ Reset to the migrations: {} statement(s) run",
            statements.len()
        );
    } else if !args.force {
        println!("Nothing was changed: run with --force to apply these statements.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_matches_names_and_wildcards() {
        assert!(glob("users", "users"));
        assert!(glob("Users", "users"));
        assert!(!glob("users", "users2"));
        assert!(glob("users.*", "users.middle_name"));
        assert!(glob("tmp_*", "tmp_import"));
        assert!(glob("*_audit", "orders_audit"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*", "anything"));
        assert!(!glob("users.*", "orders.users"));
    }
}
