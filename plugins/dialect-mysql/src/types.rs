//! Column types: MySQL/MariaDB spellings (`COLUMN_TYPE`) to the model and back.
//!
//! Portable cases are used only where the engine's spelling maps back to exactly the same
//! spelling, so that introspect -> render -> introspect is the identity. Everything else stays
//! verbatim in `other`, with MariaDB's default integer display widths (`int(11)`) removed.

use ai_shell_plugin_sdk::{ColumnType, NumericParams, PluginError};

use crate::quote;

/// The default display width MariaDB (and MySQL before 8.0.19) prints for an integer type.
fn default_width(base: &str, unsigned: bool) -> Option<u32> {
    Some(match (base, unsigned) {
        ("tinyint", false) => 4,
        ("tinyint", true) => 3,
        ("smallint", false) => 6,
        ("smallint", true) => 5,
        ("mediumint", false) => 9,
        ("mediumint", true) => 8,
        ("int", false) => 11,
        ("int", true) => 10,
        ("bigint", _) => 20,
        _ => return None,
    })
}

/// Splits `decimal(10,2) unsigned` into (`decimal`, Some(`10,2`), `unsigned`).
fn split(spelling: &str) -> (String, Option<&str>, &str) {
    let s = spelling.trim();
    match s.find('(') {
        Some(open) => {
            let close = s.rfind(')').filter(|c| *c > open).unwrap_or(s.len());
            let rest = if close < s.len() {
                s[close + 1..].trim()
            } else {
                ""
            };
            (
                s[..open].trim().to_ascii_lowercase(),
                Some(&s[open + 1..close]),
                rest,
            )
        }
        None => match s.find(' ') {
            Some(sp) => (s[..sp].to_ascii_lowercase(), None, s[sp + 1..].trim()),
            None => (s.to_ascii_lowercase(), None, ""),
        },
    }
}

fn numbers(params: Option<&str>) -> Option<Vec<u32>> {
    params
        .map(|p| p.split(',').map(|n| n.trim().parse().ok()).collect())
        .unwrap_or(Some(vec![]))
}

/// Reads the labels of `enum('a','b')` / `set('a','b')` as MariaDB prints them.
pub fn parse_labels(inner: &str) -> Option<Vec<String>> {
    let mut labels = Vec::new();
    let mut rest = inner.trim_start();
    if rest.is_empty() {
        return Some(labels);
    }
    loop {
        let (label, used) = quote::read_string(rest)?;
        labels.push(label);
        rest = rest[used..].trim_start();
        if rest.is_empty() {
            return Some(labels);
        }
        rest = rest.strip_prefix(',')?.trim_start();
    }
}

/// Reads an engine spelling (`COLUMN_TYPE`) into the model.
pub fn parse(spelling: &str) -> ColumnType {
    let verbatim = || ColumnType::Other(spelling.trim().to_string());
    let (base, params, rest) = split(spelling);
    let rest_lc = rest.to_ascii_lowercase();
    if base == "enum" && rest.is_empty() {
        return match params.and_then(parse_labels) {
            Some(labels) => ColumnType::InlineEnum(labels),
            None => verbatim(),
        };
    }
    let Some(nums) = numbers(params) else {
        return verbatim();
    };
    if let Some(width) = default_width(&base, rest_lc == "unsigned") {
        if base == "tinyint" && nums == [1] && rest.is_empty() {
            return ColumnType::Boolean;
        }
        if !(nums.is_empty() || nums == [width]) {
            return verbatim();
        }
        return match (base.as_str(), rest_lc.as_str()) {
            ("smallint", "") => ColumnType::Smallint,
            ("int", "") => ColumnType::Integer,
            ("bigint", "") => ColumnType::Bigint,
            (b, "") => ColumnType::Other(b.to_string()),
            (b, "unsigned") => ColumnType::Other(format!("{b} unsigned")),
            _ => verbatim(),
        };
    }
    if !rest.is_empty() {
        return verbatim();
    }
    let one = |ctor: fn(Option<u32>) -> ColumnType| match nums.as_slice() {
        [] => Some(ctor(None)),
        [n] => Some(ctor(Some(*n))),
        _ => None,
    };
    let parsed = match base.as_str() {
        "decimal" | "numeric" => match nums.as_slice() {
            [p, s] => Some(ColumnType::Numeric(NumericParams {
                precision: Some(*p),
                scale: Some(*s),
            })),
            _ => None,
        },
        "float" if nums.is_empty() => Some(ColumnType::Real),
        "double" if nums.is_empty() => Some(ColumnType::Double),
        "char" if nums.len() == 1 => one(ColumnType::Char),
        "varchar" if nums.len() == 1 => one(ColumnType::Varchar),
        "text" if nums.is_empty() => Some(ColumnType::Text),
        "blob" if nums.is_empty() => Some(ColumnType::Blob),
        "date" if nums.is_empty() => Some(ColumnType::Date),
        "time" => one(ColumnType::Time),
        "datetime" => one(ColumnType::Timestamp),
        "timestamp" => one(ColumnType::TimestampTz),
        "json" if nums.is_empty() => Some(ColumnType::Json),
        "uuid" if nums.is_empty() => Some(ColumnType::Uuid),
        _ => None,
    };
    parsed.unwrap_or_else(verbatim)
}

fn with_precision(name: &str, p: Option<u32>) -> String {
    match p {
        Some(p) => format!("{name}({p})"),
        None => name.to_string(),
    }
}

/// The engine's spelling of a model type.
pub fn name(data_type: &ColumnType) -> Result<String, PluginError> {
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
            return Err(PluginError::UnsupportedChange(
                "MySQL needs a length for varchar; give one (varchar(255)) or use text".into(),
            ));
        }
        ColumnType::Text => "text".into(),
        ColumnType::Blob => "blob".into(),
        ColumnType::Date => "date".into(),
        ColumnType::Time(p) => with_precision("time", *p),
        ColumnType::Timestamp(p) => with_precision("datetime", *p),
        ColumnType::TimestampTz(p) => with_precision("timestamp", *p),
        ColumnType::Interval => {
            return Err(PluginError::UnsupportedChange(
                "MySQL has no interval type; store a number of seconds or a time".into(),
            ));
        }
        ColumnType::Uuid => "uuid".into(),
        ColumnType::Json | ColumnType::Jsonb => "json".into(),
        ColumnType::EnumRef(name) => {
            return Err(PluginError::UnsupportedChange(format!(
                "MySQL has no named enum types (`{}`); use an inline enum",
                name.name
            )));
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

/// Whether two model types are the same (the bindings derive no `PartialEq`).
pub fn same(a: &ColumnType, b: &ColumnType) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// Whether changing a column from `old` to `new` keeps every value (a widening).
pub fn is_widening(old: &ColumnType, new: &ColumnType) -> bool {
    use ColumnType as T;
    let int_rank = |t: &T| match t {
        T::Boolean => Some(1),
        T::Smallint => Some(2),
        T::Integer => Some(3),
        T::Bigint => Some(4),
        _ => None,
    };
    if same(old, new) {
        return true;
    }
    match (old, new) {
        (T::Varchar(Some(a)) | T::Char(Some(a)), T::Varchar(Some(b))) => b >= a,
        (T::Char(Some(a)), T::Char(Some(b))) => b >= a,
        (T::Char(_) | T::Varchar(_), T::Text) => true,
        (T::Real, T::Double) => true,
        (
            T::Numeric(NumericParams {
                precision: Some(p1),
                scale: Some(s1),
            }),
            T::Numeric(NumericParams {
                precision: Some(p2),
                scale: Some(s2),
            }),
        ) => s2 >= s1 && p2 - s2.min(p2) >= p1 - s1.min(p1),
        (T::InlineEnum(a), T::InlineEnum(b)) => b.starts_with(a),
        (T::Timestamp(a), T::Timestamp(b)) | (T::Time(a), T::Time(b)) => {
            b.unwrap_or(0) >= a.unwrap_or(0)
        }
        _ => match (int_rank(old), int_rank(new)) {
            (Some(a), Some(b)) => b >= a,
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn assert_same(a: ColumnType, b: ColumnType) {
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    fn round(spelling: &str) -> String {
        name(&parse(spelling)).unwrap()
    }

    #[test]
    fn integers_drop_default_widths_only() {
        assert_same(parse("int(11)"), ColumnType::Integer);
        assert_same(parse("bigint(20)"), ColumnType::Bigint);
        assert_same(parse("smallint(6)"), ColumnType::Smallint);
        assert_same(parse("tinyint(1)"), ColumnType::Boolean);
        assert_same(parse("tinyint(4)"), ColumnType::Other("tinyint".into()));
        assert_same(
            parse("int(10) unsigned"),
            ColumnType::Other("int unsigned".into()),
        );
        assert_same(
            parse("bigint(20) unsigned"),
            ColumnType::Other("bigint unsigned".into()),
        );
        assert_same(
            parse("int unsigned"),
            ColumnType::Other("int unsigned".into()),
        );
        assert_same(parse("int(5)"), ColumnType::Other("int(5)".into()));
        assert_same(
            parse("int(10) unsigned zerofill"),
            ColumnType::Other("int(10) unsigned zerofill".into()),
        );
        assert_same(parse("mediumint(9)"), ColumnType::Other("mediumint".into()));
    }

    #[test]
    fn portable_types() {
        assert_same(
            parse("decimal(10,2)"),
            ColumnType::Numeric(NumericParams {
                precision: Some(10),
                scale: Some(2),
            }),
        );
        assert_same(parse("varchar(255)"), ColumnType::Varchar(Some(255)));
        assert_same(parse("char(3)"), ColumnType::Char(Some(3)));
        assert_same(parse("datetime(3)"), ColumnType::Timestamp(Some(3)));
        assert_same(parse("datetime"), ColumnType::Timestamp(None));
        assert_same(parse("timestamp"), ColumnType::TimestampTz(None));
        assert_same(parse("float"), ColumnType::Real);
        assert_same(parse("double"), ColumnType::Double);
        assert_same(parse("longtext"), ColumnType::Other("longtext".into()));
        assert_same(parse("binary(16)"), ColumnType::Other("binary(16)".into()));
        assert_same(parse("float(7,3)"), ColumnType::Other("float(7,3)".into()));
        assert_same(
            parse("set('a','b')"),
            ColumnType::Other("set('a','b')".into()),
        );
    }

    #[test]
    fn enums_keep_labels_exactly() {
        assert_same(
            parse("enum('x','y''z','a,b','c\\\\d','')"),
            ColumnType::InlineEnum(vec![
                "x".into(),
                "y'z".into(),
                "a,b".into(),
                "c\\d".into(),
                "".into(),
            ]),
        );
        assert_eq!(round("enum('x','Y''z')"), "enum('x','Y''z')");
        assert_same(
            parse("enum('unterminated)"),
            ColumnType::Other("enum('unterminated)".into()),
        );
    }

    #[test]
    fn spellings_round_trip() {
        for s in [
            "int",
            "bigint",
            "tinyint(1)",
            "decimal(10,0)",
            "varchar(3)",
            "datetime(6)",
            "time(2)",
            "json",
            "uuid",
            "text",
            "blob",
            "date",
            "int unsigned",
        ] {
            assert_eq!(round(s), s);
        }
    }

    #[test]
    fn collations_only_on_character_types() {
        assert!(takes_collation(&ColumnType::Varchar(Some(3))));
        assert!(takes_collation(&ColumnType::Other("set('a')".into())));
        assert!(takes_collation(&ColumnType::Other("longtext".into())));
        assert!(!takes_collation(&ColumnType::Integer));
        assert!(!takes_collation(&ColumnType::Json));
        assert!(!takes_collation(&ColumnType::Other("varbinary(3)".into())));
    }

    #[test]
    fn widening() {
        assert!(is_widening(
            &ColumnType::Varchar(Some(10)),
            &ColumnType::Varchar(Some(20))
        ));
        assert!(!is_widening(
            &ColumnType::Varchar(Some(20)),
            &ColumnType::Varchar(Some(10))
        ));
        assert!(is_widening(&ColumnType::Integer, &ColumnType::Bigint));
        assert!(!is_widening(&ColumnType::Bigint, &ColumnType::Integer));
        assert!(!is_widening(&ColumnType::Text, &ColumnType::Integer));
    }
}
