//! SQL for the changes that move data (`copy-rows`, `fill-column`, `fill-nulls`). The statements are plain
//! standard SQL on every engine; a dialect passes its own quoting so names stay safe.

use crate::{CopyRows, FillColumn, FillNulls, QualifiedName};

/// `INSERT INTO target (t1, ...) SELECT [DISTINCT] s1, ... FROM source [WHERE a IS NOT NULL OR ...]`.
pub fn copy_rows(
    c: &CopyRows,
    table: impl Fn(&QualifiedName) -> String,
    ident: impl Fn(&str) -> String,
) -> String {
    let targets: Vec<String> = c.columns.iter().map(|p| ident(&p.target)).collect();
    let sources: Vec<String> = c.columns.iter().map(|p| ident(&p.source)).collect();
    let filter: Vec<String> = c
        .when_any_not_null
        .iter()
        .map(|col| format!("{} IS NOT NULL", ident(col)))
        .collect();
    let filter = if filter.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", filter.join(" OR "))
    };
    format!(
        "INSERT INTO {} ({}) SELECT {}{} FROM {}{filter}",
        table(&c.target),
        targets.join(", "),
        if c.distinct { "DISTINCT " } else { "" },
        sources.join(", "),
        table(&c.source)
    )
}

/// `UPDATE target SET column = (SELECT s.value FROM source s WHERE s.a = target.b AND ...)`.
///
/// A correlated subquery works on all three engines (MySQL refuses it only when `source` and
/// `target` are the same table, which a refactor never asks for). Where no row matches, the
/// column becomes NULL, which a NULL in the matched columns also gives.
pub fn fill_column(
    f: &FillColumn,
    table: impl Fn(&QualifiedName) -> String,
    ident: impl Fn(&str) -> String,
) -> String {
    let target = table(&f.target);
    let conditions: Vec<String> = f
        .match_on
        .iter()
        .map(|p| format!("s.{} = {}.{}", ident(&p.source), target, ident(&p.target)))
        .collect();
    format!(
        "UPDATE {target} SET {} = (SELECT s.{} FROM {} s WHERE {})",
        ident(&f.column),
        ident(&f.value),
        table(&f.source),
        if conditions.is_empty() {
            "1 = 0".to_string()
        } else {
            conditions.join(" AND ")
        }
    )
}

/// `fill-nulls`: the keys of the rows holding NULL into the bookkeeping table, then the value into them.
pub fn fill_nulls(
    f: &FillNulls,
    table: impl Fn(&QualifiedName) -> String,
    ident: impl Fn(&str) -> String,
) -> Vec<String> {
    let target = table(&f.column.table);
    let column = ident(&f.column.column);
    let keys: Vec<String> = f.key.iter().map(|k| ident(k)).collect();
    vec![
        format!(
            "CREATE TABLE {} AS SELECT {} FROM {target} WHERE {column} IS NULL",
            table(&f.keep),
            keys.join(", ")
        ),
        format!(
            "UPDATE {target} SET {column} = {} WHERE {column} IS NULL",
            f.value
        ),
    ]
}

/// `restore-nulls`: the rows `fill-nulls` filled that still hold its value become NULL again, and the
/// bookkeeping table goes. A value written since is the application's and stays.
pub fn restore_nulls(
    f: &FillNulls,
    table: impl Fn(&QualifiedName) -> String,
    ident: impl Fn(&str) -> String,
) -> Vec<String> {
    let target = table(&f.column.table);
    let keep = table(&f.keep);
    let column = ident(&f.column.column);
    let matched: Vec<String> = f
        .key
        .iter()
        .map(|k| format!("k.{} = {target}.{}", ident(k), ident(k)))
        .collect();
    vec![
        format!(
            "UPDATE {target} SET {column} = NULL WHERE {column} = {} AND EXISTS (SELECT 1 FROM {keep} k WHERE {})",
            f.value,
            matched.join(" AND ")
        ),
        format!("DROP TABLE {keep}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ColumnPair;

    fn name(n: &str) -> QualifiedName {
        QualifiedName {
            namespace: None,
            name: n.into(),
        }
    }
    fn q(s: &str) -> String {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
    fn pair(s: &str, t: &str) -> ColumnPair {
        ColumnPair {
            source: s.into(),
            target: t.into(),
        }
    }

    #[test]
    fn copy_rows_quotes_every_name() {
        let c = CopyRows {
            source: name("users"),
            target: name("pro\"files"),
            columns: vec![pair("id", "user_id"), pair("bio", "x; DROP TABLE users")],
            distinct: true,
            when_any_not_null: vec!["bio".into()],
        };
        assert_eq!(
            copy_rows(&c, |n| q(&n.name), q),
            "INSERT INTO \"pro\"\"files\" (\"user_id\", \"x; DROP TABLE users\") SELECT DISTINCT \"id\", \"bio\" FROM \"users\" WHERE \"bio\" IS NOT NULL"
        );
    }

    #[test]
    fn fill_column_matches_on_pairs() {
        let f = FillColumn {
            target: name("orders"),
            column: "customer_id".into(),
            source: name("customers"),
            value: "id".into(),
            match_on: vec![pair("email", "customer_email")],
        };
        assert_eq!(
            fill_column(&f, |n| q(&n.name), q),
            "UPDATE \"orders\" SET \"customer_id\" = (SELECT s.\"id\" FROM \"customers\" s WHERE s.\"email\" = \"orders\".\"customer_email\")"
        );
    }

    #[test]
    fn fill_nulls_keeps_the_keys_and_restore_sets_back_only_those_rows() {
        let f = FillNulls {
            column: crate::ColumnRef {
                table: name("users"),
                column: "city".into(),
            },
            value: "'n/a'".into(),
            key: vec!["id".into()],
            keep: name("ai_shell_fill_users_city"),
        };
        assert_eq!(
            fill_nulls(&f, |n| q(&n.name), q),
            [
                "CREATE TABLE \"ai_shell_fill_users_city\" AS SELECT \"id\" FROM \"users\" WHERE \"city\" IS NULL",
                "UPDATE \"users\" SET \"city\" = 'n/a' WHERE \"city\" IS NULL"
            ]
        );
        assert_eq!(
            restore_nulls(&f, |n| q(&n.name), q),
            [
                "UPDATE \"users\" SET \"city\" = NULL WHERE \"city\" = 'n/a' AND EXISTS (SELECT 1 FROM \"ai_shell_fill_users_city\" k WHERE k.\"id\" = \"users\".\"id\")",
                "DROP TABLE \"ai_shell_fill_users_city\""
            ]
        );
    }
}
