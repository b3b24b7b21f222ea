"""The DuckDB reference for the monitoring report: the same line aggregates
(per product group: amount, providers, top-3/top-10 share, distinct clients;
per municipality: spend, distinct clients) over a CSV of approved lines.
Loading the CSV is not timed; the queries are. The largest region's time is
the median of RUNS runs, as zorgregie's is. Prints JSON seconds."""

import json
import statistics
import sys
import time

import duckdb

csv_path, largest = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(
    "CREATE TABLE lines AS SELECT * FROM read_csv(?, header = true, "
    "columns = {'region_id': 'VARCHAR', 'product_group_id': 'VARCHAR', "
    "'municipality_id': 'VARCHAR', 'provider': 'VARCHAR', 'client_key': 'VARCHAR', "
    "'amount_cents': 'BIGINT'})",
    [csv_path],
)


def report(where):
    queries = [
        f"""WITH p AS (SELECT region_id, product_group_id, provider, SUM(amount_cents) AS amount
                     FROM lines {where} GROUP BY ALL),
                r AS (SELECT *, row_number() OVER (PARTITION BY region_id, product_group_id
                                                  ORDER BY amount DESC) AS rank FROM p)
           SELECT region_id, product_group_id, SUM(amount), COUNT(*),
                  SUM(amount) FILTER (WHERE rank <= 3) / SUM(amount),
                  SUM(amount) FILTER (WHERE rank <= 10) / SUM(amount)
           FROM r GROUP BY ALL""",
        f"SELECT region_id, product_group_id, COUNT(DISTINCT client_key) FROM lines {where} GROUP BY ALL",
        f"""SELECT region_id, municipality_id, SUM(amount_cents), COUNT(DISTINCT client_key)
           FROM lines {where} GROUP BY ALL""",
    ]
    start = time.perf_counter()
    for q in queries:
        con.execute(q).fetchall()
    return time.perf_counter() - start


RUNS = 5
largest_s = statistics.median(report(f"WHERE region_id = '{largest}'") for _ in range(RUNS))
all_s = report("")
print(json.dumps({"largest": largest_s, "all": all_s}))
