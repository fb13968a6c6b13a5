//! The tutorial's prerequisite checks: `features check migrations` (what works here: the database, the
//! plugins, the planners, history, the backup tools) and `check-permissions --feature migrations` (what the
//! engine's grants allow: DDL for migrations, what backups and online strategies need).

use std::collections::BTreeSet;

use super::Context;
use super::migrate::Workspace;
use crate::backup::tools;
use crate::connection::{Database, Engine, Session};
use crate::model::SqlValue;

/// One line of a check: passed, a warning (works with less), or a failure (the feature cannot work).
#[derive(serde::Serialize)]
struct Item {
    check: String,
    status: &'static str,
    detail: String,
}

fn item(check: &str, status: &'static str, detail: impl Into<String>) -> Item {
    Item {
        check: check.to_string(),
        status,
        detail: detail.into(),
    }
}

fn print(items: &[Item], json: bool, ok_line: &str) -> anyhow::Result<()> {
    let failed = items.iter().any(|i| i.status == "fail");
    if json {
        super::migrate::print_json(&serde_json::json!({ "ok": !failed, "checks": items }))?;
    } else {
        for i in items {
            let mark = match i.status {
                "ok" => "✓",
                "warn" => "⚠",
                _ => "✗",
            };
            println!("{mark} {}: {}", i.check, i.detail);
        }
        if failed {
            println!("✗ Not ready: fix the lines marked ✗ above");
        } else {
            println!("✓ {ok_line}");
        }
    }
    if failed {
        return Err(super::Exit(1).into());
    }
    Ok(())
}

fn first_text(r: &crate::model::QueryResult) -> String {
    match r.rows.first().and_then(|r| r.first()) {
        Some(SqlValue::Text(t)) => t.clone(),
        Some(SqlValue::Integer(i)) => i.to_string(),
        Some(SqlValue::Boolean(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// `features check migrations`.
pub async fn features(ctx: &mut Context, json: bool) -> anyhow::Result<()> {
    let mut items = Vec::new();
    let ws = Workspace::load(ctx)?;
    let db = match Database::connect(&ctx.global.database).await {
        Ok(db) => Some(db),
        Err(e) => {
            items.push(item("database", "fail", e.to_string()));
            None
        }
    };
    if let Some(db) = &db {
        let mut s = db.session().await?;
        let version = crate::rollout::stats::server_version(&mut s, db.engine()).await;
        items.push(item(
            "database",
            "ok",
            format!(
                "{} reachable ({} {version})",
                db.url(),
                db.engine().dialect_name()
            ),
        ));
        let recs = super::migrate::records(&mut s, &ws.history).await?;
        drop(s);
        let applied = recs
            .values()
            .filter(|r| r.status == crate::history::Status::Applied)
            .count();
        items.push(if ws.history.exists(&mut db.session().await?).await? {
            item(
                "migration tracking",
                "ok",
                format!(
                    "initialized ({} table, {applied} applied, {} files in {})",
                    ws.history.table(),
                    ws.files.len(),
                    ws.project.migrations_dir.display()
                ),
            )
        } else {
            item(
                "migration tracking",
                "warn",
                "not initialized: `ai-shell migrate init` (or the first `migrate` does it)",
            )
        });
        match ctx.registry()?.dialect_for(db.url()).await {
            Ok(d) => items.push(item(
                "dialect plugin",
                "ok",
                format!("{} {}", d.meta().name, d.meta().version),
            )),
            Err(e) => items.push(item("dialect plugin", "fail", format!("{e:#}"))),
        }
        match ctx
            .registry()?
            .strategies_for(db.engine().dialect_name())
            .await
        {
            Ok(list) => items.push(item(
                "rollout strategies",
                "ok",
                list.iter()
                    .map(|s| s.meta().name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            )),
            Err(e) => items.push(item("rollout strategies", "fail", format!("{e:#}"))),
        }
        backup_tools(db.engine(), &mut items);
    }
    match ctx.registry()?.policies().await {
        Ok(list) => items.push(item(
            "policies",
            "ok",
            list.iter()
                .map(|p| format!("{} ({} rules)", p.meta().name, p.rules().len()))
                .collect::<Vec<_>>()
                .join(", "),
        )),
        Err(e) => items.push(item("policies", "fail", format!("{e:#}"))),
    }
    items.push(item(
        "offline planner",
        "ok",
        "plain-English requests work without a network",
    ));
    match crate::llm::LlmConfig::from_env(ws.project.llm.as_ref()) {
        Ok(Some(c)) => items.push(item(
            "LLM planner",
            if c.api_key.is_some() || !c.base_url.starts_with("https://api.") {
                "ok"
            } else {
                "warn"
            },
            format!("{:?} model {} at {}", c.provider, c.model, c.base_url),
        )),
        Ok(None) => items.push(item(
            "LLM planner",
            "warn",
            "not configured (optional): set ANTHROPIC_API_KEY, or [llm] in ai-shell.toml for an OpenAI-compatible endpoint",
        )),
        Err(e) => items.push(item("LLM planner", "fail", format!("{e:#}"))),
    }
    if let Some(db) = db {
        db.close().await;
    }
    print(&items, json, "Migration features enabled")
}

/// Whether the client tools backups use are installed.
fn backup_tools(engine: Engine, items: &mut Vec<Item>) {
    let needed: &[&[&str]] = match engine {
        Engine::Sqlite => {
            items.push(item(
                "backups",
                "ok",
                "SQLite's online backup API (built in)",
            ));
            return;
        }
        Engine::Postgres => &[&["pg_dump"], &["pg_restore"], &["psql"]],
        Engine::MySql => &[&["mariadb-dump", "mysqldump"], &["mariadb", "mysql"]],
    };
    let mut found = vec![];
    for names in needed {
        match names.iter().find_map(|n| tools::find(n)) {
            Some(p) => found.push(tools::version(&p)),
            None => {
                let hint = tools::require(engine, names)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                items.push(item(
                    "backups",
                    "warn",
                    format!("{} not found: {}", names[0], hint.replace("\n\n", " ")),
                ));
                return;
            }
        }
    }
    items.push(item("backups", "ok", found.join("; ")));
}

/// `check-permissions --feature migrations`.
pub async fn permissions(ctx: &mut Context, json: bool) -> anyhow::Result<()> {
    let db = Database::connect(&ctx.global.database).await?;
    let mut s = db.session().await?;
    let items = match db.engine() {
        Engine::Postgres => postgres(&mut s).await,
        Engine::MySql => mysql(&mut s).await,
        Engine::Sqlite => sqlite(&db),
    };
    drop(s);
    db.close().await;
    print(&items?, json, "CREATE, ALTER, DROP permissions")
}

async fn postgres(s: &mut Session) -> anyhow::Result<Vec<Item>> {
    let q = "SELECT current_user, r.rolsuper, r.rolcreatedb, \
             has_database_privilege(current_database(), 'CREATE'), \
             has_schema_privilege('public', 'CREATE'), has_schema_privilege('public', 'USAGE'), \
             pg_has_role('pg_read_all_stats', 'MEMBER') OR r.rolsuper, \
             (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
               WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
               AND n.nspname NOT LIKE 'pg\\_%'), \
             (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
               WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
               AND n.nspname NOT LIKE 'pg\\_%' AND NOT pg_has_role(c.relowner, 'MEMBER')) \
             FROM pg_roles r WHERE r.rolname = current_user";
    let r = s.query(q, &[]).await?;
    let row = r.rows.first().cloned().unwrap_or_default();
    let b = |i: usize| matches!(row.get(i), Some(SqlValue::Boolean(true)));
    let n = |i: usize| match row.get(i) {
        Some(SqlValue::Integer(v)) => *v,
        _ => 0,
    };
    let user = match row.first() {
        Some(SqlValue::Text(t)) => t.clone(),
        _ => "?".into(),
    };
    let superuser = b(1);
    let mut items = vec![item(
        "role",
        "ok",
        format!("{user}{}", if superuser { " (superuser)" } else { "" }),
    )];
    let create = b(4) && b(5);
    items.push(item(
        "CREATE",
        if create { "ok" } else { "fail" },
        if create {
            "may create tables, indexes and views in schema public".to_string()
        } else {
            format!(
                "{user} may not create in schema public: GRANT CREATE ON SCHEMA public TO {user};"
            )
        },
    ));
    let (tables, foreign) = (n(7), n(8));
    items.push(item(
        "ALTER, DROP",
        if foreign == 0 { "ok" } else { "fail" },
        if foreign == 0 {
            format!("owns all {tables} tables (ALTER and DROP need ownership)")
        } else {
            format!(
                "{foreign} of {tables} tables belong to other roles: ALTER and DROP on them fail (ALTER TABLE ... OWNER TO {user}, or run as their owner)"
            )
        },
    ));
    items.push(item(
        "schemas and extensions",
        if b(3) { "ok" } else { "warn" },
        if b(3) {
            "may create schemas (CREATE on the database)"
        } else {
            "no CREATE on the database: migrations that create schemas or trusted extensions fail"
        },
    ));
    items.push(item(
        "scratch databases",
        if superuser || b(2) { "ok" } else { "warn" },
        if superuser || b(2) {
            "CREATEDB: backup verify, schema diff --to-file and validate use scratch databases"
        } else {
            "no CREATEDB: `backup verify` and `schema diff --to-file` need --dev-url or CREATEDB"
        },
    ));
    items.push(item(
        "online strategies",
        if b(6) { "ok" } else { "warn" },
        if b(6) {
            "may read pg_stat_activity and pg_stat_replication (lock waits, replica lag)"
        } else {
            "not in pg_read_all_stats: other sessions' lock waits and replica lag are hidden from zero-downtime runs (GRANT pg_read_all_stats TO ...)"
        },
    ));
    Ok(items)
}

async fn mysql(s: &mut Session) -> anyhow::Result<Vec<Item>> {
    let user = first_text(&s.query("SELECT CURRENT_USER()", &[]).await?);
    let (name, host) = user.rsplit_once('@').unwrap_or((&user, "%"));
    let grantee = format!("'{name}'@'{host}'");
    let q = "SELECT privilege_type FROM information_schema.user_privileges WHERE grantee = ? \
             UNION SELECT privilege_type FROM information_schema.schema_privileges \
             WHERE grantee = ? AND table_schema = DATABASE()";
    let r = s
        .query(
            q,
            &[SqlValue::Text(grantee.clone()), SqlValue::Text(grantee)],
        )
        .await?;
    let granted: BTreeSet<String> = r
        .rows
        .iter()
        .filter_map(|row| match row.first() {
            Some(SqlValue::Text(t)) => Some(t.to_ascii_uppercase()),
            _ => None,
        })
        .collect();
    let has = |p: &str| granted.contains(p);
    let mut items = vec![item("account", "ok", user.clone())];
    let ddl = ["CREATE", "ALTER", "DROP", "INDEX", "REFERENCES"];
    let missing: Vec<&str> = ddl.iter().copied().filter(|p| !has(p)).collect();
    items.push(item(
        "CREATE, ALTER, DROP",
        if missing.is_empty() { "ok" } else { "fail" },
        if missing.is_empty() {
            "CREATE, ALTER, DROP, INDEX and REFERENCES on this database".to_string()
        } else {
            format!(
                "missing {}: GRANT {} ON `db`.* TO {user};",
                missing.join(", "),
                missing.join(", ")
            )
        },
    ));
    let online = ["TRIGGER", "SELECT", "INSERT", "UPDATE", "DELETE"];
    let missing: Vec<&str> = online.iter().copied().filter(|p| !has(p)).collect();
    items.push(item(
        "online strategies",
        if missing.is_empty() { "ok" } else { "warn" },
        if missing.is_empty() {
            "TRIGGER and data access for shadow-table copies".to_string()
        } else {
            format!(
                "missing {} (zero-downtime copies need them)",
                missing.join(", ")
            )
        },
    ));
    let lag = has("REPLICATION CLIENT") || has("SLAVE MONITOR") || has("BINLOG MONITOR");
    items.push(item(
        "replica lag",
        if lag { "ok" } else { "warn" },
        if lag {
            "may read replication status"
        } else {
            "no REPLICATION CLIENT / SLAVE MONITOR: backfills cannot watch replica lag"
        },
    ));
    let backup = ["SELECT", "SHOW VIEW", "TRIGGER"];
    let missing: Vec<&str> = backup.iter().copied().filter(|p| !has(p)).collect();
    items.push(item(
        "backups",
        if missing.is_empty() { "ok" } else { "warn" },
        if missing.is_empty() {
            "SELECT, SHOW VIEW and TRIGGER for mariadb-dump".to_string()
        } else {
            format!("missing {} (mariadb-dump needs them)", missing.join(", "))
        },
    ));
    Ok(items)
}

fn sqlite(db: &Database) -> anyhow::Result<Vec<Item>> {
    let file = crate::backup::sqlite_file(db.url())?;
    let writable =
        |p: &std::path::Path| std::fs::metadata(p).is_ok_and(|m| !m.permissions().readonly());
    let folder = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."))
        .to_path_buf();
    let ok = writable(&file) && writable(&folder);
    Ok(vec![item(
        "CREATE, ALTER, DROP",
        if ok { "ok" } else { "fail" },
        if ok {
            format!(
                "{} and its folder are writable (SQLite has no grants)",
                file.display()
            )
        } else {
            format!(
                "{} or its folder {} is not writable: SQLite needs both (for its journal)",
                file.display(),
                folder.display()
            )
        },
    )])
}
