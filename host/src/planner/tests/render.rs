//! End to end on SQLite: each plan is rendered by the built-in dialect plugin and applied to a
//! real database built from the fixture's SQL, then its down is applied and the data compared.
//! PostgreSQL and MySQL plans are rendered (not applied) against the fixture.

use super::fixture::schema;
use crate::connection::{Database, Engine};
use crate::model::{DatabaseSchema, Statement};
use crate::planner::plan;
use crate::plugins::{DialectPlugin, PluginRegistry};

const SQLITE_FIXTURE: &str = r#"
CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, username VARCHAR(50), age INTEGER,
  status VARCHAR(20), bio_text TEXT, street VARCHAR(255), city VARCHAR(100), state VARCHAR(50), zip VARCHAR(20),
  created_at TIMESTAMP);
CREATE TABLE accounts (id INTEGER PRIMARY KEY, username VARCHAR(50) NOT NULL, email VARCHAR(255), password_hash VARCHAR(255), created_at TIMESTAMP);
CREATE INDEX idx_accounts_username ON accounts (username);
CREATE TABLE products (id INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, description TEXT, price NUMERIC(10,2), deprecated_field VARCHAR(255), stock INTEGER);
CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(255), email VARCHAR(255));
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
  product_id INTEGER, user_id INTEGER, total NUMERIC(12,2), status VARCHAR(20), created_at TIMESTAMP);
CREATE TABLE user_details (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, bio TEXT, avatar_url VARCHAR(2048), phone VARCHAR(20));
CREATE UNIQUE INDEX uq_user_details_user_id ON user_details (user_id);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE SET NULL, title VARCHAR(255) NOT NULL, body TEXT, published_at TIMESTAMP);
CREATE INDEX idx_posts_user_id ON posts (user_id);
CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE, user_id INTEGER, body TEXT, created_at TIMESTAMP);
CREATE TABLE unused_table (id INTEGER PRIMARY KEY, note TEXT);
INSERT INTO users (id, name, street, city, state, zip) VALUES
  (1, 'ann', '1 Main St', 'Springfield', 'IL', '62701'),
  (2, 'bob', '1 Main St', 'Springfield', 'IL', '62701'),
  (3, 'cy', NULL, NULL, NULL, NULL),
  (4, 'di', '9 Elm St', NULL, 'CA', NULL);
INSERT INTO user_details (user_id, bio, avatar_url, phone) VALUES (1, 'hi', 'http://a', '+15551234567');
"#;

/// Requests that must plan, render and apply on SQLite (and roll back when they have a down).
pub const REQUESTS: &[&str] = &[
    "add email field to users table",
    "add phone field to users",
    "add created_at and updated_at timestamps to products",
    "users: add bio and avatar_url",
    "add updated_at timestamp to all tables",
    "add customer_id to products",
    "add theme (light/dark) to users",
    "add column \"x; DROP TABLE users\" to users",
    "make email field unique in accounts table",
    "make note required in unused_table",
    "make name optional in products",
    "set default of status to 'active' in users",
    "price must be positive in products",
    "age between 0 and 150 in users",
    "add index on orders(customer_id, created_at)",
    "add indexes to orders table",
    "add foreign key from orders.product_id to products",
    "create user_preferences table with:\n- user_id foreign key to users\n- theme (light/dark)\n- language\n- notifications_enabled\n- email_frequency",
    "rename column username to user_name in accounts",
    "rename unused_table table to spare",
    "change price to decimal(12,2) in products",
    "remove deprecated_field from products",
    "drop unused_table",
    "drop column user_id from posts",
    "extract address fields from users into separate addresses table: street, city, state, zip",
    "split users table into logins and profiles",
    "merge user_details into users table",
];

pub fn script(statements: &[Statement]) -> String {
    statements.iter().map(|s| format!("{};\n", s.sql)).collect()
}

/// The rows a refactor must keep: (request prefix, query before, query after up, query after down).
pub const KEPT: &[(&str, &str, &str, &str)] = &[
    (
        "extract",
        "SELECT id, name, street, city, state, zip FROM users",
        "SELECT u.id, u.name, a.street, a.city, a.state, a.zip FROM users u LEFT JOIN addresses a ON a.id = u.address_id",
        "SELECT id, name, street, city, state, zip FROM users",
    ),
    (
        "split",
        "SELECT id, name, username, age, status, bio_text, street, city, state, zip FROM users",
        "SELECT l.id, p.name, l.username, p.age, l.status, p.bio_text, p.street, p.city, p.state, p.zip FROM logins l JOIN profiles p ON p.user_id = l.id",
        "SELECT id, name, username, age, status, bio_text, street, city, state, zip FROM users",
    ),
    (
        "merge",
        "SELECT user_id, bio, avatar_url, phone FROM user_details",
        "SELECT id, bio, avatar_url, phone FROM users WHERE bio IS NOT NULL OR avatar_url IS NOT NULL OR phone IS NOT NULL",
        "SELECT user_id, bio, avatar_url, phone FROM user_details",
    ),
];

/// Fails (through a CHECK) unless `query` returns exactly the rows saved in `snap`.
pub fn same_rows(query: &str) -> String {
    format!(
        "DROP TABLE IF EXISTS ai_verdict; CREATE TABLE ai_verdict (differences INTEGER CHECK (differences = 0));\n\
         INSERT INTO ai_verdict SELECT (SELECT count(*) FROM ({query} EXCEPT SELECT * FROM ai_snap) AS d1) + (SELECT count(*) FROM (SELECT * FROM ai_snap EXCEPT {query}) AS d2);"
    )
}

async fn fresh(
    dialect: &DialectPlugin,
    dir: &std::path::Path,
    n: usize,
) -> (Database, DatabaseSchema) {
    let url = format!("sqlite://{}", dir.join(format!("db{n}.sqlite")).display());
    let db = Database::connect(&url).await.unwrap();
    db.execute_script(SQLITE_FIXTURE).await.unwrap();
    let schema = dialect.introspect(&db).await.unwrap();
    (db, schema)
}

#[tokio::test(flavor = "multi_thread")]
async fn plans_render_and_apply_on_sqlite_and_render_elsewhere() {
    let registry = PluginRegistry::from_env().unwrap();
    let sqlite = registry.built_in("sqlite").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut failures = vec![];
    for (n, request) in REQUESTS.iter().enumerate() {
        let (db, live) = fresh(&sqlite, dir.path(), n).await;
        let p = match plan(request, &live, Engine::Sqlite) {
            Ok(p) => p,
            Err(r) => {
                failures.push(format!("{request}: refused: {r:?}"));
                continue;
            }
        };
        let up = match sqlite.render(&p.changes, &live).await {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{request}: render: {e}"));
                continue;
            }
        };
        let kept = KEPT.iter().find(|k| request.starts_with(k.0));
        if let Some((_, before, _, _)) = kept {
            db.execute_script(&format!("CREATE TABLE ai_snap AS {before}"))
                .await
                .unwrap();
        }
        if let Err(e) = db.execute_script(&script(&up)).await {
            failures.push(format!("{request}: apply: {e}\n{}", script(&up)));
            continue;
        }
        if let Some((_, _, after_up, _)) = kept
            && let Err(e) = db.execute_script(&same_rows(after_up)).await
        {
            failures.push(format!("{request}: data after up differs: {e}"));
        }
        if let Some(down) = &p.down {
            let after = sqlite.introspect(&db).await.unwrap();
            let sql = match sqlite.render(down, &after).await {
                Ok(s) => script(&s),
                Err(e) => {
                    failures.push(format!("{request}: render down: {e}"));
                    continue;
                }
            };
            if let Err(e) = db.execute_script(&sql).await {
                failures.push(format!("{request}: apply down: {e}\n{sql}"));
                continue;
            }
            let restored = sqlite.introspect(&db).await.unwrap();
            let names = |s: &DatabaseSchema| {
                let mut v: Vec<String> = s
                    .tables
                    .iter()
                    .map(|t| t.name.name.clone())
                    .filter(|n| !n.starts_with("ai_"))
                    .collect();
                v.sort();
                v
            };
            if names(&restored) != names(&live) {
                failures.push(format!(
                    "{request}: down left tables {:?}",
                    names(&restored)
                ));
            }
            if let Some((_, _, _, after_down)) = kept
                && let Err(e) = db.execute_script(&same_rows(after_down)).await
            {
                failures.push(format!("{request}: data after down differs: {e}"));
            }
        }
        db.close().await;
    }
    for engine in [Engine::Postgres, Engine::MySql] {
        let dialect = registry.built_in(engine.dialect_name()).await.unwrap();
        let fixture = schema();
        for request in REQUESTS {
            let mut s = fixture.clone();
            if request.starts_with("split") || request.starts_with("make email") {
                s.tables.retain(|t| t.name.name != "logins");
            }
            match plan(request, &s, engine) {
                Ok(p) => {
                    if let Err(e) = dialect.render(&p.changes, &s).await {
                        failures.push(format!("{engine:?} {request}: render: {e}"));
                    }
                }
                Err(r) => failures.push(format!("{engine:?} {request}: refused: {r:?}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
