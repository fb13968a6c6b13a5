//! The migrations folder: loading every `NNN_slug.sql` in version order, detecting two migrations with the same
//! version (two branches that both created version N) with the renumbering that resolves it, and creating new
//! files atomically.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::file::{self, Meta, MigrationFile, MigrationFileError};

/// The migrations folder.
#[derive(Clone, Debug)]
pub struct MigrationDir;

/// Every migration of a folder, sorted by version (then creation time, then file name), with what was
/// ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MigrationSet {
    /// The folder.
    pub dir: PathBuf,
    /// The migrations, sorted.
    pub migrations: Vec<MigrationFile>,
    /// Files that were skipped and why (`.sql` files not named `NNN_slug.sql`).
    pub warnings: Vec<DirWarning>,
}

/// A file in the migrations folder that was skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirWarning {
    /// The file.
    pub path: PathBuf,
    /// Why it was skipped and what to do.
    pub message: String,
}

impl fmt::Display for DirWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// Migrations sharing one version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The version.
    pub version: u64,
    /// The files with that version, in set order.
    pub files: Vec<PathBuf>,
}

/// A migrations folder that cannot be used as it is.
#[derive(Debug, thiserror::Error)]
pub enum MigrationDirError {
    #[error(
        "migrations folder {dir} does not exist\n\nCreate it with `ai-shell migrate init`, or point to it with `--migrations-dir DIR`."
    )]
    Missing { dir: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", join_errors(.0))]
    Files(Vec<MigrationFileError>),
    #[error("{}", describe_duplicates(.duplicates, .plan))]
    DuplicateVersions {
        duplicates: Vec<Duplicate>,
        /// The renumbering proposed when nothing is known about what was applied.
        plan: Vec<(PathBuf, PathBuf)>,
        /// Everything that was read, for the caller to compute a plan with the applied versions.
        set: Box<MigrationSet>,
    },
    #[error(
        "`{name}` has no letters or digits to name a migration with\n\nDescribe the change in a few words, e.g. `add email to users`."
    )]
    EmptyName { name: String },
    #[error(
        "{path} already exists\n\nChoose another name, or remove the file if it is a leftover."
    )]
    Exists { path: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: after renumbering the file would not parse: {source}")]
    Renumber {
        path: String,
        #[source]
        source: MigrationFileError,
    },
}

fn join_errors(errors: &[MigrationFileError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn describe_duplicates(duplicates: &[Duplicate], plan: &[(PathBuf, PathBuf)]) -> String {
    let mut out = String::new();
    for d in duplicates {
        let names: Vec<String> = d.files.iter().map(|p| display_name(p)).collect();
        out.push_str(&format!(
            "{} migrations have version {:03}: {}\n",
            d.files.len(),
            d.version,
            names.join(", ")
        ));
    }
    out.push_str(
        "\nTwo branches probably both created the same version. Renumber the one not yet applied",
    );
    if plan.is_empty() {
        out.push('.');
    } else {
        out.push_str(", e.g.:\n");
        for (from, to) in plan {
            out.push_str(&format!(
                "  {} -> {}\n",
                display_name(from),
                display_name(to)
            ));
        }
        out.push_str(
            "(`ai-shell migrate renumber` does this, keeping the versions already applied.)",
        );
    }
    out
}

fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

impl MigrationDir {
    /// Reads every migration of `dir`, refusing duplicate versions (see [`MigrationDirError::DuplicateVersions`]).
    pub fn load(dir: impl AsRef<Path>) -> Result<MigrationSet, MigrationDirError> {
        let set = MigrationDir::scan(dir)?;
        let duplicates = set.duplicates();
        if duplicates.is_empty() {
            return Ok(set);
        }
        Err(MigrationDirError::DuplicateVersions {
            plan: renumber_plan(&set, &HashSet::new()),
            duplicates,
            set: Box::new(set),
        })
    }

    /// Reads every migration of `dir`, duplicates included. Non-`.sql` files, hidden files and folders are
    /// ignored; `.sql` files not named `NNN_slug.sql` become warnings. Every unreadable file is reported at
    /// once.
    pub fn scan(dir: impl AsRef<Path>) -> Result<MigrationSet, MigrationDirError> {
        let dir = dir.as_ref();
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(MigrationDirError::Missing {
                    dir: dir.display().to_string(),
                });
            }
            Err(source) => {
                return Err(MigrationDirError::Read {
                    path: dir.display().to_string(),
                    source,
                });
            }
        };
        let read_err = |path: &Path, source| MigrationDirError::Read {
            path: path.display().to_string(),
            source,
        };
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| read_err(dir, e))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.')
                || !name.to_ascii_lowercase().ends_with(".sql")
                || path.is_dir()
            {
                continue;
            }
            paths.push((name, path));
        }
        paths.sort();

        let mut set = MigrationSet {
            dir: dir.to_path_buf(),
            ..MigrationSet::default()
        };
        let mut errors = Vec::new();
        for (name, path) in paths {
            if file::parse_file_name(&name).is_none() {
                set.warnings.push(DirWarning {
                    message: naming_warning(&name),
                    path,
                });
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|e| read_err(&path, e))?;
            match file::decode(&path, bytes).and_then(|text| file::parse(&path, &text)) {
                Ok(m) => set.migrations.push(m),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(MigrationDirError::Files(errors));
        }
        set.migrations.sort_by(|a, b| {
            (a.version, created_key(a), a.id()).cmp(&(b.version, created_key(b), b.id()))
        });
        Ok(set)
    }
}

/// Sort key putting files with a creation time first, oldest first.
fn created_key(m: &MigrationFile) -> (bool, String) {
    match &m.meta.created {
        Some(c) => (false, c.clone()),
        None => (true, String::new()),
    }
}

fn naming_warning(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let hint = if lower.ends_with(".up.sql") || lower.ends_with(".down.sql") {
        " It looks like a golang-migrate or sqlx file: convert the folder with `ai-shell migrate import`."
    } else if name.starts_with(['V', 'U', 'R']) && name.contains("__") {
        " It looks like a Flyway file: convert the folder with `ai-shell migrate import --from flyway`."
    } else {
        ""
    };
    format!("ignored: the name does not follow NNN_slug.sql (e.g. 004_add_index.sql).{hint}")
}

impl MigrationSet {
    /// The migration with this version (the first, if duplicated).
    pub fn get(&self, version: u64) -> Option<&MigrationFile> {
        self.migrations.iter().find(|m| m.version == version)
    }

    /// The migration named by `id_or_version`: its id (`002_add_email`), its file name, or its version
    /// (`2`, `002`).
    pub fn find(&self, id_or_version: &str) -> Option<&MigrationFile> {
        let wanted = id_or_version.strip_suffix(".sql").unwrap_or(id_or_version);
        if let Some(m) = self.migrations.iter().find(|m| m.id() == wanted) {
            return Some(m);
        }
        if let Some((version, slug)) = file::parse_file_name(&format!("{wanted}.sql")) {
            return self
                .migrations
                .iter()
                .find(|m| m.version == version && m.slug == slug);
        }
        wanted.parse().ok().and_then(|v| self.get(v))
    }

    /// Versions held by more than one file.
    pub fn duplicates(&self) -> Vec<Duplicate> {
        let mut out: Vec<Duplicate> = Vec::new();
        for m in &self.migrations {
            let path = m
                .path
                .clone()
                .unwrap_or_else(|| self.dir.join(m.file_name()));
            match out.last_mut() {
                Some(d) if d.version == m.version => d.files.push(path),
                _ => out.push(Duplicate {
                    version: m.version,
                    files: vec![path],
                }),
            }
        }
        out.retain(|d| d.files.len() > 1);
        out
    }
}

/// The highest version in the set plus one (1 for an empty set).
pub fn next_version(set: &MigrationSet) -> u64 {
    set.migrations
        .iter()
        .map(|m| m.version)
        .max()
        .map_or(1, |v| v + 1)
}

/// The renames that give every migration its own version. For each duplicated version one file keeps it (the
/// earliest created, by `created:` then file name) and the others move, in that order, to versions above
/// every version in the set and in `applied`. When a duplicated version is in `applied` and the caller knows
/// which file was applied, use [`renumber_plan_keeping`] so that the applied file is the one that stays.
pub fn renumber_plan(set: &MigrationSet, applied: &HashSet<u64>) -> Vec<(PathBuf, PathBuf)> {
    renumber_plan_keeping(set, applied, &HashMap::new())
}

/// As [`renumber_plan`], keeping at each version the file whose id `applied_ids` gives for that version (the
/// name the history recorded), when it is one of the duplicates.
pub fn renumber_plan_keeping(
    set: &MigrationSet,
    applied: &HashSet<u64>,
    applied_ids: &HashMap<u64, String>,
) -> Vec<(PathBuf, PathBuf)> {
    let mut next = set
        .migrations
        .iter()
        .map(|m| m.version)
        .chain(applied.iter().copied())
        .chain(applied_ids.keys().copied())
        .max()
        .map_or(1, |v| v + 1);
    let mut plan = Vec::new();
    let mut i = 0;
    while i < set.migrations.len() {
        let version = set.migrations[i].version;
        let group: Vec<&MigrationFile> = set.migrations[i..]
            .iter()
            .take_while(|m| m.version == version)
            .collect();
        i += group.len();
        if group.len() < 2 {
            continue;
        }
        let keep = applied_ids
            .get(&version)
            .and_then(|id| group.iter().position(|m| &m.id() == id))
            .unwrap_or(0);
        for (j, m) in group.iter().enumerate() {
            if j == keep {
                continue;
            }
            let from = m
                .path
                .clone()
                .unwrap_or_else(|| set.dir.join(m.file_name()));
            let parent = from
                .parent()
                .map_or_else(|| set.dir.clone(), Path::to_path_buf);
            plan.push((from, parent.join(file::file_name(next, &m.slug))));
            next += 1;
        }
    }
    plan
}

/// Carries out a renumbering: each file is written under its new name with the version in its title line
/// updated (everything else byte for byte, BOM and line endings included), then the old file is removed.
/// Refuses to overwrite an existing file.
pub fn apply_renumber(plan: &[(PathBuf, PathBuf)]) -> Result<(), MigrationDirError> {
    for (from, to) in plan {
        let name = to.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let Some((version, slug)) = file::parse_file_name(name) else {
            return Err(MigrationDirError::Renumber {
                path: to.display().to_string(),
                source: MigrationFileError::FileName {
                    file: to.display().to_string(),
                    reason: "not a migration file name".to_string(),
                },
            });
        };
        let bytes = std::fs::read(from).map_err(|source| MigrationDirError::Read {
            path: from.display().to_string(),
            source,
        })?;
        let text = file::decode(from, bytes).map_err(|e| MigrationDirError::Files(vec![e]))?;
        let rewritten = retitle(&text, version, &slug);
        file::parse(to, &rewritten).map_err(|source| MigrationDirError::Renumber {
            path: from.display().to_string(),
            source,
        })?;
        write_new(to, &rewritten)?;
        std::fs::remove_file(from).map_err(|source| MigrationDirError::Write {
            path: from.display().to_string(),
            source,
        })?;
    }
    Ok(())
}

/// `text` with its title line (if any, before the first section) naming `version` and `slug`.
fn retitle(text: &str, version: u64, slug: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_header = true;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let bare = content.trim_start_matches('\u{feff}');
        let trimmed = bare.trim();
        if in_header
            && (trimmed.eq_ignore_ascii_case("-- +up") || trimmed.eq_ignore_ascii_case("-- +down"))
        {
            in_header = false;
        }
        if in_header && file::title_version(bare).is_some() {
            let bom = &content[..content.len() - bare.len()];
            out.push_str(bom);
            out.push_str(&file::title_line(version, slug));
            out.push_str(&line[content.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Writes a new migration to `dir` (created if missing) as `NNN_slug.sql` with the next version (above every
/// version in `dir` and above `after`, the highest version the history knows), and returns its path. `name` is free text, slugified (`"Add email to users!"` → `add_email_to_users`). `meta.created` is
/// set to now if empty; `meta.allow_destructive`, when set, becomes the checksum of `up` as written. The file is written to a temporary file and linked into place, so that it appears
/// whole or not at all and an existing file is never overwritten.
pub fn create(
    dir: impl AsRef<Path>,
    name: &str,
    mut meta: Meta,
    up: &str,
    down: Option<&str>,
    after: u64,
) -> Result<PathBuf, MigrationDirError> {
    let dir = dir.as_ref();
    let slug = slugify(name);
    if slug.is_empty() {
        return Err(MigrationDirError::EmptyName {
            name: name.to_string(),
        });
    }
    std::fs::create_dir_all(dir).map_err(|source| MigrationDirError::Write {
        path: dir.display().to_string(),
        source,
    })?;
    // From the file names alone, so that a broken file elsewhere does not block writing a new one.
    let entries = std::fs::read_dir(dir).map_err(|source| MigrationDirError::Read {
        path: dir.display().to_string(),
        source,
    })?;
    let version = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| file::parse_file_name(&e.file_name().to_string_lossy()))
        .map(|(v, _)| v + 1)
        .max()
        .unwrap_or(1)
        .max(after + 1);
    if meta.created.is_none() {
        meta.created = Some(utc_now());
    }
    let mut m = MigrationFile {
        version,
        slug,
        path: None,
        meta,
        up: file::canonical_section(&file::normalize_newlines(up)),
        down: down.map(|d| file::canonical_section(&file::normalize_newlines(d))),
    };
    // Consent recorded for the up section as written.
    if m.meta.allow_destructive.is_some() {
        m.meta.allow_destructive = Some(super::checksum::checksum(&m.up));
    }
    let path = dir.join(m.file_name());
    write_new(&path, &file::to_text(&m))?;
    Ok(path)
}

/// Marks the migration file at `path` as a draft (`-- draft: true` in its header) or accepts it (removes the
/// line), leaving every other byte as it is; the up section, and so the checksum, never changes.
pub fn set_draft(path: &Path, draft: bool) -> Result<(), MigrationDirError> {
    let text = read_text(path)?;
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_header = true;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if in_header && file::is_marker_line(trimmed) {
            in_header = false;
            if draft {
                out.push_str("-- draft: true\n");
            }
        }
        let is_draft_key = trimmed
            .strip_prefix("--")
            .and_then(|r| r.trim_start().split_once(':'))
            .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("draft"));
        if in_header && is_draft_key {
            continue;
        }
        out.push_str(line);
    }
    write_atomically(path, &out, true)
}

/// Sets `-- KEY: VALUE` in the file's header, replacing the lines with that key; the up section, and so the
/// checksum, is unchanged.
pub fn set_header_value(path: &Path, key: &str, value: &str) -> Result<(), MigrationDirError> {
    let text = read_text(path)?;
    let mut out = String::with_capacity(text.len() + value.len() + 16);
    let mut in_header = true;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if in_header && file::is_marker_line(trimmed) {
            in_header = false;
            out.push_str(&format!("-- {key}: {value}\n"));
        }
        let same_key = trimmed
            .strip_prefix("--")
            .and_then(|r| r.trim_start().split_once(':'))
            .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case(key));
        if in_header && same_key {
            continue;
        }
        out.push_str(line);
    }
    write_atomically(path, &out, true)
}

/// Adds `-- KEY: VALUE` as the last line of the file's header (before its first section marker); the up
/// section, and so the checksum, is unchanged.
pub fn add_header_line(path: &Path, key: &str, value: &str) -> Result<(), MigrationDirError> {
    let text = read_text(path)?;
    let mut out = String::with_capacity(text.len() + value.len() + 16);
    let mut in_header = true;
    for line in text.split_inclusive('\n') {
        if in_header && file::is_marker_line(line.trim()) {
            in_header = false;
            out.push_str(&format!("-- {key}: {value}\n"));
        }
        out.push_str(line);
    }
    write_atomically(path, &out, true)
}

/// A migration file's text (BOM, encoding and NUL bytes checked as when it is loaded).
fn read_text(path: &Path) -> Result<String, MigrationDirError> {
    let bytes = std::fs::read(path).map_err(|source| MigrationDirError::Read {
        path: path.display().to_string(),
        source,
    })?;
    file::decode(path, bytes).map_err(|e| MigrationDirError::Files(vec![e]))
}

/// Writes `text` to `path` atomically, failing if `path` exists.
pub(crate) fn write_new(path: &Path, text: &str) -> Result<(), MigrationDirError> {
    write_atomically(path, text, false)
}

/// Writes `text` to a temporary file beside `path`, synced, then moves it into place (replacing a file at
/// `path` only when `replace`).
fn write_atomically(path: &Path, text: &str, replace: bool) -> Result<(), MigrationDirError> {
    let write_err = |source| MigrationDirError::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".ai-shell-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(write_err)?;
    tmp.write_all(text.as_bytes()).map_err(write_err)?;
    tmp.as_file().sync_all().map_err(write_err)?;
    if replace {
        tmp.persist(path).map_err(|e| write_err(e.error))?;
        return Ok(());
    }
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            MigrationDirError::Exists {
                path: path.display().to_string(),
            }
        } else {
            write_err(e.error)
        }
    })?;
    Ok(())
}

/// A slug from free text: lower-case ASCII letters and digits, every other run of characters one `_`, at most
/// 60 characters cut at a word boundary. Letters with accents lose them where they decompose simply
/// (`é` → `e`); other non-ASCII text is dropped.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut gap = false;
    for c in text.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            if gap && !slug.is_empty() {
                slug.push('_');
            }
            gap = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    if slug.len() > 60 {
        let cut = slug[..=60].rfind('_').filter(|&i| i > 0).unwrap_or(60);
        slug.truncate(cut);
    }
    slug
}

/// Common Latin letters with diacritics to their base letter; everything else unchanged.
fn fold_accent(c: char) -> Vec<char> {
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => 'A',
        'ç' | 'č' | 'ć' => 'c',
        'Ç' | 'Č' | 'Ć' => 'C',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ě' => 'E',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => 'I',
        'ñ' | 'ń' | 'ň' => 'n',
        'Ñ' | 'Ń' | 'Ň' => 'N',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => 'O',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' => 'U',
        'ý' | 'ÿ' => 'y',
        'Ý' => 'Y',
        'š' | 'ś' => 's',
        'Š' | 'Ś' => 'S',
        'ž' | 'ź' | 'ż' => 'z',
        'Ž' | 'Ź' | 'Ż' => 'Z',
        'ß' => return vec!['s', 's'],
        'æ' => return vec!['a', 'e'],
        'œ' => return vec!['o', 'e'],
        _ => c,
    };
    vec![base]
}

/// The current time as RFC 3339 UTC with seconds (`2026-11-24T15:00:00Z`).
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

/// Seconds since the Unix epoch as RFC 3339 UTC (civil-from-days, proleptic Gregorian calendar).
fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        path
    }

    fn migration(version: u64, slug: &str, created: &str) -> String {
        format!(
            "-- ai-shell migration {version:03}: {slug}\n-- created: {created}\n\n-- +up\nCREATE TABLE {slug} (id INT);\n\n-- +down\nDROP TABLE {slug};\n"
        )
    }

    fn names(set: &MigrationSet) -> Vec<String> {
        set.migrations.iter().map(MigrationFile::id).collect()
    }

    #[test]
    fn loads_sorted_ignoring_other_files_and_warning_about_misnamed_sql() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(d, "010_c.sql", &migration(10, "c", "2026-01-03T00:00:00Z"));
        write(d, "002_b.sql", &migration(2, "b", "2026-01-02T00:00:00Z"));
        write(d, "1_a.sql", &migration(1, "a", "2026-01-01T00:00:00Z"));
        write(d, "README.md", "# notes");
        write(d, ".hidden.sql", "junk");
        write(d, "schema.sql", "CREATE TABLE x (id int);");
        write(d, "003_x.up.sql", "CREATE TABLE x (id int);");
        write(d, "V4__flyway.sql", "CREATE TABLE y (id int);");
        fs::create_dir(d.join("005_dir.sql")).unwrap();
        let set = MigrationDir::load(d).unwrap();
        assert_eq!(names(&set), vec!["1_a", "002_b", "010_c"]);
        let warned: Vec<String> = set.warnings.iter().map(|w| display_name(&w.path)).collect();
        assert_eq!(warned, vec!["003_x.up.sql", "V4__flyway.sql", "schema.sql"]);
        assert!(set.warnings[0].message.contains("golang-migrate or sqlx"));
        assert!(set.warnings[1].message.contains("--from flyway"));
        assert!(
            set.warnings[2]
                .to_string()
                .ends_with("does not follow NNN_slug.sql (e.g. 004_add_index.sql).")
        );
        assert_eq!(next_version(&set), 11);
        assert_eq!(set.find("002_b").unwrap().version, 2);
        assert_eq!(set.find("2").unwrap().slug, "b");
        assert_eq!(set.find("001_a").unwrap().id(), "1_a");
        assert_eq!(set.find("010_c.sql").unwrap().version, 10);
        assert!(set.find("004").is_none());
    }

    #[test]
    fn empty_and_missing_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let set = MigrationDir::load(tmp.path()).unwrap();
        assert!(set.migrations.is_empty());
        assert_eq!(next_version(&set), 1);
        let e = MigrationDir::load(tmp.path().join("nope"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("does not exist\n\nCreate it with `ai-shell migrate init`"),
            "{e}"
        );
    }

    #[test]
    fn reports_every_broken_file_and_non_utf8() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(d, "001_a.sql", "SELECT 1;");
        write(d, "002_b.sql", "-- +up\n-- +up\n");
        write(d, "003_c.sql", &migration(3, "c", "x"));
        let e = MigrationDir::load(d).unwrap_err().to_string();
        assert!(e.contains("001_a.sql: no `-- +up` section"), "{e}");
        assert!(e.contains("002_b.sql:2: a second `-- +up`"), "{e}");
        fs::remove_file(d.join("001_a.sql")).unwrap();
        fs::remove_file(d.join("002_b.sql")).unwrap();
        // Text that is not UTF-8 or holds a NUL byte: refused with line and byte offset, every file at once.
        fs::write(d.join("004_d.sql"), b"-- +up\nSELECT '\xff';").unwrap();
        fs::write(d.join("005_e.sql"), b"-- +up\r\nSELECT 1;\r\nSELECT '\0';").unwrap();
        let e = MigrationDir::load(d).unwrap_err().to_string();
        assert!(
            e.contains("004_d.sql:2: not UTF-8 text: byte 0xff at byte offset 15 is not part of a UTF-8 character\n\nSave the file as UTF-8"),
            "{e}"
        );
        assert!(
            e.contains("005_e.sql:3: a NUL byte (0x00) at byte offset 27\n\n"),
            "{e}"
        );
        // Renumbering and accepting a draft read the file the same way.
        let e = apply_renumber(&[(d.join("005_e.sql"), d.join("006_e.sql"))]).unwrap_err();
        assert!(e.to_string().contains("005_e.sql:3: a NUL byte"), "{e}");
        assert!(!d.join("006_e.sql").exists());
        let e = set_draft(&d.join("004_d.sql"), true).unwrap_err();
        assert!(e.to_string().contains("004_d.sql:2: not UTF-8 text"), "{e}");
        assert_eq!(
            fs::read(d.join("004_d.sql")).unwrap(),
            b"-- +up\nSELECT '\xff';"
        );
    }

    #[test]
    fn duplicate_versions_are_an_error_with_a_plan() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(
            d,
            "001_base.sql",
            &migration(1, "base", "2026-01-01T00:00:00Z"),
        );
        write(
            d,
            "002_from_main.sql",
            &migration(2, "from_main", "2026-01-02T00:00:00Z"),
        );
        write(
            d,
            "002_from_branch.sql",
            &migration(2, "from_branch", "2026-01-05T00:00:00Z"),
        );
        write(
            d,
            "003_after.sql",
            &migration(3, "after", "2026-01-03T00:00:00Z"),
        );
        let err = MigrationDir::load(d).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(
                "2 migrations have version 002: 002_from_main.sql, 002_from_branch.sql\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("  002_from_branch.sql -> 004_from_branch.sql\n"),
            "{text}"
        );
        let MigrationDirError::DuplicateVersions { set, .. } = err else {
            panic!("{text}")
        };

        // The history knows version 7 was applied (its file is gone): new versions go above it, and the
        // applied file stays.
        let applied: HashSet<u64> = [1, 2, 3, 7].into();
        let ids: HashMap<u64, String> = [(2, "002_from_branch".to_string())].into();
        let plan = renumber_plan_keeping(&set, &applied, &ids);
        assert_eq!(
            plan,
            vec![(d.join("002_from_main.sql"), d.join("008_from_main.sql"))]
        );

        let plan = renumber_plan(&set, &HashSet::new());
        assert_eq!(
            plan,
            vec![(d.join("002_from_branch.sql"), d.join("004_from_branch.sql"))]
        );
        apply_renumber(&plan).unwrap();
        let set = MigrationDir::load(d).unwrap();
        assert_eq!(
            names(&set),
            vec!["001_base", "002_from_main", "003_after", "004_from_branch"]
        );
        let text = fs::read_to_string(d.join("004_from_branch.sql")).unwrap();
        assert!(
            text.starts_with("-- ai-shell migration 004: from_branch\n-- created: 2026-01-05"),
            "{text}"
        );
        assert!(!d.join("002_from_branch.sql").exists());
    }

    #[test]
    fn three_way_duplicate_and_renumber_keeps_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let crlf = format!(
            "\u{feff}{}",
            migration(5, "c", "2026-01-03T00:00:00Z").replace('\n', "\r\n")
        );
        write(d, "005_a.sql", &migration(5, "a", "2026-01-01T00:00:00Z"));
        write(d, "005_b.sql", "-- +up\nSELECT 1;\n"); // no created: sorts last
        write(d, "005_c.sql", &crlf);
        let set = MigrationDir::scan(d).unwrap();
        assert_eq!(set.duplicates().len(), 1);
        assert_eq!(set.duplicates()[0].files.len(), 3);
        let plan = renumber_plan(&set, &HashSet::new());
        assert_eq!(
            plan,
            vec![
                (d.join("005_c.sql"), d.join("006_c.sql")),
                (d.join("005_b.sql"), d.join("007_b.sql"))
            ]
        );
        apply_renumber(&plan).unwrap();
        let moved = fs::read_to_string(d.join("006_c.sql")).unwrap();
        assert_eq!(moved, crlf.replace("migration 005: c", "migration 006: c"));
        assert_eq!(
            fs::read_to_string(d.join("007_b.sql")).unwrap(),
            "-- +up\nSELECT 1;\n"
        );
        assert!(MigrationDir::load(d).unwrap().duplicates().is_empty());
    }

    #[test]
    fn renumber_refuses_to_overwrite() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(d, "001_a.sql", "-- +up\n");
        write(d, "002_a.sql", "-- +up\nkeep me\n");
        let e = apply_renumber(&[(d.join("001_a.sql"), d.join("002_a.sql"))]).unwrap_err();
        assert!(e.to_string().contains("002_a.sql already exists"), "{e}");
        assert_eq!(
            fs::read_to_string(d.join("002_a.sql")).unwrap(),
            "-- +up\nkeep me\n"
        );
        assert!(d.join("001_a.sql").exists());
    }

    #[test]
    fn drafts_are_marked_and_accepted_without_touching_the_sections() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("migrations");
        let path = create(
            &d,
            "drop old",
            Meta::default(),
            "DROP TABLE old;",
            Some(""),
            0,
        )
        .unwrap();
        let before = fs::read_to_string(&path).unwrap();
        set_draft(&path, true).unwrap();
        let m = file::parse(&path, &fs::read_to_string(&path).unwrap()).unwrap();
        assert!(m.meta.draft);
        assert_eq!(m.up, "DROP TABLE old;");
        set_draft(&path, false).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), before);
    }

    #[test]
    fn create_writes_next_version_and_refuses_overwrite() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("migrations");
        let meta = Meta {
            description: Some("Add email to users".into()),
            author: Some("alice".into()),
            ..Meta::default()
        };
        let path = create(
            &d,
            "Add email to users!",
            meta.clone(),
            "ALTER TABLE users ADD email TEXT;\r\n",
            Some("ALTER TABLE users DROP email;"),
            0,
        )
        .unwrap();
        assert_eq!(path, d.join("001_add_email_to_users.sql"));
        let m = file::parse(&path, &fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(m.up, "ALTER TABLE users ADD email TEXT;");
        assert_eq!(m.meta.author.as_deref(), Some("alice"));
        let created = m.meta.created.unwrap();
        assert_eq!(created.len(), 20, "{created}");
        let second = create(&d, "new", Meta::default(), "", None, 0).unwrap();
        assert_eq!(second, d.join("002_new.sql"));
        // The history knows version 7 (applied from another folder): a new file comes after it.
        let after_history = create(&d, "later", Meta::default(), "", None, 7).unwrap();
        assert_eq!(after_history, d.join("008_later.sql"));
        fs::remove_file(&after_history).unwrap();
        let template = file::parse(&second, &fs::read_to_string(&second).unwrap()).unwrap();
        assert!(file::validate(&template).contains(&file::Finding::EmptyUp));
        // Someone else wrote 003 meanwhile under the same name: never overwritten.
        write_new(&d.join("003_x.sql"), "-- +up\n").unwrap();
        let e = write_new(&d.join("003_x.sql"), "other").unwrap_err();
        assert!(matches!(e, MigrationDirError::Exists { .. }), "{e}");
        assert_eq!(fs::read_to_string(d.join("003_x.sql")).unwrap(), "-- +up\n");
        let e = create(&d, "!!! ???", Meta::default(), "", None, 0).unwrap_err();
        assert!(e.to_string().contains("no letters or digits"), "{e}");
        let leftovers: Vec<_> = fs::read_dir(&d)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Add email to users!"), "add_email_to_users");
        assert_eq!(
            slugify("  --Add   EMAIL__to users--  "),
            "add_email_to_users"
        );
        assert_eq!(
            slugify("Ajouter l'élève à la classe"),
            "ajouter_l_eleve_a_la_classe"
        );
        assert_eq!(slugify("Straße"), "strasse");
        assert_eq!(slugify("日本語 table 2"), "table_2");
        assert_eq!(slugify("🙂"), "");
        let long = slugify(&"word ".repeat(30));
        assert!(
            long.len() <= 60 && !long.ends_with('_') && long.starts_with("word_word"),
            "{long}"
        );
        assert_eq!(slugify(&"x".repeat(80)).len(), 60);
        assert!(file::is_slug(&slugify("Add email to users!")));
    }

    #[test]
    fn utc_formatting() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_795_532_400), "2026-11-24T15:00:00Z");
        assert_eq!(format_utc(4_102_444_799), "2099-12-31T23:59:59Z");
        assert!(utc_now().starts_with("20"));
    }
}
