//! `ai-shell plugin list [--json]`

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use crate::commands::{Context, write_output};
use crate::plugins::untrusted::escape;

pub async fn run(ctx: &mut Context, json: bool) -> anyhow::Result<()> {
    let registry = ctx.registry()?;
    let mut plugins = vec![];
    let mut broken = vec![];
    for (label, loaded) in registry.all().await {
        match loaded {
            Ok(p) => plugins.push(p.meta().clone()),
            Err(e) => broken.push((label, e.to_string())),
        }
    }
    let text = if json {
        serde_json::to_string_pretty(&serde_json::json!({
            "plugins": plugins,
            "broken": broken.iter().map(|(l, e)| serde_json::json!({"file": l, "error": e})).collect::<Vec<_>>(),
        }))? + "\n"
    } else {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED);
        if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            t.force_no_tty();
        }
        t.set_header([
            "name",
            "kind",
            "version",
            "wit",
            "source",
            "serves",
            "sha256",
            "description",
        ]);
        // Everything a plugin reports about itself is escaped: it must not reach the terminal raw.
        let text = |s: &str| escape(s).into_owned();
        let list = |items: &[String]| items.iter().map(|s| text(s)).collect::<Vec<_>>().join(", ");
        for p in &plugins {
            t.add_row(vec![
                text(&p.name),
                p.kind.as_str().to_string(),
                text(&p.version),
                p.wit_version.clone(),
                p.source.label().to_string(),
                if !p.dialects.is_empty() {
                    list(&p.dialects)
                } else if p.kind == crate::plugins::PluginKind::Sink {
                    "notifications".to_string()
                } else if p.kind != crate::plugins::PluginKind::Dialect {
                    "any dialect".to_string()
                } else {
                    list(&p.url_schemes)
                },
                p.sha256.get(..12).unwrap_or_default().to_string(),
                text(&p.description),
            ]);
        }
        format!("{t}\n")
    };
    for (label, e) in &broken {
        eprintln!("warning: cannot load plugin {}: {e}", escape(label));
    }
    write_output(None, &text)
}
