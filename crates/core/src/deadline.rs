//! 办理时限与超期 — the deadline of a case and whether it is overdue (RULES.md §4).
//!
//! 《行政许可法》第八十二条、《民法典》第二百零一条: a limit in working days ends at 24:00 of the N-th
//! working day after the 受理 day (the acceptance day itself does not count). 即办件 (N = 0): the end
//! of the acceptance day. A limit in 自然日 counts calendar days, and a period whose last day is a rest
//! day ends on the next working day (《民法典》第二百零三条). Time under 特别程序 (听证, 检验, 鉴定, 专家
//! 评审…) extends the deadline by the working days it spans, where the records carry it.
//! 超期: closed after the deadline, or still open after it at the end of the period.

use crate::calendar::{Calendar, OutOfRange};
use crate::date::Date;

/// 时限单位
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitUnit {
    /// 工作日 (the default)
    WorkingDays,
    /// 自然日
    CalendarDays,
}

impl LimitUnit {
    pub fn label(self) -> &'static str {
        match self {
            LimitUnit::WorkingDays => "工作日",
            LimitUnit::CalendarDays => "自然日",
        }
    }
}

/// 承诺时限
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub days: u32,
    pub unit: LimitUnit,
}

/// A deadline: the last day (until 24:00) and the working days added for 特别程序.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub due: Date,
    pub extension: u32,
}

/// The deadline of a case accepted on `accepted`.
pub fn deadline(
    cal: &Calendar,
    accepted: Date,
    limit: Limit,
    special: Option<(Date, Date)>,
) -> Result<Deadline, OutOfRange> {
    let base = match limit.unit {
        LimitUnit::WorkingDays => cal.add_working_days(accepted, limit.days)?,
        LimitUnit::CalendarDays if limit.days == 0 => accepted,
        LimitUnit::CalendarDays => {
            cal.on_or_next_working_day(accepted.add_days(limit.days as i32))?
        }
    };
    let extension = match special {
        Some((a, b)) => cal.working_days_spanned(a, b)?,
        None => 0,
    };
    Ok(Deadline {
        due: cal.add_working_days(base, extension)?,
        extension,
    })
}

/// How late a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lateness {
    /// Calendar days after the due day (≥ 1).
    pub days: i32,
    /// Working days after the due day, up to the completion day (or the period's end).
    pub working_days: i64,
}

/// `Some` when overdue: completed after the due day, or still open after it at `period_end`.
pub fn overdue(
    cal: &Calendar,
    due: Date,
    completed: Option<Date>,
    period_end: Date,
) -> Result<Option<Lateness>, OutOfRange> {
    let end = completed.unwrap_or(period_end);
    if end <= due {
        return Ok(None);
    }
    Ok(Some(Lateness {
        days: end.0 - due.0,
        working_days: cal.working_days_between(due, end)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }
    fn wd(n: u32) -> Limit {
        Limit {
            days: n,
            unit: LimitUnit::WorkingDays,
        }
    }

    #[test]
    fn working_day_limits_and_immediate_cases() {
        let c = Calendar::builtin();
        assert_eq!(
            deadline(&c, d("2021-09-30"), wd(3), None).unwrap().due,
            d("2021-10-11")
        );
        assert_eq!(
            deadline(&c, d("2021-03-05"), wd(0), None).unwrap().due,
            d("2021-03-05")
        );
        // Accepted on a rest day: the count starts after it all the same.
        assert_eq!(
            deadline(&c, d("2021-10-02"), wd(1), None).unwrap().due,
            d("2021-10-08")
        );
    }

    #[test]
    fn calendar_day_limits_end_on_a_working_day() {
        let c = Calendar::builtin();
        let cd = |n| Limit {
            days: n,
            unit: LimitUnit::CalendarDays,
        };
        // 2021-09-24 + 7 = 2021-10-01 (国庆) → next working day 2021-10-08.
        assert_eq!(
            deadline(&c, d("2021-09-24"), cd(7), None).unwrap().due,
            d("2021-10-08")
        );
        // 2021-03-01 + 4 = 2021-03-05 (a Friday): stays.
        assert_eq!(
            deadline(&c, d("2021-03-01"), cd(4), None).unwrap().due,
            d("2021-03-05")
        );
        // Ends on the 调休 Sunday 2021-02-07, a working day: stays.
        assert_eq!(
            deadline(&c, d("2021-02-01"), cd(6), None).unwrap().due,
            d("2021-02-07")
        );
    }

    #[test]
    fn special_procedures_extend_by_the_working_days_they_span() {
        let c = Calendar::builtin();
        // 3 working days → 2021-03-10; a 听证 spanning Mon 03-08 .. Wed 03-10 adds 3 → 2021-03-15.
        let dl = deadline(
            &c,
            d("2021-03-05"),
            wd(3),
            Some((d("2021-03-08"), d("2021-03-10"))),
        )
        .unwrap();
        assert_eq!((dl.due, dl.extension), (d("2021-03-15"), 3));
    }

    #[test]
    fn overdue_when_closed_late_or_open_at_period_end() {
        let c = Calendar::builtin();
        let end = d("2021-12-31");
        assert_eq!(
            overdue(&c, d("2021-10-11"), Some(d("2021-10-11")), end).unwrap(),
            None
        );
        let late = overdue(&c, d("2021-10-11"), Some(d("2021-10-13")), end)
            .unwrap()
            .unwrap();
        assert_eq!((late.days, late.working_days), (2, 2));
        // Closed on the Saturday after a Friday deadline: late by a day, 0 working days.
        let late = overdue(&c, d("2021-03-05"), Some(d("2021-03-06")), end)
            .unwrap()
            .unwrap();
        assert_eq!((late.days, late.working_days), (1, 0));
        // Open: overdue only once the period has passed the deadline.
        assert!(overdue(&c, d("2021-12-31"), None, end).unwrap().is_none());
        assert_eq!(
            overdue(&c, d("2021-12-29"), None, end)
                .unwrap()
                .unwrap()
                .working_days,
            2
        );
    }
}
