//! One migration file, `NNN_slug.sql`: its metadata header and its `-- +up` / `-- +down` sections, parsed and
//! written back.
//!
//! ```text
//! -- ai-shell migration 002: add_email_to_users
//! -- description: Add email field to users table
//! -- created: 2026-11-24T15:00:00Z
//! -- author: alice
//! -- strategy: direct
//! -- destructive: false
//! -- transaction: true
//!
//! -- +up
//! ALTER TABLE users ADD COLUMN email VARCHAR(255) NOT NULL DEFAULT '';
//!
//! -- +down
//! ALTER TABLE users DROP COLUMN email;
//! ```
//!
//! Rules, chosen so that a hand-edited file either means what it says or is refused with the line to fix:
//! - The version and slug come from the file name. The title line (`-- ai-shell migration NNN: slug`) is
//!   optional and informative, but a title whose version differs from the file name's is an error (a file
//!   renamed by hand without its header, or the reverse).
//! - The header is every line before the first section marker. Blank lines and `--` comments are allowed
//!   there; `-- key: value` comments are metadata (keys are case-insensitive, each at most once); unknown keys
//!   are kept in order and written back. SQL before the first marker is an error.
//! - A section starts at a line that is exactly `-- +up` or `-- +down` (case-insensitive, surrounding
//!   whitespace ignored), each at most once, in either order. A line that almost matches (`--+up`,
//!   `-- + down`, `-- +up:`) is an error rather than silently becoming part of the SQL.
//! - `down` absent means the author wrote no rollback ([`Rollback::Unavailable`]); `down` present but empty,
//!   or comments only, means the author declared the migration irreversible ([`Rollback::Irreversible`]):
//!   the rollback is refused with that reason rather than recorded as a no-op. A rollback that really has
//!   nothing to do says so with a statement such as `SELECT 1;`.
//! - A UTF-8 byte-order mark is skipped; CRLF and CR line endings read as LF. Sections are stored with LF
//!   line endings, without leading blank lines and without trailing whitespace.

use std::fmt;
use std::path::{Path, PathBuf};

use super::split::{self, SplitDialect};

/// Default value of the `strategy` header key.
pub const DEFAULT_STRATEGY: &str = "direct";

/// The metadata header of a migration file. Every key is optional.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    /// `description:` what the migration does, for people.
    pub description: Option<String>,
    /// `created:` when it was written, RFC 3339 UTC (`2026-11-24T15:00:00Z`), kept as written.
    pub created: Option<String>,
    /// `author:` who wrote it.
    pub author: Option<String>,
    /// `strategy:` how to apply it; `direct` unless a zero-downtime strategy is named.
    pub strategy: String,
    /// `destructive:` whether it can lose data (drops, narrowing changes).
    pub destructive: bool,
    /// `transaction:` whether it runs inside a transaction (false for e.g. `CREATE INDEX CONCURRENTLY`).
    pub transaction: bool,
    /// `draft: true`: written but not accepted (a request that was not applied): `migrate apply` skips it
    /// until `migrate review ID --accept`, or until it is applied by its id.
    pub draft: bool,
    /// `allow-destructive: <checksum>`: consent to the data this migration destroys, given to the command that
    /// wrote it (`--allow-destructive`); it holds for the up section whose checksum it names, so editing the up
    /// section withdraws it. [`super::directory::create`] fills in the checksum of what it writes.
    pub allow_destructive: Option<String>,
    /// Keys this version does not know, in file order, with the key spelled as written.
    pub extra: Vec<(String, String)>,
}

impl Default for Meta {
    fn default() -> Meta {
        Meta {
            description: None,
            created: None,
            author: None,
            strategy: DEFAULT_STRATEGY.to_string(),
            destructive: false,
            transaction: true,
            draft: false,
            allow_destructive: None,
            extra: Vec::new(),
        }
    }
}

impl Meta {
    /// The value of an unknown (extra) key, matched case-insensitively.
    pub fn extra(&self, key: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// One migration: what its file name and contents say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationFile {
    /// The version from the file name (`002` → 2).
    pub version: u64,
    /// The slug from the file name (`add_email_to_users`).
    pub slug: String,
    /// Where it was read from, when it was read from a file.
    pub path: Option<PathBuf>,
    /// The header.
    pub meta: Meta,
    /// The `-- +up` section (empty only in a fresh `migrate new` template; see [`validate`]).
    pub up: String,
    /// The `-- +down` section; `None` when the file has none.
    pub down: Option<String>,
}

/// Whether and how a migration can be rolled back, from its `down` section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rollback {
    /// There is a `-- +down` section with SQL in it.
    Available,
    /// There is no `-- +down` section.
    Unavailable,
    /// There is a `-- +down` section with no statement in it: the author declared it irreversible.
    Irreversible,
}

impl MigrationFile {
    /// The identifier people type and history records: the file stem (`002_add_email_to_users`). For a
    /// migration not read from a file, the canonical stem `{version:03}_{slug}`.
    pub fn id(&self) -> String {
        if let Some(stem) = self
            .path
            .as_deref()
            .and_then(Path::file_stem)
            .and_then(|s| s.to_str())
            && parse_file_name(&format!("{stem}.sql")) == Some((self.version, self.slug.clone()))
        {
            return stem.to_string();
        }
        canonical_stem(self.version, &self.slug)
    }

    /// The canonical file name for this migration, `{version:03}_{slug}.sql`.
    pub fn file_name(&self) -> String {
        file_name(self.version, &self.slug)
    }

    /// Whether a rollback is possible (see the module documentation).
    pub fn rollback(&self) -> Rollback {
        match &self.down {
            None => Rollback::Unavailable,
            Some(down) if is_statement_free(down) => Rollback::Irreversible,
            Some(_) => Rollback::Available,
        }
    }

    /// Where to point people: the path if known, else the canonical file name.
    pub fn display_name(&self) -> String {
        match &self.path {
            Some(path) => path.display().to_string(),
            None => self.file_name(),
        }
    }
}

/// The canonical stem for a version and slug: at least three digits, zero-padded.
pub fn canonical_stem(version: u64, slug: &str) -> String {
    format!("{version:03}_{slug}")
}

/// The canonical file name for a version and slug: `{version:03}_{slug}.sql`.
pub fn file_name(version: u64, slug: &str) -> String {
    format!("{}.sql", canonical_stem(version, slug))
}

/// Splits `NNN_slug.sql` into its version and slug; `None` if the name does not follow the pattern
/// (digits, `_`, a slug of `[a-z0-9_]+`, `.sql`).
pub fn parse_file_name(name: &str) -> Option<(u64, String)> {
    let stem = name.strip_suffix(".sql")?;
    let (digits, slug) = stem.split_once('_')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || !is_slug(slug) {
        return None;
    }
    Some((digits.parse().ok()?, slug.to_string()))
}

/// Whether `s` is a valid slug: non-empty, only `a-z`, `0-9` and `_`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A migration file that cannot be read as one. Each names the file and, where there is one, the line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MigrationFileError {
    #[error(
        "{file}: the name does not follow NNN_slug.sql ({reason})\n\nName migration files like `004_add_index_on_email.sql`: a version of digits, `_`, then lower-case letters, digits and `_`."
    )]
    FileName { file: String, reason: String },
    #[error("{file}: no `-- +up` section\n\n{hint}")]
    NoUpSection { file: String, hint: String },
    #[error(
        "{file}:{line}: a second `-- +{section}` line (the first is line {first_line})\n\nA file has at most one `-- +up` and one `-- +down` section; merge the two, or move the second into a new migration."
    )]
    DuplicateSection {
        file: String,
        section: &'static str,
        first_line: usize,
        line: usize,
    },
    #[error(
        "{file}:{line}: `{text}` looks like a section marker but is not one\n\nWrite the marker alone on its line, exactly `-- +up` or `-- +down`."
    )]
    MalformedMarker {
        file: String,
        line: usize,
        text: String,
    },
    #[error(
        "{file}:{line}: SQL before the first section marker: `{text}`\n\nPut the SQL that applies the migration after a line `-- +up`, and the SQL that undoes it after a line `-- +down`."
    )]
    SqlBeforeSection {
        file: String,
        line: usize,
        text: String,
    },
    #[error(
        "{file}:{line}: header key `{key}` appears twice (first on line {first_line})\n\nKeep one `-- {key}:` line."
    )]
    DuplicateKey {
        file: String,
        key: String,
        first_line: usize,
        line: usize,
    },
    #[error("{file}:{line}: `{key}: {value}` is not valid\n\nUse {expected}.")]
    BadValue {
        file: String,
        line: usize,
        key: String,
        value: String,
        expected: &'static str,
    },
    #[error(
        "{file}:{line}: not UTF-8 text: byte 0x{byte:02x} at byte offset {offset} is not part of a UTF-8 character\n\n{hint}"
    )]
    NotUtf8 {
        file: String,
        line: usize,
        /// 0-based offset of the first byte that is not UTF-8, counted from the start of the file.
        offset: usize,
        byte: u8,
        hint: &'static str,
    },
    #[error("{file}:{line}: a NUL byte (0x00) at byte offset {offset}\n\n{hint}")]
    NulByte {
        file: String,
        line: usize,
        /// 0-based offset of the first NUL byte, counted from the start of the file.
        offset: usize,
        hint: &'static str,
    },
    #[error(
        "{file}:{line}: the header says migration {header_version:03} but the file name says {name_version:03}\n\nIf the file was renumbered, change line {line} to `-- ai-shell migration {name_version:03}: {slug}`; otherwise rename the file back."
    )]
    VersionMismatch {
        file: String,
        line: usize,
        header_version: u64,
        name_version: u64,
        slug: String,
    },
}

const UTF8_HINT: &str =
    "Save the file as UTF-8 (e.g. `iconv -f LATIN1 -t UTF-8 FILE`), then run the command again.";
const UTF16_HINT: &str = "The file looks UTF-16 encoded: save it as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8 FILE`), then run the command again.";
const NUL_HINT: &str = "A migration file is text and never holds NUL bytes: the file is damaged or not UTF-8. Remove the NUL bytes (e.g. `tr -d '\\000' < FILE > FILE.fixed`) or save the file as UTF-8, then run the command again. To store a NUL character, write it as SQL, e.g. `char(0)`.";

/// The text of the migration file `path` whose contents are `bytes`: UTF-8 without NUL bytes. Anything else
/// is refused with the line and byte offset of the first offending byte, since a database driver may stop
/// reading at a NUL byte (and so lose the statements after it) or reject the text without naming the file.
pub fn decode(path: impl AsRef<Path>, bytes: Vec<u8>) -> Result<String, MigrationFileError> {
    let file = path.as_ref().display().to_string();
    let utf16 = bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]);
    match String::from_utf8(bytes) {
        Ok(text) => {
            check_no_nul(&file, &text)?;
            Ok(text)
        }
        Err(e) => {
            let bytes = e.as_bytes();
            let offset = e.utf8_error().valid_up_to();
            // A NUL byte before the first non-UTF-8 byte is the first problem.
            if let Some(nul) = bytes[..offset].iter().position(|&b| b == 0) {
                return Err(nul_error(file, bytes, nul, utf16));
            }
            Err(MigrationFileError::NotUtf8 {
                line: line_at(bytes, offset),
                offset,
                byte: bytes[offset],
                hint: if utf16 { UTF16_HINT } else { UTF8_HINT },
                file,
            })
        }
    }
}

/// Refuses `text` holding a NUL byte (see [`decode`]).
fn check_no_nul(file: &str, text: &str) -> Result<(), MigrationFileError> {
    match text.bytes().position(|b| b == 0) {
        Some(offset) => Err(nul_error(file.to_string(), text.as_bytes(), offset, false)),
        None => Ok(()),
    }
}

fn nul_error(file: String, bytes: &[u8], offset: usize, utf16: bool) -> MigrationFileError {
    MigrationFileError::NulByte {
        line: line_at(bytes, offset),
        offset,
        hint: if utf16 { UTF16_HINT } else { NUL_HINT },
        file,
    }
}

/// The 1-based line holding byte `offset` (never a line break), with LF, CRLF and lone CR each ending a line,
/// as [`parse`] reads them.
fn line_at(bytes: &[u8], offset: usize) -> usize {
    let before = &bytes[..offset.min(bytes.len())];
    let breaks = before
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    1 + breaks
}

/// Parses the file `path_or_name` (a path, or just the file name) whose contents are `text`. Text holding a
/// NUL byte is refused (see [`decode`], which also checks the encoding of a file's bytes).
pub fn parse(
    path_or_name: impl AsRef<Path>,
    text: &str,
) -> Result<MigrationFile, MigrationFileError> {
    let path = path_or_name.as_ref();
    let file = path.display().to_string();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let (version, slug) = parse_file_name(name).ok_or_else(|| MigrationFileError::FileName {
        file: file.clone(),
        reason: file_name_problem(name),
    })?;
    check_no_nul(&file, text)?;

    let text = normalize_newlines(text.strip_prefix('\u{feff}').unwrap_or(text));
    let lines: Vec<&str> = text.split('\n').collect();

    // Find the markers first, so that the header is exactly what precedes the first of them.
    let mut up_at: Option<usize> = None;
    let mut down_at: Option<usize> = None;
    for (i, raw) in lines.iter().enumerate() {
        let Some(section) = marker(raw) else {
            if looks_like_marker(raw) {
                return Err(MigrationFileError::MalformedMarker {
                    file,
                    line: i + 1,
                    text: raw.trim().to_string(),
                });
            }
            continue;
        };
        let slot = if section == "up" {
            &mut up_at
        } else {
            &mut down_at
        };
        if let Some(first) = *slot {
            return Err(MigrationFileError::DuplicateSection {
                file,
                section,
                first_line: first + 1,
                line: i + 1,
            });
        }
        *slot = Some(i);
    }
    let Some(up_at) = up_at else {
        return Err(MigrationFileError::NoUpSection {
            hint: no_up_hint(&lines),
            file,
        });
    };
    let header_end = down_at.map_or(up_at, |d| d.min(up_at));
    let meta = parse_header(&file, &lines[..header_end], version, &slug)?;

    let section = |start: usize| {
        let end = [up_at, down_at.unwrap_or(usize::MAX), lines.len()]
            .into_iter()
            .filter(|&e| e > start)
            .min()
            .unwrap_or(lines.len());
        canonical_section(&lines[start + 1..end].join("\n"))
    };
    Ok(MigrationFile {
        version,
        slug,
        path: Some(path.to_path_buf()),
        meta,
        up: section(up_at),
        down: down_at.map(section),
    })
}

/// Writes a migration in the file format; [`parse`] reads it back to an equal value (with `path` set) when
/// header values are single-line without surrounding whitespace and sections are canonical (LF line endings,
/// no leading blank lines, no trailing whitespace, no marker lines), which is what [`parse`] produces.
pub fn to_text(m: &MigrationFile) -> String {
    let mut out = format!(
        "-- ai-shell migration {}: {}\n",
        canonical_version(m.version),
        m.slug
    );
    let mut key = |k: &str, v: &str| {
        if v.is_empty() {
            out.push_str(&format!("-- {k}:\n"));
        } else {
            out.push_str(&format!("-- {k}: {v}\n"));
        }
    };
    if let Some(v) = &m.meta.description {
        key("description", v);
    }
    if let Some(v) = &m.meta.created {
        key("created", v);
    }
    if let Some(v) = &m.meta.author {
        key("author", v);
    }
    key("strategy", &m.meta.strategy);
    key("destructive", bool_text(m.meta.destructive));
    key("transaction", bool_text(m.meta.transaction));
    if m.meta.draft {
        key("draft", "true");
    }
    if let Some(sum) = &m.meta.allow_destructive {
        key("allow-destructive", sum);
    }
    for (k, v) in &m.meta.extra {
        key(k, v);
    }
    out.push_str("\n-- +up\n");
    push_section(&mut out, &m.up);
    if let Some(down) = &m.down {
        out.push_str("\n-- +down\n");
        push_section(&mut out, down);
    }
    out
}

/// A problem that does not stop a file from being read but matters before applying it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// The up section has no statement (a `migrate new` template not yet filled in). Blocks apply.
    EmptyUp,
    /// There is no down section: rollback will be refused.
    NoDown,
    /// The down section is empty: the author declared the migration irreversible.
    Irreversible,
    /// A header value contains a line break or surrounding whitespace and would not survive a rewrite.
    UnwritableValue { key: String },
}

impl Finding {
    /// Whether the finding must block applying the migration.
    pub fn is_error(&self) -> bool {
        matches!(self, Finding::EmptyUp | Finding::UnwritableValue { .. })
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::EmptyUp => write!(
                f,
                "the `-- +up` section has no SQL\n\nWrite the statements that apply the migration after `-- +up`."
            ),
            Finding::NoDown => write!(
                f,
                "no `-- +down` section: this migration cannot be rolled back\n\nAdd `-- +down` followed by the SQL that undoes it, or an empty `-- +down` section to mark it irreversible."
            ),
            Finding::Irreversible => {
                write!(f, "the `-- +down` section is empty: marked irreversible")
            }
            Finding::UnwritableValue { key } => write!(
                f,
                "header `{key}` has a line break or surrounding spaces\n\nHeader values are one line."
            ),
        }
    }
}

/// Checks what [`parse`] accepts but applying should not: an empty up section, a missing or empty down
/// section, header values that cannot be written back.
pub fn validate(m: &MigrationFile) -> Vec<Finding> {
    let mut findings = Vec::new();
    if is_statement_free(&m.up) {
        findings.push(Finding::EmptyUp);
    }
    match m.rollback() {
        Rollback::Unavailable => findings.push(Finding::NoDown),
        Rollback::Irreversible => findings.push(Finding::Irreversible),
        Rollback::Available => {}
    }
    let known = [
        ("description", m.meta.description.as_deref()),
        ("created", m.meta.created.as_deref()),
        ("author", m.meta.author.as_deref()),
        ("strategy", Some(m.meta.strategy.as_str())),
    ];
    let extra = m
        .meta
        .extra
        .iter()
        .map(|(k, v)| (k.as_str(), Some(v.as_str())));
    for (key, value) in known.into_iter().chain(extra) {
        if value.is_some_and(|v| v.contains(['\n', '\r']) || v.trim() != v) {
            findings.push(Finding::UnwritableValue {
                key: key.to_string(),
            });
        }
    }
    findings
}

/// The title line for a version and slug, as [`to_text`] writes it.
pub fn title_line(version: u64, slug: &str) -> String {
    format!(
        "-- ai-shell migration {}: {slug}",
        canonical_version(version)
    )
}

/// The version a title line (`-- ai-shell migration 002: slug`) names, if `line` is one.
pub fn title_version(line: &str) -> Option<u64> {
    let rest = comment_body(line)?;
    let rest = strip_prefix_ci(rest, "ai-shell migration")?;
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn canonical_version(version: u64) -> String {
    format!("{version:03}")
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn push_section(out: &mut String, sql: &str) {
    if !sql.is_empty() {
        out.push_str(sql);
        out.push('\n');
    }
}

/// CRLF and lone CR become LF.
pub(crate) fn normalize_newlines(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    }
}

/// A section as stored: no leading blank lines, no trailing whitespace.
pub(crate) fn canonical_section(sql: &str) -> String {
    let sql = sql.trim_end();
    let mut start = 0;
    for line in sql.split_inclusive('\n') {
        if !line.trim().is_empty() {
            break;
        }
        start += line.len();
    }
    sql[start..].to_string()
}

/// Whether `sql` holds no statement: empty, whitespace and comments only.
pub(crate) fn is_statement_free(sql: &str) -> bool {
    split::statements(sql, SplitDialect::Postgres).is_empty()
}

/// `Some("up")`/`Some("down")` when the line is a section marker.
/// Whether `line` is a `-- +up` or `-- +down` marker.
pub fn is_marker_line(line: &str) -> bool {
    marker(line).is_some()
}

fn marker(line: &str) -> Option<&'static str> {
    let t = line.trim();
    if t.eq_ignore_ascii_case("-- +up") {
        Some("up")
    } else if t.eq_ignore_ascii_case("-- +down") {
        Some("down")
    } else {
        None
    }
}

/// A line that is probably meant as a marker but is not exactly one: `--+up`, `--  +down`, `-- + up`,
/// `-- +up:`, `-- +down -- note`.
fn looks_like_marker(line: &str) -> bool {
    let Some(rest) = line.trim().strip_prefix("--") else {
        return false;
    };
    let Some(rest) = rest.trim_start().strip_prefix('+') else {
        return false;
    };
    let word: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase();
    word == "up" || word == "down"
}

fn no_up_hint(lines: &[&str]) -> String {
    let dbmate = lines
        .iter()
        .any(|l| comment_body(l).is_some_and(|b| strip_prefix_ci(b, "migrate:up").is_some()));
    if dbmate {
        "This looks like a dbmate migration (`-- migrate:up`); convert the folder with `ai-shell migrate import --from dbmate DIR`.".to_string()
    } else {
        "Add a line `-- +up` before the SQL that applies the migration (and `-- +down` before the SQL that undoes it).".to_string()
    }
}

fn file_name_problem(name: &str) -> String {
    let Some(stem) = name.strip_suffix(".sql") else {
        return "it does not end in `.sql`".to_string();
    };
    let Some((digits, slug)) = stem.split_once('_') else {
        return "there is no `_` between version and slug".to_string();
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return format!("`{digits}` is not a version number");
    }
    if digits.parse::<u64>().is_err() {
        return format!("version `{digits}` is too large");
    }
    if slug.is_empty() {
        return "the slug is empty".to_string();
    }
    format!("slug `{slug}` has characters other than a-z, 0-9 and _")
}

/// The text after `--` if the line is a line comment.
fn comment_body(line: &str) -> Option<&str> {
    line.trim().strip_prefix("--").map(str::trim)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `-- key: value` → (key, value); keys are a letter then letters, digits, `-` and `_`.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let body = comment_body(line)?;
    let (key, value) = body.split_once(':')?;
    let mut chars = key.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    Some((key, value.trim()))
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" => Some(true),
        "false" | "no" => Some(false),
        _ => None,
    }
}

fn parse_header(
    file: &str,
    lines: &[&str],
    version: u64,
    slug: &str,
) -> Result<Meta, MigrationFileError> {
    let mut meta = Meta::default();
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        if !trimmed.starts_with("--") {
            return Err(MigrationFileError::SqlBeforeSection {
                file: file.to_string(),
                line,
                text: trimmed.chars().take(60).collect(),
            });
        }
        if let Some(header_version) = title_version(raw) {
            if header_version != version {
                return Err(MigrationFileError::VersionMismatch {
                    file: file.to_string(),
                    line,
                    header_version,
                    name_version: version,
                    slug: slug.to_string(),
                });
            }
            continue;
        }
        let Some((key, value)) = key_value(raw) else {
            continue; // a free comment
        };
        let lower = key.to_ascii_lowercase();
        if let Some((_, first_line)) = seen.iter().find(|(k, _)| *k == lower) {
            return Err(MigrationFileError::DuplicateKey {
                file: file.to_string(),
                key: lower,
                first_line: *first_line,
                line,
            });
        }
        seen.push((lower.clone(), line));
        let bad = |expected: &'static str| MigrationFileError::BadValue {
            file: file.to_string(),
            line,
            key: lower.clone(),
            value: value.to_string(),
            expected,
        };
        match lower.as_str() {
            "description" => meta.description = Some(value.to_string()),
            "created" => meta.created = Some(value.to_string()),
            "author" => meta.author = Some(value.to_string()),
            "strategy" => {
                if value.is_empty() || value.contains(char::is_whitespace) {
                    return Err(bad("one word, e.g. `direct`"));
                }
                meta.strategy = value.to_string();
            }
            "destructive" => {
                meta.destructive = parse_bool(value).ok_or_else(|| bad("`true` or `false`"))?
            }
            "transaction" => {
                meta.transaction = parse_bool(value).ok_or_else(|| bad("`true` or `false`"))?
            }
            "draft" => meta.draft = parse_bool(value).ok_or_else(|| bad("`true` or `false`"))?,
            "allow-destructive" => {
                if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(bad(
                        "the checksum of the up section it consents to (64 hex digits), written by the command given --allow-destructive",
                    ));
                }
                meta.allow_destructive = Some(value.to_ascii_lowercase())
            }
            _ => meta.extra.push((key.to_string(), value.to_string())),
        }
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "-- ai-shell migration 002: add_email_to_users
-- description: Add email field to users table
-- created: 2026-11-24T15:00:00Z
-- author: alice
-- strategy: direct
-- destructive: false
-- transaction: true

-- +up
ALTER TABLE users ADD COLUMN email VARCHAR(255) NOT NULL DEFAULT '';
CREATE INDEX idx_users_email ON users(email);

-- +down
DROP INDEX idx_users_email;
ALTER TABLE users DROP COLUMN email;
";

    fn sample() -> MigrationFile {
        parse("migrations/002_add_email_to_users.sql", SAMPLE).unwrap()
    }

    fn err(name: &str, text: &str) -> String {
        parse(name, text).unwrap_err().to_string()
    }

    #[test]
    fn parses_the_documented_example() {
        let m = sample();
        assert_eq!(m.version, 2);
        assert_eq!(m.slug, "add_email_to_users");
        assert_eq!(m.id(), "002_add_email_to_users");
        assert_eq!(
            m.meta.description.as_deref(),
            Some("Add email field to users table")
        );
        assert_eq!(m.meta.created.as_deref(), Some("2026-11-24T15:00:00Z"));
        assert_eq!(m.meta.author.as_deref(), Some("alice"));
        assert_eq!(m.meta.strategy, "direct");
        assert!(!m.meta.destructive);
        assert!(m.meta.transaction);
        assert!(m.meta.extra.is_empty());
        assert_eq!(
            m.up,
            "ALTER TABLE users ADD COLUMN email VARCHAR(255) NOT NULL DEFAULT '';\nCREATE INDEX idx_users_email ON users(email);"
        );
        assert_eq!(
            m.down.as_deref(),
            Some("DROP INDEX idx_users_email;\nALTER TABLE users DROP COLUMN email;")
        );
        assert_eq!(m.rollback(), Rollback::Available);
        assert!(validate(&m).is_empty());
    }

    #[test]
    fn writes_the_documented_example_byte_for_byte() {
        assert_eq!(to_text(&sample()), SAMPLE);
    }

    #[test]
    fn round_trips() {
        let mut cases = vec![sample()];
        let mut m = sample();
        m.meta = Meta::default();
        m.down = None;
        cases.push(m.clone());
        m.up = String::new();
        cases.push(m.clone());
        m.down = Some(String::new());
        m.meta.description = Some(String::new());
        m.meta.extra = vec![
            ("imported-from".into(), "dbmate 20240101_x.sql".into()),
            ("Reviewed_By".into(), "bob: yes".into()),
        ];
        m.meta.strategy = "expand-contract".into();
        m.meta.destructive = true;
        m.meta.transaction = false;
        cases.push(m.clone());
        m.version = 20240101120000;
        m.slug = "x_1".into();
        m.meta.author = Some("Zoë Ñúñez 李".into());
        m.up = "  -- indented comment\nSELECT 'a\n\n  b';\n\n\nSELECT \"+up\"; -- +up".into();
        m.down = Some("/* -- +down */ SELECT 1;".into());
        cases.push(m);
        for case in cases {
            let text = to_text(&case);
            let back = parse(case.file_name(), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            let mut expected = case.clone();
            expected.path = Some(PathBuf::from(case.file_name()));
            assert_eq!(back, expected, "{text}");
            assert_eq!(to_text(&back), text);
        }
    }

    #[test]
    fn tolerates_bom_and_crlf_and_cr() {
        let crlf = format!("\u{feff}{}", SAMPLE.replace('\n', "\r\n"));
        let cr = SAMPLE.replace('\n', "\r");
        let mut expected = sample();
        for text in [crlf, cr] {
            let m = parse("migrations/002_add_email_to_users.sql", &text).unwrap();
            expected.path = m.path.clone();
            assert_eq!(m, expected);
            assert!(!m.up.contains('\r'));
        }
    }

    #[test]
    fn defaults_when_header_is_absent() {
        let m = parse("7_x.sql", "-- +up\nSELECT 1;").unwrap();
        assert_eq!(m.meta, Meta::default());
        assert_eq!(m.version, 7);
        assert_eq!(m.id(), "7_x", "id is the file stem as written");
        assert_eq!(m.file_name(), "007_x.sql");
        assert_eq!(m.down, None);
        assert_eq!(m.rollback(), Rollback::Unavailable);
        assert_eq!(validate(&m), vec![Finding::NoDown]);
    }

    #[test]
    fn markers_are_case_and_space_insensitive_and_order_free() {
        let m = parse(
            "001_a.sql",
            "  -- +DOWN  \nDROP TABLE a;\n\t-- +Up\t\nCREATE TABLE a (id int);\n",
        )
        .unwrap();
        assert_eq!(m.up, "CREATE TABLE a (id int);");
        assert_eq!(m.down.as_deref(), Some("DROP TABLE a;"));
    }

    #[test]
    fn free_comments_in_the_header_are_allowed() {
        let text = "-- ===========\n-- Migration: tutorial style\n-- just a note, no key\n\n-- +up\nSELECT 1;";
        let m = parse("003_x.sql", text).unwrap();
        assert_eq!(
            m.meta.extra,
            vec![("Migration".to_string(), "tutorial style".to_string())]
        );
    }

    #[test]
    fn empty_and_comment_only_down_is_irreversible() {
        for down in ["", "-- cannot undo: the data is gone\n", "/* no */"] {
            let m = parse("004_x.sql", &format!("-- +up\nSELECT 1;\n-- +down\n{down}")).unwrap();
            assert!(m.down.is_some());
            assert_eq!(m.rollback(), Rollback::Irreversible, "{down:?}");
            assert_eq!(validate(&m), vec![Finding::Irreversible]);
        }
    }

    #[test]
    fn empty_up_is_parsed_and_flagged() {
        let m = parse("005_new.sql", "-- +up\n\n-- +down\n").unwrap();
        assert_eq!(m.up, "");
        let findings = validate(&m);
        assert!(findings.contains(&Finding::EmptyUp));
        assert!(findings.iter().any(Finding::is_error));
        let m = parse("005_new.sql", "-- +up\n-- TODO\n").unwrap();
        assert!(validate(&m).contains(&Finding::EmptyUp));
    }

    #[test]
    fn missing_up_says_file_and_fix() {
        let e = err(
            "migrations/003_x.sql",
            "-- description: x\n\n-- +down\nDROP TABLE x;",
        );
        assert_eq!(
            e,
            "migrations/003_x.sql: no `-- +up` section\n\nAdd a line `-- +up` before the SQL that applies the migration (and `-- +down` before the SQL that undoes it)."
        );
        let e = err("003_x.sql", "");
        assert!(e.contains("no `-- +up` section"), "{e}");
        let e = err(
            "003_x.sql",
            "-- migrate:up\nCREATE TABLE x (id int);\n-- migrate:down\n",
        );
        assert!(e.contains("--from dbmate"), "{e}");
    }

    #[test]
    fn sql_before_the_first_marker_is_refused() {
        let e = err(
            "003_x.sql",
            "-- description: d\nCREATE TABLE x (id int);\n-- +up\n",
        );
        assert!(
            e.starts_with("003_x.sql:2: SQL before the first section marker"),
            "{e}"
        );
    }

    #[test]
    fn duplicate_markers_name_both_lines() {
        let e = err("003_x.sql", "-- +up\nSELECT 1;\n-- +up\nSELECT 2;");
        assert!(
            e.starts_with("003_x.sql:3: a second `-- +up` line (the first is line 1)"),
            "{e}"
        );
        let e = err("003_x.sql", "-- +up\n-- +down\n\n-- +DOWN\n");
        assert!(e.starts_with("003_x.sql:4: a second `-- +down`"), "{e}");
    }

    #[test]
    fn near_miss_markers_are_refused() {
        for bad in [
            "--+up",
            "--  +up",
            "-- + down",
            "-- +up:",
            "-- +down -- rollback",
            "--+UP",
        ] {
            let e = err("003_x.sql", &format!("-- +up\nSELECT 1;\n{bad}\nSELECT 2;"));
            assert!(e.starts_with("003_x.sql:3: `"), "{bad}: {e}");
            assert!(e.contains("exactly `-- +up`"), "{e}");
        }
        // Not markers at all: stay SQL comments.
        let m = parse(
            "003_x.sql",
            "-- +up\n-- +upgrade later\n-- + note\nSELECT 1;",
        )
        .unwrap();
        assert!(m.up.starts_with("-- +upgrade later"));
    }

    #[test]
    fn recorded_consent_round_trips_and_must_be_a_checksum() {
        let sum = crate::migrations::checksum::checksum("DROP TABLE t;");
        let text = format!("-- allow-destructive: {sum}\n-- +up\nDROP TABLE t;\n");
        let m = parse("004_drop_t.sql", &text).unwrap();
        assert_eq!(m.meta.allow_destructive.as_deref(), Some(sum.as_str()));
        assert_eq!(parse("004_drop_t.sql", &to_text(&m)).unwrap().meta, m.meta);
        let e = err(
            "004_drop_t.sql",
            "-- allow-destructive: yes\n-- +up\nDROP TABLE t;\n",
        );
        assert!(e.contains("64 hex digits"), "{e}");
    }

    #[test]
    fn header_errors_name_line_and_fix() {
        let e = err("003_x.sql", "-- author: a\n-- AUTHOR: b\n-- +up\n");
        assert!(
            e.starts_with("003_x.sql:2: header key `author` appears twice (first on line 1)"),
            "{e}"
        );
        let e = err("003_x.sql", "-- color: a\n-- Color: b\n-- +up\n");
        assert!(e.contains("`color` appears twice"), "{e}");
        let e = err("003_x.sql", "\n-- destructive: maybe\n-- +up\n");
        assert!(
            e.starts_with(
                "003_x.sql:2: `destructive: maybe` is not valid\n\nUse `true` or `false`."
            ),
            "{e}"
        );
        let e = err("003_x.sql", "-- transaction:\n-- +up\n");
        assert!(e.contains("`transaction: ` is not valid"), "{e}");
        let e = err("003_x.sql", "-- strategy: two words\n-- +up\n");
        assert!(e.contains("one word"), "{e}");
        let m = parse(
            "003_x.sql",
            "-- Destructive: YES\n-- TRANSACTION: No\n-- +up\n",
        )
        .unwrap();
        assert!(m.meta.destructive && !m.meta.transaction);
    }

    #[test]
    fn title_version_must_match_file_name() {
        let e = err(
            "migrations/004_x.sql",
            "-- ai-shell migration 003: x\n-- +up\nSELECT 1;",
        );
        assert_eq!(
            e,
            "migrations/004_x.sql:1: the header says migration 003 but the file name says 004\n\nIf the file was renumbered, change line 1 to `-- ai-shell migration 004: x`; otherwise rename the file back."
        );
        // The slug in the title is informative; the file name's wins.
        let m = parse("004_x.sql", "-- ai-shell migration 4: old_name\n-- +up\n").unwrap();
        assert_eq!(m.slug, "x");
    }

    #[test]
    fn file_names() {
        assert_eq!(
            parse_file_name("002_add_email.sql"),
            Some((2, "add_email".into()))
        );
        assert_eq!(parse_file_name("1_a.sql"), Some((1, "a".into())));
        assert_eq!(
            parse_file_name("20240101120000_a_b.sql"),
            Some((20240101120000, "a_b".into()))
        );
        assert_eq!(parse_file_name("0002_x__y.sql"), Some((2, "x__y".into())));
        for bad in [
            "002_Add.sql",
            "002-add.sql",
            "002_.sql",
            "_add.sql",
            "v2_add.sql",
            "002_add.SQL",
            "002_add.up.sql",
            "002_añadir.sql",
            "99999999999999999999999_x.sql",
            "002_add",
        ] {
            assert_eq!(parse_file_name(bad), None, "{bad}");
            let e = err(bad, "-- +up\n");
            assert!(e.contains("does not follow NNN_slug.sql"), "{bad}: {e}");
        }
        assert!(err("002_Add.sql", "").contains("slug `Add` has characters"));
        assert!(err("99999999999999999999999_x.sql", "").contains("too large"));
    }

    #[test]
    fn unicode_content_is_kept() {
        let text = "-- description: Ajoute « élève » 🎓\n-- +up\nINSERT INTO t VALUES ('日本語');\n-- +down\nDELETE FROM t WHERE v = '日本語';";
        let m = parse("010_unicode.sql", text).unwrap();
        assert_eq!(m.meta.description.as_deref(), Some("Ajoute « élève » 🎓"));
        assert_eq!(m.up, "INSERT INTO t VALUES ('日本語');");
        assert_eq!(parse("010_unicode.sql", &to_text(&m)).unwrap(), m);
    }

    #[test]
    fn unwritable_values_are_flagged() {
        let mut m = sample();
        m.meta.author = Some("a\nb".into());
        m.meta.extra.push(("k".into(), " padded".into()));
        let findings = validate(&m);
        assert!(findings.contains(&Finding::UnwritableValue {
            key: "author".into()
        }));
        assert!(findings.contains(&Finding::UnwritableValue { key: "k".into() }));
    }

    #[test]
    fn nul_bytes_and_non_utf8_name_file_line_and_offset() {
        let decode =
            |bytes: &[u8]| decode("m/001_a.sql", bytes.to_vec()).map_err(|e| e.to_string());
        assert_eq!(decode(b"-- +up\nSELECT 1;").unwrap(), "-- +up\nSELECT 1;");
        let e = decode(b"-- +up\nSELECT 'caf\xe9';").unwrap_err();
        assert!(
            e.starts_with("m/001_a.sql:2: not UTF-8 text: byte 0xe9 at byte offset 18 is not part of a UTF-8 character\n\nSave the file as UTF-8"),
            "{e}"
        );
        // The first problem is named: here the NUL byte, before the non-UTF-8 byte.
        let e = decode(b"-- +up\rSELECT 1;\rSELECT '\0\xff';").unwrap_err();
        assert!(
            e.starts_with(
                "m/001_a.sql:3: a NUL byte (0x00) at byte offset 25\n\nA migration file is text"
            ),
            "{e}"
        );
        let e = decode(b"-- +up\r\n\r\nSELECT '\0';").unwrap_err();
        assert!(
            e.starts_with("m/001_a.sql:3: a NUL byte (0x00) at byte offset 18"),
            "{e}"
        );
        let e = decode(b"\0").unwrap_err();
        assert!(
            e.starts_with("m/001_a.sql:1: a NUL byte (0x00) at byte offset 0"),
            "{e}"
        );
        // A UTF-16 file: NUL bytes everywhere, and a byte-order mark that says why.
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("-- +up\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let e = decode(&utf16).unwrap_err();
        assert!(e.contains("offset 0 is not part"), "{e}");
        assert!(e.contains("looks UTF-16 encoded"), "{e}");
        let utf16_no_bom: Vec<u8> = "-- +up\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let e = decode(&utf16_no_bom).unwrap_err();
        assert!(
            e.starts_with("m/001_a.sql:1: a NUL byte (0x00) at byte offset 1"),
            "{e}"
        );
        // A truncated multi-byte character at the end.
        let e = decode("-- +up\nSELECT 'é".as_bytes().split_last().unwrap().1).unwrap_err();
        assert!(e.contains("byte 0xc3 at byte offset 15"), "{e}");
        // Text already decoded is still refused when it holds a NUL byte (a BOM counts in the offset).
        let e = err("001_a.sql", "\u{feff}-- +up\nSELECT '\0';\n-- +down\n");
        assert!(
            e.starts_with("001_a.sql:2: a NUL byte (0x00) at byte offset 18"),
            "{e}"
        );
    }

    #[test]
    fn canonical_section_strips_leading_blank_lines_only() {
        assert_eq!(canonical_section("\n  \n  SELECT 1;\n\n \n"), "  SELECT 1;");
        assert_eq!(canonical_section(""), "");
        assert_eq!(canonical_section("\n\n"), "");
    }
}
