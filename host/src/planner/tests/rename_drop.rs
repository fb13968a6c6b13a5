//! Family 4: renames, type changes and drops.

use super::fixture::*;
use crate::model::Change;
use crate::planner::RefusalKind;

#[test]
fn tutorial_rename_column_carries_index_names() {
    let p = ok("rename column username to user_name in accounts");
    assert!(
        matches!(&p.changes[0], Change::RenameColumn(r) if r.column == "username" && r.new_name == "user_name" && r.table.name == "accounts")
    );
    // The new index before the old one goes (MySQL/MariaDB keep a foreign key's index).
    assert!(
        matches!(&p.changes[1], Change::AddIndex(a) if a.index.name == "idx_accounts_user_name"
        && a.index.keys[0].target == crate::model::IndexTarget::Column("user_name".into()))
    );
    assert!(matches!(&p.changes[2], Change::DropIndex(o) if o.name == "idx_accounts_username"));
    assert!(!p.destructive);
    for r in [
        "rename accounts.username to user_name",
        "rename the username field of accounts to user_name",
        "rename username to user_name in account",
    ] {
        let p = ok(r);
        assert!(
            matches!(&p.changes[0], Change::RenameColumn(x) if x.table.name == "accounts"),
            "{r}"
        );
    }
}

#[test]
fn rename_table() {
    let mut s = schema();
    s.tables.retain(|t| t.name.name != "accounts");
    let p = crate::planner::plan(
        "rename users table to accounts",
        &s,
        crate::connection::Engine::Postgres,
    )
    .unwrap();
    assert!(
        matches!(&p.changes[0], Change::RenameTable(r) if r.table.name == "users" && r.new_name == "accounts")
    );
    let r = refused("rename users table to accounts");
    assert!(r.message.contains("already exists"));
    let p = ok("rename accounts table to logins");
    assert!(
        matches!(&p.changes[1], Change::AddIndex(a) if a.index.name == "idx_logins_username" && a.table.name == "logins")
    );
}

#[test]
fn drops_are_destructive() {
    let p = ok("remove deprecated_field from products");
    assert!(p.destructive);
    assert!(matches!(&p.changes[0], Change::DropColumn(c) if c.column == "deprecated_field"));
    let p = ok("drop unused_table");
    assert!(p.destructive);
    assert!(matches!(&p.changes[0], Change::DropTable(n) if n.name == "unused_table"));
    let p = ok("drop the customers table");
    assert!(matches!(&p.changes[0], Change::DropForeignKey(o) if o.table.name == "orders"));
    assert!(matches!(p.changes.last().unwrap(), Change::DropTable(_)));
    // A column with a foreign key and an index: both go first.
    let p = ok("drop column user_id from posts");
    assert!(matches!(&p.changes[0], Change::DropForeignKey(_)));
    assert!(matches!(&p.changes[1], Change::DropIndex(_)));
    assert!(matches!(&p.changes[2], Change::DropColumn(_)));
}

#[test]
fn drops_never_follow_a_typo() {
    let r = refused("drop unused_tabel");
    assert_eq!(r.kind, RefusalKind::NotFound);
    assert!(r.suggestions.contains(&"unused_table".to_string()));
    let r = refused("remove deprecated_feild from products");
    assert_eq!(r.kind, RefusalKind::NotFound);
    assert!(r.suggestions.contains(&"deprecated_field".to_string()));
    let r = refused("drop column id from users");
    assert_eq!(r.kind, RefusalKind::Unsafe);
}

#[test]
fn instruction_after_a_preamble_or_in_shorthand() {
    let p = ok("change the name of unused_table to archive");
    assert!(
        matches!(&p.changes[0], Change::RenameTable(r) if r.table.name == "unused_table" && r.new_name == "archive")
    );
    let p = ok("users.name -> full_name");
    assert!(
        matches!(&p.changes[0], Change::RenameColumn(r) if r.table.name == "users" && r.column == "name" && r.new_name == "full_name")
    );
    let p = ok("users.state is not needed anymore, remove it");
    assert!(
        matches!(&p.changes[..], [Change::DropColumn(c)] if c.table.name == "users" && c.column == "state")
    );
    // One trailing `;` ends the request; a `;` between statements is still refused.
    let p = ok("DROP TABLE unused_table;");
    assert!(matches!(&p.changes[0], Change::DropTable(n) if n.name == "unused_table"));
    assert_eq!(
        refused("drop table unused_table; drop table users;").kind,
        RefusalKind::Unsafe
    );
}

#[test]
fn type_changes_in_other_words() {
    let ty = |r: &str| match &ok(r).changes[..] {
        [Change::AlterColumnType(a)] => {
            (a.table.name.clone(), a.column.clone(), a.new_type.clone())
        }
        other => panic!("{r}: {other:?}"),
    };
    use crate::model::ColumnType;
    assert_eq!(
        ty("make users.name a text column"),
        ("users".into(), "name".into(), ColumnType::Text)
    );
    assert_eq!(
        ty("store comments.post_id as integer"),
        ("comments".into(), "post_id".into(), ColumnType::Integer)
    );
    assert_eq!(
        ty("widen products.name to 500 characters"),
        (
            "products".into(),
            "name".into(),
            ColumnType::Varchar(Some(500))
        )
    );
    assert_eq!(
        ty("shorten customers.name to varchar(50)"),
        (
            "customers".into(),
            "name".into(),
            ColumnType::Varchar(Some(50))
        )
    );
    assert_eq!(
        ty("posts.title should be text instead of varchar"),
        ("posts".into(), "title".into(), ColumnType::Text)
    );
}

#[test]
fn foreign_key_actions_and_drops_between_tables() {
    use crate::model::FkAction;
    let p = ok("make posts.user_id cascade on delete");
    assert!(matches!(&p.changes[0], Change::DropForeignKey(o) if o.name == "fk_posts_user_id"));
    assert!(
        matches!(&p.changes[1], Change::AddForeignKey(f) if f.foreign_key.on_delete == FkAction::Cascade && f.foreign_key.columns == ["user_id"])
    );
    let p = ok("remove the foreign key from comments to posts");
    assert!(
        matches!(&p.changes[..], [Change::DropForeignKey(o)] if o.name == "fk_comments_post_id" && o.table.name == "comments")
    );
}

#[test]
fn mysql_type_changes_go_around_foreign_keys() {
    use crate::connection::Engine;
    use crate::model::ColumnType;
    // comments.user_id and posts.user_id reference users.id (integer): on MySQL/MariaDB the keys
    // are dropped first, users.id widens too (both sides need one type), and the keys come back.
    let p = ok_on(
        "change user_id from integer to bigint in all tables",
        Engine::MySql,
    );
    let first_add = p
        .changes
        .iter()
        .position(|c| matches!(c, Change::AddForeignKey(_)))
        .unwrap();
    let last_drop = p
        .changes
        .iter()
        .rposition(|c| matches!(c, Change::DropForeignKey(_)))
        .unwrap();
    assert!(last_drop < first_add, "{:?}", p.changes);
    assert!(
        p.changes
            .iter()
            .any(|c| matches!(c, Change::AlterColumnType(a)
        if a.table.name == "users" && a.column == "id" && a.new_type == ColumnType::Bigint))
    );
    for t in ["posts", "comments", "user_details"] {
        assert!(
            p.changes
                .iter()
                .any(|c| matches!(c, Change::AlterColumnType(a)
                if a.table.name == t && a.column == "user_id")),
            "{t}"
        );
    }
    // Elsewhere a plain type change.
    let p = ok("change user_id from integer to bigint in all tables");
    assert!(
        p.changes
            .iter()
            .all(|c| matches!(c, Change::AlterColumnType(_)))
    );
}
