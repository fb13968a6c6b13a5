//! Findings for people and for CI: a readable list, JSON, GitHub Actions annotations and SARIF 2.1.0.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::json;

use super::Reported;
use crate::plugins::bindings::policy::exports::ai_shell::plugin::policy_api::{Rule, Severity};
use crate::plugins::untrusted::escape;

/// The findings about one migration (a file, or a plan about to be written).
#[derive(Clone, Debug, Serialize)]
pub struct Subject {
    /// The file's path, or what the plan is (`request`).
    pub name: String,
    /// The file line where each statement starts (empty when there is no file).
    #[serde(skip)]
    pub lines: Vec<usize>,
    pub findings: Vec<Reported>,
}

impl Subject {
    fn line(&self, r: &Reported) -> Option<usize> {
        r.finding
            .statement_index
            .and_then(|i| self.lines.get(i as usize).copied())
    }
}

pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warn => "warn",
        Severity::Info => "info",
    }
}

/// Counts of errors (that block), warnings and infos.
pub fn counts(subjects: &[Subject]) -> (usize, usize, usize) {
    let all = subjects.iter().flat_map(|s| &s.findings);
    let blocking = all.clone().filter(|r| r.blocks()).count();
    let warn = all
        .clone()
        .filter(|r| r.finding.severity == Severity::Warn)
        .count();
    let info = all.filter(|r| r.finding.severity == Severity::Info).count();
    (blocking, warn, info)
}

/// One block per finding: severity, rule, where, message, then the hint and docs indented.
pub fn human(subject: &Subject) -> String {
    let mut out = String::new();
    for r in &subject.findings {
        let f = &r.finding;
        let place = match (f.statement_index, subject.line(r)) {
            (Some(i), Some(line)) => format!("statement {} (line {line}): ", i + 1),
            (Some(i), None) => format!("statement {}: ", i + 1),
            _ => String::new(),
        };
        let label = if r.allowed.is_some() {
            "allowed".to_string()
        } else {
            severity_word(f.severity).to_string()
        };
        let _ = writeln!(
            out,
            "  {label:<7} {}  {place}{}",
            escape(&f.rule),
            escape(&f.message)
        );
        if let Some(reason) = &r.allowed {
            let _ = writeln!(out, "          allowed because: {}", escape(reason));
        }
        if !f.hint.is_empty() {
            let _ = writeln!(out, "          hint: {}", escape(&f.hint));
        }
        if !f.docs.is_empty() {
            let _ = writeln!(out, "          docs: {}", escape(&f.docs));
        }
    }
    out
}

/// The findings as JSON: one object per subject.
pub fn json(subjects: &[Subject]) -> String {
    let (errors, warnings, infos) = counts(subjects);
    let value = json!({
        "files": subjects,
        "errors": errors,
        "warnings": warnings,
        "infos": infos,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// GitHub Actions workflow commands: one annotation per finding on the file and line.
pub fn github(subjects: &[Subject]) -> String {
    let mut out = String::new();
    for s in subjects {
        for r in &s.findings {
            let level = match (r.allowed.is_some(), r.finding.severity) {
                (true, _) | (_, Severity::Info) => "notice",
                (_, Severity::Warn) => "warning",
                (_, Severity::Error) => "error",
            };
            let line = s.line(r).map(|l| format!(",line={l}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "::{level} file={}{line},title={}::{}",
                command_value(&s.name),
                command_value(&r.finding.rule),
                command_data(&format!("{} ({})", r.finding.message, r.finding.hint))
            );
        }
    }
    out
}

/// SARIF 2.1.0, for code-scanning uploads.
pub fn sarif(subjects: &[Subject], rules: &[(&str, &Rule)]) -> String {
    let rule_list: Vec<_> = rules
        .iter()
        .map(|(plugin, r)| {
            json!({
                "id": r.id,
                "shortDescription": { "text": r.summary },
                "helpUri": r.docs,
                "properties": { "plugin": plugin },
                "defaultConfiguration": { "level": sarif_level(r.severity) },
            })
        })
        .collect();
    let results: Vec<_> = subjects
        .iter()
        .flat_map(|s| {
            s.findings.iter().map(move |r| {
                let mut region = json!({});
                if let Some(line) = s.line(r) {
                    region = json!({ "startLine": line });
                }
                let mut result = json!({
                    "ruleId": r.finding.rule,
                    "level": if r.allowed.is_some() { "note" } else { sarif_level(r.finding.severity) },
                    "message": { "text": format!("{} Hint: {}", r.finding.message, r.finding.hint) },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": s.name },
                            "region": region,
                        }
                    }],
                });
                if let Some(reason) = &r.allowed {
                    result["suppressions"] = json!([{ "kind": "inSource", "justification": reason }]);
                }
                result
            })
        })
        .collect();
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ai-shell",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_list,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warn => "warning",
        Severity::Info => "note",
    }
}

/// A workflow command's message: `%`, CR and LF escaped.
fn command_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`.
fn command_value(s: &str) -> String {
    command_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_values_cannot_break_out_of_their_field() {
        assert_eq!(command_value("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(command_data("x\r\ny"), "x%0D%0Ay");
    }
}
