//! One request told in several sentences or pieces: a later sentence that says more of the same
//! change through a pronoun, what is said of "all of them", a scene set before the instruction,
//! a column named in words, and the indirect object of "give".

use super::fixture::*;
use crate::connection::Engine;
use crate::model::{Change, ColumnType};
use crate::planner::types::numeric;
use crate::planner::{RefusalKind, plan};

#[test]
fn a_later_sentence_about_it_adds_to_the_change() {
    for r in [
        "add nickname to users. Default it to 'anon'.",
        "add nickname to users. Make it default to 'anon'",
        "add nickname to users. Set its default to 'anon'.",
        "give the users table a column called nickname? Default it to 'anon'.",
    ] {
        let p = ok(r);
        let cols = added(&p);
        assert_eq!(cols.len(), 1, "{r}: {:#?}", p.summary);
        assert_eq!(cols[0].0, "users", "{r}");
        assert_eq!(
            cols[0].1.name, "nickname",
            "{r}: the pronoun's verb is no part of the name"
        );
        assert_eq!(cols[0].1.default.as_deref(), Some("'anon'"), "{r}");
    }
    let p = ok("add nickname and handle to users. Make them both required, default 'x'.");
    let cols = added(&p);
    assert_eq!(cols.len(), 2);
    for (_, c) in cols {
        assert!(!c.nullable, "{} is required", c.name);
        assert_eq!(c.default.as_deref(), Some("'x'"), "{}", c.name);
    }
}

#[test]
fn what_is_said_of_all_of_them_applies_to_each() {
    let p = ok("add iban, bic and holder_name to customers. All of them optional text for now.");
    let cols = added(&p);
    assert_eq!(cols.len(), 3, "{:#?}", p.summary);
    for (_, c) in &cols {
        assert_eq!(c.data_type, ColumnType::Text, "{}", c.name);
        assert!(c.nullable, "{}", c.name);
    }
    let p = ok("add lat and lng to customers, both decimal(9,6)");
    let cols = added(&p);
    assert_eq!(cols.len(), 2, "{:#?}", p.summary);
    assert!(cols.iter().all(|(_, c)| c.data_type == numeric(9, 6)));
}

#[test]
fn the_indirect_object_of_give_is_the_table() {
    for r in [
        "give the users table a column called nickname",
        "give users a nickname column",
    ] {
        let cols = added(&ok(r));
        assert_eq!(cols.len(), 1, "{r}");
        assert_eq!(
            (cols[0].0.as_str(), cols[0].1.name.as_str()),
            ("users", "nickname"),
            "{r}"
        );
    }
}

#[test]
fn lists_joined_by_plus_and_options_in_parentheses() {
    let p = ok("users: add nickname (varchar 80) + is_admin (bool, default false)");
    let cols = added(&p);
    assert_eq!(cols.len(), 2, "{:#?}", p.summary);
    assert_eq!(cols[0].1.data_type, ColumnType::Varchar(Some(80)));
    assert_eq!(cols[1].1.data_type, ColumnType::Boolean);
    // A type and constraints in parentheses are no list of allowed values.
    let p = ok(
        "accounts: add last_login_at (timestamp, null ok), failed_login_count (int, not null, default 0)",
    );
    let cols = added(&p);
    assert_eq!(cols.len(), 2, "{:#?}", p.summary);
    assert!(cols[0].1.nullable);
    assert!(matches!(
        cols[0].1.data_type,
        ColumnType::Timestamp(_) | ColumnType::TimestampTz(_)
    ));
    assert!(!cols[1].1.nullable);
    assert!(
        !p.changes.iter().any(|c| matches!(c, Change::AddCheck(_))),
        "{:#?}",
        p.summary
    );
    // "date + time" is one type, no list.
    let cols = added(&ok("add approved_at to users, date + time"));
    assert_eq!(cols.len(), 1);
    assert!(matches!(
        cols[0].1.data_type,
        ColumnType::Timestamp(_) | ColumnType::TimestampTz(_)
    ));
    // Values still are.
    let p = ok("add state_code (draft, published, archived) to posts");
    assert!(p.changes.iter().any(|c| matches!(c, Change::AddCheck(_))));
    // "null until ...": nullable; the condition only says when.
    let p = ok("add shipped_at timestamp to orders -- null until the order actually ships");
    let cols = added(&p);
    assert_eq!(cols.len(), 1, "{:#?}", p.summary);
    assert!(cols[0].1.nullable);
}

#[test]
fn a_column_named_in_words_is_that_column() {
    let p = ok("set the default of password hash in accounts to 'x'");
    assert!(
        matches!(&p.changes[0], Change::SetDefault(d) if d.column == "password_hash"),
        "{:#?}",
        p.summary
    );
}

#[test]
fn a_scene_before_the_instruction_may_name_its_table() {
    let p = ok(
        "comments get listed per post, sorted by created_at. please index post_id + created_at together",
    );
    assert!(
        p.changes.iter().any(|c| matches!(c, Change::AddIndex(a)
            if a.table.name == "comments" && a.index.keys.len() == 2)),
        "{:#?}",
        p.summary
    );
}

#[test]
fn foreign_keys_asked_for_with_make_and_pronouns() {
    for r in [
        "make comments.user_id a foreign key to users",
        "please comments.user_id make it point to the users table",
        "turn comments.user_id into a reference to users",
        "tie comments.user_id to users.id with a foreign key",
    ] {
        let fks = foreign_keys(&ok(r));
        assert_eq!(fks.len(), 1, "{r}");
        assert_eq!(fks[0].0, "comments", "{r}");
        assert_eq!(fks[0].1.referenced_table.name, "users", "{r}");
    }
    // Its own table, named again or said in the sentence before.
    let mut manager = col("manager_id", ColumnType::Integer);
    manager.nullable = true;
    let s = with_column(schema(), "users", manager);
    for r in [
        "make users.manager_id reference users",
        "users.manager_id is just another user. make it a proper foreign key",
    ] {
        let p = plan(r, &s, Engine::Postgres).unwrap_or_else(|e| panic!("{r}: {e:?}"));
        let fks = foreign_keys(&p);
        assert_eq!(fks.len(), 1, "{r}");
        assert_eq!(fks[0].1.referenced_table.name, "users", "{r}");
    }
}

#[test]
fn a_foreign_key_to_a_missing_table_is_refused_by_name() {
    for r in [
        "link comments.user_id to patrons",
        "comments.user_id should reference the patrons table",
        "to patrons, make comments.user_id a foreign key",
    ] {
        let e = refused(r);
        assert_eq!(e.kind, RefusalKind::NotFound, "{r}: {e:?}");
        assert!(e.message.contains("patrons"), "{r}: {}", e.message);
    }
}

#[test]
fn a_link_table_between_two_tables_in_other_words() {
    for r in [
        "add a many-to-many relationship between posts and users through a table called post_likes",
        "posts and users should be many-to-many, via a join table named post_likes",
        "post_likes: many-to-many posts <-> users",
        "m2m posts <-> users (table post_likes)",
    ] {
        let t = created(&ok(r)).clone();
        assert_eq!(t.name.name, "post_likes", "{r}");
        let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert!(
            cols.contains(&"post_id") && cols.contains(&"user_id"),
            "{r}: {cols:?}"
        );
    }
}

#[test]
fn a_new_table_in_terse_and_other_words() {
    for r in [
        "reviews: id, product_id int, label varchar(100), amount decimal(10,2)",
        "set up a reviews table: product_id -> products, label text",
        "new table reviews (product_id -> products, label text)",
        "please create new table reviews, columns are id, product_id integer, label varchar(100)",
    ] {
        let t = created(&ok(r)).clone();
        assert_eq!(t.name.name, "reviews", "{r}");
        assert!(t.columns.iter().any(|c| c.name == "product_id"), "{r}");
        assert!(t.columns.iter().any(|c| c.name == "label"), "{r}");
    }
    let t = created(&ok(
        "new table reviews (product_id -> products, label text)",
    ))
    .clone();
    assert_eq!(t.foreign_keys.len(), 1);
    assert_eq!(t.foreign_keys[0].referenced_table.name, "products");
}

#[test]
fn new_columns_wished_for_or_placed_without_a_verb() {
    for (r, table, column) in [
        (
            "we need nickname for users, please to add it",
            "users",
            "nickname",
        ),
        (
            "in posts I need a column contact_email",
            "posts",
            "contact_email",
        ),
        (
            "i want that products have one more column external_ref of type varchar(64)",
            "products",
            "external_ref",
        ),
        (
            "create a new column is_flagged (boolean) in posts",
            "posts",
            "is_flagged",
        ),
        ("height_cm on products please", "products", "height_cm"),
        (
            "commission (decimal 5,2) should go on orders",
            "orders",
            "commission",
        ),
    ] {
        let cols = added(&ok(r));
        assert_eq!(cols.len(), 1, "{r}");
        assert_eq!(
            (cols[0].0.as_str(), cols[0].1.name.as_str()),
            (table, column),
            "{r}"
        );
    }
    // Something said of a column that is not there is no new column.
    let p = plan(
        "bonus in users must be positive",
        &schema(),
        Engine::Postgres,
    );
    assert!(
        p.as_ref().map_or(true, |p| added(p).is_empty()),
        "{:?}",
        p.map(|p| p.summary)
    );
}

#[test]
fn terse_indexes_renames_and_checks() {
    for r in [
        "city in users: add an index",
        "users(city): index",
        "users(city) -> idx",
    ] {
        let p = ok(r);
        assert!(
            p.changes.iter().any(|c| matches!(c, Change::AddIndex(a)
                if a.table.name == "users" && a.index.keys.len() == 1)),
            "{r}: {:#?}",
            p.summary
        );
    }
    for (r, from, to) in [
        (
            "products: rename deprecated_field -> legacy_code",
            "deprecated_field",
            "legacy_code",
        ),
        (
            "rename table: user_details -> user_profiles",
            "user_details",
            "user_profiles",
        ),
        (
            "user_details → user_profiles (tbl)",
            "user_details",
            "user_profiles",
        ),
        (
            "call the comments table post_comments instead",
            "comments",
            "post_comments",
        ),
    ] {
        let p = ok(r);
        let renamed = p.changes.iter().any(|c| match c {
            Change::RenameColumn(x) => x.column == from && x.new_name == to,
            Change::RenameTable(x) => x.table.name == from && x.new_name == to,
            _ => false,
        });
        assert!(renamed, "{r}: {:#?}", p.summary);
    }
    let p = ok("products.stock >= 0");
    assert!(
        p.changes.iter().any(|c| matches!(c, Change::AddCheck(_))),
        "{:#?}",
        p.summary
    );
}

#[test]
fn what_it_is_said_after_the_request() {
    let p = ok("customers need a currency field. It is always exactly 3 letters, like EUR or USD.");
    let cols = added(&p);
    assert_eq!(cols.len(), 1, "{:#?}", p.summary);
    assert_eq!(cols[0].1.name, "currency");
    assert_eq!(cols[0].1.data_type, ColumnType::Char(Some(3)));
    let p = ok("i need to store names. add middle_name to users, its optional");
    let cols = added(&p);
    assert_eq!(cols.len(), 1, "{:#?}", p.summary);
    assert_eq!(cols[0].1.name, "middle_name");
}

#[test]
fn a_list_after_a_colon_for_the_table_the_sentence_names() {
    let p = ok(
        "On accounts we need the last login time and how many failed logins there were: - last_login_at (timestamp, null ok) - failed_login_count (int, not null, default 0)",
    );
    let cols = added(&p);
    assert_eq!(cols.len(), 2, "{:#?}", p.summary);
    assert!(cols.iter().all(|(t, _)| t == "accounts"));
    assert_eq!(cols[1].1.name, "failed_login_count");
}

#[test]
fn a_requirement_lifted_and_a_default_named_first() {
    for r in [
        "relax the not null on products.name",
        "get rid of the not null on products.name",
        "products.name should to allow empty values",
    ] {
        let p = ok(r);
        assert!(
            matches!(&p.changes[..], [Change::DropNotNull(c)] if c.column == "name"),
            "{r}: {:#?}",
            p.summary
        );
    }
    // A removal elsewhere in the sentence lifts nothing.
    let p = ok("make users.city not null");
    assert!(
        matches!(&p.changes[..], [Change::SetNotNull(_)]),
        "{:#?}",
        p.summary
    );
    for (r, column, value) in [
        (
            "use 0 as the default value of stock in products",
            "stock",
            "0",
        ),
        (
            "'pending' should be the default for status in users",
            "status",
            "'pending'",
        ),
    ] {
        let p = ok(r);
        assert!(
            matches!(&p.changes[..], [Change::SetDefault(d)] if d.column == column && d.default == value),
            "{r}: {:#?}",
            p.summary
        );
    }
}

#[test]
fn constraints_asked_for_in_other_words() {
    for r in [
        "ensure customers.email has no duplicates",
        "enforce uniqueness of email on customers",
        "forbid duplicate email values in customers",
        "there should be a unique constraint on customers(email)",
        "add a unique connstraint on email in customers",
    ] {
        let p = ok(r);
        let unique = p.changes.iter().any(|c| match c {
            Change::AddIndex(a) => a.index.unique && a.table.name == "customers",
            Change::AddUnique(u) => u.table.name == "customers",
            _ => false,
        });
        assert!(unique, "{r}: {:#?}", p.summary);
    }
    for r in [
        "constrain products.stock to values of zero or above",
        "enforce a non-negative stock on products",
        "add a check constranit on products so that stock >= 0",
    ] {
        let p = ok(r);
        assert!(
            p.changes.iter().any(|c| matches!(c, Change::AddCheck(a)
                if a.check.expression.ends_with(">= 0"))),
            "{r}: {:#?}",
            p.summary
        );
    }
    for r in [
        "create a multi-column index over customer_id and status on orders",
        "build a two-column index on orders: customer_id, then status",
    ] {
        let p = ok(r);
        assert!(
            p.changes
                .iter()
                .any(|c| matches!(c, Change::AddIndex(a) if a.index.keys.len() == 2)),
            "{r}: {:#?}",
            p.summary
        );
    }
    let p = ok("build an index over city on users");
    assert!(
        matches!(&p.changes[..], [Change::AddIndex(a)] if a.table.name == "users"),
        "{:#?}",
        p.summary
    );
    assert_eq!(
        foreign_keys(&ok("make orders.user_id a fk to users(id)")).len(),
        1
    );
}

#[test]
fn drops_renames_and_indexes_said_as_states_or_wishes() {
    let p = ok("users should no longer have a zip column");
    assert!(
        matches!(&p.changes[..], [Change::DropColumn(c)] if c.column == "zip"),
        "{:#?}",
        p.summary
    );
    // Without "no longer", a negated "have" is not read as a drop.
    refused("users should not have a zip column");
    for r in ["drop: unused_table", "remove: users.zip"] {
        assert!(
            matches!(
                &ok(r).changes[..],
                [Change::DropTable(_)] | [Change::DropColumn(_)]
            ),
            "{r}"
        );
    }
    for (r, from, to) in [
        (
            "please change the name of table comments, new name is post_comments",
            "comments",
            "post_comments",
        ),
        (
            "in users the column zip we want to call postal_code",
            "zip",
            "postal_code",
        ),
        (
            "rename users.zip, the new name should be postal_code",
            "zip",
            "postal_code",
        ),
    ] {
        let p = ok(r);
        let renamed = p.changes.iter().any(|c| match c {
            Change::RenameColumn(x) => x.column == from && x.new_name == to,
            Change::RenameTable(x) => x.table.name == from && x.new_name == to,
            _ => false,
        });
        assert!(renamed, "{r}: {:#?}", p.summary);
    }
    for r in [
        "users.city needs an index",
        "lookups on users.city need an index",
        "speed up lookups on users.city with an index",
    ] {
        let p = ok(r);
        assert!(
            matches!(&p.changes[..], [Change::AddIndex(a)] if a.table.name == "users"),
            "{r}: {:#?}",
            p.summary
        );
    }
    for r in [
        "orders needs a shipped_at timestamp, defaulting to now",
        "orders needs an integer retries that defaults to 0",
    ] {
        let cols = added(&ok(r));
        assert_eq!(cols.len(), 1, "{r}");
        assert!(cols[0].1.default.is_some(), "{r}: {:?}", cols[0].1);
    }
}

#[test]
fn a_request_written_as_a_record_one_field_a_line() {
    for r in [
        "new column:\n- table users\n- name renewals\n- int, default 0",
        "- table: users\n- add column: renewals\n- type: int\n- default: 0",
        "Changes:\n* users: new column renewals (int)",
    ] {
        let cols = added(&ok(r));
        assert_eq!(cols.len(), 1, "{r}");
        assert_eq!(
            (cols[0].0.as_str(), cols[0].1.name.as_str()),
            ("users", "renewals"),
            "{r}"
        );
        assert_eq!(cols[0].1.data_type, ColumnType::Integer, "{r}");
    }
    for r in [
        "users\n* last_checked_on: date\n* archived_at: timestamp",
        "- users\n  - last_checked_on (date)\n  - archived_at (timestamp)",
    ] {
        let cols = added(&ok(r));
        assert_eq!(cols.len(), 2, "{r}");
        assert!(cols.iter().all(|(t, _)| t == "users"), "{r}");
        assert_eq!(cols[0].1.data_type, ColumnType::Date, "{r}");
    }
    let p = ok("indexes:\n* users (city)");
    assert!(
        matches!(&p.changes[..], [Change::AddIndex(a)] if a.table.name == "users"),
        "{:#?}",
        p.summary
    );
    // A record without a table is no request.
    refused("new column:\n- name renewals\n- int");
}
