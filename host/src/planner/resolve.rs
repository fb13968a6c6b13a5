//! Matches names from a request against the real schema: exact, singular/plural and snake/space
//! forms, then small typos (edit distance) when exactly one name is that close.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;

use super::plan::Refusal;
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
    osa(&a, &b, max)
}

/// [`distance`] over chars: three rows of `b.len() + 1`, stopping as soon as a row exceeds `max`.
fn osa(a: &[char], b: &[char], max: usize) -> usize {
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
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
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The set of characters of a name as 64 bits (letters, digits and `_` each their own; any other
/// character shares a bit). A character one name has and the other lacks costs at least one edit,
/// so the bits one side lacks bound the distance from below.
fn chars_mask(s: &[char]) -> u64 {
    s.iter().fold(0, |m, &c| {
        let bit = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            '0'..='9' => 26 + (c as u32 - '0' as u32),
            '_' => 36,
            c => 37 + c as u32 % 27,
        };
        m | 1 << bit
    })
}

/// How many edits a name of this length may carry and still be recognised.
fn tolerance(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        _ => 2,
    }
}

/// The names of one list (a schema's tables, a table's columns) in the forms lookups compare,
/// derived once: an exact or singular/plural lookup is a hash probe, so resolving every name of a
/// long request costs one probe each instead of a pass over every name of the schema. Only a
/// typo search still visits each name, and it skips those whose length or letters rule them out.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    /// `key(name)` of each item, as chars (for the edit distance).
    keys: Vec<Vec<char>>,
    /// `singular(name)` of each item, as chars.
    singulars: Vec<Vec<char>>,
    /// The [`chars_mask`] of each key and singular.
    masks: Vec<(u64, u64)>,
    /// Items by `key(name)`, in list order.
    exact: HashMap<String, Vec<usize>>,
    /// Items by `singular(name)`, in list order.
    forms: HashMap<String, Vec<usize>>,
    /// Items by their name in ASCII lowercase (`eq_ignore_ascii_case`), in list order.
    lower: HashMap<String, Vec<usize>>,
}

impl Keys {
    pub fn new<'n>(names: impl Iterator<Item = &'n str>) -> Keys {
        let mut out = Keys::default();
        for (i, name) in names.enumerate() {
            let k = key(name);
            let s = singular(name);
            let (kc, sc): (Vec<char>, Vec<char>) = (k.chars().collect(), s.chars().collect());
            out.masks.push((chars_mask(&kc), chars_mask(&sc)));
            out.keys.push(kc);
            out.singulars.push(sc);
            out.exact.entry(k).or_default().push(i);
            out.forms.entry(s).or_default().push(i);
            out.lower
                .entry(name.to_ascii_lowercase())
                .or_default()
                .push(i);
        }
        out
    }

    /// The items within `cap` edits of a word (`k`, its singular `ks`) with their distance, in list
    /// order. Length and character-set differences bound the distance from below, so most names
    /// are passed over without computing it.
    fn within<'s>(
        &'s self,
        k: &'s [char],
        ks: &'s [char],
        cap: usize,
    ) -> impl Iterator<Item = (usize, usize)> + 's {
        let (km, ksm) = (chars_mask(k), chars_mask(ks));
        let far = move |a: &[char], am: u64, b: &[char], bm: u64| {
            a.len().abs_diff(b.len()) > cap
                || (am & !bm).count_ones() as usize > cap
                || (bm & !am).count_ones() as usize > cap
        };
        (0..self.keys.len()).filter_map(move |i| {
            let (n, sn) = (&self.keys[i], &self.singulars[i]);
            let (nm, snm) = self.masks[i];
            let d = match (far(k, km, n, nm), far(ks, ksm, sn, snm)) {
                (true, true) => return None,
                (false, true) => osa(k, n, cap),
                (true, false) => osa(ks, sn, cap),
                (false, false) => osa(k, n, cap).min(osa(ks, sn, cap)),
            };
            (d <= cap).then_some((i, d))
        })
    }

    /// The items whose key is `k` (already in [`key`] form).
    fn by_key(&self, k: &str) -> &[usize] {
        self.exact.get(k).map_or(&[], Vec::as_slice)
    }

    /// The items named `name` ignoring ASCII case.
    fn by_lower(&self, name: &str) -> &[usize] {
        self.lower
            .get(&name.to_ascii_lowercase())
            .map_or(&[], Vec::as_slice)
    }
}

/// Looks `word` up among `items` (whose forms `keys` holds) by exact key, then by singular/plural
/// form, then (given a budget of `typos` searches to spend) by a small edit distance.
fn find<'a, T>(
    items: &'a [T],
    keys: &Keys,
    name_of: impl Fn(&T) -> &str,
    word: &str,
    typos: Option<&Budget>,
) -> Found<'a, T> {
    let k = key(word);
    if k.is_empty() {
        return Found::None(vec![]);
    }
    let pick = |ix: &[usize]| -> Vec<&'a T> { ix.iter().map(|&i| &items[i]).collect() };
    match keys.by_key(&k) {
        [] => {}
        [one] => return Found::One(&items[*one], Fit::Exact),
        many => return Found::Many(pick(many)),
    }
    let ks = singular(&k);
    match keys.forms.get(&ks).map_or(&[][..], Vec::as_slice) {
        [] => {}
        [one] => return Found::One(&items[*one], Fit::Form),
        many => return Found::Many(pick(many)),
    }
    let Some(budget) = typos else {
        return Found::None(vec![]);
    };
    if !budget.spend(word) {
        return Found::None(vec![]);
    }
    let kc: Vec<char> = k.chars().collect();
    let ksc: Vec<char> = ks.chars().collect();
    let max = tolerance(kc.len());
    // A typo to correct: the names within `max` edits (none when `max` is 0: that is an exact or
    // singular match, tried above).
    let mut best = usize::MAX;
    let mut close: Vec<&T> = Vec::new();
    if max > 0 {
        for (i, d) in keys.within(&kc, &ksc, max) {
            // Two edits are a typo only when the first letter is right: "detail" is not "email".
            if d == 2 && keys.keys[i].first() != kc.first() {
                continue;
            }
            if d < best {
                best = d;
                close.clear();
            }
            if d == best {
                close.push(&items[i]);
            }
        }
    }
    match close.len() {
        1 => Found::One(close[0], Fit::Typo),
        0 => {
            // Nothing to correct: the names within 3 edits become suggestions.
            let mut near: Vec<(usize, &T)> = keys
                .within(&kc, &ksc, max.max(3))
                .map(|(i, d)| (d, &items[i]))
                .collect();
            near.sort_by_key(|(d, _)| *d);
            let mut names: Vec<String> = near
                .iter()
                .take(3)
                .map(|(_, t)| name_of(t).to_string())
                .collect();
            if names.is_empty() && k.len() >= 3 {
                // Names that contain the word, or that the word contains.
                names = items
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| {
                        let n: String = keys.keys[*i].iter().collect();
                        n.contains(&ks) || (n.len() >= 3 && k.contains(&n))
                    })
                    .take(3)
                    .map(|(_, t)| name_of(t).to_string())
                    .collect();
            }
            Found::None(names)
        }
        _ => Found::Many(close),
    }
}

fn column_keys(table: &Table) -> Keys {
    Keys::new(table.columns.iter().map(|c| c.name.as_str()))
}

fn column_in<'a>(
    table: &'a Table,
    keys: &Keys,
    word: &str,
    typos: Option<&Budget>,
) -> Found<'a, Column> {
    // Columns are matched exactly or by typo; singular/plural is not applied to column names
    // (`tag` and `tags` may both exist and mean different things).
    let k = key(word);
    if let Some(&i) = keys.by_key(&k).first() {
        return Found::One(&table.columns[i], Fit::Exact);
    }
    if let Some(&i) = keys.by_key(&k.replace('_', "")).first() {
        return Found::One(&table.columns[i], Fit::Form);
    }
    find(&table.columns, keys, |c| &c.name, word, typos)
}

/// The schema's names, derived once per plan: every table and column lookup of the planner goes
/// through here, so a request naming thousands of columns costs a hash probe per name. A table's
/// column forms are derived the first time one of its columns is looked up.
pub struct Names<'a> {
    schema: &'a DatabaseSchema,
    tables: Keys,
    columns: Vec<OnceCell<Keys>>,
    budget: Budget,
}

/// How many typo searches one request may cost. A typo search is the one lookup that visits every
/// name of a list; a request needs one per misspelled name, and a handful at most in practice.
pub const TYPO_SEARCHES: usize = 200;

/// The typo searches a request has made, and the first words that needed one.
#[derive(Default)]
struct Budget {
    used: Cell<usize>,
    words: RefCell<Vec<String>>,
}

impl Budget {
    /// Counts one typo search for `word`; false once the request has used up its searches.
    fn spend(&self, word: &str) -> bool {
        let used = self.used.get() + 1;
        self.used.set(used);
        let mut words = self.words.borrow_mut();
        if words.len() < 3 && !words.iter().any(|w| w == word) {
            words.push(word.to_string());
        }
        used <= TYPO_SEARCHES
    }
}

impl<'a> Names<'a> {
    pub fn new(schema: &'a DatabaseSchema) -> Names<'a> {
        Names {
            schema,
            tables: Keys::new(schema.tables.iter().map(|t| t.name.name.as_str())),
            columns: schema.tables.iter().map(|_| OnceCell::new()).collect(),
            budget: Budget::default(),
        }
    }

    /// A refusal when the request needed more typo searches than [`TYPO_SEARCHES`]: past that,
    /// lookups found nothing and the plan cannot be trusted.
    pub fn over_budget(&self) -> Option<Refusal> {
        if self.budget.used.get() <= TYPO_SEARCHES {
            return None;
        }
        let words: Vec<String> = self
            .budget
            .words
            .borrow()
            .iter()
            .map(|w| format!("`{}`", super::names::shown(w)))
            .collect();
        Some(Refusal::not_found(format!(
            "the request names more than {TYPO_SEARCHES} tables or columns that match no name in the schema exactly ({}, …); ai-shell corrects a few misspellings, not a list of them. Spell the names as the schema does",
            words.join(", ")
        )))
    }

    /// The position of `table` in the schema, when it is one of the schema's own tables (the
    /// schema is borrowed for `'a`, so its tables do not move).
    fn position(&self, table: &Table) -> Option<usize> {
        let base = self.schema.tables.as_ptr() as usize;
        let at = (table as *const Table as usize).checked_sub(base)?;
        let i = at / std::mem::size_of::<Table>();
        (at % std::mem::size_of::<Table>() == 0
            && i < self.schema.tables.len()
            && std::ptr::eq(&self.schema.tables[i], table))
        .then_some(i)
    }

    /// A table's column forms: cached for a table of the schema, fresh for one the planner built.
    fn columns_of(&self, table: &Table) -> Cow<'_, Keys> {
        match self.position(table) {
            Some(i) => Cow::Borrowed(self.columns[i].get_or_init(|| column_keys(table))),
            None => Cow::Owned(column_keys(table)),
        }
    }

    /// Finds a table by name (`orders`, `order`, `ordres`, or `sales.orders`).
    pub fn table(&self, word: &str) -> Found<'a, Table> {
        self.table_with(word, Some(&self.budget))
    }

    /// The table `word` names exactly or by singular/plural form (no typo search).
    pub fn table_sure(&self, word: &str) -> Option<&'a Table> {
        self.table_with(word, None).sure()
    }

    /// Whether `word` names an existing table exactly or by form.
    pub fn is_table(&self, word: &str) -> bool {
        self.table_sure(word).is_some()
    }

    fn table_with(&self, word: &str, typos: Option<&Budget>) -> Found<'a, Table> {
        let schema = self.schema;
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
                let keys = Keys::new(in_ns.iter().map(|t| t.name.name.as_str()));
                return match find(&in_ns, &keys, |t| &t.name.name, name, typos) {
                    Found::One(t, fit) => Found::One(*t, fit),
                    Found::None(n) => Found::None(n),
                    Found::Many(m) => Found::Many(m.into_iter().copied().collect()),
                };
            }
        }
        find(&schema.tables, &self.tables, |t| &t.name.name, word, typos)
    }

    /// Finds a column of `table` by name: exactly, without underscores, by form or by typo.
    pub fn column<'t>(&self, table: &'t Table, word: &str) -> Found<'t, Column> {
        column_in(table, &self.columns_of(table), word, Some(&self.budget))
    }

    /// The column of `table` that `word` names exactly or by form (no typo search).
    pub fn column_sure<'t>(&self, table: &'t Table, word: &str) -> Option<&'t Column> {
        column_in(table, &self.columns_of(table), word, None).sure()
    }

    /// The first column of `table` named `name`, ignoring ASCII case.
    pub fn column_named<'t>(&self, table: &'t Table, name: &str) -> Option<&'t Column> {
        match self.position(table) {
            Some(p) => {
                let keys = self.columns[p].get_or_init(|| column_keys(table));
                let i = *keys.by_lower(name).first()?;
                Some(&table.columns[i])
            }
            // A table the planner built: one pass, no forms worth keeping.
            None => table
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name)),
        }
    }

    /// Whether `table` has a column named `name`, ignoring ASCII case.
    pub fn has_column(&self, table: &Table, name: &str) -> bool {
        self.column_named(table, name).is_some()
    }

    /// Whether some table has a column named `name`, ignoring ASCII case.
    pub fn any_table_has_column(&self, name: &str) -> bool {
        self.schema.tables.iter().any(|t| self.has_column(t, name))
    }

    /// Whether `word` may name a column: a grammar word ("we", "some", "two") names none unless some
    /// table has a column so named.
    pub fn may_name_column(&self, word: &str) -> bool {
        !super::account::is_stopword(word) || self.any_table_has_column(word)
    }

    /// The tables with a column whose key is the key of `word`, in schema order.
    pub fn tables_with_column(&self, word: &str) -> Vec<&'a Table> {
        let k = key(word);
        self.schema
            .tables
            .iter()
            .filter(|t| !self.columns_of(t).by_key(&k).is_empty())
            .collect()
    }
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
        let names = Names::new(&s);
        let table = |w: &str| names.table(w);
        assert!(matches!(table("users"), Found::One(_, Fit::Exact)));
        assert!(matches!(table("user"), Found::One(_, Fit::Form)));
        assert!(matches!(table("usres"), Found::One(_, Fit::Typo)));
        assert!(matches!(table("prodcuts"), Found::One(_, Fit::Typo)));
        match table("invoices") {
            Found::None(_) => {}
            other => panic!("{other:?}"),
        }
    }
}
