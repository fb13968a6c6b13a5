//! Refactors that move data: split a table, merge one into another, extract columns into a new
//! table. Each sets `Plan.down` to the reverse that restores shape and data.
//!
//! `fill-column` matches rows with `=`, which never matches NULL. So rows are matched on keys
//! that are never NULL (a primary key, or a temporary copy of it), except where every matched
//! column is NOT NULL and DISTINCT deduplication is exact.

use super::create::id_column;
use super::drop::drop_column_changes;
use super::{Ctx, KEYWORDS, finish};
use crate::model::{
    AddColumn, AddForeignKey, Change, Column, ColumnPair, CopyRows, FillColumn, PrimaryKey,
    QualifiedName, RenameTable, Table,
};
use crate::planner::build;
use crate::planner::infer::{self, primary_key};
use crate::planner::names;
use crate::planner::plan::{Plan, Refusal};
use crate::planner::resolve::{self, Found};
use crate::planner::tokens::Tok;

fn pair(source: &str, target: &str) -> ColumnPair {
    ColumnPair {
        source: source.into(),
        target: target.into(),
    }
}

fn qn(like: &QualifiedName, name: &str) -> QualifiedName {
    QualifiedName {
        namespace: like.namespace.clone(),
        name: name.into(),
    }
}

fn new_table(ctx: &Ctx, name: &QualifiedName, columns: Vec<Column>) -> Table {
    let mut cols = vec![id_column(ctx.engine)];
    cols.extend(columns);
    Table {
        name: name.clone(),
        columns: cols,
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        }),
        uniques: vec![],
        indexes: vec![],
        foreign_keys: vec![],
        checks: vec![],
        comment: None,
        options: vec![],
    }
}

/// A column as it is added to an existing table: nullable (values come by fill-column).
fn nullable(c: &Column) -> Column {
    let mut c = c.clone();
    c.nullable = true;
    c.identity = None;
    c
}

/// Existing tables and new names mentioned in the request, in order.
fn table_words<'a>(ctx: &Ctx<'a>, toks: &[Tok]) -> (Vec<&'a Table>, Vec<String>) {
    let mut existing: Vec<&Table> = vec![];
    let mut new = vec![];
    for (i, t) in toks.iter().enumerate() {
        let Some(n) = t.name() else { continue };
        if KEYWORDS.contains(&n)
            || matches!(
                n,
                "split"
                    | "merge"
                    | "extract"
                    | "separate"
                    | "move"
                    | "combine"
                    | "fold"
                    | "normalize"
                    | "address"
                    | "profile"
                    | "fields"
                    | "data"
                    | "details"
                    | "handle"
                    | "with"
                    | "nullable"
                    | "foreign"
            )
        {
            continue;
        }
        let after_new = i >= 2
            && toks[i - 1].is("and")
            && toks[i - 2]
                .name()
                .is_some_and(|p| new.iter().any(|x: &String| x == p));
        let near_table = toks
            .get(i + 1)
            .is_some_and(|t| t.is_any(&["table", "tables"]))
            || (i > 0 && toks[i - 1].is_any(&["into", "table"]))
            || after_new;
        let is_column = existing.iter().any(|t| ctx.names.has_column(t, n));
        match ctx.names.table(n) {
            Found::One(t, f)
                if (f != resolve::Fit::Typo || near_table)
                    && !existing.iter().any(|x| x.name == t.name) =>
            {
                existing.push(t)
            }
            _ if near_table && !is_column && !new.contains(&n.to_string()) => {
                new.push(n.to_string())
            }
            _ => {}
        }
    }
    (existing, new)
}

/// Restores moved columns into `table` from `from`, matching `from.<fk> = table.<key>`.
fn restore_columns(
    table: &QualifiedName,
    cols: &[Column],
    from: &QualifiedName,
    from_key: &str,
    key: &str,
    was: &Table,
) -> Vec<Change> {
    let mut out = vec![];
    for c in cols {
        out.push(Change::AddColumn(AddColumn {
            table: table.clone(),
            column: nullable(c),
        }));
        out.push(Change::FillColumn(FillColumn {
            target: table.clone(),
            column: c.name.clone(),
            source: from.clone(),
            value: c.name.clone(),
            match_on: vec![pair(from_key, key)],
        }));
    }
    for c in cols.iter().filter(|c| !c.nullable) {
        out.push(Change::SetNotNull(build::column_ref(table, &c.name)));
    }
    out.extend(dropped_with(was, cols, table));
    out
}

/// The indexes and constraints of `was` that dropping `cols` removes (any that names one of them, as
/// `drop_column_changes` drops them), re-created on `table` once the columns are back: a rollback restores
/// checks, uniques, foreign keys and indexes, not only the values.
pub(super) fn dropped_with(was: &Table, cols: &[Column], table: &QualifiedName) -> Vec<Change> {
    let named = |c: &String| cols.iter().any(|x| &x.name == c);
    let mentioned = |e: &str| cols.iter().any(|x| super::drop::mentions(e, &x.name));
    let mut out = vec![];
    for u in was.uniques.iter().filter(|u| u.columns.iter().any(named)) {
        out.push(Change::AddUnique(crate::model::AddUnique {
            table: table.clone(),
            constraint: u.clone(),
        }));
    }
    for i in was.indexes.iter().filter(|i| {
        i.keys.iter().any(|k| match &k.target {
            crate::model::IndexTarget::Column(c) => named(c),
            crate::model::IndexTarget::Expression(e) => mentioned(e),
        })
    }) {
        out.push(Change::AddIndex(crate::model::AddIndex {
            table: table.clone(),
            index: i.clone(),
            concurrently: false,
        }));
    }
    for f in was
        .foreign_keys
        .iter()
        .filter(|f| f.columns.iter().any(named))
    {
        out.push(Change::AddForeignKey(AddForeignKey {
            table: table.clone(),
            foreign_key: f.clone(),
        }));
    }
    for k in was.checks.iter().filter(|k| mentioned(&k.expression)) {
        out.push(Change::AddCheck(crate::model::AddCheck {
            table: table.clone(),
            check: k.clone(),
        }));
    }
    out
}

fn moved_named<'a>(ctx: &Ctx, t: &'a Table, toks: &[Tok], skip: &[&str]) -> Vec<&'a Column> {
    let mut out: Vec<&Column> = vec![];
    let mut seen = std::collections::HashSet::new();
    for n in toks.iter().filter_map(Tok::name) {
        if skip.contains(&n) || KEYWORDS.contains(&n) {
            continue;
        }
        if let Some(c) = ctx.names.column_named(t, n)
            && seen.insert(c.name.as_str())
        {
            out.push(c);
        }
    }
    out
}

/// "extract address fields from users into separate addresses table: street, city, state, zip".
pub fn extract(ctx: &Ctx, toks: Vec<Tok>) -> Result<Plan, Refusal> {
    const EX: &str = "extract street, city, state, zip from users into addresses table";
    let (existing, new) = table_words(ctx, &toks);
    let Some(source) = existing.first().copied() else {
        return Err(Refusal::ambiguous("extract from which table?").example(EX));
    };
    let Some(target_name) = new.first().cloned() else {
        if existing.len() > 1 {
            // "move the website column from user_details to users": between linked tables.
            if let Some(plan) = move_between(ctx, existing[0], existing[1], &toks)? {
                return Ok(plan);
            }
            return Err(Refusal::unsupported(format!(
                "table {} already exists; extract into a new table",
                existing[1].name.display()
            ))
            .example(EX));
        }
        return Err(
            Refusal::ambiguous("into which new table? name it (\"into addresses table\")")
                .example(EX),
        );
    };
    names::validate(ctx.engine, &target_name)?;
    let skip = [target_name.as_str()];
    let mut moved: Vec<Column> = moved_named(ctx, source, &toks, &skip)
        .into_iter()
        .cloned()
        .collect();
    if moved.is_empty() {
        // "address fields": columns whose names say so.
        let stem = resolve::singular(&target_name);
        let address = [
            "street",
            "city",
            "state",
            "zip",
            "zip_code",
            "postal_code",
            "country",
            "address",
            "address_line1",
            "address_line2",
            "region",
            "province",
        ];
        moved = source
            .columns
            .iter()
            .filter(|c| {
                let n = c.name.to_lowercase();
                n.starts_with(&format!("{stem}_"))
                    || (stem == "address" && address.contains(&n.as_str()))
            })
            .cloned()
            .collect();
    }
    let Some(key) = primary_key(source) else {
        return Err(Refusal::unsupported(format!(
            "{} has no single-column primary key",
            source.name.display()
        )));
    };
    moved.retain(|c| c.name != key.name);
    if moved.is_empty() {
        return Err(Refusal::ambiguous(format!(
            "which columns of {} move? name them",
            source.name.display()
        ))
        .example(EX));
    }
    let t = qn(&source.name, &target_name);
    let s = &source.name;
    // "into a new order_notes table (order_id, notes)", "a customer_phones table with
    // customer_id": the new table points back at the source, one row per source row.
    let back = format!("{}_id", resolve::singular(&source.name.name));
    if toks.iter().any(|x| x.name() == Some(back.as_str()))
        && !source.columns.iter().any(|c| c.name == back)
    {
        return extract_children(ctx, source, key, &moved, &t, &back);
    }
    let fk_col = format!("{}_id", resolve::singular(&target_name));
    if source.columns.iter().any(|c| c.name == fk_col) {
        return Err(Refusal::unsupported(format!(
            "{} already has a column {fk_col}",
            s.display()
        )));
    }
    let cols: Vec<String> = moved.iter().map(|c| c.name.clone()).collect();
    let exact_distinct = moved.iter().all(|c| !c.nullable);
    let mut up = vec![];
    let mut notes = vec![];
    let mut table = new_table(ctx, &t, moved.iter().map(nullable).collect());
    for c in &moved {
        if let Some(tc) = table.columns.iter_mut().find(|x| x.name == c.name) {
            tc.nullable = c.nullable;
        }
    }
    let new_key = table.columns[0].clone();
    let temp = "ai_shell_source_id";
    if !exact_distinct {
        let mut k = nullable(key);
        k.name = temp.into();
        table.columns.push(k);
    }
    up.push(Change::CreateTable(table));
    let mut fk_column = nullable(&new_key);
    fk_column.name = fk_col.clone();
    if exact_distinct {
        up.push(Change::CopyRows(CopyRows {
            source: s.clone(),
            target: t.clone(),
            columns: cols.iter().map(|c| pair(c, c)).collect(),
            distinct: true,
            when_any_not_null: vec![],
        }));
        up.push(Change::AddColumn(AddColumn {
            table: s.clone(),
            column: fk_column,
        }));
        up.push(Change::FillColumn(FillColumn {
            target: s.clone(),
            column: fk_col.clone(),
            source: t.clone(),
            value: "id".into(),
            match_on: cols.iter().map(|c| pair(c, c)).collect(),
        }));
        notes.push(format!(
            "identical ({}) rows share one {target_name} row",
            cols.join(", ")
        ));
    } else {
        // One row per source row, matched back through a temporary copy of the key: a NULL in a
        // moved column would never match with `=`, and its values would be lost.
        let mut pairs = vec![pair(&key.name, temp)];
        pairs.extend(cols.iter().map(|c| pair(c, c)));
        up.push(Change::CopyRows(CopyRows {
            source: s.clone(),
            target: t.clone(),
            columns: pairs,
            distinct: false,
            // Rows whose moved columns are all NULL get no row: their link stays NULL.
            when_any_not_null: cols.clone(),
        }));
        up.push(Change::AddColumn(AddColumn {
            table: s.clone(),
            column: fk_column,
        }));
        up.push(Change::FillColumn(FillColumn {
            target: s.clone(),
            column: fk_col.clone(),
            source: t.clone(),
            value: "id".into(),
            match_on: vec![pair(temp, &key.name)],
        }));
        up.push(Change::DropColumn(build::column_ref(&t, temp)));
        notes.push(format!(
            "{} can be NULL, and matching on NULL never succeeds, so each {} row with any of them set gets its own {target_name} row (no deduplication) linked through its key",
            cols.join(", "),
            s.display()
        ));
    }
    // The index before the key (MySQL/MariaDB use it instead of making their own).
    up.push(build::add_index(s, std::slice::from_ref(&fk_col), false));
    up.push(Change::AddForeignKey(AddForeignKey {
        table: s.clone(),
        foreign_key: build::foreign_key(
            &s.name,
            &fk_col,
            &t,
            "id",
            crate::model::FkAction::SetNull,
        ),
    }));
    for c in &cols {
        up.extend(drop_column_changes(ctx, source, c)?);
    }
    // Down: columns back, values back through the foreign key, then the new table goes.
    let mut down = restore_columns(s, &moved, &t, "id", &fk_col, source);
    // restore_columns matches t.id = s.<fk_col>. The foreign key goes before its index (MySQL).
    down.push(Change::DropForeignKey(build::object(
        s,
        &names::generated("fk", &s.name, &[&fk_col]),
    )));
    down.push(Change::DropIndex(build::object(
        s,
        &names::index(&s.name, std::slice::from_ref(&fk_col)),
    )));
    down.push(Change::DropColumn(build::column_ref(s, &fk_col)));
    down.push(Change::DropTable(t.clone()));
    notes.push(format!(
        "{fk_col} is nullable: a {} row with no {target_name} keeps it NULL",
        resolve::singular(&s.name)
    ));
    let mut plan = finish(
        up,
        &format!("extract {target_name} from {}", s.name),
        true,
        notes,
    );
    plan.down = Some(down);
    Ok(plan)
}

/// Extracts `moved` columns of `source` into a new child table `t` whose `back` column references
/// the source: one child row per source row that has any of the values.
fn extract_children(
    ctx: &Ctx,
    source: &Table,
    key: &Column,
    moved: &[Column],
    t: &QualifiedName,
    back: &str,
) -> Result<Plan, Refusal> {
    let s = &source.name;
    let cols: Vec<String> = moved.iter().map(|c| c.name.clone()).collect();
    let mut back_col = nullable(key);
    back_col.name = back.to_string();
    back_col.nullable = false;
    back_col.default = None;
    let mut table = new_table(ctx, t, vec![back_col]);
    table.columns.extend(moved.iter().map(nullable));
    table.foreign_keys.push(build::foreign_key(
        &t.name,
        back,
        s,
        &key.name,
        crate::model::FkAction::Cascade,
    ));
    table.indexes.push(build::index(
        names::index(&t.name, &[back.to_string()]),
        &[back.to_string()],
        false,
    ));
    let mut up = vec![Change::CreateTable(table)];
    let mut pairs = vec![pair(&key.name, back)];
    pairs.extend(cols.iter().map(|c| pair(c, c)));
    up.push(Change::CopyRows(CopyRows {
        source: s.clone(),
        target: t.clone(),
        columns: pairs,
        distinct: false,
        when_any_not_null: cols.clone(),
    }));
    for c in &cols {
        up.extend(drop_column_changes(ctx, source, c)?);
    }
    // Down: the columns back, filled from the child rows, then the child table goes.
    let mut down = restore_columns(s, moved, t, back, &key.name, source);
    down.push(Change::DropTable(t.clone()));
    let notes = vec![format!(
        "each {} row with any of ({}) set gets one {} row; rows without them get none",
        resolve::singular(&s.name),
        cols.join(", "),
        t.name
    )];
    let mut plan = finish(
        up,
        &format!("extract {} from {}", t.name, s.name),
        true,
        notes,
    );
    plan.down = Some(down);
    Ok(plan)
}

/// Moves the columns named in the request from `from` to `to`, two tables linked by a foreign
/// key (either way): add, fill through the key, drop. `None` when no column of `from` is named.
fn move_between(
    ctx: &Ctx,
    from: &Table,
    to: &Table,
    toks: &[Tok],
) -> Result<Option<Plan>, Refusal> {
    let skip: Vec<&str> = vec![from.name.name.as_str(), to.name.name.as_str()];
    let moved: Vec<Column> = moved_named(ctx, from, toks, &skip)
        .into_iter()
        .filter(|c| {
            from.primary_key
                .as_ref()
                .is_none_or(|p| !p.columns.contains(&c.name))
        })
        .cloned()
        .collect();
    if moved.is_empty() {
        return Ok(None);
    }
    for c in &moved {
        if ctx.names.has_column(to, &c.name) {
            return Err(Refusal::unsupported(format!(
                "{} already has a column `{}`",
                to.name.display(),
                c.name
            )));
        }
    }
    // The link: from.<fk> -> to.<key>, or to.<fk> -> from.<key>, single-column.
    let link = from
        .foreign_keys
        .iter()
        .find(|f| f.referenced_table.name == to.name.name && f.columns.len() == 1)
        .map(|f| (f.columns[0].clone(), f.referenced_columns[0].clone()))
        .or_else(|| {
            to.foreign_keys
                .iter()
                .find(|f| f.referenced_table.name == from.name.name && f.columns.len() == 1)
                .map(|f| (f.referenced_columns[0].clone(), f.columns[0].clone()))
        });
    let Some((from_col, to_col)) = link else {
        return Err(Refusal::unsupported(format!(
            "{} and {} are not linked by a foreign key, so ai-shell cannot tell which row a value goes to",
            from.name.display(),
            to.name.display()
        )));
    };
    // Several rows of `from` per row of `to` would lose values: only a one-to-one link.
    let unique_on = |t: &Table, c: &str| {
        t.primary_key.as_ref().is_some_and(|p| p.columns == [c])
            || t.uniques.iter().any(|u| u.columns == [c])
            || t.indexes.iter().any(|i| {
                i.unique
                    && i.keys.len() == 1
                    && matches!(&i.keys[0].target, crate::model::IndexTarget::Column(x) if x == c)
            })
    };
    if !unique_on(from, &from_col) {
        return Err(Refusal::unsupported(format!(
            "several {} rows can share one {} row, so their values would not fit in one column",
            from.name.display(),
            to.name.display()
        )));
    }
    let mut up = vec![];
    for c in &moved {
        up.push(Change::AddColumn(AddColumn {
            table: to.name.clone(),
            column: nullable(c),
        }));
        up.push(Change::FillColumn(FillColumn {
            target: to.name.clone(),
            column: c.name.clone(),
            source: from.name.clone(),
            value: c.name.clone(),
            match_on: vec![pair(&from_col, &to_col)],
        }));
    }
    for c in &moved {
        up.extend(drop_column_changes(ctx, from, &c.name)?);
    }
    let mut down = restore_columns(&from.name, &moved, &to.name, &to_col, &from_col, from);
    for c in &moved {
        down.push(Change::DropColumn(build::column_ref(&to.name, &c.name)));
    }
    let names: Vec<&str> = moved.iter().map(|c| c.name.as_str()).collect();
    let mut plan = finish(
        up,
        &format!(
            "move {} from {} to {}",
            names.join(" "),
            from.name.name,
            to.name.name
        ),
        true,
        vec![format!(
            "{} rows without a {} row keep NULL there",
            to.name.display(),
            from.name.display()
        )],
    );
    plan.down = Some(down);
    Ok(Some(plan))
}

/// Columns that stay in the original table when it is split: key, identity and auth.
fn stays(c: &Column, t: &Table) -> bool {
    let n = c.name.to_lowercase();
    t.primary_key
        .as_ref()
        .is_some_and(|p| p.columns.contains(&c.name))
        || t.foreign_keys.iter().any(|f| f.columns.contains(&c.name))
        || matches!(
            n.as_str(),
            "email"
                | "username"
                | "user_name"
                | "login"
                | "role"
                | "status"
                | "created_at"
                | "updated_at"
                | "deleted_at"
                | "last_login_at"
                | "is_admin"
                | "is_active"
                | "active"
        )
        || n.contains("password")
        || n.ends_with("_hash")
        || n.ends_with("_token")
        || n.contains("verified")
        || n.starts_with("mfa")
        || n.starts_with("two_factor")
}

/// "split users table into accounts and profiles".
pub fn split(ctx: &Ctx, toks: Vec<Tok>) -> Result<Plan, Refusal> {
    const EX: &str = "split users table into accounts and profiles";
    let (existing, new) = table_words(ctx, &toks);
    let Some(source) = existing.first().copied() else {
        return Err(Refusal::ambiguous("split which table?").example(EX));
    };
    if let Some(other) = existing.get(1) {
        return Err(Refusal::unsupported(format!(
            "table {} already exists; split into new tables",
            other.name.display()
        ))
        .example(EX));
    }
    let (keep_name, new_name) = match new.as_slice() {
        [a, b, ..] => (a.clone(), b.clone()),
        [b] => (source.name.name.clone(), b.clone()),
        [] => return Err(Refusal::ambiguous("split into which tables? name them").example(EX)),
    };
    names::validate(ctx.engine, &keep_name)?;
    names::validate(ctx.engine, &new_name)?;
    let Some(key) = primary_key(source) else {
        return Err(Refusal::unsupported(format!(
            "{} has no single-column primary key",
            source.name.display()
        )));
    };
    let named = moved_named(ctx, source, &toks, &[keep_name.as_str(), new_name.as_str()]);
    let moved: Vec<Column> = if named.is_empty() {
        source
            .columns
            .iter()
            .filter(|c| !stays(c, source))
            .cloned()
            .collect()
    } else {
        named
            .into_iter()
            .filter(|c| c.name != key.name)
            .cloned()
            .collect()
    };
    if moved.is_empty() || moved.len() == source.columns.len() {
        return Err(Refusal::ambiguous("which columns move? name them")
            .example("split users into accounts and profiles: bio, avatar_url"));
    }
    let old = source.name.clone();
    let kept = qn(&old, &keep_name);
    let t = qn(&old, &new_name);
    let fk_col = format!("{}_id", resolve::singular(&old.name));
    let mut up = vec![];
    if kept != old {
        up.push(Change::RenameTable(RenameTable {
            table: old.clone(),
            new_name: keep_name.clone(),
        }));
    }
    let mut link = nullable(key);
    link.name = fk_col.clone();
    link.nullable = false;
    let mut table = new_table(ctx, &t, vec![link]);
    table.columns.extend(moved.iter().cloned().map(|mut c| {
        c.identity = None;
        c
    }));
    table.foreign_keys.push(build::foreign_key(
        &new_name,
        &fk_col,
        &kept,
        &key.name,
        crate::model::FkAction::Cascade,
    ));
    table.indexes.push(build::index(
        names::generated("uq", &new_name, &[&fk_col]),
        std::slice::from_ref(&fk_col),
        true,
    ));
    up.push(Change::CreateTable(table));
    let mut pairs = vec![pair(&key.name, &fk_col)];
    pairs.extend(moved.iter().map(|c| pair(&c.name, &c.name)));
    up.push(Change::CopyRows(CopyRows {
        source: kept.clone(),
        target: t.clone(),
        columns: pairs,
        distinct: false,
        when_any_not_null: vec![],
    }));
    let mut renamed = source.clone();
    renamed.name = kept.clone();
    for c in &moved {
        up.extend(drop_column_changes(ctx, &renamed, &c.name)?);
    }
    let mut down = restore_columns(&kept, &moved, &t, &fk_col, &key.name, &renamed);
    down.push(Change::DropTable(t.clone()));
    if kept != old {
        down.push(Change::RenameTable(RenameTable {
            table: kept.clone(),
            new_name: old.name.clone(),
        }));
    }
    let cols: Vec<&str> = moved.iter().map(|c| c.name.as_str()).collect();
    let notes = vec![format!(
        "{} move to {new_name}, one row per {} row, linked by {fk_col}",
        cols.join(", "),
        old.name
    )];
    let mut plan = finish(
        up,
        &format!("split {} into {keep_name} and {new_name}", old.name),
        true,
        notes,
    );
    plan.down = Some(down);
    Ok(plan)
}

/// "merge user_details into users table".
pub fn merge(ctx: &Ctx, toks: Vec<Tok>) -> Result<Plan, Refusal> {
    const EX: &str = "merge user_details into users table";
    let (existing, _) = table_words(ctx, &toks);
    let into_at = toks.iter().position(|t| t.is_any(&["into", "with"]));
    let (source, target) = match existing.as_slice() {
        [a, b] => {
            let a_first = toks.iter().position(|t| {
                t.name()
                    .is_some_and(|n| ctx.names.table_sure(n).is_some_and(|x| x.name == a.name))
            });
            if into_at.is_some() && a_first > into_at {
                (*b, *a)
            } else {
                (*a, *b)
            }
        }
        _ => return Err(Refusal::ambiguous("merge which table into which? name both").example(EX)),
    };
    let Some(target_key) = primary_key(target) else {
        return Err(Refusal::unsupported(format!(
            "{} has no single-column primary key",
            target.name.display()
        )));
    };
    let Some(fk) = source
        .foreign_keys
        .iter()
        .find(|f| f.referenced_table.name == target.name.name && f.columns.len() == 1)
    else {
        return Err(Refusal::unsupported(format!(
            "{} has no foreign key to {}; ai-shell merges a table into the one it references",
            source.name.display(),
            target.name.display()
        ))
        .example(EX));
    };
    let link = fk.columns[0].clone();
    let source_key = primary_key(source).map(|c| c.name.clone());
    let moved: Vec<Column> = source
        .columns
        .iter()
        .filter(|c| {
            c.name != link
                && Some(&c.name) != source_key.as_ref()
                && !matches!(c.name.as_str(), "created_at" | "updated_at")
        })
        .cloned()
        .collect();
    if let Some(c) = moved.iter().find(|c| ctx.names.has_column(target, &c.name)) {
        return Err(Refusal::unsupported(format!(
            "both tables have a column `{}`; rename one first",
            c.name
        )));
    }
    for other in &ctx.schema.tables {
        if other
            .foreign_keys
            .iter()
            .any(|f| f.referenced_table.name == source.name.name)
        {
            return Err(Refusal::unsafe_(format!(
                "{} references {}; merging would break it",
                other.name.display(),
                source.name.display()
            )));
        }
    }
    let one_to_one = source.indexes.iter().any(|i| {
        i.unique
            && i.keys.len() == 1
            && matches!(&i.keys[0].target, crate::model::IndexTarget::Column(c) if *c == link)
    }) || source.uniques.iter().any(|u| u.columns == [link.clone()])
        || source
            .primary_key
            .as_ref()
            .is_some_and(|p| p.columns == [link.clone()]);
    let (s, t) = (&source.name, &target.name);
    // The source's key and timestamps go along under prefixed names, so that a rollback gives back every
    // source row (also one whose moved values are all NULL) with its own id and times.
    let moved_names: std::collections::HashSet<&str> =
        moved.iter().map(|m| m.name.as_str()).collect();
    let kept: Vec<(&Column, String)> = if source_key.is_some() {
        source
            .columns
            .iter()
            .filter(|c| c.name != link && !moved_names.contains(c.name.as_str()))
            .map(|c| (c, format!("{}_{}", s.name, c.name)))
            .collect()
    } else {
        vec![]
    };
    if let Some((_, name)) = kept.iter().find(|(_, n)| {
        ctx.names.has_column(target, n) || crate::planner::names::validate(ctx.engine, n).is_err()
    }) {
        return Err(Refusal::unsupported(format!(
            "the merge keeps {}'s own columns in {} as `{name}`, which {}",
            s.display(),
            t.display(),
            if ctx.names.has_column(target, name) {
                "already exists there"
            } else {
                "is not a valid name here"
            }
        )));
    }
    let mut up = vec![];
    let carried = moved
        .iter()
        .map(|c| (c, c.name.clone()))
        .chain(kept.iter().map(|(c, n)| (*c, n.clone())));
    for (c, name) in carried.clone() {
        let mut column = nullable(c);
        column.name = name.clone();
        up.push(Change::AddColumn(AddColumn {
            table: t.clone(),
            column,
        }));
        up.push(Change::FillColumn(FillColumn {
            target: t.clone(),
            column: name,
            source: s.clone(),
            value: c.name.clone(),
            match_on: vec![pair(&link, &target_key.name)],
        }));
    }
    up.push(Change::DropTable(s.clone()));
    let mut notes = vec![format!(
        "every {} gets the values of its {} row; those without one get NULL",
        resolve::singular(&t.name),
        s.name
    )];
    if !one_to_one {
        notes.push(format!(
            "{}.{link} is not unique: the merge fails if a {} has several {} rows",
            s.display(),
            resolve::singular(&t.name),
            s.name
        ));
    }
    // Down: the table again, one row per target row that had one (its kept key is set), then the columns go.
    let mut down = vec![Change::CreateTable(source.clone())];
    let mut pairs = vec![pair(&target_key.name, &link)];
    pairs.extend(carried.clone().map(|(c, name)| pair(&name, &c.name)));
    let had_row = match kept
        .iter()
        .find(|(c, _)| Some(&c.name) == source_key.as_ref())
    {
        Some((_, name)) => vec![name.clone()],
        None => moved.iter().map(|c| c.name.clone()).collect(),
    };
    down.push(Change::CopyRows(CopyRows {
        source: t.clone(),
        target: s.clone(),
        columns: pairs,
        distinct: false,
        when_any_not_null: had_row,
    }));
    for (_, name) in carried {
        down.push(Change::DropColumn(build::column_ref(t, &name)));
    }
    if kept.is_empty() {
        notes.push(format!(
            "{} has no primary key: a rollback recreates its rows only where a moved value is set",
            s.display()
        ));
    } else {
        let names: Vec<&str> = kept.iter().map(|(_, n)| n.as_str()).collect();
        notes.push(format!(
            "{} keeps {}'s own columns as {}, so a rollback gives back every row as it was",
            t.display(),
            s.display(),
            names.join(", ")
        ));
    }
    let _ = infer::owns;
    let mut plan = finish(
        up,
        &format!("merge {} into {}", s.name, t.name),
        true,
        notes,
    );
    plan.down = Some(down);
    Ok(plan)
}

/// Words that say a new column takes its values from another table.
pub const FILL: &[&str] = &[
    "fill",
    "filled",
    "filling",
    "copy",
    "copied",
    "copying",
    "populate",
    "populated",
    "backfill",
    "backfilled",
];

/// "add customer_name to orders and fill it from customers.name", "add product_name to
/// order_items, copied from products": a new column filled through the foreign key to the table
/// the values come from. `None` when the request does not read that way.
pub fn denormalize(ctx: &Ctx, toks: &[Tok]) -> Option<Result<Plan, Refusal>> {
    let fill_at = toks.iter().position(|t| t.is_any(FILL))?;
    let from_at = fill_at + toks[fill_at..].iter().position(|t| t.is("from"))?;
    let source_word = toks.get(from_at + 1)?.name()?;
    let source = ctx.names.table_sure(source_word)?;
    let source_col = match (toks.get(from_at + 2), toks.get(from_at + 3)) {
        (Some(d), Some(c)) if d.is_punct('.') => c.name().map(str::to_string),
        _ => None,
    };
    // The target: "to T" / "in T" before the fill word.
    let target = (0..fill_at).find_map(|i| {
        (toks[i].is_any(&["to", "in", "on", "into"]))
            .then(|| toks.get(i + 1).and_then(Tok::name))
            .flatten()
            .and_then(|n| ctx.names.table_sure(n))
    })?;
    let column = toks[..fill_at].iter().skip(1).find_map(|t| match t {
        Tok::Ident(n) => Some(n.clone()),
        Tok::Word(w)
            if !KEYWORDS.contains(&w.as_str())
                && ctx.names.table_sure(w).is_none()
                && !matches!(w.as_str(), "column" | "field") =>
        {
            Some(w.clone())
        }
        _ => None,
    })?;
    Some(fill_from(ctx, target, &column, source, source_col))
}

fn fill_from(
    ctx: &Ctx,
    target: &Table,
    column: &str,
    source: &Table,
    source_col: Option<String>,
) -> Result<Plan, Refusal> {
    names::validate(ctx.engine, column)?;
    if target
        .columns
        .iter()
        .any(|c| c.name.eq_ignore_ascii_case(column))
    {
        return Err(Refusal::unsupported(format!(
            "{} already has a column `{column}`",
            target.name.display()
        )));
    }
    // The source column: named, or the new name without the source's prefix
    // (customer_name <- customers.name), or the same name.
    let prefix = format!("{}_", resolve::singular(&source.name.name));
    let wanted = source_col.unwrap_or_else(|| {
        let stripped = column.strip_prefix(&prefix).unwrap_or(column);
        if source
            .columns
            .iter()
            .any(|c| c.name.eq_ignore_ascii_case(stripped))
        {
            stripped.to_string()
        } else {
            column.to_string()
        }
    });
    let from = super::column(
        ctx,
        source,
        &wanted,
        "add customer_name to orders, filled from customers.name",
    )?;
    let Some(key) = primary_key(source) else {
        return Err(Refusal::unsupported(format!(
            "{} has no single-column primary key",
            source.name.display()
        )));
    };
    let Some(fk) = target.foreign_keys.iter().find(|f| {
        f.referenced_table.name == source.name.name
            && f.columns.len() == 1
            && f.referenced_columns == [key.name.clone()]
    }) else {
        return Err(Refusal::unsupported(format!(
            "{} has no foreign key to {}, so ai-shell cannot tell which row a value comes from",
            target.name.display(),
            source.name.display()
        )));
    };
    let mut col = nullable(from);
    col.name = column.to_string();
    col.default = None;
    let changes = vec![
        Change::AddColumn(AddColumn {
            table: target.name.clone(),
            column: col,
        }),
        Change::FillColumn(FillColumn {
            target: target.name.clone(),
            column: column.to_string(),
            source: source.name.clone(),
            value: from.name.clone(),
            match_on: vec![pair(&key.name, &fk.columns[0])],
        }),
    ];
    Ok(finish(
        changes,
        &format!(
            "add {column} to {} from {}",
            target.name.name, source.name.name
        ),
        false,
        vec![format!(
            "{column} is a copy: it does not follow later changes to {}.{}",
            source.name.display(),
            from.name
        )],
    ))
}
