//! 考核日期 — an assessment's 考核期, 自评 deadline and 公示 window in words, with what is left, as
//! every role's dashboard shows them ("自评截止 2022-01-15，还有 3 天"; "公示期至 2022-02-10（还有 2
//! 个工作日）"). The rule (README, "考核日期"): 自评 is accepted until 24:00 Beijing time of its
//! deadline; the 公示 window opens when the assessment moves to 公示, the day of publication does
//! not count, and it closes at 24:00 Beijing time of the N-th working day after it. The store
//! refuses what comes later ([`kaohe_store::Store::set_score`], [`kaohe_store::Store::file_objection`]).

use kaohe_core::calendar::Calendar;
use kaohe_core::problem::Problem;
use kaohe_core::time::beijing_date;
use kaohe_store::store::Assessment;
use kaohe_store::{Stage, Store};

/// Gives `store` the working-day calendar of its data directory (the built-in years plus
/// `calendars/*.toml`), which the 公示 window is counted with; the problems when that does not load
/// (the built-in years stay in use).
pub fn use_data_calendar(store: &Store) -> Vec<Problem> {
    let dir = crate::calendar::of_data_dir(store.dir());
    match crate::calendar::load(Some(&dir)) {
        (Some(c), problems) if problems.is_empty() => {
            store.use_calendar(c);
            Vec::new()
        }
        (_, problems) => problems,
    }
}

/// The dates of `a` in words at `now` (ISO 8601 UTC, as the service gives it), one line each:
/// the 考核期; the 自评 deadline until 自评 is over; the 公示 period, then its window.
pub fn lines(a: &Assessment, cal: &Calendar, now: &str) -> Vec<String> {
    let d = &a.dates;
    let today = beijing_date(now);
    let mut out = Vec::new();
    if let Some((s, e)) = d.period {
        out.push(format!("考核期 {s} 至 {e}"));
    }
    if let Some(deadline) = d.self_deadline
        && a.stage <= Stage::SelfAssessment
    {
        out.push(match today.map(|t| deadline.0 - t.0) {
            Some(n) if n > 0 => format!("自评截止 {deadline}，还有 {n} 天"),
            Some(0) => format!("自评截止 {deadline}，今天 24 时截止"),
            Some(_) => format!("自评截止 {deadline}，已截止"),
            None => format!("自评截止 {deadline}"),
        });
    }
    match (a.stage, d.publication_closes, d.publication_days) {
        (Stage::Publication, Some(closes), _) => {
            out.push(match today {
                Some(t) if t > closes => format!("公示期至 {closes}，已结束，不再受理异议"),
                Some(t) if t == closes => format!("公示期至 {closes}（今天 24 时结束）"),
                Some(t) => match cal.working_days_between(t, closes) {
                    Ok(n) => format!("公示期至 {closes}（还有 {n} 个工作日）"),
                    Err(_) => format!("公示期至 {closes}"),
                },
                None => format!("公示期至 {closes}"),
            });
        }
        (Stage::Final, Some(closes), _) => out.push(format!("公示期至 {closes}，已结束")),
        (s, _, Some(n)) if s < Stage::Publication => {
            out.push(format!("公示期 {n} 个工作日（自进入公示阶段的次日起算）"))
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaohe_core::Date;
    use kaohe_store::store::Dates;

    fn assessment(stage: Stage, dates: Dates) -> Assessment {
        let toml = include_str!("../../../rubrics/rudong-2021.toml");
        Assessment {
            id: 1,
            year: 2022,
            title: "2022年度考核".into(),
            stage,
            rubric: kaohe_core::rubric::load("r.toml", toml).0.unwrap(),
            rubric_toml: toml.into(),
            incomplete_note: None,
            dates,
        }
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_deadline_and_the_window_with_what_is_left_in_beijing_time() {
        let cal = Calendar::builtin();
        let dates = Dates {
            period: Some((d("2022-01-01"), d("2022-12-31"))),
            self_deadline: Some(d("2022-01-15")),
            publication_days: Some(5),
            ..Dates::default()
        };
        let a = assessment(Stage::SelfAssessment, dates.clone());
        assert_eq!(
            lines(&a, &cal, "2022-01-12T03:00:00Z"),
            [
                "考核期 2022-01-01 至 2022-12-31",
                "自评截止 2022-01-15，还有 3 天",
                "公示期 5 个工作日（自进入公示阶段的次日起算）"
            ]
        );
        // 2022-01-14 17:00 UTC is already the 15th in Beijing.
        assert_eq!(
            lines(&a, &cal, "2022-01-14T17:00:00Z")[1],
            "自评截止 2022-01-15，今天 24 时截止"
        );
        assert_eq!(
            lines(&a, &cal, "2022-01-15T16:00:00Z")[1],
            "自评截止 2022-01-15，已截止"
        );
        let published = Dates {
            published_at: Some("2022-02-07T02:00:00Z".into()),
            publication_closes: Some(d("2022-02-14")),
            ..dates
        };
        let a = assessment(Stage::Publication, published);
        // Thursday 2022-02-10: Friday 11th and Monday 14th are left.
        assert_eq!(
            lines(&a, &cal, "2022-02-10T02:00:00Z"),
            [
                "考核期 2022-01-01 至 2022-12-31",
                "公示期至 2022-02-14（还有 2 个工作日）"
            ]
        );
        assert_eq!(
            lines(&a, &cal, "2022-02-14T02:00:00Z")[1],
            "公示期至 2022-02-14（今天 24 时结束）"
        );
        assert_eq!(
            lines(&a, &cal, "2022-02-14T16:00:00Z")[1],
            "公示期至 2022-02-14，已结束，不再受理异议"
        );
        // An assessment made before dates shows none.
        assert!(
            lines(
                &assessment(Stage::Review, Dates::default()),
                &cal,
                "2022-02-14T16:00:00Z"
            )
            .is_empty()
        );
    }
}
