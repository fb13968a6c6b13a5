//! PostgreSQL spellings of model types, for the casts the plans write (`NEW."c"::bigint`). The same
//! spellings as the dialect plugin's, which this crate does not depend on.

use ai_shell_strategy_sdk::{ColumnType, NumericParams};

use crate::quote;

/// The spelling of `data_type`, or `None` for types PostgreSQL has not (inline enums) or malformed ones.
pub fn type_name(data_type: &ColumnType) -> Option<String> {
    let p = |p: &Option<u32>| p.map(|p| format!("({p})")).unwrap_or_default();
    Some(match data_type {
        ColumnType::Boolean => "boolean".into(),
        ColumnType::Smallint => "smallint".into(),
        ColumnType::Integer => "integer".into(),
        ColumnType::Bigint => "bigint".into(),
        ColumnType::Real => "real".into(),
        ColumnType::Double => "double precision".into(),
        ColumnType::Numeric(NumericParams { precision, scale }) => match (precision, scale) {
            (None, None) => "numeric".into(),
            (Some(p), None) => format!("numeric({p})"),
            (Some(p), Some(s)) => format!("numeric({p},{s})"),
            (None, Some(_)) => return None,
        },
        ColumnType::Char(None) => "bpchar".into(),
        ColumnType::Char(Some(n)) => format!("character({n})"),
        ColumnType::Varchar(None) => "character varying".into(),
        ColumnType::Varchar(Some(n)) => format!("character varying({n})"),
        ColumnType::Text => "text".into(),
        ColumnType::Blob => "bytea".into(),
        ColumnType::Date => "date".into(),
        ColumnType::Time(x) => format!("time{} without time zone", p(x)),
        ColumnType::Timestamp(x) => format!("timestamp{} without time zone", p(x)),
        ColumnType::TimestampTz(x) => format!("timestamp{} with time zone", p(x)),
        ColumnType::Interval => "interval".into(),
        ColumnType::Uuid => "uuid".into(),
        ColumnType::Json => "json".into(),
        ColumnType::Jsonb => "jsonb".into(),
        ColumnType::EnumRef(name) => quote::qualified(name),
        ColumnType::InlineEnum(_) => return None,
        ColumnType::Other(s) if s.trim().is_empty() => return None,
        ColumnType::Other(s) => s.clone(),
    })
}

/// Whether a column of this type can walk a table by key range (`lo <= key < hi` over integers).
pub fn is_integer(data_type: &ColumnType) -> bool {
    matches!(
        data_type,
        ColumnType::Smallint | ColumnType::Integer | ColumnType::Bigint
    )
}

/// Whether a column of this type takes a collation.
pub fn is_textual(data_type: &ColumnType) -> bool {
    matches!(
        data_type,
        ColumnType::Char(_) | ColumnType::Varchar(_) | ColumnType::Text
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ai_shell_strategy_sdk::QualifiedName;

    #[test]
    fn spellings() {
        assert_eq!(type_name(&ColumnType::Bigint).unwrap(), "bigint");
        assert_eq!(
            type_name(&ColumnType::Numeric(NumericParams {
                precision: Some(12),
                scale: Some(2)
            }))
            .unwrap(),
            "numeric(12,2)"
        );
        assert_eq!(
            type_name(&ColumnType::TimestampTz(Some(3))).unwrap(),
            "timestamp(3) with time zone"
        );
        let e = ColumnType::EnumRef(QualifiedName {
            namespace: Some("s".into()),
            name: "mo\"od".into(),
        });
        assert_eq!(type_name(&e).unwrap(), "\"s\".\"mo\"\"od\"");
        assert!(type_name(&ColumnType::InlineEnum(vec!["a".into()])).is_none());
        assert!(
            is_integer(&ColumnType::Smallint)
                && !is_integer(&ColumnType::Numeric(NumericParams {
                    precision: None,
                    scale: None
                }))
        );
    }
}
