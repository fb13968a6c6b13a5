//! `migrate apply`, `migrate retry` and `migrate baseline`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use serde::Serialize;

use super::transaction::SqliteGroup;
use super::{
    Atomicity, ExecError, Executor, Migration, already_applied, split, transaction_control,
    transactional_ddl,
};
use crate::connection::{Engine, Session};
use crate::history::{Record, Status, record};

/// Which pending migrations to apply.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// Every pending migration.
    All,
    /// Only this version.
    Only(u64),
    /// Pending migrations up to and including this version.
    UpTo(u64),
}

/// What `migrate retry` does with the statement a migration stopped at, when the run that executed it died and
/// nothing tells whether it ran (`--skip-statement K`, `--rerun-statement K`; K is 1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatementChoice {
    /// It ran: record it as done without running it.
    Skip(usize),
    /// It did not run: run it.
    Rerun(usize),
}

/// Options of an apply run.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    pub target: Target,
    /// Show what would run; change nothing.
    pub dry_run: bool,
    /// Versions whose edited files are accepted: their stored checksum is replaced (and the event logged).
    pub accept_checksums: BTreeSet<u64>,
    /// How phased (zero-downtime) migrations run.
    pub phases: super::PhaseOptions,
}

/// One migration an apply run executed (or, in a dry run, would execute).
#[derive(Clone, Debug, Serialize)]
pub struct Applied {
    pub version: u64,
    pub id: String,
    pub statements: Vec<String>,
    pub duration_ms: u64,
    /// The first statement this run executed, when it resumed an interrupted or failed migration.
    pub resumed_at_statement: Option<usize>,
    /// A phased migration's run, phase by phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phased: Option<super::PhasedOutcome>,
}

/// What an apply run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ApplyOutcome {
    pub applied: Vec<Applied>,
    pub dry_run: bool,
    /// Schema version (highest applied) before and after.
    pub version_before: Option<u64>,
    pub version_after: Option<u64>,
    pub warnings: Vec<String>,
    /// A phased migration stopped at a gate: (version, id, phase, what to confirm). Later ones wait.
    pub waiting: Option<(u64, String, usize, String)>,
    /// Data the run destroys (or, in a dry run, would destroy), counted before it started.
    #[serde(skip_serializing_if = "crate::safety::Losses::is_empty")]
    pub losses: crate::safety::Losses,
}

/// Whether `target` includes `m` (a draft only when named alone).
fn selected_for(target: Target, m: &Migration) -> bool {
    match target {
        Target::All => !m.draft,
        Target::Only(v) => m.version == v,
        Target::UpTo(v) => m.version <= v && !m.draft,
    }
}

/// The applied migration that `m` is a renamed copy of: the same statements under another version, whose
/// own file is gone (`has_file`). Running `m` would run them a second time.
pub fn renamed_from<'r>(
    m: &Migration,
    records: impl IntoIterator<Item = &'r Record>,
    has_file: impl Fn(u64) -> bool,
) -> Option<&'r Record> {
    if m.up.trim().is_empty() {
        return None;
    }
    records.into_iter().find(|r| {
        r.status == Status::Applied
            && r.version != m.version
            && r.checksum == m.checksum
            && !has_file(r.version)
    })
}

fn current_version(records: &BTreeMap<u64, Record>) -> Option<u64> {
    records
        .values()
        .filter(|r| r.status == Status::Applied)
        .map(|r| r.version)
        .max()
}

impl Executor<'_> {
    /// Applies pending migrations in version order under the run lock.
    pub async fn apply(
        &self,
        migrations: &[Migration],
        options: &ApplyOptions,
    ) -> Result<ApplyOutcome, ExecError> {
        let (mut s, lock) = self.locked_session().await?;
        let drifted = !options.dry_run && self.drifted(&mut s).await;
        let mut result = self.apply_locked(&mut s, migrations, options, None).await;
        self.snapshot_after(&mut s, &mut result, drifted).await;
        let _ = lock.release(&mut s).await;
        result
    }

    /// After a run that applied something and completed (no gate waiting), the schema snapshot of the version
    /// it reached.
    async fn snapshot_after(
        &self,
        s: &mut Session,
        result: &mut Result<ApplyOutcome, ExecError>,
        drifted: bool,
    ) {
        let Ok(outcome) = result else { return };
        if outcome.dry_run || outcome.applied.is_empty() || outcome.waiting.is_some() {
            return;
        }
        if drifted {
            outcome.warnings.push(
                "the schema had changed outside the migrations before this run: no snapshot was kept, so `ai-shell schema detect-drift` (which replays the history) still reports it".into(),
            );
        } else if let Some(warning) = self.snapshot(s, outcome.version_after, "apply").await {
            outcome.warnings.push(warning);
        }
    }

    /// Continues a failed migration: from the failed statement on engines without transactional DDL, from the
    /// start where the failure rolled everything back.
    pub async fn retry(
        &self,
        migrations: &[Migration],
        version: u64,
        phases: &super::PhaseOptions,
        choice: Option<StatementChoice>,
    ) -> Result<ApplyOutcome, ExecError> {
        let (mut s, lock) = self.locked_session().await?;
        let result = async {
            let record = self.history.get(&mut s, version).await?;
            match record.as_ref().map(|r| r.status) {
                Some(Status::Failed) | Some(Status::Running) => {}
                Some(other) => {
                    return Err(ExecError::Refused(format!(
                        "migration {version} is {}, not failed: nothing to retry",
                        other.as_str()
                    )));
                }
                None => {
                    return Err(ExecError::Refused(format!(
                        "migration {version} has never been applied: use `ai-shell migrate apply {version}`"
                    )));
                }
            }
            let options = ApplyOptions {
                target: Target::Only(version),
                dry_run: false,
                accept_checksums: BTreeSet::new(),
                phases: phases.clone(),
            };
            self.apply_locked(&mut s, migrations, &options, Some(choice))
                .await
        }
        .await;
        let mut result = result;
        // A failed migration's first statements may have run: the schema differs from the snapshot by them.
        self.snapshot_after(&mut s, &mut result, false).await;
        let _ = lock.release(&mut s).await;
        result
    }

    /// Marks the database as being at `version`: migrations up to it are recorded as applied without running.
    pub async fn baseline(
        &self,
        migrations: &[Migration],
        version: u64,
    ) -> Result<Vec<u64>, ExecError> {
        let (mut s, lock) = self.locked_session().await?;
        let result = async {
            let existing = self.history.all(&mut s).await?;
            if let Some(r) = existing.iter().find(|r| r.status == Status::Applied) {
                return Err(ExecError::Refused(format!(
                    "the history already has applied migrations (first: {}): a baseline only starts an empty history",
                    r.name
                )));
            }
            let mut marked = vec![];
            let covered: Vec<&Migration> = migrations.iter().filter(|m| m.version <= version).collect();
            let synthetic;
            let rows: Vec<&Migration> = if covered.iter().any(|m| m.version == version) {
                covered
            } else {
                synthetic = Migration {
                    version,
                    id: format!("{version:03}_baseline"),
                    up: String::new(),
                    down: None,
                    checksum: crate::migrations::checksum::checksum(""),
                    transactional: true,
                    draft: false,
                    consented: false,
                };
                covered.into_iter().chain(std::iter::once(&synthetic)).collect()
            };
            for m in rows {
                let mut r = running_record(m, 0, true);
                r.status = Status::Applied;
                r.statements_done = r.statements_total;
                r.notes = Some(format!("baseline: recorded as applied at version {version} without running"));
                self.history.put(&mut s, &r).await?;
                self.history.log(&mut s, m.version, "baseline", "recorded as applied without running").await?;
                marked.push(m.version);
            }
            Ok(marked)
        }
        .await;
        let _ = lock.release(&mut s).await;
        result
    }

    async fn apply_locked(
        &self,
        s: &mut Session,
        migrations: &[Migration],
        options: &ApplyOptions,
        retrying: Option<Option<StatementChoice>>,
    ) -> Result<ApplyOutcome, ExecError> {
        let mut group = SqliteGroup::default();
        let result = self
            .apply_pending(s, migrations, options, retrying, &mut group)
            .await;
        // Whatever stopped the run, the migrations completed in SQLite's open transaction commit.
        let committed = group.commit(s).await;
        let outcome = result?;
        committed?;
        Ok(outcome)
    }

    async fn apply_pending(
        &self,
        s: &mut Session,
        migrations: &[Migration],
        options: &ApplyOptions,
        retrying: Option<Option<StatementChoice>>,
        group: &mut SqliteGroup,
    ) -> Result<ApplyOutcome, ExecError> {
        let choice = retrying.flatten();
        let retrying = retrying.is_some();
        if let Target::Only(v) = options.target
            && !migrations.iter().any(|m| m.version == v)
        {
            return Err(ExecError::Refused(format!(
                "no migration file with version {v}\n\nRun `ai-shell migrate status` to see the migrations."
            )));
        }
        let engine = s.engine();
        let records: BTreeMap<u64, Record> = self
            .history
            .all(s)
            .await?
            .into_iter()
            .map(|r| (r.version, r))
            .collect();
        let mut outcome = ApplyOutcome {
            dry_run: options.dry_run,
            version_before: current_version(&records),
            ..ApplyOutcome::default()
        };

        // Data the migrations starting now would destroy: refused before anything runs, unless consented.
        // Resumed and retried ones were checked when they started.
        let starting: Vec<(String, Vec<String>)> = migrations
            .iter()
            .filter(|m| selected_for(options.target, m))
            .filter(|m| {
                records
                    .get(&m.version)
                    .is_none_or(|r| r.status == Status::RolledBack)
            })
            .map(|m| (m.id.clone(), split(engine, &m.up)))
            .collect();
        // MySQL/MariaDB refuse any packet over `max_allowed_packet` by dropping the connection: a statement
        // that cannot be sent is refused before anything runs, naming the limit.
        let packet_limit = max_allowed_packet(s).await;
        // The selected migrations not applied yet.
        let unapplied = |m: &&Migration| {
            selected_for(options.target, m)
                && records
                    .get(&m.version)
                    .is_none_or(|r| r.status != Status::Applied)
        };
        for m in migrations.iter().filter(unapplied) {
            super::check_closed(engine, &m.id, "up", &m.up)?;
            if let Some(limit) = packet_limit
                && let Some((k, statement)) = split(engine, &m.up)
                    .iter()
                    .enumerate()
                    .find(|(_, st)| st.len() as u64 + PACKET_MARGIN > limit)
            {
                return Err(ExecError::Refused(format!(
                    "migration {}: statement {} is {} bytes, more than the server's max_allowed_packet ({limit} bytes) lets a client send\n\nSplit it into smaller statements (several INSERTs of fewer rows, say), or raise the limit on the server: SET GLOBAL max_allowed_packet = {}; (and in its configuration file).",
                    m.id,
                    k + 1,
                    statement.len(),
                    (statement.len() as u64 + PACKET_MARGIN).next_power_of_two()
                )));
            }
        }
        let consented: Vec<String> = migrations
            .iter()
            .filter(|m| m.consented)
            .map(|m| m.id.clone())
            .collect();
        outcome.losses = self
            .guard(
                s,
                &starting,
                &consented,
                "Applying these migrations",
                options.dry_run,
            )
            .await?;

        // Applied files must be unchanged, unless the operator accepts the edit.
        for m in migrations {
            let Some(r) = records.get(&m.version) else {
                continue;
            };
            if r.status != Status::Applied || r.checksum == m.checksum {
                continue;
            }
            if r.name != m.id {
                return Err(ExecError::Refused(format!(
                    "version {} is `{}` in the history, but the file with that version is `{}`: they are different migrations\n\nIs this the project's migrations folder? Run from the project's directory or pass --migrations-dir; a checksum cannot be accepted for a file that is not the applied migration.",
                    m.version, r.name, m.id
                )));
            }
            if options.accept_checksums.contains(&m.version) && !options.dry_run {
                self.history.set_checksum(s, m.version, &m.checksum).await?;
                self.history
                    .log(
                        s,
                        m.version,
                        "checksum-accepted",
                        &format!("{} -> {}", r.checksum, m.checksum),
                    )
                    .await?;
                continue;
            }
            if options.accept_checksums.contains(&m.version) {
                continue;
            }
            return Err(ExecError::ChecksumMismatch {
                version: m.version,
                id: m.id.clone(),
                applied: r.checksum.clone(),
                current: m.checksum.clone(),
            });
        }

        for m in migrations.iter().filter(unapplied) {
            if let Some(r) = renamed_from(m, records.values(), |v| {
                migrations.iter().any(|f| f.version == v)
            }) {
                return Err(ExecError::Refused(format!(
                    "{} has the same statements as {}, applied{}, whose file is gone: the file was renamed, and applying it would run them a second time\n\nRename it back to `{}.sql`. To run those statements again on purpose, write them in a new migration that differs from the applied one (a comment is enough).",
                    m.id,
                    r.name,
                    r.applied_at
                        .as_deref()
                        .map(|at| format!(" {at}"))
                        .unwrap_or_default(),
                    r.name
                )));
            }
        }

        let highest_applied = outcome.version_before.unwrap_or(0);
        let mut newly_applied: Vec<u64> = Vec::new();
        // The final history row of the last statement-by-statement migration, not yet written.
        let mut pending: Option<Record> = None;
        let selected = |m: &Migration| selected_for(options.target, m);
        for m in migrations.iter().filter(|m| m.draft && !selected(m)) {
            if !records.contains_key(&m.version) {
                outcome.warnings.push(format!(
                    "{} is a draft and was not applied: accept it with `ai-shell migrate review {} --accept`, or apply it alone with `ai-shell migrate apply {}`",
                    m.id, m.id, m.id
                ));
            }
        }
        // The last version this run may apply (later SQLite migrations may join an open transaction).
        let last_to_run = migrations
            .iter()
            .filter(|m| selected(m))
            .filter(|m| {
                records
                    .get(&m.version)
                    .is_none_or(|r| r.status != Status::Applied)
            })
            .map(|m| m.version)
            .max();
        for m in migrations {
            if !selected(m) {
                continue;
            }
            let record = records.get(&m.version);
            let protected;
            let m = match phased_form(engine, m, record, &options.phases) {
                Some(p) => {
                    protected = p;
                    &protected
                }
                None => m,
            };
            if crate::rollout::file::is_phased(&m.up) {
                if record.is_some_and(|r| r.status == Status::Applied) {
                    continue;
                }
                self.flush_final(s, &mut pending).await?;
                group.commit(s).await?;
                if options.dry_run {
                    let phases = crate::rollout::file::parse(&m.up, m.down.as_deref(), engine)
                        .map_err(|e| ExecError::Refused(format!("migration {}: {e}", m.id)))?;
                    outcome.applied.push(Applied {
                        version: m.version,
                        id: m.id.clone(),
                        statements: phases
                            .iter()
                            .flat_map(|p| {
                                p.backfill
                                    .iter()
                                    .map(|b| b.batch.clone())
                                    .chain(p.statements.iter().cloned())
                            })
                            .collect(),
                        duration_ms: 0,
                        resumed_at_statement: None,
                        phased: None,
                    });
                    continue;
                }
                let run = self
                    .apply_phased(s, m, record, retrying, &options.phases)
                    .await?;
                let waiting = match &run.end {
                    super::PhasedEnd::Waiting { phase, question } => {
                        Some((m.version, m.id.clone(), *phase, question.clone()))
                    }
                    super::PhasedEnd::Applied => None,
                };
                outcome.applied.push(Applied {
                    version: m.version,
                    id: m.id.clone(),
                    statements: vec![],
                    duration_ms: run.duration_ms,
                    resumed_at_statement: None,
                    phased: Some(run),
                });
                if waiting.is_some() {
                    outcome.waiting = waiting;
                    break;
                }
                newly_applied.push(m.version);
                continue;
            }
            let resume_from = match record.map(|r| (r.status, r.transactional)) {
                Some((Status::Applied, _)) => continue,
                // A run died while executing it statement by statement: we hold the lock, so it is not running.
                Some((Status::Running, _)) | Some((Status::Waiting, _)) => {
                    Some((record.unwrap().statements_done, true))
                }
                Some((Status::Failed, transactional)) => {
                    let r = record.unwrap();
                    if transactional || r.statements_done == 0 {
                        None
                    } else if retrying {
                        Some((r.statements_done, false))
                    } else {
                        return Err(ExecError::PreviouslyFailed {
                            version: m.version,
                            id: m.id.clone(),
                            step: r.statements_done + 1,
                            total: r.statements_total,
                            error: r.error.clone().unwrap_or_default(),
                        });
                    }
                }
                Some((Status::RollingBack, _)) => {
                    let r = record.unwrap();
                    return Err(ExecError::Refused(format!(
                        "migration {} is partly rolled back (its rollback stopped before down statement {}): finish the rollback with `ai-shell migrate rollback {}` before applying it again",
                        m.id,
                        r.statements_done + 1,
                        m.version
                    )));
                }
                Some((Status::RolledBack, _)) | None => None,
            };
            let statements = split(engine, &m.up);
            let resume_from = match (resume_from, choice) {
                (_, None) => resume_from,
                (Some((done, _)), Some(c)) => {
                    let (StatementChoice::Skip(k) | StatementChoice::Rerun(k)) = c;
                    if k != done + 1 || k > statements.len() {
                        return Err(ExecError::Refused(format!(
                            "migration {} stopped at statement {} of {}, not {k}: only the statement it stopped at can be skipped or run again",
                            m.id,
                            done + 1,
                            statements.len()
                        )));
                    }
                    if let StatementChoice::Skip(k) = c {
                        self.history.set_progress(s, m.version, k).await?;
                        self.history
                            .log(
                                s,
                                m.version,
                                "skipped",
                                &format!(
                                    "statement {k} recorded as run without running it, by {} with --skip-statement",
                                    crate::history::record::current_user()
                                ),
                            )
                            .await?;
                        Some((k, false))
                    } else {
                        Some((done, false))
                    }
                }
                (None, Some(_)) => {
                    return Err(ExecError::Refused(format!(
                        "migration {} did not stop part-way through its statements: there is no statement to skip or run again",
                        m.id
                    )));
                }
            };
            if let (Some((done, _)), Some(r)) = (resume_from, record)
                && let Some(j) = if r.up_sql.starts_with(NOT_STORED) {
                    // What ran is known only by its checksum: the file must be unchanged.
                    (r.checksum != m.checksum).then_some(1)
                } else {
                    edited_before(&split(engine, &r.up_sql), &statements, done)
                }
            {
                return Err(ExecError::Refused(format!(
                    "migration {}: statement {j} of its file differs from the statement {j} that ran; {} already applied, and continuing would record SQL that never ran\n\nRestore {} as applied (`ai-shell migrate info {}` shows the recorded SQL) and change only statement {} onwards, or undo what ran with `ai-shell migrate rollback {}` and apply the edited file.",
                    m.id,
                    statement_range(done, "were"),
                    statement_range(done, ""),
                    m.version,
                    done + 1,
                    m.version
                )));
            }
            let control = transaction_control(engine, &m.up);
            // A fresh statement-by-statement migration writes its `running` row together with the previous
            // one's final row; anything else (including a refusal below) first writes that final row on its own.
            let fresh_by_statement = !(transactional_ddl(engine) && m.transactional)
                && resume_from.is_none()
                && !options.dry_run;
            if !fresh_by_statement || statements.is_empty() || control.is_some() {
                self.flush_final(s, &mut pending).await?;
            }
            if statements.is_empty() {
                return Err(ExecError::Refused(format!(
                    "migration {} has no SQL in its `-- +up` section\n\nWrite the statements that apply it, then run apply again.",
                    m.id
                )));
            }
            if let Some(statement) = control {
                return Err(ExecError::TransactionControl {
                    id: m.id.clone(),
                    statement,
                });
            }
            if m.version < highest_applied && resume_from.is_none() {
                outcome.warnings.push(format!(
                    "{} is older than the current version {highest_applied}: applying it out of order",
                    m.id
                ));
            }
            if options.dry_run {
                outcome.applied.push(Applied {
                    version: m.version,
                    id: m.id.clone(),
                    statements,
                    duration_ms: 0,
                    resumed_at_statement: resume_from.map(|(d, _)| d + 1),
                    phased: None,
                });
                continue;
            }
            let started = Instant::now();
            let by_transaction = transactional_ddl(engine) && m.transactional;
            if !by_transaction {
                group.commit(s).await?;
            }
            let watchdog = match self.timeout {
                Some(limit) => Some(super::timeout::Watchdog::start(self.db, s, limit).await?),
                None => None,
            };
            let result = if by_transaction {
                let more_follow = last_to_run.is_some_and(|v| v > m.version);
                self.run_in_transaction(s, m, &statements, group, more_follow)
                    .await
            } else {
                let stored = storable(m, packet_limit);
                self.run_statement_by_statement(
                    s,
                    &stored,
                    &statements,
                    resume_from,
                    pending.take(),
                )
                .await
                .map(|done| {
                    pending = Some(done);
                    true
                })
            };
            let ran = match watchdog {
                Some(w) => {
                    let fired = w.stop(s).await;
                    match result {
                        Err(e) if fired => Err(super::timeout::timed_out(
                            e,
                            self.timeout.unwrap_or_default(),
                        )),
                        other => other,
                    }
                }
                None => result,
            }?;
            if ran {
                let duration_ms = started.elapsed().as_millis() as u64;
                outcome.applied.push(Applied {
                    version: m.version,
                    id: m.id.clone(),
                    statements,
                    duration_ms,
                    resumed_at_statement: resume_from.map(|(d, _)| d + 1),
                    phased: None,
                });
            }
            // Applied now, by this run or (SQLite) by one that got the write lock first.
            newly_applied.push(m.version);
        }
        self.flush_final(s, &mut pending).await?;
        outcome.version_after = if options.dry_run {
            outcome.version_before
        } else {
            current_version(&records).max(newly_applied.iter().copied().max())
        };
        Ok(outcome)
    }

    /// Writes a finished statement-by-statement migration's final row and its log event, in one commit.
    async fn flush_final(
        &self,
        s: &mut Session,
        pending: &mut Option<Record>,
    ) -> Result<(), ExecError> {
        if let Some(done) = pending.take() {
            s.execute_script("BEGIN").await?;
            self.write_final(s, &done).await?;
            s.execute_script("COMMIT").await?;
        }
        Ok(())
    }

    async fn write_final(&self, s: &mut Session, done: &Record) -> Result<(), ExecError> {
        self.history.put(s, done).await?;
        self.history
            .log(s, done.version, "applied", &final_event(done))
            .await?;
        Ok(())
    }

    /// Records that statement `k` (0-based) of `m` failed with `error` after statements `..k` ran (none of them
    /// when `transactional`: the transaction was rolled back).
    pub(super) async fn record_failure(
        &self,
        s: &mut Session,
        m: &Migration,
        total: usize,
        k: usize,
        transactional: bool,
        error: &str,
    ) -> Result<(), ExecError> {
        let mut failed = running_record(m, total, transactional);
        failed.status = Status::Failed;
        failed.statements_done = if transactional { 0 } else { k };
        failed.error = Some(format!("statement {}: {error}", k + 1));
        self.history.put(s, &failed).await?;
        self.history
            .log(
                s,
                m.version,
                "failed",
                &format!("statement {} of {total}: {error}", k + 1),
            )
            .await?;
        Ok(())
    }

    /// MySQL/MariaDB and `transaction: false` migrations: progress is recorded after every statement.
    /// Returns the final (applied) row for the caller to write: with the next migration's `running` row, or
    /// on its own (`flush_final`), so that each migration costs one durable history write fewer.
    async fn run_statement_by_statement(
        &self,
        s: &mut Session,
        m: &Migration,
        statements: &[String],
        resume_from: Option<(usize, bool)>,
        previous: Option<Record>,
    ) -> Result<Record, ExecError> {
        let started = Instant::now();
        let (start, interrupted) = resume_from.unwrap_or((0, false));
        if resume_from.is_none() {
            // The `running` row is the record that it started; the previous migration's final row goes with it.
            let running = running_record(m, statements.len(), false);
            match &previous {
                Some(done) => {
                    let e = s.engine();
                    s.execute_script(&format!(
                        "BEGIN;\n{};\n{};\n{};\nCOMMIT",
                        self.history.put_sql(e, done, None),
                        self.history
                            .log_sql(e, done.version, "applied", &final_event(done)),
                        self.history.put_sql(e, &running, None)
                    ))
                    .await?;
                }
                None => self.history.put(s, &running).await?,
            }
        } else {
            debug_assert!(previous.is_none(), "flushed before a resumed migration");
            let mut r = running_record(m, statements.len(), false);
            r.statements_done = start;
            self.history.put(s, &r).await?;
            self.history
                .log(
                    s,
                    m.version,
                    if interrupted { "resumed" } else { "retried" },
                    &format!("from statement {}", start + 1),
                )
                .await?;
        }
        // MySQL: a statement and the record of its progress go in one call (the server stops at a failing
        // statement). PostgreSQL would run the two as one implicit transaction, which `transaction: false`
        // statements such as CREATE INDEX CONCURRENTLY refuse.
        // MySQL also skips the record after a statement whose re-run after a crash fails visibly (CREATE TABLE,
        // CREATE INDEX): a resumed run skips such statements while the server says they already ran.
        let engine = s.engine();
        let mysql = engine == Engine::MySql;
        // While resuming, the statements from here on may have run already.
        let mut may_have_run = start;
        for (k, statement) in statements.iter().enumerate().skip(start) {
            let kind = super::atomicity(engine, statement);
            if interrupted && k == may_have_run && kind == Atomicity::Unknown {
                return Err(ExecError::Refused(format!(
                    "migration {id} was interrupted while statement {n} of {total} ran (`{head}`), and nothing in the database tells whether it ran: running it twice may not be safe\n\nLook for its effect, then run `ai-shell migrate retry {v} --skip-statement {n}` if it ran, or `ai-shell migrate retry {v} --rerun-statement {n}` if it did not.",
                    id = m.id,
                    n = k + 1,
                    total = statements.len(),
                    head = statement.trim().lines().next().unwrap_or_default(),
                    v = m.version
                )));
            }
            // A data statement (any statement but a few on PostgreSQL and SQLite) commits with its progress
            // record. Others record progress right after (MySQL: in the same call, which the server finishes
            // when the client dies), except MySQL statements whose re-run is seen (`rerun_detected`) and a
            // last one whose re-run is safe, whose progress is the final row.
            let wrapped = kind == Atomicity::WithProgress;
            let record_progress = wrapped
                || kind == Atomicity::Unknown
                || (k + 1 < statements.len() && !(mysql && super::rerun_detected(statement)));
            let script = if wrapped {
                format!(
                    "BEGIN;\n{statement};\n{};\nCOMMIT",
                    self.history.progress_sql(m.version, k + 1)
                )
            } else if mysql && record_progress {
                format!(
                    "{statement};\n{}",
                    self.history.progress_sql(m.version, k + 1)
                )
            } else {
                statement.clone()
            };
            let result = s.execute_script(&script).await;
            if result.is_err() && wrapped {
                let _ = s.execute_script("ROLLBACK").await;
            }
            match result {
                Ok(()) => {}
                // The previous run died right after this statement, before recording it.
                Err(e) if interrupted && k == may_have_run && !wrapped && already_applied(&e) => {
                    // The next one may have run too only if no progress record separated them.
                    may_have_run = if record_progress { usize::MAX } else { k + 1 };
                    self.history
                        .log(
                            s,
                            m.version,
                            "skipped",
                            &format!("statement {} had already run: {e}", k + 1),
                        )
                        .await?;
                    if record_progress && mysql {
                        self.history.set_progress(s, m.version, k + 1).await?;
                    }
                }
                Err(e) => {
                    let error = e.to_string();
                    if let Err(lost) = self
                        .record_failure(s, m, statements.len(), k, false, &error)
                        .await
                    {
                        return Err(ExecError::ConnectionLost {
                            id: m.id.clone(),
                            error: format!(
                                "statement {} of {} did not finish: {error}",
                                k + 1,
                                statements.len()
                            ),
                            state: format!(
                                "The failure could not be recorded either ({}). The history says that {} and that statement {} was running: once the server is reachable, `ai-shell migrate status` shows it and `ai-shell migrate apply` resumes at statement {}, checking whether it ran.",
                                if lost.to_string() == error {
                                    "the connection is gone".to_string()
                                } else {
                                    lost.to_string()
                                        .lines()
                                        .next()
                                        .unwrap_or_default()
                                        .to_string()
                                },
                                match k {
                                    0 => "no statement ran".to_string(),
                                    _ => format!("{} ran", statement_range(k, "")),
                                },
                                k + 1,
                                k + 1
                            ),
                        });
                    }
                    let maybe_ran = if interrupted && k == may_have_run {
                        format!(
                            " The run that died may have run it before: if its effect is there, `ai-shell migrate retry {} --skip-statement {}` records it as run.",
                            m.version,
                            k + 1
                        )
                    } else {
                        String::new()
                    };
                    return Err(ExecError::Failed {
                        id: m.id.clone(),
                        step: k + 1,
                        total: statements.len(),
                        error,
                        hint: match k {
                            0 => format!(
                                "No statement of it ran. Fix the cause, then `ai-shell migrate retry {v}` runs it from statement 1.{maybe_ran}",
                                v = m.version
                            ),
                            _ => format!(
                                "{} applied and recorded. Fix the cause, then `ai-shell migrate retry {v}` continues from statement {}, or `ai-shell migrate rollback {v}` undoes {}.{maybe_ran}",
                                statement_range(k, "were"),
                                k + 1,
                                statement_range(k, ""),
                                v = m.version
                            ),
                        },
                    });
                }
            }
            if record_progress && !mysql && !wrapped {
                self.history.set_progress(s, m.version, k + 1).await?;
            }
        }
        let mut done = running_record(m, statements.len(), false);
        done.status = Status::Applied;
        done.statements_done = statements.len();
        done.duration_ms = Some(started.elapsed().as_millis() as u64);
        Ok(done)
    }
}

/// Room left in a packet for the rest of a statement's call (its progress record, the protocol's header).
const PACKET_MARGIN: u64 = 4096;

/// MySQL/MariaDB: the server's `max_allowed_packet`, the largest statement (and history row) it accepts.
async fn max_allowed_packet(s: &mut Session) -> Option<u64> {
    if s.engine() != Engine::MySql {
        return None;
    }
    let r = s.query("SELECT @@max_allowed_packet", &[]).await.ok()?;
    crate::model::number_at(&r, 0, 0).map(|n| n as u64)
}

/// The beginning of the text stored instead of a section too large for one history row.
pub const NOT_STORED: &str = "-- ai-shell: not stored in the history";

/// `m` as the history stores it: a section that would make the history row larger than the server accepts
/// in one packet (`limit`) is replaced by a note with its size and checksum (the file keeps the SQL).
fn storable(m: &Migration, limit: Option<u64>) -> std::borrow::Cow<'_, Migration> {
    let Some(limit) = limit else {
        return std::borrow::Cow::Borrowed(m);
    };
    let budget = limit.saturating_sub(2 * PACKET_MARGIN);
    let down = m.down.as_deref().map_or(0, str::len) as u64;
    if (m.up.len() as u64).saturating_add(down) <= budget {
        return std::borrow::Cow::Borrowed(m);
    }
    let note = |what: &str, sql: &str| {
        format!(
            "{NOT_STORED}: its {what} section is {} bytes, over what the server's max_allowed_packet ({limit} bytes) allows in one row; checksum {}\n",
            sql.len(),
            crate::migrations::checksum::checksum(sql)
        )
    };
    let mut stored = m.clone();
    stored.up = note("up", &m.up);
    if down > budget / 2 {
        stored.down = m.down.as_deref().map(|d| note("down", d));
    }
    std::borrow::Cow::Owned(stored)
}

/// "statement 1" or "statements 1..k", followed by `verb` when given ("were" becomes "was" for one).
fn statement_range(k: usize, verb: &str) -> String {
    let (text, verb) = match k {
        1 => ("Statement 1".to_string(), verb.replace("were", "was")),
        _ => (format!("Statements 1..{k}"), verb.to_string()),
    };
    if verb.is_empty() {
        text.to_lowercase()
    } else {
        format!("{text} {verb}")
    }
}

/// Statements `0..done` of a migration resumed or retried must be those that ran (`recorded`): otherwise the
/// history would record, as applied, SQL that never ran. The first that differs (1-based), if any.
pub(super) fn edited_before(recorded: &[String], now: &[String], done: usize) -> Option<usize> {
    let norm = |s: &String| s.split_whitespace().collect::<Vec<_>>().join(" ");
    (0..done)
        .find(|&i| match (recorded.get(i), now.get(i)) {
            (Some(a), Some(b)) => norm(a) != norm(b),
            _ => true,
        })
        .map(|i| i + 1)
}

/// The phased form `m` runs in, when it is not phased itself: a run of it that stopped part-way was
/// phased (its history row holds the phases), or `--zero-downtime` asks to protect plain SQL.
fn phased_form(
    engine: Engine,
    m: &Migration,
    record: Option<&Record>,
    options: &super::PhaseOptions,
) -> Option<Migration> {
    use crate::rollout::{file, protect};
    if file::is_phased(&m.up) {
        return None;
    }
    if let Some(r) = record
        && matches!(r.status, Status::Running | Status::Waiting | Status::Failed)
        && file::is_phased(&r.up_sql)
    {
        return Some(Migration {
            up: r.up_sql.clone(),
            down: r.down_sql.clone(),
            ..m.clone()
        });
    }
    if !options.protect_plain || record.is_some_and(|r| r.status == Status::Applied) {
        return None;
    }
    let up = split(engine, &m.up);
    let down = m
        .down
        .as_deref()
        .map(|d| split(engine, d))
        .unwrap_or_default();
    let phases = protect::phases(engine, &up, &down);
    Some(Migration {
        up: file::up_section(&phases),
        down: m.down.as_ref().map(|_| file::down_section(&phases)),
        ..m.clone()
    })
}

/// The log event of a statement-by-statement migration that finished.
fn final_event(done: &Record) -> String {
    format!("{} statements", done.statements_total)
}

/// A history row for `m` about to run.
pub(super) fn running_record(m: &Migration, total: usize, transactional: bool) -> Record {
    Record {
        version: m.version,
        name: m.id.clone(),
        checksum: m.checksum.clone(),
        status: Status::Running,
        statements_total: total,
        statements_done: 0,
        error: None,
        applied_at: Some(record::now()),
        applied_by: Some(record::current_user()),
        duration_ms: None,
        up_sql: m.up.clone(),
        down_sql: m.down.clone(),
        transactional,
        notes: None,
    }
}
