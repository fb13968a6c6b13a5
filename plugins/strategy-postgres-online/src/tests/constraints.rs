use ai_shell_strategy_sdk::{
    AddCheck, AddForeignKey, AddIndex, AddUnique, CheckConstraint, ColumnRef, FkAction, ForeignKey,
    LockLevel, PhaseKind, UniqueConstraint,
};

use super::*;

#[test]
fn an_index_is_built_concurrently_after_clearing_a_failed_attempt() {
    let mut i = index(
        "orders_note_idx",
        vec![
            key("note"),
            IndexKey {
                target: IndexTarget::Expression("lower(note)".into()),
                descending: true,
                nulls_first: Some(false),
                ..key("x")
            },
        ],
    );
    i.included_columns = vec!["qty".into()];
    i.predicate = Some("note IS NOT NULL".into());
    i.comment = Some("it's for search".into());
    let phases = plan(Change::AddIndex(AddIndex {
        table: name("orders"),
        index: i,
        concurrently: false,
    }))
    .unwrap();
    assert_eq!(names(&phases), ["index"]);
    assert!(matches!(phases[0].kind, PhaseKind::DdlOutsideTransaction));
    assert_eq!(phases[0].lock, LockLevel::None);
    assert_eq!(phases[0].estimated_ms, crate::plan::index_ms(100_000));
    assert_eq!(
        steps(&phases, "index"),
        [
            "DROP INDEX CONCURRENTLY IF EXISTS \"orders_note_idx\"",
            "CREATE INDEX CONCURRENTLY \"orders_note_idx\" ON \"orders\" USING btree (\"note\", \
             (lower(note)) DESC NULLS LAST) INCLUDE (\"qty\") WHERE note IS NOT NULL",
            "COMMENT ON INDEX \"orders_note_idx\" IS 'it''s for search'"
        ]
    );
    assert_eq!(
        rollback(&phases, "index"),
        ["DROP INDEX CONCURRENTLY IF EXISTS \"orders_note_idx\""]
    );
    let mut gin = index(
        "g",
        vec![IndexKey {
            target: IndexTarget::Expression("to_tsvector('simple'::regconfig, note)".into()),
            ..key("x")
        }],
    );
    gin.method = IndexMethod::Gin;
    let phases = plan(Change::AddIndex(AddIndex {
        table: name("orders"),
        index: gin,
        concurrently: true,
    }))
    .unwrap();
    assert_eq!(
        steps(&phases, "index")[1],
        "CREATE INDEX CONCURRENTLY \"g\" ON \"orders\" USING gin \
         ((to_tsvector('simple'::regconfig, note)))"
    );
    let mut fulltext = index("f", vec![key("note")]);
    fulltext.method = IndexMethod::Fulltext;
    let refused = plan(Change::AddIndex(AddIndex {
        table: name("orders"),
        index: fulltext,
        concurrently: true,
    }));
    assert!(refused.is_none());
}

#[test]
fn a_unique_constraint_attaches_a_concurrently_built_index() {
    let phases = plan(Change::AddUnique(AddUnique {
        table: name("orders"),
        constraint: UniqueConstraint {
            name: "orders_id_qty_key".into(),
            columns: vec!["id".into(), "qty".into()],
        },
    }))
    .unwrap();
    assert_eq!(names(&phases), ["index", "attach"]);
    assert_eq!(
        steps(&phases, "index"),
        [
            "DROP INDEX CONCURRENTLY IF EXISTS \"orders_id_qty_key\"",
            "CREATE UNIQUE INDEX CONCURRENTLY \"orders_id_qty_key\" ON \"orders\" USING btree (\"id\", \"qty\")"
        ]
    );
    assert_eq!(
        steps(&phases, "attach"),
        [
            "ALTER TABLE \"orders\" ADD CONSTRAINT \"orders_id_qty_key\" UNIQUE USING INDEX \"orders_id_qty_key\""
        ]
    );
    assert_eq!(
        rollback(&phases, "attach"),
        ["ALTER TABLE \"orders\" DROP CONSTRAINT IF EXISTS \"orders_id_qty_key\""]
    );
}

#[test]
fn a_foreign_key_is_added_not_valid_then_validated() {
    let phases = plan(Change::AddForeignKey(AddForeignKey {
        table: name("orders"),
        foreign_key: ForeignKey {
            name: "orders_customer_fk".into(),
            columns: vec!["customer_id".into()],
            referenced_table: name("customers"),
            referenced_columns: vec!["id".into()],
            on_delete: FkAction::Cascade,
            on_update: FkAction::NoAction,
            deferrable: true,
            initially_deferred: true,
        },
    }))
    .unwrap();
    assert_eq!(names(&phases), ["constrain", "validate"]);
    assert_eq!(
        steps(&phases, "constrain"),
        [
            "ALTER TABLE \"orders\" ADD CONSTRAINT \"orders_customer_fk\" FOREIGN KEY (\"customer_id\") \
          REFERENCES \"customers\" (\"id\") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED NOT VALID"
        ]
    );
    // SHARE ROW EXCLUSIVE on both tables, checked with pg_locks.
    assert_eq!(phase(&phases, "constrain").lock, LockLevel::Shared);
    assert!(
        phase(&phases, "constrain")
            .lock_note
            .contains("SHARE ROW EXCLUSIVE on both tables")
    );
    assert_eq!(
        rollback(&phases, "constrain"),
        ["ALTER TABLE \"orders\" DROP CONSTRAINT IF EXISTS \"orders_customer_fk\""]
    );
    assert_eq!(
        steps(&phases, "validate"),
        ["ALTER TABLE \"orders\" VALIDATE CONSTRAINT \"orders_customer_fk\""]
    );
    assert_eq!(
        phase(&phases, "validate").estimated_ms,
        crate::plan::scan_ms(100_000)
    );
}

#[test]
fn a_check_is_added_not_valid_then_validated() {
    let phases = plan(Change::AddCheck(AddCheck {
        table: name("orders"),
        check: CheckConstraint {
            name: "orders_qty_positive".into(),
            expression: "qty > 0".into(),
        },
    }))
    .unwrap();
    assert_eq!(names(&phases), ["constrain", "validate"]);
    assert_eq!(
        steps(&phases, "constrain"),
        ["ALTER TABLE \"orders\" ADD CONSTRAINT \"orders_qty_positive\" CHECK (qty > 0) NOT VALID"]
    );
    assert_eq!(
        steps(&phases, "validate"),
        ["ALTER TABLE \"orders\" VALIDATE CONSTRAINT \"orders_qty_positive\""]
    );
}

#[test]
fn not_null_is_proven_by_a_validated_check() {
    let not_null = |c: &str| {
        plan(Change::SetNotNull(ColumnRef {
            table: name("orders"),
            column: c.into(),
        }))
    };
    let phases = not_null("customer_id").unwrap();
    assert_eq!(names(&phases), ["constrain", "validate", "set-not-null"]);
    assert_eq!(
        steps(&phases, "constrain")[1],
        "ALTER TABLE \"orders\" ADD CONSTRAINT \"customer_id__aish_nn\" CHECK (\"customer_id\" IS NOT NULL) NOT VALID"
    );
    assert_eq!(
        steps(&phases, "set-not-null"),
        [
            "<render set-not-null customer_id>",
            "ALTER TABLE \"orders\" DROP CONSTRAINT IF EXISTS \"customer_id__aish_nn\""
        ]
    );
    assert_eq!(
        rollback(&phases, "set-not-null"),
        ["ALTER TABLE \"orders\" ALTER COLUMN \"customer_id\" DROP NOT NULL"]
    );
    // Already NOT NULL, or unknown: nothing this strategy adds.
    assert!(not_null("qty").is_none());
    assert!(not_null("nope").is_none());
}

#[test]
fn before_12_set_not_null_is_planned_with_its_scan() {
    let change = || {
        Change::SetNotNull(ColumnRef {
            table: name("orders"),
            column: "customer_id".into(),
        })
    };
    let old = plan_with(change(), schema(), "11.22", 1_000_000).unwrap();
    let set = phase(&old, "set-not-null");
    assert!(set.lock_note.contains("before PostgreSQL 12"));
    assert_eq!(set.estimated_ms, crate::plan::scan_ms(1_000_000));
    let new = plan_with(change(), schema(), "12.0", 1_000_000).unwrap();
    assert_eq!(phase(&new, "set-not-null").estimated_ms, 50);
}
