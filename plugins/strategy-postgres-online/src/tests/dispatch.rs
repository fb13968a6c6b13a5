use ai_shell_strategy_sdk::{AddCheck, AddColumn, CheckConstraint, ColumnType};

use super::*;

fn check(n: &str) -> Change {
    Change::AddCheck(AddCheck {
        table: name("orders"),
        check: CheckConstraint {
            name: n.into(),
            expression: "qty > 0".into(),
        },
    })
}

#[test]
fn info_names_an_online_postgres_strategy() {
    let info = PostgresOnline::info();
    assert_eq!(info.name, "postgres-online");
    assert_eq!(info.dialects, ["postgres"]);
    assert!(info.online);
}

#[test]
fn other_engines_and_other_changes_are_left_to_the_next_strategy() {
    let mysql = PostgresOnline::plan(
        vec![check("c")],
        schema(),
        stats(10),
        engine("mysql", "10.11"),
    );
    assert!(mysql.unwrap().is_none());
    assert!(plan(Change::DropTable(name("orders"))).is_none());
    assert!(plan(Change::CreateNamespace("s".into())).is_none());
}

#[test]
fn several_changes_are_planned_one_after_the_other_or_not_at_all() {
    let both = PostgresOnline::plan(
        vec![check("a"), check("b")],
        schema(),
        stats(10),
        engine("postgres", "15.19"),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        names(&both),
        ["constrain", "validate", "constrain", "validate"]
    );
    assert!(texts(&both[2].steps)[0].contains("\"b\""));
    let mixed = PostgresOnline::plan(
        vec![check("a"), Change::DropTable(name("orders"))],
        schema(),
        stats(10),
        engine("postgres", "15.19"),
    );
    assert!(mixed.unwrap().is_none());
    let none = PostgresOnline::plan(vec![], schema(), stats(10), engine("postgres", "15.19"));
    assert!(none.unwrap().unwrap().is_empty());
}

#[test]
fn plans_are_deterministic() {
    let change = || {
        Change::AddColumn(AddColumn {
            table: name("orders"),
            column: column("t", ColumnType::Uuid, false, Some("gen_random_uuid()")),
        })
    };
    let a = plan(change()).unwrap();
    let b = plan(change()).unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(texts(&x.steps), texts(&y.steps));
        assert_eq!(texts(&x.rollback), texts(&y.rollback));
    }
}
