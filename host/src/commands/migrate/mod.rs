//! `ai-shell migrate ...`: one file per verb family; shared loading of files, history and references here.

mod apply;
mod history;
mod impact;
mod import;
mod init;
mod llm_planner;
mod phased;
mod planning;
mod request;
mod review;
mod rollback;
mod status;
mod validate;

use std::collections::BTreeMap;

use anyhow::Context as _;

pub use status::schema_version;

use super::Context;
use crate::cli::{MigrateArgs, MigrateCommand};
use crate::connection::{Database, Session};
use crate::executor::Migration;
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
        MigrateCommand::Review { id, json } => review::review(ctx, &id, json).await,
        MigrateCommand::Edit { id } => review::edit(ctx, &id),
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
        MigrateCommand::New { name } => init::new(ctx, &name),
        MigrateCommand::Apply {
            id,
            to_version,
            dry_run,
            accept_checksum,
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
                    json,
                    rollout,
                },
            )
            .await
        }
        MigrateCommand::Retry { id, json, rollout } => apply::retry(ctx, &id, json, rollout).await,
        MigrateCommand::Confirm { id, json, rollout } => {
            phased::confirm(ctx, &id, rollout, json).await
        }
        MigrateCommand::Cancel { id } => phased::cancel(ctx, &id).await,
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
            json,
        } => rollback::rollback(ctx, id, to_version, dry_run, yes, json).await,
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

    /// The files as the executor takes them.
    pub fn migrations(&self) -> Vec<Migration> {
        self.files.iter().map(to_migration).collect()
    }

    /// The file a reference names: id, version or slug.
    pub fn find_file(&self, reference: &str) -> Option<&MigrationFile> {
        let version = parse_version(reference);
        self.files
            .iter()
            .find(|f| f.id() == reference || Some(f.version) == version || f.slug == reference)
    }

    /// The version a reference names, from the files or else from the history.
    pub fn resolve(&self, reference: &str, records: &BTreeMap<u64, Record>) -> anyhow::Result<u64> {
        if let Some(f) = self.find_file(reference) {
            return Ok(f.version);
        }
        if let Some(v) = parse_version(reference).filter(|v| records.contains_key(v)) {
            return Ok(v);
        }
        if let Some(r) = records
            .values()
            .find(|r| r.name == reference || r.name.ends_with(&format!("_{reference}")))
        {
            return Ok(r.version);
        }
        anyhow::bail!(
            "no migration `{reference}` in {} or in the history\n\nRun `ai-shell migrate status` to see the migrations.",
            self.project.migrations_dir.display()
        )
    }
}

/// `002_add_email` → 2, `002` → 2, `2` → 2.
fn parse_version(reference: &str) -> Option<u64> {
    let digits: String = reference
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    if digits.is_empty() {
        return None;
    }
    digits.parse().ok()
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
    Migration {
        version: f.version,
        id: f.id(),
        up: f.up.clone(),
        down: f.down.clone(),
        checksum: checksum(&f.up),
        transactional: f.meta.transaction,
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

/// Asks for `yes` typed in full at a terminal: consent to something that can lose data.
pub(crate) fn confirm_typed(warning: &str) -> anyhow::Result<bool> {
    use std::io::{BufRead, Write};
    eprint!("{warning}\nType `yes` to go on: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().eq_ignore_ascii_case("yes"))
}

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
