//! Times as real platform exports write them: 受理时间 to the second, 办结时间 to the minute.

use super::{fx, units};
use kaohe_core::calendar::Calendar;
use kaohe_platform::indicators::{self, Period, Request};
use std::path::PathBuf;

const HEADER: &str = "unit,case_id,item_code,item_name,channel,kind,accepted_at,limit,limit_unit,completed_at,special_start,special_end";

fn read(done: &str) -> (bool, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let p: PathBuf = dir.path().join("办件.csv");
    std::fs::write(
        &p,
        format!(
            "{HEADER}\n320623001,A001,001,户籍证明,2,2,2021/01/04 15:52:18,3,工作日,{done},,\n"
        ),
    )
    .unwrap();
    let cal = Calendar::builtin();
    let units = units();
    let (ind, problems) = indicators::compute(Request {
        units: &units,
        calendar: &cal,
        period: Period::parse("2021-01-01..2021-12-31").unwrap(),
        cases: &[p],
        claims: &[fx("claims.csv")],
        surveys: &[],
        scale: None,
        skip_bad_rows: false,
        threads: 2,
        progress: None,
        overdue_sink: None,
    });
    (
        ind.is_some(),
        problems.iter().map(|p| p.to_string()).collect(),
    )
}

#[test]
fn a_case_closed_to_the_minute_in_the_minute_it_was_accepted_is_not_closed_before_it() {
    // Issue 9: this pair was refused as 办结时间早于受理时间, and with it the whole file.
    let (ok, problems) = read("2021/01/04 15:52");
    assert!(ok, "{problems:?}");
    assert!(!problems.iter().any(|p| p.contains("早于")), "{problems:?}");
}

#[test]
fn a_case_closed_truly_before_it_was_accepted_is_still_refused() {
    for done in ["2021/01/04 15:51", "2021/01/04 15:52:17", "2021/01/03"] {
        let (ok, problems) = read(done);
        assert!(!ok, "{done}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("办件.csv 第2行") && p.contains("办结时间早于受理时间")),
            "{done}: {problems:?}"
        );
    }
}
