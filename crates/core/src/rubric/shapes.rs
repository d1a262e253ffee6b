//! 细则层面的设定 — rubric-level shapes a rubric may declare beside its clauses: its unit kinds,
//! where a clause applies and what 不适用 does to the total, ranking groups, its own list of 考核方式,
//! the grade of a vetoed unit and the rank policy for incomplete units. Every field is optional;
//! absent, each gives kaohe's behaviour before these fields existed, so old files score as before.
//!
//! ## Fields (top level of the rubric file)
//! - `format` (optional integer, 1 or 2; default 1): the file's format version. It changes two
//!   defaults only: in format 1 a rubric without `unit_kinds` accepts the kinds 镇 / 街道 / 区 (as
//!   kaohe always did), and incomplete units are ranked; in format 2 a rubric without `unit_kinds`
//!   takes the unit table's kinds as they come, and incomplete units are not ranked.
//! - `unit_kinds` (optional list of text): the kinds of unit the rubric assesses, e.g.
//!   `unit_kinds = ["镇", "街道", "区", "乡", "园区"]`. A unit whose kind is not in the list is one
//!   problem naming the unit, its kind and the list (`单位“X”的类型“开发区”不在细则所列单位类型
//!   （镇、街道、区、乡、园区）之中`); the unit stays known, so its findings are not reported as
//!   未知单位. Problems: an empty list, an empty or repeated kind.
//! - `applies_to` (optional, on a clause; list of kinds): the kinds the clause applies to, e.g.
//!   `applies_to = ["镇", "街道"]`. For a unit of another kind the clause is 不适用: neither missing
//!   nor 0, and explained as `不适用：本条款适用于镇、街道，本单位为园区…`. Problems: an empty list, a
//!   kind not in the rubric's kinds (`unit_kinds`, or 镇 / 街道 / 区 in format 1), a repeated kind.
//! - `not_applicable` (optional, `"full"` by default, or `"prorate"`): what 不适用 does to the total.
//!   `"full"`: the clause's points are given (its score is its max). `"prorate"` (折算): the clause
//!   scores 0 and the unit's base is scaled to the full mark:
//!   `base = round(Σ scores of the clauses that apply × B ÷ Σ max of the clauses that apply)`, where
//!   B is the rubric's base full mark (Σ max of every non-bonus clause), rounded once, half away
//!   from zero, to the rubric's `precision`; bonus is added after. A unit to which every clause applies
//!   is not scaled. Only matters when some clause has `applies_to`.
//! - `ranking_groups` (optional list of lists of kinds): e.g. `[["镇", "街道"], ["区"]]`. The league
//!   table ranks within each group (each group has its own rank 1), and each unit's result carries
//!   its group, named by its kinds joined with 、 (`镇、街道`). Problems: an empty group, a kind in two
//!   groups, a kind not in `unit_kinds`, and (when `unit_kinds` is declared) a kind in no group. A unit
//!   whose kind is in no group is a problem when scoring.
//! - `rank_within_groups` (optional boolean; `true` by default when `ranking_groups` is given): the
//!   rank-based clauses (rank_step, rank_ratio, composite_rank) rank each unit among the units of its
//!   group (`镇、街道组 3个单位中排名第1`). `false` ranks them among all units. Given without
//!   `ranking_groups`, it is a problem.
//! - `methods` (optional list of text): the rubric's own 考核方式, e.g.
//!   `methods = ["看现场", "查资料", "平台数据", "暗访", "问卷", "第三方测评"]`; every clause's `method`
//!   must be one of them. Absent: 看现场 / 查资料 / 平台数据. Problems: an empty list, a repeated method,
//!   a clause's method not in the list.
//! - `veto_grade` (optional text): the grade of a vetoed unit, e.g. `veto_grade = "不合格"`; it may
//!   name no band. Absent: the lowest band when it starts at 0 (as before), else 未达等级.
//! - `incomplete` (optional, `"ranked"` or `"unranked"`; default `"ranked"` in format 1 and
//!   `"unranked"` in format 2): whether a unit with missing clauses is ranked on its partial total.
//!   An unranked unit shows 未完成 where its rank would be and takes no place from the others.
//!
//! Grades (`[[grades]]`, in the loader): a unit below every band gets 未达等级, which can only happen
//! when the lowest band's `min_ratio` is above 0; `kaohe rubric check` then warns
//! (`低于 70% 的单位将为未达等级`). Files whose lowest band starts at 0 (every file before these
//! fields) are unchanged.
//!
//! Worked case (`rubrics/example-groups-and-kinds.toml`, max 10, `not_applicable = "prorate"`): a 园区
//! to which clause 1.2.1 (2 points, `applies_to = ["镇", "街道", "乡"]`) does not apply scores 7.2 on
//! the other clauses (8 points): its base is `7.2 × 10 ÷ 8 = 9`, 五星 (≥ 90%).

use super::fields::{Fields, join};
use rust_decimal::Decimal;
use toml::{Table, Value};

/// The kinds a format-1 rubric without `unit_kinds` accepts (kaohe's list before `unit_kinds`).
pub const LEGACY_UNIT_KINDS: &[&str] = &["镇", "街道", "区"];
/// The 考核方式 of a rubric without `methods`.
pub const DEFAULT_METHODS: &[&str] = &["看现场", "查资料", "平台数据"];
/// The grade of a unit below every band.
pub const BELOW_GRADES: &str = "未达等级";
/// Where an unranked unit's rank would be.
pub const UNRANKED: &str = "未完成";

/// What 不适用 does to the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotApplicable {
    /// The clause's points are given.
    Full,
    /// 折算: the base is scaled to the full mark over the clauses that apply.
    Prorate,
}

/// Whether units with missing clauses are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incomplete {
    Ranked,
    Unranked,
}

/// 排名组 — kinds of unit ranked together.
#[derive(Debug, Clone)]
pub struct RankingGroup {
    /// The kinds joined with 、, e.g. `镇、街道`.
    pub name: String,
    pub kinds: Vec<String>,
}

/// The rubric-level shapes (see the module doc).
#[derive(Debug, Clone)]
pub struct Shapes {
    pub format: u32,
    /// `unit_kinds` as declared.
    pub unit_kinds: Option<Vec<String>>,
    pub not_applicable: NotApplicable,
    pub ranking_groups: Vec<RankingGroup>,
    pub rank_within_groups: bool,
    /// The rubric's 考核方式 (declared, or the default three).
    pub methods: Vec<String>,
    pub veto_grade: Option<String>,
    pub incomplete: Incomplete,
}

impl Default for Shapes {
    fn default() -> Self {
        Shapes {
            format: 1,
            unit_kinds: None,
            not_applicable: NotApplicable::Full,
            ranking_groups: Vec::new(),
            rank_within_groups: false,
            methods: DEFAULT_METHODS.iter().map(|m| m.to_string()).collect(),
            veto_grade: None,
            incomplete: Incomplete::Ranked,
        }
    }
}

impl Shapes {
    /// The kinds a unit may have: declared, kaohe's three in format 1, or any (`None`) in format 2.
    pub fn kinds(&self) -> Option<Vec<&str>> {
        match &self.unit_kinds {
            Some(k) => Some(k.iter().map(String::as_str).collect()),
            None if self.format < 2 => Some(LEGACY_UNIT_KINDS.to_vec()),
            None => None,
        }
    }
    /// Whether a unit of `kind` may be assessed under this rubric.
    pub fn accepts_kind(&self, kind: &str) -> bool {
        self.kinds().is_none_or(|k| k.contains(&kind))
    }
    /// The index of the ranking group of `kind`, if the rubric has groups and one holds it.
    pub fn group_of(&self, kind: &str) -> Option<usize> {
        self.ranking_groups
            .iter()
            .position(|g| g.kinds.iter().any(|k| k == kind))
    }
}

/// Reads a non-empty list of distinct, non-empty texts at `key` (`what` names it in problems).
fn text_list(f: &mut Fields, t: &Table, key: &str, what: &str) -> Option<Vec<String>> {
    let v = t.get(key)?;
    let Value::Array(_) = v else {
        f.strings(t, key, "", None);
        return None;
    };
    let list = f.strings(t, key, "", None);
    if list.is_empty() {
        f.err(key, None, format!("{what}“{key}”为空列表"));
        return None;
    }
    check_distinct(f, key, None, what, &list);
    Some(list)
}

/// Reports empty and repeated entries of a list of kinds or methods.
fn check_distinct(f: &mut Fields, path: &str, c: Option<&str>, what: &str, list: &[String]) {
    let mut seen = std::collections::BTreeSet::new();
    for k in list {
        if k.trim().is_empty() {
            f.err(path, c, format!("{what}中有空文本"));
        } else if !seen.insert(k.as_str()) {
            f.err(path, c, format!("{what}“{k}”重复"));
        }
    }
}

/// Reads the rubric-level shapes; every misuse is a problem in `f`.
pub(super) fn read(f: &mut Fields, t: &Table) -> Shapes {
    let mut s = Shapes::default();
    match t.get("format") {
        None => {}
        Some(Value::Integer(n)) if (1..=2).contains(n) => s.format = *n as u32,
        Some(v) => f.err("format", None, format!("格式版本应为 1 或 2，实为 {v}")),
    }
    if s.format >= 2 {
        s.incomplete = Incomplete::Unranked;
    }
    s.unit_kinds = text_list(f, t, "unit_kinds", "单位类型");
    let kinds: Option<Vec<String>> = s.kinds().map(|k| k.iter().map(|x| x.to_string()).collect());
    let kinds_text = kinds.as_ref().map(|k| k.join("、")).unwrap_or_default();
    match t.get("not_applicable") {
        None => {}
        Some(Value::String(v)) if v == "full" => {}
        Some(Value::String(v)) if v == "prorate" => s.not_applicable = NotApplicable::Prorate,
        Some(v) => f.err(
            "not_applicable",
            None,
            format!("不适用条款的计分应为 \"full\"（给满分）或 \"prorate\"（折算），实为 {v}"),
        ),
    }
    match t.get("incomplete") {
        None => {}
        Some(Value::String(v)) if v == "ranked" => s.incomplete = Incomplete::Ranked,
        Some(Value::String(v)) if v == "unranked" => s.incomplete = Incomplete::Unranked,
        Some(v) => f.err(
            "incomplete",
            None,
            format!("数据不全单位的排名应为 \"ranked\"（参与排名）或 \"unranked\"（不排名，显示未完成），实为 {v}"),
        ),
    }
    if let Some(m) = text_list(f, t, "methods", "考核方式") {
        s.methods = m;
    }
    match t.get("veto_grade") {
        None => {}
        Some(Value::String(v)) if !v.trim().is_empty() => s.veto_grade = Some(v.clone()),
        Some(v) => f.err(
            "veto_grade",
            None,
            format!("否决档次应为非空文本，如 \"不合格\"，实为 {v}"),
        ),
    }
    groups(f, t, &mut s, kinds.as_deref(), &kinds_text);
    s
}

fn groups(f: &mut Fields, t: &Table, s: &mut Shapes, kinds: Option<&[String]>, kinds_text: &str) {
    match t.get("ranking_groups") {
        None => {}
        Some(Value::Array(gs)) if gs.is_empty() => {
            f.err(
                "ranking_groups",
                None,
                "排名组“ranking_groups”为空列表".into(),
            );
        }
        Some(Value::Array(gs)) => {
            let mut seen: Vec<(String, usize)> = Vec::new();
            for (gi, g) in gs.iter().enumerate() {
                let path = format!("ranking_groups[{}]", gi + 1);
                let list: Vec<String> = match g {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|v| match v {
                            Value::String(k) => Some(k.clone()),
                            other => {
                                f.err(
                                    &path,
                                    None,
                                    format!("排名组的元素应为单位类型文本，实为 {other}"),
                                );
                                None
                            }
                        })
                        .collect(),
                    other => {
                        f.err(
                            &path,
                            None,
                            format!(
                                "排名组应为单位类型的列表，如 [\"镇\", \"街道\"]，实为 {other}"
                            ),
                        );
                        continue;
                    }
                };
                if list.is_empty() {
                    f.err(&path, None, format!("第 {} 个排名组为空", gi + 1));
                    continue;
                }
                for k in &list {
                    if let Some((_, other)) = seen.iter().find(|(x, _)| x == k) {
                        f.err(
                            &path,
                            None,
                            format!(
                                "单位类型“{k}”同时在第 {} 个和第 {} 个排名组中",
                                other + 1,
                                gi + 1
                            ),
                        );
                    } else {
                        seen.push((k.clone(), gi));
                    }
                    if let Some(ks) = kinds
                        && !ks.contains(k)
                    {
                        f.err(
                            &path,
                            None,
                            format!(
                                "排名组中的单位类型“{k}”不在细则所列单位类型（{kinds_text}）之中"
                            ),
                        );
                    }
                }
                s.ranking_groups.push(RankingGroup {
                    name: list.join("、"),
                    kinds: list,
                });
            }
            if let Some(declared) = &s.unit_kinds {
                for k in declared {
                    if !seen.iter().any(|(x, _)| x == k) {
                        f.err(
                            "ranking_groups",
                            None,
                            format!("单位类型“{k}”不在任何排名组中"),
                        );
                    }
                }
            }
        }
        Some(v) => f.err(
            "ranking_groups",
            None,
            format!("排名组应为单位类型列表的列表，如 [[\"镇\", \"街道\"], [\"区\"]]，实为 {v}"),
        ),
    }
    match t.get("rank_within_groups") {
        None => s.rank_within_groups = !s.ranking_groups.is_empty(),
        Some(Value::Boolean(b)) => {
            s.rank_within_groups = *b && !s.ranking_groups.is_empty();
            if !t.contains_key("ranking_groups") {
                f.err(
                    "rank_within_groups",
                    None,
                    "“rank_within_groups”须与排名组“ranking_groups”一同使用".into(),
                );
            }
        }
        Some(v) => f.err(
            "rank_within_groups",
            None,
            format!("“rank_within_groups”应为 true 或 false，实为 {v}"),
        ),
    }
}

/// Reads a clause's `applies_to` against the rubric's kinds.
pub(super) fn applies_to(
    f: &mut Fields,
    t: &Table,
    path: &str,
    c: Option<&str>,
    s: &Shapes,
) -> Option<Vec<String>> {
    t.get("applies_to")?;
    let list = f.strings(t, "applies_to", path, c);
    let here = join(path, "applies_to");
    if list.is_empty() {
        f.err(&here, c, "适用单位类型“applies_to”为空列表".into());
        return None;
    }
    check_distinct(f, &here, c, "适用单位类型", &list);
    if let Some(kinds) = s.kinds() {
        for k in &list {
            if !kinds.contains(&k.as_str()) {
                f.err(
                    &here,
                    c,
                    format!(
                        "适用单位类型“{k}”不在细则所列单位类型（{}）之中",
                        kinds.join("、")
                    ),
                );
            }
        }
    }
    Some(list)
}

/// The warning of bands that leave a gap above 0 (`低于 70% 的单位将为未达等级`).
pub(super) fn grade_gap(lowest: Decimal) -> Option<String> {
    (lowest > Decimal::ZERO).then(|| {
        format!(
            "档次未覆盖 0 分：低于 {}% 的单位将为{BELOW_GRADES}",
            crate::num::pts(lowest * Decimal::ONE_HUNDRED)
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::rubric::load;

    /// A one-clause rubric with `top` lines at the top level and `clause` lines on its clause.
    fn problems(top: &str, clause: &str, method: &str) -> Vec<String> {
        let text = format!(
            r#"
id = "t"
title = "测试"
year = 2023
source = "unit test"
max_total = "1"
{top}
[[indicators]]
id = "1"
name = "指标"
max = "1"
[[indicators.items]]
id = "1.1"
name = "类目"
max = "1"
[[indicators.items.clauses]]
id = "1.1.1"
title = "条款"
text = "原文"
max = "1"
method = "{method}"
rule = {{ kind = "judgement" }}
{clause}
"#
        );
        load("t.toml", &text)
            .1
            .iter()
            .map(|p| p.message.clone())
            .collect()
    }

    fn has(top: &str, clause: &str, want: &str) {
        let got = problems(top, clause, "查资料");
        assert!(
            got.iter().any(|m| m.contains(want)),
            "{want} not in {got:?}"
        );
    }

    #[test]
    fn every_misuse_is_a_chinese_problem() {
        has("unit_kinds = []", "", "单位类型“unit_kinds”为空列表");
        has(r#"unit_kinds = ["镇", "镇"]"#, "", "单位类型“镇”重复");
        has(
            r#"unit_kinds = ["镇", "园区"]"#,
            r#"applies_to = ["乡"]"#,
            "适用单位类型“乡”不在细则所列单位类型（镇、园区）之中",
        );
        has(
            "",
            r#"applies_to = ["园区"]"#,
            "适用单位类型“园区”不在细则所列单位类型（镇、街道、区）之中",
        );
        has("", "applies_to = []", "适用单位类型“applies_to”为空列表");
        has("ranking_groups = [[], [\"区\"]]", "", "第 1 个排名组为空");
        has(
            r#"ranking_groups = [["镇", "区"], ["区"]]"#,
            "",
            "单位类型“区”同时在第 1 个和第 2 个排名组中",
        );
        has(
            r#"unit_kinds = ["镇", "区"]
ranking_groups = [["镇"]]"#,
            "",
            "单位类型“区”不在任何排名组中",
        );
        has("rank_within_groups = true", "", "须与排名组");
        has(r#"not_applicable = "half""#, "", "不适用条款的计分应为");
        has(r#"incomplete = "later""#, "", "数据不全单位的排名应为");
        has("format = 3", "", "格式版本应为 1 或 2");
        has(r#"veto_grade = """#, "", "否决档次应为非空文本");
        has(
            r#"methods = ["查资料", "查资料"]"#,
            "",
            "考核方式“查资料”重复",
        );
        let got = problems(r#"methods = ["暗访", "问卷"]"#, "", "查资料");
        assert!(
            got.iter()
                .any(|m| m == "考核方式应为 暗访 / 问卷，实为“查资料”"),
            "{got:?}"
        );
        let got = problems("", "", "暗访");
        assert!(
            got.iter()
                .any(|m| m == "考核方式应为 看现场 / 查资料 / 平台数据，实为“暗访”"),
            "{got:?}"
        );
    }

    #[test]
    fn bands_with_a_gap_warn_and_bands_must_descend() {
        let grades = |a: &str, b: &str| {
            format!(
                "[[grades]]\nname = \"四星\"\nmin_ratio = \"{a}\"\n[[grades]]\nname = \"三星\"\nmin_ratio = \"{b}\"\n"
            )
        };
        // [[grades]] tables must come after the top-level keys: put them on the clause side.
        let got = problems("", &grades("0.8", "0.7"), "查资料");
        assert!(
            got.iter()
                .any(|m| m == "档次未覆盖 0 分：低于 70% 的单位将为未达等级"),
            "{got:?}"
        );
        let got = problems("", &grades("0.7", "0.8"), "查资料");
        assert!(
            got.iter().any(|m| m.contains("档次应按比例从高到低排列")),
            "{got:?}"
        );
        let got = problems("", &grades("0.8", "0"), "查资料");
        assert!(got.is_empty(), "{got:?}");
    }
}
