//! `ai-shell plugin install FILE [--force]` and `ai-shell plugin remove NAME`

use crate::commands::Context;
use crate::plugins::untrusted::escape;

pub async fn install(ctx: &mut Context, file: &std::path::Path, force: bool) -> anyhow::Result<()> {
    let (plugin, replaced) = ctx.registry()?.install(file, force).await?;
    for old in &replaced {
        eprintln!("Replaced {}", escape(&old.display().to_string()));
    }
    let m = plugin.meta();
    let list = |items: &[String]| {
        items
            .iter()
            .map(|s| escape(s).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "Installed {} {} {} (WIT {}) serving {}",
        m.kind.as_str(),
        escape(&m.name),
        escape(&m.version),
        m.wit_version,
        match (m.url_schemes.is_empty(), m.dialects.is_empty()) {
            (false, _) => list(&m.url_schemes),
            (true, false) => format!("the {} dialects", list(&m.dialects)),
            (true, true) if m.kind != crate::plugins::PluginKind::Dialect =>
                "every dialect".to_string(),
            (true, true) => "no URL scheme".to_string(),
        }
    );
    Ok(())
}

pub fn remove(ctx: &mut Context, name: &str) -> anyhow::Result<()> {
    let path = ctx.registry()?.remove(name)?;
    println!("Removed {}", escape(&path.display().to_string()));
    Ok(())
}
