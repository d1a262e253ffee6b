//! 考核反馈单 — one unit's result as the office hands it over: every clause with its score and the
//! reason, total and rank, signature and date lines. One model ([`Feedback`]) feeds the printable
//! web page and the PDF ([`crate::pdf`]).

use kaohe_core::result::{Scored, UnitResult};
use serde::Serialize;

/// A unit's 考核反馈单.
#[derive(Debug, Clone, Serialize)]
pub struct Feedback {
    /// The assessment, e.g. 2021年度镇区、街道政务服务考核.
    pub title: String,
    pub rubric_id: String,
    /// The rubric's title, as the form names it (its id is for machines).
    pub rubric_title: String,
    /// 阶段 (公示, 定档 …), as the office calls it.
    pub stage: String,
    pub unit: FeedbackUnit,
    pub total: FeedbackTotal,
    pub clauses: Vec<FeedbackClause>,
    /// 校验信息 of a sealed (定档) result: the SM2 seal's public-key fingerprint, so a reader can
    /// check a published result with `kaohe verify`; `None` before 定档.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seal: Option<FeedbackSeal>,
}

/// The seal a 考核反馈单 names: which sealed version, and the fingerprint of the SM2 public key that
/// signed it (`kaohe_store::seal::fingerprint`).
#[derive(Debug, Clone, Serialize)]
pub struct FeedbackSeal {
    /// The latest sealed version (1 at 定档, more after 更正).
    pub version: i64,
    /// `3b1f 0c9a …`: eight groups of four hex digits.
    pub fingerprint: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackUnit {
    pub code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackTotal {
    pub total: String,
    pub base: String,
    pub bonus: String,
    /// 扣分项 as shown (`−1.00`), when the rubric has penalty clauses.
    pub penalty: Option<String>,
    pub rank: u32,
    /// Units ranked (of the unit's ranking group, when the rubric has groups).
    pub of: usize,
    /// False for a unit the rubric does not rank (未完成).
    pub ranked: bool,
    /// The unit's ranking group (排名组), when the rubric has groups.
    pub group: Option<String>,
    /// Where the unit stands, as the sentence says it: `在 9 个单位中第 3 名`, `在镇、街道组 2 个单位中
    /// 第 1 名`, or 未完成.
    pub place: String,
    /// The total in one line (`基础分 … + 加分 … − 扣分项 … = …`), when the rubric has 扣分项 or a
    /// cap on the total; the remarks carry it when something was subtracted or cut.
    pub explained: Option<String>,
    /// 排名组, 档次, 否决理由, 折算 — each a line, when they apply.
    pub remarks: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackClause {
    pub id: String,
    pub title: String,
    /// 满分, or 加分 for a bonus clause.
    pub max: String,
    /// The score with the rubric's decimals, 缺 when it is missing, 不适用 when the clause does not
    /// apply to the unit's kind.
    pub score: String,
    /// How the score came about, in words a clerk can check.
    pub explanation: String,
    /// The findings (扣分事项) one by one.
    pub instances: Vec<String>,
}

impl Feedback {
    /// The feedback form of unit `r` of a scoring run.
    pub fn of(title: &str, stage: &str, scored: &Scored<'_>, r: &UnitResult) -> Feedback {
        let rubric = scored.rubric;
        let dp = rubric.precision;
        let u = scored.unit(r);
        let clauses = rubric
            .clauses
            .iter()
            .enumerate()
            .map(|(ci, c)| {
                let cr = scored.clauses(r)[ci];
                FeedbackClause {
                    id: c.id.to_string(),
                    title: c.title.clone(),
                    max: if c.is_bonus() {
                        "加分".to_string()
                    } else if c.is_penalty() {
                        "扣分项".to_string()
                    } else {
                        c.max.normalize().to_string()
                    },
                    score: if cr.is_not_applicable() {
                        "不适用".into()
                    } else if c.is_penalty() && !cr.is_missing() {
                        crate::shapes::minus(cr.score, dp)
                    } else {
                        cr.score()
                            .map(|v| crate::fixed(v, dp))
                            .unwrap_or_else(|| "缺".into())
                    },
                    explanation: scored.explain(r, ci),
                    instances: scored
                        .findings(r, ci)
                        .iter()
                        .map(|f| f.description.clone())
                        .collect(),
                }
            })
            .collect();
        Feedback {
            title: title.to_string(),
            rubric_id: rubric.id.to_string(),
            rubric_title: rubric.title.clone(),
            stage: stage.to_string(),
            unit: FeedbackUnit {
                code: u.code.to_string(),
                name: u.name.clone(),
                kind: u.kind.clone(),
            },
            total: {
                let of = scored
                    .units
                    .iter()
                    .filter(|x| x.group == r.group && x.ranked)
                    .count();
                let group = scored.group(r).map(str::to_string);
                let place = match (r.ranked, &group) {
                    (false, _) => scored.rank_text(r),
                    (true, Some(g)) => format!("在{g}组 {of} 个单位中第 {} 名", r.rank),
                    (true, None) => format!("在 {of} 个单位中第 {} 名", r.rank),
                };
                FeedbackTotal {
                    total: crate::fixed(r.total, dp),
                    base: crate::fixed(r.base, dp),
                    bonus: crate::fixed(r.bonus, dp),
                    penalty: crate::shapes::has_penalty(rubric)
                        .then(|| crate::shapes::minus(r.penalty, dp)),
                    rank: r.rank,
                    of,
                    ranked: r.ranked,
                    group,
                    place,
                    explained: crate::shapes::explains_total(rubric)
                        .then(|| scored.explain_total(r)),
                    remarks: remarks(scored, r),
                }
            },
            clauses,
            seal: None,
        }
    }

    /// The form with the seal that signed its result ([`FeedbackSeal`]).
    pub fn sealed(mut self, seal: Option<FeedbackSeal>) -> Feedback {
        self.seal = seal;
        self
    }

    /// 校验信息 in one line, for a sealed result: `校验信息：SM2 公钥指纹 …（定档结果第 1 版）；核验方法：
    /// kaohe verify 定档结果文件`.
    pub fn check_line(&self) -> Option<String> {
        self.seal.as_ref().map(|s| {
            format!(
                "校验信息：SM2 公钥指纹 {}（定档结果第 {} 版）；核验方法：kaohe verify 定档结果文件（公钥文件 seal-sm2.pub）",
                s.fingerprint, s.version
            )
        })
    }

    /// The form's title: the assessment's title and 考核反馈单 (考核 said once).
    pub fn heading(&self) -> String {
        match self.title.strip_suffix("考核") {
            Some(t) => format!("{t}考核反馈单"),
            None => format!("{}考核反馈单", self.title),
        }
    }

    /// The line under the title: who, which rubric, which stage.
    pub fn subtitle(&self) -> String {
        format!(
            "被考核单位：{}（{}，{}） · 细则《{}》 · 阶段：{}",
            self.unit.name, self.unit.code, self.unit.kind, self.rubric_title, self.stage
        )
    }

    /// The total and its parts: `总分 7.30（基础分 7.30，加分 0.00）` (and `，扣分项 −1.00`).
    pub fn total_line(&self) -> String {
        let t = &self.total;
        let penalty = t
            .penalty
            .as_ref()
            .map(|p| format!("，扣分项 {p}"))
            .unwrap_or_default();
        format!(
            "总分 {}（基础分 {}，加分 {}{penalty}）",
            t.total, t.base, t.bonus
        )
    }

    /// The sentence with total and rank, then the remarks.
    pub fn summary(&self) -> String {
        let mut out = format!("{}，{}。", self.total_line(), self.total.place);
        for r in &self.total.remarks {
            out.push_str(r);
            out.push('。');
        }
        out
    }
}

/// The lines beside the total: 未完成, 排名组 (of a unit not ranked; a ranked one has it in its
/// place), 档次 or why there is none, 否决理由, 折算, the total's own line (none for a rubric without
/// them).
fn remarks(s: &Scored<'_>, u: &UnitResult) -> Vec<String> {
    let mut out = Vec::new();
    if !u.ranked {
        out.push(format!(
            "数据不全（缺 {}），不参与排名",
            s.missing_clauses(u).join("、")
        ));
    }
    if let (false, Some(g)) = (u.ranked, s.group(u)) {
        out.push(format!("排名组：{g}"));
    }
    if let Some(g) = s.grade(u) {
        out.push(format!("档次：{g}"));
    } else if !u.complete && !s.rubric.grades.is_empty() {
        out.push(format!("档次：{}", crate::shapes::GRADE_WITHHELD));
    }
    if let Some(v) = s.veto_reason(u) {
        out.push(format!("单项否决：{v}"));
    }
    if let Some(p) = s.prorate_note(u) {
        out.push(p);
    }
    if crate::shapes::explains_total(s.rubric) && crate::shapes::total_needs_line(u) {
        out.push(format!("总分计算：{}", s.explain_total(u)));
    }
    out
}
