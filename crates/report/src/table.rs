//! `--format table`: the league table (排名, 单位, 指标小计, 基础分, 加分, 总分) aligned for a terminal
//! whatever the width of Chinese characters, then every lost point with its explanation (扣分明细),
//! then missing data and problems.
//!
//! With the rubric-level shapes (issue 11) the same table shows: 排名 as `镇、街道组 第1名` when the
//! rubric ranks within groups and 未完成 for a unit it does not rank; a 扣分项 column (−X) apart from
//! 加分 when the rubric has penalty clauses; 档次 with 未达等级, the veto's grade, or 暂不定档（数据不全）;
//! 备注 with 单项否决, the 不适用 clauses and the 折算 of the base. In 扣分明细: 不适用 and its rule,
//! the veto's reason, each 扣分项, the 折算 line and — when penalties or a total cap make the total
//! more than base + bonus — the total's own line (`总分：基础分 96 + 加分 16 − 扣分项 1 = …`).

use crate::{fixed, shapes};
use kaohe_core::{Problem, Scored};
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

fn pad(s: &str, width: usize, right: bool) -> String {
    let w = UnicodeWidthStr::width(s);
    let fill = " ".repeat(width.saturating_sub(w));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// Renders rows with per-column alignment (true = right-aligned).
pub fn grid(header: &[String], rows: &[Vec<String>], right: &[bool]) -> String {
    let mut widths: Vec<usize> = header
        .iter()
        .map(|h| UnicodeWidthStr::width(h.as_str()))
        .collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(UnicodeWidthStr::width(c.as_str()));
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| pad(c, widths[i], right[i]))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(header);
    out.push('\n');
    out.push_str(
        &widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    out.push('\n');
    for r in rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

/// The whole text report.
pub fn render(s: &Scored, extra: &[Problem]) -> String {
    let r = s.rubric;
    let dp = r.precision;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "《{}》  细则 {} 第{}版  sha256 {}",
        r.title,
        r.id,
        r.version,
        &r.sha256[..16]
    );
    let penalty = shapes::has_penalty(r);
    let _ = writeln!(
        out,
        "满分 {}（基础分，不含加分{}）{}；{} 个单位\n",
        crate::plain(r.max_total),
        if penalty { "与扣分项" } else { "" },
        r.total_cap
            .map(|c| format!("，总分最高不超过 {} 分", crate::plain(c)))
            .unwrap_or_default(),
        s.units.len()
    );

    // 排名 says the group beside the rank (镇、街道组 第1名) and 未完成 for a unit not ranked.
    let mut header: Vec<String> = ["排名", "单位编码", "单位名称", "类型"]
        .map(String::from)
        .to_vec();
    for ind in &r.indicators {
        header.push(format!("{} {}", ind.id, ind.name));
    }
    header.extend(["基础分", "加分"].map(String::from));
    if penalty {
        header.push("扣分项".into());
    }
    header.push("总分".into());
    let grades = shapes::grades(r);
    if grades {
        header.push("档次".into());
    }
    header.push("备注".into());
    let mut rows = Vec::new();
    for u in &s.units {
        let unit = s.unit(u);
        let mut row = vec![
            shapes::rank_cell(s, u),
            unit.code.to_string(),
            unit.name.clone(),
            unit.kind.clone(),
        ];
        // Indicator subtotals are the clause scores as shown, not 折算 (see applicability.rs):
        // the 折算 is said once, in 备注 and at the base.
        for i in 0..r.indicators.len() {
            row.push(fixed(s.indicator_score(u, i), dp));
        }
        row.extend([fixed(u.base, dp), fixed(u.bonus, dp)]);
        if penalty {
            row.push(shapes::minus(u.penalty, dp));
        }
        row.push(fixed(u.total, dp));
        if let Some(g) = shapes::grade_cell(s, u) {
            row.push(g);
        }
        let mut note = Vec::new();
        if u.vetoed {
            note.push("单项否决".to_string());
        }
        if !u.complete {
            note.push(format!("缺 {} 项数据", s.missing_clauses(u).len()));
        }
        let na = shapes::not_applicable(s, u);
        if !na.is_empty() {
            note.push(format!("不适用 {}", na.join("、")));
        }
        if let Some(p) = u.prorated {
            note.push(format!(
                "基础分折算 {} → {}",
                kaohe_core::num::pts(p.raw),
                kaohe_core::num::pts(u.base)
            ));
        }
        row.push(note.join("；"));
        rows.push(row);
    }
    let mut right = vec![true, false, false, false];
    right.extend(std::iter::repeat_n(
        true,
        r.indicators.len() + 3 + usize::from(penalty),
    ));
    if grades {
        right.push(false);
    }
    right.push(false);
    out.push_str(&grid(&header, &rows, &right));

    let _ = writeln!(out, "\n扣分明细（每一处失分及其理由）");
    for u in &s.units {
        let unit = s.unit(u);
        let mut lines = Vec::new();
        for (ci, (c, cr)) in r.clauses.iter().zip(s.clauses(u)).enumerate() {
            let lost = s.lost(c, cr);
            if cr.is_not_applicable() {
                lines.push(format!("  {} {}：{}", c.id, c.title, s.explain(u, ci)));
            } else if matches!(c.rule, kaohe_core::rubric::Rule::Veto) && u.vetoed {
                if !s.findings(u, ci).is_empty() {
                    lines.push(format!("  {} {}：{}", c.id, c.title, s.explain(u, ci)));
                }
            } else if cr.is_missing() {
                lines.push(format!(
                    "  {} {}：缺数据 — {}",
                    c.id,
                    c.title,
                    s.explain(u, ci)
                ));
            } else if c.is_penalty() {
                if !cr.score.is_zero() {
                    lines.push(format!(
                        "  {} {}：扣分项 {} — {}",
                        c.id,
                        c.title,
                        shapes::minus(cr.score, dp),
                        s.explain(u, ci)
                    ));
                }
            } else if !lost.is_zero() {
                lines.push(format!(
                    "  {} {}：扣 {} — {}",
                    c.id,
                    c.title,
                    kaohe_core::num::pts(lost),
                    s.explain(u, ci)
                ));
            } else if c.is_bonus() && !cr.score.is_zero() {
                lines.push(format!("  {} {}：{}", c.id, c.title, s.explain(u, ci)));
            }
        }
        if let Some(p) = s.prorate_note(u) {
            lines.push(format!("  {p}"));
        }
        if u.grade.is_none() && !u.complete && !r.grades.is_empty() {
            lines.push(format!("  档次：{}", shapes::GRADE_WITHHELD));
        }
        if shapes::explains_total(r) && shapes::total_needs_line(u) {
            lines.push(format!("  总分：{}", s.explain_total(u)));
        }
        if !lines.is_empty() {
            let _ = writeln!(
                out,
                "{} {} {}（总分 {}）",
                shapes::place(s, u),
                unit.code,
                unit.name,
                fixed(u.total, dp)
            );
            for l in lines {
                let _ = writeln!(out, "{l}");
            }
        }
    }
    let problems: Vec<&Problem> = extra.iter().chain(&s.problems).collect();
    if !problems.is_empty() {
        let _ = writeln!(out, "\n问题与提示");
        for p in problems {
            let _ = writeln!(out, "  {p}");
        }
    }
    let _ = writeln!(
        out,
        "\n结果{}。",
        if s.complete {
            "完整"
        } else {
            "不完整：有单位缺少数据，见上"
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_chinese_by_display_width() {
        let g = grid(
            &["单位".into(), "分".into()],
            &[
                vec!["掘港街道".into(), "1.0".into()],
                vec!["A".into(), "10.25".into()],
            ],
            &[false, true],
        );
        let lines: Vec<&str> = g.lines().collect();
        assert_eq!(lines[2], "掘港街道    1.0");
        assert_eq!(lines[3], "A         10.25");
    }
}
