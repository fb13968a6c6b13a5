//! One JSON POST to the model's endpoint: provider headers, a time-out, and retries with exponential back-off
//! and jitter on 429, 529 and 5xx (honouring `retry-after`). Errors name the URL, never the key.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

use super::config::{LlmConfig, Provider};
use super::error::LlmError;

/// The Anthropic API version sent in `anthropic-version`.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
/// A server asking to wait longer than this is not waited for.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// A client with the configured time-out. reqwest is built without a TLS crypto provider; ring (already
/// used by sqlx) is installed as the process default first.
pub fn client(config: &LlmConfig) -> Result<reqwest::Client, LlmError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(config.timeout)
        .connect_timeout(config.timeout.min(Duration::from_secs(15)))
        .user_agent(concat!("ai-shell/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| LlmError::Unreachable {
            url: config.endpoint(),
            reason: format!("cannot create the HTTP client: {}", root_cause(&e)),
        })
}

/// POSTs `body` and returns the JSON answer, retrying as configured.
pub async fn post(
    config: &LlmConfig,
    client: &reqwest::Client,
    body: &Value,
) -> Result<Value, LlmError> {
    let url = config.endpoint();
    let headers = headers(config)?;
    let mut attempt = 0;
    loop {
        let sent = client
            .post(&url)
            .headers(headers.clone())
            .json(body)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => return Err(transport_error(config, &url, &e)),
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let text = response
            .text()
            .await
            .map_err(|e| transport_error(config, &url, &e))?;
        if status.is_success() {
            return serde_json::from_str(&text)
                .map_err(|e| LlmError::Protocol(format!("the body is not JSON ({e})")));
        }
        let (kind, message) = error_body(&text, config);
        if status == StatusCode::UNAUTHORIZED || kind.as_deref() == Some("authentication_error") {
            return Err(LlmError::Unauthorized {
                variable: config.provider.key_variable(),
            });
        }
        let retriable =
            status.as_u16() == 429 || status.as_u16() == 529 || status.is_server_error();
        let wait = retry_after.unwrap_or_else(|| backoff(config.backoff_base, attempt));
        if !retriable || attempt >= config.max_retries || wait > MAX_WAIT {
            return Err(LlmError::Api {
                status: status.as_u16(),
                kind,
                message,
                retries: attempt,
            });
        }
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

fn headers(config: &LlmConfig) -> Result<HeaderMap, LlmError> {
    let mut h = HeaderMap::new();
    let key = |value: String| {
        let mut v = HeaderValue::from_str(&value).map_err(|_| {
            LlmError::Protocol("the API key contains characters not allowed in a header".into())
        })?;
        v.set_sensitive(true);
        Ok::<_, LlmError>(v)
    };
    match config.provider {
        Provider::Anthropic => {
            h.insert(
                "anthropic-version",
                HeaderValue::from_static(ANTHROPIC_VERSION),
            );
            if let Some(k) = &config.api_key {
                h.insert("x-api-key", key(k.expose().to_string())?);
            }
        }
        Provider::OpenAi => {
            if let Some(k) = &config.api_key {
                h.insert("authorization", key(format!("Bearer {}", k.expose()))?);
            }
        }
    }
    Ok(h)
}

fn transport_error(config: &LlmConfig, url: &str, e: &reqwest::Error) -> LlmError {
    if e.is_timeout() {
        return LlmError::Timeout {
            url: url.to_string(),
            timeout: config.timeout,
        };
    }
    LlmError::Unreachable {
        url: url.to_string(),
        reason: redact(&root_cause(e), config),
    }
}

/// The innermost cause (`Connection refused (os error 111)`), which says more than reqwest's outer text.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// `retry-after` in seconds (the form both APIs send); an HTTP date is ignored.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get("retry-after")?.to_str().ok()?;
    let secs: f64 = text.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// `base * 2^attempt`, plus up to half of that again at random; at most 30 s (or `base`, when larger).
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(16));
    let jitter = exp.mul_f64(fastrand::f64() / 2.0);
    (exp + jitter).min(Duration::from_secs(30).max(base))
}

/// `(error.type, error.message)` from either API's error body; the raw text (shortened) otherwise.
fn error_body(text: &str, config: &LlmConfig) -> (Option<String>, String) {
    let parsed: Option<Value> = serde_json::from_str(text).ok();
    let err = parsed.as_ref().and_then(|v| v.get("error"));
    let field = |name: &str| {
        err.and_then(|e| e.get(name)).and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| (!v.is_null()).then(|| v.to_string()))
        })
    };
    let kind = field("type").or_else(|| field("code"));
    let message = field("message")
        .or_else(|| err.and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| {
            let t = text.trim();
            if t.is_empty() {
                "(empty body)".into()
            } else {
                t.chars().take(300).collect()
            }
        });
    (kind, redact(&message, config))
}

/// Removes the key from text that came from elsewhere (a server may echo it).
pub fn redact(text: &str, config: &LlmConfig) -> String {
    match &config.api_key {
        Some(k) if !k.expose().is_empty() => text.replace(k.expose(), "<redacted>"),
        _ => text.to_string(),
    }
}
