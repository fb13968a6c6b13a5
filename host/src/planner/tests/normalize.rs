//! The normalising pre-pass: semicolons and sentences as clause breaks, wrappers and explanations
//! set aside, terse structural forms and fronted phrases read in the plain order. Each case checks
//! the plan, not the tokens.

use super::fixture::*;
use crate::model::{Change, IndexTarget};

/// The (table, column) pairs a request adds.
#[track_caller]
fn adds(request: &str) -> Vec<(String, String)> {
    added(&ok(request))
        .into_iter()
        .map(|(t, c)| (t, c.name))
        .collect()
}

#[track_caller]
fn adds_one(request: &str, table: &str, column: &str) {
    assert_eq!(
        adds(request),
        vec![(table.to_string(), column.to_string())],
        "{request}"
    );
}

/// The (table, column) pairs a request drops.
fn drops(request: &str) -> Vec<(String, String)> {
    ok(request)
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::DropColumn(d) => Some((d.table.name.clone(), d.column.clone())),
            _ => None,
        })
        .collect()
}

/// The (table, columns, unique) of the indexes a request adds.
fn indexes(request: &str) -> Vec<(String, Vec<String>, bool)> {
    ok(request)
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::AddIndex(a) => Some((
                a.table.name.clone(),
                a.index
                    .keys
                    .iter()
                    .filter_map(|k| match &k.target {
                        IndexTarget::Column(c) => Some(c.clone()),
                        _ => None,
                    })
                    .collect(),
                a.index.unique,
            )),
            _ => None,
        })
        .collect()
}

/// Whether a plan removes or rewrites anything.
fn removes(p: &crate::planner::Plan) -> bool {
    p.destructive
        || p.changes.iter().any(|c| {
            matches!(
                c,
                Change::DropTable(_)
                    | Change::DropColumn(_)
                    | Change::DropIndex(_)
                    | Change::DropForeignKey(_)
                    | Change::RawSql(_)
            )
        })
}

#[test]
fn a_semicolon_in_prose_is_a_clause_break() {
    for r in [
        "add nickname to users; it is needed for the audit",
        "add nickname to users; we need it for the newsletter; thanks",
        "sprint planning ran over; add nickname to users",
        "add nickname to users; the rest can stay as it is",
        "add column nickname to users;",
    ] {
        adds_one(r, "users", "nickname");
    }
    let p = ok("minor cleanup today; rename users.city to town; nothing else");
    assert!(
        matches!(&p.changes[0], Change::RenameColumn(x) if x.column == "city" && x.new_name == "town"),
        "{:#?}",
        p.summary
    );
    assert_eq!(
        indexes("this came up in the review; make accounts.email unique"),
        vec![("accounts".into(), vec!["email".into()], true)]
    );
}

#[test]
fn two_instructions_across_a_semicolon_are_refused() {
    for r in [
        "add column nick to users; drop table accounts",
        "add column x; DROP TABLE users",
        "rename users.city to town; drop column state from users",
    ] {
        refused(r);
    }
}

#[test]
fn a_semicolon_inside_quotes_stays_in_the_name_or_value() {
    let p = ok("add column nickname to users default 'a;b'");
    let (_, c) = &added(&p)[0];
    assert!(
        c.default.as_deref().is_some_and(|d| d.contains("a;b")),
        "{c:?}"
    );
    let p = ok("add column \"x; DROP TABLE users\" to users");
    assert_eq!(added(&p)[0].1.name, "x; DROP TABLE users");
    assert!(!removes(&p), "{:#?}", p.summary);
}

#[test]
fn a_drop_inside_an_explanation_is_never_a_drop() {
    for r in [
        "We dropped the old mobile app last year. Add nickname to users.",
        "add nickname to users because we drop the old handles later",
        "add nickname to users, it replaces what we dropped in March",
        "since the drop in signups, add nickname to users",
    ] {
        // A refusal changes nothing; a plan only adds.
        if let Ok(p) = crate::planner::plan(r, &schema(), crate::connection::Engine::Postgres) {
            assert!(!removes(&p), "{r}: {:#?}", p.summary);
            assert_eq!(added(&p).len(), 1, "{r}");
        }
    }
    // Said as what will happen later, it is no instruction: nothing is dropped now.
    let r = "add nickname to users; we will drop the old one later";
    if let Ok(p) = crate::planner::plan(r, &schema(), crate::connection::Engine::Postgres) {
        assert!(!removes(&p), "{r}: {:#?}", p.summary);
        assert_eq!(added(&p).len(), 1, "{r}");
    }
}

#[test]
fn wrappers_and_sign_offs_are_set_aside() {
    for r in [
        "yo can u add nickname to users kthx",
        "hey, add nickname to users pls, ty",
        "add nickname to users when you get a sec",
        "add nickname to users asap? thx",
        "I think we need to add nickname to users",
        "would you mind if we add nickname to users? cheers",
        "Some context first. Our support people greet everyone personally. Could you add nickname to users? It would help them a lot.",
        "The team wants it for the next release, so add nickname to users.",
        "add nickname to users for the onboarding emails",
    ] {
        adds_one(r, "users", "nickname");
    }
    assert_eq!(
        drops(
            "We are tidying up before the launch, so drop users.state. Let me know if anything breaks."
        ),
        vec![("users".into(), "state".into())]
    );
}

#[test]
fn a_clause_that_may_be_more_of_the_request_is_not_set_aside() {
    // "also surname" might be a second column: the request is read as it was, never cut.
    let r = "add nickname to users. also surname";
    if let Ok(p) = crate::planner::plan(r, &schema(), crate::connection::Engine::Postgres) {
        assert_ne!(
            adds(r),
            vec![("users".to_string(), "nickname".to_string())],
            "{:#?}",
            p.summary
        );
    }
    // A reason that names a table is read as the story it is only when the instruction stands alone.
    let r = "users complain about it a lot; add nickname to users";
    if crate::planner::plan(r, &schema(), crate::connection::Engine::Postgres).is_ok() {
        assert_eq!(adds(r), vec![("users".to_string(), "nickname".to_string())]);
    }
    refused("users complain about it a lot; add nickname");
}

#[test]
fn terse_additions() {
    adds_one("users: +nickname", "users", "nickname");
    adds_one("+ users.nickname", "users", "nickname");
    adds_one("users += nickname", "users", "nickname");
    let p = ok("users + nickname (text)");
    assert_eq!(added(&p)[0].1.data_type, crate::model::ColumnType::Text);
    assert_eq!(
        adds("products: weight_kg, barcode"),
        vec![
            ("products".into(), "weight_kg".into()),
            ("products".into(), "barcode".into())
        ]
    );
    // An existing column after "T:" is no addition.
    assert!(
        crate::planner::plan(
            "users: city",
            &schema(),
            crate::connection::Engine::Postgres
        )
        .is_err()
    );
}

#[test]
fn terse_removals_need_existing_columns() {
    assert_eq!(
        drops("users: -state"),
        vec![("users".into(), "state".into())]
    );
    assert_eq!(
        drops("users: -state, -zip"),
        vec![
            ("users".into(), "state".into()),
            ("users".into(), "zip".into())
        ]
    );
    refused("users: -favourite_colour");
}

#[test]
fn terse_indexes_uniques_and_renames() {
    assert_eq!(
        indexes("index: orders(status)"),
        vec![("orders".into(), vec!["status".into()], false)]
    );
    assert_eq!(
        indexes("unique(accounts.email)"),
        vec![("accounts".into(), vec!["email".into()], true)]
    );
    assert_eq!(
        indexes("accounts.email: unique"),
        vec![("accounts".into(), vec!["email".into()], true)]
    );
    assert_eq!(
        indexes("a unique constraint on accounts(email) pls"),
        vec![("accounts".into(), vec!["email".into()], true)]
    );
    for r in ["users.city -> town", "users.city → town", "city → town"] {
        let p = ok(r);
        assert!(
            matches!(&p.changes[0], Change::RenameColumn(x) if x.table.name == "users" && x.column == "city" && x.new_name == "town"),
            "{r}: {:#?}",
            p.summary
        );
    }
}

#[test]
fn an_arrow_in_a_new_tables_list_is_a_reference() {
    for r in [
        "create table tags with user_id -> users, label text",
        "create table tags: user_id -> users, label text",
        "with user_id -> users and a text label, create table tags",
    ] {
        let p = ok(r);
        let t = created(&p);
        assert_eq!(t.name.name, "tags", "{r}");
        assert!(
            t.foreign_keys
                .iter()
                .any(|f| f.columns == ["user_id"] && f.referenced_table.name == "users"),
            "{r}: {:#?}",
            p.summary
        );
        assert!(t.columns.iter().any(|c| c.name == "label"), "{r}");
    }
}

#[test]
fn references_said_as_statements() {
    for r in [
        "make comments.user_id reference users",
        "comments.user_id should reference users",
        "comments.user_id must point to users.id",
    ] {
        let p = ok(r);
        assert!(
            p.changes
                .iter()
                .any(|c| matches!(c, Change::AddForeignKey(f)
                if f.table.name == "comments" && f.foreign_key.referenced_table.name == "users")),
            "{r}: {:#?}",
            p.summary
        );
    }
    let p = ok("every comments.user_id must point to a row in users");
    assert!(
        p.changes
            .iter()
            .any(|c| matches!(c, Change::AddForeignKey(_)))
    );
    // Not to some other table when the named one does not exist: the refusal names it.
    for r in [
        "make comments.user_id reference members",
        "every comments.user_id must point to a row in members",
    ] {
        assert!(refused(r).message.contains("members"), "{r}");
    }
    adds_one(
        "there should be a priority column (integer) on users",
        "users",
        "priority",
    );
}

#[test]
fn fronted_phrases_move_after_the_instruction() {
    adds_one("to users, add nickname", "users", "nickname");
    adds_one("to users add nickname", "users", "nickname");
    assert_eq!(
        indexes("in accounts, make email unique"),
        vec![("accounts".into(), vec!["email".into()], true)]
    );
    assert_eq!(
        drops("from users, drop the zip column"),
        vec![("users".into(), "zip".into())]
    );
    assert_eq!(
        drops("zip in users: drop it"),
        vec![("users".into(), "zip".into())]
    );
    let p = ok("users: rename it to members");
    assert!(matches!(&p.changes[0], Change::RenameTable(r) if r.new_name == "members"));
    let p = ok("with on delete cascade, make comments.user_id reference users");
    assert!(
        p.changes
            .iter()
            .any(|c| matches!(c, Change::AddForeignKey(f)
            if f.foreign_key.on_delete == crate::model::FkAction::Cascade)),
        "{:#?}",
        p.summary
    );
}

#[test]
fn a_fill_value_in_a_second_clause_stays_with_the_request() {
    // The value is part of the request: it is never set aside as explanation (the plan either uses
    // it or the request is refused, naming it).
    for r in [
        "make users.city not null; fill missing with 'unknown'",
        "make users.city not null. Use 'unknown' for the rows that have none.",
    ] {
        if let Ok(p) = crate::planner::plan(r, &schema(), crate::connection::Engine::Postgres) {
            let json = serde_json::to_string(&p.changes).unwrap();
            assert!(json.contains("unknown"), "{r}: {:#?}", p.summary);
        }
    }
}

#[test]
fn renames_said_as_statements() {
    for r in [
        "unused_table should be called archive from now on",
        "the table unused_table, I want it called archive",
        "unused_table is to be named archive",
    ] {
        let p = ok(r);
        assert!(
            matches!(&p.changes[0], Change::RenameTable(x) if x.table.name == "unused_table" && x.new_name == "archive"),
            "{r}: {:#?}",
            p.summary
        );
    }
    let p = ok("users.city should be called town");
    assert!(
        matches!(&p.changes[0], Change::RenameColumn(x) if x.column == "city" && x.new_name == "town"),
        "{:#?}",
        p.summary
    );
    // Not a rename of something that does not exist.
    refused("archive_table should be called vault");
}

#[test]
fn a_new_tables_references_stay_in_its_list() {
    let p = ok("new table invoices: order_id references orders, amount decimal, paid boolean");
    let t = created(&p);
    assert_eq!(t.name.name, "invoices");
    assert!(
        t.foreign_keys
            .iter()
            .any(|f| f.referenced_table.name == "orders")
    );
    assert!(t.columns.iter().any(|c| c.name == "paid"));
}

#[test]
fn a_condition_is_never_cut_off() {
    // The condition may not be understood, but it is never silently left out of a plan.
    for r in [
        "drop users.zip if it is empty",
        "drop users.zip when the table is empty",
        "drop users.zip, when the table is empty",
    ] {
        if let Ok(p) = crate::planner::plan(r, &schema(), crate::connection::Engine::Postgres) {
            panic!("{r}: planned without its condition: {:#?}", p.summary);
        }
    }
}

#[test]
fn statements_about_a_table_or_column_read_as_the_instruction_they_ask_for() {
    // Index
    let idx = indexes("orders.status should be indexed");
    assert_eq!(idx.len(), 1, "{idx:?}");
    assert_eq!(
        (idx[0].0.as_str(), idx[0].1.clone()),
        ("orders", vec!["status".to_string()])
    );
    // Drop a column, said three ways
    for r in [
        "users.state is obsolete and should go",
        "the zip column in users should not exist anymore",
        "zip in users can be dropped",
    ] {
        let d = drops(r);
        assert_eq!(d.len(), 1, "{r}: {d:?}");
        assert_eq!(d[0].0, "users", "{r}");
    }
    // Drop a table
    let p = ok("the unused_table table is obsolete and should go");
    assert!(
        matches!(&p.changes[0], Change::DropTable(t) if t.name == "unused_table"),
        "{:#?}",
        p.summary
    );
    // Rename
    let p = ok("the city column in users should be named town instead");
    assert!(
        matches!(&p.changes[0], Change::RenameColumn(x) if x.column == "city" && x.new_name == "town"),
        "{:#?}",
        p.summary
    );
    // Nullable
    let p = ok("name in users doesn't have to be filled in anymore");
    assert!(
        matches!(&p.changes[0], Change::DropNotNull(x) if x.column == "name"),
        "{:#?}",
        p.summary
    );
    // Add
    adds_one(
        "customers is missing a last_login_at column",
        "customers",
        "last_login_at",
    );
    // Not instructions: nothing is read into them.
    refused("users.state is not required anymore but keep it");
    refused("users should not be dropped");
}

#[test]
fn a_new_columns_name_is_where_the_request_puts_it() {
    adds_one(
        "introduce a counter field renewals on customers (int, default 0)",
        "customers",
        "renewals",
    );
    adds_one(
        "add UUID column for customers with name sync_uuid",
        "customers",
        "sync_uuid",
    );
    adds_one(
        "add a tracking column called sync_token to customers",
        "customers",
        "sync_token",
    );
    // The words before "column" are the name when none follows it.
    adds_one(
        "add a last login column to customers",
        "customers",
        "last_login",
    );
    // A description after a pronoun adds nothing to the name.
    let p = ok("please add checked_at to customers and it take the current time by default");
    let a = added(&p);
    assert_eq!(a.len(), 1, "{:#?}", p.summary);
    assert_eq!(a[0].1.name, "checked_at");
    assert!(a[0].1.default.is_some(), "{:#?}", p.summary);
}

#[test]
fn what_something_should_be_is_read_after_what_it_is() {
    for r in [
        "users.zip is a string but it should be an integer",
        "zip in users is a varchar(20) but it should be an actual number (integer)",
        "Sorting is broken because users.zip is a string. It should be an integer.",
    ] {
        assert!(
            matches!(&ok(r).changes[..], [Change::AlterColumnType(a)]
                if a.column == "zip" && a.new_type == crate::model::ColumnType::Integer),
            "{r}"
        );
    }
}

#[test]
fn a_clause_asking_that_something_stay_asks_for_nothing() {
    let p = ok("add a nickname column to users. Leave users.username alone for now.");
    assert_eq!(added(&p).len(), 1);
    assert_eq!(added(&p)[0].1.name, "nickname");
    let p = ok(
        "The zip column on users should really be called postcode, that's all it's ever used for.",
    );
    assert!(
        matches!(&p.changes[..], [Change::RenameColumn(r)] if r.column == "zip" && r.new_name == "postcode"),
        "{:?}",
        p.changes
    );
}
