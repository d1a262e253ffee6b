//! Parse → validate → lower. The TOML is walked by hand (not deserialised with serde) so that a rubric
//! with five mistakes reports all five, each with its clause id and field, and unknown keys are
//! rejected by name. This file walks the rubric's structure (metrics, indicators, items, clauses,
//! grades) and checks its sums and ids; the field readers are in [`super::fields`], and each rule kind
//! reads its own parameters (`crate::rules::Rule::parse`).

use super::bounds::{MAX_CLAUSES, MAX_RUBRIC_BYTES, count_clauses, syntax_problem, too_big};
use super::fields::{Fields, RuleFields, join, type_name};
use super::levels::{self, Parent};
use super::*;
use crate::problem::{Origin, Problem};
use sha2::{Digest, Sha256};
use toml::{Table, Value};

/// sha256 of bytes as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Loads a rubric from TOML text. `file` names the text in problems. Returns the rubric when it is
/// valid, and every problem found either way (an invalid rubric gives `None` and at least one error).
pub fn load(file: &str, text: &str) -> (Option<Rubric>, Vec<Problem>) {
    if text.len() > MAX_RUBRIC_BYTES {
        return (None, vec![too_big(file, text.len())]);
    }
    let mut cx = Cx {
        f: Fields {
            file: file.to_string(),
            problems: Vec::new(),
        },
        clause_ids: Default::default(),
        partial: Default::default(),
    };
    let table: Table = match text.parse::<Table>() {
        Ok(t) => t,
        Err(e) => {
            cx.f.problems.push(syntax_problem(file, text, &e));
            return (None, cx.f.problems);
        }
    };
    let clauses = count_clauses(&table);
    if clauses > MAX_CLAUSES {
        cx.f.problems.push(
            Problem::error(format!(
                "细则有 {clauses} 个条款，超过上限 {MAX_CLAUSES} 个"
            ))
            .at(Some(Origin::file(file)))
            .expected(format!("一份细则不超过 {MAX_CLAUSES} 个条款")),
        );
        return (None, cx.f.problems);
    }
    let rubric = cx.rubric(&table, sha256_hex(text.as_bytes()));
    let ok = !cx.f.problems.iter().any(Problem::is_error);
    (if ok { rubric } else { None }, cx.f.problems)
}

pub(super) struct Cx {
    pub(super) f: Fields,
    /// Clause ids seen so far (also of clauses that fail to load), for the duplicate check.
    pub(super) clause_ids: std::collections::BTreeSet<String>,
    /// Items and indicators some of whose parts failed to load: their sums are not checked, since
    /// a sum over what did load would be misleading.
    pub(super) partial: std::collections::BTreeSet<String>,
}

const TOP_KEYS: &[&str] = &[
    "id",
    "title",
    "year",
    "version",
    "source",
    "category",
    "max_total",
    "precision",
    "ties",
    "metrics",
    "indicators",
    "grades",
    "total_cap",
    // rubric-level shapes (`shapes.rs`)
    "format",
    "unit_kinds",
    "not_applicable",
    "ranking_groups",
    "rank_within_groups",
    "methods",
    "veto_grade",
    "incomplete",
];
const METRIC_KEYS: &[&str] = &["key", "name", "kind", "bare", "unit_label"];
const INDICATOR_KEYS: &[&str] = &["id", "name", "max", "items", "clauses", "budget", "floor"];
const CLAUSE_KEYS: &[&str] = &[
    "id",
    "title",
    "text",
    "content",
    "standard",
    "method_text",
    "max",
    "method",
    "checkpoints",
    "rule",
    "applies_to",
];
const GRADE_KEYS: &[&str] = &["name", "min_ratio"];

impl Cx {
    fn rubric(&mut self, t: &Table, sha256: String) -> Option<Rubric> {
        self.f.unknown_keys(t, TOP_KEYS, "", None);
        let id = self.f.string(t, "id", "", None);
        let title = self.f.string(t, "title", "", None);
        let year = self.f.integer(t, "year", "", None);
        let version = self
            .f
            .opt_string(t, "version", "", None)
            .unwrap_or_else(|| "1".into());
        let source = self.f.string(t, "source", "", None);
        let category = self
            .f
            .opt_string(t, "category", "", None)
            .unwrap_or_default();
        let max_total = self.f.decimal(t, "max_total", "", None);
        let precision = match t.get("precision") {
            None => Some(4),
            Some(Value::Integer(p)) if (0..=10).contains(p) => Some(*p as u32),
            Some(v) => {
                self.f.err(
                    "precision",
                    None,
                    format!("精度应为 0 到 10 的整数，实为 {v}"),
                );
                None
            }
        };
        let ties = self.f.ties(t, "ties", "", None, TiePolicy::Competition);
        let shapes = shapes::read(&mut self.f, t);

        let metrics = self.metrics(t);
        let mut clauses = Vec::new();
        let mut indicators = Vec::new();
        let ind_tables = self.f.tables(t, "indicators", "", None, true);
        if ind_tables.is_empty() && t.contains_key("indicators") {
            self.f.err("indicators", None, "细则没有任何指标".into());
        }
        for (ii, it) in ind_tables.iter().enumerate() {
            if let Some(ind) = self.indicator(
                it,
                ii,
                &metrics,
                &shapes,
                ties,
                &mut clauses,
                indicators.len(),
            ) {
                indicators.push(ind);
            }
        }
        self.check_unique_ids(&indicators, &clauses);
        crate::budget::check(&mut self.f, &clauses, &indicators);
        let total_cap = crate::totals::parse_cap(&mut self.f, t, max_total);

        let mut grades = Vec::new();
        for (gi, gt) in self
            .f
            .tables(t, "grades", "", None, false)
            .into_iter()
            .enumerate()
        {
            let path = format!("grades[{}]", gi + 1);
            self.f.unknown_keys(gt, GRADE_KEYS, &path, None);
            let name = self.f.string(gt, "name", &path, None);
            let min_ratio = self.f.decimal(gt, "min_ratio", &path, None);
            if let (Some(name), Some(min_ratio)) = (name, min_ratio) {
                if min_ratio < Decimal::ZERO || min_ratio > Decimal::ONE {
                    self.f.err(
                        &join(&path, "min_ratio"),
                        None,
                        format!("档次比例应在 0 到 1 之间，实为 {min_ratio}"),
                    );
                }
                grades.push(Grade { name, min_ratio });
            }
        }
        for w in grades.windows(2) {
            if w[1].min_ratio >= w[0].min_ratio {
                self.f.err(
                    "grades",
                    None,
                    format!(
                        "档次应按比例从高到低排列：“{}”({}) 之后是“{}”({})",
                        w[0].name, w[0].min_ratio, w[1].name, w[1].min_ratio
                    ),
                );
            }
        }
        if let Some(w) = grades.last().and_then(|g| shapes::grade_gap(g.min_ratio)) {
            self.f.problems.push(
                Problem::new(crate::problem::Severity::Warning, w)
                    .at(Some(Origin::file(&self.f.file).with_column("grades"))),
            );
        }

        // 分值合计: item = Σ clauses (bonus excluded), indicator = Σ items, total = Σ indicators.
        let mut sum_ind = Decimal::ZERO;
        for ind in &indicators {
            let mut sum_items = Decimal::ZERO;
            for item in &ind.items {
                if self.partial.contains(&item.id) {
                    continue;
                }
                let sum: Decimal = item
                    .clauses
                    .iter()
                    .map(|&c| &clauses[c])
                    .filter(|c: &&Clause| !c.is_bonus())
                    .map(|c| c.max)
                    .sum();
                if sum != item.max {
                    let noun = if item.implicit { "指标" } else { "类目" };
                    self.f.err(
                        &format!("{noun} {}", item.id),
                        None,
                        format!(
                            "{noun} {}（{}）各条款满分合计 {}，与{noun}满分 {} 不符",
                            item.id,
                            item.name,
                            sum.normalize(),
                            item.max.normalize()
                        ),
                    );
                }
                sum_items += item.max;
            }
            if sum_items != ind.max && !self.partial.contains(&ind.id) {
                self.f.err(
                    &format!("指标 {}", ind.id),
                    None,
                    format!(
                        "指标 {}（{}）各类目满分合计 {}，与指标满分 {} 不符",
                        ind.id,
                        ind.name,
                        sum_items.normalize(),
                        ind.max.normalize()
                    ),
                );
            }
            sum_ind += ind.max;
        }
        if let Some(mt) = max_total
            && sum_ind != mt
            && !indicators.is_empty()
            && indicators.len() == ind_tables.len()
            && !indicators.iter().any(|i| self.partial.contains(&i.id))
        {
            self.f.err(
                "max_total",
                None,
                format!(
                    "各指标满分合计 {}，与总分 {} 不符",
                    sum_ind.normalize(),
                    mt.normalize()
                ),
            );
        }

        Some(Rubric {
            id: id?,
            title: title?,
            year: year? as i32,
            version,
            source: source?,
            category,
            max_total: max_total?,
            precision: precision?,
            ties,
            sha256,
            metrics,
            indicators,
            clauses,
            grades,
            total_cap,
            shapes,
        })
    }

    fn metrics(&mut self, t: &Table) -> Vec<MetricDef> {
        let mut out: Vec<MetricDef> = Vec::new();
        for (i, mt) in self
            .f
            .tables(t, "metrics", "", None, false)
            .into_iter()
            .enumerate()
        {
            let path = format!("metrics[{}]", i + 1);
            self.f.unknown_keys(mt, METRIC_KEYS, &path, None);
            let key = self.f.string(mt, "key", &path, None);
            let name = self.f.string(mt, "name", &path, None);
            let kind = match self.f.string(mt, "kind", &path, None).as_deref() {
                Some("rate") => Some(MetricKind::Rate),
                Some("count") => Some(MetricKind::Count),
                Some("number") => Some(MetricKind::Number),
                Some(other) => {
                    self.f.err(
                        &join(&path, "kind"),
                        None,
                        format!("指标类型应为 rate / count / number，实为“{other}”"),
                    );
                    None
                }
                None => None,
            };
            let bare_percent = match self.f.opt_string(mt, "bare", &path, None).as_deref() {
                None | Some("fraction") => false,
                Some("percent") => true,
                Some(other) => {
                    self.f.err(
                        &join(&path, "bare"),
                        None,
                        format!("“bare”应为 fraction 或 percent，实为“{other}”"),
                    );
                    false
                }
            };
            let unit_label = self
                .f
                .opt_string(mt, "unit_label", &path, None)
                .unwrap_or_default();
            if let (Some(key), Some(name), Some(kind)) = (key, name, kind) {
                if out.iter().any(|m| *m.key == *key) {
                    self.f.err(&path, None, format!("指标“{key}”重复定义"));
                }
                out.push(MetricDef {
                    key: key.into(),
                    name,
                    kind,
                    bare_percent,
                    unit_label,
                });
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn indicator(
        &mut self,
        t: &Table,
        index: usize,
        metrics: &[MetricDef],
        shapes: &Shapes,
        ties: TiePolicy,
        clauses: &mut Vec<Clause>,
        ind_pos: usize,
    ) -> Option<Indicator> {
        let fallback = format!("indicators[{}]", index + 1);
        let id = t.get("id").and_then(Value::as_str).map(str::to_string);
        let path = id.as_ref().map(|i| format!("指标 {i}")).unwrap_or(fallback);
        self.f.unknown_keys(t, INDICATOR_KEYS, &path, None);
        let id = self.f.string(t, "id", &path, None);
        let name = self.f.string(t, "name", &path, None);
        let max = self.f.decimal(t, "max", &path, None);
        let budget = crate::budget::parse(&mut self.f, t, &path, max);
        let (items, n_items) = self.items(
            t,
            &path,
            (id.as_deref(), name.as_deref(), max),
            metrics,
            shapes,
            ties,
            clauses,
            ind_pos,
        );
        let id = id?;
        if items.len() != n_items || items.iter().any(|i| self.partial.contains(&i.id)) {
            self.partial.insert(id.clone());
        }
        Some(Indicator {
            id,
            name: name?,
            max: max?,
            items,
            budget,
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn clause(
        &mut self,
        t: &Table,
        index: usize,
        parent: &Parent,
        metrics: &[MetricDef],
        shapes: &Shapes,
        ties: TiePolicy,
        ind_pos: usize,
        item_pos: usize,
    ) -> Option<Clause> {
        let item_path = parent.path;
        let cid = t.get("id").and_then(Value::as_str).map(str::to_string);
        let path = cid
            .as_ref()
            .map(|c| format!("条款 {c}"))
            .unwrap_or_else(|| format!("{item_path} › clauses[{}]", index + 1));
        let c = cid.as_deref();
        self.f.unknown_keys(t, CLAUSE_KEYS, &path, c);
        let id = self.f.string(t, "id", &path, c);
        if let Some(id) = &id
            && !self.clause_ids.insert(id.clone())
        {
            self.f
                .err(&format!("条款 {id}"), c, format!("编号“{id}”重复"));
        }
        if let (Some(id), Some(iid)) = (&id, parent.id)
            && !id.starts_with(&format!("{iid}."))
        {
            self.f.err(
                &join(&path, "id"),
                c,
                format!("条款编号“{id}”应以所属{}编号“{iid}.”开头", parent.noun),
            );
        }
        let title = self.f.string(t, "title", &path, c);
        let text = self.f.string(t, "text", &path, c);
        let [content, standard, method_text] =
            levels::TEXTS.map(|k| self.f.opt_string(t, k, &path, c));
        let max = self.f.decimal(t, "max", &path, c);
        if let Some(m) = max
            && m < Decimal::ZERO
        {
            self.f
                .err(&join(&path, "max"), c, format!("满分不能为负数：{m}"));
        }
        let allowed = shapes.methods.join(" / ");
        let mut methods = Vec::new();
        for m in self.f.strings(t, "method", &path, c) {
            match Method::parse(&m) {
                Some(x) if shapes.methods.contains(&m) => methods.push(x),
                _ => self.f.err(
                    &join(&path, "method"),
                    c,
                    format!("考核方式应为 {allowed}，实为“{m}”"),
                ),
            }
        }
        if !t.contains_key("method") {
            self.f.err(
                &join(&path, "method"),
                c,
                format!("缺少考核方式“method”（{allowed}）"),
            );
        }
        let applies_to = shapes::applies_to(&mut self.f, t, &path, c, shapes);
        let checkpoints = self.f.strings(t, "checkpoints", &path, c);
        let rule = match t.get("rule") {
            Some(Value::Table(rt)) => Rule::parse(&mut RuleFields {
                f: &mut self.f,
                table: rt,
                path: &join(&path, "rule"),
                clause: c,
                max,
                metrics,
                ties,
            }),
            Some(v) => {
                self.f.err(
                    &join(&path, "rule"),
                    c,
                    format!("“rule”应为表，实为{}", type_name(v)),
                );
                None
            }
            None => {
                self.f
                    .err(&join(&path, "rule"), c, "缺少计分规则“rule”".into());
                None
            }
        };
        Some(Clause {
            id: id?.into(),
            title: title?,
            text: text?,
            content,
            standard,
            method_text,
            max: max?,
            methods,
            checkpoints,
            rule: rule?,
            applies_to,
            indicator: ind_pos,
            item: item_pos,
            subitem: None,
        })
    }

    fn check_unique_ids(&mut self, indicators: &[Indicator], clauses: &[Clause]) {
        let mut seen = std::collections::BTreeSet::new();
        for ind in indicators {
            if !seen.insert(ind.id.clone()) {
                self.f.err(
                    &format!("指标 {}", ind.id),
                    None,
                    format!("编号“{}”重复", ind.id),
                );
            }
            for item in ind.items.iter().filter(|i| !i.implicit) {
                let subs = item.subitems.iter().map(|s| &s.id);
                for (what, id) in
                    std::iter::once(("类目", &item.id)).chain(subs.map(|s| ("子类目", s)))
                {
                    if !seen.insert(id.clone()) {
                        self.f
                            .err(&format!("{what} {id}"), None, format!("编号“{id}”重复"));
                    }
                }
            }
        }
        for c in clauses {
            if !seen.insert(c.id.to_string()) {
                self.f.err(
                    &format!("条款 {}", c.id),
                    Some(&c.id),
                    format!("编号“{}”重复", c.id),
                );
            }
        }
    }
}
