//! Which changes get the rebuild, and what the two phases hold.

use ai_shell_strategy_sdk::{
    AddColumn, AddIndex, AlterColumnType, CapabilitySet, Change, Column, ColumnRef, ColumnType,
    DatabaseSchema, Engine, FkAction, ForeignKey, Index, IndexKey, IndexMethod, IndexTarget,
    LockLevel, Phase, PhaseKind, QualifiedName, Step, Strategy, Table, TableObject, TableStats,
};

use crate::SqliteRebuild;

fn name(n: &str) -> QualifiedName {
    QualifiedName {
        namespace: None,
        name: n.into(),
    }
}

fn column(n: &str, nullable: bool) -> Column {
    Column {
        name: n.into(),
        data_type: ColumnType::Integer,
        nullable,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

fn table(n: &str, columns: Vec<Column>) -> Table {
    Table {
        name: name(n),
        columns,
        primary_key: None,
        uniques: vec![],
        indexes: vec![],
        foreign_keys: vec![],
        checks: vec![],
        comment: None,
        options: vec![],
    }
}

/// `t (id, qty, note)` with an index on qty; `child"s (id, t_id)` referencing t.
fn schema() -> DatabaseSchema {
    let mut t = table(
        "t",
        vec![
            column("id", false),
            column("qty", true),
            column("note", true),
        ],
    );
    t.indexes.push(Index {
        name: "k_qty".into(),
        unique: false,
        method: IndexMethod::Btree,
        keys: vec![IndexKey {
            target: IndexTarget::Column("qty".into()),
            descending: false,
            nulls_first: None,
            opclass: None,
            collation: None,
            prefix_length: None,
        }],
        included_columns: vec![],
        predicate: None,
        comment: None,
    });
    let mut child = table("child\"s", vec![column("id", false), column("t_id", true)]);
    child.foreign_keys.push(ForeignKey {
        name: "fk_t".into(),
        columns: vec!["t_id".into()],
        referenced_table: name("t"),
        referenced_columns: vec!["id".into()],
        on_delete: FkAction::Cascade,
        on_update: FkAction::NoAction,
        deferrable: false,
        initially_deferred: false,
    });
    DatabaseSchema {
        namespaces: vec![],
        extensions: vec![],
        enums: vec![],
        sequences: vec![],
        tables: vec![t, child],
        views: vec![],
        objects: vec![],
    }
}

fn engine(dialect: &str) -> Engine {
    Engine {
        dialect: dialect.into(),
        server_version: "3.46.0".into(),
        capabilities: CapabilitySet {
            transactional_ddl: true,
            concurrent_index: false,
            instant_add_column: true,
            alter_table_in_place: false,
            namespaces: false,
            enum_types: false,
            sequences: false,
            partial_indexes: true,
            expression_indexes: true,
            check_constraints: true,
            advisory_locks: false,
        },
    }
}

fn plan(change: Change) -> Option<Vec<Phase>> {
    let stats = vec![TableStats {
        table: name("t"),
        rows: 1_000_000,
        bytes: 50_000_000,
    }];
    SqliteRebuild::plan(vec![change], schema(), stats, engine("sqlite")).unwrap()
}

fn col(c: &str) -> ColumnRef {
    ColumnRef {
        table: name("t"),
        column: c.into(),
    }
}

#[test]
fn a_type_change_rebuilds_then_checks_foreign_keys() {
    let change = Change::AlterColumnType(AlterColumnType {
        table: name("t"),
        column: "qty".into(),
        new_type: ColumnType::Text,
        using: None,
    });
    let p = plan(change).unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].name, "rebuild");
    assert!(matches!(p[0].kind, PhaseKind::Ddl));
    assert!(
        matches!(&p[0].steps[..], [Step::Render(c)] if matches!(c[..], [Change::AlterColumnType(_)]))
    );
    assert!(matches!(&p[0].rollback[..], [Step::RenderInverse(c)] if c.len() == 1));
    assert!(matches!(p[0].lock, LockLevel::Exclusive));
    assert!(p[0].lock_note.contains("write lock for the whole rebuild"));
    assert_eq!(p[0].estimated_ms, 50 + 2000);
    assert_eq!(p[1].name, "foreign-key-check");
    assert!(matches!(p[1].kind, PhaseKind::Validate));
    let checks: Vec<&str> = p[1]
        .steps
        .iter()
        .map(|s| match s {
            Step::Sql(s) => s.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        checks,
        [
            "PRAGMA foreign_key_check(\"t\")",
            "PRAGMA foreign_key_check(\"child\"\"s\")"
        ]
    );
    assert!(p[1].rollback.is_empty());
}

#[test]
fn constraint_and_nullability_changes_rebuild() {
    for change in [
        Change::SetNotNull(col("qty")),
        Change::DropNotNull(col("id")),
        Change::DropDefault(col("qty")),
        Change::DropPrimaryKey(name("t")),
        Change::DropCheck(TableObject {
            table: name("t"),
            name: "c".into(),
        }),
        Change::DropForeignKey(TableObject {
            table: name("child\"s"),
            name: "fk_t".into(),
        }),
    ] {
        let p = plan(change.clone()).unwrap_or_else(|| panic!("{change:?}"));
        assert_eq!(p[0].name, "rebuild");
    }
}

#[test]
fn drop_column_rebuilds_only_when_the_column_is_used() {
    assert!(plan(Change::DropColumn(col("qty"))).is_some());
    assert!(plan(Change::DropColumn(col("note"))).is_none());
}

#[test]
fn add_column_rebuilds_only_what_alter_table_cannot_add() {
    let add = |c: Column| {
        plan(Change::AddColumn(AddColumn {
            table: name("t"),
            column: c,
        }))
    };
    assert!(add(column("n", true)).is_none());
    assert!(add(column("n", false)).is_some());
    let mut c = column("at", true);
    c.default = Some("CURRENT_TIMESTAMP".into());
    assert!(add(c).is_some());
}

#[test]
fn changes_alter_table_makes_and_other_engines_are_not_ours() {
    let index = Change::AddIndex(AddIndex {
        table: name("t"),
        index: schema().tables[0].indexes[0].clone(),
        concurrently: false,
    });
    assert!(plan(index).is_none());
    assert!(plan(Change::DropTable(name("t"))).is_none());
    assert!(
        plan(Change::SetNotNull(ColumnRef {
            table: name("missing"),
            column: "x".into()
        }))
        .is_none()
    );
    let change = Change::SetNotNull(col("qty"));
    assert!(
        SqliteRebuild::plan(vec![change], schema(), vec![], engine("postgres"))
            .unwrap()
            .is_none()
    );
    let info = SqliteRebuild::info();
    assert_eq!(info.name, "sqlite-rebuild");
    assert!(!info.online);
    assert_eq!(info.dialects, ["sqlite"]);
}
