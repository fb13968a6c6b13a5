//! Backups ai-shell takes, verifies and restores: one file per backup made with the engine's own means
//! (SQLite's online backup API, `pg_dump --format=custom`, `mariadb-dump --single-transaction`), and a JSON
//! manifest beside it recording its checksum, size, row counts and the history it was taken at.

mod mysql;
mod postgres;
mod sqlite;
pub mod tools;

pub use sqlite::file_of as sqlite_file;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::connection::{Database, DatabaseUrl, Engine, Session};
use crate::model::SqlValue;

/// The manifest format this version writes.
pub const MANIFEST_VERSION: u32 = 1;

/// What is recorded about one backup, in `NAME.json` beside `NAME.backup`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub name: String,
    /// The backup file's name, in the same folder.
    pub file: String,
    /// `postgres`, `mysql` or `sqlite`.
    pub engine: String,
    /// The database, password hidden.
    pub database: String,
    /// RFC 3339, UTC.
    pub created: String,
    pub created_by: String,
    /// Why it was taken: `backup create`, `before migrate apply`, `before backup restore`...
    pub reason: String,
    pub size: u64,
    pub sha256: String,
    /// The highest applied migration's version when it was taken.
    pub schema_version: Option<u64>,
    /// The applied migrations (ids) when it was taken, in version order.
    pub applied: Vec<String>,
    /// The migrations it was taken before (`--backup-first`, `backup.auto`).
    #[serde(default)]
    pub preceded: Vec<String>,
    /// Rows of every table when it was taken.
    pub tables: BTreeMap<String, u64>,
    /// Whether `tables` was counted in the backup's own snapshot (MariaDB: read just before the dump).
    pub counts_exact: bool,
    /// The tool that made it, with its version.
    pub tool: String,
    pub duration_ms: u64,
}

impl Manifest {
    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::parse_from_rfc3339(&self.created)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc))
    }

    pub fn age(&self) -> Option<Duration> {
        let created = self.created_at()?;
        (chrono::Utc::now() - created).to_std().ok()
    }
}

/// The folder backups are kept in.
pub struct Store {
    pub dir: PathBuf,
}

/// A backup's files.
pub struct Found {
    pub manifest: Manifest,
    pub file: PathBuf,
    pub manifest_path: PathBuf,
}

impl Store {
    pub fn new(dir: PathBuf) -> Store {
        Store { dir }
    }

    /// Creates the folder; a new `.ai-shell` folder gets a `.gitignore` so backups (data) are not committed.
    fn ensure(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("creating the backup folder {}", self.dir.display()))?;
        for dir in self.dir.ancestors() {
            if dir.file_name().is_some_and(|n| n == ".ai-shell") {
                let ignore = dir.join(".gitignore");
                if !ignore.exists() {
                    let _ =
                        std::fs::write(&ignore, "# Backups hold data: keep them out of git.\n*\n");
                }
            }
        }
        Ok(())
    }

    /// `base`, or `base-2`, `base-3`... when a backup already has that name.
    pub fn unique_name(&self, base: &str) -> String {
        let taken = |n: &str| {
            self.dir.join(format!("{n}.json")).exists()
                || self.dir.join(format!("{n}.backup")).exists()
        };
        let mut name = base.to_string();
        let mut k = 2;
        while taken(&name) {
            name = format!("{base}-{k}");
            k += 1;
        }
        name
    }

    /// Every backup with a readable manifest, oldest first.
    pub fn list(&self) -> anyhow::Result<Vec<Found>> {
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => {
                return Err(e).with_context(|| format!("reading {}", self.dir.display()));
            }
        };
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "json")
                && let Ok(found) = read_manifest(&path)
            {
                out.push(found);
            }
        }
        out.sort_by(|a, b| {
            (a.manifest.created.as_str(), a.manifest.name.as_str())
                .cmp(&(b.manifest.created.as_str(), b.manifest.name.as_str()))
        });
        Ok(out)
    }

    /// A backup by name, or by the path of its file (or manifest) anywhere.
    pub fn find(&self, reference: &str) -> anyhow::Result<Found> {
        let as_path = Path::new(reference);
        let base = reference
            .strip_suffix(".backup")
            .or_else(|| reference.strip_suffix(".json"))
            .unwrap_or(reference);
        let candidates = [
            self.dir.join(format!("{base}.json")),
            PathBuf::from(format!("{base}.json")),
        ];
        for c in &candidates {
            if c.is_file() {
                return read_manifest(c);
            }
        }
        if as_path.is_file() {
            anyhow::bail!(
                "{} has no manifest beside it ({}): ai-shell restores only backups it recorded, whose checksum it can check",
                as_path.display(),
                Path::new(&format!("{base}.json")).display()
            );
        }
        let known: Vec<String> = self.list()?.into_iter().map(|f| f.manifest.name).collect();
        anyhow::bail!(
            "no backup named `{}` in {} ({})\n\nSee them with `ai-shell backup list`.",
            reference.escape_debug(),
            self.dir.display(),
            if known.is_empty() {
                "there are none".to_string()
            } else {
                format!("known: {}", known.join(", "))
            }
        )
    }

    /// Deletes backups of `database` older than `retention`, always keeping the newest; returns their names.
    pub fn prune(&self, database: &str, retention: Duration) -> anyhow::Result<Vec<String>> {
        let mine: Vec<Found> = self
            .list()?
            .into_iter()
            .filter(|f| f.manifest.database == database)
            .collect();
        let mut removed = Vec::new();
        for f in mine.iter().rev().skip(1) {
            if f.manifest.age().is_some_and(|a| a > retention) {
                std::fs::remove_file(&f.file)
                    .or_else(ignore_missing)
                    .with_context(|| format!("deleting {}", f.file.display()))?;
                std::fs::remove_file(&f.manifest_path)
                    .with_context(|| format!("deleting {}", f.manifest_path.display()))?;
                removed.push(f.manifest.name.clone());
            }
        }
        Ok(removed)
    }
}

fn ignore_missing(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::NotFound {
        Ok(())
    } else {
        Err(e)
    }
}

fn read_manifest(path: &Path) -> anyhow::Result<Found> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a backup manifest", path.display()))?;
    if manifest.version > MANIFEST_VERSION {
        anyhow::bail!(
            "{} was written by a newer ai-shell (manifest version {}): upgrade ai-shell to restore it",
            path.display(),
            manifest.version
        );
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    Ok(Found {
        file: dir.join(&manifest.file),
        manifest_path: path.to_path_buf(),
        manifest,
    })
}

/// Refuses a backup name that is not letters, digits, `-`, `_` and `.`.
pub fn check_name(name: &str) -> anyhow::Result<()> {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() <= 120
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        anyhow::bail!(
            "`{}` is not a valid backup name\n\nUse letters, digits, `-`, `_` and `.`, starting with a letter or digit.",
            name.escape_debug()
        );
    }
    Ok(())
}

/// A name made of `prefix` and the time: `pre-migration-20261207-153000`.
pub fn timestamped(prefix: &str) -> String {
    format!("{prefix}-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S"))
}

/// The history a backup is taken at.
pub struct HistoryState {
    pub schema_version: Option<u64>,
    pub applied: Vec<String>,
}

/// What `create` is asked.
pub struct Request<'a> {
    pub name: String,
    pub reason: String,
    pub preceded: Vec<String>,
    pub history: HistoryState,
    /// The database's URL, with its password (handed to the client tools through their environment).
    pub url: &'a DatabaseUrl,
}

/// Takes a backup of `db` into the store: written to a temporary name, checksummed, then renamed, so a
/// failed or interrupted backup leaves no file that looks complete.
pub async fn create(db: &Database, store: &Store, req: Request<'_>) -> anyhow::Result<Found> {
    check_name(&req.name)?;
    store.ensure()?;
    let file_name = format!("{}.backup", req.name);
    let file = store.dir.join(&file_name);
    let manifest_path = store.dir.join(format!("{}.json", req.name));
    if file.exists() || manifest_path.exists() {
        anyhow::bail!(
            "a backup named `{}` already exists in {}\n\nChoose another name with --name.",
            req.name,
            store.dir.display()
        );
    }
    let partial = store.dir.join(format!(".{}.partial", req.name));
    let started = Instant::now();
    let dumped = match db.engine() {
        Engine::Sqlite => sqlite::dump(req.url, &partial).await,
        Engine::Postgres => postgres::dump(db, req.url, &partial).await,
        Engine::MySql => mysql::dump(db, req.url, &partial).await,
    };
    let dumped = match dumped {
        Ok(d) => d,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context(format!("taking backup `{}`", req.name)));
        }
    };
    let (sha256, size) = match dumped.digest.clone() {
        Some(d) => d,
        None => digest(&partial)?,
    };
    std::fs::rename(&partial, &file).with_context(|| format!("writing {}", file.display()))?;
    let manifest = Manifest {
        version: MANIFEST_VERSION,
        name: req.name.clone(),
        file: file_name,
        engine: db.engine().dialect_name().to_string(),
        database: req.url.redacted(),
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        created_by: crate::history::record::current_user(),
        reason: req.reason,
        size,
        sha256,
        schema_version: req.history.schema_version,
        applied: req.history.applied,
        preceded: req.preceded,
        tables: dumped.tables,
        counts_exact: dumped.counts_exact,
        tool: dumped.tool,
        duration_ms: started.elapsed().as_millis() as u64,
    };
    write_atomically(&manifest_path, &serde_json::to_string_pretty(&manifest)?)?;
    Ok(Found {
        manifest,
        file,
        manifest_path,
    })
}

/// What a dump reports.
struct Dumped {
    tables: BTreeMap<String, u64>,
    counts_exact: bool,
    tool: String,
    /// The file's sha256 and size, when they were computed while it was written.
    digest: Option<(String, u64)>,
}

/// Copies `from` into a new file at `path`, hashing on the way: the sha256 (hex) and size.
fn write_hashed(from: impl std::io::Read, path: &Path) -> anyhow::Result<(String, u64)> {
    let mut file =
        std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?;
    let hashed =
        copy_hashed(from, &mut file).with_context(|| format!("writing {}", path.display()))?;
    file.sync_all()?;
    Ok(hashed)
}

/// Copies `from` into `to` in 1 MiB blocks: the sha256 (hex) and size of what went through.
fn copy_hashed(
    mut from: impl std::io::Read,
    to: &mut impl std::io::Write,
) -> std::io::Result<(String, u64)> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
        to.write_all(&buf[..n])?;
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// Runs `cmd`, its output written to `path` and hashed on the way, while `meanwhile` runs; the tool's
/// failure is an error with its message.
async fn dump_with<T>(
    mut cmd: std::process::Command,
    what: &'static str,
    url: &DatabaseUrl,
    path: &Path,
    meanwhile: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<(T, (String, u64))> {
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {what}"))?;
    let stdout = child.stdout.take().context("the tool's output")?;
    let target = path.to_path_buf();
    let copy = tokio::task::spawn_blocking(move || write_hashed(stdout, &target));
    let side = meanwhile.await;
    let written = copy.await?;
    let out = tokio::task::spawn_blocking(move || child.wait_with_output()).await??;
    tools::check(&out, what, url)?;
    Ok((side?, written?))
}

fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The sha256 (hex) and size of a file, read in blocks.
pub fn digest(path: &Path) -> anyhow::Result<(String, u64)> {
    let f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    copy_hashed(f, &mut std::io::sink()).with_context(|| format!("reading {}", path.display()))
}

/// Refuses a backup whose file is missing, truncated or altered since it was taken.
pub fn check_file(found: &Found) -> anyhow::Result<()> {
    if !found.file.is_file() {
        anyhow::bail!(
            "the file of backup `{}` is missing: {}",
            found.manifest.name,
            found.file.display()
        );
    }
    let (sha, size) = digest(&found.file)?;
    if size != found.manifest.size || sha != found.manifest.sha256 {
        anyhow::bail!(
            "backup `{}` is damaged: {} is {size} bytes with sha256 {sha}, but {} bytes with sha256 {} were recorded when it was taken\n\nIt was truncated or changed since: restore another backup (`ai-shell backup list`).",
            found.manifest.name,
            found.file.display(),
            found.manifest.size,
            found.manifest.sha256
        );
    }
    Ok(())
}

/// Replaces the whole content of the database at `url` with the backup's. PostgreSQL: one transaction;
/// SQLite: the backup API's; MariaDB: the database is emptied and loaded (the caller keeps a backup of what
/// was there to put back if the load fails).
pub async fn restore(found: &Found, url: &DatabaseUrl, other_server: bool) -> anyhow::Result<()> {
    match url.engine() {
        Engine::Sqlite => sqlite::restore(&found.file, url).await,
        Engine::Postgres => postgres::restore(&found.file, url, other_server).await,
        Engine::MySql => mysql::restore(&found.file, url).await,
    }
}

/// The result of a trial restore.
pub struct Verified {
    /// Tables whose rows differ from the manifest: (table, recorded, found).
    pub mismatches: Vec<(String, Option<u64>, Option<u64>)>,
    pub tables: usize,
    pub rows: u64,
}

/// Loads the backup where nothing is kept (a scratch database on the same server, dropped afterwards; for
/// SQLite the file itself, read-only) and counts its rows against the manifest.
pub async fn verify(found: &Found, url: &DatabaseUrl) -> anyhow::Result<Verified> {
    check_file(found)?;
    let counts = match url.engine() {
        Engine::Sqlite => sqlite::load_counts(&found.file).await?,
        Engine::Postgres => postgres::trial(&found.file, url).await?,
        Engine::MySql => mysql::trial(&found.file, url).await?,
    };
    let mut mismatches = Vec::new();
    for (table, recorded) in &found.manifest.tables {
        let got = counts.get(table).copied();
        if got != Some(*recorded) {
            mismatches.push((table.clone(), Some(*recorded), got));
        }
    }
    for (table, got) in &counts {
        if !found.manifest.tables.contains_key(table) {
            mismatches.push((table.clone(), None, Some(*got)));
        }
    }
    Ok(Verified {
        mismatches,
        tables: counts.len(),
        rows: counts.values().sum(),
    })
}

/// Rows of every user table of the database, by qualified name (PostgreSQL: `schema.table`).
pub async fn count_rows(s: &mut Session) -> anyhow::Result<BTreeMap<String, u64>> {
    let list = match s.engine() {
        Engine::Postgres => {
            "SELECT n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') \
             AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' \
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass \
             AND d.objid = c.oid AND d.deptype = 'e') ORDER BY 1"
        }
        Engine::MySql => {
            "SELECT table_name, CONCAT('`', REPLACE(table_name, '`', '``'), '`') FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
        Engine::Sqlite => {
            "SELECT name, '\"' || replace(name, '\"', '\"\"') || '\"' FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1"
        }
    };
    let tables = s.query(list, &[]).await?;
    let mut out = BTreeMap::new();
    for row in &tables.rows {
        let (Some(SqlValue::Text(name)), Some(SqlValue::Text(quoted))) = (row.first(), row.get(1))
        else {
            continue;
        };
        let n = s
            .query(&format!("SELECT COUNT(*) FROM {quoted}"), &[])
            .await?;
        let count = match n.rows.first().and_then(|r| r.first()) {
            Some(SqlValue::Integer(i)) => *i as u64,
            Some(SqlValue::Text(t)) => t.parse().unwrap_or(0),
            _ => 0,
        };
        out.insert(name.clone(), count);
    }
    Ok(out)
}
