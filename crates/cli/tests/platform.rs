use crate::support::*;
use serde_json::Value;
use std::collections::BTreeMap;

const PERIOD: &str = "2021-01-01..2021-12-31";

fn exports(f: &str) -> String {
    repo()
        .join("examples/rudong-2021-platform/exports")
        .join(f)
        .to_string_lossy()
        .into_owned()
}

fn platform_dir() -> String {
    repo()
        .join("examples/rudong-2021-platform")
        .to_string_lossy()
        .into_owned()
}

fn score_with_exports(extra: &[&str]) -> Out {
    let (c, cl, s) = (
        exports("办件.csv"),
        exports("事项认领.csv"),
        exports("满意度测评.csv"),
    );
    let input = platform_dir();
    let mut args = vec![
        "score", "--input", &input, "--period", PERIOD, "--cases", &c, "--claims", &cl, "--survey",
        &s,
    ];
    args.extend_from_slice(extra);
    kaohe(&args)
}

/// The overdue counts the generator (tools/gen_platform.py) designed, computing deadlines on its
/// own from the same calendar file.
fn designed_overdue() -> BTreeMap<&'static str, usize> {
    [
        ("320623001", 0),
        ("320623002", 1),
        ("320623003", 0),
        ("320623100", 2),
        ("320623101", 0),
        ("320623103", 0),
        ("320623104", 3),
        ("320623107", 0),
        ("320623108", 5),
        ("320623109", 0),
        ("320623110", 0),
        ("320623111", 27),
        ("320623112", 1),
        ("320623113", 0),
        ("320623114", 0),
        ("320623400", 4),
        ("320623402", 0),
    ]
    .into_iter()
    .collect()
}

#[test]
fn raw_gbk_exports_to_json_scores_with_each_overdue_case_as_an_instance() {
    let o = score_with_exports(&["--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(j["complete"], true);
    for u in j["units"].as_array().unwrap() {
        let code = u["code"].as_str().unwrap();
        let c = u["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "1.4.3a")
            .unwrap();
        let want = designed_overdue()[code];
        let inst = c["instances"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(inst, want, "{code}");
        let expl = c["explanation"].as_str().unwrap();
        if want == 0 {
            assert_eq!(expl, "超期办件 0件，不扣分，得 0.05");
        } else {
            assert!(
                expl.starts_with(&format!("超期办件 {want}件（逐条见明细）")),
                "{expl}"
            );
            let first = c["instances"][0]["description"].as_str().unwrap();
            assert!(
                first.starts_with(&format!("办件 {code}2021"))
                    && first.contains("应于")
                    && first.contains("超期"),
                "{first}"
            );
            assert!(
                c["instances"][0]["source"]
                    .as_str()
                    .unwrap()
                    .starts_with("办件.csv 第")
            );
        }
    }
    let caobu = j["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "320623111")
        .unwrap();
    let c = caobu["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "1.4.3a")
        .unwrap();
    assert_eq!(c["score"], "0.0000");
}

#[test]
fn ingest_writes_metrics_and_overdue_and_they_feed_score_to_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ingest");
    let (c, cl, s) = (
        exports("办件.csv"),
        exports("事项认领.csv"),
        exports("满意度测评.csv"),
    );
    let units = format!("{}/units.csv", platform_dir());
    let o = kaohe(&[
        "ingest",
        "--units",
        &units,
        "--period",
        PERIOD,
        "--cases",
        &c,
        "--claims",
        &cl,
        "--survey",
        &s,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("已读取办件 6656 行"), "{}", o.stderr);
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    assert!(metrics.starts_with("unit,metric,value\n"));
    assert_eq!(metrics.lines().count(), 1 + 17 * 5);
    let overdue = std::fs::read_to_string(out.join("overdue.csv")).unwrap();
    assert!(overdue.starts_with("case_id,"));
    assert_eq!(
        overdue.lines().count(),
        1 + designed_overdue().values().sum::<usize>()
    );

    // A batch whose metrics table is guide_defects + the ingested metrics scores like the exports.
    let batch = tempfile::tempdir().unwrap();
    for f in ["units.csv", "judgements.csv", "findings.csv", "bonus.csv"] {
        std::fs::copy(format!("{}/{f}", platform_dir()), batch.path().join(f)).unwrap();
    }
    let mut m = std::fs::read_to_string(format!("{}/metrics.csv", platform_dir())).unwrap();
    for line in metrics.lines().skip(1) {
        m.push_str(line);
        m.push('\n');
    }
    std::fs::write(batch.path().join("metrics.csv"), m).unwrap();
    let via_ingest: Value = serde_json::from_str(
        &kaohe(&[
            "score",
            "--input",
            batch.path().to_str().unwrap(),
            "--format",
            "json",
        ])
        .stdout,
    )
    .unwrap();
    let direct: Value =
        serde_json::from_str(&score_with_exports(&["--format", "json"]).stdout).unwrap();
    let totals = |j: &Value| -> Vec<(String, String, u64)> {
        j["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["code"].as_str().unwrap().into(),
                    u["total"].as_str().unwrap().into(),
                    u["rank"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(totals(&via_ingest), totals(&direct));
}

#[test]
fn a_metric_typed_in_and_computed_from_exports_is_an_error() {
    let cl = exports("事项认领.csv");
    let o = kaohe(&[
        "score",
        "--input",
        demo_dir().to_str().unwrap(),
        "--claims",
        &cl,
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("metrics.csv 第2行 [指标] 单位320623001：指标 claim_rate 已由平台数据计算，不能在指标表中重复填写"), "{}", o.stderr);
}

#[test]
fn cases_need_a_period() {
    let c = exports("办件.csv");
    let o = kaohe(&["score", "--input", &platform_dir(), "--cases", &c]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("须指定考核期 --period"));
}

#[test]
fn a_case_file_with_bad_rows_is_refused_whole_unless_rows_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let bad = repo().join("crates/platform/tests/fixtures/cases_bad.csv");
    // Without the duplicate id rows, so that skipping can succeed.
    let raw = std::fs::read(&bad).unwrap();
    let (text, _, _) = encoding_rs::GB18030.decode(&raw);
    let f = dir.path().join("办件.csv");
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("A001")).collect();
    std::fs::write(&f, kept.join("\n")).unwrap();
    let units = repo().join("crates/platform/tests/fixtures/units.csv");
    let args = [
        "ingest",
        "--units",
        units.to_str().unwrap(),
        "--period",
        PERIOD,
        "--cases",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let o = kaohe(&args);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("办件.csv 第2行 [受理时间]：受理时间无法识别"),
        "{}",
        o.stderr
    );
    assert!(!out.exists(), "nothing is written from a file with errors");
    let mut skip = args.to_vec();
    skip.push("--skip-bad-rows");
    let o = kaohe(&skip);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stderr.matches("已跳过此行").count(), 7, "{}", o.stderr);
    assert!(out.join("metrics.csv").exists());
}

#[test]
fn calendar_commands() {
    let o = kaohe(&["calendar", "check", "2021-02-07"]);
    assert_eq!(
        o.stdout.trim(),
        "2021-02-07（周日）：工作日：调休上班（国办发明电〔2020〕27号）"
    );
    let o = kaohe(&["calendar", "check", "2021-10-04"]);
    assert_eq!(
        o.stdout.trim(),
        "2021-10-04（周一）：休息日：法定节假日（国办发明电〔2020〕27号）"
    );
    let o = kaohe(&["calendar", "deadline", "2021-02-10", "5"]);
    assert_eq!(
        o.stdout.trim(),
        "受理 2021-02-10（周三），承诺 5 个工作日 → 办理期限 2021-02-23（周二）24:00"
    );
    let o = kaohe(&["calendar", "deadline", "2021-09-24", "7", "--natural"]);
    assert_eq!(
        o.stdout.trim(),
        "受理 2021-09-24（周五），承诺 7 个自然日 → 办理期限 2021-10-08（周五）24:00"
    );
    let o = kaohe(&["calendar", "between", "2021-12-31", "2022-01-04"]);
    assert_eq!(
        o.stdout.trim(),
        "2021-12-31 至 2022-01-04：1 个工作日（不含 2021-12-31，含 2022-01-04）"
    );
    let o = kaohe(&["calendar", "check", "2027-01-04"]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("超出工作日历范围（已载入 2020–2026 年）"));
    // A later year is a file, no rebuild.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("2027.toml"),
        "[2027]\nsource = \"测试\"\nholidays = [\"2027-01-01\"]\nextra_workdays = []\n",
    )
    .unwrap();
    let o = kaohe(&[
        "calendar",
        "check",
        "2027-01-01",
        "--calendar-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        o.stdout.trim(),
        "2027-01-01（周五）：休息日：法定节假日（测试）"
    );
    // A calendar file past its limit, or not UTF-8, is refused naming the file and the limit.
    let big = tempfile::tempdir().unwrap();
    std::fs::write(big.path().join("2028.toml"), vec![b'#'; 256 * 1024 + 1]).unwrap();
    let o = kaohe(&[
        "calendar",
        "check",
        "2021-01-04",
        "--calendar-dir",
        big.path().to_str().unwrap(),
    ]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr
            .contains("2028.toml：日历文件有 262145 字节，超过上限 262144 字节"),
        "{}",
        o.stderr
    );
    let gbk = tempfile::tempdir().unwrap();
    std::fs::write(gbk.path().join("2027.toml"), b"# \xc8\xd5\xc0\xfa\n").unwrap();
    let o = kaohe(&[
        "calendar",
        "check",
        "2021-01-04",
        "--calendar-dir",
        gbk.path().to_str().unwrap(),
    ]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr
            .contains("2027.toml：日历文件不是 UTF-8 编码：第 3 字节起无法识别"),
        "{}",
        o.stderr
    );
}
