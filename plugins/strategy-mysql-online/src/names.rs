//! Names of the helper objects a plan creates, derived from the table alone so that a resumed run
//! finds them again, and kept within MySQL's 64-character identifier limit.

/// MySQL's and MariaDB's limit on identifier length, in characters.
const LIMIT: usize = 64;

/// FNV-1a, a small stable hash: the same name gives the same suffix on every build.
fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// `{prefix}{base}{suffix}`, or, when that is too long, `base` cut short and followed by a hash of
/// the whole of it, so two long names sharing a beginning still get different helpers.
pub fn derived(prefix: &str, base: &str, suffix: &str) -> String {
    let full = format!("{prefix}{base}{suffix}");
    if full.chars().count() <= LIMIT {
        return full;
    }
    let keep = LIMIT - prefix.chars().count() - suffix.chars().count() - 9;
    let head: String = base.chars().take(keep).collect();
    format!("{prefix}{head}_{:08x}{suffix}", fnv1a(base))
}

/// The copy of `table` with the change applied, filled while the application runs.
pub fn shadow(table: &str) -> String {
    derived("_", table, "__aish_new")
}

/// What the original `table` is renamed to at the cut-over, dropped at the cleanup.
pub fn old(table: &str) -> String {
    derived("_", table, "__aish_old")
}

/// The name a foreign key of the shadow table has until the original table is dropped (InnoDB constraint
/// names are unique in a database, so the copy cannot take the original's name while both exist).
pub fn shadow_key(constraint: &str) -> String {
    derived("_", constraint, "__aish")
}

/// The trigger copying `event` (`ins`, `upd`, `del`) writes on `table` into the shadow table.
pub fn trigger(table: &str, event: &str) -> String {
    derived("", table, &format!("__aish_{event}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_read_plainly() {
        assert_eq!(shadow("orders"), "_orders__aish_new");
        assert_eq!(old("orders"), "_orders__aish_old");
        assert_eq!(trigger("orders", "upd"), "orders__aish_upd");
    }

    #[test]
    fn long_names_fit_and_stay_distinct() {
        let a = "a".repeat(60) + "x";
        let b = "a".repeat(60) + "y";
        let (sa, sb) = (shadow(&a), shadow(&b));
        assert_eq!(sa.chars().count(), 64);
        assert_ne!(sa, sb);
        assert_eq!(sa, shadow(&a));
        assert!(sa.ends_with("__aish_new") && sa.starts_with("_aaa"));
        let wide = "表".repeat(64);
        assert_eq!(trigger(&wide, "del").chars().count(), 64);
    }
}
