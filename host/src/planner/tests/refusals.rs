//! Requests that must be refused, with a clear kind, suggestions and an example.

use super::fixture::*;
use crate::connection::Engine;
use crate::planner::{RefusalKind, plan};

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

/// A name longer than the engine allows is refused with a short message: a prefix of the name, its
/// size and the limit; never the whole name.
#[test]
fn long_names_are_refused_without_echoing_them() {
    let long = "x".repeat(100_000);
    for (engine, limit) in [
        (Engine::Postgres, "at most 63 bytes"),
        (Engine::MySql, "at most 64 characters"),
        (Engine::Sqlite, "at most 128 bytes"),
    ] {
        for request in [
            format!("add {long} to users"),
            format!("create table {long} with name"),
            format!("add column \"{long}\" to users"),
            format!("rename column email to {long} in users"),
        ] {
            let r = plan(&request, &schema(), engine).unwrap_err();
            assert_eq!(
                r.kind,
                RefusalKind::Unsupported,
                "{engine:?}: {}",
                r.message
            );
            assert!(
                r.message.contains("…(100000 bytes)") && r.message.contains(limit),
                "{engine:?}: {}",
                r.message
            );
            assert!(r.message.len() < 300, "{engine:?}: {}", r.message);
        }
    }
    // Any refusal that quotes the request is cut short too.
    for request in [
        format!("drop {long} from users"),
        format!("frobnicate {long}"),
        format!("make {long} unique in users"),
    ] {
        let r = plan(&request, &schema(), Engine::Postgres).unwrap_err();
        let shown = format!("{} {:?} {:?}", r.message, r.example, r.suggestions);
        assert!(shown.len() < 1_000, "{shown}");
    }
}

/// MySQL/MariaDB keep identifiers in utf8mb3: a name with a character beyond U+FFFF is refused
/// before any SQL runs, naming the character. The other engines take it.
#[test]
fn names_beyond_the_basic_multilingual_plane_are_refused_on_mysql() {
    for request in [
        "add column 🎉 to users",
        "create table party🎉 with name",
        "rename column email to e🎉mail in accounts",
        "add index named idx_🎉 on users(name)",
    ] {
        let r = plan(request, &schema(), Engine::MySql).unwrap_err();
        assert_eq!(r.kind, RefusalKind::Unsupported, "{request}: {r:?}");
        assert!(
            r.message.contains("🎉 (U+1F389)") && r.message.contains("U+0001..U+FFFF"),
            "{request}: {}",
            r.message
        );
        for engine in [Engine::Postgres, Engine::Sqlite] {
            assert!(
                plan(request, &schema(), engine).is_ok(),
                "{request} on {engine:?}"
            );
        }
    }
    // Characters of the Basic Multilingual Plane are fine on MySQL.
    assert!(plan("add column café_名 to users", &schema(), Engine::MySql).is_ok());
}
