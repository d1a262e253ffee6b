"""The same indicators as `kaohe ingest` with duckdb: python peer_duckdb.py CASES.csv CALENDAR.csv OUT.json THREADS"""
import json, sys
import duckdb

cases, calendar, out = sys.argv[1:4]
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 0
con = duckdb.connect()
if threads:
    con.execute(f"SET threads TO {threads}")
con.execute(f"CREATE TABLE cal AS SELECT * FROM read_csv('{calendar}', header=true, columns={{'date':'DATE','working':'BOOLEAN','cum':'BIGINT'}})")
rows = con.execute(f"""
WITH c AS (
  SELECT "行政区划" AS unit,
         CAST(substr("受理时间", 1, 10) AS DATE) AS acc,
         CASE WHEN "办件类型" = '1' THEN 0 ELSE CAST("承诺时限" AS INTEGER) END AS n,
         "时限单位" = '自然日' AS is_natural,
         TRY_CAST(substr("办结时间", 1, 10) AS DATE) AS done
  FROM read_csv('{cases}', header=true, all_varchar=true)
  WHERE "申报来源" IN ('2', '3')
), p AS (
  SELECT * FROM c WHERE acc BETWEEN DATE '2021-01-01' AND DATE '2021-12-31'
), d AS (
  SELECT p.*, ca.cum AS cum_a, CAST(p.acc + p.n * INTERVAL 1 DAY AS DATE) AS nat FROM p JOIN cal ca ON ca.date = p.acc
), e AS (
  SELECT d.*, cn.working AS nat_w, cn.cum AS nat_cum FROM d LEFT JOIN cal cn ON cn.date = d.nat
), f AS (
  SELECT e.*, CASE WHEN is_natural THEN (CASE WHEN nat_w THEN NULL ELSE nat_cum + 1 END)
                   ELSE (CASE WHEN n = 0 THEN NULL ELSE cum_a + n END) END AS k FROM e
), g AS (
  SELECT f.*, CASE WHEN is_natural THEN (CASE WHEN nat_w THEN nat ELSE w.date END)
                   ELSE (CASE WHEN n = 0 THEN acc ELSE w.date END) END AS due
  FROM f LEFT JOIN (SELECT cum, date FROM cal WHERE working) w ON w.cum = f.k
)
SELECT unit, count(*) AS online_volume,
       sum(CASE WHEN done IS NULL THEN CAST(due < DATE '2021-12-31' AS INTEGER) ELSE CAST(done > due AS INTEGER) END) AS overdue_cases
FROM g GROUP BY unit
""").fetchall()
json.dump({u: [int(v), int(o)] for u, v, o in rows}, open(out, "w"))
