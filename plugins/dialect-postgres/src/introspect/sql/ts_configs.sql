-- Text search configurations: parser, and each token type's dictionaries in order
-- (a JSON array of [token alias, [[dictionary namespace, dictionary name], ...]]).
SELECT n.nspname AS namespace, c.cfgname AS name, pn.nspname AS parser_namespace,
       p.prsname AS parser,
       (SELECT json_agg(json_build_array(m.alias, m.dicts) ORDER BY m.tokid)
        FROM (SELECT tt.tokid, tt.alias,
                     json_agg(json_build_array(dn.nspname, d.dictname) ORDER BY cm.mapseqno) AS dicts
              FROM pg_ts_config_map cm
              JOIN ts_token_type(c.cfgparser) tt ON tt.tokid = cm.maptokentype
              JOIN pg_ts_dict d ON d.oid = cm.mapdict
              JOIN pg_namespace dn ON dn.oid = d.dictnamespace
              WHERE cm.mapcfg = c.oid
              GROUP BY tt.tokid, tt.alias) m)::text AS mappings
FROM pg_ts_config c
JOIN pg_namespace n ON n.oid = c.cfgnamespace
JOIN pg_ts_parser p ON p.oid = c.cfgparser
JOIN pg_namespace pn ON pn.oid = p.prsnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_ts_config'::regclass
                  AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY n.nspname, c.cfgname
