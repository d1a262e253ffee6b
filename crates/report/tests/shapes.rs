//! The outputs of a rubric with rubric-level shapes (`rubrics/example-groups-and-kinds.toml`): the
//! table, the JSON and the 考核反馈单 show 不适用 and 折算, the ranking group, 未达等级 / the stars,
//! 未完成 for an incomplete unit, and the veto's grade and reason; the workbook's 扣分明细 too.
//! `rubrics/example-window-service.toml`: 扣分项 apart from 加分, the total's own line under the
//! cap, finding types and ranges, 未检查 (no inspection record) as missing.

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
        ("D", "丁镇", "镇"),
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
        ("D", "1.1.1", "1", "标识缺失"),
        ("D", "1.2.1", "0.5", "代办点未运行"),
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
        ("D", "online_rate", "0.5"),
        ("D", "satisfaction", "0.475"),
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
        all.contains("|1.2.1|村（社区）代办点运行|2|不适用|—|不适用|不适用：本条款适用于镇、街道，本单位为园区"),
        "{all}"
    );
    assert!(
        all.contains("单项否决|单项否决：发生安全生产责任事故，该单位评为不合格"),
        "{all}"
    );
    assert!(all.contains("未完成|C|丙镇"), "{all}");
    let summary = wb.worksheet_range("汇总表").unwrap();
    let text: Vec<String> = summary.rows().flatten().map(|c| c.to_string()).collect();
    for want in [
        "区、园区组 第1名",
        "未完成",
        "未达等级",
        "不合格",
        "暂不定档（数据不全）",
        "单项否决：2.2.2（安全责任事故一票否决）：发生安全生产责任事故；不适用：1.2.1；基础分按适用条款折算：7 × 10 ÷ 8 = 8.75",
    ] {
        assert!(text.iter().any(|t| t == want), "{want}: {text:?}");
    }
}

fn window_rubric() -> kaohe_core::Rubric {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../rubrics/example-window-service.toml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    kaohe_core::rubric::load("example-window-service.toml", &text)
        .0
        .unwrap()
}

/// Three 窗口: W1 inspected and clean, with 加分 16 and a 市级通报批评 (100 + 16 − 2 = 114, capped
/// at 110); W2 with typed findings, a ranged deduction, 缺 3 项 and two kinds of 扣分项; W3 never
/// inspected on 1.1.1 (未检查: missing, not full marks).
fn window_inputs() -> Inputs {
    let d = |s: &str| parse_decimal(s).unwrap();
    let mut i = Inputs::default();
    for (code, name) in [
        ("W1", "政务服务中心一号窗口"),
        ("W2", "不动产登记窗口"),
        ("W3", "社保窗口"),
    ] {
        i.units.push(Unit {
            code: code.into(),
            name: name.into(),
            kind: "窗口".into(),
            origin: None,
        });
    }
    for (u, c, score, reason) in [
        ("W1", "1.3.2", "8", ""),
        ("W1", "2.1.1", "60", ""),
        ("W2", "1.3.2", "7", "回访记录不全"),
        ("W2", "2.1.1", "55", "抽查办件 2 件材料不全"),
        ("W3", "1.3.2", "8", ""),
        ("W3", "2.1.1", "58", "1 件超时办结"),
    ] {
        i.judgements.push(JudgementEntry {
            unit: u.into(),
            clause: c.into(),
            score: d(score),
            reason: reason.into(),
            assessor: Some("王芳".into()),
            origin: None,
        });
    }
    for u in ["W1", "W2"] {
        i.inspections.push(InspectionEntry {
            unit: u.into(),
            clause: "1.1.1".into(),
            inspector: "张三".into(),
            date: kaohe_core::date::Date::from_ymd(2024, 5, 8).unwrap(),
            origin: None,
        });
    }
    i.bonuses.push(BonusEntry {
        unit: "W1".into(),
        clause: "3.1.1".into(),
        points: d("16"),
        reason: "“一窗通办”做法被省政务办推广".into(),
        origin: None,
    });
    let finding =
        |u: &str, c: &str, what: &str, ty: Option<&str>, pts: Option<(&str, &str)>| FindingEntry {
            unit: u.into(),
            clause: c.into(),
            description: what.into(),
            evidence: None,
            finding_type: ty.map(Into::into),
            points: pts.map(|p| d(p.0)),
            reason: pts.map(|p| p.1.into()),
            origin: None,
        };
    i.findings.extend([
        finding(
            "W1",
            "3.2.1",
            "市政务办通报窗口超时",
            Some("市级通报批评"),
            None,
        ),
        finding(
            "W2",
            "1.1.1",
            "大厅入口无窗口指引",
            Some("标识不醒目"),
            None,
        ),
        finding(
            "W2",
            "1.1.1",
            "3号窗口牌字迹褪色",
            Some("标识不易识别"),
            None,
        ),
        finding("W2", "1.2.1", "推诿扯皮", None, Some(("3", "群众投诉属实"))),
        finding("W2", "1.3.1", "缺首问负责制", None, None),
        finding("W2", "1.3.1", "缺一次性告知制", None, None),
        finding("W2", "1.3.1", "缺限时办结制", None, None),
        finding("W2", "3.2.1", "省政务办通报", Some("省级通报批评"), None),
        finding("W2", "3.2.2", "群众有效投诉：排队过长", None, None),
        finding("W2", "3.2.2", "群众有效投诉：态度生硬", None, None),
    ]);
    i
}

#[test]
fn penalties_the_total_cap_and_not_inspected_show_in_every_output() {
    let (r, i) = (window_rubric(), window_inputs());
    let s = kaohe_core::score(&r, &i);
    let table = kaohe_report::table::render(&s, &[]);
    insta::assert_snapshot!("window-table", table);
    let json: serde_json::Value =
        serde_json::from_str(&kaohe_report::json::to_json(&s, &[])).unwrap();
    insta::assert_json_snapshot!("window-json", json["units"]);
    let forms: Vec<String> = s
        .units
        .iter()
        .map(|u| {
            let f = Feedback::of("窗口服务考核", "公示", &s, u);
            let lines: Vec<String> = f
                .clauses
                .iter()
                .map(|c| {
                    format!(
                        "  {} {} {}/{} {}",
                        c.id, c.title, c.score, c.max, c.explanation
                    )
                })
                .collect();
            format!("{}\n{}", f.summary(), lines.join("\n"))
        })
        .collect();
    insta::assert_snapshot!("window-feedback", forms.join("\n"));

    // What the snapshots must say, checked by hand: W1's total under the cap, 扣分项 apart.
    let w1 = &json["units"][0];
    assert_eq!(w1["code"], "W1");
    assert_eq!(w1["total"], "110.00");
    assert_eq!(w1["penalty"], "2.00");
    assert_eq!(
        w1["total_explained"],
        "基础分 100 + 加分 16 − 扣分项 2 = 114，总分最高不超过 110 分，计 110"
    );
    assert!(table.contains("扣分项 −2.00"), "{table}");
    assert!(
        table.contains(
            "  总分：基础分 100 + 加分 16 − 扣分项 2 = 114，总分最高不超过 110 分，计 110"
        ),
        "{table}"
    );

    // The workbook: 扣分项 as its own column and rows.
    use calamine::{Reader, Xlsx};
    let bytes = kaohe_report::xlsx::workbook(&s, &[]).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let summary = wb.worksheet_range("汇总表").unwrap();
    let head: Vec<String> = summary
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(head.iter().any(|h| h == "扣分项"), "{head:?}");
    let rows: Vec<String> = wb
        .worksheet_range("扣分明细")
        .unwrap()
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.contains("|3.2.2|有效投诉|0|-2|2|扣分项|")),
        "{rows:#?}"
    );
}

#[test]
fn the_feedback_pdf_prints_unranked_groups_not_applicable_and_penalties() {
    use kaohe_report::pdf::{feedback_pdf, probe};
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let (r, i) = (rubric(), inputs());
    let s = kaohe_core::score(&r, &i);
    let (w, wi) = (window_rubric(), window_inputs());
    let ws = kaohe_core::score(&w, &wi);
    let form = |s: &kaohe_core::Scored, code: &str| {
        let u = s.units.iter().find(|u| &*s.unit(u).code == code).unwrap();
        Feedback::of("示例考核", "公示", s, u)
    };
    for (f, needles) in [
        (
            form(&s, "C"),
            &[
                "总分2.00（基础分2.00，加分0.00），未完成。",
                "档次：暂不定档（数据不全）",
            ][..],
        ),
        (
            form(&s, "P"),
            &[
                "在区、园区组2个单位中第1名",
                "1.2.1村（社区）代办点运行2不适用",
                "基础分按适用条款折算：7.2×10÷8=9",
            ][..],
        ),
        (
            form(&ws, "W1"),
            &[
                "（基础分100.00，加分16.00，扣分项−2.00）",
                "3.2.1通报批评扣分项−2.00",
                "总分计算：基础分100+加分16−扣分项2=114，总分最高不超过110分，计110",
            ][..],
        ),
    ] {
        let pdf = feedback_pdf(&f).unwrap();
        let Some(pages) = probe::pages(&pdf) else {
            return; // poppler absent: the layout is checked by tests/pdf.rs where it is
        };
        let text = squeeze(&pages.join("\n"));
        for n in needles {
            assert!(text.contains(&squeeze(n)), "missing {n} in\n{text}");
        }
    }
}

#[test]
fn the_whatif_text_says_unranked_and_no_move_for_a_unit_not_ranked() {
    let (r, i) = (rubric(), inputs());
    let before = kaohe_core::score(&r, &i);
    let after = kaohe_core::score(&r, &i);
    let cmp = kaohe_core::compare::compare(&before, &after);
    let w = kaohe_report::whatif::WhatIf::of(&cmp, &before, &after, ("现行", "新版"), &[]);
    let c = w.units.iter().find(|u| u.code == "C").unwrap();
    assert_eq!((c.before_rank, c.places_up), (Some(0), None));
    let a = w.units.iter().find(|u| u.code == "A").unwrap();
    assert_eq!(a.places_up, Some(0));
    let text = w.table();
    let line = text.lines().find(|l| l.starts_with("丙镇")).unwrap();
    // 总分 2.00 → 2.00, ± 0, 名次 未完成 → 未完成, no move.
    assert!(line.ends_with("未完成  未完成  —"), "{line}");
}
