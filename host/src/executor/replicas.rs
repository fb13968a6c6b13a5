//! The replicas a backfill watches, and how far behind the primary each one is.
//!
//! - PostgreSQL: every streaming standby is visible on the primary in `pg_stat_replication`. Its
//!   `replay_lag` only reports how long WAL that was replayed took, so a standby whose replay is stuck
//!   looks current there; the lag is therefore also measured against the primary's own WAL positions,
//!   sampled at each look: a standby is as far behind as the oldest sample it has not replayed yet.
//! - MySQL/MariaDB: the primary lists the replicas that report a host (`SHOW REPLICA HOSTS`, from each
//!   replica's `report_host`/`report_port`); ai-shell connects to each with the primary's user and
//!   password, plus any replica named with `--replica URL`, and reads `SHOW REPLICA STATUS` there: a
//!   replica whose SQL or I/O thread is stopped counts as lagging without end (as pt-online-schema-change
//!   does), so a backfill never runs ahead of a replica that is not applying it.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::connection::{ConnectionError, Database, Engine, Session};
use crate::model::{QueryResult, SqlValue};

/// How far one replica is behind.
#[derive(Clone, Debug, PartialEq)]
pub enum Lag {
    /// Applying, this far behind.
    Behind(Duration),
    /// Not applying at all (a replication thread is stopped, or the lag is unknown).
    Stopped(String),
}

impl Lag {
    /// Is this more than `limit` behind?
    pub fn exceeds(&self, limit: Duration) -> bool {
        match self {
            Lag::Behind(d) => *d > limit,
            Lag::Stopped(_) => true,
        }
    }
}

/// One MySQL replica ai-shell is connected to.
struct Replica {
    name: String,
    db: Database,
}

/// The replicas of the primary a session is connected to.
pub struct Replicas {
    engine: Engine,
    mysql: Vec<Replica>,
    /// PostgreSQL: the primary's WAL position at each look, oldest first.
    wal: Mutex<VecDeque<(Instant, i64)>>,
    /// What was found while looking for replicas (unreachable ones, no permission to list them).
    pub notes: Vec<String>,
}

impl Replicas {
    /// Finds the replicas of `s`'s server: on MySQL the ones it lists and the `explicit` URLs (an
    /// explicit replica that cannot be reached or does not replicate is an error; a listed one that
    /// cannot be reached is a note).
    pub async fn find(s: &mut Session, explicit: &[String]) -> Result<Replicas, String> {
        let engine = s.engine();
        let mut found = Replicas {
            engine,
            mysql: Vec::new(),
            wal: Mutex::new(VecDeque::new()),
            notes: Vec::new(),
        };
        if engine != Engine::MySql {
            if !explicit.is_empty() {
                return Err(format!(
                    "--replica is for MySQL/MariaDB: {} replicas are read from the primary",
                    match engine {
                        Engine::Postgres => "PostgreSQL's (pg_stat_replication)",
                        _ => "SQLite has no",
                    }
                ));
            }
            return Ok(found);
        }
        for url in explicit {
            // Connection errors never contain the password.
            let db = Database::connect(url)
                .await
                .map_err(|e| format!("replica: {e}"))?;
            let name = replica_name(&db);
            replica_status(&db)
                .await
                .map_err(|e| format!("replica {name}: {e}"))?;
            found.mysql.push(Replica { name, db });
        }
        let hosts = match show(s, "SHOW REPLICA HOSTS", "SHOW SLAVE HOSTS").await {
            Ok(r) => r,
            Err(e) => {
                found.notes.push(format!(
                    "cannot list this server's replicas ({e}); name one with --replica URL to watch its lag"
                ));
                return Ok(found);
            }
        };
        let (host_col, port_col) = (column(&hosts, "Host"), column(&hosts, "Port"));
        for row in &hosts.rows {
            let host = host_col.and_then(|c| text(row.get(c)?)).unwrap_or_default();
            let port = port_col
                .and_then(|c| row.get(c))
                .and_then(number)
                .unwrap_or(3306);
            if host.is_empty() {
                continue;
            }
            if found
                .mysql
                .iter()
                .any(|r| r.name == format!("{host}:{port}"))
            {
                continue;
            }
            let url = s.database().url().with_host_port(&host, port as u16);
            match Database::connect(&url).await {
                Ok(db) => found.mysql.push(Replica {
                    name: format!("{host}:{port}"),
                    db,
                }),
                Err(e) => found.notes.push(format!(
                    "replica {host}:{port} (listed by the primary) cannot be reached, its lag is not watched: {}",
                    first_line(&e.to_string())
                )),
            }
        }
        Ok(found)
    }

    /// Names of the replicas being watched (MySQL; PostgreSQL's are read at each look).
    pub fn watched(&self) -> Vec<&str> {
        self.mysql.iter().map(|r| r.name.as_str()).collect()
    }

    /// The replica furthest behind, by name, if any replica is visible.
    pub async fn worst(&self, s: &mut Session) -> Option<(String, Lag)> {
        let mut lags = Vec::new();
        match self.engine {
            Engine::Postgres => {
                let r = s
                    .query(
                        "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::int8, \
                         COALESCE(application_name || ' (' || host(client_addr) || ')', application_name, 'standby'), \
                         (replay_lsn - '0/0'::pg_lsn)::int8, \
                         (COALESCE(EXTRACT(EPOCH FROM replay_lag), 0) * 1000)::int8 FROM pg_stat_replication",
                        &[],
                    )
                    .await
                    .ok()?;
                let now = Instant::now();
                let mut wal = self.wal.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(lsn) = crate::model::number_at(&r, 0, 0) {
                    wal.push_back((now, lsn));
                }
                for (i, row) in r.rows.iter().enumerate() {
                    let name = row.get(1).and_then(text).unwrap_or_default();
                    let lag = match crate::model::number_at(&r, i, 2) {
                        Some(replayed) => wal
                            .iter()
                            .find(|(_, lsn)| *lsn > replayed)
                            .map_or(Duration::ZERO, |(since, _)| now - *since),
                        // Without the LSN (no pg_read_all_stats), replay_lag is all there is.
                        None => Duration::from_millis(
                            crate::model::number_at(&r, i, 3).unwrap_or(0).max(0) as u64,
                        ),
                    };
                    lags.push((name, Lag::Behind(lag)));
                }
                // Keep the samples a standby may still be behind: from the last one every standby has replayed.
                let replayed = (0..r.rows.len())
                    .filter_map(|i| crate::model::number_at(&r, i, 2))
                    .min();
                while wal.len() > 1
                    && (wal.len() > 100_000 || replayed.is_some_and(|min| wal[1].1 <= min))
                {
                    wal.pop_front();
                }
            }
            Engine::MySql => {
                for replica in &self.mysql {
                    let lag = match replica_status(&replica.db).await {
                        Ok(lag) => lag,
                        Err(e) => {
                            Lag::Stopped(format!("cannot read its status: {}", first_line(&e)))
                        }
                    };
                    lags.push((replica.name.clone(), lag));
                }
            }
            Engine::Sqlite => {}
        }
        lags.into_iter().max_by_key(|(_, lag)| match lag {
            Lag::Behind(d) => *d,
            Lag::Stopped(_) => Duration::MAX,
        })
    }

    /// Closes the replica connections.
    pub async fn close(self) {
        for r in self.mysql {
            r.db.close().await;
        }
    }
}

/// `host:port` of a replica's URL.
fn replica_name(db: &Database) -> String {
    let redacted = db.url().redacted();
    url::Url::parse(&redacted)
        .ok()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port().unwrap_or(3306))))
        .unwrap_or(redacted)
}

/// A MySQL replica's lag from `SHOW REPLICA STATUS` (MySQL 8.0.22+, MariaDB 10.5+) or `SHOW SLAVE STATUS`.
async fn replica_status(db: &Database) -> Result<Lag, String> {
    let mut s = db.session().await.map_err(|e| e.to_string())?;
    let status = show(&mut s, "SHOW REPLICA STATUS", "SHOW SLAVE STATUS").await;
    s.close().await;
    let status = status.map_err(|e| e.to_string())?;
    if status.rows.is_empty() {
        return Err("it is not a replica (SHOW REPLICA STATUS is empty)".into());
    }
    let value = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| column(&status, n))
            .and_then(|c| status.rows[0].get(c))
    };
    for (thread, names) in [
        ("SQL", ["Replica_SQL_Running", "Slave_SQL_Running"]),
        ("I/O", ["Replica_IO_Running", "Slave_IO_Running"]),
    ] {
        let running = value(&names).and_then(text).unwrap_or_default();
        if !running.eq_ignore_ascii_case("yes") {
            return Ok(Lag::Stopped(format!(
                "its replication {thread} thread is not running ({})",
                if running.is_empty() {
                    "unknown"
                } else {
                    &running
                }
            )));
        }
    }
    match value(&["Seconds_Behind_Source", "Seconds_Behind_Master"]).and_then(number) {
        Some(secs) => Ok(Lag::Behind(Duration::from_secs(secs.max(0) as u64))),
        None => Ok(Lag::Stopped(
            "its lag is unknown (Seconds_Behind_Master is NULL)".into(),
        )),
    }
}

/// Runs `statement`, or `fallback` when the server does not know the first (older spellings).
async fn show(
    s: &mut Session,
    statement: &str,
    fallback: &str,
) -> Result<QueryResult, ConnectionError> {
    match s.query(statement, &[]).await {
        Ok(r) => Ok(r),
        Err(_) => s.query(fallback, &[]).await,
    }
}

fn column(r: &QueryResult, name: &str) -> Option<usize> {
    r.columns.iter().position(|c| c.eq_ignore_ascii_case(name))
}

fn text(v: &SqlValue) -> Option<String> {
    match v {
        SqlValue::Text(t) => Some(t.clone()),
        SqlValue::Integer(n) => Some(n.to_string()),
        SqlValue::Bytes(b) => String::from_utf8(b.clone()).ok(),
        _ => None,
    }
}

fn number(v: &SqlValue) -> Option<i64> {
    match v {
        SqlValue::Integer(n) => Some(*n),
        SqlValue::Float(f) => Some(*f as i64),
        SqlValue::Text(t) => t.trim().parse().ok(),
        SqlValue::Bytes(b) => std::str::from_utf8(b).ok()?.trim().parse().ok(),
        _ => None,
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}
