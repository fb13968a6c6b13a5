use ai_shell_strategy_sdk::{ColumnRef, PhaseKind};

use super::*;

fn drop(c: &str, schema: DatabaseSchema) -> Option<Vec<Phase>> {
    plan_with(
        Change::DropColumn(ColumnRef {
            table: name("orders"),
            column: c.into(),
        }),
        schema,
        "15.19",
        10,
    )
}

#[test]
fn a_column_is_deprecated_then_dropped_after_the_gate() {
    let s = with_orders(|t| t.columns[3].comment = Some("free text".into()));
    let phases = drop("note", s).unwrap();
    assert_eq!(names(&phases), ["deprecate", "gate", "contract"]);
    assert_eq!(
        steps(&phases, "deprecate"),
        ["COMMENT ON COLUMN \"orders\".\"note\" IS 'deprecated: ai-shell will drop it'"]
    );
    assert_eq!(
        rollback(&phases, "deprecate"),
        ["COMMENT ON COLUMN \"orders\".\"note\" IS 'free text'"]
    );
    assert!(matches!(
        &phase(&phases, "gate").kind,
        PhaseKind::Gate(t) if t == "the application no longer reads or writes orders.note"
    ));
    let contract = phase(&phases, "contract");
    assert!(matches!(contract.kind, PhaseKind::Ddl));
    assert_eq!(texts(&contract.steps), ["<render drop-column note>"]);
    assert_eq!(
        texts(&contract.rollback),
        ["<render-inverse drop-column note>"]
    );
}

#[test]
fn a_not_null_column_without_default_becomes_nullable_first() {
    let s = with_orders(|t| t.columns[2].default = None);
    let phases = drop("qty", s).unwrap();
    assert_eq!(
        steps(&phases, "deprecate"),
        [
            "COMMENT ON COLUMN \"orders\".\"qty\" IS 'deprecated: ai-shell will drop it'",
            "ALTER TABLE \"orders\" ALTER COLUMN \"qty\" DROP NOT NULL"
        ]
    );
    assert_eq!(
        rollback(&phases, "deprecate"),
        [
            "ALTER TABLE \"orders\" ALTER COLUMN \"qty\" SET NOT NULL",
            "COMMENT ON COLUMN \"orders\".\"qty\" IS NULL"
        ]
    );
    // With its default the application can already stop writing it.
    assert_eq!(steps(&drop("qty", schema()).unwrap(), "deprecate").len(), 1);
}

#[test]
fn key_and_unknown_columns_are_left_to_the_next_strategy() {
    assert!(drop("id", schema()).is_none());
    assert!(drop("nope", schema()).is_none());
}
