-- Functions, procedures and aggregates. `relations` lists the tables and views whose row type
-- the signature uses (such a function can only be created after them); `calls` the other
-- functions this one depends on (defaults, SQL-standard bodies).
SELECT p.oid::int8 AS oid, n.nspname AS namespace, p.proname AS name, p.prokind::text AS kind,
       pg_get_function_identity_arguments(p.oid) AS identity_args,
       CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
       obj_description(p.oid, 'pg_proc') AS comment,
       (SELECT jsonb_agg(DISTINCT jsonb_build_array(rn.nspname, r.relname, r.relkind::text))
        FROM pg_type ty
        JOIN pg_class r ON r.oid = ty.typrelid AND r.relkind IN ('r', 'p', 'v', 'm', 'f')
        JOIN pg_namespace rn ON rn.oid = r.relnamespace
        WHERE ty.oid = ANY (p.proargtypes::oid[] || p.prorettype || coalesce(p.proallargtypes, '{}'))
           OR ty.typarray = ANY (p.proargtypes::oid[] || p.prorettype
                                 || coalesce(p.proallargtypes, '{}')))::text AS relations,
       (SELECT string_agg(DISTINCT d.refobjid::text, ',') FROM pg_depend d
        WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
          AND d.refclassid = 'pg_proc'::regclass AND d.deptype = 'n') AS calls
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)
