//! What `migrations.safety` requires before a migration runs, besides a backup (see `commands::backup`):
//! a review by a person (`require-review`), recorded in the file's header by `migrate review ID --accept`.

use super::Workspace;
use crate::migrations::MigrationFile;

/// The header key of a review: `-- reviewed: by=NAME at=TIME checksum=HEX`.
pub const REVIEWED: &str = "reviewed";

/// Who reviewed `m`'s up section as it is now, and when; `None` when nobody did (or it changed since).
pub fn review_of(m: &MigrationFile) -> Option<(String, String)> {
    let checksum = crate::migrations::checksum(&m.up);
    m.meta
        .extra
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(REVIEWED))
        .filter_map(|(_, v)| {
            let field = |name: &str| {
                v.split_whitespace()
                    .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
                    .map(str::to_string)
            };
            if field("checksum")? != checksum {
                return None;
            }
            Some((field("by")?, field("at")?))
        })
        .next_back()
}

/// The header value recording that the current user reviewed the up section `up` now.
pub fn review_value(up: &str) -> String {
    format!(
        "by={} at={} checksum={}",
        crate::history::record::current_user().replace(char::is_whitespace, "_"),
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        crate::migrations::checksum(up)
    )
}

/// With `migrations.safety.require-review`, refuses migrations nobody reviewed (or approved) as they are now.
pub fn require_review(
    ws: &Workspace,
    starting: &[&MigrationFile],
    approved: &[String],
) -> anyhow::Result<()> {
    if !ws.project.safety.requires_review() {
        return Ok(());
    }
    let missing: Vec<String> = starting
        .iter()
        .filter(|m| !approved.contains(&m.id()) && review_of(m).is_none())
        .map(|m| m.id())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "migrations.safety.require-review: {} not reviewed as {} now: {}: nothing was applied\n\nRead each with `ai-shell migrate review ID` and accept it with `ai-shell migrate review ID --accept` (an edit of its up section after that needs a new review).",
        if missing.len() == 1 {
            "this migration was"
        } else {
            "these migrations were"
        },
        if missing.len() == 1 {
            "it is"
        } else {
            "they are"
        },
        missing.join(", ")
    )
}
