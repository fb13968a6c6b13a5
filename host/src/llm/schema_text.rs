//! A compact text form of the live schema for the prompt: one line per table, e.g.
//! `users(id bigint pk identity, email varchar(255) null) unique uq_users_email(email); fk org_id -> orgs(id) on delete cascade`.
//! On a large schema only the tables the request mentions, and their foreign-key neighbours, are given in full.

use std::collections::{BTreeSet, HashMap};

use crate::model::{ColumnType, DatabaseSchema, FkAction, IndexTarget, Table};

/// Above this many characters the schema text is narrowed to the tables the request mentions.
pub const BUDGET: usize = 24_000;

/// The schema as the model reads it, narrowed to what `request` mentions when the whole is over `budget`.
pub fn render(schema: &DatabaseSchema, request: &str, budget: usize) -> String {
    let lines: Vec<String> = schema.tables.iter().map(table_line).collect();
    let extras = extra_lines(schema);
    let total: usize = lines.iter().chain(&extras).map(|l| l.len() + 1).sum();
    if total <= budget {
        return finish(lines.into_iter().chain(extras).collect(), "");
    }
    let keep = relevant(schema, request);
    let mut out: Vec<String> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for (i, t) in schema.tables.iter().enumerate() {
        if keep.contains(&i) {
            out.push(lines[i].clone());
        } else {
            others.push(t.name.display());
        }
    }
    let mut note = format!(
        "\n({} of {} tables shown in full: those the request mentions and their foreign-key neighbours.)",
        out.len(),
        schema.tables.len()
    );
    let mut names = String::from("\nOther tables: ");
    for name in &others {
        if names.len() + name.len() > budget / 2 {
            names.push_str("...");
            break;
        }
        names.push_str(name);
        names.push_str(", ");
    }
    if !others.is_empty() {
        note.push_str(names.trim_end_matches(", "));
    }
    finish(out, &note)
}

fn finish(lines: Vec<String>, note: &str) -> String {
    if lines.is_empty() && note.is_empty() {
        return "(the database has no tables)".into();
    }
    format!("{}{note}", lines.join("\n"))
}

/// Indices of the tables named in the request (by table name, or by a column name few tables share), plus the
/// tables they reference and the tables referencing them.
fn relevant(schema: &DatabaseSchema, request: &str) -> BTreeSet<usize> {
    let words = words(request);
    let mentioned = |name: &str| {
        let n = name.to_ascii_lowercase();
        words.iter().any(|w| {
            *w == n
                || format!("{w}s") == n
                || format!("{w}es") == n
                || format!("{n}s") == *w
                || n.strip_suffix("ies").map(|s| format!("{s}y")) == Some(w.clone())
        })
    };
    let mut shared: HashMap<String, usize> = HashMap::new();
    for t in &schema.tables {
        for c in &t.columns {
            *shared.entry(c.name.to_ascii_lowercase()).or_default() += 1;
        }
    }
    let column_tables = |col: &str| shared.get(&col.to_ascii_lowercase()).copied().unwrap_or(0);
    let rare = (schema.tables.len() / 50).max(3);
    let mut keep = BTreeSet::new();
    for (i, t) in schema.tables.iter().enumerate() {
        let by_table = mentioned(&t.name.name);
        let by_column = t.columns.iter().any(|c| {
            words.contains(&c.name.to_ascii_lowercase()) && column_tables(&c.name) <= rare
        });
        if by_table || by_column {
            keep.insert(i);
        }
    }
    let seeds: Vec<usize> = keep.iter().copied().collect();
    for i in seeds {
        let seed = &schema.tables[i];
        for (j, t) in schema.tables.iter().enumerate() {
            let refers = |a: &Table, b: &Table| {
                a.foreign_keys
                    .iter()
                    .any(|fk| fk.referenced_table.name == b.name.name)
            };
            if refers(seed, t) || refers(t, seed) {
                keep.insert(j);
            }
        }
    }
    keep
}

/// Lower-case words of the request, and each pair of neighbours joined by `_` (`order items` -> `order_items`).
fn words(request: &str) -> Vec<String> {
    let single: Vec<String> = request
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let pairs: Vec<String> = single
        .windows(2)
        .map(|p| format!("{}_{}", p[0], p[1]))
        .collect();
    single.into_iter().chain(pairs).collect()
}

fn table_line(t: &Table) -> String {
    let pk: Vec<&str> = t
        .primary_key
        .as_ref()
        .map(|pk| pk.columns.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let cols: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            let mut s = format!("{} {}", c.name, type_text(&c.data_type));
            if pk.len() == 1 && pk[0] == c.name {
                s.push_str(" pk");
            }
            if c.identity.is_some() {
                s.push_str(" identity");
            }
            if c.nullable {
                s.push_str(" null");
            }
            if let Some(d) = &c.default {
                s.push_str(&format!(" default {d}"));
            }
            s
        })
        .collect();
    let mut parts = Vec::new();
    if pk.len() > 1 {
        parts.push(format!("pk({})", pk.join(",")));
    }
    for u in &t.uniques {
        parts.push(format!("unique {}({})", u.name, u.columns.join(",")));
    }
    for ix in &t.indexes {
        let keys: Vec<String> = ix
            .keys
            .iter()
            .map(|k| match &k.target {
                IndexTarget::Column(c) => c.clone(),
                IndexTarget::Expression(e) => format!("({e})"),
            })
            .collect();
        let kind = if ix.unique { "unique index" } else { "index" };
        parts.push(format!("{kind} {}({})", ix.name, keys.join(",")));
    }
    for fk in &t.foreign_keys {
        let mut s = format!(
            "fk {} {} -> {}({})",
            fk.name,
            fk.columns.join(","),
            fk.referenced_table.display(),
            fk.referenced_columns.join(",")
        );
        if fk.on_delete != FkAction::NoAction {
            s.push_str(&format!(" on delete {}", action(fk.on_delete)));
        }
        parts.push(s);
    }
    for ck in &t.checks {
        parts.push(format!("check {}({})", ck.name, ck.expression));
    }
    let mut line = format!("{}({})", t.name.display(), cols.join(", "));
    if !parts.is_empty() {
        line.push(' ');
        line.push_str(&parts.join("; "));
    }
    line
}

/// Enums and views, one line each.
fn extra_lines(schema: &DatabaseSchema) -> Vec<String> {
    let enums = schema
        .enums
        .iter()
        .map(|e| format!("enum {}({})", e.name.display(), e.labels.join(", ")));
    let views = schema
        .views
        .iter()
        .map(|v| format!("view {}", v.name.display()));
    enums.chain(views).collect()
}

fn action(a: FkAction) -> &'static str {
    match a {
        FkAction::NoAction => "no action",
        FkAction::Restrict => "restrict",
        FkAction::Cascade => "cascade",
        FkAction::SetNull => "set null",
        FkAction::SetDefault => "set default",
    }
}

/// `varchar(255)`, `numeric(10,2)`, `timestamptz`...
pub fn type_text(t: &ColumnType) -> String {
    let p = |name: &str, n: &Option<u32>| match n {
        Some(n) => format!("{name}({n})"),
        None => name.to_string(),
    };
    match t {
        ColumnType::Boolean => "boolean".into(),
        ColumnType::Smallint => "smallint".into(),
        ColumnType::Integer => "integer".into(),
        ColumnType::Bigint => "bigint".into(),
        ColumnType::Real => "real".into(),
        ColumnType::Double => "double".into(),
        ColumnType::Numeric(n) => match (n.precision, n.scale) {
            (Some(p), Some(s)) => format!("numeric({p},{s})"),
            (Some(p), None) => format!("numeric({p})"),
            _ => "numeric".into(),
        },
        ColumnType::Char(n) => p("char", n),
        ColumnType::Varchar(n) => p("varchar", n),
        ColumnType::Text => "text".into(),
        ColumnType::Blob => "blob".into(),
        ColumnType::Date => "date".into(),
        ColumnType::Time(n) => p("time", n),
        ColumnType::Timestamp(n) => p("timestamp", n),
        ColumnType::TimestampTz(n) => p("timestamptz", n),
        ColumnType::Interval => "interval".into(),
        ColumnType::Uuid => "uuid".into(),
        ColumnType::Json => "json".into(),
        ColumnType::Jsonb => "jsonb".into(),
        ColumnType::EnumRef(q) => format!("enum {}", q.display()),
        ColumnType::InlineEnum(labels) => format!("enum({})", labels.join(",")),
        ColumnType::Other(s) => s.clone(),
    }
}
