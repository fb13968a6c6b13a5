-- Views and materialized views, with the relations each one reads (for dependency order).
SELECT c.oid::int8 AS oid, n.nspname AS namespace, c.relname AS name, c.relkind::text AS kind,
       pg_get_viewdef(c.oid, true) AS definition,
       obj_description(c.oid, 'pg_class') AS comment,
       array_to_json(c.reloptions)::text AS options,
       (SELECT string_agg(DISTINCT d.refobjid::text, ',')
        FROM pg_rewrite r
        JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
         AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> c.oid
        WHERE r.ev_class = c.oid) AS depends_on
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_class'::regclass
                  AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY n.nspname, c.relname
