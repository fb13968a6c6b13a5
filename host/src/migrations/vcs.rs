//! `migrations.vcs.auto-commit`: each migration file ai-shell writes is committed with git, alone (other
//! staged or modified files are left as they are).

use std::path::Path;
use std::process::Command;

use crate::project::VcsSettings;

/// Commits the new file at `path` when the project asks for it; a failure is a warning (the file is written
/// either way). Returns the commit's short hash.
pub fn commit_new(settings: &VcsSettings, path: &Path, id: &str) -> Option<String> {
    if !settings.auto_commits() {
        return None;
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file = path.file_name()?;
    let git = |args: &[&std::ffi::OsStr]| {
        Command::new("git")
            .current_dir(dir)
            .args(args)
            .output()
            .map_err(|e| format!("git could not be run: {e}"))
            .and_then(|o| {
                if o.status.success() {
                    Ok(String::from_utf8_lossy(&o.stdout).trim().to_string())
                } else {
                    Err(String::from_utf8_lossy(&o.stderr).trim().to_string())
                }
            })
    };
    let message = format!("ai-shell: add migration {id}");
    let done = git(&["add".as_ref(), "--".as_ref(), file])
        .and_then(|_| {
            git(&[
                "commit".as_ref(),
                "--quiet".as_ref(),
                "-m".as_ref(),
                message.as_ref(),
                "--only".as_ref(),
                "--".as_ref(),
                file,
            ])
        })
        .and_then(|_| git(&["rev-parse".as_ref(), "--short".as_ref(), "HEAD".as_ref()]));
    match done {
        Ok(hash) => {
            eprintln!("✓ Committed {} ({hash}: {message})", path.display());
            Some(hash)
        }
        Err(why) => {
            eprintln!(
                "warning: migrations.vcs.auto-commit: {} was not committed: {}",
                path.display(),
                why.lines().next().unwrap_or("git failed")
            );
            None
        }
    }
}
