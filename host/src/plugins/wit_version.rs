//! Reads which WIT package version a plugin was built against, from its export names
//! (`ai-shell:plugin/dialect-api@0.1.0`), before anything is compiled.

use wasmparser::{Parser, Payload};

use super::error::PluginLoadError;

/// The WIT package version this host implements.
pub const HOST_WIT_VERSION: &str = "0.1.0";
/// Plugin WIT versions this host can run.
pub const SUPPORTED: &str = "^0.1";

/// The kinds of plugin, by the interface they export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PluginKind {
    Dialect,
    Strategy,
}

impl PluginKind {
    fn interface(self) -> &'static str {
        match self {
            PluginKind::Dialect => "dialect-api",
            PluginKind::Strategy => "strategy-api",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PluginKind::Dialect => "dialect",
            PluginKind::Strategy => "strategy",
        }
    }
}

const KINDS: &[PluginKind] = &[PluginKind::Dialect, PluginKind::Strategy];

/// What a plugin declares about itself before it is compiled.
#[derive(Clone, Debug)]
pub struct Declared {
    pub kind: PluginKind,
    pub wit_version: semver::Version,
}

/// Reads the declared kind and WIT version and refuses versions this host does not support.
pub fn check(plugin: &str, bytes: &[u8]) -> Result<Declared, PluginLoadError> {
    let declared = read(plugin, bytes)?;
    let supported = semver::VersionReq::parse(SUPPORTED).expect("valid requirement");
    if !supported.matches(&declared.wit_version) {
        return Err(PluginLoadError::IncompatibleWit {
            plugin: plugin.to_string(),
            found: declared.wit_version.to_string(),
            supported: "0.1.x".to_string(),
        });
    }
    Ok(declared)
}

fn read(plugin: &str, bytes: &[u8]) -> Result<Declared, PluginLoadError> {
    let not_component = |reason: String| PluginLoadError::NotAComponent {
        plugin: plugin.to_string(),
        reason,
    };
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| not_component(e.to_string()))?;
        match payload {
            Payload::Version { encoding, .. }
                if depth == 0 && encoding != wasmparser::Encoding::Component =>
            {
                return Err(not_component("it is a core module".into()));
            }
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentExportSection(exports) if depth == 0 => {
                for export in exports {
                    let export = export.map_err(|e| not_component(e.to_string()))?;
                    if let Some(found) = declared_by(export.name.name) {
                        return Ok(found);
                    }
                }
            }
            _ => {}
        }
    }
    Err(PluginLoadError::NotAPlugin {
        plugin: plugin.to_string(),
        expected: KINDS
            .iter()
            .map(|k| format!("ai-shell:plugin/{}", k.interface()))
            .collect::<Vec<_>>()
            .join(", "),
    })
}

fn declared_by(export: &str) -> Option<Declared> {
    let rest = export.strip_prefix("ai-shell:plugin/")?;
    let (interface, version) = rest.split_once('@')?;
    let kind = *KINDS.iter().find(|k| k.interface() == interface)?;
    Some(Declared {
        kind,
        wit_version: semver::Version::parse(version).ok()?,
    })
}
