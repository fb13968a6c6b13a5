-- Key columns of every index of every ordinary table. origin: c = CREATE INDEX,
-- u = UNIQUE constraint, pk = PRIMARY KEY; cid -2 marks an expression, -1 the rowid.
SELECT t.name AS table_name, il.name AS index_name, il."unique" AS is_unique, il.origin,
       x.seqno, x.cid, x.name AS column_name, x."desc" AS descending
FROM pragma_table_list AS t
JOIN pragma_index_list(t.name, t.schema) AS il
JOIN pragma_index_xinfo(il.name) AS x
WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
  AND x.key = 1
ORDER BY t.name, il.name, x.seqno
