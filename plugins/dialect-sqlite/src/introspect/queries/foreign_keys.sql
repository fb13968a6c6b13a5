-- Foreign keys as SQLite enforces them, used when a table's CREATE text cannot be read.
SELECT t.name AS table_name, f.id, f.seq, f."table" AS parent, f."from" AS from_column,
       f."to" AS to_column, f.on_update, f.on_delete
FROM pragma_table_list AS t
JOIN pragma_foreign_key_list(t.name, t.schema) AS f
WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY t.name, f.id, f.seq
