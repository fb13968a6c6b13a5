//! alter-column-type without rewriting the table under ACCESS EXCLUSIVE: a new column of the new type
//! kept in sync by a trigger and backfilled in batches, its NOT NULL proven by a validated check, its
//! indexes built concurrently; a short switch renames the columns and indexes and installs a reverse
//! trigger that keeps the old column usable for a rollback until the operator confirms; cleanup drops it.

use ai_shell_strategy_sdk::{
    AddColumn, AlterColumnType, Change, Column, Index, IndexTarget, LockLevel, Phase, PhaseKind,
    QualifiedName, Step, Table, same_name,
};

use crate::ddl::{
    alter_column, alter_table, create_index_concurrently, drop_constraint, drop_index_concurrently,
    rename_column,
};
use crate::plan::{
    Context, INDEX_NOTE, backfill_key, backfill_phase, catalog_phase, cleanup_phase, display,
    gate_phase, index_ms, phase, sql,
};
use crate::quote::{dollar, ident, literal, qualified, sibling};
use crate::{names, not_null, types};

/// Everything the phases of one type change refer to.
struct Names<'a> {
    table: &'a QualifiedName,
    /// The column, its name before and after.
    column: &'a str,
    /// The new column while it is filled.
    new: String,
    /// The old column after the switch.
    old: String,
    sync: String,
    /// The AFTER UPDATE trigger of the sync when `after_update`.
    sync_update: String,
    back: String,
    key: &'a str,
    old_type: String,
    new_type: String,
    /// The triggers fire only on updates that set the column (`UPDATE OF`): without a `USING` expression the
    /// copy depends on that column alone, so the backfill's own updates of the new column do not fire them.
    watch_column: bool,
    /// Updates are synced by an AFTER UPDATE OF column trigger that updates the row's new column, inserts by
    /// a BEFORE INSERT trigger. PostgreSQL locks (and WAL-logs the lock of) every row an UPDATE touches while
    /// the table has any BEFORE UPDATE row trigger, even one that does not fire: with the sync as a BEFORE
    /// trigger, the backfill's own updates write a third more WAL. Chosen when the copy depends on the column
    /// alone and the table has no triggers of its own (which the extra UPDATE would fire).
    after_update: bool,
}

impl Names<'_> {
    fn q(&self) -> String {
        qualified(self.table)
    }

    fn function(&self, name: &str) -> String {
        format!("{}()", sibling(self.table, name))
    }

    /// `CREATE OR REPLACE FUNCTION name() ... NEW.target := expr` (with `fallible`, an expression that
    /// fails yields NULL instead of failing the application's write).
    fn trigger_function(&self, name: &str, target: &str, expr: &str, fallible: bool) -> String {
        let assign = format!("NEW.{} := {expr};", ident(target));
        let body = if fallible {
            format!(
                "\nBEGIN\n  BEGIN\n    {assign}\n  EXCEPTION WHEN others THEN\n    NEW.{} := NULL;\n  END;\n  RETURN NEW;\nEND\n",
                ident(target)
            )
        } else {
            format!("\nBEGIN\n  {assign}\n  RETURN NEW;\nEND\n")
        };
        format!(
            "CREATE OR REPLACE FUNCTION {} RETURNS trigger LANGUAGE plpgsql AS {}",
            self.function(name),
            dollar(&body)
        )
    }

    /// `DROP TRIGGER IF EXISTS` then `CREATE TRIGGER name BEFORE INSERT OR UPDATE [OF column] ... name()`.
    fn create_trigger(&self, name: &str, execute: &str) -> [String; 2] {
        let of = if self.watch_column {
            format!(" OF {}", ident(self.column))
        } else {
            String::new()
        };
        [
            self.drop_trigger(name),
            format!(
                "CREATE TRIGGER {} BEFORE INSERT OR UPDATE{of} ON {} FOR EACH ROW EXECUTE {execute} {}",
                ident(name),
                self.q(),
                self.function(name)
            ),
        ]
    }

    /// The sync function(s) and trigger(s) keeping the new column equal to `forward` on every write, each
    /// function followed by its trigger.
    fn create_sync(&self, forward: &str, execute: &str) -> Vec<String> {
        self.sync_functions(forward)
            .into_iter()
            .zip(self.sync_triggers(execute))
            .flat_map(|(function, trigger)| std::iter::once(function).chain(trigger))
            .collect()
    }

    /// The sync function(s), one per trigger of `sync_triggers`.
    fn sync_functions(&self, forward: &str) -> Vec<String> {
        let mut out = vec![self.trigger_function(&self.sync, &self.new, forward, false)];
        if self.after_update {
            let body = format!(
                "\nBEGIN\n  UPDATE {t} SET {new} = {forward} WHERE {key} = NEW.{key} AND {new} IS DISTINCT FROM {forward};\n  RETURN NULL;\nEND\n",
                t = self.q(),
                new = ident(&self.new),
                key = ident(self.key),
            );
            out.push(format!(
                "CREATE OR REPLACE FUNCTION {} RETURNS trigger LANGUAGE plpgsql AS {}",
                self.function(&self.sync_update),
                dollar(&body)
            ));
        }
        out
    }

    /// The sync trigger(s), each as `DROP TRIGGER IF EXISTS` then `CREATE TRIGGER`.
    fn sync_triggers(&self, execute: &str) -> Vec<[String; 2]> {
        if !self.after_update {
            return vec![self.create_trigger(&self.sync, execute)];
        }
        vec![
            [
                self.drop_trigger(&self.sync),
                format!(
                    "CREATE TRIGGER {} BEFORE INSERT ON {} FOR EACH ROW EXECUTE {execute} {}",
                    ident(&self.sync),
                    self.q(),
                    self.function(&self.sync)
                ),
            ],
            [
                self.drop_trigger(&self.sync_update),
                format!(
                    "CREATE TRIGGER {} AFTER UPDATE OF {} ON {} FOR EACH ROW EXECUTE {execute} {}",
                    ident(&self.sync_update),
                    ident(self.column),
                    self.q(),
                    self.function(&self.sync_update)
                ),
            ],
        ]
    }

    /// Drops the sync trigger(s), keeping the functions.
    fn drop_sync_triggers(&self) -> Vec<String> {
        let mut out = vec![self.drop_trigger(&self.sync)];
        if self.after_update {
            out.push(self.drop_trigger(&self.sync_update));
        }
        out
    }

    /// Drops the sync function(s).
    fn drop_sync_functions(&self) -> Vec<String> {
        let mut out = vec![self.drop_function(&self.sync)];
        if self.after_update {
            out.push(self.drop_function(&self.sync_update));
        }
        out
    }

    fn drop_trigger(&self, name: &str) -> String {
        format!("DROP TRIGGER IF EXISTS {} ON {}", ident(name), self.q())
    }

    fn drop_function(&self, name: &str) -> String {
        format!("DROP FUNCTION IF EXISTS {}", self.function(name))
    }
}

/// Whether the table has triggers of its own (an extra UPDATE of its rows would fire them).
fn has_triggers(cx: &Context, table: &QualifiedName) -> bool {
    cx.schema
        .objects
        .iter()
        .any(|o| o.kind == "trigger" && o.table.as_ref().is_some_and(|t| same_name(t, table)))
}

/// Whether `text` mentions the identifier `name` (as a whole word, quoted or not, any case).
fn mentions(text: &str, name: &str) -> bool {
    let text = text.to_lowercase();
    let name = name.to_lowercase();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(&name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The indexes to rebuild on the new column, or `None` when one uses the column in a way that cannot be
/// carried over by renaming (an expression or a predicate mentioning it).
fn indexes_to_rebuild<'a>(table: &'a Table, column: &str) -> Option<Vec<&'a Index>> {
    let mut out = Vec::new();
    for index in &table.indexes {
        let in_expression = index.keys.iter().any(|k| match &k.target {
            IndexTarget::Expression(e) => mentions(e, column),
            IndexTarget::Column(_) => false,
        }) || index
            .predicate
            .as_deref()
            .is_some_and(|p| mentions(p, column));
        if in_expression {
            return None;
        }
        let uses = index
            .keys
            .iter()
            .any(|k| matches!(&k.target, IndexTarget::Column(c) if c == column))
            || index.included_columns.iter().any(|c| c == column);
        if uses {
            out.push(index);
        }
    }
    Some(out)
}

/// Whether the column takes part in a key this recipe cannot carry over: the primary key, a unique
/// constraint, a foreign key of this table or one referencing it, a check, or a view on the table.
fn is_entangled(cx: &Context, table: &Table, column: &str) -> bool {
    let in_pk = table
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.iter().any(|c| c == column));
    let in_unique = table
        .uniques
        .iter()
        .any(|u| u.columns.iter().any(|c| c == column));
    let in_fk = table
        .foreign_keys
        .iter()
        .any(|fk| fk.columns.iter().any(|c| c == column));
    let referenced = cx.schema.tables.iter().any(|t| {
        t.foreign_keys.iter().any(|fk| {
            same_name(&fk.referenced_table, &table.name)
                && fk.referenced_columns.iter().any(|c| c == column)
        })
    });
    let in_check = table.checks.iter().any(|c| mentions(&c.expression, column));
    let in_view = cx
        .schema
        .views
        .iter()
        .any(|v| mentions(&v.definition, &table.name.name));
    in_pk || in_unique || in_fk || referenced || in_check || in_view
}

/// The phases changing the column's type, or `None` when this recipe does not apply.
pub fn plan(a: &AlterColumnType, cx: &Context) -> Option<Vec<Phase>> {
    let table = cx.table(&a.table)?;
    let key = backfill_key(table)?;
    let column = table.columns.iter().find(|c| c.name == a.column)?;
    if column.identity.is_some() || column.generated.is_some() || is_entangled(cx, table, &a.column)
    {
        return None;
    }
    let old_type = types::type_name(&column.data_type)?;
    let new_type = types::type_name(&a.new_type)?;
    if old_type == new_type && a.using.is_none() {
        return None;
    }
    let indexes = indexes_to_rebuild(table, &a.column)?;
    let n = Names {
        table: &a.table,
        column: &a.column,
        new: names::new_column(&a.column),
        old: names::old_column(&a.column),
        sync: names::sync_trigger(&a.table.name, &a.column),
        sync_update: names::sync_update_trigger(&a.table.name, &a.column),
        back: names::reverse_trigger(&a.table.name, &a.column),
        key,
        old_type,
        new_type,
        watch_column: a.using.is_none(),
        after_update: a.using.is_none() && !has_triggers(cx, &a.table),
    };
    let execute = if cx.major >= 11 {
        "FUNCTION"
    } else {
        "PROCEDURE"
    };
    let rows = cx.rows_or_zero(&a.table);
    let who = display(&a.table, Some(&a.column));

    let mut phases = vec![expand(&n, a, column, execute), backfill(&n, a, rows)];
    if !column.nullable {
        phases.extend(not_null::prove(&a.table, &n.new, rows));
    }
    if let Some(p) = rebuild_indexes(&n, &indexes, rows) {
        phases.push(p?);
    }
    let mut switch = switch(&n, column, &indexes, execute);
    if !column.nullable && cx.major < 12 {
        not_null::adjust_before_12(&mut switch, rows);
    }
    phases.push(switch);
    phases.push(gate_phase(format!(
        "the application works with {who} as {}",
        n.new_type
    )));
    let mut cleanup = sql([n.drop_trigger(&n.back), n.drop_function(&n.back)]);
    cleanup.extend(sql(n.drop_sync_functions()));
    for index in &indexes {
        cleanup.push(Step::Sql(format!(
            "DROP INDEX IF EXISTS {}",
            sibling(&a.table, &names::old_index(&index.name))
        )));
    }
    cleanup.push(Step::Sql(alter_table(
        &a.table,
        &format!("DROP COLUMN IF EXISTS {}", ident(&n.old)),
    )));
    phases.push(cleanup_phase(
        format!(
            "Drop the old column {}, its indexes and the helper triggers",
            n.old
        ),
        cleanup,
    ));
    Some(phases)
}

/// The new column, and the trigger filling it from the old one on every write.
fn expand(n: &Names, a: &AlterColumnType, column: &Column, execute: &str) -> Phase {
    let forward = match &a.using {
        None => format!("NEW.{}::{}", ident(n.column), n.new_type),
        // The USING expression names the table's columns: evaluate it over the new row.
        Some(using) => format!(
            "(SELECT ({using})::{} FROM (SELECT NEW.*) AS {})",
            n.new_type,
            ident(&n.table.name)
        ),
    };
    let mut steps = vec![Step::Render(vec![Change::AddColumn(AddColumn {
        table: a.table.clone(),
        column: Column {
            name: n.new.clone(),
            data_type: a.new_type.clone(),
            nullable: true,
            default: None,
            identity: None,
            generated: None,
            collation: column
                .collation
                .clone()
                .filter(|_| types::is_textual(&a.new_type)),
            comment: None,
        },
    })])];
    steps.extend(sql(n.create_sync(&forward, execute)));
    let mut rollback = n.drop_sync_triggers();
    rollback.extend(n.drop_sync_functions());
    rollback.push(alter_table(
        n.table,
        &format!("DROP COLUMN IF EXISTS {}", ident(&n.new)),
    ));
    catalog_phase(
        "expand",
        format!(
            "Add {} as {} and a trigger keeping it equal to {} on every write",
            n.new,
            n.new_type,
            display(n.table, Some(n.column))
        ),
        steps,
        sql(rollback),
    )
}

/// Copies the existing rows' values into the new column.
fn backfill(n: &Names, a: &AlterColumnType, rows: u64) -> Phase {
    let (value, filter) = match &a.using {
        None => (
            format!("{}::{}", ident(n.column), n.new_type),
            format!(
                "{} IS NULL AND {} IS NOT NULL",
                ident(&n.new),
                ident(n.column)
            ),
        ),
        Some(using) => (
            format!("({using})::{}", n.new_type),
            format!("{} IS NULL", ident(&n.new)),
        ),
    };
    backfill_phase(
        format!(
            "Copy {} into {} for the existing rows, batch by batch",
            display(n.table, Some(n.column)),
            n.new
        ),
        n.table,
        n.key,
        format!(
            "UPDATE {} SET {} = {value} WHERE {filter} AND {k} >= {{lo}} AND {k} < {{hi}}",
            n.q(),
            ident(&n.new),
            k = ident(n.key)
        ),
        rows,
    )
}

/// Builds a copy of each index on the new column under a temporary name, then gathers the new
/// column's statistics; `None` when there is no index, `Some(None)` when one cannot be rebuilt.
fn rebuild_indexes(n: &Names, indexes: &[&Index], rows: u64) -> Option<Option<Phase>> {
    if indexes.is_empty() {
        return None;
    }
    let mut steps = Vec::new();
    let mut rollback = Vec::new();
    for index in indexes {
        let mut copy = (*index).clone();
        copy.name = names::new_index(&index.name);
        for k in &mut copy.keys {
            if matches!(&k.target, IndexTarget::Column(c) if c == n.column) {
                k.target = IndexTarget::Column(n.new.clone());
            }
        }
        for c in &mut copy.included_columns {
            if c == n.column {
                *c = n.new.clone();
            }
        }
        let Some(create) = create_index_concurrently(n.table, &copy) else {
            return Some(None);
        };
        steps.push(Step::Sql(drop_index_concurrently(n.table, &copy.name)));
        steps.push(Step::Sql(create));
        rollback.push(Step::Sql(drop_index_concurrently(n.table, &copy.name)));
    }
    steps.push(Step::Sql(format!("ANALYZE {} ({})", n.q(), ident(&n.new))));
    Some(Some(phase(
        "index",
        format!(
            "Build {} index(es) on {} without blocking writes",
            indexes.len(),
            n.new
        ),
        PhaseKind::DdlOutsideTransaction,
        steps,
        rollback,
        LockLevel::None,
        INDEX_NOTE,
        index_ms(rows) * indexes.len() as u64,
    )))
}

/// One short transaction: the new column and its indexes take the old names, the old column is kept
/// in sync by a reverse trigger (NULL where its type cannot hold a value) until cleanup.
fn switch(n: &Names, column: &Column, indexes: &[&Index], execute: &str) -> Phase {
    let c = n.column;
    let mut steps = n.drop_sync_triggers();
    let mut rollback = vec![n.drop_trigger(&n.back), n.drop_function(&n.back)];
    steps.push(rename_column(n.table, c, &n.old));
    steps.push(rename_column(n.table, &n.new, c));
    for index in indexes {
        let old = names::old_index(&index.name);
        let tmp = names::new_index(&index.name);
        let rename = |from: &str, to: &str| {
            format!(
                "ALTER INDEX {} RENAME TO {}",
                sibling(n.table, from),
                ident(to)
            )
        };
        steps.push(rename(&index.name, &old));
        steps.push(rename(&tmp, &index.name));
        rollback.push(rename(&index.name, &tmp));
        rollback.push(rename(&old, &index.name));
    }
    rollback.push(rename_column(n.table, c, &n.new));
    rollback.push(rename_column(n.table, &n.old, c));
    if let Some(d) = &column.default {
        steps.push(alter_column(n.table, &n.old, "DROP DEFAULT"));
        steps.push(alter_column(n.table, c, &format!("SET DEFAULT {d}")));
        rollback.push(alter_column(n.table, &n.new, "DROP DEFAULT"));
        rollback.push(alter_column(n.table, c, &format!("SET DEFAULT {d}")));
    }
    if !column.nullable {
        steps.push(alter_column(n.table, &n.old, "DROP NOT NULL"));
        steps.push(alter_column(n.table, c, "SET NOT NULL"));
        steps.push(drop_constraint(n.table, &names::not_null_check(&n.new)));
        rollback.push(alter_column(n.table, &n.new, "DROP NOT NULL"));
        // Scans the table: fails when the reverse trigger had to store NULLs (values the old type
        // cannot hold), which a rollback could not restore.
        rollback.push(alter_column(n.table, c, "SET NOT NULL"));
    }
    if let Some(comment) = &column.comment {
        steps.push(format!(
            "COMMENT ON COLUMN {}.{} IS {}",
            n.q(),
            ident(c),
            literal(comment)
        ));
    }
    let backward = format!("NEW.{}::{}", ident(c), n.old_type);
    steps.push(n.trigger_function(&n.back, &n.old, &backward, true));
    steps.extend(n.create_trigger(&n.back, execute));
    rollback.extend(n.sync_triggers(execute).into_iter().flatten());
    catalog_phase(
        "switch",
        format!(
            "Make {} the {} column {}; keep {} filled for a rollback",
            n.new,
            n.new_type,
            display(n.table, Some(c)),
            n.old
        ),
        sql(steps),
        sql(rollback),
    )
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn mentions_whole_identifiers_only() {
        assert!(mentions("(total > 0)", "total"));
        assert!(mentions("(\"Total\" > 0)", "total"));
        assert!(!mentions("(subtotal > 0)", "total"));
        assert!(!mentions("(total_cents > 0)", "total"));
    }
}
