//! The migration executor: applies and rolls back migrations under the run lock, keeping the history true
//! at every instant, whatever the engine.
//!
//! - PostgreSQL and SQLite: a migration and its history row commit in one transaction (SQLite `BEGIN
//!   IMMEDIATE`, which also serialises concurrent runs), so a crash leaves either both or neither; on SQLite
//!   consecutive migrations share a write transaction for up to 200 ms, each in its own savepoint
//!   (`transaction.rs`).
//! - MySQL/MariaDB (DDL commits implicitly) and migrations marked `transaction: false`: the history row is
//!   written first as `running` and progress is recorded after every statement; a failure leaves `failed at
//!   statement k`, and a run that died is resumed by the next one from the first unrecorded statement.

mod apply;
mod fallback;
mod lock;
mod out_of_band;
mod phases;
mod replicas;
mod report;
mod rollback;
mod timeout;
mod transaction;
mod trial;

pub use apply::{
    Applied, ApplyOptions, ApplyOutcome, NOT_STORED, StatementChoice, Target, renamed_from,
};
pub use lock::{LockError, RunLock};
pub use out_of_band::Repaired;
pub use phases::{MonitorReport, PhaseOptions, PhaseRun, PhasedEnd, PhasedOutcome};
pub use report::{Event, Reporter, Silent};
pub use rollback::{
    RollbackOptions, RollbackOutcome, RollbackTarget, RolledBack, dependents, undo_statements,
};
pub use trial::Trial;

use std::time::Duration;

use crate::connection::{ConnectionError, Database, Engine, Session};
use crate::history::{History, HistoryError};

/// A migration as the executor needs it: what to run and how to recognise it.
#[derive(Clone, Debug)]
pub struct Migration {
    pub version: u64,
    /// `NNN_slug`.
    pub id: String,
    pub up: String,
    pub down: Option<String>,
    /// Checksum of `up` (see `migrations::checksum`).
    pub checksum: String,
    /// Run inside one transaction when the engine allows it.
    pub transactional: bool,
    /// Not accepted yet: applied only when named alone ([`Target::Only`]).
    pub draft: bool,
    /// The file records consent to the data its up section destroys (`allow-destructive:` naming this up).
    pub consented: bool,
}

/// Why the executor stopped. Nothing is left half-recorded: the history says exactly what ran.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Database(#[from] ConnectionError),
    #[error(
        "migration {id} was changed after it was applied\n  checksum when applied: {applied}\n  checksum of the file now: {current}\n\nRestore the file as it was applied, or accept the edit deliberately with `ai-shell migrate apply --accept-checksum {version}`."
    )]
    ChecksumMismatch {
        version: u64,
        id: String,
        applied: String,
        current: String,
    },
    #[error("migration {id} failed in phase {phase} of {total} ({name}): {error}\n\n{hint}")]
    PhaseFailed {
        id: String,
        phase: usize,
        total: usize,
        name: String,
        error: String,
        hint: String,
    },
    #[error("migration {id} failed at statement {step} of {total}: {error}\n\n{hint}")]
    Failed {
        id: String,
        step: usize,
        total: usize,
        error: String,
        hint: String,
    },
    #[error(
        "migration {id} failed earlier at statement {step} of {total}: {error}\n\nFix the cause, then run `ai-shell migrate retry {version}` to continue from statement {step}, or `ai-shell migrate rollback {version}` to undo the statements that ran."
    )]
    PreviouslyFailed {
        version: u64,
        id: String,
        step: usize,
        total: usize,
        error: String,
    },
    #[error(
        "migration {id} controls transactions itself (`{statement}`)\n\nRemove that statement: ai-shell runs each migration in its own transaction. To run a migration outside any transaction, put `-- transaction: false` in its header."
    )]
    TransactionControl { id: String, statement: String },
    #[error("{0}")]
    Refused(String),
    /// The connection broke while a migration ran, so its failure could not be recorded: `state` says what the
    /// history holds and how the next run goes on.
    #[error("migration {id}: {error}\n\n{state}")]
    ConnectionLost {
        id: String,
        error: String,
        state: String,
    },
    /// Statements would destroy data that exists, and there is no consent (`allow_destructive`).
    #[error("{}", .0.refusal(.1))]
    Destructive(crate::safety::Losses, &'static str),
}

/// Runs migrations against one database with one history.
pub struct Executor<'a> {
    db: &'a Database,
    history: &'a History,
    /// How long to wait for another run's lock.
    pub lock_timeout: Duration,
    /// `migrations.timeout`: a migration (not a phased one) that runs longer is cancelled.
    pub timeout: Option<Duration>,
    /// The dialect, to tell narrowing type changes from widening ones (without it, every type change of a
    /// column holding data counts as narrowing).
    pub dialect: Option<&'a crate::plugins::DialectPlugin>,
    /// Consent to destroy data: without it, a run whose statements would drop, empty or narrow data that
    /// exists is refused before its first statement.
    pub allow_destructive: bool,
    /// Where progress goes and who confirms gates (nobody by default).
    pub reporter: &'a dyn Reporter,
}

impl<'a> Executor<'a> {
    pub fn new(db: &'a Database, history: &'a History) -> Executor<'a> {
        Executor {
            db,
            history,
            lock_timeout: Duration::from_secs(600),
            timeout: None,
            dialect: None,
            allow_destructive: false,
            reporter: &Silent,
        }
    }

    /// What running each `(id, statements)` would destroy, counted now; with no consent and something at
    /// stake, the refusal (`action` names the command for the message). The migrations named in `consented`
    /// carry their own consent (recorded in their files). A dry run only reports.
    async fn guard(
        &self,
        s: &mut Session,
        runs: &[(String, Vec<String>)],
        consented: &[String],
        action: &'static str,
        dry_run: bool,
    ) -> Result<crate::safety::Losses, ExecError> {
        use crate::safety::analysis::{Effect, effects};
        let risky = runs.iter().flat_map(|(_, st)| st).any(|st| {
            effects(st).iter().any(|e| {
                matches!(
                    e,
                    Effect::DropTable(_)
                        | Effect::EmptyTable(_)
                        | Effect::DropColumn(..)
                        | Effect::ChangeType(..)
                        | Effect::DropNamespace(_)
                )
            })
        });
        if !risky {
            return Ok(Default::default());
        }
        let schema = match self.dialect {
            Some(d) => d.introspect(self.db).await.ok().map(|mut schema| {
                self.history.leave_out(&mut schema);
                schema
            }),
            None => None,
        };
        let mut inspector = crate::safety::Inspector {
            session: s,
            schema: schema.as_ref(),
            dialect: self.dialect,
        };
        let mut losses = crate::safety::Losses::default();
        for (id, statements) in runs {
            losses
                .0
                .extend(crate::safety::assess(&mut inspector, id, statements).await);
        }
        for loss in &mut losses.0 {
            loss.consented = consented.contains(&loss.migration);
        }
        let unconsented =
            crate::safety::Losses(losses.0.iter().filter(|l| !l.consented).cloned().collect());
        if !unconsented.is_empty() && !self.allow_destructive && !dry_run {
            return Err(ExecError::Destructive(unconsented, action));
        }
        Ok(losses)
    }

    /// Whether the live schema already differs from the snapshot of the history's current version before a run:
    /// drift made outside the migrations. The run then keeps no new snapshot (it would hold the drift as if
    /// migrations had made it), so `schema detect-drift` replays the history and still reports it. False when
    /// snapshots were never kept for this history, or there is no dialect to read the schema.
    pub(crate) async fn drifted(&self, s: &mut Session) -> bool {
        let Some(dialect) = self.dialect else {
            return false;
        };
        let Ok(records) = self.history.all(s).await else {
            return false;
        };
        let current = records
            .iter()
            .filter(|r| r.status == crate::history::record::Status::Applied)
            .map(|r| r.version)
            .max()
            .unwrap_or(0);
        let snapshot = match self.history.snapshot(s, current).await {
            Ok(Some(snapshot)) => snapshot,
            // Snapshots are kept but not for this version: an earlier run skipped it because of drift, which
            // must not be taken in now either.
            Ok(None) => return self.history.any_snapshot(s).await.unwrap_or(false),
            Err(_) => return false,
        };
        let Ok(mut live) = dialect.introspect(self.db).await else {
            return false;
        };
        self.history.leave_out(&mut live);
        !crate::diff::diff(&snapshot.schema, &live, &crate::diff::Options::default()).is_empty()
    }

    /// Keeps the live schema as the snapshot of `version` (0: nothing applied) after a run that changed it,
    /// once per run. Needs the dialect (to introspect); a failure is returned as a warning, never fails the run.
    pub(crate) async fn snapshot(
        &self,
        s: &mut Session,
        version: Option<u64>,
        event: &str,
    ) -> Option<String> {
        let dialect = self.dialect?;
        let result = async {
            let mut schema = dialect
                .introspect(self.db)
                .await
                .map_err(|e| e.to_string())?;
            self.history.leave_out(&mut schema);
            self.history
                .put_snapshot(s, version.unwrap_or(0), event, &schema)
                .await
                .map_err(|e| e.to_string())
        }
        .await;
        result.err().map(|e| {
            format!("the schema snapshot for drift detection was not stored: {e} (`ai-shell schema detect-drift` will replay the history instead)")
        })
    }

    /// A session holding the run lock, with the history tables in place.
    async fn locked_session(&self) -> Result<(Session, RunLock), ExecError> {
        let mut s = self.db.session().await?;
        if s.engine() == Engine::Sqlite {
            // Concurrent runs queue on SQLite's write lock instead of failing with "database is locked".
            let ms = self.lock_timeout.as_millis().min(i32::MAX as u128);
            s.execute_script(&format!("PRAGMA busy_timeout = {ms}"))
                .await?;
        }
        let lock = RunLock::acquire(&mut s, self.history, self.lock_timeout, self.reporter).await?;
        if let Err(e) = self.history.ensure(&mut s).await {
            let _ = lock.release(&mut s).await;
            return Err(e.into());
        }
        Ok((s, lock))
    }
}

/// Refuses a section that leaves a string, comment, quote or `DELIMITER` block open: split, it would run
/// fewer statements than were written.
pub fn check_closed(engine: Engine, id: &str, section: &str, sql: &str) -> Result<(), ExecError> {
    match crate::migrations::split::unterminated(sql, engine.into()) {
        Some(u) => Err(ExecError::Refused(format!(
            "migration {id}, {section} section, {u}\n\nClose it, then run the command again; nothing was changed."
        ))),
        None => Ok(()),
    }
}

/// Splits a migration section into statements for `engine`.
pub fn split(engine: Engine, sql: &str) -> Vec<String> {
    crate::migrations::split::statements(sql, engine.into())
        .into_iter()
        .map(|s| s.sql)
        .collect()
}

/// The statements of `sql` that begin, commit or roll back a transaction themselves.
pub fn transaction_control(engine: Engine, sql: &str) -> Option<String> {
    use crate::migrations::split::{statements, transaction_control};
    let stmts = statements(sql, engine.into());
    transaction_control(&stmts)
        .first()
        .map(|&i| stmts[i].sql.clone())
}

/// SQLite ignores `PRAGMA foreign_keys` inside a transaction, so a migration that starts with
/// `PRAGMA foreign_keys = OFF` and ends with `PRAGMA foreign_keys = ON` (a table rebuild) has those two run
/// around its transaction: returns (before, body, after). Other engines and other migrations: all body.
pub fn foreign_key_pragmas(
    engine: Engine,
    statements: &[String],
) -> (Option<String>, Vec<String>, Option<String>) {
    let is = |s: &String, value: &str| foreign_keys_pragma(s).as_deref() == Some(value);
    if engine == Engine::Sqlite
        && statements.len() >= 2
        && is(&statements[0], "off")
        && is(&statements[statements.len() - 1], "on")
    {
        let body = statements[1..statements.len() - 1].to_vec();
        return (
            Some(statements[0].clone()),
            body,
            Some(statements[statements.len() - 1].clone()),
        );
    }
    (None, statements.to_vec(), None)
}

/// The value a `PRAGMA foreign_keys = VALUE` statement sets (lower case), if `sql` is one.
pub fn foreign_keys_pragma(sql: &str) -> Option<String> {
    let words: String = sql.to_ascii_lowercase().split_whitespace().collect();
    words
        .strip_prefix("pragmaforeign_keys=")
        .map(|v| v.trim_end_matches(';').to_string())
}

/// Whether an engine runs DDL inside transactions.
pub fn transactional_ddl(engine: Engine) -> bool {
    !matches!(engine, Engine::MySql)
}

/// The first `n` words of `statement` in upper case, after its leading comments.
fn leading_words(statement: &str, n: usize) -> Vec<String> {
    let mut text = statement.trim_start();
    loop {
        if let Some(rest) = text.strip_prefix("--") {
            text = rest.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(rest) = text.strip_prefix("/*") {
            text = rest.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .filter(|w| !w.is_empty())
        .take(n)
        .map(str::to_ascii_uppercase)
        .collect()
}

/// MySQL: whether running `statement` again after it completed fails with an error that [`already_applied`]
/// recognises (`CREATE TABLE` and `CREATE [UNIQUE] INDEX` without `IF NOT EXISTS`; MySQL DDL is atomic), so a
/// crash right after it is resumed correctly without a progress record in between.
fn rerun_detected(statement: &str) -> bool {
    let words = leading_words(statement, 4);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["CREATE", "TABLE", next, ..] | ["CREATE", "INDEX", next, ..] => *next != "IF",
        ["CREATE", "UNIQUE", "INDEX", next] => *next != "IF",
        _ => false,
    }
}

/// How a statement of a statement-by-statement migration is kept from running twice after a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Atomicity {
    /// It runs in one transaction with its progress record: both commit, or neither does.
    WithProgress,
    /// It commits on its own (MySQL DDL, PostgreSQL's `CONCURRENTLY`, `VACUUM`...); run again after a crash, it
    /// fails with an error [`already_applied`] recognises, or changes nothing.
    Rerunnable,
    /// Neither (MySQL `CALL`, `DO`, `SET`...): after a crash while it ran, nothing tells whether it ran.
    Unknown,
}

fn atomicity(engine: Engine, statement: &str) -> Atomicity {
    let words = leading_words(statement, 8);
    let mut first: Vec<&str> = words.iter().map(String::as_str).collect();
    // MariaDB `SET STATEMENT var = value FOR <statement>`.
    if first.starts_with(&["SET", "STATEMENT"])
        && let Some(at) = first.iter().position(|w| *w == "FOR")
    {
        first.drain(..=at);
    }
    let head = first.first().copied().unwrap_or("");
    match engine {
        Engine::MySql => match head {
            "INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "WITH" | "SELECT" | "LOAD" | "VALUES"
            | "TABLE" => Atomicity::WithProgress,
            "CREATE" | "ALTER" | "DROP" | "RENAME" | "TRUNCATE" | "GRANT" | "REVOKE"
            | "ANALYZE" | "OPTIMIZE" | "REPAIR" | "INSTALL" | "UNINSTALL" | "FLUSH" => {
                Atomicity::Rerunnable
            }
            _ => Atomicity::Unknown,
        },
        Engine::Postgres => {
            let outside_transactions = words.iter().any(|w| w == "CONCURRENTLY")
                || matches!(head, "VACUUM" | "CLUSTER" | "REINDEX")
                || matches!(
                    first.as_slice(),
                    ["CREATE" | "DROP", "DATABASE" | "TABLESPACE", ..]
                        | ["ALTER", "SYSTEM", ..]
                        | ["ALTER", "TYPE", ..]
                );
            if outside_transactions {
                Atomicity::Rerunnable
            } else {
                Atomicity::WithProgress
            }
        }
        Engine::Sqlite if head == "VACUUM" => Atomicity::Rerunnable,
        Engine::Sqlite => Atomicity::WithProgress,
    }
}

/// Whether `error` says the statement's effect is already there (a statement that ran just before a crash,
/// whose progress was not yet recorded).
fn already_applied(error: &ConnectionError) -> bool {
    let text = error.to_string().to_ascii_lowercase();
    [
        "already exists",
        "duplicate column name",
        "duplicate key name",
        "duplicate foreign key",
        "can't drop",
        "unknown table",
        "check that column/key exists",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::{Atomicity, Engine, atomicity, rerun_detected};

    #[test]
    fn statements_are_kept_from_running_twice_by_their_kind() {
        for (engine, sql, expected) in [
            (
                Engine::MySql,
                "INSERT INTO t SELECT * FROM u",
                Atomicity::WithProgress,
            ),
            (
                Engine::MySql,
                "-- fill\nupdate t set a = 1",
                Atomicity::WithProgress,
            ),
            (
                Engine::MySql,
                "WITH x AS (SELECT 1) DELETE FROM t",
                Atomicity::WithProgress,
            ),
            (
                Engine::MySql,
                "ALTER TABLE t ADD COLUMN c INT",
                Atomicity::Rerunnable,
            ),
            (
                Engine::MySql,
                "SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)",
                Atomicity::Rerunnable,
            ),
            (Engine::MySql, "CALL refresh_totals()", Atomicity::Unknown),
            (Engine::MySql, "DO RELEASE_LOCK('x')", Atomicity::Unknown),
            (
                Engine::Postgres,
                "ALTER TABLE t ADD COLUMN c int",
                Atomicity::WithProgress,
            ),
            (
                Engine::Postgres,
                "INSERT INTO t VALUES (1)",
                Atomicity::WithProgress,
            ),
            (
                Engine::Postgres,
                "CREATE INDEX CONCURRENTLY i ON t (a)",
                Atomicity::Rerunnable,
            ),
            (Engine::Postgres, "VACUUM ANALYZE t", Atomicity::Rerunnable),
            (
                Engine::Postgres,
                "ALTER TYPE mood ADD VALUE 'ok'",
                Atomicity::Rerunnable,
            ),
            (
                Engine::Sqlite,
                "UPDATE t SET a = 1",
                Atomicity::WithProgress,
            ),
        ] {
            assert_eq!(atomicity(engine, sql), expected, "{engine:?} {sql}");
        }
    }

    #[test]
    fn only_statements_whose_rerun_fails_visibly_skip_the_progress_record() {
        for yes in [
            "CREATE TABLE t (id INT)",
            "-- a comment\ncreate table t (id int)",
            "/* c */ CREATE INDEX i ON t (a)",
            "CREATE UNIQUE INDEX i ON t (a)",
        ] {
            assert!(rerun_detected(yes), "{yes}");
        }
        for no in [
            "CREATE TABLE IF NOT EXISTS t (id INT)",
            "CREATE INDEX IF NOT EXISTS i ON t (a)",
            "CREATE UNIQUE INDEX IF NOT EXISTS i ON t (a)",
            "CREATE TEMPORARY TABLE t (id INT)",
            "UPDATE t SET a = a + 1",
            "ALTER TABLE t RENAME TO u",
            "-- CREATE TABLE t (id INT)",
        ] {
            assert!(!rerun_detected(no), "{no}");
        }
    }
}
