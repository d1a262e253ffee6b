//! 日期 — a civil date (proleptic Gregorian, no time zone) and a date with a time of day, with the
//! parsing that platform exports need. Small and exact; no clock is ever read.

use std::fmt;

/// 日期 — days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

/// 时间 — a date and seconds since midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    pub date: Date,
    pub secs: u32,
}

/// How precisely a time was written: real exports give 办结时间 to the minute and 受理时间 to the
/// second, and a time given to the minute means some second within that minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    Day,
    Minute,
    Second,
}

impl DateTime {
    /// The time cut to `p`: to the start of its day or minute.
    pub fn truncate(self, p: Precision) -> DateTime {
        let secs = match p {
            Precision::Day => 0,
            Precision::Minute => self.secs / 60 * 60,
            Precision::Second => self.secs,
        };
        DateTime { secs, ..self }
    }

    /// True when `self` (written to `p`) is surely before `other` (written to `q`): compared at the
    /// coarser of the two precisions, so `2021/01/04 15:52` is not before `2021/01/04 15:52:18`.
    pub fn before(self, p: Precision, other: DateTime, q: Precision) -> bool {
        let at = p.min(q);
        self.truncate(at) < other.truncate(at)
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    /// A valid date, or `None` (2021-02-29 is none).
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (if m <= 2 { y + 1 } else { y }, m, d)
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// 1 = Monday … 7 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (4).
        ((self.0 + 3).rem_euclid(7) + 1) as u32
    }

    pub fn is_weekend(self) -> bool {
        self.weekday() >= 6
    }

    pub fn add_days(self, n: i32) -> Date {
        Date(self.0 + n)
    }

    /// `2021-03-05`
    pub fn parse(s: &str) -> Option<Date> {
        DateTime::parse(s)
            .filter(|t| t.secs == 0 && !s.contains(':'))
            .map(|t| t.date)
    }

    /// The weekday in Chinese, e.g. 周一.
    pub fn weekday_label(self) -> &'static str {
        ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][self.weekday() as usize - 1]
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, mi, s) = (self.secs / 3600, self.secs / 60 % 60, self.secs % 60);
        write!(f, "{} {h:02}:{mi:02}:{s:02}", self.date)
    }
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |a, &c| a * 10 + (c - b'0') as u32))
}

impl DateTime {
    /// Parses what platforms export: `2021-03-05 09:31:00`, `2021-03-05T09:31:00`, `2021/3/5 9:31`,
    /// `2021.3.5`, `20210305T093100`, `20210305093100`, `20210305`, a date alone (00:00). Seconds
    /// may be omitted; a fraction of a second is dropped. Anything else is `None`, never a guess.
    pub fn parse(s: &str) -> Option<DateTime> {
        Self::parse_precise(s).map(|(t, _)| t)
    }

    /// Like [`DateTime::parse`], with how precisely the text gave the time: a date alone is
    /// [`Precision::Day`], `09:31` is [`Precision::Minute`], `09:31:00` is [`Precision::Second`].
    pub fn parse_precise(s: &str) -> Option<(DateTime, Precision)> {
        let s = crate::text::trim(s);
        let b = s.as_bytes();
        // Fast path for the platforms' usual `2021-03-05 09:31:00`.
        if b.len() == 19
            && b[4] == b'-'
            && b[7] == b'-'
            && (b[10] == b' ' || b[10] == b'T')
            && b[13] == b':'
            && b[16] == b':'
        {
            let two = |i: usize| -> Option<u32> {
                let (x, y) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
                (x < 10 && y < 10).then_some((x * 10 + y) as u32)
            };
            let year = two(0)? * 100 + two(2)?;
            let date = Date::from_ymd(year as i32, two(5)?, two(8)?)?;
            return Some((
                Self::time(date, two(11)?, two(14)?, two(17)?)?,
                Precision::Second,
            ));
        }
        // Compact forms: 20210305, 20210305T093100, 20210305093100.
        if b.len() >= 8
            && b[..8].iter().all(u8::is_ascii_digit)
            && (b.len() == 8 || b.len() == 14 || (b.len() == 15 && (b[8] == b'T' || b[8] == b' ')))
        {
            let date = Date::from_ymd(num(&b[..4])? as i32, num(&b[4..6])?, num(&b[6..8])?)?;
            if b.len() == 8 {
                return Some((DateTime { date, secs: 0 }, Precision::Day));
            }
            let t = &b[b.len() - 6..];
            return Some((
                Self::time(date, num(&t[..2])?, num(&t[2..4])?, num(&t[4..6])?)?,
                Precision::Second,
            ));
        }
        let (d, t) = match s.find([' ', 'T']) {
            Some(i) => (&s[..i], s[i + 1..].trim()),
            None => (s, ""),
        };
        let mut parts = d.split(['-', '/', '.']);
        let (y, m, dd) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 {
            return None;
        }
        let date = Date::from_ymd(
            num(y.as_bytes())? as i32,
            num(m.as_bytes())?,
            num(dd.as_bytes())?,
        )?;
        if t.is_empty() {
            return Some((DateTime { date, secs: 0 }, Precision::Day));
        }
        let t = t.split('.').next()?; // drop fractions of a second
        let mut tp = t.split(':');
        let h = num(tp.next()?.as_bytes())?;
        let mi = num(tp.next()?.as_bytes())?;
        let (sec, precision) = match tp.next() {
            Some(x) => (num(x.as_bytes())?, Precision::Second),
            None => (0, Precision::Minute),
        };
        if tp.next().is_some() {
            return None;
        }
        Some((Self::time(date, h, mi, sec)?, precision))
    }

    fn time(date: Date, h: u32, m: u32, s: u32) -> Option<DateTime> {
        (h < 24 && m < 60 && s < 60).then_some(DateTime {
            date,
            secs: h * 3600 + m * 60 + s,
        })
    }

    /// An Excel serial date-time (1900 system; Excel's phantom 1900-02-29 accounted for), e.g. the
    /// number in a date-formatted cell. `None` outside 1900..=9999.
    pub fn from_excel_serial(serial: rust_decimal::Decimal) -> Option<DateTime> {
        use rust_decimal::prelude::ToPrimitive;
        if serial < rust_decimal::Decimal::ONE || serial >= rust_decimal::Decimal::from(2_958_466) {
            return None;
        }
        let days = serial.trunc().to_i32()?;
        let frac = serial - serial.trunc();
        let secs = (frac * rust_decimal::Decimal::from(86_400))
            .round()
            .to_u32()?
            .min(86_399);
        // Serial 60 is the phantom 1900-02-29; serials after it are one day ahead.
        let days = if days > 60 { days - 1 } else { days };
        let epoch = Date::from_ymd(1899, 12, 31)?;
        Some(DateTime {
            date: epoch.add_days(days),
            secs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn round_trips_and_weekdays() {
        for y in [1900, 1970, 2000, 2020, 2021, 2024, 2100] {
            for m in 1..=12 {
                for day in [1, 15, days_in_month(y, m)] {
                    let x = Date::from_ymd(y, m, day).unwrap();
                    assert_eq!(x.ymd(), (y, m, day));
                }
            }
        }
        assert_eq!(d("1970-01-01").0, 0);
        assert_eq!(d("2021-02-07").weekday(), 7); // a Sunday (调休上班)
        assert_eq!(d("2021-10-11").weekday(), 1);
        assert!(Date::from_ymd(2021, 2, 29).is_none());
        assert!(Date::from_ymd(2024, 2, 29).is_some());
    }

    #[test]
    fn parses_platform_formats() {
        let t = |s: &str| DateTime::parse(s).map(|x| x.to_string());
        assert_eq!(
            t("2021-03-05 09:31:00").as_deref(),
            Some("2021-03-05 09:31:00")
        );
        assert_eq!(t("2021/3/5 9:31").as_deref(), Some("2021-03-05 09:31:00"));
        assert_eq!(t("20210305T093100").as_deref(), Some("2021-03-05 09:31:00"));
        assert_eq!(t("20210305093100").as_deref(), Some("2021-03-05 09:31:00"));
        assert_eq!(
            t("2021-03-05T09:31:00.123").as_deref(),
            Some("2021-03-05 09:31:00")
        );
        assert_eq!(t("2021.3.5").as_deref(), Some("2021-03-05 00:00:00"));
        assert_eq!(t("20210305").as_deref(), Some("2021-03-05 00:00:00"));
        for bad in [
            "2021-02-30",
            "21-3-5",
            "2021-03-05 25:00",
            "2021-13-01",
            "昨天",
            "",
            "3/5/2021",
            "2021-03-05 9:31:00:00",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }

    #[test]
    fn excel_serials() {
        let s = |x: &str| DateTime::from_excel_serial(x.parse().unwrap()).map(|t| t.to_string());
        assert_eq!(
            s("44260.396527777775").as_deref(),
            Some("2021-03-05 09:31:00")
        );
        assert_eq!(s("44197").as_deref(), Some("2021-01-01 00:00:00"));
        assert_eq!(s("1").as_deref(), Some("1900-01-01 00:00:00"));
        assert_eq!(s("61").as_deref(), Some("1900-03-01 00:00:00"));
        assert_eq!(s("0"), None);
    }
}

#[cfg(test)]
mod precision_tests {
    use super::*;

    #[test]
    fn a_time_to_the_minute_is_compared_to_the_minute() {
        // Issue 9: accepted 15:52:18, closed 15:52 was refused as 办结时间早于受理时间.
        let (acc, p) = DateTime::parse_precise("2021/01/04 15:52:18").unwrap();
        let (done, q) = DateTime::parse_precise("2021/01/04 15:52").unwrap();
        assert_eq!((p, q), (Precision::Second, Precision::Minute));
        assert!(!done.before(q, acc, p));
        // Closed truly before it was accepted: still before.
        let (early, e) = DateTime::parse_precise("2021/01/04 15:51").unwrap();
        assert!(early.before(e, acc, p));
        let (day_before, d) = DateTime::parse_precise("2021-01-03").unwrap();
        assert_eq!(d, Precision::Day);
        assert!(day_before.before(d, acc, p));
        // A date alone on the same day is not before.
        let (same_day, d) = DateTime::parse_precise("20210104").unwrap();
        assert!(!same_day.before(d, acc, p));
        // Both to the second: seconds count.
        let (s17, s) = DateTime::parse_precise("2021-01-04 15:52:17").unwrap();
        assert!(s17.before(s, acc, p));
    }
}
