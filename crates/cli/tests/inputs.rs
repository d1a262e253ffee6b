use crate::support::*;
use serde_json::Value;

/// (code, total, rank, [clause scores]) for every unit, ignoring where the inputs came from.
fn scores(j: &Value) -> Vec<(String, String, u64, Vec<String>)> {
    j["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["code"].as_str().unwrap().to_string(),
                u["total"].as_str().unwrap().to_string(),
                u["rank"].as_u64().unwrap(),
                u["clauses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["score"].to_string())
                    .collect(),
            )
        })
        .collect()
}

fn csv_rows(file: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(demo_dir().join(file)).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn one_workbook_with_a_sheet_per_table_scores_the_same() {
    use rust_xlsxwriter::{Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("2021年考核数据.xlsx");
    let mut wb = Workbook::new();
    let pct = Format::new().set_num_format("0.00%");
    for (file, sheet) in [
        ("units.csv", "单位"),
        ("metrics.csv", "指标数据"),
        ("judgements.csv", "评分"),
        ("findings.csv", "问题记录"),
        ("bonus.csv", "加分"),
    ] {
        let ws = wb.add_worksheet().set_name(sheet).unwrap();
        // Start one row down: a title row above the table, as offices do. It is blank here, so the
        // header is the first non-empty row.
        for (r, row) in csv_rows(file).iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                // Numbers as Excel keeps them: codes, scores and counts as numbers, percentages as
                // fractions with a percent format.
                if let Some(p) = cell.strip_suffix('%').and_then(|p| p.parse::<f64>().ok()) {
                    ws.write_number_with_format(r, c, p / 100.0, &pct).unwrap();
                } else if let Ok(x) = cell.parse::<f64>() {
                    ws.write_number(r, c, x).unwrap();
                } else {
                    ws.write_string(r, c, cell).unwrap();
                }
            }
        }
    }
    wb.save(&path).unwrap();
    let o = kaohe(&[
        "score",
        "--input",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(scores(&j), scores(&json(&demo_dir())));
    // Problems point at the workbook's sheet and the spreadsheet row.
    let inst = &j["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "320623101")
        .unwrap()["clauses"][9]["instances"][0];
    assert_eq!(inst["source"], "2021年考核数据.xlsx › 问题记录 第3行");
}

#[test]
fn gbk_files_score_the_same() {
    let dir = scratch();
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let (gbk, _, bad) = encoding_rs::GBK.encode(text.trim_start_matches('\u{feff}'));
        assert!(!bad);
        std::fs::write(&p, gbk).unwrap();
    }
    assert_eq!(scores(&json(dir.path())), scores(&json(&demo_dir())));
}

#[test]
fn english_headers_any_column_order_and_full_width_digits() {
    let dir = scratch();
    let text = std::fs::read_to_string(dir.path().join("judgements.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[0] = "unit,clause,score,reason,assessor".into();
    // Reorder columns: score first.
    let re: Vec<String> = lines
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.splitn(5, ',').collect();
            format!("{},{},{},{},{}", f[2], f[0], f[1], f[3], f[4])
        })
        .collect();
    let mut body = re.join("\n");
    body = body.replacen("0.05,320623003,1.1.1", "０．０５,320623003,1.1.1", 1);
    std::fs::write(dir.path().join("judgements.csv"), body + "\n").unwrap();
    std::fs::write(
        dir.path().join("units.csv"),
        std::fs::read_to_string(dir.path().join("units.csv"))
            .unwrap()
            .replacen("单位编码,单位名称,类型", "name,kind,code", 1)
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    l.to_string()
                } else {
                    let f: Vec<&str> = l.split(',').collect();
                    format!("{},{},{}", f[1], f[2], f[0])
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    assert_eq!(scores(&json(dir.path())), scores(&json(&demo_dir())));
}

#[test]
fn an_unknown_column_is_a_note_not_an_error() {
    let dir = scratch();
    replace(
        dir.path(),
        "bonus.csv",
        "单位,条款,加分,理由",
        "单位,条款,加分,理由,备注",
    );
    let o = kaohe(&[
        "score",
        "--input",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j: Value = serde_json::from_str(&o.stdout).unwrap();
    let p = &j["problems"][0];
    assert_eq!(p["severity"], "note");
    assert_eq!(p["file"], "bonus.csv");
    assert_eq!(p["column"], "备注");
}
