use crate::support::*;
use calamine::{Data, Reader, Xlsx};
use std::io::Read;

/// `kaohe score` of the demo data in `format`, written to `out`.
fn score_demo(format: &str, out: &std::path::Path) -> Out {
    kaohe(&[
        "score",
        "--input",
        demo_dir().to_str().unwrap(),
        "--format",
        format,
        "--out",
        out.to_str().unwrap(),
    ])
}

fn workbook() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("汇总.xlsx");
    let o = score_demo("xlsx", &out);
    assert_eq!(o.code, 0, "{}", o.stderr);
    (dir, out)
}

#[test]
fn workbook_has_the_three_sheets_with_numbers_as_numbers() {
    let (_d, path) = workbook();
    let mut wb: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["汇总表", "扣分明细", "原始数据"]);
    let s = wb.worksheet_range("汇总表").unwrap();
    // Title row, two header rows, then the units by rank.
    assert_eq!(s.get_value((1, 0)), Some(&Data::String("排名".into())));
    assert_eq!(
        s.get_value((1, 4)),
        Some(&Data::String("1 政务服务规范化建设（1分）".into()))
    );
    assert_eq!(
        s.get_value((2, 4)),
        Some(&Data::String("场所设施\n(0.1)".into()))
    );
    assert_eq!(s.get_value((3, 0)), Some(&Data::Float(1.0)));
    assert_eq!(s.get_value((3, 1)), Some(&Data::String("320623001".into())));
    // Columns: 4 fixed, 7 items + 小计, 5 items + 小计, then 基础分 加分 总分.
    assert_eq!(s.get_value((1, 18)), Some(&Data::String("基础分".into())));
    assert_eq!(s.get_value((3, 20)), Some(&Data::Float(1.505)));
    assert_eq!(s.get_value((3, 11)), Some(&Data::Float(0.995)));
    let merged = wb.merge_cells_by_sheet_name("汇总表").unwrap();
    let has = |r0, c0, r1, c1| {
        merged
            .iter()
            .any(|m| m.start == (r0, c0) && m.end == (r1, c1))
    };
    assert!(has(1, 0, 2, 0), "排名 spans the two header rows");
    assert!(has(1, 4, 1, 11), "indicator 1 spans its 7 items and 小计");
    assert!(has(1, 12, 1, 17), "indicator 2 spans its 5 items and 小计");

    let d = wb.worksheet_range("扣分明细").unwrap();
    let rows: Vec<_> = d.rows().collect();
    assert_eq!(rows[0][9], Data::String("说明（扣分理由）".into()));
    let hekou = rows
        .iter()
        .find(|r| r[1] == Data::String("320623108".into()) && r[3] == Data::String("1.6.2".into()))
        .unwrap();
    assert_eq!(hekou[7], Data::Float(0.0026));
    assert!(matches!(&hekou[9], Data::String(s) if s.contains("四舍五入得 0.0474")));
    let yangkou = rows
        .iter()
        .find(|r| r[1] == Data::String("320623113".into()) && r[3] == Data::String("1.4.2".into()))
        .unwrap();
    assert!(
        matches!(&yangkou[10], Data::String(s) if s.starts_with("1. 事项“临时救助申请”") && s.lines().count() == 3)
    );

    let raw = wb.worksheet_range("原始数据").unwrap();
    assert!(raw.rows().count() > 17 + 374);
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    let (_d, path) = workbook();
    let mut wb: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let d = wb.worksheet_range("扣分明细").unwrap();
    let row = d
        .rows()
        .find(|r| r[1] == Data::String("320623402".into()) && r[3] == Data::String("1.1.1".into()))
        .unwrap();
    assert!(matches!(&row[9], Data::String(s) if s.contains("：=标识牌位置不显著")));
    let raw = wb.worksheet_range("原始数据").unwrap();
    let cell = raw.rows().find_map(|r| match &r[5] {
        Data::String(s) if s.starts_with('=') => Some(s.clone()),
        _ => None,
    });
    assert_eq!(cell.as_deref(), Some("=标识牌位置不显著（主体建筑侧面）"));
    // No formula anywhere, and the cell that starts with `=` carries Excel's quote prefix.
    let f = std::fs::File::open(&path).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut styles = String::new();
    z.by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    assert!(styles.contains("quotePrefix=\"1\""));
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        if name.starts_with("xl/worksheets/") {
            let mut x = String::new();
            e.read_to_string(&mut x).unwrap();
            assert!(!x.contains("<f>"), "{name} has a formula");
        }
    }
}

#[test]
fn formula_like_covers_every_leading_character_spreadsheets_run() {
    use kaohe_report::xlsx::formula_like;
    for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
        assert!(formula_like(s), "{s}");
    }
    for s in ["掘港街道", "1.5", "（=）", ""] {
        assert!(!formula_like(s), "{s}");
    }
}

#[test]
fn xlsx_needs_an_out_file() {
    let o = kaohe(&[
        "score",
        "--input",
        demo_dir().to_str().unwrap(),
        "--format",
        "xlsx",
    ]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("--out"));
}

#[test]
fn pdf_writes_one_feedback_form_per_unit_with_its_own_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("反馈单");
    let o = score_demo("pdf", &out);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("已写入 17 份考核反馈单"), "{}", o.stderr);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 17);
    assert_eq!(names[0], "320623001-掘港街道-考核反馈单.pdf");
    let pdf = std::fs::read(out.join(&names[0])).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // The numbers are the run's own: the same total and rank as the JSON output.
    let json = kaohe(&[
        "score",
        "--input",
        demo_dir().to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let unit = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "320623001")
        .unwrap()
        .clone();
    if let Some(pages) = kaohe_report::pdf::probe::pages(&pdf) {
        let text: String = pages.concat().split_whitespace().collect();
        let want = format!(
            "总分{}（基础分{}，加分{}），在17个单位中第{}名。",
            unit["total"].as_str().unwrap(),
            unit["base"].as_str().unwrap(),
            unit["bonus"].as_str().unwrap(),
            unit["rank"]
        );
        assert!(text.contains(&want), "{want} not in\n{text}");
        assert!(
            text.contains("阶段：命令行计算（未经公示、定档）"),
            "{text}"
        );
    }
    // Without a directory to write to, it says what is missing.
    let o = kaohe(&[
        "score",
        "--input",
        demo_dir().to_str().unwrap(),
        "--format",
        "pdf",
    ]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr.contains("--format pdf 需要 --out 目录"),
        "{}",
        o.stderr
    );
}
