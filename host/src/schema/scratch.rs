//! Scratch databases: a schema written as SQL is read the way the engine reads it, by loading it where
//! nothing is kept and introspecting the result (as Atlas's dev database does), so `numeric(10,2)` and
//! `DECIMAL(10, 2)`, or two spellings of one CHECK, compare equal. PostgreSQL and MariaDB: a temporary
//! database on the same server (or the server of `--dev-url`), dropped afterwards; SQLite: a temporary file.
//! A PostgreSQL or MariaDB scratch database left by a run that was killed is dropped by the next one.

use anyhow::Context as _;

use crate::connection::{Database, Engine, Session};
use crate::migrations::split::{SplitDialect, statements};
use crate::model::SqlValue;

/// The prefix of every scratch database's name.
const PREFIX: &str = "ai_shell_scratch_";

/// A PostgreSQL scratch database older than this with no session on it was left by a killed run.
const ORPHAN_AFTER_SECS: u64 = 3600;

/// A database where nothing is kept.
pub struct Scratch {
    /// The scratch database itself.
    pub db: Database,
    /// PostgreSQL/MariaDB: a session on the server that created it (holding its lock on MariaDB), and its name.
    server: Option<(Session, String)>,
    /// SQLite: the folder holding the file, removed with it.
    _dir: Option<tempfile::TempDir>,
}

impl Scratch {
    /// A new, empty scratch database of `server`'s engine, on `server`'s server.
    pub async fn create(server: &Database) -> anyhow::Result<Scratch> {
        let engine = server.engine();
        if engine == Engine::Sqlite {
            let dir = tempfile::tempdir()
                .context("creating a temporary folder for a scratch database")?;
            let path = dir.path().join("scratch.db");
            let db = Database::connect(&format!("sqlite://{}?mode=rwc", path.display()))
                .await
                .context("opening a scratch SQLite database")?;
            return Ok(Scratch {
                db,
                server: None,
                _dir: Some(dir),
            });
        }
        let mut s = server.session().await?;
        drop_orphans(&mut s, engine).await;
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let name = format!("{PREFIX}{secs}_{}", fastrand::u32(..));
        if engine == Engine::MySql {
            // Held while the database is used: a scratch database whose lock is free was left by a killed run.
            let held = s
                .query(&format!("SELECT GET_LOCK('{name}', 0)"), &[])
                .await
                .ok()
                .and_then(|r| crate::model::number_at(&r, 0, 0));
            anyhow::ensure!(
                held == Some(1),
                "the lock of a scratch database could not be taken"
            );
        }
        let quoted = quote(engine, &name);
        s.execute_script(&format!("CREATE DATABASE {quoted}"))
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "a scratch database could not be created on {} ({e}): grant the right to create databases, or name a server where it can with --dev-url URL",
                    server.url()
                )
            })?;
        let db = match Database::connect(&server.url().with_database(&name)).await {
            Ok(db) => db,
            Err(e) => {
                let _ = s.execute_script(&format!("DROP DATABASE {quoted}")).await;
                return Err(e).context("opening the scratch database");
            }
        };
        Ok(Scratch {
            db,
            server: Some((s, name)),
            _dir: None,
        })
    }

    /// Runs `sql` (the text of `source`, a file name for messages) statement by statement; the first statement
    /// the engine refuses is an error naming its line in `source` and the engine's message.
    pub async fn load(&self, sql: &str, source: &str) -> anyhow::Result<()> {
        let engine = self.db.engine();
        let dialect: SplitDialect = engine.into();
        let list = statements(sql, dialect);
        // PostgreSQL and SQLite load in one transaction (one commit, not one per statement: MusicBrainz's 519
        // tables load in seconds); a statement that cannot run in one (CREATE INDEX CONCURRENTLY...) sends
        // the load again, statement by statement, into a database left empty by the rollback.
        if engine != Engine::MySql {
            let mut s = self.db.session().await?;
            s.execute_script("BEGIN").await?;
            let mut failed = None;
            for st in &list {
                if let Err(e) = s.execute_script(&st.sql).await {
                    failed = Some((st.line, e));
                    break;
                }
            }
            match failed {
                None => {
                    s.execute_script("COMMIT").await?;
                    return Ok(());
                }
                Some((line, e)) => {
                    s.execute_script("ROLLBACK").await?;
                    let text = e.to_string();
                    if !text.contains("inside a transaction")
                        && !text.contains("within a transaction")
                    {
                        anyhow::bail!("{source}, line {line}: {e}");
                    }
                }
            }
        }
        let mut s = self.db.session().await?;
        for st in list {
            if let Err(e) = s.execute_script(&st.sql).await {
                anyhow::bail!("{source}, line {}: {e}", st.line);
            }
        }
        Ok(())
    }

    /// Drops the scratch database (SQLite: removes its file).
    pub async fn drop(self) {
        self.db.close().await;
        if let Some((mut s, name)) = self.server {
            let engine = s.engine();
            let force = if engine == Engine::Postgres {
                " WITH (FORCE)"
            } else {
                ""
            };
            let _ = s
                .execute_script(&format!(
                    "DROP DATABASE IF EXISTS {}{force}",
                    quote(engine, &name)
                ))
                .await;
            if engine == Engine::MySql {
                let _ = s
                    .execute_script(&format!("DO RELEASE_LOCK('{name}')"))
                    .await;
            }
        }
    }
}

fn quote(engine: Engine, name: &str) -> String {
    match engine {
        Engine::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

/// Drops the scratch databases killed runs left: on MariaDB those whose lock is free; on PostgreSQL those
/// older than an hour that no session uses.
async fn drop_orphans(s: &mut Session, engine: Engine) {
    let list = match engine {
        Engine::MySql => {
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'ai\\_shell\\_scratch\\_%'"
        }
        _ => {
            "SELECT datname FROM pg_database d WHERE datname LIKE 'ai\\_shell\\_scratch\\_%' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)"
        }
    };
    let Ok(r) = s.query(list, &[]).await else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for row in &r.rows {
        let Some(SqlValue::Text(name)) = row.first() else {
            continue;
        };
        if name.len() > 63 || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let orphan = match engine {
            Engine::MySql => {
                s.query(&format!("SELECT IS_FREE_LOCK('{name}')"), &[])
                    .await
                    .ok()
                    .and_then(|r| crate::model::number_at(&r, 0, 0))
                    == Some(1)
            }
            _ => name
                .trim_start_matches(PREFIX)
                .split('_')
                .next()
                .and_then(|t| t.parse::<u64>().ok())
                .is_some_and(|t| now.saturating_sub(t) > ORPHAN_AFTER_SECS),
        };
        if orphan {
            let _ = s
                .execute_script(&format!("DROP DATABASE IF EXISTS {}", quote(engine, name)))
                .await;
        }
    }
}
