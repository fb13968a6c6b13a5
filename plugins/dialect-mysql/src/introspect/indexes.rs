//! Keys from `information_schema.STATISTICS`: the primary key, unique constraints and the other
//! indexes. In MySQL a unique constraint *is* a unique index; a plain ascending B-tree unique index
//! without prefixes or comment is read as a constraint, anything more as an index, and both render
//! back to the same catalog rows.

use ai_shell_plugin_sdk::{
    Index, IndexKey, IndexMethod, IndexTarget, PrimaryKey, UniqueConstraint,
};

/// One row of [`super::queries::STATISTICS`].
pub struct KeyPartRow {
    pub table: String,
    pub index: String,
    pub non_unique: bool,
    pub seq: i64,
    pub column: Option<String>,
    pub expression: Option<String>,
    pub descending: bool,
    pub sub_part: Option<i64>,
    pub index_type: String,
    pub comment: String,
}

/// The keys of one table.
#[derive(Default)]
pub struct TableKeys {
    pub primary_key: Option<PrimaryKey>,
    pub uniques: Vec<UniqueConstraint>,
    pub indexes: Vec<Index>,
}

fn method(index_type: &str) -> IndexMethod {
    match index_type.to_ascii_uppercase().as_str() {
        "BTREE" => IndexMethod::Btree,
        "HASH" => IndexMethod::Hash,
        "FULLTEXT" => IndexMethod::Fulltext,
        "SPATIAL" => IndexMethod::Spatial,
        other => IndexMethod::Other(other.to_string()),
    }
}

/// Groups the key parts of one table's indexes (rows in any order) into its keys. `hash_default`
/// is true for engines whose indexes are hash indexes unless said otherwise (MEMORY): there every
/// unique index is kept as an index, so that its method is kept too.
pub fn table_keys(mut parts: Vec<&KeyPartRow>, hash_default: bool) -> TableKeys {
    parts.sort_by(|a, b| a.index.cmp(&b.index).then(a.seq.cmp(&b.seq)));
    let mut keys = TableKeys::default();
    let mut start = 0;
    while start < parts.len() {
        let name = &parts[start].index;
        let end = start
            + parts[start..]
                .iter()
                .take_while(|p| &p.index == name)
                .count();
        let group = &parts[start..end];
        start = end;
        let first = group[0];
        let plain = group.iter().all(|p| {
            p.column.is_some() && p.sub_part.is_none() && !p.descending && p.expression.is_none()
        }) && first.index_type.eq_ignore_ascii_case("BTREE")
            && !hash_default;
        let spatial = first.index_type.eq_ignore_ascii_case("SPATIAL");
        let columns = || {
            group
                .iter()
                .filter_map(|p| p.column.clone())
                .collect::<Vec<_>>()
        };
        if name == "PRIMARY" {
            keys.primary_key = Some(PrimaryKey {
                name: None,
                columns: columns(),
            });
        } else if !first.non_unique && plain && first.comment.is_empty() {
            keys.uniques.push(UniqueConstraint {
                name: name.clone(),
                columns: columns(),
            });
        } else {
            keys.indexes.push(Index {
                name: name.clone(),
                unique: !first.non_unique,
                method: method(&first.index_type),
                keys: group
                    .iter()
                    .map(|p| IndexKey {
                        target: match (&p.column, &p.expression) {
                            (Some(c), _) => IndexTarget::Column(c.clone()),
                            (None, Some(e)) => IndexTarget::Expression(e.clone()),
                            (None, None) => IndexTarget::Expression(String::new()),
                        },
                        descending: p.descending,
                        nulls_first: None,
                        opclass: None,
                        collation: None,
                        // MariaDB reports a spatial key's internal length (32) as a prefix.
                        prefix_length: p.sub_part.filter(|_| !spatial).map(|n| n as u32),
                    })
                    .collect(),
                included_columns: vec![],
                predicate: None,
                comment: Some(first.comment.clone()).filter(|c| !c.is_empty()),
            });
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(index: &str, seq: i64, column: &str, non_unique: bool) -> KeyPartRow {
        KeyPartRow {
            table: "t".into(),
            index: index.into(),
            non_unique,
            seq,
            column: Some(column.into()),
            expression: None,
            descending: false,
            sub_part: None,
            index_type: "BTREE".into(),
            comment: String::new(),
        }
    }

    #[test]
    fn classifies_keys() {
        let mut pref = part("p", 1, "f", true);
        pref.sub_part = Some(3);
        let mut ft = part("ft", 1, "a", true);
        ft.index_type = "FULLTEXT".into();
        let rows = [
            part("PRIMARY", 2, "b", false),
            part("PRIMARY", 1, "a", false),
            part("uq", 1, "x", false),
            pref,
            ft,
        ];
        let keys = table_keys(rows.iter().collect(), false);
        assert_eq!(keys.primary_key.unwrap().columns, ["a", "b"]);
        assert_eq!(keys.uniques.len(), 1);
        assert_eq!(keys.indexes.len(), 2);
        assert_eq!(keys.indexes[0].name, "ft");
        assert!(matches!(keys.indexes[0].method, IndexMethod::Fulltext));
        assert_eq!(keys.indexes[1].keys[0].prefix_length, Some(3));
        let memory = table_keys(rows.iter().collect(), true);
        assert_eq!(memory.uniques.len(), 0);
        assert_eq!(memory.indexes.len(), 3);
    }
}
