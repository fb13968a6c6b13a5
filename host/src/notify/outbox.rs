//! The outbox: one row per event and channel, in a table beside the migration history, written before any
//! delivery is tried; a row leaves `pending` only when it was delivered, skipped or failed for good.

use crate::connection::{Engine, Session};
use crate::history::placeholder;
use crate::model::SqlValue;

/// A row of the outbox.
#[derive(Clone, Debug)]
pub struct Row {
    pub event_id: String,
    pub channel: String,
    pub event_type: String,
    pub envelope: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt: String,
    pub last_error: Option<String>,
    pub created: String,
}

/// The outbox of history table `history`.
pub struct Outbox {
    table: String,
}

fn text(v: Option<&SqlValue>) -> Option<String> {
    match v {
        Some(SqlValue::Text(t)) => Some(t.clone()),
        Some(SqlValue::Integer(i)) => Some(i.to_string()),
        _ => None,
    }
}

impl Outbox {
    pub fn new(history_table: &str) -> Outbox {
        Outbox {
            table: format!("{history_table}_outbox"),
        }
    }

    pub async fn ensure(&self, s: &mut Session) -> anyhow::Result<()> {
        let t = &self.table;
        let long = if s.engine() == Engine::MySql {
            "LONGTEXT"
        } else {
            "TEXT"
        };
        s.execute_script(&format!(
            "CREATE TABLE IF NOT EXISTS {t} (event_id VARCHAR(64) NOT NULL, channel VARCHAR(100) NOT NULL, \
             event_type VARCHAR(64) NOT NULL, envelope {long} NOT NULL, status VARCHAR(16) NOT NULL, \
             attempts INTEGER NOT NULL, next_attempt VARCHAR(40) NOT NULL, last_error {long}, \
             created VARCHAR(40) NOT NULL, done_at VARCHAR(40), PRIMARY KEY (event_id, channel))"
        ))
        .await?;
        Ok(())
    }

    pub async fn add(
        &self,
        s: &mut Session,
        event_id: &str,
        channel: &str,
        event_type: &str,
        envelope: &str,
        now: &str,
    ) -> anyhow::Result<()> {
        let e = s.engine();
        let p = |n| placeholder(e, n);
        s.execute(
            &format!(
                "INSERT INTO {} (event_id, channel, event_type, envelope, status, attempts, next_attempt, created) \
                 VALUES ({}, {}, {}, {}, 'pending', 0, {}, {})",
                self.table,
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6)
            ),
            &[
                SqlValue::Text(event_id.into()),
                SqlValue::Text(channel.into()),
                SqlValue::Text(event_type.into()),
                SqlValue::Text(envelope.into()),
                SqlValue::Text(now.into()),
                SqlValue::Text(now.into()),
            ],
        )
        .await?;
        Ok(())
    }

    /// Rows in `status` (all of them when `None`), oldest first; only those due by `due` when given.
    pub async fn rows(
        &self,
        s: &mut Session,
        status: Option<&str>,
        due: Option<&str>,
    ) -> anyhow::Result<Vec<Row>> {
        let e = s.engine();
        let mut sql = format!(
            "SELECT event_id, channel, event_type, envelope, status, attempts, next_attempt, last_error, created FROM {} WHERE 1 = 1",
            self.table
        );
        let mut params = vec![];
        if let Some(st) = status {
            params.push(SqlValue::Text(st.into()));
            sql.push_str(&format!(" AND status = {}", placeholder(e, params.len())));
        }
        if let Some(d) = due {
            params.push(SqlValue::Text(d.into()));
            sql.push_str(&format!(
                " AND next_attempt <= {}",
                placeholder(e, params.len())
            ));
        }
        sql.push_str(" ORDER BY created, event_id, channel");
        let r = s.query(&sql, &params).await?;
        Ok(r.rows
            .iter()
            .map(|row| Row {
                event_id: text(row.first()).unwrap_or_default(),
                channel: text(row.get(1)).unwrap_or_default(),
                event_type: text(row.get(2)).unwrap_or_default(),
                envelope: text(row.get(3)).unwrap_or_default(),
                status: text(row.get(4)).unwrap_or_default(),
                attempts: match row.get(5) {
                    Some(SqlValue::Integer(i)) => *i,
                    _ => 0,
                },
                next_attempt: text(row.get(6)).unwrap_or_default(),
                last_error: text(row.get(7)),
                created: text(row.get(8)).unwrap_or_default(),
            })
            .collect())
    }

    /// Records an attempt's result.
    pub async fn update(
        &self,
        s: &mut Session,
        row: &Row,
        status: &str,
        next_attempt: &str,
        error: Option<&str>,
        now: &str,
    ) -> anyhow::Result<()> {
        let e = s.engine();
        let p = |n| placeholder(e, n);
        s.execute(
            &format!(
                "UPDATE {} SET status = {}, attempts = attempts + 1, next_attempt = {}, last_error = {}, done_at = {} \
                 WHERE event_id = {} AND channel = {}",
                self.table,
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6)
            ),
            &[
                SqlValue::Text(status.into()),
                SqlValue::Text(next_attempt.into()),
                error.map_or(SqlValue::Null, |x| SqlValue::Text(x.into())),
                if status == "pending" {
                    SqlValue::Null
                } else {
                    SqlValue::Text(now.into())
                },
                SqlValue::Text(row.event_id.clone()),
                SqlValue::Text(row.channel.clone()),
            ],
        )
        .await?;
        Ok(())
    }
}
