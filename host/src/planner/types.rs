//! Column types named in a request (`integer`, `decimal(5,2)`, `varchar(100)`, `timestamps`) and
//! the engine-appropriate choice for the portable ones.

use super::tokens::Tok;
use crate::connection::Engine;
use crate::model::{ColumnType, NumericParams};

/// A point in time: `timestamptz` on PostgreSQL, `datetime` on MySQL, `TIMESTAMP` on SQLite.
pub fn timestamp(engine: Engine) -> ColumnType {
    match engine {
        Engine::Postgres => ColumnType::TimestampTz(None),
        _ => ColumnType::Timestamp(None),
    }
}

/// A UUID: native on PostgreSQL, `char(36)` on MySQL (MySQL has no uuid type; MariaDB's is
/// 10.7+ only), `TEXT` on SQLite.
pub fn uuid(engine: Engine) -> ColumnType {
    match engine {
        Engine::Postgres => ColumnType::Uuid,
        Engine::MySql => ColumnType::Char(Some(36)),
        Engine::Sqlite => ColumnType::Text,
    }
}

/// JSON: `jsonb` on PostgreSQL, `json` elsewhere.
pub fn json(engine: Engine) -> ColumnType {
    match engine {
        Engine::Postgres => ColumnType::Jsonb,
        _ => ColumnType::Json,
    }
}

pub fn numeric(precision: u32, scale: u32) -> ColumnType {
    ColumnType::Numeric(NumericParams {
        precision: Some(precision),
        scale: Some(scale),
    })
}

/// Numbers inside `( ... )` at `toks[at]`, and the tokens used (0 when there is no such group).
fn params(toks: &[Tok], at: usize) -> (Vec<u32>, usize) {
    if !toks.get(at).is_some_and(|t| t.is_punct('(')) {
        return (vec![], 0);
    }
    let mut nums = Vec::new();
    let mut i = at + 1;
    while let Some(t) = toks.get(i) {
        match t {
            Tok::Num(n) => match n.parse() {
                Ok(n) => nums.push(n),
                Err(_) => return (vec![], 0),
            },
            Tok::Punct(',') => {}
            Tok::Punct(')') => return (nums, i + 1 - at),
            _ => return (vec![], 0),
        }
        i += 1;
    }
    (vec![], 0)
}

/// Numbers right after a type word without parentheses ("5,2", "100") and the tokens used.
fn bare_params(toks: &[Tok], at: usize) -> (Vec<u32>, usize) {
    let num = |k: usize| match toks.get(k) {
        Some(Tok::Num(n)) => n.parse::<u32>().ok(),
        _ => None,
    };
    match (num(at), toks.get(at + 1), num(at + 2)) {
        (Some(p), Some(Tok::Punct(',')), Some(s)) => (vec![p, s], 3),
        (Some(p), _, _) => (vec![p], 1),
        _ => (vec![], 0),
    }
}

/// Reads a type name at `toks[at]`: the type and the tokens used.
pub fn parse(toks: &[Tok], at: usize, engine: Engine) -> Option<(ColumnType, usize)> {
    let word = toks.get(at)?.word()?;
    // "an actual date", "a proper boolean": the type after the adjective.
    if matches!(word, "actual" | "proper") {
        return parse(toks, at + 1, engine).map(|(t, n)| (t, n + 1));
    }
    // "be a number (integer)", "an actual number (integer)": the vague word made precise in parentheses
    // (after "be", "to" or an adjective: elsewhere "number (integer)" is a column and its type).
    if matches!(word, "number" | "numbers")
        && at > 0
        && toks[at - 1].is_any(&["be", "to", "into", "as", "actual", "proper"])
        && toks.get(at + 1).is_some_and(|t| t.is_punct('('))
        && let Some((t, n)) = parse(toks, at + 2, engine)
        && toks.get(at + 2 + n).is_some_and(|t| t.is_punct(')'))
    {
        return Some((t, n + 3));
    }
    let next = |k: usize| toks.get(at + k).and_then(Tok::word);
    let (mut p, mut used) = params(toks, at + 1);
    // "decimal 5,2", "varchar 100": parameters without parentheses.
    if used == 0 && matches!(word, "decimal" | "numeric" | "varchar" | "char") {
        (p, used) = bare_params(toks, at + 1);
    }
    let one = p.first().copied();
    let t = match word {
        // "whole years", "whole numbers": counted in integers.
        "whole"
            if next(1).is_some_and(|w| {
                matches!(
                    w,
                    "number"
                        | "numbers"
                        | "years"
                        | "months"
                        | "weeks"
                        | "days"
                        | "hours"
                        | "minutes"
                        | "seconds"
                        | "units"
                )
            }) =>
        {
            return Some((ColumnType::Integer, 2));
        }
        "int" | "integer" | "int4" | "integers" | "whole" => ColumnType::Integer,
        "bigint" | "int8" | "long" | "bigints" => ColumnType::Bigint,
        "smallint" | "int2" | "tinyint" => ColumnType::Smallint,
        "text" | "longtext" | "clob" => ColumnType::Text,
        "string" | "varchar" | "strings" => ColumnType::Varchar(Some(one.unwrap_or(255))),
        "char" | "character" => {
            if next(1) == Some("varying") {
                let (p, used) = params(toks, at + 2);
                return Some((
                    ColumnType::Varchar(Some(p.first().copied().unwrap_or(255))),
                    2 + used,
                ));
            }
            ColumnType::Char(Some(one.unwrap_or(1)))
        }
        "bool" | "boolean" | "booleans" | "flag" => ColumnType::Boolean,
        "date" | "dates" => ColumnType::Date,
        "time" => ColumnType::Time(None),
        "timestamptz" => ColumnType::TimestampTz(None),
        "datetime" | "timestamp" | "timestamps" | "datetimes" => {
            if next(1) == Some("with") && next(2) == Some("time") && next(3) == Some("zone") {
                return Some((ColumnType::TimestampTz(None), 4));
            }
            if next(1) == Some("without") && next(2) == Some("time") && next(3) == Some("zone") {
                return Some((ColumnType::Timestamp(None), 4));
            }
            timestamp(engine)
        }
        "decimal" | "numeric" | "money" | "currency" => match p.as_slice() {
            [pr, sc] => numeric(*pr, *sc),
            [pr] => numeric(*pr, 0),
            _ => numeric(12, 2),
        },
        "float" | "double" => ColumnType::Double,
        "real" => ColumnType::Real,
        "json" => json(engine),
        "jsonb" => json(engine),
        "uuid" | "guid" => uuid(engine),
        "blob" | "bytea" | "binary" | "bytes" => ColumnType::Blob,
        _ => return None,
    };
    Some((t, 1 + used))
}

/// Whether a type keeps every value of `old` (widening, or the same type).
pub fn is_widening(old: &ColumnType, new: &ColumnType) -> bool {
    use ColumnType as T;
    let int_rank = |t: &T| match t {
        T::Boolean => Some(1),
        T::Smallint => Some(2),
        T::Integer => Some(3),
        T::Bigint => Some(4),
        _ => None,
    };
    if old == new {
        return true;
    }
    if let (Some(a), Some(b)) = (integer_range(old), integer_range(new)) {
        return b.0 <= a.0 && a.1 <= b.1;
    }
    // MySQL's text types by capacity in bytes (`TEXT` there holds 64 KiB).
    if let (Some(a), Some(b)) = (mysql_text_bytes(old), mysql_text_bytes(new))
        && (matches!(old, T::Other(_)) || matches!(new, T::Other(_)))
    {
        return b >= a;
    }
    match (old, new) {
        (T::InlineEnum(a), T::InlineEnum(b)) => a.iter().all(|x| b.contains(x)),
        // A UUID's text is 36 characters.
        (T::Uuid, T::Varchar(Some(n)) | T::Char(Some(n))) => *n >= 36,
        (T::InlineEnum(a), T::Varchar(Some(n)) | T::Char(Some(n))) => {
            a.iter().all(|x| x.chars().count() <= *n as usize)
        }
        (T::Varchar(Some(a)) | T::Char(Some(a)), T::Varchar(Some(b))) => b >= a,
        (T::Varchar(_) | T::Char(_), T::Varchar(None)) => true,
        (T::Char(Some(a)), T::Char(Some(b))) => b >= a,
        (_, T::Text) => !matches!(old, T::Blob),
        (T::Real, T::Double) => true,
        (T::Smallint | T::Integer | T::Bigint, T::Numeric(NumericParams { precision, scale })) => {
            let digits = precision.unwrap_or(1000) - scale.unwrap_or(0).min(precision.unwrap_or(0));
            digits >= 19
        }
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
            let (s1, s2) = (s1.unwrap_or(0), s2.unwrap_or(0));
            s2 >= s1 && p2.saturating_sub(s2) >= p1.saturating_sub(s1)
        }
        (
            T::Numeric(_),
            T::Numeric(NumericParams {
                precision: None, ..
            }),
        ) => true,
        (T::Json, T::Jsonb) | (T::Jsonb, T::Json) => true,
        (T::Timestamp(_), T::TimestampTz(_)) => true,
        (T::Date, T::Timestamp(_) | T::TimestampTz(_)) => true,
        (T::Timestamp(a), T::Timestamp(b))
        | (T::TimestampTz(a), T::TimestampTz(b))
        | (T::Time(a), T::Time(b)) => b.unwrap_or(6) >= a.unwrap_or(6),
        _ => match (int_rank(old), int_rank(new)) {
            (Some(a), Some(b)) => b >= a,
            _ => false,
        },
    }
}

/// The values an integer type holds, with MySQL's own (`tinyint`, `mediumint`, `unsigned`) as their dialect
/// names them.
pub fn integer_range(t: &ColumnType) -> Option<(i128, i128)> {
    use ColumnType as T;
    let bits = |n: u32| (-(1i128 << (n - 1)), (1i128 << (n - 1)) - 1);
    let unsigned = |n: u32| (0, (1i128 << n) - 1);
    Some(match t {
        T::Smallint => bits(16),
        T::Integer => bits(32),
        T::Bigint => bits(64),
        T::Other(name) => match name.as_str() {
            "tinyint" => bits(8),
            "mediumint" => bits(24),
            "tinyint unsigned" => unsigned(8),
            "smallint unsigned" => unsigned(16),
            "mediumint unsigned" => unsigned(24),
            "int unsigned" => unsigned(32),
            "bigint unsigned" => unsigned(64),
            _ => return None,
        },
        _ => return None,
    })
}

/// The bytes a MySQL text type holds (`TEXT` as MySQL's 65,535; `tinytext`, `mediumtext`, `longtext` as
/// its dialect names them); `None` for other types.
pub fn mysql_text_bytes(t: &ColumnType) -> Option<u64> {
    use ColumnType as T;
    match t {
        T::Text => Some(65_535),
        T::Other(name) => match name.as_str() {
            "tinytext" => Some(255),
            "mediumtext" => Some(16_777_215),
            "longtext" => Some(4_294_967_295),
            _ => None,
        },
        _ => None,
    }
}

/// A short, engine-neutral spelling of a type for summaries.
pub fn words(t: &ColumnType) -> String {
    use ColumnType as T;
    let p = |name: &str, n: &Option<u32>| match n {
        Some(n) => format!("{name}({n})"),
        None => name.to_string(),
    };
    match t {
        T::Boolean => "boolean".into(),
        T::Smallint => "smallint".into(),
        T::Integer => "integer".into(),
        T::Bigint => "bigint".into(),
        T::Real => "real".into(),
        T::Double => "double".into(),
        T::Numeric(NumericParams { precision, scale }) => match (precision, scale) {
            (Some(p), Some(s)) => format!("numeric({p},{s})"),
            (Some(p), None) => format!("numeric({p})"),
            _ => "numeric".into(),
        },
        T::Char(n) => p("char", n),
        T::Varchar(n) => p("varchar", n),
        T::Text => "text".into(),
        T::Blob => "blob".into(),
        T::Date => "date".into(),
        T::Time(n) => p("time", n),
        T::Timestamp(n) => p("timestamp", n),
        T::TimestampTz(n) => p("timestamptz", n),
        T::Interval => "interval".into(),
        T::Uuid => "uuid".into(),
        T::Json => "json".into(),
        T::Jsonb => "jsonb".into(),
        T::EnumRef(n) => n.display(),
        T::InlineEnum(v) => format!("enum({})", v.join(",")),
        T::Other(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::tokens::lex;

    #[test]
    fn reads_types_with_parameters() {
        let t = lex("decimal(5,2)").unwrap();
        assert_eq!(parse(&t, 0, Engine::Postgres), Some((numeric(5, 2), 6)));
        let t = lex("varchar(100)").unwrap();
        assert_eq!(
            parse(&t, 0, Engine::MySql),
            Some((ColumnType::Varchar(Some(100)), 4))
        );
        let t = lex("timestamp with time zone").unwrap();
        assert_eq!(
            parse(&t, 0, Engine::Sqlite),
            Some((ColumnType::TimestampTz(None), 4))
        );
        assert_eq!(
            parse(&lex("uuid").unwrap(), 0, Engine::MySql).unwrap().0,
            ColumnType::Char(Some(36))
        );
    }

    #[test]
    fn widening_and_narrowing() {
        assert!(is_widening(&ColumnType::Integer, &ColumnType::Bigint));
        assert!(!is_widening(&ColumnType::Bigint, &ColumnType::Integer));
        assert!(is_widening(&numeric(10, 2), &numeric(12, 2)));
        assert!(!is_widening(&numeric(12, 2), &numeric(10, 2)));
        assert!(!is_widening(
            &ColumnType::Varchar(Some(255)),
            &ColumnType::Varchar(Some(50))
        ));
        assert!(!is_widening(&ColumnType::Text, &ColumnType::Integer));
    }
}
