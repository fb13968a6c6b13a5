-- Primary keys, uniques, checks, foreign keys and exclusion constraints of every table.
-- `plain` is true when the definition is exactly what the model can say (no INCLUDE,
-- DEFERRABLE, index options, NULLS NOT DISTINCT...): the key columns and nothing else.
SELECT co.conrelid::int8 AS table_oid, n.nspname AS namespace, c.relname AS table_name,
       co.conname AS name, co.contype::text AS kind,
       pg_get_constraintdef(co.oid) AS definition,
       (SELECT json_agg(a.attname ORDER BY k.ord)
        FROM unnest(co.conkey) WITH ORDINALITY k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum)::text AS columns,
       pg_get_constraintdef(co.oid) = CASE co.contype WHEN 'p' THEN 'PRIMARY KEY (' ELSE 'UNIQUE (' END
         || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord)
             FROM unnest(co.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum) || ')' AS plain,
       rn.nspname AS ref_namespace, rc.relname AS ref_name,
       (SELECT json_agg(a.attname ORDER BY k.ord)
        FROM unnest(co.confkey) WITH ORDINALITY k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.attnum)::text AS ref_columns,
       co.confupdtype::text AS on_update, co.confdeltype::text AS on_delete,
       co.confmatchtype::text AS match_type, co.condeferrable AS deferrable,
       co.condeferred AS deferred, co.convalidated AS validated, co.conislocal AS is_local,
       co.connoinherit AS no_inherit, co.conparentid::int8 AS parent_oid,
       obj_description(co.oid, 'pg_constraint') AS comment
FROM pg_constraint co
JOIN pg_class c ON c.oid = co.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = co.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE c.relkind IN ('r', 'p') AND co.contype IN ('p', 'u', 'c', 'f', 'x')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_class'::regclass
                  AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY co.conrelid, co.conname
