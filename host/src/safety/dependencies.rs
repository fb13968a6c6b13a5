//! Which later migrations use what an earlier one created: rolling back the earlier one alone would break
//! them (drop the table they altered, the column they index, the key they reference).

use super::analysis::{self, Effect, Name};

/// What a migration's up section creates.
#[derive(Debug, Default)]
pub struct Created {
    tables: Vec<Name>,
    columns: Vec<(Name, String)>,
    indexes: Vec<String>,
}

/// The tables, columns and indexes (or constraints) that `statements` create.
pub fn created(statements: &[String]) -> Created {
    let mut out = Created::default();
    for e in statements.iter().flat_map(|s| analysis::effects(s)) {
        match e {
            Effect::CreateTable(t) => out.tables.push(t),
            Effect::RenameTable(_, t) => out.tables.push(t),
            Effect::AddColumn(t, c) => out.columns.push((t, c.to_ascii_lowercase())),
            Effect::CreateIndex(i, _) => out.indexes.push(i.to_ascii_lowercase()),
            _ => {}
        }
    }
    out
}

/// The first statement of `later` that uses something in `created`, with what it uses.
pub fn uses(created: &Created, later: &[String]) -> Option<String> {
    for statement in later {
        let words = analysis::identifiers(statement);
        let has = |w: &str| words.iter().any(|x| x == &w.to_ascii_lowercase());
        if let Some(t) = created.tables.iter().find(|t| has(&t.name)) {
            return Some(format!("table {t}"));
        }
        if let Some((t, c)) = created.columns.iter().find(|(t, c)| has(&t.name) && has(c)) {
            return Some(format!("column {t}.{c}"));
        }
        if let Some(i) = created.indexes.iter().find(|i| has(i)) {
            return Some(format!("index or constraint {i}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn later_migrations_that_use_created_objects_depend_on_them() {
        let c = created(&v(&["ALTER TABLE orders ADD COLUMN status VARCHAR(20)"]));
        assert_eq!(
            uses(
                &c,
                &v(&["CREATE INDEX idx_orders_status ON orders (status)"])
            )
            .as_deref(),
            Some("column orders.status")
        );
        assert_eq!(
            uses(
                &c,
                &v(&["CREATE INDEX idx_orders_day ON orders (created_at)"])
            ),
            None
        );
        assert_eq!(
            uses(&c, &v(&["ALTER TABLE users ADD COLUMN status TEXT"])),
            None
        );
        let c = created(&v(&["CREATE TABLE users (id INT PRIMARY KEY)"]));
        assert_eq!(
            uses(
                &c,
                &v(&["CREATE TABLE orders (user_id INT REFERENCES users (id))"])
            )
            .as_deref(),
            Some("table users")
        );
    }
}
