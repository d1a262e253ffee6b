//! 层级与原文 — a rubric's depth (two to four levels) and a clause's separate verbatim texts.
//!
//! Rubrics of other offices are not all 指标 → 类目 → 条款. kaohe keeps its model of three levels
//! (every clause has an indicator index and an item index, which results, reports, pages and
//! comparisons use) and maps the other depths onto it:
//!
//! - **Two levels** (指标 → 条款): an indicator lists `[[indicators.clauses]]` instead of
//!   `[[indicators.items]]`. The loader gives it one *implicit* item ([`Item::implicit`]) with the
//!   indicator's id, name and max, so that everything indexed by item still works; clause ids start
//!   with the indicator's id (`"3.1"`). An indicator has either `items` or `clauses`, never both.
//! - **Four levels** (指标 → 类目 → 子类目 → 条款): an item lists `[[indicators.items.subitems]]`,
//!   each with `id` (starting with the item's id and a dot), `name`, `max` and its own `clauses`
//!   (ids starting with the sub-item's id: `"1.2.1.1"`). The item keeps all its clauses in
//!   [`Item::clauses`] (so totals by item are unchanged), the sub-items are in [`Item::subitems`],
//!   and each clause knows its sub-item ([`Clause::subitem`]). An item has either `clauses` or
//!   `subitems`, never both. Sums: a sub-item's clauses add up to its max, the sub-items to the
//!   item's max (bonus clauses excluded, as everywhere).
//! - One level (a rubric of clauses alone) is written as two: one indicator per clause.
//!
//! **Separate texts.** A clause's `text` (原文) stays required and is what old files use. A rubric
//! whose source has columns 考核内容, 考核标准 and 考核办法 may give them verbatim as `content`,
//! `standard` and `method_text` (each optional, non-empty text); `kaohe rubric show` and the
//! rubric's Excel sheet show them as separate texts. `text` then holds the paragraph as the source
//! prints it (e.g. content and standard joined), so that pages that show one text still read well.
//!
//! Worked case (`rubrics/example-depth-and-texts.toml`):
//!
//! ```toml
//! [[indicators]]                 # two levels: 指标 2 has no 类目
//! id = "2"
//! name = "群众评价"
//! max = "2"
//! [[indicators.clauses]]
//! id = "2.1"
//! title = "差评整改"
//! max = "1.5"
//! method = ["平台数据"]
//! text = "差评按期整改。每有一件差评未按期整改扣0.5分，扣完为止。"
//! content = "差评按期整改"
//! standard = "每有一件差评未按期整改扣0.5分，扣完为止"
//! method_text = "调取好差评系统整改记录"
//! rule = { kind = "per_instance", per = "0.5" }
//! # …and 2.2 (0.5). 指标 1 has four levels: 1 → 1.1 → [[indicators.items.subitems]] 1.1.1
//! # (max 2: clauses 1.1.1.1 and 1.1.1.2) and 1.1.2 (clause 1.1.2.1).
//! ```
//!
//! A unit with one 差评 not put right in time: `发现问题 1例，1.5 − 1 × 0.5 = 1`; `kaohe rubric show`
//! prints the clause with `考核内容：差评按期整改`, `考核标准：…` and `考核办法：…` under its rule, and
//! 子类目 1.1.1 between 类目 1.1 and its clauses.
//!
//! Problems (each with its path): an indicator with both `items` and `clauses` (指标不能同时有…), an
//! item with both `clauses` and `subitems`, a sub-item id that does not start with its item's id, a
//! clause id that does not start with its parent's, a sub-item's sum that differs from its max, an
//! empty text.

use super::fields::join;
use super::load::Cx;
use super::*;
use toml::{Table, Value};

/// A clause's optional verbatim texts, as the rubric names them.
pub const TEXTS: [&str; 3] = ["content", "standard", "method_text"];
/// Their Chinese labels, in the same order.
pub const TEXT_LABELS: [&str; 3] = ["考核内容", "考核标准", "考核办法"];

const ITEM_KEYS: &[&str] = &[
    "id", "name", "max", "clauses", "subitems", "budget", "floor",
];
const SUBITEM_KEYS: &[&str] = &["id", "name", "max", "clauses"];

impl Clause {
    /// The clause's separate texts that it has, with their labels (考核内容, 考核标准, 考核办法).
    pub fn texts(&self) -> Vec<(&'static str, &str)> {
        [&self.content, &self.standard, &self.method_text]
            .into_iter()
            .zip(TEXT_LABELS)
            .filter_map(|(t, l)| t.as_deref().map(|t| (l, t)))
            .collect()
    }
}

/// Where a list of clauses sits: its path in problems, the id its clause ids start with, and what
/// that parent is called (指标, 类目, 子类目).
pub(super) struct Parent<'a> {
    pub path: &'a str,
    pub id: Option<&'a str>,
    pub noun: &'static str,
}

/// What the clauses of one list need to know of where they sit.
pub(super) struct Place<'a> {
    pub metrics: &'a [MetricDef],
    pub shapes: &'a Shapes,
    pub ties: TiePolicy,
    pub indicator: usize,
}

impl Cx {
    /// The items of an indicator: its `[[items]]`, or one implicit item over its `[[clauses]]`.
    /// Returns them and how many there should be.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn items(
        &mut self,
        t: &Table,
        path: &str,
        (id, name, max): (Option<&str>, Option<&str>, Option<Decimal>),
        metrics: &[MetricDef],
        shapes: &Shapes,
        ties: TiePolicy,
        clauses: &mut Vec<Clause>,
        ind_pos: usize,
    ) -> (Vec<Item>, usize) {
        let place = Place {
            metrics,
            shapes,
            ties,
            indicator: ind_pos,
        };
        if t.contains_key("clauses") {
            if t.contains_key("items") {
                self.f.err(
                    path,
                    None,
                    "指标不能同时有类目“items”和直接下属的条款“clauses”".into(),
                );
            }
            let parent = Parent {
                path,
                id,
                noun: "指标",
            };
            let (idx, whole) = self.clause_list(t, &parent, &place, clauses, 0, None);
            let (Some(id), Some(name), Some(max)) = (id, name, max) else {
                return (Vec::new(), 1);
            };
            if !whole {
                self.partial.insert(id.to_string());
            }
            let item = Item {
                id: id.into(),
                name: name.into(),
                max,
                clauses: idx,
                implicit: true,
                subitems: Vec::new(),
                // The indicator's own budget covers these clauses.
                budget: None,
            };
            return (vec![item], 1);
        }
        let item_tables = self.f.tables(t, "items", path, None, true);
        let n = item_tables.len();
        let mut items = Vec::new();
        for (ji, it) in item_tables.into_iter().enumerate() {
            let pos = items.len();
            if let Some(item) = self.item(it, ji, path, id, &place, clauses, pos) {
                items.push(item);
            }
        }
        (items, n)
    }

    #[allow(clippy::too_many_arguments)]
    fn item(
        &mut self,
        it: &Table,
        ji: usize,
        path: &str,
        ind_id: Option<&str>,
        place: &Place,
        clauses: &mut Vec<Clause>,
        pos: usize,
    ) -> Option<Item> {
        let fallback = format!("{path} › items[{}]", ji + 1);
        let item_id = it.get("id").and_then(Value::as_str).map(str::to_string);
        let ipath = item_id
            .as_ref()
            .map(|i| format!("类目 {i}"))
            .unwrap_or(fallback);
        self.f.unknown_keys(it, ITEM_KEYS, &ipath, None);
        let item_id = self.f.string(it, "id", &ipath, None);
        let item_name = self.f.string(it, "name", &ipath, None);
        let item_max = self.f.decimal(it, "max", &ipath, None);
        let budget = crate::budget::parse(&mut self.f, it, &ipath, item_max);
        if let (Some(iid), Some(pid)) = (&item_id, ind_id)
            && !iid.starts_with(&format!("{pid}."))
        {
            self.f.err(
                &join(&ipath, "id"),
                None,
                format!("类目编号“{iid}”应以所属指标编号“{pid}.”开头"),
            );
        }
        let (idx, subitems, whole) = if it.contains_key("subitems") {
            if it.contains_key("clauses") {
                self.f.err(
                    &ipath,
                    None,
                    "类目不能同时有子类目“subitems”和直接下属的条款“clauses”".into(),
                );
            }
            self.subitems(it, &ipath, item_id.as_deref(), place, clauses, pos)
        } else {
            let parent = Parent {
                path: &ipath,
                id: item_id.as_deref(),
                noun: "类目",
            };
            let (idx, whole) = self.clause_list(it, &parent, place, clauses, pos, None);
            (idx, Vec::new(), whole)
        };
        let (iid, iname, imax) = (item_id?, item_name?, item_max?);
        if !whole {
            self.partial.insert(iid.clone());
        }
        Some(Item {
            id: iid,
            name: iname,
            max: imax,
            clauses: idx,
            implicit: false,
            subitems,
            budget,
        })
    }

    /// The sub-items of an item (four levels): all their clauses, the sub-items, and whether every
    /// part loaded with its sums right.
    fn subitems(
        &mut self,
        it: &Table,
        ipath: &str,
        item_id: Option<&str>,
        place: &Place,
        clauses: &mut Vec<Clause>,
        item_pos: usize,
    ) -> (Vec<usize>, Vec<Subitem>, bool) {
        let tables = self.f.tables(it, "subitems", ipath, None, true);
        if tables.is_empty() {
            self.f.err(ipath, None, "类目没有任何子类目".into());
        }
        let (mut all, mut subs, mut whole) = (Vec::new(), Vec::new(), !tables.is_empty());
        for (si, st) in tables.into_iter().enumerate() {
            let sid = st.get("id").and_then(Value::as_str).map(str::to_string);
            let spath = sid
                .as_ref()
                .map(|i| format!("子类目 {i}"))
                .unwrap_or_else(|| format!("{ipath} › subitems[{}]", si + 1));
            self.f.unknown_keys(st, SUBITEM_KEYS, &spath, None);
            let id = self.f.string(st, "id", &spath, None);
            let name = self.f.string(st, "name", &spath, None);
            let max = self.f.decimal(st, "max", &spath, None);
            if let (Some(sid), Some(iid)) = (&id, item_id)
                && !sid.starts_with(&format!("{iid}."))
            {
                self.f.err(
                    &join(&spath, "id"),
                    None,
                    format!("子类目编号“{sid}”应以所属类目编号“{iid}.”开头"),
                );
            }
            let parent = Parent {
                path: &spath,
                id: id.as_deref(),
                noun: "子类目",
            };
            let at = Some(subs.len());
            let (idx, w) = self.clause_list(st, &parent, place, clauses, item_pos, at);
            all.extend(idx.iter().copied());
            let (Some(id), Some(name), Some(max)) = (id, name, max) else {
                whole = false;
                continue;
            };
            let sum: Decimal = idx
                .iter()
                .map(|&c| &clauses[c])
                .filter(|c| !c.is_bonus())
                .map(|c| c.max)
                .sum();
            if w && sum != max {
                self.f.err(
                    &format!("子类目 {id}"),
                    None,
                    format!(
                        "子类目 {id}（{name}）各条款满分合计 {}，与子类目满分 {} 不符",
                        sum.normalize(),
                        max.normalize()
                    ),
                );
                whole = false;
            }
            whole &= w;
            subs.push(Subitem {
                id,
                name,
                max,
                clauses: idx,
            });
        }
        (all, subs, whole)
    }

    /// The `[[clauses]]` of a parent; the clauses' indices and whether all of them loaded.
    fn clause_list(
        &mut self,
        t: &Table,
        parent: &Parent,
        place: &Place,
        clauses: &mut Vec<Clause>,
        item_pos: usize,
        subitem: Option<usize>,
    ) -> (Vec<usize>, bool) {
        let cl_tables = self.f.tables(t, "clauses", parent.path, None, true);
        if cl_tables.is_empty() {
            self.f
                .err(parent.path, None, format!("{}没有任何条款", parent.noun));
        }
        let n = cl_tables.len();
        let mut idx = Vec::new();
        for (ki, ct) in cl_tables.into_iter().enumerate() {
            let c = self.clause(
                ct,
                ki,
                parent,
                place.metrics,
                place.shapes,
                place.ties,
                place.indicator,
                item_pos,
            );
            if let Some(mut c) = c {
                c.subitem = subitem;
                idx.push(clauses.len());
                clauses.push(c);
            }
        }
        let whole = idx.len() == n;
        (idx, whole)
    }
}
