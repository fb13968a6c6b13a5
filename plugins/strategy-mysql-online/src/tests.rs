//! Plans for each change kind. The SQL asserted here was run by hand on MariaDB 10.11 against a
//! 50,000-row table (see the crate's report), including the shadow copy under concurrent writes.

use ai_shell_strategy_sdk::{
    AddColumn, AddForeignKey, AddIndex, AddUnique, AlterColumnType, CapabilitySet, Change, Column,
    ColumnRef, ColumnType, DatabaseSchema, Engine, FkAction, ForeignKey, Index, IndexKey,
    IndexMethod, IndexTarget, Phase, PhaseKind, PrimaryKey, QualifiedName, RenameColumn,
    RenameTable, SetDefault, Step, Strategy, Table, TableStats, UniqueConstraint,
};

use crate::MysqlOnline;

pub fn name(n: &str) -> QualifiedName {
    QualifiedName {
        namespace: None,
        name: n.into(),
    }
}

fn column(n: &str, data_type: ColumnType, nullable: bool) -> Column {
    Column {
        name: n.into(),
        data_type,
        nullable,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
    }
}

fn table(n: &str, columns: Vec<Column>) -> Table {
    Table {
        name: name(n),
        columns,
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        }),
        uniques: vec![],
        indexes: vec![],
        foreign_keys: vec![],
        checks: vec![],
        comment: None,
        options: vec!["ENGINE=InnoDB".into()],
    }
}

fn index(n: &str, columns: &[&str]) -> Index {
    Index {
        name: n.into(),
        unique: false,
        method: IndexMethod::Btree,
        keys: columns
            .iter()
            .map(|c| IndexKey {
                target: IndexTarget::Column(c.to_string()),
                descending: false,
                nulls_first: None,
                opclass: None,
                collation: None,
                prefix_length: None,
            })
            .collect(),
        included_columns: vec![],
        predicate: None,
        comment: None,
    }
}

fn foreign_key(n: &str, column: &str, parent: &str) -> ForeignKey {
    ForeignKey {
        name: n.into(),
        columns: vec![column.into()],
        referenced_table: name(parent),
        referenced_columns: vec!["id".into()],
        on_delete: FkAction::Restrict,
        on_update: FkAction::Restrict,
        deferrable: false,
        initially_deferred: false,
    }
}

/// `t (id int auto_increment pk, name varchar(50) not null, qty int not null, note text, pid int)`
/// with an index on qty, and `parent (id int pk)`.
pub fn schema() -> DatabaseSchema {
    let mut id = column("id", ColumnType::Integer, false);
    id.identity = Some(ai_shell_strategy_sdk::IdentityKind::AutoIncrement);
    let mut t = table(
        "t",
        vec![
            id,
            column("name", ColumnType::Varchar(Some(50)), false),
            column("qty", ColumnType::Integer, false),
            column("note", ColumnType::Text, true),
            column("pid", ColumnType::Integer, true),
        ],
    );
    t.indexes.push(index("k_qty", &["qty"]));
    DatabaseSchema {
        namespaces: vec![],
        extensions: vec![],
        enums: vec![],
        sequences: vec![],
        tables: vec![
            t,
            table("parent", vec![column("id", ColumnType::Integer, false)]),
        ],
        views: vec![],
        objects: vec![],
    }
}

pub fn engine(version: &str) -> Engine {
    Engine {
        dialect: "mysql".into(),
        server_version: version.into(),
        capabilities: CapabilitySet {
            transactional_ddl: false,
            concurrent_index: false,
            instant_add_column: true,
            alter_table_in_place: true,
            namespaces: false,
            enum_types: false,
            sequences: false,
            partial_indexes: false,
            expression_indexes: false,
            check_constraints: true,
            advisory_locks: true,
        },
    }
}

pub const MARIADB: &str = "10.11.19-MariaDB-0+deb12u1";
const MYSQL: &str = "8.0.36";
const MYSQL_57: &str = "5.7.44-log";

pub fn plan_on(change: Change, schema: DatabaseSchema, version: &str) -> Option<Vec<Phase>> {
    let stats = vec![TableStats {
        table: name("t"),
        rows: 50_000,
        bytes: 4_000_000,
    }];
    MysqlOnline::plan(vec![change], schema, stats, engine(version)).unwrap()
}

pub fn plan(change: Change, version: &str) -> Option<Vec<Phase>> {
    plan_on(change, schema(), version)
}

pub fn sql(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .map(|s| match s {
            Step::Sql(s) => s.clone(),
            other => panic!("expected SQL, got {other:?}"),
        })
        .collect()
}

fn names(phases: &[Phase]) -> Vec<&str> {
    phases.iter().map(|p| p.name.as_str()).collect()
}

fn outside(p: &Phase) -> bool {
    matches!(p.kind, PhaseKind::DdlOutsideTransaction)
}

fn col_ref(c: &str) -> ColumnRef {
    ColumnRef {
        table: name("t"),
        column: c.into(),
    }
}

#[test]
fn add_column_is_instant_on_mariadb_and_mysql_8() {
    let mut c = column("flag", ColumnType::Boolean, false);
    c.default = Some("0".into());
    let change = || {
        Change::AddColumn(AddColumn {
            table: name("t"),
            column: c.clone(),
        })
    };
    let p = plan(change(), MARIADB).unwrap();
    assert_eq!(names(&p), ["add-column"]);
    assert!(outside(&p[0]));
    assert_eq!(
        sql(&p[0].steps),
        [
            "ALTER TABLE `t` ADD COLUMN IF NOT EXISTS `flag` tinyint(1) NOT NULL DEFAULT 0, ALGORITHM=INSTANT"
        ]
    );
    assert_eq!(
        sql(&p[0].rollback),
        ["ALTER TABLE `t` DROP COLUMN IF EXISTS `flag`, ALGORITHM=INSTANT"]
    );
    let p = plan(change(), MYSQL).unwrap();
    assert_eq!(
        sql(&p[0].steps),
        ["ALTER TABLE `t` ADD COLUMN `flag` tinyint(1) NOT NULL DEFAULT 0, ALGORITHM=INSTANT"]
    );
    let p = plan(change(), MYSQL_57).unwrap();
    assert!(sql(&p[0].steps)[0].ends_with(", ALGORITHM=INPLACE, LOCK=NONE"));
    assert!(sql(&p[0].rollback)[0].ends_with(", ALGORITHM=INPLACE, LOCK=NONE"));
    assert_eq!(p[0].estimated_ms, crate::context::rebuild_ms(50_000));
}

#[test]
fn add_column_leaves_copying_columns_to_others() {
    let mut c = column("seq", ColumnType::Integer, false);
    c.identity = Some(ai_shell_strategy_sdk::IdentityKind::AutoIncrement);
    let change = Change::AddColumn(AddColumn {
        table: name("t"),
        column: c,
    });
    assert!(plan(change, MARIADB).is_none());
}

#[test]
fn drop_column_relaxes_gates_then_drops() {
    let p = plan(Change::DropColumn(col_ref("name")), MARIADB).unwrap();
    assert_eq!(names(&p), ["relax", "stop-using", "drop"]);
    assert_eq!(
        sql(&p[0].steps),
        ["ALTER TABLE `t` MODIFY COLUMN `name` varchar(50), ALGORITHM=INPLACE, LOCK=NONE"]
    );
    assert_eq!(
        sql(&p[0].rollback),
        ["ALTER TABLE `t` MODIFY COLUMN `name` varchar(50) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"]
    );
    assert!(
        matches!(&p[1].kind, PhaseKind::Gate(text) if text == "the application no longer reads or writes t.name")
    );
    assert_eq!(
        sql(&p[2].steps),
        ["ALTER TABLE `t` DROP COLUMN IF EXISTS `name`, ALGORITHM=INSTANT"]
    );
    assert!(matches!(&p[2].rollback[..], [Step::RenderInverse(c)] if c.len() == 1));
}

#[test]
fn drop_column_of_a_nullable_or_indexed_column() {
    let p = plan(Change::DropColumn(col_ref("note")), MARIADB).unwrap();
    assert_eq!(names(&p), ["stop-using", "drop"]);
    // Dropping an indexed column drops the index too, which INSTANT refuses.
    let p = plan(Change::DropColumn(col_ref("qty")), MARIADB).unwrap();
    assert_eq!(names(&p), ["relax", "stop-using", "drop"]);
    assert_eq!(
        sql(&p[2].steps),
        ["ALTER TABLE `t` DROP COLUMN IF EXISTS `qty`, ALGORITHM=INPLACE, LOCK=NONE"]
    );
    let p = plan(Change::DropColumn(col_ref("note")), "8.0.20").unwrap();
    assert_eq!(
        sql(&p[1].steps),
        ["ALTER TABLE `t` DROP COLUMN `note`, ALGORITHM=INPLACE, LOCK=NONE"]
    );
}

#[test]
fn drop_column_refuses_keys_and_referenced_columns() {
    assert!(plan(Change::DropColumn(col_ref("id")), MARIADB).is_none());
    assert!(plan(Change::DropColumn(col_ref("missing")), MARIADB).is_none());
    let mut s = schema();
    s.tables[0]
        .foreign_keys
        .push(foreign_key("fk", "pid", "parent"));
    assert!(plan_on(Change::DropColumn(col_ref("pid")), s, MARIADB).is_none());
}

#[test]
fn indexes_are_built_in_place_without_lock() {
    let p = plan(
        Change::AddIndex(AddIndex {
            table: name("t"),
            index: index("k_name", &["name", "qty"]),
            concurrently: true,
        }),
        MARIADB,
    )
    .unwrap();
    assert_eq!(names(&p), ["build-index"]);
    assert_eq!(
        sql(&p[0].steps),
        [
            "ALTER TABLE `t` ADD INDEX IF NOT EXISTS `k_name` (`name`, `qty`), ALGORITHM=INPLACE, LOCK=NONE"
        ]
    );
    assert_eq!(
        sql(&p[0].rollback),
        ["ALTER TABLE `t` DROP INDEX IF EXISTS `k_name`, ALGORITHM=INPLACE, LOCK=NONE"]
    );
    let p = plan(
        Change::AddUnique(AddUnique {
            table: name("t"),
            constraint: UniqueConstraint {
                name: "u_name".into(),
                columns: vec!["name".into()],
            },
        }),
        MYSQL,
    )
    .unwrap();
    assert_eq!(
        sql(&p[0].steps),
        ["ALTER TABLE `t` ADD UNIQUE INDEX `u_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE"]
    );
    let mut fulltext = index("ft", &["note"]);
    fulltext.method = IndexMethod::Fulltext;
    let change = Change::AddIndex(AddIndex {
        table: name("t"),
        index: fulltext,
        concurrently: true,
    });
    assert!(plan(change, MARIADB).is_none());
}

fn add_fk() -> Change {
    Change::AddForeignKey(AddForeignKey {
        table: name("t"),
        foreign_key: foreign_key("fk_pid", "pid", "parent"),
    })
}

#[test]
fn foreign_keys_skip_the_check_then_validate() {
    let p = plan(add_fk(), MARIADB).unwrap();
    assert_eq!(names(&p), ["add-foreign-key", "validate"]);
    assert_eq!(
        sql(&p[0].steps),
        [
            "SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE `t` ADD CONSTRAINT `fk_pid` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`) ON DELETE RESTRICT ON UPDATE RESTRICT, ALGORITHM=INPLACE, LOCK=NONE"
        ]
    );
    // pid had no index: InnoDB made one named after the key, which the rollback drops too.
    assert_eq!(
        sql(&p[0].rollback),
        [
            "ALTER TABLE `t` DROP FOREIGN KEY IF EXISTS `fk_pid`",
            "ALTER TABLE `t` DROP INDEX IF EXISTS `fk_pid`, ALGORITHM=INPLACE, LOCK=NONE"
        ]
    );
    assert!(matches!(p[1].kind, PhaseKind::Validate));
    assert_eq!(
        sql(&p[1].steps),
        [
            "SELECT 1 FROM `t` AS c LEFT JOIN `parent` AS p ON p.`id` = c.`pid` WHERE c.`pid` IS NOT NULL AND p.`id` IS NULL LIMIT 1"
        ]
    );
    let p = plan(add_fk(), MYSQL).unwrap();
    let steps = sql(&p[0].steps);
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0], "SET SESSION foreign_key_checks = 0");
    assert!(steps[1].starts_with("ALTER TABLE `t` ADD CONSTRAINT `fk_pid`"));
    assert_eq!(steps[2], "SET SESSION foreign_key_checks = 1");
}

#[test]
fn foreign_key_on_an_indexed_column_keeps_the_index_on_rollback() {
    let mut s = schema();
    s.tables[0].indexes.push(index("k_pid", &["pid", "qty"]));
    let p = plan_on(add_fk(), s, MARIADB).unwrap();
    assert_eq!(sql(&p[0].rollback).len(), 1);
}

#[test]
fn renames() {
    let change = |v: &str| {
        plan(
            Change::RenameColumn(RenameColumn {
                table: name("t"),
                column: "note".into(),
                new_name: "remark".into(),
            }),
            v,
        )
        .unwrap()
    };
    let p = change(MARIADB);
    assert_eq!(
        sql(&p[0].steps),
        ["ALTER TABLE `t` RENAME COLUMN `note` TO `remark`, ALGORITHM=INSTANT"]
    );
    assert_eq!(
        sql(&p[0].rollback),
        ["ALTER TABLE `t` RENAME COLUMN `remark` TO `note`, ALGORITHM=INSTANT"]
    );
    assert_eq!(
        sql(&change(MYSQL_57)[0].steps),
        ["ALTER TABLE `t` CHANGE COLUMN `note` `remark` text, ALGORITHM=INPLACE, LOCK=NONE"]
    );
    let p = plan(
        Change::RenameTable(RenameTable {
            table: name("t"),
            new_name: "items".into(),
        }),
        MARIADB,
    )
    .unwrap();
    assert_eq!(names(&p), ["rename", "move-application", "drop-view"]);
    assert_eq!(
        sql(&p[0].steps),
        [
            "RENAME TABLE `t` TO `items`",
            "CREATE VIEW `t` AS SELECT * FROM `items`"
        ]
    );
    assert_eq!(
        sql(&p[0].rollback),
        ["DROP VIEW IF EXISTS `t`", "RENAME TABLE `items` TO `t`"]
    );
    assert!(matches!(p[1].kind, PhaseKind::Gate(_)));
    assert!(matches!(p[2].kind, PhaseKind::Cleanup));
    assert_eq!(sql(&p[2].steps), ["DROP VIEW IF EXISTS `t`"]);
}

#[test]
fn defaults_are_instant_and_restore_the_old_one() {
    let mut s = schema();
    s.tables[0].columns[2].default = Some("1".into());
    let p = plan_on(
        Change::SetDefault(SetDefault {
            table: name("t"),
            column: "qty".into(),
            default: "5".into(),
        }),
        s.clone(),
        MARIADB,
    )
    .unwrap();
    assert_eq!(
        sql(&p[0].steps),
        ["ALTER TABLE `t` ALTER COLUMN `qty` SET DEFAULT 5, ALGORITHM=INSTANT"]
    );
    assert_eq!(
        sql(&p[0].rollback),
        ["ALTER TABLE `t` ALTER COLUMN `qty` SET DEFAULT 1, ALGORITHM=INSTANT"]
    );
    let p = plan_on(Change::DropDefault(col_ref("qty")), s, MARIADB).unwrap();
    assert_eq!(
        sql(&p[0].steps),
        ["ALTER TABLE `t` ALTER COLUMN `qty` DROP DEFAULT, ALGORITHM=INSTANT"]
    );
    let on_update = Change::SetDefault(SetDefault {
        table: name("t"),
        column: "qty".into(),
        default: "0 ON UPDATE 1".into(),
    });
    assert!(plan(on_update, MARIADB).is_none());
}

#[test]
fn not_null_checks_then_rebuilds_in_place() {
    let p = plan(Change::SetNotNull(col_ref("note")), MARIADB).unwrap();
    assert_eq!(names(&p), ["check-nulls", "set-not-null"]);
    assert!(matches!(p[0].kind, PhaseKind::Validate));
    assert_eq!(
        sql(&p[0].steps),
        ["SELECT 1 FROM `t` WHERE `note` IS NULL LIMIT 1"]
    );
    assert_eq!(
        sql(&p[1].steps),
        ["ALTER TABLE `t` MODIFY COLUMN `note` text NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"]
    );
    assert_eq!(
        sql(&p[1].rollback),
        ["ALTER TABLE `t` MODIFY COLUMN `note` text, ALGORITHM=INPLACE, LOCK=NONE"]
    );
    let p = plan(Change::DropNotNull(col_ref("name")), MARIADB).unwrap();
    assert_eq!(names(&p), ["drop-not-null"]);
}

fn change_type(column: &str, new_type: ColumnType) -> Change {
    Change::AlterColumnType(AlterColumnType {
        table: name("t"),
        column: column.into(),
        new_type,
        using: None,
    })
}

#[test]
fn varchar_widening_within_the_length_prefix_is_in_place() {
    // utf8mb4: 60 characters are 240 bytes, one length byte like 50.
    let mut s = schema();
    s.tables[0].columns[1].collation = Some("utf8mb4_general_ci".into());
    let p = plan_on(
        change_type("name", ColumnType::Varchar(Some(60))),
        s.clone(),
        MARIADB,
    )
    .unwrap();
    assert_eq!(names(&p), ["widen"]);
    assert_eq!(
        sql(&p[0].steps),
        [
            "ALTER TABLE `t` MODIFY COLUMN `name` varchar(60) COLLATE `utf8mb4_general_ci` NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"
        ]
    );
    // 70 characters need two length bytes: a copy.
    let p = plan_on(
        change_type("name", ColumnType::Varchar(Some(70))),
        s,
        MARIADB,
    )
    .unwrap();
    assert_eq!(names(&p)[0], "shadow");
}

#[test]
fn type_change_is_a_shadow_copy() {
    let p = plan(change_type("qty", ColumnType::Bigint), MARIADB).unwrap();
    assert_eq!(
        names(&p),
        [
            "shadow",
            "copy",
            "build-indexes",
            "validate",
            "cut-over",
            "confirm",
            "drop-old"
        ]
    );
    let cols = "`id`, `name`, `qty`, `note`, `pid`";
    let new = "NEW.`id`, NEW.`name`, NEW.`qty`, NEW.`note`, NEW.`pid`";
    let drops = [
        "DROP TRIGGER IF EXISTS `t__aish_ins`",
        "DROP TRIGGER IF EXISTS `t__aish_upd`",
        "DROP TRIGGER IF EXISTS `t__aish_del`",
    ];
    let mut expected: Vec<String> = drops.iter().map(|s| s.to_string()).collect();
    expected.extend([
        "DROP TABLE IF EXISTS `_t__aish_new`".to_string(),
        "CREATE TABLE `_t__aish_new` LIKE `t`".to_string(),
        "ALTER TABLE `_t__aish_new` MODIFY COLUMN `qty` bigint NOT NULL, DROP INDEX `k_qty`".to_string(),
        "CREATE TRIGGER `t__aish_del` AFTER DELETE ON `t` FOR EACH ROW DELETE FROM `_t__aish_new` WHERE `_t__aish_new`.`id` = OLD.`id`".to_string(),
        format!("CREATE TRIGGER `t__aish_upd` AFTER UPDATE ON `t` FOR EACH ROW BEGIN DELETE FROM `_t__aish_new` WHERE OLD.`id` <> NEW.`id` AND `_t__aish_new`.`id` = OLD.`id`; REPLACE INTO `_t__aish_new` ({cols}) VALUES ({new}); END"),
        format!("CREATE TRIGGER `t__aish_ins` AFTER INSERT ON `t` FOR EACH ROW REPLACE INTO `_t__aish_new` ({cols}) VALUES ({new})"),
    ]);
    assert_eq!(sql(&p[0].steps), expected);
    assert!(outside(&p[0]));
    let mut undo: Vec<String> = drops.iter().map(|s| s.to_string()).collect();
    undo.push("DROP TABLE IF EXISTS `_t__aish_new`".into());
    assert_eq!(sql(&p[0].rollback), undo);

    let PhaseKind::Backfill(b) = &p[1].kind else {
        panic!("copy is a backfill");
    };
    assert_eq!(b.key, "id");
    assert_eq!(b.table.name, "t");
    assert_eq!(
        b.batch,
        format!(
            "SELECT `id` FROM `t` WHERE `t`.`id` >= {{lo}} AND `t`.`id` < {{hi}} LOCK IN SHARE MODE;\n\
             INSERT INTO `_t__aish_new` ({cols}) SELECT {cols} FROM `t` WHERE `t`.`id` >= {{lo}} AND `t`.`id` < {{hi}} LOCK IN SHARE MODE ON DUPLICATE KEY UPDATE `_t__aish_new`.`id` = `_t__aish_new`.`id`"
        )
    );
    // The copy's index is built from its rows once they are in.
    assert_eq!(
        sql(&p[2].steps),
        ["ALTER TABLE `_t__aish_new` ADD INDEX `k_qty` (`qty`), ALGORITHM=INPLACE, LOCK=NONE"]
    );
    assert!(matches!(p[3].kind, PhaseKind::Validate));
    assert_eq!(
        sql(&p[3].steps),
        [
            "SELECT 1 FROM (SELECT COUNT(*) AS n FROM `t` FORCE INDEX (PRIMARY)) AS a, (SELECT COUNT(*) AS n FROM `_t__aish_new` FORCE INDEX (PRIMARY)) AS b WHERE a.n <> b.n",
            "SELECT 1 FROM `t` FORCE INDEX (PRIMARY) LEFT JOIN `_t__aish_new` ON `_t__aish_new`.`id` = `t`.`id` WHERE `_t__aish_new`.`id` IS NULL LIMIT 1"
        ]
    );
    let mut cut = vec!["RENAME TABLE `t` TO `_t__aish_old`, `_t__aish_new` TO `t`".to_string()];
    cut.extend(drops.iter().map(|s| s.to_string()));
    assert_eq!(sql(&p[4].steps), cut);
    assert_eq!(
        sql(&p[4].rollback),
        [
            "LOCK TABLES `t` WRITE, `_t__aish_old` WRITE".to_string(),
            "DELETE FROM `_t__aish_old` WHERE NOT EXISTS (SELECT 1 FROM `t` WHERE `t`.`id` = `_t__aish_old`.`id`)".to_string(),
            format!("REPLACE INTO `_t__aish_old` ({cols}) SELECT {cols} FROM `t`"),
            "ALTER TABLE `t` RENAME TO `_t__aish_new`".to_string(),
            "ALTER TABLE `_t__aish_old` RENAME TO `t`".to_string(),
            "UNLOCK TABLES".to_string(),
        ]
    );
    assert!(matches!(&p[5].kind, PhaseKind::Gate(text) if text.contains("new t")));
    assert!(matches!(p[6].kind, PhaseKind::Cleanup));
    assert_eq!(sql(&p[6].steps), ["DROP TABLE IF EXISTS `_t__aish_old`"]);
    assert_eq!(p[1].estimated_ms, crate::context::copy_ms(50_000));
}

#[test]
fn shadow_copy_needs_an_integer_key_and_no_foreign_keys() {
    let mut s = schema();
    s.tables[0].primary_key = None;
    assert!(plan_on(change_type("qty", ColumnType::Bigint), s, MARIADB).is_none());
    // The table's own foreign keys go onto the copy under temporary names, built with its indexes once
    // the rows are in, and take their names back once the original is dropped.
    let mut s = schema();
    s.tables[0]
        .foreign_keys
        .push(foreign_key("fk", "pid", "parent"));
    let p =
        plan_on(change_type("qty", ColumnType::Bigint), s.clone(), MARIADB).expect("a shadow copy");
    assert_eq!(
        sql(&p[0].steps)[5],
        "ALTER TABLE `_t__aish_new` MODIFY COLUMN `qty` bigint NOT NULL, DROP INDEX `k_qty`"
    );
    assert_eq!(
        sql(&p[2].steps),
        [
            "SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE `_t__aish_new` ADD INDEX `k_qty` (`qty`), ADD CONSTRAINT `_fk__aish` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`) ON DELETE RESTRICT ON UPDATE RESTRICT, ALGORITHM=INPLACE, LOCK=NONE"
        ]
    );
    let last = sql(&p[6].steps);
    assert_eq!(last[0], "DROP TABLE IF EXISTS `_t__aish_old`");
    assert!(
        last[1].starts_with("SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE `t` DROP FOREIGN KEY `_fk__aish`, ADD CONSTRAINT `fk` FOREIGN KEY (`pid`)")
            && last[1].ends_with(", ALGORITHM=INPLACE, LOCK=NONE"),
        "{last:?}"
    );
    // A cascading key acts on the copy's rows through the copy's own key: it is there from the start,
    // with the indexes.
    s.tables[0].foreign_keys[0].on_delete = FkAction::Cascade;
    let p = plan_on(change_type("qty", ColumnType::Bigint), s, MARIADB).expect("a shadow copy");
    assert_eq!(names(&p)[2], "validate");
    assert!(
        sql(&p[0].steps)[5].ends_with(
            "MODIFY COLUMN `qty` bigint NOT NULL, ADD CONSTRAINT `_fk__aish` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT"
        ),
        "{:?}",
        sql(&p[0].steps)
    );
    // An index on a column that becomes text stays from the start: it would fail only after the copy.
    let p = plan(change_type("qty", ColumnType::Text), MARIADB).expect("a shadow copy");
    assert_eq!(names(&p)[2], "validate");
    // A table other tables reference is not copied: their keys would follow the renamed original.
    let mut s = schema();
    let mut child = table("child", vec![column("id", ColumnType::Integer, false)]);
    child.foreign_keys.push(foreign_key("fk_t", "id", "t"));
    s.tables.push(child);
    assert!(plan_on(change_type("qty", ColumnType::Bigint), s, MARIADB).is_none());
    let using = Change::AlterColumnType(AlterColumnType {
        table: name("t"),
        column: "qty".into(),
        new_type: ColumnType::Bigint,
        using: Some("qty * 2".into()),
    });
    assert!(plan(using, MARIADB).is_none());
}

#[test]
fn other_engines_changes_and_batches_are_not_ours() {
    let drop = || Change::DropColumn(col_ref("note"));
    let mut pg = engine("15.19");
    pg.dialect = "postgres".into();
    assert!(
        MysqlOnline::plan(vec![drop()], schema(), vec![], pg)
            .unwrap()
            .is_none()
    );
    assert!(
        MysqlOnline::plan(vec![drop(), drop()], schema(), vec![], engine(MARIADB))
            .unwrap()
            .is_none()
    );
    assert!(plan(Change::DropTable(name("t")), MARIADB).is_none());
    assert!(plan(drop(), "garbage").is_none());
    let info = MysqlOnline::info();
    assert_eq!(info.name, "mysql-online");
    assert!(info.online);
    assert_eq!(info.dialects, ["mysql"]);
}

#[test]
fn add_column_with_a_per_row_default_is_a_shadow_copy() {
    let mut c = column("token", ColumnType::Uuid, false);
    c.default = Some("uuid()".into());
    let change = Change::AddColumn(AddColumn {
        table: name("t"),
        column: c,
    });
    let p = plan(change, MARIADB).unwrap();
    assert_eq!(
        names(&p),
        [
            "shadow",
            "copy",
            "build-indexes",
            "validate",
            "cut-over",
            "confirm",
            "drop-old"
        ]
    );
    let shadow = sql(&p[0].steps);
    assert!(
        shadow.iter().any(
            |s| s.starts_with("ALTER TABLE `_t__aish_new` ADD COLUMN `token`")
                && s.contains("DEFAULT uuid()")
        ),
        "{shadow:?}"
    );
    // The copy lists the original columns only: the new one takes its default in every copied row.
    let PhaseKind::Backfill(b) = &p[1].kind else {
        panic!("copy is a backfill")
    };
    assert!(!b.batch.contains("`token`"), "{}", b.batch);
    // A constant or current-time default stays instant.
    let mut c = column("at", ColumnType::Timestamp(None), false);
    c.default = Some("current_timestamp()".into());
    let change = Change::AddColumn(AddColumn {
        table: name("t"),
        column: c,
    });
    assert_eq!(names(&plan(change, MARIADB).unwrap()), ["add-column"]);
}
