//! "add email field to users table", "users: add bio and avatar_url", "add created_at and
//! updated_at timestamps to products", "add updated_at timestamp to all tables".

use super::{ADD, Ctx, finish, split_items, user_tables};
use crate::model::Table;
use crate::planner::build;
use crate::planner::find::{self, Tables};
use crate::planner::infer::{self, Target};
use crate::planner::names;
use crate::planner::plan::{Plan, Refusal};
use crate::planner::resolve;
use crate::planner::spec::{self, Spec};
use crate::planner::tokens::Tok;
use crate::planner::types;

const EXAMPLE: &str = "add email to users";

/// The column specs of an add request (verb and table already removed).
pub fn specs(ctx: &Ctx, toks: &[Tok]) -> Result<Vec<Spec>, Refusal> {
    let mut out: Vec<Spec> = vec![];
    // "fulfillment with values pending, paid, shipped": a value list stays in its item.
    let list_at = (0..toks.len()).find(|&i| {
        (toks[i].is_any(&["values", "either"]) && i > 0 && i + 1 < toks.len())
            || (toks[i].is("one") && toks.get(i + 1).is_some_and(|t| t.is("of")))
    });
    let mut items = split_items(&toks[..list_at.unwrap_or(toks.len())]);
    if let Some(at) = list_at {
        match items.last_mut() {
            Some(last) if !matches!(toks[at - 1], Tok::Break | Tok::Punct(',')) => {
                last.extend(toks[at..].iter().cloned())
            }
            _ => items.push(toks[at..].to_vec()),
        }
    }
    // "width, height and depth (all numeric)", "latitude and longitude, both decimal", "iban and
    // bic, all of them optional text": what is said of all of them.
    let all = (0..toks.len()).find_map(|i| {
        toks[i].word().filter(|w| spec::is_all(w))?;
        let mut k = i + 1;
        while toks.get(k).is_some_and(|t| {
            t.is_any(&[
                "of", "them", "as", "are", "be", "should", "type", "can", "must",
            ])
        }) {
            k += 1;
        }
        // To the closing parenthesis or the end; to the next comma when what follows it names a column.
        let end = |at_comma: bool| {
            let mut depth = 0usize;
            (k..toks.len())
                .find(|&j| {
                    if toks[j].is_punct('(') {
                        depth += 1;
                    } else if toks[j].is_punct(')') {
                        if depth == 0 {
                            return true;
                        }
                        depth -= 1;
                    }
                    at_comma && depth == 0 && toks[j].is_punct(',')
                })
                .unwrap_or(toks.len())
        };
        let ty = types::parse(toks, k, ctx.engine).map(|(ty, _)| ty);
        let said = |s: &Spec| {
            s.name.is_empty() && (s.ty.is_some() || s.not_null.is_some() || s.default.is_some())
        };
        [false, true]
            .into_iter()
            .map(|at_comma| spec::parse(&toks[k..end(at_comma).max(k)], ctx.engine))
            .find(said)
            .map(|s| Spec {
                ty: s.ty.clone().or(ty.clone()),
                ..s
            })
            .or_else(|| {
                ty.map(|ty| Spec {
                    ty: Some(ty),
                    ..Spec::default()
                })
            })
    });
    for item in items {
        // "..., both decimal(9,6)": said of all of them, applied below.
        if all.is_some() && item.first().and_then(Tok::word).is_some_and(spec::is_all) {
            continue;
        }
        // "nickname, type varchar(80)", "external_id, type UUID": the word "type" only introduces
        // the previous column's type.
        if item.first().is_some_and(|t| t.is_any(&["type", "typed"]))
            && let Some((ty, used)) = types::parse(&item, 1, ctx.engine)
            && let Some(prev) = out.last_mut()
            && prev.ty.is_none()
        {
            prev.ty = Some(ty);
            let more = spec::parse(&item[1 + used..], ctx.engine);
            prev.default = more.default.or(prev.default.take());
            prev.not_null = more.not_null.or(prev.not_null);
            continue;
        }
        let mut s = spec::parse(&item, ctx.engine);
        // "score, int, default 0": a type word after a name is that column's type.
        if let Some(prev) = out.last_mut()
            && let Some(ty) = list_type(&item, &s, prev, ctx.engine)
        {
            prev.ty = Some(ty);
            prev.default = s.default.or(prev.default.take());
            prev.not_null = s.not_null.or(prev.not_null);
            prev.unique |= s.unique;
            prev.index |= s.index;
            continue;
        }
        if spec::is_all(&s.name) && (s.ty.is_some() || s.not_null.is_some() || s.default.is_some())
        {
            continue;
        }
        if s.timestamps && s.name.is_empty() {
            for n in ["created_at", "updated_at"] {
                out.push(Spec {
                    name: n.into(),
                    ty: s.ty.clone(),
                    ..Spec::default()
                });
            }
            continue;
        }
        if s.name.is_empty() && !s.timestamps {
            // ", required", ", default 'x'", ", true by default": more about the previous column.
            if let Some(prev) = out.last_mut()
                && (s.default.is_some()
                    || s.not_null.is_some()
                    || s.unique
                    || s.index
                    || s.foreign_key
                    || s.references.is_some()
                    || !s.values.is_empty())
            {
                // ", pointing at teams", ", a foreign key to teams"
                if s.foreign_key || s.references.is_some() {
                    prev.foreign_key |= s.foreign_key;
                    prev.references = s.references.or(prev.references.take());
                    prev.on_delete = s.on_delete.or(prev.on_delete.take());
                }
                prev.default = s.default.or(prev.default.take());
                prev.not_null = s.not_null.or(prev.not_null);
                prev.unique |= s.unique;
                prev.index |= s.index;
                if !s.values.is_empty() {
                    prev.values = s.values;
                }
                continue;
            }
        }
        if s.name.is_empty() && s.primary_key {
            // "a uuid primary key": the id column.
            s.name = "id".into();
        }
        if s.name.is_empty() {
            if s.foreign_key || s.ty.is_some() || s.unique {
                return Err(Refusal::ambiguous(format!(
                    "which column? \"{}\" names none",
                    crate::planner::tokens::text(&item)
                ))
                .example(EXAMPLE));
            }
            continue;
        }
        names::validate(ctx.engine, &s.name)?;
        out.push(s);
    }
    // "add created_at and updated_at timestamps": a plural type at the end applies to all.
    if let Some(last) = toks.iter().rev().find_map(Tok::word)
        && last.ends_with('s')
        && types::parse(&[Tok::Word(last.to_string())], 0, ctx.engine).is_some()
    {
        let ty = out.last().and_then(|s| s.ty.clone());
        for s in &mut out {
            if s.ty.is_none() {
                s.ty = ty.clone();
            }
        }
    }
    if let Some(all) = all {
        for s in &mut out {
            if s.ty.is_none() {
                s.ty = all.ty.clone();
            }
            s.not_null = s.not_null.or(all.not_null);
            if s.default.is_none() {
                s.default = all.default.clone();
            }
        }
    }
    crate::planner::limits::columns_named(ctx.engine, out.len())?;
    if out.is_empty() {
        return Err(
            Refusal::ambiguous("which column should be added? the request names none")
                .example(EXAMPLE),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for s in &out {
        if !seen.insert(resolve::key(&s.name)) {
            return Err(Refusal::ambiguous(format!(
                "column `{}` is named twice",
                s.name
            )));
        }
    }
    Ok(out)
}

/// The type an item gives the column before it in a comma list ("score, int, default 0", "price,
/// decimal(10,2)"): an item that starts with a type word and names nothing else, after a column
/// without a type. Words that are also common column names (date, text, uuid, json...) count only
/// with parameters or options of their own, or the item would be a column of that name.
fn list_type(
    item: &[Tok],
    s: &Spec,
    prev: &Spec,
    engine: crate::connection::Engine,
) -> Option<crate::model::ColumnType> {
    if prev.ty.is_some() || s.quoted || !prev.values.is_empty() {
        return None;
    }
    let word = item.first()?.word()?;
    let (ty, used) = types::parse(item, 0, engine)?;
    let named = s.name == word || s.name.is_empty();
    let options = s.default.is_some() || s.not_null.is_some() || s.unique;
    (named && (spec::TYPE_ONLY.contains(&word) || used > 1 || options)).then_some(ty)
}

/// Removes the leading verb ("add", "users: add").
pub fn strip_verb(toks: &mut Vec<Tok>, verbs: &[&str]) {
    if let Some(i) = toks.iter().position(|t| t.is_any(verbs))
        && i <= 1
    {
        toks.remove(i);
    }
    while toks
        .first()
        .is_some_and(|t| t.is_punct(':') || *t == Tok::Break)
    {
        toks.remove(0);
    }
}

/// Cuts a purpose clause ("for soft deletes", "so that we can sort", "because ..."): it explains
/// the change and names nothing. A "for <table>" is kept.
fn cut_purpose(ctx: &Ctx, toks: &mut Vec<Tok>) {
    let is_table = |t: Option<&Tok>| {
        t.and_then(Tok::name)
            .is_some_and(|n| ctx.names.table_sure(n).is_some())
    };
    let named = |p: usize| {
        toks[..p]
            .iter()
            .any(|t| t.name().is_some_and(|n| !ADD.contains(&n)))
    };
    let Some(p) = (1..toks.len()).find(|&p| {
        let next = toks.get(p + 1);
        named(p)
            && ((toks[p].is("for")
                && !is_table(next)
                && !next.is_some_and(|t| t.is_any(&["all", "every", "each", "both"])))
                || toks[p].is_any(&["because", "since"])
                || (toks[p].is("so")
                    && next.is_some_and(|t| t.is_any(&["that", "we", "i", "it", "users"])))
                || (toks[p].is("in") && next.is_some_and(|t| t.is("order"))))
    }) else {
        return;
    };
    // The clause runs to the end or to a following "to <table>".
    let end = (p + 1..toks.len())
        .find(|&q| toks[q].is_any(&["to", "in", "on", "into"]) && is_table(toks.get(q + 1)))
        .unwrap_or(toks.len());
    toks.drain(p..end);
}

/// "add deleted_at to posts and comments": the tables of a list after the last preposition,
/// taken out of the tokens; `None` unless it names two tables or more.
fn take_table_list<'a>(ctx: &Ctx<'a>, toks: &mut Vec<Tok>) -> Option<Vec<&'a Table>> {
    let at = toks
        .iter()
        .rposition(|t| t.is_any(&["to", "in", "on", "into"]))?;
    let mut tables: Vec<&Table> = vec![];
    let mut want_name = true;
    for t in &toks[at + 1..] {
        if t.is_any(&["both", "table", "tables"]) {
            continue;
        }
        if want_name {
            let found = t.name().and_then(|n| ctx.names.table_sure(n))?;
            if tables.iter().any(|x| x.name == found.name) {
                return None;
            }
            tables.push(found);
            want_name = false;
        } else if t.is_separator() {
            want_name = true;
        } else {
            return None;
        }
    }
    if tables.len() < 2 || want_name {
        return None;
    }
    toks.truncate(at);
    Some(tables)
}

pub fn add(ctx: &Ctx, mut toks: Vec<Tok>) -> Result<Plan, Refusal> {
    cut_purpose(ctx, &mut toks);
    if let Some(list) = take_table_list(ctx, &mut toks) {
        strip_verb(&mut toks, ADD);
        let specs = specs(ctx, &toks)?;
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        let mut changes = vec![];
        let mut notes = vec![];
        let mut skipped = vec![];
        for t in &list {
            if specs.iter().any(|s| ctx.names.has_column(t, &s.name)) {
                skipped.push(t.name.display());
            }
            let (c, n) = add_to(ctx, t, &specs, false)?;
            changes.extend(c);
            notes.extend(n);
        }
        if changes.is_empty() {
            return Err(Refusal::unsupported(format!(
                "{} already have {}",
                skipped.join(", "),
                names.join(", ")
            )));
        }
        if !skipped.is_empty() {
            notes.push(format!("skipped (already there): {}", skipped.join(", ")));
        }
        let tables: Vec<&str> = list.iter().map(|t| t.name.name.as_str()).collect();
        return Ok(finish(
            changes,
            &format!("add {} to {}", names.join(" "), tables.join(" ")),
            false,
            notes,
        ));
    }
    let tables = find::take(&mut toks, &ctx.names)?;
    strip_verb(&mut toks, ADD);
    let Some(tables) = tables else {
        return Err(find::missing(&toks, &ctx.names, EXAMPLE));
    };
    let specs = specs(ctx, &toks)?;
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    match tables {
        Tables::One(t) => {
            let (changes, notes) = add_to(ctx, t, &specs, true)?;
            Ok(finish(
                changes,
                &format!("add {} to {}", names.join(" "), t.name.name),
                false,
                notes,
            ))
        }
        Tables::All => {
            let mut changes = vec![];
            let mut notes = vec![];
            let mut skipped = vec![];
            for t in user_tables(ctx.schema) {
                let missing: Vec<Spec> = specs
                    .iter()
                    .filter(|s| {
                        ctx.names.column_sure(t, &s.name).is_none()
                            && !ctx.names.has_column(t, &s.name)
                    })
                    .cloned()
                    .collect();
                if missing.len() < specs.len() {
                    skipped.push(t.name.display());
                }
                if missing.is_empty() {
                    continue;
                }
                let (c, n) = add_to(ctx, t, &missing, false)?;
                changes.extend(c);
                notes.extend(n);
            }
            if changes.is_empty() {
                return Err(Refusal::unsupported(format!(
                    "every table already has {}",
                    names.join(", ")
                )));
            }
            if !skipped.is_empty() {
                notes.push(format!("skipped (already there): {}", skipped.join(", ")));
            }
            Ok(finish(
                changes,
                &format!("add {} to all tables", names.join(" ")),
                false,
                notes,
            ))
        }
    }
}

/// The changes adding `specs` to table `t`; `strict` refuses a column that already exists.
pub fn add_to(
    ctx: &Ctx,
    t: &Table,
    specs: &[Spec],
    strict: bool,
) -> Result<(Vec<crate::model::Change>, Vec<String>), Refusal> {
    let mut changes = vec![];
    let mut notes = vec![];
    for s in specs {
        if ctx.names.has_column(t, &s.name) {
            if strict {
                return Err(Refusal::unsupported(format!(
                    "{} already has a column `{}`",
                    t.name.display(),
                    s.name
                ))
                .suggest(vec![format!("{}.{}", t.name.display(), s.name)])
                .example(format!("make {} unique in {}", s.name, t.name.name)));
            }
            continue;
        }
        let inferred = infer::infer(
            s,
            &Target {
                schema: ctx.schema,
                names: &ctx.names,
                engine: ctx.engine,
                table: &t.name.name,
                new_table: false,
            },
        )?;
        notes.extend(inferred.notes.iter().cloned());
        changes.extend(build::add_column(&t.name, &inferred));
    }
    Ok((changes, notes))
}
