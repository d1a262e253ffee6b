//! `--format table`: the league table (排名, 单位, 指标小计, 基础分, 加分, 总分) aligned for a terminal
//! whatever the width of Chinese characters, then every lost point with its explanation (扣分明细),
//! then missing data and problems.

use crate::fixed;
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
    let _ = writeln!(
        out,
        "满分 {}（基础分，不含加分）；{} 个单位\n",
        crate::plain(r.max_total),
        s.units.len()
    );

    let mut header: Vec<String> = ["排名", "单位编码", "单位名称", "类型"]
        .map(String::from)
        .to_vec();
    let groups = !r.shapes.ranking_groups.is_empty();
    if groups {
        header.push("排名组".into());
    }
    for ind in &r.indicators {
        header.push(format!("{} {}", ind.id, ind.name));
    }
    header.extend(["基础分", "加分", "总分"].map(String::from));
    let grades = !r.grades.is_empty();
    if grades {
        header.push("档次".into());
    }
    header.push("备注".into());
    let mut rows = Vec::new();
    for u in &s.units {
        let unit = s.unit(u);
        let mut row = vec![
            s.rank_text(u),
            unit.code.to_string(),
            unit.name.clone(),
            unit.kind.clone(),
        ];
        if groups {
            row.push(s.group(u).unwrap_or("—").to_string());
        }
        for i in 0..r.indicators.len() {
            row.push(fixed(s.indicator_score(u, i), dp));
        }
        row.extend([fixed(u.base, dp), fixed(u.bonus, dp), fixed(u.total, dp)]);
        if grades {
            row.push(s.grade(u).unwrap_or("—").to_string());
        }
        let mut note = Vec::new();
        if u.vetoed {
            note.push("单项否决".to_string());
        }
        if !u.complete {
            note.push(format!("缺 {} 项数据", s.missing_clauses(u).len()));
        }
        row.push(note.join("；"));
        rows.push(row);
    }
    let mut right = vec![true, false, false, false];
    if groups {
        right.push(false);
    }
    right.extend(std::iter::repeat_n(true, r.indicators.len() + 3));
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
        if !lines.is_empty() {
            let place = match (u.ranked, s.group(u)) {
                (false, _) => s.rank_text(u),
                (true, Some(g)) => format!("{g}组第{}名", u.rank),
                (true, None) => format!("第{}名", u.rank),
            };
            let _ = writeln!(
                out,
                "{place} {} {}（总分 {}）",
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
