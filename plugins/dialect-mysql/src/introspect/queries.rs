//! The catalog queries, one per catalog, for the connection's current database (`DATABASE()`).
//! Every result column is aliased in lower case so MySQL 8 and MariaDB name them alike.
//! Each can be tried as is with `mariadb -h 127.0.0.1 -u root DB -e '...'`.

pub const SERVER: &str = "SELECT VERSION() AS version, DATABASE() AS db";

pub const TABLES: &str = "\
SELECT TABLE_NAME AS name, ENGINE AS engine, TABLE_COLLATION AS collation,
       CREATE_OPTIONS AS create_options, TABLE_COMMENT AS comment
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'";

pub const COLUMNS: &str = "\
SELECT TABLE_NAME AS table_name, COLUMN_NAME AS name, ORDINAL_POSITION AS position,
       COLUMN_TYPE AS column_type, DATA_TYPE AS data_type, IS_NULLABLE AS nullable,
       COLUMN_DEFAULT AS column_default, EXTRA AS extra, COLLATION_NAME AS collation,
       COLUMN_COMMENT AS comment, GENERATION_EXPRESSION AS generation
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE()";

/// `{expression}` is `EXPRESSION` on MySQL 8 (functional key parts) and `NULL` on MariaDB.
pub const STATISTICS: &str = "\
SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, NON_UNIQUE AS non_unique,
       SEQ_IN_INDEX AS seq, COLUMN_NAME AS column_name, {expression} AS expression,
       COLLATION AS collation, SUB_PART AS sub_part, INDEX_TYPE AS index_type,
       INDEX_COMMENT AS comment
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()";

pub const FOREIGN_KEYS: &str = "\
SELECT rc.TABLE_NAME AS table_name, rc.CONSTRAINT_NAME AS name,
       rc.UPDATE_RULE AS update_rule, rc.DELETE_RULE AS delete_rule,
       k.COLUMN_NAME AS column_name, k.ORDINAL_POSITION AS position,
       k.REFERENCED_TABLE_SCHEMA AS ref_schema, k.REFERENCED_TABLE_NAME AS ref_table,
       k.REFERENCED_COLUMN_NAME AS ref_column
FROM information_schema.REFERENTIAL_CONSTRAINTS rc
JOIN information_schema.KEY_COLUMN_USAGE k
  ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.TABLE_NAME = rc.TABLE_NAME
 AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME
WHERE rc.CONSTRAINT_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL";

/// MariaDB names a check's table in CHECK_CONSTRAINTS (names are per table there).
pub const CHECKS_MARIADB: &str = "\
SELECT TABLE_NAME AS table_name, CONSTRAINT_NAME AS name, CHECK_CLAUSE AS clause, LEVEL AS level
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE()";

/// MySQL 8 names checks per schema and gives their table in TABLE_CONSTRAINTS.
pub const CHECKS_MYSQL: &str = "\
SELECT tc.TABLE_NAME AS table_name, cc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS clause
FROM information_schema.CHECK_CONSTRAINTS cc
JOIN information_schema.TABLE_CONSTRAINTS tc
  ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME
 AND tc.CONSTRAINT_TYPE = 'CHECK'
WHERE cc.CONSTRAINT_SCHEMA = DATABASE()";

pub const VIEWS: &str = "\
SELECT TABLE_NAME AS name, VIEW_DEFINITION AS definition, CHECK_OPTION AS check_option,
       {algorithm} AS algorithm, SECURITY_TYPE AS security
FROM information_schema.VIEWS
WHERE TABLE_SCHEMA = DATABASE()";

pub const TRIGGERS: &str = "\
SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS table_name, ACTION_TIMING AS timing,
       EVENT_MANIPULATION AS event, ACTION_ORDER AS action_order, ACTION_STATEMENT AS body
FROM information_schema.TRIGGERS
WHERE TRIGGER_SCHEMA = DATABASE()";

pub const ROUTINES: &str = "\
SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS kind, DTD_IDENTIFIER AS return_type,
       ROUTINE_DEFINITION AS body, IS_DETERMINISTIC AS is_deterministic,
       SQL_DATA_ACCESS AS data_access, SECURITY_TYPE AS security_type, ROUTINE_COMMENT AS comment
FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE IN ('FUNCTION', 'PROCEDURE')";

pub const PARAMETERS: &str = "\
SELECT SPECIFIC_NAME AS routine, ROUTINE_TYPE AS kind, ORDINAL_POSITION AS position,
       PARAMETER_MODE AS mode, PARAMETER_NAME AS name, DTD_IDENTIFIER AS data_type
FROM information_schema.PARAMETERS
WHERE SPECIFIC_SCHEMA = DATABASE() AND ORDINAL_POSITION > 0";
