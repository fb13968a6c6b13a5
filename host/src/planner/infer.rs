//! Chooses a column's type and constraints from its name and the request, the way a careful
//! engineer would: `email` varchar(255), `phone` varchar(20) with a format check, `*_at`
//! timestamps, `is_*` booleans, `*_id` foreign keys, money as exact numerics...

use super::plan::Refusal;
use super::resolve;
use super::spec::{Spec, Value, is_current_time};
use super::sql;
use super::types::{self, json, numeric, timestamp, uuid};
use crate::connection::Engine;
use crate::model::{Column, ColumnType, DatabaseSchema, FkAction, QualifiedName, Table};

/// A column with what should come with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Inferred {
    pub column: Column,
    /// A check constraint: (name suffix, expression).
    pub check: Option<String>,
    /// A foreign key: referenced table, referenced column, ON DELETE.
    pub references: Option<(QualifiedName, String, FkAction)>,
    /// Index the column (foreign keys, emails, phones, on request).
    pub index: bool,
    pub unique: bool,
    /// Things worth telling (no table for a `*_id`, a guessed value list...).
    pub notes: Vec<String>,
}

/// Where the column goes.
pub struct Target<'a> {
    pub schema: &'a DatabaseSchema,
    /// The schema's names, for lookups.
    pub names: &'a resolve::Names<'a>,
    pub engine: Engine,
    /// The table's name (new or existing).
    pub table: &'a str,
    /// The table is being created (NOT NULL without a default is fine).
    pub new_table: bool,
}

fn has_suffix(n: &str, suffixes: &[&str]) -> bool {
    suffixes
        .iter()
        .any(|s| n == s.trim_start_matches('_') || n.ends_with(s))
}

/// A nullable column with no default: the shape every new column starts from.
pub fn column(name: &str, ty: ColumnType) -> Column {
    Column {
        name: name.to_string(),
        data_type: ty,
        nullable: true,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

/// The referenced table for a `<stem>_id` column, if one exists.
pub fn referenced_table<'a>(names: &resolve::Names<'a>, column: &str) -> Option<&'a Table> {
    let stem = column.strip_suffix("_id")?;
    if stem.is_empty() {
        return None;
    }
    names
        .table_sure(stem)
        .or_else(|| names.table_sure(&resolve::plural(stem)))
}

/// The single-column primary key of a table and its column.
pub fn primary_key(table: &Table) -> Option<&Column> {
    let pk = table.primary_key.as_ref()?;
    if pk.columns.len() != 1 {
        return None;
    }
    table.columns.iter().find(|c| c.name == pk.columns[0])
}

/// The value of a default in SQL, for a column of type `ty`.
fn default_sql(engine: Engine, ty: &ColumnType, v: &Value) -> Option<String> {
    Some(match v {
        Value::Num(n) if matches!(ty, ColumnType::Boolean) => sql::boolean(engine, n != "0"),
        Value::Num(n) => n.clone(),
        Value::Str(s) if matches!(ty, ColumnType::Boolean) => sql::boolean(
            engine,
            matches!(s.to_lowercase().as_str(), "true" | "t" | "1" | "yes"),
        ),
        Value::Str(s) => sql::string(engine, s),
        Value::Word(w) => match w.as_str() {
            "true" | "yes" | "on" | "enabled" => sql::boolean(engine, true),
            "false" | "no" | "off" | "disabled" => sql::boolean(engine, false),
            // The current time, as the column's type holds it.
            "now" | "current_timestamp" | "current_time" | "localtimestamp"
                if matches!(ty, ColumnType::Date) =>
            {
                "CURRENT_DATE".into()
            }
            "now" | "current_timestamp" | "current_time" | "localtimestamp" => {
                "CURRENT_TIMESTAMP".into()
            }
            "current_date" | "today"
                if matches!(ty, ColumnType::Timestamp(_) | ColumnType::TimestampTz(_)) =>
            {
                "CURRENT_TIMESTAMP".into()
            }
            "current_date" | "today" => "CURRENT_DATE".into(),
            "null" | "nothing" => return None,
            "empty" | "blank" => sql::string(engine, ""),
            "zero" => "0".into(),
            w => sql::string(engine, w),
        },
        // `now()`, `getdate()`: every engine spells the current time CURRENT_TIMESTAMP.
        Value::Call(f) if is_current_time(v) => match ty {
            ColumnType::Date => "CURRENT_DATE".into(),
            _ => "CURRENT_TIMESTAMP".into(),
        },
        Value::Call(f) => format!("{f}()"),
    })
}

/// Units of physical measures: a `<name>_<unit>` column holds a fractional quantity.
const UNITS: &[&str] = &[
    "kg",
    "g",
    "mg",
    "lb",
    "lbs",
    "oz",
    "t",
    "tons",
    "grams",
    "kilograms",
    "pounds",
    "ounces",
    "mm",
    "cm",
    "m",
    "km",
    "mi",
    "ft",
    "inch",
    "inches",
    "meters",
    "metres",
    "kilometers",
    "kilometres",
    "miles",
    "feet",
    "ml",
    "l",
    "cl",
    "liters",
    "litres",
    "gallons",
    "sqm",
    "sqft",
    "m2",
    "m3",
    "kmh",
    "mph",
    "kwh",
    "kw",
    "celsius",
    "fahrenheit",
    "degrees",
    "hz",
    "kb",
    "mb",
    "gb",
];

/// Units of time counted in whole numbers: `<name>_<unit>` is an integer.
const COUNTED_UNITS: &[&str] = &[
    "years",
    "yrs",
    "months",
    "weeks",
    "days",
    "hours",
    "hrs",
    "minutes",
    "mins",
    "seconds",
    "secs",
    "ms",
    "millis",
    "milliseconds",
    "bytes",
    "cents",
    "points",
    "pages",
    "words",
];

/// The type of a measure by its name: a unit suffix (`weight_kg`, `height_cm`, `duration_ms`), a
/// percentage (`discount_pct`), a whole count (`years_of_experience`, `num_retries`) or a
/// coordinate (`home_lat`).
fn measure(n: &str) -> Option<ColumnType> {
    let last = n.rsplit('_').next().unwrap_or(n);
    let first = n.split('_').next().unwrap_or(n);
    let suffixed = n.contains('_');
    if suffixed && UNITS.contains(&last) {
        return Some(numeric(12, 3));
    }
    if matches!(last, "pct" | "percent" | "percentage") || matches!(n, "percent" | "percentage") {
        return Some(numeric(5, 2));
    }
    if (suffixed && (COUNTED_UNITS.contains(&last) || first == "num"))
        || n.starts_with("number_of_")
        || n.starts_with("num_of_")
        || n.starts_with("years_")
        || matches!(n, "years" | "retries" | "attempts")
    {
        return Some(ColumnType::Integer);
    }
    if suffixed && matches!(last, "lat" | "lng" | "lon" | "latitude" | "longitude") {
        return Some(numeric(9, 6));
    }
    None
}

/// Infers the column for `spec` going into `target`.
pub fn infer(spec: &Spec, target: &Target) -> Result<Inferred, Refusal> {
    let engine = target.engine;
    let n = spec.name.to_lowercase();
    let mut out = Inferred {
        column: column(&spec.name, ColumnType::Varchar(Some(255))),
        check: None,
        references: None,
        index: spec.index,
        unique: spec.unique,
        notes: vec![],
    };
    let c = &mut out.column;
    let mut inferred_default: Option<String> = None;
    let mut inferred_not_null = false;
    let mut values = spec.values.clone();

    // A key to the table itself: "parent_id", "parent_category_id", "references categories" in
    // "create categories table".
    let own = resolve::singular(target.table);
    let self_ref = match &spec.references {
        Some(r) => resolve::key(r) == resolve::key(target.table) || resolve::singular(r) == own,
        None => n == "parent_id" || n == format!("parent_{own}_id"),
    };
    if self_ref {
        let existing = target
            .schema
            .tables
            .iter()
            .find(|t| resolve::key(&t.name.name) == resolve::key(target.table));
        let key = match existing {
            Some(t) => {
                primary_key(t).map(|k| (t.name.clone(), k.name.clone(), k.data_type.clone()))
            }
            None if target.new_table => Some((
                QualifiedName {
                    namespace: None,
                    name: target.table.to_string(),
                },
                "id".to_string(),
                match engine {
                    Engine::Sqlite => ColumnType::Integer,
                    _ => ColumnType::Bigint,
                },
            )),
            None => None,
        };
        if let Some((t, k, ty)) = key {
            c.data_type = ty;
            c.nullable = true;
            if spec.not_null == Some(true) {
                c.nullable = false;
            }
            out.references = Some((t, k, spec.on_delete.unwrap_or(FkAction::SetNull)));
            out.index = true;
            c.default = None;
            return Ok(out);
        }
    }
    // By name.
    if n.ends_with("_id") || spec.foreign_key || spec.references.is_some() {
        let referenced = match &spec.references {
            Some(r) => match target.names.table(r) {
                resolve::Found::One(t, _) => Some(t),
                resolve::Found::None(close) => {
                    return Err(Refusal::not_found(format!(
                        "column `{}` would reference table `{r}`, which does not exist",
                        spec.name
                    ))
                    .suggest(close));
                }
                resolve::Found::Many(m) => {
                    return Err(Refusal::ambiguous(format!(
                        "`{r}` could be any of several tables; name one"
                    ))
                    .suggest(m.iter().map(|t| t.name.display()).collect()));
                }
            },
            None => referenced_table(target.names, &n),
        };
        match referenced.and_then(|t| primary_key(t).map(|k| (t, k))) {
            Some((t, key)) => {
                c.data_type = key.data_type.clone();
                out.references = Some((t.name.clone(), key.name.clone(), FkAction::NoAction));
                out.index = true;
            }
            None => {
                c.data_type = ColumnType::Bigint;
                if let Some(t) = referenced {
                    out.notes.push(format!(
                        "{} has no single-column primary key to reference; no foreign key added",
                        t.name.display()
                    ));
                } else if spec.foreign_key {
                    return Err(Refusal::not_found(format!(
                        "no table matches `{}` for a foreign key; name the table (\"{} references customers\")",
                        spec.name, spec.name
                    )));
                } else {
                    out.notes.push(format!(
                        "no table matches `{}`, so it gets no foreign key",
                        spec.name
                    ));
                }
            }
        }
    } else if n == "email" || n.ends_with("_email") || n == "email_address" {
        c.data_type = ColumnType::Varchar(Some(255));
        out.index = true;
    } else if has_suffix(
        &n,
        &[
            "phone",
            "_phone",
            "phone_number",
            "mobile",
            "_mobile",
            "telephone",
        ],
    ) {
        c.data_type = ColumnType::Varchar(Some(20));
        out.check = Some(sql::phone_check(engine, &spec.name));
        out.index = true;
    } else if n == "created_at" || n == "updated_at" {
        c.data_type = timestamp(engine);
        inferred_default = Some("CURRENT_TIMESTAMP".into());
        inferred_not_null = true;
    } else if n.ends_with("_at") || n.ends_with("_on") && n.len() > 6 {
        c.data_type = timestamp(engine);
    } else if n.starts_with("is_")
        || n.starts_with("has_")
        || n.starts_with("can_")
        || n.starts_with("allow_")
        || n.ends_with("_enabled")
        || n.ends_with("_flag")
        || n == "active"
        || n == "enabled"
        || n == "verified"
    {
        c.data_type = ColumnType::Boolean;
        inferred_default = Some(sql::boolean(engine, false));
        inferred_not_null = true;
    } else if has_suffix(
        &n,
        &[
            "price", "_price", "amount", "_amount", "total", "_total", "cost", "_cost", "balance",
            "_balance", "fee", "_fee", "salary", "subtotal", "tax", "revenue",
        ],
    ) {
        c.data_type = numeric(12, 2);
    } else if n == "uuid" || n == "guid" || n.ends_with("_uuid") {
        c.data_type = uuid(engine);
    } else if has_suffix(
        &n,
        &[
            "metadata",
            "settings",
            "preferences",
            "_json",
            "attributes",
            "properties",
            "payload",
            "config",
            "options",
            "extra",
        ],
    ) {
        c.data_type = json(engine);
    } else if n.ends_with("_count")
        || n.ends_with("_counter")
        || matches!(
            n.as_str(),
            "count" | "counter" | "quantity" | "qty" | "stock"
        )
    {
        c.data_type = ColumnType::Integer;
        inferred_default = Some("0".into());
        inferred_not_null = true;
    } else if let Some(ty) = measure(&n) {
        c.data_type = ty;
    } else if n.ends_with("_date")
        || matches!(
            n.as_str(),
            "birthday" | "birthdate" | "dob" | "date_of_birth" | "date"
        )
    {
        c.data_type = ColumnType::Date;
    } else if n == "url"
        || n.ends_with("_url")
        || matches!(n.as_str(), "website" | "homepage" | "link")
    {
        c.data_type = ColumnType::Varchar(Some(2048));
    } else if has_suffix(
        &n,
        &[
            "description",
            "bio",
            "notes",
            "note",
            "body",
            "content",
            "summary",
            "comment",
            "message",
            "about",
            "details",
            "biography",
            "text",
        ],
    ) {
        c.data_type = ColumnType::Text;
    } else if matches!(
        n.as_str(),
        "age"
            | "year"
            | "position"
            | "rank"
            | "priority"
            | "level"
            | "rating"
            | "sort_order"
            | "score"
            | "views"
            | "duration"
            | "weight"
    ) {
        c.data_type = ColumnType::Integer;
    } else if matches!(
        n.as_str(),
        "latitude" | "lat" | "longitude" | "lng" | "lon" | "long"
    ) || n.ends_with("_latitude")
        || n.ends_with("_longitude")
    {
        // Degrees to about 0.1 m.
        c.data_type = numeric(9, 6);
    } else if matches!(n.as_str(), "language" | "locale" | "lang") {
        // BCP 47 tags are up to 35 characters.
        c.data_type = ColumnType::Varchar(Some(35));
        inferred_default = Some(sql::string(engine, "en"));
        inferred_not_null = true;
    } else if n.ends_with("frequency") && values.is_empty() {
        values = ["realtime", "daily", "weekly", "never"]
            .map(String::from)
            .to_vec();
        if spec.default.is_none() {
            inferred_default = Some(sql::string(engine, "daily"));
        }
        out.notes.push(format!(
            "{} allows realtime, daily, weekly or never (default daily); edit the check to change them",
            spec.name
        ));
    } else if matches!(n.as_str(), "zip" | "zip_code" | "postal_code" | "postcode") {
        c.data_type = ColumnType::Varchar(Some(20));
    } else if matches!(n.as_str(), "currency" | "currency_code") {
        c.data_type = ColumnType::Char(Some(3));
    } else if matches!(n.as_str(), "country_code") {
        c.data_type = ColumnType::Char(Some(2));
    } else if matches!(n.as_str(), "ip" | "ip_address") {
        c.data_type = ColumnType::Varchar(Some(45));
    } else if matches!(n.as_str(), "timezone" | "time_zone" | "tz") {
        c.data_type = ColumnType::Varchar(Some(64));
    } else if matches!(
        n.as_str(),
        "status" | "state" | "role" | "kind" | "type" | "theme"
    ) {
        c.data_type = ColumnType::Varchar(Some(20));
    } else if n.ends_with("_number") || n.ends_with("_no") || n.ends_with("_code") {
        // Tracking, VAT, invoice, serial numbers and codes are identifiers: they keep leading
        // zeros and may hold letters, so they are short strings, not integers.
        c.data_type = ColumnType::Varchar(Some(64));
    }

    // "default now" / "default today" on a column the name says nothing about: a point in time.
    if spec.ty.is_none()
        && c.data_type == ColumnType::Varchar(Some(255))
        && out.references.is_none()
        && !out.index
        && let Some(v) = spec.default.as_ref().filter(|v| is_current_time(v))
    {
        c.data_type = match v {
            Value::Word(w) if w == "current_date" || w == "today" => ColumnType::Date,
            _ => timestamp(engine),
        };
    }

    // A value list: a short varchar checked against the list, defaulting to the first value.
    if !values.is_empty() {
        let longest = values.iter().map(|v| v.chars().count()).max().unwrap_or(0) as u32;
        c.data_type = ColumnType::Varchar(Some(longest.max(20)));
        out.check = Some(sql::in_list(engine, &spec.name, &values));
        if inferred_default.is_none() && spec.default.is_none() {
            inferred_default = Some(sql::string(engine, &values[0]));
        }
        inferred_not_null = true;
    }

    // A range: an integer (unless a decimal bound or type says otherwise) checked between bounds.
    if let Some((lo, hi)) = &spec.range {
        if !matches!(
            c.data_type,
            ColumnType::Smallint
                | ColumnType::Integer
                | ColumnType::Bigint
                | ColumnType::Numeric(_)
                | ColumnType::Real
                | ColumnType::Double
        ) {
            c.data_type = if lo.contains('.') || hi.contains('.') {
                numeric(10, 2)
            } else {
                ColumnType::Integer
            };
        }
        out.check = Some(format!(
            "{} BETWEEN {lo} AND {hi}",
            sql::ident(engine, &spec.name)
        ));
    }

    // What the request says wins.
    if let Some(ty) = &spec.ty {
        let keep_extras = std::mem::discriminant(ty) == std::mem::discriminant(&c.data_type)
            || matches!(
                (ty, &c.data_type),
                (
                    ColumnType::Timestamp(_) | ColumnType::TimestampTz(_),
                    ColumnType::Timestamp(_) | ColumnType::TimestampTz(_)
                )
            );
        if !keep_extras {
            inferred_default = None;
            inferred_not_null = false;
            if out.check.is_some() && values.is_empty() && spec.range.is_none() {
                out.check = None;
            }
            if out.references.is_some() && !spec.foreign_key && spec.references.is_none() {
                out.notes.push(format!(
                    "{} is {} as asked, so it gets no foreign key",
                    spec.name,
                    types::words(ty)
                ));
                out.references = None;
                out.index = spec.index;
            }
        }
        c.data_type = ty.clone();
        if let (Some((t, _, _)), Some(referenced)) = (
            &out.references,
            out.references.as_ref().and_then(|(t, k, _)| {
                target
                    .schema
                    .tables
                    .iter()
                    .find(|x| &x.name == t)
                    .and_then(|x| x.columns.iter().find(|c| &c.name == k))
            }),
        ) && referenced.data_type != *ty
        {
            return Err(Refusal::unsupported(format!(
                "{} would be {} but {}.{} is {}; a foreign key needs the same type on both sides",
                spec.name,
                types::words(ty),
                t.display(),
                referenced.name,
                types::words(&referenced.data_type)
            )));
        }
    }
    c.default = match &spec.default {
        Some(v) => default_sql(engine, &c.data_type, v),
        None => inferred_default,
    };
    if spec
        .default
        .as_ref()
        .is_some_and(|v| matches!(v, Value::Word(w) if w == "null"))
    {
        inferred_not_null = false;
    }
    c.nullable = match spec.not_null {
        Some(nn) => !nn,
        None => !(inferred_not_null && (c.default.is_some() || target.new_table)),
    };
    // Foreign keys in a new table are required unless said otherwise; ON DELETE by ownership.
    if let Some((t, _, action)) = &mut out.references {
        if target.new_table && spec.not_null.is_none() {
            c.nullable = false;
        }
        if spec.on_delete == Some(FkAction::SetNull) && spec.not_null.is_none() {
            c.nullable = true;
        }
        *action = if let Some(a) = spec.on_delete {
            a
        } else if c.nullable {
            FkAction::SetNull
        } else if owns(target.table, &t.name) {
            FkAction::Cascade
        } else {
            FkAction::Restrict
        };
    }
    if !c.nullable && c.default.is_none() && !target.new_table {
        return Err(Refusal::unsafe_(format!(
            "`{}` would be NOT NULL without a default, which fails on a table that has rows",
            spec.name
        ))
        .example(format!(
            "add {} to {} with default '...'   (or leave it optional)",
            spec.name, target.table
        )));
    }
    if matches!(
        c.data_type,
        ColumnType::Text | ColumnType::Json | ColumnType::Blob
    ) && c.default.is_some()
        && engine == Engine::MySql
    {
        out.notes.push(format!(
            "MySQL before 8.0.13 refuses a default on {} columns",
            types::words(&c.data_type)
        ));
    }
    if spec.unique {
        out.index = false;
    }
    Ok(out)
}

/// Whether rows of `child` belong to rows of `parent` (deleting the parent deletes them):
/// `user_preferences` of `users`, `order_items` of `orders`.
pub fn owns(child: &str, parent: &str) -> bool {
    let child = resolve::key(child);
    let parent = resolve::singular(parent);
    child.starts_with(&format!("{parent}_"))
}

/// Whether a child table holds at most one row per parent (`user_preferences`, `user_profiles`).
pub fn one_to_one(child: &str, parent: &str) -> bool {
    let child = resolve::key(child);
    let parent = resolve::singular(parent);
    child
        .strip_prefix(&format!("{parent}_"))
        .is_some_and(|rest| {
            matches!(
                rest,
                "preferences"
                    | "preference"
                    | "settings"
                    | "setting"
                    | "profile"
                    | "profiles"
                    | "details"
                    | "detail"
                    | "stats"
                    | "statistics"
            )
        })
}
