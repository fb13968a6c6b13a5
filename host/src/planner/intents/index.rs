//! Indexes ("add index on orders(customer_id, created_at)", "index email on users", "add indexes
//! to orders table", unique and full-text indexes) and foreign keys on existing columns.

use super::{Ctx, KEYWORDS, column, finish, table_with_column};
use crate::connection::Engine;
use crate::model::{
    AddForeignKey, AddIndex, Change, ColumnType, FkAction, IndexMethod, IndexTarget, Table,
};
use crate::planner::build;
use crate::planner::find::{self, Tables};
use crate::planner::infer;
use crate::planner::names;
use crate::planner::plan::{Plan, Refusal};
use crate::planner::resolve::{self, Found};
use crate::planner::sql;
use crate::planner::tokens::Tok;

const EXAMPLE: &str = "add index on orders(customer_id, created_at)";

fn words(toks: &[Tok]) -> Vec<String> {
    toks.iter()
        .filter_map(|t| match t {
            Tok::Ident(n) => Some(n.clone()),
            // "a multi-column index", "a two-column index": how many columns, not one of them.
            Tok::Word(w) if crate::planner::normalize::counted_columns(w) => None,
            Tok::Word(w)
                if !KEYWORDS.contains(&w.as_str())
                    && !matches!(
                        w.as_str(),
                        "put"
                            | "build"
                            | "define"
                            | "construct"
                            | "generate"
                            | "setup"
                            | "set_up"
                            | "lookups"
                            | "searches"
                            | "queries"
                            | "include"
                            | "introduce"
                            | "give"
                            | "composite"
                            | "multi"
                            | "multicolumn"
                            | "combined"
                            | "together"
                            | "both"
                            | "fast"
                            | "quick"
                            | "lookup"
                            | "sorting"
                            | "sort"
                            | "order"
                            | "ordered"
                            // "a and then b", "a then b", "in that order": the order of the keys.
                            | "then"
                            | "over"
                            | "using"
                    ) =>
            {
                Some(w.clone())
            }
            _ => None,
        })
        .collect()
}

/// Whether any column-like word of the request names an existing column.
pub fn names_existing_column(ctx: &Ctx, toks: &[Tok]) -> bool {
    let mut rest = toks.to_vec();
    let table = find::take(&mut rest, &ctx.names).ok().flatten();
    let ws = words(&rest);
    match table {
        Some(Tables::One(t)) => ws.iter().any(|w| ctx.names.has_column(t, w)),
        _ => ws.iter().any(|w| ctx.names.any_table_has_column(w)),
    }
}

pub fn index(ctx: &Ctx, mut toks: Vec<Tok>) -> Result<Plan, Refusal> {
    let has = |toks: &[Tok], w: &str| toks.iter().any(|t| t.is(w));
    let fulltext = has(&toks, "fulltext")
        || has(&toks, "full_text")
        || toks.windows(2).any(|p| p[0].is("full") && p[1].is("text"))
        || toks
            .windows(2)
            .any(|p| p[0].is("text") && p[1].is("search"));
    let unique = has(&toks, "unique");
    // An explicit name: "named idx_x", "called idx_x".
    let mut explicit = None;
    if let Some(i) = toks.iter().position(|t| t.is_any(&["named", "called"]))
        && let Some(n) = toks.get(i + 1).and_then(Tok::name)
    {
        names::validate(ctx.engine, n)?;
        explicit = Some(n.to_string());
        toks.drain(i..i + 2);
    }
    // "create index idx_users_city on users(city)": a name right after "index", before "on".
    if explicit.is_none()
        && let Some(i) = toks.iter().position(|t| t.is("index"))
        && let Some(n) = toks.get(i + 1).and_then(Tok::name)
        && toks.get(i + 2).is_some_and(|t| t.is_any(&["on", "for"]))
        && !ctx.names.is_table(n)
        && !KEYWORDS.contains(&n)
        && !ctx.names.any_table_has_column(n)
    {
        names::validate(ctx.engine, n)?;
        explicit = Some(n.to_string());
        toks.remove(i + 1);
    }
    let mut table = match find::take(&mut toks, &ctx.names)? {
        Some(Tables::One(t)) => Some(t),
        Some(Tables::All) => {
            return Err(Refusal::unsupported("index one table at a time").example(EXAMPLE));
        }
        None => None,
    };
    // "index orders by created_at", "index comments on (post_id, created_at)": the table is the
    // first word that names one exactly.
    if table.is_none()
        && let Some(i) = toks.iter().position(|t| {
            t.word()
                .is_some_and(|w| !KEYWORDS.contains(&w) && ctx.names.is_table(w))
        })
    {
        let t = ctx.names.table_sure(toks[i].name().unwrap_or_default());
        if t.is_some() {
            table = t;
            toks.remove(i);
        }
    }
    let mut ws = words(&toks);
    // Grammar words ("we", "some", "all") name no column unless the schema has one so named.
    ws.retain(|w| ctx.names.may_name_column(w));
    // The columns a request points at: "(a, b)", or "by a and b" ("lookups of products by name
    // are slow, can you add an index for that").
    if let Some(t) = table {
        let open = toks.iter().position(|t| t.is_punct('('));
        let listed: Vec<String> = match open {
            Some(o) => words(
                &toks[o + 1..]
                    .iter()
                    .take_while(|t| !t.is_punct(')'))
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
            None => match toks.iter().position(|t| t.is("by")) {
                Some(b) => toks[b + 1..]
                    .iter()
                    .take_while(|t| t.name().is_some() || t.is_separator())
                    .filter(|t| !t.is_separator())
                    .filter_map(|t| t.name().map(str::to_string))
                    .take_while(|w| matches!(ctx.names.column(t, w), Found::One(..)))
                    .collect(),
                None => vec![],
            },
        };
        if !listed.is_empty() {
            ws = listed;
        }
    }
    let table = match (table, ws.first()) {
        (Some(t), _) => t,
        (None, Some(w)) => match table_with_column(ctx, w, EXAMPLE) {
            Ok(t) => t,
            Err(e) => {
                if let Found::One(..) = ctx.names.table(w) {
                    return Err(Refusal::ambiguous("which columns? name them").example(EXAMPLE));
                }
                return Err(e);
            }
        },
        (None, None) => {
            return Err(find::missing(&toks, &ctx.names, EXAMPLE).example(EXAMPLE));
        }
    };
    if fulltext {
        return full_text(ctx, table, &ws);
    }
    // "add indexes to orders": every foreign-key column without one; "add an index to orders" names no
    // column, and picking one would be a guess.
    if ws.is_empty()
        && !toks
            .iter()
            .any(|t| t.is_any(&["indexes", "indices", "missing"]))
    {
        return Err(Refusal::ambiguous(format!(
            "which column of {} should the index cover? the request names none",
            table.name.display()
        ))
        .example(EXAMPLE));
    }
    if ws.is_empty() {
        return missing_indexes(table);
    }
    let mut cols: Vec<String> = vec![];
    let mut seen = std::collections::HashSet::new();
    for w in &ws {
        let c = column(ctx, table, w, EXAMPLE)?;
        if seen.insert(c.name.as_str()) {
            cols.push(c.name.clone());
        }
    }
    let exists = table.indexes.iter().find(|i| {
        i.keys.len() == cols.len()
            && i.keys
                .iter()
                .zip(&cols)
                .all(|(k, c)| matches!(&k.target, IndexTarget::Column(x) if x == c))
            && (i.unique || !unique)
    });
    if let Some(i) = exists {
        return Err(Refusal::unsupported(format!(
            "{} already has index {} on ({})",
            table.name.display(),
            i.name,
            cols.join(", ")
        )));
    }
    let mut change = build::add_index(&table.name, &cols, unique);
    if let (Some(n), Change::AddIndex(a)) = (explicit, &mut change) {
        a.index.name = n;
    }
    let notes = if unique {
        vec![format!(
            "the unique index fails if ({}) already holds duplicates",
            cols.join(", ")
        )]
    } else {
        vec![]
    };
    Ok(finish(
        vec![change],
        &format!(
            "add {}index on {} {}",
            if unique { "unique " } else { "" },
            table.name.name,
            cols.join(" ")
        ),
        false,
        notes,
    ))
}

/// "add indexes to orders table": every foreign-key or `*_id` column without an index.
fn missing_indexes(table: &Table) -> Result<Plan, Refusal> {
    let mut changes = vec![];
    for c in &table.columns {
        let is_ref = c.name.ends_with("_id")
            || table
                .foreign_keys
                .iter()
                .any(|f| f.columns.first() == Some(&c.name));
        if is_ref && !build::has_index_on(table, &c.name) {
            changes.push(build::add_index(
                &table.name,
                std::slice::from_ref(&c.name),
                false,
            ));
        }
    }
    if changes.is_empty() {
        return Err(Refusal::unsupported(format!(
            "every foreign-key column of {} already has an index; name the columns to index",
            table.name.display()
        ))
        .example(EXAMPLE));
    }
    Ok(finish(
        changes,
        &format!("add indexes to {}", table.name.name),
        false,
        vec![],
    ))
}

/// A full-text index: MySQL FULLTEXT over the text columns, PostgreSQL GIN over a tsvector
/// expression; SQLite has none (FTS5 is a separate virtual table).
fn full_text(ctx: &Ctx, table: &Table, ws: &[String]) -> Result<Plan, Refusal> {
    if ctx.engine == Engine::Sqlite {
        return Err(Refusal::unsupported(
            "SQLite has no full-text index on an ordinary table: full-text search needs an FTS5 virtual table kept in sync by triggers, which ai-shell does not generate",
        )
        .example(format!("add index on {}(name)   (a plain index for prefix lookups)", table.name.name)));
    }
    let cols: Vec<String> = if ws.is_empty() {
        table
            .columns
            .iter()
            .filter(|c| {
                matches!(
                    c.data_type,
                    ColumnType::Text | ColumnType::Varchar(_) | ColumnType::Char(_)
                )
            })
            .filter(|c| {
                let n = c.name.to_lowercase();
                !(n.ends_with("_id")
                    || n.contains("email")
                    || n.contains("url")
                    || n.contains("phone")
                    || n.contains("password")
                    || n.contains("hash")
                    || n.contains("token")
                    || n == "status"
                    || n == "slug"
                    || n.contains("zip"))
            })
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    } else {
        ws.iter()
            .map(|w| column(ctx, table, w, EXAMPLE).map(|c| c.name.clone()))
            .collect::<Result<_, _>>()?
    };
    // Prefer the columns that hold prose when there are some.
    const PROSE: &[&str] = &[
        "name",
        "title",
        "description",
        "body",
        "content",
        "summary",
        "notes",
        "bio",
        "text",
        "comment",
        "subject",
        "keywords",
        "tags",
    ];
    let prose: Vec<String> = cols
        .iter()
        .filter(|c| PROSE.iter().any(|p| c.to_lowercase().ends_with(p)))
        .cloned()
        .collect();
    let cols = if prose.is_empty() || !ws.is_empty() {
        cols
    } else {
        prose
    };
    if cols.is_empty() {
        return Err(Refusal::unsupported(format!(
            "{} has no text columns to index",
            table.name.display()
        )));
    }
    let name = names::generated("idx", &table.name.name, &[&cols.join("_"), "fts"]);
    let mut index = build::index(name, &cols, false);
    match ctx.engine {
        Engine::MySql => index.method = IndexMethod::Fulltext,
        _ => {
            let parts: Vec<String> = cols
                .iter()
                .map(|c| format!("coalesce({}, '')", sql::ident(ctx.engine, c)))
                .collect();
            index.method = IndexMethod::Gin;
            index.keys = vec![build::key(IndexTarget::Expression(format!(
                "to_tsvector('english'::regconfig, {})",
                parts.join(" || ' ' || ")
            )))];
        }
    }
    Ok(finish(
        vec![Change::AddIndex(AddIndex {
            table: table.name.clone(),
            index,
            concurrently: false,
        })],
        &format!("add full text index on {}", table.name.name),
        false,
        vec![],
    ))
}

/// "add foreign key from orders.customer_id to customers", "link posts.user_id to users".
pub fn foreign_key(ctx: &Ctx, toks: Vec<Tok>) -> Result<Plan, Refusal> {
    const FK_EXAMPLE: &str = "add foreign key from orders.customer_id to customers";
    // Source: "t.c", or a column word and the table that has it; target: the other table.
    let mut source: Option<(&Table, String)> = None;
    let mut referenced: Option<&Table> = None;
    for i in 0..toks.len() {
        if toks.get(i + 1).is_some_and(|t| t.is_punct('.'))
            && let (Some(t), Some(c)) = (toks[i].name(), toks.get(i + 2).and_then(Tok::name))
        {
            let table = match ctx.names.table(t) {
                Found::One(x, _) => x,
                Found::None(close) => {
                    return Err(Refusal::not_found(format!("there is no table named `{t}`"))
                        .suggest(close)
                        .example(FK_EXAMPLE));
                }
                Found::Many(_) => {
                    return Err(Refusal::ambiguous(format!("`{t}` could be several tables")));
                }
            };
            if source.is_none() {
                source = Some((table, column(ctx, table, c, FK_EXAMPLE)?.name.clone()));
            }
        }
    }
    let ws = words(&toks);
    let mut tables_named: Vec<&Table> = vec![];
    for w in &ws {
        if let Some(t) = ctx.names.table_sure(w)
            && !tables_named.iter().any(|x| x.name == t.name)
        {
            tables_named.push(t);
        }
    }
    if source.is_none() {
        for w in &ws {
            let owner = tables_named.iter().find(|t| ctx.names.has_column(t, w));
            if let Some(t) = owner {
                source = Some((t, column(ctx, t, w, FK_EXAMPLE)?.name.clone()));
                break;
            }
        }
    }
    if source.is_none() && new_reference(ctx, &toks) {
        return add_reference(ctx, toks);
    }
    if source.is_none()
        && let Some(w) = ws.iter().find(|w| w.ends_with("_id"))
    {
        let t = table_with_column(ctx, w, FK_EXAMPLE)?;
        source = Some((t, column(ctx, t, w, FK_EXAMPLE)?.name.clone()));
    }
    let Some((table, col)) = source else {
        // "link posts to products with a nullable featured_product_id": a new column.
        if tables_named.len() == 2 {
            return add_reference(ctx, toks);
        }
        return Err(
            Refusal::ambiguous("which column gets the foreign key? name it").example(FK_EXAMPLE),
        );
    };
    if let Some(t) = tables_named.iter().rev().find(|t| t.name != table.name) {
        referenced = Some(t);
    }
    // "link loans.member_id to patrons" when there is no `patrons`: refused, naming it, never
    // pointed at some other table.
    if referenced.is_none()
        && let Some(target) = toks
            .windows(2)
            .rposition(|w| w[0].is_any(TARGET_BEFORE) && w[1].name().is_some())
            .and_then(|p| toks[p + 1].name())
        && target != col
        && ctx.names.table_sure(target).is_none()
        && !ctx.names.has_column(table, target)
    {
        match ctx.names.table(target) {
            Found::One(t, _) => referenced = Some(t),
            Found::None(close) => {
                return Err(Refusal::not_found(format!(
                    "there is no table named `{target}` for {}.{col} to reference",
                    table.name.display()
                ))
                .suggest(close)
                .example(FK_EXAMPLE));
            }
            Found::Many(close) => {
                return Err(
                    Refusal::ambiguous(format!("`{target}` could be several tables"))
                        .suggest(close.into_iter().map(|t| t.name.display()).collect())
                        .example(FK_EXAMPLE),
                );
            }
        }
    }
    // "make employees.manager_id reference employees": its own table, named again as the target.
    if referenced.is_none()
        && toks
            .windows(2)
            .skip_while(|w| w[1].name().is_none_or(|n| n != col))
            .skip(1)
            .any(|w| {
                w[0].is_any(TARGET_BEFORE)
                    && w[1]
                        .name()
                        .and_then(|n| ctx.names.table_sure(n))
                        .is_some_and(|t| t.name == table.name)
            })
    {
        referenced = Some(table);
    }
    let referenced = match referenced.or_else(|| infer::referenced_table(&ctx.names, &col)) {
        Some(t) => t,
        None => {
            return Err(
                Refusal::ambiguous(format!("which table should {col} reference?"))
                    .example(FK_EXAMPLE),
            );
        }
    };
    let Some(key) = infer::primary_key(referenced) else {
        return Err(Refusal::unsupported(format!(
            "{} has no single-column primary key to reference",
            referenced.name.display()
        )));
    };
    let c = table
        .columns
        .iter()
        .find(|c| c.name == col)
        .expect("resolved column");
    if c.data_type != key.data_type {
        return Err(Refusal::unsupported(format!(
            "{}.{col} is {} but {}.{} is {}; change the column's type first",
            table.name.display(),
            crate::planner::types::words(&c.data_type),
            referenced.name.display(),
            key.name,
            crate::planner::types::words(&key.data_type)
        ))
        .example(format!(
            "change {col} to {} in {}",
            crate::planner::types::words(&key.data_type),
            table.name.name
        )));
    }
    if table
        .foreign_keys
        .iter()
        .any(|f| f.columns == [col.clone()])
    {
        return Err(Refusal::unsupported(format!(
            "{}.{col} already has a foreign key",
            table.name.display()
        )));
    }
    let has = |w: &str| toks.iter().any(|t| t.is(w));
    let on_delete = if let Some(a) = build::on_delete_named(&toks) {
        a
    } else if has("cascade") {
        FkAction::Cascade
    } else if c.nullable {
        FkAction::SetNull
    } else if infer::owns(&table.name.name, &referenced.name.name) {
        FkAction::Cascade
    } else {
        FkAction::Restrict
    };
    // Index first (MySQL/MariaDB refuse to drop an index a foreign key needs, so the derived
    // down must drop the key first).
    let mut changes = vec![];
    if !build::has_index_on(table, &col) {
        changes.push(build::add_index(
            &table.name,
            std::slice::from_ref(&col),
            false,
        ));
    }
    changes.push(Change::AddForeignKey(AddForeignKey {
        table: table.name.clone(),
        foreign_key: build::foreign_key(
            &table.name.name,
            &col,
            &referenced.name,
            &key.name,
            on_delete,
        ),
    }));
    let notes = vec![format!(
        "fails if some {col} has no matching {}.{}",
        referenced.name.display(),
        key.name
    )];
    Ok(finish(
        changes,
        &format!("add foreign key {col} to {}", referenced.name.name),
        false,
        notes,
    ))
}

/// Words that say one table refers to another.
/// Words right before the table a foreign key points at ("to u", "references u").
const TARGET_BEFORE: &[&str] = &["to", "references", "reference", "referencing", "at"];

pub const REFERS: &[&str] = &[
    "reference",
    "references",
    "referencing",
    "refer",
    "refers",
    "belong",
    "belongs",
    "point",
    "points",
    "link",
    "linked",
];

/// Whether the request names two tables, and a `*_id` column (if any) the first one lacks.
pub fn new_reference(ctx: &Ctx, toks: &[Tok]) -> bool {
    let mut tables: Vec<&Table> = vec![];
    for t in toks {
        if let Some(w) = t.word()
            && !KEYWORDS.contains(&w)
            && let Some(x) = ctx.names.table_sure(w)
            && !tables.iter().any(|y| y.name == x.name)
        {
            tables.push(x);
        }
    }
    let [child, _] = tables[..] else {
        return false;
    };
    !toks
        .iter()
        .filter_map(Tok::name)
        .filter(|w| w.ends_with("_id"))
        .any(|w| ctx.names.has_column(child, w))
}

/// A request that links two named tables through a column the first one does not have yet:
/// "orders should reference users through a user_id column, on delete set null", "link posts to
/// products with a nullable featured_product_id, set null when the product is deleted".
pub fn add_reference(ctx: &Ctx, toks: Vec<Tok>) -> Result<Plan, Refusal> {
    const REF_EXAMPLE: &str = "add user_id to orders referencing users";
    let mut tables: Vec<&Table> = vec![];
    for t in &toks {
        if let Some(w) = t.word()
            && !KEYWORDS.contains(&w)
            && let Some(x) = ctx.names.table_sure(w)
            && !tables.iter().any(|y| y.name == x.name)
        {
            tables.push(x);
        }
    }
    let [child, parent] = tables[..] else {
        return Err(Refusal::ambiguous(
            "which table gets the new column, and which does it reference? name both",
        )
        .example(REF_EXAMPLE));
    };
    let name = toks
        .iter()
        .filter_map(Tok::name)
        .find(|w| w.ends_with("_id"))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}_id", resolve::singular(&parent.name.name)));
    if let Found::One(c, crate::planner::resolve::Fit::Exact) = ctx.names.column(child, &name) {
        return Err(Refusal::unsupported(format!(
            "{} already has a column `{}`",
            child.name.display(),
            c.name
        ))
        .example(format!(
            "add foreign key from {}.{} to {}",
            child.name.name, c.name, parent.name.name
        )));
    }
    names::validate(ctx.engine, &name)?;
    let has = |w: &str| toks.iter().any(|t| t.is(w));
    let required = has("required")
        || has("mandatory")
        || toks.windows(2).any(|p| p[0].is("not") && p[1].is("null"));
    let spec = crate::planner::spec::Spec {
        name: name.clone(),
        foreign_key: true,
        references: Some(parent.name.name.clone()),
        not_null: Some(required),
        on_delete: build::on_delete_named(&toks),
        ..Default::default()
    };
    let (changes, notes) = super::add::add_to(ctx, child, std::slice::from_ref(&spec), true)?;
    Ok(finish(
        changes,
        &format!(
            "add {name} to {} referencing {}",
            child.name.name, parent.name.name
        ),
        false,
        notes,
    ))
}
