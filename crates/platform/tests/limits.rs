//! Limits of what a platform export may hold: a header or row's width, a cell's length, a record's
//! length (a file without line breaks), and the number of problems listed — at the limit accepted,
//! one past refused with a Chinese error naming the file and the limit. The files stream: none is
//! read whole.

use super::{fx, units};
use kaohe_core::calendar::Calendar;
use kaohe_platform::indicators::{self, Period, Request};
use kaohe_tables::limits::*;
use std::path::PathBuf;

const HEADER: &str = "unit,case_id,item_code,item_name,channel,kind,accepted_at,limit,limit_unit,completed_at,special_start,special_end";
const ROW: &str =
    "320623001,A001,001,户籍证明,2,2,2021-09-30 10:00:00,3,工作日,2021-10-11 16:00:00,,";

fn compute(cases: &[PathBuf], claims: &[PathBuf], threads: usize) -> (bool, Vec<String>) {
    let cal = Calendar::builtin();
    let units = units();
    let (ind, problems) = indicators::compute(Request {
        units: &units,
        calendar: &cal,
        period: Period::parse("2021-01-01..2021-12-31").unwrap(),
        cases,
        claims,
        surveys: &[],
        scale: None,
        skip_bad_rows: false,
        threads,
        progress: None,
        overdue_sink: None,
    });
    (
        ind.is_some(),
        problems.iter().map(|p| p.to_string()).collect(),
    )
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn refused(r: (bool, Vec<String>), needles: &[&str]) {
    assert!(!r.0, "accepted: {:?}", r.1);
    assert!(
        r.1.iter().any(|t| needles.iter().all(|n| t.contains(n))),
        "{needles:?} not in\n{}",
        r.1.join("\n")
    );
}

#[test]
fn a_header_of_a_million_columns_is_one_error() {
    let dir = tempfile::tempdir().unwrap();
    let wide = |n: usize| {
        let mut h = HEADER.to_string();
        for i in 12..n {
            h.push_str(&format!(",x{i}"));
        }
        format!("{h}\n{ROW}\n")
    };
    let at = write(&dir, "at.csv", &wide(MAX_COLUMNS));
    let (ok, p) = compute(&[at], &[fx("claims.csv")], 2);
    assert!(ok, "{p:?}");
    // The 1,012 unknown columns are one note.
    assert_eq!(
        p.iter().filter(|t| t.contains("未知列")).count(),
        1,
        "{p:?}"
    );
    let past = write(&dir, "past.csv", &wide(MAX_COLUMNS + 1));
    refused(
        compute(&[past], &[fx("claims.csv")], 2),
        &["past.csv 第1行", "有 1025 列，超过上限 1024 列"],
    );
    let bomb = write(&dir, "bomb.csv", &wide(1_000_000));
    let r = compute(&[bomb], &[fx("claims.csv")], 2);
    assert_eq!(
        r.1.len(),
        1,
        "{:?}",
        r.1.iter()
            .map(|t| t.chars().take(200).collect::<String>())
            .collect::<Vec<_>>()
    );
    refused(r, &["bomb.csv", "上限"]);
}

#[test]
fn a_row_wider_than_the_limit_is_refused_on_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let row = format!("{ROW}{}\n", ",".repeat(MAX_COLUMNS + 1 - 12));
    let cases = write(&dir, "办件.csv", &format!("{HEADER}\n{ROW}\n{row}"));
    for threads in [1, 2] {
        refused(
            compute(std::slice::from_ref(&cases), &[fx("claims.csv")], threads),
            &["办件.csv 第3行", "有 1025 列"],
        );
    }
    let claims = write(
        &dir,
        "认领.csv",
        &format!(
            "单位,事项名称,事项编码,是否认领\n320623001,户籍证明,001,是\n320623001{}\n",
            ",".repeat(MAX_COLUMNS)
        ),
    );
    refused(
        compute(&[], &[claims], 1),
        &["认领.csv 第3行", "有 1025 列"],
    );
}

#[test]
fn a_cell_at_excels_length_is_read_and_one_character_more_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let with_name = |n: usize| format!("{HEADER}\n{}\n", ROW.replace("户籍证明", &"证".repeat(n)));
    let at = write(&dir, "at.csv", &with_name(MAX_CELL_CHARS));
    let (ok, p) = compute(&[at], &[fx("claims.csv")], 2);
    assert!(ok, "{p:?}");
    let past = write(&dir, "past.csv", &with_name(MAX_CELL_CHARS + 1));
    refused(
        compute(&[past], &[fx("claims.csv")], 2),
        &[
            "past.csv 第2行",
            "第 4 列（D列）的单元格有 32768 个字符，超过上限 32767 个字符",
        ],
    );
}

#[test]
fn a_file_without_line_breaks_is_refused_at_the_record_limit_not_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    // A header then one "record" of 8 MiB: refused once 1 MiB is read without a record's end.
    let mut text = format!("{HEADER}\n");
    text.push_str(&"x".repeat(8 * 1024 * 1024));
    let cases = write(&dir, "办件.csv", &text);
    for threads in [1, 2] {
        refused(
            compute(std::slice::from_ref(&cases), &[fx("claims.csv")], threads),
            &["办件.csv", "一条记录（一行）超过 1 MiB 的上限"],
        );
    }
    // A header without a line break past the limit.
    let header = write(
        &dir,
        "表头.csv",
        &"y".repeat(MAX_RECORD_BYTES + 64 * 1024 + 1),
    );
    refused(
        compute(&[header], &[fx("claims.csv")], 2),
        &["表头.csv 第1行", "表头行（第一条记录）超过 1 MiB 的上限"],
    );
    // A record of just under the limit is a record.
    let mut ok = format!("{HEADER}\n{ROW}\n");
    ok.push_str(
        &ROW.replace("A001", "A002")
            .replace("户籍证明", &format!("\"{}\"", "证,".repeat(10_000))),
    );
    ok.push('\n');
    let ok = write(&dir, "ok.csv", &ok);
    let (fine, p) = compute(&[ok], &[fx("claims.csv")], 2);
    assert!(fine, "{p:?}");
}

#[test]
fn ten_thousand_bad_rows_list_a_thousand_problems_and_count_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{HEADER}\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "320623999,B{i},001,户籍证明,2,2,2021-09-30 10:00:00,3,工作日,2021-10-11 16:00:00,,\n"
        ));
    }
    let cases = write(&dir, "办件.csv", &text);
    let (ok, p) = compute(&[cases], &[fx("claims.csv")], 2);
    assert!(!ok);
    assert_eq!(p.len(), MAX_PROBLEMS + 1, "{}", p.len());
    assert!(
        p.last()
            .unwrap()
            .contains("还有 9000 个问题未列出（其中错误 9000 个"),
        "{}",
        p.last().unwrap()
    );
}
