//! Names of the helper objects the plans create, derived only from the table and column names (so a
//! resumed run finds them) and kept within PostgreSQL's 63-byte identifier limit.

/// Longest identifier in bytes (`NAMEDATALEN - 1`).
const MAX_IDENTIFIER: usize = 63;

/// `base` followed by `suffix`; when that is too long, `base` is cut at a character boundary and a hash
/// of the whole `base` keeps distinct bases distinct.
pub fn helper(base: &str, suffix: &str) -> String {
    if base.len() + suffix.len() <= MAX_IDENTIFIER {
        return format!("{base}{suffix}");
    }
    let hash = format!("_{:08x}", fnv1a(base));
    let mut end = MAX_IDENTIFIER.saturating_sub(suffix.len() + hash.len());
    while !base.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{hash}{suffix}", &base[..end])
}

/// The new column a type change fills: `<col>__aish_new`.
pub fn new_column(column: &str) -> String {
    helper(column, "__aish_new")
}

/// The old column a type change keeps until cleanup: `<col>__aish_old`.
pub fn old_column(column: &str) -> String {
    helper(column, "__aish_old")
}

/// The helper `CHECK (c IS NOT NULL)` that lets `SET NOT NULL` skip its scan: `<col>__aish_nn`.
pub fn not_null_check(column: &str) -> String {
    helper(column, "__aish_nn")
}

/// The trigger (and its function) copying the old column into the new one: `<table>_<col>__aish_sync`.
pub fn sync_trigger(table: &str, column: &str) -> String {
    helper(&format!("{table}_{column}"), "__aish_sync")
}

/// The AFTER UPDATE trigger (and its function) of the sync, when updates are synced after the row is written:
/// `<table>_<col>__aish_syncu`.
pub fn sync_update_trigger(table: &str, column: &str) -> String {
    helper(&format!("{table}_{column}"), "__aish_syncu")
}

/// The trigger (and its function) copying the new column back into the old one after the switch.
pub fn reverse_trigger(table: &str, column: &str) -> String {
    helper(&format!("{table}_{column}"), "__aish_back")
}

/// The temporary name of an index rebuilt on the new column.
pub fn new_index(index: &str) -> String {
    helper(index, "__aish_new")
}

/// The name an old index is kept under after the switch.
pub fn old_index(index: &str) -> String {
    helper(index, "__aish_old")
}

/// 32-bit FNV-1a: small, stable across builds and platforms.
fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_joined() {
        assert_eq!(new_column("total"), "total__aish_new");
        assert_eq!(sync_trigger("orders", "total"), "orders_total__aish_sync");
    }

    #[test]
    fn long_names_fit_and_stay_distinct() {
        let a = helper(&"a".repeat(70), "__aish_new");
        let b = helper(&format!("{}b", "a".repeat(69)), "__aish_new");
        assert_eq!(a.len(), 63);
        assert!(a.ends_with("__aish_new"));
        assert_ne!(a, b);
        assert_eq!(a, helper(&"a".repeat(70), "__aish_new"));
        let e = helper(&"é".repeat(40), "__aish_nn");
        assert!(e.len() <= 63 && e.ends_with("__aish_nn"));
    }
}
