//! The checks of the evaluation set, evaluated on `schema export --format json` and on query results:
//! type families per engine, columns, keys, indexes, constraints and data.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;
use serde_json::Value;

use crate::support::Engine;

/// Tables the migration history owns: never part of a comparison.
pub const HISTORY_PREFIX: &str = "ai_shell_migrations";

/// A family of column types that a careful engineer would accept for a request, whatever the engine spells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    String,
    Text,
    Integer,
    Bigint,
    Boolean,
    Timestamp,
    Numeric,
    Date,
    Json,
    Uuid,
    Float,
    Time,
    Enum,
    Blob,
}

impl FromStr for Family {
    type Err = String;

    fn from_str(s: &str) -> Result<Family, String> {
        Ok(match s.trim() {
            "string" => Family::String,
            "text" => Family::Text,
            "integer" => Family::Integer,
            "bigint" => Family::Bigint,
            "boolean" => Family::Boolean,
            "timestamp" => Family::Timestamp,
            "numeric" => Family::Numeric,
            "date" => Family::Date,
            "json" => Family::Json,
            "uuid" => Family::Uuid,
            "float" => Family::Float,
            "time" => Family::Time,
            "enum" => Family::Enum,
            "blob" => Family::Blob,
            other => return Err(format!("unknown type family `{other}`")),
        })
    }
}

/// Parses `"string|text"` into the families it accepts.
pub fn parse_families(spec: &str) -> Result<Vec<Family>, String> {
    spec.split('|').map(Family::from_str).collect()
}

/// The variant name and parameter of an exported `data_type`: `"Integer"` or `{"Varchar": 50}`.
fn type_parts(data_type: &Value) -> (String, Value) {
    match data_type {
        Value::String(s) => (s.clone(), Value::Null),
        Value::Object(m) if m.len() == 1 => {
            let (k, v) = m.iter().next().unwrap();
            (k.clone(), v.clone())
        }
        other => (other.to_string(), Value::Null),
    }
}

/// Every family the exported type of `column` belongs to on `engine`. `checks` are the expressions of the
/// table's check constraints (MariaDB may keep JSON as `longtext` with a `json_valid` check).
pub fn type_families(
    engine: Engine,
    data_type: &Value,
    column: &str,
    checks: &[String],
) -> Vec<Family> {
    use Family::*;
    let (tag, param) = type_parts(data_type);
    let json_checked = checks.iter().any(|c| {
        let c = c.to_lowercase();
        c.contains("json_valid") && c.contains(&column.to_lowercase())
    });
    let mut out = match tag.as_str() {
        "Boolean" => vec![Boolean],
        "Smallint" | "Integer" => vec![Integer],
        "Bigint" => vec![Bigint, Integer],
        "Real" | "Double" => vec![Float],
        "Numeric" => vec![Numeric],
        "Char" | "Varchar" => {
            let mut f = vec![String];
            if param.as_u64() == Some(36) && engine != Engine::Postgres {
                f.push(Uuid);
            }
            f
        }
        "Text" => vec![Text],
        "Blob" => vec![Blob],
        "Date" => vec![Date],
        "Time" => vec![Time],
        "Timestamp" | "TimestampTz" => vec![Timestamp],
        "Uuid" => vec![Uuid],
        "Json" | "Jsonb" => vec![Json],
        "EnumRef" | "InlineEnum" => vec![Enum, String],
        "Other" => other_families(param.as_str().unwrap_or_default()),
        _ => vec![],
    };
    if json_checked && out.iter().any(|f| matches!(f, Text | String)) {
        out.push(Json);
    }
    if engine == Engine::Sqlite {
        // SQLite stores by affinity: every integer is 64-bit and booleans are integers; text is text
        // whatever its declared length; JSON and UUIDs are usually kept as text (or a 16-byte blob).
        if out.contains(&Integer) {
            out.extend([Bigint, Boolean]);
        }
        if out.contains(&Text) || out.contains(&String) {
            out.extend([String, Text, Json, Uuid]);
        }
        if out.contains(&Blob) {
            out.push(Uuid);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Families of an engine-specific spelling kept verbatim (`Other`), by SQLite's affinity rules extended
/// with MySQL's names.
fn other_families(spelling: &str) -> Vec<Family> {
    use Family::*;
    let s = spelling.to_lowercase();
    let base = s.split('(').next().unwrap_or_default().trim();
    if s.starts_with("tinyint(1)") || base == "bool" || base == "boolean" || base == "bit" {
        return vec![Boolean, Integer];
    }
    if base.contains("bigint") || base == "int8" {
        return vec![Bigint, Integer];
    }
    if base.contains("int") {
        return vec![Integer];
    }
    if base.contains("datetime") || base.contains("timestamp") {
        return vec![Timestamp];
    }
    if base == "binary" && s.contains("16") {
        return vec![Uuid, Blob];
    }
    if base.contains("uuid") || base.contains("uniqueidentifier") {
        return vec![Uuid];
    }
    if base.contains("json") {
        return vec![Json];
    }
    if base.contains("text") || base.contains("clob") {
        return vec![Text];
    }
    if base.contains("char") {
        return vec![String];
    }
    if base.contains("dec") || base.contains("numeric") || base.contains("money") {
        return vec![Numeric];
    }
    if base.contains("real") || base.contains("floa") || base.contains("doub") {
        return vec![Float];
    }
    if base == "date" {
        return vec![Date];
    }
    if base == "time" {
        return vec![Time];
    }
    if base.contains("blob") || base.contains("binary") {
        return vec![Blob];
    }
    vec![]
}

/// One check of a case, as written in cases.toml (one kind per inline table).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub table: Option<String>,
    pub no_table: Option<String>,
    pub column: Option<String>,
    pub no_column: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub nullable: Option<bool>,
    pub default: Option<bool>,
    pub default_like: Option<String>,
    pub unique: Option<String>,
    pub no_unique: Option<String>,
    pub index: Option<String>,
    pub no_index: Option<String>,
    pub fk: Option<String>,
    pub references: Option<String>,
    pub on_delete: Option<String>,
    pub no_fk: Option<String>,
    pub linked: Option<String>,
    pub to: Option<String>,
    pub check: Option<String>,
    pub mentions: Option<String>,
    pub pk: Option<String>,
    pub sql: Option<String>,
    pub sqlite: Option<String>,
    pub postgres: Option<String>,
    pub mysql: Option<String>,
    pub equals: Option<String>,
}

/// A check, validated.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    Table(String),
    NoTable(String),
    Column {
        table: String,
        column: String,
        families: Option<Vec<Family>>,
        nullable: Option<bool>,
        default: Option<bool>,
        default_like: Option<String>,
    },
    NoColumn(String, String),
    Unique(String, Vec<String>),
    NoUnique(String, Vec<String>),
    Index(String, Vec<String>),
    NoIndex(String, Vec<String>),
    Fk {
        table: String,
        columns: Vec<String>,
        references: String,
        on_delete: Option<String>,
    },
    NoFk(String, Vec<String>),
    Linked(String, String),
    Check {
        table: String,
        mentions: String,
    },
    Pk(String, Option<Vec<String>>),
    Sql {
        sql: Option<String>,
        sqlite: Option<String>,
        postgres: Option<String>,
        mysql: Option<String>,
        equals: String,
    },
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Spec::Table(t) => write!(f, "table {t} exists"),
            Spec::NoTable(t) => write!(f, "table {t} is absent"),
            Spec::Column {
                table,
                column,
                families,
                nullable,
                default,
                default_like,
            } => {
                write!(f, "column {table}.{column}")?;
                if let Some(fs) = families {
                    write!(f, " of type {fs:?}")?;
                }
                if let Some(n) = nullable {
                    write!(f, " nullable={n}")?;
                }
                if let Some(d) = default {
                    write!(f, " has-default={d}")?;
                }
                if let Some(d) = default_like {
                    write!(f, " default like {d:?}")?;
                }
                Ok(())
            }
            Spec::NoColumn(t, c) => write!(f, "column {t}.{c} is absent"),
            Spec::Unique(t, c) => write!(f, "unique on {t}({})", c.join(", ")),
            Spec::NoUnique(t, c) => write!(f, "no unique on {t}({})", c.join(", ")),
            Spec::Index(t, c) => write!(f, "index on {t}({})", c.join(", ")),
            Spec::NoIndex(t, c) => write!(f, "no index on {t}({})", c.join(", ")),
            Spec::Fk {
                table,
                columns,
                references,
                on_delete,
            } => {
                write!(
                    f,
                    "foreign key {table}({}) -> {references}",
                    columns.join(", ")
                )?;
                if let Some(a) = on_delete {
                    write!(f, " on delete {a}")?;
                }
                Ok(())
            }
            Spec::NoFk(t, c) => write!(f, "no foreign key on {t}({})", c.join(", ")),
            Spec::Linked(a, b) => write!(f, "a foreign key between {a} and {b}"),
            Spec::Check { table, mentions } => write!(f, "check on {table} mentioning {mentions}"),
            Spec::Pk(t, None) => write!(f, "primary key on {t}"),
            Spec::Pk(t, Some(c)) => write!(f, "primary key {t}({})", c.join(", ")),
            Spec::Sql { sql, equals, .. } => {
                write!(
                    f,
                    "`{}` = {equals:?}",
                    sql.as_deref().unwrap_or("<per engine>")
                )
            }
        }
    }
}

/// `"users.email"` into (table, column); the column may contain anything after the first dot.
fn column_ref(s: &str) -> Result<(String, String), String> {
    match s.split_once('.') {
        Some((t, c)) if !t.is_empty() && !c.is_empty() => Ok((t.into(), c.into())),
        _ => Err(format!("`{s}` is not table.column")),
    }
}

/// `"orders(customer_id, order_date)"` into (table, columns); `"orders"` alone gives no columns.
fn columns_ref(s: &str) -> Result<(String, Option<Vec<String>>), String> {
    let s = s.trim();
    match s.split_once('(') {
        None => Ok((s.into(), None)),
        Some((t, rest)) => {
            let inner = rest
                .strip_suffix(')')
                .ok_or_else(|| format!("`{s}` lacks a closing parenthesis"))?;
            let cols: Vec<String> = inner.split(',').map(|c| c.trim().to_string()).collect();
            if t.trim().is_empty() || cols.iter().any(String::is_empty) {
                return Err(format!("`{s}` is not table(col, ...)"));
            }
            Ok((t.trim().into(), Some(cols)))
        }
    }
}

fn table_columns(s: &str) -> Result<(String, Vec<String>), String> {
    match columns_ref(s)? {
        (t, Some(c)) => Ok((t, c)),
        (_, None) => Err(format!("`{s}` needs columns: table(col, ...)")),
    }
}

impl Check {
    /// Validates the check: exactly one kind, with only the keys that kind takes.
    pub fn spec(&self) -> Result<Spec, String> {
        let kinds = [
            self.table.is_some(),
            self.no_table.is_some(),
            self.column.is_some(),
            self.no_column.is_some(),
            self.unique.is_some(),
            self.no_unique.is_some(),
            self.index.is_some(),
            self.no_index.is_some(),
            self.fk.is_some(),
            self.no_fk.is_some(),
            self.linked.is_some(),
            self.check.is_some(),
            self.pk.is_some(),
            self.sql.is_some()
                || self.sqlite.is_some()
                || self.postgres.is_some()
                || self.mysql.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err(format!("a check needs exactly one kind: {self:?}"));
        }
        let column_keys = self.type_.is_some()
            || self.nullable.is_some()
            || self.default.is_some()
            || self.default_like.is_some();
        if column_keys && self.column.is_none() {
            return Err(format!(
                "type/nullable/default only go with `column`: {self:?}"
            ));
        }
        if (self.references.is_some() || self.on_delete.is_some()) && self.fk.is_none() {
            return Err(format!("references/on_delete only go with `fk`: {self:?}"));
        }
        if self.to.is_some() != self.linked.is_some() {
            return Err(format!("`linked` and `to` go together: {self:?}"));
        }
        if self.mentions.is_some() != self.check.is_some() {
            return Err(format!("`check` and `mentions` go together: {self:?}"));
        }
        let is_sql = kinds[13];
        if self.equals.is_some() != is_sql {
            return Err(format!("`sql` and `equals` go together: {self:?}"));
        }
        Ok(if let Some(t) = &self.table {
            Spec::Table(t.clone())
        } else if let Some(t) = &self.no_table {
            Spec::NoTable(t.clone())
        } else if let Some(c) = &self.column {
            let (table, column) = column_ref(c)?;
            Spec::Column {
                table,
                column,
                families: self.type_.as_deref().map(parse_families).transpose()?,
                nullable: self.nullable,
                default: self.default,
                default_like: self.default_like.clone(),
            }
        } else if let Some(c) = &self.no_column {
            let (t, c) = column_ref(c)?;
            Spec::NoColumn(t, c)
        } else if let Some(s) = &self.unique {
            let (t, c) = table_columns(s)?;
            Spec::Unique(t, c)
        } else if let Some(s) = &self.no_unique {
            let (t, c) = table_columns(s)?;
            Spec::NoUnique(t, c)
        } else if let Some(s) = &self.index {
            let (t, c) = table_columns(s)?;
            Spec::Index(t, c)
        } else if let Some(s) = &self.no_index {
            let (t, c) = table_columns(s)?;
            Spec::NoIndex(t, c)
        } else if let Some(s) = &self.fk {
            let (table, columns) = table_columns(s)?;
            let references = self
                .references
                .clone()
                .ok_or_else(|| format!("`fk` needs `references`: {self:?}"))?;
            if let Some(a) = &self.on_delete {
                let known = ["cascade", "setnull", "restrict", "noaction", "setdefault"];
                if !known.contains(&normalize(a).as_str()) {
                    return Err(format!("unknown on_delete `{a}`"));
                }
            }
            Spec::Fk {
                table,
                columns,
                references,
                on_delete: self.on_delete.clone(),
            }
        } else if let Some(s) = &self.no_fk {
            let (t, c) = table_columns(s)?;
            Spec::NoFk(t, c)
        } else if let Some(a) = &self.linked {
            Spec::Linked(a.clone(), self.to.clone().unwrap_or_default())
        } else if let Some(t) = &self.check {
            Spec::Check {
                table: t.clone(),
                mentions: self.mentions.clone().unwrap_or_default(),
            }
        } else if let Some(s) = &self.pk {
            let (t, c) = columns_ref(s)?;
            Spec::Pk(t, c)
        } else {
            if self.sql.is_none() {
                let all = [&self.sqlite, &self.postgres, &self.mysql];
                if all.iter().any(|s| s.is_none()) {
                    return Err(format!(
                        "without `sql`, give the query for every engine: {self:?}"
                    ));
                }
            }
            Spec::Sql {
                sql: self.sql.clone(),
                sqlite: self.sqlite.clone(),
                postgres: self.postgres.clone(),
                mysql: self.mysql.clone(),
                equals: self.equals.clone().unwrap_or_default(),
            }
        })
    }
}

/// Lower case without separators: `SetNull`, `set-null`, `set null` and `SET_NULL` compare equal.
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// An ON DELETE action, with RESTRICT and NO ACTION taken as one (MariaDB reports its default as RESTRICT;
/// they differ only for deferred checks).
fn fk_action(s: &str) -> String {
    match normalize(s).as_str() {
        "restrict" => "noaction".into(),
        other => other.into(),
    }
}

impl Spec {
    /// The query a data check runs on `engine`, if this is one.
    pub fn query(&self, engine: Engine) -> Option<(&str, &str)> {
        match self {
            Spec::Sql {
                sql,
                sqlite,
                postgres,
                mysql,
                equals,
            } => {
                let specific = match engine {
                    Engine::Sqlite => sqlite,
                    Engine::Postgres => postgres,
                    Engine::Mysql => mysql,
                };
                specific
                    .as_deref()
                    .or(sql.as_deref())
                    .map(|q| (q, equals.as_str()))
            }
            _ => None,
        }
    }
}

/// The exported schema of one engine, with look-ups by name.
pub struct Model<'a> {
    pub engine: Engine,
    pub json: &'a Value,
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    arr(v)
        .iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

impl<'a> Model<'a> {
    pub fn new(engine: Engine, json: &'a Value) -> Model<'a> {
        Model { engine, json }
    }

    /// Tables in the default namespace (none, or PostgreSQL `public`).
    pub fn tables(&self) -> impl Iterator<Item = &'a Value> {
        arr(&self.json["tables"])
            .iter()
            .filter(|t| matches!(t["name"]["namespace"].as_str(), None | Some("public")))
    }

    pub fn table_names(&self) -> Vec<String> {
        self.tables()
            .filter_map(|t| t["name"]["name"].as_str().map(str::to_string))
            .collect()
    }

    pub fn table(&self, name: &str) -> Option<&'a Value> {
        self.tables().find(|t| t["name"]["name"] == name)
    }

    fn need_table(&self, name: &str) -> Result<&'a Value, String> {
        self.table(name)
            .ok_or_else(|| format!("table {name} does not exist"))
    }

    pub fn column(&self, table: &str, column: &str) -> Option<&'a Value> {
        arr(&self.table(table)?["columns"])
            .iter()
            .find(|c| c["name"] == column)
    }

    fn checks_of(table: &Value) -> Vec<String> {
        arr(&table["checks"])
            .iter()
            .filter_map(|c| c["expression"].as_str().map(str::to_string))
            .collect()
    }

    /// The families the type of `table.column` belongs to.
    pub fn families(&self, table: &str, column: &str) -> Option<Vec<Family>> {
        let t = self.table(table)?;
        let c = self.column(table, column)?;
        Some(type_families(
            self.engine,
            &c["data_type"],
            column,
            &Self::checks_of(t),
        ))
    }

    /// Column lists of every unique thing of a table: primary key, unique constraints, unique indexes.
    fn unique_sets(table: &Value) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        if table["primary_key"].is_object() {
            out.push(strings(&table["primary_key"]["columns"]));
        }
        for u in arr(&table["uniques"]) {
            out.push(strings(&u["columns"]));
        }
        for i in arr(&table["indexes"]) {
            if i["unique"] == true
                && let Some(cols) = index_columns(i)
            {
                out.push(cols);
            }
        }
        out
    }

    /// Column lists, in order, of every index of a table, counting unique constraints and the primary key.
    fn index_lists(table: &Value) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = arr(&table["indexes"])
            .iter()
            .filter_map(index_columns)
            .collect();
        if table["primary_key"].is_object() {
            out.push(strings(&table["primary_key"]["columns"]));
        }
        for u in arr(&table["uniques"]) {
            out.push(strings(&u["columns"]));
        }
        out
    }

    /// Evaluates a schema check; data checks are evaluated by the runner. Ok or why not.
    pub fn eval(&self, spec: &Spec) -> Result<(), String> {
        match spec {
            Spec::Table(t) => self.need_table(t).map(|_| ()),
            Spec::NoTable(t) => match self.table(t) {
                Some(_) => Err(format!("table {t} still exists")),
                None => Ok(()),
            },
            Spec::Column {
                table,
                column,
                families,
                nullable,
                default,
                default_like,
            } => {
                self.need_table(table)?;
                let c = self
                    .column(table, column)
                    .ok_or_else(|| format!("column {table}.{column} does not exist"))?;
                if let Some(want) = families {
                    let have = self.families(table, column).unwrap_or_default();
                    if !want.iter().any(|f| have.contains(f)) {
                        return Err(format!(
                            "{table}.{column} has type {} (families {have:?}), expected one of {want:?}",
                            c["data_type"]
                        ));
                    }
                }
                if let Some(n) = nullable
                    && c["nullable"].as_bool() != Some(*n)
                {
                    return Err(format!(
                        "{table}.{column} nullable is {}, expected {n}",
                        c["nullable"]
                    ));
                }
                let dflt = c["default"].as_str();
                if let Some(d) = default
                    && dflt.is_some() != *d
                {
                    return Err(format!(
                        "{table}.{column} default is {:?}, expected {}",
                        dflt,
                        if *d { "a default" } else { "none" }
                    ));
                }
                if let Some(like) = default_like
                    && !dflt
                        .unwrap_or_default()
                        .to_lowercase()
                        .contains(&like.to_lowercase())
                {
                    return Err(format!(
                        "{table}.{column} default is {dflt:?}, expected one containing {like:?}"
                    ));
                }
                Ok(())
            }
            Spec::NoColumn(t, c) => {
                self.need_table(t)?;
                match self.column(t, c) {
                    Some(_) => Err(format!("column {t}.{c} still exists")),
                    None => Ok(()),
                }
            }
            Spec::Unique(t, cols) | Spec::NoUnique(t, cols) => {
                let table = self.need_table(t)?;
                let found = Self::unique_sets(table).iter().any(|s| same_set(s, cols));
                match (spec, found) {
                    (Spec::Unique(..), false) => Err(format!(
                        "no unique constraint or index on {t}({}); unique sets: {:?}",
                        cols.join(", "),
                        Self::unique_sets(table)
                    )),
                    (Spec::NoUnique(..), true) => {
                        Err(format!("{t}({}) is still unique", cols.join(", ")))
                    }
                    _ => Ok(()),
                }
            }
            Spec::Index(t, cols) | Spec::NoIndex(t, cols) => {
                let table = self.need_table(t)?;
                let lists = Self::index_lists(table);
                let found = lists.iter().any(|l| l == cols);
                match (spec, found) {
                    (Spec::Index(..), false) => Err(format!(
                        "no index on {t}({}); indexes: {lists:?}",
                        cols.join(", ")
                    )),
                    (Spec::NoIndex(..), true) => {
                        Err(format!("{t}({}) is still indexed", cols.join(", ")))
                    }
                    _ => Ok(()),
                }
            }
            Spec::Fk {
                table,
                columns,
                references,
                on_delete,
            } => {
                let t = self.need_table(table)?;
                let fks = arr(&t["foreign_keys"]);
                let fk = fks
                    .iter()
                    .find(|fk| &strings(&fk["columns"]) == columns)
                    .ok_or_else(|| {
                        format!(
                            "no foreign key on {table}({}); foreign keys: {:?}",
                            columns.join(", "),
                            fks.iter()
                                .map(|f| strings(&f["columns"]))
                                .collect::<Vec<_>>()
                        )
                    })?;
                let target = fk["referenced_table"]["name"].as_str().unwrap_or_default();
                if target != references {
                    return Err(format!(
                        "{table}({}) references {target}, expected {references}",
                        columns.join(", ")
                    ));
                }
                if let Some(want) = on_delete {
                    let have = fk["on_delete"].as_str().unwrap_or_default();
                    if fk_action(have) != fk_action(want) {
                        return Err(format!(
                            "{table}({}) ON DELETE is {have}, expected {want}",
                            columns.join(", ")
                        ));
                    }
                }
                Ok(())
            }
            Spec::NoFk(t, cols) => {
                let table = self.need_table(t)?;
                if arr(&table["foreign_keys"])
                    .iter()
                    .any(|fk| &strings(&fk["columns"]) == cols)
                {
                    Err(format!("{t}({}) still has a foreign key", cols.join(", ")))
                } else {
                    Ok(())
                }
            }
            Spec::Linked(a, b) => {
                let ta = self.need_table(a)?;
                let tb = self.need_table(b)?;
                let refers = |from: &Value, to: &str| {
                    arr(&from["foreign_keys"])
                        .iter()
                        .any(|fk| fk["referenced_table"]["name"] == to)
                };
                if refers(ta, b) || refers(tb, a) {
                    Ok(())
                } else {
                    Err(format!("no foreign key between {a} and {b}"))
                }
            }
            Spec::Check { table, mentions } => {
                let t = self.need_table(table)?;
                let want = mentions.to_lowercase();
                if Self::checks_of(t)
                    .iter()
                    .any(|c| c.to_lowercase().contains(&want))
                {
                    return Ok(());
                }
                if let Some(c) = self.column(table, mentions) {
                    let (tag, _) = type_parts(&c["data_type"]);
                    if tag == "EnumRef" || tag == "InlineEnum" {
                        return Ok(());
                    }
                }
                Err(format!(
                    "no check on {table} mentions {mentions}; checks: {:?}",
                    Self::checks_of(t)
                ))
            }
            Spec::Pk(t, cols) => {
                let table = self.need_table(t)?;
                if !table["primary_key"].is_object() {
                    return Err(format!("{t} has no primary key"));
                }
                let have = strings(&table["primary_key"]["columns"]);
                match cols {
                    Some(c) if &have != c => Err(format!(
                        "{t} primary key is ({}), expected ({})",
                        have.join(", "),
                        c.join(", ")
                    )),
                    _ => Ok(()),
                }
            }
            Spec::Sql { .. } => Err("a data check is evaluated against the database".into()),
        }
    }
}

fn index_columns(index: &Value) -> Option<Vec<String>> {
    arr(&index["keys"])
        .iter()
        .map(|k| k["target"]["Column"].as_str().map(str::to_string))
        .collect()
}

/// The export without the migration history's own tables and sequences, for comparisons.
pub fn without_history(model: &Value) -> Value {
    let mut m = model.clone();
    for key in ["tables", "sequences"] {
        if let Some(list) = m.get_mut(key).and_then(Value::as_array_mut) {
            list.retain(|t| {
                !t["name"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with(HISTORY_PREFIX)
            });
        }
    }
    m
}

/// The export with the order of columns and of every list inside a table ignored: the shape a rollback
/// that re-adds columns at the end restores.
pub fn shape(model: &Value) -> Value {
    let mut m = without_history(model);
    if let Some(tables) = m.get_mut("tables").and_then(Value::as_array_mut) {
        for t in tables.iter_mut() {
            if let Some(obj) = t.as_object_mut() {
                for (_, v) in obj.iter_mut() {
                    if let Some(list) = v.as_array_mut() {
                        list.sort_by_key(|x| x.to_string());
                    }
                }
            }
        }
        tables.sort_by_key(|t| t["name"].to_string());
    }
    m
}
