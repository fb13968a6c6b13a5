-- Extensions (plpgsql is in every database) and the extensions each one requires.
SELECT e.oid::int8 AS oid, e.extname AS name, n.nspname AS namespace,
       (SELECT string_agg(d.refobjid::text, ',' ORDER BY d.refobjid)
        FROM pg_depend d
        WHERE d.classid = 'pg_extension'::regclass AND d.objid = e.oid
          AND d.refclassid = 'pg_extension'::regclass) AS requires
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY e.extname
