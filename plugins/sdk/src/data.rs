//! SQL for the changes that move data (`copy-rows`, `fill-column`). The statements are plain
//! standard SQL on every engine; a dialect passes its own quoting so names stay safe.

use crate::{CopyRows, FillColumn, QualifiedName};

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
}
