//! Policy evaluation of a 50-statement migration: the built-in policy alone, and with four more wasm policies
//! (four more instances of the built-in component, each a separate plugin), as `migrate apply` and `lint` run
//! them: each call instantiates the component in a fresh sandbox. Prints p50 and p99 over 300 evaluations.
//!
//! Run: `cargo bench -p ai-shell --bench policy_eval`

use std::path::Path;
use std::time::{Duration, Instant};

use ai_shell::plugins::PluginRegistry;
use ai_shell::plugins::bindings::policy::exports::ai_shell::plugin::policy_api::Author;
use ai_shell::policy::input::{self, Facts, Live};
use ai_shell::policy::{Policies, PolicyConfig};

/// Fifty statements of the kinds migrations hold, on ten tables.
fn statements() -> Vec<String> {
    let mut out = vec![];
    for t in 0..10 {
        out.push(format!(
            "CREATE TABLE t{t} (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), owner_id BIGINT, created_at TIMESTAMP WITH TIME ZONE)"
        ));
        out.push(format!("CREATE INDEX idx_t{t}_name ON t{t} (name)"));
        out.push(format!("ALTER TABLE orders ADD COLUMN note_{t} TEXT"));
        out.push(format!(
            "ALTER TABLE orders ALTER COLUMN amount_{t} TYPE BIGINT"
        ));
        out.push(format!("UPDATE orders SET note_{t} = 'x' WHERE id < {t}"));
    }
    out
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 * p).ceil() as usize).min(v.len()) - 1]
}

fn fmt(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let registry = PluginRegistry::from_env()?;
        let builtin =
            std::env::temp_dir().join(format!("ai-shell-bench-policy-{}", std::process::id()));
        std::fs::create_dir_all(&builtin)?;
        let wasm = ai_shell::plugins::embedded::built_in("builtin").expect("the built-in policy");
        let mut extra = String::new();
        for i in 0..4 {
            let path = builtin.join(format!("p{i}.wasm"));
            std::fs::write(&path, wasm)?;
            extra.push_str(&format!("[[plugins]]\npath = \"{}\"\n", path.display()));
        }
        let one = PolicyConfig::default();
        let five: toml::Value = toml::from_str(&extra)?;
        let five = PolicyConfig::from_toml(Some(&five))?;
        let sqls = statements();
        let facts = Facts {
            engine: "postgres".into(),
            server_version: "15".into(),
            environment: None,
            strategy: None,
            lock_timeout_ms: None,
            author: Author::File,
            migration_id: Some("001_bench".into()),
            checksum: None,
            has_down: true,
        };
        println!("| policies | statements | p50 | p99 | findings |");
        println!("|---|---|---|---|---|");
        for (label, config) in [("built-in", &one), ("built-in + 4 wasm policies", &five)] {
            let policies = Policies::load(&registry, config, None, Path::new("/")).await?;
            let plan = input::from_statements(&sqls, &facts, Live::default(), policies.settings());
            let mut times = vec![];
            let mut findings = 0;
            for _ in 0..300 {
                let started = Instant::now();
                findings = policies.check_plan(&plan).await?.len();
                times.push(started.elapsed());
            }
            println!(
                "| {label} | {} | {} | {} | {findings} |",
                sqls.len(),
                fmt(percentile(&mut times, 0.5)),
                fmt(percentile(&mut times, 0.99))
            );
        }
        let _ = std::fs::remove_dir_all(&builtin);
        anyhow::Ok(())
    })
}
