//! Plugin runtime figures: cold compile, cached load, instantiation (+ a trivial call), and a `render` call
//! of a 10-operation change, for each built-in dialect. Prints a Markdown table of medians.
//!
//! Run: `cargo bench -p ai-shell --bench plugin_runtime`

use std::time::{Duration, Instant};

use ai_shell::connection::Database;
use ai_shell::model::{Change, DatabaseSchema};
use ai_shell::plugins::cache::ComponentCache;
use ai_shell::plugins::embedded::BUILT_IN;
use ai_shell::plugins::{DialectPlugin, Limits, PluginSource, Runtime};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn fmt(d: Duration) -> String {
    if d >= Duration::from_millis(10) {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    }
}

/// A table to change, read back by the SQLite dialect so the model is exactly what introspection gives.
const FIXTURE: &str =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);";

fn ten_changes() -> Vec<Change> {
    let t = r#"{"namespace": null, "name": "users"}"#;
    let col = |name: &str, ty: &str| {
        format!(
            r#"{{"name": "{name}", "data_type": {ty}, "nullable": true, "default": null, "identity": null,
                "generated": null, "collation": null, "comment": null}}"#
        )
    };
    let json = format!(
        r#"[
        {{"AddColumn": {{"table": {t}, "column": {}}}}},
        {{"AddColumn": {{"table": {t}, "column": {}}}}},
        {{"AddIndex": {{"table": {t}, "concurrently": false, "index": {{"name": "idx_users_email", "unique": false,
            "method": "Btree", "keys": [{{"target": {{"Column": "email"}}, "descending": false, "nulls_first": null,
            "opclass": null, "collation": null, "prefix_length": null}}], "included_columns": [], "predicate": null,
            "comment": null}}}}}},
        {{"RenameColumn": {{"table": {t}, "column": "name", "new_name": "full_name"}}}},
        {{"AddColumn": {{"table": {t}, "column": {}}}}},
        {{"AddColumn": {{"table": {t}, "column": {}}}}},
        {{"DropIndex": {{"table": {t}, "name": "idx_users_email"}}}},
        {{"AddColumn": {{"table": {t}, "column": {}}}}},
        {{"DropColumn": {{"table": {t}, "column": "nickname"}}}},
        {{"RenameTable": {{"table": {t}, "new_name": "accounts"}}}}
    ]"#,
        col("email", r#"{"Varchar": 255}"#),
        col("phone", r#"{"Varchar": 20}"#),
        col("status", r#""Text""#),
        col("nickname", r#""Text""#),
        col("score", r#""Integer""#),
    );
    serde_json::from_str(&json).expect("valid change list")
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let cache_dir = tempfile::tempdir()?;
        let db_dir = tempfile::tempdir()?;
        let db = Database::connect(&format!(
            "sqlite://{}",
            db_dir.path().join("b.db").display()
        ))
        .await?;
        db.execute_script(FIXTURE).await?;

        println!(
            "| dialect | cold compile | cached load | instantiate + call | render 10 changes |"
        );
        println!("|---|---|---|---|---|");
        for (name, bytes) in BUILT_IN {
            let uncached = Runtime::new(Limits::default(), ComponentCache::disabled())?;
            let cold = median(
                (0..3)
                    .map(|_| {
                        let t = Instant::now();
                        uncached.compile(name, bytes).expect("compiles");
                        t.elapsed()
                    })
                    .collect(),
            );
            let cached = Runtime::new(Limits::default(), ComponentCache::at(cache_dir.path()))?;
            cached.compile(name, bytes)?;
            let load = median(
                (0..20)
                    .map(|_| {
                        let t = Instant::now();
                        cached.compile(name, bytes).expect("loads");
                        t.elapsed()
                    })
                    .collect(),
            );
            let plugin =
                DialectPlugin::load(cached.clone(), name, PluginSource::BuiltIn, bytes).await?;
            let mut inst = vec![];
            for _ in 0..200 {
                let t = Instant::now();
                plugin.quote_identifier("users").await?;
                inst.push(t.elapsed());
            }
            let sqlite = DialectPlugin::load(
                cached.clone(),
                "sqlite",
                PluginSource::BuiltIn,
                ai_shell::plugins::embedded::built_in("sqlite").unwrap(),
            )
            .await?;
            let current: DatabaseSchema = sqlite.introspect(&db).await?;
            let changes = ten_changes();
            let mut render = vec![];
            for _ in 0..200 {
                let t = Instant::now();
                plugin.render(&changes, &current).await?;
                render.push(t.elapsed());
            }
            println!(
                "| {name} | {} | {} | {} | {} |",
                fmt(cold),
                fmt(load),
                fmt(median(inst)),
                fmt(median(render))
            );
        }
        db.close().await;
        anyhow::Ok(())
    })
}
