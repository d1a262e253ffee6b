//! A CSV export is cut into chunks of whole records that several threads parse at once. Wherever
//! the cuts fall — even inside a quoted field's line break, between `\r` and `\n`, or one byte
//! apart — the result must be exactly what one reader reading the file from start to end gives:
//! the same counts, the same receipts with the same row numbers, the same problems in order.

use super::{fx, units};
use kaohe_core::calendar::Calendar;
use kaohe_platform::cases::{self, CHUNK_BYTES, CaseOptions};
use kaohe_platform::indicators::Period;
use kaohe_platform::units::UnitMap;
use std::fmt::Write;
use std::path::PathBuf;

/// Everything `cases::read` gives, as text: counts per unit, receipts with their rows, problems.
fn read_in_chunks(files: &[PathBuf], chunk_bytes: usize, threads: usize, skip: bool) -> String {
    let cal = Calendar::builtin();
    let units = units();
    let mut map = UnitMap::new(&units);
    let mut opts = CaseOptions {
        calendar: &cal,
        period: Period::parse("2021-01-01..2021-12-31").unwrap(),
        skip_bad_rows: skip,
        progress: None,
        overdue_sink: None,
        chunk_bytes,
        threads,
    };
    let (st, problems) = cases::read(files, &mut map, &mut opts);
    let mut out = String::new();
    for p in &problems {
        writeln!(out, "{p}").unwrap();
    }
    if let Some(st) = st {
        writeln!(
            out,
            "rows {} online {} volume {:?} overdue {:?} seen {:?}",
            st.rows, st.online_in_period, st.volume, st.overdue_count, st.seen
        )
        .unwrap();
        let mut items: Vec<Vec<&str>> = st
            .items
            .iter()
            .map(|set| {
                let mut v: Vec<&str> = st
                    .item_ids
                    .iter()
                    .filter(|(_, i)| set.contains(i))
                    .map(|(code, _)| code.as_str())
                    .collect();
                v.sort();
                v
            })
            .collect();
        items.iter_mut().for_each(|v| v.sort());
        writeln!(out, "items {items:?}").unwrap();
        for o in &st.overdue {
            // Debug form: an item name may hold a line break.
            writeln!(out, "{} | {:?}", o.source, o.describe()).unwrap();
        }
    }
    out
}

fn same_for_every_cut(files: &[PathBuf], skip: bool) -> String {
    let whole = read_in_chunks(files, CHUNK_BYTES, 1, skip);
    for size in [1, 2, 3, 7, 16, 33, 100, 257] {
        for threads in [1, 2, 3] {
            assert_eq!(
                read_in_chunks(files, size, threads, skip),
                whole,
                "chunks of {size} bytes on {threads} threads gave another result"
            );
        }
    }
    whole
}

#[test]
fn the_fixtures_give_the_same_in_chunks_of_any_size() {
    for (files, skip) in [
        (vec!["cases_gbk.csv"], false),
        (vec!["cases_bom.csv"], false),
        (vec!["cases_bad.csv"], false),
        (vec!["cases_bad.csv"], true),
        (vec!["cases_gbk.csv", "cases_bom.csv"], false),
    ] {
        let paths: Vec<PathBuf> = files.iter().map(|f| fx(f)).collect();
        let text = same_for_every_cut(&paths, skip);
        assert!(!text.is_empty());
    }
    // And what they give is what the hand count says (see main.rs).
    let gbk = read_in_chunks(&[fx("cases_gbk.csv")], 5, 2, false);
    assert!(gbk.contains("volume [3, 4, 2] overdue [1, 2, 1]"), "{gbk}");
    assert!(gbk.contains("cases_gbk.csv 第3行 | \"办件 A002"), "{gbk}");
}

#[test]
fn quoted_commas_line_breaks_crlf_and_empty_lines_are_numbered_as_a_spreadsheet_numbers_them() {
    let header = "办件编号,事项编码,事项名称,行政区划,申报来源,办件类型,受理时间,承诺时限,时限单位,办结时间,特别程序开始时间,特别程序结束时间";
    let text = [
        header,
        // row 2: a comma inside quotes; late (due 2021-10-11)
        "Q1,001,\"户籍证明,补办\",320623001,2,2,2021-09-30 10:00:00,3,工作日,2021-10-12 09:00:00,,",
        // row 3: doubled quotes and a line break inside quotes; open at the period end: late
        "Q2,002,\"低保\"\"申请\"\"\r\n第二行\",320623001,网上,2,2021-12-20 09:00:00,3,,,,",
        // row 4: an empty line — a row, as in a spreadsheet
        "",
        // row 5: a quoted id; on time (due 2021-03-10)
        "\"Q3\",003,生育登记,320623100,2,2,2021-03-05 10:00:00,3,工作日,2021-03-10 10:00:00,,",
        // row 6: blank cells only: skipped (not counted in `rows`), but it is a row
        " , , ",
        // row 7: 即办件 done three days later, no line break at the end of the file
        "Q4,004,x,320623100,3,1,2021-03-05 09:00:00,,,2021-03-08 09:00:00,,",
    ]
    .join("\r\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quoted.csv");
    std::fs::write(&path, text).unwrap();
    let out = same_for_every_cut(std::slice::from_ref(&path), false);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "rows 4 online 4 volume [2, 2, 0] overdue [2, 1, 0] seen [true, true, false]"
    );
    assert_eq!(lines[1], r#"items [["001", "002"], ["003", "004"], []]"#);
    let starts = [
        r#"quoted.csv 第2行 | "办件 Q1：户籍证明,补办（001），2021-09-30 10:00:00 受理"#,
        r#"quoted.csv 第3行 | "办件 Q2：低保\"申请\"\r\n第二行（002），2021-12-20 09:00:00 受理"#,
        r#"quoted.csv 第7行 | "办件 Q4：x（004），2021-03-05 09:00:00 受理，即办件"#,
    ];
    for (line, start) in lines[2..].iter().zip(starts) {
        assert!(
            line.starts_with(start),
            "{line}\n  should start with\n{start}"
        );
    }
    assert_eq!(lines.len(), 5, "{out}");
}

#[test]
fn claims_and_cases_count_an_empty_line_as_the_row_it_is() {
    let dir = tempfile::tempdir().unwrap();
    // Row 3 is empty; the unknown unit is on row 4, as a spreadsheet shows it.
    let claims = dir.path().join("claims.csv");
    std::fs::write(
        &claims,
        "单位,认领主体,事项编码,是否认领\r\n320623001,本级,001,是\r\n\r\n320623999,本级,002,是\r\n",
    )
    .unwrap();
    let cases = dir.path().join("cases.csv");
    std::fs::write(
        &cases,
        "办件编号,事项编码,行政区划,申报来源,受理时间,承诺时限,办结时间\n\nA1,001,320623999,2,2021-03-05 10:00:00,3,\n",
    )
    .unwrap();
    for (cases, claims, row) in [
        (vec![], vec![claims], "claims.csv 第4行 [单位]"),
        (vec![cases], vec![], "cases.csv 第3行 [行政区划]"),
    ] {
        refused_naming(&cases, &claims, 0, &[row, "320623999"]);
    }
}

/// Computes the indicators of these exports on `threads` threads: refused, with a problem that names
/// every one of `needles`.
fn refused_naming(cases: &[PathBuf], claims: &[PathBuf], threads: usize, needles: &[&str]) {
    let cal = Calendar::builtin();
    let units = units();
    let (ind, problems) =
        kaohe_platform::indicators::compute(kaohe_platform::indicators::Request {
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
    assert!(ind.is_none());
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert!(
        text.iter().any(|t| needles.iter().all(|n| t.contains(n))),
        "{needles:?} not in\n{}",
        text.join("\n")
    );
}

#[test]
fn empty_lines_before_the_header_are_rows_too() {
    let dir = tempfile::tempdir().unwrap();
    // Two empty lines (CRLF), the header on row 3, the unknown unit on row 5.
    let claims = dir.path().join("claims.csv");
    std::fs::write(
        &claims,
        "\r\n\r\n单位,认领主体,事项编码,是否认领\r\n320623001,本级,001,是\r\n320623999,本级,002,是\r\n",
    )
    .unwrap();
    // One empty line (LF): header on row 2, the unknown unit on row 3.
    let cases = dir.path().join("cases.csv");
    std::fs::write(
        &cases,
        "\n办件编号,事项编码,行政区划,申报来源,受理时间,承诺时限,办结时间\nA1,001,320623999,2,2021-03-05 10:00:00,3,\n",
    )
    .unwrap();
    // A duplicate case id after three empty lines: rows 5 and 6, on one thread and on three.
    let dups = dir.path().join("dups.csv");
    std::fs::write(
        &dups,
        "\n\r\n\n办件编号,事项编码,行政区划,申报来源,受理时间,承诺时限,办结时间\nA1,001,320623001,2,2021-03-05 10:00:00,3,2021-03-05 11:00:00\nA1,001,320623001,2,2021-03-05 10:00:00,3,2021-03-05 11:00:00\n",
    )
    .unwrap();
    for (cases, claims, threads, needles) in [
        (vec![], vec![claims], 0, vec!["claims.csv 第5行 [单位]"]),
        (vec![cases], vec![], 0, vec!["cases.csv 第3行 [行政区划]"]),
        (vec![dups.clone()], vec![], 1, vec!["第5行", "第6行"]),
        (vec![dups], vec![], 3, vec!["第5行", "第6行"]),
    ] {
        refused_naming(&cases, &claims, threads, &needles);
    }
}

#[test]
fn a_csv_read_row_by_row_tracks_its_ids_for_duplicates_too() {
    use kaohe_platform::dups::IdTracker;
    use kaohe_platform::rows::{Row, Source, Tracking};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ids.csv");
    std::fs::write(&path, "id,x\nA,1\nB,2\n\n A ,3\n").unwrap();
    let mut src = Source::open(&path).unwrap();
    src.track_ids(Tracking {
        column: Some(0),
        file: 0,
        tracker: IdTracker::new().unwrap(),
    });
    let mut row = Row::default();
    let mut numbers = Vec::new();
    while src.next(&mut row).unwrap() {
        numbers.push(row.number);
    }
    assert_eq!(numbers, vec![2, 3, 5]);
    let found = src.into_tracker().unwrap().duplicates(&[path]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .message
            .contains("A 出现 2 次（ids.csv 第2行、ids.csv 第5行）"),
        "{}",
        found[0].message
    );
}

/// `overdue.csv` as the workers format it (each receipt on the thread that found it, the row
/// numbers filled in in file order) is byte for byte what writing the kept cases one by one gives,
/// wherever the chunks are cut — quoted fields, line breaks and commas in names included.
#[test]
fn receipts_formatted_by_the_workers_are_the_rows_written_one_by_one() {
    use kaohe_platform::indicators::OverdueWriter;
    let cal = Calendar::builtin();
    let units = units();
    let dir = tempfile::tempdir().unwrap();
    // 300 cases, every third late; names with commas, quotes and line breaks; a file name that
    // itself needs quoting in the source column
    let mut text = String::from(
        "办件编号,事项编码,事项名称,行政区划,申报来源,办件类型,受理时间,承诺时限,时限单位,办结时间,特别程序开始时间,特别程序结束时间\n",
    );
    for i in 0..300 {
        let name = [
            "户籍证明",
            "\"户籍,补办\"",
            "\"低保\"\"申请\"\"\n第二行\"",
            "=1+1",
        ][i % 4];
        let done = if i % 3 == 0 {
            "2021-10-12 09:00:00"
        } else {
            "2021-10-01 09:00:00"
        };
        let unit = ["320623001", "320623100"][i % 2];
        text.push_str(&format!(
            "Q{i},{i:03},{name},{unit},2,2,2021-09-27 10:00:00,3,工作日,{done},,\n"
        ));
    }
    let odd = dir.path().join("办件,\"2021\".csv");
    std::fs::write(&odd, text).unwrap();
    let files = [odd, fx("cases_gbk.csv")];
    let opts = |chunk_bytes, threads| CaseOptions {
        calendar: &cal,
        period: Period::parse("2021-01-01..2021-12-31").unwrap(),
        skip_bad_rows: true,
        progress: None,
        overdue_sink: None,
        chunk_bytes,
        threads,
    };
    // The oracle: the kept cases written through the csv crate, field by field.
    let (st, problems) = cases::read(&files, &mut UnitMap::new(&units), &mut opts(CHUNK_BYTES, 1));
    let st = st.unwrap_or_else(|| panic!("{problems:?}"));
    assert!(st.overdue.len() >= 100, "{}", st.overdue.len());
    let mut oracle = csv::Writer::from_writer(Vec::new());
    oracle
        .write_record([
            "case_id",
            "unit",
            "item_code",
            "item_name",
            "accepted_at",
            "limit",
            "deadline",
            "extension_working_days",
            "completed_at",
            "days_late",
            "working_days_late",
            "source",
        ])
        .unwrap();
    let safe = |s: &str| kaohe_core::text::csv_safe(s).into_owned();
    for o in &st.overdue {
        oracle
            .write_record([
                safe(&o.case_id),
                o.unit.to_string(),
                safe(&o.item_code),
                safe(&o.item_name),
                o.accepted.to_string(),
                format!("{}{}", o.limit.days, o.limit.unit.label()),
                o.due.to_string(),
                o.extension.to_string(),
                o.completed.map_or("未办结".to_string(), |c| c.to_string()),
                o.late.days.to_string(),
                o.late.working_days.to_string(),
                o.source.to_string(),
            ])
            .unwrap();
    }
    let expected = oracle.into_inner().unwrap();
    // one by one, from the cases kept in memory
    let one = dir.path().join("one-by-one.csv");
    let mut w = OverdueWriter::create(&one).unwrap();
    for o in &st.overdue {
        w.write(o);
    }
    w.finish().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&std::fs::read(&one).unwrap()),
        String::from_utf8_lossy(&expected)
    );
    for size in [1, 7, 100, CHUNK_BYTES] {
        for threads in [1, 2, 3] {
            let got = dir.path().join(format!("got-{size}-{threads}.csv"));
            let mut w = OverdueWriter::create(&got).unwrap();
            let mut o = opts(size, threads);
            o.overdue_sink = Some(&mut w);
            let (st, problems) = cases::read(&files, &mut UnitMap::new(&units), &mut o);
            let st = st.unwrap_or_else(|| panic!("{problems:?}"));
            assert!(st.overdue.is_empty(), "the sink took every case");
            w.finish().unwrap();
            assert_eq!(
                String::from_utf8_lossy(&std::fs::read(&got).unwrap()),
                String::from_utf8_lossy(&expected),
                "chunks of {size} bytes on {threads} threads"
            );
        }
    }
}
