//! `ALTER TABLE t <options>`: the table options that differ, the ones that go reset to the engine's
//! default, and, when the default collation changes, the columns that follow it restated so they follow
//! the new one (in the same statement: a value the new character set cannot hold fails it whole).

use ai_shell_plugin_sdk::{Column, ColumnType, PluginError, SetTableOptions};

use super::state::State;
use super::{alter, modify};

/// The option's name: `ROW_FORMAT` of `ROW_FORMAT=DYNAMIC`, `DEFAULT CHARSET` of `DEFAULT CHARSET=utf8mb4`.
fn key(option: &str) -> String {
    option
        .split('=')
        .next()
        .unwrap_or(option)
        .trim()
        .to_ascii_uppercase()
}

/// What an option that is no longer given is set to: the engine's default.
fn reset(key: &str) -> Option<&'static str> {
    Some(match key {
        "ROW_FORMAT" | "PACK_KEYS" | "STATS_PERSISTENT" | "STATS_AUTO_RECALC"
        | "STATS_SAMPLE_PAGES" => "DEFAULT",
        "KEY_BLOCK_SIZE" | "CHECKSUM" | "DELAY_KEY_WRITE" | "PAGE_COMPRESSED" | "MIN_ROWS"
        | "MAX_ROWS" | "AVG_ROW_LENGTH" => "0",
        _ => return None,
    })
}

/// Whether a column holds text in a character set (and so follows the table's default collation).
fn textual(c: &Column) -> bool {
    c.generated.is_none()
        && match &c.data_type {
            ColumnType::Char(_)
            | ColumnType::Varchar(_)
            | ColumnType::Text
            | ColumnType::InlineEnum(_) => true,
            ColumnType::Other(t) => {
                let t = t.to_ascii_lowercase();
                ["tinytext", "mediumtext", "longtext", "set("]
                    .iter()
                    .any(|p| t.starts_with(p))
            }
            _ => false,
        }
}

pub fn set_table_options(state: &State, s: &SetTableOptions) -> Result<String, PluginError> {
    let table = state.table(&s.table).ok_or_else(|| {
        PluginError::InvalidInput(format!("table `{}` is not in the schema", s.table.name))
    })?;
    let mut parts: Vec<String> = s
        .options
        .iter()
        .filter(|o| !table.options.contains(o))
        .cloned()
        .collect();
    for old in &table.options {
        let k = key(old);
        if s.options.iter().any(|o| key(o) == k) {
            continue;
        }
        let value = reset(&k).ok_or_else(|| {
            PluginError::UnsupportedChange(format!(
                "table `{}`: option {old} has no default to go back to; give the value it should have",
                s.table.name
            ))
        })?;
        parts.push(format!("{k}={value}"));
    }
    let collation = |options: &[String]| {
        options
            .iter()
            .find(|o| key(o) == "COLLATE")
            .map(|o| o.to_ascii_lowercase())
    };
    if collation(&table.options) != collation(&s.options) {
        for c in table
            .columns
            .iter()
            .filter(|c| c.collation.is_none() && textual(c))
        {
            parts.push(modify(state, &s.table, c)?);
        }
    }
    if parts.is_empty() {
        return Err(PluginError::InvalidInput(format!(
            "table `{}` already has these options",
            s.table.name
        )));
    }
    Ok(alter(&s.table, &parts.join(", ")))
}
