//! Whether PostgreSQL can store a column default once in the catalog (a "fast default", PostgreSQL 11+)
//! or must evaluate it per row, rewriting the table under ACCESS EXCLUSIVE. Conservative: any call of a
//! function not known to be stable or immutable counts as volatile.

/// Functions that are immutable or stable (evaluated once by `ADD COLUMN ... DEFAULT`).
const NON_VOLATILE: &[&str] = &[
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "current_setting",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "lower",
    "upper",
    "concat",
    "make_date",
    "make_time",
    "make_interval",
    "to_timestamp",
    "to_jsonb",
    "to_json",
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
    "array",
    "row",
];

/// Type names that take modifiers in parentheses (`numeric(10,2)`, `character varying(5)`).
const TYPE_WORDS: &[&str] = &[
    "numeric",
    "decimal",
    "varchar",
    "varying",
    "character",
    "char",
    "bit",
    "timestamp",
    "timestamptz",
    "time",
    "timetz",
    "interval",
    "float",
];

/// Whether `default` may be volatile (calls a function not known to be stable or immutable).
pub fn is_volatile(default: &str) -> bool {
    calls(default)
        .iter()
        .any(|f| !NON_VOLATILE.contains(&f.as_str()) && !TYPE_WORDS.contains(&f.as_str()))
}

/// The lower-cased names written directly before an opening parenthesis, outside literals.
fn calls(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut last_word: Option<String> = None;
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                // Skip the literal or quoted identifier; a doubled quote stays inside it.
                let quote = c;
                let name_start = word.is_empty() && quote == '"';
                let mut inner = String::new();
                while let Some(d) = chars.next() {
                    if d == quote {
                        if chars.peek() == Some(&quote) {
                            chars.next();
                            inner.push(d);
                            continue;
                        }
                        break;
                    }
                    inner.push(d);
                }
                word.clear();
                last_word = name_start.then(|| inner.to_ascii_lowercase());
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' => word.push(c),
            c => {
                if !word.is_empty() {
                    last_word = Some(word.to_ascii_lowercase());
                    word.clear();
                }
                if c == '(' {
                    if let Some(w) = last_word.take() {
                        // `pg_catalog.random` -> `random`.
                        let name = w.rsplit('.').next().unwrap_or(&w).to_string();
                        if !name.is_empty() && !name.chars().all(|ch| ch.is_ascii_digit()) {
                            out.push(name);
                        }
                    }
                } else if !c.is_whitespace() {
                    last_word = None;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatile_defaults() {
        for d in [
            "random()",
            "gen_random_uuid()",
            "clock_timestamp()",
            "nextval('s'::regclass)",
            "pg_catalog.random ()",
            "(random() * 10)::integer",
            "my_function()",
            "\"MyFunc\"()",
        ] {
            assert!(is_volatile(d), "{d}");
        }
    }

    #[test]
    fn constant_and_stable_defaults() {
        for d in [
            "0",
            "'pending'::character varying",
            "'x(y)'::text",
            "now()",
            "CURRENT_TIMESTAMP",
            "'0.00'::numeric(10,2)",
            "'{}'::jsonb",
            "ARRAY[]::integer[]",
            "'random()'",
            "lower('A')",
        ] {
            assert!(!is_volatile(d), "{d}");
        }
    }
}
