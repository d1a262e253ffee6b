//! 细则表 — the rubric as a workbook a clerk reads and edits (`kaohe rubric export --format xlsx`,
//! `kaohe rubric import`): its sheets, its columns and how every field reads as a plain cell.
//! Pure: kaohe-report writes the workbook, kaohe-tables reads it back; both use this one layout,
//! and every field the loader reads has a cell (the round trip of every rubric is tested).
//!
//! Sheets:
//! - **细则**: one row per clause, columns [`CLAUSE_COLUMNS`] then one column per parameter name
//!   that some rule kind uses ([`crate::rules::param_keys`]), headed `key 中文说明` (`per 每例（项）扣分`);
//!   a cell is empty where the clause's kind does not use the parameter or leaves it at its default.
//!   序号 is the clause id; 指标 / 类目 / 子类目 the ids of where it sits (类目 empty for a clause
//!   directly under its indicator, 子类目 empty but in four-level rubrics); 考核方式 one or more of
//!   the rubric's methods joined by `、`; 适用单位类型 the kinds the clause applies to joined by `、`
//!   (empty: every kind); 检查要点 one per line; 规则类型 the kind's Chinese name (评定 is
//!   `考核员评定`, 每例扣分, 扣分项, …; the TOML name, e.g. `per_instance`, is read too).
//! - **指标与类目**: one row per indicator, item and sub-item: 层级 (指标 / 类目 / 子类目), 编号,
//!   名称, 分值, 共享扣分额度 (`budget`) and 保底分 (`floor`, empty when 0). A two-level indicator has
//!   no 类目 rows.
//! - **说明**: 项目 / 值 / 说明 rows for the rubric's own fields ([`ABOUT_FIELDS`]: the third column
//!   says what the value may be and is not read), then a row per metric (项目 `指标数据`: 编号, 名称,
//!   类型 rate/count/number, 读数 fraction/percent, 计量单位) and per grade (项目 `定档`: 名称,
//!   比例). Rows whose 项目 starts with `注` are notes, not read; the export writes one note per cell
//!   format below ([`NOTES`]).
//!
//! Cells that hold a list (writer decisions, each read back exactly; `;` `,` `：` are read as `；`
//! `、` `:`):
//! - `tiers` as `门槛:得分；门槛:得分` (`0.8:2；0.7:1.5`), `parts` as `指标:方向:权重；…`
//!   (`online_volume:higher:1；online_coverage:higher:1`);
//! - `types` (问题类型) as `名称:每次扣分` or `名称:下限-上限`, joined by `；`
//!   (`标识不醒目:1；标识不易识别:0.5；情节较重:2-5`); the value is after the *last* colon, so a
//!   name may hold a colon; a fragment without any colon is joined to the next, so a name may hold
//!   `；`. `range` (酌情扣分) as `下限-上限` (`2-5`; `–`, `—`, `~`, `～`, `至` are read as `-`);
//! - `inspection` as `是` (须有检查记录; `required` is read too), empty when not required;
//! - 适用单位类型, 单位类型 and 考核方式 (说明) as kinds joined by `、`; 排名组 as groups joined by `；`,
//!   each group's kinds by `、` (`镇、街道；区、园区`); 组内排名 as `是` / `否`.
//!
//! Every value is text as written (`0.050` stays `0.050`). What the sheet cannot hold exactly (a
//! name with spaces at its ends, a kind holding `、`) is caught by the export, which reads its own
//! workbook back before writing it (`kaohe rubric export`).

use super::Rubric;
use super::write::Param;
use toml::Value;

/// The sheet of clauses.
pub const CLAUSES: &str = "细则";
/// The sheet of indicators, items and sub-items.
pub const PARTS: &str = "指标与类目";
/// The sheet of the rubric's own fields, metrics and grades.
pub const ABOUT: &str = "说明";

/// The 细则 sheet's columns before the parameters.
pub const CLAUSE_COLUMNS: &[&str] = &[
    "序号",
    "指标",
    "类目",
    "子类目",
    "标题",
    "分值",
    "考核内容",
    "考核标准",
    "考核办法",
    "原文",
    "考核方式",
    "适用单位类型",
    "检查要点",
    "规则类型",
];

/// Columns added to the layout after its first release (issue 11's shapes): a workbook exported
/// before them reads as if they were empty, with a warning naming each; any other fixed column
/// missing is an error. A parameter column missing is a warning too.
pub const NEWER_COLUMNS: &[&str] = &["适用单位类型", "共享扣分额度", "保底分"];

/// The 指标与类目 sheet's columns, and the TOML key of each (层级 has none).
pub const PART_COLUMNS: &[&str] = &["层级", "编号", "名称", "分值", "共享扣分额度", "保底分"];
pub const PART_KEYS: &[&str] = &["", "id", "name", "max", "budget", "floor"];

/// The 说明 sheet's rows of the rubric's own fields: (项目, TOML key, what the value may be).
pub const ABOUT_FIELDS: &[(&str, &str, &str)] = &[
    (
        "编号",
        "id",
        "细则编号（英文、数字、连字符），如 rudong-2021",
    ),
    ("标题", "title", "细则名称"),
    ("年度", "year", "整数，如 2021"),
    ("版本", "version", "如 1、0.1"),
    ("来源", "source", "所依据的文件"),
    ("类别", "category", "如 政务服务（可空）"),
    ("总分", "max_total", "各指标满分合计"),
    ("精度", "precision", "每条得分保留的小数位数，0 到 10"),
    (
        "并列规则",
        "ties",
        "competition：1,2,2,4（并列后名次顺延）；dense：1,2,2,3",
    ),
    (
        "总分上限",
        "total_cap",
        "加分、扣分项之后总分最高不超过的分值，不低于总分（空：不设上限）",
    ),
    (
        "格式版本",
        "format",
        "1 或 2；2：未列单位类型时按单位表所列类型，数据不全的单位默认不排名",
    ),
    (
        "单位类型",
        "unit_kinds",
        "本细则考核的单位类型，以“、”分隔，如 镇、街道、区、园区（空：格式版本 1 为镇、街道、区，2 为单位表所列）",
    ),
    (
        "不适用计分",
        "not_applicable",
        "full：不适用的条款给满分；prorate：按适用条款的得分折算到满分",
    ),
    (
        "排名组",
        "ranking_groups",
        "分组排名：组与组以“；”分隔，组内单位类型以“、”分隔，如 镇、街道；区、园区（空：不分组）",
    ),
    (
        "组内排名",
        "rank_within_groups",
        "有排名组时，排名类条款是否在组内排名：是 / 否（空：是）",
    ),
    (
        "考核方式",
        "methods",
        "本细则的考核方式，以“、”分隔；细则表“考核方式”列从中选",
    ),
    (
        "否决档次",
        "veto_grade",
        "单项否决的单位所评档次，如 不合格（空：最低档从 0 起时为最低档，否则为未达等级）",
    ),
    (
        "数据不全单位",
        "incomplete",
        "ranked：参与排名；unranked：不排名，名次处显示未完成（空：格式版本 1 为 ranked，2 为 unranked）",
    ),
];

/// The 项目 of a metric's row in 说明, and its fields after it.
pub const METRIC_ROW: &str = "指标数据";
pub const METRIC_FIELDS: &[&str] = &["key", "name", "kind", "bare", "unit_label"];
/// The 项目 of a grade's row in 说明, and its fields after it.
pub const GRADE_ROW: &str = "定档";
pub const GRADE_FIELDS: &[&str] = &["name", "min_ratio"];

/// The notes the export writes at the end of 说明: how a list is written in one cell of 细则.
pub const NOTES: &[(&str, &str)] = &[
    (
        "注：问题类型（types）",
        "名称:每次扣分 或 名称:下限-上限，各类型以“；”分隔，如 标识不醒目:1；标识不易识别:0.5；情节较重:2-5；填了问题类型就不填 per",
    ),
    (
        "注：酌情扣分范围（range）",
        "下限-上限，如 2-5：考核员在此范围内定每件扣分并写明理由；不与 per、types 同填",
    ),
    (
        "注：计数用语（word）",
        "细则原话，{n} 处为件数，如 缺 {n} 项；有问题类型时 {type} 处为类型名称",
    ),
    (
        "注：检查记录（inspection）",
        "填“是”：须有检查记录（谁、何时检查），无记录为未检查，不是满分",
    ),
    (
        "注：适用单位类型",
        "本条适用的单位类型，以“、”分隔，如 镇、街道；空：适用于所有单位",
    ),
    (
        "注：阶梯（tiers）",
        "门槛:得分，各档以“；”分隔，如 0.8:2；0.7:1.5",
    ),
    (
        "注：综合排名（parts）",
        "指标:方向:权重，各项以“；”分隔，如 online_volume:higher:1；online_coverage:higher:1",
    ),
];

/// Parameters holding a list of small tables, with their fields in the cell's order.
pub const LISTS: &[(&str, &[&str])] = &[
    ("tiers", &["threshold", "points"]),
    ("parts", &["metric", "better", "weight"]),
];
/// Parameters holding a whole number.
pub const INTEGERS: &[&str] = &["top"];

const ENTRY_SEPS: [char; 2] = ['；', ';'];
const COLONS: [char; 2] = [':', '：'];
const KIND_SEPS: [char; 3] = ['、', ',', '，'];
const RANGE_SEPS: [char; 6] = ['-', '–', '—', '~', '～', '至'];
/// What `inspection = "required"` reads as in a cell.
const YES: &str = "是";
const NO: &str = "否";

/// A parameter column's header: the key and what it means.
pub fn param_header(key: &str) -> String {
    let hint = match key {
        "per" => "每例（项）扣分",
        "cap" => "扣分上限（加分、扣分项上限）",
        "metric" => "指标数据编号",
        "better" => "方向 higher/lower",
        "first" => "第一名得分",
        "step" => "名次扣减分",
        "ties" => "并列 competition/dense",
        "parts" => "综合排名 指标:方向:权重；…",
        "points" => "第1名得分",
        "top" => "前几名按比例",
        "beyond" => "名次以外得分",
        "target" => "目标值",
        "mode" => "ratio/per_point",
        "per_point" => "每百分点扣分",
        "tiers" => "阶梯 门槛:得分；…",
        "types" => "问题类型 名称:扣分；名称:下限-上限",
        "range" => "酌情扣分范围 下限-上限",
        "word" => "计数用语 如 缺 {n} 项",
        "inspection" => "须有检查记录 是/空",
        _ => "",
    };
    if hint.is_empty() {
        key.to_string()
    } else {
        format!("{key} {hint}")
    }
}

/// The parameter key a header names (its first word).
pub fn header_key(header: &str) -> &str {
    header.split_whitespace().next().unwrap_or("")
}

/// A parameter as one cell shows it.
pub fn param_text(p: &Param) -> String {
    match p {
        Param::Text(s) => s.clone(),
        Param::Int(i) => i.to_string(),
        Param::List(entries) => entries
            .iter()
            .map(|e| {
                e.iter()
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join(":")
            })
            .collect::<Vec<_>>()
            .join("；"),
        Param::Range(lo, hi) => format!("{lo}-{hi}"),
        Param::Types(types) => types
            .iter()
            .map(|(name, each)| format!("{name}:{}", param_text(each)))
            .collect::<Vec<_>>()
            .join("；"),
    }
}

/// Parameter `key` as its cell shows it (`inspection = "required"` as `是`).
pub fn param_cell(key: &str, p: &Param) -> String {
    match (key, p) {
        ("inspection", Param::Text(s)) if s == "required" => YES.into(),
        _ => param_text(p),
    }
}

/// The TOML value of parameter `key` from its cell (`None`: the key is not given), or what is
/// wrong with the cell (in Chinese).
pub fn param_value(key: &str, cell: &str) -> Result<Option<Value>, String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(None);
    }
    if INTEGERS.contains(&key) {
        return cell
            .parse::<i64>()
            .map(|i| Some(Value::Integer(i)))
            .map_err(|_| format!("“{cell}”不是整数"));
    }
    match key {
        "inspection" => return inspection(cell),
        "range" => return range(cell).map(Some),
        "types" => return types(cell).map(Some),
        _ => {}
    }
    let Some((_, fields)) = LISTS.iter().find(|(k, _)| *k == key) else {
        return Ok(Some(Value::String(cell.to_string())));
    };
    let mut out = Vec::new();
    for entry in cell.split(ENTRY_SEPS).map(str::trim) {
        if entry.is_empty() {
            continue;
        }
        let parts: Vec<&str> = entry.split(COLONS).map(str::trim).collect();
        if parts.len() > fields.len() || parts.iter().any(|p| p.is_empty()) {
            return Err(format!(
                "“{entry}”应写成 {}（各项以“；”分隔）",
                fields.join(":")
            ));
        }
        let mut t = toml::Table::new();
        for (f, v) in fields.iter().zip(parts) {
            t.insert((*f).to_string(), Value::String(v.to_string()));
        }
        out.push(Value::Table(t));
    }
    Ok(Some(Value::Array(out)))
}

fn inspection(cell: &str) -> Result<Option<Value>, String> {
    match cell {
        YES | "required" => Ok(Some(Value::String("required".into()))),
        NO => Ok(None),
        other => Err(format!(
            "须有检查记录应填“是”（或留空：不须检查记录），实为“{other}”"
        )),
    }
}

/// `下限-上限` as `["lo", "hi"]`.
fn range(cell: &str) -> Result<Value, String> {
    let bad = || format!("酌情扣分范围“{cell}”应写成 下限-上限，如 2-5");
    let (lo, hi) = cell.split_once(RANGE_SEPS).ok_or_else(bad)?;
    let (lo, hi) = (lo.trim(), hi.trim());
    if lo.is_empty() || hi.is_empty() || hi.contains(RANGE_SEPS) {
        return Err(bad());
    }
    Ok(Value::Array(vec![
        Value::String(lo.into()),
        Value::String(hi.into()),
    ]))
}

/// `名称:扣分；名称:下限-上限` as `[{ name, per }, { name, range }]`.
fn types(cell: &str) -> Result<Value, String> {
    // Entries end at a `；`; a fragment without a colon is part of a name that holds `；`.
    let mut entries: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, ch) in cell.char_indices() {
        if ENTRY_SEPS.contains(&ch) && cell[start..i].contains(COLONS) {
            entries.push(&cell[start..i]);
            start = i + ch.len_utf8();
        }
    }
    entries.push(&cell[start..]);
    let mut out = Vec::new();
    for entry in entries.into_iter().map(str::trim).filter(|e| !e.is_empty()) {
        let bad = || {
            format!("问题类型“{entry}”应写成 名称:每次扣分 或 名称:下限-上限（各类型以“；”分隔）")
        };
        let (name, value) = entry.rsplit_once(COLONS).ok_or_else(bad)?;
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() || value.is_empty() {
            return Err(bad());
        }
        let mut t = toml::Table::new();
        t.insert("name".into(), Value::String(name.into()));
        if value.contains(RANGE_SEPS) && !value.starts_with(RANGE_SEPS) {
            t.insert("range".into(), range(value)?);
        } else {
            t.insert("per".into(), Value::String(value.into()));
        }
        out.push(Value::Table(t));
    }
    Ok(Value::Array(out))
}

/// Kinds (or methods) joined by `、`.
pub fn kinds_text<S: AsRef<str>>(kinds: &[S]) -> String {
    kinds
        .iter()
        .map(|k| k.as_ref())
        .collect::<Vec<_>>()
        .join("、")
}

/// Kinds (or methods) from a cell joined by `、` (`,` `，` read as `、`).
pub fn kinds_value(cell: &str) -> Vec<Value> {
    cell.split(KIND_SEPS)
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| Value::String(k.into()))
        .collect()
}

/// The value of the rubric's field `key` as its 说明 row shows it (empty: not given).
pub fn about_cell(r: &Rubric, key: &str) -> String {
    use super::shapes::{Incomplete, NotApplicable};
    let s = &r.shapes;
    match key {
        "id" => r.id.clone(),
        "title" => r.title.clone(),
        "year" => r.year.to_string(),
        "version" => r.version.clone(),
        "source" => r.source.clone(),
        "category" => r.category.clone(),
        "max_total" => r.max_total.to_string(),
        "precision" => r.precision.to_string(),
        "ties" => r.ties.key().to_string(),
        "total_cap" => r.total_cap.map(|c| c.to_string()).unwrap_or_default(),
        "format" => s.format.to_string(),
        "unit_kinds" => s.unit_kinds.as_deref().map(kinds_text).unwrap_or_default(),
        "not_applicable" => match s.not_applicable {
            NotApplicable::Full => "full".into(),
            NotApplicable::Prorate => "prorate".into(),
        },
        "ranking_groups" => s
            .ranking_groups
            .iter()
            .map(|g| kinds_text(&g.kinds))
            .collect::<Vec<_>>()
            .join("；"),
        "rank_within_groups" if s.ranking_groups.is_empty() => String::new(),
        "rank_within_groups" => if s.rank_within_groups { YES } else { NO }.into(),
        "methods" => kinds_text(&s.methods),
        "veto_grade" => s.veto_grade.clone().unwrap_or_default(),
        "incomplete" => match s.incomplete {
            Incomplete::Ranked => "ranked".into(),
            Incomplete::Unranked => "unranked".into(),
        },
        _ => String::new(),
    }
}

/// The TOML value of the rubric's field `key` (项目 `label`) from its 说明 cell (`None`: not
/// given), or what is wrong with the cell.
pub fn about_value(label: &str, key: &str, cell: &str) -> Result<Option<Value>, String> {
    let v = cell.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let value = match key {
        "year" | "precision" | "format" => match v.parse::<i64>() {
            Ok(n) => Value::Integer(n),
            Err(_) => return Err(format!("{label}应为整数，实为“{v}”")),
        },
        "unit_kinds" | "methods" => Value::Array(kinds_value(v)),
        "ranking_groups" => Value::Array(
            v.split(ENTRY_SEPS)
                .map(|g| Value::Array(kinds_value(g)))
                .collect(),
        ),
        "rank_within_groups" => match v {
            YES | "true" => Value::Boolean(true),
            NO | "false" => Value::Boolean(false),
            _ => return Err(format!("{label}应为“是”或“否”，实为“{v}”")),
        },
        // Text as written, as every other cell.
        _ => Value::String(cell.to_string()),
    };
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toml(v: Option<Value>) -> String {
        v.map(|v| v.to_string()).unwrap_or_default()
    }

    #[test]
    fn a_list_reads_back_from_its_cell() {
        let p = Param::List(vec![
            vec![("threshold", "0.8".into()), ("points", "2".into())],
            vec![("threshold", "0.70".into()), ("points", "1.5".into())],
        ]);
        let cell = param_text(&p);
        assert_eq!(cell, "0.8:2；0.70:1.5");
        assert_eq!(
            toml(param_value("tiers", &cell).unwrap()),
            r#"[{ points = "2", threshold = "0.8" }, { points = "1.5", threshold = "0.70" }]"#
        );
        assert!(param_value("tiers", "0.8:2:3").is_err());
        assert_eq!(param_value("top", "5").unwrap(), Some(Value::Integer(5)));
        assert!(param_value("top", "五").is_err());
        assert_eq!(param_value("per", " ").unwrap(), None);
        assert_eq!(header_key(&param_header("per")), "per");
    }

    #[test]
    fn finding_types_and_ranges_read_back_from_their_cells() {
        let p = Param::Types(vec![
            ("标识不醒目".into(), Param::Text("1".into())),
            ("标识不易识别".into(), Param::Text("0.50".into())),
            ("情节较重".into(), Param::Range("2".into(), "5".into())),
        ]);
        let cell = param_text(&p);
        assert_eq!(cell, "标识不醒目:1；标识不易识别:0.50；情节较重:2-5");
        let want = r#"[{ name = "标识不醒目", per = "1" }, { name = "标识不易识别", per = "0.50" }, { name = "情节较重", range = ["2", "5"] }]"#;
        assert_eq!(toml(param_value("types", &cell).unwrap()), want);
        // As a clerk may type it: half-width `;`, spaces, a full-width colon, an en dash.
        let typed = "标识不醒目: 1; 标识不易识别：0.50 ;情节较重:2–5";
        assert_eq!(toml(param_value("types", typed).unwrap()), want);
        // A name may hold a colon (the value is after the last) and a `；` (a fragment without
        // a colon belongs to the next entry).
        assert_eq!(
            toml(param_value("types", "甲；乙:1；时间:地点:0.5").unwrap()),
            r#"[{ name = "甲；乙", per = "1" }, { name = "时间:地点", per = "0.5" }]"#
        );
        for bad in ["标识不醒目", "标识不醒目:", ":1", "情节较重:2-"] {
            assert!(param_value("types", bad).is_err(), "{bad}");
        }
        let r = Param::Range("2".into(), "5.0".into());
        assert_eq!(param_text(&r), "2-5.0");
        assert_eq!(
            toml(param_value("range", "2-5.0").unwrap()),
            r#"["2", "5.0"]"#
        );
        assert_eq!(
            toml(param_value("range", "2 至 5").unwrap()),
            r#"["2", "5"]"#
        );
        for bad in ["2", "2-", "-5", "2-3-4"] {
            assert!(param_value("range", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn inspection_reads_as_yes_or_empty() {
        let req = Param::Text("required".into());
        assert_eq!(param_cell("inspection", &req), "是");
        assert_eq!(
            toml(param_value("inspection", "是").unwrap()),
            r#""required""#
        );
        assert_eq!(param_value("inspection", "否").unwrap(), None);
        assert!(param_value("inspection", "须检查").is_err());
    }

    #[test]
    fn rubric_fields_read_back_from_their_cells() {
        let v = |k: &str, c: &str| toml(about_value("项目", k, c).unwrap());
        assert_eq!(v("unit_kinds", "镇、街道，区"), r#"["镇", "街道", "区"]"#);
        assert_eq!(
            v("ranking_groups", "镇、街道；区、园区"),
            r#"[["镇", "街道"], ["区", "园区"]]"#
        );
        assert_eq!(v("rank_within_groups", "否"), "false");
        assert_eq!(v("format", "2"), "2");
        assert_eq!(v("total_cap", "110"), r#""110""#);
        assert_eq!(v("veto_grade", ""), "");
        assert!(about_value("组内排名", "rank_within_groups", "不").is_err());
        assert_eq!(
            about_value("年度", "year", "二〇二一").unwrap_err(),
            "年度应为整数，实为“二〇二一”"
        );
    }
}
