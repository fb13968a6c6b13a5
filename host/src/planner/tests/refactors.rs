//! Family 5: refactors that move data, each with a down that restores shape and data.

use super::fixture::*;
use crate::connection::Engine;
use crate::model::Change;
use crate::planner::{RefusalKind, plan};

const USE_CASE_2: &str = "
  extract address fields from users into separate addresses table:
  - create addresses table
  - move street, city, state, zip from users
  - add foreign key from users to addresses
  - handle users with no address (nullable)
";

fn kinds(changes: &[Change]) -> Vec<&'static str> {
    changes
        .iter()
        .map(|c| match c {
            Change::CreateTable(_) => "create",
            Change::CopyRows(_) => "copy",
            Change::AddColumn(_) => "add",
            Change::FillColumn(_) => "fill",
            Change::DropColumn(_) => "drop_column",
            Change::AddForeignKey(_) => "fk",
            Change::AddIndex(_) => "index",
            Change::DropTable(_) => "drop_table",
            Change::DropIndex(_) => "drop_index",
            Change::DropForeignKey(_) => "drop_fk",
            Change::SetNotNull(_) => "not_null",
            Change::RenameTable(_) => "rename",
            Change::RawSql(_) => "raw",
            _ => "other",
        })
        .collect()
}

#[test]
fn tutorial_extract_addresses() {
    for r in [
        USE_CASE_2,
        "extract address fields from users into separate addresses table: street, city, state, zip",
    ] {
        let p = ok(r);
        let k = kinds(&p.changes);
        assert_eq!(
            &k[..5],
            ["create", "copy", "add", "fill", "drop_column"],
            "{r}: {:#?}",
            p.summary
        );
        let t = created(&p);
        assert_eq!(t.name.name, "addresses");
        let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            cols,
            ["id", "street", "city", "state", "zip", "ai_shell_source_id"]
        );
        // The fill matches on the never-NULL key, not on nullable address columns.
        assert!(p.changes.iter().any(|c| matches!(c, Change::FillColumn(f) if f.column == "address_id" && f.match_on.len() == 1 && f.match_on[0].target == "id")));
        assert!(p.changes.iter().any(|c| matches!(c, Change::AddForeignKey(f) if f.foreign_key.on_delete == crate::model::FkAction::SetNull)));
        assert_eq!(
            p.changes
                .iter()
                .filter(|c| matches!(c, Change::DropColumn(d) if d.table.name == "users"))
                .count(),
            4
        );
        let down = p.down.as_ref().expect("a data-restoring down");
        let dk = kinds(down);
        assert_eq!(dk.iter().filter(|k| **k == "fill").count(), 4);
        assert_eq!(*dk.last().unwrap(), "drop_table");
        assert!(p.destructive);
        assert!(p.summary.iter().any(|l| l.contains("NULL")));
    }
}

#[test]
fn extract_not_null_columns_deduplicates() {
    let mut s = schema();
    let users = s
        .tables
        .iter_mut()
        .find(|t| t.name.name == "users")
        .unwrap();
    for c in &mut users.columns {
        if matches!(c.name.as_str(), "city" | "state") {
            c.nullable = false;
        }
    }
    let p = plan(
        "extract city and state from users into regions table",
        &s,
        Engine::Sqlite,
    )
    .unwrap();
    assert!(matches!(&p.changes[1], Change::CopyRows(c) if c.distinct));
    assert!(
        matches!(&p.changes[3], Change::FillColumn(f) if f.match_on.len() == 2),
        "{:#?}",
        p.summary
    );
    let down = p.down.unwrap();
    assert_eq!(
        down.iter()
            .filter(|c| matches!(c, Change::SetNotNull(_)))
            .count(),
        2
    );
}

#[test]
fn split_users_into_accounts_and_profiles() {
    let mut s = schema();
    s.tables.retain(|t| t.name.name != "accounts");
    let p = plan(
        "split users table into accounts and profiles",
        &s,
        Engine::Postgres,
    )
    .unwrap();
    assert!(matches!(&p.changes[0], Change::RenameTable(r) if r.new_name == "accounts"));
    let t = created(&p);
    assert_eq!(t.name.name, "profiles");
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert!(cols.contains(&"user_id"));
    assert!(cols.contains(&"bio_text") && cols.contains(&"city") && !cols.contains(&"username"));
    assert!(p.changes.iter().any(|c| matches!(c, Change::CopyRows(x) if x.columns[0].source == "id" && x.columns[0].target == "user_id")));
    let down = p.down.unwrap();
    assert!(matches!(down.last().unwrap(), Change::RenameTable(r) if r.new_name == "users"));
    // accounts exists in the full fixture.
    assert_eq!(
        refused("split users table into accounts and profiles").kind,
        RefusalKind::Unsupported
    );
}

#[test]
fn merge_user_details_into_users() {
    let p = ok("merge user_details into users table");
    let k = kinds(&p.changes);
    // The moved columns, then user_details' own key (and timestamps) kept as prefixed columns, so that the
    // rollback gives back every row with its id.
    assert_eq!(k.last(), Some(&"drop_table"));
    assert!(
        k[..k.len() - 1].chunks(2).all(|p| p == ["add", "fill"]),
        "{k:?}"
    );
    assert!(p.changes.iter().any(
        |c| matches!(c, Change::AddColumn(a) if a.table.name == "users" && a.column.name == "user_details_id")
    ));
    assert!(
        matches!(&p.changes[1], Change::FillColumn(f) if f.match_on[0].source == "user_id" && f.match_on[0].target == "id")
    );
    let down = p.down.unwrap();
    assert!(matches!(&down[0], Change::CreateTable(t) if t.name.name == "user_details"));
    assert!(matches!(&down[1], Change::CopyRows(c)
        if c.target.name == "user_details" && c.columns[0].target == "user_id"
            && c.when_any_not_null == ["user_details_id"]
            && c.columns.iter().any(|p| p.source == "user_details_id" && p.target == "id")));
    assert!(p.destructive);
}

#[test]
fn move_a_column_between_linked_tables() {
    for r in [
        "move bio from user_details into users and keep user_details",
        "move the bio column from user_details to users",
    ] {
        let p = ok(r);
        assert_eq!(kinds(&p.changes), ["add", "fill", "drop_column"], "{r}");
        assert!(matches!(&p.changes[1], Change::FillColumn(f)
            if f.target.name == "users" && f.source.name == "user_details" && f.value == "bio"
                && f.match_on[0].source == "user_id" && f.match_on[0].target == "id"));
        let down = p.down.as_ref().expect("a down that brings the values back");
        assert_eq!(kinds(down), ["add", "fill", "drop_column"], "{r}");
        assert!(p.destructive);
    }
}

#[test]
fn extract_into_a_child_table_that_points_back() {
    let p =
        ok("move the status column of orders into a new order_statuses table (order_id, status)");
    assert_eq!(kinds(&p.changes), ["create", "copy", "drop_column"]);
    let Change::CreateTable(t) = &p.changes[0] else {
        unreachable!()
    };
    assert!(
        t.foreign_keys
            .iter()
            .any(|f| f.columns == ["order_id"] && f.referenced_table.name == "orders")
    );
    let down = p.down.as_ref().unwrap();
    assert_eq!(kinds(down), ["add", "fill", "drop_table"]);
}

#[test]
fn denormalise_through_the_foreign_key() {
    for r in [
        "add customer_name to orders and fill it from customers.name",
        "add customer_name to orders, copied from customers",
    ] {
        let p = ok(r);
        assert_eq!(kinds(&p.changes), ["add", "fill"], "{r}");
        assert!(
            matches!(&p.changes[1], Change::FillColumn(f)
            if f.target.name == "orders" && f.source.name == "customers" && f.value == "name"
                && f.match_on[0].source == "id" && f.match_on[0].target == "customer_id"),
            "{r}"
        );
        assert!(!p.destructive);
    }
}
