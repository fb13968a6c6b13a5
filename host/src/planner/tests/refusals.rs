//! Requests that must be refused, with a clear kind, suggestions and an example.

use super::fixture::*;
use crate::planner::RefusalKind;

#[test]
fn not_schema_changes() {
    for r in [
        "how many users are there",
        "delete all users",
        "show me the orders",
        "drop all data",
        "select * from users",
        "update users set age = 3 where id = 1",
        "truncate orders",
        "list all customers",
        "what's the weather like today?",
    ] {
        let x = refused(r);
        assert!(
            matches!(x.kind, RefusalKind::NotASchemaChange),
            "{r}: {x:?}"
        );
        assert!(x.example.is_some(), "{r}");
    }
}

#[test]
fn unknown_names_get_closest_matches_and_an_example() {
    let r = refused("add email to invoices");
    assert_eq!(r.kind, RefusalKind::NotFound);
    assert!(r.example.is_some());
    // A small typo is corrected when only one name is that close.
    assert!(
        crate::planner::plan(
            "make emial unique in accounts",
            &schema(),
            crate::connection::Engine::Postgres
        )
        .is_ok()
    );
    let r = refused("make zzz unique in users");
    assert_eq!(r.kind, RefusalKind::NotFound);
    let r = refused("rename column usrname_x to user_name in accounts");
    assert_eq!(r.kind, RefusalKind::NotFound);
}

#[test]
fn ambiguous_requests() {
    for r in ["add index", "rename it", "rename it to foo", "add email"] {
        let x = refused(r);
        assert!(
            matches!(x.kind, RefusalKind::Ambiguous | RefusalKind::NotFound),
            "{r}: {x:?}"
        );
    }
    let x = refused("make user_id required");
    assert_eq!(x.kind, RefusalKind::Ambiguous);
}

#[test]
fn sql_smuggling_and_conflicts() {
    let r = refused("add column x; DROP TABLE users");
    assert_eq!(r.kind, RefusalKind::Unsafe);
    let r = refused("add username to accounts");
    assert_eq!(r.kind, RefusalKind::Unsupported);
    assert!(r.message.contains("username"));
    let r = refused(&format!("add {} to users", "x".repeat(70)));
    assert_eq!(r.kind, RefusalKind::Unsupported);
}
