//! A dialect plugin that misbehaves on request, to prove the host's sandbox. `quote-identifier`
//! takes the misbehaviour's name: `loop`, `alloc`, `read-file`, `env`, `connect`, `panic`.

use ai_shell_plugin_sdk::{Dialect, PluginInfo, export_dialect};

struct Hostile;

impl Dialect for Hostile {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile".into(),
            version: "0.1.0".into(),
            description: "misbehaves on request (sandbox tests)".into(),
            url_schemes: vec![],
        }
    }

    fn quote_identifier(name: String) -> String {
        match name.as_str() {
            "loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "alloc" => {
                // 2 GiB (less one wasm page: a Rust allocation must stay below isize::MAX), touched so that
                // it cannot be optimised away.
                let v = vec![7u8; (1usize << 31) - (1 << 16)];
                format!("allocated {} bytes, last {}", v.len(), v[v.len() - 1])
            }
            "read-file" => match std::fs::read_to_string("/etc/passwd") {
                Ok(text) => format!("read {} bytes: {}", text.len(), text),
                Err(e) => format!("denied: {:?}", e.kind()),
            },
            "env" => format!("{} variables", std::env::vars().count()),
            "connect" => match std::net::TcpStream::connect("127.0.0.1:5432") {
                Ok(_) => "connected".into(),
                Err(e) => format!("denied: {:?}", e.kind()),
            },
            "panic" => panic!("the hostile plugin panics on purpose"),
            other => format!("\"{other}\""),
        }
    }
}

export_dialect!(Hostile);
