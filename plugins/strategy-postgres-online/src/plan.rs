//! What every recipe needs: the live schema and statistics of the table it changes, the server's major
//! version, phase constructors, lock notes and duration estimates.

use ai_shell_strategy_sdk::{
    Backfill, DatabaseSchema, LockLevel, Phase, PhaseKind, QualifiedName, Step, Table, TableStats,
    find_table, stats_for,
};

use crate::types;

/// The inputs of one plan.
pub struct Context<'a> {
    pub schema: &'a DatabaseSchema,
    pub stats: &'a [TableStats],
    /// The server's major version (`15` for `15.19`, `9` for `9.6.3`).
    pub major: u32,
}

impl Context<'_> {
    /// The live definition of `name`.
    pub fn table(&self, name: &QualifiedName) -> Option<&Table> {
        find_table(self.schema, name)
    }

    /// The estimated number of rows of `name`, `None` when the host sent no statistics for it.
    pub fn rows(&self, name: &QualifiedName) -> Option<u64> {
        stats_for(self.stats, name).map(|s| s.rows)
    }

    /// The estimated number of rows of `name`, 0 when unknown (for estimates only).
    pub fn rows_or_zero(&self, name: &QualifiedName) -> u64 {
        self.rows(name).unwrap_or(0)
    }
}

/// The leading number of a version string: `15` for `15.19 (Debian ...)`.
pub fn major_version(version: &str) -> u32 {
    version
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

/// The single integer primary-key column a backfill can walk `table` by, if it has one.
pub fn backfill_key(table: &Table) -> Option<&str> {
    let pk = table.primary_key.as_ref()?;
    let [key] = pk.columns.as_slice() else {
        return None;
    };
    let column = table.columns.iter().find(|c| &c.name == key)?;
    types::is_integer(&column.data_type).then_some(key.as_str())
}

/// A catalog-only change: milliseconds once the lock is granted.
pub const CATALOG_MS: u64 = 50;

// The rates below are about half of what `bench/online_stall.sh` measured on its 2-core machine under a
// 200 tx/s writer (2,000,000 rows: backfill 230,000-400,000 rows/s, validation 5,000,000 rows/s, concurrent
// index build 1,250,000 rows/s), so an estimate errs on the long side without being ten times off.

/// A batched backfill at about 200,000 rows per second.
pub fn backfill_ms(rows: u64) -> u64 {
    CATALOG_MS + rows / 200
}

/// A scan validating a constraint at about two million rows per second.
pub fn scan_ms(rows: u64) -> u64 {
    CATALOG_MS + rows / 2_000
}

/// A concurrent index build at about a million rows per second (two table scans and a sort).
pub fn index_ms(rows: u64) -> u64 {
    CATALOG_MS + rows / 1_000
}

/// Lock note of a short catalog update under ACCESS EXCLUSIVE.
pub const CATALOG_NOTE: &str = "ACCESS EXCLUSIVE for a catalog update (milliseconds); waits at most the lock timeout, \
     then retries";

/// Lock note of `VALIDATE CONSTRAINT`.
pub const VALIDATE_NOTE: &str = "SHARE UPDATE EXCLUSIVE while scanning the table: reads and writes go on, only other \
     DDL and VACUUM wait";

/// Lock note of a batched backfill.
pub const BACKFILL_NOTE: &str = "ROW EXCLUSIVE and the row locks of one batch, one short transaction per batch: \
     reads and writes go on, a writer waits at most for one batch";

/// Lock note of `CREATE INDEX CONCURRENTLY`.
pub const INDEX_NOTE: &str = "SHARE UPDATE EXCLUSIVE while building: reads and writes go on; the build waits for \
     transactions older than it to finish";

/// A phase.
#[allow(clippy::too_many_arguments)]
pub fn phase(
    name: &str,
    description: String,
    kind: PhaseKind,
    steps: Vec<Step>,
    rollback: Vec<Step>,
    lock: LockLevel,
    lock_note: &str,
    estimated_ms: u64,
) -> Phase {
    Phase {
        name: name.into(),
        description,
        kind,
        steps,
        rollback,
        lock,
        lock_note: lock_note.into(),
        estimated_ms,
    }
}

/// A `ddl` phase of catalog updates under ACCESS EXCLUSIVE, held for milliseconds.
pub fn catalog_phase(
    name: &str,
    description: String,
    steps: Vec<Step>,
    rollback: Vec<Step>,
) -> Phase {
    phase(
        name,
        description,
        PhaseKind::Ddl,
        steps,
        rollback,
        LockLevel::Exclusive,
        CATALOG_NOTE,
        CATALOG_MS,
    )
}

/// A `validate` phase running `steps` (VALIDATE CONSTRAINT) over a table of `rows` rows.
pub fn validate_phase(description: String, steps: Vec<Step>, rows: u64) -> Phase {
    phase(
        "validate",
        description,
        PhaseKind::Validate,
        steps,
        vec![],
        LockLevel::None,
        VALIDATE_NOTE,
        scan_ms(rows),
    )
}

/// A `backfill` phase running `batch` over `table` by `key`.
pub fn backfill_phase(
    description: String,
    table: &QualifiedName,
    key: &str,
    batch: String,
    rows: u64,
) -> Phase {
    phase(
        "backfill",
        description,
        PhaseKind::Backfill(Backfill {
            table: table.clone(),
            key: key.into(),
            batch,
        }),
        vec![],
        vec![],
        LockLevel::None,
        BACKFILL_NOTE,
        backfill_ms(rows),
    )
}

/// A `gate` phase waiting for the operator to confirm `what`.
pub fn gate_phase(what: String) -> Phase {
    phase(
        "gate",
        format!("Wait until the operator confirms that {what}"),
        PhaseKind::Gate(what),
        vec![],
        vec![],
        LockLevel::None,
        "no locks: waits for `ai-shell migrate confirm`",
        0,
    )
}

/// A `cleanup` phase of catalog updates (dropping helper objects) under short ACCESS EXCLUSIVE locks.
pub fn cleanup_phase(description: String, steps: Vec<Step>) -> Phase {
    phase(
        "cleanup",
        description,
        PhaseKind::Cleanup,
        steps,
        vec![],
        LockLevel::Exclusive,
        CATALOG_NOTE,
        CATALOG_MS,
    )
}

/// `t.c` for people.
pub fn display(table: &QualifiedName, column: Option<&str>) -> String {
    let t = match &table.namespace {
        Some(ns) => format!("{ns}.{}", table.name),
        None => table.name.clone(),
    };
    match column {
        Some(c) => format!("{t}.{c}"),
        None => t,
    }
}

/// Wraps SQL texts as steps.
pub fn sql<I: IntoIterator<Item = String>>(statements: I) -> Vec<Step> {
    statements.into_iter().map(Step::Sql).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_versions() {
        assert_eq!(major_version("15.19"), 15);
        assert_eq!(major_version("9.6.3"), 9);
        assert_eq!(major_version("16beta1"), 16);
        assert_eq!(major_version("15.20 (Debian 15.20-0+deb12u1)"), 15);
        assert_eq!(major_version(""), 0);
    }

    #[test]
    fn estimates_grow_with_rows() {
        assert_eq!(backfill_ms(1_000_000), 50 + 5_000);
        assert_eq!(index_ms(3_000_000), 50 + 3_000);
        assert!(scan_ms(10) < scan_ms(10_000_000));
    }
}
