//! Every word accounted for: a plan must explain the request. Words the planner could not place, a removal
//! of something the request never names and a new name made of prose are refused; wrapped, polite,
//! explained and misspelled requests still plan, and the reading says how each word was taken.

use super::fixture::*;
use crate::connection::Engine;
use crate::planner::{RefusalKind, Slot, explain};

/// The refusal of a request the planner must not guess at, which names `words`.
#[track_caller]
fn refused_naming(request: &str, words: &[&str]) {
    let r = refused(request);
    assert_eq!(r.kind, RefusalKind::Ambiguous, "{request}: {r:?}");
    for w in words {
        assert!(
            r.message.contains(w),
            "{request}: {w} not named in {}",
            r.message
        );
    }
}

#[test]
fn prose_never_becomes_a_name() {
    // "for the customer's favourite colour" is prose, not a column name.
    refused_naming(
        "add a column for the customer's favourite colour to users",
        &[],
    );
    // A keyword or an adjective is no name: a check is a constraint, "separate" says how.
    refused_naming("add a unique check on email in users", &["check on email"]);
    refused_naming(
        "create a separate table for archived orders with the same columns",
        &["separate"],
    );
    refused_naming(
        "add a nickname column to users and make it wobbly",
        &["make it wobbly"],
    );
    refused_naming("rename users to first", &["first"]);
}

#[test]
fn presented_names_are_names() {
    for (request, name) in [
        ("add favourite_colour to users", "favourite_colour"),
        ("add \"favourite colour\" to users", "favourite colour"),
        ("add a column called check to users", "check"),
        ("add column nickname to users", "nickname"),
    ] {
        let cols = added(&ok(request));
        assert_eq!(cols.len(), 1, "{request}");
        assert_eq!(cols[0].1.name, name, "{request}");
    }
    let p = ok("create people table with first name, last name");
    let t = created(&p);
    assert!(
        t.columns.iter().any(|c| c.name == "first_name")
            && t.columns.iter().any(|c| c.name == "last_name"),
        "{:#?}",
        p.summary
    );
}

#[test]
fn wrapped_polite_and_explained_requests_still_plan() {
    for request in [
        "Hey, could you please add a nickname column to the users table? Thanks!",
        "add nickname to users because marketing wants to greet people",
        "add a deleted_at column to posts for soft deletes",
        "Lookups of products by name are slow, can you add an index for that?",
        "add nickname colum to usres",
    ] {
        let e = explain(request, &schema(), Engine::Postgres);
        assert!(
            e.outcome.is_ok(),
            "{request}: {:?} {:?}",
            e.outcome.err(),
            e.reading
        );
        let reading = e.reading.unwrap();
        assert!(
            reading.unplaced.is_empty(),
            "{request}: {:?}",
            reading.unplaced
        );
    }
}

#[test]
fn removals_must_be_named() {
    // Named, or carried elsewhere by a refactor the request names: planned.
    ok("drop column username from users");
    ok("users.age is not needed anymore, remove it");
    ok("drop the unused_table");
    ok("split users into users and user_addresses (street, city, state, zip)");
}

#[test]
fn the_reading_gives_each_word_its_slot() {
    let e = explain(
        "please add a nickname colum to the usres table",
        &schema(),
        Engine::Sqlite,
    );
    assert!(e.outcome.is_ok(), "{:?}", e.outcome.err());
    let r = e.reading.unwrap();
    let slot = |w: &str| r.words.iter().find(|x| x.text == w).unwrap().slot;
    assert_eq!(slot("please"), Slot::Filler);
    assert_eq!(slot("add"), Slot::Verb);
    assert_eq!(slot("nickname"), Slot::Column);
    assert_eq!(slot("colum"), Slot::Noun);
    assert_eq!(slot("usres"), Slot::Table);
    let colum = r.words.iter().find(|x| x.text == "colum").unwrap();
    assert_eq!(colum.detail.as_deref(), Some("typo of `column`"));
    assert!(
        r.names
            .iter()
            .any(|m| m.word == "usres" && m.object == "table users" && m.how.starts_with("typo")),
        "{:?}",
        r.names
    );
    assert!(
        r.names
            .iter()
            .any(|m| m.word == "nickname" && m.object == "new column users.nickname"),
        "{:?}",
        r.names
    );
}

#[test]
fn values_must_be_used() {
    let e = explain(
        "add nickname to users with default 'anon'",
        &schema(),
        Engine::Sqlite,
    );
    let r = e.reading.unwrap();
    assert!(e.outcome.is_ok(), "{:?}", e.outcome.err());
    assert_eq!(
        r.words.iter().find(|w| w.text == "'anon'").unwrap().slot,
        Slot::Value
    );
}

#[test]
fn a_refusal_still_reads_the_words() {
    let e = explain(
        "add a column for the favourite colour to users",
        &schema(),
        Engine::Sqlite,
    );
    assert!(e.outcome.is_err());
    let r = e.reading.unwrap();
    assert_eq!(
        r.words.iter().find(|w| w.text == "users").unwrap().slot,
        Slot::Table
    );
}
