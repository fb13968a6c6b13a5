//! Phases in a migration file. A phased migration is an ordinary migration file whose sections are divided by
//! phase markers, so it stays readable, editable and checksummed like any other:
//!
//! ```text
//! -- +up
//! -- +phase 1 expand: ddl
//! -- description: Add orders.status as a nullable column
//! -- lock: exclusive; ACCESS EXCLUSIVE for a catalog update (milliseconds)
//! -- estimate-ms: 20
//! -- strategy: postgres-online
//! ALTER TABLE "orders" ADD COLUMN "status" varchar(20);
//!
//! -- +phase 2 backfill: backfill
//! -- table: "public"."orders"
//! -- key: "id"
//! UPDATE "orders" SET "status" = 'pending' WHERE "status" IS NULL AND "id" >= {lo} AND "id" < {hi};
//!
//! -- +phase 3 deployed: gate
//! -- confirm: the application writes orders.status
//!
//! -- +down
//! -- +phase 1 expand
//! ALTER TABLE "orders" DROP COLUMN "status";
//! ```
//!
//! The down section holds each phase's rollback under the same marker, in the order they run (last phase
//! first). Comment lines `-- key: value` with the keys above are the phase's metadata.

use super::{Backfill, Kind, Phase};
use crate::connection::Engine;

const MARKER: &str = "-- +phase ";

/// Whether an up section is divided into phases.
pub fn is_phased(up: &str) -> bool {
    up.lines().any(|l| l.trim_start().starts_with(MARKER))
}

/// The up section of `phases`.
pub fn up_section(phases: &[Phase]) -> String {
    let mut out = String::new();
    for p in phases {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!(
            "{MARKER}{} {}: {}\n",
            p.number,
            p.name,
            p.kind.as_str()
        ));
        let mut meta = |key: &str, value: &str| {
            if !value.is_empty() {
                out.push_str(&format!("-- {key}: {}\n", one_line(value)));
            }
        };
        meta("description", &p.description);
        meta("strategy", &p.strategy);
        meta("lock", &format!("{}; {}", p.lock, p.lock_note));
        meta("estimate-ms", &p.estimated_ms.to_string());
        if let Some(b) = &p.backfill {
            meta("table", &b.table);
            meta("key", &b.key);
        }
        if let Some(g) = &p.gate {
            meta("confirm", g);
        }
        if let Some(b) = &p.backfill {
            out.push_str(&statement(&b.batch));
        }
        for s in &p.statements {
            out.push_str(&statement(s));
        }
    }
    out
}

/// The down section of `phases`: each phase's rollback, last phase first.
pub fn down_section(phases: &[Phase]) -> String {
    let mut out = String::new();
    for p in phases.iter().rev() {
        if p.rollback.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{MARKER}{} {}\n", p.number, p.name));
        for s in &p.rollback {
            out.push_str(&statement(s));
        }
    }
    out
}

fn statement(sql: &str) -> String {
    format!("{};\n", sql.trim_end().trim_end_matches(';'))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A marker line's number, name and (in the up section) kind.
type Marker = (usize, String, Option<String>);

/// The marker on `line`, if it is one.
fn marker(line: &str) -> Option<Result<Marker, String>> {
    let rest = line.trim().strip_prefix(MARKER.trim_end())?.trim();
    let (head, kind) = match rest.split_once(':') {
        Some((h, k)) => (h.trim(), Some(k.trim().to_string())),
        None => (rest, None),
    };
    let mut words = head.split_whitespace();
    let number = words.next().and_then(|n| n.parse::<usize>().ok());
    let name = words.next();
    Some(match (number, name, words.next()) {
        (Some(n), Some(name), None) if n > 0 => Ok((n, name.to_string(), kind)),
        _ => Err(format!(
            "`{}` is not a phase marker: write `-- +phase N name: kind`",
            line.trim()
        )),
    })
}

struct Chunk {
    number: usize,
    name: String,
    kind: Option<String>,
    lines: Vec<String>,
}

fn chunks(section: &str) -> Result<Vec<Chunk>, String> {
    let mut out: Vec<Chunk> = vec![];
    for line in section.lines() {
        match marker(line) {
            Some(m) => {
                let (number, name, kind) = m?;
                out.push(Chunk {
                    number,
                    name,
                    kind,
                    lines: vec![],
                });
            }
            None => match out.last_mut() {
                Some(c) => c.lines.push(line.to_string()),
                None if line.trim().is_empty() || line.trim_start().starts_with("--") => {}
                None => {
                    return Err(format!(
                        "SQL before the first phase marker: `{}`",
                        line.trim()
                    ));
                }
            },
        }
    }
    Ok(out)
}

/// `-- key: value` metadata of a phase body.
fn meta<'a>(lines: &'a [String], key: &str) -> Option<&'a str> {
    lines.iter().find_map(|l| {
        let body = l.trim().strip_prefix("--")?.trim();
        let (k, v) = body.split_once(':')?;
        k.trim().eq_ignore_ascii_case(key).then(|| v.trim())
    })
}

fn body_statements(lines: &[String], engine: Engine) -> Vec<String> {
    crate::executor::split(engine, &lines.join("\n"))
}

/// Reads the phases of a migration's sections; errors name what is wrong.
pub fn parse(up: &str, down: Option<&str>, engine: Engine) -> Result<Vec<Phase>, String> {
    let mut phases = vec![];
    for (i, c) in chunks(up)?.into_iter().enumerate() {
        if c.number != i + 1 {
            return Err(format!(
                "phase `{}` is numbered {} but is phase {} of the up section: number phases 1, 2, 3... in order",
                c.name,
                c.number,
                i + 1
            ));
        }
        let kind_text = c.kind.clone().unwrap_or_default();
        let kind = Kind::parse(&kind_text).ok_or_else(|| {
            format!(
                "phase {} `{}` has kind `{kind_text}`: use ddl, ddl-outside-transaction, backfill, validate, gate or cleanup",
                c.number, c.name
            )
        })?;
        let statements = body_statements(&c.lines, engine);
        let (lock, lock_note) = match meta(&c.lines, "lock") {
            Some(l) => match l.split_once(';') {
                Some((level, note)) => (level.trim().to_string(), note.trim().to_string()),
                None => (l.to_string(), String::new()),
            },
            None => ("exclusive".to_string(), String::new()),
        };
        let mut phase = Phase {
            number: c.number,
            name: c.name.clone(),
            kind,
            description: meta(&c.lines, "description").unwrap_or("").to_string(),
            strategy: meta(&c.lines, "strategy").unwrap_or("").to_string(),
            statements: vec![],
            backfill: None,
            gate: None,
            rollback: vec![],
            lock,
            lock_note,
            estimated_ms: meta(&c.lines, "estimate-ms")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        };
        match kind {
            Kind::Backfill => {
                let (Some(table), Some(key)) = (meta(&c.lines, "table"), meta(&c.lines, "key"))
                else {
                    return Err(format!(
                        "backfill phase {} `{}` needs `-- table:` and `-- key:` lines",
                        c.number, c.name
                    ));
                };
                if statements.is_empty() {
                    return Err(format!(
                        "backfill phase {} `{}` holds no batch: write the statement(s) of one batch, with {{lo}} and {{hi}}",
                        c.number, c.name
                    ));
                }
                // A batch may be several statements (take the rows' locks, then copy them); each
                // works on the batch's key range.
                if let Some(n) = statements
                    .iter()
                    .position(|st| !st.contains("{lo}") || !st.contains("{hi}"))
                {
                    return Err(format!(
                        "statement {} of the batch of backfill phase {} `{}` must use {{lo}} and {{hi}} to select its key range",
                        n + 1,
                        c.number,
                        c.name
                    ));
                }
                phase.backfill = Some(Backfill {
                    table: table.to_string(),
                    key: key.to_string(),
                    batch: statements.join(";\n"),
                });
            }
            Kind::Gate => {
                if !statements.is_empty() {
                    return Err(format!(
                        "gate phase {} `{}` must not hold SQL: it only waits for a confirmation",
                        c.number, c.name
                    ));
                }
                phase.gate = Some(
                    meta(&c.lines, "confirm")
                        .unwrap_or("the application is ready for the next phase")
                        .to_string(),
                );
            }
            _ => phase.statements = statements,
        }
        phases.push(phase);
    }
    if let Some(down) = down {
        for c in chunks(down)? {
            let Some(p) = phases.iter_mut().find(|p| p.number == c.number) else {
                return Err(format!(
                    "the down section has a rollback for phase {} `{}`, which the up section does not have",
                    c.number, c.name
                ));
            };
            p.rollback = body_statements(&c.lines, engine);
        }
    }
    Ok(phases)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Phase> {
        let base = |number, name: &str, kind| Phase {
            number,
            name: name.into(),
            kind,
            description: format!("{name} things"),
            strategy: "postgres-online".into(),
            statements: vec![],
            backfill: None,
            gate: None,
            rollback: vec![],
            lock: "exclusive".into(),
            lock_note: "milliseconds".into(),
            estimated_ms: 20,
        };
        let mut expand = base(1, "expand", Kind::Ddl);
        expand.statements = vec!["ALTER TABLE t ADD COLUMN c int".into()];
        expand.rollback = vec!["ALTER TABLE t DROP COLUMN c".into()];
        let mut backfill = base(2, "backfill", Kind::Backfill);
        backfill.backfill = Some(Backfill {
            table: "\"t\"".into(),
            key: "\"id\"".into(),
            batch: "UPDATE t SET c = 1 WHERE id >= {lo} AND id < {hi}".into(),
        });
        let mut gate = base(3, "deployed", Kind::Gate);
        gate.gate = Some("the app writes t.c".into());
        vec![expand, backfill, gate]
    }

    #[test]
    fn phases_survive_the_file_round_trip() {
        let phases = sample();
        let up = up_section(&phases);
        let down = down_section(&phases);
        assert!(is_phased(&up));
        let back = parse(&up, Some(&down), Engine::Postgres).unwrap();
        assert_eq!(back, phases);
    }

    #[test]
    fn a_batch_of_two_statements_survives_the_file_round_trip() {
        let mut phases = sample();
        phases[1].backfill.as_mut().unwrap().batch =
            "SELECT id FROM t WHERE id >= {lo} AND id < {hi} LOCK IN SHARE MODE;\n\
             INSERT INTO s SELECT * FROM t WHERE id >= {lo} AND id < {hi}"
                .into();
        let back = parse(
            &up_section(&phases),
            Some(&down_section(&phases)),
            Engine::MySql,
        )
        .unwrap();
        assert_eq!(back, phases);
    }

    #[test]
    fn malformed_phases_are_named() {
        let err = parse("-- +phase 2 x: ddl\nSELECT 1;", None, Engine::Postgres).unwrap_err();
        assert!(err.contains("numbered 2"), "{err}");
        let err = parse(
            "-- +phase 1 x: sometimes\nSELECT 1;",
            None,
            Engine::Postgres,
        )
        .unwrap_err();
        assert!(err.contains("kind `sometimes`"), "{err}");
        let err = parse(
            "-- +phase 1 b: backfill\n-- table: t\n-- key: id\nUPDATE t SET c = 1;",
            None,
            Engine::Postgres,
        )
        .unwrap_err();
        assert!(err.contains("{lo}"), "{err}");
        let err = parse(
            "-- +phase 1 b: backfill\n-- table: t\n-- key: id\n\
             UPDATE t SET c = 1 WHERE id >= {lo} AND id < {hi};\nUPDATE t SET c = 2;",
            None,
            Engine::Postgres,
        )
        .unwrap_err();
        assert!(err.contains("statement 2 of the batch"), "{err}");
        let err = parse("-- +phase 1 g: gate\nDROP TABLE t;", None, Engine::Postgres).unwrap_err();
        assert!(err.contains("must not hold SQL"), "{err}");
        let err = parse(
            "-- +phase 1 a: ddl\nSELECT 1;",
            Some("-- +phase 4 zz\nSELECT 2;"),
            Engine::Postgres,
        )
        .unwrap_err();
        assert!(err.contains("phase 4"), "{err}");
    }
}
