//! 北京时间 — the one place an instant the service wrote (ISO 8601 UTC, `2026-12-01T16:16:00Z`) is
//! read as Beijing time (UTC+8, no daylight saving) and written the one way people read it:
//! `2026年12月2日 00:16`. The core reads no clock: the caller passes the instant.

use crate::date::Date;

/// The instant's Beijing day and minute: (day, hour, minute), or `None` when it does not read.
fn parts(iso: &str) -> Option<(Date, u32, u32)> {
    let day = Date::parse(iso.get(..10)?)?;
    if !matches!(iso.as_bytes().get(10), Some(b'T' | b' ')) {
        return None;
    }
    let h: u32 = iso.get(11..13)?.parse().ok()?;
    let m: u32 = iso.get(14..16)?.parse().ok()?;
    if h > 23 || m > 59 {
        return None;
    }
    Some(if h + 8 >= 24 {
        (day.add_days(1), h + 8 - 24, m)
    } else {
        (day, h + 8, m)
    })
}

/// The day in Beijing of an ISO 8601 UTC instant (`2022-01-15T16:30:00Z` is 2022-01-16); `None`
/// when it does not read.
pub fn beijing_date(iso: &str) -> Option<Date> {
    parts(iso).map(|(d, _, _)| d)
}

/// An ISO 8601 UTC instant in Beijing time to the minute, as every page, PDF and workbook shows a
/// time: `2021年12月1日 17:05`. Text that is not such an instant is returned as it is.
pub fn beijing(iso: &str) -> String {
    match parts(iso) {
        Some((date, h, m)) => {
            let (y, mo, d) = date.ymd();
            format!("{y}年{mo}月{d}日 {h:02}:{m:02}")
        }
        None => iso.to_string(),
    }
}

/// A local time as written by a device with no zone (a camera's EXIF `2021:11:30 15:04:05`, read
/// as `2021-11-30 15:04:05`), in the same words, unconverted: `2021年11月30日 15:04`. Text that does
/// not read is returned as it is.
pub fn local(text: &str) -> String {
    let read = || -> Option<String> {
        let day = Date::parse(text.get(..10)?)?;
        let h: u32 = text.get(11..13)?.parse().ok()?;
        let m: u32 = text.get(14..16)?.parse().ok()?;
        if h > 23 || m > 59 {
            return None;
        }
        let (y, mo, d) = day.ymd();
        Some(format!("{y}年{mo}月{d}日 {h:02}:{m:02}"))
    };
    read().unwrap_or_else(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cameras_local_time_is_written_unconverted() {
        assert_eq!(local("2021-11-30 15:04:05"), "2021年11月30日 15:04");
        assert_eq!(local("2021-11-30 25:04:05"), "2021-11-30 25:04:05");
        assert_eq!(local("坏"), "坏");
    }

    #[test]
    fn instants_read_as_beijing_time() {
        assert_eq!(beijing("2021-12-01T09:05:00Z"), "2021年12月1日 17:05");
        assert_eq!(beijing("2026-12-01T16:16:00Z"), "2026年12月2日 00:16");
        assert_eq!(beijing("2021-12-31T20:00:00Z"), "2022年1月1日 04:00");
        assert_eq!(beijing("2024-02-28T16:00:00Z"), "2024年2月29日 00:00");
        assert_eq!(beijing("昨天"), "昨天");
        assert_eq!(beijing("2021-12-01"), "2021-12-01");
        let day = |s| beijing_date(s).map(|d| d.to_string());
        assert_eq!(day("2024-05-08T15:59:59Z").as_deref(), Some("2024-05-08"));
        assert_eq!(day("2024-05-08T16:00:00Z").as_deref(), Some("2024-05-09"));
        assert_eq!(day("2024-12-31T23:00:00Z").as_deref(), Some("2025-01-01"));
        assert_eq!(beijing_date("昨天"), None);
    }
}
