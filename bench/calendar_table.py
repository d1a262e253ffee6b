"""Writes calendar.csv (date, working, cum) from calendars/2020-2026.toml for the peers:
cum = working days up to and including the date, so that the N-th working day after D is the
working day whose cum is cum(D) + N."""
import csv, datetime as dt, pathlib, sys, tomllib

root = pathlib.Path(__file__).resolve().parent.parent
cal = tomllib.loads((root / "calendars/2020-2026.toml").read_text())
hol, extra = set(), set()
for y in cal.values():
    hol |= {dt.date.fromisoformat(d) for d in y["holidays"]}
    extra |= {dt.date.fromisoformat(d) for d in y["extra_workdays"]}
years = sorted(int(y) for y in cal)
d, end, cum = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31), 0
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["date", "working", "cum"])
    while d <= end:
        working = d in extra or (d.weekday() < 5 and d not in hol)
        cum += working
        w.writerow([d.isoformat(), "true" if working else "false", cum])
        d += dt.timedelta(days=1)
