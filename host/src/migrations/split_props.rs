//! Property tests of the statement splitter and the migration-file parser: sections and files built from
//! pieces whose statements are known (strings and identifiers holding `;`, comments, dollar quotes, compound
//! bodies, `DELIMITER` blocks, blank lines, section markers) split back into exactly those statements, with
//! nothing lost and nothing invented; a construct left open is always reported with its line. A fixed seed
//! and case count keep the run deterministic and short enough for CI.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use super::file::{self, Rollback};
use super::split::{SplitDialect, Statement, statements, unterminated};

const DIALECTS: [SplitDialect; 3] = [
    SplitDialect::Postgres,
    SplitDialect::MySql,
    SplitDialect::Sqlite,
];

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x5eed_1e55),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Text from which quoted strings, identifiers and comments are made: every character that ends or opens
/// something in some dialect.
const ATOMS: &[&str] = &[
    "a",
    "Z",
    "0",
    " ",
    ";",
    "'",
    "''",
    "\"",
    "`",
    "--",
    "/*",
    "*/",
    "//",
    "$$",
    "$t$",
    "#",
    "\n",
    "\t",
    "[",
    "]",
    "\\",
    "(",
    ",",
    "é",
    "日",
    "END",
    "BEGIN",
    "DELIMITER",
];

fn raw() -> BoxedStrategy<String> {
    prop::collection::vec(prop::sample::select(ATOMS), 0..8)
        .prop_map(|atoms| atoms.concat())
        .boxed()
}

fn pick(options: &'static [&'static str]) -> BoxedStrategy<String> {
    prop::sample::select(options)
        .prop_map(str::to_string)
        .boxed()
}

/// Whitespace between the pieces of a statement (never empty, so that pieces never merge).
const SEPARATORS: &[&str] = &[" ", "\n", "  ", "\t", "\n\n", " \n  "];

/// `'...'` as the dialect escapes it.
fn single_quoted(d: SplitDialect) -> BoxedStrategy<String> {
    (raw(), any::<bool>())
        .prop_map(move |(r, backslash)| match d {
            SplitDialect::MySql => {
                let quote = if backslash { "\\'" } else { "''" };
                format!("'{}'", r.replace('\\', "\\\\").replace('\'', quote))
            }
            _ => format!("'{}'", r.replace('\'', "''")),
        })
        .boxed()
}

/// `"..."`: an identifier, or a string with backslash escapes on MySQL.
fn double_quoted(d: SplitDialect) -> BoxedStrategy<String> {
    raw()
        .prop_map(move |r| match d {
            SplitDialect::MySql => format!("\"{}\"", r.replace('\\', "\\\\").replace('"', "\"\"")),
            _ => format!("\"{}\"", r.replace('"', "\"\"")),
        })
        .boxed()
}

fn backticked() -> BoxedStrategy<String> {
    raw()
        .prop_map(|r| format!("`{}`", r.replace('`', "``")))
        .boxed()
}

fn bracketed() -> BoxedStrategy<String> {
    raw()
        .prop_map(|r| format!("[{}]", r.replace(']', "")))
        .boxed()
}

/// `/* ... */` whose text neither opens nor closes a comment.
fn block_comment() -> BoxedStrategy<String> {
    raw()
        .prop_map(|r| format!("/*{}*/", r.replace(['*', '/'], "")))
        .boxed()
}

/// A line comment, with the line break that ends it.
fn line_comment(d: SplitDialect) -> BoxedStrategy<String> {
    (raw(), any::<bool>())
        .prop_map(move |(r, hash)| {
            let mark = if hash && d == SplitDialect::MySql {
                "#"
            } else {
                "-- "
            };
            format!("{mark}{}\n", r.replace('\n', ""))
        })
        .boxed()
}

/// `$tag$body$tag$`, with the body's `$` dropped if the body would close the quote early.
fn dollar_quote(tag: &str, body: &str) -> String {
    let quote = format!("${tag}$");
    let body = if format!("{body}{quote}").find(&quote) == Some(body.len()) {
        body.to_string()
    } else {
        body.replace('$', "")
    };
    format!("{quote}{body}{quote}")
}

fn dollar_tag() -> BoxedStrategy<String> {
    pick(&["", "t", "body", "x_1"])
}

/// One piece of a statement: a word, a number, an operator, a quoted string or identifier, a comment. No
/// piece is a block keyword (`BEGIN`, `END`, `CASE`...) outside quotes, so pieces never open or close blocks.
fn piece(d: SplitDialect) -> BoxedStrategy<String> {
    let common = prop_oneof![
        3 => pick(&[
            "t", "col_1", "x", "NULL", "AND", "FROM", "WHERE", "VALUES", "t.end", "t.begin", "Ünï",
            "a$b", "1", "42", "0.5", "(", ")", ",", "=", "-", "*", "<>",
        ]),
        2 => single_quoted(d),
        1 => double_quoted(d),
        1 => line_comment(d),
        1 => block_comment(),
    ];
    match d {
        SplitDialect::Postgres => prop_oneof![
            8 => common,
            1 => pick(&["$1", "::int", "||", "/* outer /* inner ; */ still ; */"]),
            1 => raw().prop_map(|r| format!(
                "E'{}'",
                r.replace('\\', "\\\\").replace('\'', "\\'")
            )),
            1 => (dollar_tag(), raw()).prop_map(|(tag, body)| dollar_quote(&tag, &body)),
        ]
        .boxed(),
        SplitDialect::MySql => prop_oneof![
            8 => common,
            1 => pick(&["5--1", "@v", "/*!40101 SET x = 1 */", "/*+ HINT(1) */"]),
            1 => backticked(),
        ]
        .boxed(),
        SplitDialect::Sqlite => prop_oneof![
            8 => common,
            1 => pick(&["?1", ":name", "||"]),
            1 => backticked(),
            1 => bracketed(),
        ]
        .boxed(),
    }
}

/// `head` followed by pieces, each after a separator.
fn with_pieces(head: BoxedStrategy<String>, d: SplitDialect) -> BoxedStrategy<String> {
    (
        head,
        prop::collection::vec((pick(SEPARATORS), piece(d)), 0..6),
    )
        .prop_map(|(head, pieces)| {
            let mut sql = head;
            for (sep, piece) in pieces {
                sql.push_str(&sep);
                sql.push_str(&piece);
            }
            sql
        })
        .boxed()
}

/// A statement that may stand inside a compound body.
fn inner(d: SplitDialect) -> BoxedStrategy<String> {
    with_pieces(
        pick(&[
            "SELECT",
            "INSERT INTO t VALUES",
            "UPDATE t SET a =",
            "DELETE FROM t WHERE a =",
        ]),
        d,
    )
}

/// A statement that ends at the first `;` outside quotes and comments.
fn plain(d: SplitDialect) -> BoxedStrategy<String> {
    prop_oneof![
        8 => with_pieces(
            pick(&[
                "SELECT",
                "INSERT INTO t VALUES",
                "UPDATE t SET a =",
                "DELETE FROM t WHERE a =",
                "CREATE TABLE t",
                "ALTER TABLE t ADD c",
                "DROP TABLE IF EXISTS t",
                "WITH q AS",
                "CREATE INDEX i ON t",
            ]),
            d,
        ),
        1 => pick(&["BEGIN", "COMMIT", "ROLLBACK", "END"]),
    ]
    .boxed()
}

/// Statements ended by `;` and a separator, as a compound body holds them.
fn body(statement: BoxedStrategy<String>) -> BoxedStrategy<String> {
    prop::collection::vec((statement, pick(SEPARATORS)), 1..4)
        .prop_map(|stmts| {
            stmts
                .into_iter()
                .map(|(sql, sep)| format!("{sql};{sep}"))
                .collect()
        })
        .boxed()
}

/// A statement with a body whose `;` do not end it.
fn compound(d: SplitDialect) -> BoxedStrategy<String> {
    match d {
        SplitDialect::Sqlite => (
            pick(&[
                "CREATE TRIGGER trg AFTER INSERT ON t FOR EACH ROW",
                "CREATE TEMP TRIGGER IF NOT EXISTS trg BEFORE UPDATE ON t",
            ]),
            body(
                prop_oneof![
                    3 => inner(d),
                    1 => pick(&["UPDATE t SET a = CASE WHEN x THEN 1 ELSE 0 END WHERE b = 1"]),
                ]
                .boxed(),
            ),
        )
            .prop_map(|(head, body)| format!("{head}\nBEGIN\n{body}END"))
            .boxed(),
        SplitDialect::Postgres => prop_oneof![
            (dollar_tag(), body(inner(d))).prop_map(|(tag, body)| format!(
                "CREATE FUNCTION f() RETURNS trigger AS {} LANGUAGE plpgsql",
                dollar_quote(&tag, &format!("\nBEGIN\n{body}END;\n"))
            )),
            (dollar_tag(), body(inner(d)))
                .prop_map(|(tag, body)| format!("DO {}", dollar_quote(&tag, &body))),
            body(
                prop_oneof![
                    3 => inner(d),
                    1 => pick(&["SELECT CASE WHEN true THEN 1 END"]),
                ]
                .boxed()
            )
            .prop_map(|body| format!(
                "CREATE FUNCTION one() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n{body}END"
            )),
        ]
        .boxed(),
        SplitDialect::MySql => {
            let statement = prop_oneof![
                3 => inner(d),
                1 => pick(&[
                    "IF x THEN SELECT 1; ELSEIF y THEN SELECT 2; END IF",
                    "CASE i WHEN 1 THEN SELECT 1; ELSE SELECT 0; END CASE",
                    "WHILE i < 3 DO SET i = i + 1; END WHILE",
                    "REPEAT SET i = i - 1; UNTIL i = 0 END REPEAT",
                    "lbl: LOOP LEAVE lbl; END LOOP lbl",
                    "BEGIN SELECT 2; END",
                    "SELECT CASE WHEN a THEN 1 END FROM t",
                    "DECLARE i INT DEFAULT 0",
                ]),
            ]
            .boxed();
            prop_oneof![
                (
                    pick(&["CREATE", "CREATE DEFINER=`root`@`localhost`"]),
                    body(statement.clone())
                )
                    .prop_map(|(create, body)| format!(
                        "{create} PROCEDURE p(IN n INT)\nBEGIN\n{body}END"
                    )),
                body(statement).prop_map(|body| format!("BEGIN NOT ATOMIC {body}END")),
                pick(&[
                    "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.x = CASE WHEN NEW.y THEN 1 ELSE 2 END",
                    "CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1",
                    "/*!40101 SET NAMES utf8mb4 */",
                ]),
            ]
            .boxed()
        }
    }
}

fn statement(d: SplitDialect) -> BoxedStrategy<String> {
    prop_oneof![4 => plain(d), 1 => compound(d)].boxed()
}

/// What may stand between statements and produce none: whitespace, comments and (outside `DELIMITER`
/// blocks) empty statements.
fn noise(d: SplitDialect, semicolons: bool) -> BoxedStrategy<String> {
    let mut fixed: Vec<&'static str> =
        vec![" ", "\n", "\n\n", "\t", "--\n", "/**/", "/* multi\nline */"];
    if semicolons {
        fixed.push(";");
    }
    match d {
        SplitDialect::Postgres => fixed.push("/* outer /* inner ; */ still ; */"),
        SplitDialect::MySql => fixed.extend(["#\n", "# note; here\n"]),
        SplitDialect::Sqlite => {}
    }
    let one = prop_oneof![
        2 => prop::sample::select(fixed).prop_map(str::to_string),
        1 => line_comment(d),
        1 => block_comment(),
    ];
    prop::collection::vec(one, 0..3)
        .prop_map(|noise| noise.concat())
        .boxed()
}

/// What a section is made of.
#[derive(Clone, Debug)]
enum Unit {
    /// A statement ended by `;` after `gap`; the last one of a section may go without.
    Statement { sql: String, gap: String },
    /// MySQL: `DELIMITER xx` and `DELIMITER ;` lines around statements ended by `xx`, each followed by noise.
    Delimited {
        keyword: String,
        delimiter: String,
        statements: Vec<(String, String)>,
    },
}

fn unit(d: SplitDialect) -> BoxedStrategy<Unit> {
    let single = (statement(d), pick(&["", " ", "\n"]))
        .prop_map(|(sql, gap)| Unit::Statement { sql, gap })
        .boxed();
    if d != SplitDialect::MySql {
        return single;
    }
    let delimited = (
        pick(&["DELIMITER", "delimiter"]),
        pick(&["//", "$$", "|"]),
        prop::collection::vec((statement(d), noise(d, false)), 1..4),
    )
        .prop_map(|(keyword, delimiter, statements)| Unit::Delimited {
            keyword,
            delimiter,
            statements,
        });
    prop_oneof![5 => single, 1 => delimited].boxed()
}

/// A section's text and the statements it must split into.
#[derive(Clone, Debug)]
struct Section {
    text: String,
    expected: Vec<Statement>,
}

impl Section {
    fn push_statement(&mut self, sql: &str) {
        self.expected.push(Statement {
            sql: sql.trim_end().to_string(),
            line: 1 + self.text.matches('\n').count(),
        });
        self.text.push_str(sql);
    }

    fn start_line(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }
}

/// Renders `units` after `lead`; the last statement goes without its `;` when `open_end`.
fn render(lead: String, units: Vec<(Unit, String)>, open_end: bool) -> Section {
    let mut s = Section {
        text: lead,
        expected: Vec::new(),
    };
    let count = units.len();
    for (k, (unit, noise)) in units.into_iter().enumerate() {
        match unit {
            Unit::Statement { sql, gap } => {
                s.push_statement(&sql);
                if open_end && k + 1 == count {
                    break; // anything after it would be part of it
                }
                s.text.push_str(&gap);
                s.text.push(';');
            }
            Unit::Delimited {
                keyword,
                delimiter,
                statements,
            } => {
                s.start_line();
                s.text.push_str(&format!("{keyword} {delimiter}\n"));
                for (sql, noise) in statements {
                    s.push_statement(&sql);
                    s.text.push_str(&delimiter);
                    s.text.push_str(&noise);
                }
                s.start_line();
                s.text.push_str(&format!("{keyword} ;\n"));
            }
        }
        s.text.push_str(&noise);
    }
    s
}

fn section(d: SplitDialect, open_end: bool) -> BoxedStrategy<Section> {
    (
        noise(d, true),
        prop::collection::vec((unit(d), noise(d, true)), 0..8),
        any::<bool>(),
    )
        .prop_map(move |(lead, units, open)| render(lead, units, open && open_end))
        .boxed()
}

fn dialect_and_section(open_end: bool) -> BoxedStrategy<(SplitDialect, Section)> {
    prop::sample::select(&DIALECTS[..])
        .prop_flat_map(move |d| (Just(d), section(d, open_end)))
        .boxed()
}

fn sqls(statements: &[Statement]) -> Vec<&str> {
    statements.iter().map(|s| s.sql.as_str()).collect()
}

proptest! {
    #![proptest_config(config(2_000))]

    /// Nothing lost, nothing invented: a section splits into exactly its statements, at their lines, and
    /// nothing is reported open.
    #[test]
    fn sections_split_into_exactly_their_statements((d, s) in dialect_and_section(true)) {
        prop_assert_eq!(statements(&s.text, d), s.expected, "{:?}:\n{}", d, s.text);
        prop_assert_eq!(unterminated(&s.text, d), None, "{:?}:\n{}", d, s.text);
    }
}

/// Something opened after the last complete statement and never closed, and what the splitter calls it.
fn opener(d: SplitDialect) -> BoxedStrategy<(&'static str, &'static str)> {
    let mut openers: Vec<(&'static str, &'static str)> = vec![
        ("SELECT '", "a `'` string"),
        ("SELECT x /* ", "a `/*` comment"),
        ("/* ", "a `/*` comment"),
    ];
    match d {
        SplitDialect::Postgres => openers.extend([
            ("SELECT \"", "a `\"` quoted identifier"),
            ("SELECT E'", "a `'` string"),
            ("SELECT $$", "a dollar-quoted string"),
            ("DO $body$", "a dollar-quoted string"),
        ]),
        SplitDialect::MySql => openers.extend([
            ("SELECT \"", "a `\"` string"),
            ("SELECT `", "a `` ` `` quoted identifier"),
            (
                "DELIMITER //\nSELECT 1;",
                "a block opened after `DELIMITER` (no closing delimiter)",
            ),
        ]),
        SplitDialect::Sqlite => openers.extend([
            ("SELECT \"", "a `\"` quoted identifier"),
            ("SELECT `", "a `` ` `` quoted identifier"),
            ("SELECT [", "a `[` quoted identifier"),
        ]),
    }
    prop::sample::select(openers).boxed()
}

/// Text that closes nothing: it can follow any opener.
fn tail() -> BoxedStrategy<String> {
    prop::collection::vec(
        prop::sample::select(
            &[
                "a",
                " ",
                ";",
                "\n",
                "SELECT 1;",
                "é",
                "\n\nCREATE TABLE b (id int);",
            ][..],
        ),
        0..8,
    )
    .prop_map(|t| t.concat())
    .boxed()
}

proptest! {
    #![proptest_config(config(1_000))]

    /// A construct left open is reported with the line it opens on, and the text after it is never dropped:
    /// it is part of the last statement (or, for a comment between statements, reported).
    #[test]
    fn what_is_left_open_is_reported(
        (d, s, (open, what), tail) in prop::sample::select(&DIALECTS[..]).prop_flat_map(|d| {
            (Just(d), section(d, false), opener(d), tail())
        })
    ) {
        let mut s = s;
        if open.starts_with("DELIMITER") {
            s.start_line();
        }
        let opened_on = 1 + s.text.matches('\n').count();
        let statement_line = opened_on + open.matches('\n').count();
        let rest = format!("{open}{tail}");
        let mut expected = s.expected.clone();
        if let Some(sql) = rest.strip_prefix("DELIMITER //\n") {
            expected.push(Statement { sql: sql.trim_end().to_string(), line: statement_line });
        } else if !open.starts_with("/*") {
            expected.push(Statement { sql: rest.trim_end().to_string(), line: opened_on });
        }
        s.text.push_str(&rest);
        let found = unterminated(&s.text, d).map(|u| (u.what, u.line));
        let line = if open.starts_with("DELIMITER") { statement_line } else { opened_on };
        prop_assert_eq!(found, Some((what, line)), "{:?}:\n{}", d, s.text);
        prop_assert_eq!(statements(&s.text, d), expected, "{:?}:\n{}", d, s.text);
    }
}

/// The header lines a file may start with (before the first marker).
fn header() -> BoxedStrategy<String> {
    (
        any::<bool>(),
        prop::sample::subsequence(
            vec![
                "-- description: Generated; with ' and \"",
                "-- author: Zoë",
                "-- note without a key",
                "",
                "-- strategy: direct",
                "-- transaction: true",
                "-- X-Reviewed: yes",
            ],
            0..=7,
        ),
    )
        .prop_map(|(title, lines)| {
            let mut out = String::new();
            if title {
                out.push_str("-- ai-shell migration 001: generated\n");
            }
            for line in lines {
                out.push_str(line);
                out.push('\n');
            }
            out
        })
        .boxed()
}

/// A whole migration file: its text, and the statements of its up and down sections (`None`: no down).
#[derive(Clone, Debug)]
struct GeneratedFile {
    text: String,
    up: Vec<Statement>,
    down: Option<Vec<Statement>>,
}

fn generated_file(d: SplitDialect) -> BoxedStrategy<GeneratedFile> {
    (
        header(),
        section(d, true),
        prop::option::of(section(d, true)),
        any::<bool>(),
        pick(&["-- +up", "-- +UP", "  -- +up\t"]),
        pick(&["-- +down", "-- +Down"]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(header, up, down, down_first, up_marker, down_marker, bom, crlf)| {
                let up_part = format!("{up_marker}\n{}\n", up.text);
                let down_part = down
                    .as_ref()
                    .map(|down| format!("{down_marker}\n{}\n", down.text));
                let mut text = String::from(if bom { "\u{feff}" } else { "" });
                text.push_str(&header);
                match (&down_part, down_first) {
                    (Some(down_part), true) => {
                        text.push_str(down_part);
                        text.push_str(&up_part);
                    }
                    _ => {
                        text.push_str(&up_part);
                        text.push_str(down_part.as_deref().unwrap_or(""));
                    }
                }
                if crlf {
                    text = text.replace('\n', "\r\n");
                }
                GeneratedFile {
                    text,
                    up: up.expected,
                    down: down.map(|d| d.expected),
                }
            },
        )
        .boxed()
}

proptest! {
    #![proptest_config(config(1_000))]

    /// A file parses, and its sections split into exactly the statements written in them (with BOM, CRLF,
    /// header comments and markers in either order).
    #[test]
    fn files_parse_into_exactly_their_statements(
        (d, f) in prop::sample::select(&DIALECTS[..]).prop_flat_map(|d| (Just(d), generated_file(d)))
    ) {
        let m = file::parse("migrations/001_generated.sql", &f.text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", f.text)))?;
        let up = statements(&m.up, d);
        prop_assert_eq!(sqls(&up), sqls(&f.up), "{:?}:\n{}", d, f.text);
        let down = m.down.as_deref().map(|down| statements(down, d));
        prop_assert_eq!(
            down.as_deref().map(sqls),
            f.down.as_deref().map(sqls),
            "{:?}:\n{}", d, f.text
        );
        let rollback = match &f.down {
            None => Rollback::Unavailable,
            Some(down) if down.is_empty() => Rollback::Irreversible,
            Some(_) => Rollback::Available,
        };
        // The rollback kind is judged with PostgreSQL's rules: only files whose down section means the same
        // in every dialect are compared.
        if d == SplitDialect::Postgres {
            prop_assert_eq!(m.rollback(), rollback);
        }
    }
}
