//! 满意度测评 — the 帮办代办 survey: one row per rating, or one row per unit with a rate.
//! Satisfaction = (非常满意 + 满意 + 基本满意) ÷ all valid ratings. Numeric rating codes run in opposite
//! directions on different platforms (GB/T 39046: 1 = 非常满意 … 5 = 非常不满意; the 好差评 interface:
//! 1 = 非常不满意 … 5 = 非常满意), so codes are read only with their direction declared — never guessed.

use crate::rows::{Row, Source};
use crate::units::UnitMap;
use kaohe_core::{Origin, Problem};
use kaohe_tables::header::{Field, map_columns};
use rust_decimal::Decimal;
use std::path::PathBuf;

pub static FIELDS: &[Field] = &[
    Field {
        key: "unit",
        label: "单位",
        required: true,
        aliases: &["单位", "行政区划", "区划代码", "单位编码", "单位名称"],
    },
    Field {
        key: "rating",
        label: "评价",
        required: false,
        aliases: &["评价", "评价等级", "满意度评价", "评价结果"],
    },
    Field {
        key: "rate",
        label: "满意度",
        required: false,
        aliases: &["满意度", "满意率"],
    },
];

/// The direction of numeric rating codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// GB/T 39046: 1 = 非常满意 … 5 = 非常不满意
    Gbt39046,
    /// 好差评: 1 = 非常不满意 … 5 = 非常满意
    Haocha,
}

impl Scale {
    pub fn parse(s: &str) -> Option<Scale> {
        match s {
            "gbt39046" | "GB/T39046" | "gbt" => Some(Scale::Gbt39046),
            "haocha" | "好差评" => Some(Scale::Haocha),
            _ => None,
        }
    }
}

/// The problem of numeric rating codes read without their direction declared (one per file, with
/// the count of rows and the first of them; its message starts with this, and the web's import
/// page names its own 评价代码方向 choice in its place — see `kaohe_app::import`).
pub const UNDECLARED: &str = "评价为数字代码，但未声明代码方向";
/// What the command line expects instead.
const UNDECLARED_EXPECTED: &str = "非常满意/满意/基本满意/不满意/非常不满意；数字代码须用 --rating-scale gbt39046 或 haocha 声明方向";
/// Rows named in the one problem of undeclared numeric codes.
const UNDECLARED_ROWS_SHOWN: usize = 5;

/// Satisfied or not, from a word or (with a declared scale) a code 1–5.
pub fn rating(s: &str, scale: Option<Scale>) -> Result<bool, &'static str> {
    match s.trim() {
        "非常满意" | "满意" | "基本满意" | "比较满意" => Ok(true),
        "不满意" | "非常不满意" | "很不满意" => Ok(false),
        code @ ("1" | "2" | "3" | "4" | "5") => {
            let c: u8 = code.parse().expect("digit");
            match scale {
                Some(Scale::Gbt39046) => Ok(c <= 3),
                Some(Scale::Haocha) => Ok(c >= 3),
                None => Err(UNDECLARED),
            }
        }
        _ => Err("评价无法识别"),
    }
}

#[derive(Default)]
pub struct SurveyStats {
    pub satisfied: Vec<u64>,
    pub valid: Vec<u64>,
    pub rate: Vec<Option<Decimal>>,
}

pub fn read(
    paths: &[PathBuf],
    units: &mut UnitMap,
    scale: Option<Scale>,
) -> (Option<SurveyStats>, Vec<Problem>) {
    let n = units.len();
    let mut st = SurveyStats {
        satisfied: vec![0; n],
        valid: vec![0; n],
        rate: vec![None; n],
    };
    let mut problems = Vec::new();
    for path in paths {
        let mut src = match Source::open_for(path, FIELDS, &mut problems) {
            Ok(s) => s,
            Err(p) => {
                problems.push(*p);
                continue;
            }
        };
        let Some(cols) = map_columns(&src.header_sheet(), FIELDS, &mut problems) else {
            continue;
        };
        if !cols.has("rating") && !cols.has("rate") {
            problems.push(
                Problem::error("测评表既无“评价”列也无“满意度”列")
                    .at(Some(Origin::row(&src.name, 1)))
                    .expected("逐条评价（评价）或按单位的满意度（满意度）"),
            );
            continue;
        }
        let col = |k: &str| {
            src.headers
                .get(cols.index(k).unwrap_or(usize::MAX))
                .cloned()
                .unwrap_or_default()
        };
        let (c_unit, c_rating, c_rate) = (col("unit"), col("rating"), col("rate"));
        // Numeric codes without a declared direction are one problem for the file (one cause,
        // however many rows): how many rows, the first of them, the first value.
        let mut undeclared: (u64, Vec<u32>, String) = (0, Vec::new(), String::new());
        let mut row = Row::default();
        loop {
            match src.next(&mut row) {
                Ok(true) => {}
                Ok(false) => break,
                Err(p) => {
                    problems.push(*p);
                    break;
                }
            }
            kaohe_tables::limits::trim_problems(&mut problems);
            let at = |c: &str| Some(Origin::row(&src.name, row.number).with_column(c));
            let get = |k: &str| row.get(cols.index(k)).unwrap_or("").trim().to_string();
            let (unit_raw, r_raw, rate_raw) = (get("unit"), get("rating"), get("rate"));
            let u = match units.resolve(&unit_raw) {
                Ok(u) => u as usize,
                Err(m) => {
                    problems.push(
                        Problem::error(m)
                            .at(at(&c_unit))
                            .value(&unit_raw)
                            .expected("单位表中的区划代码或单位名称"),
                    );
                    continue;
                }
            };
            if !r_raw.is_empty() {
                match rating(&r_raw, scale) {
                    Ok(yes) => {
                        st.valid[u] += 1;
                        st.satisfied[u] += yes as u64;
                    }
                    Err(UNDECLARED) => {
                        undeclared.0 += 1;
                        if undeclared.1.len() < UNDECLARED_ROWS_SHOWN {
                            undeclared.1.push(row.number);
                        }
                        if undeclared.2.is_empty() {
                            undeclared.2 = r_raw;
                        }
                    }
                    Err(m) => problems.push(
                        Problem::error(m)
                            .at(at(&c_rating))
                            .value(&r_raw)
                            .expected(UNDECLARED_EXPECTED),
                    ),
                }
            } else if !rate_raw.is_empty() {
                let v = kaohe_tables::cell::maybe_percent(&rate_raw).map(|(v, f)| match f {
                    kaohe_tables::cell::RateForm::Percent => v / Decimal::ONE_HUNDRED,
                    kaohe_tables::cell::RateForm::Bare => v,
                });
                match v {
                    Some(v) if v >= Decimal::ZERO && v <= Decimal::ONE => {
                        if st.rate[u].is_some() {
                            problems.push(
                                Problem::error("同一单位有两个满意度")
                                    .at(at(&c_rate))
                                    .value(&rate_raw)
                                    .expected("每个单位一个满意度"),
                            );
                        }
                        st.rate[u] = Some(v);
                    }
                    _ => problems.push(
                        Problem::error("满意度无法识别")
                            .at(at(&c_rate))
                            .value(&rate_raw)
                            .expected("0 到 1 的小数或百分数，如 0.96 或 96%"),
                    ),
                }
            } else {
                problems.push(
                    Problem::error("评价与满意度均为空")
                        .at(at(&c_rating))
                        .expected("填写评价或满意度"),
                );
            }
        }
        let (n, rows, value) = undeclared;
        if let Some(&first) = rows.first() {
            let listed: Vec<String> = rows.iter().map(u32::to_string).collect();
            let more = if n > rows.len() as u64 { " 等" } else { "" };
            problems.push(
                Problem::error(format!(
                    "{UNDECLARED}：共 {n} 行（第 {} 行{more}）",
                    listed.join("、")
                ))
                .at(Some(Origin::row(&src.name, first).with_column(&c_rating)))
                .value(value)
                .expected(UNDECLARED_EXPECTED),
            );
        }
    }
    for u in 0..n {
        if st.rate[u].is_some() && st.valid[u] > 0 {
            problems.push(
                Problem::error(format!(
                    "单位 {} 的满意度有两个来源：逐条评价 {} 条，另有直接填写的满意度",
                    units.codes[u], st.valid[u]
                ))
                .unit(&*units.codes[u])
                .expected("同一单位只用一种来源"),
            );
        }
    }
    let ok = !problems.iter().any(Problem::is_error);
    (ok.then_some(st), problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_direction_is_never_guessed() {
        assert_eq!(rating("基本满意", None), Ok(true));
        assert_eq!(rating("不满意", None), Ok(false));
        assert!(rating("1", None).is_err());
        assert_eq!(rating("1", Some(Scale::Gbt39046)), Ok(true));
        assert_eq!(rating("1", Some(Scale::Haocha)), Ok(false));
        assert_eq!(rating("4", Some(Scale::Gbt39046)), Ok(false));
        assert_eq!(rating("4", Some(Scale::Haocha)), Ok(true));
        assert_eq!(rating("3", Some(Scale::Haocha)), Ok(true));
        assert!(rating("6", Some(Scale::Haocha)).is_err());
    }
}
