-- Composite types (CREATE TYPE ... AS (...)): attributes as [name, type, collation] arrays.
SELECT n.nspname AS namespace, t.typname AS name,
       (SELECT json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod),
                  CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation THEN
                       CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname
                            ELSE cn.nspname || '.' || co.collname END END)
               ORDER BY a.attnum)
        FROM pg_attribute a
        JOIN pg_type at ON at.oid = a.atttypid
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
        WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)::text AS attributes,
       obj_description(t.oid, 'pg_type') AS comment
FROM pg_type t
JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'c'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                  AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY n.nspname, t.typname
