//! The matching by name and the changes per object kind, sorted into the phases of `mod.rs`.

use std::collections::BTreeSet;
use std::mem::discriminant;

use super::text::{dependency_order, mentions, normalise};
use super::{Phases, Rename};
use crate::changes::simulate::same;
use crate::model::{
    AddCheck, AddColumn, AddForeignKey, AddIndex, AddPrimaryKey, AddUnique, AlterColumnType,
    Change, Column, ColumnRef, ColumnType, DatabaseSchema, DropView, EngineObject, ForeignKey,
    Index, IndexTarget, QualifiedName, SetCollation, SetComment, SetDefault, SetIdentity,
    SetTableOptions, Table, TableObject, View,
};

fn find<'a>(tables: &'a [Table], name: &QualifiedName) -> Option<&'a Table> {
    tables.iter().find(|t| same(&t.name, name))
}

fn object(table: &QualifiedName, name: &str) -> TableObject {
    TableObject {
        table: table.clone(),
        name: name.to_string(),
    }
}

fn column_ref(table: &QualifiedName, column: &str) -> ColumnRef {
    ColumnRef {
        table: table.clone(),
        column: column.to_string(),
    }
}

/// Whether two column types could hold the same values (a rename candidate): the same kind, or both text,
/// or both whole numbers.
fn compatible(a: &ColumnType, b: &ColumnType) -> bool {
    let text = |t: &ColumnType| {
        matches!(
            t,
            ColumnType::Char(_) | ColumnType::Varchar(_) | ColumnType::Text
        )
    };
    let whole = |t: &ColumnType| {
        matches!(
            t,
            ColumnType::Smallint | ColumnType::Integer | ColumnType::Bigint
        )
    };
    discriminant(a) == discriminant(b) || (text(a) && text(b)) || (whole(a) && whole(b))
}

/// Drop + add pairs that may be renames: in a table of both schemas, a column only in `from` and one only
/// in `to` of a compatible type; a table only in `from` and one only in `to` with the same columns.
pub fn rename_candidates(from: &DatabaseSchema, to: &DatabaseSchema) -> Vec<Rename> {
    let mut out = vec![];
    for a in &from.tables {
        let Some(b) = find(&to.tables, &a.name) else {
            continue;
        };
        let gone: Vec<&Column> = a
            .columns
            .iter()
            .filter(|c| !b.columns.iter().any(|x| x.name == c.name))
            .collect();
        let new: Vec<&Column> = b
            .columns
            .iter()
            .filter(|c| !a.columns.iter().any(|x| x.name == c.name))
            .collect();
        for g in &gone {
            for n in new
                .iter()
                .filter(|n| compatible(&g.data_type, &n.data_type))
            {
                out.push(Rename::Column {
                    table: a.name.clone(),
                    from: g.name.clone(),
                    to: n.name.clone(),
                });
            }
        }
    }
    let shape = |t: &Table| {
        let mut v: Vec<(String, String)> = t
            .columns
            .iter()
            .map(|c| (c.name.clone(), format!("{:?}", c.data_type)))
            .collect();
        v.sort();
        v
    };
    for a in from
        .tables
        .iter()
        .filter(|a| find(&to.tables, &a.name).is_none())
    {
        for b in to
            .tables
            .iter()
            .filter(|b| find(&from.tables, &b.name).is_none())
        {
            let same_namespace = same(
                &QualifiedName {
                    namespace: b.name.namespace.clone(),
                    name: a.name.name.clone(),
                },
                &a.name,
            );
            if same_namespace && shape(a) == shape(b) {
                out.push(Rename::Table {
                    from: a.name.clone(),
                    to: b.name.name.clone(),
                });
            }
        }
    }
    out
}

/// The columns of `a` that `b` no longer has as they were: dropped, or recreated (generated columns).
fn gone_columns(a: &Table, b: &Table) -> BTreeSet<String> {
    a.columns
        .iter()
        .filter(|c| match b.columns.iter().find(|x| x.name == c.name) {
            None => true,
            Some(x) => recreated(c, x),
        })
        .map(|c| c.name.clone())
        .collect()
}

/// A column whose generation changes is dropped and added again: it holds no data of its own.
fn recreated(a: &Column, b: &Column) -> bool {
    (a.generated.is_some() || b.generated.is_some())
        && (a.generated != b.generated || a.data_type != b.data_type)
}

fn touches(columns: &[String], gone: &BTreeSet<String>) -> bool {
    columns.iter().any(|c| gone.contains(c))
}

fn index_touches(i: &Index, gone: &BTreeSet<String>) -> bool {
    touches(&i.included_columns, gone)
        || i.predicate
            .as_ref()
            .is_some_and(|p| gone.iter().any(|g| mentions(p, g)))
        || i.keys.iter().any(|k| match &k.target {
            IndexTarget::Column(c) => gone.contains(c),
            IndexTarget::Expression(e) => gone.iter().any(|g| mentions(e, g)),
        })
}

/// Foreign keys compared with the default namespace named or not.
fn same_fk(a: &ForeignKey, b: &ForeignKey) -> bool {
    same(&a.referenced_table, &b.referenced_table)
        && ForeignKey {
            referenced_table: b.referenced_table.clone(),
            ..a.clone()
        } == *b
}

fn unique_indexes(t: &Table) -> Vec<&Index> {
    t.indexes.iter().filter(|i| i.unique).collect()
}

fn same_view(a: &View, b: &View) -> bool {
    normalise(&a.definition) == normalise(&b.definition)
        && a.materialized == b.materialized
        && a.comment == b.comment
        && a.options == b.options
}

fn object_key(o: &EngineObject) -> (String, String, String, String) {
    let ns = |n: &QualifiedName| {
        match n.namespace.as_deref() {
            None | Some("public") | Some("main") => "",
            Some(x) => x,
        }
        .to_string()
    };
    (
        o.kind.to_lowercase(),
        ns(&o.name),
        o.name.name.clone(),
        o.table.as_ref().map(|t| t.name.clone()).unwrap_or_default(),
    )
}

/// What happens to each table, gathered before the changes are written.
struct TableDiff<'a> {
    a: &'a Table,
    b: &'a Table,
    gone: BTreeSet<String>,
    /// Columns kept whose type changes.
    retyped: BTreeSet<String>,
    /// Its primary key, a unique constraint or index, a column type or a column changes: foreign keys into it are rebuilt.
    keys_changed: bool,
    /// A column disappears or changes type: views that read it are rebuilt.
    columns_changed: bool,
}

pub fn diff_schema_objects(
    a: &DatabaseSchema,
    b: &DatabaseSchema,
    p: &mut Phases,
    unsupported: &mut Vec<String>,
) {
    // Namespaces and extensions.
    for n in b.namespaces.iter().filter(|n| !a.namespaces.contains(n)) {
        p.create_types.push(Change::CreateNamespace(n.clone()));
    }
    for e in &b.extensions {
        match a.extensions.iter().find(|x| x.name == e.name) {
            None => p.create_types.push(Change::CreateExtension(e.clone())),
            Some(x) if x != e => unsupported.push(format!(
                "extension `{}` moves to another schema: the IR cannot move an extension",
                e.name
            )),
            Some(_) => {}
        }
    }
    for e in a
        .extensions
        .iter()
        .filter(|e| !b.extensions.iter().any(|x| x.name == e.name))
    {
        p.drop_late.push(Change::DropExtension(e.clone()));
    }

    // Enum types: a changed one is dropped and created again when no column uses it.
    let used = |s: &DatabaseSchema, n: &QualifiedName| {
        s.tables.iter().any(|t| {
            t.columns
                .iter()
                .any(|c| matches!(&c.data_type, ColumnType::EnumRef(r) if same(r, n)))
        })
    };
    for e in &b.enums {
        match a.enums.iter().find(|x| same(&x.name, &e.name)) {
            None => p.create_types.push(Change::CreateEnumType(e.clone())),
            Some(x) if x.labels != e.labels => {
                if used(a, &e.name) || used(b, &e.name) {
                    p.create_types.push(Change::AlterEnumType(e.clone()));
                } else {
                    p.drop_early.push(Change::DropEnumType(x.name.clone()));
                    p.create_types.push(Change::CreateEnumType(e.clone()));
                }
            }
            Some(_) => {}
        }
    }
    for e in a
        .enums
        .iter()
        .filter(|e| !b.enums.iter().any(|x| same(&x.name, &e.name)))
    {
        p.drop_late.push(Change::DropEnumType(e.name.clone()));
    }

    // Stand-alone engine objects (functions, types, collations) come before sequences and tables.
    // Those that go are dropped last (what uses them, a trigger or a default, goes first); a changed one
    // that does not replace itself is dropped before it is created again.
    let mut dropped = vec![];
    diff_objects(
        a,
        b,
        |o| o.table.is_none(),
        &mut p.create_types,
        &mut dropped,
    );
    for d in dropped {
        let replaced = matches!(&d, Change::DropObject(o) if b.objects.iter().any(|x| object_key(x) == object_key(o)));
        if replaced {
            p.drop_early.push(d);
        } else {
            p.drop_late.push(d);
        }
    }

    // Sequences: a changed one is dropped and created again when no default uses it.
    let in_default = |s: &DatabaseSchema, n: &QualifiedName| {
        s.tables.iter().any(|t| {
            t.columns
                .iter()
                .any(|c| c.default.as_deref().is_some_and(|d| mentions(d, &n.name)))
        })
    };
    for s in &b.sequences {
        match a.sequences.iter().find(|x| same(&x.name, &s.name)) {
            None => p.create_types.push(Change::CreateSequence(s.clone())),
            Some(x) if x != s => {
                if in_default(a, &s.name) {
                    unsupported.push(format!(
                        "sequence `{}` changes while a default uses it: the IR cannot alter a sequence",
                        s.name.display()
                    ));
                } else {
                    p.drop_early.push(Change::DropSequence(x.name.clone()));
                    p.create_types.push(Change::CreateSequence(s.clone()));
                }
            }
            Some(_) => {}
        }
    }
    for s in a
        .sequences
        .iter()
        .filter(|s| !b.sequences.iter().any(|x| same(&x.name, &s.name)))
    {
        p.drop_late.push(Change::DropSequence(s.name.clone()));
    }

    // Tables.
    let kept: Vec<TableDiff> = a
        .tables
        .iter()
        .filter_map(|ta| {
            let tb = find(&b.tables, &ta.name)?;
            let gone = gone_columns(ta, tb);
            let retyped: BTreeSet<String> = ta
                .columns
                .iter()
                .filter(|c| !gone.contains(&c.name))
                .filter(|c| {
                    tb.columns
                        .iter()
                        .any(|x| x.name == c.name && x.data_type != c.data_type)
                })
                .map(|c| c.name.clone())
                .collect();
            let type_changed = !retyped.is_empty();
            let keys_changed = type_changed
                || !gone.is_empty()
                || ta.primary_key != tb.primary_key
                || ta.uniques != tb.uniques
                || unique_indexes(ta) != unique_indexes(tb);
            Some(TableDiff {
                a: ta,
                b: tb,
                columns_changed: type_changed || !gone.is_empty(),
                gone,
                retyped,
                keys_changed,
            })
        })
        .collect();
    let keys_changed =
        |n: &QualifiedName| kept.iter().any(|k| k.keys_changed && same(&k.a.name, n));
    for k in &kept {
        diff_table(k, &keys_changed, p);
    }

    // Dropped tables: those that reference another dropped table go first; in a cycle, the foreign keys
    // between them are dropped first.
    let dropped: Vec<&Table> = a
        .tables
        .iter()
        .filter(|t| find(&b.tables, &t.name).is_none())
        .collect();
    let refs = |t: &Table, among: &[&Table]| -> Vec<usize> {
        t.foreign_keys
            .iter()
            .filter_map(|f| {
                among
                    .iter()
                    .position(|x| same(&x.name, &f.referenced_table))
            })
            .collect()
    };
    // Referenced tables are "dependencies" of referencing ones; drop in the reverse of creation order.
    let order = dependency_order(dropped.len(), |i| refs(dropped[i], &dropped));
    let mut done: Vec<usize> = vec![];
    for &i in order.iter().rev() {
        let t = dropped[i];
        for f in &t.foreign_keys {
            let target = dropped
                .iter()
                .position(|x| same(&x.name, &f.referenced_table));
            // A referenced table still standing when this one goes would block: only in a cycle.
            if target.is_some_and(|j| j != i && done.contains(&j)) {
                p.drop_foreign_keys
                    .push(Change::DropForeignKey(object(&t.name, &f.name)));
            }
        }
        p.drop_tables.push(Change::DropTable(t.name.clone()));
        done.push(i);
    }

    // New tables, referenced ones first; a foreign key to a table created later goes in its own change.
    let new: Vec<&Table> = b
        .tables
        .iter()
        .filter(|t| find(&a.tables, &t.name).is_none())
        .collect();
    let order = dependency_order(new.len(), |i| refs(new[i], &new));
    let mut created: Vec<usize> = vec![];
    for &i in &order {
        let mut t = new[i].clone();
        let (inline, later): (Vec<ForeignKey>, Vec<ForeignKey>) =
            std::mem::take(&mut t.foreign_keys)
                .into_iter()
                .partition(
                    |f| match new.iter().position(|x| same(&x.name, &f.referenced_table)) {
                        Some(j) => j == i || created.contains(&j),
                        None => true,
                    },
                );
        t.foreign_keys = inline;
        for f in later {
            p.add_foreign_keys
                .push(Change::AddForeignKey(AddForeignKey {
                    table: t.name.clone(),
                    foreign_key: f,
                }));
        }
        p.create_tables.push(Change::CreateTable(t));
        created.push(i);
    }

    // Engine objects that belong to a table (triggers) after the tables; to a view, after the views.
    let on_view = |o: &EngineObject| {
        o.table
            .as_ref()
            .is_some_and(|t| b.views.iter().any(|v| same(&v.name, t)))
    };
    // They are dropped before the columns they read change.
    diff_objects(
        a,
        b,
        |o| o.table.is_some() && !on_view(o),
        &mut p.table_objects,
        &mut p.drop_early,
    );

    // Views: changed ones, those reading a table whose columns change or that goes, and those reading a
    // rebuilt view are dropped (readers first) and created again (what they read first).
    let affected: Vec<&QualifiedName> = kept
        .iter()
        .filter(|k| k.columns_changed)
        .map(|k| &k.a.name)
        .chain(dropped.iter().map(|t| &t.name))
        .collect();
    let mut rebuilt: Vec<&View> = a
        .views
        .iter()
        .filter(|v| match b.views.iter().find(|x| same(&x.name, &v.name)) {
            None => true,
            Some(x) => {
                !same_view(v, x) || affected.iter().any(|t| mentions(&v.definition, &t.name))
            }
        })
        .collect();
    loop {
        let more: Vec<&View> = a
            .views
            .iter()
            .filter(|v| !rebuilt.iter().any(|r| same(&r.name, &v.name)))
            .filter(|v| {
                rebuilt
                    .iter()
                    .any(|r| mentions(&v.definition, &r.name.name))
            })
            .collect();
        if more.is_empty() {
            break;
        }
        rebuilt.extend(more);
    }
    let reads = |views: &[&View], i: usize| -> Vec<usize> {
        (0..views.len())
            .filter(|&j| j != i && mentions(&views[i].definition, &views[j].name.name))
            .collect()
    };
    let order = dependency_order(rebuilt.len(), |i| reads(&rebuilt, i));
    for &i in order.iter().rev() {
        p.drop_views.push(Change::DropView(DropView {
            name: rebuilt[i].name.clone(),
            materialized: rebuilt[i].materialized,
        }));
    }
    let to_create: Vec<&View> = b
        .views
        .iter()
        .filter(|v| match a.views.iter().find(|x| same(&x.name, &v.name)) {
            None => true,
            Some(_) => rebuilt.iter().any(|r| same(&r.name, &v.name)),
        })
        .collect();
    for i in dependency_order(to_create.len(), |i| reads(&to_create, i)) {
        p.create_views
            .push(Change::CreateView(to_create[i].clone()));
    }
    // Objects on a view go with it: those of rebuilt views are created again.
    let recreated_view = |o: &EngineObject| {
        o.table
            .as_ref()
            .is_some_and(|t| to_create.iter().any(|v| same(&v.name, t)))
    };
    for o in b.objects.iter().filter(|o| recreated_view(o)) {
        p.view_objects.push(Change::CreateObject(o.clone()));
    }
    diff_objects(
        a,
        b,
        |o| on_view(o) && !recreated_view(o),
        &mut p.view_objects,
        &mut p.drop_early,
    );

    // Namespaces go last, once empty.
    for n in a.namespaces.iter().filter(|n| !b.namespaces.contains(n)) {
        p.drop_late.push(Change::DropNamespace(n.clone()));
    }
}

/// Engine objects compared by normalised definition. New ones are created (into `out`); a changed one is
/// replayed when its definition replaces (`CREATE OR REPLACE`), else dropped (into `drop`) and created again;
/// one that is gone is dropped (into `drop`), unless the table or view it belongs to goes and takes it along.
fn diff_objects(
    a: &DatabaseSchema,
    b: &DatabaseSchema,
    filter: impl Fn(&EngineObject) -> bool,
    out: &mut Vec<Change>,
    drop: &mut Vec<Change>,
) {
    for o in b.objects.iter().filter(|o| filter(o)) {
        match a.objects.iter().find(|x| object_key(x) == object_key(o)) {
            None => out.push(Change::CreateObject(o.clone())),
            Some(x) if normalise(&x.definition) != normalise(&o.definition) => {
                if !normalise(&o.definition)
                    .to_lowercase()
                    .starts_with("create or replace ")
                {
                    drop.push(Change::DropObject(x.clone()));
                }
                out.push(Change::CreateObject(o.clone()));
            }
            Some(_) => {}
        }
    }
    let owner_stays = |o: &EngineObject| match &o.table {
        None => true,
        Some(t) => {
            b.tables.iter().any(|x| same(&x.name, t)) || b.views.iter().any(|x| same(&x.name, t))
        }
    };
    for o in a.objects.iter().filter(|o| filter(o) && owner_stays(o)) {
        if !b.objects.iter().any(|x| object_key(x) == object_key(o)) {
            drop.push(Change::DropObject(o.clone()));
        }
    }
}

fn diff_table(k: &TableDiff, keys_changed: &dyn Fn(&QualifiedName) -> bool, p: &mut Phases) {
    let (a, b, gone) = (k.a, k.b, &k.gone);
    let name = &a.name;

    // Foreign keys: changed, on a column that goes or changes type, or into a table whose keys change.
    let rebuilt = |f: &ForeignKey| {
        touches(&f.columns, gone)
            || touches(&f.columns, &k.retyped)
            || keys_changed(&f.referenced_table)
    };
    for f in &a.foreign_keys {
        let after = b.foreign_keys.iter().find(|x| x.name == f.name);
        let rebuild = !after.is_some_and(|x| same_fk(x, f)) || rebuilt(f);
        if rebuild {
            p.drop_foreign_keys
                .push(Change::DropForeignKey(object(name, &f.name)));
        }
    }
    for f in &b.foreign_keys {
        let before = a.foreign_keys.iter().find(|x| x.name == f.name);
        let rebuild = !before.is_some_and(|x| same_fk(x, f)) || rebuilt(f);
        if rebuild {
            p.add_foreign_keys
                .push(Change::AddForeignKey(AddForeignKey {
                    table: name.clone(),
                    foreign_key: f.clone(),
                }));
        }
    }

    // Primary key, uniques, checks and indexes: dropped before the columns change, added after.
    let pk_rebuild = a.primary_key != b.primary_key
        || a.primary_key
            .as_ref()
            .is_some_and(|k| touches(&k.columns, gone));
    if pk_rebuild && a.primary_key.is_some() {
        p.drop_table_objects
            .push(Change::DropPrimaryKey(name.clone()));
    }
    for i in &a.indexes {
        let after = b.indexes.iter().find(|x| x.name == i.name);
        if after != Some(i) || index_touches(i, gone) {
            p.drop_table_objects
                .push(Change::DropIndex(object(name, &i.name)));
        }
    }
    for u in &a.uniques {
        let after = b.uniques.iter().find(|x| x.name == u.name);
        if after != Some(u) || touches(&u.columns, gone) {
            p.drop_table_objects
                .push(Change::DropUnique(object(name, &u.name)));
        }
    }
    for c in &a.checks {
        let after = b.checks.iter().find(|x| x.name == c.name);
        let changed = after.is_none_or(|x| normalise(&x.expression) != normalise(&c.expression));
        if changed || gone.iter().any(|g| mentions(&c.expression, g)) {
            p.drop_table_objects
                .push(Change::DropCheck(object(name, &c.name)));
        }
    }

    // Columns.
    for c in a.columns.iter().filter(|c| gone.contains(&c.name)) {
        p.drop_columns
            .push(Change::DropColumn(column_ref(name, &c.name)));
    }
    for c in &b.columns {
        match a.columns.iter().find(|x| x.name == c.name) {
            Some(x) if !gone.contains(&c.name) => alter_column(name, x, c, p),
            _ => add_column(name, c, p),
        }
    }
    if a.comment != b.comment {
        p.alter_columns.push(Change::SetComment(SetComment {
            table: name.clone(),
            column: None,
            comment: b.comment.clone(),
        }));
    }
    if a.options != b.options {
        p.alter_columns
            .push(Change::SetTableOptions(SetTableOptions {
                table: name.clone(),
                options: b.options.clone(),
            }));
    }

    if pk_rebuild && let Some(pk) = &b.primary_key {
        p.add_table_objects
            .push(Change::AddPrimaryKey(AddPrimaryKey {
                table: name.clone(),
                primary_key: pk.clone(),
            }));
    }
    for u in &b.uniques {
        let before = a.uniques.iter().find(|x| x.name == u.name);
        if before != Some(u) || touches(&u.columns, gone) {
            p.add_table_objects.push(Change::AddUnique(AddUnique {
                table: name.clone(),
                constraint: u.clone(),
            }));
        }
    }
    for c in &b.checks {
        let before = a.checks.iter().find(|x| x.name == c.name);
        let changed = before.is_none_or(|x| normalise(&x.expression) != normalise(&c.expression));
        if changed || gone.iter().any(|g| mentions(&c.expression, g)) {
            p.add_table_objects.push(Change::AddCheck(AddCheck {
                table: name.clone(),
                check: c.clone(),
            }));
        }
    }
    for i in &b.indexes {
        let before = a.indexes.iter().find(|x| x.name == i.name);
        if before != Some(i) || index_touches(i, gone) {
            p.add_table_objects.push(Change::AddIndex(AddIndex {
                table: name.clone(),
                index: i.clone(),
                concurrently: false,
            }));
        }
    }
}

/// A column added to a table that may hold rows. NOT NULL without a default fails on PostgreSQL and SQLite
/// when there are rows (a rollback re-adding a dropped column meets exactly that): it is added with a
/// placeholder default of its type, which is then dropped, so the schema reached is the one asked for.
fn add_column(table: &QualifiedName, c: &Column, p: &mut Phases) {
    let placeholder =
        (!c.nullable && c.default.is_none() && c.identity.is_none() && c.generated.is_none())
            .then(|| placeholder(&c.data_type))
            .flatten();
    let mut column = c.clone();
    if placeholder.is_some() {
        column.default = placeholder.clone();
    }
    p.alter_columns.push(Change::AddColumn(AddColumn {
        table: table.clone(),
        column,
    }));
    if placeholder.is_some() {
        p.alter_columns
            .push(Change::DropDefault(column_ref(table, &c.name)));
    }
}

/// A value every engine accepts as a default of `t`, for filling rows a NOT NULL column is added to.
fn placeholder(t: &ColumnType) -> Option<String> {
    use ColumnType as T;
    Some(
        match t {
            T::Smallint | T::Integer | T::Bigint | T::Real | T::Double | T::Numeric(_) => "0",
            T::Boolean => "FALSE",
            T::Char(_) | T::Varchar(_) | T::Text => "''",
            T::Date => "'1970-01-01'",
            T::Time(_) => "'00:00:00'",
            T::Timestamp(_) | T::TimestampTz(_) => "'1970-01-01 00:00:00'",
            T::Uuid => "'00000000-0000-0000-0000-000000000000'",
            _ => return None,
        }
        .to_string(),
    )
}

/// One column kept by name: default dropped before a type change and set after it, then nullability,
/// comment, collation and identity.
fn alter_column(table: &QualifiedName, a: &Column, b: &Column, p: &mut Phases) {
    let at = |c: &str| column_ref(table, c);
    let type_changed = a.data_type != b.data_type;
    let default_changed = a.default != b.default;
    if a.default.is_some() && (b.default.is_none() || (type_changed && default_changed)) {
        p.alter_columns.push(Change::DropDefault(at(&a.name)));
    }
    if type_changed {
        p.alter_columns
            .push(Change::AlterColumnType(AlterColumnType {
                table: table.clone(),
                column: a.name.clone(),
                new_type: b.data_type.clone(),
                using: None,
            }));
    }
    if let Some(d) = &b.default
        && default_changed
    {
        p.alter_columns.push(Change::SetDefault(SetDefault {
            table: table.clone(),
            column: a.name.clone(),
            default: d.clone(),
        }));
    }
    match (a.nullable, b.nullable) {
        (true, false) => p.alter_columns.push(Change::SetNotNull(at(&a.name))),
        (false, true) => p.alter_columns.push(Change::DropNotNull(at(&a.name))),
        _ => {}
    }
    if a.comment != b.comment {
        p.alter_columns.push(Change::SetComment(SetComment {
            table: table.clone(),
            column: Some(a.name.clone()),
            comment: b.comment.clone(),
        }));
    }
    if a.collation != b.collation {
        p.alter_columns.push(Change::SetCollation(SetCollation {
            table: table.clone(),
            column: a.name.clone(),
            collation: b.collation.clone(),
        }));
    }
    if a.identity != b.identity {
        let change = Change::SetIdentity(SetIdentity {
            table: table.clone(),
            column: a.name.clone(),
            identity: b.identity,
        });
        // Removed before keys and defaults change (MySQL wants a key under AUTO_INCREMENT, PostgreSQL no
        // default beside an identity); added or changed once the keys, type and nullability are final.
        match b.identity {
            None => p.drop_early.push(change),
            Some(_) => p.add_identities.push(change),
        }
    }
}
