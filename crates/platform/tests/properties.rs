//! Invariants of deadlines and overdue counts over random dates and cases.

use kaohe_core::calendar::Calendar;
use kaohe_core::date::Date;
use kaohe_core::deadline::{Limit, LimitUnit, deadline, overdue};
use proptest::prelude::*;

fn day() -> impl Strategy<Value = Date> {
    // 2020-01-01 .. 2026-06-30
    (18262i32..20634).prop_map(Date)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn deadline_is_never_before_acceptance_and_lands_on_a_working_day(a in day(), n in 0u32..60, natural in any::<bool>()) {
        let c = Calendar::builtin();
        let unit = if natural { LimitUnit::CalendarDays } else { LimitUnit::WorkingDays };
        let dl = deadline(&c, a, Limit { days: n, unit }, None).unwrap();
        prop_assert!(dl.due >= a);
        if n > 0 {
            prop_assert!(c.is_working_day(dl.due).unwrap());
            prop_assert!(dl.due > a);
        }
        if !natural && n > 0 {
            prop_assert_eq!(c.working_days_between(a, dl.due).unwrap(), n as i64);
        }
    }

    #[test]
    fn adding_working_days_is_monotone(a in day(), b in day(), n in 0u32..40, m in 0u32..40) {
        let c = Calendar::builtin();
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(c.add_working_days(lo, n).unwrap() <= c.add_working_days(hi, n).unwrap());
        let (n, m) = (n.min(m), n.max(m));
        prop_assert!(c.add_working_days(a, n).unwrap() <= c.add_working_days(a, m).unwrap());
    }

    #[test]
    fn overdue_cases_never_exceed_online_cases(cases in prop::collection::vec((day(), 0u32..15, prop::option::of(0i32..30), any::<bool>()), 0..80)) {
        let c = Calendar::builtin();
        let end = Date::parse("2026-12-31").unwrap();
        let mut online = 0;
        let mut late = 0;
        for (a, n, done, is_online) in cases {
            if !is_online { continue; }
            online += 1;
            let dl = deadline(&c, a, Limit { days: n, unit: LimitUnit::WorkingDays }, None).unwrap();
            let completed = done.map(|k| a.add_days(k));
            if let Some(l) = overdue(&c, dl.due, completed, end).unwrap() {
                prop_assert!(l.days >= 1);
                prop_assert!(l.working_days >= 0);
                late += 1;
            }
        }
        prop_assert!(late <= online);
    }
}
