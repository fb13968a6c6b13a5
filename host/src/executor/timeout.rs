//! `migrations.timeout`: a migration that runs longer is cancelled on the server (PostgreSQL
//! `pg_cancel_backend`, MariaDB `KILL QUERY`, SQLite a progress handler that interrupts it), so its failing
//! statement is rolled back where the engine can, like any failure.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::ExecError;
use crate::connection::{Database, Engine, Session};

/// Watches one migration's session; [`Watchdog::stop`] before anything else runs on it.
pub(super) struct Watchdog {
    deadline: Instant,
    engine: Engine,
    fired: Arc<AtomicBool>,
    /// Cleared by `stop` (under its lock) so that a cancel is never sent once the migration is over.
    armed: Arc<tokio::sync::Mutex<bool>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Watchdog {
    pub(super) async fn start(
        db: &Database,
        s: &mut Session,
        limit: Duration,
    ) -> Result<Watchdog, ExecError> {
        let engine = s.engine();
        let deadline = Instant::now() + limit;
        let fired = Arc::new(AtomicBool::new(false));
        let armed = Arc::new(tokio::sync::Mutex::new(true));
        let task = match engine {
            Engine::Sqlite => {
                s.set_deadline(Some(deadline)).await?;
                None
            }
            Engine::Postgres | Engine::MySql => {
                let id = s.backend_id().await?;
                let cancel = match engine {
                    Engine::Postgres => format!("SELECT pg_cancel_backend({id})"),
                    _ => format!("KILL QUERY {id}"),
                };
                let (db, fired, armed) = (db.clone(), fired.clone(), armed.clone());
                Some(tokio::spawn(async move {
                    tokio::time::sleep(limit).await;
                    let armed = armed.lock().await;
                    if !*armed {
                        return;
                    }
                    fired.store(true, Ordering::SeqCst);
                    let cancelled = match db.session().await {
                        Ok(mut c) => c.execute_script(&cancel).await,
                        Err(e) => Err(e),
                    };
                    if let Err(e) = cancelled {
                        eprintln!(
                            "warning: migrations.timeout: cancelling the migration failed: {e}"
                        );
                    }
                }))
            }
        };
        Ok(Watchdog {
            deadline,
            engine,
            fired,
            armed,
            task,
        })
    }

    /// Disarms the watchdog; true when it cancelled the migration (or, on SQLite, its deadline passed).
    pub(super) async fn stop(mut self, s: &mut Session) -> bool {
        *self.armed.lock().await = false;
        if let Some(t) = self.task.take() {
            t.abort();
        }
        if self.engine == Engine::Sqlite {
            let _ = s.set_deadline(None).await;
            return Instant::now() >= self.deadline;
        }
        self.fired.load(Ordering::SeqCst)
    }
}

/// `e` told as the effect of `migrations.timeout`.
pub(super) fn timed_out(e: ExecError, limit: Duration) -> ExecError {
    let why = format!(
        "cancelled after {} (migrations.timeout)",
        humantime::format_duration(limit)
    );
    match e {
        ExecError::Failed {
            id,
            step,
            total,
            error,
            hint,
        } => ExecError::Failed {
            id,
            step,
            total,
            error: format!("{why}: {error}"),
            hint: format!(
                "{hint}\n\nRaise it with `ai-shell config set migrations.timeout SECONDS`, or make the change online (--zero-downtime) or in batches."
            ),
        },
        other => ExecError::Refused(format!("{why}: {other}")),
    }
}
