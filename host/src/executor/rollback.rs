//! `migrate rollback`: undo migrations with their down SQL as recorded when applied (or, when the history has
//! none, the file's down section), newest first, recording each in the history.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;

use super::{ExecError, Executor, Migration, split, transactional_ddl};
use crate::connection::{Engine, Session};
use crate::history::{Record, Status};

/// Which migrations to roll back.
#[derive(Clone, Copy, Debug)]
pub enum RollbackTarget {
    /// The most recently applied migration.
    Last,
    /// One migration by version.
    Only(u64),
    /// Every applied migration above this version.
    ToVersion(u64),
}

#[derive(Clone, Debug)]
pub struct RollbackOptions {
    pub target: RollbackTarget,
    pub dry_run: bool,
    /// With [`RollbackTarget::Only`]: roll back first the later applied migrations that use what it created
    /// (without it, they make the rollback a refusal that lists them).
    pub cascade: bool,
    /// Use the down sections of the migration files rather than the copies recorded when they were applied.
    pub down_from_file: bool,
}

/// One migration a rollback undid (or, in a dry run, would undo).
#[derive(Clone, Debug, Serialize)]
pub struct RolledBack {
    pub version: u64,
    pub id: String,
    pub statements: Vec<String>,
    pub duration_ms: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct RollbackOutcome {
    pub rolled_back: Vec<RolledBack>,
    pub dry_run: bool,
    pub version_before: Option<u64>,
    pub version_after: Option<u64>,
    /// Data the rollback destroys (or, in a dry run, would destroy), counted before it started.
    #[serde(skip_serializing_if = "crate::safety::Losses::is_empty")]
    pub losses: crate::safety::Losses,
}

fn highest_applied<'a>(records: impl Iterator<Item = &'a Record>) -> Option<u64> {
    records
        .filter(|r| r.status == Status::Applied)
        .map(|r| r.version)
        .max()
}

/// The down statements that undo what `record` applied. A migration that failed part-way on an engine
/// without transactional DDL can be undone only when its down section mirrors its up section statement
/// for statement (down statement i undoes up statement n-1-i), so the ones for statements 1..k are known.
pub fn undo_statements(engine: Engine, record: &Record, down: &str) -> Result<Vec<String>, String> {
    let downs = split(engine, down);
    if record.status == Status::Applied || record.statements_done == record.statements_total {
        return Ok(downs);
    }
    let done = record.statements_done;
    if done == 0 {
        return Ok(vec![]);
    }
    if downs.len() != record.statements_total {
        return Err(format!(
            "it stopped after statement {done} of {}, and its down section has {} statements, so which of them undo statements 1..{done} is unknown (a partial rollback needs one down statement per up statement, in reverse order)",
            record.statements_total,
            downs.len()
        ));
    }
    Ok(downs[downs.len() - done..].to_vec())
}

impl Executor<'_> {
    /// Rolls back under the run lock.
    pub async fn rollback(
        &self,
        migrations: &[Migration],
        options: &RollbackOptions,
    ) -> Result<RollbackOutcome, ExecError> {
        let (mut s, lock) = self.locked_session().await?;
        let drifted = !options.dry_run && self.drifted(&mut s).await;
        let result = self.rollback_locked(&mut s, migrations, options).await;
        if let Ok(outcome) = &result
            && !outcome.dry_run
            && !outcome.rolled_back.is_empty()
            && !drifted
        {
            // A rollback has no warnings to carry one: a failed snapshot only means drift detection replays.
            let _ = self
                .snapshot(&mut s, outcome.version_after, "rollback")
                .await;
        }
        let _ = lock.release(&mut s).await;
        result
    }

    async fn rollback_locked(
        &self,
        s: &mut Session,
        migrations: &[Migration],
        options: &RollbackOptions,
    ) -> Result<RollbackOutcome, ExecError> {
        let engine = s.engine();
        let records: BTreeMap<u64, Record> = self
            .history
            .all(s)
            .await?
            .into_iter()
            .map(|r| (r.version, r))
            .collect();
        let undoable = |r: &&Record| {
            matches!(
                r.status,
                Status::Applied | Status::Failed | Status::Waiting | Status::RollingBack
            )
        };
        let targets: Vec<&Record> = match options.target {
            RollbackTarget::Last => records.values().rev().filter(undoable).take(1).collect(),
            RollbackTarget::Only(v) => match records.get(&v) {
                Some(r) => {
                    let dependents = dependents(engine, r, &records);
                    if !dependents.is_empty() && !options.cascade {
                        let list: Vec<String> = dependents
                            .iter()
                            .map(|(d, what)| format!("  - {} (uses {what})", d.name))
                            .collect();
                        return Err(ExecError::Refused(format!(
                            "cannot roll back {} alone: later applied migrations use what it created:\n{}\n\nRoll them back first, or add --cascade to roll back those migrations and then {} (newest first).",
                            r.name,
                            list.join("\n"),
                            r.name
                        )));
                    }
                    dependents
                        .into_iter()
                        .rev()
                        .map(|(d, _)| d)
                        .chain(std::iter::once(r))
                        .collect()
                }
                None => {
                    return Err(ExecError::Refused(format!(
                        "migration {v} is not in the history: nothing to roll back"
                    )));
                }
            },
            RollbackTarget::ToVersion(n) => records
                .values()
                .rev()
                .filter(|r| r.version > n)
                .filter(undoable)
                .collect(),
        };
        let mut outcome = RollbackOutcome {
            dry_run: options.dry_run,
            version_before: highest_applied(records.values()),
            ..RollbackOutcome::default()
        };
        // Check every target before touching anything.
        let mut plan = vec![];
        for r in &targets {
            let file = migrations.iter().find(|m| m.version == r.version);
            let mut usable = (*r).clone();
            if options.down_from_file {
                usable.down_sql = Some(down_from_file(r, file)?);
            } else if usable.down_sql.is_none() {
                usable.down_sql = file.and_then(|m| m.down.clone());
            }
            if usable
                .down_sql
                .as_deref()
                .is_some_and(|d| d.starts_with(super::apply::NOT_STORED))
            {
                return Err(ExecError::Refused(format!(
                    "cannot roll back {}: its down section was too large for the server to store in the history\n\nRoll it back with --down-from-file: the down section of its file is used (its up section must be the one applied).",
                    r.name
                )));
            }
            if let Err(why) = usable.rollback_availability() {
                return Err(ExecError::Refused(format!(
                    "cannot roll back {}: {why}\n\nSee `ai-shell migrate rollback-status {}`.",
                    r.name, r.version
                )));
            }
            let down = usable.down_sql.clone().unwrap_or_default();
            super::check_closed(engine, &r.name, "down", &down)?;
            if crate::rollout::file::is_phased(&r.up_sql) {
                let phases =
                    crate::rollout::file::parse(&r.up_sql, Some(&down), engine).map_err(|why| {
                        ExecError::Refused(format!("cannot roll back {}: {why}", r.name))
                    })?;
                // The phases that ran: all of them, or those before the stop plus the one that failed.
                let through = match r.status {
                    Status::Failed => super::phases::ran_through(
                        engine,
                        &phases,
                        (r.statements_done + 1).min(phases.len()),
                    ),
                    Status::Applied => phases.len(),
                    _ => r.statements_done,
                };
                let statements = phases
                    .iter()
                    .take(through)
                    .rev()
                    .flat_map(|p| p.rollback.clone())
                    .collect();
                plan.push((usable, statements, Some((phases, through))));
                continue;
            }
            // Where in the down section this rollback starts: where a stopped one stopped, or (a migration
            // that failed part-way) at the statements that undo what ran.
            let all = split(engine, &down);
            let statements = if r.status == Status::RollingBack {
                let recorded = split(engine, r.down_sql.as_deref().unwrap_or_default());
                if let Some(j) = super::apply::edited_before(&recorded, &all, r.statements_done) {
                    return Err(ExecError::Refused(format!(
                        "cannot continue the rollback of {}: down statement {j} of its file differs from the one that ran, and down statements 1..{} already ran\n\nKeep those statements as they ran and change only the ones after them.",
                        r.name, r.statements_done
                    )));
                }
                all[r.statements_done.min(all.len())..].to_vec()
            } else {
                undo_statements(engine, r, &down).map_err(|why| {
                    ExecError::Refused(format!("cannot roll back {}: {why}", r.name))
                })?
            };
            plan.push((usable, statements, None));
        }
        let runs: Vec<(String, Vec<String>)> = plan
            .iter()
            .map(|(r, statements, _)| (r.name.clone(), statements.clone()))
            .collect();
        outcome.losses = self
            .guard(
                s,
                &runs,
                &[],
                "Rolling back these migrations",
                options.dry_run,
            )
            .await?;
        for (record, statements, phased) in plan {
            if let Some((phases, through)) = phased.filter(|_| !options.dry_run) {
                let started = Instant::now();
                let m = Migration {
                    version: record.version,
                    id: record.name.clone(),
                    up: record.up_sql.clone(),
                    down: record.down_sql.clone(),
                    checksum: record.checksum.clone(),
                    transactional: false,
                    draft: false,
                    consented: false,
                };
                self.undo_phases(s, &m, &phases, through).await?;
                outcome.rolled_back.push(RolledBack {
                    version: record.version,
                    id: record.name.clone(),
                    statements,
                    duration_ms: started.elapsed().as_millis() as u64,
                });
                continue;
            }
            if options.dry_run {
                outcome.rolled_back.push(RolledBack {
                    version: record.version,
                    id: record.name.clone(),
                    statements,
                    duration_ms: 0,
                });
                continue;
            }
            let started = Instant::now();
            let in_transaction = transactional_ddl(engine) && record.transactional;
            // Outside a transaction, progress is recorded statement by statement: a rollback that stops
            // part-way continues where it stopped. `start` is where `statements` begin in the down section.
            let total = split(engine, record.down_sql.as_deref().unwrap_or_default()).len();
            let start = total.saturating_sub(statements.len());
            let resuming = record.status == Status::RollingBack;
            if !in_transaction {
                let mut row = record.clone();
                row.status = Status::RollingBack;
                row.statements_done = start;
                row.error = None;
                self.history.put(s, &row).await?;
                if resuming {
                    self.history
                        .log(
                            s,
                            record.version,
                            "rollback-resumed",
                            &format!("from down statement {} of {total}", start + 1),
                        )
                        .await?;
                }
            }
            let (before, statements, after) = if in_transaction {
                super::foreign_key_pragmas(engine, &statements)
            } else {
                (None, statements, None)
            };
            if let Some(pragma) = &before {
                s.execute_script(pragma).await?;
            }
            if in_transaction {
                let begin = if engine == Engine::Sqlite {
                    "BEGIN IMMEDIATE"
                } else {
                    "BEGIN"
                };
                s.execute_script(begin).await?;
            }
            for (k, statement) in statements.iter().enumerate() {
                let at = start + k;
                let result = if in_transaction {
                    super::fallback::execute_with_fallback(s, statement, self.reporter).await
                } else {
                    // A run that died (no error recorded) may have run the first statement; one that failed
                    // did not.
                    let died = resuming && record.error.is_none();
                    self.undo_one(s, record.version, statement, at, died && k == 0)
                        .await?
                };
                if let Err(e) = result {
                    if in_transaction {
                        s.execute_script("ROLLBACK").await?;
                    }
                    if let Some(pragma) = &after {
                        s.execute_script(pragma).await?;
                    }
                    let error = e.to_string();
                    if !in_transaction {
                        let mut row = record.clone();
                        row.status = Status::RollingBack;
                        row.statements_done = at;
                        row.error = Some(format!("down statement {}: {error}", at + 1));
                        self.history.put(s, &row).await?;
                    }
                    self.history
                        .log(
                            s,
                            record.version,
                            "rollback-failed",
                            &format!("down statement {}: {error}", at + 1),
                        )
                        .await?;
                    return Err(ExecError::Failed {
                        id: record.name.clone(),
                        step: at + 1,
                        total,
                        error,
                        hint: if in_transaction {
                            "The rollback's transaction was rolled back: the migration is still applied.".into()
                        } else {
                            format!(
                                "{} and recorded: the migration is recorded as rolling back. Fix the cause, then `ai-shell migrate rollback {v}` continues from down statement {}; if the recorded down section is wrong, correct the file's and add --down-from-file.",
                                match at {
                                    0 => "No down statement ran".to_string(),
                                    1 => "Down statement 1 ran".to_string(),
                                    _ => format!("Down statements 1..{at} ran"),
                                },
                                at + 1,
                                v = record.version
                            )
                        },
                    });
                }
            }
            let mut done = record.clone();
            done.status = Status::RolledBack;
            done.error = None;
            done.statements_done = 0;
            self.history.put(s, &done).await?;
            self.history
                .log(
                    s,
                    record.version,
                    "rolled-back",
                    &format!("{} down statements", statements.len()),
                )
                .await?;
            if in_transaction {
                s.execute_script("COMMIT").await?;
            }
            if let Some(pragma) = &after {
                s.execute_script(pragma).await?;
            }
            outcome.rolled_back.push(RolledBack {
                version: record.version,
                id: record.name.clone(),
                statements,
                duration_ms: started.elapsed().as_millis() as u64,
            });
        }
        outcome.version_after = if options.dry_run {
            outcome.version_before
        } else {
            let now = self.history.all(s).await?;
            highest_applied(now.iter())
        };
        Ok(outcome)
    }
}

/// The down section of `r`'s file, for `--down-from-file`: the file must be the migration that was applied
/// (same up section) and have a down section that parses.
fn down_from_file(r: &Record, file: Option<&Migration>) -> Result<String, ExecError> {
    let Some(m) = file else {
        return Err(ExecError::Refused(format!(
            "--down-from-file: {} has no file in the migrations folder",
            r.name
        )));
    };
    if m.checksum != r.checksum {
        return Err(ExecError::Refused(format!(
            "--down-from-file: the up section of {}'s file is not the one that was applied (checksum {} applied, {} now), so its down section may not undo it\n\nRestore the up section as applied and correct only the down section.",
            m.id,
            &r.checksum[..12.min(r.checksum.len())],
            &m.checksum[..12.min(m.checksum.len())]
        )));
    }
    match m.down.as_deref().map(str::trim) {
        None | Some("") => Err(ExecError::Refused(format!(
            "--down-from-file: {}'s file has no down section",
            m.id
        ))),
        Some(_) => Ok(m.down.clone().unwrap_or_default()),
    }
}

/// The applied migrations after `r` that use what it created, directly or through another one of them, oldest
/// first, each with what it uses.
pub fn dependents<'a>(
    engine: Engine,
    r: &Record,
    records: &'a BTreeMap<u64, Record>,
) -> Vec<(&'a Record, String)> {
    use crate::safety::dependencies::{created, uses};
    let mut made = vec![created(&split(engine, &r.up_sql))];
    let mut out = vec![];
    for later in records
        .values()
        .filter(|x| x.version > r.version && x.status == Status::Applied)
    {
        let statements = split(engine, &later.up_sql);
        if let Some(what) = made.iter().find_map(|c| uses(c, &statements)) {
            made.push(created(&statements));
            out.push((later, what));
        }
    }
    out
}

impl Executor<'_> {
    /// Runs down statement `at` (0-based) of a rollback outside a transaction, and records it as run: with
    /// it in one transaction when it can be, right after it otherwise. `first_of_resume`: the run that
    /// stopped may have run it before it died, so an error saying its effect is there means it ran.
    async fn undo_one(
        &self,
        s: &mut Session,
        version: u64,
        statement: &str,
        at: usize,
        first_of_resume: bool,
    ) -> Result<Result<(), crate::connection::ConnectionError>, ExecError> {
        let progress = self.history.progress_sql(version, at + 1);
        if super::atomicity(s.engine(), statement) == super::Atomicity::WithProgress {
            let result = s
                .execute_script(&format!("BEGIN;\n{statement};\n{progress};\nCOMMIT"))
                .await;
            if result.is_err() {
                let _ = s.execute_script("ROLLBACK").await;
            }
            return Ok(result);
        }
        match super::fallback::execute_with_fallback(s, statement, self.reporter).await {
            Ok(()) => {}
            Err(e) if first_of_resume && super::already_applied(&e) => {
                self.history
                    .log(
                        s,
                        version,
                        "skipped",
                        &format!("down statement {} had already run: {e}", at + 1),
                    )
                    .await?;
            }
            Err(e) => return Ok(Err(e)),
        }
        s.execute_script(&progress).await?;
        Ok(Ok(()))
    }
}
