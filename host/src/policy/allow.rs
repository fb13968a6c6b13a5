//! Inline overrides in a migration file: `-- ai-shell:allow RULE[,RULE] reason="why"` in the comment lines
//! right above a statement lets that statement break those rules. The reason is required: an override
//! without one is itself an error.

use anyhow::bail;

use crate::migrations::split::Statement;

/// The rules a statement's comments allow, with the reason given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allowances(pub Vec<Allowance>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowance {
    /// Index of the statement in its section.
    pub statement: usize,
    pub rule: String,
    pub reason: String,
}

impl Allowances {
    /// The reason statement `statement` may break `rule`, if it may.
    pub fn reason(&self, statement: usize, rule: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|a| a.statement == statement && a.rule == rule)
            .map(|a| a.reason.as_str())
    }
}

const MARKER: &str = "ai-shell:allow";

/// The overrides written above `statements` in `section` (the text they were split from).
pub fn read(section: &str, statements: &[Statement]) -> anyhow::Result<Allowances> {
    let lines: Vec<&str> = section.lines().collect();
    let mut out = vec![];
    let mut claimed = vec![false; lines.len()];
    for (k, st) in statements.iter().enumerate() {
        // The comment block right above the statement's first line (blank lines allowed inside it).
        let mut at = st.line.saturating_sub(1);
        while at > 0 {
            let line = lines.get(at - 1).map(|l| l.trim()).unwrap_or("");
            if !(line.is_empty() || line.starts_with("--") || line.starts_with('#')) {
                break;
            }
            at -= 1;
            if claimed[at] {
                break;
            }
            claimed[at] = true;
            if let Some(rest) = marker(line) {
                let (rules, reason) = parse(rest, st.line)?;
                out.extend(rules.into_iter().map(|rule| Allowance {
                    statement: k,
                    rule,
                    reason: reason.clone(),
                }));
            }
        }
    }
    // A marker no statement follows allows nothing: say so rather than ignore it.
    for (i, line) in lines.iter().enumerate() {
        if !claimed[i]
            && marker(line.trim()).is_some()
            && !statements.iter().any(|s| s.line == i + 1)
        {
            bail!(
                "line {}: `-- {MARKER}` is not right above a statement; put it in the comment lines just before the statement it allows",
                i + 1
            );
        }
    }
    Ok(Allowances(out))
}

fn marker(line: &str) -> Option<&str> {
    let body = line
        .strip_prefix("--")
        .or_else(|| line.strip_prefix('#'))?
        .trim_start();
    body.strip_prefix(MARKER)
}

fn parse(rest: &str, line: usize) -> anyhow::Result<(Vec<String>, String)> {
    let rest = rest.trim();
    let (rules, reason) = match rest.find("reason=") {
        Some(at) => (&rest[..at], Some(rest[at + "reason=".len()..].trim())),
        None => (rest, None),
    };
    let rules: Vec<String> = rules
        .split([',', ' '])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    if rules.is_empty() {
        bail!(
            "the statement at line {line}: `-- {MARKER}` names no rule; write `-- {MARKER} RULE reason=\"why\"`"
        );
    }
    let reason = reason
        .map(|r| r.trim_matches(|c| c == '"' || c == '\'').trim().to_string())
        .unwrap_or_default();
    if reason.is_empty() {
        bail!(
            "the statement at line {line}: the override of {} has no reason; write `-- {MARKER} {} reason=\"why it is safe\"`",
            rules.join(", "),
            rules.join(",")
        );
    }
    Ok((rules, reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrations::split::{SplitDialect, statements};

    fn allow(sql: &str) -> anyhow::Result<Allowances> {
        read(sql, &statements(sql, SplitDialect::Postgres))
    }

    #[test]
    fn an_override_applies_to_the_statement_right_below_it() {
        let sql = "CREATE TABLE a (id int);\n-- ai-shell:allow drop-table,drop-column reason=\"archived in S3\"\n\nDROP TABLE b;\nDROP TABLE c;\n";
        let a = allow(sql).unwrap();
        assert_eq!(a.reason(1, "drop-table"), Some("archived in S3"));
        assert_eq!(a.reason(1, "drop-column"), Some("archived in S3"));
        assert_eq!(a.reason(2, "drop-table"), None);
        assert_eq!(a.reason(0, "drop-table"), None);
    }

    #[test]
    fn an_override_without_a_reason_or_a_statement_is_an_error() {
        let e = allow("-- ai-shell:allow drop-table\nDROP TABLE b;\n").unwrap_err();
        assert!(e.to_string().contains("has no reason"), "{e}");
        let e = allow("DROP TABLE b;\n-- ai-shell:allow drop-table reason=\"x\"\n").unwrap_err();
        assert!(e.to_string().contains("not right above a statement"), "{e}");
    }
}
