//! 工作日历 — statutory holidays and 调休 working days, year by year, from TOML text (the project's
//! `calendars/*.toml`; the 2020–2026 file is compiled in, and a later year is another file, no
//! rebuild). A working day (工作日) is Monday–Friday that is not a holiday, or a weekend day declared a
//! working day. A date outside the loaded years is an error, never a guess.
//!
//! The years are precomputed into a day-by-day table with a running count of working days, so that
//! "the N-th working day after" and "working days between" are O(1).

use crate::date::Date;
use crate::problem::{Origin, Problem};
use std::collections::BTreeMap;
use toml::{Table, Value};

/// A date the calendar has no data for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange {
    pub date: Date,
    pub first_year: i32,
    pub last_year: i32,
}

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "日期 {} 超出工作日历范围（已载入 {}–{} 年）；请在 calendars/ 中补充该年的节假日安排",
            self.date, self.first_year, self.last_year
        )
    }
}

/// One year's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Year {
    pub source: String,
    pub holidays: Vec<Date>,
    pub extra_workdays: Vec<Date>,
}

/// 工作日历
#[derive(Debug, Clone)]
pub struct Calendar {
    years: BTreeMap<i32, Year>,
    first: Date,
    /// Per day from `first`: working days up to and including that day.
    cum: Vec<u32>,
    /// The working days in order.
    workdays: Vec<Date>,
}

/// The 2020–2026 facts compiled into the binary (`calendars/2020-2026.toml`).
pub const BUILTIN: &str = include_str!("../../../calendars/2020-2026.toml");

impl Calendar {
    /// The built-in years.
    pub fn builtin() -> Calendar {
        let (c, p) = Calendar::load(&[("2020-2026.toml", BUILTIN)]);
        assert!(p.is_empty(), "built-in calendar: {p:?}");
        c.expect("built-in calendar")
    }

    /// Loads and merges calendar files given as (name, text). A year given twice must be given
    /// identically. Years must be contiguous.
    pub fn load(files: &[(&str, &str)]) -> (Option<Calendar>, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut years: BTreeMap<i32, (Year, String)> = BTreeMap::new();
        for (name, text) in files {
            let err = |msg: String, col: Option<String>| {
                let mut o = Origin::file(*name);
                o.column = col;
                Problem::error(msg).at(Some(o))
            };
            let t: Table = match text.parse() {
                Ok(t) => t,
                Err(e) => {
                    problems.push(err(
                        format!("TOML 语法错误：{}", e.to_string().trim()),
                        None,
                    ));
                    continue;
                }
            };
            for (key, v) in &t {
                let Ok(year) = key.parse::<i32>() else {
                    problems.push(err(
                        format!("“{key}”不是年份（应为 [2027] 这样的表）"),
                        Some(key.clone()),
                    ));
                    continue;
                };
                let Value::Table(yt) = v else {
                    problems.push(err(format!("[{year}] 应为表"), Some(key.clone())));
                    continue;
                };
                let before = problems.len();
                for k in yt.keys() {
                    if !["source", "holidays", "extra_workdays"].contains(&k.as_str()) {
                        problems.push(err(
                            format!("未知字段“{k}”（可用：source、holidays、extra_workdays）"),
                            Some(format!("{year} › {k}")),
                        ));
                    }
                }
                let source = match yt.get("source") {
                    Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                    _ => {
                        problems.push(err(
                            "缺少来源“source”（国务院办公厅通知文号）".into(),
                            Some(format!("{year} › source")),
                        ));
                        String::new()
                    }
                };
                let dates =
                    |field: &str, weekend: bool, problems: &mut Vec<Problem>| -> Vec<Date> {
                        let mut out = Vec::new();
                        let Some(Value::Array(a)) = yt.get(field) else {
                            problems.push(err(
                                format!("缺少日期列表“{field}”"),
                                Some(format!("{year} › {field}")),
                            ));
                            return out;
                        };
                        for v in a {
                            let s = v.as_str().unwrap_or_default();
                            match Date::parse(s) {
                                Some(d) if d.year() != year => problems.push(err(
                                    format!("日期 {d} 不在 {year} 年"),
                                    Some(format!("{year} › {field}")),
                                )),
                                Some(d) if d.is_weekend() != weekend => problems.push(err(
                                    if weekend {
                                        format!(
                                            "调休上班日 {d} 是{}，应为周六或周日",
                                            d.weekday_label()
                                        )
                                    } else {
                                        format!(
                                            "节假日 {d} 是{}：只需列出落在周一至周五的节假日",
                                            d.weekday_label()
                                        )
                                    },
                                    Some(format!("{year} › {field}")),
                                )),
                                Some(d) => out.push(d),
                                None => problems.push(err(
                                    format!("“{v}”不是日期（应为 \"2027-01-01\"）"),
                                    Some(format!("{year} › {field}")),
                                )),
                            }
                        }
                        out.sort();
                        out.dedup();
                        out
                    };
                let holidays = dates("holidays", false, &mut problems);
                let extra_workdays = dates("extra_workdays", true, &mut problems);
                if problems.len() > before {
                    continue;
                }
                let y = Year {
                    source,
                    holidays,
                    extra_workdays,
                };
                match years.get(&year) {
                    Some((prev, from)) if *prev != y => problems.push(err(
                        format!("{year} 年在 {from} 中已有不同的安排"),
                        Some(key.clone()),
                    )),
                    Some(_) => {}
                    None => {
                        years.insert(year, (y, name.to_string()));
                    }
                }
            }
        }
        let ks: Vec<i32> = years.keys().copied().collect();
        for w in ks.windows(2) {
            if w[1] != w[0] + 1 {
                problems.push(Problem::error(format!(
                    "工作日历缺少 {} 年（已有 {} 年与 {} 年）：年份须连续",
                    w[0] + 1,
                    w[0],
                    w[1]
                )));
            }
        }
        if ks.is_empty() && problems.is_empty() {
            problems.push(Problem::error("工作日历中没有任何年份"));
        }
        if !problems.is_empty() {
            return (None, problems);
        }
        let years: BTreeMap<i32, Year> = years.into_iter().map(|(k, (y, _))| (k, y)).collect();
        (Some(Self::build(years)), problems)
    }

    fn build(years: BTreeMap<i32, Year>) -> Calendar {
        let first_year = *years.keys().next().expect("at least one year");
        let last_year = *years.keys().last().expect("at least one year");
        let first = Date::from_ymd(first_year, 1, 1).expect("valid");
        let last = Date::from_ymd(last_year, 12, 31).expect("valid");
        let n = (last.0 - first.0 + 1) as usize;
        let mut working = vec![false; n];
        for (i, w) in working.iter_mut().enumerate() {
            *w = !Date(first.0 + i as i32).is_weekend();
        }
        for y in years.values() {
            for d in &y.holidays {
                working[(d.0 - first.0) as usize] = false;
            }
            for d in &y.extra_workdays {
                working[(d.0 - first.0) as usize] = true;
            }
        }
        let mut cum = Vec::with_capacity(n);
        let mut workdays = Vec::new();
        let mut c = 0;
        for (i, w) in working.iter().enumerate() {
            if *w {
                c += 1;
                workdays.push(Date(first.0 + i as i32));
            }
            cum.push(c);
        }
        Calendar {
            years,
            first,
            cum,
            workdays,
        }
    }

    pub fn years(&self) -> &BTreeMap<i32, Year> {
        &self.years
    }

    fn idx(&self, d: Date) -> Result<usize, OutOfRange> {
        let i = d.0 - self.first.0;
        if i < 0 || i as usize >= self.cum.len() {
            return Err(OutOfRange {
                date: d,
                first_year: *self.years.keys().next().unwrap_or(&0),
                last_year: *self.years.keys().last().unwrap_or(&0),
            });
        }
        Ok(i as usize)
    }

    /// Working days up to and including `d`.
    fn count(&self, d: Date) -> Result<u32, OutOfRange> {
        Ok(self.cum[self.idx(d)?])
    }

    /// 是否工作日
    pub fn is_working_day(&self, d: Date) -> Result<bool, OutOfRange> {
        let i = self.idx(d)?;
        let before = if i == 0 { 0 } else { self.cum[i - 1] };
        Ok(self.cum[i] > before)
    }

    /// The `n`-th working day after `d` (`d` itself does not count); `n = 0` gives `d`.
    pub fn add_working_days(&self, d: Date, n: u32) -> Result<Date, OutOfRange> {
        let k = self.count(d)?;
        if n == 0 {
            return Ok(d);
        }
        match self.workdays.get((k + n - 1) as usize) {
            Some(x) => Ok(*x),
            None => Err(OutOfRange {
                date: self.workdays.last().map(|l| l.add_days(1)).unwrap_or(d),
                first_year: *self.years.keys().next().unwrap_or(&0),
                last_year: *self.years.keys().last().unwrap_or(&0),
            }),
        }
    }

    /// Working days in (a, b]: how many working days after `a`, up to and including `b`
    /// (negative when `b` is before `a`).
    pub fn working_days_between(&self, a: Date, b: Date) -> Result<i64, OutOfRange> {
        Ok(self.count(b)? as i64 - self.count(a)? as i64)
    }

    /// Working days in [a, b], both included (0 when b < a).
    pub fn working_days_spanned(&self, a: Date, b: Date) -> Result<u32, OutOfRange> {
        if b < a {
            return Ok(0);
        }
        let before = self.count(a.add_days(-1)).or_else(|e| {
            if a.0 - 1 < self.first.0 {
                Ok(0)
            } else {
                Err(e)
            }
        })?;
        Ok(self.count(b)? - before)
    }

    /// Why `d` is or is not a working day, in Chinese: `工作日`, `周末`, `法定节假日（source）`,
    /// `调休上班（source）`.
    pub fn describe(&self, d: Date) -> Result<String, OutOfRange> {
        let working = self.is_working_day(d)?;
        let y = &self.years[&d.year()];
        Ok(if y.holidays.contains(&d) {
            format!("休息日：法定节假日（{}）", y.source)
        } else if y.extra_workdays.contains(&d) {
            format!("工作日：调休上班（{}）", y.source)
        } else if working {
            "工作日".to_string()
        } else {
            "休息日：周末".to_string()
        })
    }

    /// `d` if it is a working day, else the next working day.
    pub fn on_or_next_working_day(&self, d: Date) -> Result<Date, OutOfRange> {
        if self.is_working_day(d)? {
            Ok(d)
        } else {
            self.add_working_days(d, 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn working_days_per_year_match_the_notices() {
        let c = Calendar::builtin();
        for (y, n) in [
            (2020, 249),
            (2021, 250),
            (2022, 249),
            (2023, 249),
            (2024, 251),
            (2025, 248),
            (2026, 248),
        ] {
            let a = Date::from_ymd(y, 1, 1).unwrap().add_days(-1);
            let b = Date::from_ymd(y, 12, 31).unwrap();
            let got = if y == 2020 {
                c.working_days_spanned(Date::from_ymd(y, 1, 1).unwrap(), b)
                    .unwrap() as i64
            } else {
                c.working_days_between(a, b).unwrap()
            };
            assert_eq!(got, n, "{y}");
        }
    }

    #[test]
    fn the_vectors_of_rules_md() {
        let c = Calendar::builtin();
        for (a, n, want) in [
            ("2021-09-30", 3, "2021-10-11"),
            ("2021-02-10", 5, "2021-02-23"),
            ("2021-02-05", 1, "2021-02-07"),
            ("2021-09-17", 2, "2021-09-22"),
            ("2021-04-30", 1, "2021-05-06"),
            ("2021-06-11", 1, "2021-06-15"),
            ("2021-12-31", 1, "2022-01-04"),
        ] {
            assert_eq!(c.add_working_days(d(a), n).unwrap(), d(want), "{a} + {n}");
        }
    }

    #[test]
    fn every_2021_makeup_workday_is_a_working_weekend_day() {
        let c = Calendar::builtin();
        for s in [
            "2021-02-07",
            "2021-02-20",
            "2021-04-25",
            "2021-05-08",
            "2021-09-18",
            "2021-09-26",
            "2021-10-09",
        ] {
            assert!(d(s).is_weekend());
            assert!(c.is_working_day(d(s)).unwrap(), "{s}");
        }
        for s in [
            "2021-01-01",
            "2021-02-11",
            "2021-02-17",
            "2021-10-07",
            "2021-10-10",
            "2021-06-14",
        ] {
            assert!(!c.is_working_day(d(s)).unwrap(), "{s}");
        }
    }

    #[test]
    fn outside_the_loaded_years_is_an_error() {
        let c = Calendar::builtin();
        let e = c.is_working_day(d("2027-01-04")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "日期 2027-01-04 超出工作日历范围（已载入 2020–2026 年）；请在 calendars/ 中补充该年的节假日安排"
        );
        assert!(c.is_working_day(d("2019-12-31")).is_err());
        assert!(c.add_working_days(d("2026-12-30"), 5).is_err());
    }

    #[test]
    fn a_later_year_is_another_file() {
        let y2027 = "[2027]\nsource = \"test\"\nholidays = [\"2027-01-01\"]\nextra_workdays = []\n";
        let (c, p) = Calendar::load(&[("2020-2026.toml", BUILTIN), ("2027.toml", y2027)]);
        assert!(p.is_empty(), "{p:?}");
        let c = c.unwrap();
        assert!(!c.is_working_day(d("2027-01-01")).unwrap());
        assert_eq!(
            c.add_working_days(d("2026-12-31"), 1).unwrap(),
            d("2027-01-04")
        );
    }

    #[test]
    fn bad_calendar_files_report_every_problem() {
        let bad = "[2028]\nsource = \"x\"\nholidays = [\"2028-01-01\", \"2028-01-08\", \"2027-05-01\", \"soon\"]\nextra_workdays = [\"2028-01-03\"]\ncolour = 1\n";
        let (c, p) = Calendar::load(&[("2020-2026.toml", BUILTIN), ("2028.toml", bad)]);
        assert!(c.is_none());
        let m: Vec<String> = p.iter().map(|p| p.message.clone()).collect();
        for e in [
            "未知字段“colour”",
            "节假日 2028-01-08 是周六",
            "日期 2027-05-01 不在 2028 年",
            "“\"soon\"”不是日期",
            "调休上班日 2028-01-03 是周一",
        ] {
            assert!(m.iter().any(|x| x.contains(e)), "{e}: {m:?}");
        }
        let ok2028 = "[2028]\nsource = \"x\"\nholidays = []\nextra_workdays = []\n";
        let (_, p) = Calendar::load(&[("2020-2026.toml", BUILTIN), ("2028.toml", ok2028)]);
        assert_eq!(
            p[0].message,
            "工作日历缺少 2027 年（已有 2026 年与 2028 年）：年份须连续"
        );
    }

    #[test]
    fn spans_and_between() {
        let c = Calendar::builtin();
        // 2021-10-01 (holiday) .. 2021-10-11: Oct 8 (Fri), Oct 9 (调休 Sat), Oct 11.
        assert_eq!(
            c.working_days_spanned(d("2021-10-01"), d("2021-10-11"))
                .unwrap(),
            3
        );
        assert_eq!(
            c.working_days_between(d("2021-09-30"), d("2021-10-11"))
                .unwrap(),
            3
        );
        assert_eq!(
            c.working_days_between(d("2021-10-11"), d("2021-09-30"))
                .unwrap(),
            -3
        );
        assert_eq!(
            c.working_days_spanned(d("2020-01-01"), d("2020-01-02"))
                .unwrap(),
            1
        );
        assert_eq!(
            c.on_or_next_working_day(d("2021-10-03")).unwrap(),
            d("2021-10-08")
        );
    }
}
