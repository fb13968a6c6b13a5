//! Pairs of schemas: the up changes applied by `simulate` give `to`, the down changes give `from` back,
//! a schema compared with itself gives nothing, and changes come in dependency order.

use super::*;
use crate::model::{
    CheckConstraint, Column, ColumnType, EngineObject, EnumType, Extension, FkAction, ForeignKey,
    GeneratedColumn, IdentityKind, Index, IndexKey, IndexMethod, IndexTarget, PrimaryKey, Sequence,
    Table, UniqueConstraint, View,
};

fn name(n: &str) -> QualifiedName {
    QualifiedName {
        namespace: None,
        name: n.into(),
    }
}

fn col(n: &str, t: ColumnType) -> Column {
    Column {
        name: n.into(),
        data_type: t,
        nullable: true,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

fn id() -> Column {
    Column {
        nullable: false,
        ..col("id", ColumnType::Bigint)
    }
}

fn table(n: &str, columns: Vec<Column>) -> Table {
    Table {
        name: name(n),
        columns,
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

fn key(target: IndexTarget) -> IndexKey {
    IndexKey {
        target,
        descending: false,
        nulls_first: None,
        opclass: None,
        collation: None,
        prefix_length: None,
    }
}

fn index(n: &str, c: &str) -> Index {
    Index {
        name: n.into(),
        unique: false,
        method: IndexMethod::Btree,
        keys: vec![key(IndexTarget::Column(c.into()))],
        included_columns: vec![],
        predicate: None,
        comment: None,
    }
}

fn fk(n: &str, c: &str, target: &str) -> ForeignKey {
    ForeignKey {
        name: n.into(),
        columns: vec![c.into()],
        referenced_table: name(target),
        referenced_columns: vec!["id".into()],
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
        deferrable: false,
        initially_deferred: false,
    }
}

fn view(n: &str, def: &str) -> View {
    View {
        name: name(n),
        definition: def.into(),
        materialized: false,
        comment: None,
        options: vec![],
    }
}

fn object(kind: &str, n: &str, on: Option<&str>, def: &str) -> EngineObject {
    EngineObject {
        kind: kind.into(),
        name: name(n),
        table: on.map(name),
        definition: def.into(),
    }
}

fn sequence(n: &str, start: i64) -> Sequence {
    Sequence {
        name: name(n),
        data_type: None,
        start,
        increment: 1,
        min_value: None,
        max_value: None,
        cache: 1,
        cycle: false,
    }
}

/// users(id, email, age) with a unique on email and an index on age; orders(id, user_id -> users, total).
fn base() -> DatabaseSchema {
    let mut s = DatabaseSchema::empty();
    let mut users = table(
        "users",
        vec![
            id(),
            col("email", ColumnType::Varchar(Some(255))),
            col("age", ColumnType::Integer),
        ],
    );
    users.uniques.push(UniqueConstraint {
        name: "uq_users_email".into(),
        columns: vec!["email".into()],
    });
    users.indexes.push(index("idx_users_age", "age"));
    let mut orders = table(
        "orders",
        vec![
            id(),
            col("user_id", ColumnType::Bigint),
            col(
                "total",
                ColumnType::Numeric(crate::model::NumericParams {
                    precision: Some(10),
                    scale: Some(2),
                }),
            ),
        ],
    );
    orders
        .foreign_keys
        .push(fk("fk_orders_user", "user_id", "users"));
    s.tables = vec![users, orders];
    s
}

fn users(s: &mut DatabaseSchema) -> &mut Table {
    s.tables
        .iter_mut()
        .find(|t| t.name.name == "users")
        .unwrap()
}

fn orders(s: &mut DatabaseSchema) -> &mut Table {
    s.tables
        .iter_mut()
        .find(|t| t.name.name == "orders")
        .unwrap()
}

/// The schema as compared: every list sorted by name (the IR appends, it cannot reorder), an engine
/// object replayed by `CREATE OR REPLACE` counted once.
fn canonical(mut s: DatabaseSchema) -> DatabaseSchema {
    for t in &mut s.tables {
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
        t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        t.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        t.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        t.checks.sort_by(|a, b| a.name.cmp(&b.name));
    }
    s.tables.sort_by_key(|x| x.name.display());
    s.views.sort_by_key(|x| x.name.display());
    s.enums.sort_by_key(|x| x.name.display());
    s.sequences.sort_by_key(|x| x.name.display());
    s.namespaces.sort();
    s.extensions.sort_by(|a, b| a.name.cmp(&b.name));
    let mut objects: Vec<EngineObject> = vec![];
    for o in s.objects.into_iter().rev() {
        if !objects
            .iter()
            .any(|x| x.kind == o.kind && x.name == o.name && x.table == o.table)
        {
            objects.push(o);
        }
    }
    // `simulate` keeps the objects of a dropped table; the engine drops them with it.
    objects.retain(|o| {
        o.table.as_ref().is_none_or(|t| {
            s.tables.iter().any(|x| simulate::same(&x.name, t))
                || s.views.iter().any(|x| simulate::same(&x.name, t))
        })
    });
    objects.sort_by(|a, b| (&a.kind, &a.name.name).cmp(&(&b.kind, &b.name.name)));
    s.objects = objects;
    s
}

/// Applies the changes one by one, checking after each what `simulate` does not and an engine would
/// refuse: a foreign key into a missing table or onto columns without a key, a view reading a missing
/// table or view, a column of a missing enum type, a view over a table whose column changes type.
fn applied(s: &DatabaseSchema, changes: &[Change]) -> DatabaseSchema {
    let mut out = s.clone();
    for (i, change) in changes.iter().enumerate() {
        if let Change::AlterColumnType(a) = change {
            let reader = out
                .views
                .iter()
                .find(|v| text::mentions(&v.definition, &a.table.name));
            assert!(
                reader.is_none(),
                "change {i}: a view reads {}: {changes:#?}",
                a.table.name
            );
        }
        let known: Vec<String> = out
            .tables
            .iter()
            .map(|t| t.name.name.clone())
            .chain(out.views.iter().map(|v| v.name.name.clone()))
            .collect();
        simulate::apply(&mut out, change)
            .unwrap_or_else(|e| panic!("change {i}: {e}\nchanges: {changes:#?}"));
        invariants(&out, &known).unwrap_or_else(|e| panic!("after change {i}: {e}\n{changes:#?}"));
    }
    out
}

fn invariants(s: &DatabaseSchema, known_before: &[String]) -> Result<(), String> {
    for t in &s.tables {
        for f in &t.foreign_keys {
            let target = simulate::table(s, &f.referenced_table)?;
            let keyed = target
                .primary_key
                .as_ref()
                .is_some_and(|k| k.columns == f.referenced_columns)
                || target
                    .uniques
                    .iter()
                    .any(|u| u.columns == f.referenced_columns);
            if !keyed {
                return Err(format!("{} references columns without a key", f.name));
            }
        }
        for c in &t.columns {
            if let ColumnType::EnumRef(e) = &c.data_type
                && !s.enums.iter().any(|x| simulate::same(&x.name, e))
            {
                return Err(format!("{} uses a missing enum", c.name));
            }
        }
    }
    let names: Vec<&str> = s
        .tables
        .iter()
        .map(|t| t.name.name.as_str())
        .chain(s.views.iter().map(|v| v.name.name.as_str()))
        .collect();
    for v in &s.views {
        for gone in known_before.iter().filter(|n| !names.contains(&n.as_str())) {
            if text::mentions(&v.definition, gone) {
                return Err(format!("view {} reads missing {gone}", v.name.name));
            }
        }
    }
    Ok(())
}

/// The oracle: up turns `from` into `to`, down turns `to` back into `from`, nothing is left unsaid.
fn check_with(from: &DatabaseSchema, to: &DatabaseSchema, options: &Options) -> Diff {
    let d = diff(from, to, options);
    assert!(d.unsupported.is_empty(), "unsupported: {:?}", d.unsupported);
    assert_eq!(
        canonical(applied(from, &d.changes)),
        canonical(to.clone()),
        "up: {:#?}",
        d.changes
    );
    // What the IR cannot drop (extensions, engine objects) stays behind in the down direction.
    let back = applied(to, &d.down);
    let mut expected = from.clone();
    if !d.down_unsupported.is_empty() {
        assert!(d.down_unsupported.iter().all(|u| u.contains("cannot drop")));
        expected.extensions = back.extensions.clone();
        expected.objects = back.objects.clone();
    }
    assert_eq!(canonical(back), canonical(expected), "down: {:#?}", d.down);
    assert!(diff(from, from, &Options::default()).is_empty());
    assert!(diff(to, to, &Options::default()).is_empty());
    d
}

fn check(from: &DatabaseSchema, to: &DatabaseSchema) -> Diff {
    check_with(from, to, &Options::default())
}

fn position(changes: &[Change], f: impl Fn(&Change) -> bool) -> usize {
    changes
        .iter()
        .position(f)
        .unwrap_or_else(|| panic!("no such change in {changes:#?}"))
}

// --- identity -------------------------------------------------------------------------------------

#[test]
fn a_schema_against_itself_is_empty() {
    let d = diff(&base(), &base(), &Options::default());
    assert!(d.is_empty() && d.down.is_empty() && d.rename_candidates.is_empty());
}

#[test]
fn whitespace_in_definitions_is_not_a_difference() {
    let mut a = base();
    a.views.push(view("v", "SELECT id\n  FROM users;"));
    a.objects.push(object(
        "function",
        "f",
        None,
        "CREATE FUNCTION f() RETURNS int AS 'select  1'",
    ));
    let mut b = base();
    b.views.push(view("v", "SELECT id FROM users"));
    b.objects.push(object(
        "function",
        "f",
        None,
        "CREATE  FUNCTION f()\nRETURNS int AS 'select  1';",
    ));
    assert!(diff(&a, &b, &Options::default()).is_empty());
}

#[test]
fn whitespace_inside_a_literal_is_a_difference() {
    let mut a = base();
    a.views.push(view("v", "SELECT 'a b' AS x"));
    let mut b = base();
    b.views.push(view("v", "SELECT 'a  b' AS x"));
    check(&a, &b);
}

#[test]
fn from_empty_creates_everything_in_order() {
    let mut to = base();
    to.namespaces.push("app".into());
    to.extensions.push(Extension {
        name: "citext".into(),
        namespace: None,
    });
    to.views
        .push(view("big_orders", "SELECT * FROM orders WHERE total > 100"));
    let d = check(&DatabaseSchema::empty(), &to);
    let users = position(
        &d.changes,
        |c| matches!(c, Change::CreateTable(t) if t.name.name == "users"),
    );
    let orders = position(
        &d.changes,
        |c| matches!(c, Change::CreateTable(t) if t.name.name == "orders"),
    );
    let v = position(&d.changes, |c| matches!(c, Change::CreateView(_)));
    assert!(users < orders && orders < v);
    assert!(matches!(d.changes[0], Change::CreateNamespace(_)));
    // Every drop in the down section is destructive-looking, none in the up section.
    assert!(d.destructive.is_empty());
}

#[test]
fn to_empty_drops_referencing_tables_first() {
    let d = check(&base(), &DatabaseSchema::empty());
    let users = position(
        &d.changes,
        |c| matches!(c, Change::DropTable(t) if t.name == "users"),
    );
    let orders = position(
        &d.changes,
        |c| matches!(c, Change::DropTable(t) if t.name == "orders"),
    );
    assert!(orders < users);
    assert_eq!(d.destructive.len(), 2);
}

// --- namespaces, extensions, enums, sequences -----------------------------------------------------

#[test]
fn namespaces_are_created_first_and_dropped_last() {
    let mut a = base();
    a.namespaces.push("old".into());
    let mut b = base();
    b.namespaces.push("new".into());
    b.tables.push(Table {
        name: QualifiedName {
            namespace: Some("new".into()),
            name: "t".into(),
        },
        ..table("t", vec![id()])
    });
    let d = check(&a, &b);
    assert_eq!(d.changes[0], Change::CreateNamespace("new".into()));
    assert_eq!(d.changes.last(), Some(&Change::DropNamespace("old".into())));
}

#[test]
fn extensions_are_created_and_dropped_and_undone() {
    let mut b = base();
    b.extensions.push(Extension {
        name: "pgcrypto".into(),
        namespace: Some("public".into()),
    });
    let d = check(&base(), &b);
    assert_eq!(
        d.changes,
        vec![Change::CreateExtension(b.extensions[0].clone())]
    );
    assert_eq!(d.down, vec![Change::DropExtension(b.extensions[0].clone())]);
    let back = check(&b, &base());
    assert_eq!(
        back.changes,
        vec![Change::DropExtension(b.extensions[0].clone())]
    );
}

#[test]
fn a_new_enum_comes_before_the_column_that_uses_it() {
    let mut b = base();
    b.enums.push(EnumType {
        name: name("mood"),
        labels: vec!["happy".into(), "sad".into()],
    });
    users(&mut b)
        .columns
        .push(col("mood", ColumnType::EnumRef(name("mood"))));
    let d = check(&base(), &b);
    let e = position(&d.changes, |c| matches!(c, Change::CreateEnumType(_)));
    let c = position(&d.changes, |c| matches!(c, Change::AddColumn(_)));
    assert!(e < c);
}

#[test]
fn a_removed_enum_is_dropped_after_its_column() {
    let mut a = base();
    a.enums.push(EnumType {
        name: name("mood"),
        labels: vec!["happy".into()],
    });
    users(&mut a)
        .columns
        .push(col("mood", ColumnType::EnumRef(name("mood"))));
    let d = check(&a, &base());
    let c = position(&d.changes, |c| matches!(c, Change::DropColumn(_)));
    let e = position(&d.changes, |c| matches!(c, Change::DropEnumType(_)));
    assert!(c < e);
}

#[test]
fn an_unused_enum_with_new_labels_is_recreated() {
    let mut a = base();
    a.enums.push(EnumType {
        name: name("mood"),
        labels: vec!["happy".into()],
    });
    let mut b = base();
    b.enums.push(EnumType {
        name: name("mood"),
        labels: vec!["happy".into(), "sad".into()],
    });
    let d = check(&a, &b);
    assert_eq!(d.changes.len(), 2);
}

#[test]
fn an_enum_in_use_gets_its_new_labels_and_back() {
    let mut a = base();
    a.enums.push(EnumType {
        name: name("mood"),
        labels: vec!["happy".into()],
    });
    users(&mut a)
        .columns
        .push(col("mood", ColumnType::EnumRef(name("mood"))));
    let mut b = a.clone();
    b.enums[0].labels.push("sad".into());
    let d = check(&a, &b);
    assert_eq!(d.changes, vec![Change::AlterEnumType(b.enums[0].clone())]);
    assert_eq!(d.down, vec![Change::AlterEnumType(a.enums[0].clone())]);
}

#[test]
fn sequences_are_created_dropped_and_recreated() {
    let mut a = base();
    a.sequences.push(sequence("s_old", 1));
    a.sequences.push(sequence("s_changed", 1));
    let mut b = base();
    b.sequences.push(sequence("s_new", 1));
    b.sequences.push(sequence("s_changed", 1000));
    let d = check(&a, &b);
    assert!(d.destructive.iter().any(|x| x.reason.contains("s_old")));
}

#[test]
fn a_new_sequence_comes_before_the_default_that_uses_it() {
    let mut b = base();
    b.sequences.push(sequence("order_no", 1));
    orders(&mut b).columns.push(Column {
        default: Some("nextval('order_no')".into()),
        ..col("no", ColumnType::Bigint)
    });
    let d = check(&base(), &b);
    let s = position(&d.changes, |c| matches!(c, Change::CreateSequence(_)));
    let c = position(&d.changes, |c| matches!(c, Change::AddColumn(_)));
    assert!(s < c);
}

// --- tables and columns ---------------------------------------------------------------------------

#[test]
fn a_new_table_referencing_an_existing_one_keeps_its_foreign_key_inline() {
    let mut b = base();
    let mut t = table("payments", vec![id(), col("order_id", ColumnType::Bigint)]);
    t.foreign_keys
        .push(fk("fk_pay_order", "order_id", "orders"));
    b.tables.push(t);
    let d = check(&base(), &b);
    assert_eq!(d.changes.len(), 1);
}

#[test]
fn new_tables_in_a_cycle_add_one_foreign_key_afterwards() {
    let mut b = base();
    let mut x = table("x", vec![id(), col("y_id", ColumnType::Bigint)]);
    x.foreign_keys.push(fk("fk_x_y", "y_id", "y"));
    let mut y = table("y", vec![id(), col("x_id", ColumnType::Bigint)]);
    y.foreign_keys.push(fk("fk_y_x", "x_id", "x"));
    b.tables.extend([x, y]);
    let d = check(&base(), &b);
    assert_eq!(d.changes.len(), 3);
    assert!(matches!(d.changes[2], Change::AddForeignKey(_)));
}

#[test]
fn dropped_tables_in_a_cycle_drop_a_foreign_key_first() {
    let mut a = base();
    let mut x = table("x", vec![id(), col("y_id", ColumnType::Bigint)]);
    x.foreign_keys.push(fk("fk_x_y", "y_id", "y"));
    let mut y = table("y", vec![id(), col("x_id", ColumnType::Bigint)]);
    y.foreign_keys.push(fk("fk_y_x", "x_id", "x"));
    a.tables.extend([x, y]);
    let d = check(&a, &base());
    assert!(matches!(d.changes[0], Change::DropForeignKey(_)));
}

#[test]
fn dropping_a_referenced_table_drops_the_foreign_key_first() {
    let mut b = base();
    b.tables.retain(|t| t.name.name != "users");
    orders(&mut b).foreign_keys.clear();
    let d = check(&base(), &b);
    let f = position(&d.changes, |c| matches!(c, Change::DropForeignKey(_)));
    let t = position(&d.changes, |c| matches!(c, Change::DropTable(_)));
    assert!(f < t);
}

#[test]
fn a_column_is_added_and_another_dropped() {
    let mut b = base();
    users(&mut b).columns.retain(|c| c.name != "age");
    users(&mut b).indexes.clear();
    users(&mut b).columns.push(col("bio", ColumnType::Text));
    let d = check(&base(), &b);
    assert!(d.changes.iter().any(|c| matches!(c, Change::DropIndex(_))));
    assert_eq!(d.destructive.len(), 1);
}

#[test]
fn a_column_type_change_is_an_alter_flagged_destructive() {
    let mut b = base();
    users(&mut b).columns[2].data_type = ColumnType::Bigint;
    let d = check(&base(), &b);
    assert!(
        d.changes
            .iter()
            .any(|c| matches!(c, Change::AlterColumnType(_)))
    );
    assert!(d.destructive.iter().any(|x| x.reason.contains("type")));
}

#[test]
fn a_type_change_on_a_referenced_key_rebuilds_the_foreign_key_around_it() {
    let mut b = base();
    users(&mut b).columns[0].data_type = ColumnType::Integer;
    let d = check(&base(), &b);
    let drop = position(&d.changes, |c| matches!(c, Change::DropForeignKey(_)));
    let alter = position(&d.changes, |c| matches!(c, Change::AlterColumnType(_)));
    let add = position(&d.changes, |c| matches!(c, Change::AddForeignKey(_)));
    assert!(drop < alter && alter < add);
}

#[test]
fn nullability_changes_both_ways() {
    let mut b = base();
    users(&mut b).columns[1].nullable = false;
    orders(&mut b).columns[0].nullable = true;
    let mut b2 = b.clone();
    orders(&mut b2).primary_key = None;
    let d = check(&base(), &b2);
    assert!(d.changes.iter().any(|c| matches!(c, Change::SetNotNull(_))));
    assert!(
        d.changes
            .iter()
            .any(|c| matches!(c, Change::DropNotNull(_)))
    );
}

#[test]
fn defaults_are_set_changed_and_dropped() {
    let mut a = base();
    users(&mut a).columns[1].default = Some("'x'".into());
    users(&mut a).columns[2].default = Some("0".into());
    let mut b = base();
    users(&mut b).columns[1].default = Some("'y'".into());
    orders(&mut b).columns[2].default = Some("0".into());
    let d = check(&a, &b);
    assert!(
        d.changes
            .iter()
            .any(|c| matches!(c, Change::DropDefault(_)))
    );
}

#[test]
fn a_default_is_dropped_before_a_type_change_and_set_after() {
    let mut a = base();
    users(&mut a).columns[2].default = Some("0".into());
    let mut b = base();
    users(&mut b).columns[2].data_type = ColumnType::Text;
    users(&mut b).columns[2].default = Some("'0'".into());
    let d = check(&a, &b);
    let drop = position(&d.changes, |c| matches!(c, Change::DropDefault(_)));
    let alter = position(&d.changes, |c| matches!(c, Change::AlterColumnType(_)));
    let set = position(&d.changes, |c| matches!(c, Change::SetDefault(_)));
    assert!(drop < alter && alter < set);
}

#[test]
fn comments_on_tables_and_columns() {
    let mut a = base();
    users(&mut a).comment = Some("people".into());
    let mut b = base();
    users(&mut b).columns[1].comment = Some("login".into());
    orders(&mut b).comment = Some("purchases".into());
    check(&a, &b);
}

#[test]
fn a_generated_column_is_recreated_with_its_index() {
    let mut a = base();
    users(&mut a).columns.push(Column {
        generated: Some(GeneratedColumn {
            expression: "lower(email)".into(),
            stored: true,
        }),
        ..col("email_lower", ColumnType::Text)
    });
    users(&mut a)
        .indexes
        .push(index("idx_email_lower", "email_lower"));
    let mut b = a.clone();
    users(&mut b).columns[3].generated = Some(GeneratedColumn {
        expression: "upper(email)".into(),
        stored: true,
    });
    let d = check(&a, &b);
    let drop = position(&d.changes, |c| matches!(c, Change::DropColumn(_)));
    let add = position(&d.changes, |c| matches!(c, Change::AddColumn(_)));
    let idx = position(&d.changes, |c| matches!(c, Change::AddIndex(_)));
    assert!(drop < add && add < idx);
}

#[test]
fn identities_and_collations_are_set_and_undone() {
    let mut b = base();
    users(&mut b).columns[0].identity = Some(IdentityKind::Always);
    let d = check(&base(), &b);
    assert!(
        matches!(&d.changes[..], [Change::SetIdentity(c)] if c.identity == Some(IdentityKind::Always))
    );
    assert!(matches!(&d.down[..], [Change::SetIdentity(c)] if c.identity.is_none()));
    // Removed before the key under it goes (MySQL wants AUTO_INCREMENT on a key), added after it comes.
    let mut a = base();
    orders(&mut a).columns[0].identity = Some(IdentityKind::AutoIncrement);
    let mut b = base();
    orders(&mut b).primary_key = None;
    let d = check(&a, &b);
    let unset = position(&d.changes, |c| matches!(c, Change::SetIdentity(_)));
    let drop = position(&d.changes, |c| matches!(c, Change::DropPrimaryKey(_)));
    assert!(unset < drop);
    let d = check(&b, &a);
    let set = position(&d.changes, |c| matches!(c, Change::SetIdentity(_)));
    let add = position(&d.changes, |c| matches!(c, Change::AddPrimaryKey(_)));
    assert!(add < set);
    let mut b = base();
    users(&mut b).columns[1].collation = Some("C".into());
    let d = check(&base(), &b);
    assert!(
        matches!(&d.changes[..], [Change::SetCollation(c)] if c.collation.as_deref() == Some("C"))
    );
    assert!(matches!(&d.down[..], [Change::SetCollation(c)] if c.collation.is_none()));
}

#[test]
fn table_options_are_set_and_undone() {
    let mut b = base();
    users(&mut b).options = vec!["WITHOUT ROWID".into()];
    let d = check(&base(), &b);
    assert!(
        matches!(&d.changes[..], [Change::SetTableOptions(s)] if s.options == ["WITHOUT ROWID"])
    );
    assert!(matches!(&d.down[..], [Change::SetTableOptions(s)] if s.options.is_empty()));
}

#[test]
fn a_new_table_with_identity_and_collation_is_created_whole() {
    let mut b = base();
    b.tables.push(table(
        "tags",
        vec![
            Column {
                identity: Some(IdentityKind::ByDefault),
                ..id()
            },
            Column {
                collation: Some("C".into()),
                ..col("label", ColumnType::Text)
            },
        ],
    ));
    check(&base(), &b);
}

// --- keys, indexes, constraints -------------------------------------------------------------------

#[test]
fn a_primary_key_is_added_changed_and_dropped() {
    let mut b = base();
    // A key the foreign key still fits: the engine would refuse to drop the one it uses.
    users(&mut b).primary_key = Some(PrimaryKey {
        name: Some("users_pkey".into()),
        columns: vec!["id".into()],
    });
    orders(&mut b).primary_key = None;
    let d = check(&base(), &b);
    // Changing the referenced table's key rebuilds the foreign key around it.
    let drop_fk = position(&d.changes, |c| matches!(c, Change::DropForeignKey(_)));
    let drop_pk = position(
        &d.changes,
        |c| matches!(c, Change::DropPrimaryKey(t) if t.name == "users"),
    );
    let add_pk = position(&d.changes, |c| matches!(c, Change::AddPrimaryKey(_)));
    let add_fk = position(&d.changes, |c| matches!(c, Change::AddForeignKey(_)));
    assert!(drop_fk < drop_pk && drop_pk < add_pk && add_pk < add_fk);
}

#[test]
fn uniques_are_added_changed_and_dropped() {
    let mut b = base();
    users(&mut b).uniques[0].columns.push("age".into());
    orders(&mut b).uniques.push(UniqueConstraint {
        name: "uq_orders_user".into(),
        columns: vec!["user_id".into()],
    });
    check(&base(), &b);
    let mut c = base();
    users(&mut c).uniques.clear();
    check(&base(), &c);
}

#[test]
fn an_index_on_a_new_column_comes_after_the_column() {
    let mut b = base();
    orders(&mut b).columns.push(col("status", ColumnType::Text));
    orders(&mut b)
        .indexes
        .push(index("idx_orders_status", "status"));
    let d = check(&base(), &b);
    let c = position(&d.changes, |c| matches!(c, Change::AddColumn(_)));
    let i = position(&d.changes, |c| matches!(c, Change::AddIndex(_)));
    assert!(c < i);
}

#[test]
fn index_method_partial_and_expression_changes_rebuild_the_index() {
    let mut b = base();
    let i = &mut users(&mut b).indexes[0];
    i.method = IndexMethod::Hash;
    let d = check(&base(), &b);
    assert_eq!(d.changes.len(), 2);

    let mut b = base();
    users(&mut b).indexes[0].predicate = Some("age > 18".into());
    check(&base(), &b);

    let mut b = base();
    users(&mut b).indexes.push(Index {
        keys: vec![key(IndexTarget::Expression("lower(email)".into()))],
        unique: true,
        ..index("idx_users_lower_email", "email")
    });
    check(&base(), &b);
}

#[test]
fn an_expression_index_on_a_dropped_column_is_dropped_first() {
    let mut a = base();
    users(&mut a).indexes.push(Index {
        keys: vec![key(IndexTarget::Expression("lower(email)".into()))],
        ..index("idx_lower", "email")
    });
    let mut b = base();
    users(&mut b).columns.retain(|c| c.name != "email");
    users(&mut b).uniques.clear();
    let d = check(&a, &b);
    let i = position(
        &d.changes,
        |c| matches!(c, Change::DropIndex(o) if o.name == "idx_lower"),
    );
    let c = position(&d.changes, |c| matches!(c, Change::DropColumn(_)));
    assert!(i < c);
}

#[test]
fn foreign_key_actions_and_deferrable_rebuild_the_key() {
    let mut b = base();
    let f = &mut orders(&mut b).foreign_keys[0];
    f.on_delete = FkAction::Cascade;
    f.on_update = FkAction::SetNull;
    let d = check(&base(), &b);
    assert!(matches!(d.changes[0], Change::DropForeignKey(_)));
    assert!(matches!(d.changes[1], Change::AddForeignKey(_)));

    let mut b = base();
    let f = &mut orders(&mut b).foreign_keys[0];
    f.deferrable = true;
    f.initially_deferred = true;
    check(&base(), &b);
}

#[test]
fn a_foreign_key_into_a_new_table_comes_after_it() {
    let mut b = base();
    b.tables.push(table("regions", vec![id()]));
    users(&mut b)
        .columns
        .push(col("region_id", ColumnType::Bigint));
    users(&mut b)
        .foreign_keys
        .push(fk("fk_users_region", "region_id", "regions"));
    let d = check(&base(), &b);
    let t = position(&d.changes, |c| matches!(c, Change::CreateTable(_)));
    let f = position(&d.changes, |c| matches!(c, Change::AddForeignKey(_)));
    assert!(t < f);
}

#[test]
fn checks_are_compared_by_normalised_expression() {
    let mut a = base();
    orders(&mut a).checks.push(CheckConstraint {
        name: "ck_total".into(),
        expression: "total  >= 0".into(),
    });
    let mut same_check = base();
    orders(&mut same_check).checks.push(CheckConstraint {
        name: "ck_total".into(),
        expression: "total >= 0".into(),
    });
    assert!(diff(&a, &same_check, &Options::default()).is_empty());
    let mut b = base();
    orders(&mut b).checks.push(CheckConstraint {
        name: "ck_total".into(),
        expression: "total > 0".into(),
    });
    let d = check(&a, &b);
    assert_eq!(d.changes.len(), 2);
    check(&a, &base());
}

#[test]
fn a_check_on_a_dropped_column_is_dropped_first() {
    let mut a = base();
    users(&mut a).checks.push(CheckConstraint {
        name: "ck_age".into(),
        expression: "age >= 0".into(),
    });
    let mut b = base();
    users(&mut b).columns.retain(|c| c.name != "age");
    users(&mut b).indexes.clear();
    let d = check(&a, &b);
    let ck = position(&d.changes, |c| matches!(c, Change::DropCheck(_)));
    let col = position(&d.changes, |c| matches!(c, Change::DropColumn(_)));
    assert!(ck < col);
}

// --- views ----------------------------------------------------------------------------------------

#[test]
fn a_view_is_created_after_its_tables_and_dropped_before_them() {
    let mut b = base();
    b.tables
        .push(table("items", vec![id(), col("sku", ColumnType::Text)]));
    b.views.push(view("skus", "SELECT sku FROM items"));
    let d = check(&base(), &b);
    let t = position(&d.changes, |c| matches!(c, Change::CreateTable(_)));
    let v = position(&d.changes, |c| matches!(c, Change::CreateView(_)));
    assert!(t < v);
    let v = position(&d.down, |c| matches!(c, Change::DropView(_)));
    let t = position(&d.down, |c| matches!(c, Change::DropTable(_)));
    assert!(v < t);
}

#[test]
fn a_changed_view_is_dropped_and_created() {
    let mut a = base();
    a.views
        .push(view("adults", "SELECT * FROM users WHERE age >= 18"));
    let mut b = base();
    b.views
        .push(view("adults", "SELECT * FROM users WHERE age >= 21"));
    let d = check(&a, &b);
    assert_eq!(d.changes.len(), 2);
}

#[test]
fn materialized_views_and_their_comments() {
    let mut a = base();
    a.views.push(view(
        "totals",
        "SELECT user_id, sum(total) FROM orders GROUP BY 1",
    ));
    let mut b = a.clone();
    b.views[0].materialized = true;
    b.views[0].comment = Some("nightly".into());
    let d = check(&a, &b);
    assert!(
        d.down
            .iter()
            .any(|c| matches!(c, Change::DropView(v) if v.materialized))
    );
}

#[test]
fn a_view_over_a_column_changing_type_is_rebuilt_around_it() {
    let mut a = base();
    a.views.push(view("ages", "SELECT age FROM users"));
    let mut b = a.clone();
    users(&mut b).columns[2].data_type = ColumnType::Bigint;
    let d = check(&a, &b);
    let drop = position(&d.changes, |c| matches!(c, Change::DropView(_)));
    let alter = position(&d.changes, |c| matches!(c, Change::AlterColumnType(_)));
    let create = position(&d.changes, |c| matches!(c, Change::CreateView(_)));
    assert!(drop < alter && alter < create);
}

#[test]
fn views_on_views_are_dropped_readers_first_and_created_readers_last() {
    let mut a = base();
    // Listed reader first, so the order cannot come from the input order.
    a.views.push(view("v2", "SELECT * FROM v1"));
    a.views.push(view("v1", "SELECT id, age FROM users"));
    let mut b = base();
    b.views.push(view("v2", "SELECT * FROM v1"));
    b.views.push(view("v1", "SELECT id, age, email FROM users"));
    let d = check(&a, &b);
    let drops: Vec<&str> = d
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::DropView(v) => Some(v.name.name.as_str()),
            _ => None,
        })
        .collect();
    let creates: Vec<&str> = d
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateView(v) => Some(v.name.name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(drops, ["v2", "v1"]);
    assert_eq!(creates, ["v1", "v2"]);
}

// --- engine objects -------------------------------------------------------------------------------

#[test]
fn a_function_and_its_trigger_are_created_after_the_table() {
    let mut b = base();
    b.objects.push(object(
        "function",
        "touch",
        None,
        "CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql",
    ));
    b.objects.push(object(
        "trigger",
        "t_touch",
        Some("users"),
        "CREATE TRIGGER t_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()",
    ));
    b.tables.push(table("audit", vec![id()]));
    let d = check(&base(), &b);
    let f = position(
        &d.changes,
        |c| matches!(c, Change::CreateObject(o) if o.kind == "function"),
    );
    let t = position(&d.changes, |c| matches!(c, Change::CreateTable(_)));
    let tr = position(
        &d.changes,
        |c| matches!(c, Change::CreateObject(o) if o.kind == "trigger"),
    );
    assert!(f < t && t < tr);
}

#[test]
fn a_replaceable_function_change_is_replayed() {
    let mut a = base();
    a.objects.push(object(
        "function",
        "one",
        None,
        "CREATE OR REPLACE FUNCTION one() RETURNS int AS 'select 1' LANGUAGE sql",
    ));
    let mut b = base();
    b.objects.push(object(
        "function",
        "one",
        None,
        "CREATE OR REPLACE FUNCTION one() RETURNS int AS 'select 2' LANGUAGE sql",
    ));
    let d = check(&a, &b);
    assert_eq!(d.changes.len(), 1);
}

#[test]
fn a_removed_object_is_dropped_and_an_unreplaceable_one_dropped_and_created() {
    let mut a = base();
    a.objects.push(object(
        "trigger",
        "t",
        Some("users"),
        "CREATE TRIGGER t AFTER INSERT ON users BEGIN SELECT 1; END",
    ));
    let d = check(&a, &base());
    assert!(matches!(&d.changes[..], [Change::DropObject(o)] if o.name.name == "t"));
    assert!(matches!(&d.down[..], [Change::CreateObject(o)] if o.name.name == "t"));
    let mut b = a.clone();
    b.objects[0].definition = "CREATE TRIGGER t AFTER DELETE ON users BEGIN SELECT 1; END".into();
    let d = check(&a, &b);
    assert!(
        matches!(&d.changes[..], [Change::DropObject(x), Change::CreateObject(y)]
            if x.definition.contains("INSERT") && y.definition.contains("DELETE"))
    );
    // A function that goes is dropped after the trigger that calls it.
    let mut a = base();
    a.objects.push(object(
        "function",
        "bump",
        None,
        "CREATE FUNCTION bump() RETURNS trigger AS 'begin return new; end' LANGUAGE plpgsql",
    ));
    a.objects.push(object(
        "trigger",
        "t",
        Some("users"),
        "CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION bump()",
    ));
    let d = check(&a, &base());
    let t = position(
        &d.changes,
        |c| matches!(c, Change::DropObject(o) if o.kind == "trigger"),
    );
    let f = position(
        &d.changes,
        |c| matches!(c, Change::DropObject(o) if o.kind == "function"),
    );
    assert!(t < f, "{:?}", d.changes);
}

#[test]
fn a_trigger_on_a_new_view_is_created_after_it() {
    let mut b = base();
    b.views.push(view("names", "SELECT id, name FROM users"));
    b.objects.push(object(
        "trigger",
        "names_ins",
        Some("names"),
        "CREATE TRIGGER names_ins INSTEAD OF INSERT ON names BEGIN SELECT 1; END",
    ));
    let d = check(&base(), &b);
    let v = position(&d.changes, |c| matches!(c, Change::CreateView(_)));
    let o = position(&d.changes, |c| matches!(c, Change::CreateObject(_)));
    assert!(v < o);
}

#[test]
fn an_index_object_on_a_rebuilt_materialized_view_is_created_again() {
    let mut a = base();
    a.views.push(View {
        materialized: true,
        ..view(
            "totals",
            "SELECT user_id, sum(total) FROM orders GROUP BY 1",
        )
    });
    a.objects.push(object(
        "index",
        "totals_user",
        Some("totals"),
        "CREATE INDEX totals_user ON totals (user_id)",
    ));
    let mut b = a.clone();
    b.views[0].definition = "SELECT user_id, count(*) FROM orders GROUP BY 1".into();
    let d = check(&a, &b);
    let v = position(&d.changes, |c| matches!(c, Change::CreateView(_)));
    let o = position(&d.changes, |c| matches!(c, Change::CreateObject(_)));
    assert!(v < o);
}

// --- renames --------------------------------------------------------------------------------------

#[test]
fn a_column_rename_without_an_answer_is_a_candidate_and_destructive() {
    let mut b = base();
    users(&mut b).columns[1].name = "mail".into();
    users(&mut b).uniques[0].columns = vec!["mail".into()];
    let d = check(&base(), &b);
    assert_eq!(
        d.rename_candidates,
        vec![Rename::Column {
            table: name("users"),
            from: "email".into(),
            to: "mail".into()
        }]
    );
    assert!(d.changes.iter().any(|c| matches!(c, Change::DropColumn(_))));
    assert!(!d.destructive.is_empty());
}

#[test]
fn a_column_rename_with_an_answer_keeps_the_data() {
    let mut b = base();
    users(&mut b).columns[1].name = "mail".into();
    users(&mut b).uniques[0].columns = vec!["mail".into()];
    let options = Options {
        renames: vec!["users.email=mail".parse().unwrap()],
    };
    let d = check_with(&base(), &b, &options);
    assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
    assert!(matches!(d.changes[0], Change::RenameColumn(_)));
    assert!(d.destructive.is_empty() && d.rename_candidates.is_empty());
    assert!(matches!(d.down[0], Change::RenameColumn(ref r) if r.new_name == "email"));
}

#[test]
fn a_table_rename_with_an_answer_keeps_the_data_and_its_references() {
    let mut b = base();
    users(&mut b).name = name("accounts");
    orders(&mut b).foreign_keys[0].referenced_table = name("accounts");
    let d = diff(&base(), &b, &Options::default());
    assert_eq!(
        d.rename_candidates,
        vec![Rename::Table {
            from: name("users"),
            to: "accounts".into()
        }]
    );
    let options = Options {
        renames: vec!["table users=accounts".parse().unwrap()],
    };
    let d = check_with(&base(), &b, &options);
    assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
    assert!(d.destructive.is_empty());
}

#[test]
fn a_table_and_one_of_its_columns_renamed_together() {
    let mut b = base();
    users(&mut b).columns[2].name = "years".into();
    users(&mut b).indexes[0].keys[0].target = IndexTarget::Column("years".into());
    users(&mut b).name = name("accounts");
    orders(&mut b).foreign_keys[0].referenced_table = name("accounts");
    let options = Options {
        renames: vec![
            "users.age=years".parse().unwrap(),
            "table users=accounts".parse().unwrap(),
        ],
    };
    let d = check_with(&base(), &b, &options);
    assert_eq!(d.changes.len(), 2, "{:#?}", d.changes);
}

#[test]
fn an_answer_that_does_not_fit_is_reported() {
    let options = Options {
        renames: vec!["users.nope=other".parse().unwrap()],
    };
    let d = diff(&base(), &base(), &options);
    assert!(d.changes.is_empty());
    assert!(d.unsupported[0].contains("ignored"));
}

#[test]
fn incompatible_types_are_no_rename_candidates() {
    let mut b = base();
    users(&mut b).columns.retain(|c| c.name != "age");
    users(&mut b).indexes.clear();
    users(&mut b).columns.push(col("born", ColumnType::Date));
    let d = check(&base(), &b);
    assert!(d.rename_candidates.is_empty());
}

#[test]
fn renames_parse_and_print() {
    let r: Rename = "table app.users=accounts".parse().unwrap();
    assert_eq!(r.to_string(), "table app.users=accounts");
    let r: Rename = "app.users.email=mail".parse().unwrap();
    assert_eq!(
        r,
        Rename::Column {
            table: QualifiedName {
                namespace: Some("app".into()),
                name: "users".into()
            },
            from: "email".into(),
            to: "mail".into()
        }
    );
    assert!("users=accounts".parse::<Rename>().is_err());
    assert!("table users=app.accounts".parse::<Rename>().is_err());
}

// --- many changes at once -------------------------------------------------------------------------

#[test]
fn everything_at_once_round_trips() {
    let mut a = base();
    a.views
        .push(view("adults", "SELECT * FROM users WHERE age >= 18"));
    a.sequences.push(sequence("s", 1));
    let mut b = base();
    b.namespaces.push("archive".into());
    b.enums.push(EnumType {
        name: name("status"),
        labels: vec!["open".into(), "paid".into()],
    });
    orders(&mut b)
        .columns
        .push(col("status", ColumnType::EnumRef(name("status"))));
    orders(&mut b)
        .indexes
        .push(index("idx_orders_status", "status"));
    users(&mut b).columns.retain(|c| c.name != "age");
    users(&mut b).indexes.clear();
    b.tables.push(table(
        "items",
        vec![id(), col("order_id", ColumnType::Bigint)],
    ));
    b.tables[2]
        .foreign_keys
        .push(fk("fk_items_order", "order_id", "orders"));
    b.views.push(view(
        "open_orders",
        "SELECT * FROM orders WHERE status = 'open'",
    ));
    check(&a, &b);
}

#[test]
fn a_trigger_goes_with_its_table() {
    let mut a = base();
    a.tables.push(table("audit", vec![id()]));
    a.objects.push(object(
        "trigger",
        "t_audit",
        Some("audit"),
        "CREATE TRIGGER t_audit AFTER INSERT ON audit BEGIN SELECT 1; END",
    ));
    let d = check(&a, &base());
    assert_eq!(d.changes, vec![Change::DropTable(name("audit"))]);
    assert!(d.unsupported.is_empty());
}

#[test]
fn a_type_change_on_a_referencing_column_rebuilds_its_foreign_key() {
    let mut b = base();
    orders(&mut b).columns[1].data_type = ColumnType::Integer;
    let d = check(&base(), &b);
    let drop = position(&d.changes, |c| matches!(c, Change::DropForeignKey(_)));
    let alter = position(&d.changes, |c| matches!(c, Change::AlterColumnType(_)));
    let add = position(&d.changes, |c| matches!(c, Change::AddForeignKey(_)));
    assert!(drop < alter && alter < add);
}

#[test]
fn only_unique_index_changes_rebuild_foreign_keys_into_the_table() {
    let mut b = base();
    users(&mut b).indexes[0].keys[0].descending = true;
    let d = check(&base(), &b);
    assert!(
        !d.changes
            .iter()
            .any(|c| matches!(c, Change::DropForeignKey(_)))
    );
    let mut b = base();
    users(&mut b).indexes.push(Index {
        unique: true,
        ..index("uq_idx_users_id_email", "id")
    });
    let d = check(&base(), &b);
    assert!(
        d.changes
            .iter()
            .any(|c| matches!(c, Change::AddForeignKey(_)))
    );
}

#[test]
fn a_column_rename_may_name_the_table_by_its_new_name() {
    let mut b = base();
    users(&mut b).columns[2].name = "years".into();
    users(&mut b).indexes[0].keys[0].target = IndexTarget::Column("years".into());
    users(&mut b).name = name("accounts");
    orders(&mut b).foreign_keys[0].referenced_table = name("accounts");
    let options = Options {
        renames: vec![
            "table users=accounts".parse().unwrap(),
            "accounts.age=years".parse().unwrap(),
        ],
    };
    let d = check_with(&base(), &b, &options);
    assert_eq!(d.changes.len(), 2, "{:#?}", d.changes);
}

#[test]
fn the_default_namespace_is_the_same_whether_named_or_not() {
    let mut b = base();
    for t in &mut b.tables {
        t.name.namespace = Some("public".into());
    }
    assert!(diff(&base(), &b, &Options::default()).is_empty());
}

#[test]
fn a_table_in_another_namespace_is_another_table() {
    let mut a = base();
    a.namespaces.push("app".into());
    let mut b = a.clone();
    let mut t = table("users", vec![id()]);
    t.name.namespace = Some("app".into());
    b.tables.push(t);
    let d = check(&a, &b);
    assert_eq!(d.changes.len(), 1);
}

// --- every pair of a set of schemas -----------------------------------------------------------------

fn variants() -> Vec<DatabaseSchema> {
    let mut out = vec![DatabaseSchema::empty(), base()];

    let mut v = base();
    users(&mut v).columns.push(col("bio", ColumnType::Text));
    users(&mut v).indexes.push(Index {
        predicate: Some("bio IS NOT NULL".into()),
        ..index("idx_users_bio", "bio")
    });
    out.push(v);

    let mut v = base();
    users(&mut v).columns.retain(|c| c.name != "age");
    users(&mut v).indexes.clear();
    users(&mut v).columns[1].nullable = false;
    users(&mut v).columns[1].default = Some("''".into());
    out.push(v);

    let mut v = base();
    users(&mut v).columns[0].data_type = ColumnType::Integer;
    orders(&mut v).columns[1].data_type = ColumnType::Integer;
    orders(&mut v).foreign_keys[0].on_delete = FkAction::Cascade;
    out.push(v);

    let mut v = base();
    let mut items = table("items", vec![id(), col("order_id", ColumnType::Bigint)]);
    items
        .foreign_keys
        .push(fk("fk_items_order", "order_id", "orders"));
    v.tables.push(items);
    v.views.push(view(
        "item_counts",
        "SELECT order_id, count(*) FROM items GROUP BY 1",
    ));
    v.views
        .push(view("big", "SELECT * FROM item_counts WHERE count > 10"));
    out.push(v);

    let mut v = base();
    orders(&mut v).primary_key = Some(PrimaryKey {
        name: Some("orders_pkey".into()),
        columns: vec!["id".into(), "user_id".into()],
    });
    orders(&mut v).checks.push(CheckConstraint {
        name: "ck_total".into(),
        expression: "total >= 0".into(),
    });
    orders(&mut v).comment = Some("purchases".into());
    out.push(v);

    let mut v = base();
    v.namespaces.push("app".into());
    v.enums.push(EnumType {
        name: name("status"),
        labels: vec!["open".into()],
    });
    orders(&mut v)
        .columns
        .push(col("status", ColumnType::EnumRef(name("status"))));
    v.sequences.push(sequence("order_no", 1));
    out.push(v);

    let mut v = base();
    v.views.push(View {
        materialized: true,
        ..view(
            "totals",
            "SELECT user_id, sum(total) FROM orders GROUP BY 1",
        )
    });
    v.views
        .push(view("adults", "SELECT * FROM users WHERE age >= 18"));
    out.push(v);

    let mut v = base();
    v.tables.retain(|t| t.name.name != "users");
    orders(&mut v).foreign_keys.clear();
    orders(&mut v).columns.push(Column {
        generated: Some(GeneratedColumn {
            expression: "total * 2".into(),
            stored: true,
        }),
        ..col(
            "double_total",
            ColumnType::Numeric(crate::model::NumericParams {
                precision: None,
                scale: None,
            }),
        )
    });
    out.push(v);
    out
}

#[test]
fn every_pair_of_a_set_of_schemas_round_trips() {
    let all = variants();
    let mut pairs = 0;
    for (i, a) in all.iter().enumerate() {
        for (j, b) in all.iter().enumerate() {
            let d = diff(a, b, &Options::default());
            assert!(d.unsupported.is_empty(), "{i} -> {j}: {:?}", d.unsupported);
            let up = applied(a, &d.changes);
            assert_eq!(
                canonical(up),
                canonical(b.clone()),
                "{i} -> {j}: {:#?}",
                d.changes
            );
            let down = applied(b, &d.down);
            assert_eq!(
                canonical(down),
                canonical(a.clone()),
                "{i} <- {j}: {:#?}",
                d.down
            );
            assert_eq!(i == j, d.changes.is_empty(), "{i} -> {j}");
            pairs += 1;
        }
    }
    assert_eq!(pairs, 100);
}

#[test]
fn the_down_section_is_exact_where_the_automatic_inverse_is_not() {
    // A NOT NULL column without a default: `inverse` brings it back nullable, the reverse diff does not.
    let mut a = base();
    users(&mut a).columns[1].nullable = false;
    let mut b = a.clone();
    users(&mut b).columns.retain(|c| c.name != "email");
    users(&mut b).uniques.clear();
    let d = check(&a, &b);
    let inverse = crate::changes::inverse::inverse(&d.changes, &a).unwrap();
    assert_ne!(canonical(applied(&b, &inverse)), canonical(a.clone()));
    assert_eq!(canonical(applied(&b, &d.down)), canonical(a));
}
