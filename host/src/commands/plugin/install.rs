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
        match (m.url_schemes.is_empty(), m.dialects.is_empty()) {
            (false, _) => m.url_schemes.join(", "),
            (true, false) => format!("the {} dialects", m.dialects.join(", ")),
            (true, true) if m.kind == crate::plugins::PluginKind::Strategy =>
                "every dialect".to_string(),
            (true, true) => "no URL scheme".to_string(),
        }
    );
    Ok(())
}

pub fn remove(ctx: &mut Context, name: &str) -> anyhow::Result<()> {
    let path = ctx.registry()?.remove(name)?;
    println!("Removed {}", path.display());
    Ok(())
}
