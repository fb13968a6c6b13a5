//! Database URLs: which engine, and a form safe to print.

use super::ConnectionError;

/// The database engines ai-shell speaks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    Postgres,
    MySql,
    Sqlite,
}

impl Engine {
    /// The name of the built-in dialect plugin for this engine.
    pub fn dialect_name(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::MySql => "mysql",
            Engine::Sqlite => "sqlite",
        }
    }
}

/// A parsed database URL. `Display` never shows the password, nor any secret query parameter.
#[derive(Clone)]
pub struct DatabaseUrl {
    raw: String,
    engine: Engine,
    scheme: String,
    /// The password and secret parameters' values, as written and percent-decoded, longest first.
    secrets: Vec<String>,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseUrl")
            .field("url", &self.redacted())
            .field("engine", &self.engine)
            .finish()
    }
}

impl DatabaseUrl {
    /// Parses `sqlite://FILE`, `sqlite:FILE`, `postgres://...`, `postgresql://...`, `mysql://...`, `mariadb://...`.
    pub fn parse(raw: &str) -> Result<DatabaseUrl, ConnectionError> {
        let invalid = |reason: &str| ConnectionError::InvalidUrl {
            url: redact_password_in(raw),
            reason: reason.to_string(),
        };
        let (scheme, _) = raw
            .split_once(':')
            .ok_or_else(|| invalid("it has no scheme (such as sqlite:// or postgres://)"))?;
        let scheme = scheme.to_ascii_lowercase();
        let engine = match scheme.as_str() {
            "postgres" | "postgresql" => Engine::Postgres,
            "mysql" | "mariadb" => Engine::MySql,
            "sqlite" => Engine::Sqlite,
            other => return Err(invalid(&format!("unsupported scheme `{other}`"))),
        };
        let mut secrets = secret_values(raw);
        if engine != Engine::Sqlite {
            let parsed = url::Url::parse(raw).map_err(|e| invalid(&e.to_string()))?;
            if parsed.host_str().is_none_or(str::is_empty) {
                return Err(invalid("it names no host"));
            }
            if let Some(p) = parsed.password() {
                secrets.extend([p.to_string(), percent_decode(p)]);
            }
        } else if raw
            .trim_start_matches("sqlite:")
            .trim_start_matches("//")
            .is_empty()
        {
            return Err(invalid("it names no file"));
        }
        secrets.retain(|s| !s.is_empty());
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Ok(DatabaseUrl {
            raw: raw.to_string(),
            engine,
            scheme,
            secrets,
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The URL exactly as given (contains the password: never print it).
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The URL in the form sqlx expects for this engine.
    pub(crate) fn sqlx_url(&self) -> String {
        match self.scheme.as_str() {
            "mariadb" => format!("mysql{}", &self.raw["mariadb".len()..]),
            _ => self.raw.clone(),
        }
    }

    /// The same URL (user, password, database, options) for another server, `host:port`.
    pub fn with_host_port(&self, host: &str, port: u16) -> String {
        match url::Url::parse(&self.raw) {
            Ok(mut u) if self.engine != Engine::Sqlite => {
                let moved = u.set_host(Some(host)).is_ok() && u.set_port(Some(port)).is_ok();
                if moved {
                    u.to_string()
                } else {
                    self.raw.clone()
                }
            }
            _ => self.raw.clone(),
        }
    }

    /// The database a server URL names (its path), if any.
    pub fn database_name(&self) -> Option<String> {
        if self.engine == Engine::Sqlite {
            return None;
        }
        let u = url::Url::parse(&self.raw).ok()?;
        let name = u.path().trim_start_matches('/');
        (!name.is_empty()).then(|| percent_decode(name))
    }

    /// The same URL (server, user, password, options) for another database on the server.
    pub fn with_database(&self, name: &str) -> String {
        match url::Url::parse(&self.raw) {
            Ok(mut u) if self.engine != Engine::Sqlite => {
                u.set_path(&format!("/{name}"));
                u.to_string()
            }
            _ => self.raw.clone(),
        }
    }

    /// The URL with its password and secret parameters' values replaced by `***`.
    pub fn redacted(&self) -> String {
        redact_password_in(&self.raw)
    }

    /// `text` with every occurrence of the URL's secrets replaced by `***` (driver errors may quote the URL or
    /// an option's value).
    pub fn redact_text(&self, text: &str) -> String {
        let mut text = text.replace(&self.raw, &self.redacted());
        for secret in &self.secrets {
            text = text.replace(secret.as_str(), "***");
        }
        text
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// Whether a query parameter holds a secret: `password`, `sslpassword`, `pwd`, a token, a key...
fn secret_parameter(name: &str) -> bool {
    let name = percent_decode(name).to_ascii_lowercase();
    ["pass", "pwd", "secret", "token", "auth", "credential"]
        .iter()
        .any(|w| name.contains(w))
        || name.ends_with("key")
}

/// The `(name, value)` pairs of `raw`'s query string, as written, even in a URL that does not parse.
fn query_pairs(raw: &str) -> impl Iterator<Item = (&str, &str)> {
    let query = raw.split_once('?').map(|(_, q)| q).unwrap_or("");
    let query = query.split('#').next().unwrap_or("");
    query.split('&').filter_map(|pair| pair.split_once('='))
}

/// The values of `raw`'s secret query parameters, as written and percent-decoded.
fn secret_values(raw: &str) -> Vec<String> {
    query_pairs(raw)
        .filter(|(name, _)| secret_parameter(name))
        .flat_map(|(_, value)| [value.to_string(), percent_decode(value)])
        .collect()
}

/// Replaces the password of `scheme://user:password@host` and the values of secret query parameters
/// (`?password=`, `sslpassword=`...) with `***`, even in a URL that does not parse.
fn redact_password_in(raw: &str) -> String {
    let mut out = match raw.find("://").map(|i| i + 3) {
        None => raw.to_string(),
        Some(after_scheme) => {
            let rest = &raw[after_scheme..];
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let authority = &rest[..authority_end];
            match (authority.rfind('@'), authority.find(':')) {
                (Some(at), Some(colon)) if colon < at => format!(
                    "{}{}:***{}",
                    &raw[..after_scheme],
                    &authority[..colon],
                    &rest[at..]
                ),
                _ => raw.to_string(),
            }
        }
    };
    if let Some((head, query)) = out.split_once('?') {
        let (query, fragment) = match query.split_once('#') {
            Some((q, f)) => (q, Some(f)),
            None => (query, None),
        };
        let mut redacted = String::with_capacity(out.len());
        redacted.push_str(head);
        redacted.push('?');
        for (i, pair) in query.split('&').enumerate() {
            if i > 0 {
                redacted.push('&');
            }
            match pair.split_once('=') {
                Some((name, _)) if secret_parameter(name) => {
                    redacted.push_str(name);
                    redacted.push_str("=***");
                }
                _ => redacted.push_str(pair),
            }
        }
        if let Some(f) = fragment {
            redacted.push('#');
            redacted.push_str(f);
        }
        out = redacted;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_server_keeps_user_password_database_and_options() {
        let url =
            DatabaseUrl::parse("mysql://app:p%40ss@primary:3306/shop?ssl-mode=disabled").unwrap();
        assert_eq!(
            url.with_host_port("10.0.0.7", 3307),
            "mysql://app:p%40ss@10.0.0.7:3307/shop?ssl-mode=disabled"
        );
    }

    #[test]
    fn passwords_never_show() {
        let url = DatabaseUrl::parse("postgres://admin:s3cr%40t@db.example:5432/app").unwrap();
        assert_eq!(url.redacted(), "postgres://admin:***@db.example:5432/app");
        assert_eq!(
            url.redact_text("auth failed for s3cr@t"),
            "auth failed for ***"
        );
        assert_eq!(url.to_string(), "postgres://admin:***@db.example:5432/app");
    }

    #[test]
    fn secret_parameters_never_show() {
        let raw = "postgres://admin@db.example/app?sslmode=require&password=can%40ary1&sslpassword=canary2&application_name=x#f";
        let url = DatabaseUrl::parse(raw).unwrap();
        assert_eq!(
            url.redacted(),
            "postgres://admin@db.example/app?sslmode=require&password=***&sslpassword=***&application_name=x#f"
        );
        assert_eq!(
            url.redact_text("bad password can@ary1 or canary2 in can%40ary1"),
            "bad password *** or *** in ***"
        );
        assert!(!format!("{url:?}").contains("canary"), "{url:?}");
        for raw in [
            "mysql://root@h/d?pwd=canary3",
            "mysql://root:canary4@h/d?PASSWORD=canary5&ssl-key=/k.pem",
            "postgres://u@h/d?auth_token=canary6",
        ] {
            let url = DatabaseUrl::parse(raw).unwrap();
            assert!(!url.redacted().contains("canary"), "{}", url.redacted());
        }
        // Unparsable: still redacted in the error.
        let err = DatabaseUrl::parse("postgres://:5432/app?password=canary7")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("canary7"), "{err}");
    }

    #[test]
    fn malformed_urls_are_rejected_without_the_password() {
        let err = DatabaseUrl::parse("postgres://admin:hunter2@:5432/app").unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("host"), "{text}");
        let err = DatabaseUrl::parse("oracle://x").unwrap_err().to_string();
        assert!(err.contains("unsupported scheme `oracle`"), "{err}");
        assert!(DatabaseUrl::parse("just-a-file.db").is_err());
    }

    #[test]
    fn engines_by_scheme() {
        for (url, engine) in [
            ("sqlite://demo.db", Engine::Sqlite),
            ("sqlite:demo.db", Engine::Sqlite),
            ("postgresql://u@h/d", Engine::Postgres),
            ("mariadb://root@127.0.0.1/test", Engine::MySql),
        ] {
            assert_eq!(DatabaseUrl::parse(url).unwrap().engine(), engine, "{url}");
        }
        assert_eq!(
            DatabaseUrl::parse("mariadb://root@h/d").unwrap().sqlx_url(),
            "mysql://root@h/d"
        );
    }
}
