//! NOT NULL with a value for the rows that hold NULL today: "make users.city not null, fill missing with
//! 'unknown'", "payslips.tax_withheld: not null, nulls -> 0", "backfill projects.budget with 0 and require it".
//!
//! A request qualifies when it asks for a column to hold a value from now on and gives exactly one literal,
//! in a clause about the rows that are empty today (a fill word, or `missing -> v`). The plan is
//! `fill-nulls` (which keeps the filled rows' keys, so a rollback sets exactly those rows back to NULL) and
//! then `set-not-null`. A literal anywhere else (a default, a check bound, a type's size) is not a fill
//! value, and such requests go to the other parsers.

use super::{Ctx, alter, finish};
use crate::history::FILL_PREFIX;
use crate::model::{Change, ColumnRef, FillNulls, QualifiedName};
use crate::planner::build;
use crate::planner::names;
use crate::planner::plan::{Plan, Refusal};
use crate::planner::spec;
use crate::planner::tokens::Tok;

/// Words that, after a negation, say a column may not be empty ("not null", "no longer be missing").
const EMPTY: &[&str] = &[
    "null", "nulls", "nullable", "missing", "empty", "blank", "blanks",
];
/// Negations of [`EMPTY`], up to three words before it ("can no longer be missing", "never be null").
const NEGATION: &[&str] = &[
    "not",
    "non",
    "no",
    "never",
    "cannot",
    "cant",
    "disallow",
    "disallows",
    "forbid",
    "longer",
];
/// Words that alone ask for a value in every row.
const REQUIRED: &[&str] = &[
    "required",
    "require",
    "requires",
    "mandatory",
    "non_null",
    "notnull",
];
/// Words of a clause about the rows that are empty today, the one that gives the fill value.
const FILL: &[&str] = &[
    "fill",
    "fills",
    "filling",
    "filled",
    "backfill",
    "backfilling",
    "backfilled",
    "put",
    "use",
    "using",
    "set",
    "setting",
    "treat",
    "read",
    "missing",
    "empty",
    "blank",
    "blanks",
    "gaps",
    "nulls",
    "none",
    "existing",
];
/// Words that give a literal another role (a default, a bound, a size): not a fill.
const OTHER: &[&str] = &[
    "default",
    "defaults",
    "defaulting",
    "check",
    "least",
    "most",
    "between",
    "positive",
    "negative",
    "above",
    "below",
    "greater",
    "less",
    "length",
    "characters",
    "chars",
    "varchar",
    "char",
    "decimal",
    "numeric",
    "unique",
    "optional",
];

/// Whether the request asks that a column hold a value in every row from now on.
fn asks_not_null(toks: &[Tok]) -> bool {
    toks.iter().any(|t| t.is_any(REQUIRED))
        || toks.iter().enumerate().any(|(i, t)| {
            t.is_any(EMPTY) && toks[i.saturating_sub(3)..i].iter().any(|n| n.is_any(NEGATION))
        })
        // "must always have a value"
        || toks.windows(4).any(|w| {
            w[0].is("always") && w[1..].iter().any(|t| t.is_any(&["value", "values"]))
        })
}

/// The bounds of the clause around `at`: separated by punctuation, a list break, "and" or "then".
fn clause(toks: &[Tok], at: usize) -> (usize, usize) {
    let ends = |t: &Tok| {
        matches!(t, Tok::Break)
            || t.is_punct(',')
            || t.is_punct(';')
            || t.is_punct('(')
            || t.is_punct(')')
            || t.is_any(&["and", "then"])
    };
    let lo = toks[..at].iter().rposition(ends).map_or(0, |i| i + 1);
    let hi = toks[at..]
        .iter()
        .position(ends)
        .map_or(toks.len(), |i| at + i);
    (lo, hi)
}

/// The fill value of a NOT NULL request and where it is, or `None` when the request is not one.
fn fill_value(toks: &[Tok]) -> Option<(usize, spec::Value)> {
    if !asks_not_null(toks) || toks.iter().any(|t| t.is_any(OTHER) || t.is_punct('<')) {
        return None;
    }
    let literals: Vec<usize> = (0..toks.len())
        .filter(|&i| matches!(toks[i], Tok::Str(_) | Tok::Num(_)))
        .collect();
    let [at] = literals[..] else {
        return None;
    };
    let (lo, hi) = clause(toks, at);
    let part = &toks[lo..hi];
    // "missing -> 'n/a'", "nulls -> 0"
    let arrow = (1..part.len()).any(|i| part[i].is_punct('>') && part[i - 1].is_any(EMPTY));
    if !arrow && !part.iter().any(|t| t.is_any(FILL)) {
        return None;
    }
    if toks
        .iter()
        .enumerate()
        .any(|(i, t)| t.is_punct('>') && !(i > 0 && toks[i - 1].is_any(EMPTY)))
    {
        return None;
    }
    let value = match &toks[at] {
        Tok::Str(s) => spec::Value::Str(s.clone()),
        Tok::Num(n) => spec::Value::Num(n.clone()),
        _ => return None,
    };
    Some((at, value))
}

/// The name of the table that keeps the filled rows' keys: `ai_shell_fill_<table>_<column>`, shortened
/// with a hash of the whole name past 60 bytes.
fn keep_name(table: &QualifiedName, column: &str) -> QualifiedName {
    let full = format!("{FILL_PREFIX}{}_{}", table.name, column).to_lowercase();
    QualifiedName {
        namespace: table.namespace.clone(),
        name: names::shorten(&full, 60),
    }
}

/// Plans a NOT NULL request that gives a fill value; `None` when the request is not one.
pub fn not_null_with_fill(ctx: &Ctx, toks: &[Tok]) -> Option<Result<Plan, Refusal>> {
    let (at, value) = fill_value(toks)?;
    let mut rest: Vec<Tok> = toks.to_vec();
    rest.remove(at);
    Some(plan(ctx, rest, &value))
}

fn plan(ctx: &Ctx, mut toks: Vec<Tok>, value: &spec::Value) -> Result<Plan, Refusal> {
    let skip: Vec<String> = FILL
        .iter()
        .chain(EMPTY)
        .chain(REQUIRED)
        .map(|w| w.to_string())
        .collect();
    let (table, cols) = alter::target(ctx, &mut toks, &skip)?;
    let [col] = cols[..] else {
        return Err(Refusal::ambiguous(format!(
            "which column of {} should be filled? name one",
            table.name.display()
        ))
        .example("make city in users not null, fill missing with 'unknown'"));
    };
    let t = &table.name;
    if !col.nullable {
        return Err(Refusal::unsupported(format!(
            "{}.{} is already NOT NULL",
            t.display(),
            col.name
        )));
    }
    let Some(key) = table.primary_key.as_ref().map(|p| p.columns.clone()) else {
        return Err(Refusal::unsafe_(format!(
            "{} has no primary key: a rollback could not tell the rows this fills from the others; add a primary key first",
            t.display()
        )));
    };
    let literal = alter::value_for(ctx, col, value).map_err(Refusal::unsupported)?;
    let fill = FillNulls {
        column: ColumnRef {
            table: t.clone(),
            column: col.name.clone(),
        },
        value: literal,
        key,
        keep: keep_name(t, &col.name),
    };
    let notes = vec![format!(
        "the keys of the rows filled are kept in {} until the migration is rolled back",
        fill.keep.name
    )];
    let changes = vec![
        Change::FillNulls(fill),
        Change::SetNotNull(build::column_ref(t, &col.name)),
    ];
    Ok(finish(
        changes,
        &format!("fill and require {} in {}", col.name, t.name),
        false,
        notes,
    ))
}
