//! `ai-shell migrate ...`: one file per verb family; shared loading of files, history and references here.

mod apply;
mod approve;
mod explain;
mod handover;
mod history;
mod impact;
mod import;
mod init;
mod llm_planner;
mod phased;
mod planning;
mod policy_gate;
pub use planning::{needs_no_transaction, section};
mod request;
mod review;
mod rollback;
pub(crate) mod safeguards;
mod status;
mod sync;
mod terminal;
pub(crate) mod validate;

use std::collections::BTreeMap;

use anyhow::Context as _;

pub use status::schema_version;

use super::Context;
use crate::cli::{MigrateArgs, MigrateCommand};
use crate::connection::{Database, Session};
use crate::executor::{Migration, StatementChoice};
use crate::history::{History, Record};
use crate::migrations::checksum::checksum;
use crate::migrations::file::MigrationFile;
use crate::project::Project;

pub async fn run(ctx: &mut Context, args: MigrateArgs) -> anyhow::Result<()> {
    let Some(cmd) = args.command else {
        return request::run(ctx, args.request).await;
    };
    match cmd {
        MigrateCommand::Init => init::init(ctx).await,
        MigrateCommand::Review { id, accept, json } => review::review(ctx, &id, accept, json).await,
        MigrateCommand::Approve {
            id,
            reason,
            overrides,
        } => approve::run(ctx, &id, &reason, &overrides).await,
        MigrateCommand::Edit { id } => review::edit(ctx, &id).await,
        MigrateCommand::Preview {
            id,
            show_steps,
            json,
        } => review::preview(ctx, id, show_steps, json).await,
        MigrateCommand::Impact {
            request,
            planner,
            json,
        } => impact::impact(ctx, &request, planner, json).await,
        MigrateCommand::New { name } => init::new(ctx, &name).await,
        MigrateCommand::Apply {
            id,
            to_version,
            dry_run,
            accept_checksum,
            allow_destructive,
            with_retry,
            backup_first,
            json,
            rollout,
        } => {
            apply::apply(
                ctx,
                apply::ApplyArgs {
                    id,
                    to_version,
                    dry_run,
                    accept_checksum,
                    allow_destructive,
                    with_retry,
                    backup_first,
                    json,
                    rollout,
                },
            )
            .await
        }
        MigrateCommand::Retry {
            id,
            with_retry,
            skip_statement,
            rerun_statement,
            json,
            rollout,
        } => {
            let choice = skip_statement
                .map(StatementChoice::Skip)
                .or(rerun_statement.map(StatementChoice::Rerun));
            apply::retry(ctx, &id, with_retry, choice, json, rollout).await
        }
        MigrateCommand::Confirm { id, json, rollout } => {
            phased::confirm(ctx, &id, rollout, json).await
        }
        MigrateCommand::Cancel { id } => phased::cancel(ctx, &id).await,
        MigrateCommand::SyncPlan { env, from, json } => {
            sync::sync_plan(ctx, &env, &from, json).await
        }
        MigrateCommand::Sync {
            env,
            from,
            allow_destructive,
            json,
        } => sync::sync(ctx, &env, &from, allow_destructive, json).await,
        MigrateCommand::Monitor { id, once, json } => phased::monitor(ctx, &id, once, json).await,
        MigrateCommand::Pending { json } => status::pending(ctx, json).await,
        MigrateCommand::Status { json } => status::status(ctx, json).await,
        MigrateCommand::History { export, json } => history::history(ctx, export, json).await,
        MigrateCommand::Info { id, json } => history::info(ctx, &id, json).await,
        MigrateCommand::Logs { id, json } => history::logs(ctx, &id, json).await,
        MigrateCommand::Note { id, text } => history::note(ctx, &id, &text).await,
        MigrateCommand::Rollback {
            id,
            to_version,
            dry_run,
            yes,
            allow_destructive,
            cascade,
            down_from_file,
            backup_first,
            json,
        } => {
            rollback::rollback(
                ctx,
                rollback::RollbackArgs {
                    id,
                    to_version,
                    dry_run,
                    yes,
                    allow_destructive,
                    cascade,
                    down_from_file,
                    backup_first,
                    json,
                },
            )
            .await
        }
        MigrateCommand::RollbackStatus { id, json } => rollback::status(ctx, &id, json).await,
        MigrateCommand::Validate { id, json } => validate::validate(ctx, id, json).await,
        MigrateCommand::Import { from, dir } => import::import(ctx, from, &dir),
        MigrateCommand::Baseline { at } => import::baseline(ctx, at).await,
        MigrateCommand::Renumber { yes } => import::renumber(ctx, yes).await,
    }
}

/// The project, its history and the migration files, loaded together for a command.
pub(crate) struct Workspace {
    pub project: Project,
    pub history: History,
    pub files: Vec<MigrationFile>,
}

impl Workspace {
    /// Reads the configuration and every migration file (a malformed file or a duplicated version is an error).
    pub fn load(ctx: &Context) -> anyhow::Result<Workspace> {
        let cwd = std::env::current_dir().context("reading the working directory")?;
        let project = Project::load(&cwd, ctx.global.migrations_dir.as_deref())?;
        let history = History::new(&project.history_table)?;
        let files = load_files(&project)?;
        Ok(Workspace {
            project,
            history,
            files,
        })
    }

    /// Refuses a migrations folder that holds none of the applied migrations: ai-shell was most likely run
    /// from the wrong directory, where a new file would collide with the history or apply out of place.
    pub fn check_folder(&self, records: &BTreeMap<u64, Record>) -> anyhow::Result<()> {
        if let Some(why) = self.foreign_folder(records) {
            anyhow::bail!(
                "{why}\n\nRun ai-shell from the project's directory, or name the folder with --migrations-dir DIR (or `[migrations] dir` in ai-shell.toml)."
            );
        }
        Ok(())
    }

    /// Why the folder looks like the wrong one, when it holds none of the applied migrations.
    pub fn foreign_folder(&self, records: &BTreeMap<u64, Record>) -> Option<String> {
        let applied: Vec<&Record> = records
            .values()
            .filter(|r| r.status == crate::history::Status::Applied)
            .filter(|r| !r.notes.as_deref().unwrap_or("").starts_with("baseline:"))
            .collect();
        let latest = applied.last()?;
        if applied
            .iter()
            .any(|r| self.files.iter().any(|f| f.id() == r.name))
        {
            return None;
        }
        let dir = &self.project.migrations_dir;
        let shown = std::env::current_dir()
            .map(|cwd| cwd.join(dir))
            .unwrap_or_else(|_| dir.clone());
        Some(format!(
            "the folder {} holds none of the {} applied migrations (the latest is `{}`): this looks like the wrong migrations folder",
            shown.display(),
            applied.len(),
            latest.name
        ))
    }

    /// The highest version the history knows (applied, failed or rolled back): new files come after it.
    pub fn highest_recorded(records: &BTreeMap<u64, Record>) -> u64 {
        records.keys().copied().max().unwrap_or(0)
    }

    /// The files as the executor takes them.
    pub fn migrations(&self) -> Vec<Migration> {
        self.files.iter().map(to_migration).collect()
    }

    /// The file a reference names: id (`005_add_status`, matched exactly), version (`005`, `5`) or slug.
    /// A reference whose version exists with another slug names no file (see [`Workspace::resolve`]).
    pub fn find_file(&self, reference: &str) -> Option<&MigrationFile> {
        match Reference::parse(reference) {
            Reference::Id(v, slug) => self
                .files
                .iter()
                .find(|f| f.id() == reference || (f.version == v && f.slug == slug)),
            Reference::Version(v) => self.files.iter().find(|f| f.version == v),
            Reference::Slug(slug) => self.files.iter().find(|f| f.slug == slug),
        }
    }

    /// The version a reference names, from the files or else from the history. An id whose number belongs to
    /// a migration with another name is an error naming that migration: `005_add_indexes` never means
    /// `005_add_status_to_orders`.
    pub fn resolve(&self, reference: &str, records: &BTreeMap<u64, Record>) -> anyhow::Result<u64> {
        if let Some(f) = self.find_file(reference) {
            return Ok(f.version);
        }
        match Reference::parse(reference) {
            Reference::Id(v, slug) => {
                let record = records.get(&v);
                if record.is_some_and(|r| slug_of(&r.name) == Some(slug)) {
                    return Ok(v);
                }
                let holder = self
                    .files
                    .iter()
                    .find(|f| f.version == v)
                    .map(|f| f.id())
                    .or_else(|| record.map(|r| r.name.clone()));
                if let Some(holder) = holder {
                    anyhow::bail!(
                        "no migration `{reference}`: version {v} is `{holder}`\n\nName the migration exactly as `ai-shell migrate status` lists it, or give the number alone if you mean `{holder}`."
                    );
                }
            }
            Reference::Version(v) if records.contains_key(&v) => return Ok(v),
            Reference::Version(_) => {}
            Reference::Slug(slug) => {
                let mut found = records.values().filter(|r| slug_of(&r.name) == Some(slug));
                if let Some(r) = found.next() {
                    if let Some(other) = found.next() {
                        anyhow::bail!(
                            "`{reference}` names more than one migration in the history (`{}`, `{}`)\n\nName it by its id or version.",
                            r.name,
                            other.name
                        );
                    }
                    return Ok(r.version);
                }
            }
        }
        anyhow::bail!(
            "no migration `{reference}` in {} or in the history\n\nRun `ai-shell migrate status` to see the migrations.",
            self.project.migrations_dir.display()
        )
    }
}

/// The slug of a migration id (`005_add_status` → `add_status`).
fn slug_of(id: &str) -> Option<&str> {
    let (digits, slug) = id.split_once('_')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(slug)
}

/// How a migration is named on the command line.
#[derive(Debug, PartialEq, Eq)]
enum Reference<'a> {
    /// `005_add_status`: version and slug, both must match.
    Id(u64, &'a str),
    /// `005` or `5`.
    Version(u64),
    /// `add_status`.
    Slug(&'a str),
}

impl<'a> Reference<'a> {
    fn parse(reference: &'a str) -> Reference<'a> {
        let reference = reference.strip_suffix(".sql").unwrap_or(reference);
        let digits = reference.bytes().take_while(u8::is_ascii_digit).count();
        let version = reference[..digits].parse::<u64>().ok();
        match (version, &reference[digits..]) {
            (Some(v), "") => Reference::Version(v),
            (Some(v), rest) if rest.len() > 1 && rest.starts_with('_') => {
                Reference::Id(v, &rest[1..])
            }
            _ => Reference::Slug(reference),
        }
    }
}

fn load_files(project: &Project) -> anyhow::Result<Vec<MigrationFile>> {
    if !project.migrations_dir.exists() {
        return Ok(vec![]);
    }
    let set = crate::migrations::directory::MigrationDir::load(&project.migrations_dir)?;
    for warning in &set.warnings {
        eprintln!("warning: {}: {}", warning.path.display(), warning.message);
    }
    Ok(set.migrations)
}

/// A migration file as the executor runs it.
pub(crate) fn to_migration(f: &MigrationFile) -> Migration {
    let sum = checksum(&f.up);
    Migration {
        version: f.version,
        id: f.id(),
        up: f.up.clone(),
        down: f.down.clone(),
        consented: f.meta.allow_destructive.as_deref() == Some(sum.as_str()),
        checksum: sum,
        transactional: f.meta.transaction,
        draft: f.meta.draft,
    }
}

/// Opens the database and a plain session on it.
pub(crate) async fn open(ctx: &Context) -> anyhow::Result<(Database, Session)> {
    let db = Database::connect(&ctx.global.database).await?;
    let s = db.session().await?;
    Ok((db, s))
}

/// The history rows by version; empty when the history table does not exist yet.
pub(crate) async fn records(
    s: &mut Session,
    history: &History,
) -> anyhow::Result<BTreeMap<u64, Record>> {
    if !history.exists(s).await? {
        return Ok(BTreeMap::new());
    }
    Ok(history
        .all(s)
        .await?
        .into_iter()
        .map(|r| (r.version, r))
        .collect())
}

/// The history rows of the database at `url`, by version (opened and closed for this read).
pub(crate) async fn records_at(
    url: &str,
    history: &History,
) -> anyhow::Result<BTreeMap<u64, Record>> {
    let db = Database::connect(url).await?;
    let mut s = db.session().await?;
    let recs = records(&mut s, history).await;
    drop(s);
    db.close().await;
    recs
}

/// Asks "Continue? [y/N]" on a terminal; without a terminal, `--yes` is required.
pub(crate) fn confirm(question: &str, yes: bool) -> anyhow::Result<bool> {
    use std::io::{BufRead, IsTerminal, Write};
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "{question}: refusing to go on without confirmation\n\nRun it in a terminal, or add --yes."
        );
    }
    eprint!("{question} Continue? [y/N]: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES"))
}

/// Asks "question [y/N]" on a terminal; without one, the caller's `--yes` is the only way on.
pub(crate) fn confirm_plain(question: &str) -> anyhow::Result<bool> {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "{question} needs an answer, and there is no terminal to ask on\n\nRun it in a terminal, or add --yes."
        );
    }
    eprint!("{question} [y/N]: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES"))
}

/// Consent to destroy the data `losses` lists: given by the flag, or by `yes` typed at a terminal (shown the
/// losses first); without either, the refusal naming what is at stake. `Ok(false)`: declined at the terminal.
pub(crate) fn consent_to_losses(
    losses: &crate::safety::Losses,
    allow_destructive: bool,
    action: &str,
) -> anyhow::Result<bool> {
    use std::io::IsTerminal;
    if losses.is_empty() || allow_destructive {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("{}", losses.refusal(action));
    }
    confirm_typed(&format!(
        "⚠ {action} would destroy data that exists:\n{}",
        losses.lines()
    ))
}

/// Asks for `yes` typed in full at a terminal: consent to something that can lose data.
pub(crate) fn confirm_typed(warning: &str) -> anyhow::Result<bool> {
    use std::io::{BufRead, Write};
    eprint!("{warning}\nType `yes` to go on: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().eq_ignore_ascii_case("yes"))
}

/// "Schema version: 3 → 4", or "Schema version: 17 (unchanged)" when the migrations touched were below the
/// highest applied one.
pub(crate) fn version_change(before: Option<u64>, after: Option<u64>) -> String {
    let v = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
    if before == after {
        format!(
            "Schema version: {} (unchanged: the highest applied migration is the same)",
            v(after)
        )
    } else {
        format!("Schema version: {} → {}", v(before), v(after))
    }
}

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Reference;

    #[test]
    fn references_keep_their_slug() {
        assert_eq!(
            Reference::parse("005_add_indexes"),
            Reference::Id(5, "add_indexes")
        );
        assert_eq!(
            Reference::parse("5_add_indexes.sql"),
            Reference::Id(5, "add_indexes")
        );
        assert_eq!(Reference::parse("005"), Reference::Version(5));
        assert_eq!(
            Reference::parse("add_indexes"),
            Reference::Slug("add_indexes")
        );
        assert_eq!(Reference::parse("5_"), Reference::Slug("5_"));
    }
}
