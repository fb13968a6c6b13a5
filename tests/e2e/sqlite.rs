//! End-to-end tests of the sqlite dialect: round trips of a fixture using every construct and of
//! hostile identifiers, every change variant rendered, executed against a live database (table
//! rebuilds included, with rows and foreign keys from other tables kept) and read back, and the
//! CLI creating a database file on demand.

use ai_shell::connection::Database;
use ai_shell::model::{
    Change, ColumnType, DatabaseSchema, LockLevel, PluginError, Statement, Table,
};
use ai_shell::plugins::cache::ComponentCache;
use ai_shell::plugins::{DialectPlugin, Limits, PluginCallError, PluginRegistry, Runtime};
use serde_json::{Value, json};

use crate::support::{self, Engine, TestDb, block_on};

const EVERY_CONSTRUCT: &str = include_str!("../fixtures/sqlite/every_construct.sql");
const HOSTILE: &str = include_str!("../fixtures/sqlite/hostile_identifiers.sql");

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
    let model = support::assert_round_trip(Engine::Sqlite, EVERY_CONSTRUCT);
    assert_eq!(
        names(&model["tables"]),
        [
            "Mixed Case",
            "authors",
            "books",
            "series",
            "strict_things",
            "tree"
        ]
    );
    let authors = table(&model, "authors");
    assert_eq!(column(authors, "id")["data_type"], json!("Integer"));
    assert_eq!(column(authors, "id")["identity"], json!("AutoIncrement"));
    assert_eq!(column(authors, "name")["collation"], json!("NOCASE"));
    assert_eq!(column(authors, "name")["nullable"], json!(false));
    assert_eq!(
        column(authors, "email")["data_type"],
        json!({"Varchar": 255})
    );
    assert_eq!(
        column(authors, "score")["data_type"],
        json!({"Other": "INT"})
    );
    assert_eq!(column(authors, "score")["default"], json!("-1"));
    assert_eq!(column(authors, "bio")["data_type"], json!("Text"));
    assert_eq!(
        column(authors, "legacy")["data_type"],
        json!({"Other": "DATETIME"})
    );
    assert_eq!(
        column(authors, "anything")["data_type"],
        json!({"Other": ""})
    );
    assert_eq!(column(authors, "active")["data_type"], json!("Boolean"));
    assert_eq!(
        column(authors, "price")["data_type"],
        json!({"Numeric": {"precision": 10, "scale": 2}})
    );
    assert_eq!(
        column(authors, "joined")["default"],
        json!("CURRENT_TIMESTAMP")
    );
    assert_eq!(
        column(authors, "stamp")["default"],
        json!("(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")
    );
    assert_eq!(column(authors, "raw")["default"], json!("x'00ff'"));
    assert_eq!(
        column(authors, "name_upper")["generated"],
        json!({"expression": "upper(name)", "stored": true})
    );
    assert_eq!(
        column(authors, "name_len")["generated"],
        json!({"expression": "length(name)", "stored": false})
    );
    assert_eq!(
        authors["primary_key"],
        json!({"name": null, "columns": ["id"]})
    );
    assert_eq!(
        authors["uniques"],
        json!([{"name": "", "columns": ["email"]}, {"name": "uq_authors_name_born", "columns": ["name", "born"]}])
    );
    assert_eq!(
        authors["checks"],
        json!([
            {"name": "", "expression": "length(name) > 0"},
            {"name": "", "expression": "rating BETWEEN 0 AND 5"},
            {"name": "ck_authors_score", "expression": "score >= -1"}
        ])
    );
    assert_eq!(
        names(&authors["indexes"]),
        ["ix_authors_email_nocase", "ix_authors_lower_name"]
    );
    let lower = &authors["indexes"][1];
    assert_eq!(
        lower["keys"][0]["target"],
        json!({"Expression": "lower(name)"})
    );
    assert_eq!(lower["keys"][0]["descending"], json!(true));
    assert_eq!(lower["keys"][1]["target"], json!({"Column": "born"}));
    assert_eq!(
        authors["indexes"][0]["keys"][0]["collation"],
        json!("NOCASE")
    );

    let series = table(&model, "series");
    assert_eq!(series["options"], json!(["WITHOUT ROWID"]));
    assert_eq!(
        series["primary_key"],
        json!({"name": "pk_series", "columns": ["code", "part"]})
    );
    assert_eq!(table(&model, "strict_things")["options"], json!(["STRICT"]));
    let mixed = table(&model, "Mixed Case");
    assert_eq!(mixed["options"], json!(["WITHOUT ROWID", "STRICT"]));
    assert_eq!(column(mixed, "Value")["collation"], json!("RTRIM"));

    let books = table(&model, "books");
    let fks = books["foreign_keys"].as_array().unwrap();
    assert_eq!(fks.len(), 3);
    // `REFERENCES authors` without columns means the parent's primary key.
    let editor = fks
        .iter()
        .find(|f| f["columns"] == json!(["editor_id"]))
        .unwrap();
    assert_eq!(editor["referenced_columns"], json!(["id"]));
    let author = fks
        .iter()
        .find(|f| f["columns"] == json!(["author_id"]))
        .unwrap();
    assert_eq!(author["on_delete"], json!("Cascade"));
    let series_fk = fks.iter().find(|f| f["name"] == "fk_books_series").unwrap();
    assert_eq!(series_fk["on_delete"], json!("SetNull"));
    assert_eq!(
        (&series_fk["deferrable"], &series_fk["initially_deferred"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(
        books["checks"],
        json!([{"name": "ck_books_pages", "expression": "pages > 0"}])
    );
    assert_eq!(
        books["uniques"],
        json!([{"name": "", "columns": ["author_id", "title"]}])
    );
    let partial = &books["indexes"][0];
    assert_eq!(partial["name"], json!("ix_books_series"));
    assert_eq!(partial["unique"], json!(true));
    assert_eq!(partial["predicate"], json!("series_code IS NOT NULL"));
    assert_eq!(partial["keys"][1]["descending"], json!(true));

    let tree = table(&model, "tree");
    assert_eq!(tree["foreign_keys"][0]["name"], json!("fk_tree_parent"));
    assert_eq!(tree["foreign_keys"][0]["on_update"], json!("Cascade"));
    assert_eq!(tree["foreign_keys"][0]["on_delete"], json!("Restrict"));
    assert_eq!(
        tree["uniques"],
        json!([{"name": "uq_tree_code", "columns": ["code"]}])
    );

    assert_eq!(names(&model["views"]), ["author_names", "long_books"]);
    assert!(
        model["views"][0]["definition"]
            .as_str()
            .unwrap()
            .starts_with("SELECT id, name")
    );
    assert_eq!(
        names(&model["objects"]),
        ["trg_books_title", "trg_long_books_insert"]
    );
    assert_eq!(model["objects"][0]["kind"], json!("trigger"));
    assert_eq!(model["objects"][1]["table"]["name"], json!("long_books"));
}

#[test]
fn hostile_identifiers_round_trip_and_cannot_inject() {
    let model = support::assert_round_trip(Engine::Sqlite, HOSTILE);
    let weird_name = "we\"ird; DROP TABLE canary; --";
    assert_eq!(names(&model["tables"]), ["canary", "child]s", weird_name]);
    let weird = table(&model, weird_name);
    assert_eq!(
        names(&weird["columns"]),
        [
            "id\"",
            "back`tick",
            "[bracket]",
            "semi;colon",
            "new\nline",
            "ünïcödé 名前"
        ]
    );
    assert_eq!(
        column(weird, "back`tick")["default"],
        json!("'it''s; DROP TABLE canary; --'")
    );
    assert_eq!(weird["uniques"][0]["name"], json!("uq]`"));
    assert_eq!(
        weird["uniques"][0]["columns"],
        json!(["back`tick", "[bracket]"])
    );
    assert_eq!(names(&weird["checks"]), ["", "ck\"; DROP TABLE canary; --"]);
    assert_eq!(
        weird["indexes"][0]["name"],
        json!("ix\"; DROP TABLE canary; --")
    );
    assert_eq!(
        weird["indexes"][0]["keys"][0]["target"],
        json!({"Column": "new\nline"})
    );
    let child = table(&model, "child]s");
    assert_eq!(names(&child["columns"]), ["id\"`", "ref"]);
    assert_eq!(child["foreign_keys"][0]["name"], json!("fk\"x"));
    assert_eq!(
        child["foreign_keys"][0]["referenced_table"]["name"],
        json!(weird_name)
    );
    assert_eq!(
        child["foreign_keys"][0]["referenced_columns"],
        json!(["id\""])
    );
    assert_eq!(names(&model["views"]), ["v\"; DROP TABLE canary; --"]);
    assert_eq!(names(&model["objects"]), ["t\"r"]);
}

fn dialect() -> DialectPlugin {
    let runtime = Runtime::new(
        Limits::default(),
        ComponentCache::at(support::cache_dir().join("components")),
    )
    .unwrap();
    block_on(PluginRegistry::new(runtime, None).built_in("sqlite"))
        .expect("the sqlite dialect loads")
}

fn introspect(db: &TestDb, d: &DialectPlugin) -> DatabaseSchema {
    block_on(async {
        let conn = Database::connect(db.url()).await.unwrap();
        let schema = d.introspect(&conn).await.unwrap();
        conn.close().await;
        schema
    })
}

/// The statements as one script, as an executor runs them: runs of in-transaction statements
/// inside `BEGIN`/`COMMIT`, outside-transaction statements between them, all on one connection.
fn transactional_script(statements: &[Statement]) -> String {
    let mut out = String::new();
    let mut open = false;
    for s in statements {
        if s.outside_transaction && open {
            out.push_str("COMMIT;\n");
            open = false;
        } else if !s.outside_transaction && !open {
            out.push_str("BEGIN;\n");
            open = true;
        }
        out.push_str(&s.sql);
        out.push_str(";\n");
    }
    if open {
        out.push_str("COMMIT;\n");
    }
    out
}

fn render(db: &TestDb, d: &DialectPlugin, changes: &[Change]) -> Vec<Statement> {
    let current = introspect(db, d);
    block_on(d.render(changes, &current)).unwrap_or_else(|e| panic!("render: {e}"))
}

/// Renders `changes` against the live schema, runs them, and returns the statements.
fn apply(db: &TestDb, d: &DialectPlugin, changes: &[Change]) -> Vec<Statement> {
    let statements = render(db, d, changes);
    let script = transactional_script(&statements);
    db.try_exec(&script)
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"));
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

fn key(target: Value, descending: bool) -> Value {
    json!({"target": target, "descending": descending, "nulls_first": null, "opclass": null,
           "collation": null, "prefix_length": null})
}

fn find<'a>(schema: &'a DatabaseSchema, name: &str) -> Option<&'a Table> {
    schema.tables.iter().find(|t| t.name.name == name)
}

/// One row of a query's result, as text joined by `|`, read through the sqlite3-free host path.
fn query(db: &TestDb, sql: &str) -> Vec<String> {
    block_on(async {
        let conn = Database::connect(db.url()).await.unwrap();
        let mut session = conn.read_only_session().await.unwrap();
        let result = session
            .query(sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        session.finish().await.unwrap();
        conn.close().await;
        result
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|v| match v {
                        ai_shell::model::SqlValue::Null => "NULL".to_string(),
                        ai_shell::model::SqlValue::Integer(i) => i.to_string(),
                        ai_shell::model::SqlValue::Text(s) => s.clone(),
                        other => format!("{other:?}"),
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect()
    })
}

const BASE: &str = "
CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE,
  qty INTEGER NOT NULL DEFAULT 0, old_col TEXT, label TEXT, note TEXT);
CREATE TABLE grandchild (id INTEGER PRIMARY KEY, child_id INTEGER REFERENCES child (id) ON DELETE CASCADE);
CREATE TABLE doomed (x INTEGER);
CREATE TABLE keyless (a INTEGER NOT NULL, b INTEGER NOT NULL);
CREATE TABLE pk_doomed (a INTEGER NOT NULL, CONSTRAINT pk_doomed_pk PRIMARY KEY (a));
CREATE TABLE tagged (id INTEGER PRIMARY KEY, u TEXT, i INTEGER, c INTEGER,
  CONSTRAINT tagged_u UNIQUE (u), CONSTRAINT tagged_c CHECK (c > 0),
  CONSTRAINT tagged_fk FOREIGN KEY (i) REFERENCES parent (id));
CREATE INDEX tagged_i ON tagged (i);
CREATE VIEW doomed_view AS SELECT 1 AS one;
CREATE VIEW child_view AS SELECT id, qty FROM child;
CREATE TRIGGER child_touch AFTER UPDATE ON child BEGIN UPDATE parent SET code = code WHERE id = new.parent_id; END;
INSERT INTO parent VALUES (1, 'p1'), (2, 'p2');
INSERT INTO child (id, parent_id, qty, old_col, label, note) VALUES (10, 1, 3, 'o', 'l', 'n'), (11, 2, 4, NULL, 'm', NULL);
INSERT INTO grandchild VALUES (100, 10), (101, 11);
INSERT INTO keyless VALUES (1, 2);
INSERT INTO pk_doomed VALUES (7);
INSERT INTO tagged VALUES (1, 'x', 1, 5);
";

#[test]
fn every_change_variant_renders_and_applies() {
    let db = TestDb::new(Engine::Sqlite);
    db.exec(BASE);
    let d = dialect();
    let list = changes(json!([
        {"CreateTable": {
            "name": t("gadgets"),
            "columns": [
                {"name": "id", "data_type": "Integer", "nullable": false, "default": null,
                 "identity": "AutoIncrement", "generated": null, "collation": null, "comment": null},
                col("name", json!({"Varchar": 50}), false, None),
                col("price", json!({"Numeric": {"precision": 8, "scale": 2}}), true, Some("0.00")),
                {"name": "double_price", "data_type": {"Numeric": {"precision": 9, "scale": 2}}, "nullable": true,
                 "default": null, "identity": null, "generated": {"expression": "price * 2", "stored": true},
                 "collation": null, "comment": null},
                col("made", json!({"Timestamp": null}), false, Some("CURRENT_TIMESTAMP")),
                col("parent_id", json!("Integer"), true, None),
            ],
            "primary_key": {"name": "pk_gadgets", "columns": ["id"]},
            "uniques": [{"name": "gadgets_name", "columns": ["name"]}],
            "indexes": [{"name": "ix_gadgets_price", "unique": false, "method": "Btree",
                "keys": [key(json!({"Column": "price"}), true)],
                "included_columns": [], "predicate": null, "comment": null}],
            "foreign_keys": [{"name": "fk_gadgets_parent", "columns": ["parent_id"], "referenced_table": t("parent"),
                "referenced_columns": ["id"], "on_delete": "SetNull", "on_update": "NoAction",
                "deferrable": false, "initially_deferred": false}],
            "checks": [{"name": "ck_gadgets_price", "expression": "price >= 0"}],
            "comment": null,
            "options": []
        }},
        {"DropTable": t("doomed")},
        {"RenameTable": {"table": t("child"), "new_name": "kid"}},
        {"AddColumn": {"table": t("kid"), "column": {"name": "added", "data_type": "Text",
            "nullable": false, "default": "'x'", "identity": null, "generated": null,
            "collation": "NOCASE", "comment": null}}},
        {"AddColumn": {"table": t("kid"), "column": col("created", json!({"Timestamp": null}), true, Some("CURRENT_TIMESTAMP"))}},
        {"DropColumn": {"table": t("kid"), "column": "old_col"}},
        {"RenameColumn": {"table": t("kid"), "column": "label", "new_name": "tag"}},
        {"AlterColumnType": {"table": t("kid"), "column": "tag", "new_type": {"Varchar": 40}, "using": "upper(\"tag\")"}},
        {"SetNotNull": {"table": t("kid"), "column": "parent_id"}},
        {"DropNotNull": {"table": t("kid"), "column": "qty"}},
        {"SetDefault": {"table": t("kid"), "column": "qty", "default": "2 + 3"}},
        {"DropDefault": {"table": t("kid"), "column": "added"}},
        {"AddPrimaryKey": {"table": t("keyless"), "primary_key": {"name": "pk_keyless", "columns": ["a", "b"]}}},
        {"DropPrimaryKey": t("pk_doomed")},
        {"AddIndex": {"table": t("kid"), "concurrently": true, "index": {"name": "ix_kid_tag", "unique": false,
            "method": "Btree", "keys": [key(json!({"Column": "tag"}), false), key(json!({"Column": "qty"}), true)],
            "included_columns": [], "predicate": "qty > 0", "comment": null}}},
        {"AddIndex": {"table": t("kid"), "concurrently": false, "index": {"name": "ix_kid_lower_tag", "unique": false,
            "method": "Btree", "keys": [key(json!({"Expression": "lower(tag)"}), false)],
            "included_columns": [], "predicate": null, "comment": null}}},
        {"DropForeignKey": {"table": t("tagged"), "name": "tagged_fk"}},
        {"DropIndex": {"table": t("tagged"), "name": "tagged_i"}},
        {"AddUnique": {"table": t("kid"), "constraint": {"name": "uq_kid_note", "columns": ["note"]}}},
        {"DropUnique": {"table": t("tagged"), "name": "tagged_u"}},
        {"DropForeignKey": {"table": t("kid"), "name": ""}},
        {"AddForeignKey": {"table": t("kid"), "foreign_key": {"name": "fk_kid_parent", "columns": ["parent_id"],
            "referenced_table": t("parent"), "referenced_columns": ["id"], "on_delete": "Cascade",
            "on_update": "NoAction", "deferrable": false, "initially_deferred": false}}},
        {"AddCheck": {"table": t("kid"), "check": {"name": "ck_kid_qty", "expression": "qty >= 0"}}},
        {"DropCheck": {"table": t("tagged"), "name": "tagged_c"}},
        {"CreateView": {"name": t("kid_view"), "definition": "SELECT id, qty FROM kid", "materialized": false, "comment": null, "options": []}},
        {"DropView": {"name": t("doomed_view"), "materialized": false}},
        {"SetComment": {"table": t("kid"), "column": null, "comment": null}},
        {"CreateObject": {"kind": "trigger", "name": t("kid_bi"), "table": t("kid"),
            "definition": "CREATE TRIGGER kid_bi AFTER INSERT ON kid BEGIN UPDATE kid SET qty = qty + 1 WHERE id = new.id; END;"}},
        {"RawSql": {"up": "CREATE TABLE raw_made (id INTEGER)", "down": "DROP TABLE raw_made", "note": "test"}},
        {"DropColumn": {"table": t("kid"), "column": "tag"}},
    ]));
    let statements = apply(&db, &d, &list);
    let by_change = |i: usize| -> Vec<&Statement> {
        statements
            .iter()
            .filter(|s| s.change_index as usize == i)
            .collect()
    };
    assert!(statements.iter().all(|s| !s.sql.trim_end().ends_with(';')));
    assert!(!by_change(1)[0].reversible, "drop table destroys data");
    assert_eq!(
        by_change(3).len(),
        1,
        "a constant default is added in place"
    );
    assert!(
        by_change(3)[0]
            .sql
            .starts_with("ALTER TABLE \"kid\" ADD COLUMN")
    );
    assert!(
        by_change(4).iter().any(|s| s.rewrites_table),
        "CURRENT_TIMESTAMP default needs a rebuild"
    );
    assert_eq!(
        by_change(5).len(),
        1,
        "an unreferenced column is dropped in place"
    );
    assert!(!by_change(5)[0].reversible);
    let rebuild = by_change(8);
    assert!(
        rebuild.first().unwrap().outside_transaction && rebuild.last().unwrap().outside_transaction
    );
    assert!(
        rebuild[1..rebuild.len() - 1]
            .iter()
            .all(|s| !s.outside_transaction && s.rewrites_table && s.lock == LockLevel::Exclusive)
    );
    assert!(
        by_change(26).is_empty(),
        "dropping a comment that cannot exist is a no-op"
    );
    let drop_tag = by_change(29);
    assert!(
        drop_tag.len() > 1,
        "a column in an index is dropped by a rebuild"
    );
    assert!(
        drop_tag
            .iter()
            .filter(|s| s.rewrites_table)
            .all(|s| !s.reversible),
        "dropping a column destroys data"
    );

    let after = introspect(&db, &d);
    let gadgets = find(&after, "gadgets").expect("gadgets created");
    assert_eq!(gadgets.columns.len(), 6);
    assert_eq!(
        gadgets.primary_key.as_ref().unwrap().name.as_deref(),
        Some("pk_gadgets")
    );
    assert_eq!(
        gadgets.columns[0].identity,
        Some(ai_shell::model::IdentityKind::AutoIncrement)
    );
    assert!(
        gadgets.columns[3]
            .generated
            .as_ref()
            .is_some_and(|g| g.stored)
    );
    assert_eq!(
        gadgets.columns[4].default.as_deref(),
        Some("CURRENT_TIMESTAMP")
    );
    assert_eq!(gadgets.checks[0].name, "ck_gadgets_price");
    assert_eq!(gadgets.uniques[0].name, "gadgets_name");
    assert_eq!(gadgets.foreign_keys[0].name, "fk_gadgets_parent");
    assert!(gadgets.indexes[0].keys[0].descending);
    assert!(find(&after, "doomed").is_none());
    assert!(find(&after, "child").is_none());

    let kid = find(&after, "kid").expect("child renamed to kid");
    let kid_col = |n: &str| {
        kid.columns
            .iter()
            .find(|c| c.name == n)
            .unwrap_or_else(|| panic!("kid.{n}: {kid:#?}"))
    };
    let column_names: Vec<&str> = kid.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        column_names,
        ["id", "parent_id", "qty", "note", "added", "created"]
    );
    let added = kid_col("added");
    assert_eq!(
        (
            added.default.as_deref(),
            added.collation.as_deref(),
            added.nullable
        ),
        (None, Some("NOCASE"), false)
    );
    assert_eq!(
        kid_col("created").default.as_deref(),
        Some("CURRENT_TIMESTAMP")
    );
    assert!(!kid_col("parent_id").nullable);
    assert!(kid_col("qty").nullable);
    assert_eq!(kid_col("qty").default.as_deref(), Some("(2 + 3)"));
    assert!(
        kid.indexes.is_empty(),
        "indexes on the dropped column go with it: {:?}",
        kid.indexes
    );
    assert_eq!(
        kid.uniques
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>(),
        ["uq_kid_note"]
    );
    assert_eq!(kid.foreign_keys.len(), 1);
    assert_eq!(kid.foreign_keys[0].name, "fk_kid_parent");
    assert_eq!(kid.checks[0].name, "ck_kid_qty");
    assert_eq!(
        find(&after, "keyless")
            .unwrap()
            .primary_key
            .as_ref()
            .map(|p| (p.name.clone(), p.columns.clone())),
        Some((
            Some("pk_keyless".to_string()),
            vec!["a".to_string(), "b".to_string()]
        ))
    );
    assert!(find(&after, "pk_doomed").unwrap().primary_key.is_none());
    let tagged = find(&after, "tagged").unwrap();
    assert!(
        tagged.uniques.is_empty()
            && tagged.indexes.is_empty()
            && tagged.checks.is_empty()
            && tagged.foreign_keys.is_empty()
    );
    let grandchild = find(&after, "grandchild").unwrap();
    assert_eq!(
        grandchild.foreign_keys[0].referenced_table.name, "kid",
        "SQLite follows the rename"
    );
    let views: Vec<&str> = after.views.iter().map(|v| v.name.name.as_str()).collect();
    assert_eq!(views, ["child_view", "kid_view"]);
    let triggers: Vec<&str> = after.objects.iter().map(|o| o.name.name.as_str()).collect();
    assert_eq!(
        triggers,
        ["child_touch", "kid_bi"],
        "triggers survive the rebuilds"
    );
    assert!(find(&after, "raw_made").is_some());

    // The rows survived every rebuild, cascading foreign keys of other tables did not fire, and
    // every foreign key still holds.
    assert_eq!(
        query(
            &db,
            "SELECT id, parent_id, qty, note, added FROM kid ORDER BY id"
        ),
        ["10|1|3|n|x", "11|2|4|NULL|x"]
    );
    assert_eq!(
        query(&db, "SELECT id, child_id FROM grandchild ORDER BY id"),
        ["100|10", "101|11"]
    );
    assert_eq!(query(&db, "SELECT a, b FROM keyless"), ["1|2"]);
    assert_eq!(query(&db, "SELECT a FROM pk_doomed"), ["7"]);
    assert!(query(&db, "SELECT * FROM pragma_foreign_key_check").is_empty());
    assert_eq!(
        query(&db, "SELECT count(*) FROM child_view"),
        ["2"],
        "views still work"
    );
    assert_eq!(
        query(&db, "PRAGMA foreign_keys"),
        ["1"],
        "foreign keys are back on"
    );

    // AUTOINCREMENT keeps its high-water mark through a rebuild.
    db.exec("INSERT INTO gadgets (id, name) VALUES (41, 'a'); DELETE FROM gadgets;");
    apply(
        &db,
        &d,
        &changes(json!([{"DropNotNull": {"table": t("gadgets"), "column": "name"}}])),
    );
    db.exec("INSERT INTO gadgets (name) VALUES ('b')");
    assert_eq!(query(&db, "SELECT id FROM gadgets"), ["42"]);
}

#[test]
fn alter_column_type_without_using_keeps_values() {
    let db = TestDb::new(Engine::Sqlite);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT, g INTEGER GENERATED ALWAYS AS (id * 2) VIRTUAL) WITHOUT ROWID; INSERT INTO t (id, n) VALUES (1, '42');");
    let d = dialect();
    apply(
        &db,
        &d,
        &changes(json!([
            {"AlterColumnType": {"table": t("t"), "column": "n", "new_type": "Integer", "using": null}},
            {"RenameTable": {"table": t("t"), "new_name": "u"}},
            {"AddCheck": {"table": t("u"), "check": {"name": "", "expression": "n > 0"}}},
        ])),
    );
    let after = introspect(&db, &d);
    let u = find(&after, "u").unwrap();
    assert!(matches!(u.columns[1].data_type, ColumnType::Integer));
    assert_eq!(u.options, ["WITHOUT ROWID"]);
    assert_eq!(
        query(&db, "SELECT id, n, typeof(n), g FROM u"),
        ["1|42|integer|2"]
    );
}

#[test]
fn a_rebuild_inside_one_transaction_refuses_instead_of_cascading() {
    let db = TestDb::new(Engine::Sqlite);
    db.exec(BASE);
    let d = dialect();
    let statements = render(
        &db,
        &d,
        &changes(json!([{"SetNotNull": {"table": t("parent"), "column": "code"}}])),
    );
    // An executor that ignores `outside-transaction` runs everything in one transaction, where
    // `PRAGMA foreign_keys = OFF` does nothing: dropping `parent` would cascade into `child`.
    let mut script = String::from("BEGIN;\n");
    for s in &statements {
        script.push_str(&s.sql);
        script.push_str(";\n");
    }
    script.push_str("COMMIT;\n");
    let error = db
        .try_exec(&script)
        .expect_err("the guard stops the rebuild");
    assert!(error.contains("foreign_keys = OFF"), "{error}");
    assert_eq!(query(&db, "SELECT count(*) FROM child"), ["2"]);
}

#[test]
fn a_rebuild_that_breaks_a_foreign_key_fails() {
    let db = TestDb::new(Engine::Sqlite);
    db.exec("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER); INSERT INTO c VALUES (1, 99);");
    let d = dialect();
    let statements = render(
        &db,
        &d,
        &changes(json!([{"AddForeignKey": {"table": t("c"), "foreign_key": {
        "name": "fk_c_p", "columns": ["p_id"], "referenced_table": t("p"), "referenced_columns": ["id"],
        "on_delete": "NoAction", "on_update": "NoAction", "deferrable": false, "initially_deferred": false}}}])),
    );
    let error = db
        .try_exec(&transactional_script(&statements))
        .expect_err("the check stops the rebuild");
    assert!(error.contains("foreign key violations"), "{error}");
    let after = introspect(&db, &d);
    assert!(
        find(&after, "c").unwrap().foreign_keys.is_empty(),
        "rolled back"
    );
}

#[test]
fn what_sqlite_cannot_do_is_unsupported() {
    let d = dialect();
    let empty = DatabaseSchema::empty();
    for change in changes(json!([
        {"CreateNamespace": "app"},
        {"DropNamespace": "app"},
        {"CreateExtension": {"name": "pgcrypto", "namespace": null}},
        {"CreateEnumType": {"name": t("mood"), "labels": ["a"]}},
        {"DropEnumType": t("mood")},
        {"CreateSequence": {"name": t("s"), "data_type": null, "start": 1, "increment": 1,
            "min_value": null, "max_value": null, "cache": 1, "cycle": false}},
        {"DropSequence": t("s")},
        {"CreateView": {"name": t("mv"), "definition": "SELECT 1", "materialized": true, "comment": null, "options": []}},
        {"SetComment": {"table": t("x"), "column": null, "comment": "hello"}},
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
fn quote_identifier_doubles_double_quotes() {
    let d = dialect();
    assert_eq!(
        block_on(d.quote_identifier("a\"b; DROP TABLE x")).unwrap(),
        "\"a\"\"b; DROP TABLE x\""
    );
}

#[test]
fn export_creates_the_database_file_on_demand() {
    let db = TestDb::new(Engine::Sqlite);
    let path = std::path::PathBuf::from(db.url().strip_prefix("sqlite://").unwrap());
    assert!(!path.exists());
    let sql = support::run_ok(db.cli().args(["schema", "export", "--format", "sql"]));
    assert!(path.exists(), "schema export creates {}", path.display());
    assert!(
        !sql.contains("CREATE"),
        "an empty database exports no objects: {sql}"
    );
}

#[test]
fn hostile_identifiers_survive_rebuilds() {
    let db = TestDb::new(Engine::Sqlite);
    db.exec(HOSTILE);
    db.exec("INSERT INTO \"we\"\"ird; DROP TABLE canary; --\" (\"id\"\"\", \"semi;colon\") VALUES (1, 2); INSERT INTO \"child]s\" VALUES (1, 1);");
    let d = dialect();
    let weird = "we\"ird; DROP TABLE canary; --";
    apply(
        &db,
        &d,
        &changes(json!([
            {"SetNotNull": {"table": t(weird), "column": "semi;colon"}},
            {"RenameColumn": {"table": t(weird), "column": "new\nline", "new_name": "x\"; DROP TABLE canary; --"}},
            {"SetDefault": {"table": t(weird), "column": "ünïcödé 名前", "default": "'a''); DROP TABLE canary; --'"}},
            {"AddCheck": {"table": t(weird), "check": {"name": "c`]\"", "expression": "\"semi;colon\" < 100"}}},
        ])),
    );
    let after = introspect(&db, &d);
    assert!(find(&after, "canary").is_some());
    let table = find(&after, weird).unwrap();
    assert!(
        table
            .columns
            .iter()
            .any(|c| c.name == "x\"; DROP TABLE canary; --")
    );
    assert_eq!(
        table.indexes[0].keys[0].target,
        ai_shell::model::IndexTarget::Column("x\"; DROP TABLE canary; --".into())
    );
    assert!(table.checks.iter().any(|c| c.name == "c`]\""));
    assert_eq!(
        table
            .columns
            .iter()
            .find(|c| c.name == "ünïcödé 名前")
            .unwrap()
            .default
            .as_deref(),
        Some("'a''); DROP TABLE canary; --'")
    );
    assert_eq!(query(&db, "SELECT count(*) FROM \"child]s\""), ["1"]);
    assert!(query(&db, "SELECT * FROM pragma_foreign_key_check").is_empty());
}
