//! 事项认领 — one row per item a subject (the town itself or one of its villages) should claim, with
//! whether it did. 认领率 = claimed ÷ should-claim, the town and its villages pooled. The claimed item
//! codes of a unit are the denominator of 覆盖率.

use crate::rows::{Row, Source};
use crate::units::UnitMap;
use kaohe_core::{Origin, Problem};
use kaohe_tables::header::{Field, map_columns};
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::PathBuf;

pub static FIELDS: &[Field] = &[
    Field {
        key: "unit",
        label: "单位",
        required: true,
        aliases: &["单位", "行政区划", "区划代码", "单位编码", "单位名称"],
    },
    Field {
        key: "subject",
        label: "认领主体",
        required: false,
        aliases: &["主体", "认领主体", "实施主体", "村居"],
    },
    Field {
        key: "item_code",
        label: "事项编码",
        required: true,
        aliases: &["事项编码", "实施编码", "基本编码"],
    },
    Field {
        key: "claimed",
        label: "是否认领",
        required: true,
        aliases: &["是否认领", "认领状态", "已认领"],
    },
];

/// 是/否, 已认领/未认领, 1/0.
pub fn claimed(s: &str) -> Option<bool> {
    match s.trim() {
        "是" | "已认领" | "认领" | "1" | "Y" | "y" | "true" | "TRUE" | "√" => Some(true),
        "否" | "未认领" | "0" | "N" | "n" | "false" | "FALSE" | "×" => Some(false),
        _ => None,
    }
}

#[derive(Default)]
pub struct ClaimStats {
    pub should: Vec<u64>,
    pub claimed: Vec<u64>,
    pub claimed_items: Vec<FxHashSet<String>>,
    pub seen: Vec<bool>,
}

pub fn read(paths: &[PathBuf], units: &mut UnitMap) -> (Option<ClaimStats>, Vec<Problem>) {
    let n = units.len();
    let mut st = ClaimStats {
        should: vec![0; n],
        claimed: vec![0; n],
        claimed_items: vec![FxHashSet::default(); n],
        seen: vec![false; n],
    };
    let mut problems = Vec::new();
    let mut pairs: FxHashMap<(u32, String, String), (String, u32)> = FxHashMap::default();
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
        let col = |k: &str| {
            src.headers
                .get(cols.index(k).unwrap_or(usize::MAX))
                .cloned()
                .unwrap_or_default()
        };
        let (c_unit, c_item, c_claimed) = (col("unit"), col("item_code"), col("claimed"));
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
            let (unit_raw, subject, item, flag) = (
                get("unit"),
                get("subject"),
                get("item_code"),
                get("claimed"),
            );
            let unit = match units.resolve(&unit_raw) {
                Ok(u) => Some(u),
                Err(m) => {
                    problems.push(
                        Problem::error(m)
                            .at(at(&c_unit))
                            .value(&unit_raw)
                            .expected("单位表中的区划代码或单位名称"),
                    );
                    None
                }
            };
            if item.is_empty() {
                problems.push(
                    Problem::error("事项编码为空")
                        .at(at(&c_item))
                        .expected("非空的事项编码"),
                );
            }
            let yes = claimed(&flag);
            if yes.is_none() {
                problems.push(
                    Problem::error("是否认领无法识别")
                        .at(at(&c_claimed))
                        .value(&flag)
                        .expected("是/否、已认领/未认领 或 1/0"),
                );
            }
            let (Some(u), Some(yes), false) = (unit, yes, item.is_empty()) else {
                continue;
            };
            let subject = if subject.is_empty() {
                "本级".to_string()
            } else {
                subject
            };
            let key = (u, subject.clone(), item.clone());
            if let Some((f, r)) = pairs.get(&key) {
                problems.push(
                    Problem::error(format!(
                        "认领记录重复：{subject} 的事项 {item} 已见于 {f} 第{r}行"
                    ))
                    .at(at(&c_item))
                    .value(&item)
                    .expected("每个主体每个事项一行"),
                );
                continue;
            }
            pairs.insert(key, (src.name.clone(), row.number));
            let u = u as usize;
            st.seen[u] = true;
            st.should[u] += 1;
            if yes {
                st.claimed[u] += 1;
                st.claimed_items[u].insert(item);
            }
        }
    }
    let ok = !problems.iter().any(Problem::is_error);
    (ok.then_some(st), problems)
}
