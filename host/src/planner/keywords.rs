//! Keyword typos ("ad", "colum", "tabel", "defualt", "uniqe"): a word within a small edit distance
//! of one of the planner's own keywords, in a place where that keyword is expected, is read as that
//! keyword. A word that names an existing table or column, or one the planner already knows, is
//! never touched, and a word in a name's place (after "column", "called", "named") is left alone,
//! so a typo'd keyword never becomes part of a generated name and a real name is never rewritten.

use super::intents;
use super::resolve::{self, Names};
use super::tokens::Tok;

/// Verbs a request starts with.
pub(crate) const VERBS: &[&str] = &[
    "add", "create", "drop", "remove", "rename", "alter", "change", "modify", "delete", "make",
    "index", "convert", "extract", "split", "merge",
];

/// The nouns of a request's structure: "add column ...", "users table".
pub(crate) const NOUNS: &[&str] = &[
    "column", "columns", "table", "tables", "index", "field", "fields",
];

/// Abbreviations of the nouns, read as the noun in a noun's place.
const ABBREVIATIONS: &[(&str, &str)] = &[("col", "column"), ("cols", "columns")];

/// Abbreviations read as their word anywhere (they are no English words of their own).
const SHORT: &[(&str, &str)] = &[
    ("idx", "index"),
    ("idxs", "indexes"),
    ("tbl", "table"),
    ("tbls", "tables"),
];

/// Words naming a constraint, read (within one edit) anywhere but in a name's place: "a unique connstraint",
/// "a chck constraint", "make t.c rfeerence u.id".
const CONSTRAINT_WORDS: &[&str] = &["constraint", "check", "reference", "references"];

/// Column options and type words, read anywhere but in a name's place.
pub(crate) const OPTIONS: &[&str] = &[
    "default",
    "unique",
    "required",
    "nullable",
    "optional",
    "references",
    "foreign",
    "primary",
    "indexed",
    "cascade",
    "integer",
    "boolean",
    "timestamp",
    "varchar",
    "decimal",
    "numeric",
    "bigint",
];

/// Ordinary words close to a keyword that are not typos of it.
const ENGLISH: &[&str] = &[
    "and", "an", "as", "at", "all", "any", "are", "ads", "aid", "odd", "ago", "age", "able",
    "cable", "label", "tale", "tab", "requires", "need", "needs", "made", "mode", "model", "more",
    "rename", "removed", "added", "created", "dropped", "changed", "ensure", "remote", "charge",
];

/// Words the normalising pre-pass reads as structure ("no two books may share an isbn", "null
/// allowed", "unique across employees", "the reservations entity"); listed here so that the
/// accounting knows them as the planner's own words.
pub(crate) const PHRASE_WORDS: &[&str] = &[
    "share",
    "sharing",
    "across",
    "allowed",
    "permitted",
    "entity",
    "entities",
    "attr",
    "attrs",
];

/// Words that introduce a name: the word after them is a name, never a keyword.
pub(crate) const NAME_MARKERS: &[&str] = &[
    "column", "columns", "field", "fields", "called", "named", "table", "tables",
];

/// Corrects keyword typos in place; returns the corrections made (`(typed, read as)`).
pub fn correct(toks: &mut [Tok], names: &Names) -> Vec<(String, String)> {
    let mut fixed = vec![];
    let Some(start) = toks.iter().position(|t| *t != Tok::Break) else {
        return fixed;
    };
    // Wrapper words ("could u", "pls", "we need to") stand before the verb; they are never typos.
    let start = (start..toks.len())
        .find(|&i| {
            !(toks[i].is_punct(',')
                || toks[i]
                    .word()
                    .is_some_and(|w| super::normalize::LEAD.contains(&w) && !VERBS.contains(&w)))
        })
        .unwrap_or(start);
    let verb_at = if toks.get(start + 1).is_some_and(|t| t.is_punct(':')) {
        start + 2
    } else {
        start
    };
    for i in 0..toks.len() {
        let Some(word) = toks[i].word() else {
            continue;
        };
        // "add an idx on ...": the abbreviation, unless the schema has a column of that name.
        if let Some((_, full)) = SHORT.iter().find(|(a, _)| *a == word)
            && !names.any_table_has_column(word)
            && !names.is_table(word)
        {
            fixed.push((word.to_string(), full.to_string()));
            toks[i] = Tok::Word(full.to_string());
            continue;
        }
        if !typo_candidate(word, names)
            || toks.get(i + 1).is_some_and(|t| t.is_punct('.'))
            || (i > 0 && toks[i - 1].is_punct('.'))
        {
            continue;
        }
        let after_marker = i > 0 && toks[i - 1].is_any(NAME_MARKERS);
        let to_keyword = if i == verb_at || second_verb_place(toks, i, names) {
            nearest(word, VERBS, 2)
        } else if !after_marker && noun_place(toks, i, verb_at, names) {
            ABBREVIATIONS
                .iter()
                .find(|(a, _)| *a == word)
                .map(|(_, n)| *n)
                .or_else(|| nearest(word, NOUNS, 2))
                .or_else(|| nearest(word, OPTIONS, 1))
                .or_else(|| nearest(word, CONSTRAINT_WORDS, 1))
        } else if !after_marker && !sole_name(toks, i, verb_at) {
            nearest(word, OPTIONS, 1).or_else(|| nearest(word, CONSTRAINT_WORDS, 1))
        } else {
            None
        };
        if let Some(k) = to_keyword {
            fixed.push((word.to_string(), k.to_string()));
            toks[i] = Tok::Word(k.to_string());
        }
    }
    fixed
}

/// A single-quoted word in a name's place is a name, not a value: "add 'archived_at' to projects",
/// "a 'notes' attribute", "a column called 'timezone'". A value's place ("default 'x'") is left alone.
pub fn quoted_names(toks: &mut [Tok]) {
    let is_ident = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let names_before = |t: &Tok| {
        t.is_any(&[
            "add", "create", "called", "named", "call", "name", "column", "columns", "field",
            "fields", "table", "tables", "col", "rename",
        ])
    };
    for i in 0..toks.len() {
        let Tok::Str(s) = &toks[i] else {
            continue;
        };
        if !is_ident(s) {
            continue;
        }
        let prev = i.checked_sub(1).map(|k| &toks[k]);
        let prev2 = i.checked_sub(2).map(|k| &toks[k]);
        let next = toks.get(i + 1);
        let value_place = prev.is_some_and(|p| {
            p.is_any(&[
                "default", "defaults", "to", "as", "with", "is", "be", "of", "than",
            ]) || p.is_punct('=')
        });
        let name_place = prev.is_some_and(names_before)
            || (prev.is_some_and(|p| p.is_any(&["a", "an", "the", "new"]))
                && prev2.is_some_and(|p| p.is_any(&["add", "create"])))
            || next.is_some_and(|n| {
                n.is_any(&[
                    "column",
                    "field",
                    "attribute",
                    "property",
                    "col",
                    "table",
                    "entity",
                ])
            });
        if name_place && !value_place {
            toks[i] = Tok::Ident(s.clone());
        }
    }
}

/// A word that may be a typo: letters only, unknown to the planner, naming nothing in the schema.
fn typo_candidate(word: &str, names: &Names) -> bool {
    word.len() >= 2
        && word.chars().all(|c| c.is_ascii_lowercase())
        && !ENGLISH.contains(&word)
        && !VERBS.contains(&word)
        && !NOUNS.contains(&word)
        && !OPTIONS.contains(&word)
        && !intents::is_vocabulary(word)
        && !super::spec::is_filler(word)
        && super::types::parse(
            &[Tok::Word(word.to_string())],
            0,
            crate::connection::Engine::Sqlite,
        )
        .is_none()
        && !names.is_table(word)
        && !names.any_table_has_column(word)
}

/// Where a structural noun is expected: right after the verb (or "new"/"unique" after it), next to
/// an existing table's name, or after a name and before its table ("add nickname colum to users").
fn noun_place(toks: &[Tok], i: usize, verb_at: usize, names: &Names) -> bool {
    let is_table = |t: Option<&Tok>| t.and_then(Tok::name).is_some_and(|n| names.is_table(n));
    // "add a integer coolumn priority": after an article or a type word, before a name.
    let after_type = i > verb_at
        && (toks[i - 1].is_any(&["a", "an", "the", "new", "another"])
            || super::types::parse(toks, i - 1, crate::connection::Engine::Sqlite)
                .is_some_and(|(_, used)| used == 1))
        && toks.get(i + 1).is_some_and(|t| t.name().is_some());
    // "a linkedin_url colum, nullable": after a new name, at the end of its item.
    let after_name = i > 0
        && (matches!(toks[i - 1], Tok::Ident(_))
            || toks[i - 1].word().is_some_and(|w| w.contains('_')))
        && toks
            .get(i + 1)
            .is_none_or(|t| t.is_separator() || t.is_punct(',') || t.is_any(&["to", "in", "on"]));
    i == verb_at + 1
        || after_type
        || after_name
        || (i == verb_at + 2 && toks[verb_at + 1].is_any(&["new", "unique"]))
        || (i > 0 && is_table(toks.get(i - 1)))
        || is_table(toks.get(i + 1))
        || (i > verb_at + 1
            && toks[i - 1].name().is_some()
            && toks
                .get(i + 1)
                .is_some_and(|t| t.is_any(&["to", "in", "on", "from", "into", "of"])))
}

/// The first word of a second clause, before its object: "fill ... and maake it not null", "..., then
/// mke the column required".
fn second_verb_place(toks: &[Tok], i: usize, names: &Names) -> bool {
    let starts = i > 0
        && (toks[i - 1].is_any(&["and", "then"])
            || toks[i - 1].is_punct(',')
            || toks[i - 1].is_punct(';')
            || toks[i - 1] == Tok::Break);
    starts
        && toks.get(i + 1).is_some_and(|t| {
            t.is_any(&["it", "them", "the", "this", "that", "column", "table"])
                || t.name()
                    .is_some_and(|n| names.is_table(n) || names.any_table_has_column(n))
        })
}

/// The only word between the verb and a preposition: the name of what is added.
fn sole_name(toks: &[Tok], i: usize, verb_at: usize) -> bool {
    i == verb_at + 1
        && toks
            .get(i + 1)
            .is_none_or(|t| t.is_any(&["to", "in", "on", "into"]) || t.is_separator())
}

/// The keyword of `keywords` nearest to `word`, if it is close enough and the only one that close.
/// One edit is always allowed; `max` edits (at most 2) for keywords of six letters or more when the
/// first letter is right.
fn nearest(word: &str, keywords: &[&'static str], max: usize) -> Option<&'static str> {
    let allowed = |k: &str| {
        if max >= 2 && k.len() >= 6 && word.len() >= 4 && k.as_bytes()[0] == word.as_bytes()[0] {
            2
        } else {
            1
        }
    };
    let mut best: Option<(&'static str, usize)> = None;
    let mut tie = false;
    for &k in keywords {
        let d = resolve::distance(word, k, 2);
        if d == 0 || d > allowed(k) {
            continue;
        }
        match best {
            Some((_, b)) if d > b => {}
            Some((_, b)) if d == b => tie = true,
            _ => {
                best = Some((k, d));
                tie = false;
            }
        }
    }
    // A one-letter word or a two-letter one only reads as a keyword one letter longer ("ad").
    let (k, _) = best.filter(|_| !tie)?;
    (word.len() >= 3 || k.len() == word.len() + 1).then_some(k)
}

/// Words of a statement that asks for a change without an instruction verb ("users.zip is obsolete
/// and should go", "t should not exist anymore", "t is missing a c column", "c in t doesn't have to
/// be filled in anymore"), read by `normalize::declarative`; listed here so that the word accounting
/// knows them.
pub const STATEMENT_WORDS: &[&str] = &[
    "obsolete", "go", "gone", "away", "exist", "needed", "anymore", "longer", "missing", "lacking",
    "lacks", "filled", "provided", "given", "indexed", "instead", "renamed", "dropped", "removed",
    "deleted",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_keyword_or_none() {
        assert_eq!(nearest("colum", NOUNS, 2), Some("column"));
        assert_eq!(nearest("tabel", NOUNS, 2), Some("table"));
        assert_eq!(nearest("coulmn", NOUNS, 2), Some("column"));
        assert_eq!(nearest("ad", VERBS, 2), Some("add"));
        assert_eq!(nearest("renmae", VERBS, 2), Some("rename"));
        assert_eq!(nearest("dorp", VERBS, 2), Some("drop"));
        assert_eq!(nearest("volume", NOUNS, 2), None);
        assert_eq!(nearest("label", NOUNS, 2), None);
        assert_eq!(nearest("options", OPTIONS, 1), None);
        assert_eq!(nearest("defualt", OPTIONS, 1), Some("default"));
        assert_eq!(nearest("uniqe", OPTIONS, 1), Some("unique"));
    }
}
