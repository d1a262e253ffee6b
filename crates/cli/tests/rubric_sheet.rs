//! `kaohe rubric export --format xlsx` and `kaohe rubric import`: every rubric under `rubrics/`
//! goes through Excel and back to the same canonical TOML (same sha256); a bad cell is one Chinese
//! problem named by sheet, row and column, and no file is written.

use crate::support::*;
use calamine::{Data, Reader, Xlsx, open_workbook};
use kaohe_core::rubric;
use std::path::Path;

const SHEETS: [&str; 3] = ["细则", "指标与类目", "说明"];

/// Every sheet of a workbook as a grid of text.
fn grids(p: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut wb: Xlsx<_> = open_workbook(p).unwrap();
    SHEETS
        .iter()
        .map(|s| {
            let range = wb.worksheet_range(s).unwrap();
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::String(s) => s.clone(),
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (s.to_string(), rows)
        })
        .collect()
}

/// The grids written back as a workbook, every cell as text.
fn save(grids: &[(String, Vec<Vec<String>>)], p: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in grids {
        let ws = wb.add_worksheet().set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
    }
    wb.save(p).unwrap();
}

fn export(rubric_file: &str, out: &Path) {
    let o = kaohe(&[
        "rubric",
        "export",
        rubric_file,
        "--format",
        "xlsx",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

/// Every rubric under `rubrics/` (whoever adds one), and `every-field.toml`: every field the
/// loader reads.
fn every_rubric_file() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(repo().join("rubrics"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    files.push(repo().join("crates/core/tests/every-field.toml"));
    files
}

#[test]
fn every_rubric_goes_through_excel_and_back_to_the_same_canonical_toml() {
    let dir = tempfile::tempdir().unwrap();
    for f in every_rubric_file() {
        let text = std::fs::read_to_string(&f).unwrap();
        let (r, problems) = rubric::load("x.toml", &text);
        let r = r.unwrap_or_else(|| panic!("{problems:?}"));
        let xlsx = dir.path().join("r.xlsx");
        let back = dir.path().join("back.toml");
        export(f.to_str().unwrap(), &xlsx);
        let o = kaohe(&[
            "rubric",
            "import",
            xlsx.to_str().unwrap(),
            "--out",
            back.to_str().unwrap(),
        ]);
        assert_eq!(o.code, 0, "{}: {}", f.display(), o.stderr);
        let imported = std::fs::read_to_string(&back).unwrap();
        assert_eq!(
            rubric::sha256_hex(imported.as_bytes()),
            rubric::normalized_sha256(&r),
            "{}:\n{imported}",
            f.display()
        );
        assert_eq!(imported, rubric::write(&r));
        // The same rubric in every field, not only the same text.
        let (again, _) = rubric::load("back.toml", &imported);
        let (mut a, mut b) = (again.unwrap(), r.clone());
        (a.sha256, b.sha256) = (String::new(), String::new());
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{}", f.display());
        // The canonical TOML export says the same.
        let o = kaohe(&["rubric", "export", f.to_str().unwrap(), "--format", "toml"]);
        assert_eq!(o.stdout, imported);
    }
}

#[test]
fn the_sheet_has_the_clerks_columns_frozen_headers_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("r.xlsx");
    export("rubrics/example-depth-and-texts.toml", &xlsx);
    let g = grids(&xlsx);
    let clauses = &g[0].1;
    assert_eq!(
        clauses[0][..14],
        [
            "序号",
            "指标",
            "类目",
            "子类目",
            "标题",
            "分值",
            "考核内容",
            "考核标准",
            "考核办法",
            "原文",
            "考核方式",
            "适用单位类型",
            "检查要点",
            "规则类型"
        ]
    );
    assert!(clauses[0].iter().any(|h| h == "tiers 阶梯 门槛:得分；…"));
    assert!(
        clauses[0]
            .iter()
            .any(|h| h == "types 问题类型 名称:扣分；名称:下限-上限")
    );
    // A four-level clause and a two-level clause.
    assert_eq!(
        clauses[1][..6],
        ["1.1.1.1", "1", "1.1", "1.1.1", "统一着装、佩戴工作牌", "1"]
    );
    let two = clauses.iter().find(|r| r[0] == "2.1").unwrap();
    assert_eq!(two[1..4], ["2", "", ""]);
    assert_eq!(two[6], "差评按期整改");
    assert_eq!(two[13], "每例扣分");
    let tiers = clauses.iter().find(|r| r[0] == "1.1.2.1").unwrap();
    assert!(tiers.contains(&"0.98:2；0.95:1".to_string()));
    let bytes = std::fs::read(&xlsx).unwrap();
    let sheet1 = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet1.contains("<pane ySplit=\"1\""), "header row frozen");
    assert!(sheet1.contains("<dataValidation type=\"list\""));
    assert!(sheet1.contains("每例扣分") && sheet1.contains("看现场,查资料,平台数据"));
    let about = &g[2].1;
    assert!(
        about
            .iter()
            .any(|r| r[..2] == ["编号", "example-depth-and-texts"])
    );
    assert!(
        about
            .iter()
            .any(|r| r[0] == "指标数据" && r[1] == "on_time_rate")
    );
}

/// A row of a grid by its first cell (its second in 指标与类目), as text.
fn row<'g>(g: &'g [(String, Vec<Vec<String>>)], sheet: &str, key: &str) -> &'g [String] {
    let key_col = usize::from(sheet == "指标与类目");
    let rows = &g.iter().find(|(n, _)| n == sheet).unwrap().1;
    rows.iter()
        .find(|r| r.get(key_col).map(String::as_str) == Some(key))
        .unwrap_or_else(|| panic!("{sheet}: no row {key}"))
}

/// The cell of `row` under the header named `column` (or whose key is `column`).
fn under<'r>(
    g: &[(String, Vec<Vec<String>>)],
    sheet: &str,
    row: &'r [String],
    column: &str,
) -> &'r str {
    let heads = &g.iter().find(|(n, _)| n == sheet).unwrap().1[0];
    let i = heads
        .iter()
        .position(|h| h == column || h.split_whitespace().next() == Some(column))
        .unwrap_or_else(|| panic!("{sheet}: no column {column}"));
    row.get(i).map_or("", String::as_str)
}

#[test]
fn the_shapes_of_issue_11_are_plain_cells() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("r.xlsx");
    export("crates/core/tests/every-field.toml", &xlsx);
    let g = grids(&xlsx);
    let c = |id: &str, column: &str| under(&g, "细则", row(&g, "细则", id), column).to_string();
    // Finding types with a deduction or a range, a range, the rubric's word, inspection records.
    assert_eq!(c("1.1", "types"), "标识不醒目:1；情节较重:2-3.0");
    assert_eq!(c("1.1", "per"), "");
    assert_eq!(c("1.1", "word"), "{type} {n} 处");
    assert_eq!(c("1.1", "inspection"), "是");
    assert_eq!(c("1.1", "适用单位类型"), "镇、街道");
    assert_eq!(c("1.1", "考核方式"), "看现场、暗访");
    assert_eq!(c("1.4", "range"), "0.5-1");
    assert_eq!(c("1.3", "适用单位类型"), "");
    // A deduction's stated cap, a penalty clause with its cap.
    assert_eq!(c("1.2", "cap"), "2");
    assert_eq!(c("2.3.2", "规则类型"), "扣分项");
    assert_eq!(
        (c("2.3.2", "per"), c("2.3.2", "cap")),
        ("1".into(), "4".into())
    );
    // Budgets and floors of an indicator and an item.
    let p = |id: &str| row(&g, "指标与类目", id).to_vec();
    assert_eq!(p("1")[..], ["指标", "1", "窗口服务", "9", "6", "1.0"]);
    assert_eq!(p("2.1")[..], ["类目", "2.1", "制度与办件", "4", "3", "0.5"]);
    assert_eq!(p("2")[..], ["指标", "2", "工作成效", "12", "", ""]);
    // The rubric's own fields, each with what it may be.
    let a = |label: &str| row(&g, "说明", label).to_vec();
    assert_eq!(a("总分上限")[1], "25.0");
    assert_eq!(a("格式版本")[1], "2");
    assert_eq!(a("单位类型")[1], "镇、街道、区、园区");
    assert_eq!(a("不适用计分")[1], "prorate");
    assert_eq!(a("排名组")[1], "镇、街道；区、园区");
    assert_eq!(a("组内排名")[1], "否");
    assert_eq!(a("考核方式")[1], "看现场、查资料、平台数据、暗访、问卷");
    assert_eq!(a("否决档次")[1], "不合格");
    assert_eq!(a("数据不全单位")[1], "ranked");
    assert!(a("不适用计分")[2].contains("prorate：按适用条款的得分折算到满分"));
    assert!(a("注：问题类型（types）")[1].contains("标识不醒目:1；标识不易识别:0.5；情节较重:2-5"));
    // The list of 考核方式 is the rubric's own; 须有检查记录 is picked from a list too.
    let bytes = std::fs::read(&xlsx).unwrap();
    let sheet1 = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet1.contains("看现场,查资料,平台数据,暗访,问卷"),
        "{sheet1}"
    );
    assert!(sheet1.contains("扣分项"));
    assert!(sheet1.contains("<formula1>\"是\"</formula1>"), "{sheet1}");
}

/// `rubric` exported, cells changed (sheet, row key, column, value), imported.
fn import_edited(
    rubric: &str,
    edits: &[(&str, &str, &str, &str)],
) -> (i32, String, Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("r.xlsx");
    export(rubric, &xlsx);
    let mut g = grids(&xlsx);
    for (sheet, row_id, column, value) in edits {
        let (_, rows) = g.iter_mut().find(|(n, _)| n == sheet).unwrap();
        let col = rows[0]
            .iter()
            .position(|h| h == column || h.split_whitespace().next() == Some(*column))
            .unwrap_or_else(|| panic!("no column {column}"));
        let key_col = usize::from(*sheet == "指标与类目");
        let row = rows
            .iter_mut()
            .find(|r| r.get(key_col).map(String::as_str) == Some(*row_id))
            .unwrap_or_else(|| panic!("no row {row_id}"));
        if row.len() <= col {
            row.resize(col + 1, String::new());
        }
        row[col] = value.to_string();
    }
    let edited = dir.path().join("edited.xlsx");
    save(&g, &edited);
    let out = dir.path().join("out.toml");
    let o = kaohe(&[
        "rubric",
        "import",
        edited.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&out).ok();
    (o.code, o.stderr, text)
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name(name).unwrap(), &mut s).unwrap();
    s
}

/// `rubric` exported, one cell changed, imported: exit 2, no file, the problem where it is.
fn import_with(rubric: &str, sheet: &str, row_id: &str, column: &str, value: &str) -> String {
    let (code, stderr, text) = import_edited(rubric, &[(sheet, row_id, column, value)]);
    assert_eq!(code, 2, "{stderr}");
    assert!(text.is_none(), "all or nothing: no file on an error");
    assert!(stderr.contains("细则表有误，未写出"), "{stderr}");
    stderr
}

const RUDONG: &str = "rubrics/rudong-2021.toml";
const EVERY: &str = "crates/core/tests/every-field.toml";

#[test]
fn each_bad_cell_is_named_by_sheet_row_and_column() {
    // rudong-2021: 1.4.1 is the 9th clause, row 10 of 细则. every-field: 1.1 is row 2, 1.4 row 5,
    // 2.3.2 row 15; in 指标与类目 指标 1 is row 2 and 类目 2.1 row 4; in 说明 总分上限 is row 11, 不适用计分
    // row 14, 排名组 15, 组内排名 16.
    let cases = [
        (
            RUDONG,
            "细则",
            "1.4.1",
            "规则类型",
            "排名扣分",
            "细则 第10行 [规则类型（N列）]",
            "未知规则类型“排名扣分”",
        ),
        (
            RUDONG,
            "细则",
            "1.4.1",
            "分值",
            "零点零五",
            "细则 第10行 [分值（F列）]",
            "“零点零五”不是十进制数",
        ),
        (
            RUDONG,
            "细则",
            "1.4.1",
            "step",
            "",
            "细则 第10行 [step 名次扣减分（X列）]",
            "缺少必填字段“step”",
        ),
        (
            RUDONG,
            "细则",
            "1.4.1",
            "metric",
            "claim_ratio",
            "细则 第10行 [metric 指标数据编号（P列）]",
            "指标“claim_ratio”未在 [[metrics]] 中定义",
        ),
        (
            RUDONG,
            "细则",
            "1.4.1",
            "类目",
            "1.9",
            "细则 第10行 [类目（C列）]",
            "类目“1.9”不在工作表“指标与类目”中指标 1 之下",
        ),
        (
            RUDONG,
            "细则",
            "1.4.1",
            "考核方式",
            "暗访",
            "细则 第10行 [考核方式（K列）]",
            "考核方式应为 看现场 / 查资料 / 平台数据，实为“暗访”",
        ),
        (
            RUDONG,
            "细则",
            "1.4.3b",
            "parts",
            "online_volume:higher:1:9",
            "细则 第13行 [parts",
            "应写成 metric:better:weight",
        ),
        (
            RUDONG,
            "细则",
            "1.1.1",
            "top",
            "五",
            "细则 第2行 [top",
            "“五”不是整数",
        ),
        (
            RUDONG,
            "指标与类目",
            "2.3",
            "分值",
            "0.3",
            "指标与类目 第",
            "类目 2.3（电子交易平台建设、交易场所标准化）各条款满分合计 0.2，与类目满分 0.3 不符",
        ),
        (
            RUDONG,
            "说明",
            "年度",
            "值",
            "二〇二一",
            "说明 第4行 [值（B列）]",
            "年度应为整数，实为“二〇二一”",
        ),
        (
            RUDONG,
            "说明",
            "并列规则",
            "值",
            "olympic",
            "说明 第10行 [值（B列）]",
            "并列规则应为",
        ),
        // The cells of issue 11's shapes.
        (
            EVERY,
            "细则",
            "1.1",
            "types",
            "标识不醒目",
            "细则 第2行 [types 问题类型 名称:扣分；名称:下限-上限（Q列）]",
            "问题类型“标识不醒目”应写成 名称:每次扣分 或 名称:下限-上限",
        ),
        (
            EVERY,
            "细则",
            "1.1",
            "types",
            "标识不醒目:一分",
            "细则 第2行 [types",
            "“一分”不是十进制数",
        ),
        (
            EVERY,
            "细则",
            "1.1",
            "types",
            "标识不醒目:1；标识不醒目:2",
            "细则 第2行 [types",
            "问题类型“标识不醒目”重复",
        ),
        (
            EVERY,
            "细则",
            "1.1",
            "per",
            "1",
            "细则 第2行 [per 每例（项）扣分（O列）]",
            "不能再写统一的每例扣分“per”",
        ),
        (
            EVERY,
            "细则",
            "1.4",
            "range",
            "1-0.5",
            "细则 第5行 [range 酌情扣分范围 下限-上限（R列）]",
            "酌情范围 [1, 0.5] 无效",
        ),
        (
            EVERY,
            "细则",
            "1.4",
            "range",
            "一到二",
            "细则 第5行 [range",
            "酌情扣分范围“一到二”应写成 下限-上限",
        ),
        (
            EVERY,
            "细则",
            "1.1",
            "word",
            "标识问题",
            "细则 第2行 [word 计数用语 如 缺 {n} 项（S列）]",
            "计数用语“标识问题”应含 {n}",
        ),
        (
            EVERY,
            "细则",
            "1.1",
            "inspection",
            "须检查",
            "细则 第2行 [inspection 须有检查记录 是/空（T列）]",
            "须有检查记录应填“是”",
        ),
        (
            EVERY,
            "细则",
            "1.1",
            "适用单位类型",
            "镇、乡",
            "细则 第2行 [适用单位类型（L列）]",
            "适用单位类型“乡”不在细则所列单位类型（镇、街道、区、园区）之中",
        ),
        (
            EVERY,
            "细则",
            "2.3.2",
            "cap",
            "0",
            "细则 第15行 [cap",
            "扣分项上限应大于 0",
        ),
        (
            EVERY,
            "指标与类目",
            "2.1",
            "共享扣分额度",
            "9",
            "指标与类目 第4行 [共享扣分额度（E列）]",
            "共享扣分额度应大于 0 且不超过本级满分 4，实为 9",
        ),
        (
            EVERY,
            "指标与类目",
            "1",
            "保底分",
            "10",
            "指标与类目 第2行 [保底分（F列）]",
            "保底分应不小于 0 且小于本级满分 9，实为 10",
        ),
        (
            EVERY,
            "说明",
            "总分上限",
            "值",
            "20",
            "说明 第11行 [值（B列）]",
            "总分上限 20 低于总分 21",
        ),
        (
            EVERY,
            "说明",
            "不适用计分",
            "值",
            "half",
            "说明 第14行 [值（B列）]",
            "不适用条款的计分应为",
        ),
        (
            EVERY,
            "说明",
            "排名组",
            "值",
            "镇、街道；区",
            "说明 第15行 [值（B列）]",
            "单位类型“园区”不在任何排名组中",
        ),
        (
            EVERY,
            "说明",
            "单位类型",
            "值",
            "镇、街道",
            "说明 第15行 [值（B列）]",
            "排名组中的单位类型“区”不在细则所列单位类型（镇、街道）之中",
        ),
        (
            EVERY,
            "说明",
            "组内排名",
            "值",
            "不",
            "说明 第16行 [值（B列）]",
            "组内排名应为“是”或“否”，实为“不”",
        ),
        // The rubric's own list of 考核方式, narrowed: the clause that uses another is named.
        (
            EVERY,
            "说明",
            "考核方式",
            "值",
            "看现场、查资料、平台数据、问卷",
            "细则 第2行 [考核方式（K列）]",
            "考核方式应为 看现场 / 查资料 / 平台数据 / 问卷，实为“暗访”",
        ),
    ];
    for (rubric, sheet, row, column, value, at, msg) in cases {
        let err = import_with(rubric, sheet, row, column, value);
        let line = err
            .lines()
            .find(|l| l.contains(msg))
            .unwrap_or_else(|| panic!("{sheet} {row} {column}: no “{msg}” in:\n{err}"));
        assert!(line.contains(at), "{at} not in: {line}");
    }
}

#[test]
fn a_clerks_edit_of_the_new_cells_reads_back_into_the_rubric() {
    let (code, stderr, text) = import_edited(
        EVERY,
        &[
            ("细则", "1.1", "types", "标识不醒目: 1.5; 情节较重：2–4"),
            ("细则", "1.1", "inspection", ""),
            ("细则", "1.1", "适用单位类型", ""),
            ("细则", "1.4", "range", "0.5 ~ 0.8"),
            ("指标与类目", "2.1", "保底分", ""),
            ("说明", "总分上限", "值", "22"),
            ("说明", "组内排名", "值", "是"),
            ("说明", "否决档次", "值", ""),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let text = text.unwrap();
    let (r, problems) = rubric::load("out.toml", &text);
    assert!(problems.is_empty(), "{problems:?}");
    let r = r.unwrap();
    assert!(text.contains(r#"rule = { kind = "per_instance", types = [{ name = "标识不醒目", per = "1.5" }, { name = "情节较重", range = ["2", "4"] }], word = "{type} {n} 处" }"#), "{text}");
    assert!(
        text.contains(
            r#"rule = { kind = "deduction", range = ["0.5", "0.8"], inspection = "required" }"#
        ),
        "{text}"
    );
    let c = r.clause("1.1").unwrap();
    assert_eq!(c.applies_to, None);
    let item = &r.indicators[1].items[0];
    assert_eq!(item.budget.unwrap().floor.to_string(), "0");
    assert_eq!(r.total_cap.unwrap().to_string(), "22");
    assert!(r.shapes.rank_within_groups);
    assert_eq!(r.shapes.veto_grade, None);
}

#[test]
fn a_value_a_cell_cannot_hold_exactly_is_refused_by_the_export_not_written_lossy() {
    // A type name with a space at its start: the loader takes it, a clerk's cell would lose it.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join(EVERY))
        .unwrap()
        .replace(r#"name = "标识不醒目""#, r#"name = " 标识不醒目""#);
    let file = dir.path().join("spaced.toml");
    std::fs::write(&file, text).unwrap();
    let xlsx = dir.path().join("r.xlsx");
    let o = kaohe(&[
        "rubric",
        "export",
        file.to_str().unwrap(),
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("导出的细则表读回后与原细则不一致，未导出"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("{ name = \" 标识不醒目\""),
        "{}",
        o.stderr
    );
    assert!(!xlsx.exists());
    // The canonical TOML keeps it.
    let o = kaohe(&[
        "rubric",
        "export",
        file.to_str().unwrap(),
        "--format",
        "toml",
    ]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains(r#"name = " 标识不醒目""#));
}

/// The grids without the columns whose header (or its key) is in `drop`.
fn without(g: &mut [(String, Vec<Vec<String>>)], drop: &[&str]) {
    for (_, rows) in g.iter_mut() {
        let gone: Vec<usize> = rows[0]
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                drop.iter()
                    .any(|d| *h == d || h.split_whitespace().next() == Some(d))
            })
            .map(|(i, _)| i)
            .collect();
        for row in rows.iter_mut() {
            for &i in gone.iter().rev() {
                if i < row.len() {
                    row.remove(i);
                }
            }
        }
    }
}

#[test]
fn a_workbook_exported_before_the_new_columns_still_reads_with_a_warning_for_each() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("r.xlsx");
    export(RUDONG, &xlsx);
    let mut g = grids(&xlsx);
    let newer = [
        "适用单位类型",
        "共享扣分额度",
        "保底分",
        "types",
        "range",
        "word",
        "inspection",
    ];
    without(&mut g, &newer);
    let old = dir.path().join("old.xlsx");
    save(&g, &old);
    let out = dir.path().join("out.toml");
    let o = kaohe(&[
        "rubric",
        "import",
        old.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for column in [
        "适用单位类型",
        "共享扣分额度",
        "保底分",
        "types 问题类型",
        "inspection",
    ] {
        assert!(
            o.stderr.lines().any(|l| l.starts_with("警告")
                && l.contains("缺少")
                && l.contains(column)
                && l.contains("按空读取")),
            "{column}: {}",
            o.stderr
        );
    }
    let (r, _) = rubric::load(
        "x.toml",
        &std::fs::read_to_string(repo().join(RUDONG)).unwrap(),
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        rubric::write(&r.unwrap())
    );
    // A column of the first layout missing is an error, and nothing is written.
    let mut g = grids(&xlsx);
    without(&mut g, &["标题"]);
    save(&g, &old);
    std::fs::remove_file(&out).unwrap();
    let o = kaohe(&[
        "rubric",
        "import",
        old.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("细则 第1行 [标题]：缺少列“标题”"),
        "{}",
        o.stderr
    );
    assert!(!out.exists());
}

#[test]
fn a_workbook_without_the_rubric_sheets_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("other.xlsx");
    save(&[("Sheet1".into(), vec![vec!["a".into()]])], &p);
    let out = dir.path().join("out.toml");
    let o = kaohe(&[
        "rubric",
        "import",
        p.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("缺少工作表“细则”"), "{}", o.stderr);
    assert!(!out.exists());
}
