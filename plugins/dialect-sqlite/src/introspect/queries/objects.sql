-- Every user object of the main schema with its stored SQL, in creation order.
-- Internal tables (sqlite_%), shadow tables of virtual tables and UNIQUE/PRIMARY KEY
-- autoindexes (sql IS NULL) are left out.
SELECT s.type, s.name, s.tbl_name, s.sql,
       coalesce(l.type, s.type) AS table_kind
FROM sqlite_schema AS s
LEFT JOIN pragma_table_list AS l ON l.schema = 'main' AND l.name = s.name
WHERE s.name NOT LIKE 'sqlite\_%' ESCAPE '\'
  AND s.sql IS NOT NULL
  AND coalesce(l.type, '') <> 'shadow'
ORDER BY s.rowid
