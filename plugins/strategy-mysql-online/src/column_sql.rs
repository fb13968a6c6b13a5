//! Column definitions as `ADD COLUMN` and `MODIFY COLUMN` take them, spelled as the mysql dialect
//! plugin spells them (this crate cannot depend on it: one component, one world).

use ai_shell_strategy_sdk::{Column, ColumnType, NumericParams, PluginError};

use crate::quote;

/// Marks an `ON UPDATE` clause kept in a column's default (the dialect's convention).
pub const ON_UPDATE: &str = " ON UPDATE ";

fn with_precision(name: &str, p: Option<u32>) -> String {
    match p {
        Some(p) => format!("{name}({p})"),
        None => name.to_string(),
    }
}

fn unsupported<T>(message: String) -> Result<T, PluginError> {
    Err(PluginError::UnsupportedChange(message))
}

/// The engine's spelling of a model type; `other` is verbatim.
pub fn type_name(data_type: &ColumnType) -> Result<String, PluginError> {
    Ok(match data_type {
        ColumnType::Boolean => "tinyint(1)".into(),
        ColumnType::Smallint => "smallint".into(),
        ColumnType::Integer => "int".into(),
        ColumnType::Bigint => "bigint".into(),
        ColumnType::Real => "float".into(),
        ColumnType::Double => "double".into(),
        ColumnType::Numeric(NumericParams { precision, scale }) => match (precision, scale) {
            (Some(p), Some(s)) => format!("decimal({p},{s})"),
            (Some(p), None) => format!("decimal({p})"),
            (None, None) => "decimal".into(),
            (None, Some(_)) => {
                return Err(PluginError::InvalidInput(
                    "a numeric type with a scale needs a precision".into(),
                ));
            }
        },
        ColumnType::Char(n) => with_precision("char", *n),
        ColumnType::Varchar(Some(n)) => format!("varchar({n})"),
        ColumnType::Varchar(None) => {
            return unsupported("MySQL needs a length for varchar".into());
        }
        ColumnType::Text => "text".into(),
        ColumnType::Blob => "blob".into(),
        ColumnType::Date => "date".into(),
        ColumnType::Time(p) => with_precision("time", *p),
        ColumnType::Timestamp(p) => with_precision("datetime", *p),
        ColumnType::TimestampTz(p) => with_precision("timestamp", *p),
        ColumnType::Interval => return unsupported("MySQL has no interval type".into()),
        ColumnType::Uuid => "uuid".into(),
        ColumnType::Json | ColumnType::Jsonb => "json".into(),
        ColumnType::EnumRef(name) => {
            return unsupported(format!("MySQL has no named enum types (`{}`)", name.name));
        }
        ColumnType::InlineEnum(labels) => {
            let labels: Vec<String> = labels.iter().map(|l| quote::string(l)).collect();
            format!("enum({})", labels.join(","))
        }
        ColumnType::Other(s) => s.clone(),
    })
}

/// Whether a column of this type has a character set and collation.
pub fn takes_collation(t: &ColumnType) -> bool {
    match t {
        ColumnType::Char(_)
        | ColumnType::Varchar(_)
        | ColumnType::Text
        | ColumnType::InlineEnum(_) => true,
        ColumnType::Other(s) => {
            let base = s
                .split(['(', ' '])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            matches!(
                base.as_str(),
                "tinytext" | "mediumtext" | "longtext" | "set" | "enum" | "nchar" | "nvarchar"
            )
        }
        _ => false,
    }
}

/// Whether `s` is one parenthesised expression: its first `(` closes at its last character.
fn wrapped_in_parens(s: &str) -> bool {
    if !s.starts_with('(') || !s.ends_with(')') {
        return false;
    }
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                if c == '\\' {
                    chars.next();
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' | '`' => quote = Some(c),
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 && i != s.len() - 1 {
                        return false;
                    }
                }
                _ => {}
            },
        }
    }
    depth == 0
}

/// Whether a default can follow `DEFAULT` bare: a literal, a keyword, one function call or an
/// already parenthesised expression.
fn bare_default(d: &str) -> bool {
    let d = d.trim();
    if d.is_empty() {
        return false;
    }
    if wrapped_in_parens(d) {
        return true;
    }
    if let Some((_, used)) = quote::read_string(d) {
        return used == d.len();
    }
    let lower = d.to_ascii_lowercase();
    if (lower.starts_with("b'") || lower.starts_with("x'"))
        && quote::read_string(&d[1..]).is_some_and(|(_, n)| n == d.len() - 1)
    {
        return true;
    }
    let number = d.strip_prefix('-').unwrap_or(d);
    if !number.is_empty()
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '+' || c == '-')
        && number.starts_with(|c: char| c.is_ascii_digit() || c == '.')
    {
        return true;
    }
    let ident_len = d
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(d.len());
    if ident_len == 0 {
        return false;
    }
    ident_len == d.len() || wrapped_in_parens(&d[ident_len..])
}

/// A default expression as `DEFAULT` and `SET DEFAULT` take it.
pub fn default_value(expr: &str) -> String {
    if bare_default(expr) {
        expr.trim().to_string()
    } else {
        format!("({})", expr.trim())
    }
}

/// ` DEFAULT ...` (and any kept ` ON UPDATE ...`); empty when the column has no default.
fn default_clause(default: Option<&str>, nullable: bool) -> String {
    let Some(default) = default else {
        return String::new();
    };
    let (base, on_update) = match default.find(ON_UPDATE) {
        Some(at) => (&default[..at], Some(&default[at + ON_UPDATE.len()..])),
        None => (default, None),
    };
    let mut out = String::new();
    let base = base.trim();
    let no_default = base.is_empty() || (base.eq_ignore_ascii_case("NULL") && !nullable);
    if !no_default {
        out.push_str(" DEFAULT ");
        out.push_str(&default_value(base));
    }
    if let Some(on_update) = on_update {
        out.push_str(" ON UPDATE ");
        out.push_str(on_update.trim());
    }
    out
}

/// The full definition of a column: name, type, collation, generation or nullability and default,
/// `AUTO_INCREMENT`, comment.
pub fn definition(column: &Column) -> Result<String, PluginError> {
    let type_name = type_name(&column.data_type)?;
    let mut sql = format!("{} {type_name}", quote::ident(&column.name));
    if let Some(collation) = &column.collation {
        sql.push_str(&format!(" COLLATE {}", quote::ident(collation)));
    }
    if let Some(generated) = &column.generated {
        sql.push_str(&format!(
            " GENERATED ALWAYS AS ({}) {}",
            generated.expression,
            if generated.stored {
                "STORED"
            } else {
                "VIRTUAL"
            }
        ));
        if !column.nullable {
            sql.push_str(" NOT NULL");
        }
    } else {
        if !column.nullable {
            sql.push_str(" NOT NULL");
        } else if type_name.to_ascii_lowercase().starts_with("timestamp") {
            // Without explicit_defaults_for_timestamp a bare timestamp column is NOT NULL.
            sql.push_str(" NULL");
        }
        sql.push_str(&default_clause(column.default.as_deref(), column.nullable));
    }
    if column.identity.is_some() {
        sql.push_str(" AUTO_INCREMENT");
    }
    if let Some(comment) = &column.comment {
        sql.push_str(&format!(" COMMENT {}", quote::string(comment)));
    }
    Ok(sql)
}

/// Whether values of this type are whole numbers a backfill can walk in key ranges.
pub fn is_integer(t: &ColumnType) -> bool {
    match t {
        ColumnType::Smallint | ColumnType::Integer | ColumnType::Bigint => true,
        ColumnType::Other(s) => {
            let base = s
                .split(['(', ' '])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            matches!(
                base.as_str(),
                "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint"
            )
        }
        _ => false,
    }
}

/// The most bytes one character takes in a collation's character set; none when not known.
pub fn bytes_per_char(collation: Option<&str>) -> Option<u32> {
    let c = collation?.to_ascii_lowercase();
    let charset = c.split('_').next().unwrap_or("");
    Some(match charset {
        "latin1" | "latin2" | "ascii" | "binary" | "cp1250" | "cp1251" | "cp1252" => 1,
        "ucs2" => 2,
        "utf8" | "utf8mb3" => 3,
        "utf8mb4" | "utf16" | "utf16le" | "utf32" => 4,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, data_type: ColumnType, nullable: bool) -> Column {
        Column {
            name: name.into(),
            data_type,
            nullable,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        }
    }

    #[test]
    fn definitions_spell_types_defaults_and_comments() {
        let mut c = column("qty", ColumnType::Integer, false);
        c.default = Some("0".into());
        assert_eq!(definition(&c).unwrap(), "`qty` int NOT NULL DEFAULT 0");
        let mut c = column("at", ColumnType::TimestampTz(Some(3)), true);
        c.default = Some("current_timestamp(3) ON UPDATE current_timestamp(3)".into());
        assert_eq!(
            definition(&c).unwrap(),
            "`at` timestamp(3) NULL DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3)"
        );
        let mut c = column("n", ColumnType::Varchar(Some(20)), true);
        c.collation = Some("utf8mb4_bin".into());
        c.default = Some("concat('a','b')".into());
        c.comment = Some("it's".into());
        assert_eq!(
            definition(&c).unwrap(),
            "`n` varchar(20) COLLATE `utf8mb4_bin` DEFAULT concat('a','b') COMMENT 'it''s'"
        );
        let mut c = column("e", ColumnType::Other("int unsigned".into()), true);
        c.default = Some("1 + 2".into());
        assert_eq!(definition(&c).unwrap(), "`e` int unsigned DEFAULT (1 + 2)");
        assert!(definition(&column("v", ColumnType::Varchar(None), true)).is_err());
    }

    #[test]
    fn integers_and_character_widths() {
        assert!(is_integer(&ColumnType::Other("bigint unsigned".into())));
        assert!(!is_integer(&ColumnType::Other("decimal(10,0)".into())));
        assert_eq!(bytes_per_char(Some("utf8mb4_general_ci")), Some(4));
        assert_eq!(bytes_per_char(Some("latin1_swedish_ci")), Some(1));
        assert_eq!(bytes_per_char(None), None);
    }
}
