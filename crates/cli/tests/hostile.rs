//! The hostile files of issue 9 replayed through the CLI: the small ones kept in `tests/hostile/`,
//! the big ones built here from the recipes beside them. Each gives a clear Chinese error naming the
//! file and the limit, and exit status 2 — never an abort, a panic, or a flood of output.

#[path = "../../../tests/hostile/recipes.rs"]
mod recipes;

use super::support::*;
use std::path::{Path, PathBuf};

fn hostile(name: &str) -> PathBuf {
    repo().join("tests/hostile").join(name)
}

/// Exit 2, every needle in stderr, stderr short (the shared-string bomb once wrote 537 MB).
fn refused(o: &Out, needles: &[&str]) {
    assert_eq!(
        o.code,
        2,
        "stderr: {}",
        o.stderr.chars().take(2000).collect::<String>()
    );
    for n in needles {
        assert!(
            o.stderr.contains(n),
            "{n:?} not in {}",
            o.stderr.chars().take(2000).collect::<String>()
        );
    }
    assert!(
        o.stderr.len() < 16 * 1024,
        "stderr of {} bytes",
        o.stderr.len()
    );
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
}

fn score(input: &Path) -> Out {
    kaohe(&["score", "--input", input.to_str().unwrap()])
}

fn ingest_units(units: &Path) -> Out {
    let out = tempfile::tempdir().unwrap();
    let claims = repo().join("examples/rudong-2021-platform/exports/事项认领.csv");
    kaohe(&[
        "ingest",
        "--units",
        units.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--claims",
        claims.to_str().unwrap(),
    ])
}

#[test]
fn every_hostile_workbook_in_the_corpus_is_refused_with_exit_2() {
    for (file, needle) in [
        ("xfd1048576.xlsx", "超过上限 1024 列"),
        ("shared-string-bomb.xlsx", "xl/sharedStrings.xml"),
        ("sheet-xml-bomb.xlsx", "xl/worksheets/sheet1.xml"),
        ("lying-header.xlsx", "解压后大于它声明的 200 字节"),
        ("pdf-as-units.xlsx", "不是有效的 XLSX 工作簿"),
        // Found by the fuzz suite: calamine's u32 row overflowed (a panic in a debug build).
        (
            "cell-ref-overflow.xlsx",
            "单元格位置“A99999999999”超出 Excel 的范围",
        ),
    ] {
        let p = hostile(file);
        refused(&score(&p), &[file, needle]);
        refused(&ingest_units(&p), &[file, needle]);
        // As the units table of a folder of CSV files.
        let dir = scratch();
        std::fs::remove_file(dir.path().join("units.csv")).unwrap();
        std::fs::copy(&p, dir.path().join("units.xlsx")).unwrap();
        refused(&score(dir.path()), &["units.xlsx", needle]);
    }
}

#[test]
fn the_big_bombs_built_from_recipes_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, needle) in [
        // 64 MiB in one shared string: took 4.1 GB and wrote 537 MB to stderr.
        (
            "ss64.xlsx",
            recipes::shared_string_bomb(64),
            "xl/sharedStrings.xml",
        ),
        // 600 MiB of sheet XML.
        (
            "sheet600.xlsx",
            recipes::sheet_xml_bomb(600),
            "xl/worksheets/sheet1.xml",
        ),
        (
            "entries.xlsx",
            recipes::many_entries(10_001),
            "10001 个部件，超过上限 10000 个",
        ),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        refused(&score(&p), &[name, needle]);
    }
}

#[test]
fn a_bonus_csv_of_a_million_header_columns_is_one_short_error() {
    // Took 21 s and 2.7 GB, and listed a million unknown columns.
    for (cols, needle) in [
        (1025, "有 1025 列，超过上限 1024 列"),
        (1_000_000, "有 1000000 列，超过上限 1024 列"),
    ] {
        let dir = scratch();
        std::fs::write(dir.path().join("bonus.csv"), recipes::width_bomb_csv(cols)).unwrap();
        refused(&score(dir.path()), &["bonus.csv 第1行", needle]);
    }
    let dir = scratch();
    std::fs::copy(hostile("width-1025.csv"), dir.path().join("bonus.csv")).unwrap();
    refused(&score(dir.path()), &["bonus.csv 第1行", "1025 列"]);
}

#[test]
fn a_cell_past_excels_length_is_refused_with_exit_2() {
    let dir = scratch();
    std::fs::copy(hostile("cell-32768.csv"), dir.path().join("bonus.csv")).unwrap();
    refused(
        &score(dir.path()),
        &["bonus.csv 第2行", "32768 个字符，超过上限 32767 个字符"],
    );
}

#[test]
fn a_cases_export_without_line_breaks_is_refused_at_the_record_limit() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("办件.csv");
    let mut text = String::from(
        "unit,case_id,item_code,item_name,channel,kind,accepted_at,limit,limit_unit,completed_at,special_start,special_end\n",
    );
    text.push_str(&"x".repeat(4 * 1024 * 1024));
    std::fs::write(&cases, text).unwrap();
    let units = repo().join("examples/rudong-2021-platform/units.csv");
    let o = kaohe(&[
        "ingest",
        "--units",
        units.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
        "--period",
        "2021-01-01..2021-12-31",
        "--cases",
        cases.to_str().unwrap(),
    ]);
    refused(&o, &["办件.csv", "一条记录（一行）超过 1 MiB 的上限"]);
}

#[test]
fn a_rubric_that_is_not_utf8_exits_2_naming_the_file_from_every_command() {
    // `kaohe rubric check` exited 1 on it.
    let bad = hostile("not-utf8.toml");
    let bad = bad.to_str().unwrap();
    let good = repo().join("rubrics/rudong-2021.toml");
    let good = good.to_str().unwrap();
    let demo = demo_dir();
    let demo = demo.to_str().unwrap();
    for args in [
        vec!["rubric", "check", bad],
        vec!["rubric", "show", bad],
        vec!["rubric", "diff", good, bad],
        vec!["rubric", "diff", bad, good],
        vec!["score", "--rubric", bad, "--input", demo],
        vec!["whatif", "--rubric", bad, "--other", good, "--input", demo],
        vec!["whatif", "--other", bad, "--input", demo],
    ] {
        refused(&kaohe(&args), &["not-utf8.toml", "细则文件不是 UTF-8 编码"]);
    }
}

#[test]
fn a_rubric_whose_points_overflow_a_decimal_exits_2() {
    // Found by the fuzz suite: `kaohe rubric check` panicked ("Addition overflowed").
    let p = hostile("points-overflow.toml");
    let p = p.to_str().unwrap();
    let demo = demo_dir();
    for args in [
        vec!["rubric", "check", p],
        vec!["score", "--rubric", p, "--input", demo.to_str().unwrap()],
    ] {
        refused(
            &kaohe(&args),
            &["points-overflow.toml", "超出细则数值的范围"],
        );
    }
}

#[test]
fn a_score_or_bonus_past_fifteen_digits_is_refused_not_an_overflow() {
    // Found by the fuzz suite's kind of input: such a score overflowed the engine's sums (a panic).
    let huge = "79228162514264337593543950335";
    let dir = scratch();
    replace(
        dir.path(),
        "judgements.csv",
        "320623001,1.1.1,0.05,,张伟",
        &format!("320623001,1.1.1,{huge},x,张伟"),
    );
    append(
        dir.path(),
        "bonus.csv",
        &format!("320623001,2.3.3,{huge},x"),
    );
    append(
        dir.path(),
        "bonus.csv",
        &format!("320623100,2.3.3,{huge},y"),
    );
    refused(
        &score(dir.path()),
        &[
            "judgements.csv 第2行",
            "得分不是数字",
            "bonus.csv 第4行",
            "加分不是数字",
        ],
    );
}

#[test]
fn a_huge_or_deeply_nested_rubric_exits_2_with_a_short_error() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.toml");
    std::fs::write(&huge, recipes::huge_rubric(2 * 1024 * 1024)).unwrap();
    refused(
        &kaohe(&["rubric", "check", huge.to_str().unwrap()]),
        &["huge.toml", "文件大小 2.0 MiB，超过细则文件的上限 1 MiB"],
    );
    let deep = hostile("deep-nesting.toml");
    refused(
        &kaohe(&["rubric", "check", deep.to_str().unwrap()]),
        &[
            "deep-nesting.toml",
            "TOML 语法错误：第 1 行第",
            "嵌套层数过深",
        ],
    );
}

#[test]
fn a_reason_past_excels_length_is_cut_in_the_workbook_not_a_failed_export() {
    // rust_xlsxwriter refuses strings over 32,767 characters: a 40,000-character reason (typed in
    // the service) made every export fail. A file may hold 32,767 characters in a cell; the
    // explanation quoting it is longer, and is what the workbook must cut.
    use calamine::{Data, Reader, Xlsx};
    let dir = scratch();
    let reason = "理".repeat(32_767);
    replace(
        dir.path(),
        "judgements.csv",
        "320623001,1.1.1,0.05,,张伟",
        &format!("320623001,1.1.1,0.04,{reason},张伟"),
    );
    let out = dir.path().join("out.xlsx");
    let o = kaohe(&[
        "score",
        "--input",
        dir.path().to_str().unwrap(),
        "--format",
        "xlsx",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut wb: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let sheet = wb.worksheet_range("扣分明细").unwrap();
    let cell = sheet
        .rows()
        .flat_map(|r| r.iter())
        .find_map(|c| match c {
            Data::String(s) if s.contains("理理理理") => Some(s.clone()),
            _ => None,
        })
        .expect("the reason is in 扣分明细");
    assert_eq!(cell.chars().count(), 32_767);
    assert!(
        cell.ends_with("…（超出 Excel 单元格长度上限，全文见系统）"),
        "{}",
        &cell[cell.len() - 80..]
    );
}
