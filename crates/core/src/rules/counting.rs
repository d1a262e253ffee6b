//! 问题记录的扣分 — what one finding deducts on a per-instance, deduction or penalty clause, beyond
//! one `per` for every finding: finding types each with its own deduction, a range chosen by the
//! assessor, the rubric's own word for an instance, and inspection records. Shared by
//! [`super::per_instance`], [`super::deduction`] and [`super::penalty`]; every key is optional, and
//! a rule that writes none of them reads and explains exactly as before.
//!
//! Parameters (in the rule table, beside `kind`):
//! - `types` (optional, a non-empty list): 问题类型, each `{ name = "…", per = "…" }` or
//!   `{ name = "…", range = ["lo", "hi"] }`. Every finding of the clause then names its type (the
//!   findings table's 问题类型 column); a finding without a type, or with a type the list does not
//!   have, is a problem naming its row. Instead of `per` (writing both is a problem); not with
//!   `metric` (a count has no types).
//! - `range` (optional, `["lo", "hi"]`, 0 ≤ lo ≤ hi, hi > 0): 酌情扣分 — the assessor chooses the
//!   points of each finding (the findings table's 扣分 column) with a reason (扣分理由); a value
//!   outside the range, or no reason, is a problem naming the row. On the clause instead of `per`,
//!   or on one type.
//! - `word` (optional, text with `{n}`): the rubric's word for n instances, e.g. `"缺 {n} 项"`; the
//!   explanation says `缺 11 项 × 0.2 = 2.2` instead of `发现问题 11例`. With `types`, `{type}` is
//!   the type's name (`"{type} {n} 处"`); without `{type}` the name goes first. For a deduction
//!   clause that states no `cap`, the explanation of a deduction past the clause's points says
//!   `扣完为止` (the source's words), never `超过扣分上限`.
//! - `inspection` (optional, `"required"`): a unit is scored only with an inspection record
//!   (检查记录: who, when) for the clause; none is `missing` (未检查), a record and no findings is
//!   full marks. Without it, no findings rows means n = 0 as before. Not with `metric`.
//!
//! Worked case (max 5): `{ kind = "per_instance", types = [{ name = "标识不醒目", per = "1" },
//! { name = "标识不易识别", per = "0.5" }] }`, one finding of the first type, two of the second:
//! `标识不醒目 1 次 × 1 = 1；标识不易识别 2 次 × 0.5 = 1；共扣 2，5 − 2 = 3`.
//! With `range = ["2", "5"]` and findings of 3 (服务态度生硬) and 4 (推诿扯皮) on max 10:
//! `发现问题 2例：酌情扣 3（服务态度生硬）、4（推诿扯皮）= 7，10 − 7 = 3` (the reasons in brackets).

use crate::column::Cx;
use crate::input::{FindingEntry, InspectionEntry};
use crate::num::pts;
use crate::problem::Problem;
use crate::result::Missing;
use crate::rubric::Clause;
use crate::rubric::fields::RuleFields;
use crate::rubric::write::{Param, Params};
use rust_decimal::Decimal;
use toml::Value;

/// 酌情扣分的范围: the points of one finding, chosen in [lo, hi].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub lo: Decimal,
    pub hi: Decimal,
}

/// What one finding of a type (or of an untyped clause) deducts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Each {
    /// A fixed deduction per finding.
    Per(Decimal),
    /// Chosen per finding, in a range, with a reason.
    Range(Range),
}

/// 问题类型: a kind of defect with its own deduction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingType {
    pub name: String,
    pub each: Each,
}

/// How the findings of a clause are counted and worded. `Default` is today's: one `per` for every
/// finding, kaohe's words, no inspection record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counting {
    /// 问题类型; empty: the clause has none.
    pub types: Vec<FindingType>,
    /// A range for every finding of an untyped clause (instead of `per`).
    pub range: Option<Range>,
    /// The rubric's word for n instances, with `{n}` (and maybe `{type}`).
    pub word: Option<String>,
    /// 检查记录 required.
    pub inspection: bool,
}

/// Today's counting: one `per` for every finding, kaohe's words, no inspection record.
pub(crate) static PLAIN: Counting = Counting {
    types: Vec::new(),
    range: None,
    word: None,
    inspection: false,
};

impl Counting {
    /// Whether the rule writes any key of this module (else the kind's own, older path explains).
    pub fn is_plain(&self) -> bool {
        *self == Counting::default()
    }

    /// `per` as a rubric writes it: not when the clause deducts by `types` or a `range`
    /// ([`crate::rubric::write`]).
    pub(crate) fn per_param(&self, per: Decimal) -> Params {
        if self.types.is_empty() && self.range.is_none() {
            vec![("per", Param::Text(per.to_string()))]
        } else {
            Vec::new()
        }
    }

    /// The keys of this module as a rubric writes them, in the kinds' order (`types`, `range`,
    /// `word`, `inspection`), those not given left out.
    pub(crate) fn params(&self, out: &mut Params) {
        let each = |e: &Each| match e {
            Each::Per(p) => Param::Text(p.to_string()),
            Each::Range(r) => Param::Range(r.lo.to_string(), r.hi.to_string()),
        };
        if !self.types.is_empty() {
            let types = self
                .types
                .iter()
                .map(|t| (t.name.clone(), each(&t.each)))
                .collect();
            out.push(("types", Param::Types(types)));
        }
        if let Some(r) = &self.range {
            out.push(("range", each(&Each::Range(*r))));
        }
        if let Some(w) = &self.word {
            out.push(("word", Param::Text(w.clone())));
        }
        if self.inspection {
            out.push(("inspection", Param::Text("required".into())));
        }
    }

    /// Reads `per` (or `types` / `range` instead) and the keys of this module. `per` is `None` when
    /// the clause deducts by types or a range (or on a problem, reported).
    pub(crate) fn parse(r: &mut RuleFields, has_metric: bool) -> Option<(Option<Decimal>, Self)> {
        let by_kind = r.has("types") || r.has("range");
        let per = if by_kind {
            if r.has("per") {
                r.err(
                    "per",
                    "已按问题类型（types）或酌情范围（range）扣分，不能再写统一的每例扣分“per”"
                        .into(),
                );
            }
            None
        } else {
            let per = r.decimal("per");
            r.positive(per, "per", "每例扣分");
            Some(per?)
        };
        let mut c = Counting::default();
        if r.has("types") {
            if r.has("range") {
                r.err(
                    "range",
                    "已列出问题类型（types）时，酌情范围写在各类型里（types[i] › range）".into(),
                );
            }
            let tables = r.tables("types", true);
            if tables.is_empty() {
                r.err("types", "问题类型列表为空（至少列一种问题类型）".into());
            }
            for (i, t) in tables.into_iter().enumerate() {
                let path = r.at(&format!("types[{}]", i + 1));
                let mut n = r.nested(t, &path);
                n.unknown_keys(&["name", "per", "range"]);
                let name = n.string("name");
                let each = match (n.has("per"), n.has("range")) {
                    (true, false) => {
                        let per = n.decimal("per");
                        n.positive(per, "per", "该类问题每次扣分");
                        per.map(Each::Per)
                    }
                    (false, true) => range(&mut n, "range").map(Each::Range),
                    _ => {
                        n.err(
                            "per",
                            "每种问题类型写且只写一种扣法：每次扣分 per = \"…\"，或酌情范围 range = [\"下限\", \"上限\"]"
                                .into(),
                        );
                        None
                    }
                };
                if let Some(name) = &name
                    && c.types.iter().any(|t| t.name == *name)
                {
                    n.err("name", format!("问题类型“{name}”重复"));
                }
                if let (Some(name), Some(each)) = (name, each) {
                    c.types.push(FindingType { name, each });
                }
            }
        } else if r.has("range") {
            c.range = range(r, "range");
        }
        if r.has("word") {
            let w = r.string("word");
            if let Some(w) = &w
                && !w.contains("{n}")
            {
                r.err(
                    "word",
                    format!("计数用语“{w}”应含 {{n}}（例数所在处），如 \"缺 {{n}} 项\""),
                );
            }
            c.word = w;
        }
        if r.has("inspection") {
            match r.table.get("inspection") {
                Some(Value::String(s)) if s == "required" => c.inspection = true,
                Some(v) => r.err(
                    "inspection",
                    format!("“inspection”只能写 \"required\"（须有检查记录），实为 {v}"),
                ),
                None => {}
            }
        }
        if has_metric {
            for key in ["types", "range", "inspection"] {
                if r.has(key) {
                    r.err(
                        key,
                        format!(
                            "例数来自指标（metric）的条款不能用“{key}”：指标只给出例数，没有逐条的问题类型、酌情分值或检查记录"
                        ),
                    );
                }
            }
        }
        Some((per, c))
    }

    /// What each finding of a type deducts; `None` for an untyped clause without a range.
    fn each_of(&self, f: &FindingEntry) -> Option<Each> {
        match (&self.types[..], self.range) {
            ([], Some(r)) => Some(Each::Range(r)),
            ([], None) => None,
            (types, _) => types
                .iter()
                .find(|t| Some(t.name.as_str()) == f.finding_type.as_deref().map(str::trim))
                .map(|t| t.each),
        }
    }

    /// What finding `f` deducts (`per` of an untyped clause without a range).
    pub(crate) fn points(&self, per: Decimal, f: &FindingEntry) -> Decimal {
        match self.each_of(f) {
            Some(Each::Per(p)) => p,
            Some(Each::Range(_)) => f.points.unwrap_or(Decimal::ZERO),
            None => per,
        }
    }

    /// A finding the clause cannot use, as a problem naming its row and column; checked before the
    /// finding is indexed (a rejected finding is never counted).
    pub(crate) fn check(&self, clause: &Clause, f: &FindingEntry) -> Option<Problem> {
        let at = |col: &str| f.origin.as_ref().map(|o| o.with_column(col));
        let bad = |col: &str, msg: String| {
            Problem::error(msg)
                .at(at(col))
                .unit(&f.unit)
                .clause(&clause.id)
        };
        let ty = f
            .finding_type
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if !self.types.is_empty() {
            let names: Vec<&str> = self.types.iter().map(|t| t.name.as_str()).collect();
            let Some(ty) = ty else {
                return Some(
                    bad(
                        "问题类型",
                        format!(
                            "条款 {} 分问题类型扣分，此条问题记录未写问题类型",
                            clause.id
                        ),
                    )
                    .value("")
                    .expected(format!("问题类型之一：{}", names.join("、"))),
                );
            };
            if !names.contains(&ty) {
                return Some(
                    bad("问题类型", format!("条款 {} 没有问题类型“{ty}”", clause.id))
                        .value(ty)
                        .expected(format!("问题类型之一：{}", names.join("、"))),
                );
            }
        } else if let Some(ty) = ty {
            return Some(
                bad(
                    "问题类型",
                    format!("条款 {} 不分问题类型，此条却写了“{ty}”", clause.id),
                )
                .value(ty)
                .expected("问题类型留空"),
            );
        }
        match (self.each_of(f), f.points) {
            (Some(Each::Range(r)), None) => Some(
                bad(
                    "扣分",
                    format!("条款 {} 酌情扣分，此条问题记录未写扣分", clause.id),
                )
                .value("")
                .expected(format!("{} 到 {} 之间的扣分", pts(r.lo), pts(r.hi))),
            ),
            (Some(Each::Range(r)), Some(p)) if p < r.lo || p > r.hi => Some(
                bad(
                    "扣分",
                    format!("扣分 {} 超出条款 {} 的酌情范围", pts(p), clause.id),
                )
                .value(pts(p))
                .expected(format!("{} 到 {} 之间的扣分", pts(r.lo), pts(r.hi))),
            ),
            (Some(Each::Range(_)), Some(_))
                if f.reason.as_deref().is_none_or(|r| r.trim().is_empty()) =>
            {
                Some(
                    bad("扣分理由", "酌情扣分须写明扣分理由".into())
                        .value("")
                        .expected("为何扣这个分值（如 情节较重，群众投诉）"),
                )
            }
            (Some(Each::Per(_)) | None, Some(p)) => Some(
                bad(
                    "扣分",
                    format!("条款 {} 按规定分值扣分，不能自填扣分", clause.id),
                )
                .value(pts(p))
                .expected("扣分留空（按细则的每例扣分计）"),
            ),
            _ => None,
        }
    }

    /// The rubric's word for `n` instances of type `ty` (or of the clause).
    fn word(&self, ty: Option<&str>, n: usize) -> String {
        let n = n.to_string();
        match (ty, &self.word) {
            (None, Some(w)) if w.contains("{type}") => format!("发现问题 {n}例"),
            (None, Some(w)) => w.replace("{n}", &n),
            (None, None) => format!("发现问题 {n}例"),
            (Some(t), Some(w)) if w.contains("{type}") => w.replace("{type}", t).replace("{n}", &n),
            (Some(t), Some(w)) => format!("{t} {}", w.replace("{n}", &n)),
            (Some(t), None) => format!("{t} {n} 次"),
        }
    }

    /// The findings of unit `u` and what they deduct in all: `缺 11 项 × 0.2 = 2.2`, or per type
    /// `标识不醒目 1 次 × 1 = 1；标识不易识别 2 次 × 0.5 = 1；共扣 2`.
    pub(crate) fn deducted(&self, cx: &Cx, u: u32, per: Decimal) -> (String, Decimal) {
        let all: Vec<&FindingEntry> = cx.findings(u).collect();
        let total: Decimal = all.iter().map(|f| self.points(per, f)).sum();
        if self.types.is_empty() {
            let head = self.word(None, all.len());
            return (
                self.group(&head, self.range.map(Each::Range), per, &all),
                total,
            );
        }
        let mut parts = Vec::new();
        for t in &self.types {
            let of: Vec<&FindingEntry> = all
                .iter()
                .copied()
                .filter(|f| f.finding_type.as_deref().map(str::trim) == Some(t.name.as_str()))
                .collect();
            if !of.is_empty() {
                let head = self.word(Some(&t.name), of.len());
                parts.push(self.group(&head, Some(t.each), per, &of));
            }
        }
        if parts.len() > 1 {
            parts.push(format!("共扣 {}", pts(total)));
        }
        (parts.join("；"), total)
    }

    /// One group of findings: `head × per = x`, or `head：酌情扣 3（理由）、4（理由）= 7`.
    fn group(&self, head: &str, each: Option<Each>, per: Decimal, fs: &[&FindingEntry]) -> String {
        match each {
            Some(Each::Range(_)) => {
                let items: Vec<String> = fs
                    .iter()
                    .map(|f| {
                        let why = f.reason.as_deref().unwrap_or("").trim();
                        format!("{}（{why}）", pts(f.points.unwrap_or(Decimal::ZERO)))
                    })
                    .collect();
                let sum: Decimal = fs.iter().map(|f| f.points.unwrap_or(Decimal::ZERO)).sum();
                if items.len() > 1 {
                    format!("{head}：酌情扣 {}= {}", items.join("、"), pts(sum))
                } else {
                    format!("{head}：酌情扣 {}", items.join(""))
                }
            }
            Some(Each::Per(p)) => times(head, fs.len(), p),
            None => times(head, fs.len(), per),
        }
    }

    /// Who inspected unit `u` on the clause, and when (the first record), as an explanation opens.
    pub(crate) fn inspected(&self, cx: &Cx, u: u32) -> Option<String> {
        if !self.inspection {
            return None;
        }
        cx.inspections(u)
            .next()
            .map(|i: &InspectionEntry| format!("{} 于 {} 检查", i.inspector.trim(), i.date))
    }
}

impl Counting {
    /// (n, from_findings, what the findings deduct in all), or why the clause is missing: no
    /// inspection record where one is required, or no source of n ([`super::instances::count`]).
    pub(crate) fn count(
        &self,
        cx: &Cx,
        u: u32,
        metric: Option<usize>,
        per: Decimal,
    ) -> Result<(u32, bool, Decimal), Missing> {
        if self.inspection && cx.inspections(u).next().is_none() {
            return Err(Missing::NotInspected);
        }
        let (n, from_findings) = super::instances::count(cx, u, metric)?;
        let d = if from_findings {
            cx.findings(u).map(|f| self.points(per, f)).sum()
        } else {
            per * Decimal::from(n)
        };
        Ok((n, from_findings, d))
    }

    /// What was found and what it deducts, opened by who inspected: `张三 于 2024-05-08 检查，缺 11 项
    /// × 0.2 = 2.2`; n = 0: `…，发现问题 0例`, or with finding types `…，未发现标识不醒目、标识不易识别` (more than three
    /// types: `未发现所列 6 类问题`; the caller adds 不扣分).
    pub(crate) fn what(
        &self,
        cx: &Cx,
        u: u32,
        metric: Option<&str>,
        n: u32,
        from_findings: bool,
        per: Decimal,
    ) -> (String, Decimal) {
        let (text, d) = if n == 0 {
            match (&self.word, metric) {
                (None, Some(_)) => (super::instances::what(cx, metric, 0, false), Decimal::ZERO),
                // the rubric's own names of its defects: 未发现标识不醒目、标识不易识别
                _ if !self.types.is_empty()
                    && self.word.as_ref().is_none_or(|w| w.contains("{type}")) =>
                {
                    let names: Vec<&str> = self.types.iter().map(|t| t.name.as_str()).collect();
                    let text = if names.len() <= 3 {
                        format!("未发现{}", names.join("、"))
                    } else {
                        format!("未发现所列 {} 类问题", names.len())
                    };
                    (text, Decimal::ZERO)
                }
                _ => (self.word(None, 0), Decimal::ZERO),
            }
        } else if from_findings {
            self.deducted(cx, u, per)
        } else {
            let head = match &self.word {
                Some(_) => self.word(None, n as usize),
                None => super::instances::what(cx, metric, n, false),
            };
            let d = per * Decimal::from(n);
            (times(&head, n as usize, per), d)
        };
        match self.inspected(cx, u) {
            Some(who) => (format!("{who}，{text}"), d),
            None => (text, d),
        }
    }

    /// The deduction of each finding as a rule's description says it.
    pub(crate) fn describe(&self, per: Decimal) -> String {
        let each = |e: &Each| match e {
            Each::Per(p) => format!("每次扣 {}", pts(*p)),
            Each::Range(r) => format!("每次酌情扣 {}–{}", pts(r.lo), pts(r.hi)),
        };
        let mut s = if !self.types.is_empty() {
            let parts: Vec<String> = self
                .types
                .iter()
                .map(|t| format!("{}{}", t.name, each(&t.each)))
                .collect();
            parts.join("；")
        } else if let Some(r) = self.range {
            each(&Each::Range(r))
        } else {
            format!("每例扣 {}", pts(per))
        };
        if let Some(w) = &self.word {
            // the template as a clerk reads it: 缺 {n} 项 → 缺 N 项, {type} → 问题类型
            let w = w.replace("{n}", "N").replace("{type}", "问题类型");
            s.push_str(&format!("（计为“{w}”）"));
        }
        s
    }

    /// Where n comes from, as a description says it, with the inspection record when required.
    pub(crate) fn source(&self, rubric: &crate::rubric::Rubric, metric: Option<&str>) -> String {
        let from = format!("例数来自{}", super::instances::source(rubric, metric));
        if self.inspection {
            format!("{from}；须有检查记录，无记录为未检查")
        } else {
            from
        }
    }
}

fn times(head: &str, n: usize, per: Decimal) -> String {
    format!("{head} × {} = {}", pts(per), pts(per * Decimal::from(n)))
}

/// `["lo", "hi"]`: two decimals, 0 ≤ lo ≤ hi, hi > 0.
fn range(r: &mut RuleFields, key: &str) -> Option<Range> {
    let ok = match r.table.get(key) {
        Some(Value::Array(a)) if a.len() == 2 => Some(a.clone()),
        Some(v) => {
            r.err(
                key,
                format!("酌情范围应写成 [\"下限\", \"上限\"]（如 [\"2\", \"5\"]），实为 {v}"),
            );
            None
        }
        None => None,
    }?;
    let mut t = toml::Table::new();
    t.insert("lo".into(), ok[0].clone());
    t.insert("hi".into(), ok[1].clone());
    let path = r.at(key);
    let mut n = r.nested(&t, &path);
    let (lo, hi) = (n.decimal("lo")?, n.decimal("hi")?);
    if lo < Decimal::ZERO || hi <= Decimal::ZERO || lo > hi {
        r.err(
            key,
            format!(
                "酌情范围 [{}, {}] 无效：下限不小于 0，上限大于 0 且不小于下限",
                pts(lo),
                pts(hi)
            ),
        );
        return None;
    }
    Some(Range { lo, hi })
}
