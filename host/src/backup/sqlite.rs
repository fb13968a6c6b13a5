//! SQLite: SQLite's online backup API, page by page, in both directions (what `sqlite3 .backup` and
//! `.restore` use), on connections of their own.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use libsqlite3_sys as ffi;

use super::Dumped;
use crate::connection::{Database, DatabaseUrl};

/// The file an `sqlite:` URL names.
pub fn file_of(url: &DatabaseUrl) -> anyhow::Result<PathBuf> {
    let raw = url.as_str();
    let rest = raw
        .strip_prefix("sqlite:")
        .context("not an SQLite URL")?
        .trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path.starts_with(":memory:") || rest.contains("mode=memory") {
        anyhow::bail!("an in-memory SQLite database cannot be backed up or restored");
    }
    Ok(PathBuf::from(path))
}

/// An open SQLite connection, closed on drop.
struct Handle(*mut ffi::sqlite3);

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle came from sqlite3_open_v2 and is closed once.
        unsafe {
            ffi::sqlite3_close(self.0);
        }
    }
}

fn open(path: &Path, flags: i32) -> anyhow::Result<Handle> {
    let c =
        CString::new(path.to_string_lossy().as_bytes()).context("a file name with a NUL byte")?;
    let mut db = std::ptr::null_mut();
    // SAFETY: c is a valid C string; db receives a handle that Handle closes (also when opening failed).
    let rc = unsafe { ffi::sqlite3_open_v2(c.as_ptr(), &mut db, flags, std::ptr::null()) };
    let handle = Handle(db);
    if rc != ffi::SQLITE_OK {
        anyhow::bail!("opening {}: {}", path.display(), message(&handle, rc));
    }
    // SAFETY: a valid handle; wait up to 10 s for another connection's lock instead of failing at once.
    unsafe {
        ffi::sqlite3_busy_timeout(handle.0, 10_000);
    }
    Ok(handle)
}

fn message(h: &Handle, rc: i32) -> String {
    // SAFETY: sqlite3_errmsg and sqlite3_errstr return NUL-terminated strings owned by SQLite.
    unsafe {
        let p = if h.0.is_null() {
            ffi::sqlite3_errstr(rc)
        } else {
            ffi::sqlite3_errmsg(h.0)
        };
        std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

/// Copies database `from` into `to` with the backup API, 1,024 pages a step (other connections may write
/// between steps; the copy restarts by itself when they do, so it is always one consistent state).
fn copy(from: &Handle, to: &Handle) -> anyhow::Result<()> {
    let main = c"main";
    // SAFETY: both handles are open; the backup object is finished before they are closed.
    unsafe {
        let b = ffi::sqlite3_backup_init(to.0, main.as_ptr(), from.0, main.as_ptr());
        if b.is_null() {
            anyhow::bail!("starting the backup: {}", message(to, 0));
        }
        let mut rc;
        loop {
            rc = ffi::sqlite3_backup_step(b, 1024);
            match rc {
                ffi::SQLITE_OK => continue,
                ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED => {
                    ffi::sqlite3_sleep(20);
                    continue;
                }
                _ => break,
            }
        }
        let finish = ffi::sqlite3_backup_finish(b);
        if rc != ffi::SQLITE_DONE {
            anyhow::bail!("copying the database: {}", message(to, rc));
        }
        if finish != ffi::SQLITE_OK {
            anyhow::bail!("finishing the copy: {}", message(to, finish));
        }
    }
    Ok(())
}

pub(super) async fn dump(url: &DatabaseUrl, out: &Path) -> anyhow::Result<Dumped> {
    let source = file_of(url)?;
    if !source.is_file() {
        anyhow::bail!(
            "{} does not exist: there is nothing to back up",
            source.display()
        );
    }
    let out = out.to_path_buf();
    let copy_to = out.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let from = open(&source, ffi::SQLITE_OPEN_READONLY)?;
        let to = open(
            &copy_to,
            ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE,
        )?;
        copy(&from, &to)
    })
    .await??;
    // The copy is one consistent state: its own counts are exact (counted while it is hashed).
    let hashed = out.clone();
    let hashing = tokio::task::spawn_blocking(move || super::digest(&hashed));
    let tables = counts(&out, false).await;
    let digest = hashing.await??;
    Ok(Dumped {
        tables: tables?,
        counts_exact: true,
        tool: format!("SQLite {} online backup API", sqlite_version()),
        digest: Some(digest),
    })
}

fn sqlite_version() -> String {
    // SAFETY: returns a static NUL-terminated string.
    unsafe {
        std::ffi::CStr::from_ptr(ffi::sqlite3_libversion())
            .to_string_lossy()
            .into_owned()
    }
}

/// Copies the backup over the database file: every page replaced in one write transaction of the target.
pub(super) async fn restore(file: &Path, url: &DatabaseUrl) -> anyhow::Result<()> {
    let target = file_of(url)?;
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let from = open(&file, ffi::SQLITE_OPEN_READONLY)?;
        let to = open(
            &target,
            ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE,
        )?;
        copy(&from, &to)
    })
    .await?
}

/// Checks the file's integrity and counts its rows, opened read-only.
pub(super) async fn load_counts(file: &Path) -> anyhow::Result<BTreeMap<String, u64>> {
    counts(file, true).await
}

/// The file's rows by table, opened read-only; with `check`, after SQLite's integrity check.
async fn counts(file: &Path, check: bool) -> anyhow::Result<BTreeMap<String, u64>> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let db = Database::connect(&url).await?;
    let result = async {
        let mut s = db.session().await?;
        if !check {
            return super::count_rows(&mut s).await;
        }
        let check = s.query("PRAGMA integrity_check", &[]).await?;
        let verdict: Vec<String> = check
            .rows
            .iter()
            .filter_map(|r| match r.first() {
                Some(crate::model::SqlValue::Text(t)) => Some(t.clone()),
                _ => None,
            })
            .collect();
        if verdict != ["ok"] {
            anyhow::bail!(
                "{} fails SQLite's integrity check: {}",
                file.display(),
                verdict.join("; ")
            );
        }
        super::count_rows(&mut s).await
    }
    .await;
    db.close().await;
    result
}
