//! Canonical forms for two places where PostgreSQL's deparser is not idempotent: printing an
//! expression, creating it again from that text and printing it once more gives different text.
//! Both forms are normalised to the one the second print gives (a fixed point), so that a
//! database and its export + reload introspect the same.
//!
//! 1. `(ARRAY['a'::character varying, ...])::text[]` (the parse of `col IN ('a', ...)` on a
//!    varchar column) reads back as `ARRAY[('a'::character varying)::text, ...]`. Where the whole
//!    is `(col)::text = ANY ((ARRAY[...])::text[])` it is written back as `col IN ('a', ...)`,
//!    which parses to exactly what the server printed (so a check created from it dumps as the
//!    original); elsewhere it takes the second print's form.
//! 2. In a view, `NULL::integer` in a set operation's branch reads back as
//!    `NULL::integer AS int4`; the alias is the name the parser gives the cast anyway, so
//!    dropping it changes nothing.
//!
//! Quoted strings and identifiers are skipped, never rewritten.

/// Normalises an expression (check, default, predicate) or a view's definition.
pub fn expression(text: &str) -> String {
    if !text.contains("(ARRAY[") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find_unquoted(rest, "(ARRAY[") {
        out.push_str(&rest[..at]);
        let candidate = &rest[at..];
        if let Some((column_at, column)) = in_list_column(&out)
            && let Some((items, used)) = varchar_literals(candidate)
            && candidate[used..].starts_with(')')
        {
            out.truncate(column_at);
            out.push_str(&format!("{column} IN ({items})"));
            rest = &candidate[used + 1..];
            continue;
        }
        match rewrite_array_cast(candidate) {
            Some((replacement, used)) => {
                out.push_str(&replacement);
                rest = &candidate[used..];
            }
            None => {
                out.push_str("(ARRAY[");
                rest = &candidate["(ARRAY[".len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// [`expression`] without the parentheses around the whole (checks, predicates, generated
/// columns and index expressions, which rendering puts back in parentheses).
pub fn bare(text: &str) -> String {
    let mut t = expression(text.trim());
    while t.starts_with('(') && matching(&t, 0, b'(', b')') == Some(t.len() - 1) {
        t = t[1..t.len() - 1].trim().to_string();
    }
    t
}

/// A view's definition: [`expression`], then the redundant `NULL::type AS name` aliases dropped.
pub fn view(text: &str) -> String {
    let mut text = expression(text);
    for (spelling, name) in CAST_NAMES {
        let pattern = format!("NULL::{spelling} AS {name}");
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = find_unquoted(rest, &pattern) {
            let after = &rest[at + pattern.len()..];
            out.push_str(&rest[..at]);
            // The alias must end here (not `int4x`).
            if after.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
                out.push_str(&pattern);
            } else {
                out.push_str(&format!("NULL::{spelling}"));
            }
            rest = after;
        }
        out.push_str(rest);
        text = out;
    }
    text
}

/// Types as the deparser spells them in a cast, and the column name the parser derives from it.
const CAST_NAMES: &[(&str, &str)] = &[
    ("integer", "int4"),
    ("bigint", "int8"),
    ("smallint", "int2"),
    ("boolean", "bool"),
    ("text", "text"),
    ("character varying", "\"varchar\""),
    ("character varying", "varchar"),
    ("numeric", "\"numeric\""),
    ("numeric", "numeric"),
    ("date", "date"),
    ("timestamp with time zone", "timestamptz"),
    ("timestamp without time zone", "\"timestamp\""),
    ("timestamp without time zone", "timestamp"),
    ("uuid", "uuid"),
    ("double precision", "float8"),
    ("real", "float4"),
    ("jsonb", "jsonb"),
    ("json", "json"),
    ("bytea", "bytea"),
    ("interval", "\"interval\""),
    ("interval", "interval"),
];

/// The byte offset of `needle` in `text` outside quoted strings and identifiers.
fn find_unquoted(text: &str, needle: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => i = skip_quoted(bytes, i, b'\''),
            b'"' => i = skip_quoted(bytes, i, b'"'),
            _ => {
                if text[i..].starts_with(needle) {
                    return Some(i);
                }
                i += 1;
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
            }
        }
    }
    None
}

/// The index just past the quoted text starting at `start` (doubled quotes stay inside; in an
/// `E'...'` string a backslash escapes the next byte).
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let escapes = quote == b'\'' && start > 0 && matches!(bytes[start - 1], b'E' | b'e');
    let mut i = start + 1;
    while i < bytes.len() {
        if escapes && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// `(ARRAY['a'::S, 'b'::S])::T[]` at the start of `text` -> (`ARRAY[('a'::S)::T, ...]`, bytes
/// consumed), when every element is a cast literal.
fn rewrite_array_cast(text: &str) -> Option<(String, usize)> {
    let body_start = "(ARRAY[".len();
    let close = matching(text, body_start - 1, b'[', b']')?;
    let body = &text[body_start..close];
    let after = &text[close..];
    let after = after.strip_prefix("])::")?;
    let type_end = after.find("[]")?;
    let target = &after[..type_end];
    if target.is_empty() || target.contains(['\'', ',']) {
        return None;
    }
    let elements = split_top_level(body)?;
    let mut rewritten = Vec::with_capacity(elements.len());
    for e in elements {
        let e = e.trim();
        if !e.starts_with('\'') {
            return None;
        }
        let end = skip_quoted(e.as_bytes(), 0, b'\'');
        let cast = e[end..].strip_prefix("::")?;
        if cast.is_empty() || cast.contains(['\'', ',']) {
            return None;
        }
        rewritten.push(format!("({e})::{target}"));
    }
    let used = close + "])::".len() + type_end + "[]".len();
    Some((format!("ARRAY[{}]", rewritten.join(", ")), used))
}

/// When `out` ends with `(column)::text = ANY (`: where that starts, and the column as written.
fn in_list_column(out: &str) -> Option<(usize, String)> {
    let head = out.strip_suffix("::text = ANY (")?;
    let inner_end = head.len().checked_sub(1)?;
    if !head.ends_with(')') {
        return None;
    }
    let open = head[..inner_end].rfind('(')?;
    let column = &head[open + 1..inner_end];
    let simple = !column.is_empty()
        && column
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && column
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    let quoted = column.len() >= 2
        && column.starts_with('"')
        && column.ends_with('"')
        && !column[1..column.len() - 1]
            .replace("\"\"", "")
            .contains('"');
    (simple || quoted).then(|| (open, column.to_string()))
}

/// `(ARRAY['a'::character varying, ...])::text[]` at the start of `text` -> (`'a', ...`, bytes
/// consumed), when every element is a string literal cast to `character varying`.
fn varchar_literals(text: &str) -> Option<(String, usize)> {
    let body_start = "(ARRAY[".len();
    let close = matching(text, body_start - 1, b'[', b']')?;
    let rest = text[close..].strip_prefix("])::text[]")?;
    let used = text.len() - rest.len();
    let mut items = vec![];
    for e in split_top_level(&text[body_start..close])? {
        let e = e.trim();
        if !e.starts_with('\'') {
            return None;
        }
        let end = skip_quoted(e.as_bytes(), 0, b'\'');
        if &e[end..] != "::character varying" {
            return None;
        }
        items.push(&e[..end]);
    }
    Some((items.join(", "), used))
}

/// The index of the bracket closing the one at `open`.
fn matching(text: &str, open: usize, left: u8, right: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => {
                i = skip_quoted(bytes, i, b'\'');
                continue;
            }
            b'"' => {
                i = skip_quoted(bytes, i, b'"');
                continue;
            }
            c if c == left => depth += 1,
            c if c == right => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Splits on commas outside quotes and brackets.
fn split_top_level(text: &str) -> Option<Vec<&str>> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => {
                i = skip_quoted(bytes, i, b'\'');
                continue;
            }
            b'"' => {
                i = skip_quoted(bytes, i, b'"');
                continue;
            }
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            b',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&text[start..]);
    (depth == 0).then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_casts_take_the_reparsed_form() {
        let a = "(lower(name) = ANY ((ARRAY['area'::character varying, 'it''s, ok'::character varying])::text[]))";
        let b = "(lower(name) = ANY (ARRAY[('area'::character varying)::text, ('it''s, ok'::character varying)::text]))";
        assert_eq!(expression(a), b);
        assert_eq!(expression(b), b, "the reparsed form is a fixed point");
    }

    #[test]
    fn a_varchar_column_in_a_list_is_written_as_the_list() {
        let a = "((entity_type)::text = ANY ((ARRAY['area'::character varying, 'it''s, ok'::character varying])::text[]))";
        assert_eq!(expression(a), "(entity_type IN ('area', 'it''s, ok'))");
        let quoted = "((\"Kind\")::text = ANY ((ARRAY['a'::character varying])::text[]))";
        assert_eq!(expression(quoted), "(\"Kind\" IN ('a'))");
        // Once reloaded from the second print's form, it stays in that form.
        let b = "((entity_type)::text = ANY (ARRAY[('area'::character varying)::text]))";
        assert_eq!(expression(b), b);
    }

    #[test]
    fn other_arrays_and_quoted_text_are_left_alone() {
        for s in [
            "(a = ANY ((ARRAY[b, c])::text[]))",
            "(x = '(ARRAY[''a''::character varying])::text[]'::text)",
            "ARRAY[1, 2]",
        ] {
            assert_eq!(expression(s), s);
        }
    }

    #[test]
    fn outer_parentheses_are_dropped() {
        assert_eq!(bare("((a > 0))"), "a > 0");
        assert_eq!(bare("(a) + (b)"), "(a) + (b)");
        assert_eq!(bare("lower((name)::text)"), "lower((name)::text)");
        assert_eq!(bare("(x = ')(')"), "x = ')('");
    }

    #[test]
    fn redundant_null_cast_aliases_are_dropped() {
        let b = " SELECT q.a\n   FROM ( SELECT 1 AS a\n        UNION ALL\n         SELECT NULL::integer AS int4\n           FROM ck) q";
        let a = " SELECT q.a\n   FROM ( SELECT 1 AS a\n        UNION ALL\n         SELECT NULL::integer\n           FROM ck) q";
        assert_eq!(view(b), a);
        assert_eq!(view(a), a);
        assert_eq!(
            view("SELECT NULL::integer AS int4x"),
            "SELECT NULL::integer AS int4x"
        );
        assert_eq!(
            view("SELECT NULL::integer AS foo"),
            "SELECT NULL::integer AS foo"
        );
        assert_eq!(
            view("SELECT 'NULL::integer AS int4'::text"),
            "SELECT 'NULL::integer AS int4'::text"
        );
    }
}
