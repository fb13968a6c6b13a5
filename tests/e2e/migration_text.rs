//! Migration files that are not clean UTF-8 text: a NUL byte or bytes that are not UTF-8 stop every command that
//! loads migrations with the file, line and byte offset, before anything runs (a NUL byte used to make SQLite
//! spin for ever holding the write lock). Each run has a time limit, so that a spin fails the test.

use std::time::Duration;

use crate::migrate::Project;
use crate::support::Engine;

/// Far above what a refusal takes, far below for ever.
const LIMIT: Duration = Duration::from_secs(90);

/// The commands that load the migrations folder.
const COMMANDS: &[&[&str]] = &[
    &["migrate", "apply"],
    &["migrate", "validate"],
    &["migrate", "status"],
    &["migrate", "pending"],
    &["migrate", "review", "002"],
    &["migrate", "preview"],
];

const GOOD: &str = "-- +up\nCREATE TABLE t (v TEXT);\n\n-- +down\nDROP TABLE t;\n";

/// Where [`bad_file`] puts its line: line number, and 0-based byte offset of its first byte.
const BAD_LINE: usize = 5;
const BAD_OFFSET: usize = 69;

/// A migration whose line 5 is `line`, between two good statements.
fn bad_file(line: &[u8]) -> Vec<u8> {
    let head = b"-- description: has a bad line\n\n-- +up\nINSERT INTO t VALUES ('one');\n";
    assert_eq!(head.len(), BAD_OFFSET);
    assert_eq!(head.iter().filter(|&&b| b == b'\n').count() + 1, BAD_LINE);
    let tail = b"\nINSERT INTO t VALUES ('three');\n\n-- +down\nDELETE FROM t;\n";
    [&head[..], line, &tail[..]].concat()
}

/// Runs `args` with the time limit; returns stderr of a failure.
fn refused(p: &Project, args: &[&str]) -> String {
    let out = p.cli().args(args).timeout(LIMIT).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.code().is_some(),
        "{args:?} did not finish within {LIMIT:?} (killed: {}):\n{stderr}",
        out.status
    );
    assert!(
        !out.status.success(),
        "{args:?} should refuse the file but printed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

fn check(engine: Engine, line: &[u8], expected: &str) {
    let p = Project::new(engine);
    std::fs::write(p.migrations().join("001_good.sql"), GOOD).unwrap();
    std::fs::write(p.migrations().join("002_bad.sql"), bad_file(line)).unwrap();
    for args in COMMANDS {
        let stderr = refused(&p, args);
        assert!(
            stderr.contains(&format!("002_bad.sql:{BAD_LINE}: {expected}")),
            "{engine:?} {args:?}:\n{stderr}"
        );
    }
    // Nothing ran, not even the good migration before the bad one.
    assert!(!p.tables().contains(&"t".to_string()), "{:?}", p.tables());

    // The same file with a good line applies whole.
    std::fs::write(
        p.migrations().join("002_bad.sql"),
        bad_file(b"INSERT INTO t VALUES ('two');"),
    )
    .unwrap();
    let out = p
        .cli()
        .args(["migrate", "apply"])
        .timeout(LIMIT)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        p.column("SELECT v FROM t ORDER BY v"),
        ["one", "three", "two"]
    );
}

fn nul_at(offset: usize) -> String {
    format!("a NUL byte (0x00) at byte offset {offset}")
}

fn not_utf8_at(offset: usize) -> String {
    format!("not UTF-8 text: byte 0xe9 at byte offset {offset}")
}

/// A NUL byte between statements: SQLite used to spin on it for ever, holding the write lock.
#[test]
fn sqlite_nul_byte_between_statements_is_refused_with_file_line_and_offset() {
    check(Engine::Sqlite, b"\0", &nul_at(BAD_OFFSET));
}

#[test]
fn sqlite_nul_byte_in_a_string_is_refused_with_file_line_and_offset() {
    check(
        Engine::Sqlite,
        b"INSERT INTO t VALUES ('a\0b');",
        &nul_at(BAD_OFFSET + 24),
    );
}

#[test]
fn sqlite_non_utf8_is_refused_with_file_line_and_offset() {
    check(
        Engine::Sqlite,
        b"INSERT INTO t VALUES ('\xe9t\xe9');",
        &not_utf8_at(BAD_OFFSET + 23),
    );
}

#[test]
fn postgres_nul_byte_is_refused_with_file_line_and_offset() {
    check(Engine::Postgres, b"\0", &nul_at(BAD_OFFSET));
    check(
        Engine::Postgres,
        b"INSERT INTO t VALUES ('a\0b');",
        &nul_at(BAD_OFFSET + 24),
    );
}

#[test]
fn postgres_non_utf8_is_refused_with_file_line_and_offset() {
    check(
        Engine::Postgres,
        b"INSERT INTO t VALUES ('\xe9t\xe9');",
        &not_utf8_at(BAD_OFFSET + 23),
    );
}
