//! End-to-end tests of the postgres dialect (PostgreSQL 15 here): round trips of a fixture using
//! every construct, of the real MusicBrainz schema and of hostile identifiers, and every change
//! variant rendered, executed against a live database and read back.

use std::time::Instant;

use ai_shell::connection::Database;
use ai_shell::model::{Change, ColumnType, DatabaseSchema, LockLevel, Statement, Table};
use ai_shell::plugins::cache::ComponentCache;
use ai_shell::plugins::{DialectPlugin, Limits, PluginRegistry, Runtime};
use serde_json::{Value, json};

use crate::support::{self, Engine, TestDb, block_on};

const EVERY_CONSTRUCT: &str = include_str!("../fixtures/postgres/every_construct.sql");
const HOSTILE: &str = include_str!("../fixtures/postgres/hostile_identifiers.sql");

fn dialect() -> DialectPlugin {
    let runtime = Runtime::new(
        Limits::default(),
        ComponentCache::at(support::cache_dir().join("components")),
    )
    .unwrap();
    block_on(PluginRegistry::new(runtime, None).built_in("postgres"))
        .expect("the postgres dialect loads")
}

fn introspect(db: &TestDb, d: &DialectPlugin) -> DatabaseSchema {
    block_on(async {
        let conn = Database::connect(db.url()).await.unwrap();
        let schema = d.introspect(&conn).await.unwrap();
        conn.close().await;
        schema
    })
}

/// Renders `changes` against the live schema and runs each statement on its own (so that the
/// ones marked outside-transaction really run outside one).
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

fn q(namespace: &str, name: &str) -> Value {
    json!({"namespace": namespace, "name": name})
}

fn col(name: &str, data_type: Value, nullable: bool, default: Option<&str>) -> Value {
    json!({"name": name, "data_type": data_type, "nullable": nullable, "default": default,
           "identity": null, "generated": null, "collation": null, "comment": null})
}

fn find<'a>(schema: &'a DatabaseSchema, namespace: &str, name: &str) -> Option<&'a Table> {
    schema
        .tables
        .iter()
        .find(|t| t.name.name == name && t.name.namespace.as_deref() == Some(namespace))
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_construct_round_trips() {
    let model = support::assert_round_trip(Engine::Postgres, EVERY_CONSTRUCT);
    assert_eq!(model["namespaces"], json!(["Audit Log", "app"]));
    assert_eq!(
        model["extensions"],
        json!([{"name": "cube", "namespace": "public"}])
    );
    assert_eq!(names(&model["sequences"]), ["invoice_no", "plain_seq"]);
    let teams = model["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"]["name"] == "teams")
        .unwrap();
    assert_eq!(
        teams["columns"][0]["identity"],
        json!("AutoIncrement"),
        "bigserial is read back as one"
    );
    assert_eq!(teams["columns"][0]["default"], json!(null));
    let kinds: Vec<&str> = model["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "collation",
        "domain",
        "type",
        "function",
        "procedure",
        "aggregate",
        "trigger",
        "constraint",
        "index",
        "comment",
    ] {
        assert!(
            kinds.contains(&kind),
            "no {kind} among the objects: {kinds:?}"
        );
    }
    assert_eq!(
        names(&model["views"]),
        ["active_users", "team_sizes", "big_teams", "user_stats"],
        "views in dependency order"
    );
}

/// The MusicBrainz schema without psql's meta-commands.
fn musicbrainz() -> String {
    support::shared_schema("musicbrainz-postgres.sql")
        .lines()
        .filter(|l| !l.starts_with('\\'))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn musicbrainz_round_trips() {
    let schema = musicbrainz();
    // Time one export of each format on its own, for the record.
    let db = TestDb::new(Engine::Postgres);
    db.exec(&schema);
    let started = Instant::now();
    let model = support::export_json(&db);
    let json_time = started.elapsed();
    let started = Instant::now();
    let sql = support::export_sql(&db);
    eprintln!(
        "musicbrainz: export --format json {json_time:?}, --format sql {:?} ({} tables, {} objects, {} bytes of SQL)",
        started.elapsed(),
        model["tables"].as_array().unwrap().len(),
        model["objects"].as_array().unwrap().len(),
        sql.len()
    );
    assert_eq!(model["tables"].as_array().unwrap().len(), 519);
    drop(db);
    support::assert_round_trip(Engine::Postgres, &schema);
}

#[test]
fn hostile_identifiers_round_trip_and_cannot_inject() {
    let model = support::assert_round_trip(Engine::Postgres, HOSTILE);
    let tables = names(&model["tables"]);
    assert!(
        tables.contains(&"victim".to_string()),
        "victim survived: {tables:?}"
    );
    assert!(tables.contains(&"x\"; DROP TABLE victim; --".to_string()));
    assert!(tables.contains(&"ref'; DROP TABLE victim; --".to_string()));
    let x = model["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"]["name"] == "x\"; DROP TABLE victim; --")
        .unwrap();
    assert_eq!(x["comment"], json!("it's'; DROP TABLE victim; -- \\"));
    let columns: Vec<&str> = x["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        columns,
        [
            "col\"; DROP TABLE victim; --",
            "ünï cødé ✓",
            "back\\slash",
            "semi;colon",
            "new\nline"
        ]
    );
    assert_eq!(
        x["columns"][2]["comment"],
        json!("back\\slash \\' ; DROP TABLE victim; --")
    );
    assert_eq!(
        x["indexes"][0]["name"],
        json!("ix\"; DROP TABLE victim; --")
    );
    assert_eq!(
        x["primary_key"]["name"],
        json!("pk\"; DROP TABLE victim; --")
    );
    assert_eq!(
        model["enums"][0]["labels"],
        json!(["a'; DROP TABLE victim; --", "b\\", "ç"])
    );

    // The exported script, loaded again, leaves victim alone.
    let db = TestDb::new(Engine::Postgres);
    db.exec(HOSTILE);
    db.exec("INSERT INTO victim VALUES (1)");
    let script = support::export_sql(&db);
    let b = TestDb::new(Engine::Postgres);
    b.exec("CREATE TABLE victim (id int PRIMARY KEY); INSERT INTO victim VALUES (7)");
    b.try_exec(&script)
        .expect_err("the script creates victim again, so it fails rather than dropping anything");
    b.exec("SELECT 1/(count(*))::int FROM victim WHERE id = 7");
}

const BASE: &str = "
CREATE SCHEMA s;
CREATE TABLE s.parent (id integer PRIMARY KEY, code text NOT NULL);
CREATE TABLE s.child (id integer NOT NULL, parent_id integer, qty integer NOT NULL DEFAULT 0,
    old_col integer, label varchar(10), amount text, note text);
INSERT INTO s.parent VALUES (1, 'a');
INSERT INTO s.child VALUES (1, 1, 2, 3, 'x', '42', 'n');
CREATE TABLE s.doomed (x integer);
CREATE TABLE s.keyless (a integer NOT NULL, b integer NOT NULL);
CREATE TABLE s.pk_doomed (a integer CONSTRAINT custom_pk_name PRIMARY KEY);
CREATE TABLE s.tagged (id integer PRIMARY KEY, u varchar(5), i integer, c integer,
    CONSTRAINT tagged_u UNIQUE (u), CONSTRAINT tagged_c CHECK (c > 0),
    CONSTRAINT tagged_fk FOREIGN KEY (i) REFERENCES s.parent (id));
CREATE INDEX tagged_i ON s.tagged (i);
CREATE VIEW s.doomed_view AS SELECT 1 AS one;
CREATE MATERIALIZED VIEW s.doomed_mat AS SELECT 1 AS one;
CREATE SEQUENCE s.seq_doomed;
CREATE TYPE s.doomed_enum AS ENUM ('x');
CREATE SCHEMA doomed_ns;
";

fn gadgets() -> Value {
    json!({
        "name": q("s", "gadgets"),
        "columns": [
            {"name": "id", "data_type": "Bigint", "nullable": false, "default": null,
             "identity": "AutoIncrement", "generated": null, "collation": null, "comment": "key"},
            {"name": "ident", "data_type": "Integer", "nullable": false, "default": null,
             "identity": "Always", "generated": null, "collation": null, "comment": null},
            col("name", json!({"Varchar": 50}), false, None),
            {"name": "sort_name", "data_type": "Text", "nullable": true, "default": null,
             "identity": null, "generated": null, "collation": "C", "comment": null},
            col("price", json!({"Numeric": {"precision": 8, "scale": 2}}), true, Some("0.00")),
            {"name": "double_price", "data_type": {"Numeric": {"precision": 9, "scale": 2}},
             "nullable": true, "default": null, "identity": null,
             "generated": {"expression": "price * (2)::numeric", "stored": true},
             "collation": null, "comment": null},
            col("mood", json!({"EnumRef": q("s", "mood")}), false, Some("'ok'::s.mood")),
            col("made", json!({"TimestampTz": 3}), false, Some("now()")),
            col("parent_id", json!("Integer"), true, None),
            col("tags", json!({"Other": "text[]"}), true, None),
        ],
        "primary_key": {"name": "gadgets_pkey", "columns": ["id"]},
        "uniques": [{"name": "gadgets_name", "columns": ["name", "mood"]}],
        "indexes": [
            {"name": "ix_gadgets_price", "unique": false, "method": "Btree",
             "keys": [{"target": {"Column": "price"}, "descending": true, "nulls_first": false,
                       "opclass": null, "collation": null, "prefix_length": null},
                      {"target": {"Expression": "lower((name)::text)"}, "descending": false,
                       "nulls_first": null, "opclass": "text_pattern_ops", "collation": null,
                       "prefix_length": null}],
             "included_columns": ["made"], "predicate": "price > (0)::numeric",
             "comment": "by price"},
            {"name": "ix_gadgets_tags", "unique": false, "method": "Gin",
             "keys": [{"target": {"Column": "tags"}, "descending": false, "nulls_first": null,
                       "opclass": null, "collation": null, "prefix_length": null}],
             "included_columns": [], "predicate": null, "comment": null}
        ],
        "foreign_keys": [{"name": "gadgets_parent_fk", "columns": ["parent_id"],
            "referenced_table": q("s", "parent"), "referenced_columns": ["id"],
            "on_delete": "SetNull", "on_update": "Cascade", "deferrable": true,
            "initially_deferred": true}],
        "checks": [{"name": "gadgets_price_check", "expression": "price >= (0)::numeric"}],
        "comment": "gadgets'; DROP TABLE s.parent; --",
        "options": ["WITH (fillfactor=70)"]
    })
}

#[test]
fn every_change_variant_renders_and_applies() {
    let db = TestDb::new(Engine::Postgres);
    db.exec(BASE);
    let d = dialect();
    let mut list = changes(json!([
        {"CreateNamespace": "made_ns"},
        {"DropNamespace": "doomed_ns"},
        {"CreateExtension": {"name": "cube", "namespace": "public"}},
        {"CreateEnumType": {"name": q("s", "mood"), "labels": ["sad", "ok", "it's \\ fine"]}},
        {"DropEnumType": q("s", "doomed_enum")},
        {"CreateSequence": {"name": q("s", "seq_new"), "data_type": "integer", "start": 10,
            "increment": -5, "min_value": -1000, "max_value": 10, "cache": 3, "cycle": true}},
        {"DropSequence": q("s", "seq_doomed")},
        {"CreateTable": gadgets()},
        {"DropTable": q("s", "doomed")},
        {"RenameTable": {"table": q("s", "child"), "new_name": "kid"}},
    ]));
    list.extend(changes(json!([
        // 10
        {"AddColumn": {"table": q("s", "kid"), "column": {"name": "added", "data_type": {"Varchar": 20},
            "nullable": false, "default": "'x'::character varying", "identity": null, "generated": null,
            "collation": "POSIX", "comment": "new"}}},
        {"DropColumn": {"table": q("s", "kid"), "column": "old_col"}},
        {"RenameColumn": {"table": q("s", "kid"), "column": "label", "new_name": "tag"}},
        {"AlterColumnType": {"table": q("s", "kid"), "column": "tag", "new_type": {"Varchar": 40}, "using": null}},
        {"AlterColumnType": {"table": q("s", "kid"), "column": "amount", "new_type": "Integer",
            "using": "amount::integer"}},
        {"SetNotNull": {"table": q("s", "kid"), "column": "parent_id"}},
        {"DropNotNull": {"table": q("s", "kid"), "column": "qty"}},
        {"SetDefault": {"table": q("s", "kid"), "column": "qty", "default": "5"}},
        {"DropDefault": {"table": q("s", "kid"), "column": "added"}},
        {"AddPrimaryKey": {"table": q("s", "keyless"), "primary_key": {"name": "keyless_pk", "columns": ["a", "b"]}}},
    ])));
    list.extend(changes(json!([
        // 20
        {"DropPrimaryKey": q("s", "pk_doomed")},
        {"AddIndex": {"table": q("s", "kid"), "concurrently": true, "index": {"name": "ix_kid_tag",
            "unique": true, "method": "Btree", "keys": [
                {"target": {"Column": "tag"}, "descending": false, "nulls_first": true, "opclass": null,
                 "collation": "C", "prefix_length": null},
                {"target": {"Column": "qty"}, "descending": true, "nulls_first": null, "opclass": null,
                 "collation": null, "prefix_length": null}],
            "included_columns": ["note"], "predicate": "(qty > 0)", "comment": "tag's index"}}},
        {"AddIndex": {"table": q("s", "kid"), "concurrently": false, "index": {"name": "ix_kid_note",
            "unique": false, "method": "Hash", "keys": [
                {"target": {"Column": "note"}, "descending": false, "nulls_first": null, "opclass": null,
                 "collation": null, "prefix_length": null}],
            "included_columns": [], "predicate": null, "comment": null}}},
        {"DropIndex": {"table": q("s", "tagged"), "name": "tagged_i"}},
        {"AddUnique": {"table": q("s", "kid"), "constraint": {"name": "uq_kid_added", "columns": ["added", "id"]}}},
        {"DropUnique": {"table": q("s", "tagged"), "name": "tagged_u"}},
        {"AddForeignKey": {"table": q("s", "kid"), "foreign_key": {"name": "fk_kid_parent", "columns": ["parent_id"],
            "referenced_table": q("s", "parent"), "referenced_columns": ["id"], "on_delete": "Cascade",
            "on_update": "Restrict", "deferrable": false, "initially_deferred": false}}},
        {"DropForeignKey": {"table": q("s", "tagged"), "name": "tagged_fk"}},
        {"AddCheck": {"table": q("s", "kid"), "check": {"name": "ck_kid_qty", "expression": "qty >= 0"}}},
        {"DropCheck": {"table": q("s", "tagged"), "name": "tagged_c"}},
    ])));
    list.extend(changes(json!([
        // 30
        {"CreateView": {"name": q("s", "kid_view"), "definition": "SELECT id, tag FROM s.kid;",
            "materialized": false, "comment": "kids", "options": []}},
        {"CreateView": {"name": q("s", "kid_mat"), "definition": "SELECT count(*) AS n FROM s.kid",
            "materialized": true, "comment": null, "options": []}},
        {"DropView": {"name": q("s", "doomed_view"), "materialized": false}},
        {"DropView": {"name": q("s", "doomed_mat"), "materialized": true}},
        {"SetComment": {"table": q("s", "kid"), "column": null, "comment": "kids'; DROP TABLE s.parent; --"}},
        {"SetComment": {"table": q("s", "kid"), "column": "tag", "comment": "the tag \\"}},
        {"SetComment": {"table": q("s", "kid_mat"), "column": null, "comment": "counted"}},
        {"SetComment": {"table": q("s", "kid_view"), "column": null, "comment": null}},
        {"CreateObject": {"kind": "function", "name": q("s", "bump()"), "table": null,
            "definition": "CREATE FUNCTION s.bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.qty := NEW.qty + 1; RETURN NEW; END $$;"}},
        {"CreateObject": {"kind": "trigger", "name": q("s", "kid_bump"), "table": q("s", "kid"),
            "definition": "CREATE TRIGGER kid_bump BEFORE INSERT ON s.kid FOR EACH ROW EXECUTE FUNCTION s.bump()"}},
        // 40
        {"RawSql": {"up": "CREATE TABLE s.raw_made (id int);", "down": "DROP TABLE s.raw_made", "note": "test"}},
    ])));
    let statements = apply(&db, &d, &list);
    let script: Vec<String> = statements
        .iter()
        .map(|s| {
            format!(
                "-- change {} lock {:?} rewrites {} reversible {} outside-transaction {}\n{};",
                s.change_index,
                s.lock,
                s.rewrites_table,
                s.reversible,
                s.outside_transaction,
                s.sql
            )
        })
        .collect();
    support::save_artifact("postgres-every-change.sql", &script.join("\n"));
    let by_change = |i: usize| -> Vec<&Statement> {
        statements
            .iter()
            .filter(|s| s.change_index as usize == i)
            .collect()
    };
    assert!(statements.iter().all(|s| !s.sql.trim_end().ends_with(';')));
    assert!(!by_change(6)[0].reversible, "drop sequence loses its value");
    assert!(!by_change(8)[0].reversible, "drop table destroys data");
    assert!(!by_change(11)[0].reversible, "drop column destroys data");
    assert!(
        !by_change(10)[0].rewrites_table,
        "a constant default is instant"
    );
    assert_eq!(
        (by_change(13)[0].rewrites_table, by_change(13)[0].reversible),
        (false, true),
        "widening a varchar"
    );
    assert!(by_change(14)[0].sql.contains("USING amount::integer"));
    assert!(by_change(14)[0].rewrites_table && !by_change(14)[0].reversible);
    let concurrent = by_change(21)[0];
    assert!(concurrent.sql.contains("CONCURRENTLY") && concurrent.outside_transaction);
    assert_eq!(concurrent.lock, LockLevel::None);
    assert_eq!(by_change(22)[0].lock, LockLevel::Shared);
    assert!(!by_change(22)[0].outside_transaction);
    assert!(by_change(40)[0].reversible, "raw sql with a down");

    let after = introspect(&db, &d);
    assert!(after.namespaces.contains(&"made_ns".to_string()));
    assert!(!after.namespaces.contains(&"doomed_ns".to_string()));
    assert!(after.extensions.iter().any(|e| e.name == "cube"));
    assert_eq!(after.enums.len(), 1);
    assert_eq!(after.enums[0].labels, ["sad", "ok", "it's \\ fine"]);
    let seq = after
        .sequences
        .iter()
        .find(|s| s.name.name == "seq_new")
        .expect("seq_new");
    assert_eq!(
        serde_json::to_value(seq).unwrap(),
        json!({"name": q("s", "seq_new"), "data_type": "integer", "start": 10, "increment": -5,
               "min_value": -1000, "max_value": 10, "cache": 3, "cycle": true})
    );
    assert!(after.sequences.iter().all(|s| s.name.name != "seq_doomed"));

    // The created table reads back exactly as it was given.
    let g = find(&after, "s", "gadgets").expect("gadgets created");
    assert_eq!(serde_json::to_value(g).unwrap(), gadgets());
    assert!(find(&after, "s", "doomed").is_none());
    assert!(find(&after, "s", "child").is_none());
    let kid = find(&after, "s", "kid").expect("child renamed to kid");
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
        (None, Some("POSIX"), Some("new"), false)
    );
    let tag = kid_col("tag");
    assert_eq!(tag.data_type, ColumnType::Varchar(Some(40)));
    assert_eq!(tag.comment.as_deref(), Some("the tag \\"));
    assert_eq!(kid_col("amount").data_type, ColumnType::Integer);
    assert!(!kid_col("parent_id").nullable);
    assert!(kid_col("qty").nullable);
    assert_eq!(kid_col("qty").default.as_deref(), Some("5"));
    let keyless = find(&after, "s", "keyless")
        .unwrap()
        .primary_key
        .as_ref()
        .unwrap();
    assert_eq!(
        (keyless.name.as_deref(), keyless.columns.clone()),
        (Some("keyless_pk"), vec!["a".to_string(), "b".to_string()])
    );
    assert!(
        find(&after, "s", "pk_doomed")
            .unwrap()
            .primary_key
            .is_none()
    );
    let ix = serde_json::to_value(
        kid.indexes
            .iter()
            .find(|i| i.name == "ix_kid_tag")
            .expect("ix_kid_tag"),
    )
    .unwrap();
    assert_eq!(
        ix,
        json!({"name": "ix_kid_tag", "unique": true, "method": "Btree", "keys": [
            {"target": {"Column": "tag"}, "descending": false, "nulls_first": true, "opclass": null,
             "collation": "C", "prefix_length": null},
            {"target": {"Column": "qty"}, "descending": true, "nulls_first": null, "opclass": null,
             "collation": null, "prefix_length": null}],
        "included_columns": ["note"], "predicate": "qty > 0", "comment": "tag's index"})
    );
    assert!(kid.indexes.iter().any(|i| i.name == "ix_kid_note"));
    assert_eq!(kid.uniques.len(), 1);
    assert_eq!(kid.uniques[0].columns, ["added", "id"]);
    assert_eq!(kid.foreign_keys[0].name, "fk_kid_parent");
    assert_eq!(kid.checks[0].name, "ck_kid_qty");
    assert_eq!(kid.checks[0].expression, "qty >= 0");
    assert_eq!(
        kid.comment.as_deref(),
        Some("kids'; DROP TABLE s.parent; --")
    );
    assert!(find(&after, "s", "parent").is_some());
    let tagged = find(&after, "s", "tagged").unwrap();
    assert!(
        tagged.uniques.is_empty()
            && tagged.indexes.is_empty()
            && tagged.checks.is_empty()
            && tagged.foreign_keys.is_empty()
    );
    let views: Vec<(&str, bool, Option<&str>)> = after
        .views
        .iter()
        .map(|v| (v.name.name.as_str(), v.materialized, v.comment.as_deref()))
        .collect();
    assert_eq!(
        views,
        [
            ("kid_mat", true, Some("counted")),
            ("kid_view", false, None)
        ]
    );
    let objects: Vec<(&str, &str)> = after
        .objects
        .iter()
        .map(|o| (o.kind.as_str(), o.name.name.as_str()))
        .collect();
    assert_eq!(objects, [("function", "bump()"), ("trigger", "kid_bump")]);
    assert!(find(&after, "s", "raw_made").is_some());
}

#[test]
fn refuses_what_postgres_cannot_do() {
    let d = dialect();
    let list = changes(json!([
        {"AddColumn": {"table": q("public", "t"), "column": col("e", json!({"InlineEnum": ["a"]}), true, None)}}
    ]));
    let err = block_on(d.render(&list, &DatabaseSchema::empty())).unwrap_err();
    assert!(err.to_string().contains("enum"), "{err}");
}
