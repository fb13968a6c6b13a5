-- Columns of every ordinary table, generated ones included (hidden 2 = virtual, 3 = stored).
SELECT t.name AS table_name, c.cid, c.name, c.type, c."notnull" AS not_null,
       c.dflt_value, c.pk, c.hidden
FROM pragma_table_list AS t
JOIN pragma_table_xinfo(t.name, t.schema) AS c
WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY t.name, c.cid
