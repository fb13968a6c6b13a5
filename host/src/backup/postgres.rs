//! PostgreSQL: `pg_dump --format=custom` in a snapshot ai-shell counts rows in, and restores through
//! `pg_restore` piped into `psql --single-transaction`, after statements that empty the database, so a
//! failed restore changes nothing.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;

use anyhow::Context as _;

use super::{Dumped, tools};
use crate::connection::{Database, DatabaseUrl, Engine};
use crate::model::SqlValue;

pub(super) async fn dump(db: &Database, url: &DatabaseUrl, out: &Path) -> anyhow::Result<Dumped> {
    let pg_dump = tools::require(Engine::Postgres, &["pg_dump"])?;
    let conn = tools::conn(url, None)?;
    // One snapshot for the counts and the dump: the manifest's row counts are the backup's.
    let mut s = db.session().await?;
    s.execute_script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let result = async {
        let snap = s.query("SELECT pg_export_snapshot()", &[]).await?;
        let Some(SqlValue::Text(snapshot)) = snap.rows.first().and_then(|r| r.first()).cloned()
        else {
            anyhow::bail!("the server returned no snapshot");
        };
        let mut cmd = tools::command(&pg_dump, &conn);
        cmd.arg("--format=custom")
            .arg(format!("--snapshot={snapshot}"))
            .arg("--no-password")
            .args(&conn.args);
        // The rows are counted in the same snapshot while pg_dump writes it.
        let (tables, digest) =
            super::dump_with(cmd, "pg_dump", url, out, super::count_rows(&mut s)).await?;
        Ok(Dumped {
            tables,
            counts_exact: true,
            tool: tools::version(&pg_dump),
            digest: Some(digest),
        })
    }
    .await;
    let _ = s.execute_script("COMMIT").await;
    result
}

/// Statements that drop everything a dump recreates: every non-system schema but `public`, and what is in
/// `public` (its extensions, relations, routines and types), so objects created after the backup go too.
async fn emptying_statements(url: &DatabaseUrl) -> anyhow::Result<String> {
    let db = Database::connect(url.as_str()).await?;
    let result = async {
        let mut s = db.session().await?;
        let q = "
SELECT 1, format('DROP EXTENSION IF EXISTS %I CASCADE;', e.extname)
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 2, format('DROP SCHEMA IF EXISTS %I CASCADE;', n.nspname)
  FROM pg_namespace n
 WHERE n.nspname NOT IN ('public', 'pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
UNION ALL
SELECT 3, format('DROP %s IF EXISTS public.%I CASCADE;',
       CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                      WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relispartition = false
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                   AND d.deptype IN ('e', 'i', 'a'))
UNION ALL
SELECT 4, format('DROP ROUTINE IF EXISTS public.%I(%s) CASCADE;', p.proname,
       pg_get_function_identity_arguments(p.oid))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                   AND d.deptype = 'e')
UNION ALL
SELECT 5, format('DROP %s IF EXISTS public.%I CASCADE;', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
       t.typname)
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r', 'c', 'm')
   AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                   AND d.deptype IN ('e', 'i'))
ORDER BY 1, 2";
        let rows = s.query(q, &[]).await?;
        let mut script = String::new();
        for r in &rows.rows {
            if let Some(SqlValue::Text(t)) = r.get(1) {
                script.push_str(t);
                script.push('\n');
            }
        }
        anyhow::Ok(script)
    }
    .await;
    db.close().await;
    result
}

pub(super) async fn restore(
    file: &Path,
    url: &DatabaseUrl,
    other_server: bool,
) -> anyhow::Result<()> {
    let pg_restore = tools::require(Engine::Postgres, &["pg_restore"])?;
    let psql = tools::require(Engine::Postgres, &["psql"])?;
    let emptying = emptying_statements(url).await?;
    let conn = tools::conn(url, None)?;
    let file = file.to_path_buf();
    let url = url.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut script = tools::command(&pg_restore, &conn);
        script.arg("--file=-");
        if other_server {
            script.args(["--no-owner", "--no-acl"]);
        }
        let mut script = script
            .arg(&file)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting pg_restore")?;
        let mut load = tools::command(&psql, &conn);
        let mut load = load
            .args([
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                "--no-password",
            ])
            .args(&conn.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting psql")?;
        let mut to_psql = load.stdin.take().context("psql's input")?;
        let mut from_restore = script.stdout.take().context("pg_restore's output")?;
        let fed = (|| -> std::io::Result<()> {
            to_psql.write_all(emptying.as_bytes())?;
            std::io::copy(&mut from_restore, &mut to_psql)?;
            Ok(())
        })();
        drop(to_psql);
        let restored = script.wait_with_output()?;
        let loaded = load.wait_with_output()?;
        // psql's error says why; a broken pipe on our side only follows it.
        tools::check(
            &loaded,
            "loading the backup (psql, in one transaction: nothing was changed)",
            &url,
        )?;
        tools::check(
            &restored,
            "reading the backup (pg_restore; nothing was changed)",
            &url,
        )?;
        fed.context("feeding the backup to psql")?;
        Ok(())
    })
    .await?
}

/// Loads the backup into a scratch database on the same server (dropped afterwards) and counts its rows.
pub(super) async fn trial(file: &Path, url: &DatabaseUrl) -> anyhow::Result<BTreeMap<String, u64>> {
    let pg_restore = tools::require(Engine::Postgres, &["pg_restore"])?;
    let scratch = format!("ai_shell_verify_{:08x}", fastrand::u32(..));
    let admin = Database::connect(url.as_str()).await?;
    admin
        .execute_script(&format!("CREATE DATABASE \"{scratch}\""))
        .await
        .context("creating a scratch database to restore into (the user needs CREATEDB)")?;
    let scratch_url = DatabaseUrl::parse(&url.with_database(&scratch))?;
    let result = async {
        let conn = tools::conn(&scratch_url, None)?;
        let mut cmd = tools::command(&pg_restore, &conn);
        cmd.args(["--no-owner", "--no-acl", "--exit-on-error", "--no-password"])
            .args(&conn.args)
            .arg(file);
        let u = scratch_url.clone();
        tokio::task::spawn_blocking(move || {
            tools::run(cmd, "pg_restore (into a scratch database)", &u)
        })
        .await??;
        let db = Database::connect(scratch_url.as_str()).await?;
        let counts = async {
            let mut s = db.session().await?;
            super::count_rows(&mut s).await
        }
        .await;
        db.close().await;
        counts
    }
    .await;
    let dropped = admin
        .execute_script(&format!(
            "DROP DATABASE IF EXISTS \"{scratch}\" WITH (FORCE)"
        ))
        .await;
    admin.close().await;
    if let Err(e) = dropped {
        eprintln!("warning: the scratch database {scratch} could not be dropped: {e}");
    }
    result
}
