//! Several changes in one request: "label names should be unique, and the color should default to
//! 'grey'", "create a tags table (...) and a post_tags join table linking posts and tags".
//!
//! The normalised request is cut where a second instruction starts: after a comma, a `;` or a line
//! break, the words that follow open with an instruction verb, or with a subject of their own and a
//! modal ("the color should ..."); in a request that creates a table, "and a `t2` table ..." starts a
//! second table. Each part is planned alone, against the schema as the parts before it leave it, so
//! a second table may reference the first. A part that names no table is read in the table of the
//! part before it. The parts are used only when every one of them plans; otherwise the request is
//! planned whole, as before.

use super::intents::{self, Ctx};
use super::plan::{Plan, Refusal};
use super::tokens::Tok;
use crate::changes::simulate;
use crate::connection::Engine;
use crate::model::{Change, DatabaseSchema};

/// Words that join a second instruction to the first.
const JOINERS: &[&str] = &["and", "also", "then", "plus", "additionally"];

/// Modals and copulas of a declarative instruction ("the color should default to 'grey'").
const MODALS: &[&str] = &[
    "should", "must", "needs", "has", "have", "can", "cannot", "cant", "may", "will", "shall",
];

/// Pronouns: a part that starts with one refers back to the part before it.
const PRONOUNS: &[&str] = &[
    "it", "its", "they", "them", "both", "all", "each", "this", "that", "these", "those", "which",
    "who", "where",
];

/// Plans `toks` as one change or, when it holds several instructions, as all of them.
pub fn plan(
    schema: &DatabaseSchema,
    engine: Engine,
    ctx: &Ctx,
    toks: Vec<Tok>,
) -> Result<Plan, Refusal> {
    let parts = split(&toks);
    if parts.len() < 2 {
        return intents::dispatch(ctx, toks);
    }
    match plan_parts(schema, engine, &parts) {
        Some(plan) => Ok(plan),
        None => intents::dispatch(ctx, toks),
    }
}

/// The parts of a request that holds several instructions (one part when it holds one).
pub fn split(toks: &[Tok]) -> Vec<Vec<Tok>> {
    let creates = toks
        .iter()
        .take(3)
        .any(|t| t.is_any(&["create", "new", "make", "build"]))
        && toks.iter().any(|t| t.is("table"));
    let mut cuts = vec![];
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate() {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth = depth.saturating_sub(1);
        }
        if depth > 0 || i == 0 {
            continue;
        }
        let boundary = matches!(t, Tok::Punct(',' | ';') | Tok::Break);
        if (boundary && starts_instruction(&toks[i + 1..]))
            || (creates && t.is("and") && starts_table(&toks[i + 1..]))
        {
            cuts.push((i, i + 1));
        }
    }
    if cuts.is_empty() {
        return vec![toks.to_vec()];
    }
    let mut parts = vec![];
    let mut from = 0;
    for (end, next) in cuts {
        parts.push(toks[from..end].to_vec());
        from = next;
    }
    parts.push(toks[from..].to_vec());
    let verb = toks.first().cloned();
    parts
        .into_iter()
        .map(|mut p| {
            while p
                .first()
                .is_some_and(|t| t.is_any(JOINERS) || t.is_punct(','))
            {
                p.remove(0);
            }
            // "and a `post_tags` table ...": the verb of the first part.
            if creates
                && starts_table(&p)
                && let Some(v) = &verb
            {
                if !p.iter().take(4).any(|t| t.is("table")) {
                    p.insert(0, Tok::Word("table".into()));
                }
                p.insert(0, v.clone());
            }
            p
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// Whether `rest` (after a comma, `;` or line break) opens a second instruction: an instruction
/// verb, or a subject of its own followed by a modal.
fn starts_instruction(rest: &[Tok]) -> bool {
    let mut i = 0;
    while rest.get(i).is_some_and(|t| t.is_any(JOINERS)) {
        i += 1;
    }
    let Some(first) = rest.get(i) else {
        return false;
    };
    if first.is_any(PRONOUNS) {
        return false;
    }
    if first.word().is_some_and(intents::is_verb) && !first.is_any(&["new", "get", "set", "store"])
    {
        // "..., make it required" refers back: the part could not stand alone.
        return rest[i + 1..].first().is_some_and(|t| !t.is_any(PRONOUNS));
    }
    // "[the] color should ...", "users.email must ..."
    if first.is_any(&["the", "a", "an"]) {
        i += 1;
    }
    let subject = rest[i..]
        .iter()
        .take_while(|t| t.name().is_some_and(|n| !MODALS.contains(&n)) || t.is_punct('.'))
        .count();
    (1..=3).contains(&subject) && rest.get(i + subject).is_some_and(|t| t.is_any(MODALS))
}

/// Whether `rest` (after "and" in a create request) starts another table: "a `post_tags` join
/// table ...", "an audit_log table".
fn starts_table(rest: &[Tok]) -> bool {
    let mut i = 0;
    if rest
        .first()
        .is_some_and(|t| t.is_any(&["a", "an", "the", "another"]))
    {
        i += 1;
    }
    let named = rest.get(i).is_some_and(|t| t.name().is_some());
    // "`b` (a, b, c)": a name and its column list.
    let listed = matches!(rest.get(i), Some(Tok::Ident(_)))
        && rest.get(i + 1).is_some_and(|t| t.is_punct('('));
    named && (listed || rest[i + 1..].iter().take(3).any(|t| t.is_any(&["table"])))
}

/// Plans each part against the schema the parts before it leave; `None` when one cannot be planned
/// or one carries its own down section.
fn plan_parts(schema: &DatabaseSchema, engine: Engine, parts: &[Vec<Tok>]) -> Option<Plan> {
    let mut current = schema.clone();
    let mut changes: Vec<Change> = vec![];
    let mut summary = vec![];
    let mut slugs: Vec<String> = vec![];
    let mut destructive = false;
    let mut last_table: Option<String> = None;
    for part in parts {
        let ctx = Ctx::new(&current, engine);
        let planned = intents::dispatch(&ctx, part.clone()).ok().or_else(|| {
            // "..., and the color should default to 'grey'": in the table of the part before.
            let table = last_table.as_ref()?;
            let mut with_table = part.clone();
            with_table.push(Tok::Word("in".into()));
            with_table.push(Tok::Word(table.clone()));
            intents::dispatch(&ctx, with_table).ok()
        })?;
        if planned.down.is_some() || planned.changes.is_empty() {
            return None;
        }
        drop(ctx);
        simulate::apply_all(&mut current, &planned.changes).ok()?;
        let tables: Vec<String> = planned
            .changes
            .iter()
            .filter_map(|c| crate::changes::existing_table(c).map(|t| t.name.clone()))
            .collect();
        last_table = match tables.as_slice() {
            [one, rest @ ..] if rest.iter().all(|t| t == one) => Some(one.clone()),
            _ => None,
        };
        changes.extend(planned.changes);
        summary.extend(planned.summary);
        slugs.push(planned.slug);
        destructive |= planned.destructive;
    }
    Some(Plan {
        changes,
        down: None,
        summary,
        slug: super::names::slug(&slugs.join("_and_")),
        destructive,
    })
}
