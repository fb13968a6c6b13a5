//! Views: definitions made independent of the database name, in an order they can be created in.

use std::collections::{BTreeMap, BTreeSet};

/// Removes the qualifier `` `db`. `` wherever it names the database `db` itself, outside string
/// literals. MySQL and MariaDB store view definitions fully qualified, which would tie a replayed
/// view to the database it was read from.
pub fn strip_database(sql: &str, db: &str) -> String {
    let qualifier = crate::quote::ident(db);
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' | b'"' => {
                let end = literal_end(sql, i);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'`' => {
                let end = identifier_end(sql, i);
                let token = &sql[i..end];
                if token == qualifier && bytes.get(end) == Some(&b'.') {
                    i = end + 1;
                } else {
                    out.push_str(token);
                    i = end;
                }
            }
            _ => {
                let next = sql[i..]
                    .char_indices()
                    .nth(1)
                    .map_or(sql.len(), |(n, _)| i + n);
                out.push_str(&sql[i..next]);
                i = next;
            }
        }
    }
    out
}

/// End (exclusive) of the string literal opening at `start`.
fn literal_end(sql: &str, start: usize) -> usize {
    let bytes = sql.as_bytes();
    let q = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
        } else if bytes[i] == q {
            if bytes.get(i + 1) == Some(&q) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// End (exclusive) of the backquoted identifier opening at `start`.
fn identifier_end(sql: &str, start: usize) -> usize {
    let bytes = sql.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            if bytes.get(i + 1) == Some(&b'`') {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// The backquoted identifiers a definition mentions, unquoted.
fn identifiers(sql: &str) -> BTreeSet<String> {
    let bytes = sql.as_bytes();
    let mut found = BTreeSet::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => i = literal_end(sql, i),
            b'`' => {
                let end = identifier_end(sql, i);
                let inner = &sql[i + 1..end.saturating_sub(1).max(i + 1)];
                found.insert(inner.replace("``", "`"));
                i = end;
            }
            _ => i += 1,
        }
    }
    found
}

/// Orders `(name, definition)` pairs so that every view comes after the views it mentions; ties
/// and cycles (which cannot be created anyway) fall back to name order.
pub fn creation_order(mut views: Vec<(String, String)>) -> Vec<(String, String)> {
    views.sort_by(|a, b| a.0.cmp(&b.0));
    let names: BTreeSet<String> = views.iter().map(|v| v.0.clone()).collect();
    let mut deps: BTreeMap<String, BTreeSet<String>> = views
        .iter()
        .map(|(name, def)| {
            let mentioned = identifiers(def)
                .into_iter()
                .filter(|n| n != name && names.contains(n))
                .collect();
            (name.clone(), mentioned)
        })
        .collect();
    let mut ordered = Vec::with_capacity(views.len());
    let mut pending = views;
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .position(|(name, _)| deps[name].is_empty())
            .unwrap_or(0);
        let (name, def) = pending.remove(ready);
        for d in deps.values_mut() {
            d.remove(&name);
        }
        ordered.push((name, def));
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_only_the_database_qualifier() {
        let sql = "select `db`.`t`.`a` AS `a`,'`db`.x' AS `s` from `db`.`t` join `other`.`u` join `db``x`.`v`";
        assert_eq!(
            strip_database(sql, "db"),
            "select `t`.`a` AS `a`,'`db`.x' AS `s` from `t` join `other`.`u` join `db``x`.`v`"
        );
        assert_eq!(
            strip_database("select `a``b`.`t`.`ü`", "a`b"),
            "select `t`.`ü`"
        );
    }

    #[test]
    fn orders_by_dependency() {
        let views = vec![
            ("a".to_string(), "select * from `c`".to_string()),
            ("b".to_string(), "select 1".to_string()),
            ("c".to_string(), "select * from `b`".to_string()),
        ];
        let order: Vec<String> = creation_order(views).into_iter().map(|v| v.0).collect();
        assert_eq!(order, ["b", "c", "a"]);
    }
}
