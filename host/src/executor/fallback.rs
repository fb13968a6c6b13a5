//! Second tries for MySQL/MariaDB statements the server refuses for a reason known in advance: a refused
//! `ALGORITHM=...`/`LOCK=...` clause, and an index drop that would leave a foreign key without an index.

use super::report::{Event, Reporter};
use crate::connection::{ConnectionError, Session};
use crate::model::SqlValue;

/// Runs `statement`; when MySQL/MariaDB refuse its `ALGORITHM=...`/`LOCK=...` clause (a later migration
/// indexed the column an instant drop was planned for, say), runs it again with the next weaker clause the
/// server allows, in place without a lock, in place, then as the server chooses, and says which lock it took.
/// When the server refuses to drop an index because a foreign key needs it (MySQL keeps no index of its
/// own once a wider one serves the key, and drops the one it made), the drop runs again together with an
/// index for the key, in one statement, so the key keeps an index and nothing else changes.
pub(super) async fn execute_with_fallback(
    s: &mut Session,
    statement: &str,
    reporter: &dyn Reporter,
) -> Result<(), ConnectionError> {
    let mut last = match s.execute_script(statement).await {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    if needed_by_foreign_key(&last)
        && let Some(drop) = IndexDrop::parse(statement)
        && let Some((rewritten, keys)) = drop.keeping_key_indexes(s).await?
    {
        s.execute_script(&rewritten).await?;
        reporter.event(Event::Warning(&format!(
            "index `{}` served foreign key {keys}; the server needs an index for it, so one was added under the key's name in the same statement",
            drop.index
        )));
        return Ok(());
    }
    for (weaker, lock) in algorithm_fallbacks(statement) {
        if !algorithm_refused(&last) {
            break;
        }
        match s.execute_script(&weaker).await {
            Ok(()) => {
                reporter.event(Event::Warning(&format!(
                    "the server refused the planned algorithm ({}); ran it with {lock}",
                    last.to_string().lines().next().unwrap_or_default()
                )));
                return Ok(());
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Whether the server refused an `ALGORITHM`/`LOCK` clause (MySQL/MariaDB errors 1845 and 1846).
fn algorithm_refused(e: &ConnectionError) -> bool {
    let text = e.to_string();
    text.contains("is not supported") && (text.contains("ALGORITHM=") || text.contains("LOCK="))
}

/// Whether the server refused an index drop because a foreign key needs the index (error 1553).
fn needed_by_foreign_key(e: &ConnectionError) -> bool {
    e.to_string().contains("needed in a foreign key constraint")
}

/// `statement` with its `ALGORITHM=...[, LOCK=...]` clause replaced by weaker ones, each with the lock it
/// takes, for [`execute_with_fallback`]; empty when it has no such clause.
fn algorithm_fallbacks(statement: &str) -> Vec<(String, &'static str)> {
    let upper = statement.to_ascii_uppercase();
    let Some(at) = upper.rfind(", ALGORITHM=") else {
        return vec![];
    };
    let head = &statement[..at];
    let clause = &upper[at..];
    let mut out = vec![];
    if clause.contains("INSTANT") {
        out.push((
            format!("{head}, ALGORITHM=INPLACE, LOCK=NONE"),
            "ALGORITHM=INPLACE, LOCK=NONE (a table rebuild; reads and writes go on)",
        ));
    }
    if !clause.contains("COPY") {
        out.push((
            format!("{head}, ALGORITHM=INPLACE"),
            "ALGORITHM=INPLACE (the server's lock: writes may wait while it runs)",
        ));
    }
    out.push((
        head.to_string(),
        "the server's default algorithm (possibly a copy under a write lock)",
    ));
    out
}

/// A statement that only drops one index: `DROP INDEX i ON t` or `ALTER TABLE t DROP INDEX|KEY i`, with
/// the names as written (quoted or not).
#[derive(Debug, PartialEq)]
struct IndexDrop {
    /// The table as written, qualified or not.
    table: String,
    /// The index name, unquoted.
    index: String,
    /// The index name as written.
    index_written: String,
}

impl IndexDrop {
    fn parse(statement: &str) -> Option<IndexDrop> {
        let words = split_words(statement.trim().trim_end_matches(';'))?;
        let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
        let upper: Vec<&str> = upper.iter().map(String::as_str).collect();
        let (index, table) = match upper.as_slice() {
            ["DROP", "INDEX", _, "ON", _] => (&words[2], &words[4]),
            ["ALTER", "TABLE", _, "DROP", "INDEX" | "KEY", _] => (&words[5], &words[2]),
            _ => return None,
        };
        Some(IndexDrop {
            table: table.clone(),
            index: unquote(index),
            index_written: index.clone(),
        })
    }

    /// The table's name without its database, unquoted.
    fn table_name(&self) -> String {
        let last = split_dotted(&self.table).pop().unwrap_or_default();
        unquote(&last)
    }

    /// The drop together with `ADD INDEX` for every foreign key whose only index this one is, and the keys'
    /// names; `None` when no key depends on it alone (the refusal had another cause).
    async fn keeping_key_indexes(
        &self,
        s: &mut Session,
    ) -> Result<Option<(String, String)>, ConnectionError> {
        let table = SqlValue::Text(self.table_name());
        let keys = grouped(
            s.query(
                "SELECT CONSTRAINT_NAME AS name, COLUMN_NAME AS col FROM information_schema.KEY_COLUMN_USAGE \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL \
                 ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION",
                std::slice::from_ref(&table),
            )
            .await?
            .rows,
        );
        let indexes = grouped(
            s.query(
                "SELECT INDEX_NAME AS name, COLUMN_NAME AS col FROM information_schema.STATISTICS \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX",
                &[table],
            )
            .await?
            .rows,
        );
        let Some((_, dropped)) = indexes.iter().find(|(n, _)| *n == self.index) else {
            return Ok(None);
        };
        let leads = |index: &[String], key: &[String]| index.starts_with(key);
        let mut adds = vec![];
        let mut names = vec![];
        for (key, columns) in &keys {
            let served_elsewhere = indexes
                .iter()
                .any(|(n, c)| *n != self.index && leads(c, columns));
            if !leads(dropped, columns) || served_elsewhere {
                continue;
            }
            let mut name = key.clone();
            while indexes.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
                name.push_str("_idx");
            }
            let columns: Vec<String> = columns.iter().map(|c| quote(c)).collect();
            adds.push(format!(
                "ADD INDEX {} ({})",
                quote(&name),
                columns.join(", ")
            ));
            names.push(format!("`{key}`"));
        }
        if adds.is_empty() {
            return Ok(None);
        }
        Ok(Some((
            format!(
                "ALTER TABLE {} DROP INDEX {}, {}",
                self.table,
                self.index_written,
                adds.join(", ")
            ),
            names.join(", "),
        )))
    }
}

/// Rows of (name, column) in order, grouped by name.
fn grouped(rows: Vec<Vec<SqlValue>>) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = vec![];
    for row in rows {
        let (Some(SqlValue::Text(name)), Some(SqlValue::Text(col))) = (row.first(), row.get(1))
        else {
            continue;
        };
        match out.last_mut() {
            Some((n, cols)) if n == name => cols.push(col.clone()),
            _ => out.push((name.clone(), vec![col.clone()])),
        }
    }
    out
}

fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

fn unquote(word: &str) -> String {
    match word.strip_prefix('`').and_then(|w| w.strip_suffix('`')) {
        Some(inner) => inner.replace("``", "`"),
        None => word.to_string(),
    }
}

/// `a`.`b` or a.b as its parts, quotes kept.
fn split_dotted(name: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for ch in name.chars() {
        match ch {
            '`' => {
                quoted = !quoted;
                parts.last_mut().unwrap().push(ch);
            }
            '.' if !quoted => parts.push(String::new()),
            _ => parts.last_mut().unwrap().push(ch),
        }
    }
    parts
}

/// Whitespace-separated words, a backquoted name (which may hold spaces) being one word; `None` when a
/// quote is left open.
fn split_words(statement: &str) -> Option<Vec<String>> {
    let mut words = vec![];
    let mut word = String::new();
    let mut quoted = false;
    for ch in statement.chars() {
        if ch == '`' {
            quoted = !quoted;
            word.push(ch);
        } else if ch.is_whitespace() && !quoted {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
        } else {
            word.push(ch);
        }
    }
    if quoted {
        return None;
    }
    if !word.is_empty() {
        words.push(word);
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::IndexDrop;

    #[test]
    fn a_refused_algorithm_falls_back_to_weaker_ones() {
        let f = super::algorithm_fallbacks("ALTER TABLE `t` DROP COLUMN `c`, ALGORITHM=INSTANT");
        let sql: Vec<&str> = f.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            sql,
            [
                "ALTER TABLE `t` DROP COLUMN `c`, ALGORITHM=INPLACE, LOCK=NONE",
                "ALTER TABLE `t` DROP COLUMN `c`, ALGORITHM=INPLACE",
                "ALTER TABLE `t` DROP COLUMN `c`",
            ]
        );
        assert!(super::algorithm_fallbacks("ALTER TABLE t DROP COLUMN c").is_empty());
    }

    #[test]
    fn index_drops_are_read_in_both_spellings() {
        let d = IndexDrop::parse("DROP INDEX `idx a` ON `db`.`orders`;").unwrap();
        assert_eq!(d.index, "idx a");
        assert_eq!(d.index_written, "`idx a`");
        assert_eq!(d.table, "`db`.`orders`");
        assert_eq!(d.table_name(), "orders");
        let d = IndexDrop::parse("alter table orders drop key k").unwrap();
        assert_eq!((d.table_name().as_str(), d.index.as_str()), ("orders", "k"));
        assert_eq!(
            IndexDrop::parse("DROP INDEX i ON t, ALGORITHM=INPLACE"),
            None
        );
        assert_eq!(
            IndexDrop::parse("ALTER TABLE t DROP INDEX i, DROP INDEX j"),
            None
        );
        assert_eq!(IndexDrop::parse("DROP TABLE t"), None);
    }
}
