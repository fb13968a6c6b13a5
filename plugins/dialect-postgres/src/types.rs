//! Column types: the engine's spelling (as `format_type` prints it) to the model and back.

use ai_shell_plugin_sdk::{ColumnType, NumericParams, PluginError};

use crate::quote;

/// The PostgreSQL spelling of a model type; the same text `format_type` prints, so that what is
/// rendered is read back unchanged.
pub fn type_name(data_type: &ColumnType) -> Result<String, PluginError> {
    Ok(match data_type {
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
            (None, Some(_)) => {
                return Err(PluginError::InvalidInput(
                    "numeric with a scale needs a precision".into(),
                ));
            }
        },
        ColumnType::Char(None) => "bpchar".into(),
        ColumnType::Char(Some(n)) => format!("character({n})"),
        ColumnType::Varchar(None) => "character varying".into(),
        ColumnType::Varchar(Some(n)) => format!("character varying({n})"),
        ColumnType::Text => "text".into(),
        ColumnType::Blob => "bytea".into(),
        ColumnType::Date => "date".into(),
        ColumnType::Time(p) => format!("time{} without time zone", precision(*p)),
        ColumnType::Timestamp(p) => format!("timestamp{} without time zone", precision(*p)),
        ColumnType::TimestampTz(p) => format!("timestamp{} with time zone", precision(*p)),
        ColumnType::Interval => "interval".into(),
        ColumnType::Uuid => "uuid".into(),
        ColumnType::Json => "json".into(),
        ColumnType::Jsonb => "jsonb".into(),
        ColumnType::EnumRef(name) => quote::qualified(name),
        ColumnType::InlineEnum(_) => {
            return Err(PluginError::UnsupportedChange(
                "PostgreSQL has no inline enum columns: create a named enum type (create-enum-type) \
                 and use enum-ref"
                    .into(),
            ));
        }
        ColumnType::Other(spelling) => {
            if spelling.trim().is_empty() {
                return Err(PluginError::InvalidInput("empty type spelling".into()));
            }
            spelling.clone()
        }
    })
}

fn precision(p: Option<u32>) -> String {
    p.map(|p| format!("({p})")).unwrap_or_default()
}

/// Reads a spelling (as `format_type` prints it, or a common alias) into the model. Anything not
/// portable (arrays, domains, `time with time zone`, extension types) stays `other`, verbatim.
pub fn parse_type(spelling: &str) -> ColumnType {
    let s = spelling.trim();
    let lower = s.to_ascii_lowercase();
    let (base, args) = split_args(&lower);
    let base = base.trim();
    match (base, args.as_deref()) {
        ("boolean" | "bool", None) => ColumnType::Boolean,
        ("smallint" | "int2", None) => ColumnType::Smallint,
        ("integer" | "int" | "int4", None) => ColumnType::Integer,
        ("bigint" | "int8", None) => ColumnType::Bigint,
        ("real" | "float4", None) => ColumnType::Real,
        ("double precision" | "float8", None) => ColumnType::Double,
        ("numeric" | "decimal", None) => ColumnType::Numeric(NumericParams {
            precision: None,
            scale: None,
        }),
        ("numeric" | "decimal", Some(a)) => match numbers(a).as_slice() {
            [Some(p)] => ColumnType::Numeric(NumericParams {
                precision: Some(*p),
                scale: None,
            }),
            [Some(p), Some(sc)] => ColumnType::Numeric(NumericParams {
                precision: Some(*p),
                scale: Some(*sc),
            }),
            _ => ColumnType::Other(s.to_string()),
        },
        ("bpchar", None) => ColumnType::Char(None),
        ("character" | "char" | "bpchar", Some(a)) => match numbers(a).as_slice() {
            [Some(n)] => ColumnType::Char(Some(*n)),
            _ => ColumnType::Other(s.to_string()),
        },
        ("character varying" | "varchar", None) => ColumnType::Varchar(None),
        ("character varying" | "varchar", Some(a)) => match numbers(a).as_slice() {
            [Some(n)] => ColumnType::Varchar(Some(*n)),
            _ => ColumnType::Other(s.to_string()),
        },
        ("text", None) => ColumnType::Text,
        ("bytea", None) => ColumnType::Blob,
        ("date", None) => ColumnType::Date,
        ("interval", None) => ColumnType::Interval,
        ("uuid", None) => ColumnType::Uuid,
        ("json", None) => ColumnType::Json,
        ("jsonb", None) => ColumnType::Jsonb,
        _ => parse_temporal(&lower).unwrap_or_else(|| ColumnType::Other(s.to_string())),
    }
}

/// `time`/`timestamp` with optional precision and zone: `timestamp(3) with time zone`, `timestamptz`.
fn parse_temporal(lower: &str) -> Option<ColumnType> {
    let (head, rest) = match lower.find(['(', ' ']) {
        Some(i) => lower.split_at(i),
        None => (lower, ""),
    };
    let mut rest = rest.trim_start();
    let mut precision = None;
    if let Some(after) = rest.strip_prefix('(') {
        let close = after.find(')')?;
        precision = Some(after[..close].trim().parse::<u32>().ok()?);
        rest = after[close + 1..].trim_start();
    }
    let zone = match rest {
        "" | "without time zone" => false,
        "with time zone" => true,
        _ => return None,
    };
    match (head, zone) {
        ("time", false) => Some(ColumnType::Time(precision)),
        ("timestamp", false) => Some(ColumnType::Timestamp(precision)),
        ("timestamp", true) | ("timestamptz", false) => Some(ColumnType::TimestampTz(precision)),
        _ => None,
    }
}

/// Splits `name(args)` when the parenthesis closes the spelling; `None` when there are none.
fn split_args(s: &str) -> (&str, Option<String>) {
    match (s.find('('), s.ends_with(')')) {
        (Some(open), true) => (&s[..open], Some(s[open + 1..s.len() - 1].to_string())),
        _ => (s, None),
    }
}

fn numbers(args: &str) -> Vec<Option<u32>> {
    args.split(',').map(|a| a.trim().parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ai_shell_plugin_sdk::QualifiedName;

    fn same(a: &ColumnType, b: &ColumnType) -> bool {
        crate::model::same_type(a, b)
    }

    fn round_trip(spelling: &str) -> ColumnType {
        let t = parse_type(spelling);
        assert_eq!(
            type_name(&t).unwrap(),
            spelling,
            "{spelling} does not round-trip"
        );
        t
    }

    #[test]
    fn format_type_spellings_round_trip() {
        for s in [
            "boolean",
            "smallint",
            "integer",
            "bigint",
            "real",
            "double precision",
            "numeric",
            "numeric(10,2)",
            "numeric(10,0)",
            "bpchar",
            "character(2)",
            "character varying",
            "character varying(255)",
            "text",
            "bytea",
            "date",
            "time without time zone",
            "time(3) without time zone",
            "timestamp without time zone",
            "timestamp(6) without time zone",
            "timestamp with time zone",
            "timestamp(0) with time zone",
            "interval",
            "uuid",
            "json",
            "jsonb",
        ] {
            round_trip(s);
        }
    }

    #[test]
    fn engine_specific_types_stay_verbatim() {
        for s in [
            "integer[]",
            "character varying(255)[]",
            "time with time zone",
            "interval year",
            "tsvector",
            "public.cube",
            "bit varying(5)",
        ] {
            assert!(same(&parse_type(s), &ColumnType::Other(s.into())));
            round_trip(s);
        }
    }

    #[test]
    fn aliases_are_understood() {
        assert!(same(&parse_type("INT"), &ColumnType::Integer));
        assert!(same(
            &parse_type("varchar(20)"),
            &ColumnType::Varchar(Some(20))
        ));
        assert!(same(
            &parse_type("timestamptz"),
            &ColumnType::TimestampTz(None)
        ));
        assert!(same(
            &parse_type("timestamp(3)"),
            &ColumnType::Timestamp(Some(3))
        ));
        assert!(same(
            &parse_type("decimal(5)"),
            &ColumnType::Numeric(NumericParams {
                precision: Some(5),
                scale: None
            })
        ));
    }

    #[test]
    fn enum_refs_are_quoted_and_inline_enums_refused() {
        let t = ColumnType::EnumRef(QualifiedName {
            namespace: Some("s".into()),
            name: "mo\"od".into(),
        });
        assert_eq!(type_name(&t).unwrap(), "\"s\".\"mo\"\"od\"");
        assert!(matches!(
            type_name(&ColumnType::InlineEnum(vec!["a".into()])),
            Err(PluginError::UnsupportedChange(_))
        ));
    }
}
