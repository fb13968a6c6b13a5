//! Phrasings people really type: keyword typos, a type and options in a list after the name, a
//! current-time default in words, and measures whose name says they are numbers.

use super::fixture::*;
use crate::connection::Engine;
use crate::model::{Change, ColumnType};
use crate::planner::types::numeric;

/// The one column a request adds, as (table, name, type, default, nullable).
#[track_caller]
fn one(request: &str) -> (String, String, ColumnType, Option<String>, bool) {
    let p = ok(request);
    let cols = added(&p);
    assert_eq!(cols.len(), 1, "{request}: {:#?}", p.summary);
    let (t, c) = cols.into_iter().next().unwrap();
    (t, c.name, c.data_type, c.default, c.nullable)
}

#[test]
fn keyword_typos_read_as_the_keyword() {
    for r in [
        "add colum nickname to users",
        "add coulmn nickname to users",
        "add colunm nickname to users",
        "ad column nickname to users tabel",
        "add column nickname to tabel users",
        "add nickname colum to users",
        "add col nickname to users tbl",
        "addd column nickname to users",
        "add new colum nickname to users",
    ] {
        let (t, name, ..) = one(r);
        assert_eq!((t.as_str(), name.as_str()), ("users", "nickname"), "{r}");
    }
}

#[test]
fn keyword_typos_in_other_intents() {
    let p = ok("renmae colum username to handle in users");
    assert!(
        p.changes
            .iter()
            .any(|c| matches!(c, Change::RenameColumn(r) if r.new_name == "handle" && r.table.name == "users")),
        "{:#?}",
        p.summary
    );
    let p = ok("craete tabel tags with label");
    assert_eq!(created(&p).name.name, "tags");
    let (_, _, _, default, _) = one("add nickname to users, defualt 'anon'");
    assert_eq!(default.as_deref(), Some("'anon'"));
    let p = ok("add code to customers, uniqe");
    assert!(
        p.changes
            .iter()
            .any(|c| matches!(c, Change::AddIndex(a) if a.index.unique)
                || matches!(c, Change::AddUnique(_))),
        "{:#?}",
        p.summary
    );
}

#[test]
fn words_near_keywords_that_are_names_stay_names() {
    // Not typos: real column names, names in a name's place, and words too far from a keyword.
    for (r, want) in [
        ("add volume to users", "volume"),
        ("add label to users", "label"),
        ("add options to users", "options"),
        ("add column colour to users", "colour"),
        ("add field called tabel to users", "tabel"),
    ] {
        let (_, name, ..) = one(r);
        assert_eq!(name, want, "{r}");
    }
    // A typo'd keyword never becomes part of a name.
    let (_, name, ..) = one("add colum nick_name to users");
    assert_eq!(name, "nick_name");
    // A drop still never acts on a typo-corrected name.
    refused("drop colum deprecated_feild from prodcts");
}

#[test]
fn a_type_and_options_in_a_list_after_the_name() {
    let cases: [(&str, ColumnType, Option<&str>, bool); 9] = [
        (
            "add column score (int, default 0) to users",
            ColumnType::Integer,
            Some("0"),
            true,
        ),
        (
            "add score (integer, not null, default 5) to users",
            ColumnType::Integer,
            Some("5"),
            false,
        ),
        (
            "add ratio (decimal 5,2) to users",
            numeric(5, 2),
            None,
            true,
        ),
        (
            "add ratio (decimal(6,3), default 1.5) to users",
            numeric(6, 3),
            Some("1.5"),
            true,
        ),
        (
            "add vip (boolean, default false) to users",
            ColumnType::Boolean,
            Some("false"),
            true,
        ),
        (
            "add nickname (text, not null, default 'x') to users",
            ColumnType::Text,
            Some("'x'"),
            false,
        ),
        (
            "add code (varchar(12), required, default '') to users",
            ColumnType::Varchar(Some(12)),
            Some("''"),
            false,
        ),
        (
            "add score, int, default 0 to users",
            ColumnType::Integer,
            Some("0"),
            true,
        ),
        (
            "add ratio decimal 10,2 to users",
            numeric(10, 2),
            None,
            true,
        ),
    ];
    for (r, ty, default, nullable) in cases {
        let (_, _, got_ty, got_default, got_nullable) = one(r);
        assert_eq!(got_ty, ty, "{r}");
        assert_eq!(got_default.as_deref(), default, "{r}");
        assert_eq!(got_nullable, nullable, "{r}");
    }
    let (_, _, ty, ..) = one("add token (uuid) to users");
    assert_eq!(ty, ColumnType::Uuid);
    let (_, _, ty, ..) = one("add experience (whole years) to users");
    assert_eq!(ty, ColumnType::Integer);
    let (_, _, ty, ..) = one("add experience in whole years to users");
    assert_eq!(ty, ColumnType::Integer);
    // A unique option is kept.
    let p = ok("add handle (varchar(40), unique) to users");
    assert!(
        p.changes
            .iter()
            .any(|c| matches!(c, Change::AddIndex(a) if a.index.unique))
    );
    // A value list stays a value list.
    let p = ok("add theme (light/dark) to users");
    assert!(p.changes.iter().any(|c| matches!(c, Change::AddCheck(_))));
    // Text NOT NULL without a default on a table with rows is still refused, not guessed.
    refused("add nickname (text, not null) to users");
}

#[test]
fn current_time_defaults() {
    for r in [
        "add seen_at to orders, default to the current time",
        "add seen_at to orders default current timestamp",
        "add seen_at to orders defaulting to now",
        "add seen_at timestamp default now() to orders",
        "add seen_at to orders, default: the time of insertion",
        "add seen to orders default now",
    ] {
        let (_, _, ty, default, _) = one(r);
        assert_eq!(ty, ColumnType::TimestampTz(None), "{r}");
        assert_eq!(default.as_deref(), Some("CURRENT_TIMESTAMP"), "{r}");
    }
    let (_, _, ty, default, _) = one("add due to orders default today");
    assert_eq!(ty, ColumnType::Date);
    assert_eq!(default.as_deref(), Some("CURRENT_DATE"));
    let (_, _, ty, default, _) = one("add shipped_on date default to the current date to orders");
    assert_eq!(ty, ColumnType::Date);
    assert_eq!(default.as_deref(), Some("CURRENT_DATE"));
    // On SQLite and MySQL too: never the text 'current'.
    for engine in [Engine::Sqlite, Engine::MySql] {
        let p = ok_on("add seen_at to orders, default to the current time", engine);
        let (_, c) = &added(&p)[0];
        assert_eq!(c.data_type, ColumnType::Timestamp(None));
        assert_eq!(c.default.as_deref(), Some("CURRENT_TIMESTAMP"));
    }
    // A word that is not a time stays a literal.
    let (_, _, _, default, _) = one("add label to orders default 'current'");
    assert_eq!(default.as_deref(), Some("'current'"));
}

#[test]
fn measures_are_numbers() {
    for (r, ty) in [
        ("add weight_kg to orders", numeric(12, 3)),
        ("add height_cm to users", numeric(12, 3)),
        ("add distance_km to orders", numeric(12, 3)),
        ("add length_m to orders", numeric(12, 3)),
        ("add mass_g to orders", numeric(12, 3)),
        ("add weight_lb to orders", numeric(12, 3)),
        ("add discount_pct to orders", numeric(5, 2)),
        ("add tax_percent to orders", numeric(5, 2)),
        ("add home_lat to users", numeric(9, 6)),
        ("add longitude to users", numeric(9, 6)),
        ("add years_of_experience to users", ColumnType::Integer),
        ("add tenure_years to users", ColumnType::Integer),
        ("add duration_ms to orders", ColumnType::Integer),
        ("add num_retries to orders", ColumnType::Integer),
        ("add login_counter to users", ColumnType::Integer),
        ("add counter to users", ColumnType::Integer),
    ] {
        let (_, _, got, ..) = one(r);
        assert_eq!(got, ty, "{r}");
    }
    // Words that only look like units keep their own reading.
    let (_, _, ty, ..) = one("add logged_in to users");
    assert_eq!(ty, ColumnType::Varchar(Some(255)));
    let (_, _, ty, ..) = one("add weight_kg varchar(10) to orders");
    assert_eq!(ty, ColumnType::Varchar(Some(10)));
}
