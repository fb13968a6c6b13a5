//! `migrate init` and `migrate new NAME`.

use anyhow::Context as _;

use super::{Workspace, open};
use crate::commands::Context;
use crate::history::record;
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

pub fn new(ctx: &mut Context, name: &str) -> anyhow::Result<()> {
    let ws = Workspace::load(ctx)?;
    let meta = Meta {
        description: Some(name.to_string()),
        created: Some(record::now_seconds()),
        author: Some(record::current_user()),
        ..Meta::default()
    };
    let path =
        crate::migrations::directory::create(&ws.project.migrations_dir, name, meta, "", Some(""))?;
    println!("✓ Created {}", path.display());
    println!(
        "  Write the SQL that applies it under `-- +up` and the SQL that undoes it under `-- +down`."
    );
    Ok(())
}
