//! Drops: a column or table (destructive), and the lighter "drop default", "remove not null",
//! "drop unique", "drop index", "drop foreign key", "drop check". Dependent indexes, foreign
//! keys and checks go first so every engine accepts the drop.

use super::{Ctx, KEYWORDS, column, finish, table_with_column};
use crate::model::{Change, IndexTarget, Table};
use crate::planner::build;
use crate::planner::find::{self, Tables};
use crate::planner::plan::{Plan, Refusal};
use crate::planner::resolve::{self, Fit, Found};
use crate::planner::tokens::Tok;

const EXAMPLE: &str = "remove deprecated_field from products";

fn candidates(toks: &[Tok]) -> Vec<String> {
    toks.iter()
        .filter_map(|t| match t {
            Tok::Ident(n) => Some(n.clone()),
            Tok::Word(w)
                if !KEYWORDS.contains(&w.as_str())
                    && !matches!(
                        w.as_str(),
                        "get"
                            | "rid"
                            | "delete"
                            | "destroy"
                            | "eliminate"
                            | "unused"
                            | "old"
                            | "deprecated"
                            | "erase"
                            | "discard"
                            | "kill"
                            | "rm"
                            | "unnecessary"
                            | "obsolete"
                            | "legacy"
                            | "permanently"
                            | "completely"
                            | "entirely"
                            | "cascade"
                    ) =>
            {
                Some(w.clone())
            }
            Tok::Word(w) if matches!(w.as_str(), "unused" | "old" | "deprecated" | "legacy") => {
                None
            }
            _ => None,
        })
        .collect()
}

pub fn drop(ctx: &Ctx, mut toks: Vec<Tok>) -> Result<Plan, Refusal> {
    let has = |toks: &[Tok], w: &str| toks.iter().any(|t| t.is(w));
    let original = toks.clone();
    let tables = find::take(&mut toks, &ctx.names)?;
    let table = match tables {
        Some(Tables::One(t)) => Some(t),
        Some(Tables::All) => {
            return Err(Refusal::unsafe_(
                "ai-shell does not drop from every table at once; name one table",
            )
            .example(EXAMPLE));
        }
        None => None,
    };
    let words = candidates(&toks);
    let resolve_col = |words: &[String]| -> Result<(&Table, String), Refusal> {
        let Some(w) = words.first() else {
            return Err(Refusal::ambiguous("which column? the request names none").example(EXAMPLE));
        };
        let t = match table {
            Some(t) => t,
            None => table_with_column(ctx, w, EXAMPLE)?,
        };
        Ok((t, column(ctx, t, w, EXAMPLE)?.name.clone()))
    };
    if has(&toks, "default") {
        let (t, c) = resolve_col(&words)?;
        if t.columns
            .iter()
            .find(|x| x.name == c)
            .is_some_and(|x| x.default.is_none())
        {
            return Err(Refusal::unsupported(format!(
                "{}.{c} has no default",
                t.name.display()
            )));
        }
        return Ok(finish(
            vec![Change::DropDefault(build::column_ref(&t.name, &c))],
            &format!("drop default of {c} in {}", t.name.name),
            false,
            vec![],
        ));
    }
    if has(&toks, "null") || has(&toks, "required") || has(&toks, "non_null") {
        let (t, c) = resolve_col(&words)?;
        return Ok(finish(
            vec![Change::DropNotNull(build::column_ref(&t.name, &c))],
            &format!("make {c} optional in {}", t.name.name),
            false,
            vec![],
        ));
    }
    if has(&toks, "index")
        || has(&toks, "unique")
        || has(&toks, "foreign")
        || has(&toks, "check")
        || has(&toks, "constraint")
        || has(&toks, "fk")
    {
        return drop_object(ctx, table, &toks, &words);
    }
    let wants_table = has(&toks, "table") || has(&toks, "tables");
    if let Some(t) = table {
        // Destroying data on a guess is not allowed: a typo-corrected table name is refused.
        if !named_exactly(&original, &t.name.name) {
            return Err(
                Refusal::not_found("the table named in a drop must be spelled exactly")
                    .suggest(vec![t.name.display()])
                    .example(format!("drop {} table", t.name.name)),
            );
        }
    }
    match (table, words.as_slice()) {
        (Some(t), []) => drop_table(ctx, t),
        (Some(t), cols) if !wants_table => drop_columns(ctx, t, cols),
        (Some(t), _) => drop_table(ctx, t),
        (None, [w, ..]) => {
            let found = ctx.names.table(w);
            let column_somewhere = !ctx.names.tables_with_column(w).is_empty();
            match found {
                Found::One(t, fit) if fit != Fit::Typo && (wants_table || !column_somewhere) => {
                    drop_table(ctx, t)
                }
                _ if !wants_table && column_somewhere => {
                    let (t, _) = resolve_col(&words)?;
                    drop_columns(ctx, t, &words)
                }
                Found::One(t, _) => {
                    Err(Refusal::not_found(format!("there is no table named `{w}`"))
                        .suggest(vec![t.name.display()])
                        .example(format!("drop {} table", t.name.name)))
                }
                Found::None(close) => Err(Refusal::not_found(format!(
                    "there is no table or column named `{w}`"
                ))
                .suggest(close)
                .example(EXAMPLE)),
                Found::Many(m) => Err(Refusal::ambiguous(format!("`{w}` could be several tables"))
                    .suggest(m.iter().map(|t| t.name.display()).collect())),
            }
        }
        (None, []) => {
            Err(Refusal::ambiguous("drop what? name the table or column").example(EXAMPLE))
        }
    }
}

/// Whether the request spells `name` (or its singular/plural) itself, not a typo of it.
fn named_exactly(toks: &[Tok], name: &str) -> bool {
    toks.iter().filter_map(Tok::name).any(|n| {
        resolve::key(n) == resolve::key(name) || resolve::singular(n) == resolve::singular(name)
    })
}

fn drop_table(ctx: &Ctx, t: &Table) -> Result<Plan, Refusal> {
    let mut changes = vec![];
    let mut notes = vec![format!(
        "dropping {} deletes its rows; rollback recreates the table empty",
        t.name.display()
    )];
    for other in &ctx.schema.tables {
        if other.name == t.name {
            continue;
        }
        for fk in other.foreign_keys.iter().filter(|f| {
            f.referenced_table.name == t.name.name
                && f.referenced_table
                    .namespace
                    .as_deref()
                    .is_none_or(|n| Some(n) == t.name.namespace.as_deref())
        }) {
            changes.push(Change::DropForeignKey(build::object(&other.name, &fk.name)));
            notes.push(format!(
                "{}.{} no longer references {}",
                other.name.display(),
                fk.columns.join(", "),
                t.name.display()
            ));
        }
    }
    changes.push(Change::DropTable(t.name.clone()));
    Ok(finish(
        changes,
        &format!("drop {}", t.name.name),
        true,
        notes,
    ))
}

/// The changes that drop column `c` of `t` with what depends on it.
pub fn drop_column_changes(ctx: &Ctx, t: &Table, c: &str) -> Result<Vec<Change>, Refusal> {
    if t.primary_key
        .as_ref()
        .is_some_and(|p| p.columns.iter().any(|x| x == c))
    {
        return Err(Refusal::unsafe_(format!(
            "{c} is (part of) the primary key of {}; ai-shell will not drop it",
            t.name.display()
        )));
    }
    for other in &ctx.schema.tables {
        if let Some(fk) = other.foreign_keys.iter().find(|f| {
            f.referenced_table.name == t.name.name && f.referenced_columns.iter().any(|x| x == c)
        }) {
            return Err(Refusal::unsafe_(format!(
                "{}.{c} is referenced by foreign key {} of {}; drop that first",
                t.name.display(),
                fk.name,
                other.name.display()
            )));
        }
    }
    if t.columns.len() <= 1 {
        return Err(Refusal::unsupported(format!(
            "{c} is the only column of {}; drop the table instead",
            t.name.display()
        )));
    }
    let mut out = vec![];
    for fk in t
        .foreign_keys
        .iter()
        .filter(|f| f.columns.iter().any(|x| x == c))
    {
        out.push(Change::DropForeignKey(build::object(&t.name, &fk.name)));
    }
    for u in t
        .uniques
        .iter()
        .filter(|u| u.columns.iter().any(|x| x == c))
    {
        out.push(Change::DropUnique(build::object(&t.name, &u.name)));
    }
    for i in t.indexes.iter().filter(|i| {
        i.keys.iter().any(|k| match &k.target {
            IndexTarget::Column(x) => x == c,
            IndexTarget::Expression(e) => e.contains(c),
        })
    }) {
        out.push(Change::DropIndex(build::object(&t.name, &i.name)));
    }
    for k in t.checks.iter().filter(|k| mentions(&k.expression, c)) {
        out.push(Change::DropCheck(build::object(&t.name, &k.name)));
    }
    out.push(Change::DropColumn(build::column_ref(&t.name, c)));
    Ok(out)
}

/// Whether an SQL expression mentions identifier `c` (as a whole word).
pub(super) fn mentions(expr: &str, c: &str) -> bool {
    let e = expr.to_lowercase();
    let c = c.to_lowercase();
    e.match_indices(&c).any(|(at, _)| {
        let before = e[..at].chars().next_back();
        let after = e[at + c.len()..].chars().next();
        !before.is_some_and(|b| b.is_alphanumeric() || b == '_')
            && !after.is_some_and(|a| a.is_alphanumeric() || a == '_')
    })
}

fn drop_columns(ctx: &Ctx, t: &Table, words: &[String]) -> Result<Plan, Refusal> {
    let mut changes = vec![];
    let mut cols = vec![];
    let mut seen = std::collections::HashSet::new();
    for w in words {
        let c = column(ctx, t, w, EXAMPLE)?.name.clone();
        if !matches!(
            ctx.names.column(t, w),
            Found::One(_, Fit::Exact | Fit::Form)
        ) {
            return Err(Refusal::not_found(format!(
                "{} has no column `{w}`; a drop needs the exact name",
                t.name.display()
            ))
            .suggest(vec![c.clone()])
            .example(format!("remove {c} from {}", t.name.name)));
        }
        if seen.insert(c.clone()) {
            changes.extend(drop_column_changes(ctx, t, &c)?);
            cols.push(c);
        }
    }
    let notes = vec![format!(
        "dropping {} deletes its values; rollback recreates the column empty",
        cols.join(", ")
    )];
    Ok(finish(
        changes,
        &format!("drop {} from {}", cols.join(" "), t.name.name),
        true,
        notes,
    ))
}

/// "drop index idx_users_email", "drop unique constraint on email", "drop foreign key on orders.customer_id".
fn drop_object(
    ctx: &Ctx,
    table: Option<&Table>,
    toks: &[Tok],
    words: &[String],
) -> Result<Plan, Refusal> {
    let tables: Vec<&Table> = match table {
        Some(t) => vec![t],
        None => ctx.schema.tables.iter().collect(),
    };
    let has = |w: &str| toks.iter().any(|t| t.is(w));
    for w in words {
        for t in &tables {
            let object = |name: &str| name.eq_ignore_ascii_case(w);
            if let Some(i) = t.indexes.iter().find(|i| object(&i.name)) {
                return Ok(finish(
                    vec![Change::DropIndex(build::object(&t.name, &i.name))],
                    &format!("drop index {}", i.name),
                    false,
                    vec![],
                ));
            }
            if let Some(u) = t.uniques.iter().find(|u| object(&u.name)) {
                return Ok(finish(
                    vec![Change::DropUnique(build::object(&t.name, &u.name))],
                    &format!("drop {}", u.name),
                    false,
                    vec![],
                ));
            }
            if let Some(f) = t.foreign_keys.iter().find(|f| object(&f.name)) {
                return Ok(finish(
                    vec![Change::DropForeignKey(build::object(&t.name, &f.name))],
                    &format!("drop {}", f.name),
                    false,
                    vec![],
                ));
            }
            if let Some(k) = t.checks.iter().find(|k| object(&k.name)) {
                return Ok(finish(
                    vec![Change::DropCheck(build::object(&t.name, &k.name))],
                    &format!("drop {}", k.name),
                    false,
                    vec![],
                ));
            }
        }
    }
    // "remove the foreign key from comments to posts": the one key between two named tables.
    if (has("foreign") || has("fk") || has("relationship") || has("link"))
        && let Some(t) = table
    {
        for w in words {
            let Some(other) = ctx.names.table_sure(w) else {
                continue;
            };
            let between = |from: &Table, to: &Table| -> Vec<String> {
                from.foreign_keys
                    .iter()
                    .filter(|f| f.referenced_table.name == to.name.name)
                    .map(|f| f.name.clone())
                    .collect()
            };
            for (from, to) in [(other, t), (t, other)] {
                match between(from, to).as_slice() {
                    [name] => {
                        return Ok(finish(
                            vec![Change::DropForeignKey(build::object(&from.name, name))],
                            &format!("drop {name}"),
                            false,
                            vec![format!(
                                "the column stays; only the constraint from {} to {} goes",
                                from.name.display(),
                                to.name.display()
                            )],
                        ));
                    }
                    [] => {}
                    many => {
                        return Err(Refusal::ambiguous(format!(
                            "{} has several foreign keys to {}; name one",
                            from.name.display(),
                            to.name.display()
                        ))
                        .suggest(many.to_vec()));
                    }
                }
            }
        }
    }
    // By column: the object of that kind on the column.
    let Some(w) = words.first() else {
        return Err(
            Refusal::ambiguous("which one? name the index or constraint, or its column")
                .example("drop index idx_users_email"),
        );
    };
    let t = match table {
        Some(t) => t,
        None => table_with_column(ctx, w, "drop unique constraint on email in users")?,
    };
    let c = column(ctx, t, w, "drop index on email in users")?
        .name
        .clone();
    let on = |cols: &[String]| cols.len() == 1 && cols[0] == c;
    let key_cols = |i: &crate::model::Index| -> Vec<String> {
        i.keys
            .iter()
            .filter_map(|k| match &k.target {
                IndexTarget::Column(x) => Some(x.clone()),
                _ => None,
            })
            .collect()
    };
    let change = if has("foreign") || has("fk") {
        t.foreign_keys
            .iter()
            .find(|f| on(&f.columns))
            .map(|f| Change::DropForeignKey(build::object(&t.name, &f.name)))
    } else if has("unique") {
        t.uniques
            .iter()
            .find(|u| on(&u.columns))
            .map(|u| Change::DropUnique(build::object(&t.name, &u.name)))
            .or_else(|| {
                t.indexes
                    .iter()
                    .find(|i| i.unique && on(&key_cols(i)))
                    .map(|i| Change::DropIndex(build::object(&t.name, &i.name)))
            })
    } else if has("check") {
        t.checks
            .iter()
            .find(|k| mentions(&k.expression, &c))
            .map(|k| Change::DropCheck(build::object(&t.name, &k.name)))
    } else {
        t.indexes
            .iter()
            .find(|i| on(&key_cols(i)))
            .map(|i| Change::DropIndex(build::object(&t.name, &i.name)))
    };
    match change {
        Some(ch) => {
            let slug = crate::planner::summary::describe(&ch);
            Ok(finish(vec![ch], &slug, false, vec![]))
        }
        None => Err(Refusal::not_found(format!(
            "{} has no such index or constraint on {c}",
            t.name.display()
        ))),
    }
}
