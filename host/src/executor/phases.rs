//! The phase executor: runs a phased (zero-downtime) migration phase by phase.
//!
//! - Every DDL statement runs under a short lock timeout (PostgreSQL `lock_timeout`, MySQL
//!   `lock_wait_timeout = 0`, i.e. NOWAIT), so a migration waiting for a lock never queues the
//!   application's queries behind it; a phase that could not get its lock is retried with jittered
//!   exponential back-off.
//! - `ddl`, `validate` and `cleanup` phases run in one transaction with their progress row where the engine
//!   has transactional DDL; `ddl-outside-transaction` phases run statement by statement and are written to
//!   be repeatable, so a phase that died half-way is simply run again.
//! - Backfills run by key range in batches, each batch and its checkpoint in one transaction, with progress,
//!   an optional rate limit and throttling while a replica lags (`replicas.rs`); an interrupted backfill
//!   resumes at its checkpoint.
//! - A gate stops the run (status `waiting`) until `migrate confirm` or `--confirm-gates`.
//! - `migrate cancel` flags the run and interrupts its current statement; the run stops and records it.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::replicas::{Lag, Replicas};
use super::report::{Event, Reporter};
use super::{ExecError, Executor, Migration, already_applied, foreign_key_pragmas};
use crate::connection::{ConnectionError, Engine, Session};
use crate::history::{PhaseRecord, PhaseStatus, Record, Status, record};
use crate::model::SqlValue;
use crate::rollout::{Kind, Phase, file, show};

/// How phases run.
#[derive(Clone, Debug)]
pub struct PhaseOptions {
    /// Rows (key range width) per backfill batch.
    pub batch_size: u64,
    /// How long one DDL statement may wait for a lock before it gives up and is retried.
    pub lock_timeout: Duration,
    /// Attempts per phase before a lock that never frees up fails the migration.
    pub lock_attempts: u32,
    /// Backfill rate limit.
    pub max_rows_per_second: Option<u64>,
    /// Pause backfill batches while a replica lags more than this.
    pub max_replica_lag: Duration,
    /// MySQL replicas to watch besides the ones the primary lists (`--replica URL`).
    pub replicas: Vec<String>,
    /// Confirm gates without asking (scripts, benchmarks).
    pub confirm_gates: bool,
    /// Undo the phases that ran when one fails.
    pub auto_rollback: bool,
    /// Sample lock waits and blocked sessions while running.
    pub monitor: bool,
    /// Run migrations written as plain SQL through the phase executor too (`--zero-downtime`).
    pub protect_plain: bool,
}

impl Default for PhaseOptions {
    fn default() -> PhaseOptions {
        PhaseOptions {
            batch_size: 10_000,
            lock_timeout: Duration::from_millis(50),
            lock_attempts: 100,
            max_rows_per_second: None,
            max_replica_lag: Duration::from_secs(5),
            replicas: Vec::new(),
            confirm_gates: false,
            auto_rollback: false,
            monitor: false,
            protect_plain: false,
        }
    }
}

/// What one phase took.
#[derive(Clone, Debug, Serialize)]
pub struct PhaseRun {
    pub number: usize,
    pub name: String,
    pub kind: Kind,
    pub duration_ms: u64,
    /// Backfill rows touched by this run.
    pub rows: u64,
    /// Attempts that found a lock taken and were retried.
    pub lock_retries: u32,
}

/// What `--monitor-performance` saw.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MonitorReport {
    pub samples: u64,
    /// Most sessions seen waiting for a lock at once (the migration's own included).
    pub max_blocked_sessions: u64,
    /// Longest lock wait of another session seen, in milliseconds.
    pub longest_lock_wait_ms: u64,
}

/// How a phased migration run ended.
#[derive(Clone, Debug, Serialize)]
pub enum PhasedEnd {
    Applied,
    /// Stopped at a gate.
    Waiting {
        phase: usize,
        question: String,
    },
}

/// The result of running a phased migration.
#[derive(Clone, Debug, Serialize)]
pub struct PhasedOutcome {
    pub end: PhasedEnd,
    pub phases: Vec<PhaseRun>,
    pub monitor: Option<MonitorReport>,
    pub duration_ms: u64,
}

/// Whether the engine refused a lock within the timeout, or picked the statement as a deadlock victim.
fn lock_not_granted(e: &ConnectionError) -> bool {
    let ConnectionError::Database {
        message, sqlstate, ..
    } = e
    else {
        return false;
    };
    matches!(
        sqlstate.as_deref(),
        Some("55P03") | Some("40P01") | Some("40001")
    ) || message.contains("Lock wait timeout exceeded")
        || message.contains("Deadlock found")
        || message.contains("lock timeout")
}

fn backoff(attempt: u32) -> Duration {
    let base = 25u64 << attempt.min(5);
    Duration::from_millis(base + fastrand::u64(0..=base))
}

/// The statement setting the lock timeout (`local`: for the current transaction only, where the engine can);
/// `None` on SQLite, which has no lock queue to bound.
fn lock_timeout_sql(engine: Engine, local: bool, timeout: Duration) -> Option<String> {
    match engine {
        Engine::Postgres => {
            let scope = if local { "SET LOCAL" } else { "SET" };
            Some(format!(
                "{scope} lock_timeout = '{}ms'",
                timeout.as_millis().max(1)
            ))
        }
        // MariaDB/MySQL take whole seconds; 0 fails at once instead of queueing (NOWAIT).
        Engine::MySql => Some("SET SESSION lock_wait_timeout = 0".into()),
        Engine::Sqlite => None,
    }
}

async fn lock_timeout_statement(
    s: &mut Session,
    local: bool,
    timeout: Duration,
) -> Result<(), ConnectionError> {
    match lock_timeout_sql(s.engine(), local, timeout) {
        Some(sql) => s.execute_script(&sql).await,
        None => Ok(()),
    }
}

/// The estimated time from which an in-place `ALTER TABLE` on MariaDB waits for its locks at the first attempt
/// ([`with_wait`]), rather than only when retried.
const LONG_BUILD_MS: u64 = 1_000;

/// MariaDB, retrying an in-place `ALTER TABLE` (`ALGORITHM=INPLACE`) whose lock was not granted: the statement
/// with `WAIT 1` after the table name. Under NOWAIT an in-place build fails at its final metadata lock whenever
/// an application transaction is open on the table, throwing the whole build away (on a busy table, again and
/// again); waiting up to a second (MariaDB's `WAIT` takes whole seconds) lets it commit once the open
/// transactions end, at the price of the application's statements queueing behind it meanwhile (milliseconds
/// with short transactions). `None` for any other statement.
fn with_wait(statement: &str) -> Option<String> {
    let upper = statement.to_ascii_uppercase();
    if !upper.contains("ALGORITHM=INPLACE") {
        return None;
    }
    // The ALTER TABLE, possibly after a `SET STATEMENT ... FOR` prefix.
    let at = upper.find("ALTER TABLE ")?;
    let prefix = upper[..at].trim();
    if !(prefix.is_empty() || (prefix.starts_with("SET STATEMENT") && prefix.ends_with(" FOR"))) {
        return None;
    }
    let mut i = at + "ALTER TABLE ".len();
    let bytes = statement.as_bytes();
    let skip_spaces = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let identifier = |mut i: usize| -> Option<usize> {
        if bytes.get(i) == Some(&b'`') {
            i += 1;
            loop {
                match bytes.get(i)? {
                    b'`' if bytes.get(i + 1) == Some(&b'`') => i += 2,
                    b'`' => return Some(i + 1),
                    _ => i += 1,
                }
            }
        }
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$')
        {
            i += 1;
        }
        (i > start).then_some(i)
    };
    i = skip_spaces(i);
    if upper[i..].starts_with("IF EXISTS ") {
        i = skip_spaces(i + "IF EXISTS ".len());
    }
    i = identifier(i)?;
    if bytes.get(i) == Some(&b'.') {
        i = identifier(i + 1)?;
    }
    Some(format!("{} WAIT 1{}", &statement[..i], &statement[i..]))
}

/// PostgreSQL: keeps the migration's own queries to one core while its phases run (`on`), so a concurrent
/// index build or a validation scan does not take the cores the application runs on (parallel workers);
/// `off` restores the server's settings.
async fn one_core(s: &mut Session, on: bool) {
    if s.engine() != Engine::Postgres {
        return;
    }
    let sql = if on {
        "SET max_parallel_workers_per_gather = 0; SET max_parallel_maintenance_workers = 0"
    } else {
        "RESET max_parallel_workers_per_gather; RESET max_parallel_maintenance_workers"
    };
    let _ = s.execute_script(sql).await;
}

/// PostgreSQL 15+: whether this session may compress the full-page images in the WAL it writes
/// (`wal_compression = lz4`, which the application's commits flush along with their own records). Only a
/// superuser may set it; the backfill then sets it for each batch's transaction.
async fn may_compress_wal(s: &mut Session) -> bool {
    s.engine() == Engine::Postgres
        && s.execute_script("SET wal_compression = lz4; RESET wal_compression")
            .await
            .is_ok()
}

/// How a backfill's batches run on this server.
struct BatchShape {
    /// MySQL/MariaDB: each batch at READ COMMITTED. A batch's locking read (the shadow copy's `LOCK IN SHARE
    /// MODE`, an `UPDATE`'s scan) then locks the rows it reads and no gaps: the application's inserts and the
    /// sync triggers' writes do not wait behind a batch's gap locks or deadlock with them, while a row being
    /// copied stays locked until its batch commits. Not when the binary log is written statement by
    /// statement, which refuses such statements at READ COMMITTED.
    read_committed: bool,
    /// Keys per statement of a batch. MySQL/MariaDB: at most `AUTO_INC_STATEMENT_KEYS` unless the server
    /// interleaves auto-increment locks (`innodb_autoinc_lock_mode = 2`, MySQL 8's default). At modes 0 and 1
    /// (MariaDB's default) InnoDB holds a table's AUTO-INC lock until an `INSERT ... SELECT` ends, and every
    /// insert into that table waits for it, the sync triggers' included: a shadow copy of 10,000 rows in one
    /// statement queued the application's writes behind each batch (writer p99 0.2-0.8 s, measured). Short
    /// statements in the batch's one transaction let them in between; the batch still commits, and
    /// checkpoints, once.
    statement_width: i64,
}

impl BatchShape {
    /// The shape for batches of `width` keys, from one read of the server's settings (MySQL/MariaDB only).
    async fn read(s: &mut Session, width: i64) -> BatchShape {
        let plain = BatchShape {
            read_committed: false,
            statement_width: width,
        };
        if s.engine() != Engine::MySql {
            return plain;
        }
        let Ok(r) = s
            .query(
                "SELECT @@log_bin, @@binlog_format, @@innodb_autoinc_lock_mode",
                &[],
            )
            .await
        else {
            return plain;
        };
        let logged = crate::model::number_at(&r, 0, 0).unwrap_or(0) != 0;
        let statement_based = matches!(
            r.rows.first().and_then(|row| row.get(1)),
            Some(SqlValue::Text(t)) if t.eq_ignore_ascii_case("STATEMENT")
        );
        let interleaved = crate::model::number_at(&r, 0, 2) == Some(2);
        BatchShape {
            read_committed: !(logged && statement_based),
            statement_width: if interleaved {
                width
            } else {
                width.min(AUTO_INC_STATEMENT_KEYS)
            },
        }
    }
}

/// Keys per backfill statement on MySQL/MariaDB when auto-increment locks are held per statement.
const AUTO_INC_STATEMENT_KEYS: i64 = 1_000;

async fn connection_id(s: &mut Session) -> Option<i64> {
    let sql = match s.engine() {
        Engine::Postgres => "SELECT pg_backend_pid()::int8",
        Engine::MySql => "SELECT CONNECTION_ID()",
        Engine::Sqlite => return None,
    };
    let r = s.query(sql, &[]).await.ok()?;
    match r.rows.first()?.first()? {
        SqlValue::Integer(n) => Some(*n),
        SqlValue::Text(t) => t.parse().ok(),
        _ => None,
    }
}

/// Why a phase stopped.
enum Stop {
    Cancelled,
    Error(String),
}

impl From<ConnectionError> for Stop {
    fn from(e: ConnectionError) -> Stop {
        Stop::Error(e.to_string())
    }
}

impl From<crate::history::HistoryError> for Stop {
    fn from(e: crate::history::HistoryError) -> Stop {
        Stop::Error(e.to_string())
    }
}

impl Executor<'_> {
    /// Runs the phases of `m` from where its history says it stands. The caller holds the run lock.
    pub(super) async fn apply_phased(
        &self,
        s: &mut Session,
        m: &Migration,
        record: Option<&Record>,
        retrying: bool,
        options: &PhaseOptions,
    ) -> Result<PhasedOutcome, ExecError> {
        let engine = s.engine();
        let phases = file::parse(&m.up, m.down.as_deref(), engine)
            .map_err(|e| ExecError::Refused(format!("migration {}: {e}", m.id)))?;
        let resuming = matches!(
            record.map(|r| r.status),
            Some(Status::Running) | Some(Status::Waiting) | Some(Status::Failed)
        );
        if let Some(r) = record
            && r.status == Status::Failed
            && !retrying
        {
            return Err(ExecError::PreviouslyFailed {
                version: m.version,
                id: m.id.clone(),
                step: r.statements_done + 1,
                total: r.statements_total,
                error: r.error.clone().unwrap_or_default(),
            });
        }
        // A named replica that cannot be watched stops the run before its first phase.
        if !options.replicas.is_empty() && phases.iter().any(|p| p.backfill.is_some()) {
            Replicas::find(s, &options.replicas)
                .await
                .map_err(|e| ExecError::Refused(format!("migration {}: {e}", m.id)))?
                .close()
                .await;
        }
        if !resuming {
            self.history.clear_phases(s, m.version).await?;
        }
        let rows = self.history.phases(s, m.version).await?;
        let done = |n: usize| {
            rows.iter().any(|r| {
                r.phase == n && matches!(r.status, PhaseStatus::Done | PhaseStatus::Confirmed)
            })
        };
        let started = Instant::now();
        let mut main = phased_record(m, phases.len());
        main.statements_done = phases.iter().take_while(|p| done(p.number)).count();
        self.history.put(s, &main).await?;
        self.history.clear_cancel(s, m.version).await?;
        self.history
            .log(
                s,
                m.version,
                if resuming { "resumed" } else { "started" },
                &format!("phase {} of {}", main.statements_done + 1, phases.len()),
            )
            .await?;

        let monitor = options.monitor.then(|| self.start_monitor());
        one_core(s, true).await;
        let mut runs = vec![];
        let mut end = PhasedEnd::Applied;
        let mut failure: Option<(usize, Stop)> = None;
        for phase in &phases {
            if done(phase.number) {
                continue;
            }
            let row = rows.iter().find(|r| r.phase == phase.number).cloned();
            self.reporter.event(Event::PhaseStarted {
                number: phase.number,
                total: phases.len(),
                description: if phase.description.is_empty() {
                    &phase.name
                } else {
                    &phase.description
                },
            });
            let phase_started = Instant::now();
            let result = match phase.kind {
                Kind::Gate => match self.gate(s, m, phase, row.as_ref(), options).await {
                    Ok(true) => Ok((0, 0)),
                    Ok(false) => {
                        let question = phase.gate.clone().unwrap_or_default();
                        main.status = Status::Waiting;
                        main.statements_done = phase.number - 1;
                        main.error = Some(question.clone());
                        self.history.put(s, &main).await?;
                        self.history
                            .log(
                                s,
                                m.version,
                                "waiting",
                                &format!("phase {}: {question}", phase.number),
                            )
                            .await?;
                        end = PhasedEnd::Waiting {
                            phase: phase.number,
                            question,
                        };
                        break;
                    }
                    Err(e) => Err(e),
                },
                Kind::Backfill => self.backfill(s, m, phase, row.as_ref(), options).await,
                _ => self.ddl_phase(s, m, phase, row.as_ref(), options).await,
            };
            match result {
                Ok((rows_touched, retries)) => {
                    let run = PhaseRun {
                        number: phase.number,
                        name: phase.name.clone(),
                        kind: phase.kind,
                        duration_ms: phase_started.elapsed().as_millis() as u64,
                        rows: rows_touched,
                        lock_retries: retries,
                    };
                    self.reporter.event(Event::PhaseFinished(&run));
                    runs.push(run);
                    main.statements_done = phase.number;
                    self.history
                        .set_progress(s, m.version, phase.number)
                        .await?;
                }
                Err(stop) => {
                    failure = Some((phase.number, stop));
                    break;
                }
            }
        }
        one_core(s, false).await;
        let monitor = match monitor {
            Some(handle) => {
                handle.0.send_replace(true);
                handle.1.await.ok()
            }
            None => None,
        };

        if let Some((k, stop)) = failure {
            // `migrate cancel` interrupts whatever statement runs, which may be a progress write rather than
            // the phase's own work: with the flag set, the stop is the cancellation.
            let stop = match stop {
                Stop::Error(_) if self.history.cancel_requested(s, m.version).await? => {
                    Stop::Cancelled
                }
                other => other,
            };
            let phase = &phases[k - 1];
            let error = match &stop {
                Stop::Cancelled => "cancelled by `ai-shell migrate cancel`".to_string(),
                Stop::Error(e) => e.clone(),
            };
            let mut prow = self.phase_row(s, m.version, phase).await?;
            prow.status = PhaseStatus::Failed;
            prow.detail = Some(error.clone());
            prow.updated_at = Some(record::now());
            self.history.put_phase(s, &prow).await?;
            main.status = Status::Failed;
            main.statements_done = k - 1;
            main.error = Some(format!("phase {k} ({}): {error}", phase.name));
            main.duration_ms = Some(started.elapsed().as_millis() as u64);
            self.history.put(s, &main).await?;
            self.history
                .log(
                    s,
                    m.version,
                    "failed",
                    &format!("phase {k} of {} ({}): {error}", phases.len(), phase.name),
                )
                .await?;
            let mut hint = format!(
                "Phases 1..{} are applied and recorded{}. Fix the cause, then `ai-shell migrate retry {v}` continues with phase {k}, or `ai-shell migrate rollback {v}` undoes what ran.",
                k - 1,
                if phase.kind == Kind::Backfill {
                    "; the backfill keeps its checkpoint"
                } else {
                    ""
                },
                v = m.version
            );
            if phase.kind == Kind::Cleanup {
                hint = format!(
                    "The change itself is complete: only its clean-up failed (phases 1..{} are applied). Fix the cause and `ai-shell migrate retry {v}` finishes the clean-up; rolling back is no longer possible once clean-up started.",
                    k - 1,
                    v = m.version
                );
            } else if options.auto_rollback {
                match self
                    .undo_phases(s, m, &phases, ran_through(engine, &phases, k))
                    .await
                {
                    Ok(()) => {
                        hint = "--auto-rollback-on-error undid the phases that ran: the database is as it was before the migration.".to_string();
                    }
                    Err(e) => {
                        hint = format!("--auto-rollback-on-error could not finish: {e}");
                    }
                }
            }
            return Err(ExecError::PhaseFailed {
                id: m.id.clone(),
                phase: k,
                total: phases.len(),
                name: phase.name.clone(),
                error,
                hint,
            });
        }
        if matches!(end, PhasedEnd::Applied) {
            main.status = Status::Applied;
            main.statements_done = phases.len();
            main.error = None;
            main.duration_ms = Some(started.elapsed().as_millis() as u64);
            self.history.put(s, &main).await?;
            self.history
                .log(s, m.version, "applied", &format!("{} phases", phases.len()))
                .await?;
        }
        Ok(PhasedOutcome {
            end,
            phases: runs,
            monitor,
            duration_ms: started.elapsed().as_millis() as u64,
        })
    }

    /// The progress row of `phase`, as stored or fresh.
    async fn phase_row(
        &self,
        s: &mut Session,
        version: u64,
        phase: &Phase,
    ) -> Result<PhaseRecord, ExecError> {
        let existing = self
            .history
            .phases(s, version)
            .await?
            .into_iter()
            .find(|r| r.phase == phase.number);
        Ok(existing.unwrap_or_else(|| PhaseRecord {
            version,
            phase: phase.number,
            name: phase.name.clone(),
            status: PhaseStatus::Running,
            checkpoint: None,
            rows_done: 0,
            rows_total: None,
            started_at: Some(record::now()),
            updated_at: Some(record::now()),
            detail: None,
            connection_id: None,
        }))
    }

    async fn cancelled(&self, s: &mut Session, version: u64) -> Result<bool, Stop> {
        Ok(self.history.cancel_requested(s, version).await?)
    }

    /// A gate: passes when confirmed before, by `--confirm-gates`, or by the reporter (a person at a prompt).
    async fn gate(
        &self,
        s: &mut Session,
        m: &Migration,
        phase: &Phase,
        row: Option<&PhaseRecord>,
        options: &PhaseOptions,
    ) -> Result<bool, Stop> {
        let question = phase.gate.clone().unwrap_or_default();
        let confirmed_by = if row.is_some_and(|r| r.status == PhaseStatus::Confirmed) {
            return Ok(true);
        } else if options.confirm_gates {
            Some(format!(
                "confirmed by {} with --confirm-gates",
                record::current_user()
            ))
        } else if self.reporter.confirm(&question) == Some(true) {
            Some(format!(
                "confirmed by {} at the prompt",
                record::current_user()
            ))
        } else {
            None
        };
        let mut prow = self
            .phase_row(s, m.version, phase)
            .await
            .map_err(|e| Stop::Error(e.to_string()))?;
        prow.updated_at = Some(record::now());
        match confirmed_by {
            Some(who) => {
                prow.status = PhaseStatus::Confirmed;
                prow.detail = Some(who.clone());
                self.history.put_phase(s, &prow).await?;
                self.history
                    .log(
                        s,
                        m.version,
                        "confirmed",
                        &format!("phase {}: {who}", phase.number),
                    )
                    .await?;
                Ok(true)
            }
            None => {
                prow.status = PhaseStatus::Waiting;
                prow.detail = Some(question);
                self.history.put_phase(s, &prow).await?;
                Ok(false)
            }
        }
    }

    /// A DDL, validation or clean-up phase, retried while its locks are not granted in time.
    async fn ddl_phase(
        &self,
        s: &mut Session,
        m: &Migration,
        phase: &Phase,
        row: Option<&PhaseRecord>,
        options: &PhaseOptions,
    ) -> Result<(u64, u32), Stop> {
        let engine = s.engine();
        let mut prow = self
            .phase_row(s, m.version, phase)
            .await
            .map_err(|e| Stop::Error(e.to_string()))?;
        prow.status = PhaseStatus::Running;
        prow.connection_id = connection_id(s).await;
        prow.updated_at = Some(record::now());
        self.history.put_phase(s, &prow).await?;
        let transactional = phase.kind.transactional() && super::transactional_ddl(engine);
        // Statement-by-statement phases on MySQL resume after the statements recorded as done.
        let resume_at = if transactional || engine != Engine::MySql {
            0
        } else {
            row.and_then(|r| r.checkpoint).unwrap_or(0).max(0) as usize
        };
        let mut retries = 0;
        for attempt in 0.. {
            if self.cancelled(s, m.version).await? {
                return Err(Stop::Cancelled);
            }
            let result = if transactional {
                self.ddl_in_transaction(s, phase, &mut prow, options).await
            } else {
                // MySQL records each statement: a retry continues after the last one that ran.
                let from = prow
                    .checkpoint
                    .filter(|_| s.engine() == Engine::MySql)
                    .map_or(resume_at, |c| (c.max(0) as usize).max(resume_at));
                self.ddl_one_by_one(
                    s,
                    m,
                    phase,
                    &mut prow,
                    options,
                    from,
                    attempt == 0 && row.is_some(),
                    attempt > 0,
                )
                .await
            };
            match result {
                Ok(()) => return Ok((0, retries)),
                Err(e) if lock_not_granted(&e) && attempt + 1 < options.lock_attempts => {
                    retries += 1;
                    tokio::time::sleep(backoff(attempt)).await;
                }
                Err(e) => {
                    if self.cancelled(s, m.version).await? {
                        return Err(Stop::Cancelled);
                    }
                    return Err(Stop::Error(e.to_string()));
                }
            }
        }
        unreachable!("the loop returns")
    }

    async fn ddl_in_transaction(
        &self,
        s: &mut Session,
        phase: &Phase,
        prow: &mut PhaseRecord,
        options: &PhaseOptions,
    ) -> Result<(), ConnectionError> {
        let engine = s.engine();
        let (before, body, after) = foreign_key_pragmas(engine, &phase.statements);
        if let Some(p) = &before {
            s.execute_script(p).await?;
        }
        s.execute_script(if engine == Engine::Sqlite {
            "BEGIN IMMEDIATE"
        } else {
            "BEGIN"
        })
        .await?;
        let result = async {
            lock_timeout_statement(s, true, options.lock_timeout).await?;
            for statement in &body {
                if phase.kind == Kind::Validate {
                    validate(s, statement).await?;
                } else {
                    s.execute_script(statement).await?;
                }
            }
            prow.status = PhaseStatus::Done;
            prow.updated_at = Some(record::now());
            self.history
                .put_phase(s, prow)
                .await
                .map_err(history_to_connection)?;
            Ok(())
        }
        .await;
        match result {
            Ok(()) => {
                s.execute_script("COMMIT").await?;
                if let Some(p) = &after {
                    s.execute_script(p).await?;
                }
                Ok(())
            }
            Err(e) => {
                let _ = s.execute_script("ROLLBACK").await;
                if let Some(p) = &after {
                    let _ = s.execute_script(p).await;
                }
                Err(e)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn ddl_one_by_one(
        &self,
        s: &mut Session,
        m: &Migration,
        phase: &Phase,
        prow: &mut PhaseRecord,
        options: &PhaseOptions,
        resume_at: usize,
        resumed: bool,
        retrying: bool,
    ) -> Result<(), ConnectionError> {
        let engine = s.engine();
        lock_timeout_statement(s, false, options.lock_timeout).await?;
        // A long in-place build waits for its locks from the first attempt: a NOWAIT miss at its final metadata
        // lock throws the whole build away, and under an application's writes it misses almost every time
        // (MariaDB, a 2,000,000-row copy's indexes under 200 tx/s: 2.4 s with the miss at the start, 5.9-7.0 s
        // built twice).
        let mariadb = (retrying || phase.estimated_ms >= LONG_BUILD_MS)
            && engine == Engine::MySql
            && crate::rollout::stats::server_version(s, engine)
                .await
                .contains("MariaDB");
        let result = async {
            for (k, statement) in phase.statements.iter().enumerate().skip(resume_at) {
                if phase.kind == Kind::Validate {
                    validate(s, statement).await?;
                } else {
                    let waiting = mariadb.then(|| with_wait(statement)).flatten();
                    match s
                        .execute_script(waiting.as_deref().unwrap_or(statement))
                        .await
                    {
                        Ok(()) => {}
                        // The previous run died right after this statement (MySQL commits DDL at once).
                        Err(e)
                            if resumed
                                && k == resume_at
                                && engine == Engine::MySql
                                && already_applied(&e) =>
                        {
                            let _ = self
                                .history
                                .log(
                                    s,
                                    m.version,
                                    "skipped",
                                    &format!(
                                        "phase {} statement {} had already run: {e}",
                                        phase.number,
                                        k + 1
                                    ),
                                )
                                .await;
                        }
                        Err(e) => return Err(e),
                    }
                }
                if engine == Engine::MySql {
                    prow.checkpoint = Some(k as i64 + 1);
                    prow.updated_at = Some(record::now());
                    self.history
                        .put_phase(s, prow)
                        .await
                        .map_err(history_to_connection)?;
                }
            }
            Ok(())
        }
        .await;
        // Back to the engine's default for whatever the session runs next.
        let _ = match engine {
            Engine::Postgres => s.execute_script("RESET lock_timeout").await,
            Engine::MySql => {
                s.execute_script("SET SESSION lock_wait_timeout = DEFAULT")
                    .await
            }
            Engine::Sqlite => Ok(()),
        };
        result?;
        prow.status = PhaseStatus::Done;
        prow.updated_at = Some(record::now());
        self.history
            .put_phase(s, prow)
            .await
            .map_err(history_to_connection)?;
        Ok(())
    }

    /// A batched backfill from its checkpoint to the largest key present when it started.
    async fn backfill(
        &self,
        s: &mut Session,
        m: &Migration,
        phase: &Phase,
        row: Option<&PhaseRecord>,
        options: &PhaseOptions,
    ) -> Result<(u64, u32), Stop> {
        let b = phase
            .backfill
            .as_ref()
            .ok_or_else(|| Stop::Error("backfill phase without a batch".into()))?;
        let replicas = Replicas::find(s, &options.replicas)
            .await
            .map_err(Stop::Error)?;
        for note in &replicas.notes {
            self.reporter.event(Event::Note(&format!("note: {note}")));
        }
        let watched = replicas.watched();
        if !watched.is_empty() {
            self.reporter.event(Event::Note(&format!(
                "watching the lag of replica(s) {}",
                watched.join(", ")
            )));
        }
        // The key range only (an index lookup at each end): counting the rows would scan the whole table
        // before the first batch, competing with the application for I/O and CPU.
        let bounds = s
            .query(
                &format!("SELECT min({k}), max({k}) FROM {t}", k = b.key, t = b.table),
                &[],
            )
            .await?;
        let (Some(min), Some(max)) = (
            crate::model::number_at(&bounds, 0, 0),
            crate::model::number_at(&bounds, 0, 1),
        ) else {
            // An empty table: nothing to backfill.
            let mut prow = self
                .phase_row(s, m.version, phase)
                .await
                .map_err(|e| Stop::Error(e.to_string()))?;
            prow.status = PhaseStatus::Done;
            prow.updated_at = Some(record::now());
            self.history.put_phase(s, &prow).await?;
            return Ok((0, 0));
        };
        // An estimate for progress: the width of the key range.
        let total_rows = (max - min + 1).max(0) as u64;
        let mut prow = self
            .phase_row(s, m.version, phase)
            .await
            .map_err(|e| Stop::Error(e.to_string()))?;
        let start = row.and_then(|r| r.checkpoint).unwrap_or(min).max(min);
        prow.status = PhaseStatus::Running;
        prow.checkpoint = Some(start);
        prow.rows_total = Some(total_rows);
        prow.connection_id = connection_id(s).await;
        prow.updated_at = Some(record::now());
        self.history.put_phase(s, &prow).await?;
        if start > min {
            self.reporter.event(Event::Resuming {
                key: &b.key,
                at: start,
            });
        }

        let range = KeyRange {
            backfill: b,
            start,
            min,
            max,
        };
        let outcome = self.batches(s, m, range, &replicas, prow, options).await;
        replicas.close().await;
        outcome
    }

    /// The batch loop of `backfill`, from `start` to `max`.
    async fn batches(
        &self,
        s: &mut Session,
        m: &Migration,
        range: KeyRange<'_>,
        replicas: &Replicas,
        mut prow: PhaseRecord,
        options: &PhaseOptions,
    ) -> Result<(u64, u32), Stop> {
        let engine = s.engine();
        let KeyRange {
            backfill: b,
            start,
            min,
            max,
        } = range;
        let width = options.batch_size.max(1) as i64;
        let shape = BatchShape::read(s, width).await;
        let statement_width = shape.statement_width;
        let batches_total = ((max - min) / width + 1).max(1) as u64;
        let mut batch_no = ((start - min) / width) as u64;
        let progress = Progress::new(self.reporter, batches_total, batch_no);
        // Each batch is its transaction's start with the lock timeout, the batch's statement(s), and its
        // checkpoint with the commit. The batch commits synchronously: it flushes its own WAL at its commit
        // rather than leaving it to the application's next commit (asynchronous batch commits measured no
        // better for the writer).
        let mut begin = Vec::new();
        if shape.read_committed {
            // For the next transaction only: the session's own level is left as it was.
            begin.push("SET TRANSACTION ISOLATION LEVEL READ COMMITTED".to_string());
        }
        begin.push(
            if engine == Engine::Sqlite {
                "BEGIN IMMEDIATE"
            } else {
                "BEGIN"
            }
            .to_string(),
        );
        begin.extend(lock_timeout_sql(
            engine,
            true,
            options.lock_timeout.max(Duration::from_millis(200)),
        ));
        if may_compress_wal(s).await {
            begin.push("SET LOCAL wal_compression = lz4".into());
        }
        let begin = begin.join("; ");
        let started = Instant::now();
        let mut rows_this_run = 0u64;
        let mut retries = 0u32;
        let mut lo = start;
        // Cancel requests and replica lag are looked at every quarter second, not at every batch.
        let mut looked = None::<Instant>;
        while lo <= max {
            // Rows with a key above the maximum read at the start were written after the phases before
            // the backfill set up their sync (a trigger, a default): the last batch stops at that maximum
            // instead of locking the application's newest rows.
            let hi = lo.saturating_add(width).min(max.saturating_add(1));
            if looked.is_none_or(|t| t.elapsed() >= Duration::from_millis(250)) {
                if self.cancelled(s, m.version).await? {
                    progress.finish();
                    return Err(Stop::Cancelled);
                }
                self.throttle_on_replica_lag(s, m.version, replicas, options, &progress)
                    .await?;
                looked = Some(Instant::now());
            }
            // The batch's statements: one, or several of at most `statement_width` keys each.
            let statements: Vec<String> = (lo..hi)
                .step_by(statement_width as usize)
                .map(|from| {
                    b.batch.replace("{lo}", &from.to_string()).replace(
                        "{hi}",
                        &from.saturating_add(statement_width).min(hi).to_string(),
                    )
                })
                .collect();
            let mut attempt = 0;
            let affected = loop {
                let result = async {
                    s.execute_script(&begin).await?;
                    let mut n = 0;
                    for sql in &statements {
                        n += s.execute_text(sql).await?;
                    }
                    let mut next = prow.clone();
                    next.checkpoint = Some(hi);
                    next.rows_done += n;
                    next.updated_at = Some(record::now());
                    s.execute_script(&format!(
                        "{};\nCOMMIT",
                        self.history.checkpoint_sql(engine, &next)
                    ))
                    .await?;
                    prow = next;
                    Ok::<u64, ConnectionError>(n)
                }
                .await;
                match result {
                    Ok(n) => break n,
                    Err(e) => {
                        let _ = s.execute_script("ROLLBACK").await;
                        if lock_not_granted(&e) && attempt + 1 < options.lock_attempts {
                            attempt += 1;
                            retries += 1;
                            tokio::time::sleep(backoff(attempt)).await;
                            continue;
                        }
                        progress.finish();
                        if self.cancelled(s, m.version).await? {
                            return Err(Stop::Cancelled);
                        }
                        return Err(Stop::Error(format!(
                            "batch {} ({} >= {lo} AND < {hi}): {e}",
                            batch_no + 1,
                            b.key
                        )));
                    }
                }
            };
            rows_this_run += affected;
            batch_no += 1;
            progress.batch(batch_no, rows_this_run, started.elapsed());
            if let Some(limit) = options.max_rows_per_second.filter(|l| *l > 0) {
                let due = Duration::from_secs_f64(rows_this_run as f64 / limit as f64);
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    tokio::time::sleep(wait).await;
                }
            }
            lo = hi;
        }
        progress.finish();
        prow.status = PhaseStatus::Done;
        prow.updated_at = Some(record::now());
        self.history.put_phase(s, &prow).await?;
        Ok((rows_this_run, retries))
    }

    /// Waits while a replica is more than `max_replica_lag` behind (or not applying at all), looking
    /// every half second; `migrate cancel` ends the wait.
    async fn throttle_on_replica_lag(
        &self,
        s: &mut Session,
        version: u64,
        replicas: &Replicas,
        options: &PhaseOptions,
        progress: &Progress<'_>,
    ) -> Result<(), Stop> {
        let mut since = None::<Instant>;
        while let Some((name, lag)) = replicas.worst(s).await {
            if !lag.exceeds(options.max_replica_lag) {
                break;
            }
            if since.is_none() {
                since = Some(Instant::now());
                let why = match &lag {
                    Lag::Behind(d) => format!("{} ms behind", d.as_millis()),
                    Lag::Stopped(why) => why.clone(),
                };
                progress.note(&format!(
                    "replica {name}: {why} (limit {} ms): throttling",
                    options.max_replica_lag.as_millis()
                ));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            if self.cancelled(s, version).await? {
                return Err(Stop::Cancelled);
            }
        }
        if let Some(since) = since {
            progress.note(&format!(
                "replica lag back under the limit after {}: going on",
                show::duration(since.elapsed().as_millis() as u64)
            ));
        }
        Ok(())
    }

    /// Runs the rollback of phases `through`..1, last first (used by `--auto-rollback-on-error`).
    pub(super) async fn undo_phases(
        &self,
        s: &mut Session,
        m: &Migration,
        phases: &[Phase],
        through: usize,
    ) -> Result<(), ExecError> {
        let engine = s.engine();
        for phase in phases.iter().take(through).rev() {
            if phase.rollback.is_empty() {
                continue;
            }
            let mut attempt = 0;
            loop {
                let result = async {
                    lock_timeout_statement(s, false, Duration::from_millis(200)).await?;
                    for statement in &phase.rollback {
                        super::fallback::execute_with_fallback(s, statement, self.reporter).await?;
                    }
                    Ok::<(), ConnectionError>(())
                }
                .await;
                match result {
                    Ok(()) => break,
                    Err(e) if lock_not_granted(&e) && attempt < 100 => {
                        attempt += 1;
                        tokio::time::sleep(backoff(attempt)).await;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            if engine == Engine::Postgres {
                s.execute_script("RESET lock_timeout").await?;
            }
            let mut prow = self.phase_row(s, m.version, phase).await?;
            prow.status = PhaseStatus::RolledBack;
            prow.updated_at = Some(record::now());
            self.history.put_phase(s, &prow).await?;
        }
        let mut r = phased_record(m, phases.len());
        r.status = Status::RolledBack;
        self.history.put(s, &r).await?;
        self.history
            .log(
                s,
                m.version,
                "rolled_back",
                &format!("phases {through}..1 undone"),
            )
            .await?;
        Ok(())
    }

    /// Samples lock waits of other sessions every 250 ms until told to stop.
    fn start_monitor(
        &self,
    ) -> (
        tokio::sync::watch::Sender<bool>,
        tokio::task::JoinHandle<MonitorReport>,
    ) {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let db = self.db.clone();
        let handle = tokio::spawn(async move {
            let mut report = MonitorReport::default();
            let Ok(mut s) = db.session().await else {
                return report;
            };
            let sql = match s.engine() {
                Engine::Postgres => {
                    "SELECT count(*)::int8, COALESCE(max(EXTRACT(EPOCH FROM now() - state_change)) * 1000, 0)::int8 \
                                     FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                }
                Engine::MySql => {
                    "SELECT COUNT(*), COALESCE(MAX(TIME_MS), 0) FROM information_schema.PROCESSLIST \
                                  WHERE STATE LIKE 'Waiting for%lock%' AND DB = DATABASE()"
                }
                Engine::Sqlite => return report,
            };
            // MariaDB has TIME_MS; MySQL only whole seconds in TIME.
            let fallback = "SELECT COUNT(*), COALESCE(MAX(TIME), 0) * 1000 FROM information_schema.PROCESSLIST \
                            WHERE STATE LIKE 'Waiting for%lock%' AND DB = DATABASE()";
            let mut sql = sql;
            loop {
                match s.query(sql, &[]).await {
                    Ok(r) => {
                        report.samples += 1;
                        report.max_blocked_sessions = report
                            .max_blocked_sessions
                            .max(crate::model::number_at(&r, 0, 0).unwrap_or(0) as u64);
                        report.longest_lock_wait_ms = report
                            .longest_lock_wait_ms
                            .max(crate::model::number_at(&r, 0, 1).unwrap_or(0) as u64);
                    }
                    Err(_) if s.engine() == Engine::MySql && sql != fallback => {
                        sql = fallback;
                        continue;
                    }
                    Err(_) => {}
                }
                tokio::select! {
                    _ = stopped.changed() => break,
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                }
            }
            s.close().await;
            report
        });
        (stop, handle)
    }
}

/// The phases to undo after phase `failed` failed: the ones before it, and itself unless it ran in a
/// transaction (which the failure already rolled back).
pub fn ran_through(engine: Engine, phases: &[Phase], failed: usize) -> usize {
    let rolled_back_by_engine = phases
        .get(failed - 1)
        .is_some_and(|p| p.kind.transactional() && super::transactional_ddl(engine));
    if rolled_back_by_engine {
        failed - 1
    } else {
        failed
    }
}

fn history_to_connection(e: crate::history::HistoryError) -> ConnectionError {
    match e {
        crate::history::HistoryError::Database(d) => d,
        other => ConnectionError::Database {
            url: String::new(),
            context: "recording progress".into(),
            message: other.to_string(),
            sqlstate: None,
        },
    }
}

/// The history row of a phased migration: progress counts phases.
fn phased_record(m: &Migration, phases: usize) -> Record {
    super::apply::running_record(m, phases, false)
}

/// A validation step: it must succeed and, as a query, return no rows.
async fn validate(s: &mut Session, statement: &str) -> Result<(), ConnectionError> {
    let r = s.query(statement, &[]).await?;
    if r.rows.is_empty() {
        return Ok(());
    }
    Err(ConnectionError::Database {
        url: s.database().url().redacted(),
        context: format!("validation `{statement}`"),
        message: format!("found {} offending row(s)", r.rows.len()),
        sqlstate: None,
    })
}

/// The keys a backfill runs over: from `start` (its checkpoint, or `min`) to `max`.
struct KeyRange<'a> {
    backfill: &'a crate::rollout::Backfill,
    start: i64,
    min: i64,
    max: i64,
}

/// A backfill's progress, as events to the reporter; ended exactly once, however the backfill stops.
struct Progress<'r> {
    reporter: &'r dyn Reporter,
    total: u64,
    ended: std::cell::Cell<bool>,
}

impl<'r> Progress<'r> {
    fn new(reporter: &'r dyn Reporter, total: u64, done: u64) -> Progress<'r> {
        reporter.event(Event::BackfillStarted {
            batches: total,
            done,
        });
        Progress {
            reporter,
            total,
            ended: std::cell::Cell::new(false),
        }
    }

    fn batch(&self, done: u64, rows: u64, elapsed: Duration) {
        self.reporter.event(Event::Batch {
            done,
            total: self.total,
            rows,
            elapsed,
        });
    }

    fn note(&self, message: &str) {
        self.reporter.event(Event::Note(message));
    }

    fn finish(&self) {
        if !self.ended.replace(true) {
            self.reporter.event(Event::BackfillEnded);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_wait;

    #[test]
    fn mariadb_in_place_alters_wait_a_second_after_the_table_name() {
        assert_eq!(
            with_wait("ALTER TABLE `orders` ADD INDEX `k` (`a`), ALGORITHM=INPLACE, LOCK=NONE")
                .unwrap(),
            "ALTER TABLE `orders` WAIT 1 ADD INDEX `k` (`a`), ALGORITHM=INPLACE, LOCK=NONE"
        );
        assert_eq!(
            with_wait(
                "SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE `a``b`.`t` ADD CONSTRAINT x, ALGORITHM=INPLACE"
            )
            .unwrap(),
            "SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE `a``b`.`t` WAIT 1 ADD CONSTRAINT x, ALGORITHM=INPLACE"
        );
        assert_eq!(
            with_wait("alter table if exists orders drop column c, algorithm=inplace").unwrap(),
            "alter table if exists orders WAIT 1 drop column c, algorithm=inplace"
        );
        assert_eq!(
            with_wait("ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT"),
            None
        );
        assert_eq!(with_wait("RENAME TABLE a TO b"), None);
        assert_eq!(
            with_wait("UPDATE t SET c = 'ALTER TABLE x ALGORITHM=INPLACE'"),
            None
        );
    }
}
