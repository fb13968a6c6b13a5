//! `migrate apply ID --zero-downtime` for a migration written as plain SQL: its statements become phases
//! that run under the phase executor's protections (short lock timeouts with retries, progress rows).
//! On PostgreSQL two rewrites remove the long locks of common statements: `CREATE INDEX` becomes
//! `CREATE INDEX CONCURRENTLY` (run outside a transaction, after dropping an invalid leftover), and
//! `ADD CONSTRAINT ... FOREIGN KEY | CHECK` is added `NOT VALID` and validated in a phase of its own.
//! The file's down section becomes the rollback of the first phase, so a full rollback runs it as written.

use super::{Kind, Phase};
use crate::connection::Engine;

/// The phases that run `up` (split for `engine`) with the executor's protections.
pub fn phases(engine: Engine, up: &[String], down: &[String]) -> Vec<Phase> {
    let mut out: Vec<Phase> = vec![];
    let mut plain: Vec<String> = vec![];
    let flush = |out: &mut Vec<Phase>, plain: &mut Vec<String>| {
        if !plain.is_empty() {
            out.push(phase(
                "ddl",
                Kind::Ddl,
                "Run the statements under a short lock timeout, retried",
                std::mem::take(plain),
            ));
        }
    };
    for statement in up {
        if engine == Engine::Postgres
            && let Some((drop, create)) = concurrent_index(statement)
        {
            flush(&mut out, &mut plain);
            out.push(phase(
                "index",
                Kind::DdlOutsideTransaction,
                "Build the index without blocking writes",
                vec![drop, create],
            ));
        } else if engine == Engine::Postgres
            && let Some((add, validate)) = not_valid_constraint(statement)
        {
            plain.push(add);
            flush(&mut out, &mut plain);
            out.push(phase(
                "validate",
                Kind::Validate,
                "Check the existing rows while writes go on",
                vec![validate],
            ));
        } else if engine == Engine::MySql {
            flush(&mut out, &mut plain);
            out.push(phase(
                "ddl",
                Kind::DdlOutsideTransaction,
                "Run the statement without waiting in the lock queue, retried",
                vec![statement.clone()],
            ));
        } else {
            plain.push(statement.clone());
        }
    }
    flush(&mut out, &mut plain);
    for (i, p) in out.iter_mut().enumerate() {
        p.number = i + 1;
        p.name = format!("{}-{}", p.name, i + 1);
    }
    if let Some(first) = out.first_mut() {
        first.rollback = down.to_vec();
    }
    out
}

fn phase(name: &str, kind: Kind, description: &str, statements: Vec<String>) -> Phase {
    Phase {
        number: 0,
        name: name.to_string(),
        kind,
        description: description.to_string(),
        strategy: "protect".into(),
        statements,
        backfill: None,
        gate: None,
        rollback: vec![],
        lock: if kind == Kind::DdlOutsideTransaction {
            "none".into()
        } else {
            "exclusive".into()
        },
        lock_note: "each lock is requested with a short timeout and retried".into(),
        estimated_ms: 0,
    }
}

fn words(sql: &str) -> Vec<&str> {
    sql.split_whitespace().collect()
}

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON ...` without `CONCURRENTLY`: the drop of an invalid
/// leftover and the concurrent build.
fn concurrent_index(sql: &str) -> Option<(String, String)> {
    let w = words(sql);
    let upper: Vec<String> = w.iter().map(|x| x.to_ascii_uppercase()).collect();
    let unique = upper.get(1).map(String::as_str) == Some("UNIQUE");
    let at = if unique { 2 } else { 1 };
    if upper.first().map(String::as_str) != Some("CREATE")
        || upper.get(at).map(String::as_str) != Some("INDEX")
    {
        return None;
    }
    let mut name_at = at + 1;
    let if_not_exists = upper.get(name_at).map(String::as_str) == Some("IF");
    if if_not_exists {
        name_at += 3;
    }
    let name = *w.get(name_at)?;
    if name.eq_ignore_ascii_case("CONCURRENTLY") || name.eq_ignore_ascii_case("ON") {
        // Already concurrent, or an unnamed index (which cannot be dropped by name after a failure).
        return None;
    }
    let rest = w[name_at + 1..].join(" ");
    let create = format!(
        "CREATE {}INDEX CONCURRENTLY {name} {rest}",
        if unique { "UNIQUE " } else { "" }
    );
    Some((format!("DROP INDEX CONCURRENTLY IF EXISTS {name}"), create))
}

/// `ALTER TABLE t ADD CONSTRAINT c FOREIGN KEY|CHECK ...` (one action, not yet `NOT VALID`): the
/// statement with `NOT VALID`, and the `VALIDATE CONSTRAINT` that checks the existing rows.
fn not_valid_constraint(sql: &str) -> Option<(String, String)> {
    let w = words(sql);
    let upper: Vec<String> = w.iter().map(|x| x.to_ascii_uppercase()).collect();
    if upper.len() < 6 || upper[0] != "ALTER" || upper[1] != "TABLE" {
        return None;
    }
    let table_at = if upper[2] == "ONLY" { 3 } else { 2 };
    let table = *w.get(table_at)?;
    if upper.get(table_at + 1).map(String::as_str) != Some("ADD")
        || upper.get(table_at + 2).map(String::as_str) != Some("CONSTRAINT")
    {
        return None;
    }
    let name = *w.get(table_at + 3)?;
    let kind = upper.get(table_at + 4)?;
    let joined = upper.join(" ");
    let single_action = !sql.contains(',') || kind == "FOREIGN" && !sql.contains("),");
    if !(kind == "FOREIGN" || kind.starts_with("CHECK"))
        || joined.contains("NOT VALID")
        || !single_action
    {
        return None;
    }
    Some((
        format!("{} NOT VALID", sql.trim_end().trim_end_matches(';')),
        format!("ALTER TABLE {table} VALIDATE CONSTRAINT {name}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn postgres_indexes_become_concurrent_and_constraints_not_valid() {
        let up = s(&[
            "ALTER TABLE orders ADD COLUMN status text",
            "CREATE INDEX idx_orders_status ON orders (status)",
            "ALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)",
        ]);
        let p = phases(Engine::Postgres, &up, &s(&["DROP TABLE x"]));
        let kinds: Vec<Kind> = p.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Ddl,
                Kind::DdlOutsideTransaction,
                Kind::Ddl,
                Kind::Validate
            ]
        );
        assert_eq!(
            p[1].statements,
            s(&[
                "DROP INDEX CONCURRENTLY IF EXISTS idx_orders_status",
                "CREATE INDEX CONCURRENTLY idx_orders_status ON orders (status)"
            ])
        );
        assert!(p[2].statements[0].ends_with("REFERENCES customers (id) NOT VALID"));
        assert_eq!(
            p[3].statements[0],
            "ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_customer"
        );
        assert_eq!(p[0].rollback, s(&["DROP TABLE x"]));
        assert!(p.iter().enumerate().all(|(i, p)| p.number == i + 1));
    }

    #[test]
    fn statements_left_as_they_are() {
        let up = s(&[
            "CREATE INDEX CONCURRENTLY i ON t (a)",
            "CREATE INDEX ON t (a)",
            "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID",
        ]);
        let p = phases(Engine::Postgres, &up, &[]);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].statements, up);
        // MySQL: one statement per phase, outside transactions.
        let p = phases(
            Engine::MySql,
            &s(&["CREATE INDEX i ON t (a)", "SELECT 1"]),
            &[],
        );
        assert_eq!(p.len(), 2);
        assert!(p.iter().all(|p| p.kind == Kind::DdlOutsideTransaction));
    }
}
