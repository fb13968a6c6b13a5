//! PostgreSQL and SQLite: a migration's statements and its history row commit together, or not at all.
//!
//! Each migration goes to the database in as few calls as possible: on PostgreSQL `BEGIN`, the body, the
//! history row, its log event and `COMMIT` are one script (one round trip); on SQLite the history check
//! opens the migration and the rest is one script. On SQLite consecutive migrations also share one write
//! transaction for up to [`SqliteGroup::WINDOW`], each inside its own savepoint: a migration is still applied
//! with its history row or not at all (a failure rolls back to its savepoint, and the ones before it commit
//! with its `failed` row), but a run of many small migrations pays the journal's fsyncs once per window
//! instead of once per migration. SQLite has one writer at a time in any case; the window bounds how long
//! another writer waits.

use std::time::{Duration, Instant};

use super::apply::running_record;
use super::{ExecError, Executor, Migration};
use crate::connection::{ConnectionError, Engine, Session};
use crate::history::{Status, record};

/// SQLite: the write transaction that consecutive migrations of a run share.
#[derive(Debug, Default)]
pub(super) struct SqliteGroup {
    /// When the open transaction began; `None` when none is open.
    since: Option<Instant>,
}

const SAVEPOINT: &str = "ai_shell_migration";
const PROBE: &str = "ai_shell_probe";

/// Undoes everything since savepoint `name` and forgets it; the enclosing transaction stays open.
fn undo_savepoint(name: &str) -> String {
    format!("ROLLBACK TO {name}; RELEASE {name}")
}

impl SqliteGroup {
    /// How long migrations keep adding to one transaction before it commits.
    pub const WINDOW: Duration = Duration::from_millis(200);

    /// Commits the open transaction, if any (before anything that must run outside it, and at the end).
    pub async fn commit(&mut self, s: &mut Session) -> Result<(), ExecError> {
        if self.since.take().is_some() {
            s.execute_script("COMMIT").await?;
        }
        Ok(())
    }

    fn begin_sql(&self) -> String {
        match self.since {
            Some(_) => format!("SAVEPOINT {SAVEPOINT}"),
            None => format!("BEGIN IMMEDIATE; SAVEPOINT {SAVEPOINT}"),
        }
    }

    /// Whether the migration that ends now also ends the transaction.
    fn commits_now(&self, more_follow: bool) -> bool {
        !more_follow || self.since.is_none_or(|t| t.elapsed() >= Self::WINDOW)
    }
}

impl Executor<'_> {
    /// Runs `m` with its history row in one transaction. Returns false when another run applied it first
    /// (SQLite, where runs only meet at the write lock). `more_follow`: later migrations of this run may join
    /// the SQLite transaction.
    pub(super) async fn run_in_transaction(
        &self,
        s: &mut Session,
        m: &Migration,
        statements: &[String],
        group: &mut SqliteGroup,
        more_follow: bool,
    ) -> Result<bool, ExecError> {
        let engine = s.engine();
        let (before, body, after) = super::foreign_key_pragmas(engine, statements);
        if let Some(pragma) = &before {
            // PRAGMA foreign_keys has no effect inside a transaction.
            group.commit(s).await?;
            s.execute_script(pragma).await?;
        }
        let more_follow = more_follow && after.is_none();
        let sqlite = engine == Engine::Sqlite;
        let started = record::now();
        let mut done = running_record(m, statements.len(), true);
        done.status = Status::Applied;
        done.statements_done = statements.len();
        let event = format!("{} statements in one transaction", statements.len());
        let history = format!(
            "{};\n{}",
            self.history.put_sql(engine, &done, Some(&started)),
            self.history.log_sql(engine, m.version, "applied", &event)
        );

        let result = if sqlite {
            // Concurrent runs only meet at SQLite's write lock: another one may have applied it meanwhile,
            // so the migration starts with a look at the history (one call for both).
            let check = format!(
                "{}; SELECT count(*) FROM {} WHERE version = {} AND status = 'applied'",
                group.begin_sql(),
                self.history.table(),
                m.version
            );
            let r = s.query(&check, &[]).await?;
            group.since.get_or_insert_with(Instant::now);
            if crate::model::number_at(&r, 0, 0).is_some_and(|n| n > 0) {
                s.execute_script(&undo_savepoint(SAVEPOINT)).await?;
                self.after_pragma(s, group, &after).await?;
                return Ok(false);
            }
            let commit = group.commits_now(more_follow);
            let end = if commit {
                format!("RELEASE {SAVEPOINT}; COMMIT")
            } else {
                format!("RELEASE {SAVEPOINT}")
            };
            // SQLite copies the rest of a script at every statement it prepares: a large body goes in scripts
            // of whole statements of about 16 KB, so that applying is linear in the file's size.
            let mut scripts = batches(&body, 16 * 1024);
            let last = scripts.pop().unwrap_or_default();
            let mut result = Ok(());
            for script in &scripts {
                result = s.execute_script(script).await;
                if result.is_err() {
                    break;
                }
            }
            if result.is_ok() {
                result = s
                    .execute_script(&format!("{last};\n{history};\n{end}"))
                    .await;
            }
            if result.is_ok() && commit {
                group.since = None;
            }
            result
        } else {
            // PostgreSQL holds the advisory lock, so the history read at the start of the run is still true.
            s.execute_script(&format!(
                "BEGIN;\n{};\n{history};\nCOMMIT",
                body.join(";\n")
            ))
            .await
        };

        let Err(e) = result else {
            self.after_pragma(s, group, &after).await?;
            return Ok(true);
        };
        // Nothing of this migration stays; the failing statement is found by running them one by one in a
        // transaction (SQLite: a savepoint) that is rolled back.
        let undone = if sqlite {
            s.execute_script(&undo_savepoint(SAVEPOINT)).await
        } else {
            s.execute_script("ROLLBACK").await
        };
        if let Err(lost) = undone {
            return Err(ExecError::ConnectionLost {
                id: m.id.clone(),
                error: e.to_string(),
                state: format!(
                    "The connection broke ({}): nothing of this migration was applied, its transaction ended with the connection. Run `ai-shell migrate apply` again once the database is reachable.",
                    lost.to_string().lines().next().unwrap_or_default()
                ),
            });
        }
        let (begin, rollback) = if sqlite {
            // A deadline (migrations.timeout) that interrupted the migration interrupts this probe too.
            (format!("SAVEPOINT {PROBE}"), undo_savepoint(PROBE))
        } else if let Some(limit) = self.timeout {
            // A statement the timeout cancelled is not run for longer than that again.
            (
                format!(
                    "BEGIN; SET LOCAL statement_timeout = {}",
                    limit.as_millis().max(1)
                ),
                "ROLLBACK".to_string(),
            )
        } else {
            ("BEGIN".to_string(), "ROLLBACK".to_string())
        };
        let (k, e) = self
            .failing_statement(s, &begin, &rollback, &body)
            .await?
            .unwrap_or((0, e));
        let error = e.to_string();
        self.record_failure(s, m, statements.len(), k, true, &error)
            .await?;
        // The migrations before it in the SQLite transaction are complete: they commit with its `failed` row.
        group.commit(s).await?;
        if let Some(pragma) = &after {
            s.execute_script(pragma).await?;
        }
        Err(ExecError::Failed {
            id: m.id.clone(),
            step: k + 1,
            total: statements.len(),
            error,
            hint: "Nothing of this migration was applied: its transaction was rolled back (the migrations before it stay applied). Fix it and run `ai-shell migrate apply` again.".into(),
        })
    }

    /// Runs the `PRAGMA foreign_keys = ON` that follows a table rebuild, outside any transaction.
    async fn after_pragma(
        &self,
        s: &mut Session,
        group: &mut SqliteGroup,
        after: &Option<String>,
    ) -> Result<(), ExecError> {
        if let Some(pragma) = after {
            group.commit(s).await?;
            s.execute_script(pragma).await?;
        }
        Ok(())
    }

    /// Runs `statements` one by one between `begin` and `rollback`, to name the one that fails.
    async fn failing_statement(
        &self,
        s: &mut Session,
        begin: &str,
        rollback: &str,
        statements: &[String],
    ) -> Result<Option<(usize, ConnectionError)>, ExecError> {
        s.execute_script(begin).await?;
        let mut found = None;
        for (k, statement) in statements.iter().enumerate() {
            if let Err(e) = s.execute_script(statement).await {
                found = Some((k, e));
                break;
            }
        }
        s.execute_script(rollback).await?;
        Ok(found)
    }
}

/// `statements` joined into scripts of whole statements of at most about `limit` bytes each (one statement
/// longer than that is a script alone); at least one script.
fn batches(statements: &[String], limit: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for statement in statements {
        let current = out.last_mut().expect("one script at least");
        if !current.is_empty() && current.len() + statement.len() > limit {
            out.push(String::new());
        }
        let current = out.last_mut().expect("one script at least");
        if !current.is_empty() {
            current.push_str(";\n");
        }
        current.push_str(statement);
    }
    out
}

#[cfg(test)]
mod batch_tests {
    use super::batches;

    #[test]
    fn statements_are_batched_whole_and_in_order() {
        let s: Vec<String> = (0..10)
            .map(|i| format!("INSERT INTO t VALUES ({i})"))
            .collect();
        assert_eq!(batches(&s, 1 << 20), vec![s.join(";\n")]);
        let small = batches(&s, 60);
        assert!(small.len() > 2);
        assert_eq!(small.join(";\n"), s.join(";\n"));
        assert!(small.iter().all(|b| b.len() <= 60));
        assert_eq!(batches(&[], 10), vec![String::new()]);
    }
}
