//! The outputs of a rubric with rubric-level shapes (`rubrics/example-groups-and-kinds.toml`): the
//! table, the JSON and the 考核反馈单 show 不适用 and 折算, the ranking group, 未达等级 / the stars,
//! 未完成 for an incomplete unit, and the veto's grade and reason; the workbook's 扣分明细 too.

use kaohe_core::input::*;
use kaohe_core::num::parse_decimal;
use kaohe_report::feedback::Feedback;
use std::io::Cursor;

fn rubric() -> kaohe_core::Rubric {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../rubrics/example-groups-and-kinds.toml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    kaohe_core::rubric::load("example-groups-and-kinds.toml", &text)
        .0
        .unwrap()
}

fn inputs() -> Inputs {
    let mut i = Inputs::default();
    let units = [
        ("A", "甲镇", "镇"),
        ("B", "乙街道", "街道"),
        ("C", "丙镇", "镇"),
        ("P", "高新园区", "园区"),
        ("Q", "经济开发区", "区"),
    ];
    for (code, name, kind) in units {
        i.units.push(Unit {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            origin: None,
        });
    }
    let d = |s: &str| parse_decimal(s).unwrap();
    for (u, c, score, reason) in [
        ("A", "1.1.1", "2", ""),
        ("A", "1.2.1", "2", ""),
        ("B", "1.1.1", "1.5", "标识不醒目"),
        ("B", "1.2.1", "1", "暗访发现代办点空岗"),
        ("P", "1.1.1", "1.2", "功能分区不全"),
        ("Q", "1.1.1", "2", ""),
    ] {
        i.judgements.push(JudgementEntry {
            unit: u.into(),
            clause: c.into(),
            score: d(score),
            reason: reason.into(),
            assessor: None,
            origin: None,
        });
    }
    for (u, m, v) in [
        ("A", "online_rate", "0.9"),
        ("A", "satisfaction", "0.95"),
        ("B", "online_rate", "0.8"),
        ("B", "satisfaction", "0.855"),
        ("C", "online_rate", "0.6"),
        ("P", "online_rate", "0.95"),
        ("P", "satisfaction", "0.95"),
        ("Q", "online_rate", "0.7"),
        ("Q", "satisfaction", "0.95"),
    ] {
        i.metrics.push(MetricEntry {
            unit: u.into(),
            metric: m.into(),
            value: d(v),
            origin: None,
        });
    }
    i.findings.push(FindingEntry {
        unit: "Q".into(),
        clause: "2.2.2".into(),
        description: "发生安全生产责任事故".into(),
        evidence: None,
        finding_type: None,
        points: None,
        reason: None,
        origin: None,
    });
    i
}

#[test]
fn table_json_and_feedback_show_the_rubric_level_shapes() {
    let (r, i) = (rubric(), inputs());
    let s = kaohe_core::score(&r, &i);
    insta::assert_snapshot!("shapes-table", kaohe_report::table::render(&s, &[]));
    let json: serde_json::Value =
        serde_json::from_str(&kaohe_report::json::to_json(&s, &[])).unwrap();
    insta::assert_json_snapshot!("shapes-json", json["units"]);
    let forms: Vec<String> = s
        .units
        .iter()
        .map(|u| Feedback::of("示例考核", "公示", &s, u).summary())
        .collect();
    insta::assert_snapshot!("shapes-feedback", forms.join("\n"));
}

#[test]
fn the_workbook_lists_not_applicable_and_the_veto() {
    use calamine::{Reader, Xlsx};
    let (r, i) = (rubric(), inputs());
    let s = kaohe_core::score(&r, &i);
    let bytes = kaohe_report::xlsx::workbook(&s, &[]).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("扣分明细").unwrap();
    let rows: Vec<String> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    let all = rows.join("\n");
    assert!(
        all.contains("不适用：本条款适用于镇、街道，本单位为园区"),
        "{all}"
    );
    assert!(
        all.contains("单项否决|单项否决：发生安全生产责任事故，该单位评为不合格"),
        "{all}"
    );
    assert!(all.contains("未完成|C|丙镇"), "{all}");
    let summary = wb.worksheet_range("汇总表").unwrap();
    let text: Vec<String> = summary.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        text.iter().any(|t| t.contains("排名组：区、园区")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|t| t == "未达等级" || t == "五星"),
        "{text:?}"
    );
}
