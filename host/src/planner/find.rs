//! Finds the table a request is about ("to users", "users table", "users:", "users.email",
//! "orders(customer_id)", "all tables") and takes it out of the tokens.

use super::plan::Refusal;
use super::resolve::{Fit, Found, Names};
use super::tokens::Tok;
use crate::model::Table;

/// Which tables a request is about.
#[derive(Debug)]
pub enum Tables<'a> {
    One(&'a Table),
    /// "all tables", "every table".
    All,
}

const PREPOSITIONS: &[&str] = &[
    "to", "in", "on", "from", "into", "of", "for", "within", "onto", "inside", "at",
];

/// Words that are never a table name in front of "table".
const NOT_NAMES: &[&str] = &[
    "this", "that", "new", "each", "every", "all", "same", "whole", "entire", "my", "our", "to",
    "in", "on", "from", "into", "of", "for", "drop", "create", "rename", "remove", "delete", "add",
    "alter", "change", "make", "lookup", "join", "separate", "other", "existing",
];

/// Removes `toks[range]` and a preposition right before it.
fn cut(toks: &mut Vec<Tok>, start: usize, end: usize) {
    let start = if start > 0 && toks[start - 1].is_any(PREPOSITIONS) {
        start - 1
    } else {
        start
    };
    toks.drain(start..end);
}

fn refuse_unknown(word: &str, found: Found<'_, Table>) -> Refusal {
    match found {
        Found::Many(m) => Refusal::ambiguous(format!("`{word}` could be several tables; name one"))
            .suggest(m.iter().map(|t| t.name.display()).collect()),
        Found::None(close) => {
            let ex = close.first().cloned();
            let r = Refusal::not_found(format!("there is no table named `{word}`")).suggest(close);
            match ex {
                Some(t) => r.example(format!("... {t} table")),
                None => r,
            }
        }
        Found::One(..) => unreachable!("a found table is not refused"),
    }
}

/// Takes the table reference out of `toks`. `Ok(None)` when the request names no table.
pub fn take<'a>(toks: &mut Vec<Tok>, names: &Names<'a>) -> Result<Option<Tables<'a>>, Refusal> {
    // "all tables", "every table", "each table"
    for i in 0..toks.len().saturating_sub(1) {
        if toks[i].is_any(&["all", "every", "each"]) && toks[i + 1].is_any(&["tables", "table"]) {
            cut(toks, i, i + 2);
            return Ok(Some(Tables::All));
        }
    }
    // "users table", "table users"
    for i in 0..toks.len() {
        if !toks[i].is("table") {
            continue;
        }
        let before = i
            .checked_sub(1)
            .and_then(|p| toks[p].name().map(|n| (p, n.to_string())));
        let after = toks
            .get(i + 1)
            .and_then(|t| t.name().map(|n| (i + 1, n.to_string())));
        for (at, name) in [before, after].into_iter().flatten() {
            if NOT_NAMES.contains(&name.as_str())
                || (at > i && toks[at].is_any(&["with", "and", "called", "named"]))
            {
                continue;
            }
            match names.table(&name) {
                Found::One(t, _) => {
                    let (s, e) = if at < i { (at, i + 1) } else { (i, at + 1) };
                    cut(toks, s, e);
                    return Ok(Some(Tables::One(t)));
                }
                found if at < i => return Err(refuse_unknown(&name, found)),
                _ => {}
            }
        }
    }
    // "users: add bio"
    if toks.len() > 2
        && toks[1].is_punct(':')
        && let Some(name) = toks[0].name().map(str::to_string)
        && let Found::One(t, _) = names.table(&name)
    {
        toks.drain(0..2);
        return Ok(Some(Tables::One(t)));
    }
    // "users.email", "orders(customer_id, ...)"
    for i in 0..toks.len().saturating_sub(1) {
        let Some(name) = toks[i].name().map(str::to_string) else {
            continue;
        };
        if toks[i + 1].is_punct('.') && toks.get(i + 2).is_some_and(|t| t.name().is_some()) {
            match names.table(&name) {
                Found::One(t, _) => {
                    cut(toks, i, i + 2);
                    return Ok(Some(Tables::One(t)));
                }
                found => return Err(refuse_unknown(&name, found)),
            }
        }
        if toks[i + 1].is_punct('(')
            && let Found::One(t, Fit::Exact | Fit::Form) = names.table(&name)
        {
            cut(toks, i, i + 1);
            return Ok(Some(Tables::One(t)));
        }
    }
    // "... to users", "... in accounts": exact or plural first, then typos; the last one wins.
    for sure in [true, false] {
        for i in (0..toks.len().saturating_sub(1)).rev() {
            if !toks[i].is_any(PREPOSITIONS) {
                continue;
            }
            let Some(name) = toks[i + 1].name().map(str::to_string) else {
                continue;
            };
            let found = if sure {
                names.table_sure(&name)
            } else {
                match names.table(&name) {
                    Found::One(t, _) => Some(t),
                    _ => None,
                }
            };
            if let Some(t) = found {
                cut(toks, i + 1, i + 2);
                return Ok(Some(Tables::One(t)));
            }
        }
    }
    Ok(None)
}

/// A refusal for a request naming no table it could find: the word after the last preposition
/// is probably the intended table.
pub fn missing(toks: &[Tok], names: &Names, example: &str) -> Refusal {
    for i in (0..toks.len().saturating_sub(1)).rev() {
        if toks[i].is_any(&["to", "in", "on", "from", "into", "for"])
            && let Some(name) = toks[i + 1].name()
            && let f @ (Found::None(_) | Found::Many(_)) = names.table(name)
        {
            return refuse_unknown(name, f).example(example.to_string());
        }
    }
    Refusal::ambiguous("which table? the request names none").example(example.to_string())
}
