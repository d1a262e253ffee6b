"""Ingest benchmark: kaohe vs polars vs duckdb on the same generated case records.

    python3 bench/run.py [ROWS ...]        # default: 1000000 10000000, then the overdue runs
    python3 bench/run.py --overdue         # only the overdue runs

Overdue runs (issue 15): 2M rows with 2% and with 30% of the cases late; kaohe ingest writes
overdue.csv (one receipt per late case), and polars computes the same counts *and* writes the same
overdue list to CSV; both lists must have the same number of rows.

Generates bench/data/cases-<rows>.csv (if missing) with the Rust generator, runs `kaohe ingest` and
the two peers in bench/.venv, each once on one thread and once on all cores (every run best of 3),
checks that all three compute the same online volume and overdue count for every unit, and prints
rows/s, MB/s and peak memory (max RSS of the process), each peer against kaohe on the same number
of threads. Writes bench/RESULTS.md.
"""
import csv, json, os, pathlib, subprocess, sys, time

root = pathlib.Path(__file__).resolve().parent.parent
data = root / "bench/data"
data.mkdir(parents=True, exist_ok=True)
venv_py = root / "bench/.venv/bin/python"
only_overdue = "--overdue" in sys.argv[1:]
sizes = [] if only_overdue else ([int(a) for a in sys.argv[1:] if a.isdigit()] or [1_000_000, 10_000_000])
overdue_runs = [(2_000_000, 2), (2_000_000, 30)]


def sh(*args, **kw):
    subprocess.run(args, check=True, cwd=root, **kw)


def measure(args, env=None):
    """Wall seconds and peak RSS (MiB) of one child process."""
    t = time.perf_counter()
    p = subprocess.Popen(args, cwd=root, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    err = p.stderr.read().decode()
    if status != 0:
        raise SystemExit(f"{args[0]} failed: {err}")
    return wall, ru.ru_maxrss / 1024


if not venv_py.exists():
    sh(sys.executable, "-m", "venv", "bench/.venv")
    sh(str(venv_py), "-m", "pip", "install", "-q", "polars", "duckdb")
sh("cargo", "build", "--release", "-q", "-p", "kaohe")
sh("cargo", "build", "--release", "-q", "-p", "kaohe-platform", "--example", "gen_cases")
kaohe = str(root / "target/release/kaohe")
sh(sys.executable, "bench/calendar_table.py", str(data / "calendar.csv"))
versions = subprocess.run([str(venv_py), "-c", "import polars, duckdb; print(polars.__version__, duckdb.__version__)"], capture_output=True, text=True).stdout.split()

results = []
for n in sizes:
    f = data / f"cases-{n}.csv"
    if not f.exists():
        sh(str(root / "target/release/examples/gen_cases"), str(n), str(f))
    mb = f.stat().st_size / 1e6
    out = data / f"ingest-{n}"
    ingest = [kaohe, "ingest", "--units", str(data / "units.csv"), "--period", "2021-01-01..2021-12-31", "--cases", str(f), "--out", str(out)]
    row = {"rows": n, "MB": mb}
    row["kaohe 1 thread"] = min(measure(ingest + ["--threads", "1"]) for _ in range(3))
    row["kaohe all cores"] = min(measure(ingest) for _ in range(3))
    k = {}
    for r in csv.DictReader(open(out / "metrics.csv")):
        k.setdefault(r["unit"], [0, 0])[0 if r["metric"] == "online_volume" else 1] = int(r["value"])
    for name, script, env, extra in [
        ("polars 1 thread", "bench/peer_polars.py", {"POLARS_MAX_THREADS": "1"}, []),
        ("duckdb 1 thread", "bench/peer_duckdb.py", {}, ["1"]),
        ("polars all cores", "bench/peer_polars.py", {}, []),
        ("duckdb all cores", "bench/peer_duckdb.py", {}, []),
    ]:
        res = data / f"{name.replace(' ', '-')}-{n}.json"
        row[name] = min(measure([str(venv_py), script, str(f), str(data / "calendar.csv"), str(res)] + extra, env) for _ in range(3))
        got = {u: v for u, v in json.load(open(res)).items()}
        if got != k:
            raise SystemExit(f"{name} disagrees with kaohe at {n} rows:\n{got}\n{k}")
    results.append(row)

overdue_results = []
for n, late in overdue_runs:
    f = data / (f"cases-{n}.csv" if late == 2 else f"cases-{n}-late{late}.csv")
    if not f.exists():
        sh(str(root / "target/release/examples/gen_cases"), str(n), str(f), str(late))
    mb = f.stat().st_size / 1e6
    out = data / f"ingest-{n}-late{late}"
    ingest = [kaohe, "ingest", "--units", str(data / "units.csv"), "--period", "2021-01-01..2021-12-31", "--cases", str(f), "--out", str(out)]
    row = {"rows": n, "MB": mb, "late": late}
    row["kaohe 1 thread"] = min(measure(ingest + ["--threads", "1"]) for _ in range(3))
    row["kaohe all cores"] = min(measure(ingest) for _ in range(3))
    with open(out / "overdue.csv", newline="") as fh:
        listed = sum(1 for _ in csv.reader(fh)) - 1
    for name, env in [("polars 1 thread", {"POLARS_MAX_THREADS": "1"}), ("polars all cores", {})]:
        res, lst = data / f"overdue-{name.replace(' ', '-')}-{n}-{late}.json", data / f"overdue-{n}-{late}-polars.csv"
        row[name] = min(measure([str(venv_py), "bench/peer_polars.py", str(f), str(data / "calendar.csv"), str(res), str(lst)], env) for _ in range(3))
        with open(lst, newline="") as fh:
            theirs = sum(1 for _ in csv.reader(fh)) - 1
        if theirs != listed:
            raise SystemExit(f"{name} lists {theirs} overdue cases, kaohe {listed} ({n} rows, {late}% late)")
    row["listed"] = listed
    overdue_results.append(row)

lines = [
    f"# Ingest benchmark — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores",
    "",
    f"`python3 bench/run.py {' '.join(map(str, sizes))}`; polars {versions[0] if versions else '?'}, duckdb {versions[1] if len(versions) > 1 else '?'}.",
    "All three compute the same online volume and overdue count for every unit (checked on every run).",
    "Peak memory is the max RSS of the process (for the peers, including the Python interpreter).",
    "Every time is the best of 3 runs; each peer is compared with kaohe on the same number of threads.",
    "",
    "| rows | file MB | tool | seconds | rows/s | MB/s | peak MiB | kaohe is faster by |",
    "|---:|---:|---|---:|---:|---:|---:|---:|",
]
for r in results:
    for name in ["kaohe 1 thread", "polars 1 thread", "duckdb 1 thread", "kaohe all cores", "polars all cores", "duckdb all cores"]:
        w, m = r[name]
        kw = r["kaohe 1 thread" if "1 thread" in name else "kaohe all cores"][0]
        ratio = "—" if name.startswith("kaohe") else f"{w / kw:.2f}×"
        lines.append(f"| {r['rows']:,} | {r['MB']:.0f} | {name} | {w:.2f} | {r['rows'] / w:,.0f} | {r['MB'] / w:.0f} | {m:.0f} | {ratio} |")
if overdue_results:
    lines += [
        "",
        "## Many cases late: the overdue list written too",
        "",
        "kaohe ingest writes overdue.csv (one receipt per late case, formatted on the worker that found",
        "it); polars computes the same counts and writes the same list (`peer_polars.py … OVERDUE.csv`).",
        "Both lists have the same number of rows (checked).",
        "",
        "| rows | late | cases listed | tool | seconds | MB/s | peak MiB | kaohe is faster by |",
        "|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in overdue_results:
        for name in ["kaohe 1 thread", "polars 1 thread", "kaohe all cores", "polars all cores"]:
            w, m = r[name]
            kw = r["kaohe 1 thread" if "1 thread" in name else "kaohe all cores"][0]
            ratio = "—" if name.startswith("kaohe") else f"{w / kw:.2f}×"
            lines.append(f"| {r['rows']:,} | {r['late']}% | {r['listed']:,} | {name} | {w:.2f} | {r['MB'] / w:.0f} | {m:.0f} | {ratio} |")
text = "\n".join(lines) + "\n"
print(text)
if only_overdue:
    # Only the overdue runs: the main table already in RESULTS.md stays, the overdue section is replaced.
    kept = (root / "bench/RESULTS.md").read_text().split("\n## Many cases late")[0].rstrip("\n")
    text = kept + "\n\n## Many cases late" + text.split("\n## Many cases late", 1)[1]
(root / "bench/RESULTS.md").write_text(text)
