-- Text search dictionaries created in user schemas.
SELECT n.nspname AS namespace, d.dictname AS name, tn.nspname AS template_namespace,
       t.tmplname AS template, d.dictinitoption AS options
FROM pg_ts_dict d
JOIN pg_namespace n ON n.oid = d.dictnamespace
JOIN pg_ts_template t ON t.oid = d.dicttemplate
JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_ts_dict'::regclass
                  AND x.objid = d.oid AND x.deptype = 'e')
ORDER BY n.nspname, d.dictname
