//! Charts drawn on the server as inline SVG (nothing fetched, nothing run in the browser). Points are
//! exact decimals everywhere else; here they are turned into pixel lengths, and only here are floats used.
//! Every text in a chart is escaped; every chart has an `aria-label` and a table beside it with the numbers.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn px(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// The league table as SVG: one bar per unit, its length the total against the maximum.
pub fn league_chart(units: &[Value], max_total: f64) -> String {
    let (row, left, width) = (22.0, 220.0, 520.0);
    let h = row * units.len() as f64 + 10.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"排名条形图\" viewBox=\"0 0 {} {h}\" width=\"100%\" style=\"max-width:760px\" font-size=\"12\">",
        left + width + 70.0
    );
    for (i, u) in units.iter().enumerate() {
        let y = 5.0 + row * i as f64;
        let total: f64 = u["total"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0.0);
        let w = if max_total > 0.0 {
            (total / max_total).clamp(0.0, 1.05) * width
        } else {
            0.0
        };
        let complete = u["complete"].as_bool().unwrap_or(true);
        // The rank as the table shows it: 未完成 for a unit not ranked, never 0; the group's
        // place (镇、街道组 第1名) when the rubric ranks within groups.
        let rank = match (u["rank_note"].as_str(), u["place"].as_str()) {
            (Some(note), _) => format!("{note} "),
            (None, Some(place)) => format!("{place} "),
            (None, None) => format!("{}. ", u["rank"]),
        };
        let label = format!(
            "{rank}{}{}",
            u["name"].as_str().unwrap_or_default(),
            if complete { "" } else { "（数据不全）" }
        );
        let fill = if complete { "#1c5d99" } else { "#9aa5b1" };
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{left}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{fill}\" opacity=\"0.85\"/><text x=\"{}\" y=\"{}\">{}</text>",
            left - 6.0,
            y + 14.0,
            escape(&label),
            row - 6.0,
            left + w + 4.0,
            y + 14.0,
            escape(u["total"].as_str().unwrap_or_default())
        ));
    }
    s.push_str("</svg>");
    s
}

/// One indicator of a unit's profile: its points against the maximum and the average of all units.
#[derive(Debug, Clone)]
pub struct ProfileRow {
    pub name: String,
    pub max: Decimal,
    /// `None` while a clause of the indicator has no data.
    pub unit: Option<Decimal>,
    /// `None` when no unit has all of the indicator's data.
    pub average: Option<Decimal>,
}

/// A unit's profile by indicator: a bar for the unit's share of each indicator's points and a mark for
/// the average of all units, both against the indicator's maximum (so indicators of 1 and 3 points
/// compare on one axis).
pub fn profile_chart(rows: &[ProfileRow]) -> String {
    let (row, left, width) = (30.0, 230.0, 420.0);
    let h = row * rows.len() as f64 + 34.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"分指标得分率与全县平均\" viewBox=\"0 0 {} {h}\" width=\"100%\" style=\"max-width:760px\" font-size=\"12\">",
        left + width + 110.0
    );
    for (i, r) in rows.iter().enumerate() {
        let y = 5.0 + row * i as f64;
        let share = |v: Decimal| {
            if r.max.is_zero() {
                0.0
            } else {
                (px(v) / px(r.max)).clamp(0.0, 1.0) * width
            }
        };
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{left}\" y=\"{y}\" width=\"{width}\" height=\"18\" fill=\"#eef2f6\"/>",
            left - 6.0,
            y + 14.0,
            escape(&r.name)
        ));
        let label = match r.unit {
            Some(v) => {
                s.push_str(&format!(
                    "<rect x=\"{left}\" y=\"{y}\" width=\"{:.1}\" height=\"18\" fill=\"#1c5d99\" opacity=\"0.85\"/>",
                    share(v)
                ));
                format!("{} / {}", v.normalize(), r.max.normalize())
            }
            None => format!("未计分 / {}", r.max.normalize()),
        };
        if let Some(avg) = r.average {
            let ax = left + share(avg);
            s.push_str(&format!(
                "<line x1=\"{ax:.1}\" x2=\"{ax:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"#d9822b\" stroke-width=\"3\"/>",
                y - 2.0,
                y + 20.0,
            ));
        }
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\">{}</text>",
            left + width + 6.0,
            y + 14.0,
            escape(&label)
        ));
    }
    let ly = 5.0 + row * rows.len() as f64 + 8.0;
    s.push_str(&format!(
        "<rect x=\"{left}\" y=\"{ly}\" width=\"14\" height=\"10\" fill=\"#1c5d99\"/><text x=\"{}\" y=\"{}\">本单位得分</text><line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#d9822b\" stroke-width=\"3\"/><text x=\"{}\" y=\"{}\">全部单位平均</text></svg>",
        left + 18.0,
        ly + 10.0,
        left + 110.0,
        left + 110.0,
        ly - 2.0,
        ly + 12.0,
        left + 116.0,
        ly + 10.0
    ));
    s
}

/// One bin of the distribution of totals: `[low, high)` (the last bin includes `high`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bin {
    pub low: Decimal,
    pub high: Decimal,
    pub count: usize,
}

/// Splits the totals into `n` equal bins between the lowest and the highest total (one bin when all are
/// equal). Exact: a total on a boundary belongs to the bin above it, the highest to the last bin.
pub fn bins(totals: &[Decimal], n: usize) -> Vec<Bin> {
    let (Some(lo), Some(hi)) = (totals.iter().min(), totals.iter().max()) else {
        return Vec::new();
    };
    let (lo, hi) = (*lo, *hi);
    if lo == hi || n <= 1 {
        return vec![Bin {
            low: lo,
            high: hi,
            count: totals.len(),
        }];
    }
    let step = (hi - lo) / Decimal::from(n as u64);
    let mut out: Vec<Bin> = (0..n)
        .map(|i| Bin {
            low: lo + step * Decimal::from(i as u64),
            high: if i + 1 == n {
                hi
            } else {
                lo + step * Decimal::from(i as u64 + 1)
            },
            count: 0,
        })
        .collect();
    for t in totals {
        let i = out
            .iter()
            .position(|b| *t < b.high)
            .unwrap_or(n - 1)
            .min(n - 1);
        out[i].count += 1;
    }
    out
}

fn fixed(d: Decimal, precision: u32) -> String {
    let mut d = d;
    d.rescale(precision);
    d.to_string()
}

/// The distribution of totals as a column chart, one column per bin, its height the number of units.
pub fn distribution_chart(bins: &[Bin], precision: u32) -> String {
    let (col, base, height) = (64.0, 150.0, 120.0);
    let most = bins.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let w = col * bins.len() as f64 + 20.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"总分分布\" viewBox=\"0 0 {w} {}\" width=\"100%\" style=\"max-width:760px\" font-size=\"11\">",
        base + 36.0
    );
    for (i, b) in bins.iter().enumerate() {
        let x = 10.0 + col * i as f64;
        let h = b.count as f64 / most * height;
        s.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"#1c5d99\" opacity=\"0.85\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text><text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text><text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">–{}</text>",
            x + 4.0,
            base - h,
            col - 8.0,
            x + col / 2.0,
            base - h - 4.0,
            if b.count > 0 { format!("{} 个", b.count) } else { String::new() },
            x + col / 2.0,
            base + 14.0,
            fixed(b.low, precision),
            x + col / 2.0,
            base + 28.0,
            fixed(b.high, precision),
        ));
    }
    s.push_str(&format!(
        "<line x1=\"10\" x2=\"{}\" y1=\"{base}\" y2=\"{base}\" stroke=\"#333\"/></svg>",
        w - 10.0
    ));
    s
}

/// Totals of one unit over the years, oldest first, as a line with a labelled point per year.
pub fn years_chart(points: &[(i32, Decimal, u32)]) -> String {
    let (left, width, top, height) = (40.0, 520.0, 20.0, 100.0);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"历年总分\" viewBox=\"0 0 {} {}\" width=\"100%\" style=\"max-width:640px\" font-size=\"12\">",
        left + width + 40.0,
        top + height + 30.0
    );
    let (Some(lo), Some(hi)) = (
        points.iter().map(|p| p.1).min(),
        points.iter().map(|p| p.1).max(),
    ) else {
        s.push_str("</svg>");
        return s;
    };
    let span = px(hi - lo);
    let n = points.len().max(2) as f64 - 1.0;
    let at = |i: usize, v: Decimal| {
        let x = left + width * i as f64 / n;
        let y = if span > 0.0 {
            top + height - px(v - lo) / span * height
        } else {
            top + height / 2.0
        };
        (x, y)
    };
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (x, y) = at(i, p.1);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    s.push_str(&format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1c5d99\" stroke-width=\"2\"/>",
        path.join(" ")
    ));
    for (i, (year, total, rank)) in points.iter().enumerate() {
        let (x, y) = at(i, *total);
        s.push_str(&format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#1c5d99\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{} 第{}名</text><text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{}年</text>",
            y - 8.0,
            total.normalize(),
            rank,
            top + height + 24.0,
            year
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn bins_cover_every_total_once_and_put_boundaries_above() {
        let t = [d("5.0"), d("5.5"), d("6.0"), d("5.25"), d("5.0")];
        let b = bins(&t, 4);
        assert_eq!(b.len(), 4);
        assert_eq!(b.iter().map(|b| b.count).sum::<usize>(), t.len());
        // 5.0 ×2 in [5.0,5.25); 5.25 in [5.25,5.5); 5.5 in [5.5,5.75); 6.0 (the highest) in the last.
        assert_eq!(
            b.iter().map(|b| b.count).collect::<Vec<_>>(),
            vec![2, 1, 1, 1]
        );
        assert_eq!((b[0].low, b[3].high), (d("5.0"), d("6.0")));
    }

    #[test]
    fn equal_totals_make_one_bin_and_no_totals_none() {
        assert_eq!(
            bins(&[d("4.2"), d("4.2")], 10),
            vec![Bin {
                low: d("4.2"),
                high: d("4.2"),
                count: 2
            }]
        );
        assert!(bins(&[], 10).is_empty());
    }

    #[test]
    fn profile_draws_the_unit_and_the_average_against_the_maximum_and_escapes() {
        let svg = profile_chart(&[
            ProfileRow {
                name: "<b>规范化</b>".into(),
                max: d("2"),
                unit: Some(d("1")),
                average: Some(d("1.5")),
            },
            ProfileRow {
                name: "网上服务".into(),
                max: d("1"),
                unit: None,
                average: None,
            },
        ]);
        assert!(svg.contains("&lt;b&gt;规范化") && !svg.contains("<b>"));
        // Half of 420 px for the unit; three quarters for the average (230 + 315).
        assert!(svg.contains("width=\"210.0\""), "{svg}");
        assert!(svg.contains("x1=\"545.0\""), "{svg}");
        assert!(svg.contains("1 / 2") && svg.contains("未计分 / 1"));
        // No average mark where no unit has the data.
        assert_eq!(
            svg.matches("stroke=\"#d9822b\"").count(),
            1 + 1,
            "one row mark and the legend"
        );
    }

    #[test]
    fn distribution_columns_are_as_tall_as_their_counts() {
        let svg = distribution_chart(
            &[
                Bin {
                    low: d("4"),
                    high: d("5"),
                    count: 1,
                },
                Bin {
                    low: d("5"),
                    high: d("6"),
                    count: 2,
                },
            ],
            2,
        );
        assert!(svg.contains("height=\"60.0\"") && svg.contains("height=\"120.0\""));
        assert!(svg.contains("2 个") && svg.contains("–6.00"));
    }

    #[test]
    fn years_chart_labels_each_year_with_total_and_rank() {
        let svg = years_chart(&[(2020, d("5.1"), 4), (2021, d("5.6"), 2)]);
        assert!(svg.contains("2020年") && svg.contains("5.6 第2名"));
        assert!(
            svg.contains("<polyline points=\"40.0,120.0 560.0,20.0\""),
            "{svg}"
        );
    }
}
