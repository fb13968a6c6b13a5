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
    Policy,
    /// A notification sink (world `notify`).
    Sink,
}

impl PluginKind {
    fn interface(self) -> &'static str {
        match self {
            PluginKind::Dialect => "dialect-api",
            PluginKind::Strategy => "strategy-api",
            PluginKind::Policy => "policy-api",
            PluginKind::Sink => "sink-api",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PluginKind::Dialect => "dialect",
            PluginKind::Strategy => "strategy",
            PluginKind::Policy => "policy",
            PluginKind::Sink => "sink",
        }
    }
}

const KINDS: &[PluginKind] = &[
    PluginKind::Dialect,
    PluginKind::Strategy,
    PluginKind::Policy,
    PluginKind::Sink,
];

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
    // The header is checked here rather than by the parser, whose message for a wrong one is a debug dump
    // of byte arrays.
    if let Some(reason) = bad_header(bytes) {
        return Err(not_component(reason));
    }
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| not_component(e.to_string()))?;
        match payload {
            Payload::Version { encoding, .. }
                if depth == 0 && encoding != wasmparser::Encoding::Component =>
            {
                return Err(not_component("it is a core module, not a component".into()));
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

/// The WebAssembly magic bytes every module and component starts with.
const MAGIC: &[u8; 4] = b"\0asm";
/// The version and layer fields of a core module and of a component.
const CORE_MODULE: [u8; 4] = [1, 0, 0, 0];
const COMPONENT: [u8; 4] = [0x0d, 0, 1, 0];

/// Why the first eight bytes are not a component's header, in words.
fn bad_header(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return Some("the file is empty".into());
    }
    if !bytes.starts_with(MAGIC) {
        let looks_like = if bytes.starts_with(b"\x7fELF") {
            " (it looks like a native ELF executable or library)"
        } else if bytes.starts_with(b"PK\x03\x04") {
            " (it looks like a zip archive)"
        } else if bytes.starts_with(b"\x1f\x8b") {
            " (it looks like a gzip archive)"
        } else if bytes
            .iter()
            .take(64)
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
        {
            " (it looks like text)"
        } else {
            ""
        };
        return Some(format!(
            "it does not start with the WebAssembly signature `\\0asm`{looks_like}"
        ));
    }
    if bytes.len() < 8 {
        return Some(format!(
            "it ends after {} bytes, inside the WebAssembly header",
            bytes.len()
        ));
    }
    match [bytes[4], bytes[5], bytes[6], bytes[7]] {
        COMPONENT => None,
        CORE_MODULE => Some("it is a core module, not a component".into()),
        other => Some(format!(
            "its header declares WebAssembly version {} layer {}, which is neither a core module (version 1) nor a component (version 13, layer 1)",
            u16::from_le_bytes([other[0], other[1]]),
            u16::from_le_bytes([other[2], other[3]])
        )),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(bytes: &[u8]) -> String {
        match check("x", bytes) {
            Err(PluginLoadError::NotAComponent { reason, .. }) => reason,
            other => panic!("expected NotAComponent, got {other:?}"),
        }
    }

    #[test]
    fn a_file_that_is_not_wasm_is_described_in_words() {
        for (bytes, expected) in [
            (&b""[..], "empty"),
            (b"SELECT 1;\n", "looks like text"),
            (b"\x7fELF\x02\x01\x01\0", "ELF"),
            (b"\0as", "signature"),
            (b"\0asm\x01\0", "ends after 6 bytes"),
            (b"\0asm\x01\0\0\0", "core module"),
            (b"\0asm\x02\0\0\0", "version 2 layer 0"),
            (b"\0asm\x0d\0\x01\0\xff", "offset"),
        ] {
            let text = reason(bytes);
            assert!(text.contains(expected), "{bytes:?}: {text}");
            assert!(!text.contains('['), "{bytes:?}: {text}");
        }
    }
}
