//! 细则表 — the rubric as a workbook a clerk reads and edits (`kaohe rubric export --format xlsx`,
//! `kaohe rubric import`): its sheets, its columns and how a rule's parameters read as plain cells.
//! Pure: kaohe-report writes the workbook, kaohe-tables reads it back; both use this one layout.
//!
//! Sheets:
//! - **细则**: one row per clause, columns [`CLAUSE_COLUMNS`] then one column per parameter name
//!   that some rule kind uses ([`crate::rules::param_keys`]), headed `key 中文说明` (`per 每例（项）扣分`);
//!   a cell is empty where the clause's kind does not use the parameter or leaves it at its default.
//!   序号 is the clause id; 指标 / 类目 / 子类目 the ids of where it sits (类目 empty for a clause
//!   directly under its indicator, 子类目 empty but in four-level rubrics); 考核方式 one or more of
//!   the methods joined by `、`; 检查要点 one per line; 规则类型 the kind's Chinese name (评定 is
//!   `考核员评定`, 每例扣分, …; the TOML name, e.g. `per_instance`, is read too).
//! - **指标与类目**: one row per indicator, item and sub-item: 层级 (指标 / 类目 / 子类目), 编号,
//!   名称, 分值. A two-level indicator has no 类目 rows.
//! - **说明**: 项目 / 值 rows for the rubric's own fields ([`ABOUT_FIELDS`]), then a row per metric
//!   (项目 `指标数据`: 编号, 名称, 类型 rate/count/number, 读数 fraction/percent, 计量单位) and per
//!   grade (项目 `定档`: 名称, 比例). Rows whose 项目 starts with `注` are notes, not read.
//!
//! Lists in one cell ([`LISTS`]): `tiers` as `门槛:得分；门槛:得分` (`0.8:2；0.7:1.5`), `parts` as
//! `指标:方向:权重；…` (`online_volume:higher:1；online_coverage:higher:1`); `;` and `：` are read as
//! `；` and `:`. Every value is text as written (`0.050` stays `0.050`).

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
    "检查要点",
    "规则类型",
];

/// The 指标与类目 sheet's columns.
pub const PART_COLUMNS: &[&str] = &["层级", "编号", "名称", "分值"];

/// The 说明 sheet's rows of the rubric's own fields: (项目, TOML key).
pub const ABOUT_FIELDS: &[(&str, &str)] = &[
    ("编号", "id"),
    ("标题", "title"),
    ("年度", "year"),
    ("版本", "version"),
    ("来源", "source"),
    ("类别", "category"),
    ("总分", "max_total"),
    ("精度", "precision"),
    ("并列规则", "ties"),
];

/// The 项目 of a metric's row in 说明, and its fields after it.
pub const METRIC_ROW: &str = "指标数据";
pub const METRIC_FIELDS: &[&str] = &["key", "name", "kind", "bare", "unit_label"];
/// The 项目 of a grade's row in 说明, and its fields after it.
pub const GRADE_ROW: &str = "定档";
pub const GRADE_FIELDS: &[&str] = &["name", "min_ratio"];

/// Parameters holding a list of small tables, with their fields in the cell's order.
pub const LISTS: &[(&str, &[&str])] = &[
    ("tiers", &["threshold", "points"]),
    ("parts", &["metric", "better", "weight"]),
];
/// Parameters holding a whole number.
pub const INTEGERS: &[&str] = &["top"];

/// A parameter column's header: the key and what it means.
pub fn param_header(key: &str) -> String {
    let hint = match key {
        "per" => "每例（项）扣分",
        "cap" => "扣分上限（加分上限）",
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
    }
}

/// The TOML value of parameter `key` from its cell, or what is wrong with the cell (in Chinese).
pub fn param_value(key: &str, cell: &str) -> Result<Value, String> {
    let cell = cell.trim();
    if INTEGERS.contains(&key) {
        return cell
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| format!("“{cell}”不是整数"));
    }
    let Some((_, fields)) = LISTS.iter().find(|(k, _)| *k == key) else {
        return Ok(Value::String(cell.to_string()));
    };
    let mut out = Vec::new();
    for entry in cell.split(['；', ';']).map(str::trim) {
        if entry.is_empty() {
            continue;
        }
        let parts: Vec<&str> = entry.split([':', '：']).map(str::trim).collect();
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
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_reads_back_from_its_cell() {
        let p = Param::List(vec![
            vec![("threshold", "0.8".into()), ("points", "2".into())],
            vec![("threshold", "0.70".into()), ("points", "1.5".into())],
        ]);
        let cell = param_text(&p);
        assert_eq!(cell, "0.8:2；0.70:1.5");
        let v = param_value("tiers", &cell).unwrap();
        assert_eq!(
            v.to_string(),
            r#"[{ points = "2", threshold = "0.8" }, { points = "1.5", threshold = "0.70" }]"#
        );
        assert!(param_value("tiers", "0.8:2:3").is_err());
        assert_eq!(param_value("top", "5").unwrap(), Value::Integer(5));
        assert!(param_value("top", "五").is_err());
        assert_eq!(header_key(&param_header("per")), "per");
    }
}
