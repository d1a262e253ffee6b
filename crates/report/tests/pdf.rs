//! The 考核反馈单 PDF read back with poppler (`pdftotext`, `pdfinfo`): A4, every clause, every
//! finding once, the table running on over pages with its header again, page numbers.

use kaohe_report::feedback::{Feedback, FeedbackClause, FeedbackSeal, FeedbackTotal, FeedbackUnit};
use kaohe_report::pdf::{feedback_pdf, probe};

fn form(findings: usize) -> Feedback {
    let mut clauses: Vec<FeedbackClause> = (1..=12)
        .map(|i| FeedbackClause {
            id: format!("1.{i}.1"),
            title: format!("第{i}项 政务服务大厅功能分区与办公设备配置"),
            max: "0.05".into(),
            score: "0.0500".into(),
            explanation: "考核员张伟评定满分 0.05".into(),
            instances: Vec::new(),
        })
        .collect();
    clauses.push(FeedbackClause {
        id: "1.4.3a".into(),
        title: "网上办件无超期".into(),
        max: "0.05".into(),
        score: "0.0000".into(),
        explanation: format!("超期办件 {findings} 件，每件扣 0.01 分，扣完为止，得 0"),
        instances: (1..=findings)
            .map(|i| format!("办件 QX{i:04}：户籍证明（001），应于 2021-10-11 前办结，超期 {i} 天"))
            .collect(),
    });
    clauses.push(FeedbackClause {
        id: "2.3.3".into(),
        title: "特色亮点工作加分".into(),
        max: "加分".into(),
        score: "缺".into(),
        explanation: "没有评分".into(),
        instances: Vec::new(),
    });
    Feedback {
        title: "2021年度镇区、街道政务服务考核".into(),
        rubric_id: "rudong-2021".into(),
        rubric_title: "2021年度镇区、街道政务服务考核细则".into(),
        stage: "公示".into(),
        unit: FeedbackUnit {
            code: "320623113".into(),
            name: "洋口镇".into(),
            kind: "镇".into(),
        },
        total: FeedbackTotal {
            total: "1.4320".into(),
            base: "1.4320".into(),
            bonus: "0.0000".into(),
            penalty: None,
            rank: 13,
            of: 17,
            ranked: true,
            group: None,
            place: "在 17 个单位中第 13 名".into(),
            explained: None,
            remarks: Vec::new(),
        },
        clauses,
        seal: None,
    }
}

/// Text with the spaces pdftotext puts between glyphs and columns taken out.
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn a_short_form_is_one_a4_page_with_everything_on_it() {
    let f = form(2);
    let pdf = feedback_pdf(&f).unwrap();
    assert!(
        pdf.starts_with(b"%PDF-") && pdf.len() < 200_000,
        "{}",
        pdf.len()
    );
    let Some(pages) = probe::pages(&pdf) else {
        return;
    };
    assert_eq!(pages.len(), 1);
    assert_eq!(probe::page_size(&pdf).unwrap(), "595.28 x 841.89 pts (A4)");
    let text = squeeze(&pages[0]);
    for needle in [
        "2021年度镇区、街道政务服务考核反馈单",
        "被考核单位：洋口镇（320623113，镇）·细则《2021年度镇区、街道政务服务考核细则》·阶段：公示",
        "总分1.4320（基础分1.4320，加分0.0000），在17个单位中第13名。",
        "条款内容满分得分计分说明（扣分理由）",
        "1.4.3a网上办件无超期0.050.0000超期办件2件",
        "·办件QX0001：户籍证明（001）",
        "·办件QX0002：户籍证明（001）",
        "2.3.3特色亮点工作加分加分缺没有评分",
        "考核组（签字）：",
        "被考核单位（签字、盖章）：",
        "洋口镇·第1页/共1页",
    ] {
        assert!(
            text.contains(&squeeze(needle)),
            "missing {needle} in\n{}",
            pages[0]
        );
    }
}

#[test]
fn a_long_list_of_findings_runs_on_over_pages_with_the_header_again() {
    let f = form(150);
    let pdf = feedback_pdf(&f).unwrap();
    let Some(pages) = probe::pages(&pdf) else {
        return;
    };
    assert!(pages.len() >= 3, "{} pages", pages.len());
    let all = squeeze(&pages.concat());
    for i in 1..=150 {
        let needle = format!("·办件QX{i:04}：");
        assert_eq!(all.matches(&needle).count(), 1, "{needle}");
    }
    for (i, p) in pages.iter().enumerate() {
        let p = squeeze(p);
        assert!(
            p.contains(&format!("洋口镇·第{}页/共{}页", i + 1, pages.len())),
            "page {i}"
        );
        if i > 0 {
            assert!(
                p.contains("条款内容满分得分计分说明（扣分理由）"),
                "header on page {i}"
            );
            assert!(
                p.contains("1.4.3a（续）") || p.contains("考核组（签字）"),
                "page {i}"
            );
        }
    }
    assert_eq!(all.matches("考核组（签字）").count(), 1);
}

#[test]
fn many_units_in_one_pdf_each_begin_a_page_and_count_their_own_pages() {
    let mut short = form(1);
    short.unit.name = "掘港街道".into();
    short.unit.code = "320623001".into();
    let long = form(150);
    let pdf = kaohe_report::pdf::feedback_pdfs(&[short, long]).unwrap();
    let Some(pages) = probe::pages(&pdf) else {
        return;
    };
    let pages: Vec<String> = pages.iter().map(|p| squeeze(p)).collect();
    assert!(pages[0].contains("掘港街道·第1页/共1页"), "{}", pages[0]);
    assert!(pages[0].contains("被考核单位：掘港街道（320623001"));
    let n = pages.len() - 1;
    assert!(n >= 3);
    for (i, p) in pages[1..].iter().enumerate() {
        assert!(p.contains(&format!("洋口镇·第{}页/共{n}页", i + 1)), "{p}");
    }
    assert!(pages[1].contains("被考核单位：洋口镇（320623113"));
    assert!(kaohe_report::pdf::feedback_pdfs(&[]).is_err());
}

#[test]
fn a_sealed_form_names_the_seal_key_fingerprint_and_how_to_check() {
    let plain = feedback_pdf(&form(1)).unwrap();
    let mut f = form(1);
    f.stage = "定档".into();
    f.seal = Some(FeedbackSeal {
        version: 2,
        fingerprint: "3b1f 0c9a 77d2 19e4 a0b5 c6d7 e8f9 0a1b".into(),
    });
    let pdf = feedback_pdf(&f).unwrap();
    let (Some(plain), Some(pages)) = (probe::pages(&plain), probe::pages(&pdf)) else {
        return;
    };
    assert!(!squeeze(&plain.concat()).contains("校验信息"));
    assert_eq!(pages.len(), 1);
    let text = squeeze(&pages[0]);
    for needle in [
        "校验信息：SM2公钥指纹3b1f0c9a77d219e4a0b5c6d7e8f90a1b（定档结果第2版）",
        "核验方法：kaohe verify 定档结果文件",
    ] {
        assert!(
            text.contains(&squeeze(needle)),
            "missing {needle} in\n{}",
            pages[0]
        );
    }
}
