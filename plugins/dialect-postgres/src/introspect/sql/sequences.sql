-- Sequences, with the column that owns one (`a`: serial or OWNED BY; `i`: identity) and the
-- default a `serial` column using it would have.
SELECT n.nspname AS namespace, c.relname AS name, format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value,
       s.seqmax AS max_value, s.seqcache AS cache, s.seqcycle AS cycle,
       own.refobjid::int8 AS owner_table, own.refobjsubid AS owner_column,
       own.deptype::text AS owner_kind,
       'nextval(' || quote_literal(c.oid::regclass::text) || '::regclass)' AS serial_default
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend own ON own.classid = 'pg_class'::regclass AND own.objid = c.oid
     AND own.refclassid = 'pg_class'::regclass AND own.deptype IN ('a', 'i')
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname, c.relname
