-- Domains with their defaults, collations and check constraints ([name, definition] pairs).
SELECT n.nspname AS namespace, t.typname AS name,
       format_type(t.typbasetype, t.typtypmod) AS base_type, t.typnotnull AS not_null,
       pg_get_expr(t.typdefaultbin, 0) AS default_expr,
       CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation THEN
            CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname
                 ELSE cn.nspname || '.' || co.collname END
       END AS collation,
       (SELECT json_agg(json_build_array(c.conname, pg_get_constraintdef(c.oid)) ORDER BY c.conname)
        FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c')::text AS checks,
       obj_description(t.oid, 'pg_type') AS comment
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
WHERE t.typtype = 'd'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                  AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY n.nspname, t.typname
