-- Collations created in user schemas; the whole row as JSON, whose columns vary by version
-- (colliculocale in 15 and 16, colllocale from 17).
SELECT n.nspname AS namespace, co.collname AS name, to_jsonb(co)::text AS row
FROM pg_collation co
JOIN pg_namespace n ON n.oid = co.collnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_collation'::regclass
                  AND d.objid = co.oid AND d.deptype = 'e')
ORDER BY n.nspname, co.collname
