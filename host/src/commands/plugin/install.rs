//! `ai-shell plugin install FILE [--force]` and `ai-shell plugin remove NAME`

use crate::commands::Context;
use crate::plugins::untrusted::escape;

pub async fn install(
    ctx: &mut Context,
    file: &std::path::Path,
    force: bool,
    sha256: Option<&str>,
) -> anyhow::Result<()> {
    if let Some(expected) = sha256 {
        let bytes =
            std::fs::read(file).map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?;
        let found = crate::plugins::sha256(&bytes);
        if !found.eq_ignore_ascii_case(expected.trim()) {
            anyhow::bail!(
                "{} has sha256 {found}, not {expected}: it is not the file that was published; nothing was installed",
                file.display()
            );
        }
    }
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
    println!("  sha256 {}", m.sha256);
    Ok(())
}

pub fn remove(ctx: &mut Context, name: &str) -> anyhow::Result<()> {
    let path = ctx.registry()?.remove(name)?;
    println!("Removed {}", escape(&path.display().to_string()));
    Ok(())
}
