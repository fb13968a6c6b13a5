//! Trial runs: pending migrations run where nothing is kept, so that `validate` and `edit` report what the
//! server says, not only what parses. PostgreSQL and SQLite: in one transaction that is rolled back.
//! MySQL/MariaDB (DDL commits at once): in a scratch database on the same server, created with the live
//! schema (no rows) and dropped afterwards.

use serde::Serialize;

use super::{ExecError, Executor, Migration, foreign_key_pragmas, split, transactional_ddl};
use crate::connection::{Database, Engine, Session};
use crate::model::SqlValue;

/// How one migration's trial run went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "trial", content = "detail", rename_all = "snake_case")]
pub enum Trial {
    Passed,
    /// The statement (1-based) the server refused, and its error.
    Failed(usize, String),
    /// Not run, and why (it runs outside a transaction, it names the live database...).
    Skipped(String),
    /// Not run: the migration named here, which runs before it, failed.
    Blocked(String),
}

impl Executor<'_> {
    /// Trial-runs `migrations` in order, each after the ones before it; after a failure the rest are skipped.
    pub async fn trial(&self, migrations: &[Migration]) -> Result<Vec<Trial>, ExecError> {
        let mut s = self.db.session().await?;
        let engine = s.engine();
        let result = if transactional_ddl(engine) {
            in_transaction(&mut s, migrations).await
        } else {
            self.in_scratch_database(&mut s, migrations).await
        };
        drop(s);
        result
    }

    /// MySQL/MariaDB: a scratch database with the live schema, the migrations, then the database dropped.
    async fn in_scratch_database(
        &self,
        s: &mut Session,
        migrations: &[Migration],
    ) -> Result<Vec<Trial>, ExecError> {
        let skip_all = |why: String| {
            migrations
                .iter()
                .map(|_| Trial::Skipped(why.clone()))
                .collect()
        };
        let Some(dialect) = self.dialect else {
            return Ok(skip_all("no dialect to copy the schema with".into()));
        };
        let Some(live_name) = self.db.url().database_name() else {
            return Ok(skip_all("the URL names no database".into()));
        };
        // A scratch database is held by a named lock of the same name while it is used: one whose lock is
        // free was left by a run that was killed, and is dropped here.
        drop_orphaned_scratch(s).await;
        let scratch = format!("{SCRATCH_PREFIX}{}", fastrand::u64(..));
        let held = s
            .query(&format!("SELECT GET_LOCK('{scratch}', 0)"), &[])
            .await
            .ok()
            .and_then(|r| crate::model::number_at(&r, 0, 0));
        if held != Some(1) {
            return Ok(skip_all(
                "a scratch database's lock could not be taken".into(),
            ));
        }
        let mut schema = match dialect.introspect(self.db).await {
            Ok(schema) => schema,
            Err(e) => return Ok(skip_all(format!("reading the live schema failed: {e}"))),
        };
        self.history.leave_out(&mut schema);
        let script = match crate::schema::export::to_sql(dialect, &schema).await {
            Ok(script) => script,
            Err(e) => return Ok(skip_all(format!("copying the schema failed: {e}"))),
        };
        if let Err(e) = s
            .execute_script(&format!("CREATE DATABASE `{scratch}`"))
            .await
        {
            return Ok(skip_all(format!(
                "a scratch database could not be created ({e}): grant CREATE and DROP to run the trial"
            )));
        }
        let outcome = async {
            let db = Database::connect(&self.db.url().with_database(&scratch)).await?;
            let run = async {
                if !script.trim().is_empty() {
                    db.execute_script(&script).await?;
                }
                let mut t = db.session().await?;
                let trials = run_each(&mut t, migrations, |m, statement| {
                    // A statement that names the real database would run against it: not trial-run.
                    crate::safety::analysis::identifiers(statement)
                        .iter()
                        .any(|w| w.eq_ignore_ascii_case(&live_name))
                        .then(|| {
                            format!(
                                "{} names the database `{live_name}` itself: not trial-run",
                                m.id
                            )
                        })
                })
                .await;
                drop(t);
                Ok::<_, crate::connection::ConnectionError>(trials)
            }
            .await;
            db.close().await;
            run
        }
        .await;
        let dropped = s
            .execute_script(&format!(
                "DROP DATABASE `{scratch}`; DO RELEASE_LOCK('{scratch}')"
            ))
            .await;
        let trials = outcome?;
        dropped?;
        Ok(trials)
    }
}

/// The names of MySQL/MariaDB scratch databases (and of the named locks that hold them while they are used).
const SCRATCH_PREFIX: &str = "ai_shell_trial_";

/// Drops the scratch databases no session holds (left by a `validate` or `edit` that was killed).
async fn drop_orphaned_scratch(s: &mut Session) {
    let Ok(r) = s
        .query(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'ai\\_shell\\_trial\\_%'",
            &[],
        )
        .await
    else {
        return;
    };
    for row in &r.rows {
        let Some(SqlValue::Text(name)) = row.first() else {
            continue;
        };
        if name.len() > 64 || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let free = s
            .query(&format!("SELECT IS_FREE_LOCK('{name}')"), &[])
            .await
            .ok()
            .and_then(|r| crate::model::number_at(&r, 0, 0));
        if free == Some(1) {
            let _ = s
                .execute_script(&format!("DROP DATABASE IF EXISTS `{name}`"))
                .await;
        }
    }
}

/// PostgreSQL/SQLite: every migration in one transaction, always rolled back.
async fn in_transaction(
    s: &mut Session,
    migrations: &[Migration],
) -> Result<Vec<Trial>, ExecError> {
    let engine = s.engine();
    // Table rebuilds turn foreign keys off around their transaction; the trial does the same around its own.
    let fk_off = engine == Engine::Sqlite
        && migrations.iter().any(|m| {
            foreign_key_pragmas(engine, &split(engine, &m.up))
                .0
                .is_some()
        });
    if fk_off {
        s.execute_script("PRAGMA foreign_keys = OFF").await?;
    }
    s.execute_script(if engine == Engine::Sqlite {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    })
    .await?;
    let trials = run_each(s, migrations, |m, _| {
        (!m.transactional).then(|| "runs outside a transaction: not trial-run".to_string())
    })
    .await;
    s.execute_script("ROLLBACK").await?;
    if fk_off {
        s.execute_script("PRAGMA foreign_keys = ON").await?;
    }
    Ok(trials)
}

/// Runs each migration's statements on `s` until one fails; `skip` says why a statement must not run.
async fn run_each(
    s: &mut Session,
    migrations: &[Migration],
    skip: impl Fn(&Migration, &str) -> Option<String>,
) -> Vec<Trial> {
    let engine = s.engine();
    let mut out = vec![];
    let mut failed: Option<String> = None;
    for m in migrations {
        if let Some(id) = &failed {
            out.push(Trial::Blocked(id.clone()));
            continue;
        }
        let (_, body, _) = foreign_key_pragmas(engine, &split(engine, &m.up));
        if let Some(why) = body.iter().find_map(|st| skip(m, st)) {
            out.push(Trial::Skipped(why));
            continue;
        }
        let mut trial = Trial::Passed;
        for (k, statement) in body.iter().enumerate() {
            if let Err(e) = s.execute_script(statement).await {
                trial = Trial::Failed(k + 1, e.to_string());
                failed = Some(m.id.clone());
                break;
            }
        }
        out.push(trial);
    }
    out
}
