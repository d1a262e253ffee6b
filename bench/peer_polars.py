"""The same indicators as `kaohe ingest` (online volume and overdue cases per unit, period 2021),
with polars: python peer_polars.py CASES.csv CALENDAR.csv OUT.json [OVERDUE.csv]

With OVERDUE.csv it also writes the overdue list, as `kaohe ingest` writes overdue.csv: one row
per overdue case with its id, unit, item, acceptance, limit, deadline, completion, calendar and
working days late, and its source row."""
import json, sys
import polars as pl

cases, calendar, out = sys.argv[1:4]
overdue_out = sys.argv[4] if len(sys.argv) > 4 else None
start, end = pl.date(2021, 1, 1), pl.date(2021, 12, 31)
cal = pl.read_csv(calendar, schema={"date": pl.Date, "working": pl.Boolean, "cum": pl.Int64}).lazy()
wd = cal.filter(pl.col("working")).select(pl.col("cum").alias("k"), pl.col("date").alias("wd"))
df = (
    pl.scan_csv(cases, infer_schema=False)
    .with_row_index("row", offset=2)
    .select(
        pl.col("row"),
        pl.col("办件编号").alias("case_id"),
        pl.col("事项编码").alias("item_code"),
        pl.col("事项名称").alias("item_name"),
        pl.col("受理时间").alias("accepted_at"),
        pl.col("承诺时限").alias("limit_n"),
        pl.col("时限单位").alias("limit_unit"),
        pl.col("办结时间").alias("completed_at"),
        pl.col("行政区划").alias("unit"),
        pl.col("申报来源").alias("ch"),
        pl.col("受理时间").str.slice(0, 10).str.to_date("%Y-%m-%d").alias("acc"),
        pl.when(pl.col("办件类型") == "1").then(0).otherwise(pl.col("承诺时限").cast(pl.Int64)).alias("n"),
        (pl.col("时限单位") == "自然日").alias("natural"),
        pl.col("办结时间").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias("done"),
    )
    .filter(pl.col("ch").is_in(["2", "3"]) & pl.col("acc").is_between(start, end))
    .join(cal.select(pl.col("date").alias("acc"), pl.col("cum").alias("cum_a")), on="acc")
    .with_columns((pl.col("acc") + pl.duration(days=pl.col("n"))).alias("nat"))
    .join(cal.select(pl.col("date").alias("nat"), pl.col("working").alias("nat_w"), pl.col("cum").alias("nat_cum")), on="nat", how="left")
    .with_columns(
        pl.when(pl.col("natural"))
        .then(pl.when(pl.col("nat_w")).then(None).otherwise(pl.col("nat_cum") + 1))
        .otherwise(pl.when(pl.col("n") == 0).then(None).otherwise(pl.col("cum_a") + pl.col("n")))
        .alias("k")
    )
    .join(wd, on="k", how="left")
    .with_columns(
        pl.when(pl.col("natural"))
        .then(pl.when(pl.col("nat_w")).then(pl.col("nat")).otherwise(pl.col("wd")))
        .otherwise(pl.when(pl.col("n") == 0).then(pl.col("acc")).otherwise(pl.col("wd")))
        .alias("due")
    )
    .with_columns(
        pl.when(pl.col("done").is_null()).then(pl.col("due") < end).otherwise(pl.col("done") > pl.col("due")).alias("late")
    )
)
if overdue_out:
    df = df.collect()
    days = cal.collect()
    late = (
        df.filter(pl.col("late"))
        .with_columns(pl.coalesce(pl.col("done"), end).alias("until"))
        .join(days.select(pl.col("date").alias("due"), pl.col("cum").alias("cum_due")), on="due", how="left")
        .join(days.select(pl.col("date").alias("until"), pl.col("cum").alias("cum_until")), on="until", how="left")
    )
    late.select(
        "case_id", "unit", "item_code", "item_name", "accepted_at",
        (pl.col("limit_n").fill_null("0") + pl.col("limit_unit").fill_null("工作日")).alias("limit"),
        pl.col("due").alias("deadline"),
        pl.lit(0).alias("extension_working_days"),
        pl.col("completed_at").fill_null("未办结"),
        (pl.col("until") - pl.col("due")).dt.total_days().alias("days_late"),
        (pl.col("cum_until") - pl.col("cum_due")).alias("working_days_late"),
        (pl.lit(cases.split("/")[-1] + " 第") + pl.col("row").cast(pl.String) + pl.lit("行")).alias("source"),
    ).write_csv(overdue_out)
    df = df.lazy()
df = df.group_by("unit").agg(pl.len().alias("online_volume"), pl.col("late").sum().alias("overdue_cases")).collect()
json.dump({r["unit"]: [int(r["online_volume"]), int(r["overdue_cases"])] for r in df.iter_rows(named=True)}, open(out, "w"))
