//! End-to-end tests of the mysql dialect (MariaDB 10.11 here): round trips of a fixture using every
//! construct, of a real schema and of hostile identifiers, and every change variant rendered,
//! executed and read back.

use ai_shell::connection::Database;
use ai_shell::model::{
    Change, ColumnType, DatabaseSchema, LockLevel, PluginError, Statement, Table,
};
use ai_shell::plugins::cache::ComponentCache;
use ai_shell::plugins::{DialectPlugin, Limits, PluginCallError, PluginRegistry, Runtime};
use serde_json::{Value, json};

use crate::support::{self, Engine, TestDb, block_on};

const EVERY_CONSTRUCT: &str = include_str!("../fixtures/mysql/every_construct.sql");
const HOSTILE: &str = include_str!("../fixtures/mysql/hostile_identifiers.sql");

fn table<'a>(model: &'a Value, name: &str) -> &'a Value {
    model["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"]["name"] == name)
        .unwrap_or_else(|| panic!("table {name} missing from {model:#}"))
}

fn column<'a>(table: &'a Value, name: &str) -> &'a Value {
    table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("column {name} missing from {table:#}"))
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v["name"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v["name"]["name"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn every_construct_round_trips() {
    let model = support::assert_round_trip(Engine::Mysql, EVERY_CONSTRUCT);
    let authors = table(&model, "authors");
    assert_eq!(
        column(authors, "id")["data_type"],
        json!({"Other": "int unsigned"})
    );
    assert_eq!(column(authors, "id")["identity"], json!("AutoIncrement"));
    assert_eq!(column(authors, "active")["data_type"], json!("Boolean"));
    assert_eq!(column(authors, "prefs")["data_type"], json!("Json"));
    assert_eq!(column(authors, "prefs")["collation"], Value::Null);
    assert_eq!(
        column(authors, "mood")["data_type"],
        json!({"InlineEnum": ["happy", "sad", "it's complicated"]})
    );
    assert_eq!(column(authors, "nick")["collation"], json!("utf8mb4_bin"));
    assert_eq!(column(authors, "name")["collation"], Value::Null);
    assert_eq!(column(authors, "bio")["default"], Value::Null);
    assert_eq!(
        column(authors, "legacy_code")["default"],
        json!("'AB\\\\C'")
    );
    assert_eq!(
        column(authors, "name_len")["generated"]["stored"],
        json!(true)
    );
    assert_eq!(authors["comment"], json!("people who write"));
    // The json_valid() check MariaDB adds for a JSON column is part of the type, not a check.
    assert_eq!(
        names(&authors["checks"]),
        ["ck_authors_rating", "ck_authors_weight"]
    );
    assert_eq!(
        names(&authors["uniques"]),
        ["uq_authors_name", "uq_authors_nick_code"]
    );
    assert_eq!(
        names(&authors["indexes"]),
        [
            "ft_authors_bio",
            "ix_authors_bio_prefix",
            "ix_authors_joined_desc"
        ]
    );
    let books = table(&model, "books");
    assert_eq!(books["primary_key"]["columns"], json!(["author_id", "seq"]));
    assert_eq!(
        names(&books["foreign_keys"]),
        ["fk_books_author", "fk_books_editor", "fk_books_series"]
    );
    assert_eq!(names(&books["checks"]), ["pages"]);
    let places = table(&model, "places");
    assert_eq!(places["indexes"][0]["method"], json!("Spatial"));
    assert_eq!(
        places["indexes"][0]["keys"][0]["prefix_length"],
        Value::Null
    );
    // MEMORY indexes are hash indexes by default, so every index keeps its method.
    let cache = table(&model, "lookup_cache");
    assert_eq!(cache["uniques"], json!([]));
    assert_eq!(
        names(&cache["indexes"]),
        ["ix_lookup_v", "uq_lookup_v_btree"]
    );
    assert_eq!(cache["indexes"][0]["method"], json!("Hash"));
    assert_eq!(cache["indexes"][1]["method"], json!("Btree"));
    assert_eq!(
        names(&model["views"]),
        ["author_count", "book_titles", "long_books"]
    );
    let book_titles = &model["views"][1]["definition"];
    assert!(
        !book_titles.as_str().unwrap().contains("aishell_t"),
        "view keeps the database name: {book_titles}"
    );
    assert_eq!(
        names(&model["objects"]),
        [
            "add_one",
            "log_message",
            "trg_books_audit",
            "trg_books_title",
            "trg_books_title2"
        ]
    );
}

#[test]
fn sharetribe_round_trips() {
    let model = support::assert_round_trip(
        Engine::Mysql,
        &support::shared_schema("sharetribe-mysql.sql"),
    );
    assert_eq!(model["tables"].as_array().unwrap().len(), 76);
    let people = table(&model, "people");
    assert!(!people["indexes"].as_array().unwrap().is_empty());
}

#[test]
fn hostile_identifiers_round_trip_and_cannot_inject() {
    let model = support::assert_round_trip(Engine::Mysql, HOSTILE);
    assert_eq!(
        names(&model["tables"]),
        ["canary", "child`s", "we`ird; DROP TABLE canary; --"]
    );
    let weird = table(&model, "we`ird; DROP TABLE canary; --");
    assert_eq!(
        column(weird, "semi;colon")["data_type"],
        json!({"InlineEnum": ["a'b", "c\\d", "e,f", ")", "`x`"]})
    );
    assert_eq!(
        column(weird, "--comment")["comment"],
        json!("'); DROP TABLE canary; --")
    );
    assert_eq!(weird["comment"], json!("t'); DROP TABLE canary; -- \\"));
    assert_eq!(column(weird, "new\nline")["data_type"], json!("Integer"));
    assert_eq!(names(&model["views"]), ["v`; DROP TABLE canary; --"]);
}

fn dialect() -> DialectPlugin {
    let runtime = Runtime::new(
        Limits::default(),
        ComponentCache::at(support::cache_dir().join("components")),
    )
    .unwrap();
    block_on(PluginRegistry::new(runtime, None).built_in("mysql")).expect("the mysql dialect loads")
}

fn introspect(db: &TestDb, d: &DialectPlugin) -> DatabaseSchema {
    block_on(async {
        let conn = Database::connect(db.url()).await.unwrap();
        let schema = d.introspect(&conn).await.unwrap();
        conn.close().await;
        schema
    })
}

/// Renders `changes` against the live schema, runs every statement, and returns them.
fn apply(db: &TestDb, d: &DialectPlugin, changes: &[Change]) -> Vec<Statement> {
    let current = introspect(db, d);
    let statements =
        block_on(d.render(changes, &current)).unwrap_or_else(|e| panic!("render: {e}"));
    for s in &statements {
        db.try_exec(&s.sql).unwrap_or_else(|e| {
            panic!(
                "statement of change {} failed: {e}\n{}",
                s.change_index, s.sql
            )
        });
    }
    statements
}

fn changes(value: Value) -> Vec<Change> {
    serde_json::from_value(value).expect("changes in the model's JSON form")
}

fn t(name: &str) -> Value {
    json!({"namespace": null, "name": name})
}

fn col(name: &str, data_type: Value, nullable: bool, default: Option<&str>) -> Value {
    json!({"name": name, "data_type": data_type, "nullable": nullable, "default": default,
           "identity": null, "generated": null, "collation": null, "comment": null})
}

fn find<'a>(schema: &'a DatabaseSchema, name: &str) -> Option<&'a Table> {
    schema.tables.iter().find(|t| t.name.name == name)
}

const BASE: &str = "
CREATE TABLE parent (id int NOT NULL, code varchar(10) NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB;
CREATE TABLE child (id int NOT NULL, parent_id int DEFAULT NULL, qty int NOT NULL DEFAULT 0,
  old_col int DEFAULT NULL, label varchar(10) DEFAULT NULL, note text, PRIMARY KEY (id)) ENGINE=InnoDB;
CREATE TABLE doomed (x int) ENGINE=InnoDB;
CREATE TABLE keyless (a int NOT NULL, b int NOT NULL) ENGINE=InnoDB;
CREATE TABLE pk_doomed (a int NOT NULL, PRIMARY KEY (a)) ENGINE=InnoDB;
CREATE TABLE tagged (id int NOT NULL PRIMARY KEY, u varchar(5), i int, c int,
  CONSTRAINT tagged_u UNIQUE (u), KEY tagged_i (i), CONSTRAINT tagged_c CHECK (c > 0),
  CONSTRAINT tagged_fk FOREIGN KEY (i) REFERENCES parent (id)) ENGINE=InnoDB;
CREATE VIEW doomed_view AS SELECT 1 AS one;
CREATE SEQUENCE seq_doomed;
";

#[test]
fn every_change_variant_renders_and_applies() {
    let db = TestDb::new(Engine::Mysql);
    db.exec(BASE);
    let d = dialect();
    let list = changes(json!([
        {"CreateTable": {
            "name": t("gadgets"),
            "columns": [
                {"name": "id", "data_type": "Bigint", "nullable": false, "default": null,
                 "identity": "AutoIncrement", "generated": null, "collation": null, "comment": "key"},
                col("name", json!({"Varchar": 50}), false, None),
                col("price", json!({"Numeric": {"precision": 8, "scale": 2}}), true, Some("0.00")),
                {"name": "double_price", "data_type": {"Numeric": {"precision": 9, "scale": 2}}, "nullable": true,
                 "default": null, "identity": null, "generated": {"expression": "`price` * 2", "stored": true},
                 "collation": null, "comment": null},
                col("kind", json!({"InlineEnum": ["a'b", "c\\d"]}), false, Some("'a''b'")),
                col("made", json!({"Timestamp": 3}), false, Some("current_timestamp(3)")),
            ],
            "primary_key": {"name": null, "columns": ["id"]},
            "uniques": [{"name": "gadgets_name", "columns": ["name"]}],
            "indexes": [{"name": "ix_gadgets_price", "unique": false, "method": "Btree",
                "keys": [{"target": {"Column": "price"}, "descending": true, "nulls_first": null,
                          "opclass": null, "collation": null, "prefix_length": null}],
                "included_columns": [], "predicate": null, "comment": "by price"}],
            "foreign_keys": [],
            "checks": [{"name": "ck_gadgets_price", "expression": "`price` >= 0"}],
            "comment": "gadgets",
            "options": ["ENGINE=InnoDB", "DEFAULT CHARSET=utf8mb4", "COLLATE=utf8mb4_bin"]
        }},
        {"DropTable": t("doomed")},
        {"RenameTable": {"table": t("child"), "new_name": "kid"}},
        {"AddColumn": {"table": t("kid"), "column": {"name": "added", "data_type": {"Varchar": 20},
            "nullable": false, "default": "'x'", "identity": null, "generated": null,
            "collation": "utf8mb4_bin", "comment": "new"}}},
        {"DropColumn": {"table": t("kid"), "column": "old_col"}},
        {"RenameColumn": {"table": t("kid"), "column": "label", "new_name": "tag"}},
        {"AlterColumnType": {"table": t("kid"), "column": "tag", "new_type": {"Varchar": 40}, "using": null}},
        {"SetNotNull": {"table": t("kid"), "column": "parent_id"}},
        {"DropNotNull": {"table": t("kid"), "column": "qty"}},
        {"SetDefault": {"table": t("kid"), "column": "qty", "default": "5"}},
        {"DropDefault": {"table": t("kid"), "column": "added"}},
        {"AddPrimaryKey": {"table": t("keyless"), "primary_key": {"name": null, "columns": ["a", "b"]}}},
        {"DropPrimaryKey": t("pk_doomed")},
        {"AddIndex": {"table": t("kid"), "concurrently": true, "index": {"name": "ix_kid_tag", "unique": false,
            "method": "Btree", "keys": [
                {"target": {"Column": "tag"}, "descending": false, "nulls_first": null, "opclass": null,
                 "collation": null, "prefix_length": 10},
                {"target": {"Column": "qty"}, "descending": true, "nulls_first": null, "opclass": null,
                 "collation": null, "prefix_length": null}],
            "included_columns": [], "predicate": null, "comment": "tag's prefix"}}},
        {"AddIndex": {"table": t("kid"), "concurrently": false, "index": {"name": "ft_kid_note", "unique": false,
            "method": "Fulltext", "keys": [
                {"target": {"Column": "note"}, "descending": false, "nulls_first": null, "opclass": null,
                 "collation": null, "prefix_length": null}],
            "included_columns": [], "predicate": null, "comment": null}}},
        {"DropForeignKey": {"table": t("tagged"), "name": "tagged_fk"}},
        {"DropIndex": {"table": t("tagged"), "name": "tagged_i"}},
        {"AddUnique": {"table": t("kid"), "constraint": {"name": "uq_kid_added", "columns": ["added"]}}},
        {"DropUnique": {"table": t("tagged"), "name": "tagged_u"}},
        {"AddForeignKey": {"table": t("kid"), "foreign_key": {"name": "fk_kid_parent", "columns": ["parent_id"],
            "referenced_table": t("parent"), "referenced_columns": ["id"], "on_delete": "Cascade",
            "on_update": "NoAction", "deferrable": false, "initially_deferred": false}}},
        {"AddCheck": {"table": t("kid"), "check": {"name": "ck_kid_qty", "expression": "`qty` >= 0"}}},
        {"DropCheck": {"table": t("tagged"), "name": "tagged_c"}},
        {"CreateView": {"name": t("kid_view"), "definition": "select `id`, `tag` from `kid`", "materialized": false, "comment": null, "options": []}},
        {"DropView": {"name": t("doomed_view"), "materialized": false}},
        {"SetComment": {"table": t("kid"), "column": null, "comment": "kids'; DROP TABLE parent; --"}},
        {"SetComment": {"table": t("kid"), "column": "tag", "comment": "the tag \\"}},
        {"CreateObject": {"kind": "trigger", "name": t("kid_bi"), "table": t("kid"),
            "definition": "CREATE TRIGGER `kid_bi` BEFORE INSERT ON `kid` FOR EACH ROW SET NEW.qty = NEW.qty + 1;"}},
        {"RawSql": {"up": "CREATE TABLE raw_made (id int)", "down": "DROP TABLE raw_made", "note": "test"}},
        {"CreateSequence": {"name": t("seq_new"), "data_type": null, "start": 10, "increment": 5,
            "min_value": null, "max_value": null, "cache": 1, "cycle": false}},
        {"DropSequence": t("seq_doomed")},
    ]));
    let statements = apply(&db, &d, &list);
    let script: Vec<String> = statements
        .iter()
        .map(|s| {
            format!(
                "-- change {} lock {:?} rewrites {} reversible {}\n{};",
                s.change_index, s.lock, s.rewrites_table, s.reversible, s.sql
            )
        })
        .collect();
    support::save_artifact("mysql-every-change.sql", &script.join("\n"));
    let by_change = |i: usize| -> Vec<&Statement> {
        statements
            .iter()
            .filter(|s| s.change_index as usize == i)
            .collect()
    };
    assert!(statements.iter().all(|s| !s.sql.trim_end().ends_with(';')));
    assert!(!by_change(1)[0].reversible, "drop table destroys data");
    assert!(!by_change(4)[0].reversible, "drop column destroys data");
    assert_eq!(
        by_change(3)[0].lock,
        LockLevel::None,
        "adding a column is instant"
    );
    assert!(by_change(6)[0].reversible, "widening a varchar keeps data");
    assert!(by_change(13)[0].sql.contains("LOCK=NONE"));

    let after = introspect(&db, &d);
    let gadgets = find(&after, "gadgets").expect("gadgets created");
    assert_eq!(gadgets.columns.len(), 6);
    assert_eq!(gadgets.comment.as_deref(), Some("gadgets"));
    assert_eq!(gadgets.checks[0].name, "ck_gadgets_price");
    assert_eq!(gadgets.uniques[0].name, "gadgets_name");
    assert_eq!(gadgets.indexes[0].comment.as_deref(), Some("by price"));
    assert!(gadgets.indexes[0].keys[0].descending);
    assert_eq!(gadgets.columns[0].comment.as_deref(), Some("key"));
    assert!(
        gadgets.columns[3]
            .generated
            .as_ref()
            .is_some_and(|g| g.stored)
    );
    assert_eq!(gadgets.columns[4].default.as_deref(), Some("'a''b'"));
    assert!(gadgets.options.contains(&"COLLATE=utf8mb4_bin".to_string()));
    assert!(find(&after, "doomed").is_none());
    assert!(find(&after, "child").is_none());
    let kid = find(&after, "kid").expect("child renamed to kid");
    let kid_col = |n: &str| {
        kid.columns
            .iter()
            .find(|c| c.name == n)
            .unwrap_or_else(|| panic!("kid.{n}: {kid:#?}"))
    };
    assert!(
        kid.columns
            .iter()
            .all(|c| c.name != "old_col" && c.name != "label")
    );
    let added = kid_col("added");
    assert_eq!(
        (
            added.default.as_deref(),
            added.collation.as_deref(),
            added.comment.as_deref(),
            added.nullable
        ),
        (None, Some("utf8mb4_bin"), Some("new"), false)
    );
    let tag = kid_col("tag");
    assert_eq!(tag.data_type, ColumnType::Varchar(Some(40)));
    assert_eq!(tag.comment.as_deref(), Some("the tag \\"));
    assert!(!kid_col("parent_id").nullable);
    assert!(kid_col("qty").nullable);
    assert_eq!(kid_col("qty").default.as_deref(), Some("5"));
    assert_eq!(
        find(&after, "keyless")
            .unwrap()
            .primary_key
            .as_ref()
            .unwrap()
            .columns,
        ["a", "b"]
    );
    assert!(find(&after, "pk_doomed").unwrap().primary_key.is_none());
    let ix = kid
        .indexes
        .iter()
        .find(|i| i.name == "ix_kid_tag")
        .expect("ix_kid_tag");
    assert_eq!(
        (
            ix.keys[0].prefix_length,
            ix.keys[1].descending,
            ix.comment.as_deref()
        ),
        (Some(10), true, Some("tag's prefix"))
    );
    assert!(kid.indexes.iter().any(|i| i.name == "ft_kid_note"));
    assert_eq!(
        kid.uniques
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>(),
        ["uq_kid_added"]
    );
    assert_eq!(kid.foreign_keys[0].name, "fk_kid_parent");
    assert_eq!(kid.checks[0].name, "ck_kid_qty");
    assert_eq!(kid.comment.as_deref(), Some("kids'; DROP TABLE parent; --"));
    assert!(find(&after, "parent").is_some());
    let tagged = find(&after, "tagged").unwrap();
    assert!(
        tagged.uniques.is_empty()
            && tagged.indexes.is_empty()
            && tagged.checks.is_empty()
            && tagged.foreign_keys.is_empty()
    );
    assert_eq!(
        after
            .views
            .iter()
            .map(|v| v.name.name.as_str())
            .collect::<Vec<_>>(),
        ["kid_view"]
    );
    assert!(
        after
            .objects
            .iter()
            .any(|o| o.name.name == "kid_bi" && o.kind == "trigger")
    );
    assert!(find(&after, "raw_made").is_some());
    db.try_exec("SELECT NEXTVAL(seq_new)")
        .expect("sequence created");
    assert!(
        db.try_exec("SELECT NEXTVAL(seq_doomed)").is_err(),
        "sequence dropped"
    );

    // ON UPDATE kept in a default survives a default change through MODIFY.
    apply(
        &db,
        &d,
        &changes(json!([
            {"AddColumn": {"table": t("kid"), "column": col("seen", json!({"Timestamp": null}), true, None)}},
            {"SetDefault": {"table": t("kid"), "column": "seen", "default": "current_timestamp() ON UPDATE current_timestamp()"}},
        ])),
    );
    let after = introspect(&db, &d);
    let seen = find(&after, "kid")
        .unwrap()
        .columns
        .iter()
        .find(|c| c.name == "seen")
        .unwrap()
        .clone();
    assert_eq!(
        seen.default.as_deref(),
        Some("current_timestamp() ON UPDATE current_timestamp()")
    );
}

#[test]
fn what_mysql_cannot_do_is_unsupported() {
    let d = dialect();
    let empty = DatabaseSchema::empty();
    for change in changes(json!([
        {"CreateNamespace": "app"},
        {"DropNamespace": "app"},
        {"CreateExtension": {"name": "pgcrypto", "namespace": null}},
        {"CreateEnumType": {"name": t("mood"), "labels": ["a"]}},
        {"DropEnumType": t("mood")},
        {"CreateView": {"name": t("mv"), "definition": "select 1", "materialized": true, "comment": null, "options": []}},
        {"AlterColumnType": {"table": t("x"), "column": "y", "new_type": "Integer", "using": "y::int"}},
        {"AddIndex": {"table": t("x"), "concurrently": false, "index": {"name": "partial", "unique": false,
            "method": "Btree", "keys": [{"target": {"Column": "y"}, "descending": false, "nulls_first": null,
            "opclass": null, "collation": null, "prefix_length": null}],
            "included_columns": [], "predicate": "y > 0", "comment": null}}},
    ])) {
        match block_on(d.render(std::slice::from_ref(&change), &empty)) {
            Err(PluginCallError::Failed {
                error: PluginError::UnsupportedChange(_),
                ..
            }) => {}
            other => panic!("{change:?} should be unsupported, got {other:?}"),
        }
    }
}

#[test]
fn quote_identifier_doubles_backticks() {
    let d = dialect();
    assert_eq!(
        block_on(d.quote_identifier("a`b; DROP TABLE x")).unwrap(),
        "`a``b; DROP TABLE x`"
    );
}
