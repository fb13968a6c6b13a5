//! Nothing is lost: what a migration's statements would destroy, counted in the live database, for the one
//! consent rule that `apply`, `rollback` and requests all go through (see [`Losses::refusal`]). Statements are
//! read by [`analysis`]; a drop whose data the same migration copies elsewhere first (a table rebuild, a
//! split, a merge) loses only what the copy leaves behind, and that is what is counted.

pub mod analysis;
pub mod dependencies;
pub mod preflight;

use std::collections::BTreeSet;

use serde::Serialize;

use self::analysis::{DataCopy, Effect, Name};
use crate::connection::{Engine, Session};
use crate::model::{ColumnType, DatabaseSchema, Table};
use crate::plugins::DialectPlugin;

/// Data one statement would destroy.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Loss {
    /// The migration it is in.
    pub migration: String,
    /// 1-based statement number in the section analysed.
    pub statement: usize,
    /// What is destroyed, for people: "drops table orders".
    pub what: String,
    /// Rows or non-NULL values at stake; `None` when they cannot be counted (consent is needed anyway).
    pub count: Option<u64>,
    /// What `count` counts: "rows" or "non-NULL values".
    pub unit: &'static str,
    /// The migration's file records consent to this (written by a command given `--allow-destructive`).
    pub consented: bool,
}

impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.count {
            Some(n) => write!(
                f,
                "{}: {} ({} {})",
                self.migration,
                self.what,
                thousands(n),
                self.unit
            ),
            None => write!(f, "{}: {} (cannot be counted)", self.migration, self.what),
        }?;
        if self.consented {
            write!(
                f,
                " [consented when the migration was written, with --allow-destructive]"
            )?;
        }
        Ok(())
    }
}

/// Every loss of a run, in order.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Losses(pub Vec<Loss>);

impl Losses {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The refusal printed when there is no consent: what is lost and how to consent.
    pub fn refusal(&self, action: &str) -> String {
        format!(
            "{action} would destroy data that exists:\n{}\n\nNothing was changed. Check that this is what you want (take a backup first), then run it again with --allow-destructive, or answer `yes` at a terminal.",
            self.lines()
        )
    }

    /// One indented line per loss.
    pub fn lines(&self) -> String {
        self.0
            .iter()
            .map(|l| format!("  - {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What reads the live database for [`assess`]: the session, and the schema and dialect when at hand (without
/// them every type change of a column holding data counts as narrowing).
pub struct Inspector<'a> {
    pub session: &'a mut Session,
    pub schema: Option<&'a DatabaseSchema>,
    pub dialect: Option<&'a DialectPlugin>,
}

/// The data that running `statements` (one migration, `id`) would destroy, counted now. Objects the
/// migration creates before dropping them, and empty tables and columns, lose nothing.
pub async fn assess(inspector: &mut Inspector<'_>, id: &str, statements: &[String]) -> Vec<Loss> {
    let effects: Vec<(usize, Effect)> = statements
        .iter()
        .enumerate()
        .flat_map(|(k, s)| analysis::effects(s).into_iter().map(move |e| (k, e)))
        .collect();
    let mut out = vec![];
    // Tables as the migration sees them: names it created, and renames back to the live name.
    let mut created: Vec<Name> = vec![];
    let mut added: Vec<(Name, String)> = vec![];
    let mut renamed: Vec<(Name, Name)> = vec![];
    let live = |n: &Name, renamed: &[(Name, Name)]| -> Name {
        let mut n = n.clone();
        for (from, to) in renamed.iter().rev() {
            if to.same(&n) {
                n = from.clone();
            }
        }
        n
    };
    for (at, (k, effect)) in effects.iter().enumerate() {
        let loss = |what: String, count: Option<u64>, unit: &'static str| Loss {
            migration: id.to_string(),
            statement: k + 1,
            what,
            count,
            unit,
            consented: false,
        };
        let fresh = |t: &Name, created: &[Name]| created.iter().any(|c| c.same(t));
        match effect {
            Effect::CreateTable(t) => created.push(t.clone()),
            Effect::AddColumn(t, c) => added.push((t.clone(), c.to_ascii_lowercase())),
            Effect::RenameTable(from, to) => {
                if fresh(from, &created) {
                    created.push(to.clone());
                } else {
                    renamed.push((live(from, &renamed), to.clone()));
                }
            }
            Effect::DropNamespace(n) => {
                // What is lost is the rows of its tables (tables the migration made are counted too: a
                // schema dropped whole takes them along).
                let rows = inspector.namespace_rows(n).await;
                if rows != Some(0) {
                    out.push(loss(
                        format!("drops schema {n} and everything in it"),
                        rows,
                        "rows",
                    ));
                }
            }
            Effect::DropTable(t) | Effect::EmptyTable(t) => {
                if fresh(t, &created) {
                    continue;
                }
                let t = live(t, &renamed);
                let verb = if matches!(effect, Effect::DropTable(_)) {
                    "drops table"
                } else {
                    "deletes every row of"
                };
                let copies: Vec<&DataCopy> = effects[..at]
                    .iter()
                    .filter_map(|(_, e)| match e {
                        Effect::Copy(c) if live(&c.source, &renamed).same(&t) => Some(c),
                        _ => None,
                    })
                    .collect();
                let Some(rows) = inspector.rows(&t, None).await else {
                    continue;
                };
                if rows == 0 {
                    continue;
                }
                if copies.is_empty() || matches!(effect, Effect::EmptyTable(_)) {
                    out.push(loss(format!("{verb} {t}"), Some(rows), "rows"));
                    continue;
                }
                out.extend(
                    inspector
                        .left_behind(&t, None, &copies)
                        .await
                        .into_iter()
                        .map(|(what, count, unit)| {
                            loss(format!("{verb} {t}: {what}"), count, unit)
                        }),
                );
            }
            Effect::DropColumn(t, c) => {
                let lower = c.to_ascii_lowercase();
                if fresh(t, &created) || added.iter().any(|(at, ac)| at.same(t) && *ac == lower) {
                    continue;
                }
                let t = live(t, &renamed);
                // A link column that correlated copies matched rows on carries nothing of its own once the
                // values it pointed to are copied in (the linked table's drop is weighed on its own).
                let link = effects[..at].iter().any(|(_, e)| match e {
                    Effect::Copy(d) => {
                        d.missed.as_deref().is_some_and(|m| {
                            let words = analysis::identifiers(m);
                            words.contains(&lower) && words.contains(&t.name.to_ascii_lowercase())
                        }) && !live(&d.source, &renamed).same(&t)
                    }
                    _ => false,
                });
                if link {
                    continue;
                }
                let copies: Vec<&DataCopy> = effects[..at]
                    .iter()
                    .filter_map(|(_, e)| match e {
                        Effect::Copy(d) if live(&d.source, &renamed).same(&t) => Some(d),
                        _ => None,
                    })
                    .filter(|d| d.all || d.columns.contains(&lower))
                    .collect();
                // A generated column's values are computed from the others: nothing of its own is lost.
                if inspector
                    .column(&t, c)
                    .is_some_and(|x| x.generated.is_some())
                {
                    continue;
                }
                let Some(values) = inspector.rows(&t, Some(c)).await else {
                    continue;
                };
                if values == 0 {
                    continue;
                }
                if copies.is_empty() {
                    // Values equal to the column's constant default come back with the column itself.
                    let values = inspector.unlike_default(&t, c).await.unwrap_or(values);
                    if values == 0 {
                        continue;
                    }
                    out.push(loss(
                        format!("drops column {t}.{c}"),
                        Some(values),
                        "non-NULL values",
                    ));
                    continue;
                }
                out.extend(
                    inspector
                        .left_behind(&t, Some(c), &copies)
                        .await
                        .into_iter()
                        .map(|(what, count, unit)| {
                            loss(format!("drops column {t}.{c}: {what}"), count, unit)
                        }),
                );
            }
            Effect::ChangeType(t, c, spelling) => {
                let lower = c.to_ascii_lowercase();
                if fresh(t, &created) || added.iter().any(|(at, ac)| at.same(t) && *ac == lower) {
                    continue;
                }
                let t = live(t, &renamed);
                if inspector
                    .column(&t, c)
                    .is_some_and(|x| x.generated.is_some())
                {
                    continue;
                }
                let Some(narrowing) = inspector.narrows(&t, c, spelling).await else {
                    continue;
                };
                // Values the new type cannot hold when that can be told (out of range, too long, more
                // decimals), else every value.
                let (values, what) = match narrowing {
                    Narrowing::None => continue,
                    // A condition the server cannot evaluate counts every value.
                    Narrowing::Where(misfit) => match inspector.count_where(&t, c, &misfit).await {
                        Some(n) => (Some(n), "too small for some of its values"),
                        None => (
                            inspector.rows(&t, Some(c)).await,
                            "which may not hold every value",
                        ),
                    },
                    Narrowing::Unknown => (
                        inspector.rows(&t, Some(c)).await,
                        "which may not hold every value",
                    ),
                };
                let Some(values) = values else {
                    continue;
                };
                if values > 0 {
                    out.push(loss(
                        format!("changes {t}.{c} to {spelling}, {what}"),
                        Some(values),
                        "non-NULL values",
                    ));
                }
            }
            Effect::Renumber(t, c) => {
                let lower = c.to_ascii_lowercase();
                if fresh(t, &created) || added.iter().any(|(at, ac)| at.same(t) && *ac == lower) {
                    continue;
                }
                let t = live(t, &renamed);
                if inspector.column(&t, c).is_none_or(|x| x.identity.is_some()) {
                    continue;
                }
                let zero = format!("{} = 0", inspector.quote(c));
                if let Some(n) = inspector.count_where(&t, c, &zero).await
                    && n > 0
                {
                    out.push(loss(
                        format!(
                            "makes {t}.{c} AUTO_INCREMENT, which gives its 0 values new numbers"
                        ),
                        Some(n),
                        "rows",
                    ));
                }
            }
            Effect::Copy(_) | Effect::CreateIndex(..) => {}
        }
    }
    out
}

impl Inspector<'_> {
    fn table(&self, t: &Name) -> Option<&Table> {
        self.schema?.tables.iter().find(|x| {
            x.name.name.eq_ignore_ascii_case(&t.name)
                && match (&t.namespace, &x.name.namespace) {
                    (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                    (Some(_), None) => false,
                    _ => true,
                }
        })
    }

    fn column(&self, t: &Name, column: &str) -> Option<&crate::model::Column> {
        self.table(t)?
            .columns
            .iter()
            .find(|x| x.name.eq_ignore_ascii_case(column))
    }

    /// The non-NULL values of `t.column` that differ from the column's default, when that default is a
    /// constant (a literal, possibly cast): the others come back as they were when the column is added again.
    /// `None` when there is no constant default or it cannot be compared.
    async fn unlike_default(&mut self, t: &Name, column: &str) -> Option<u64> {
        let c = self.column(t, column)?;
        let default = constant(c.default.as_deref()?)?;
        // PostgreSQL's json has no equality.
        if self.session.engine() == Engine::Postgres && matches!(c.data_type, ColumnType::Json) {
            return None;
        }
        let q = self.quote(&c.name);
        self.count_where(t, column, &format!("NOT ({q} = {default})"))
            .await
    }

    fn quote(&self, part: &str) -> String {
        match self.session.engine() {
            Engine::MySql => format!("`{}`", part.replace('`', "``")),
            _ => format!("\"{}\"", part.replace('"', "\"\"")),
        }
    }

    fn quoted(&self, t: &Name) -> String {
        match &t.namespace {
            Some(n) => format!("{}.{}", self.quote(n), self.quote(&t.name)),
            None => self.quote(&t.name),
        }
    }

    /// Rows of `t` (with `column`: its non-NULL values), optionally only those a copy leaves behind; `None`
    /// when the table or column does not exist (it is created by an earlier migration of the same run).
    async fn count(
        &mut self,
        t: &Name,
        column: Option<&str>,
        missed: Option<&DataCopy>,
    ) -> Option<u64> {
        if self.schema.is_some() {
            let table = self.table(t)?;
            if let Some(c) = column
                && !table.columns.iter().any(|x| x.name.eq_ignore_ascii_case(c))
            {
                return None;
            }
        }
        let what = match column {
            Some(c) => format!("COUNT({})", self.quote(c)),
            None => "COUNT(*)".into(),
        };
        let alias = missed
            .and_then(|m| m.alias.as_deref())
            .map(|a| format!(" {}", self.quote(a)))
            .unwrap_or_default();
        let filter = missed
            .and_then(|m| m.missed.as_deref())
            .map(|f| format!(" WHERE {f}"))
            .unwrap_or_default();
        let sql = format!("SELECT {what} FROM {}{alias}{filter}", self.quoted(t));
        let r = self.session.query(&sql, &[]).await.ok()?;
        crate::model::number_at(&r, 0, 0).map(|n| n.max(0) as u64)
    }

    /// The rows of every table in namespace `n`; `None` when they cannot be told (no schema at hand, or a
    /// count failed).
    async fn namespace_rows(&mut self, n: &str) -> Option<u64> {
        let tables: Vec<Name> = self
            .schema?
            .tables
            .iter()
            .filter(|t| t.name.namespace.as_deref() == Some(n))
            .map(|t| Name {
                namespace: t.name.namespace.clone(),
                name: t.name.name.clone(),
            })
            .collect();
        let mut total = 0;
        for t in tables {
            total += self.rows(&t, None).await?;
        }
        Some(total)
    }

    async fn rows(&mut self, t: &Name, column: Option<&str>) -> Option<u64> {
        self.count(t, column, None).await
    }

    /// What a drop of `t` (or of its `column`) loses after `copies` carried data out of it first.
    async fn left_behind(
        &mut self,
        t: &Name,
        column: Option<&str>,
        copies: &[&DataCopy],
    ) -> Vec<(String, Option<u64>, &'static str)> {
        let mut out = vec![];
        let whole: Vec<&&DataCopy> = copies
            .iter()
            .filter(|c| c.missed.is_none() && !c.joined)
            .collect();
        // Rows a filtered copy leaves behind (the best filtered copy: the fewest rows missed).
        if whole.is_empty() {
            let mut missed: Option<u64> = None;
            for c in copies.iter().filter(|c| !c.joined) {
                if c.missed.is_some()
                    && let Some(n) = self.count(t, column, Some(c)).await
                {
                    missed = Some(missed.map_or(n, |m| m.min(n)));
                }
            }
            match missed {
                Some(0) => {}
                Some(n) => out.push((
                    "the copy before it leaves some behind".to_string(),
                    Some(n),
                    if column.is_some() {
                        "non-NULL values"
                    } else {
                        "rows"
                    },
                )),
                None => {
                    let n = self.count(t, column, None).await;
                    out.push(("no copy of every row before it".to_string(), n, "rows"));
                }
            }
        }
        if column.is_some() {
            return out;
        }
        // Columns no copy reads.
        let Some(table) = self.table(t) else {
            if !copies.iter().any(|c| c.all) {
                let n = self.count(t, None, None).await;
                out.push(("columns not copied before it".to_string(), n, "rows"));
            }
            return out;
        };
        if copies.iter().any(|c| c.all) {
            return out;
        }
        // A column a correlated copy matches rows on (the link) is carried in the link itself.
        let links: Vec<String> = copies
            .iter()
            .filter_map(|c| c.missed.as_deref())
            .flat_map(analysis::identifiers)
            .collect();
        let read: BTreeSet<&str> = copies
            .iter()
            .flat_map(|c| c.columns.iter().map(String::as_str))
            .chain(links.iter().map(String::as_str))
            .collect();
        let columns: Vec<String> = table
            .columns
            .iter()
            .filter(|c| !read.contains(c.name.to_ascii_lowercase().as_str()))
            .map(|c| c.name.clone())
            .collect();
        for c in columns {
            if let Some(n) = self.count(t, Some(&c), None).await
                && n > 0
            {
                out.push((
                    format!("column {c} is not copied"),
                    Some(n),
                    "non-NULL values",
                ));
            }
        }
        out
    }

    /// Whether changing `t.column` to `spelling` can lose values: `None` when the column does not exist now.
    async fn narrows(&mut self, t: &Name, column: &str, spelling: &str) -> Option<Narrowing> {
        let (Some(_), Some(dialect)) = (self.schema, self.dialect) else {
            return Some(Narrowing::Unknown);
        };
        let old: ColumnType = self
            .table(t)?
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(column))?
            .data_type
            .clone();
        // A PostgreSQL enum takes a value as one of its labels exactly, or the statement fails.
        let unquoted = spelling.replace('"', "");
        let last = unquoted.rsplit('.').next().unwrap_or(&unquoted).trim();
        if self.session.engine() == Engine::Postgres
            && self
                .schema
                .is_some_and(|s| s.enums.iter().any(|e| e.name.name == last))
        {
            return Some(Narrowing::None);
        }
        let Ok(new) = dialect.parse_type(spelling).await else {
            return Some(Narrowing::Unknown);
        };
        if crate::planner::types::is_widening(&old, &new) {
            return Some(Narrowing::None);
        }

        // SQLite keeps every value as it was stored, whatever the declared type: within one affinity the
        // values stay the same.
        if self.session.engine() == Engine::Sqlite
            && let Ok(before) = dialect.type_name(&old).await
            && sqlite_affinity(&before) == sqlite_affinity(spelling)
        {
            return Some(Narrowing::None);
        }
        let c = self.quote(column);
        Some(
            misfit(self.session.engine(), &old, &new, &c)
                .map_or(Narrowing::Unknown, Narrowing::Where),
        )
    }

    /// The stored values that the type changes among `changes` would not keep, counted value by value;
    /// `None` when some change cannot be told exactly (every value then counts as at stake). A change
    /// whose every value fits loses nothing, whatever the statements that make it look like (SQLite
    /// rebuilds the table, which the statement analysis reads as a copy).
    pub async fn type_change_misfits(&mut self, changes: &[crate::model::Change]) -> Option<u64> {
        let dialect = self.dialect?;
        let mut total = 0;
        for c in changes {
            let crate::model::Change::AlterColumnType(a) = c else {
                continue;
            };
            let t = Name {
                namespace: a.table.namespace.clone(),
                name: a.table.name.clone(),
            };
            let old = self
                .table(&t)?
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(&a.column))?
                .data_type
                .clone();
            if a.using.is_some() {
                return None;
            }
            if crate::planner::types::is_widening(&old, &a.new_type) {
                continue;
            }
            if self.session.engine() == Engine::Sqlite
                && let (Ok(before), Ok(after)) = (
                    dialect.type_name(&old).await,
                    dialect.type_name(&a.new_type).await,
                )
                && sqlite_affinity(&before) == sqlite_affinity(&after)
                && !matches!(
                    a.new_type,
                    ColumnType::Varchar(Some(_)) | ColumnType::Char(Some(_))
                )
            {
                continue;
            }
            let column = self.quote(&a.column);
            let condition = misfit(self.session.engine(), &old, &a.new_type, &column)?;
            total += self.count_where(&t, &a.column, &condition).await?;
        }
        Some(total)
    }

    /// The non-NULL values of `t.column` for which `condition` holds.
    async fn count_where(&mut self, t: &Name, column: &str, condition: &str) -> Option<u64> {
        self.table(t)?;
        let sql = format!(
            "SELECT COUNT({}) FROM {} WHERE {condition}",
            self.quote(column),
            self.quoted(t)
        );
        let r = self.session.query(&sql, &[]).await.ok()?;
        crate::model::number_at(&r, 0, 0).map(|n| n.max(0) as u64)
    }
}

/// SQLite's affinity for a declared type (its documentation, "Determination Of Column Affinity"): the
/// first rule that matches decides.
fn sqlite_affinity(declared: &str) -> &'static str {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        "integer"
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|w| t.contains(w)) {
        "text"
    } else if t.contains("BLOB") || t.trim().is_empty() {
        "blob"
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|w| t.contains(w)) {
        "real"
    } else {
        "numeric"
    }
}

/// A default that is a constant, as an SQL expression to compare values with: a number, a string, a bit
/// string or a boolean literal, in parentheses or with PostgreSQL casts (`'a'::character varying`). `None` for
/// anything else (functions such as `now()` or `nextval(...)`, NULL).
fn constant(default: &str) -> Option<String> {
    let mut d = default.trim();
    while d.starts_with('(') && d.ends_with(')') && balanced(&d[1..d.len() - 1]) {
        d = d[1..d.len() - 1].trim();
    }
    // The literal, then any casts.
    let literal_end = if let Some(rest) = d.strip_prefix(['b', 'B', 'x', 'X'])
        && rest.starts_with('\'')
    {
        1 + quoted_end(rest)?
    } else if d.starts_with('\'') {
        quoted_end(d)?
    } else {
        let n = d
            .char_indices()
            .find(|&(i, ch)| {
                !(ch.is_ascii_digit() || ch == '.' || (i == 0 && (ch == '-' || ch == '+')))
            })
            .map_or(d.len(), |(i, _)| i);
        let word = d[..n].trim_start_matches(['-', '+']);
        if !word.is_empty()
            && word.bytes().any(|b| b.is_ascii_digit())
            && word.matches('.').count() <= 1
        {
            n
        } else {
            let w = d.find("::").unwrap_or(d.len());
            if ["true", "false"].contains(&d[..w].to_ascii_lowercase().as_str()) {
                w
            } else {
                return None;
            }
        }
    };
    let casts = &d[literal_end..];
    let cast_ok = casts.is_empty()
        || (casts.starts_with("::")
            && casts[2..].split("::").all(|c| {
                !c.is_empty()
                    && c.chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || " _(),[]\"".contains(ch))
            }));
    cast_ok.then(|| d.to_string())
}

/// Where the quoted string at the start of `s` ends (just after its closing quote; `''` is a quote inside).
fn quoted_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// Whether every parenthesis in `s` closes one opened in `s` (outside strings).
fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    let mut quoted = false;
    for ch in s.chars() {
        match ch {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// How a type change treats the values there are.
enum Narrowing {
    /// Every value fits (widening, or the same type).
    None,
    /// The values for which this SQL condition holds do not fit.
    Where(String),
    /// Which values fit cannot be told: every value is at stake.
    Unknown,
}

/// The condition on column `c` (quoted) that picks the values of `old` that `new` cannot hold, for the
/// narrowings whose limits are known: integer ranges, string lengths, numeric digits and decimals.
fn misfit(engine: Engine, old: &ColumnType, new: &ColumnType, c: &str) -> Option<String> {
    use crate::planner::types::{integer_range, mysql_text_bytes};
    use ColumnType as T;
    let integer = |t: &T| {
        matches!(t, T::Smallint | T::Integer | T::Bigint | T::Boolean) || integer_range(t).is_some()
    };
    let text = |t: &T| {
        matches!(t, T::Varchar(_) | T::Char(_) | T::Text | T::InlineEnum(_))
            || mysql_text_bytes(t).is_some()
    };
    let length = match engine {
        Engine::Sqlite => "length",
        _ => "CHAR_LENGTH",
    };
    if integer(old)
        && let Some((lo, hi)) = integer_range(new)
    {
        return Some(format!("({c} < {lo} OR {c} > {hi})"));
    }
    if engine == Engine::MySql
        && text(old)
        && let Some(bytes) = mysql_text_bytes(new)
    {
        return Some(format!("LENGTH({c}) > {bytes}"));
    }
    // Text to a number: values that are not written as one (or out of the new type's range).
    let whole = match engine {
        Engine::Postgres => format!("{c} !~ '^\\s*[-+]?[0-9]+\\s*$'"),
        Engine::MySql => format!("{c} NOT REGEXP '^[[:space:]]*[-+]?[0-9]+[[:space:]]*$'"),
        Engine::Sqlite => format!(
            "(trim({c}) = '' OR ltrim(trim({c}), '+-') GLOB '*[^0-9]*' OR length(ltrim(trim({c}), '+-')) > 18)"
        ),
    };
    if text(old) {
        let bounds = |lo: &str, hi: &str| match engine {
            Engine::Postgres => format!(
                "({whole} OR (CASE WHEN {c} ~ '^\\s*[-+]?[0-9]{{1,18}}\\s*$' THEN trim({c})::bigint < {lo} OR trim({c})::bigint > {hi} ELSE true END))"
            ),
            Engine::MySql => format!(
                "({whole} OR CAST({c} AS DECIMAL(65,0)) < {lo} OR CAST({c} AS DECIMAL(65,0)) > {hi})"
            ),
            Engine::Sqlite => format!(
                "({whole} OR CAST(trim({c}) AS INTEGER) < {lo} OR CAST(trim({c}) AS INTEGER) > {hi})"
            ),
        };
        match new {
            T::Smallint => return Some(bounds("-32768", "32767")),
            T::Integer => return Some(bounds("-2147483648", "2147483647")),
            T::Bigint => return Some(whole),
            _ => {}
        }
    }
    match new {
        T::InlineEnum(labels) if text(old) => Some(format!(
            "{c} NOT IN ({})",
            labels
                .iter()
                .map(|l| format!("'{}'", l.replace('\\', "\\\\").replace('\'', "''")))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        T::Real if engine == Engine::MySql && matches!(old, T::Double) => {
            Some(format!("CAST({c} AS FLOAT) <> {c}"))
        }
        // Out of `real`'s range first: the cast would fail on those.
        T::Real if engine == Engine::Postgres && matches!(old, T::Double) => Some(format!(
            "CASE WHEN abs({c}) > 3.4028234663852886e38 THEN true ELSE {c}::real::double precision <> {c} END"
        )),
        T::Smallint if integer(old) => Some(format!("({c} < -32768 OR {c} > 32767)")),
        T::Integer if integer(old) => Some(format!("({c} < -2147483648 OR {c} > 2147483647)")),
        T::Varchar(Some(n)) | T::Char(Some(n)) if text(old) => Some(format!("{length}({c}) > {n}")),
        T::Numeric(p) if integer(old) || matches!(old, T::Numeric(_)) => {
            let precision = p.precision?;
            let scale = p.scale.unwrap_or(0);
            let digits = precision.saturating_sub(scale);
            let limit = format!("1{}", "0".repeat(digits as usize));
            let decimals = if integer(old) {
                String::new()
            } else {
                format!(" OR {c} <> ROUND({c}, {scale})")
            };
            Some(format!("(ABS({c}) >= {limit}{decimals})"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowings_with_known_limits_name_the_values_that_do_not_fit() {
        let c = "\"c\"";
        assert_eq!(
            misfit(
                Engine::Postgres,
                &ColumnType::Bigint,
                &ColumnType::Integer,
                c
            )
            .as_deref(),
            Some("(\"c\" < -2147483648 OR \"c\" > 2147483647)")
        );
        assert_eq!(
            misfit(
                Engine::MySql,
                &ColumnType::Text,
                &ColumnType::Varchar(Some(20)),
                c
            )
            .as_deref(),
            Some("CHAR_LENGTH(\"c\") > 20")
        );
        let numeric = |p, s| {
            ColumnType::Numeric(crate::model::NumericParams {
                precision: Some(p),
                scale: Some(s),
            })
        };
        assert_eq!(
            misfit(Engine::Postgres, &numeric(12, 4), &numeric(10, 2), c).as_deref(),
            Some("(ABS(\"c\") >= 100000000 OR \"c\" <> ROUND(\"c\", 2))")
        );
        // Text to a whole number: what is not written as one, or is out of range.
        let to_int = misfit(Engine::Postgres, &ColumnType::Text, &ColumnType::Integer, c).unwrap();
        assert!(
            to_int.contains("!~") && to_int.contains("2147483647"),
            "{to_int}"
        );
        assert_eq!(
            misfit(Engine::Postgres, &ColumnType::Text, &ColumnType::Boolean, c),
            None
        );
    }

    #[test]
    fn constant_defaults_are_told_from_expressions() {
        for (d, want) in [
            ("0", Some("0")),
            ("(-1.5)", Some("-1.5")),
            ("'free'", Some("'free'")),
            (
                "'it''s'::character varying",
                Some("'it''s'::character varying"),
            ),
            ("('{}'::jsonb)", Some("'{}'::jsonb")),
            ("b'00000000'", Some("b'00000000'")),
            ("true", Some("true")),
            ("FALSE", Some("FALSE")),
            ("now()", None),
            ("CURRENT_TIMESTAMP", None),
            ("nextval('users_id_seq'::regclass)", None),
            ("NULL", None),
            ("'a' || 'b'", None),
            ("1 + 2", None),
            ("(1) + (2)", None),
        ] {
            assert_eq!(constant(d).as_deref(), want, "{d}");
        }
    }

    #[test]
    fn mysql_type_changes_are_weighed_by_their_ranges() {
        use crate::planner::types::is_widening;
        let other = |s: &str| ColumnType::Other(s.into());
        assert!(is_widening(&other("tinyint"), &ColumnType::Smallint));
        assert!(is_widening(&other("int unsigned"), &ColumnType::Bigint));
        assert!(!is_widening(&ColumnType::Integer, &other("int unsigned")));
        assert!(!is_widening(&other("bigint unsigned"), &ColumnType::Bigint));
        assert!(is_widening(&ColumnType::Text, &other("mediumtext")));
        assert!(!is_widening(&other("longtext"), &ColumnType::Text));
        let labels = |l: &[&str]| ColumnType::InlineEnum(l.iter().map(|s| s.to_string()).collect());
        assert!(is_widening(&labels(&["a", "b"]), &labels(&["a", "b", "c"])));
        assert!(!is_widening(
            &labels(&["a", "b", "c"]),
            &labels(&["a", "b"])
        ));
        let c = "`c`";
        assert_eq!(
            misfit(
                Engine::MySql,
                &ColumnType::Integer,
                &other("int unsigned"),
                c
            )
            .as_deref(),
            Some("(`c` < 0 OR `c` > 4294967295)")
        );
        assert_eq!(
            misfit(Engine::MySql, &other("longtext"), &ColumnType::Text, c).as_deref(),
            Some("LENGTH(`c`) > 65535")
        );
        assert_eq!(
            misfit(
                Engine::MySql,
                &labels(&["a", "b", "c"]),
                &labels(&["a", "it's"]),
                c
            )
            .as_deref(),
            Some("`c` NOT IN ('a', 'it''s')")
        );
    }

    #[test]
    fn counts_read_with_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(1234567), "1,234,567");
    }
}
