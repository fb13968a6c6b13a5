//! `ai-shell plugin install FILE` and `ai-shell plugin remove NAME`

use crate::commands::Context;

pub async fn install(ctx: &mut Context, file: &std::path::Path) -> anyhow::Result<()> {
    let plugin = ctx.registry()?.install(file).await?;
    let m = plugin.meta();
    println!(
        "Installed {} {} {} (WIT {}) serving {}",
        m.kind.as_str(),
        m.name,
        m.version,
        m.wit_version,
        if m.url_schemes.is_empty() {
            "no URL scheme".to_string()
        } else {
            m.url_schemes.join(", ")
        }
    );
    Ok(())
}

pub fn remove(ctx: &mut Context, name: &str) -> anyhow::Result<()> {
    let path = ctx.registry()?.remove(name)?;
    println!("Removed {}", path.display());
    Ok(())
}
