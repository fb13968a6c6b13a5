use ai_shell_strategy_sdk::{PhaseKind, RenameColumn, RenameTable};

use super::*;

#[test]
fn a_renamed_column_keeps_its_old_name_in_a_compatibility_view() {
    let phases = plan(Change::RenameColumn(RenameColumn {
        table: name("orders"),
        column: "note".into(),
        new_name: "remark".into(),
    }))
    .unwrap();
    assert_eq!(names(&phases), ["expand", "gate", "cleanup"]);
    assert_eq!(
        steps(&phases, "expand"),
        [
            "<render rename-column note remark>",
            "CREATE SCHEMA IF NOT EXISTS \"ai_shell_compat\"",
            "CREATE OR REPLACE VIEW \"ai_shell_compat\".\"orders\" AS SELECT \"id\", \"customer_id\", \
             \"qty\", \"remark\" AS \"note\" FROM \"orders\""
        ]
    );
    assert_eq!(
        rollback(&phases, "expand"),
        [
            "DROP VIEW IF EXISTS \"ai_shell_compat\".\"orders\"",
            "ALTER TABLE \"orders\" RENAME COLUMN \"remark\" TO \"note\""
        ]
    );
    assert!(matches!(
        &phase(&phases, "gate").kind,
        PhaseKind::Gate(t) if t == "no client reads orders.note any more"
    ));
    assert_eq!(
        steps(&phases, "cleanup"),
        ["DROP VIEW IF EXISTS \"ai_shell_compat\".\"orders\""]
    );
    let unknown = plan(Change::RenameColumn(RenameColumn {
        table: name("orders"),
        column: "nope".into(),
        new_name: "x".into(),
    }));
    assert!(unknown.is_none());
}

#[test]
fn a_renamed_table_leaves_an_updatable_view_under_its_old_name() {
    let phases = plan(Change::RenameTable(RenameTable {
        table: QualifiedName {
            namespace: Some("shop".into()),
            name: "orders".into(),
        },
        new_name: "purchases".into(),
    }))
    .unwrap();
    assert_eq!(names(&phases), ["expand", "gate", "cleanup"]);
    assert_eq!(
        steps(&phases, "expand"),
        [
            "<render rename-table orders purchases>",
            "CREATE VIEW \"shop\".\"orders\" AS SELECT * FROM \"shop\".\"purchases\""
        ]
    );
    assert_eq!(
        rollback(&phases, "expand"),
        [
            "DROP VIEW IF EXISTS \"shop\".\"orders\"",
            "ALTER TABLE \"shop\".\"purchases\" RENAME TO \"orders\""
        ]
    );
    assert!(matches!(
        &phase(&phases, "gate").kind,
        PhaseKind::Gate(t) if t == "no client uses shop.orders any more (they use purchases)"
    ));
    assert_eq!(
        steps(&phases, "cleanup"),
        ["DROP VIEW IF EXISTS \"shop\".\"orders\""]
    );
}
