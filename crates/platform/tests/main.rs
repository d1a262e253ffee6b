//! Tests of kaohe-platform on small fixtures whose every number can be checked by hand.
//!
//! `fixtures/cases_gbk.csv` (GBK, Chinese headers), period 2021-01-01..2021-12-31:
//!
//! | id | unit | channel | accepted | limit | completed | deadline | verdict |
//! |---|---|---|---|---|---|---|---|
//! | A001 | 掘港 | 2 | 2021-09-30 | 3 工作日 | 10-11 | 10-11 (国庆, 10-09 调休) | on time |
//! | A002 | 掘港 | 3 | 2021-09-30 | 3 工作日 | 10-12 | 10-11 | late 1 day, 1 working day |
//! | A003 | 掘港 | 1 窗口 | — | — | open | — | not online: not counted |
//! | A004 | 掘港 | 电脑端 | 2021-03-05 | 即办件 | same day | 03-05 | on time |
//! | A005 | 马塘 (village 320623100200) | 移动端 | 2021-12-28 | 3 | open | 12-31 | not yet late at period end |
//! | A006 | 马塘 | 2 | 2021-12-20 | 3 (unit empty = 工作日) | open | 12-23 | late 8 days, 6 working days |
//! | A007 | 马塘 | 2 | 2021-03-05 | 3 + 特别程序 03-08..03-10 (3) | 03-16 | 03-15 | late 1, 1 |
//! | A008 | 马塘 | 2 | 2021-09-24 | 7 自然日 | 10-08 | 10-01 is a holiday → 10-08 | on time |
//! | A009 | 开发区 | 2 | 2020-12-30 | — | — | — | outside the period |
//! | A010 | 开发区 (by name) | 2 | 2021-06-11 | 1 | 06-15 | 06-15 (端午 06-14) | on time |
//! | A011 | 开发区 | 2 | 20210205T100000 | 1 | 02-08 | 02-07 (调休 Sunday) | late 1, 1 |
//!
//! Online volume: 掘港 3, 马塘 4, 开发区 2. Overdue: 掘港 1, 马塘 2, 开发区 1.
//! Claims: 掘港 3 of 4 (0.75), claimed items {001, 002} both with online cases → coverage 1;
//! 马塘 3 of 4 (0.75), claimed {003, 004, 008}, covered 003 and 004 → 2/3; 开发区 2 of 3, claimed
//! {005, 009}, covered 005 → 1/2. Survey: 掘港 3 satisfied of 4 → 0.75; 马塘 given as 96%; 开发区 19 of
//! 20 → 0.95.

use kaohe_core::Problem;
use kaohe_core::calendar::Calendar;
use kaohe_core::input::Unit;
use kaohe_platform::indicators::{self, Indicators, Period, Request};
use kaohe_platform::survey::Scale;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod chunked;
mod limits;
mod properties;
mod times;
mod title_rows;

fn fx(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn units() -> Vec<Unit> {
    let (u, p) = kaohe_tables::batch::read_units_file(&fx("units.csv"));
    assert!(p.is_empty(), "{p:?}");
    u
}

fn run(
    cases: &[&str],
    claims: &[&str],
    surveys: &[&str],
    skip: bool,
) -> (Option<Indicators>, Vec<Problem>) {
    let cal = Calendar::builtin();
    let units = units();
    let cases: Vec<PathBuf> = cases.iter().map(|c| fx(c)).collect();
    let claims: Vec<PathBuf> = claims.iter().map(|c| fx(c)).collect();
    let surveys: Vec<PathBuf> = surveys.iter().map(|c| fx(c)).collect();
    indicators::compute(Request {
        units: &units,
        calendar: &cal,
        period: Period::parse("2021-01-01..2021-12-31").unwrap(),
        cases: &cases,
        claims: &claims,
        surveys: &surveys,
        scale: None,
        skip_bad_rows: skip,
        threads: 0,
        progress: None,
        overdue_sink: None,
    })
}

fn metrics(ind: &Indicators) -> BTreeMap<(String, String), Decimal> {
    ind.metrics
        .iter()
        .map(|m| ((m.unit.to_string(), m.metric.to_string()), m.value))
        .collect()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn indicators_from_gbk_exports_match_the_hand_count() {
    let (ind, problems) = run(&["cases_gbk.csv"], &["claims.csv"], &["survey.csv"], false);
    assert!(problems.is_empty(), "{problems:#?}");
    let ind = ind.unwrap();
    let m = metrics(&ind);
    let get = |u: &str, k: &str| m[&(u.to_string(), k.to_string())];
    assert_eq!(get("320623001", "online_volume"), d("3"));
    assert_eq!(get("320623100", "online_volume"), d("4"));
    assert_eq!(get("320623400", "online_volume"), d("2"));
    assert_eq!(get("320623001", "overdue_cases"), d("1"));
    assert_eq!(get("320623100", "overdue_cases"), d("2"));
    assert_eq!(get("320623400", "overdue_cases"), d("1"));
    assert_eq!(get("320623001", "claim_rate"), d("0.75"));
    assert_eq!(get("320623100", "claim_rate"), d("0.75"));
    assert_eq!(get("320623400", "claim_rate"), d("2") / d("3"));
    assert_eq!(get("320623001", "online_coverage"), d("1"));
    assert_eq!(get("320623100", "online_coverage"), d("2") / d("3"));
    assert_eq!(get("320623400", "online_coverage"), d("0.5"));
    assert_eq!(get("320623001", "agent_satisfaction"), d("0.75"));
    assert_eq!(get("320623100", "agent_satisfaction"), d("0.96"));
    assert_eq!(get("320623400", "agent_satisfaction"), d("0.95"));
    assert_eq!(ind.rows, 11);

    // The overdue receipts, one line each, checkable against the calendar.
    let lines: Vec<String> = ind.overdue.iter().map(|o| o.describe()).collect();
    assert_eq!(
        lines,
        vec![
            "办件 A002：户籍证明（001），2021-09-30 10:00:00 受理，承诺3个工作日，应于 2021-10-11 前办结，2021-10-12 09:00:00 办结，超期 1 天（1 个工作日）",
            "办件 A007：建设工程施工许可（004），2021-03-05 10:00:00 受理，承诺3个工作日，特别程序顺延3个工作日，应于 2021-03-15 前办结，2021-03-16 10:00:00 办结，超期 1 天（1 个工作日）",
            "办件 A006：生育登记（003），2021-12-20 09:00:00 受理，承诺3个工作日，应于 2021-12-23 前办结，至考核期末未办结，超期 8 天（6 个工作日）",
            "办件 A011：食品经营许可（006），2021-02-05 10:00:00 受理，承诺1个工作日，应于 2021-02-07 前办结，2021-02-08 09:00:00 办结，超期 1 天（1 个工作日）",
        ]
    );
    assert_eq!(ind.overdue[0].source.to_string(), "cases_gbk.csv 第3行");
}

#[test]
fn utf8_bom_with_english_headers_and_xlsx_with_date_cells_give_the_same() {
    let (a, _) = run(&["cases_gbk.csv"], &[], &[], false);
    let (b, p) = run(&["cases_bom.csv"], &[], &[], false);
    assert!(p.iter().all(|p| !p.is_error()), "{p:?}");
    assert_eq!(metrics(&a.unwrap()), metrics(&b.unwrap()));

    // The same rows as an XLSX sheet with real date cells and numbers.
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("办件.xlsx");
    let text = std::fs::read(fx("cases_gbk.csv")).unwrap();
    let (text, _, _) = encoding_rs::GB18030.decode(&text);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let datefmt = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            let dt = kaohe_core::DateTime::parse(cell).filter(|_| r > 0 && cell.len() >= 8);
            if let Some(t) = dt {
                let (y, mo, da) = t.date.ymd();
                let x = ExcelDateTime::from_ymd(y as u16, mo as u8, da as u8)
                    .unwrap()
                    .and_hms(
                        (t.secs / 3600) as u16,
                        (t.secs / 60 % 60) as u8,
                        (t.secs % 60) as f64,
                    )
                    .unwrap();
                ws.write_datetime_with_format(r, c, &x, &datefmt).unwrap();
            } else if let (true, Ok(n)) = (r > 0 && c == 7, cell.parse::<f64>()) {
                ws.write_number(r, c, n).unwrap();
            } else {
                ws.write_string(r, c, cell).unwrap();
            }
        }
    }
    wb.save(&path).unwrap();
    let cal = Calendar::builtin();
    let units = units();
    let (x, p) = indicators::compute(Request {
        units: &units,
        calendar: &cal,
        period: Period::parse("2021-01-01..2021-12-31").unwrap(),
        cases: &[path],
        claims: &[],
        surveys: &[],
        scale: None,
        skip_bad_rows: false,
        threads: 0,
        progress: None,
        overdue_sink: None,
    });
    assert!(p.iter().all(|p| !p.is_error()), "{p:?}");
    let (a, _) = run(&["cases_gbk.csv"], &[], &[], false);
    assert_eq!(metrics(&x.unwrap()), metrics(&a.unwrap()));
}

#[test]
fn a_file_with_bad_rows_yields_nothing_and_names_every_problem() {
    let (ind, problems) = run(&["cases_bad.csv"], &[], &[], false);
    assert!(ind.is_none());
    let text: Vec<String> = problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| p.to_string())
        .collect();
    let expect = [
        "cases_bad.csv 第2行 [受理时间]：受理时间无法识别；原值“2021-13-01 10:00:00”",
        "cases_bad.csv 第3行 [行政区划]：未知单位“320623999”",
        "cases_bad.csv 第4行 [申报来源]：申报来源无法识别；原值“网银”",
        "cases_bad.csv 第5行 [承诺时限]：承诺时限不是整数天数；原值“三”",
        "cases_bad.csv 第6行 [时限单位]：时限单位无法识别；原值“天”；应为：工作日 或 自然日",
        "cases_bad.csv 第7行 [办结时间]：办结时间早于受理时间",
        "cases_bad.csv 第8行 [特别程序结束时间]：有特别程序开始时间而无结束时间",
        "办件编号重复：A001 出现 2 次（cases_bad.csv 第9行、cases_bad.csv 第11行）",
    ];
    for e in expect {
        assert!(
            text.iter().any(|t| t.contains(e)),
            "missing “{e}” in:\n{}",
            text.join("\n")
        );
    }
    assert_eq!(text.len(), expect.len(), "{}", text.join("\n"));
}

#[test]
fn skipping_bad_rows_lists_every_skipped_row_but_never_a_duplicate() {
    // Without the duplicate, skipping works and lists each skipped row.
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read(fx("cases_bad.csv")).unwrap();
    let (text, _, _) = encoding_rs::GB18030.decode(&raw);
    let no_dup: Vec<&str> = text.lines().filter(|l| !l.starts_with("A001")).collect();
    std::fs::write(dir.path().join("cases_bad.csv"), no_dup.join("\n")).unwrap();
    let cal = Calendar::builtin();
    let units = units();
    let req = |cases: Vec<PathBuf>| {
        indicators::compute(Request {
            units: &units,
            calendar: &cal,
            period: Period::parse("2021-01-01..2021-12-31").unwrap(),
            cases: &cases,
            claims: &[],
            surveys: &[],
            scale: None,
            skip_bad_rows: true,
            threads: 0,
            progress: None,
            overdue_sink: None,
        })
    };
    let (ind, problems) = req(vec![dir.path().join("cases_bad.csv")]);
    let ind = ind.expect("bad rows skipped");
    let skipped: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.message.starts_with("已跳过此行"))
        .collect();
    assert_eq!(skipped.len(), 7);
    assert!(skipped.iter().all(|p| !p.is_error()));
    // The one good row (B008) counts.
    assert_eq!(
        metrics(&ind)[&("320623001".to_string(), "online_volume".to_string())],
        d("1")
    );
    // A duplicate id is never skipped silently: the import fails.
    let (ind, problems) = req(vec![fx("cases_bad.csv")]);
    assert!(ind.is_none());
    assert!(
        problems
            .iter()
            .any(|p| p.is_error() && p.message.starts_with("办件编号重复"))
    );
}

#[test]
fn duplicates_across_files_are_found() {
    let (ind, problems) = run(&["cases_gbk.csv", "cases_bom.csv"], &[], &[], false);
    assert!(ind.is_none());
    let dups = problems
        .iter()
        .filter(|p| p.message.starts_with("办件编号重复"))
        .count();
    assert_eq!(dups, 11);
}

#[test]
fn numeric_ratings_need_a_declared_direction() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("survey.csv");
    std::fs::write(&f, "单位,评价\n320623001,1\n320623001,5\n").unwrap();
    let cal = Calendar::builtin();
    let units = units();
    let go = |scale| {
        indicators::compute(Request {
            units: &units,
            calendar: &cal,
            period: Period::parse("2021-01-01..2021-12-31").unwrap(),
            cases: &[],
            claims: &[],
            surveys: std::slice::from_ref(&f),
            scale,
            skip_bad_rows: false,
            threads: 0,
            progress: None,
            overdue_sink: None,
        })
    };
    let (ind, p) = go(None);
    assert!(ind.is_none());
    assert!(
        p[0].to_string()
            .contains("评价为数字代码，但未声明代码方向"),
        "{}",
        p[0]
    );
    let (ind, _) = go(Some(Scale::Haocha));
    // 好差评: 1 非常不满意, 5 非常满意 → 1 of 2.
    assert_eq!(
        metrics(&ind.unwrap())[&("320623001".to_string(), "agent_satisfaction".to_string())],
        d("0.5")
    );
}

#[test]
fn period_parsing() {
    assert!(Period::parse("2021-01-01..2021-12-31").is_ok());
    assert_eq!(
        Period::parse("2021-12-31..2021-01-01").unwrap_err(),
        "考核期截止日 2021-01-01 早于起始日 2021-12-31"
    );
    assert!(Period::parse("2021").is_err());
}
