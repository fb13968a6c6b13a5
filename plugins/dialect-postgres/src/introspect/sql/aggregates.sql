-- Aggregates: the parts CREATE AGGREGATE needs, and `simple`, false when the aggregate uses
-- something this plugin does not rebuild (moving-aggregate mode, serial functions,
-- ordered-set or hypothetical kinds, FINALFUNC_EXTRA, non-default FINALFUNC_MODIFY).
SELECT p.oid::int8 AS oid, n.nspname AS namespace, p.proname AS name,
       pg_get_function_arguments(p.oid) AS args,
       pg_get_function_identity_arguments(p.oid) AS identity_args,
       tn.nspname AS sfunc_namespace, tf.proname AS sfunc,
       format_type(a.aggtranstype, NULL) AS stype,
       NULLIF(a.aggtransspace, 0) AS sspace,
       fn.nspname AS finalfunc_namespace, ff.proname AS finalfunc,
       cfn.nspname AS combinefunc_namespace, cf.proname AS combinefunc,
       a.agginitval AS initcond,
       CASE WHEN a.aggsortop <> 0 THEN a.aggsortop::regoperator::text END AS sortop,
       p.proparallel::text AS parallel,
       (a.aggkind = 'n' AND a.aggmtransfn = 0 AND a.aggserialfn = 0 AND a.aggdeserialfn = 0
        AND NOT a.aggfinalextra AND a.aggfinalmodify = 'r') AS simple,
       obj_description(p.oid, 'pg_proc') AS comment
FROM pg_aggregate a
JOIN pg_proc p ON p.oid = a.aggfnoid
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_proc tf ON tf.oid = a.aggtransfn
JOIN pg_namespace tn ON tn.oid = tf.pronamespace
LEFT JOIN pg_proc ff ON ff.oid = a.aggfinalfn
LEFT JOIN pg_namespace fn ON fn.oid = ff.pronamespace
LEFT JOIN pg_proc cf ON cf.oid = a.aggcombinefn
LEFT JOIN pg_namespace cfn ON cfn.oid = cf.pronamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)
