//! The reader on the spellings of the three engines, and on text it must survive.

use ai_shell_policy_sdk::QualifiedName;

use super::*;

fn pg(sql: &str) -> Vec<Op> {
    read(sql, Dialect::Postgres)
}

fn my(sql: &str) -> Vec<Op> {
    read(sql, Dialect::Mysql)
}

/// Whether `n` is `s` (`namespace.name` or `name`).
fn is(n: &QualifiedName, s: &str) -> bool {
    names(std::slice::from_ref(n))[0] == s
}

fn names(ns: &[QualifiedName]) -> Vec<String> {
    ns.iter()
        .map(|n| match &n.namespace {
            Some(s) => format!("{s}.{}", n.name),
            None => n.name.clone(),
        })
        .collect()
}

/// The actions of one `ALTER TABLE`.
fn actions(ops: &[Op]) -> Vec<&Action> {
    ops.iter()
        .filter_map(|o| match o {
            Op::Alter { action, .. } => Some(action),
            _ => None,
        })
        .collect()
}

fn created(ops: &[Op]) -> &CreateTable {
    match &ops[0] {
        Op::CreateTable(t) => t,
        other => panic!("not a CREATE TABLE: {other:?}"),
    }
}

#[test]
fn tokens_quotes_comments_and_dollar_bodies() {
    let t = tokenize(
        "SELECT \"a\"\"b\", `c`, [d e], 'it''s', E'x\\'y', $f$ body ; 'q' $f$, 1.5e3 -- gone\n/* gone /* nested */ too */ x",
        Dialect::Postgres,
    );
    let texts: Vec<(&str, Kind)> = t.iter().map(|t| (t.text.as_str(), t.kind)).collect();
    assert_eq!(
        texts,
        [
            ("SELECT", Kind::Word),
            ("a\"b", Kind::Quoted),
            (",", Kind::Punct(',')),
            ("c", Kind::Quoted),
            (",", Kind::Punct(',')),
            ("d e", Kind::Quoted),
            (",", Kind::Punct(',')),
            ("it's", Kind::Str),
            (",", Kind::Punct(',')),
            ("x'y", Kind::Str),
            (",", Kind::Punct(',')),
            (" body ; 'q' ", Kind::Str),
            (",", Kind::Punct(',')),
            ("1.5e3", Kind::Num),
            ("x", Kind::Word),
        ]
    );
    // MySQL: backslash escapes and `#` comments.
    let t = tokenize("'it\\'s' # comment\n`x`", Dialect::Mysql);
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].text, "it's");
}

#[test]
fn semicolons_in_strings_and_bodies_do_not_split_statements() {
    let ops =
        pg("CREATE TABLE a (x text DEFAULT ';'); DROP TABLE b; DO $$ BEGIN DROP TABLE c; END $$");
    assert_eq!(ops.len(), 2);
    assert!(matches!(&ops[1], Op::DropTable(t) if names(t) == ["b"]));
}

#[test]
fn drops_truncates_and_deletes() {
    assert!(
        matches!(&pg(r#"DROP TABLE IF EXISTS "Public"."Order Items", b CASCADE"#)[0],
        Op::DropTable(t) if names(t) == ["Public.Order Items", "b"])
    );
    // Unquoted names fold to lower case on PostgreSQL only.
    assert!(matches!(&pg("DROP TABLE Orders")[0], Op::DropTable(t) if names(t) == ["orders"]));
    assert!(matches!(&my("DROP TABLE Orders")[0], Op::DropTable(t) if names(t) == ["Orders"]));
    assert!(my("DROP TEMPORARY TABLE t").is_empty());
    assert!(
        matches!(&my("DROP DATABASE IF EXISTS `shop`")[0], Op::DropNamespace(n) if n == "shop")
    );
    assert!(matches!(&pg("DROP INDEX CONCURRENTLY IF EXISTS s.i")[0],
        Op::DropIndex { names: n, concurrently: true, table: None } if names(n) == ["s.i"]));
    assert!(matches!(&my("DROP INDEX `i` ON `t`")[0],
        Op::DropIndex { concurrently: false, table: Some(t), .. } if t.name == "t"));
    assert!(
        matches!(&pg("TRUNCATE TABLE ONLY a, b * RESTART IDENTITY")[0],
        Op::Truncate(t) if names(t) == ["a", "b"])
    );
    assert!(matches!(&pg("TRUNCATE a")[0], Op::Truncate(t) if names(t) == ["a"]));
    assert!(matches!(
        &pg("DELETE FROM a")[0],
        Op::Delete {
            filtered: false,
            ..
        }
    ));
    assert!(matches!(
        &pg("DELETE FROM a WHERE id = 1")[0],
        Op::Delete { filtered: true, .. }
    ));
    assert!(matches!(
        &my("DELETE FROM a LIMIT 1000")[0],
        Op::Delete { filtered: true, .. }
    ));
    assert!(matches!(
        &pg("UPDATE ONLY a SET x = (SELECT 1 WHERE true)")[0],
        Op::Update {
            filtered: false,
            ..
        }
    ));
    assert!(matches!(
        &pg("UPDATE a SET x = 1 WHERE id = 2")[0],
        Op::Update { filtered: true, .. }
    ));
}

#[test]
fn insert_select_names_source_and_target() {
    let ops = pg(
        r#"INSERT INTO "new_t" ("a", "b") SELECT (SELECT 1 FROM x), "b" FROM "s"."t" WHERE true"#,
    );
    assert!(matches!(&ops[0], Op::InsertSelect { table, source }
        if table.name == "new_t" && source.name == "t" && source.namespace.as_deref() == Some("s")));
    assert!(pg("INSERT INTO t (a) VALUES (1)").is_empty());
}

#[test]
fn create_index_forms() {
    let ops = pg(
        r#"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "ix" ON ONLY "public"."t" USING btree ("a", lower(b) DESC, c text_pattern_ops) WHERE a > 0"#,
    );
    let Op::CreateIndex(x) = &ops[0] else {
        panic!("{ops:?}")
    };
    assert_eq!(x.name.as_deref(), Some("ix"));
    assert!(x.unique && x.concurrently);
    assert!(is(&x.table, "public.t"));
    assert_eq!(x.keys, ["a", "(lower(b) desc)", "c"]);
    let ops = pg("CREATE INDEX ON t (a)");
    assert!(
        matches!(&ops[0], Op::CreateIndex(x) if x.name.is_none() && !x.unique && x.keys == ["a"])
    );
    let ops = my("CREATE FULLTEXT INDEX `ft` ON `t` (`body`(100))");
    assert!(matches!(&ops[0], Op::CreateIndex(x) if x.keys == ["body"]));
}

#[test]
fn create_table_columns_and_constraints() {
    let ops = pg(r#"CREATE TABLE IF NOT EXISTS "s"."items" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id bigint NOT NULL CONSTRAINT items_order_fk REFERENCES orders (id) ON DELETE SET DEFAULT,
        price numeric(10, 2) DEFAULT 0 CHECK (price >= 0),
        label character varying(20) UNIQUE,
        total numeric GENERATED ALWAYS AS (price * 2) STORED,
        seen timestamp with time zone DEFAULT now() NOT NULL,
        tags text[] DEFAULT ARRAY['a', 'b'],
        CONSTRAINT items_label_check CHECK (label <> ''),
        UNIQUE (order_id, label),
        FOREIGN KEY (order_id) REFERENCES orders
    )"#);
    let t = created(&ops);
    assert!(t.if_not_exists && !t.temporary && !t.derived);
    assert!(is(&t.table, "s.items"));
    let cols: Vec<(&str, &str)> = t
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.type_text.as_str()))
        .collect();
    assert_eq!(
        cols,
        [
            ("id", "bigint"),
            ("order_id", "bigint"),
            ("price", "numeric(10, 2)"),
            ("label", "character varying(20)"),
            ("total", "numeric"),
            ("seen", "timestamp with time zone"),
            ("tags", "text[]"),
        ]
    );
    let c = &t.columns;
    assert!(c[0].identity && c[0].primary_key && !c[0].generated);
    assert!(c[1].not_null && c[1].default.is_none());
    assert_eq!(c[1].constraint_names, ["items_order_fk"]);
    assert_eq!(
        c[1].references.as_ref().map(|r| r.0.name.as_str()),
        Some("orders")
    );
    assert_eq!(c[2].default.as_deref(), Some("0"));
    assert_eq!(c[2].check.as_deref(), Some("price >= 0"));
    assert!(c[3].unique);
    assert!(c[4].generated);
    assert_eq!(c[5].default.as_deref(), Some("now()"));
    assert!(c[5].not_null);
    assert_eq!(c[6].default.as_deref(), Some("ARRAY['a', 'b']"));
    assert_eq!(t.primary_key(), Some(vec!["id".to_string()]));
    assert_eq!(t.constraints.len(), 3);
    assert!(
        matches!(&t.constraints[0].kind, ConstraintKind::Check { expr } if expr == "label <> ''")
    );
    assert_eq!(t.constraints[0].name.as_deref(), Some("items_label_check"));
    assert!(
        matches!(&t.constraints[1].kind, ConstraintKind::Unique { columns, .. } if columns == &["order_id", "label"])
    );
    assert!(
        matches!(&t.constraints[2].kind, ConstraintKind::ForeignKey { columns, table, ref_columns }
        if columns == &["order_id"] && table.name == "orders" && ref_columns.is_empty())
    );
}

#[test]
fn create_table_mysql_and_sqlite_spellings() {
    let ops = my("CREATE TABLE `t` (
        `id` INT UNSIGNED NOT NULL AUTO_INCREMENT,
        `name` VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',
        `flag` TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'a, b',
        `at` DATETIME DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
        PRIMARY KEY (`id`),
        UNIQUE KEY `t_name` (`name`),
        KEY `t_flag` (`flag`, `at`),
        CONSTRAINT `t_fk` FOREIGN KEY (`id`) REFERENCES `u` (`id`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
    let t = created(&ops);
    let types: Vec<&str> = t.columns.iter().map(|c| c.type_text.as_str()).collect();
    assert_eq!(
        types,
        ["INT UNSIGNED", "VARCHAR(50)", "TINYINT(1)", "DATETIME"]
    );
    assert!(t.columns[0].identity && t.columns[0].not_null);
    assert_eq!(t.columns[1].default.as_deref(), Some("''"));
    assert_eq!(t.columns[3].default.as_deref(), Some("CURRENT_TIMESTAMP"));
    assert_eq!(t.primary_key(), Some(vec!["id".to_string()]));
    assert!(
        matches!(&t.constraints[1], Constraint { name: Some(n), kind: ConstraintKind::Unique { .. }, .. } if n == "t_name")
    );
    assert!(
        matches!(&t.constraints[2], Constraint { name: Some(n), kind: ConstraintKind::Index { keys }, .. } if n == "t_flag" && keys == &["flag", "at"])
    );
    assert!(
        matches!(&t.constraints[3], Constraint { name: Some(n), kind: ConstraintKind::ForeignKey { .. }, .. } if n == "t_fk")
    );

    let ops = read(
        "CREATE TABLE t (a INTEGER PRIMARY KEY AUTOINCREMENT, b, c TEXT NOT NULL) WITHOUT ROWID",
        Dialect::Sqlite,
    );
    let t = created(&ops);
    assert!(t.columns[0].primary_key && t.columns[0].identity);
    assert_eq!(t.columns[1].type_text, "");
    assert!(t.columns[2].not_null);
    // PostgreSQL allows a column named `index`.
    let t = pg("CREATE TABLE t (index integer, key text)");
    assert_eq!(created(&t).columns.len(), 2);
}

#[test]
fn derived_and_temporary_tables() {
    assert!(created(&pg("CREATE TABLE t AS SELECT * FROM s")).derived);
    assert!(created(&pg("CREATE TABLE t (a, b) AS SELECT 1, 2")).derived);
    assert!(created(&pg("CREATE TABLE t (LIKE s INCLUDING ALL)")).derived);
    assert!(created(&my("CREATE TABLE t LIKE s")).derived);
    assert!(created(&pg("CREATE TEMP TABLE t (a int)")).temporary);
    assert!(
        created(&pg("CREATE UNLOGGED TABLE t (a int)"))
            .columns
            .len()
            == 1
    );
}

#[test]
fn alter_table_actions_postgres() {
    let ops = pg(r#"ALTER TABLE IF EXISTS ONLY "public"."orders"
        ADD COLUMN IF NOT EXISTS "a" integer NOT NULL DEFAULT 0,
        ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES t (id) NOT VALID,
        ADD CONSTRAINT ck CHECK (a > 0) NOT VALID,
        ADD CONSTRAINT uq UNIQUE USING INDEX uq_idx,
        ADD PRIMARY KEY (id),
        DROP COLUMN IF EXISTS b CASCADE,
        DROP CONSTRAINT IF EXISTS c,
        ALTER COLUMN d SET DATA TYPE numeric(12, 2) USING d::numeric,
        ALTER e TYPE varchar(10) COLLATE "C",
        ALTER COLUMN f SET NOT NULL,
        ALTER COLUMN g DROP NOT NULL,
        ALTER COLUMN h SET DEFAULT nextval('s'),
        ALTER COLUMN i DROP DEFAULT,
        RENAME COLUMN j TO k"#);
    assert!(
        ops.iter()
            .all(|o| matches!(o, Op::Alter { table, .. } if is(table, "public.orders")))
    );
    let a = actions(&ops);
    assert_eq!(a.len(), 14);
    assert!(
        matches!(a[0], Action::AddColumn(c) if c.name == "a" && c.type_text == "integer" && c.not_null && c.default.as_deref() == Some("0"))
    );
    assert!(matches!(
        a[1],
        Action::AddConstraint(Constraint {
            kind: ConstraintKind::ForeignKey { .. },
            not_valid: true,
            ..
        })
    ));
    assert!(matches!(
        a[2],
        Action::AddConstraint(Constraint {
            kind: ConstraintKind::Check { .. },
            not_valid: true,
            ..
        })
    ));
    assert!(matches!(
        a[3],
        Action::AddConstraint(Constraint {
            kind: ConstraintKind::Unique {
                using_index: true,
                ..
            },
            ..
        })
    ));
    assert!(
        matches!(a[4], Action::AddConstraint(Constraint { kind: ConstraintKind::PrimaryKey { columns, using_index: false }, not_valid: false, .. }) if columns == &["id"])
    );
    assert!(matches!(a[5], Action::DropColumn(c) if c == "b"));
    assert!(matches!(a[6], Action::DropConstraint(c) if c == "c"));
    assert!(
        matches!(a[7], Action::AlterType { column, type_text } if column == "d" && type_text == "numeric(12, 2)")
    );
    assert!(
        matches!(a[8], Action::AlterType { column, type_text } if column == "e" && type_text == "varchar(10)")
    );
    assert!(matches!(a[9], Action::SetNotNull(c) if c == "f"));
    assert!(matches!(a[10], Action::DropNotNull(c) if c == "g"));
    assert!(
        matches!(a[11], Action::SetDefault { column, expr } if column == "h" && expr == "nextval('s')")
    );
    assert!(matches!(a[12], Action::DropDefault(c) if c == "i"));
    assert!(matches!(a[13], Action::RenameColumn { from, to } if from == "j" && to == "k"));
    let ops = pg("ALTER TABLE s.t RENAME TO u");
    assert!(matches!(&ops[0], Op::RenameTable { from, to } if is(from, "s.t") && is(to, "s.u")));
    let ops = pg("ALTER TABLE t RENAME CONSTRAINT a TO b; ALTER TABLE t VALIDATE CONSTRAINT b");
    assert!(
        matches!(actions(&ops)[..], [Action::RenameConstraint { .. }, Action::ValidateConstraint(n)] if n == "b")
    );
}

#[test]
fn alter_table_actions_mysql() {
    let ops = my("ALTER TABLE `shop`.`orders`
        MODIFY COLUMN `qty` BIGINT UNSIGNED NOT NULL DEFAULT 1 AFTER `id`,
        CHANGE `note` `remark` VARCHAR(200) NULL,
        ADD UNIQUE INDEX `uq` (`code`),
        ADD FULLTEXT KEY `ft` (`body`),
        ADD INDEX (`a`, `b`),
        DROP FOREIGN KEY `fk`,
        DROP INDEX `ix`,
        DROP PRIMARY KEY,
        DROP `old`,
        RENAME INDEX `a` TO `b`,
        CONVERT TO CHARACTER SET utf8mb4,
        ALGORITHM = INPLACE, LOCK=NONE");
    let a = actions(&ops);
    assert!(
        matches!(a[0], Action::Modify(c) if c.name == "qty" && c.type_text == "BIGINT UNSIGNED" && c.not_null)
    );
    assert!(
        matches!(a[1], Action::Change { old, def } if old == "note" && def.name == "remark" && def.type_text == "VARCHAR(200)")
    );
    assert!(
        matches!(a[2], Action::AddConstraint(Constraint { name: Some(n), kind: ConstraintKind::Unique { columns, .. }, .. }) if n == "uq" && columns == &["code"])
    );
    assert!(
        matches!(a[3], Action::AddConstraint(Constraint { name: Some(n), kind: ConstraintKind::Index { .. }, .. }) if n == "ft")
    );
    assert!(
        matches!(a[4], Action::AddConstraint(Constraint { name: None, kind: ConstraintKind::Index { keys }, .. }) if keys == &["a", "b"])
    );
    assert!(matches!(a[5], Action::DropConstraint(n) if n == "fk"));
    assert!(matches!(a[6], Action::DropConstraint(n) if n == "ix"));
    assert!(matches!(a[7], Action::DropPrimaryKey));
    assert!(matches!(a[8], Action::DropColumn(c) if c == "old"));
    assert!(matches!(a[9], Action::RenameConstraint { .. }));
    assert!(matches!(a[10], Action::ConvertCharset));
    assert!(matches!(a[11], Action::Algorithm(x) if x == "inplace"));
    assert!(matches!(a[12], Action::Lock(x) if x == "none"));
    let ops = my("RENAME TABLE a TO b, c TO d.e");
    assert_eq!(ops.len(), 2);
    assert!(matches!(&ops[1], Op::RenameTable { to, .. } if is(to, "d.e")));
    let ops = my("ALTER TABLE a RENAME b");
    assert!(matches!(&ops[0], Op::RenameTable { to, .. } if to.name == "b"));
}

#[test]
fn routine_bodies_are_not_read_as_migration_statements() {
    assert!(my("CREATE TRIGGER trg AFTER INSERT ON t FOR EACH ROW BEGIN DELETE FROM log; DROP TABLE x; END").is_empty());
    assert!(my("CREATE DEFINER=`root`@`%` PROCEDURE p() BEGIN TRUNCATE t; END").is_empty());
    assert!(
        pg("CREATE OR REPLACE FUNCTION f() RETURNS void AS $$ DELETE FROM t $$ LANGUAGE sql")
            .is_empty()
    );
    assert!(pg("DO $$ BEGIN DROP TABLE t; END $$").is_empty());
    // A table named like a routine kind is still a table.
    assert!(matches!(
        &pg("CREATE TABLE event (id int)")[..],
        [Op::CreateTable(_)]
    ));
    assert!(matches!(
        &pg("CREATE TABLE t (trigger text)")[..],
        [Op::CreateTable(_)]
    ));
}

#[test]
fn lock_timeouts() {
    assert!(matches!(
        pg("SET lock_timeout = '5s'")[..],
        [Op::SetLockTimeout]
    ));
    assert!(matches!(
        pg("SET LOCAL lock_timeout TO 5000")[..],
        [Op::SetLockTimeout]
    ));
    assert!(matches!(
        my("SET SESSION innodb_lock_wait_timeout = 5")[..],
        [Op::SetLockTimeout]
    ));
    assert!(matches!(
        my("SET @@session.lock_wait_timeout = 5")[..],
        [Op::SetLockTimeout]
    ));
    assert!(pg("SET lock_timeout = 0").is_empty());
    assert!(pg("SET statement_timeout = '5s'").is_empty());
}

#[test]
fn garbage_never_panics_and_yields_nothing_useful() {
    let inputs = [
        "",
        " ",
        ";;;",
        "'unclosed",
        "\"unclosed",
        "`unclosed",
        "[unclosed",
        "$$unclosed",
        "$tag$ unclosed $other$",
        "/* unclosed",
        "-- only a comment",
        "E'\\",
        "'\\",
        "CREATE",
        "CREATE TABLE",
        "CREATE TABLE t (",
        "CREATE TABLE t (a int,, , CONSTRAINT",
        "CREATE INDEX ON",
        "CREATE INDEX i ON t (",
        "ALTER TABLE",
        "ALTER TABLE t",
        "ALTER TABLE t ADD",
        "ALTER TABLE t ADD CONSTRAINT",
        "ALTER TABLE t ADD CONSTRAINT c FOREIGN KEY (a) REFERENCES",
        "ALTER TABLE t ALTER COLUMN",
        "ALTER TABLE t ALTER COLUMN c TYPE",
        "ALTER TABLE t RENAME",
        "ALTER TABLE t RENAME COLUMN a",
        "ALTER TABLE t ALGORITHM =",
        "ALTER TABLE t CHANGE a",
        "DROP TABLE",
        "DROP INDEX",
        "TRUNCATE",
        "DELETE FROM",
        "INSERT INTO t SELECT",
        "RENAME TABLE a TO",
        "SET lock_timeout",
        ")))(((",
        "ALTER TABLE t ADD COLUMN c int DEFAULT (((",
        "ALTER TABLE t ADD COLUMN c int CHECK",
        "\u{0}\u{1}\u{ff}é中文 DROP TABLE 表",
        "DROP TABLE \"é\"; DROP TABLE `中`",
    ];
    for dialect in [
        Dialect::Postgres,
        Dialect::Mysql,
        Dialect::Sqlite,
        Dialect::Other,
    ] {
        for sql in inputs {
            let _ = read(sql, dialect);
        }
        // Every prefix of a real statement, cut at any character.
        let real = r#"CREATE TABLE "a" (b int DEFAULT 'x;y' CHECK (b > 0), CONSTRAINT c FOREIGN KEY (b) REFERENCES d (e) NOT VALID) -- x"#;
        for (k, _) in real.char_indices() {
            let _ = read(&real[..k], dialect);
        }
    }
    assert!(pg("SELECT 1").is_empty());
    assert!(pg("GRANT SELECT ON t TO u").is_empty());
    assert!(
        matches!(&pg("\u{ff}é中文 ; DROP TABLE 表")[..], [Op::DropTable(t)] if t[0].name == "表")
    );
}
