//! ALTER TABLE and DROP changes on existing tables: columns, keys, constraints, indexes.

use ai_shell_plugin_sdk::{
    Change, ColumnType, IdentityKind, LockLevel, NumericParams, PluginError, QualifiedName,
    SetIdentity, SetTableOptions,
};

use super::table::{self, column_comment, index_name};
use super::{Attributes, Context, Output};
use crate::{names, quote};

pub fn render(change: &Change, cx: &Context, out: &mut Output) -> Result<(), PluginError> {
    use LockLevel::{Exclusive, Shared};
    match change {
        Change::DropTable(name) => {
            out.push(format!("DROP TABLE {}", quote::qualified(name)))
                .lock(Exclusive)
                .reversible(false);
        }
        Change::RenameTable(r) => {
            out.push(format!(
                "ALTER TABLE {} RENAME TO {}",
                quote::qualified(&r.table),
                quote::ident(&r.new_name)
            ))
            .lock(Exclusive);
        }
        Change::AddColumn(a) => {
            let c = &a.column;
            let rewrites = c.identity.is_some()
                || c.generated.is_some()
                || c.default.as_deref().is_some_and(is_volatile);
            out.push(format!(
                "ALTER TABLE {} ADD COLUMN {}",
                quote::qualified(&a.table),
                table::column_definition(c)?
            ))
            .lock(Exclusive)
            .rewrites(rewrites);
            if let Some(comment) = &c.comment {
                out.push(column_comment(&a.table, &c.name, Some(comment)));
            }
        }
        Change::DropColumn(c) => {
            out.push(format!(
                "ALTER TABLE {} DROP COLUMN {}",
                quote::qualified(&c.table),
                quote::ident(&c.column)
            ))
            .lock(Exclusive)
            .reversible(false);
        }
        Change::RenameColumn(r) => {
            out.push(format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                quote::qualified(&r.table),
                quote::ident(&r.column),
                quote::ident(&r.new_name)
            ))
            .lock(Exclusive);
        }
        Change::AlterColumnType(a) => {
            let mut sql = format!(
                "ALTER TABLE {} ALTER COLUMN {} TYPE {}",
                quote::qualified(&a.table),
                quote::ident(&a.column),
                crate::types::type_name(&a.new_type)?
            );
            let old_type = cx.column_type(&a.table, &a.column);
            if let Some(using) = &a.using {
                sql.push_str(&format!(" USING {using}"));
            } else if old_type
                .as_ref()
                .is_some_and(|old| needs_explicit_cast(old, &a.new_type))
            {
                // No assignment cast (text to integer, integer to boolean...): the explicit one, which
                // fails on a value that does not convert (the migration then changes nothing).
                sql.push_str(&format!(
                    " USING {}::{}",
                    quote::ident(&a.column),
                    crate::types::type_name(&a.new_type)?
                ));
            }
            let (rewrites, reversible) = match old_type {
                Some(old) => type_change(&old, &a.new_type),
                None => (true, false),
            };
            let (rewrites, reversible) = if a.using.is_some() {
                (true, false)
            } else {
                (rewrites, reversible)
            };
            out.push(sql)
                .lock(Exclusive)
                .rewrites(rewrites)
                .reversible(reversible);
        }
        Change::SetNotNull(c) => {
            alter_column(out, &c.table, &c.column, "SET NOT NULL");
        }
        Change::DropNotNull(c) => {
            alter_column(out, &c.table, &c.column, "DROP NOT NULL");
        }
        Change::SetDefault(d) => {
            alter_column(
                out,
                &d.table,
                &d.column,
                &format!("SET DEFAULT {}", d.default),
            );
        }
        Change::DropDefault(c) => {
            alter_column(out, &c.table, &c.column, "DROP DEFAULT");
        }
        Change::SetCollation(c) => {
            // The same type with another collation: indexes on the column are rebuilt, rows are not.
            let data_type = cx.column_type(&c.table, &c.column).ok_or_else(|| {
                PluginError::InvalidInput(format!(
                    "column {}.{}: its type is not known, so its collation cannot be set",
                    c.table.name, c.column
                ))
            })?;
            let collation = match &c.collation {
                Some(x) => quote::dotted(x),
                None => "pg_catalog.\"default\"".to_string(),
            };
            out.push(format!(
                "ALTER TABLE {} ALTER COLUMN {} TYPE {} COLLATE {collation}",
                quote::qualified(&c.table),
                quote::ident(&c.column),
                crate::types::type_name(&data_type)?
            ))
            .lock(Exclusive);
        }
        Change::SetIdentity(s) => set_identity(s, cx, out)?,
        Change::SetTableOptions(s) => set_table_options(s, cx, out)?,
        Change::AddPrimaryKey(a) => {
            out.push(format!(
                "ALTER TABLE {} ADD {}",
                quote::qualified(&a.table),
                table::primary_key(&a.primary_key)?
            ))
            .lock(Exclusive);
        }
        Change::DropPrimaryKey(t) => {
            drop_constraint(out, t, &cx.primary_key_name(t));
        }
        Change::DropIndex(o) => {
            out.push(format!("DROP INDEX {}", index_name(&o.table, &o.name)))
                .lock(Exclusive);
        }
        Change::AddUnique(a) => {
            out.push(format!(
                "ALTER TABLE {} ADD {}",
                quote::qualified(&a.table),
                table::unique(&a.constraint)?
            ))
            .lock(Exclusive);
        }
        Change::DropUnique(o) | Change::DropForeignKey(o) | Change::DropCheck(o) => {
            drop_constraint(out, &o.table, &o.name);
        }
        Change::AddForeignKey(a) => {
            // SHARE ROW EXCLUSIVE on both tables: writes wait, reads go on.
            out.push(format!(
                "ALTER TABLE {} ADD {}",
                quote::qualified(&a.table),
                table::foreign_key(&a.foreign_key)?
            ))
            .lock(Shared);
        }
        Change::AddCheck(a) => {
            out.push(format!(
                "ALTER TABLE {} ADD {}",
                quote::qualified(&a.table),
                table::check(&a.check)
            ))
            .lock(Exclusive);
        }
        _ => unreachable!("dispatched by render_one"),
    }
    Ok(())
}

fn alter_column(
    out: &mut Output,
    table: &ai_shell_plugin_sdk::QualifiedName,
    column: &str,
    action: &str,
) {
    out.push(format!(
        "ALTER TABLE {} ALTER COLUMN {} {action}",
        quote::qualified(table),
        quote::ident(column)
    ))
    .lock(LockLevel::Exclusive);
}

/// Moves a column between no identity, serial (a sequence it owns, as its default) and `GENERATED ... AS
/// IDENTITY`. The values stay; a new generator continues after the largest value the column holds.
fn set_identity(s: &SetIdentity, cx: &Context, out: &mut Output) -> Result<(), PluginError> {
    use IdentityKind as K;
    let generated = |k: IdentityKind| match k {
        K::Always => "ALWAYS",
        _ => "BY DEFAULT",
    };
    let serial_sequence = QualifiedName {
        namespace: s.table.namespace.clone(),
        name: names::make_object_name(&s.table.name, Some(&s.column), "seq"),
    };
    let old = cx.identity(&s.table, &s.column);
    match (old, s.identity) {
        (a, b) if a == b => return Ok(()),
        (Some(K::Always | K::ByDefault), Some(new @ (K::Always | K::ByDefault))) => {
            let action = format!("SET GENERATED {}", generated(new));
            alter_column(out, &s.table, &s.column, &action);
            return Ok(());
        }
        (Some(K::Always | K::ByDefault), _) => {
            alter_column(out, &s.table, &s.column, "DROP IDENTITY");
        }
        (Some(K::AutoIncrement), _) => {
            alter_column(out, &s.table, &s.column, "DROP DEFAULT");
            out.push(format!(
                "DROP SEQUENCE {}",
                quote::qualified(&serial_sequence)
            ))
            .lock(LockLevel::Exclusive);
        }
        (None, _) => {}
    }
    let sequence = match s.identity {
        None => return Ok(()),
        Some(K::AutoIncrement) => {
            let data_type = match cx.column_type(&s.table, &s.column) {
                Some(ColumnType::Smallint) => "smallint",
                Some(ColumnType::Integer) => "integer",
                Some(ColumnType::Bigint) => "bigint",
                _ => {
                    return Err(PluginError::InvalidInput(format!(
                        "column {}.{}: serial needs smallint, integer or bigint",
                        s.table.name, s.column
                    )));
                }
            };
            let name = quote::qualified(&serial_sequence);
            out.push(format!(
                "CREATE SEQUENCE {name} AS {data_type} OWNED BY {}.{}",
                quote::qualified(&s.table),
                quote::ident(&s.column)
            ));
            let action = format!("SET DEFAULT nextval({}::regclass)", quote::literal(&name));
            alter_column(out, &s.table, &s.column, &action);
            quote::literal(&name)
        }
        Some(kind) => {
            let action = format!("ADD GENERATED {} AS IDENTITY", generated(kind));
            alter_column(out, &s.table, &s.column, &action);
            format!(
                "pg_get_serial_sequence({}, {})",
                quote::literal(&quote::qualified(&s.table)),
                quote::literal(&s.column)
            )
        }
    };
    // Rows already hold values: the generator starts after the largest (at 1 on an empty table).
    let column = quote::ident(&s.column);
    out.push(format!(
        "SELECT setval({sequence}, COALESCE(max({column}), 1), max({column}) IS NOT NULL) FROM {}",
        quote::qualified(&s.table)
    ))
    .lock(LockLevel::Shared);
    Ok(())
}

/// `SET LOGGED`/`SET UNLOGGED` and storage parameters set or reset; partitioning and inheritance are not
/// changed in place.
fn set_table_options(
    s: &SetTableOptions,
    cx: &Context,
    out: &mut Output,
) -> Result<(), PluginError> {
    let old = cx.table_options(&s.table);
    let unlogged = |o: &[String]| o.iter().any(|x| x == "UNLOGGED");
    let storage = |o: &[String]| -> Vec<(String, String)> {
        o.iter()
            .filter_map(|x| x.strip_prefix("WITH (")?.strip_suffix(')'))
            .flat_map(|list| list.split(", "))
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (kv.to_string(), String::new()),
            })
            .collect()
    };
    let structural = |o: &[String]| -> Vec<String> {
        o.iter()
            .filter(|x| *x != "UNLOGGED" && !x.starts_with("WITH ("))
            .cloned()
            .collect()
    };
    if structural(&old) != structural(&s.options) {
        return Err(PluginError::UnsupportedChange(format!(
            "table {}: partitioning and inheritance ({} to {}) are not changed in place; create the table anew and copy the rows",
            s.table.name,
            structural(&old).join(" "),
            structural(&s.options).join(" ")
        )));
    }
    let table = quote::qualified(&s.table);
    if unlogged(&old) != unlogged(&s.options) {
        let to = if unlogged(&s.options) {
            "UNLOGGED"
        } else {
            "LOGGED"
        };
        out.push(format!("ALTER TABLE {table} SET {to}"))
            .lock(LockLevel::Exclusive)
            .rewrites(true);
    }
    let (a, b) = (storage(&old), storage(&s.options));
    let set: Vec<String> = b
        .iter()
        .filter(|kv| !a.contains(kv))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let reset: Vec<String> = a
        .iter()
        .filter(|(k, _)| !b.iter().any(|(x, _)| x == k))
        .map(|(k, _)| k.clone())
        .collect();
    if !set.is_empty() {
        out.push(format!("ALTER TABLE {table} SET ({})", set.join(", ")))
            .lock(LockLevel::Exclusive);
    }
    if !reset.is_empty() {
        out.push(format!("ALTER TABLE {table} RESET ({})", reset.join(", ")))
            .lock(LockLevel::Exclusive);
    }
    Ok(())
}

fn drop_constraint(out: &mut Output, table: &ai_shell_plugin_sdk::QualifiedName, name: &str) {
    out.push(format!(
        "ALTER TABLE {} DROP CONSTRAINT {}",
        quote::qualified(table),
        quote::ident(name)
    ))
    .lock(LockLevel::Exclusive);
}

/// A default PostgreSQL evaluates per row when a column is added (so the table is rewritten).
fn is_volatile(default: &str) -> bool {
    let d = default.to_ascii_lowercase();
    [
        "nextval(",
        "random(",
        "gen_random_uuid(",
        "uuid_generate",
        "clock_timestamp(",
        "timeofday(",
    ]
    .iter()
    .any(|f| d.contains(f))
}

/// Whether PostgreSQL has no assignment cast from `old` to `new`, so `ALTER COLUMN ... TYPE` needs
/// `USING col::new`: text to anything but text, and between integers and booleans. Text to shorter text is
/// never given one (an explicit cast would cut values short where the assignment cast refuses them).
pub fn needs_explicit_cast(old: &ColumnType, new: &ColumnType) -> bool {
    use ColumnType as T;
    let text = |t: &T| matches!(t, T::Varchar(_) | T::Char(_) | T::Text);
    let int = |t: &T| matches!(t, T::Smallint | T::Integer | T::Bigint);
    (text(old) && !text(new) && !matches!(new, T::Other(_)))
        || (int(old) && matches!(new, T::Boolean))
        || (matches!(old, T::Boolean) && int(new))
}

/// (rewrites the table, can be changed back without loss) for a type change without USING.
pub fn type_change(old: &ColumnType, new: &ColumnType) -> (bool, bool) {
    use ColumnType as T;
    if crate::model::same_type(old, new) {
        return (false, true);
    }
    let int_rank = |t: &T| match t {
        T::Smallint => Some(1),
        T::Integer => Some(2),
        T::Bigint => Some(3),
        _ => None,
    };
    match (old, new) {
        (T::Varchar(Some(a)), T::Varchar(Some(b))) => (b < a, b >= a),
        (T::Varchar(_), T::Varchar(None) | T::Text) | (T::Text, T::Varchar(None)) => (false, true),
        (T::Char(_), T::Varchar(None) | T::Text) => (true, true),
        (
            T::Numeric(NumericParams {
                precision: Some(p1),
                scale: s1,
            }),
            T::Numeric(NumericParams {
                precision: Some(p2),
                scale: s2,
            }),
        ) => {
            let widening = s1.unwrap_or(0) == s2.unwrap_or(0) && p2 >= p1;
            (!widening, widening)
        }
        (
            T::Numeric(_),
            T::Numeric(NumericParams {
                precision: None, ..
            }),
        ) => (false, true),
        (T::Timestamp(a), T::Timestamp(b)) | (T::TimestampTz(a), T::TimestampTz(b)) => {
            let widening = b.is_none() || (a.is_some() && b >= a);
            (!widening, widening)
        }
        (T::Real, T::Double) | (T::Json, T::Jsonb) => (true, true),
        (T::Timestamp(_), T::TimestampTz(_)) => (true, true),
        _ => match (int_rank(old), int_rank(new)) {
            (Some(a), Some(b)) => (true, b > a),
            _ => (true, false),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_without_an_assignment_cast_are_explicit() {
        use ColumnType as T;
        assert!(needs_explicit_cast(&T::Text, &T::Integer));
        assert!(needs_explicit_cast(&T::Varchar(Some(20)), &T::Date));
        assert!(needs_explicit_cast(&T::Integer, &T::Boolean));
        assert!(needs_explicit_cast(&T::Boolean, &T::Bigint));
        // Shortening text keeps the refusing assignment cast; widening needs no cast at all.
        assert!(!needs_explicit_cast(&T::Text, &T::Varchar(Some(3))));
        assert!(!needs_explicit_cast(&T::Integer, &T::Bigint));
        assert!(!needs_explicit_cast(&T::Integer, &T::Text));
    }

    #[test]
    fn type_changes() {
        use ColumnType as T;
        assert_eq!(
            type_change(&T::Varchar(Some(10)), &T::Varchar(Some(20))),
            (false, true)
        );
        assert_eq!(
            type_change(&T::Varchar(Some(20)), &T::Varchar(Some(10))),
            (true, false)
        );
        assert_eq!(type_change(&T::Varchar(Some(20)), &T::Text), (false, true));
        assert_eq!(type_change(&T::Integer, &T::Bigint), (true, true));
        assert_eq!(type_change(&T::Bigint, &T::Integer), (true, false));
        assert_eq!(type_change(&T::Text, &T::Integer), (true, false));
    }
}
