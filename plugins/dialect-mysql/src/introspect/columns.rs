//! Columns from `information_schema.COLUMNS`, with MariaDB's and MySQL's default spellings
//! normalised to one SQL expression that renders back to the same catalog entry.

use ai_shell_plugin_sdk::{Column, ColumnType, GeneratedColumn, IdentityKind};

use crate::{quote, types};

/// One row of [`super::queries::COLUMNS`].
pub struct ColumnRow {
    pub table: String,
    pub name: String,
    pub position: i64,
    pub column_type: String,
    pub data_type: String,
    pub nullable: bool,
    pub default: Option<String>,
    pub extra: String,
    pub collation: Option<String>,
    pub comment: String,
    pub generation: Option<String>,
}

/// Suffix that marks an `ON UPDATE` clause kept in a column's default, the model having no field
/// of its own for it: `current_timestamp() ON UPDATE current_timestamp()`.
pub use crate::ON_UPDATE;

fn is_numeric(data_type: &str) -> bool {
    matches!(
        data_type,
        "tinyint"
            | "smallint"
            | "mediumint"
            | "int"
            | "bigint"
            | "decimal"
            | "float"
            | "double"
            | "year"
    )
}

/// The default as an SQL expression. MariaDB prints literals quoted and expressions as SQL, and
/// `NULL` (text) for "no default" on a nullable column; MySQL 8 prints literals bare and marks
/// expressions `DEFAULT_GENERATED`.
pub fn default_expression(row: &ColumnRow, mariadb: bool) -> Option<String> {
    if row.generation.as_deref().is_some_and(|g| !g.is_empty()) {
        return None;
    }
    let extra = row.extra.to_ascii_lowercase();
    let base = match row.default.as_deref() {
        None => None,
        Some("NULL") if mariadb => None,
        Some(d) if mariadb => Some(d.to_string()),
        Some(d) if extra.contains("default_generated") => {
            if d.to_ascii_lowercase().starts_with("current_timestamp") {
                Some(d.to_string())
            } else {
                Some(format!("({d})"))
            }
        }
        Some(d) if is_numeric(&row.data_type) => Some(d.to_string()),
        Some(d) => Some(quote::string(d)),
    };
    match extra.find("on update ") {
        Some(at) => {
            let on_update = row.extra[at + "on update ".len()..].trim();
            Some(format!(
                "{}{ON_UPDATE}{on_update}",
                base.as_deref().unwrap_or("NULL")
            ))
        }
        None => base,
    }
}

/// Builds the model column; `table_collation` is the table's default, which columns inherit.
pub fn column(row: &ColumnRow, mariadb: bool, table_collation: Option<&str>, json: bool) -> Column {
    let data_type = if json {
        ColumnType::Json
    } else {
        types::parse(&row.column_type)
    };
    let extra = row.extra.to_ascii_lowercase();
    let generated = row
        .generation
        .as_deref()
        .filter(|g| !g.is_empty())
        .map(|g| GeneratedColumn {
            expression: g.to_string(),
            stored: extra.contains("stored"),
        });
    let collation = row.collation.clone().filter(|c| {
        Some(c.as_str()) != table_collation
            && !(matches!(data_type, ColumnType::Json) && c == "utf8mb4_bin")
    });
    Column {
        name: row.name.clone(),
        data_type,
        nullable: row.nullable,
        default: default_expression(row, mariadb),
        identity: extra
            .contains("auto_increment")
            .then_some(IdentityKind::AutoIncrement),
        generated,
        collation,
        comment: Some(row.comment.clone()).filter(|c| !c.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(data_type: &str, default: Option<&str>, extra: &str) -> ColumnRow {
        ColumnRow {
            table: "t".into(),
            name: "c".into(),
            position: 1,
            column_type: data_type.into(),
            data_type: data_type.into(),
            nullable: true,
            default: default.map(str::to_string),
            extra: extra.into(),
            collation: None,
            comment: String::new(),
            generation: None,
        }
    }

    #[test]
    fn mariadb_defaults() {
        assert_eq!(default_expression(&row("int", None, ""), true), None);
        assert_eq!(
            default_expression(&row("int", Some("NULL"), ""), true),
            None
        );
        assert_eq!(
            default_expression(&row("varchar", Some("'NULL'"), ""), true).as_deref(),
            Some("'NULL'")
        );
        assert_eq!(
            default_expression(&row("int", Some("5"), ""), true).as_deref(),
            Some("5")
        );
        assert_eq!(
            default_expression(
                &row(
                    "datetime",
                    Some("current_timestamp(3)"),
                    "on update current_timestamp(3)"
                ),
                true
            )
            .as_deref(),
            Some("current_timestamp(3) ON UPDATE current_timestamp(3)")
        );
        assert_eq!(
            default_expression(
                &row("datetime", Some("NULL"), "on update current_timestamp()"),
                true
            )
            .as_deref(),
            Some("NULL ON UPDATE current_timestamp()")
        );
    }

    #[test]
    fn mysql_defaults() {
        assert_eq!(
            default_expression(&row("varchar", Some("it's"), ""), false).as_deref(),
            Some("'it''s'")
        );
        assert_eq!(
            default_expression(&row("int", Some("5"), ""), false).as_deref(),
            Some("5")
        );
        assert_eq!(
            default_expression(&row("double", Some("rand()"), "DEFAULT_GENERATED"), false)
                .as_deref(),
            Some("(rand())")
        );
        assert_eq!(
            default_expression(
                &row(
                    "timestamp",
                    Some("CURRENT_TIMESTAMP"),
                    "DEFAULT_GENERATED on update CURRENT_TIMESTAMP"
                ),
                false
            )
            .as_deref(),
            Some("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP")
        );
    }

    #[test]
    fn collation_kept_only_when_it_differs() {
        let mut r = row("varchar(3)", None, "");
        r.collation = Some("utf8mb4_general_ci".into());
        assert_eq!(
            column(&r, true, Some("utf8mb4_general_ci"), false).collation,
            None
        );
        assert_eq!(
            column(&r, true, Some("utf8mb3_general_ci"), false)
                .collation
                .as_deref(),
            Some("utf8mb4_general_ci")
        );
        r.collation = Some("utf8mb4_bin".into());
        assert_eq!(
            column(&r, true, Some("latin1_swedish_ci"), true).collation,
            None
        );
    }
}
