//! `migrate init` and `migrate new NAME`.

use std::collections::BTreeMap;

use anyhow::Context as _;

use super::{Workspace, open};
use crate::commands::Context;
use crate::history::{Record, record};
use crate::migrations::file::Meta;

pub async fn init(ctx: &mut Context) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let (db, mut s) = open(ctx).await?;
    let existed = ws.history.exists(&mut s).await?;
    ws.history.ensure(&mut s).await?;
    drop(s);
    db.close().await;
    std::fs::create_dir_all(&ws.project.migrations_dir)
        .with_context(|| format!("creating {}", ws.project.migrations_dir.display()))?;
    if existed {
        println!(
            "✓ Migration tracking already initialized (table {})",
            ws.history.table()
        );
    } else {
        println!(
            "✓ Migration tracking initialized (table {})",
            ws.history.table()
        );
    }
    println!(
        "  Migrations folder: {}",
        ws.project.migrations_dir.display()
    );
    Ok(())
}

pub async fn new(ctx: &mut Context, name: &str) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let meta = Meta {
        description: Some(name.to_string()),
        created: Some(record::now_seconds()),
        author: Some(record::current_user()),
        ..Meta::default()
    };
    let recs = recorded(ctx, &ws).await;
    ws.check_folder(&recs)?;
    let path = crate::migrations::directory::create(
        &ws.project.migrations_dir,
        name,
        meta,
        "",
        Some(""),
        Workspace::highest_recorded(&recs),
    )?;
    crate::migrations::vcs::commit_new(
        &ws.project.vcs,
        &path,
        &path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    println!("✓ Created {}", path.display());
    println!(
        "  Write the SQL that applies it under `-- +up` and the SQL that undoes it under `-- +down`."
    );
    Ok(())
}

/// The history, when the database can be read without side effects (an SQLite file that does not exist yet is
/// not created; an unreachable server is given three seconds): `migrate new` works offline too.
async fn recorded(ctx: &Context, ws: &Workspace) -> BTreeMap<u64, Record> {
    let url = &ctx.global.database;
    if let Ok(parsed) = crate::connection::DatabaseUrl::parse(url)
        && parsed.engine() == crate::connection::Engine::Sqlite
    {
        let file = url.trim_start_matches("sqlite:").trim_start_matches("//");
        let file = file.split('?').next().unwrap_or(file);
        if !std::path::Path::new(file).exists() {
            return BTreeMap::new();
        }
    }
    let read = async {
        let (db, mut s) = open(ctx).await.ok()?;
        let recs = super::records(&mut s, &ws.history).await.ok();
        drop(s);
        db.close().await;
        recs
    };
    tokio::time::timeout(std::time::Duration::from_secs(3), read)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}
