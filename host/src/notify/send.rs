//! Carrying out a sink's delivery: the HTTP request to the channel's URL under the network rules (HTTPS, no
//! redirects, no private addresses, the checked address pinned, limits), signed by the host; or a line
//! appended to the channel's file.

use std::net::IpAddr;
use std::time::Duration;

use super::config::Channel;
use crate::plugins::bindings::notify::exports::ai_shell::plugin::sink_api::{
    HttpRequest, HttpResponse,
};

/// Largest request body a sink may ask for.
const MAX_BODY: usize = 1 << 20;
/// How much of an answer the sink gets to judge.
const MAX_ANSWER: usize = 64 << 10;

/// Why a delivery did not reach the endpoint: the channel's or sink's fault (not retried), or the
/// network's (retried).
pub enum SendError {
    Permanent(String),
    Transient(String),
}

/// Headers the host sets itself: a sink may not.
fn host_owned(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "host",
        "content-length",
        "connection",
        "transfer-encoding",
        "keep-alive",
        "upgrade",
        "te",
        "trailer",
        "expect",
    ]
    .contains(&n.as_str())
        || n.starts_with("proxy-")
}

fn token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether an address may not be reached by a notification (unless loopback is allowed for tests).
fn forbidden(ip: IpAddr, loopback_ok: bool) -> Option<&'static str> {
    if ip.is_loopback() {
        return (!loopback_ok).then_some("a loopback address");
    }
    if ip.is_unspecified() || ip.is_multicast() {
        return Some("an unspecified or multicast address");
    }
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            if v4.is_private() || (o[0] == 100 && (64..128).contains(&o[1])) {
                Some("a private address")
            } else if v4.is_link_local() {
                Some("a link-local address (cloud metadata included)")
            } else if v4.is_broadcast() || o[0] == 0 {
                Some("a broadcast or reserved address")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden(IpAddr::V4(v4), loopback_ok);
            }
            if (s[0] & 0xfe00) == 0xfc00 {
                Some("a private address")
            } else if (s[0] & 0xffc0) == 0xfe80 {
                Some("a link-local address")
            } else {
                None
            }
        }
    }
}

/// `raw` with `${VAR}` read from the environment; a missing variable is the channel's misconfiguration.
pub fn expand(raw: &str, channel: &str) -> Result<String, SendError> {
    crate::project::expand_variables(raw, channel, |v| std::env::var(v).ok())
        .map_err(|e| SendError::Permanent(format!("channel `{channel}`: {e}")))
}

/// `HEADER: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature(secret: &[u8], t: u64, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let mut ctx = ring::hmac::Context::with_key(&key);
    ctx.update(format!("{t}.").as_bytes());
    ctx.update(body);
    format!("t={t},v1={}", hex::encode(ctx.sign().as_ref()))
}

/// Sends the sink's request to the channel's URL and returns the answer.
pub async fn http(channel: &Channel, req: &HttpRequest) -> Result<HttpResponse, SendError> {
    let sink_fault = |why: String| {
        SendError::Permanent(format!(
            "sink `{}` asked for a request the host refuses: {why}",
            channel.sink
        ))
    };
    if !token(&req.method) {
        return Err(sink_fault(format!(
            "method `{}` is not a token",
            req.method.escape_debug()
        )));
    }
    if req.body.len() > MAX_BODY {
        return Err(sink_fault(format!(
            "a body of {} bytes (the limit is 1 MiB)",
            req.body.len()
        )));
    }
    for (k, v) in &req.headers {
        if !token(k) {
            return Err(sink_fault(format!("header name `{}`", k.escape_debug())));
        }
        if host_owned(k) {
            return Err(sink_fault(format!(
                "header `{k}`, which the host sets itself"
            )));
        }
        if v.chars().any(|c| c.is_control() && c != '\t') {
            return Err(sink_fault(format!("a control character in header `{k}`")));
        }
    }
    let raw = channel
        .url
        .as_deref()
        .ok_or_else(|| SendError::Permanent(format!("channel `{}` has no url", channel.name)))?;
    let url = expand(raw, &channel.name)?;
    let parsed = url::Url::parse(&url).map_err(|e| {
        SendError::Permanent(format!(
            "channel `{}`: its url is not a URL ({e})",
            channel.name
        ))
    })?;
    let host = parsed
        .host_str()
        .ok_or_else(|| {
            SendError::Permanent(format!("channel `{}`: its url names no host", channel.name))
        })?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let https_only = || {
        SendError::Permanent(format!(
            "channel `{}`: only https:// URLs are used (plain http only to a loopback address with allow-http-loopback = true)",
            channel.name
        ))
    };
    if parsed.scheme() != "https" && !(parsed.scheme() == "http" && channel.allow_http_loopback) {
        return Err(https_only());
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| SendError::Transient(format!("resolving {host}: {e}")))?
        .collect();
    let http_ok = parsed.scheme() == "http"
        && channel.allow_http_loopback
        && !addrs.is_empty()
        && addrs.iter().all(|a| a.ip().is_loopback());
    if parsed.scheme() != "https" && !http_ok {
        return Err(https_only());
    }
    let Some(addr) = addrs.first().copied() else {
        return Err(SendError::Transient(format!("{host} has no address")));
    };
    for a in &addrs {
        if let Some(why) = forbidden(a.ip(), channel.allow_http_loopback) {
            return Err(SendError::Permanent(format!(
                "channel `{}`: {host} resolves to {} ({why}): notifications never go to internal addresses",
                channel.name,
                a.ip()
            )));
        }
    }
    let client = client(&host, addr, parsed.scheme() == "https")?;
    let method = reqwest::Method::from_bytes(req.method.as_bytes())
        .map_err(|_| sink_fault("an invalid method".into()))?;
    let mut request = client
        .request(method, parsed.clone())
        .body(req.body.clone());
    for (k, v) in &req.headers {
        request = request.header(k.as_str(), v.as_str());
    }
    if let Some(header) = &req.sign {
        if !token(header) || host_owned(header) {
            return Err(sink_fault(format!(
                "signature header `{}`",
                header.escape_debug()
            )));
        }
        let var = channel.secret_env.as_deref().ok_or_else(|| {
            SendError::Permanent(format!(
                "channel `{}`: sink `{}` signs its requests, and the channel names no secret-env",
                channel.name, channel.sink
            ))
        })?;
        let secret = std::env::var(var)
            .ok()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                SendError::Permanent(format!(
                    "channel `{}`: the signing secret's variable {var} is not set",
                    channel.name
                ))
            })?;
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        request = request.header(header.as_str(), signature(secret.as_bytes(), t, &req.body));
    }
    let answer = request.send().await.map_err(|e| {
        SendError::Transient(format!(
            "{} ({})",
            crate::project::redacted_url(&url),
            root_cause(&e)
        ))
    })?;
    let status = answer.status().as_u16();
    let headers = answer
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut body = Vec::new();
    let mut stream = answer;
    while let Ok(Some(chunk)) = stream.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= MAX_ANSWER {
            body.truncate(MAX_ANSWER);
            break;
        }
    }
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

/// A client pinned to the checked address of `host`, made once per process and host (loading the system's
/// root certificates costs more than a delivery; plain loopback HTTP loads none).
fn client(host: &str, addr: std::net::SocketAddr, tls: bool) -> Result<reqwest::Client, SendError> {
    type Clients = std::collections::HashMap<(String, std::net::SocketAddr, bool), reqwest::Client>;
    static CLIENTS: std::sync::Mutex<Option<Clients>> = std::sync::Mutex::new(None);
    let key = (host.to_string(), addr, tls);
    let mut clients = CLIENTS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = clients.get_or_insert_with(Default::default).get(&key) {
        return Ok(c.clone());
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .resolve(host, addr)
        .no_proxy()
        .user_agent(concat!("ai-shell/", env!("CARGO_PKG_VERSION")));
    if !tls {
        builder = builder.tls_certs_only(Vec::<reqwest::Certificate>::new());
    }
    let c = builder
        .build()
        .map_err(|e| SendError::Transient(format!("the HTTP client: {e}")))?;
    clients
        .get_or_insert_with(Default::default)
        .insert(key, c.clone());
    Ok(c)
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Appends `line` and a newline to the channel's file (created 0600), in one write.
pub fn append(channel: &Channel, line: &str) -> Result<(), SendError> {
    use std::io::Write;
    let path = channel.path.as_deref().unwrap_or_default();
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    if let Some(dir) = std::path::Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        let _ = std::fs::create_dir_all(dir);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| SendError::Transient(format!("opening {path}: {e}")))?;
    f.write_all(format!("{line}\n").as_bytes())
        .map_err(|e| SendError::Transient(format!("writing {path}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(forbidden(ip.parse().unwrap(), true).is_some(), "{ip}");
        }
        assert!(forbidden("127.0.0.1".parse().unwrap(), false).is_some());
        assert!(forbidden("127.0.0.1".parse().unwrap(), true).is_none());
        assert!(forbidden("93.184.216.34".parse().unwrap(), false).is_none());
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_time_and_body() {
        // echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            signature(b"secret", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
    }
}
