//! Converting another tool's migrations folder (sqlx, dbmate, golang-migrate, Flyway) to ai-shell files, keeping
//! versions, SQL, transaction settings and the original file names (`imported-from:`).
//!
//! Layouts, from each tool's documentation:
//! - sqlx: `<VERSION>_<DESC>.sql` (simple, no down) or `<VERSION>_<DESC>.up.sql` + `.down.sql` (reversible);
//!   a first line `-- no-transaction` runs the migration outside a transaction.
//! - dbmate: `<VERSION>_<name>.sql` with `-- migrate:up` and `-- migrate:down` sections; options such as
//!   `transaction:false` follow the marker on its line.
//! - golang-migrate: `<VERSION>_<title>.up.sql` and `.down.sql` (version: any unsigned 64-bit integer).
//! - Flyway: `V<VERSION>__<desc>.sql` versioned, `U<VERSION>__<desc>.sql` undo, `R__<desc>.sql` repeatable;
//!   versions are digits separated by `.` or `_` (`1`, `1.1`, `2_1`), compared part by part; files are found in
//!   subfolders too. When any version has several parts, all versions are mapped to 1, 2, 3... in Flyway's
//!   order (the report lists the mapping); repeatable migrations have no ai-shell equivalent and are skipped.
//!   `executeInTransaction=false` in a `<file>.sql.conf` script configuration is honoured.
//!
//! SQL is kept as written except that line endings become LF and leading blank lines and trailing whitespace
//! are dropped (the same normalisation the checksum ignores). Transaction control written in the SQL
//! (`BEGIN;`/`COMMIT;`, common in golang-migrate files) is kept and reported as a warning.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::directory::{self, MigrationDir, MigrationDirError, slugify};
use super::file::{self, Meta, MigrationFile, MigrationFileError};
use super::split::{self, SplitDialect};

/// The migration tools whose folders can be imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImportLayout {
    /// sqlx-cli (`sqlx migrate`).
    Sqlx,
    /// dbmate.
    Dbmate,
    /// golang-migrate (`migrate`).
    GolangMigrate,
    /// Flyway (SQL migrations).
    Flyway,
}

impl ImportLayout {
    /// Every layout, in the order they are documented.
    pub const ALL: [ImportLayout; 4] = [
        ImportLayout::Sqlx,
        ImportLayout::Dbmate,
        ImportLayout::GolangMigrate,
        ImportLayout::Flyway,
    ];

    /// The name used on the command line (`--from NAME`) and in `imported-from:`.
    pub fn name(self) -> &'static str {
        match self {
            ImportLayout::Sqlx => "sqlx",
            ImportLayout::Dbmate => "dbmate",
            ImportLayout::GolangMigrate => "golang-migrate",
            ImportLayout::Flyway => "flyway",
        }
    }
}

impl fmt::Display for ImportLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ImportLayout {
    type Err = String;

    /// `sqlx`, `dbmate`, `golang-migrate` (or `migrate`), `flyway`, case-insensitive.
    fn from_str(s: &str) -> Result<ImportLayout, String> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "sqlx" | "sqlx-cli" => Ok(ImportLayout::Sqlx),
            "dbmate" => Ok(ImportLayout::Dbmate),
            "golang-migrate" | "migrate" => Ok(ImportLayout::GolangMigrate),
            "flyway" => Ok(ImportLayout::Flyway),
            _ => Err(format!(
                "unknown migration tool `{s}`; expected one of sqlx, dbmate, golang-migrate, flyway"
            )),
        }
    }
}

/// What an import did (or, from [`preview`], would do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    /// The layout read.
    pub layout: ImportLayout,
    /// The migrations converted, in version order.
    pub imported: Vec<Imported>,
    /// Files that look like migrations of the layout but were not imported, with the reason.
    pub skipped: Vec<Skipped>,
    /// Everything else the user should know (mapped versions, transaction control in the SQL, empty downs).
    pub warnings: Vec<String>,
}

/// One converted migration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// The source files (up first), as found.
    pub sources: Vec<PathBuf>,
    /// The ai-shell file written.
    pub target: PathBuf,
    /// The ai-shell version.
    pub version: u64,
    /// The version as the source tool wrote it (`1.1` for Flyway).
    pub original_version: String,
}

/// A source file that was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

/// An import that cannot be done. Nothing is written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{dir} does not exist or is not a folder")]
    MissingSource { dir: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A source file that is not UTF-8 text, or holds a NUL byte.
    #[error(transparent)]
    NotText(MigrationFileError),
    #[error("found no {layout} migrations in {dir}\n\n{hint}")]
    Nothing {
        layout: ImportLayout,
        dir: String,
        hint: String,
    },
    #[error(
        "{first} and {second} both have version {version}\n\nA version identifies one migration; rename one of them in the source folder."
    )]
    DuplicateVersion {
        version: String,
        first: String,
        second: String,
    },
    #[error("{path}: {what} without a matching {missing}\n\n{hint}")]
    Unmatched {
        path: String,
        what: &'static str,
        missing: &'static str,
        hint: String,
    },
    #[error("{path}: {problem}\n\n{hint}")]
    Malformed {
        path: String,
        problem: String,
        hint: &'static str,
    },
    #[error(
        "{path}: cannot be written as an ai-shell migration: {reason}\n\nEdit the line in the source file (e.g. add a word after the marker) and import again."
    )]
    Unrepresentable { path: String, reason: String },
    #[error(
        "{to} already has migrations with version {}: {}\n\nImport into an empty folder, or move the existing migrations elsewhere first.",
        .versions.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
        .files.join(", ")
    )]
    Overlap {
        to: String,
        versions: Vec<u64>,
        files: Vec<String>,
    },
    #[error(
        "the source and target folders are the same ({dir})\n\nImport into a new folder, e.g. `migrations`."
    )]
    SameFolder { dir: String },
    #[error(transparent)]
    Target(#[from] MigrationDirError),
}

/// Converts the `layout` folder `from_dir` into ai-shell migrations in `to_dir` (created if missing). Refuses
/// when `to_dir` already holds a migration with one of the imported versions.
pub fn import(
    layout: ImportLayout,
    from_dir: impl AsRef<Path>,
    to_dir: impl AsRef<Path>,
) -> Result<ImportReport, ImportError> {
    run(layout, from_dir.as_ref(), to_dir.as_ref(), true)
}

/// What [`import`] would do, without writing anything.
pub fn preview(
    layout: ImportLayout,
    from_dir: impl AsRef<Path>,
    to_dir: impl AsRef<Path>,
) -> Result<ImportReport, ImportError> {
    run(layout, from_dir.as_ref(), to_dir.as_ref(), false)
}

/// One migration read from the source folder.
#[derive(Debug, Default)]
struct Draft {
    version: u64,
    original_version: String,
    description: String,
    /// Paths relative to the source folder, up first.
    sources: Vec<PathBuf>,
    up: String,
    down: Option<String>,
    transaction: bool,
    extra: Vec<(String, String)>,
}

#[derive(Default)]
struct Collected {
    drafts: Vec<Draft>,
    skipped: Vec<Skipped>,
    warnings: Vec<String>,
}

fn run(
    layout: ImportLayout,
    from: &Path,
    to: &Path,
    write: bool,
) -> Result<ImportReport, ImportError> {
    if !from.is_dir() {
        return Err(ImportError::MissingSource {
            dir: from.display().to_string(),
        });
    }
    if to.exists()
        && let (Ok(a), Ok(b)) = (from.canonicalize(), to.canonicalize())
        && a == b
    {
        return Err(ImportError::SameFolder {
            dir: from.display().to_string(),
        });
    }
    let mut collected = match layout {
        ImportLayout::Sqlx => sqlx(from)?,
        ImportLayout::Dbmate => dbmate(from)?,
        ImportLayout::GolangMigrate => golang_migrate(from)?,
        ImportLayout::Flyway => flyway(from)?,
    };
    if collected.drafts.is_empty() {
        return Err(ImportError::Nothing {
            layout,
            dir: from.display().to_string(),
            hint: nothing_hint(layout),
        });
    }
    collected.drafts.sort_by_key(|d| d.version);

    // Refuse overlapping versions in the target.
    if to.exists() {
        let existing = MigrationDir::scan(to)?;
        let ours: HashSet<u64> = collected.drafts.iter().map(|d| d.version).collect();
        let clashing: Vec<&MigrationFile> = existing
            .migrations
            .iter()
            .filter(|m| ours.contains(&m.version))
            .collect();
        if !clashing.is_empty() {
            let mut versions: Vec<u64> = clashing.iter().map(|m| m.version).collect();
            versions.dedup();
            return Err(ImportError::Overlap {
                to: to.display().to_string(),
                versions,
                files: clashing.iter().map(|m| m.display_name()).collect(),
            });
        }
    }

    let mut report = ImportReport {
        layout,
        imported: Vec::new(),
        skipped: collected
            .skipped
            .into_iter()
            .map(|s| Skipped {
                path: from.join(s.path),
                reason: s.reason,
            })
            .collect(),
        warnings: collected.warnings,
    };
    let mut files = Vec::new();
    for draft in collected.drafts {
        let source = from.join(&draft.sources[0]).display().to_string();
        let m = to_migration(layout, &draft, &mut report.warnings, &source)?;
        let target = to.join(m.file_name());
        report.imported.push(Imported {
            sources: draft.sources.iter().map(|s| from.join(s)).collect(),
            target: target.clone(),
            version: m.version,
            original_version: draft.original_version,
        });
        files.push((target, file::to_text(&m)));
    }
    if write {
        std::fs::create_dir_all(to).map_err(|source| MigrationDirError::Write {
            path: to.display().to_string(),
            source,
        })?;
        let mut written: Vec<&Path> = Vec::new();
        for (target, text) in &files {
            if let Err(e) = directory::write_new(target, text) {
                for done in written {
                    let _ = std::fs::remove_file(done);
                }
                return Err(e.into());
            }
            written.push(target);
        }
    }
    Ok(report)
}

fn nothing_hint(layout: ImportLayout) -> String {
    let expected = match layout {
        ImportLayout::Sqlx => {
            "`20240101120000_create_users.sql`, or `.up.sql` and `.down.sql` pairs"
        }
        ImportLayout::Dbmate => {
            "`20240101120000_create_users.sql` with `-- migrate:up` and `-- migrate:down`"
        }
        ImportLayout::GolangMigrate => {
            "`000001_create_users.up.sql` and `000001_create_users.down.sql`"
        }
        ImportLayout::Flyway => "`V1__create_users.sql` (and `U1__create_users.sql` undo files)",
    };
    format!(
        "{layout} migrations are named like {expected}. Check the folder, and the tool given with --from."
    )
}

/// Builds the ai-shell migration for a draft and checks that it reads back unchanged.
fn to_migration(
    layout: ImportLayout,
    draft: &Draft,
    warnings: &mut Vec<String>,
    source: &str,
) -> Result<MigrationFile, ImportError> {
    let names: Vec<String> = draft
        .sources
        .iter()
        .map(|s| s.display().to_string())
        .collect();
    let mut extra = vec![(
        "imported-from".to_string(),
        format!("{layout} {}", names.join(", ")),
    )];
    extra.extend(draft.extra.iter().cloned());
    let description = draft
        .description
        .replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut slug = slugify(&draft.description);
    if slug.is_empty() {
        slug = "migration".to_string();
    }
    let m = MigrationFile {
        version: draft.version,
        slug,
        path: None,
        meta: Meta {
            description: (!description.is_empty()).then_some(description),
            transaction: draft.transaction,
            extra,
            ..Meta::default()
        },
        up: section(&draft.up),
        down: draft.down.as_deref().map(section),
    };
    let back = file::parse(m.file_name(), &file::to_text(&m)).map_err(|e| {
        ImportError::Unrepresentable {
            path: source.to_string(),
            reason: e.to_string().lines().next().unwrap_or_default().to_string(),
        }
    })?;
    if back.up != m.up || back.down != m.down || back.meta != m.meta {
        return Err(ImportError::Unrepresentable {
            path: source.to_string(),
            reason: "a line of its SQL reads as a section marker (`-- +up` or `-- +down`)"
                .to_string(),
        });
    }
    for (what, sql) in [("up", Some(m.up.as_str())), ("down", m.down.as_deref())] {
        let Some(sql) = sql else { continue };
        let statements = split::statements(sql, SplitDialect::Postgres);
        let control = split::transaction_control(&statements);
        if !control.is_empty() {
            let listed: Vec<String> = control
                .iter()
                .map(|&i| format!("`{}` (line {})", statements[i].sql, statements[i].line))
                .collect();
            warnings.push(format!(
                "{}: the {what} SQL controls transactions itself: {}. ai-shell runs each migration in its own transaction; remove these lines from {} (or set `transaction: false`).",
                names.join(", "),
                listed.join(", "),
                m.file_name()
            ));
        }
    }
    if m.down.as_deref().is_some_and(file::is_statement_free) {
        warnings.push(format!(
            "{}: the down migration is empty, so {} is marked irreversible. If rolling it back should do nothing, write `SELECT 1;` in its `-- +down` section.",
            names.join(", "),
            m.file_name()
        ));
    }
    Ok(m)
}

fn section(sql: &str) -> String {
    file::canonical_section(&file::normalize_newlines(sql))
}

/// `.sql` files directly in `dir` (recursively for Flyway), sorted, as (path relative to `dir`, file name).
fn sql_files(dir: &Path, recursive: bool) -> Result<Vec<(PathBuf, String)>, ImportError> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let here = dir.join(&rel);
        let entries = std::fs::read_dir(&here).map_err(|source| ImportError::Read {
            path: here.display().to_string(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| ImportError::Read {
                path: here.display().to_string(),
                source,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                if recursive {
                    stack.push(rel.join(&name));
                }
                continue;
            }
            if name.ends_with(".sql") {
                out.push((rel.join(&name), name));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn read(dir: &Path, rel: &Path) -> Result<String, ImportError> {
    let path = dir.join(rel);
    let bytes = std::fs::read(&path).map_err(|source| ImportError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let text = file::decode(&path, bytes).map_err(ImportError::NotText)?;
    Ok(file::normalize_newlines(
        text.strip_prefix('\u{feff}').unwrap_or(&text),
    ))
}

/// `<digits>_<rest>` → (version, digits as written, rest); `<digits>` alone → rest "".
fn split_version(stem: &str) -> Option<(u64, String, String)> {
    let digits_end = stem
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(stem.len());
    if digits_end == 0 {
        return None;
    }
    let (digits, rest) = stem.split_at(digits_end);
    let rest = match rest.strip_prefix('_') {
        Some(r) => r,
        None if rest.is_empty() => "",
        None => return None,
    };
    Some((digits.parse().ok()?, digits.to_string(), rest.to_string()))
}

fn duplicate(version: &str, first: &Path, second: &Path) -> ImportError {
    ImportError::DuplicateVersion {
        version: version.to_string(),
        first: first.display().to_string(),
        second: second.display().to_string(),
    }
}

fn not_a_migration(collected: &mut Collected, rel: PathBuf, layout: ImportLayout) {
    collected.skipped.push(Skipped {
        path: rel,
        reason: format!("not named like a {layout} migration"),
    });
}

/// Up/down pairs (sqlx and golang-migrate), keyed by version.
#[derive(Default)]
struct Pair {
    digits: String,
    description: String,
    simple: Option<PathBuf>,
    up: Option<PathBuf>,
    down: Option<PathBuf>,
}

fn pairs(
    dir: &Path,
    layout: ImportLayout,
    collected: &mut Collected,
) -> Result<BTreeMap<u64, Pair>, ImportError> {
    let mut pairs: BTreeMap<u64, Pair> = BTreeMap::new();
    for (rel, name) in sql_files(dir, false)? {
        let (stem, kind) = if let Some(s) = name.strip_suffix(".up.sql") {
            (s, Kind::Up)
        } else if let Some(s) = name.strip_suffix(".down.sql") {
            (s, Kind::Down)
        } else {
            (name.strip_suffix(".sql").unwrap_or(&name), Kind::Simple)
        };
        let parsed = match (layout, kind) {
            // sqlx requires a description; golang-migrate has no simple migrations.
            (ImportLayout::Sqlx, _) => split_version(stem).filter(|(_, _, desc)| !desc.is_empty()),
            (_, Kind::Simple) => None,
            _ => split_version(stem),
        };
        let Some((version, digits, description)) = parsed else {
            not_a_migration(collected, rel, layout);
            continue;
        };
        let pair = pairs.entry(version).or_default();
        let clash = match kind {
            Kind::Up | Kind::Simple => pair.up.as_ref().or(pair.simple.as_ref()),
            Kind::Down => pair.down.as_ref(),
        };
        if let Some(first) = clash {
            return Err(duplicate(&digits, &dir.join(first), &dir.join(&rel)));
        }
        if kind != Kind::Down || pair.digits.is_empty() {
            pair.digits = digits;
            pair.description = description;
        }
        match kind {
            Kind::Up => pair.up = Some(rel),
            Kind::Down => pair.down = Some(rel),
            Kind::Simple => pair.simple = Some(rel),
        }
    }
    Ok(pairs)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Up,
    Down,
    Simple,
}

fn down_without_up(dir: &Path, down: Option<&PathBuf>) -> ImportError {
    ImportError::Unmatched {
        path: down
            .map(|d| dir.join(d).display().to_string())
            .unwrap_or_default(),
        what: "a down migration",
        missing: "up migration (`.up.sql`)",
        hint: "Add the up migration, or remove this file.".to_string(),
    }
}

fn sqlx(dir: &Path) -> Result<Collected, ImportError> {
    let mut collected = Collected::default();
    for (version, pair) in pairs(dir, ImportLayout::Sqlx, &mut collected)? {
        let up_rel = match (&pair.simple, &pair.up, &pair.down) {
            (Some(simple), _, Some(down)) => {
                return Err(ImportError::Unmatched {
                    path: dir.join(down).display().to_string(),
                    what: "a down migration",
                    missing: "up migration (`.up.sql`)",
                    hint: format!(
                        "{} is a simple migration; sqlx pairs `.down.sql` only with `.up.sql`. Rename it to end in `.up.sql`.",
                        simple.display()
                    ),
                });
            }
            (Some(simple), _, None) => simple.clone(),
            (None, Some(up), _) => up.clone(),
            (None, None, down) => return Err(down_without_up(dir, down.as_ref())),
        };
        let up = read(dir, &up_rel)?;
        let down = pair.down.as_ref().map(|d| read(dir, d)).transpose()?;
        let up_no_tx = no_transaction(&up);
        let down_no_tx = down.as_deref().is_some_and(no_transaction);
        if pair.down.is_some() && up_no_tx != down_no_tx {
            collected.warnings.push(format!(
                "{}: `-- no-transaction` is on only one of the up and down files; ai-shell has one setting per migration and uses the up file's (transaction: {}).",
                up_rel.display(),
                !up_no_tx
            ));
        }
        let mut sources = vec![up_rel];
        sources.extend(pair.down.clone());
        collected.drafts.push(Draft {
            version,
            original_version: pair.digits,
            description: pair.description,
            sources,
            up,
            down,
            transaction: !up_no_tx,
            extra: Vec::new(),
        });
    }
    Ok(collected)
}

fn no_transaction(sql: &str) -> bool {
    sql.lines()
        .next()
        .is_some_and(|l| l.trim() == "-- no-transaction")
}

fn golang_migrate(dir: &Path) -> Result<Collected, ImportError> {
    let mut collected = Collected::default();
    for (version, pair) in pairs(dir, ImportLayout::GolangMigrate, &mut collected)? {
        let Some(up_rel) = pair.up.clone() else {
            return Err(down_without_up(dir, pair.down.as_ref()));
        };
        let up = read(dir, &up_rel)?;
        let down = pair.down.as_ref().map(|d| read(dir, d)).transpose()?;
        let mut sources = vec![up_rel];
        sources.extend(pair.down.clone());
        collected.drafts.push(Draft {
            version,
            original_version: pair.digits,
            description: pair.description,
            sources,
            up,
            down,
            transaction: true,
            extra: Vec::new(),
        });
    }
    Ok(collected)
}

/// A dbmate marker line: `Some((is_up, options))`.
fn dbmate_marker(line: &str) -> Option<(bool, &str)> {
    let body = line.trim().strip_prefix("--")?.trim_start();
    if let Some(rest) = body.strip_prefix("migrate:up") {
        return Some((true, rest.trim()));
    }
    body.strip_prefix("migrate:down")
        .map(|rest| (false, rest.trim()))
}

fn dbmate(dir: &Path) -> Result<Collected, ImportError> {
    let mut collected = Collected::default();
    let mut seen: BTreeMap<u64, PathBuf> = BTreeMap::new();
    for (rel, name) in sql_files(dir, false)? {
        let stem = name.strip_suffix(".sql").unwrap_or(&name);
        let Some((version, digits, description)) = split_version(stem) else {
            not_a_migration(&mut collected, rel, ImportLayout::Dbmate);
            continue;
        };
        if let Some(first) = seen.get(&version) {
            return Err(duplicate(&digits, &dir.join(first), &dir.join(&rel)));
        }
        seen.insert(version, rel.clone());
        let path = dir.join(&rel).display().to_string();
        let text = read(dir, &rel)?;
        let lines: Vec<&str> = text.split('\n').collect();
        let mut up: Option<(usize, &str)> = None;
        let mut down: Option<(usize, &str)> = None;
        for (i, line) in lines.iter().enumerate() {
            let Some((is_up, options)) = dbmate_marker(line) else {
                continue;
            };
            let slot = if is_up { &mut up } else { &mut down };
            if let Some((first, _)) = slot {
                return Err(ImportError::Malformed {
                    path,
                    problem: format!(
                        "line {}: a second `-- migrate:{}` (the first is line {})",
                        i + 1,
                        if is_up { "up" } else { "down" },
                        *first + 1
                    ),
                    hint: "dbmate allows one up and one down section; fix the file and import again.",
                });
            }
            *slot = Some((i, options));
        }
        let Some((up_at, up_options)) = up else {
            return Err(ImportError::Malformed {
                path,
                problem: "no `-- migrate:up` section".to_string(),
                hint: "Is this a dbmate migration? dbmate files start the SQL that applies them with `-- migrate:up`.",
            });
        };
        let first_marker = down.map_or(up_at, |(d, _)| d.min(up_at));
        let preamble = &lines[..first_marker];
        if let Some(i) = preamble
            .iter()
            .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--"))
        {
            return Err(ImportError::Malformed {
                path,
                problem: format!("line {}: SQL before the first `-- migrate:` marker", i + 1),
                hint: "dbmate ignores it; move it into the up or down section, or delete it.",
            });
        }
        let body = |start: usize| {
            let end = [up_at, down.map_or(usize::MAX, |(d, _)| d), lines.len()]
                .into_iter()
                .filter(|&e| e > start)
                .min()
                .unwrap_or(lines.len());
            lines[start + 1..end].join("\n")
        };
        // Comments before the first marker are kept at the top of the up section.
        let mut up_sql = preamble.join("\n");
        up_sql.push('\n');
        up_sql.push_str(&body(up_at));
        let transaction = !has_option(up_options, "transaction:false");
        let mut extra = Vec::new();
        if !up_options.is_empty() {
            extra.push(("dbmate-up-options".to_string(), up_options.to_string()));
        }
        if let Some((_, options)) = down.filter(|(_, o)| !o.is_empty()) {
            extra.push(("dbmate-down-options".to_string(), options.to_string()));
            if has_option(options, "transaction:false") == transaction {
                collected.warnings.push(format!(
                    "{}: the up and down sections differ in `transaction:false`; ai-shell has one setting per migration and uses the up section's (transaction: {transaction}).",
                    rel.display()
                ));
            }
        }
        collected.drafts.push(Draft {
            version,
            original_version: digits,
            description,
            sources: vec![rel],
            up: up_sql,
            down: down.map(|(d, _)| body(d)),
            transaction,
            extra,
        });
    }
    Ok(collected)
}

fn has_option(options: &str, option: &str) -> bool {
    options
        .split_whitespace()
        .any(|o| o.eq_ignore_ascii_case(option))
}

/// A Flyway version: its parts without trailing zeros (`1.0` = `1`), for comparing.
fn flyway_version(text: &str) -> Option<Vec<u64>> {
    let mut parts: Vec<u64> = text
        .split(['.', '_'])
        .map(|p| if p.is_empty() { None } else { p.parse().ok() })
        .collect::<Option<_>>()?;
    while parts.len() > 1 && parts.last() == Some(&0) {
        parts.pop();
    }
    Some(parts)
}

struct FlywayFile {
    rel: PathBuf,
    version_text: String,
    version: Vec<u64>,
    description: String,
}

fn flyway(dir: &Path) -> Result<Collected, ImportError> {
    let mut collected = Collected::default();
    let mut versioned: Vec<FlywayFile> = Vec::new();
    let mut undo: Vec<FlywayFile> = Vec::new();
    for (rel, name) in sql_files(dir, true)? {
        let stem = name.strip_suffix(".sql").unwrap_or(&name);
        let prefix = stem.chars().next().unwrap_or_default();
        let Some((version_text, description)) = stem.get(1..).and_then(|s| s.split_once("__"))
        else {
            collected.skipped.push(Skipped {
                path: rel,
                reason: "not a Flyway migration name (V<version>__<description>.sql); Flyway callbacks such as beforeMigrate.sql have no ai-shell equivalent".to_string(),
            });
            continue;
        };
        match prefix {
            'R' if version_text.is_empty() => {
                collected.skipped.push(Skipped {
                    path: rel,
                    reason: "repeatable migration (R__): Flyway re-runs it whenever it changes, ai-shell runs each migration once. Recreate it as a versioned migration with `ai-shell migrate new` when it changes.".to_string(),
                });
                continue;
            }
            'B' => {
                collected.skipped.push(Skipped {
                    path: rel,
                    reason: "baseline migration (B<version>__): it recreates the schema for new databases; ai-shell applies the versioned migrations instead (use `ai-shell migrate baseline` on an existing database).".to_string(),
                });
                continue;
            }
            'V' | 'U' => {}
            _ => {
                collected.skipped.push(Skipped {
                    path: rel,
                    reason: "not a Flyway migration name (V<version>__<description>.sql)"
                        .to_string(),
                });
                continue;
            }
        }
        let Some(version) = flyway_version(version_text) else {
            return Err(ImportError::Malformed {
                path: dir.join(&rel).display().to_string(),
                problem: format!("`{version_text}` is not a Flyway version"),
                hint: "Flyway versions are numbers separated by `.` or `_`, such as 1, 1.1 or 2_1.",
            });
        };
        let entry = FlywayFile {
            rel,
            version_text: version_text.to_string(),
            version,
            description: description.to_string(),
        };
        if prefix == 'V' {
            versioned.push(entry)
        } else {
            undo.push(entry)
        }
    }
    for files in [&mut versioned, &mut undo] {
        files.sort_by(|a, b| a.version.cmp(&b.version));
        for pair in files.windows(2) {
            if pair[0].version == pair[1].version {
                return Err(duplicate(
                    &pair[1].version_text,
                    &dir.join(&pair[0].rel),
                    &dir.join(&pair[1].rel),
                ));
            }
        }
    }
    let dotted = versioned.iter().any(|f| f.version.len() > 1);
    if dotted {
        collected.warnings.push(
            "Flyway versions with several parts cannot be ai-shell versions, so every migration was numbered 1, 2, 3... in Flyway's order; each file's `imported-from:` keeps its original name. Versions:".to_string()
                + &versioned
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!(" {} -> {}", f.version_text, i + 1))
                    .collect::<Vec<_>>()
                    .join(","),
        );
    }
    let mut undo_used = vec![false; undo.len()];
    for (i, v) in versioned.iter().enumerate() {
        let version = if dotted { i as u64 + 1 } else { v.version[0] };
        let u = undo.iter().position(|u| u.version == v.version);
        let up = read(dir, &v.rel)?;
        let down = u.map(|u| read(dir, &undo[u].rel)).transpose()?;
        let mut sources = vec![v.rel.clone()];
        if let Some(u) = u {
            undo_used[u] = true;
            sources.push(undo[u].rel.clone());
        }
        let transaction =
            !conf_disables_transaction(&dir.join(format!("{}.conf", v.rel.display())));
        for sql in std::iter::once(&up).chain(down.as_ref()) {
            if sql.contains("${") {
                collected.warnings.push(format!(
                    "{}: uses Flyway placeholders (`${{...}}`), which ai-shell does not replace; edit the imported file.",
                    v.rel.display()
                ));
                break;
            }
        }
        collected.drafts.push(Draft {
            version,
            original_version: v.version_text.clone(),
            description: v.description.clone(),
            sources,
            up,
            down,
            transaction,
            extra: Vec::new(),
        });
    }
    if let Some(u) = undo_used.iter().position(|used| !used) {
        return Err(ImportError::Unmatched {
            path: dir.join(&undo[u].rel).display().to_string(),
            what: "an undo migration",
            missing: "versioned migration",
            hint: "Flyway pairs U<version>__ with V<version>__ of the same version; add or rename the versioned migration, or remove this file.".to_string(),
        });
    }
    Ok(collected)
}

/// Whether a Flyway script configuration file says `executeInTransaction=false`.
fn conf_disables_transaction(conf: &Path) -> bool {
    std::fs::read_to_string(conf).is_ok_and(|text| {
        text.lines().any(|l| {
            l.split_once('=').is_some_and(|(k, v)| {
                k.trim() == "executeInTransaction" && v.trim().eq_ignore_ascii_case("false")
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = tmp.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        tmp
    }

    fn load(dir: &Path) -> Vec<MigrationFile> {
        MigrationDir::load(dir).unwrap().migrations
    }

    fn import_into_new(
        layout: ImportLayout,
        from: &Path,
    ) -> (ImportReport, tempfile::TempDir, Vec<MigrationFile>) {
        let to = tempfile::tempdir().unwrap();
        let target = to.path().join("migrations");
        let report = import(layout, from, &target).unwrap();
        let migrations = load(&target);
        (report, to, migrations)
    }

    #[test]
    fn layouts_parse_and_print() {
        for layout in ImportLayout::ALL {
            assert_eq!(layout.name().parse::<ImportLayout>().unwrap(), layout);
        }
        assert_eq!(
            "Golang_Migrate".parse::<ImportLayout>().unwrap(),
            ImportLayout::GolangMigrate
        );
        assert!(
            "liquibase"
                .parse::<ImportLayout>()
                .unwrap_err()
                .contains("expected one of")
        );
    }

    #[test]
    fn sqlx_simple_and_reversible() {
        let src = folder(&[
            (
                "20240101120000_create_users.sql",
                "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
            ),
            (
                "20240102120000_add email.up.sql",
                "-- no-transaction\r\nCREATE INDEX CONCURRENTLY i ON users (id);\r\n",
            ),
            (
                "20240102120000_add email.down.sql",
                "-- no-transaction\nDROP INDEX i;\n",
            ),
            ("README.md", "notes"),
            ("seed.sql", "INSERT INTO users VALUES (1);"),
        ]);
        let (report, _keep, ms) = import_into_new(ImportLayout::Sqlx, src.path());
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0].id(), "20240101120000_create_users");
        assert_eq!(ms[0].up, "CREATE TABLE users (id INTEGER PRIMARY KEY);");
        assert_eq!(ms[0].down, None);
        assert!(ms[0].meta.transaction);
        assert_eq!(
            ms[0].meta.extra("imported-from"),
            Some("sqlx 20240101120000_create_users.sql")
        );
        assert_eq!(ms[0].meta.description.as_deref(), Some("create users"));
        assert_eq!(ms[1].id(), "20240102120000_add_email");
        assert!(!ms[1].meta.transaction);
        assert_eq!(
            ms[1].up,
            "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON users (id);"
        );
        assert_eq!(
            ms[1].down.as_deref(),
            Some("-- no-transaction\nDROP INDEX i;")
        );
        assert_eq!(
            ms[1].meta.extra("imported-from"),
            Some("sqlx 20240102120000_add email.up.sql, 20240102120000_add email.down.sql")
        );
        assert_eq!(report.imported.len(), 2);
        assert_eq!(report.imported[1].sources.len(), 2);
        assert_eq!(report.imported[1].original_version, "20240102120000");
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].path, src.path().join("seed.sql"));
    }

    #[test]
    fn sqlx_errors_name_the_file() {
        let src = folder(&[("1_a.down.sql", "DROP TABLE a;")]);
        let e = import(ImportLayout::Sqlx, src.path(), src.path().join("out"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("1_a.down.sql: a down migration without a matching up migration"),
            "{e}"
        );
        let src = folder(&[("1_a.sql", "SELECT 1;"), ("1_b.sql", "SELECT 2;")]);
        let e = import(ImportLayout::Sqlx, src.path(), src.path().join("out"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("1_a.sql and ") && e.contains("1_b.sql both have version 1"),
            "{e}"
        );
        assert!(!src.path().join("out").exists(), "nothing written on error");
    }

    #[test]
    fn dbmate_sections_and_options() {
        let src = folder(&[
            (
                "20240101000000_create_a.sql",
                "-- created by dbmate\n-- migrate:up\nCREATE TABLE a (id INT);\n\n-- migrate:down\nDROP TABLE a;\n",
            ),
            (
                "20240102000000_index_a.sql",
                "\u{feff}-- migrate:up transaction:false\r\nCREATE INDEX CONCURRENTLY ia ON a (id);\r\n-- migrate:down transaction:false\r\nDROP INDEX ia;\r\n",
            ),
            ("20240103000000_up_only.sql", "-- migrate:up\nSELECT 1;\n"),
        ]);
        let (report, _keep, ms) = import_into_new(ImportLayout::Dbmate, src.path());
        assert_eq!(ms.len(), 3);
        assert_eq!(ms[0].up, "-- created by dbmate\nCREATE TABLE a (id INT);");
        assert_eq!(ms[0].down.as_deref(), Some("DROP TABLE a;"));
        assert!(ms[0].meta.transaction);
        assert!(!ms[1].meta.transaction);
        assert_eq!(
            ms[1].meta.extra("dbmate-up-options"),
            Some("transaction:false")
        );
        assert_eq!(ms[1].down.as_deref(), Some("DROP INDEX ia;"));
        assert_eq!(ms[2].down, None);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    #[test]
    fn dbmate_malformed_files() {
        for (text, expected) in [
            ("CREATE TABLE a (id INT);\n", "no `-- migrate:up` section"),
            (
                "-- migrate:up\nSELECT 1;\n-- migrate:up\n",
                "line 3: a second `-- migrate:up` (the first is line 1)",
            ),
            (
                "SELECT 0;\n-- migrate:up\nSELECT 1;\n",
                "line 1: SQL before the first `-- migrate:` marker",
            ),
        ] {
            let src = folder(&[("1_a.sql", text)]);
            let e = import(ImportLayout::Dbmate, src.path(), src.path().join("out"))
                .unwrap_err()
                .to_string();
            assert!(e.contains("1_a.sql: ") && e.contains(expected), "{e}");
        }
    }

    #[test]
    fn golang_migrate_pairs_and_transaction_control_warning() {
        let src = folder(&[
            (
                "000001_create_a.up.sql",
                "BEGIN;\nCREATE TABLE a (id INT);\nCOMMIT;\n",
            ),
            ("000001_create_a.down.sql", "DROP TABLE a;\n"),
            ("000002_seed.up.sql", "INSERT INTO a VALUES (1);\n"),
            ("000002_seed.down.sql", "\n"),
            ("000003_x.sql", "SELECT 1;"),
        ]);
        let (report, _keep, ms) = import_into_new(ImportLayout::GolangMigrate, src.path());
        assert_eq!(
            ms.iter().map(MigrationFile::id).collect::<Vec<_>>(),
            vec!["001_create_a", "002_seed"]
        );
        assert_eq!(ms[0].up, "BEGIN;\nCREATE TABLE a (id INT);\nCOMMIT;");
        assert_eq!(ms[1].rollback(), file::Rollback::Irreversible);
        assert_eq!(report.imported[0].original_version, "000001");
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("`BEGIN` (line 1), `COMMIT` (line 3)")),
            "{:?}",
            report.warnings
        );
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("marked irreversible")),
            "{:?}",
            report.warnings
        );
        assert_eq!(report.skipped[0].path, src.path().join("000003_x.sql"));
        let src = folder(&[("5_a.down.sql", "x")]);
        let e = import(
            ImportLayout::GolangMigrate,
            src.path(),
            src.path().join("o"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("5_a.down.sql: a down migration without a matching up migration"),
            "{e}"
        );
    }

    #[test]
    fn flyway_versions_undo_repeatable_and_subfolders() {
        let src = folder(&[
            ("V1__create_a.sql", "CREATE TABLE a (id INT);"),
            ("U1__create_a.sql", "DROP TABLE a;"),
            ("sub/V1.1__add b.sql", "ALTER TABLE a ADD b INT;"),
            ("V2_1__create_c.sql", "CREATE TABLE c (id INT);"),
            (
                "V10__create_d.sql",
                "CREATE TABLE d (id INT) -- ${schema}\n;",
            ),
            ("V10__create_d.sql.conf", "executeInTransaction=false\n"),
            ("R__views.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;"),
            ("afterMigrate.sql", "SELECT 1;"),
        ]);
        let (report, _keep, ms) = import_into_new(ImportLayout::Flyway, src.path());
        assert_eq!(
            ms.iter().map(MigrationFile::id).collect::<Vec<_>>(),
            vec!["001_create_a", "002_add_b", "003_create_c", "004_create_d"]
        );
        assert_eq!(ms[0].down.as_deref(), Some("DROP TABLE a;"));
        assert_eq!(
            ms[0].meta.extra("imported-from"),
            Some("flyway V1__create_a.sql, U1__create_a.sql")
        );
        assert_eq!(
            ms[1].meta.extra("imported-from"),
            Some("flyway sub/V1.1__add b.sql")
        );
        assert!(!ms[3].meta.transaction);
        assert!(ms[1].meta.transaction);
        assert_eq!(
            report
                .imported
                .iter()
                .map(|i| i.original_version.as_str())
                .collect::<Vec<_>>(),
            vec!["1", "1.1", "2_1", "10"]
        );
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("1 -> 1, 1.1 -> 2, 2_1 -> 3, 10 -> 4")),
            "{:?}",
            report.warnings
        );
        assert!(
            report.warnings.iter().any(|w| w.contains("placeholders")),
            "{:?}",
            report.warnings
        );
        let skipped: Vec<String> = report
            .skipped
            .iter()
            .map(|s| {
                s.path
                    .strip_prefix(src.path())
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(skipped, vec!["R__views.sql", "afterMigrate.sql"]);
        assert!(report.skipped[0].reason.contains("repeatable"));
    }

    #[test]
    fn flyway_plain_versions_are_kept_and_errors() {
        let src = folder(&[
            ("V3__a.sql", "SELECT 1;"),
            ("V20240101__b.sql", "SELECT 2;"),
        ]);
        let (report, _keep, ms) = import_into_new(ImportLayout::Flyway, src.path());
        assert_eq!(
            ms.iter().map(|m| m.version).collect::<Vec<_>>(),
            vec![3, 20240101]
        );
        assert!(report.warnings.is_empty());

        let src = folder(&[("V1__a.sql", "SELECT 1;"), ("V1.0__b.sql", "SELECT 2;")]);
        let e = import(ImportLayout::Flyway, src.path(), src.path().join("o"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("both have version 1"), "{e}");
        let src = folder(&[("V1__a.sql", "SELECT 1;"), ("U2__b.sql", "SELECT 2;")]);
        let e = import(ImportLayout::Flyway, src.path(), src.path().join("o"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("U2__b.sql: an undo migration without a matching versioned migration"),
            "{e}"
        );
        let src = folder(&[
            ("V1__a.sql", "SELECT 1;"),
            ("U1__a.sql", "x"),
            ("U1.0__a.sql", "y"),
        ]);
        let e = import(ImportLayout::Flyway, src.path(), src.path().join("o"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("U1.0__a.sql and ") && e.contains("U1__a.sql both have version"),
            "{e}"
        );
        let src = folder(&[("V1.x__a.sql", "SELECT 1;")]);
        let e = import(ImportLayout::Flyway, src.path(), src.path().join("o"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("V1.x__a.sql: `1.x` is not a Flyway version"),
            "{e}"
        );
    }

    #[test]
    fn refuses_overlap_same_folder_empty_and_marker_lines() {
        let src = folder(&[("1_a.up.sql", "SELECT 1;"), ("2_b.up.sql", "SELECT 2;")]);
        let to = folder(&[("002_mine.sql", "-- +up\nSELECT 'mine';\n")]);
        let e = import(ImportLayout::GolangMigrate, src.path(), to.path())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("already has migrations with version 2: ") && e.contains("002_mine.sql"),
            "{e}"
        );
        assert!(!to.path().join("001_a.sql").exists(), "nothing written");

        let e = import(ImportLayout::GolangMigrate, src.path(), src.path())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the source and target folders are the same"),
            "{e}"
        );

        let empty = folder(&[("notes.txt", "")]);
        let e = import(ImportLayout::Flyway, empty.path(), empty.path().join("o"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("found no flyway migrations in"), "{e}");
        assert!(e.contains("V1__create_users.sql"), "{e}");

        let src = folder(&[("1_a.up.sql", "SELECT 1;\n-- +down\nSELECT 2;")]);
        let e = import(
            ImportLayout::GolangMigrate,
            src.path(),
            src.path().join("o"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("1_a.up.sql: cannot be written as an ai-shell migration"),
            "{e}"
        );

        let e = import(
            ImportLayout::Sqlx,
            src.path().join("nope"),
            src.path().join("o"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("does not exist"), "{e}");
    }

    #[test]
    fn importing_next_to_other_versions_and_preview_writes_nothing() {
        let src = folder(&[("5_e.up.sql", "SELECT 5;")]);
        let to = folder(&[("001_mine.sql", "-- +up\nSELECT 'mine';\n")]);
        let report = preview(ImportLayout::GolangMigrate, src.path(), to.path()).unwrap();
        assert_eq!(report.imported[0].target, to.path().join("005_e.sql"));
        assert!(!to.path().join("005_e.sql").exists());
        import(ImportLayout::GolangMigrate, src.path(), to.path()).unwrap();
        assert_eq!(load(to.path()).len(), 2);
        // A second import of the same folder overlaps.
        assert!(import(ImportLayout::GolangMigrate, src.path(), to.path()).is_err());
    }

    #[test]
    fn unicode_and_non_utf8_sources() {
        let src = folder(&[("1_élève.up.sql", "INSERT INTO t VALUES ('日本');")]);
        let (_, _keep, ms) = import_into_new(ImportLayout::GolangMigrate, src.path());
        assert_eq!(ms[0].slug, "eleve");
        assert_eq!(ms[0].meta.description.as_deref(), Some("élève"));
        assert_eq!(ms[0].up, "INSERT INTO t VALUES ('日本');");
        let src = tempfile::tempdir().unwrap();
        fs::write(src.path().join("1_a.up.sql"), b"SELECT '\xff';").unwrap();
        let e = import(
            ImportLayout::GolangMigrate,
            src.path(),
            src.path().join("o"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("1_a.up.sql:1: not UTF-8 text: byte 0xff at byte offset 8"),
            "{e}"
        );
    }

    #[test]
    fn repository_fixtures_import() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/import");
        for (layout, dir) in [
            (ImportLayout::Sqlx, "sqlx"),
            (ImportLayout::Dbmate, "dbmate"),
            (ImportLayout::GolangMigrate, "golang-migrate"),
            (ImportLayout::Flyway, "flyway"),
        ] {
            let (report, _keep, ms) = import_into_new(layout, &root.join(dir));
            assert_eq!(ms.len(), 3, "{dir}");
            assert!(report.skipped.is_empty(), "{dir}: {:?}", report.skipped);
            for (m, table) in ms.iter().zip(["import_a", "import_b", "import_c"]) {
                assert!(
                    m.up.contains(&format!("CREATE TABLE {table}")),
                    "{dir}: {}",
                    m.up
                );
                assert_eq!(m.rollback(), file::Rollback::Available, "{dir} {}", m.id());
                assert!(file::validate(m).is_empty(), "{dir} {}", m.id());
            }
        }
    }
}
