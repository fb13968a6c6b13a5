-- Indexes of tables and materialized views that do not back a constraint and are not a
-- partition's share of a partitioned index. `keys` is a JSON array with one array per index
-- column: [attnum (0 for an expression), column name or expression, indoption bits,
-- opclass namespace, opclass name, opclass is default, collation namespace, collation name].
SELECT i.indrelid::int8 AS table_oid, n.nspname AS namespace, c.relname AS table_name,
       c.relkind::text AS table_kind, ic.relname AS name, i.indisunique AS is_unique,
       am.amname AS method, i.indnkeyatts AS key_count,
       (SELECT json_agg(json_build_array(
                  i.indkey[k],
                  CASE WHEN i.indkey[k] <> 0 THEN a.attname
                       ELSE pg_get_indexdef(i.indexrelid, k + 1, false) END,
                  i.indoption[k], ocn.nspname, oc.opcname, oc.opcdefault,
                  CASE WHEN i.indcollation[k] <> 0
                        AND i.indcollation[k] <> coalesce(a.attcollation, 100) THEN kcn.nspname END,
                  CASE WHEN i.indcollation[k] <> 0
                        AND i.indcollation[k] <> coalesce(a.attcollation, 100) THEN kc.collname END)
               ORDER BY k)
        FROM generate_series(0, i.indnatts - 1) k
        LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k]
                                 AND i.indkey[k] <> 0
        LEFT JOIN pg_opclass oc ON oc.oid = i.indclass[k] AND k < i.indnkeyatts
        LEFT JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
        LEFT JOIN pg_collation kc ON kc.oid = i.indcollation[k] AND k < i.indnkeyatts
        LEFT JOIN pg_namespace kcn ON kcn.oid = kc.collnamespace)::text AS keys,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       ic.reloptions IS NOT NULL OR ic.reltablespace <> 0
         OR pg_get_indexdef(i.indexrelid) LIKE '%NULLS NOT DISTINCT%' AS has_options,
       pg_get_indexdef(i.indexrelid) AS definition,
       obj_description(i.indexrelid, 'pg_class') AS comment
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid
                  AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))
  AND NOT EXISTS (SELECT 1 FROM pg_inherits inh WHERE inh.inhrelid = i.indexrelid)
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_class'::regclass
                  AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY n.nspname, c.relname, ic.relname
