//! Changes that fail on the data there is: a foreign key over rows with no match, a unique key over
//! duplicates, NOT NULL over NULLs, a check the rows break. Each is asked of the live database before the
//! first statement runs, so a plan that would fail half way (MySQL/MariaDB commit each DDL statement) is
//! refused with nothing changed, naming the rows, instead of leaving its first statements behind.

use crate::connection::{Engine, Session};
use crate::model::{Change, DatabaseSchema, IndexTarget, QualifiedName, SqlValue, Table};

/// Rows that make one change of a plan fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocker {
    /// 1-based number of the change in the plan.
    pub change: usize,
    /// What fails and why, for people: "foreign key orders(user_id) → users(id): 1 row has no match".
    pub what: String,
    /// How many rows.
    pub rows: u64,
    /// The key (or values) of up to five of those rows, for `WHERE` in a fix.
    pub sample: Vec<String>,
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.what)?;
        if !self.sample.is_empty() {
            let more = if self.rows as usize > self.sample.len() {
                ", ..."
            } else {
                ""
            };
            write!(f, " ({}{more})", self.sample.join("; "))?;
        }
        Ok(())
    }
}

/// One question to the database: rows of `table` for which `condition` holds.
struct Probe {
    change: usize,
    table: QualifiedName,
    /// The rows counted, as `FROM ... WHERE ...` text after the table (aliases `t`).
    condition: String,
    /// Columns shown for each row found (the primary key, else the columns concerned).
    shown: Vec<String>,
    /// Rows are grouped (duplicates): the count is of groups, the sample of their values.
    grouped: Option<Vec<String>>,
    what: String,
}

/// The changes of `changes` that the data in the database would make fail, with the rows at fault. Only
/// tables and columns that exist before the plan runs, and that earlier changes of the plan do not touch,
/// are asked about: what the plan itself creates or fills is not known yet.
pub async fn check(
    session: &mut Session,
    before: &DatabaseSchema,
    changes: &[Change],
) -> Vec<Blocker> {
    let engine = session.engine();
    let q = |s: &str| quote(engine, s);
    let mut touched: Vec<(String, Option<String>)> = vec![];
    let mut probes = vec![];
    for (k, change) in changes.iter().enumerate() {
        let n = k + 1;
        let untouched = |t: &QualifiedName, cols: &[&str], touched: &[(String, Option<String>)]| {
            // An empty table name: raw SQL, which may have written anything.
            !touched.iter().any(|(tt, c)| {
                tt.is_empty()
                    || tt.eq_ignore_ascii_case(&t.name)
                        && c.as_ref()
                            .is_none_or(|c| cols.iter().any(|x| x.eq_ignore_ascii_case(c)))
            })
        };
        match change {
            Change::AddForeignKey(a) => {
                let fk = &a.foreign_key;
                let cols: Vec<&str> = fk.columns.iter().map(String::as_str).collect();
                let Some(table) = existing(before, &a.table, &cols) else {
                    continue;
                };
                let ref_cols: Vec<&str> =
                    fk.referenced_columns.iter().map(String::as_str).collect();
                if existing(before, &fk.referenced_table, &ref_cols).is_none()
                    || !untouched(&a.table, &cols, &touched)
                    || !untouched(&fk.referenced_table, &ref_cols, &touched)
                    || cols.len() != ref_cols.len()
                {
                    continue;
                }
                let present = cols
                    .iter()
                    .map(|c| format!("t.{} IS NOT NULL", q(c)))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let matched = cols
                    .iter()
                    .zip(&ref_cols)
                    .map(|(c, r)| format!("r.{} = t.{}", q(r), q(c)))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                probes.push(Probe {
                    change: n,
                    table: a.table.clone(),
                    condition: format!(
                        "{present} AND NOT EXISTS (SELECT 1 FROM {} r WHERE {matched})",
                        qualified(engine, &fk.referenced_table)
                    ),
                    shown: shown(table, &cols),
                    grouped: None,
                    what: format!(
                        "foreign key {}({}) → {}({}): {{n}} with no matching row in {}",
                        a.table.name,
                        cols.join(", "),
                        fk.referenced_table.name,
                        ref_cols.join(", "),
                        fk.referenced_table.name
                    ),
                });
            }
            Change::AddUnique(a) => {
                let cols: Vec<&str> = a.constraint.columns.iter().map(String::as_str).collect();
                if existing(before, &a.table, &cols).is_some()
                    && untouched(&a.table, &cols, &touched)
                {
                    probes.push(duplicates(engine, n, &a.table, &cols, &a.constraint.name));
                }
            }
            Change::AddIndex(a) if a.index.unique && a.index.predicate.is_none() => {
                let cols: Option<Vec<&str>> = a
                    .index
                    .keys
                    .iter()
                    .map(|k| match &k.target {
                        IndexTarget::Column(c) => Some(c.as_str()),
                        IndexTarget::Expression(_) => None,
                    })
                    .collect();
                if let Some(cols) = cols
                    && existing(before, &a.table, &cols).is_some()
                    && untouched(&a.table, &cols, &touched)
                {
                    probes.push(duplicates(engine, n, &a.table, &cols, &a.index.name));
                }
            }
            Change::AddPrimaryKey(a) => {
                let cols: Vec<&str> = a.primary_key.columns.iter().map(String::as_str).collect();
                if existing(before, &a.table, &cols).is_some()
                    && untouched(&a.table, &cols, &touched)
                {
                    probes.push(duplicates(engine, n, &a.table, &cols, "primary key"));
                    let nulls = cols
                        .iter()
                        .map(|c| format!("t.{} IS NULL", q(c)))
                        .collect::<Vec<_>>()
                        .join(" OR ");
                    probes.push(Probe {
                        change: n,
                        table: a.table.clone(),
                        condition: nulls,
                        shown: shown(existing(before, &a.table, &cols).unwrap(), &cols),
                        grouped: None,
                        what: format!(
                            "primary key {}({}): {{n}} with NULL in it",
                            a.table.name,
                            cols.join(", ")
                        ),
                    });
                }
            }
            Change::SetNotNull(c) => {
                let cols = [c.column.as_str()];
                if let Some(table) = existing(before, &c.table, &cols)
                    && untouched(&c.table, &cols, &touched)
                {
                    probes.push(Probe {
                        change: n,
                        table: c.table.clone(),
                        condition: format!("t.{} IS NULL", q(&c.column)),
                        shown: shown(table, &cols),
                        grouped: None,
                        what: format!(
                            "NOT NULL on {}.{}: {{n}} holding NULL (fill them first, e.g. \"make {} not null, fill missing with ...\")",
                            c.table.name, c.column, c.column
                        ),
                    });
                }
            }
            Change::AddCheck(a) => {
                // The expression may read any column: only a table no earlier change touched is asked about
                // (SQLite would read a column added by the plan, missing yet, as a string literal).
                let table_untouched = !touched
                    .iter()
                    .any(|(t, _)| t.is_empty() || t.eq_ignore_ascii_case(&a.table.name));
                if let Some(table) = existing(before, &a.table, &[])
                    && table_untouched
                {
                    let mentioned: Vec<&str> = table
                        .columns
                        .iter()
                        .map(|c| c.name.as_str())
                        .filter(|c| {
                            a.check
                                .expression
                                .to_ascii_lowercase()
                                .contains(&c.to_ascii_lowercase())
                        })
                        .collect();
                    probes.push(Probe {
                        change: n,
                        table: a.table.clone(),
                        // The check's expression reads the table's columns unqualified: no alias here.
                        condition: format!("NOT ({})", a.check.expression),
                        shown: shown(table, &mentioned),
                        grouped: None,
                        what: format!(
                            "check {} on {} ({}): {{n}} breaking it",
                            a.check.name, a.table.name, a.check.expression
                        ),
                    });
                }
            }
            _ => {}
        }
        // What this change touches is not known to later probes.
        touched.extend(writes(change));
    }
    let mut out = vec![];
    for p in probes {
        if let Some(b) = run(session, engine, &p).await {
            out.push(b);
        }
    }
    out
}

/// The table (and column, `None`: every column) each change writes or redefines.
fn writes(change: &Change) -> Vec<(String, Option<String>)> {
    let col = |t: &QualifiedName, c: &str| (t.name.to_ascii_lowercase(), Some(c.to_string()));
    let table = |t: &QualifiedName| (t.name.to_ascii_lowercase(), None);
    match change {
        Change::CreateTable(t) => vec![table(&t.name)],
        Change::DropTable(t) => vec![table(t)],
        Change::RenameTable(r) => vec![table(&r.table), (r.new_name.to_ascii_lowercase(), None)],
        Change::AddColumn(a) => vec![col(&a.table, &a.column.name)],
        Change::DropColumn(c)
        | Change::SetNotNull(c)
        | Change::DropNotNull(c)
        | Change::DropDefault(c) => {
            vec![col(&c.table, &c.column)]
        }
        Change::RenameColumn(r) => vec![col(&r.table, &r.column), col(&r.table, &r.new_name)],
        Change::AlterColumnType(a) => vec![col(&a.table, &a.column)],
        Change::SetDefault(s) => vec![col(&s.table, &s.column)],
        Change::FillColumn(f) => vec![col(&f.target, &f.column)],
        Change::FillNulls(f) | Change::RestoreNulls(f) => {
            vec![col(&f.column.table, &f.column.column)]
        }
        Change::CopyRows(c) => vec![table(&c.target)],
        Change::RawSql(_) | Change::CreateObject(_) => vec![("".into(), None)],
        _ => vec![],
    }
}

/// The table `t` before the plan, when it has every column of `cols`.
fn existing<'a>(before: &'a DatabaseSchema, t: &QualifiedName, cols: &[&str]) -> Option<&'a Table> {
    let table = before.tables.iter().find(|x| {
        x.name.name.eq_ignore_ascii_case(&t.name)
            && match (&t.namespace, &x.name.namespace) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                (Some(_), None) => false,
                _ => true,
            }
    })?;
    cols.iter()
        .all(|c| table.columns.iter().any(|x| x.name.eq_ignore_ascii_case(c)))
        .then_some(table)
}

/// The columns that identify a row of `table` for people: its primary key, else `cols`.
fn shown(table: &Table, cols: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = table
        .primary_key
        .as_ref()
        .map(|pk| pk.columns.clone())
        .unwrap_or_default();
    for c in cols {
        if !out.iter().any(|x| x.eq_ignore_ascii_case(c)) {
            out.push(c.to_string());
        }
    }
    out
}

fn duplicates(engine: Engine, n: usize, t: &QualifiedName, cols: &[&str], name: &str) -> Probe {
    let present = cols
        .iter()
        .map(|c| format!("t.{} IS NOT NULL", quote(engine, c)))
        .collect::<Vec<_>>()
        .join(" AND ");
    Probe {
        change: n,
        table: t.clone(),
        condition: present,
        shown: cols.iter().map(|c| c.to_string()).collect(),
        grouped: Some(cols.iter().map(|c| c.to_string()).collect()),
        what: format!(
            "unique {name} on {}({}): {{n}} held by more than one row",
            t.name,
            cols.join(", ")
        ),
    }
}

async fn run(session: &mut Session, engine: Engine, p: &Probe) -> Option<Blocker> {
    let from = format!("{} t", qualified(engine, &p.table));
    let cols = p
        .shown
        .iter()
        .map(|c| format!("t.{}", quote(engine, c)))
        .collect::<Vec<_>>()
        .join(", ");
    let (count_sql, sample_sql) = match &p.grouped {
        None => (
            format!("SELECT COUNT(*) FROM {from} WHERE {}", p.condition),
            format!("SELECT {cols} FROM {from} WHERE {} LIMIT 5", p.condition),
        ),
        Some(_) => (
            format!(
                "SELECT COUNT(*) FROM (SELECT {cols} FROM {from} WHERE {} GROUP BY {cols} HAVING COUNT(*) > 1) d",
                p.condition
            ),
            format!(
                "SELECT {cols} FROM {from} WHERE {} GROUP BY {cols} HAVING COUNT(*) > 1 LIMIT 5",
                p.condition
            ),
        ),
    };
    // A probe the database cannot answer (an expression it reads differently) proves nothing: skipped.
    let r = session.query(&count_sql, &[]).await.ok()?;
    let rows = crate::model::number_at(&r, 0, 0)?.max(0) as u64;
    if rows == 0 {
        return None;
    }
    let sample = match session.query(&sample_sql, &[]).await {
        Ok(r) => (0..r.rows.len())
            .map(|i| {
                p.shown
                    .iter()
                    .enumerate()
                    .map(|(j, c)| format!("{c}={}", shown_value(r.rows[i].get(j))))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect(),
        Err(_) => vec![],
    };
    let noun = match (&p.grouped, rows) {
        (Some(_), 1) => "1 value".to_string(),
        (Some(_), n) => format!("{} values", super::thousands(n)),
        (None, 1) => "1 row".to_string(),
        (None, n) => format!("{} rows", super::thousands(n)),
    };
    Some(Blocker {
        change: p.change,
        what: p.what.replace("{n}", &noun),
        rows,
        sample,
    })
}

fn quote(engine: Engine, part: &str) -> String {
    match engine {
        Engine::MySql => format!("`{}`", part.replace('`', "``")),
        _ => format!("\"{}\"", part.replace('"', "\"\"")),
    }
}

fn qualified(engine: Engine, t: &QualifiedName) -> String {
    match &t.namespace {
        Some(n) => format!("{}.{}", quote(engine, n), quote(engine, &t.name)),
        None => quote(engine, &t.name),
    }
}

fn shown_value(v: Option<&SqlValue>) -> String {
    match v {
        None | Some(SqlValue::Null) => "NULL".into(),
        Some(SqlValue::Boolean(b)) => b.to_string(),
        Some(SqlValue::Integer(n)) => n.to_string(),
        Some(SqlValue::Float(f)) => f.to_string(),
        Some(SqlValue::Text(t)) => format!("'{t}'"),
        Some(SqlValue::Bytes(b)) => format!("{} bytes", b.len()),
    }
}
