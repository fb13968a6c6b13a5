//! alter-column-type. A varchar widening that keeps the length prefix's size is done in place;
//! anything else is a shadow-table copy, as gh-ost and pt-online-schema-change do it:
//!
//! 1. `shadow`: an empty copy of the table with the new column type, and triggers on the table that
//!    replay every insert, update and delete into it (created delete, update, insert in that order,
//!    so that a row is in the copy only once the update trigger keeps it current).
//! 2. `copy`: batches of `INSERT ... SELECT ... LOCK IN SHARE MODE ON DUPLICATE KEY UPDATE` by
//!    primary key range. The shared locks make the batch read the latest committed rows and keep them
//!    until it commits, so a concurrent update or delete waits and then reaches the copy through its
//!    trigger; a row the triggers already wrote is newer than or equal to the batch's and is kept.
//!    Not `INSERT IGNORE`: IGNORE also turns a value the new type cannot hold into a warning and
//!    stores it truncated; here it is an error that stops the batch. A batch first takes those shared
//!    locks with a plain `SELECT ... LOCK IN SHARE MODE`, then copies: the `INSERT ... SELECT` holds the
//!    copy's AUTO-INC lock while it runs (innodb_autoinc_lock_mode 0 and 1), and waiting for an
//!    application's row lock while holding it deadlocked with that application's trigger, which waits for
//!    the AUTO-INC lock while holding the row (measured: 1-3 writer transactions per 2,000,000-row copy).
//!    The copy has only its primary key and unique indexes while the rows go in: its plain secondary
//!    indexes and its foreign keys are built afterwards (`build-indexes`), sorted, in place, while the
//!    triggers go on writing. Maintaining them row by row doubled the copy (2,000,000 rows with one
//!    foreign key, MariaDB 10.11, no other load: 15.2 s, against 5.8 s for the rows and 2.0 s for the
//!    index and the key built afterwards).
//! 3. `validate`: the copy has the same rows.
//! 4. `cut-over`: one atomic `RENAME TABLE` swaps the tables, then the triggers go.
//! 5. a gate, then `cleanup` drops the old table.

use ai_shell_strategy_sdk::{
    AlterColumnType, Backfill, ColumnType, FkAction, Index, IndexMethod, IndexTarget, LockLevel,
    Phase, PhaseKind, PluginError, Table,
};

use crate::context::{Ctx, INPLACE_NOTE, PhaseSpec, copy_ms, drop_ms, gate, index_ms, scan_ms};
use crate::{column_sql, names, quote};

/// Whether changing `old` to `new` is a varchar widening InnoDB does in place: the stored length
/// prefix stays one byte (at most 255 bytes) or stays two.
fn in_place_widening(old: &ColumnType, new: &ColumnType, collation: Option<&str>) -> bool {
    let (ColumnType::Varchar(Some(a)), ColumnType::Varchar(Some(b))) = (old, new) else {
        return false;
    };
    if b < a {
        return false;
    }
    let short = |chars: u32, bytes: u32| chars.saturating_mul(bytes) <= 255;
    match column_sql::bytes_per_char(collation) {
        Some(n) => short(*a, n) == short(*b, n),
        // Without the character set: at most 4 bytes a character, at least 1.
        None => short(*b, 4) || !short(*a, 1),
    }
}

/// The single integer primary key column a copy walks by.
fn integer_key(table: &Table) -> Option<&str> {
    let pk = table.primary_key.as_ref()?;
    let [key] = pk.columns.as_slice() else {
        return None;
    };
    let column = table
        .columns
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(key))?;
    column_sql::is_integer(&column.data_type).then_some(column.name.as_str())
}

pub fn plan(ctx: &Ctx, a: &AlterColumnType) -> Result<Option<Vec<Phase>>, PluginError> {
    if a.using.is_some() {
        return Ok(None);
    }
    let (Some(table), Some(column)) = (ctx.table(&a.table), ctx.column(&a.table, &a.column)) else {
        return Ok(None);
    };
    if column.generated.is_some() {
        return Ok(None);
    }
    let mut changed = column.clone();
    changed.data_type = a.new_type.clone();
    if !column_sql::takes_collation(&a.new_type) {
        changed.collation = None;
    }
    let definition = column_sql::definition(&changed)?;
    let t = quote::table(&a.table);
    let rows = ctx.rows(&a.table);
    if in_place_widening(&column.data_type, &a.new_type, column.collation.as_deref()) {
        return Ok(Some(vec![
            PhaseSpec::outside(
                "widen",
                format!("Widen {}.{} in place", a.table.name, column.name),
                vec![format!(
                    "ALTER TABLE {t} MODIFY COLUMN {definition}, ALGORITHM=INPLACE, LOCK=NONE"
                )],
            )
            .rollback_sql(vec![format!(
                "ALTER TABLE {t} MODIFY COLUMN {}, ALGORITHM=COPY, LOCK=SHARED",
                column_sql::definition(column)?
            )])
            .lock(LockLevel::None, INPLACE_NOTE)
            .ms(50)
            .build(),
        ]));
    }
    let Some(key) = shadow_key(ctx, table) else {
        return Ok(None);
    };
    Ok(Some(shadow_copy(
        ctx,
        table,
        key,
        Some((&column.name, &a.new_type)),
        &format!("{} changed", column.name),
        format!("MODIFY COLUMN {definition}"),
        rows,
    )))
}

/// What the copy builds once its rows are in, rather than row by row.
struct Deferred<'a> {
    /// Plain secondary indexes, with their `(key, ...)`.
    indexes: Vec<(&'a Index, String)>,
    /// The table's own foreign keys. Only when none of them acts on the copy's rows (`CASCADE`, `SET
    /// NULL`, `SET DEFAULT`): a cascade from a parent reaches a copy through its own key only, since
    /// cascaded changes fire no trigger. Until they are built, the original's keys hold for every row
    /// the copy receives: a parent row a copied row points to cannot go while that row is in the original.
    foreign_keys: bool,
}

/// Whether an index on a column of type `t` is built the same after the change: not a type that
/// needs a prefix length or is too long for an index key, found only after the copy.
fn indexable(t: &ColumnType) -> bool {
    match t {
        ColumnType::Varchar(Some(n)) | ColumnType::Char(Some(n)) => *n <= 768,
        ColumnType::Text
        | ColumnType::Blob
        | ColumnType::Json
        | ColumnType::Jsonb
        | ColumnType::Varchar(None)
        | ColumnType::Other(_) => false,
        _ => true,
    }
}

/// The indexes and keys of `table` the copy builds after its rows: plain B-tree indexes the strategy
/// renders exactly (not on `touched` when its new type might not take the same index), and the foreign
/// keys when none cascades. A cascading key keeps the copy's keys, and the indexes they need, in place.
fn deferred<'a>(table: &'a Table, touched: Option<(&str, &ColumnType)>) -> Deferred<'a> {
    let inert = |a: &FkAction| matches!(a, FkAction::NoAction | FkAction::Restrict);
    if !table
        .foreign_keys
        .iter()
        .all(|fk| inert(&fk.on_delete) && inert(&fk.on_update))
    {
        return Deferred {
            indexes: vec![],
            foreign_keys: false,
        };
    }
    let on_touched = |index: &Index| {
        touched.is_some_and(|(column, new_type)| {
            !indexable(new_type)
                && index.keys.iter().any(
                    |k| matches!(&k.target, IndexTarget::Column(c) if c.eq_ignore_ascii_case(column)),
                )
        })
    };
    let indexes = table
        .indexes
        .iter()
        .filter(|i| !i.unique && matches!(i.method, IndexMethod::Btree) && !on_touched(i))
        .filter_map(|i| crate::index::keys(i).map(|k| (i, k)))
        .collect();
    Deferred {
        indexes,
        foreign_keys: !table.foreign_keys.is_empty(),
    }
}

/// Up to how many rows the copy is also compared with the table key by key (above, by counts).
const KEY_BY_KEY_ROWS: u64 = 500_000;

/// Whether the table can be copied into a shadow and swapped: an integer key to walk, no triggers (which
/// `CREATE TABLE LIKE` does not copy) and no foreign key of another table pointing at it (the key would
/// follow the renamed original). Its own foreign keys are recreated on the copy ([`shadow_copy`]).
pub fn shadow_key<'a>(ctx: &Ctx, table: &'a Table) -> Option<&'a str> {
    let key = integer_key(table)?;
    if ctx.referenced(&table.name) || ctx.has_triggers(&table.name) {
        return None;
    }
    Some(key)
}

/// The shadow-table copy: a copy of `table` with `alter` applied (`MODIFY COLUMN ...`, `ADD COLUMN ...`),
/// kept current by triggers, filled by key range, checked, swapped in by one `RENAME TABLE`, and the
/// original dropped after the gate. `what` says what differs, for people; `touched` is the column whose
/// type changes, with its new type.
pub fn shadow_copy(
    ctx: &Ctx,
    table: &Table,
    key: &str,
    touched: Option<(&str, &ColumnType)>,
    what: &str,
    alter: String,
    rows: u64,
) -> Vec<Phase> {
    let column = what;
    let name = &table.name.name;
    let t = quote::table(&table.name);
    let shadow = quote::sibling(&table.name, &names::shadow(name));
    let old = quote::sibling(&table.name, &names::old(name));
    let trigger = |event: &str| quote::sibling(&table.name, &names::trigger(name, event));
    let k = quote::ident(key);
    let columns: Vec<String> = table
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .map(|c| c.name.clone())
        .collect();
    let list = quote::list(&columns);
    let new_values = columns
        .iter()
        .map(|c| format!("NEW.{}", quote::ident(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let drop_triggers: Vec<String> = ["ins", "upd", "del"]
        .iter()
        .map(|e| format!("DROP TRIGGER IF EXISTS {}", trigger(e)))
        .collect();

    let later = deferred(table, touched);
    // The copy's own foreign keys (CREATE TABLE LIKE copies none), under temporary names.
    let foreign_keys = table
        .foreign_keys
        .iter()
        .map(|fk| {
            format!(
                ", {}",
                crate::foreign_key::add_constraint(fk, &names::shadow_key(&fk.name))
            )
        })
        .collect::<String>();
    let mut create = drop_triggers.clone();
    create.extend([
        format!("DROP TABLE IF EXISTS {shadow}"),
        format!("CREATE TABLE {shadow} LIKE {t}"),
        format!(
            "ALTER TABLE {shadow} {alter}{}{}",
            if later.foreign_keys { "" } else { &foreign_keys },
            later
                .indexes
                .iter()
                .map(|(i, _)| format!(", DROP INDEX {}", quote::ident(&i.name)))
                .collect::<String>()
        ),
        format!(
            "CREATE TRIGGER {} AFTER DELETE ON {t} FOR EACH ROW DELETE FROM {shadow} WHERE {shadow}.{k} = OLD.{k}",
            trigger("del")
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE ON {t} FOR EACH ROW BEGIN DELETE FROM {shadow} WHERE OLD.{k} <> NEW.{k} AND {shadow}.{k} = OLD.{k}; REPLACE INTO {shadow} ({list}) VALUES ({new_values}); END",
            trigger("upd")
        ),
        format!(
            "CREATE TRIGGER {} AFTER INSERT ON {t} FOR EACH ROW REPLACE INTO {shadow} ({list}) VALUES ({new_values})",
            trigger("ins")
        ),
    ]);
    let mut undo_shadow = drop_triggers.clone();
    undo_shadow.push(format!("DROP TABLE IF EXISTS {shadow}"));

    let range = format!("{t}.{k} >= {{lo}} AND {t}.{k} < {{hi}}");
    let batch = format!(
        "SELECT {k} FROM {t} WHERE {range} LOCK IN SHARE MODE;\n\
         INSERT INTO {shadow} ({list}) SELECT {list} FROM {t} WHERE {range} LOCK IN SHARE MODE ON DUPLICATE KEY UPDATE {shadow}.{k} = {shadow}.{k}"
    );

    let mut cut_over = vec![format!("RENAME TABLE {t} TO {old}, {shadow} TO {t}")];
    cut_over.extend(drop_triggers);
    // Writes made to the new table since the cut-over go back to the old one before the swap back,
    // under a write lock so that none comes in between.
    let undo_cut_over = vec![
        format!("LOCK TABLES {t} WRITE, {old} WRITE"),
        format!("DELETE FROM {old} WHERE NOT EXISTS (SELECT 1 FROM {t} WHERE {t}.{k} = {old}.{k})"),
        format!("REPLACE INTO {old} ({list}) SELECT {list} FROM {t}"),
        // RENAME TABLE is refused under LOCK TABLES; ALTER TABLE ... RENAME is allowed.
        format!("ALTER TABLE {t} RENAME TO {shadow}"),
        format!("ALTER TABLE {old} RENAME TO {t}"),
        "UNLOCK TABLES".to_string(),
    ];

    // Once the original is gone, the copy's foreign keys take their names back: metadata only, in place,
    // without checking rows the temporary keys already checked.
    let mut drop_old = vec![format!("DROP TABLE IF EXISTS {old}")];
    if !table.foreign_keys.is_empty() {
        let renames: Vec<String> = table
            .foreign_keys
            .iter()
            .flat_map(|fk| {
                [
                    format!(
                        "DROP FOREIGN KEY {}",
                        quote::ident(&names::shadow_key(&fk.name))
                    ),
                    crate::foreign_key::add_constraint(fk, &fk.name),
                ]
            })
            .collect();
        drop_old.extend(crate::foreign_key::without_checks(
            ctx,
            format!(
                "ALTER TABLE {t} {}, ALGORITHM=INPLACE, LOCK=NONE",
                renames.join(", ")
            ),
        ));
    }
    // The counts always, each walking the primary key: InnoDB counts through the smallest secondary index,
    // whose recently written pages (every page, under an application's writes) send each entry to the
    // clustered index to see if it is visible (2,000,000 rows under a 200 tx/s writer: 61 s, against 0.7 s
    // alone). Key by key only on tables small enough that the second walk costs little. The copy's own
    // statements already put every row of each range into the copy, and the triggers every later write.
    let mut validation = vec![format!(
        "SELECT 1 FROM (SELECT COUNT(*) AS n FROM {t} FORCE INDEX (PRIMARY)) AS a, (SELECT COUNT(*) AS n FROM {shadow} FORCE INDEX (PRIMARY)) AS b WHERE a.n <> b.n"
    )];
    if rows < KEY_BY_KEY_ROWS {
        // Walked in key order: through a secondary index (one a foreign key has, say) every row would be a
        // random lookup into the copy (measured: 5 min instead of seconds for 2,000,000 rows).
        validation.push(format!(
            "SELECT 1 FROM {t} FORCE INDEX (PRIMARY) LEFT JOIN {shadow} ON {shadow}.{k} = {t}.{k} WHERE {shadow}.{k} IS NULL LIMIT 1"
        ));
    }
    let mut phases = vec![
        PhaseSpec::outside(
            "shadow",
            format!(
                "Create {} with {column}, kept current by triggers on {name}",
                names::shadow(name)
            ),
            create,
        )
        .rollback_sql(undo_shadow)
        .lock(
            LockLevel::None,
            format!("an exclusive metadata lock on {name} for a moment per trigger (waiting for transactions using it); from then on every write to {name} also writes the copy"),
        )
        .ms(200)
        .build(),
        PhaseSpec::outside(
            "copy",
            format!("Copy the rows of {name} into {} by {key} range", names::shadow(name)),
            vec![],
        )
        .kind(PhaseKind::Backfill(Backfill {
            table: table.name.clone(),
            key: key.to_string(),
            batch,
        }))
        .lock(
            LockLevel::None,
            format!("shared row locks on the rows of one batch of {name} until the batch commits (writes to those rows wait for it)"),
        )
        .ms(copy_ms(rows))
        .build(),
    ];
    if !later.indexes.is_empty() || later.foreign_keys {
        let adds = later
            .indexes
            .iter()
            .map(|(i, keys)| {
                let comment = i
                    .comment
                    .as_deref()
                    .map(|c| format!(" COMMENT {}", quote::string(c)))
                    .unwrap_or_default();
                format!(", ADD INDEX {} {keys}{comment}", quote::ident(&i.name))
            })
            .collect::<String>();
        let fks = if later.foreign_keys {
            &foreign_keys
        } else {
            ""
        };
        let alter = format!(
            "ALTER TABLE {shadow} {}, ALGORITHM=INPLACE, LOCK=NONE",
            format!("{adds}{fks}").trim_start_matches(", ")
        );
        phases.push(
            PhaseSpec::outside(
                "build-indexes",
                format!(
                    "Build the indexes{} of {} from its rows, sorted",
                    if later.foreign_keys { " and foreign keys" } else { "" },
                    names::shadow(name)
                ),
                // The keys without checking the rows: each came from the original, under its keys.
                if later.foreign_keys {
                    crate::foreign_key::without_checks(ctx, alter)
                } else {
                    vec![alter]
                },
            )
            .lock(
                LockLevel::None,
                format!("writes to {name} go on and reach the copy through the triggers; an exclusive metadata lock on the copy for a moment at the start and at the end"),
            )
            .ms(index_ms(rows))
            .build(),
        );
    }
    phases.extend([
        PhaseSpec::outside(
            "validate",
            format!("Check that {} has the rows of {name}", names::shadow(name)),
            validation,
        )
        .kind(PhaseKind::Validate)
        .lock(LockLevel::None, "reads only")
        .ms(scan_ms(rows))
        .build(),
        PhaseSpec::outside(
            "cut-over",
            format!("Swap {name} and its copy in one RENAME TABLE, then drop the triggers"),
            cut_over,
        )
        .rollback_sql(undo_cut_over)
        .lock(
            LockLevel::Exclusive,
            format!("an exclusive metadata lock on {name} for the atomic rename (waiting for transactions using it); statements queue for milliseconds and then see the new table"),
        )
        .ms(100)
        .build(),
        gate(
            "confirm",
            format!("the application works with the new {name} ({column})"),
        ),
        PhaseSpec::outside(
            "drop-old",
            format!("Drop the original table, kept as {}", names::old(name)),
            drop_old,
        )
        .kind(PhaseKind::Cleanup)
        .lock(LockLevel::None, format!("no lock on {name}"))
        .ms(drop_ms(rows))
        .build(),
    ]);
    phases
}
