"""Generates synthetic platform exports (示例数据) for the 17 demo units:
examples/rudong-2021-platform/exports/{办件.csv (GBK), 事项认领.csv (GBK), 满意度测评.csv (UTF-8)}, and the
batch files beside them (copied from examples/rudong-2021, with metrics.csv reduced to what the
platforms do not compute: guide_defects).

Deterministic (a fixed LCG); deadlines are computed here independently of kaohe, from
calendars/2020-2026.toml, so that the designed overdue counts are a cross-check of the Rust code.
Run: python3 tools/gen_platform.py
"""
import csv, datetime as dt, io, pathlib, shutil, tomllib

root = pathlib.Path(__file__).resolve().parent.parent
src = root / "examples/rudong-2021"
out = root / "examples/rudong-2021-platform"
exp = out / "exports"
exp.mkdir(parents=True, exist_ok=True)

cal = tomllib.loads((root / "calendars/2020-2026.toml").read_text())
hol, extra = set(), set()
for y in cal.values():
    hol |= {dt.date.fromisoformat(d) for d in y["holidays"]}
    extra |= {dt.date.fromisoformat(d) for d in y["extra_workdays"]}


def working(d):
    return d in extra or (d.weekday() < 5 and d not in hol)


def add_wd(d, n):
    while n > 0:
        d += dt.timedelta(days=1)
        if working(d):
            n -= 1
    return d


seed = 20211231


def rnd(n):
    global seed
    seed = (seed * 6364136223846793005 + 1442695040888963407) % 2**64
    return (seed >> 33) % n


units = list(csv.reader(open(src / "units.csv", encoding="utf-8")))[1:]
items = [(f"3206230{k:08d}", name) for k, name in enumerate([
    "户籍证明开具", "居民身份证申领", "城乡居民基本养老保险参保登记", "最低生活保障申请", "临时救助申请", "残疾人两项补贴申请",
    "生育登记", "农村危房改造申请", "个体工商户设立登记", "食品经营许可", "建设工程施工许可", "农村宅基地审批",
    "高龄老人尊老金发放", "医疗救助申请", "退役军人优待证办理", "就业失业登记", "灵活就业人员社保登记", "居住证办理",
    "不动产登记资料查询", "城乡居民医保参保登记", "殡葬补贴申请", "法律援助申请", "林木采伐许可", "渔业船舶登记",
    "烟草零售许可", "道路运输经营许可", "特种设备使用登记", "排水许可", "户外广告设置审批", "临时占用道路审批",
], start=1)]
# Designed overdue counts (as in the demo's metrics.csv) and online volumes.
overdue = {"320623001": 0, "320623002": 1, "320623003": 0, "320623100": 2, "320623101": 0, "320623103": 0,
           "320623104": 3, "320623107": 0, "320623108": 5, "320623109": 0, "320623110": 0, "320623111": 27,
           "320623112": 1, "320623113": 0, "320623114": 0, "320623400": 4, "320623402": 0}
limits = [(0, "工作日"), (1, "工作日"), (3, "工作日"), (5, "工作日"), (7, "工作日"), (10, "自然日"), (15, "工作日")]
days2021 = [dt.date(2021, 1, 1) + dt.timedelta(days=i) for i in range(365)]
wdays2021 = [d for d in days2021 if working(d) and d <= dt.date(2021, 12, 10)]

rows = []
for ui, (code, name, kind) in enumerate(units):
    n_online = 150 + rnd(300)
    n_window = 60 + rnd(80)
    late_left = overdue[code]
    # Items this unit handles online: most of the list, so that coverage varies.
    handled = [it for it in items if rnd(100) < 60 + ui]
    for k in range(n_online + n_window):
        online = k < n_online
        item = handled[rnd(len(handled))]
        acc = wdays2021[rnd(len(wdays2021))]
        acc_t = dt.datetime.combine(acc, dt.time(8 + rnd(9), rnd(60), rnd(60)))
        n, unit = limits[rnd(len(limits))]
        if unit == "自然日":
            due = acc + dt.timedelta(days=n)
            while not working(due):
                due += dt.timedelta(days=1)
        else:
            due = add_wd(acc, n)
        case_id = f"{code}2021{k:06d}"
        unit_field = code if rnd(10) else f"{code}2{rnd(20):02d}"  # some village records (12 digits)
        if online and late_left > 0:
            late_left -= 1
            done = dt.datetime.combine(due + dt.timedelta(days=1 + rnd(5)), dt.time(10, 0))
        else:
            span = max((due - acc).days, 0)
            done = dt.datetime.combine(acc + dt.timedelta(days=rnd(span + 1)), dt.time(17, 30))
            if done < acc_t:
                done = acc_t + dt.timedelta(hours=1)
        channel = (["2", "3", "电脑端", "移动端"][rnd(4)]) if online else (["1", "窗口", "4"][rnd(3)])
        ctype = "1" if n == 0 else "2"
        rows.append([case_id, item[0], item[1], unit_field, channel, ctype, acc_t.strftime("%Y-%m-%d %H:%M:%S"),
                     str(n), unit, done.strftime("%Y-%m-%d %H:%M:%S"), "", ""])
    # Cases accepted before the period, which must not count.
    rows.append([f"{code}2020999999", items[0][0], items[0][1], code, "2", "2", "2020-12-30 10:00:00", "3", "工作日",
                 "2021-01-05 10:00:00", "", ""])

hdr = ["办件编号", "事项编码", "事项名称", "行政区划", "申报来源", "办件类型", "受理时间", "承诺时限", "时限单位", "办结时间",
       "特别程序开始时间", "特别程序结束时间"]


def csv_text(h, rs):
    b = io.StringIO()
    w = csv.writer(b, lineterminator="\r\n")
    w.writerow(h)
    w.writerows(rs)
    return b.getvalue()


(exp / "办件.csv").write_bytes(csv_text(hdr, rows).encode("gb18030"))

claims = []
for ui, (code, name, kind) in enumerate(units):
    for s, subject in enumerate(["本级", "第一村", "第二村", "第三村"]):
        for it in items[: 30 if s == 0 else 8]:
            claims.append([code, subject, it[0], "是" if rnd(1000) < 900 + ui * 5 else "否"])
(exp / "事项认领.csv").write_bytes(csv_text(["区划代码", "认领主体", "事项编码", "是否认领"], claims).encode("gb18030"))

survey = []
for ui, (code, name, kind) in enumerate(units):
    bad = {"320623108": 10, "320623402": 7}.get(code, rnd(2))
    for k in range(100):
        survey.append([name, "不满意" if k < bad else ["非常满意", "满意", "基本满意"][rnd(3)]])
(exp / "满意度测评.csv").write_text(csv_text(["单位名称", "评价"], survey), encoding="utf-8")

for f in ["units.csv", "judgements.csv", "findings.csv", "bonus.csv"]:
    shutil.copy(src / f, out / f)
m = [r for r in csv.reader(open(src / "metrics.csv", encoding="utf-8-sig")) if r[1] in ("指标", "guide_defects")]
(out / "metrics.csv").write_text(csv_text(m[0], m[1:]), encoding="utf-8")
(out / "README.md").write_text("""# 示例数据 — 如东县 2021，从平台导出文件计分 (synthetic)

**示例数据，不是真实考核结果。** `exports/` holds synthetic platform exports for the 17 demo units:
`办件.csv` (GBK, %d case records; some by village 12-digit codes; one case per unit accepted before the
period), `事项认领.csv` (GBK) and `满意度测评.csv`. The other files are the batch inputs of
`examples/rudong-2021/` with the platform-computed metrics left out of `metrics.csv`.

```sh
kaohe score --input examples/rudong-2021-platform --period 2021-01-01..2021-12-31 \\
  --cases examples/rudong-2021-platform/exports/办件.csv \\
  --claims examples/rudong-2021-platform/exports/事项认领.csv \\
  --survey examples/rudong-2021-platform/exports/满意度测评.csv
```

Regenerate with `python3 tools/gen_platform.py`.
""" % len(rows), encoding="utf-8")
print(len(rows), "cases,", len(claims), "claims,", len(survey), "ratings")
