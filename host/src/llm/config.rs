//! Which LLM to ask and how: provider, endpoint, model, key, time-out and retries, read from the environment
//! and the `[llm]` table of `ai-shell.toml` (which never holds the key).

use std::fmt;
use std::time::Duration;

use anyhow::{Context as _, bail};

use crate::project::LlmSettings;

/// Default Anthropic endpoint.
pub const ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";
/// Default Claude model.
pub const ANTHROPIC_MODEL: &str = "claude-sonnet-4-6";
/// Default OpenAI-compatible endpoint: a local Ollama server.
pub const OPENAI_BASE_URL: &str = "http://127.0.0.1:11434/v1";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
const DEFAULT_MAX_RETRIES: u32 = 2;

/// The wire protocol spoken to the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// Anthropic Messages API (`POST {base}/v1/messages`).
    Anthropic,
    /// Any OpenAI-compatible chat-completions endpoint (`POST {base}/chat/completions`): OpenAI, Ollama, vLLM...
    OpenAi,
}

impl Provider {
    fn parse(text: &str) -> anyhow::Result<Provider> {
        match text.trim().to_ascii_lowercase().as_str() {
            "anthropic" | "claude" => Ok(Provider::Anthropic),
            "openai" | "openai-compatible" | "ollama" => Ok(Provider::OpenAi),
            other => bail!("unknown LLM provider `{other}`: use `anthropic` or `openai`"),
        }
    }

    /// Where a user sets the key, for messages.
    pub fn key_variable(self) -> &'static str {
        match self {
            Provider::Anthropic => "ANTHROPIC_API_KEY",
            Provider::OpenAi => "AI_SHELL_LLM_API_KEY or OPENAI_API_KEY",
        }
    }
}

/// An API key. It has no `Display`, its `Debug` hides it, and only the HTTP layer reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Everything needed to call one model. `Debug` is safe to print: the key is redacted.
#[derive(Clone, Debug)]
pub struct LlmConfig {
    pub provider: Provider,
    /// Without a trailing slash, e.g. `https://api.anthropic.com` or `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    pub model: String,
    pub api_key: Option<ApiKey>,
    /// For one HTTP request, connection to last byte.
    pub timeout: Duration,
    /// Retries after a 429, 529 or 5xx answer.
    pub max_retries: u32,
    /// First back-off delay; doubled per retry, with jitter.
    pub(crate) backoff_base: Duration,
    pub max_tokens: u32,
}

impl LlmConfig {
    /// A configuration with the provider's defaults (tests and callers that build one by hand).
    pub fn new(
        provider: Provider,
        base_url: &str,
        model: &str,
        api_key: Option<ApiKey>,
    ) -> LlmConfig {
        LlmConfig {
            provider,
            base_url: base_url.trim_end_matches('/').to_string(),
            model: model.to_string(),
            api_key,
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            backoff_base: Duration::from_millis(500),
            max_tokens: 8192,
        }
    }

    /// From the environment and the project's `[llm]` table; `Ok(None)` when nothing is configured.
    ///
    /// Environment: `AI_SHELL_LLM_PROVIDER` (`anthropic` | `openai`), `AI_SHELL_LLM_MODEL`,
    /// `AI_SHELL_LLM_BASE_URL`, `AI_SHELL_LLM_API_KEY`, `ANTHROPIC_API_KEY`, `OPENAI_API_KEY`.
    /// The environment wins over the file.
    pub fn from_env(project: Option<&LlmSettings>) -> anyhow::Result<Option<LlmConfig>> {
        Self::from_vars(|name| std::env::var(name).ok(), project)
    }

    /// [`LlmConfig::from_env`] with the variables read through `var` (testable without touching the process).
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
        project: Option<&LlmSettings>,
    ) -> anyhow::Result<Option<LlmConfig>> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let env_provider = var("AI_SHELL_LLM_PROVIDER");
        let env_model = var("AI_SHELL_LLM_MODEL");
        let env_base = var("AI_SHELL_LLM_BASE_URL");
        let generic_key = var("AI_SHELL_LLM_API_KEY");
        let anthropic_key = var("ANTHROPIC_API_KEY");
        let configured = project.is_some()
            || env_provider.is_some()
            || env_model.is_some()
            || env_base.is_some()
            || generic_key.is_some()
            || anthropic_key.is_some();
        if !configured {
            return Ok(None);
        }
        let settings = project.cloned().unwrap_or_default();
        let explicit = match env_provider.or(settings.provider.clone()) {
            Some(p) => Some(Provider::parse(&p)?),
            None => None,
        };
        let base = env_base.or(settings.base_url.clone());
        let provider = explicit.unwrap_or(if anthropic_key.is_none() && base.is_some() {
            Provider::OpenAi
        } else {
            Provider::Anthropic
        });
        let (key, default_base, default_model) = match provider {
            Provider::Anthropic => (
                generic_key.or(anthropic_key),
                ANTHROPIC_BASE_URL,
                Some(ANTHROPIC_MODEL),
            ),
            Provider::OpenAi => (generic_key.or(var("OPENAI_API_KEY")), OPENAI_BASE_URL, None),
        };
        if provider == Provider::Anthropic && key.is_none() {
            bail!(
                "the Anthropic LLM planner needs an API key\n\nSet ANTHROPIC_API_KEY (or AI_SHELL_LLM_API_KEY)."
            );
        }
        let model = env_model
            .or(settings.model.clone())
            .or(default_model.map(str::to_string))
            .context(
                "no model is set for the OpenAI-compatible LLM planner\n\nSet AI_SHELL_LLM_MODEL or `model` in the [llm] table of ai-shell.toml.",
            )?;
        let base = base.unwrap_or_else(|| default_base.to_string());
        let parsed = url::Url::parse(&base)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        if parsed.is_none() {
            bail!("the LLM base URL `{base}` is not an http:// or https:// URL");
        }
        let mut config = LlmConfig::new(provider, &base, &model, key.map(ApiKey));
        if let Some(secs) = settings.timeout_secs {
            config.timeout = Duration::from_secs(secs.max(1));
        }
        if let Some(retries) = settings.max_retries {
            config.max_retries = retries;
        }
        Ok(Some(config))
    }

    /// The URL requests go to.
    pub fn endpoint(&self) -> String {
        match self.provider {
            Provider::Anthropic => format!("{}/v1/messages", self.base_url),
            Provider::OpenAi => format!("{}/chat/completions", self.base_url),
        }
    }
}
