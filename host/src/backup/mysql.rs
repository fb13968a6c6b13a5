//! MariaDB/MySQL: `mariadb-dump --single-transaction --routines --triggers`, restored with the `mariadb`
//! client into the emptied database (DDL cannot be rolled back there: the caller keeps a backup of what was
//! there and loads it back if the restore fails).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;

use anyhow::Context as _;

use super::{Dumped, tools};
use crate::connection::{Database, DatabaseUrl, Engine};
use crate::model::SqlValue;

pub(super) async fn dump(db: &Database, url: &DatabaseUrl, out: &Path) -> anyhow::Result<Dumped> {
    let dumper = tools::require(Engine::MySql, &["mariadb-dump", "mysqldump"])?;
    let conn = tools::conn(url, None)?;
    // Counted in a consistent snapshot taken as the dump starts its own (the two cannot be shared).
    let mut s = db.session().await?;
    s.execute_script("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        .await?;
    let mut cmd = tools::command(&dumper, &conn);
    cmd.args([
        "--single-transaction",
        "--routines",
        "--triggers",
        "--hex-blob",
        "--default-character-set=utf8mb4",
        "--no-tablespaces",
        "--skip-dump-date",
    ])
    .args(&conn.args);
    let counted = super::dump_with(cmd, "mariadb-dump", url, out, super::count_rows(&mut s)).await;
    let _ = s.execute_script("COMMIT").await;
    drop(s);
    let (tables, digest) = counted?;
    // A dump that stopped early lacks the tool's closing line.
    let tail = read_tail(out)?;
    if !tail.contains("-- Dump completed") {
        anyhow::bail!("mariadb-dump ended without finishing the dump");
    }
    Ok(Dumped {
        tables,
        counts_exact: false,
        tool: tools::version(&dumper),
        digest: Some(digest),
    })
}

fn read_tail(path: &Path) -> anyhow::Result<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(512)))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Loads a dump file into `database` on `url`'s server with the `mariadb` client.
fn load(file: &Path, url: &DatabaseUrl, database: &str) -> anyhow::Result<()> {
    let client = tools::require(Engine::MySql, &["mariadb", "mysql"])?;
    let conn = tools::conn(url, Some(database))?;
    let input = std::fs::File::open(file).with_context(|| format!("reading {}", file.display()))?;
    let mut cmd = tools::command(&client, &conn);
    cmd.arg("--default-character-set=utf8mb4")
        .args(&conn.args)
        .stdin(Stdio::from(input));
    tools::run(cmd, "loading the dump (mariadb)", url).map(drop)
}

/// Empties the database (dropped and created again with its character set and collation) and loads the dump.
pub(super) async fn restore(file: &Path, url: &DatabaseUrl) -> anyhow::Result<()> {
    let name = url
        .database_name()
        .context("the URL names no database to restore into")?;
    let db = Database::connect(url.as_str()).await?;
    let recreate = async {
        let mut s = db.session().await?;
        let r = s
            .query(
                "SELECT default_character_set_name, default_collation_name FROM information_schema.schemata WHERE schema_name = DATABASE()",
                &[],
            )
            .await?;
        let (charset, collation) = match r.rows.first().map(|r| (r.first(), r.get(1))) {
            Some((Some(SqlValue::Text(c)), Some(SqlValue::Text(o)))) => (c.clone(), o.clone()),
            _ => ("utf8mb4".to_string(), "utf8mb4_general_ci".to_string()),
        };
        let quoted = format!("`{}`", name.replace('`', "``"));
        anyhow::Ok(format!(
            "DROP DATABASE {quoted}; CREATE DATABASE {quoted} CHARACTER SET {charset} COLLATE {collation}"
        ))
    }
    .await;
    let recreate = match recreate {
        Ok(r) => r,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    // Run from a connection to another database: the one being dropped must not be in use by us.
    db.close().await;
    let admin = Database::connect(&url.with_database("information_schema")).await?;
    let emptied = admin.execute_script(&recreate).await;
    admin.close().await;
    emptied.context("emptying the database before the restore")?;
    let file = file.to_path_buf();
    let url = url.clone();
    tokio::task::spawn_blocking(move || load(&file, &url, &name)).await?
}

/// Loads the dump into a scratch database on the same server (dropped afterwards) and counts its rows.
pub(super) async fn trial(file: &Path, url: &DatabaseUrl) -> anyhow::Result<BTreeMap<String, u64>> {
    let scratch = format!("ai_shell_verify_{:08x}", fastrand::u32(..));
    let admin = Database::connect(url.as_str()).await?;
    admin
        .execute_script(&format!("CREATE DATABASE `{scratch}`"))
        .await
        .context("creating a scratch database to restore into (the user needs CREATE)")?;
    let result = async {
        let (f, u, n) = (file.to_path_buf(), url.clone(), scratch.clone());
        tokio::task::spawn_blocking(move || load(&f, &u, &n)).await??;
        let db = Database::connect(&url.with_database(&scratch)).await?;
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
        .execute_script(&format!("DROP DATABASE IF EXISTS `{scratch}`"))
        .await;
    admin.close().await;
    if let Err(e) = dropped {
        eprintln!("warning: the scratch database {scratch} could not be dropped: {e}");
    }
    result
}
