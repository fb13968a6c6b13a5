//! Declared column types. SQLite keeps the declared type as text and derives only an affinity
//! from it, so the model must give back the same text: a spelling maps to a portable type only
//! when rendering that type spells it again (ignoring case and spacing); otherwise it stays
//! `other(spelling)`. That keeps `INT PRIMARY KEY` (not a rowid alias) apart from
//! `INTEGER PRIMARY KEY` (an alias).

use ai_shell_plugin_sdk::{ColumnType, NumericParams, PluginError};

/// The SQLite spelling of a type.
pub fn type_name(data_type: &ColumnType) -> Result<String, PluginError> {
    let with = |base: &str, p: &Option<u32>| match p {
        Some(n) => format!("{base}({n})"),
        None => base.to_string(),
    };
    Ok(match data_type {
        ColumnType::Boolean => "BOOLEAN".into(),
        ColumnType::Smallint => "SMALLINT".into(),
        ColumnType::Integer => "INTEGER".into(),
        ColumnType::Bigint => "BIGINT".into(),
        ColumnType::Real => "REAL".into(),
        ColumnType::Double => "DOUBLE".into(),
        ColumnType::Numeric(NumericParams { precision, scale }) => match (precision, scale) {
            (Some(p), Some(s)) => format!("NUMERIC({p},{s})"),
            (Some(p), None) => format!("NUMERIC({p})"),
            (None, Some(s)) => {
                return Err(PluginError::InvalidInput(format!(
                    "numeric scale {s} without a precision"
                )));
            }
            (None, None) => "NUMERIC".into(),
        },
        ColumnType::Char(n) => with("CHAR", n),
        ColumnType::Varchar(n) => with("VARCHAR", n),
        ColumnType::Text => "TEXT".into(),
        ColumnType::Blob => "BLOB".into(),
        ColumnType::Date => "DATE".into(),
        ColumnType::Time(p) => with("TIME", p),
        ColumnType::Timestamp(p) => with("TIMESTAMP", p),
        ColumnType::TimestampTz(p) => format!("{} WITH TIME ZONE", with("TIMESTAMP", p)),
        ColumnType::Interval => "INTERVAL".into(),
        ColumnType::Uuid => "UUID".into(),
        ColumnType::Json => "JSON".into(),
        ColumnType::Jsonb => "JSONB".into(),
        ColumnType::EnumRef(name) => {
            return Err(PluginError::UnsupportedChange(format!(
                "SQLite has no enum types (column type refers to enum `{}`); use TEXT with a CHECK constraint",
                name.name
            )));
        }
        ColumnType::InlineEnum(_) => {
            return Err(PluginError::UnsupportedChange(
                "SQLite has no enum columns; use TEXT with a CHECK constraint".into(),
            ));
        }
        ColumnType::Other(spelling) => spelling.clone(),
    })
}

/// Reads a declared type; see the module comment for when it stays `other`.
pub fn parse_type(spelling: &str) -> ColumnType {
    let key = normalize(spelling);
    match portable(&key) {
        Some(t) if type_name(&t).is_ok_and(|s| normalize(&s) == key) => t,
        _ => ColumnType::Other(spelling.to_string()),
    }
}

/// Upper-cases and removes the spacing that does not change a type's meaning.
fn normalize(spelling: &str) -> String {
    let upper = spelling.trim().to_ascii_uppercase();
    let mut out = String::with_capacity(upper.len());
    let mut pending_space = false;
    for c in upper.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space
            && !out.is_empty()
            && !matches!(c, '(' | ')' | ',')
            && !out.ends_with(['(', ','])
        {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

fn portable(key: &str) -> Option<ColumnType> {
    if let Some(stripped) = key.strip_suffix(" WITH TIME ZONE") {
        // `TIMESTAMP(3) WITH TIME ZONE`: the precision sits before the suffix.
        return match portable(stripped)? {
            ColumnType::Timestamp(p) => Some(ColumnType::TimestampTz(p)),
            _ => None,
        };
    }
    let (base, args) = match key.find('(') {
        Some(open) => {
            let inner = key[open..].strip_prefix('(')?.strip_suffix(')')?;
            let args: Option<Vec<u32>> = inner.split(',').map(|a| a.trim().parse().ok()).collect();
            (key[..open].trim(), args?)
        }
        None => (key, Vec::new()),
    };
    let one = |make: fn(Option<u32>) -> ColumnType| match args.as_slice() {
        [] => Some(make(None)),
        [n] => Some(make(Some(*n))),
        _ => None,
    };
    let none = |t: ColumnType| args.is_empty().then_some(t);
    match base {
        "BOOLEAN" => none(ColumnType::Boolean),
        "SMALLINT" => none(ColumnType::Smallint),
        "INTEGER" => none(ColumnType::Integer),
        "BIGINT" => none(ColumnType::Bigint),
        "REAL" => none(ColumnType::Real),
        "DOUBLE" => none(ColumnType::Double),
        "NUMERIC" => match args.as_slice() {
            [] => Some(ColumnType::Numeric(NumericParams {
                precision: None,
                scale: None,
            })),
            [p] => Some(ColumnType::Numeric(NumericParams {
                precision: Some(*p),
                scale: None,
            })),
            [p, s] => Some(ColumnType::Numeric(NumericParams {
                precision: Some(*p),
                scale: Some(*s),
            })),
            _ => None,
        },
        "CHAR" => one(ColumnType::Char),
        "VARCHAR" => one(ColumnType::Varchar),
        "TEXT" => none(ColumnType::Text),
        "BLOB" => none(ColumnType::Blob),
        "DATE" => none(ColumnType::Date),
        "TIME" => one(ColumnType::Time),
        "TIMESTAMP" => one(ColumnType::Timestamp),
        "INTERVAL" => none(ColumnType::Interval),
        "UUID" => none(ColumnType::Uuid),
        "JSON" => none(ColumnType::Json),
        "JSONB" => none(ColumnType::Jsonb),
        _ => None,
    }
}

/// SQLite's column affinity for a declared type (https://www.sqlite.org/datatype3.html, 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affinity {
    Integer,
    Text,
    Blob,
    Real,
    Numeric,
}

pub fn affinity(declared: &str) -> Affinity {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        Affinity::Integer
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        Affinity::Text
    } else if t.contains("BLOB") || t.trim().is_empty() {
        Affinity::Blob
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_spellings_become_portable() {
        assert_eq!(
            format!("{:?}", parse_type("INTEGER")),
            format!("{:?}", ColumnType::Integer)
        );
        assert_eq!(
            format!("{:?}", parse_type("integer")),
            format!("{:?}", ColumnType::Integer)
        );
        assert_eq!(
            format!("{:?}", parse_type("VARCHAR(255)")),
            format!("{:?}", ColumnType::Varchar(Some(255)))
        );
        assert_eq!(
            format!("{:?}", parse_type("varchar ( 255 )")),
            format!("{:?}", ColumnType::Varchar(Some(255)))
        );
        assert_eq!(
            format!("{:?}", parse_type("NUMERIC(10, 2)")),
            format!(
                "{:?}",
                ColumnType::Numeric(NumericParams {
                    precision: Some(10),
                    scale: Some(2)
                })
            )
        );
        assert_eq!(
            format!("{:?}", parse_type("TIMESTAMP(3) WITH TIME ZONE")),
            format!("{:?}", ColumnType::TimestampTz(Some(3)))
        );
        assert_eq!(
            format!("{:?}", parse_type("BOOLEAN")),
            format!("{:?}", ColumnType::Boolean)
        );
    }

    #[test]
    fn other_spellings_stay_verbatim() {
        for s in [
            "INT",
            "",
            "DATETIME",
            "DOUBLE PRECISION",
            "UNSIGNED BIG INT",
            "DECIMAL(10,5)",
            "VARCHAR(a)",
            "ANY",
        ] {
            assert_eq!(
                format!("{:?}", parse_type(s)),
                format!("{:?}", ColumnType::Other(s.to_string())),
                "{s}"
            );
        }
    }

    #[test]
    fn every_portable_type_round_trips() {
        let all = [
            ColumnType::Boolean,
            ColumnType::Smallint,
            ColumnType::Integer,
            ColumnType::Bigint,
            ColumnType::Real,
            ColumnType::Double,
            ColumnType::Numeric(NumericParams {
                precision: None,
                scale: None,
            }),
            ColumnType::Numeric(NumericParams {
                precision: Some(5),
                scale: None,
            }),
            ColumnType::Numeric(NumericParams {
                precision: Some(5),
                scale: Some(2),
            }),
            ColumnType::Char(Some(3)),
            ColumnType::Varchar(None),
            ColumnType::Text,
            ColumnType::Blob,
            ColumnType::Date,
            ColumnType::Time(Some(6)),
            ColumnType::Timestamp(None),
            ColumnType::TimestampTz(None),
            ColumnType::Interval,
            ColumnType::Uuid,
            ColumnType::Json,
            ColumnType::Jsonb,
        ];
        for t in all {
            assert_eq!(
                format!("{:?}", parse_type(&type_name(&t).unwrap())),
                format!("{t:?}")
            );
        }
    }

    #[test]
    fn affinities() {
        assert_eq!(affinity("VARCHAR(3)"), Affinity::Text);
        assert_eq!(affinity("BIGINT"), Affinity::Integer);
        assert_eq!(affinity(""), Affinity::Blob);
        assert_eq!(affinity("DOUBLE"), Affinity::Real);
        assert_eq!(affinity("DATE"), Affinity::Numeric);
    }
}
