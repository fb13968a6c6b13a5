use ai_shell_strategy_sdk::{
    AlterColumnType, CheckConstraint, ColumnType, FkAction, ForeignKey, LockLevel, PhaseKind,
    UniqueConstraint, View,
};

use super::*;

fn alter(column: &str, to: ColumnType, using: Option<&str>) -> Change {
    Change::AlterColumnType(AlterColumnType {
        table: name("orders"),
        column: column.into(),
        new_type: to,
        using: using.map(Into::into),
    })
}

fn qty_to_bigint() -> Change {
    alter("qty", ColumnType::Bigint, None)
}

#[test]
fn a_not_null_indexed_column_goes_through_every_phase() {
    let phases = plan(qty_to_bigint()).unwrap();
    assert_eq!(
        names(&phases),
        [
            "expand",
            "backfill",
            "constrain",
            "validate",
            "index",
            "switch",
            "gate",
            "cleanup"
        ]
    );
    let expand = steps(&phases, "expand");
    assert_eq!(
        expand[0],
        "<render add-column qty__aish_new nullable=true default=None>"
    );
    assert_eq!(
        expand[1],
        "CREATE OR REPLACE FUNCTION \"orders_qty__aish_sync\"() RETURNS trigger LANGUAGE plpgsql AS \
         $aish$\nBEGIN\n  NEW.\"qty__aish_new\" := NEW.\"qty\"::bigint;\n  RETURN NEW;\nEND\n$aish$"
    );
    // Inserts are synced before the row is written; updates of qty after it, by an UPDATE of the new column
    // (the table has no triggers of its own), so the table has no BEFORE UPDATE trigger during the backfill.
    assert_eq!(
        expand[2..],
        [
            "DROP TRIGGER IF EXISTS \"orders_qty__aish_sync\" ON \"orders\"",
            "CREATE TRIGGER \"orders_qty__aish_sync\" BEFORE INSERT ON \"orders\" FOR EACH ROW \
             EXECUTE FUNCTION \"orders_qty__aish_sync\"()",
            "CREATE OR REPLACE FUNCTION \"orders_qty__aish_syncu\"() RETURNS trigger LANGUAGE plpgsql AS \
             $aish$\nBEGIN\n  UPDATE \"orders\" SET \"qty__aish_new\" = NEW.\"qty\"::bigint WHERE \"id\" = NEW.\"id\" \
             AND \"qty__aish_new\" IS DISTINCT FROM NEW.\"qty\"::bigint;\n  RETURN NULL;\nEND\n$aish$",
            "DROP TRIGGER IF EXISTS \"orders_qty__aish_syncu\" ON \"orders\"",
            "CREATE TRIGGER \"orders_qty__aish_syncu\" AFTER UPDATE OF \"qty\" ON \"orders\" FOR EACH ROW \
             EXECUTE FUNCTION \"orders_qty__aish_syncu\"()"
        ]
    );
    assert_eq!(
        rollback(&phases, "expand"),
        [
            "DROP TRIGGER IF EXISTS \"orders_qty__aish_sync\" ON \"orders\"",
            "DROP TRIGGER IF EXISTS \"orders_qty__aish_syncu\" ON \"orders\"",
            "DROP FUNCTION IF EXISTS \"orders_qty__aish_sync\"()",
            "DROP FUNCTION IF EXISTS \"orders_qty__aish_syncu\"()",
            "ALTER TABLE \"orders\" DROP COLUMN IF EXISTS \"qty__aish_new\""
        ]
    );
    let PhaseKind::Backfill(b) = &phase(&phases, "backfill").kind else {
        panic!("not a backfill");
    };
    assert_eq!(
        b.batch,
        "UPDATE \"orders\" SET \"qty__aish_new\" = \"qty\"::bigint WHERE \"qty__aish_new\" IS NULL \
         AND \"qty\" IS NOT NULL AND \"id\" >= {lo} AND \"id\" < {hi}"
    );
    assert_eq!(
        steps(&phases, "validate"),
        ["ALTER TABLE \"orders\" VALIDATE CONSTRAINT \"qty__aish_new__aish_nn\""]
    );
    let index = phase(&phases, "index");
    assert!(matches!(index.kind, PhaseKind::DdlOutsideTransaction));
    assert_eq!(index.lock, LockLevel::None);
    assert_eq!(
        texts(&index.steps),
        [
            "DROP INDEX CONCURRENTLY IF EXISTS \"orders_qty_idx__aish_new\"",
            "CREATE INDEX CONCURRENTLY \"orders_qty_idx__aish_new\" ON \"orders\" USING btree \
             (\"qty__aish_new\", \"id\")",
            "ANALYZE \"orders\" (\"qty__aish_new\")"
        ]
    );
    assert_eq!(
        texts(&index.rollback),
        ["DROP INDEX CONCURRENTLY IF EXISTS \"orders_qty_idx__aish_new\""]
    );
}

#[test]
fn the_switch_renames_and_keeps_the_old_column_in_sync_until_cleanup() {
    let phases = plan(qty_to_bigint()).unwrap();
    let switch = steps(&phases, "switch");
    assert_eq!(
        switch[..11],
        [
            "DROP TRIGGER IF EXISTS \"orders_qty__aish_sync\" ON \"orders\"",
            "DROP TRIGGER IF EXISTS \"orders_qty__aish_syncu\" ON \"orders\"",
            "ALTER TABLE \"orders\" RENAME COLUMN \"qty\" TO \"qty__aish_old\"",
            "ALTER TABLE \"orders\" RENAME COLUMN \"qty__aish_new\" TO \"qty\"",
            "ALTER INDEX \"orders_qty_idx\" RENAME TO \"orders_qty_idx__aish_old\"",
            "ALTER INDEX \"orders_qty_idx__aish_new\" RENAME TO \"orders_qty_idx\"",
            "ALTER TABLE \"orders\" ALTER COLUMN \"qty__aish_old\" DROP DEFAULT",
            "ALTER TABLE \"orders\" ALTER COLUMN \"qty\" SET DEFAULT 1",
            "ALTER TABLE \"orders\" ALTER COLUMN \"qty__aish_old\" DROP NOT NULL",
            "ALTER TABLE \"orders\" ALTER COLUMN \"qty\" SET NOT NULL",
            "ALTER TABLE \"orders\" DROP CONSTRAINT IF EXISTS \"qty__aish_new__aish_nn\""
        ]
    );
    // The reverse trigger stores NULL where the old type cannot hold a value instead of failing writes.
    assert_eq!(
        switch[11],
        "CREATE OR REPLACE FUNCTION \"orders_qty__aish_back\"() RETURNS trigger LANGUAGE plpgsql AS \
         $aish$\nBEGIN\n  BEGIN\n    NEW.\"qty__aish_old\" := NEW.\"qty\"::integer;\n  EXCEPTION WHEN \
         others THEN\n    NEW.\"qty__aish_old\" := NULL;\n  END;\n  RETURN NEW;\nEND\n$aish$"
    );
    assert_eq!(
        switch[13],
        "CREATE TRIGGER \"orders_qty__aish_back\" BEFORE INSERT OR UPDATE OF \"qty\" ON \"orders\" FOR EACH ROW \
         EXECUTE FUNCTION \"orders_qty__aish_back\"()"
    );
    assert_eq!(
        rollback(&phases, "switch"),
        [
            "DROP TRIGGER IF EXISTS \"orders_qty__aish_back\" ON \"orders\"",
            "DROP FUNCTION IF EXISTS \"orders_qty__aish_back\"()",
            "ALTER INDEX \"orders_qty_idx\" RENAME TO \"orders_qty_idx__aish_new\"",
            "ALTER INDEX \"orders_qty_idx__aish_old\" RENAME TO \"orders_qty_idx\"",
            "ALTER TABLE \"orders\" RENAME COLUMN \"qty\" TO \"qty__aish_new\"",
            "ALTER TABLE \"orders\" RENAME COLUMN \"qty__aish_old\" TO \"qty\"",
            "ALTER TABLE \"orders\" ALTER COLUMN \"qty__aish_new\" DROP DEFAULT",
            "ALTER TABLE \"orders\" ALTER COLUMN \"qty\" SET DEFAULT 1",
            "ALTER TABLE \"orders\" ALTER COLUMN \"qty__aish_new\" DROP NOT NULL",
            "ALTER TABLE \"orders\" ALTER COLUMN \"qty\" SET NOT NULL",
            "DROP TRIGGER IF EXISTS \"orders_qty__aish_sync\" ON \"orders\"",
            "CREATE TRIGGER \"orders_qty__aish_sync\" BEFORE INSERT ON \"orders\" FOR EACH ROW \
             EXECUTE FUNCTION \"orders_qty__aish_sync\"()",
            "DROP TRIGGER IF EXISTS \"orders_qty__aish_syncu\" ON \"orders\"",
            "CREATE TRIGGER \"orders_qty__aish_syncu\" AFTER UPDATE OF \"qty\" ON \"orders\" FOR EACH ROW \
             EXECUTE FUNCTION \"orders_qty__aish_syncu\"()"
        ]
    );
    assert!(matches!(
        &phase(&phases, "gate").kind,
        PhaseKind::Gate(t) if t == "the application works with orders.qty as bigint"
    ));
    let cleanup = phase(&phases, "cleanup");
    assert!(matches!(cleanup.kind, PhaseKind::Cleanup));
    assert_eq!(
        texts(&cleanup.steps),
        [
            "DROP TRIGGER IF EXISTS \"orders_qty__aish_back\" ON \"orders\"",
            "DROP FUNCTION IF EXISTS \"orders_qty__aish_back\"()",
            "DROP FUNCTION IF EXISTS \"orders_qty__aish_sync\"()",
            "DROP FUNCTION IF EXISTS \"orders_qty__aish_syncu\"()",
            "DROP INDEX IF EXISTS \"orders_qty_idx__aish_old\"",
            "ALTER TABLE \"orders\" DROP COLUMN IF EXISTS \"qty__aish_old\""
        ]
    );
}

#[test]
fn a_table_with_triggers_of_its_own_is_synced_by_one_before_trigger() {
    let mut schema = schema();
    schema.objects.push(ai_shell_strategy_sdk::EngineObject {
        kind: "trigger".into(),
        name: name("orders_audit"),
        table: Some(name("orders")),
        definition: "CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit()"
            .into(),
    });
    let phases = plan_with(qty_to_bigint(), schema, "15.19", 100_000).unwrap();
    // An extra UPDATE of the row would fire orders_audit: the copy is made as the row is written.
    assert_eq!(
        steps(&phases, "expand")[2..],
        [
            "DROP TRIGGER IF EXISTS \"orders_qty__aish_sync\" ON \"orders\"",
            "CREATE TRIGGER \"orders_qty__aish_sync\" BEFORE INSERT OR UPDATE OF \"qty\" ON \"orders\" FOR EACH ROW \
             EXECUTE FUNCTION \"orders_qty__aish_sync\"()"
        ]
    );
    assert_eq!(
        steps(&phases, "switch")[0],
        "DROP TRIGGER IF EXISTS \"orders_qty__aish_sync\" ON \"orders\""
    );
    assert!(
        !steps(&phases, "switch")[1].contains("syncu"),
        "{:?}",
        steps(&phases, "switch")
    );
}

#[test]
fn a_using_expression_is_evaluated_over_the_row() {
    let phases = plan(alter(
        "note",
        ColumnType::Varchar(Some(20)),
        Some("left(note, 20)"),
    ))
    .unwrap();
    // Nullable and not indexed: no NOT NULL proof, no index build.
    assert_eq!(
        names(&phases),
        ["expand", "backfill", "switch", "gate", "cleanup"]
    );
    assert!(steps(&phases, "expand")[1].contains(
        "NEW.\"note__aish_new\" := (SELECT (left(note, 20))::character varying(20) FROM \
         (SELECT NEW.*) AS \"orders\");"
    ));
    let PhaseKind::Backfill(b) = &phase(&phases, "backfill").kind else {
        panic!("not a backfill");
    };
    assert_eq!(
        b.batch,
        "UPDATE \"orders\" SET \"note__aish_new\" = (left(note, 20))::character varying(20) WHERE \
         \"note__aish_new\" IS NULL AND \"id\" >= {lo} AND \"id\" < {hi}"
    );
    assert!(steps(&phases, "switch")[3].contains("NEW.\"note__aish_old\" := NEW.\"note\"::text;"));
}

#[test]
fn servers_before_11_execute_a_procedure() {
    let phases = plan_with(qty_to_bigint(), schema(), "10.23", 10).unwrap();
    assert!(steps(&phases, "expand")[3].ends_with("EXECUTE PROCEDURE \"orders_qty__aish_sync\"()"));
}

#[test]
fn helper_objects_live_in_the_table_namespace() {
    let mut s = schema();
    s.tables[0].name.namespace = Some("shop".into());
    let change = Change::AlterColumnType(AlterColumnType {
        table: QualifiedName {
            namespace: Some("shop".into()),
            name: "orders".into(),
        },
        column: "qty".into(),
        new_type: ColumnType::Bigint,
        using: None,
    });
    let phases = plan_with(change, s, "15.19", 10).unwrap();
    assert!(
        steps(&phases, "expand")[1]
            .starts_with("CREATE OR REPLACE FUNCTION \"shop\".\"orders_qty__aish_sync\"()")
    );
    assert_eq!(
        steps(&phases, "switch")[4],
        "ALTER INDEX \"shop\".\"orders_qty_idx\" RENAME TO \"orders_qty_idx__aish_old\""
    );
}

#[test]
fn long_names_stay_within_63_bytes() {
    let long = "q".repeat(60);
    let s = with_orders(|t| {
        t.columns[2].name = long.clone();
        t.indexes[0].keys[0] = key(&long);
        t.indexes[0].name = "i".repeat(62);
    });
    let phases = plan_with(alter(&long, ColumnType::Bigint, None), s, "15.19", 10).unwrap();
    let all: Vec<String> = phases
        .iter()
        .flat_map(|p| texts(&p.steps).into_iter().chain(texts(&p.rollback)))
        .collect();
    for sql in &all {
        for quoted in sql.split('"').skip(1).step_by(2) {
            assert!(quoted.len() <= 63, "{quoted} in {sql}");
        }
    }
    assert!(all.iter().any(|s| s.contains("__aish_new")));
}

#[test]
fn keys_checks_views_and_expressions_are_left_to_the_next_strategy() {
    let qty = qty_to_bigint;
    // The primary key itself.
    assert!(plan(alter("id", ColumnType::Bigint, None)).is_none());
    // A foreign key of the table.
    let fk = |cols: &[&str], table: &str| ForeignKey {
        name: "fk".into(),
        columns: cols.iter().map(|c| c.to_string()).collect(),
        referenced_table: name(table),
        referenced_columns: vec!["id".into()],
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
        deferrable: false,
        initially_deferred: false,
    };
    let s = with_orders(|t| t.foreign_keys.push(fk(&["qty"], "customers")));
    assert!(plan_with(qty(), s, "15.19", 10).is_none());
    // A foreign key of another table referencing the column.
    let mut s = schema();
    let mut referencing = fk(&["a"], "orders");
    referencing.referenced_columns = vec!["qty".into()];
    s.tables[2].foreign_keys.push(referencing);
    assert!(plan_with(qty(), s, "15.19", 10).is_none());
    // A unique constraint.
    let s = with_orders(|t| {
        t.uniques.push(UniqueConstraint {
            name: "u".into(),
            columns: vec!["qty".into()],
        })
    });
    assert!(plan_with(qty(), s, "15.19", 10).is_none());
    // A check mentioning the column.
    let s = with_orders(|t| {
        t.checks.push(CheckConstraint {
            name: "c".into(),
            expression: "(qty > 0)".into(),
        })
    });
    assert!(plan_with(qty(), s, "15.19", 10).is_none());
    // A view on the table.
    let mut s = schema();
    s.views.push(View {
        name: name("v"),
        definition: "SELECT orders.qty FROM orders".into(),
        materialized: false,
        options: vec![],
        comment: None,
    });
    assert!(plan_with(qty(), s, "15.19", 10).is_none());
    // An expression index or a partial index mentioning the column.
    let s = with_orders(|t| t.indexes[0].predicate = Some("(qty > 1)".into()));
    assert!(plan_with(qty(), s, "15.19", 10).is_none());
    // A table without a single integer key.
    let s = with_orders(|t| t.primary_key = None);
    assert!(plan_with(qty(), s, "15.19", 10).is_none());
    // Nothing to change.
    assert!(plan(alter("qty", ColumnType::Integer, None)).is_none());
    // Unrelated checks and views do not matter.
    let s = with_orders(|t| {
        t.checks.push(CheckConstraint {
            name: "c".into(),
            expression: "(subqty > 0)".into(),
        })
    });
    assert!(plan_with(qty(), s, "15.19", 10).is_some());
}
