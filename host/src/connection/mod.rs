//! Connections to the target database: URL parsing, pools, scripts, and the read-only sessions plugins query through.

mod session;
mod url;

pub use self::session::{ReadOnlySession, Session};
pub use self::url::{DatabaseUrl, Engine};

use sqlx::{Connection, MySqlPool, PgPool, SqlitePool};

/// What went wrong reaching or using a database. Messages never contain a password.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error(
        "invalid database URL `{url}`: {reason}\n\nUse sqlite://FILE, postgres://USER@HOST:PORT/DB or mysql://USER@HOST:PORT/DB."
    )]
    InvalidUrl { url: String, reason: String },
    #[error("could not connect to {url}: {reason}\n\n{hint}")]
    Unreachable {
        url: String,
        reason: String,
        hint: &'static str,
    },
    #[error("{context} on {url}: {message}{}", sqlstate.as_deref().map(|c| format!(" (SQLSTATE {c})")).unwrap_or_default())]
    Database {
        url: String,
        context: String,
        message: String,
        sqlstate: Option<String>,
    },
}

/// Opens and closes one connection within `within`: `Err(None)` when it did not answer in time.
async fn probe<C: Connection>(
    options: &<C as Connection>::Options,
    within: std::time::Duration,
) -> Result<(), Option<sqlx::Error>> {
    match tokio::time::timeout(within, C::connect_with(options)).await {
        Err(_) => Err(None),
        Ok(Err(e)) => Err(Some(e)),
        Ok(Ok(connection)) => {
            let _ = connection.close().await;
            Ok(())
        }
    }
}

/// What a driver error says, without what only the server's developers need (sqlx appends the server's
/// source line to PostgreSQL errors: "... at line 948").
fn describe(e: &sqlx::Error) -> String {
    match e.as_database_error() {
        Some(d) => {
            let code = d
                .code()
                .map(|c| format!(" (SQLSTATE {c})"))
                .unwrap_or_default();
            format!("{}{code}", d.message())
        }
        None => e.to_string(),
    }
}

/// A pool of connections to one database.
#[derive(Clone, Debug)]
pub struct Database {
    url: DatabaseUrl,
    pool: Pool,
}

#[derive(Clone, Debug)]
enum Pool {
    Postgres(PgPool),
    MySql(MySqlPool),
    Sqlite(SqlitePool),
}

impl Database {
    /// Connects to `url`; an SQLite file is created when it does not exist.
    pub async fn connect(url: &str) -> Result<Database, ConnectionError> {
        let url = DatabaseUrl::parse(url)?;
        let unreachable = |e: sqlx::Error| ConnectionError::Unreachable {
            url: url.redacted().to_string(),
            reason: url.redact_text(&describe(&e)),
            hint: match url.engine() {
                Engine::Sqlite => {
                    "Check that the file's folder exists and that you may read and write the file and its folder."
                }
                _ => {
                    "Check that the server is running and the URL (host, port, user, password, database) is right."
                }
            },
        };
        // One connection first, so that a refused connection or a wrong password is said at once (the pool
        // would retry it until its timeout and report only that it timed out).
        let first = std::time::Duration::from_secs(10);
        let timed_out = || {
            unreachable(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer within {} s", first.as_secs()),
            )))
        };
        let pool = match url.engine() {
            Engine::Postgres => {
                let options: sqlx::postgres::PgConnectOptions =
                    url.as_str().parse().map_err(unreachable)?;
                probe::<sqlx::PgConnection>(&options, first)
                    .await
                    .map_err(|e| e.map_or_else(timed_out, unreachable))?;
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(std::time::Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .map_err(unreachable)?;
                Pool::Postgres(pool)
            }
            Engine::MySql => {
                // Migrations run under the server's sql_mode: sqlx would add PIPES_AS_CONCAT and
                // NO_ENGINE_SUBSTITUTION, and its IGNORE_SPACE capability flag sets IGNORE_SPACE (`a || b` would
                // change meaning, and triggers and routines keep the mode they were created under).
                let options: sqlx::mysql::MySqlConnectOptions = url
                    .sqlx_url()
                    .parse::<sqlx::mysql::MySqlConnectOptions>()
                    .map_err(unreachable)?
                    .pipes_as_concat(false)
                    .no_engine_substitution(false);
                probe::<sqlx::MySqlConnection>(&options, first)
                    .await
                    .map_err(|e| e.map_or_else(timed_out, unreachable))?;
                let pool = sqlx::mysql::MySqlPoolOptions::new()
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            sqlx::Executor::execute(
                                conn,
                                "SET SESSION sql_mode = @@GLOBAL.sql_mode",
                            )
                            .await
                            .map(|_| ())
                        })
                    })
                    .max_connections(4)
                    .acquire_timeout(std::time::Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .map_err(unreachable)?;
                Pool::MySql(pool)
            }
            Engine::Sqlite => {
                let options: sqlx::sqlite::SqliteConnectOptions =
                    url.sqlx_url().parse().map_err(unreachable)?;
                let options = options.create_if_missing(true).foreign_keys(true);
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options)
                    .await
                    .map_err(unreachable)?;
                Pool::Sqlite(pool)
            }
        };
        Ok(Database { url, pool })
    }

    /// The URL this database was opened with.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The engine behind the connection.
    pub fn engine(&self) -> Engine {
        self.url.engine()
    }

    /// Runs a script of one or more statements, in order, on one connection.
    pub async fn execute_script(&self, script: &str) -> Result<(), ConnectionError> {
        let result = match &self.pool {
            Pool::Postgres(p) => sqlx::raw_sql(sqlx::AssertSqlSafe(script.to_string()))
                .execute(p)
                .await
                .map(|_| ()),
            Pool::MySql(p) => sqlx::raw_sql(sqlx::AssertSqlSafe(script.to_string()))
                .execute(p)
                .await
                .map(|_| ()),
            Pool::Sqlite(p) => sqlx::raw_sql(sqlx::AssertSqlSafe(script.to_string()))
                .execute(p)
                .await
                .map(|_| ()),
        };
        result.map_err(|e| self.error("executing SQL", e))
    }

    /// Starts a session that can only read, for a plugin call.
    pub async fn read_only_session(&self) -> Result<ReadOnlySession, ConnectionError> {
        Session::begin_read_only(self).await
    }

    /// Takes one connection, in autocommit mode, for a sequence of statements.
    pub async fn session(&self) -> Result<Session, ConnectionError> {
        Session::open(self).await
    }

    /// Closes every connection of the pool.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Postgres(p) => p.close().await,
            Pool::MySql(p) => p.close().await,
            Pool::Sqlite(p) => p.close().await,
        }
    }

    pub(crate) fn error(&self, context: &str, e: sqlx::Error) -> ConnectionError {
        let sqlstate = e
            .as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.into_owned());
        let message = match e.as_database_error() {
            Some(d) => d.message().to_string(),
            None => e.to_string(),
        };
        ConnectionError::Database {
            url: self.url.redacted().to_string(),
            context: context.to_string(),
            message: self.url.redact_text(&message),
            sqlstate,
        }
    }
}
