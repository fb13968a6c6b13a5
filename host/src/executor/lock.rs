//! The run lock that serialises concurrent `migrate` runs, using the engine's own session-scoped lock so it
//! can never go stale: PostgreSQL `pg_advisory_lock`, MySQL `GET_LOCK` (both die with the connection). SQLite
//! has no such lock; each migration runs in a `BEGIN IMMEDIATE` transaction instead (see `apply.rs`).

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::connection::{ConnectionError, Engine, Session};
use crate::history::History;
use crate::model::SqlValue;

/// Held while a session owns the migration lock of a database.
pub struct RunLock {
    key: LockKey,
}

enum LockKey {
    Advisory(i64),
    Named(String),
    None,
}

/// The lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another ai-shell run has held the migration lock for more than {0:?}\n\nWait for it to finish, or raise --lock-timeout."
    )]
    Timeout(Duration),
    #[error(transparent)]
    Database(#[from] ConnectionError),
}

impl RunLock {
    /// Takes the lock, waiting up to `timeout` for another run to release it (saying so to `reporter`).
    pub async fn acquire(
        s: &mut Session,
        history: &History,
        timeout: Duration,
        reporter: &dyn super::Reporter,
    ) -> Result<RunLock, LockError> {
        let key = match s.engine() {
            Engine::Postgres => {
                let digest = Sha256::digest(format!("ai-shell:{}", history.table()));
                LockKey::Advisory(i64::from_be_bytes(digest[..8].try_into().unwrap()))
            }
            Engine::MySql => {
                // GET_LOCK names are server-wide: qualify by database. At most 64 characters.
                let r = s.query("SELECT DATABASE() AS db", &[]).await?;
                let db = match r.rows.first().and_then(|row| row.first()) {
                    Some(SqlValue::Text(t)) => t.clone(),
                    _ => String::new(),
                };
                let mut name = format!("ai-shell:{db}:{}", history.table());
                if name.len() > 64 {
                    name = format!("ai-shell:{}", &hex::encode(Sha256::digest(&name))[..40]);
                }
                LockKey::Named(name)
            }
            Engine::Sqlite => LockKey::None,
        };
        let started = Instant::now();
        let mut told = false;
        loop {
            let got = match &key {
                LockKey::Advisory(k) => {
                    let r = s
                        .query(
                            "SELECT pg_try_advisory_lock($1) AS got",
                            &[SqlValue::Integer(*k)],
                        )
                        .await?;
                    matches!(r.rows[0][0], SqlValue::Boolean(true))
                }
                LockKey::Named(n) => {
                    let r = s
                        .query("SELECT GET_LOCK(?, 1) AS got", &[SqlValue::Text(n.clone())])
                        .await?;
                    matches!(r.rows[0][0], SqlValue::Integer(1))
                }
                LockKey::None => true,
            };
            if got {
                return Ok(RunLock { key });
            }
            if started.elapsed() >= timeout {
                return Err(LockError::Timeout(timeout));
            }
            if !told {
                reporter.event(super::Event::WaitingForLock);
                told = true;
            }
            if matches!(key, LockKey::Advisory(_)) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }

    /// Releases the lock. (Closing the session releases it too, which is what happens when a run dies.)
    pub async fn release(self, s: &mut Session) -> Result<(), ConnectionError> {
        match self.key {
            LockKey::Advisory(k) => {
                s.query(
                    "SELECT pg_advisory_unlock($1) AS released",
                    &[SqlValue::Integer(k)],
                )
                .await?;
            }
            LockKey::Named(n) => {
                s.query("SELECT RELEASE_LOCK(?) AS released", &[SqlValue::Text(n)])
                    .await?;
            }
            LockKey::None => {}
        }
        Ok(())
    }
}
