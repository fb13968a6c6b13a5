//! Runs for changes made outside the migration files (`schema capture-drift`, `schema reset-to-migrations`):
//! recording a captured migration as applied without running it, and running repair statements that are
//! not a migration, both under the run lock and with the usual consent rule for drops of data.

use super::apply::running_record;
use super::{ExecError, Executor, Migration, split};
use crate::connection::Engine;
use crate::history::Status;

/// What a repair run did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Repaired {
    pub statements: Vec<String>,
    /// Data the statements destroyed, counted before they ran.
    #[serde(skip_serializing_if = "crate::safety::Losses::is_empty")]
    pub losses: crate::safety::Losses,
}

impl Executor<'_> {
    /// Records `m` as applied without running it (its statements already took effect outside ai-shell), then
    /// keeps the live schema as the snapshot of its version.
    pub async fn mark_applied(&self, m: &Migration, note: &str) -> Result<(), ExecError> {
        let (mut s, lock) = self.locked_session().await?;
        let result = async {
            if let Some(r) = self.history.get(&mut s, m.version).await?
                && r.status != Status::RolledBack
            {
                return Err(ExecError::Refused(format!(
                    "version {} is already in the history ({}, {}): nothing was recorded",
                    m.version,
                    r.name,
                    r.status.as_str()
                )));
            }
            let total = split(s.engine(), &m.up).len();
            let mut r = running_record(m, total, m.transactional);
            r.status = Status::Applied;
            r.statements_done = total;
            r.duration_ms = Some(0);
            r.notes = Some(note.to_string());
            self.history.put(&mut s, &r).await?;
            self.history
                .log(
                    &mut s,
                    m.version,
                    "captured",
                    "recorded as applied without running",
                )
                .await?;
            if let Some(warning) = self
                .snapshot(&mut s, Some(m.version), "capture-drift")
                .await
            {
                self.reporter.event(super::Event::Warning(&warning));
            }
            Ok(())
        }
        .await;
        let _ = lock.release(&mut s).await;
        result
    }

    /// Runs `statements` (`what` names them in messages and in the log of history version `version`) outside
    /// any migration: refused before the first one when they would destroy data without consent
    /// (`allow_destructive`); on PostgreSQL in one transaction. No snapshot is taken: the snapshot still
    /// says what the migrations produce.
    pub async fn repair(
        &self,
        what: &str,
        version: u64,
        statements: &[String],
    ) -> Result<Repaired, ExecError> {
        let (mut s, lock) = self.locked_session().await?;
        let result = async {
            let losses = self
                .guard(
                    &mut s,
                    &[(what.to_string(), statements.to_vec())],
                    &[],
                    "Resetting the schema to the migrations",
                    false,
                )
                .await?;
            let transactional = s.engine() == Engine::Postgres;
            if transactional {
                s.execute_script("BEGIN").await?;
            }
            for (k, st) in statements.iter().enumerate() {
                if let Err(e) = s.execute_script(st).await {
                    if transactional {
                        let _ = s.execute_script("ROLLBACK").await;
                    }
                    return Err(ExecError::Failed {
                        id: what.to_string(),
                        step: k + 1,
                        total: statements.len(),
                        error: e.to_string(),
                        hint: if transactional {
                            "Nothing was changed.".into()
                        } else {
                            format!(
                                "Statements 1..{k} ran; run the command again to see what is left."
                            )
                        },
                    });
                }
            }
            if transactional {
                s.execute_script("COMMIT").await?;
            }
            if version > 0 {
                self.history
                    .log(
                        &mut s,
                        version,
                        what,
                        &format!("{} statements run outside a migration", statements.len()),
                    )
                    .await?;
            }
            Ok(Repaired {
                statements: statements.to_vec(),
                losses,
            })
        }
        .await;
        let _ = lock.release(&mut s).await;
        result
    }
}
