//! "rename column username to user_name in accounts", "rename users table to accounts": the
//! rename, plus every index whose name carries the old name, recreated under the new one.

use super::{Ctx, KEYWORDS, column, finish, table_with_column};
use crate::model::{
    AddIndex, Change, Index, IndexTarget, QualifiedName, RenameColumn, RenameTable, Table,
};
use crate::planner::build;
use crate::planner::names;
use crate::planner::plan::{Plan, Refusal};
use crate::planner::resolve::Found;
use crate::planner::tokens::Tok;

const EXAMPLE: &str = "rename column username to user_name in accounts";

fn names_in(toks: &[Tok]) -> Vec<String> {
    toks.iter()
        .filter_map(|t| match t {
            Tok::Ident(n) => Some(n.clone()),
            Tok::Word(w)
                if !KEYWORDS.contains(&w.as_str())
                    && !matches!(w.as_str(), "rename" | "as" | "it" | "this" | "that") =>
            {
                Some(w.clone())
            }
            _ => None,
        })
        .collect()
}

pub fn rename(ctx: &Ctx, toks: Vec<Tok>) -> Result<Plan, Refusal> {
    let mut toks: Vec<Tok> = toks.into_iter().filter(|t| !t.is("rename")).collect();
    if toks
        .iter()
        .any(|t| t.is_any(&["it", "this", "that", "them"]))
        && names_in(&toks).len() < 2
    {
        return Err(
            Refusal::ambiguous("rename what? \"it\" does not name a table or column")
                .example(EXAMPLE),
        );
    }
    // The table context: "in/on/of/from T" not right after "to".
    let mut context: Option<&Table> = None;
    let mut i = 0;
    while i + 1 < toks.len() {
        if toks[i].is_any(&["in", "on", "of", "from", "within"])
            && let Some(n) = toks[i + 1].name()
        {
            match ctx.names.table(n) {
                Found::One(t, _) => {
                    context = Some(t);
                    toks.drain(i..i + 2);
                    continue;
                }
                f => {
                    if let Found::None(close) = f {
                        return Err(Refusal::not_found(format!("there is no table named `{n}`"))
                            .suggest(close)
                            .example(EXAMPLE));
                    }
                }
            }
        }
        i += 1;
    }
    let to_at = toks.iter().position(|t| t.is_any(&["to", "into", "as"]));
    let Some(to_at) = to_at else {
        return Err(
            Refusal::ambiguous("rename to what? say \"... to <new name>\"").example(EXAMPLE),
        );
    };
    let is_table = toks[..to_at].iter().any(|t| t.is("table"));
    let is_column = toks[..to_at].iter().any(|t| t.is_any(&["column", "field"]));
    let Some(new_name) = toks[to_at + 1..].iter().find_map(|t| match t {
        Tok::Ident(n) => Some(n.clone()),
        Tok::Word(w) if !matches!(w.as_str(), "table" | "column" | "field") => Some(w.clone()),
        _ => None,
    }) else {
        return Err(Refusal::ambiguous("rename to what? the new name is missing").example(EXAMPLE));
    };
    names::validate(ctx.engine, &new_name)?;
    // "accounts.username"
    let before = &toks[..to_at];
    if let Some(dot) = before.iter().position(|t| t.is_punct('.'))
        && let (Some(t), Some(c)) = (
            before.get(dot.wrapping_sub(1)).and_then(Tok::name),
            before.get(dot + 1).and_then(Tok::name),
        )
    {
        let table = match ctx.names.table(t) {
            Found::One(x, _) => x,
            Found::None(close) => {
                return Err(
                    Refusal::not_found(format!("there is no table named `{t}`")).suggest(close)
                );
            }
            Found::Many(_) => {
                return Err(Refusal::ambiguous(format!("`{t}` could be several tables")));
            }
        };
        return rename_column(
            table,
            column(ctx, table, c, EXAMPLE)?.name.clone(),
            new_name,
        );
    }
    let old_names = names_in(before);
    let Some(old) = old_names.last().cloned() else {
        return Err(Refusal::ambiguous("rename what? name the table or column").example(EXAMPLE));
    };
    let table_match = ctx.names.table(&old);
    if is_table || (!is_column && context.is_none() && table_match.sure().is_some()) {
        let t = match table_match {
            Found::One(t, _) => t,
            Found::None(close) => {
                return Err(
                    Refusal::not_found(format!("there is no table named `{old}`"))
                        .suggest(close)
                        .example("rename users table to accounts"),
                );
            }
            Found::Many(m) => {
                return Err(
                    Refusal::ambiguous(format!("`{old}` could be several tables"))
                        .suggest(m.iter().map(|t| t.name.display()).collect()),
                );
            }
        };
        return rename_table(ctx, t, new_name);
    }
    let table = match context {
        Some(t) => t,
        None => table_with_column(ctx, &old, EXAMPLE)?,
    };
    let c = column(ctx, table, &old, EXAMPLE)?;
    rename_column(table, c.name.clone(), new_name)
}

/// Recreates the indexes of `table` whose name contains `old` under a name with `new`,
/// with key columns mapped by `map_key`.
fn carry_indexes(
    table: &Table,
    on: &QualifiedName,
    old: &str,
    new: &str,
    map_key: impl Fn(&str) -> String,
) -> Vec<Change> {
    let mut out = vec![];
    let old_l = old.to_lowercase();
    for idx in &table.indexes {
        let lower = idx.name.to_lowercase();
        let Some(at) = lower.find(&old_l) else {
            continue;
        };
        let new_index_name = names::shorten(
            &format!("{}{}{}", &idx.name[..at], new, &idx.name[at + old.len()..]),
            63,
        );
        if new_index_name == idx.name {
            continue;
        }
        let mut index: Index = idx.clone();
        index.name = new_index_name;
        for k in &mut index.keys {
            if let IndexTarget::Column(c) = &mut k.target {
                *c = map_key(c);
            }
        }
        // The new index before the old one goes: MySQL/MariaDB refuse to drop the only index a
        // foreign key uses (and the derived down, reversed, stays in the same safe order).
        out.push(Change::AddIndex(AddIndex {
            table: on.clone(),
            index,
            concurrently: false,
        }));
        out.push(Change::DropIndex(build::object(on, &idx.name)));
    }
    out
}

fn rename_column(table: &Table, old: String, new_name: String) -> Result<Plan, Refusal> {
    if old == new_name {
        return Err(Refusal::unsupported(format!(
            "{}.{old} already has that name",
            table.name.display()
        )));
    }
    if table
        .columns
        .iter()
        .any(|c| c.name.eq_ignore_ascii_case(&new_name) && !c.name.eq_ignore_ascii_case(&old))
    {
        return Err(Refusal::unsupported(format!(
            "{} already has a column `{new_name}`",
            table.name.display()
        )));
    }
    let mut changes = vec![Change::RenameColumn(RenameColumn {
        table: table.name.clone(),
        column: old.clone(),
        new_name: new_name.clone(),
    })];
    let (o, n) = (old.clone(), new_name.clone());
    changes.extend(carry_indexes(table, &table.name, &old, &new_name, |c| {
        if c == o { n.clone() } else { c.to_string() }
    }));
    Ok(finish(
        changes,
        &format!("rename {old} to {new_name} in {}", table.name.name),
        false,
        vec![],
    ))
}

fn rename_table(ctx: &Ctx, table: &Table, new_name: String) -> Result<Plan, Refusal> {
    if let Some(t) = ctx.schema.tables.iter().find(|t| {
        t.name.name.eq_ignore_ascii_case(&new_name) && t.name.namespace == table.name.namespace
    }) {
        if t.name != table.name {
            return Err(
                Refusal::unsupported(format!("table {} already exists", t.name.display()))
                    .suggest(vec![t.name.display()]),
            );
        }
        return Err(Refusal::unsupported(format!(
            "{} already has that name",
            table.name.display()
        )));
    }
    let old = table.name.name.clone();
    let renamed = QualifiedName {
        namespace: table.name.namespace.clone(),
        name: new_name.clone(),
    };
    let mut changes = vec![Change::RenameTable(RenameTable {
        table: table.name.clone(),
        new_name: new_name.clone(),
    })];
    changes.extend(carry_indexes(
        table,
        &renamed,
        &old,
        &new_name,
        str::to_string,
    ));
    let mut notes = vec![];
    if table.columns.iter().any(|c| {
        c.default
            .as_deref()
            .is_some_and(|d| d.contains(&format!("{old}_")) && d.contains("nextval"))
    }) {
        notes.push(format!(
            "the sequence behind {old}'s serial column keeps its name; it still works"
        ));
    }
    Ok(finish(
        changes,
        &format!("rename {old} to {new_name}"),
        false,
        notes,
    ))
}
