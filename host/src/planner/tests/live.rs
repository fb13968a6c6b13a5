//! The same requests applied to live PostgreSQL and MariaDB/MySQL servers (`AI_SHELL_TEST_POSTGRES`,
//! `AI_SHELL_TEST_MYSQL`, default `postgres://postgres@127.0.0.1:5432` and `mysql://root@127.0.0.1:3306`):
//! one fresh database per request, up applied, then the planner's down where it has one, with the
//! refactors' rows compared. An unreachable server fails the test.

use super::fixture::schema;
use super::render::{KEPT, REQUESTS, same_rows, script};
use crate::connection::{Database, Engine};
use crate::model::{DatabaseSchema, IdentityKind};
use crate::planner::plan;
use crate::plugins::PluginRegistry;

const DATA: &str = "INSERT INTO users (id, name, street, city, state, zip) VALUES \
  (1, 'ann', '1 Main St', 'Springfield', 'IL', '62701'), (2, 'bob', '1 Main St', 'Springfield', 'IL', '62701'), \
  (3, 'cy', NULL, NULL, NULL, NULL), (4, 'di', '9 Elm St', NULL, 'CA', NULL); \
  INSERT INTO user_details (user_id, bio, avatar_url, phone) VALUES (1, 'hi', 'http://a', '+15551234567');";

fn server(engine: Engine) -> String {
    match engine {
        Engine::Postgres => std::env::var("AI_SHELL_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into()),
        _ => std::env::var("AI_SHELL_TEST_MYSQL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into()),
    }
}

fn fixture_for(engine: Engine) -> DatabaseSchema {
    let mut s = schema();
    if engine == Engine::MySql {
        for t in &mut s.tables {
            for c in &mut t.columns {
                if c.identity.is_some() {
                    c.identity = Some(IdentityKind::AutoIncrement);
                }
            }
        }
    }
    s
}

async fn run(engine: Engine) -> Vec<String> {
    let base = server(engine);
    let admin_url = match engine {
        Engine::Postgres => format!("{base}/postgres"),
        _ => format!("{base}/mysql"),
    };
    // Never skipped: an unreachable server fails the test (CI starts both servers).
    let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
        panic!("live {engine:?} planner test: {admin_url} is unreachable: {e}")
    });
    let registry = PluginRegistry::from_env().unwrap();
    let dialect = registry.built_in(engine.dialect_name()).await.unwrap();
    let caps = dialect.capabilities().await.unwrap();
    let create = crate::schema::export::creation_changes(&fixture_for(engine), &caps);
    let create_sql = script(
        &dialect
            .render(&create, &DatabaseSchema::empty())
            .await
            .unwrap(),
    );
    let q = |n: &str| match engine {
        Engine::Postgres => format!("\"{n}\""),
        _ => format!("`{n}`"),
    };
    let mut failures = vec![];
    for (n, request) in REQUESTS.iter().enumerate() {
        let name = format!("aishell_planner_{}_{n}", std::process::id());
        admin
            .execute_script(&format!("CREATE DATABASE {}", q(&name)))
            .await
            .unwrap();
        let db = Database::connect(&format!("{base}/{name}")).await.unwrap();
        db.execute_script(&create_sql).await.unwrap();
        db.execute_script(DATA).await.unwrap();
        let live = dialect.introspect(&db).await.unwrap();
        let outcome: Result<(), String> = async {
            let p = plan(request, &live, engine).map_err(|r| format!("refused: {r:?}"))?;
            let up = dialect
                .render(&p.changes, &live)
                .await
                .map_err(|e| format!("render: {e}"))?;
            let kept = KEPT.iter().find(|k| request.starts_with(k.0));
            if let Some((_, before, _, _)) = kept {
                db.execute_script(&format!("CREATE TABLE ai_snap AS {before}"))
                    .await
                    .map_err(|e| e.to_string())?;
            }
            db.execute_script(&script(&up))
                .await
                .map_err(|e| format!("apply: {e}\n{}", script(&up)))?;
            if let Some((_, _, after_up, _)) = kept {
                db.execute_script(&same_rows(after_up))
                    .await
                    .map_err(|e| format!("data after up: {e}"))?;
            }
            if let Some(down) = &p.down {
                let after = dialect.introspect(&db).await.map_err(|e| e.to_string())?;
                let sql = script(
                    &dialect
                        .render(down, &after)
                        .await
                        .map_err(|e| format!("render down: {e}"))?,
                );
                db.execute_script(&sql)
                    .await
                    .map_err(|e| format!("apply down: {e}\n{sql}"))?;
                if let Some((_, _, _, after_down)) = kept {
                    db.execute_script(&same_rows(after_down))
                        .await
                        .map_err(|e| format!("data after down: {e}"))?;
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = outcome {
            failures.push(format!("{engine:?} {request}: {e}"));
        }
        db.close().await;
        let _ = admin
            .execute_script(&format!("DROP DATABASE {}", q(&name)))
            .await;
    }
    admin.close().await;
    failures
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_apply_and_roll_back_on_live_servers() {
    let mut failures = run(Engine::Postgres).await;
    failures.extend(run(Engine::MySql).await);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
