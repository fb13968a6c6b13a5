//! Column type spellings (`BIGINT`, `varchar(255)`, `numeric(10,2)`, `timestamp with time zone`...)
//! and model types read into a small category with sizes, so that a type change can be judged lossy
//! (narrowing) or in place (no table rewrite). Pairs it cannot judge are left alone.

use ai_shell_policy_sdk::ColumnType;

/// A column type's category and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Bool,
    /// An integer of 8, 16, 24, 32 or 64 bits.
    Int {
        bits: u8,
        unsigned: bool,
    },
    /// A binary float of 32 or 64 bits.
    Float {
        bits: u8,
    },
    /// `numeric(precision, scale)`; no precision: unbounded.
    Numeric {
        precision: Option<u32>,
        scale: u32,
    },
    /// A string of at most `max` characters (`None`: unbounded); `fixed` for `char(n)`.
    Str {
        max: Option<u32>,
        fixed: bool,
    },
    Date,
    Time,
    Timestamp {
        tz: bool,
    },
    Interval,
    Uuid,
    Json,
    Binary,
    Enum,
    /// Anything else, lower-cased.
    Other(String),
}

impl Ty {
    pub fn is_str(&self) -> bool {
        matches!(self, Ty::Str { .. })
    }

    /// An integer of 32 bits or fewer.
    pub fn is_small_int(&self) -> bool {
        matches!(self, Ty::Int { bits, .. } if *bits <= 32)
    }

    /// The largest value an integer type holds.
    pub fn int_max(&self) -> Option<u64> {
        match self {
            Ty::Int { bits, unsigned } => Some(range(*bits, *unsigned).1 as u64),
            _ => None,
        }
    }
}

/// Reads a type as written in SQL.
pub fn parse(spelling: &str) -> Ty {
    let s = spelling.trim().to_ascii_lowercase().replace(['"', '`'], "");
    let s = s.strip_prefix("pg_catalog.").unwrap_or(&s).to_string();
    if s.ends_with(']') || s.contains(" array") {
        return Ty::Other(s);
    }
    let (mut words, params) = words_and_params(&s);
    let unsigned = words.iter().any(|w| w == "unsigned");
    words.retain(|w| !matches!(w.as_str(), "unsigned" | "signed" | "zerofill"));
    let base = words.join(" ");
    let p0 = params.first().copied();
    let int = |bits| Ty::Int { bits, unsigned };
    let string = |max, fixed| Ty::Str { max, fixed };
    match base.as_str() {
        "bool" | "boolean" => Ty::Bool,
        "tinyint" if p0 == Some(1) && !unsigned => Ty::Bool,
        "tinyint" | "int1" => int(8),
        "smallint" | "int2" | "smallserial" | "serial2" => int(16),
        "mediumint" | "int3" => int(24),
        "int" | "integer" | "int4" | "serial" | "serial4" => int(32),
        "bigint" | "int8" | "bigserial" | "serial8" => int(64),
        "real" | "float4" => Ty::Float { bits: 32 },
        "float" if p0.is_some_and(|p| p <= 24) => Ty::Float { bits: 32 },
        "float" | "double" | "double precision" | "float8" => Ty::Float { bits: 64 },
        "numeric" | "decimal" | "dec" | "number" | "fixed" => Ty::Numeric {
            precision: p0,
            scale: params.get(1).copied().unwrap_or(0),
        },
        "char" | "character" | "nchar" | "national char" | "national character" => {
            string(Some(p0.unwrap_or(1)), true)
        }
        "bpchar" => string(p0, true),
        "varchar"
        | "character varying"
        | "char varying"
        | "nvarchar"
        | "varchar2"
        | "national varchar"
        | "national character varying" => string(p0, false),
        "tinytext" => string(Some(255), false),
        "text" | "mediumtext" | "longtext" | "clob" | "citext" | "string" | "ntext" => {
            string(None, false)
        }
        "date" => Ty::Date,
        "time" | "time without time zone" | "time with time zone" | "timetz" => Ty::Time,
        "timestamp" | "timestamp without time zone" | "datetime" | "datetime2" => {
            Ty::Timestamp { tz: false }
        }
        "timestamptz" | "timestamp with time zone" => Ty::Timestamp { tz: true },
        b if b == "interval" || b.starts_with("interval ") => Ty::Interval,
        "uuid" | "uniqueidentifier" => Ty::Uuid,
        "json" | "jsonb" => Ty::Json,
        "bytea" | "blob" | "tinyblob" | "mediumblob" | "longblob" | "binary" | "varbinary" => {
            Ty::Binary
        }
        "enum" => Ty::Enum,
        _ => Ty::Other(s),
    }
}

/// The words outside parentheses, and the numbers of the first parenthesised list.
fn words_and_params(s: &str) -> (Vec<String>, Vec<u32>) {
    let mut words = Vec::new();
    let mut params = Vec::new();
    let mut word = String::new();
    let mut depth = 0;
    let mut list = String::new();
    let mut lists = 0;
    for ch in s.chars() {
        match ch {
            '(' => {
                depth += 1;
                lists += 1;
            }
            ')' => {
                depth -= 1;
                if depth == 0 && lists == 1 {
                    params = list
                        .split(',')
                        .filter_map(|p| p.trim().parse().ok())
                        .collect();
                }
            }
            _ if depth > 0 && lists == 1 => list.push(ch),
            _ if depth > 0 => {}
            c if c.is_alphanumeric() || c == '_' => {
                word.push(c);
                continue;
            }
            _ => {}
        }
        if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    (words, params)
}

/// Reads a model type.
pub fn from_model(t: &ColumnType) -> Ty {
    match t {
        ColumnType::Boolean => Ty::Bool,
        ColumnType::Smallint => Ty::Int {
            bits: 16,
            unsigned: false,
        },
        ColumnType::Integer => Ty::Int {
            bits: 32,
            unsigned: false,
        },
        ColumnType::Bigint => Ty::Int {
            bits: 64,
            unsigned: false,
        },
        ColumnType::Real => Ty::Float { bits: 32 },
        ColumnType::Double => Ty::Float { bits: 64 },
        ColumnType::Numeric(p) => Ty::Numeric {
            precision: p.precision,
            scale: p.scale.unwrap_or(0),
        },
        ColumnType::Char(n) => Ty::Str {
            max: Some(n.unwrap_or(1)),
            fixed: true,
        },
        ColumnType::Varchar(n) => Ty::Str {
            max: *n,
            fixed: false,
        },
        ColumnType::Text => Ty::Str {
            max: None,
            fixed: false,
        },
        ColumnType::Blob => Ty::Binary,
        ColumnType::Date => Ty::Date,
        ColumnType::Time(_) => Ty::Time,
        ColumnType::Timestamp(_) => Ty::Timestamp { tz: false },
        ColumnType::TimestampTz(_) => Ty::Timestamp { tz: true },
        ColumnType::Interval => Ty::Interval,
        ColumnType::Uuid => Ty::Uuid,
        ColumnType::Json | ColumnType::Jsonb => Ty::Json,
        ColumnType::EnumRef(_) | ColumnType::InlineEnum(_) => Ty::Enum,
        ColumnType::Other(s) => parse(s),
    }
}

/// A short spelling of a model type, for messages.
pub fn describe(t: &ColumnType) -> String {
    let p = |n: &Option<u32>| n.map(|n| format!("({n})")).unwrap_or_default();
    match t {
        ColumnType::Boolean => "boolean".into(),
        ColumnType::Smallint => "smallint".into(),
        ColumnType::Integer => "integer".into(),
        ColumnType::Bigint => "bigint".into(),
        ColumnType::Real => "real".into(),
        ColumnType::Double => "double precision".into(),
        ColumnType::Numeric(n) => match (n.precision, n.scale) {
            (Some(p), Some(s)) => format!("numeric({p},{s})"),
            (Some(p), None) => format!("numeric({p})"),
            _ => "numeric".into(),
        },
        ColumnType::Char(n) => format!("char{}", p(n)),
        ColumnType::Varchar(n) => format!("varchar{}", p(n)),
        ColumnType::Text => "text".into(),
        ColumnType::Blob => "blob".into(),
        ColumnType::Date => "date".into(),
        ColumnType::Time(n) => format!("time{}", p(n)),
        ColumnType::Timestamp(n) => format!("timestamp{}", p(n)),
        ColumnType::TimestampTz(n) => format!("timestamptz{}", p(n)),
        ColumnType::Interval => "interval".into(),
        ColumnType::Uuid => "uuid".into(),
        ColumnType::Json => "json".into(),
        ColumnType::Jsonb => "jsonb".into(),
        ColumnType::EnumRef(n) => n.name.clone(),
        ColumnType::InlineEnum(_) => "enum".into(),
        ColumnType::Other(s) => s.clone(),
    }
}

/// Whether a serial type (an integer filled from a sequence) is written.
pub fn is_serial(spelling: &str) -> bool {
    let s = spelling.trim().to_ascii_lowercase();
    matches!(
        s.as_str(),
        "serial" | "serial2" | "serial4" | "serial8" | "smallserial" | "bigserial"
    )
}

/// The smallest and largest value of an integer type.
fn range(bits: u8, unsigned: bool) -> (i128, i128) {
    if unsigned {
        (0, (1i128 << bits) - 1)
    } else {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    }
}

/// Decimal digits of an integer type's largest value.
fn digits(bits: u8, unsigned: bool) -> u32 {
    range(bits, unsigned).1.to_string().len() as u32
}

/// Whether changing `old` to `new` can lose or change values: `Some(true)` narrows, `Some(false)` keeps
/// every value, `None` when the pair is not judged.
pub fn lossy(old: &Ty, new: &Ty) -> Option<bool> {
    use Ty::*;
    if old == new {
        return Some(false);
    }
    let short = |max: &Option<u32>, need: u32| max.is_some_and(|m| m < need);
    Some(match (old, new) {
        (Other(_), _) | (_, Other(_)) => return None,
        (_, Bool) => true,
        (Bool, Int { .. } | Numeric { .. } | Float { .. }) => false,
        (Bool, Str { max, .. }) => short(max, 5),
        (
            Int {
                bits: a,
                unsigned: ua,
            },
            Int {
                bits: b,
                unsigned: ub,
            },
        ) => {
            let (lo, hi) = range(*a, *ua);
            let (lo2, hi2) = range(*b, *ub);
            lo < lo2 || hi > hi2
        }
        (Int { bits, unsigned }, Numeric { precision, scale }) => {
            precision.is_some_and(|p| p.saturating_sub(*scale) < digits(*bits, *unsigned))
        }
        (Int { bits, .. }, Float { bits: f }) => *bits > if *f == 32 { 24 } else { 53 },
        (Int { bits, unsigned }, Str { max, .. }) => {
            short(max, digits(*bits, *unsigned) + u32::from(!unsigned))
        }
        (Float { bits: a }, Float { bits: b }) => b < a,
        (Float { .. }, Int { .. }) => true,
        (Float { .. }, Numeric { precision, .. }) => precision.is_some(),
        (Float { .. }, Str { max, .. }) => short(max, 24),
        (
            Numeric {
                precision: p1,
                scale: s1,
            },
            Numeric {
                precision: p2,
                scale: s2,
            },
        ) => match (p1, p2) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(p1), Some(p2)) => s2 < s1 || p2.saturating_sub(*s2) < p1.saturating_sub(*s1),
        },
        (Numeric { precision, scale }, Int { bits, unsigned }) => {
            *scale > 0 || precision.is_none_or(|p| p >= digits(*bits, *unsigned))
        }
        (Numeric { .. }, Float { .. }) => return None,
        (Numeric { precision, .. }, Str { max, .. }) => {
            max.is_some() && precision.is_none_or(|p| short(max, p + 2))
        }
        (Str { max: a, .. }, Str { max: b, .. }) => match (a, b) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b < a,
        },
        (
            Str { .. },
            Int { .. }
            | Float { .. }
            | Numeric { .. }
            | Date
            | Time
            | Timestamp { .. }
            | Uuid
            | Json
            | Interval,
        ) => true,
        (Timestamp { tz: true }, Timestamp { tz: false }) => true,
        (Timestamp { .. }, Timestamp { .. }) => false,
        (Timestamp { .. }, Date | Time) => true,
        (Date, Timestamp { .. }) => false,
        (Date | Time | Timestamp { .. } | Uuid | Json | Interval | Enum, Str { max: None, .. }) => {
            false
        }
        (Date, Str { max, .. }) => short(max, 10),
        (Timestamp { .. }, Str { max, .. }) => short(max, 19),
        (Uuid, Str { max, .. }) => short(max, 36),
        (Json, Str { .. }) => true,
        _ => return None,
    })
}

/// PostgreSQL changes `old` to `new` in its catalog only, without rewriting the table: the same
/// type, `varchar(n)` to `varchar(m >= n)` or to `text`, or `numeric` gaining precision.
pub fn pg_in_place(old: &Ty, new: &Ty) -> bool {
    match (old, new) {
        _ if old == new => true,
        (
            Ty::Str {
                max: a,
                fixed: false,
            },
            Ty::Str {
                max: b,
                fixed: false,
            },
        ) => match (a, b) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(a), Some(b)) => b >= a,
        },
        (
            Ty::Numeric {
                precision: p1,
                scale: s1,
            },
            Ty::Numeric {
                precision: p2,
                scale: s2,
            },
        ) => match (p1, p2) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(p1), Some(p2)) => s1 == s2 && p2 >= p1,
        },
        _ => false,
    }
}

/// MySQL/MariaDB change `old` to `new` in place, without copying the table: the same type, or
/// `VARCHAR` widening within the same length-byte class (both up to 255, or both over 255).
pub fn mysql_in_place(old: &Ty, new: &Ty) -> bool {
    old == new
        || matches!(
            (old, new),
            (Ty::Str { max: Some(a), fixed: false }, Ty::Str { max: Some(b), fixed: false })
                if b >= a && ((*a <= 255) == (*b <= 255))
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ai_shell_policy_sdk::NumericParams;

    fn int(bits: u8) -> Ty {
        Ty::Int {
            bits,
            unsigned: false,
        }
    }
    fn s(max: Option<u32>) -> Ty {
        Ty::Str { max, fixed: false }
    }

    #[test]
    fn spellings_read_into_categories() {
        assert_eq!(parse("BIGINT"), int(64));
        assert_eq!(parse("int4"), int(32));
        assert_eq!(parse("integer"), int(32));
        assert_eq!(parse("INT(11)"), int(32));
        assert_eq!(
            parse("INT UNSIGNED"),
            Ty::Int {
                bits: 32,
                unsigned: true
            }
        );
        assert_eq!(parse("mediumint"), int(24));
        assert_eq!(parse("TINYINT(1)"), Ty::Bool);
        assert_eq!(parse("tinyint"), int(8));
        assert_eq!(parse("varchar(255)"), s(Some(255)));
        assert_eq!(parse("character varying(20)"), s(Some(20)));
        assert_eq!(parse("character varying"), s(None));
        assert_eq!(parse("text"), s(None));
        assert_eq!(
            parse("char(2)"),
            Ty::Str {
                max: Some(2),
                fixed: true
            }
        );
        let num = |p, s| Ty::Numeric {
            precision: Some(p),
            scale: s,
        };
        assert_eq!(parse("numeric(10,2)"), num(10, 2));
        assert_eq!(parse("DECIMAL(10, 2)"), num(10, 2));
        assert_eq!(parse("numeric(10)"), num(10, 0));
        assert_eq!(
            parse("timestamp without time zone"),
            Ty::Timestamp { tz: false }
        );
        assert_eq!(
            parse("timestamp(3) with time zone"),
            Ty::Timestamp { tz: true }
        );
        assert_eq!(parse("timestamptz"), Ty::Timestamp { tz: true });
        assert_eq!(parse("DATETIME"), Ty::Timestamp { tz: false });
        assert_eq!(parse("double precision"), Ty::Float { bits: 64 });
        assert_eq!(parse("float"), Ty::Float { bits: 64 });
        assert_eq!(parse("float(10)"), Ty::Float { bits: 32 });
        assert_eq!(parse("REAL"), Ty::Float { bits: 32 });
        assert_eq!(parse("pg_catalog.\"int8\""), int(64));
        assert_eq!(parse("interval day to second"), Ty::Interval);
        assert_eq!(parse("enum('a','b')"), Ty::Enum);
        assert_eq!(parse("integer[]"), Ty::Other("integer[]".into()));
        assert_eq!(parse("tsvector"), Ty::Other("tsvector".into()));
        assert_eq!(parse(""), Ty::Other(String::new()));
        assert!(is_serial("BIGSERIAL") && !is_serial("bigint"));
    }

    #[test]
    fn model_types_match_their_spellings() {
        let n = |precision, scale| {
            ColumnType::Numeric(NumericParams {
                precision: Some(precision),
                scale: Some(scale),
            })
        };
        assert_eq!(from_model(&ColumnType::Integer), parse("int"));
        assert_eq!(from_model(&n(10, 2)), parse("numeric(10,2)"));
        assert_eq!(
            from_model(&ColumnType::Varchar(Some(5))),
            parse("varchar(5)")
        );
        assert_eq!(from_model(&ColumnType::Text), parse("text"));
        assert_eq!(
            from_model(&ColumnType::Other("int unsigned".into())),
            parse("INT UNSIGNED")
        );
        assert_eq!(
            from_model(&ColumnType::TimestampTz(None)),
            parse("timestamptz")
        );
    }

    #[test]
    fn narrowing_is_lossy() {
        let lossy_pairs = [
            ("bigint", "integer"),
            ("integer", "smallint"),
            ("int unsigned", "int"),
            ("int", "int unsigned"),
            ("varchar(255)", "varchar(20)"),
            ("text", "varchar(100)"),
            ("text", "integer"),
            ("varchar(10)", "date"),
            ("numeric(10,2)", "numeric(10,1)"),
            ("numeric(10,2)", "numeric(8,2)"),
            ("numeric", "numeric(12,2)"),
            ("numeric(10,2)", "integer"),
            ("double precision", "integer"),
            ("double precision", "real"),
            ("timestamptz", "timestamp"),
            ("timestamp", "date"),
            ("integer", "boolean"),
            ("text", "boolean"),
            ("bigint", "varchar(5)"),
            ("bigint", "double precision"),
            ("integer", "numeric(5,0)"),
        ];
        for (old, new) in lossy_pairs {
            assert_eq!(
                lossy(&parse(old), &parse(new)),
                Some(true),
                "{old} -> {new}"
            );
        }
    }

    #[test]
    fn widening_is_not_lossy_and_unknown_pairs_are_not_judged() {
        let safe = [
            ("integer", "bigint"),
            ("smallint", "int"),
            ("int unsigned", "bigint"),
            ("varchar(20)", "varchar(255)"),
            ("varchar(20)", "text"),
            ("numeric(10,2)", "numeric(12,2)"),
            ("numeric(10,2)", "numeric"),
            ("integer", "numeric(12,0)"),
            ("integer", "double precision"),
            ("integer", "text"),
            ("real", "double precision"),
            ("timestamp", "timestamptz"),
            ("date", "timestamp"),
            ("boolean", "integer"),
            ("int4", "integer"),
            ("uuid", "text"),
        ];
        for (old, new) in safe {
            assert_eq!(
                lossy(&parse(old), &parse(new)),
                Some(false),
                "{old} -> {new}"
            );
        }
        assert_eq!(lossy(&parse("tsvector"), &parse("text")), None);
        assert_eq!(
            lossy(&parse("numeric(10,2)"), &parse("double precision")),
            None
        );
    }

    #[test]
    fn in_place_changes() {
        assert!(pg_in_place(&parse("varchar(20)"), &parse("varchar(30)")));
        assert!(pg_in_place(&parse("varchar(20)"), &parse("text")));
        assert!(pg_in_place(
            &parse("numeric(10,2)"),
            &parse("numeric(12,2)")
        ));
        assert!(!pg_in_place(&parse("integer"), &parse("bigint")));
        assert!(!pg_in_place(&parse("text"), &parse("varchar(20)")));
        assert!(mysql_in_place(
            &parse("VARCHAR(20)"),
            &parse("VARCHAR(255)")
        ));
        assert!(mysql_in_place(
            &parse("VARCHAR(300)"),
            &parse("VARCHAR(1000)")
        ));
        assert!(!mysql_in_place(
            &parse("VARCHAR(200)"),
            &parse("VARCHAR(300)")
        ));
        assert!(!mysql_in_place(&parse("INT"), &parse("BIGINT")));
        assert!(mysql_in_place(&parse("INT(11)"), &parse("int")));
    }
}
