//! Parse → validate → lower. The TOML is walked by hand (not deserialised with serde) so that a rubric
//! with five mistakes reports all five, each with its clause id and field, and unknown keys are
//! rejected by name.

use super::bounds::{MAX_CLAUSES, MAX_RUBRIC_BYTES, count_clauses, syntax_problem, too_big};
use super::*;
use crate::num::parse_decimal;
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
        file: file.to_string(),
        problems: Vec::new(),
        clause_ids: Default::default(),
        partial: Default::default(),
    };
    let table: Table = match text.parse::<Table>() {
        Ok(t) => t,
        Err(e) => {
            cx.problems.push(syntax_problem(file, text, &e));
            return (None, cx.problems);
        }
    };
    let clauses = count_clauses(&table);
    if clauses > MAX_CLAUSES {
        cx.problems.push(
            Problem::error(format!(
                "细则有 {clauses} 个条款，超过上限 {MAX_CLAUSES} 个"
            ))
            .at(Some(Origin::file(file)))
            .expected(format!("一份细则不超过 {MAX_CLAUSES} 个条款")),
        );
        return (None, cx.problems);
    }
    let rubric = cx.rubric(&table, sha256_hex(text.as_bytes()));
    let ok = !cx.problems.iter().any(Problem::is_error);
    (if ok { rubric } else { None }, cx.problems)
}

struct Cx {
    file: String,
    problems: Vec<Problem>,
    /// Clause ids seen so far (also of clauses that fail to load), for the duplicate check.
    clause_ids: std::collections::BTreeSet<String>,
    /// Items and indicators some of whose parts failed to load: their sums are not checked, since
    /// a sum over what did load would be misleading.
    partial: std::collections::BTreeSet<String>,
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
];
const METRIC_KEYS: &[&str] = &["key", "name", "kind", "bare", "unit_label"];
const INDICATOR_KEYS: &[&str] = &["id", "name", "max", "items"];
const ITEM_KEYS: &[&str] = &["id", "name", "max", "clauses"];
const CLAUSE_KEYS: &[&str] = &[
    "id",
    "title",
    "text",
    "max",
    "method",
    "checkpoints",
    "rule",
];
const GRADE_KEYS: &[&str] = &["name", "min_ratio"];

impl Cx {
    fn err(&mut self, path: &str, clause: Option<&str>, msg: String) {
        let mut p = Problem::error(msg).at(Some(Origin::file(&self.file).with_column(path)));
        if let Some(c) = clause {
            p = p.clause(c);
        }
        self.problems.push(p);
    }

    fn unknown_keys(&mut self, t: &Table, allowed: &[&str], path: &str, clause: Option<&str>) {
        for k in t.keys() {
            if !allowed.contains(&k.as_str()) {
                let here = join(path, k);
                self.err(
                    &here,
                    clause,
                    format!("未知字段“{k}”（可用字段：{}）", allowed.join("、")),
                );
            }
        }
    }

    fn string(&mut self, t: &Table, key: &str, path: &str, clause: Option<&str>) -> Option<String> {
        match t.get(key) {
            None => {
                self.err(&join(path, key), clause, format!("缺少必填字段“{key}”"));
                None
            }
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(Value::String(_)) => {
                self.err(&join(path, key), clause, format!("字段“{key}”不能为空"));
                None
            }
            Some(v) => {
                self.err(
                    &join(path, key),
                    clause,
                    format!("字段“{key}”应为文本，实为{}", type_name(v)),
                );
                None
            }
        }
    }

    fn opt_string(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
    ) -> Option<String> {
        if t.contains_key(key) {
            self.string(t, key, path, clause)
        } else {
            None
        }
    }

    /// A decimal written as a string (`"0.05"`), so that nothing passes through a float.
    fn decimal(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
    ) -> Option<Decimal> {
        match t.get(key) {
            None => {
                self.err(&join(path, key), clause, format!("缺少必填字段“{key}”"));
                None
            }
            Some(v) => self.decimal_value(v, &join(path, key), clause),
        }
    }

    fn decimal_value(&mut self, v: &Value, path: &str, clause: Option<&str>) -> Option<Decimal> {
        let d = self.decimal_any(v, path, clause)?;
        if d.abs() > Decimal::from(MAX_RUBRIC_NUMBER) {
            self.err(
                path,
                clause,
                format!(
                    "数值 {} 超出细则数值的范围（绝对值不超过 {MAX_RUBRIC_NUMBER}）",
                    d.normalize()
                ),
            );
            return None;
        }
        Some(d)
    }

    fn decimal_any(&mut self, v: &Value, path: &str, clause: Option<&str>) -> Option<Decimal> {
        match v {
            Value::String(s) => match parse_decimal(s) {
                Some(d) => Some(d),
                None => {
                    self.err(path, clause, format!("“{s}”不是十进制数（例：\"0.05\"）"));
                    None
                }
            },
            Value::Integer(i) => Some(Decimal::from(*i)),
            Value::Float(f) => {
                self.err(
                    path,
                    clause,
                    format!("分值请写成带引号的十进制文本（例：\"{f}\"），以免经过浮点数失真"),
                );
                None
            }
            other => {
                self.err(
                    path,
                    clause,
                    format!("应为十进制数，实为{}", type_name(other)),
                );
                None
            }
        }
    }

    fn opt_decimal(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
    ) -> Option<Decimal> {
        t.get(key)
            .and_then(|v| self.decimal_value(v, &join(path, key), clause))
    }

    fn integer(&mut self, t: &Table, key: &str, path: &str, clause: Option<&str>) -> Option<i64> {
        match t.get(key) {
            None => {
                self.err(&join(path, key), clause, format!("缺少必填字段“{key}”"));
                None
            }
            Some(Value::Integer(i)) => Some(*i),
            Some(v) => {
                self.err(
                    &join(path, key),
                    clause,
                    format!("字段“{key}”应为整数，实为{}", type_name(v)),
                );
                None
            }
        }
    }

    fn tables<'t>(
        &mut self,
        t: &'t Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
        required: bool,
    ) -> Vec<&'t Table> {
        match t.get(key) {
            None if required => {
                self.err(&join(path, key), clause, format!("缺少“{key}”列表"));
                Vec::new()
            }
            None => Vec::new(),
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for (i, v) in a.iter().enumerate() {
                    match v {
                        Value::Table(t) => out.push(t),
                        other => self.err(
                            &format!("{}[{}]", join(path, key), i + 1),
                            clause,
                            format!("应为表，实为{}", type_name(other)),
                        ),
                    }
                }
                out
            }
            Some(v) => {
                self.err(
                    &join(path, key),
                    clause,
                    format!("“{key}”应为表的列表，实为{}", type_name(v)),
                );
                Vec::new()
            }
        }
    }

    fn strings(&mut self, t: &Table, key: &str, path: &str, clause: Option<&str>) -> Vec<String> {
        match t.get(key) {
            None => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for v in a {
                    match v {
                        Value::String(s) => out.push(s.clone()),
                        other => self.err(
                            &join(path, key),
                            clause,
                            format!("“{key}”的元素应为文本，实为{}", type_name(other)),
                        ),
                    }
                }
                out
            }
            Some(v) => {
                self.err(
                    &join(path, key),
                    clause,
                    format!("“{key}”应为文本列表，实为{}", type_name(v)),
                );
                Vec::new()
            }
        }
    }

    fn ties(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        clause: Option<&str>,
        default: TiePolicy,
    ) -> TiePolicy {
        match t.get(key) {
            None => default,
            Some(Value::String(s)) if s == "competition" => TiePolicy::Competition,
            Some(Value::String(s)) if s == "dense" => TiePolicy::Dense,
            Some(v) => {
                self.err(
                    &join(path, key),
                    clause,
                    format!(
                        "并列规则应为 \"competition\"（1,2,2,4）或 \"dense\"（1,2,2,3），实为 {v}"
                    ),
                );
                default
            }
        }
    }

    fn better(&mut self, t: &Table, key: &str, path: &str, clause: Option<&str>) -> Better {
        match t.get(key) {
            None => Better::Higher,
            Some(Value::String(s)) if s == "higher" => Better::Higher,
            Some(Value::String(s)) if s == "lower" => Better::Lower,
            Some(v) => {
                self.err(
                    &join(path, key),
                    clause,
                    format!("“{key}”应为 \"higher\"（越高越好）或 \"lower\"（越低越好），实为 {v}"),
                );
                Better::Higher
            }
        }
    }

    fn rubric(&mut self, t: &Table, sha256: String) -> Option<Rubric> {
        self.unknown_keys(t, TOP_KEYS, "", None);
        let id = self.string(t, "id", "", None);
        let title = self.string(t, "title", "", None);
        let year = self.integer(t, "year", "", None);
        let version = self
            .opt_string(t, "version", "", None)
            .unwrap_or_else(|| "1".into());
        let source = self.string(t, "source", "", None);
        let category = self.opt_string(t, "category", "", None).unwrap_or_default();
        let max_total = self.decimal(t, "max_total", "", None);
        let precision = match t.get("precision") {
            None => Some(4),
            Some(Value::Integer(p)) if (0..=10).contains(p) => Some(*p as u32),
            Some(v) => {
                self.err(
                    "precision",
                    None,
                    format!("精度应为 0 到 10 的整数，实为 {v}"),
                );
                None
            }
        };
        let ties = self.ties(t, "ties", "", None, TiePolicy::Competition);

        let metrics = self.metrics(t);
        let mut clauses = Vec::new();
        let mut indicators = Vec::new();
        let ind_tables = self.tables(t, "indicators", "", None, true);
        if ind_tables.is_empty() && t.contains_key("indicators") {
            self.err("indicators", None, "细则没有任何指标".into());
        }
        for (ii, it) in ind_tables.iter().enumerate() {
            if let Some(ind) =
                self.indicator(it, ii, &metrics, ties, &mut clauses, indicators.len())
            {
                indicators.push(ind);
            }
        }
        self.check_unique_ids(&indicators, &clauses);

        let mut grades = Vec::new();
        for (gi, gt) in self
            .tables(t, "grades", "", None, false)
            .into_iter()
            .enumerate()
        {
            let path = format!("grades[{}]", gi + 1);
            self.unknown_keys(gt, GRADE_KEYS, &path, None);
            let name = self.string(gt, "name", &path, None);
            let min_ratio = self.decimal(gt, "min_ratio", &path, None);
            if let (Some(name), Some(min_ratio)) = (name, min_ratio) {
                if min_ratio < Decimal::ZERO || min_ratio > Decimal::ONE {
                    self.err(
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
                self.err(
                    "grades",
                    None,
                    format!(
                        "档次应按比例从高到低排列：“{}”({}) 之后是“{}”({})",
                        w[0].name, w[0].min_ratio, w[1].name, w[1].min_ratio
                    ),
                );
            }
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
                    self.err(
                        &format!("类目 {}", item.id),
                        None,
                        format!(
                            "类目 {}（{}）各条款满分合计 {}，与类目满分 {} 不符",
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
                self.err(
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
            self.err(
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
        })
    }

    fn metrics(&mut self, t: &Table) -> Vec<MetricDef> {
        let mut out: Vec<MetricDef> = Vec::new();
        for (i, mt) in self
            .tables(t, "metrics", "", None, false)
            .into_iter()
            .enumerate()
        {
            let path = format!("metrics[{}]", i + 1);
            self.unknown_keys(mt, METRIC_KEYS, &path, None);
            let key = self.string(mt, "key", &path, None);
            let name = self.string(mt, "name", &path, None);
            let kind = match self.string(mt, "kind", &path, None).as_deref() {
                Some("rate") => Some(MetricKind::Rate),
                Some("count") => Some(MetricKind::Count),
                Some("number") => Some(MetricKind::Number),
                Some(other) => {
                    self.err(
                        &join(&path, "kind"),
                        None,
                        format!("指标类型应为 rate / count / number，实为“{other}”"),
                    );
                    None
                }
                None => None,
            };
            let bare_percent = match self.opt_string(mt, "bare", &path, None).as_deref() {
                None | Some("fraction") => false,
                Some("percent") => true,
                Some(other) => {
                    self.err(
                        &join(&path, "bare"),
                        None,
                        format!("“bare”应为 fraction 或 percent，实为“{other}”"),
                    );
                    false
                }
            };
            let unit_label = self
                .opt_string(mt, "unit_label", &path, None)
                .unwrap_or_default();
            if let (Some(key), Some(name), Some(kind)) = (key, name, kind) {
                if out.iter().any(|m| *m.key == *key) {
                    self.err(&path, None, format!("指标“{key}”重复定义"));
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

    fn indicator(
        &mut self,
        t: &Table,
        index: usize,
        metrics: &[MetricDef],
        ties: TiePolicy,
        clauses: &mut Vec<Clause>,
        ind_pos: usize,
    ) -> Option<Indicator> {
        let fallback = format!("indicators[{}]", index + 1);
        let id = t.get("id").and_then(Value::as_str).map(str::to_string);
        let path = id.as_ref().map(|i| format!("指标 {i}")).unwrap_or(fallback);
        self.unknown_keys(t, INDICATOR_KEYS, &path, None);
        let id = self.string(t, "id", &path, None);
        let name = self.string(t, "name", &path, None);
        let max = self.decimal(t, "max", &path, None);
        let mut items = Vec::new();
        let item_tables = self.tables(t, "items", &path, None, true);
        let n_items = item_tables.len();
        for (ji, it) in item_tables.into_iter().enumerate() {
            let fallback = format!("{path} › items[{}]", ji + 1);
            let item_id = it.get("id").and_then(Value::as_str).map(str::to_string);
            let ipath = item_id
                .as_ref()
                .map(|i| format!("类目 {i}"))
                .unwrap_or(fallback);
            self.unknown_keys(it, ITEM_KEYS, &ipath, None);
            let item_id = self.string(it, "id", &ipath, None);
            let item_name = self.string(it, "name", &ipath, None);
            let item_max = self.decimal(it, "max", &ipath, None);
            if let (Some(iid), Some(pid)) = (&item_id, &id)
                && !iid.starts_with(&format!("{pid}."))
            {
                self.err(
                    &join(&ipath, "id"),
                    None,
                    format!("类目编号“{iid}”应以所属指标编号“{pid}.”开头"),
                );
            }
            let mut idx = Vec::new();
            let cl_tables = self.tables(it, "clauses", &ipath, None, true);
            if cl_tables.is_empty() {
                self.err(&ipath, None, "类目没有任何条款".into());
            }
            let n_tables = cl_tables.len();
            for (ki, ct) in cl_tables.into_iter().enumerate() {
                if let Some(c) = self.clause(
                    ct,
                    ki,
                    &ipath,
                    item_id.as_deref(),
                    metrics,
                    ties,
                    ind_pos,
                    items.len(),
                ) {
                    idx.push(clauses.len());
                    clauses.push(c);
                }
            }
            let whole = idx.len() == n_tables;
            if let (Some(iid), Some(iname), Some(imax)) = (item_id, item_name, item_max) {
                if !whole {
                    self.partial.insert(iid.clone());
                }
                items.push(Item {
                    id: iid,
                    name: iname,
                    max: imax,
                    clauses: idx,
                });
            }
        }
        let id = id?;
        if items.len() != n_items || items.iter().any(|i| self.partial.contains(&i.id)) {
            self.partial.insert(id.clone());
        }
        Some(Indicator {
            id,
            name: name?,
            max: max?,
            items,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn clause(
        &mut self,
        t: &Table,
        index: usize,
        item_path: &str,
        item_id: Option<&str>,
        metrics: &[MetricDef],
        ties: TiePolicy,
        ind_pos: usize,
        item_pos: usize,
    ) -> Option<Clause> {
        let cid = t.get("id").and_then(Value::as_str).map(str::to_string);
        let path = cid
            .as_ref()
            .map(|c| format!("条款 {c}"))
            .unwrap_or_else(|| format!("{item_path} › clauses[{}]", index + 1));
        let c = cid.as_deref();
        self.unknown_keys(t, CLAUSE_KEYS, &path, c);
        let id = self.string(t, "id", &path, c);
        if let Some(id) = &id
            && !self.clause_ids.insert(id.clone())
        {
            self.err(&format!("条款 {id}"), c, format!("编号“{id}”重复"));
        }
        if let (Some(id), Some(iid)) = (&id, item_id)
            && !id.starts_with(&format!("{iid}."))
        {
            self.err(
                &join(&path, "id"),
                c,
                format!("条款编号“{id}”应以所属类目编号“{iid}.”开头"),
            );
        }
        let title = self.string(t, "title", &path, c);
        let text = self.string(t, "text", &path, c);
        let max = self.decimal(t, "max", &path, c);
        if let Some(m) = max
            && m < Decimal::ZERO
        {
            self.err(&join(&path, "max"), c, format!("满分不能为负数：{m}"));
        }
        let mut methods = Vec::new();
        for m in self.strings(t, "method", &path, c) {
            match Method::parse(&m) {
                Some(x) => methods.push(x),
                None => self.err(
                    &join(&path, "method"),
                    c,
                    format!("考核方式应为 看现场 / 查资料 / 平台数据，实为“{m}”"),
                ),
            }
        }
        if !t.contains_key("method") {
            self.err(
                &join(&path, "method"),
                c,
                "缺少考核方式“method”（看现场 / 查资料 / 平台数据）".into(),
            );
        }
        let checkpoints = self.strings(t, "checkpoints", &path, c);
        let rule = match t.get("rule") {
            Some(Value::Table(rt)) => self.rule(rt, &join(&path, "rule"), c, max, metrics, ties),
            Some(v) => {
                self.err(
                    &join(&path, "rule"),
                    c,
                    format!("“rule”应为表，实为{}", type_name(v)),
                );
                None
            }
            None => {
                self.err(&join(&path, "rule"), c, "缺少计分规则“rule”".into());
                None
            }
        };
        Some(Clause {
            id: id?.into(),
            title: title?,
            text: text?,
            max: max?,
            methods,
            checkpoints,
            rule: rule?,
            indicator: ind_pos,
            item: item_pos,
        })
    }

    fn metric_ref(
        &mut self,
        t: &Table,
        key: &str,
        path: &str,
        c: Option<&str>,
        metrics: &[MetricDef],
    ) -> Option<String> {
        let m = self.string(t, key, path, c)?;
        if !metrics.iter().any(|d| *d.key == *m) {
            let known: Vec<&str> = metrics.iter().map(|d| d.key.as_ref()).collect();
            self.err(
                &join(path, key),
                c,
                format!(
                    "指标“{m}”未在 [[metrics]] 中定义（已定义：{}）",
                    known.join("、")
                ),
            );
            return None;
        }
        Some(m)
    }

    fn points_le_max(
        &mut self,
        v: Option<Decimal>,
        max: Option<Decimal>,
        path: &str,
        c: Option<&str>,
        what: &str,
    ) {
        if let (Some(v), Some(max)) = (v, max) {
            if v < Decimal::ZERO {
                self.err(path, c, format!("{what}不能为负数：{}", v.normalize()));
            } else if v > max {
                self.err(
                    path,
                    c,
                    format!("{what} {} 超过条款满分 {}", v.normalize(), max.normalize()),
                );
            }
        }
    }

    fn positive(&mut self, v: Option<Decimal>, path: &str, c: Option<&str>, what: &str) {
        if let Some(v) = v
            && v <= Decimal::ZERO
        {
            self.err(path, c, format!("{what}应大于 0，实为 {}", v.normalize()));
        }
    }

    fn rule(
        &mut self,
        t: &Table,
        path: &str,
        c: Option<&str>,
        max: Option<Decimal>,
        metrics: &[MetricDef],
        ties: TiePolicy,
    ) -> Option<Rule> {
        let kind = self.string(t, "kind", path, c)?;
        let allowed: &[&str] = match kind.as_str() {
            "judgement" | "veto" => &["kind"],
            "per_instance" => &["kind", "per", "metric"],
            "deduction" => &["kind", "per", "cap", "metric"],
            "rank_step" => &["kind", "metric", "better", "first", "step", "ties"],
            "composite_rank" => &["kind", "parts", "first", "step", "ties"],
            "rank_ratio" => &[
                "kind", "metric", "better", "points", "top", "beyond", "ties",
            ],
            "proportional" => &["kind", "metric", "target", "mode", "per_point"],
            "tiers" => &["kind", "metric", "better", "tiers"],
            "bonus" => &["kind", "cap"],
            other => {
                self.err(
                    &join(path, "kind"),
                    c,
                    format!("未知规则类型“{other}”（可用：judgement、per_instance、deduction、rank_step、composite_rank、rank_ratio、proportional、tiers、bonus、veto）"),
                );
                return None;
            }
        };
        self.unknown_keys(t, allowed, path, c);
        let zero_max = |cx: &mut Cx, what: &str| {
            if let Some(m) = max
                && !m.is_zero()
            {
                cx.err(
                    &join(path, "kind"),
                    c,
                    format!(
                        "{what}条款不计入基础分，满分应为 \"0\"，实为 {}",
                        m.normalize()
                    ),
                );
            }
        };
        match kind.as_str() {
            "judgement" => Some(Rule::Judgement),
            "veto" => {
                zero_max(self, "单项否决");
                Some(Rule::Veto)
            }
            "per_instance" => {
                let per = self.decimal(t, "per", path, c);
                self.positive(per, &join(path, "per"), c, "每例扣分");
                let metric = if t.contains_key("metric") {
                    Some(self.metric_ref(t, "metric", path, c, metrics)?)
                } else {
                    None
                };
                self.count_metric(metric.as_deref(), metrics, path, c);
                Some(Rule::PerInstance { per: per?, metric })
            }
            "deduction" => {
                let per = self.decimal(t, "per", path, c);
                self.positive(per, &join(path, "per"), c, "每项扣分");
                let cap = self.opt_decimal(t, "cap", path, c).or(max);
                self.points_le_max(cap, max, &join(path, "cap"), c, "扣分上限");
                let metric = if t.contains_key("metric") {
                    Some(self.metric_ref(t, "metric", path, c, metrics)?)
                } else {
                    None
                };
                self.count_metric(metric.as_deref(), metrics, path, c);
                Some(Rule::Deduction {
                    per: per?,
                    cap: cap?,
                    metric,
                })
            }
            "rank_step" => {
                let metric = self.metric_ref(t, "metric", path, c, metrics);
                let better = self.better(t, "better", path, c);
                let first = self.opt_decimal(t, "first", path, c).or(max);
                self.points_le_max(first, max, &join(path, "first"), c, "第一名得分");
                let step = self.decimal(t, "step", path, c);
                self.positive(step, &join(path, "step"), c, "名次扣减分");
                let ties = self.ties(t, "ties", path, c, ties);
                Some(Rule::RankStep {
                    metric: metric?,
                    better,
                    first: first?,
                    step: step?,
                    ties,
                })
            }
            "composite_rank" => {
                let mut parts = Vec::new();
                let part_tables = self.tables(t, "parts", path, c, true);
                if part_tables.len() < 2 && t.contains_key("parts") {
                    self.err(&join(path, "parts"), c, "综合排名至少需要两个指标".into());
                }
                for (i, pt) in part_tables.into_iter().enumerate() {
                    let ppath = format!("{}[{}]", join(path, "parts"), i + 1);
                    self.unknown_keys(pt, &["metric", "better", "weight"], &ppath, c);
                    let metric = self.metric_ref(pt, "metric", &ppath, c, metrics);
                    let better = self.better(pt, "better", &ppath, c);
                    let weight = self
                        .opt_decimal(pt, "weight", &ppath, c)
                        .unwrap_or(Decimal::ONE);
                    self.positive(Some(weight), &join(&ppath, "weight"), c, "权重");
                    if let Some(metric) = metric {
                        parts.push(RankPart {
                            metric,
                            better,
                            weight,
                        });
                    }
                }
                let first = self.opt_decimal(t, "first", path, c).or(max);
                self.points_le_max(first, max, &join(path, "first"), c, "第一名得分");
                let step = self.decimal(t, "step", path, c);
                self.positive(step, &join(path, "step"), c, "名次扣减分");
                let ties = self.ties(t, "ties", path, c, ties);
                Some(Rule::CompositeRank {
                    parts,
                    first: first?,
                    step: step?,
                    ties,
                })
            }
            "rank_ratio" => {
                let metric = self.metric_ref(t, "metric", path, c, metrics);
                let better = self.better(t, "better", path, c);
                let points = self.opt_decimal(t, "points", path, c).or(max);
                self.points_le_max(points, max, &join(path, "points"), c, "第一名得分");
                let top = match t.get("top") {
                    None => None,
                    Some(Value::Integer(n)) if *n >= 1 => Some(*n as u32),
                    Some(v) => {
                        self.err(
                            &join(path, "top"),
                            c,
                            format!("“top”应为不小于 1 的整数，实为 {v}"),
                        );
                        None
                    }
                };
                let beyond = self
                    .opt_decimal(t, "beyond", path, c)
                    .unwrap_or(Decimal::ZERO);
                self.points_le_max(Some(beyond), max, &join(path, "beyond"), c, "名次以外得分");
                let ties = self.ties(t, "ties", path, c, ties);
                Some(Rule::RankRatio {
                    metric: metric?,
                    better,
                    points: points?,
                    top,
                    beyond,
                    ties,
                })
            }
            "proportional" => {
                let metric = self.metric_ref(t, "metric", path, c, metrics);
                let target = self.decimal(t, "target", path, c);
                self.positive(target, &join(path, "target"), c, "目标值");
                let mode = match self.opt_string(t, "mode", path, c).as_deref() {
                    None | Some("ratio") => Some(ProportionalMode::Ratio),
                    Some("per_point") => {
                        let pp = self.decimal(t, "per_point", path, c);
                        self.positive(pp, &join(path, "per_point"), c, "每百分点扣分");
                        pp.map(|per_point| ProportionalMode::PerPoint { per_point })
                    }
                    Some(other) => {
                        self.err(&join(path, "mode"), c, format!("“mode”应为 ratio（比率法）或 per_point（每低1个百分点扣分），实为“{other}”"));
                        None
                    }
                };
                if let (Some(m), Some(target)) = (&metric, target)
                    && let Some(def) = metrics.iter().find(|d| *d.key == **m)
                    && def.kind == MetricKind::Rate
                    && target > Decimal::ONE
                {
                    self.err(
                        &join(path, "target"),
                        c,
                        format!(
                            "比率指标的目标应写成小数（如 \"0.95\"），实为 {}",
                            target.normalize()
                        ),
                    );
                }
                Some(Rule::Proportional {
                    metric: metric?,
                    target: target?,
                    mode: mode?,
                })
            }
            "tiers" => {
                let metric = self.metric_ref(t, "metric", path, c, metrics);
                let better = self.better(t, "better", path, c);
                let mut tiers = Vec::new();
                for (i, tt) in self
                    .tables(t, "tiers", path, c, true)
                    .into_iter()
                    .enumerate()
                {
                    let tpath = format!("{}[{}]", join(path, "tiers"), i + 1);
                    self.unknown_keys(tt, &["threshold", "points"], &tpath, c);
                    let threshold = self.decimal(tt, "threshold", &tpath, c);
                    let points = self.decimal(tt, "points", &tpath, c);
                    self.points_le_max(points, max, &join(&tpath, "points"), c, "档位得分");
                    if let (Some(threshold), Some(points)) = (threshold, points) {
                        tiers.push(Tier { threshold, points });
                    }
                }
                if tiers.is_empty() && t.contains_key("tiers") {
                    self.err(&join(path, "tiers"), c, "阶梯至少需要一档".into());
                }
                for w in tiers.windows(2) {
                    let ordered = match better {
                        Better::Higher => w[1].threshold < w[0].threshold,
                        Better::Lower => w[1].threshold > w[0].threshold,
                    };
                    if !ordered || w[1].points > w[0].points {
                        self.err(
                            &join(path, "tiers"),
                            c,
                            "阶梯应从最好的一档排起：门槛依次变差，得分不增".into(),
                        );
                        break;
                    }
                }
                Some(Rule::Tiers {
                    metric: metric?,
                    better,
                    tiers,
                })
            }
            "bonus" => {
                zero_max(self, "加分");
                let cap = self.opt_decimal(t, "cap", path, c);
                self.positive(cap, &join(path, "cap"), c, "加分上限");
                Some(Rule::Bonus { cap })
            }
            _ => None,
        }
    }

    fn count_metric(
        &mut self,
        metric: Option<&str>,
        metrics: &[MetricDef],
        path: &str,
        c: Option<&str>,
    ) {
        if let Some(m) = metric
            && let Some(def) = metrics.iter().find(|d| *d.key == *m)
            && def.kind != MetricKind::Count
        {
            self.err(
                &join(path, "metric"),
                c,
                format!(
                    "按例扣分的指标“{m}”应为计数（kind = \"count\"），实为 {}",
                    def.kind.key()
                ),
            );
        }
    }

    fn check_unique_ids(&mut self, indicators: &[Indicator], clauses: &[Clause]) {
        let mut seen = std::collections::BTreeSet::new();
        for ind in indicators {
            if !seen.insert(ind.id.clone()) {
                self.err(
                    &format!("指标 {}", ind.id),
                    None,
                    format!("编号“{}”重复", ind.id),
                );
            }
            for item in &ind.items {
                if !seen.insert(item.id.clone()) {
                    self.err(
                        &format!("类目 {}", item.id),
                        None,
                        format!("编号“{}”重复", item.id),
                    );
                }
            }
        }
        for c in clauses {
            if !seen.insert(c.id.to_string()) {
                self.err(
                    &format!("条款 {}", c.id),
                    Some(&c.id),
                    format!("编号“{}”重复", c.id),
                );
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path} › {key}")
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "文本",
        Value::Integer(_) => "整数",
        Value::Float(_) => "小数（浮点）",
        Value::Boolean(_) => "布尔值",
        Value::Datetime(_) => "日期时间",
        Value::Array(_) => "列表",
        Value::Table(_) => "表",
    }
}
