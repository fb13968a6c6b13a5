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
    for item in split_items(toks) {
        let mut s = spec::parse(&item, ctx.engine);
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
                    || !s.values.is_empty())
            {
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

pub fn add(ctx: &Ctx, mut toks: Vec<Tok>) -> Result<Plan, Refusal> {
    let tables = find::take(&mut toks, ctx.schema)?;
    strip_verb(&mut toks, ADD);
    let Some(tables) = tables else {
        return Err(find::missing(&toks, ctx.schema, EXAMPLE));
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
                        resolve::column(t, &s.name).sure().is_none() && !has_exact(t, &s.name)
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

fn has_exact(t: &Table, name: &str) -> bool {
    t.columns.iter().any(|c| c.name.eq_ignore_ascii_case(name))
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
        if has_exact(t, &s.name) {
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
