//! Matches names from a request against the real schema: exact, singular/plural and snake/space
//! forms, then small typos (edit distance) when exactly one name is that close.

use crate::model::{Column, DatabaseSchema, Table};

/// How a name matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// The same name, ignoring case.
    Exact,
    /// Singular/plural or spacing differs (`user` for `users`).
    Form,
    /// A small typo, corrected.
    Typo,
}

/// The outcome of looking a name up.
#[derive(Debug)]
pub enum Found<'a, T> {
    One(&'a T, Fit),
    /// Nothing close enough; the closest names, best first.
    None(Vec<String>),
    /// Several equally close names.
    Many(Vec<&'a T>),
}

impl<'a, T> Found<'a, T> {
    /// The match when it is exact or a singular/plural form.
    pub fn sure(&self) -> Option<&'a T> {
        match self {
            Found::One(t, Fit::Exact | Fit::Form) => Some(t),
            _ => None,
        }
    }
}

/// A name in comparable form: lowercase, spaces and hyphens as underscores.
pub fn key(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The singular of an English (snake_case) name; only the last word changes.
pub fn singular(name: &str) -> String {
    let n = key(name);
    let (head, last) = match n.rfind('_') {
        Some(i) => (&n[..=i], &n[i + 1..]),
        None => ("", n.as_str()),
    };
    let s = if last.len() <= 3 {
        last.to_string()
    } else if let Some(stem) = last.strip_suffix("ies") {
        format!("{stem}y")
    } else if last.ends_with("sses")
        || last.ends_with("xes")
        || last.ends_with("ches")
        || last.ends_with("shes")
        || last.ends_with("zzes")
    {
        last[..last.len() - 2].to_string()
    } else if last.ends_with("ss") || last.ends_with("us") || last.ends_with("is") {
        last.to_string()
    } else if let Some(stem) = last.strip_suffix('s') {
        stem.to_string()
    } else {
        last.to_string()
    };
    format!("{head}{s}")
}

/// The plural of a singular snake_case name.
pub fn plural(name: &str) -> String {
    let n = key(name);
    if n.ends_with('y') && !n.ends_with("ay") && !n.ends_with("ey") && !n.ends_with("oy") {
        format!("{}ies", &n[..n.len() - 1])
    } else if n.ends_with('s') || n.ends_with('x') || n.ends_with("ch") || n.ends_with("sh") {
        format!("{n}es")
    } else {
        format!("{n}s")
    }
}

/// Optimal string alignment distance (edits, with adjacent transpositions), capped at `max + 1`.
pub fn distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return max + 1;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// How many edits a name of this length may carry and still be recognised.
fn tolerance(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        _ => 2,
    }
}

/// Looks `word` up among `items` named by `name_of`.
fn find<'a, T>(items: &'a [T], name_of: impl Fn(&T) -> &str, word: &str) -> Found<'a, T> {
    let k = key(word);
    if k.is_empty() {
        return Found::None(vec![]);
    }
    let exact: Vec<&T> = items.iter().filter(|t| key(name_of(t)) == k).collect();
    if exact.len() == 1 {
        return Found::One(exact[0], Fit::Exact);
    }
    if exact.len() > 1 {
        return Found::Many(exact);
    }
    let ks = singular(&k);
    let forms: Vec<&T> = items
        .iter()
        .filter(|t| singular(name_of(t)) == ks)
        .collect();
    if forms.len() == 1 {
        return Found::One(forms[0], Fit::Form);
    }
    if forms.len() > 1 {
        return Found::Many(forms);
    }
    let max = tolerance(k.chars().count());
    let mut best = usize::MAX;
    let mut close: Vec<&T> = Vec::new();
    let mut near: Vec<(usize, &T)> = Vec::new();
    for t in items {
        let n = key(name_of(t));
        let d = distance(&k, &n, max.max(3)).min(distance(&ks, &singular(&n), max.max(3)));
        if d <= max.max(3) {
            near.push((d, t));
        }
        if d > max {
            continue;
        }
        if d < best {
            best = d;
            close.clear();
        }
        if d == best {
            close.push(t);
        }
    }
    match close.len() {
        1 => Found::One(close[0], Fit::Typo),
        0 => {
            near.sort_by_key(|(d, _)| *d);
            let mut names: Vec<String> = near
                .iter()
                .take(3)
                .map(|(_, t)| name_of(t).to_string())
                .collect();
            if names.is_empty() {
                // Names that contain the word, or that the word contains.
                names = items
                    .iter()
                    .map(name_of)
                    .filter(|n| {
                        let n = key(n);
                        k.len() >= 3 && (n.contains(&ks) || (n.len() >= 3 && k.contains(&n)))
                    })
                    .take(3)
                    .map(str::to_string)
                    .collect();
            }
            Found::None(names)
        }
        _ => Found::Many(close),
    }
}

/// Finds a table by name (`orders`, `order`, `ordres`, or `sales.orders`).
pub fn table<'a>(schema: &'a DatabaseSchema, word: &str) -> Found<'a, Table> {
    if let Some((ns, name)) = word.split_once('.') {
        let in_ns: Vec<&Table> = schema
            .tables
            .iter()
            .filter(|t| {
                t.name
                    .namespace
                    .as_deref()
                    .is_some_and(|n| key(n) == key(ns))
            })
            .collect();
        if !in_ns.is_empty() {
            let owned: Vec<Table> = in_ns.iter().map(|t| (*t).clone()).collect();
            return match find(&owned, |t| &t.name.name, name) {
                Found::One(t, fit) => in_ns
                    .iter()
                    .find(|x| x.name == t.name)
                    .map(|x| Found::One(*x, fit))
                    .unwrap_or(Found::None(vec![])),
                Found::None(n) => Found::None(n),
                Found::Many(m) => Found::Many(
                    in_ns
                        .into_iter()
                        .filter(|x| m.iter().any(|t| t.name == x.name))
                        .collect(),
                ),
            };
        }
    }
    find(&schema.tables, |t| &t.name.name, word)
}

/// Finds a column of `table` by name.
pub fn column<'a>(table: &'a Table, word: &str) -> Found<'a, Column> {
    // Columns are matched exactly or by typo; singular/plural is not applied to column names
    // (`tag` and `tags` may both exist and mean different things).
    let k = key(word);
    if let Some(c) = table.columns.iter().find(|c| key(&c.name) == k) {
        return Found::One(c, Fit::Exact);
    }
    if let Some(c) = table
        .columns
        .iter()
        .find(|c| key(&c.name) == k.replace('_', ""))
    {
        return Found::One(c, Fit::Form);
    }
    find(&table.columns, |c| &c.name, word)
}

/// Whether `word` names an existing table exactly or by form.
pub fn is_table(schema: &DatabaseSchema, word: &str) -> bool {
    table(schema, word).sure().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::tests::fixture::schema;

    #[test]
    fn singular_and_plural() {
        assert_eq!(singular("users"), "user");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("user_preferences"), "user_preference");
        assert_eq!(singular("status"), "status");
        assert_eq!(plural("customer"), "customers");
        assert_eq!(plural("category"), "categories");
        assert_eq!(plural("address"), "addresses");
    }

    #[test]
    fn distance_counts_transpositions_once() {
        assert_eq!(distance("users", "usres", 2), 1);
        assert_eq!(distance("products", "prodcuts", 2), 1);
        assert_eq!(distance("abc", "xyz", 1), 2);
    }

    #[test]
    fn tables_by_form_and_typo() {
        let s = schema();
        assert!(matches!(table(&s, "users"), Found::One(_, Fit::Exact)));
        assert!(matches!(table(&s, "user"), Found::One(_, Fit::Form)));
        assert!(matches!(table(&s, "usres"), Found::One(_, Fit::Typo)));
        assert!(matches!(table(&s, "prodcuts"), Found::One(_, Fit::Typo)));
        match table(&s, "invoices") {
            Found::None(_) => {}
            other => panic!("{other:?}"),
        }
    }
}
