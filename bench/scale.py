#!/usr/bin/env python3
"""Province-scale load test (issue 15).

Seeds one data directory (SQLite under /tmp, or the PostgreSQL database in KAOHE_DATABASE) with an
assessment of each size asked for (crates/cli/examples/seed_scale.rs: every unit scored through the
store's own audited writes), serves it with the release `kaohe serve`, and for each assessment runs
the mixed load: 50 signed-in readers with a 500 ms mean pause between pages, and 5 assessors each
saving a score every 2 s through the API, each save followed at once by a read of the changed unit's
row through the results API until it shows the saved value (`--change finding`: each writer instead
records a finding on 1.4.2 or withdraws it, by turns, and reads until the clause's score moves).
Prints per page p50/p95/p99/max, write latency, save-to-visible time, and the server's CPU (cores
used) and memory (RSS now, peak).

    bench/scale.py                      # 17 and 1,500 units, 60 s each
    bench/scale.py --sizes 17 1500 10000 --seconds 60 --clauses 22
    bench/scale.py --keep /tmp/kaohe-scale-pg   # seed once into DIR, later runs reuse it

After seeding, the database is settled as after any bulk load (ANALYZE; SQLite's WAL folded into the
file), and each assessment gets --warmup seconds of the same load, not counted, before the measured
run: the figures are the steady state, not the first whole scoring of a cold server.

The load generator runs on the same cores as the server: figures are pessimistic and, on a shared
machine, indicative only.
"""

import argparse
from decimal import Decimal
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "bench-password-1"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Client:
    """One person's browser: a cookie and a CSRF token; a new connection per request."""

    def __init__(self, port, login):
        self.port = port
        self.cookie = ""
        self.csrf = ""
        # The service limits sign-ins (a burst is refused with 503): people sign in one by one.
        for _ in range(120):
            st, body, headers = self.request("POST", "/api/login", {"login": login, "password": PASSWORD})
            if st != 503:
                break
            time.sleep(0.5)
        assert st == 200, f"sign-in of {login}: {st} {body[:200]}"
        self.cookie = headers["set-cookie"].split(";")[0]
        self.csrf = json.loads(body)["csrf"]

    def request(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        h = {"Connection": "close"}
        data = None
        if self.cookie:
            h["Cookie"] = self.cookie
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
            if self.csrf:
                h["X-CSRF-Token"] = self.csrf
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        out = r.read()
        headers = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, out.decode("utf-8", "replace"), headers


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])


def memory(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) / 1024
    return out


def run_load(port, a, seconds, users, pause, writers, pid, change="score"):
    aid, n, prefix = a["id"], a["units"], a["prefix"]
    code = lambda i: f"{prefix}{i:05d}"
    pages = [
        ("工作台", lambda: "/"),
        ("考核页（第1页）", lambda: f"/a/{aid}"),
        ("考核页（翻页、按总分）", lambda: f"/a/{aid}?page={random.randint(1, max(1, n // 50))}&sort=total"),
        ("单位考核表", lambda: f"/a/{aid}/u/{code(random.randrange(n))}"),
        ("考核反馈单", lambda: f"/a/{aid}/u/{code(random.randrange(n))}/feedback"),
        ("结果 API（一页）", lambda: f"/api/assessments/{aid}/results?page={random.randint(1, max(1, n // 50))}&per_page=50"),
    ]
    samples, writes, visible, errors = [], [], [], []
    lock = threading.Lock()
    # Who may see the result in 评审: the admin and the assessors (each opens any unit's page).
    logins = ["admin"] + [f"assessor{k}" for k in range(1, 6)]
    readers = [Client(port, logins[k % len(logins)]) for k in range(users)]
    savers = [Client(port, f"assessor{k + 1}") for k in range(writers)]
    stop = time.time() + seconds

    def reader(k):
        c = readers[k]
        time.sleep(random.random() * pause)
        while time.time() < stop:
            name, path = random.choice(pages)
            path = path()
            t = time.perf_counter()
            try:
                st, body, _ = c.request("GET", path)
            except Exception as e:  # a timeout or a refused connection is an error, counted
                st, body = 0, str(e)
            dt = (time.perf_counter() - t) * 1000
            with lock:
                samples.append((name, dt, st))
                if st != 200:
                    errors.append(f"{name} {path}: {st} {body[:120]}")
            time.sleep(random.expovariate(1 / pause) if pause > 0 else 0)

    def writer(k):
        try:
            save_loop(k)
        except Exception as e:  # counted, never a silent stop
            with lock:
                errors.append(f"保存线程 {k + 1} 中断：{e!r}")

    def clause_score(c, i, clause):
        """The unit's clause score in its row of the result (None: 未评分/缺数据)."""
        rs, rb, _ = c.request("GET", f"/api/assessments/{aid}/results?sort=code&per_page=1&page={i + 1}")
        if rs != 200:
            return rs, None
        got = [cl["score"] for cl in json.loads(rb)["units"][0]["clauses"] if cl["id"] == clause]
        return rs, got[0] if got else None

    def save_score(c, i, state):
        """Saves clause 1.1.1 of unit i (0.05 and 0.03 by turns); the request's answer and a test of
        the result's score that says the save is visible."""
        st, body, _ = c.request("GET", f"/api/assessments/{aid}/units/{code(i)}/scores")
        cur = [s for s in json.loads(body)["scores"] if s["clause_id"] == "1.1.1" and s["ledger"] == "assessor"] if st == 200 else []
        version = cur[0]["version"] if cur else None
        value = "0.05" if (cur and cur[0]["score"] != "0.05") else "0.03"
        t = time.perf_counter()
        answer = c.request(
            "PUT",
            f"/api/assessments/{aid}/units/{code(i)}/scores/1.1.1/assessor",
            {"score": value, "reason": "复核", "version": version},
        )
        return t, answer, "1.1.1", lambda got: got is not None and Decimal(got) == Decimal(value)

    def change_finding(c, i, recorded):
        """记录问题 on 1.4.2 (每发现一例扣 0.002 分) of unit i, or withdraws the one recorded: a
        change that is a finding, not a score. Visible when the clause's score moves."""
        _, before = clause_score(c, i, "1.4.2")
        t = time.perf_counter()
        if i in recorded:
            answer = c.request(
                "POST",
                f"/api/assessments/{aid}/units/{code(i)}/findings/{recorded[i]}/withdraw",
                {"reason": "复核后撤回"},
            )
            if answer[0] == 200:
                del recorded[i]
        else:
            answer = c.request(
                "POST",
                f"/api/assessments/{aid}/units/{code(i)}/findings",
                {"clause": "1.4.2", "description": "办事指南缺少材料清单"},
            )
            if answer[0] == 200:
                recorded[i] = json.loads(answer[1])["id"]
        return t, answer, "1.4.2", lambda got: got != before

    def save_loop(k):
        c = savers[k]
        mine = [i for i in range(n) if i % 5 == k]
        make = change_finding if change == "finding" else save_score
        state = {}
        time.sleep(random.random() * 2)
        while time.time() < stop:
            t0 = time.perf_counter()
            i = random.choice(mine)
            t, (st, body, _), clause, shows = make(c, i, state)
            dt = (time.perf_counter() - t) * 1000
            with lock:
                writes.append((dt, st))
                if st != 200:
                    errors.append(f"{change}: {st} {body[:120]}")
            if st == 200:
                # The writer's next reads: the unit's row of the result, until it shows the change.
                while True:
                    rs, got = clause_score(c, i, clause)
                    if rs != 200:
                        break
                    if shows(got):
                        with lock:
                            visible.append((time.perf_counter() - t) * 1000)
                        break
                    if time.perf_counter() - t > 60:
                        break
            rest = 2 - (time.perf_counter() - t0)
            if rest > 0:
                time.sleep(rest)

    ticks0 = cpu_ticks(pid)
    t0 = time.time()
    threads = [threading.Thread(target=reader, args=(k,)) for k in range(users)]
    threads += [threading.Thread(target=writer, args=(k,)) for k in range(writers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.time() - t0
    cores = (cpu_ticks(pid) - ticks0) / os.sysconf("SC_CLK_TCK") / wall
    return samples, writes, visible, errors, cores, memory(pid), wall


def report(a, res, change="score"):
    samples, writes, visible, errors, cores, mem, wall = res
    print(f"\n## {a['units']} 个单位（考核 {a['id']}），{wall:.0f} s")
    print(f"{'页面':<24}{'次数':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    names = []
    for s in samples:
        if s[0] not in names:
            names.append(s[0])
    rows = [(nm, [d for (x, d, _) in samples if x == nm]) for nm in names]
    rows.append(("全部读", [d for (_, d, _) in samples]))
    for nm, ds in rows:
        print(f"{nm:<24}{len(ds):>6}{pct(ds, 50):>10.1f}{pct(ds, 95):>10.1f}{pct(ds, 99):>10.1f}{max(ds) if ds else 0:>10.1f}")
    wd = [d for d, _ in writes]
    write, seen = ("记录或撤回问题（写）", "修改→结果可见") if change == "finding" else ("保存评分（写）", "保存→结果可见")
    print(f"{write:<24}{len(wd):>6}{pct(wd, 50):>10.1f}{pct(wd, 95):>10.1f}{pct(wd, 99):>10.1f}{max(wd) if wd else 0:>10.1f}")
    print(f"{seen:<24}{len(visible):>6}{pct(visible, 50):>10.1f}{pct(visible, 95):>10.1f}{pct(visible, 99):>10.1f}{max(visible) if visible else 0:>10.1f}")
    print(f"读 {len(samples) / wall:.0f} 次/s；服务器 CPU {cores:.2f} 核；内存 RSS {mem.get('VmRSS', 0):.0f} MB（峰值 {mem.get('VmHWM', 0):.0f} MB）；错误 {len(errors)}")
    for e in errors[:5]:
        print("  错误：", e)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[17, 1500])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--pause", type=float, default=0.5, help="mean pause between a reader's pages, s")
    ap.add_argument("--writers", type=int, default=5)
    ap.add_argument("--change", choices=["score", "finding"], default="score",
                    help="what the writers change: a score (1.1.1), or a finding on 1.4.2 recorded and withdrawn by turns")
    ap.add_argument("--clauses", type=int, default=22, help="judgement clauses scored per unit when seeding")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--keep", metavar="DIR", help="seed into DIR and keep it; reuse DIR when it was seeded already")
    ap.add_argument("--warmup", type=int, default=5, help="seconds of load before each measured run, not counted")
    args = ap.parse_args()
    os.chdir(ROOT)
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "kaohe", "--bin", "kaohe", "--example", "seed_scale"], check=True)
    data = args.keep or tempfile.mkdtemp(prefix="kaohe-scale-", dir="/tmp")
    seeded = os.path.join(data, "seeded.json")
    what = {"sizes": args.sizes, "clauses": args.clauses, "database": os.environ.get("KAOHE_DATABASE")}
    server = None
    try:
        if args.keep and os.path.exists(seeded):
            kept = json.load(open(seeded))
            if kept["what"] != what:
                sys.exit(f"{data} was seeded with {kept['what']}, not {what}: give another --keep DIR")
            assessments = kept["assessments"]
            print(f"reusing {data}: {', '.join(str(a['units']) for a in assessments)} units")
        else:
            os.makedirs(data, exist_ok=True)
            t = time.time()
            out = subprocess.run(
                ["target/release/examples/seed_scale", f"{data}/d", str(args.clauses)] + [str(s) for s in args.sizes],
                check=True, capture_output=True, text=True,
            )
            sys.stderr.write(out.stderr)
            assessments = [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
            json.dump({"what": what, "assessments": assessments}, open(seeded, "w"))
            print(f"seeded {', '.join(str(a['units']) for a in assessments)} units in {time.time() - t:.0f} s ({args.clauses} clauses scored per unit)")
        port = free_port()
        log = open(f"{data}/log", "w")
        server = subprocess.Popen(
            ["target/release/kaohe", "serve", "--data", f"{data}/d", "--addr", f"127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        print(f"server: {args.users} readers (mean pause {args.pause * 1000:.0f} ms), {args.writers} assessors {'recording or withdrawing a finding' if args.change == 'finding' else 'saving a score'} every 2 s; "
              f"database: {'PostgreSQL' if os.environ.get('KAOHE_DATABASE') else 'SQLite'}")
        for a in assessments:
            if args.warmup > 0:
                run_load(port, a, args.warmup, args.users, args.pause, args.writers, server.pid, args.change)
            res = run_load(port, a, args.seconds, args.users, args.pause, args.writers, server.pid, args.change)
            report(a, res, args.change)
    finally:
        if server:
            server.terminate()
            server.wait()
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
