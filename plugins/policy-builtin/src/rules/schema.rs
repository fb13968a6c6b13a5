//! The whole-schema check (legacy analysis): the design rules applied to every table, and rules that
//! only make sense over a schema (timestamps, bounds, value checks, defaults, key limits, redundant
//! indexes).

use ai_shell_policy_sdk::{
    Column, ColumnType, Finding, Index, IndexMethod, IndexTarget, SchemaInput, Table, same_name,
    setting,
};

use super::design;
use super::naming::{self, NameKind, Style};
use super::{Place, display, finding, thousands};
use crate::sql::{self, Dialect};
use crate::types::{self, Ty};

const CREATED: &[&str] = &[
    "created_at",
    "created_on",
    "created",
    "inserted_at",
    "creation_date",
    "date_created",
];
const UPDATED: &[&str] = &[
    "updated_at",
    "updated_on",
    "modified_at",
    "last_modified",
    "date_modified",
];

pub fn check(input: &SchemaInput, out: &mut Vec<Finding>) {
    let dialect = Dialect::from_name(&input.engine);
    let style = Style::from_settings(setting(&input.settings, "naming-convention", "style"));
    let prefix = setting(&input.settings, "naming-convention", "table-prefix");
    for t in input
        .schema
        .tables
        .iter()
        .filter(|t| !design::ours(&t.name.name))
    {
        let name = display(&t.name);
        let mut push = |id: &str, message: String, hint: &str| {
            out.push(finding(id, message, hint).on(t.name.clone()))
        };
        let pk = t.primary_key.as_ref().filter(|p| !p.columns.is_empty());
        if pk.is_none() {
            push(
                "table-without-primary-key",
                format!("Table {name} has no primary key"),
                design::NO_PRIMARY_KEY_HINT,
            );
        }
        let key_column = pk
            .filter(|p| p.columns.len() == 1)
            .and_then(|p| column(t, &p.columns[0]));
        if let Some(c) = key_column
            && types::from_model(&c.data_type).is_small_int()
        {
            push(
                "int-primary-key",
                design::int_key_message(&name, &c.name, &types::describe(&c.data_type)),
                design::INT_KEY_HINT,
            );
        }
        if dialect != Dialect::Mysql {
            let keys = design::table_keys(t);
            for fk in &t.foreign_keys {
                if !keys.iter().any(|k| design::leads(k, &fk.columns)) {
                    push(
                        "foreign-key-without-index",
                        design::fk_message(
                            &name,
                            &format!("{} ", fk.name),
                            &fk.columns,
                            &fk.referenced_table.name,
                        ),
                        design::FK_INDEX_HINT,
                    );
                }
            }
        }
        for c in &t.columns {
            let ty = types::from_model(&c.data_type);
            if matches!(c.data_type, ColumnType::Timestamp(_)) {
                push(
                    "timestamp-without-time-zone",
                    design::timestamp_message(&name, &c.name),
                    design::TIMESTAMP_HINT,
                );
            }
            if matches!(ty, Ty::Float { .. }) && design::money_name(&c.name) {
                push(
                    "float-for-money",
                    design::money_message(&name, &c.name, &types::describe(&c.data_type)),
                    design::MONEY_HINT,
                );
            }
            if short_value_name(&c.name) && unbounded(&ty) {
                push(
                    "unbounded-text-for-short-values",
                    format!(
                        "{name}.{} holds short values but is {}: without a bound any length goes in, \
                         and a bug can store megabytes",
                        c.name,
                        types::describe(&c.data_type)
                    ),
                    "Use varchar(n) with a realistic bound (varchar(254) for an email, varchar(3) for a \
                     currency code), or add a CHECK on its length.",
                );
            }
            if enum_like_name(&c.name) && ty.is_str() && !checked(t, &c.name) {
                push(
                    "enum-like-without-check",
                    format!(
                        "{name}.{} looks like it holds one of a few values, but nothing limits them: \
                         typos and stray values go in unnoticed",
                        c.name
                    ),
                    &format!(
                        "Add CHECK ({} IN ('a', 'b', ...)), or use an enum type or a lookup table with a \
                         foreign key.",
                        c.name
                    ),
                );
            }
            let filled = c.default.is_some() || c.identity.is_some() || c.generated.is_some();
            let wants_default =
                matches!(ty, Ty::Bool) || CREATED.contains(&lower(&c.name).as_str());
            if !c.nullable && !filled && wants_default {
                push(
                    "missing-default",
                    format!(
                        "{name}.{} is NOT NULL without a default: every INSERT must give it a value",
                        c.name
                    ),
                    "Add a default: DEFAULT false for a flag, DEFAULT now() / CURRENT_TIMESTAMP for a \
                     creation time.",
                );
            }
        }
        let has = |names: &[&str]| {
            t.columns
                .iter()
                .any(|c| names.contains(&lower(&c.name).as_str()))
        };
        if !has(CREATED) {
            let updated = if has(UPDATED) {
                ""
            } else {
                " (nor an updated_at-like column)"
            };
            push(
                "table-without-timestamps",
                format!(
                    "Table {name} has no created_at-like column{updated}: when a row appeared cannot be told"
                ),
                "Add created_at timestamptz NOT NULL DEFAULT now() (and updated_at, kept current by the \
                 application or a trigger).",
            );
        }
        if dialect != Dialect::Sqlite
            && let Some(c) = key_column
            && let Some(max) = types::from_model(&c.data_type).int_max()
            && let Some(stats) = input.stats.iter().find(|s| same_name(&s.table, &t.name))
        {
            let fraction = setting(&input.settings, "integer-key-near-limit", "fraction")
                .and_then(|v| v.trim().parse::<f64>().ok())
                .unwrap_or(0.5);
            if stats.rows as f64 >= fraction * max as f64 {
                push(
                    "integer-key-near-limit",
                    format!(
                        "{name}.{} is {} (largest value {}) and the table holds about {} rows, {:.0}% of \
                         that: inserts fail once the key reaches the limit",
                        c.name,
                        types::describe(&c.data_type),
                        thousands(max),
                        thousands(stats.rows),
                        stats.rows as f64 * 100.0 / max as f64
                    ),
                    "Change the key, and every foreign key to it, to bigint before it runs out (plan it \
                     with `ai-shell migrate --zero-downtime` on a big table).",
                );
            }
        }
        for (redundant, by) in duplicate_indexes(t) {
            push(
                "duplicate-index",
                format!(
                    "Index {redundant} on {name} is redundant: {by} already serves the same lookups, \
                     and each index slows every write"
                ),
                &format!(
                    "Drop {redundant} (DROP INDEX, CONCURRENTLY on PostgreSQL) after checking nothing \
                     relies on it by name."
                ),
            );
        }
        for (kind, n) in names(t, dialect) {
            if let Some((message, hint)) = naming::naming_problem(style, prefix, kind, n) {
                push("naming-convention", message, &hint);
            }
        }
    }
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

fn column<'t>(t: &'t Table, name: &str) -> Option<&'t Column> {
    t.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// Names that mean short values (`email`, `country_code`, `status`...).
fn short_value_name(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "email",
        "phone",
        "zip",
        "zip_code",
        "postal_code",
        "country_code",
        "currency",
        "currency_code",
        "status",
        "state",
        "gender",
        "locale",
        "language",
        "slug",
        "sku",
        "username",
    ];
    let n = lower(name);
    NAMES.contains(&n.as_str()) || n.ends_with("_phone") || n.ends_with("_code")
}

/// Text without a bound (or over 255 characters).
fn unbounded(ty: &Ty) -> bool {
    matches!(ty, Ty::Str { max: None, .. })
        || matches!(ty, Ty::Str { max: Some(n), .. } if *n > 255)
}

/// Names of columns that hold one of a few values (`status`, `kind`, `user_type`...).
fn enum_like_name(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "status", "state", "type", "kind", "role", "category", "level", "priority",
    ];
    let n = lower(name);
    NAMES.contains(&n.as_str()) || n.ends_with("_type") || n.ends_with("_status")
}

/// Whether a check of `t` reads `column`.
fn checked(t: &Table, column: &str) -> bool {
    t.checks.iter().any(|k| {
        k.name.eq_ignore_ascii_case(column)
            || sql::tokenize(&k.expression, Dialect::Other)
                .iter()
                .any(|tok| tok.is_ident() && tok.text.eq_ignore_ascii_case(column))
    })
}

/// Every index, constraint and column name of `t`, with the table's own (engine-made names skipped).
fn names(t: &Table, dialect: Dialect) -> Vec<(NameKind, &str)> {
    let mut out = vec![(NameKind::Table, t.name.name.as_str())];
    out.extend(
        t.columns
            .iter()
            .map(|c| (NameKind::Column, c.name.as_str())),
    );
    out.extend(
        t.indexes
            .iter()
            .filter(|x| !(dialect == Dialect::Mysql && x.name == "PRIMARY"))
            .map(|x| (NameKind::Index, x.name.as_str())),
    );
    out.extend(
        t.uniques
            .iter()
            .map(|u| (NameKind::Constraint, u.name.as_str())),
    );
    out.extend(
        t.foreign_keys
            .iter()
            .map(|f| (NameKind::Constraint, f.name.as_str())),
    );
    out.extend(
        t.checks
            .iter()
            .map(|k| (NameKind::Constraint, k.name.as_str())),
    );
    if dialect != Dialect::Mysql
        && let Some(n) = t.primary_key.as_ref().and_then(|p| p.name.as_deref())
    {
        out.push((NameKind::Constraint, n));
    }
    out.retain(|(_, n)| !n.is_empty() && !lower(n).starts_with("sqlite_autoindex"));
    out
}

/// A key as compared for redundancy: target, order, operator class, collation, prefix length.
#[derive(PartialEq)]
struct Key(String, bool, Option<String>, Option<String>, Option<u32>);

/// One index or key of a table, for redundancy.
struct Keyed<'t> {
    name: String,
    keys: Vec<Key>,
    index: Option<&'t Index>,
    method: String,
}

/// `(redundant, made redundant by)`: non-unique, non-partial indexes whose keys equal or lead the keys
/// of another index, unique or primary key of the same method.
fn duplicate_indexes(t: &Table) -> Vec<(String, String)> {
    let plain = |c: &String| Key(lower(c), false, None, None, None);
    let mut all: Vec<Keyed> = Vec::new();
    if let Some(p) = &t.primary_key {
        all.push(Keyed {
            name: "the primary key".into(),
            keys: p.columns.iter().map(plain).collect(),
            index: None,
            method: "btree".into(),
        });
    }
    for u in &t.uniques {
        all.push(Keyed {
            name: format!("unique constraint {}", u.name),
            keys: u.columns.iter().map(plain).collect(),
            index: None,
            method: "btree".into(),
        });
    }
    for x in &t.indexes {
        all.push(Keyed {
            name: x.name.clone(),
            keys: x
                .keys
                .iter()
                .map(|k| {
                    let target = match &k.target {
                        IndexTarget::Column(c) => lower(c),
                        IndexTarget::Expression(e) => format!("({})", lower(e.trim())),
                    };
                    Key(
                        target,
                        k.descending,
                        k.opclass.clone(),
                        k.collation.clone(),
                        k.prefix_length,
                    )
                })
                .collect(),
            index: Some(x),
            method: method(&x.method),
        });
    }
    let mut out = Vec::new();
    for (a_at, a) in all.iter().enumerate() {
        let Some(ax) = a.index else { continue };
        if ax.unique || ax.predicate.is_some() || a.keys.is_empty() {
            continue;
        }
        let by = all.iter().enumerate().find(|(b_at, b)| {
            let b_partial = b.index.is_some_and(|bx| bx.predicate.is_some());
            let same = b.keys == a.keys;
            // Of two identical plain indexes, the later one is the redundant one.
            let b_plain_twin = same && b.index.is_some_and(|bx| !bx.unique) && *b_at > a_at;
            *b_at != a_at
                && !b.name.eq_ignore_ascii_case(&a.name)
                && !b_partial
                && b.method == a.method
                && b.keys.len() >= a.keys.len()
                && b.keys[..a.keys.len()] == a.keys[..]
                && !b_plain_twin
        });
        if let Some((_, b)) = by {
            out.push((a.name.clone(), b.name.clone()));
        }
    }
    out
}

fn method(m: &IndexMethod) -> String {
    match m {
        IndexMethod::Btree => "btree".into(),
        IndexMethod::Hash => "hash".into(),
        IndexMethod::Gin => "gin".into(),
        IndexMethod::Gist => "gist".into(),
        IndexMethod::Brin => "brin".into(),
        IndexMethod::Spgist => "spgist".into(),
        IndexMethod::Fulltext => "fulltext".into(),
        IndexMethod::Spatial => "spatial".into(),
        IndexMethod::Other(o) => lower(o),
    }
}
