use ai_shell_strategy_sdk::{AddColumn, Change, ColumnType, LockLevel, PhaseKind};

use super::*;

fn add(c: Column) -> Change {
    Change::AddColumn(AddColumn {
        table: name("orders"),
        column: c,
    })
}

#[test]
fn a_nullable_column_is_one_catalog_update() {
    let phases = plan(add(column("note2", ColumnType::Text, true, Some("'x'")))).unwrap();
    assert_eq!(names(&phases), ["expand"]);
    assert!(matches!(phases[0].kind, PhaseKind::Ddl));
    assert_eq!(
        steps(&phases, "expand"),
        ["<render add-column note2 nullable=true default=Some(\"'x'\")>"]
    );
    assert_eq!(
        rollback(&phases, "expand"),
        ["<render-inverse add-column note2 nullable=true default=Some(\"'x'\")>"]
    );
    assert_eq!(phases[0].lock, LockLevel::Exclusive);
    assert!(phases[0].lock_note.contains("ACCESS EXCLUSIVE"));
}

#[test]
fn not_null_with_a_constant_or_stable_default_is_a_fast_default_on_11_and_later() {
    for d in ["0", "now()", "'pending'::character varying"] {
        let phases = plan(add(column("c", ColumnType::Integer, false, Some(d)))).unwrap();
        assert_eq!(names(&phases), ["expand"], "{d}");
    }
    // Before 11 the server rewrites the table for any default: the backfill recipe.
    let phases = plan_with(
        add(column("c", ColumnType::Integer, false, Some("0"))),
        schema(),
        "10.23",
        100_000,
    )
    .unwrap();
    assert_eq!(
        names(&phases),
        [
            "expand",
            "backfill",
            "constrain",
            "validate",
            "set-not-null"
        ]
    );
}

#[test]
fn not_null_with_a_volatile_default_is_backfilled_and_proven() {
    let phases = plan(add(column(
        "token",
        ColumnType::Uuid,
        false,
        Some("gen_random_uuid()"),
    )))
    .unwrap();
    assert_eq!(
        names(&phases),
        [
            "expand",
            "backfill",
            "constrain",
            "validate",
            "set-not-null"
        ]
    );
    assert_eq!(
        steps(&phases, "expand"),
        [
            "<render add-column token nullable=true default=None>",
            "<render set-default token gen_random_uuid()>"
        ]
    );
    assert_eq!(
        rollback(&phases, "expand"),
        ["ALTER TABLE \"orders\" DROP COLUMN IF EXISTS \"token\""]
    );
    let PhaseKind::Backfill(b) = &phase(&phases, "backfill").kind else {
        panic!("not a backfill");
    };
    assert_eq!(b.key, "id");
    assert_eq!(
        b.batch,
        "UPDATE \"orders\" SET \"token\" = gen_random_uuid() WHERE \"token\" IS NULL \
         AND \"id\" >= {lo} AND \"id\" < {hi}"
    );
    assert_eq!(
        phase(&phases, "backfill").estimated_ms,
        crate::plan::backfill_ms(100_000)
    );
    assert_eq!(phase(&phases, "backfill").lock, LockLevel::None);
    assert_eq!(
        steps(&phases, "constrain"),
        [
            "ALTER TABLE \"orders\" DROP CONSTRAINT IF EXISTS \"token__aish_nn\"",
            "ALTER TABLE \"orders\" ADD CONSTRAINT \"token__aish_nn\" CHECK (\"token\" IS NOT NULL) NOT VALID"
        ]
    );
    assert_eq!(
        rollback(&phases, "constrain"),
        ["ALTER TABLE \"orders\" DROP CONSTRAINT IF EXISTS \"token__aish_nn\""]
    );
    assert!(matches!(
        phase(&phases, "validate").kind,
        PhaseKind::Validate
    ));
    assert_eq!(
        steps(&phases, "validate"),
        ["ALTER TABLE \"orders\" VALIDATE CONSTRAINT \"token__aish_nn\""]
    );
    assert_eq!(phase(&phases, "validate").lock, LockLevel::None);
    assert!(
        phase(&phases, "validate")
            .lock_note
            .contains("SHARE UPDATE EXCLUSIVE")
    );
    assert_eq!(
        steps(&phases, "set-not-null"),
        [
            "<render set-not-null token>",
            "ALTER TABLE \"orders\" DROP CONSTRAINT IF EXISTS \"token__aish_nn\""
        ]
    );
    assert_eq!(
        rollback(&phases, "set-not-null"),
        ["ALTER TABLE \"orders\" ALTER COLUMN \"token\" DROP NOT NULL"]
    );
}

#[test]
fn a_nullable_column_with_a_volatile_default_is_backfilled_without_not_null() {
    let phases = plan(add(column("r", ColumnType::Double, true, Some("random()")))).unwrap();
    assert_eq!(names(&phases), ["expand", "backfill"]);
}

#[test]
fn a_backfill_needs_a_single_integer_primary_key() {
    let volatile = |table: &str| {
        Change::AddColumn(AddColumn {
            table: name(table),
            column: column("t", ColumnType::Uuid, false, Some("gen_random_uuid()")),
        })
    };
    assert!(plan(volatile("events")).is_none());
    let uuid_key = with_orders(|t| t.columns[0].data_type = ColumnType::Uuid);
    assert!(plan_with(volatile("orders"), uuid_key, "15.19", 10).is_none());
    let composite = with_orders(|t| {
        t.primary_key.as_mut().unwrap().columns.push("qty".into());
    });
    assert!(plan_with(volatile("orders"), composite, "15.19", 10).is_none());
}

#[test]
fn not_null_without_a_default_only_on_an_empty_table() {
    let c = || add(column("c", ColumnType::Integer, false, None));
    assert!(plan(c()).is_none());
    let phases = plan_with(c(), schema(), "15.19", 0).unwrap();
    assert_eq!(names(&phases), ["expand"]);
    let no_stats = PostgresOnline::plan(vec![c()], schema(), vec![], engine("postgres", "15.19"));
    assert!(no_stats.unwrap().is_none());
}

#[test]
fn identity_and_generated_columns_are_left_to_the_next_strategy() {
    let mut c = column("n", ColumnType::Bigint, false, None);
    c.identity = Some(ai_shell_strategy_sdk::IdentityKind::Always);
    assert!(plan(add(c)).is_none());
}
