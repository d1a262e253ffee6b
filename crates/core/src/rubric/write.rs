//! 规范写法 — a loaded rubric written back as TOML text in one canonical form, whatever the form of
//! the file it came from: the same keys in the same order, the same layout, the same quoting. Used
//! by the Excel round trip (`kaohe rubric import` writes its TOML with it) and to compare two
//! rubrics by content: [`normalized_sha256`] is the sha256 of [`write`]'s text. It writes every
//! field the loader reads (tested: a rubric using every field, and every key the loader accepts at
//! every level, is written and read back the same).
//!
//! The form:
//! - the rubric's own fields first (`id`, `title`, `year`, `version`, `source`, `category` when it
//!   has one, `max_total`, `total_cap` when it has one, `precision`, `ties`), then the rubric-level
//!   shapes ([`super::shapes`]) each only where it differs from what its absence means: `format`
//!   unless 1, `unit_kinds` when declared, `not_applicable = "prorate"`, `ranking_groups` when given
//!   and `rank_within_groups = false` beside them (true is the default with groups), `methods`
//!   unless the default three in their order, `veto_grade`, `incomplete` unless the format's
//!   default (`ranked` in format 1, `unranked` in format 2);
//! - then `[[metrics]]`, `[[grades]]` and `[[indicators]]` with their items, sub-items and clauses
//!   in the rubric's order (see [`super::levels`] for the two- and four-level forms); an indicator or
//!   item: `id`, `name`, `max`, then `budget` and `floor` ([`crate::budget`]; `floor` left out when it
//!   is `"0"`, its default);
//! - a clause: `id`, `title`, `max`, `method`, `applies_to` (when given), `text`, `content`,
//!   `standard`, `method_text`, `checkpoints` (one per line), `rule` (an inline table: `kind` first,
//!   then the kind's parameters in the order of its `KEYS`);
//! - the counting parameters of per_instance, deduction and penalty ([`crate::rules::counting`]):
//!   `per` only when the clause deducts one `per` for every finding (not beside `types` or
//!   `range`), `types` as a list of `{ name = "…", per = "…" }` / `{ name = "…", range = ["lo",
//!   "hi"] }`, `range = ["lo", "hi"]`, `word`, `inspection = "required"`; a deduction's `cap` is
//!   written whenever the file states it, even equal to the clause's max (a stated cap is explained
//!   as 超过扣分上限 and bounds what a shared budget pools; an unstated one is 扣完为止); a penalty's
//!   `cap` when it has one;
//! - decimals as text exactly as the model holds them: a decimal keeps the places it was written
//!   with (`"0.050"` stays `"0.050"`, `"1.0"` stays `"1.0"`); an integer written bare (`max = 2`)
//!   becomes text (`"2"`);
//! - a parameter left at its default is left out (`better = "higher"`, `ties` equal to the
//!   rubric's, `first`/`points` equal to the clause's max written the same way, `beyond = "0"`,
//!   `mode = "ratio"`), so that a clerk who changes the max or the rubric's ties changes them
//!   everywhere; the entries of a list (`tiers`, `parts`) are written with all their fields;
//! - `version = "1"` and `precision = 4` are written even when the file left them to their default.
//!
//! Properties (tested for every rubric under `rubrics/` and for one that uses every field):
//! `load(write(r))` is `r` in every field but the file's sha256, and `write(load(write(r))) ==
//! write(r)`.

use super::*;

/// A rule parameter as written: text (a decimal as its text, a name), a whole number, or a list
/// of small tables whose values are all text (`tiers`, `parts`), each with every field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Text(String),
    Int(i64),
    List(Vec<Vec<(&'static str, String)>>),
    /// A range of points `["lo", "hi"]` (`range`: 酌情扣分).
    Range(String, String),
    /// `types` (问题类型): each name with what one finding deducts, a `Text` (`per`) or a `Range`.
    Types(Vec<(String, Param)>),
}

/// A rule's parameters in the kind's order, `kind` not included.
pub type Params = Vec<(&'static str, Param)>;

/// What a kind's parameters default to, to leave out the ones at their default.
#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    /// The clause's max (the default of `first`, `points`, `cap`).
    pub max: Decimal,
    /// The rubric's ties (the default of a ranking's `ties`).
    pub ties: TiePolicy,
}

impl Defaults {
    /// `v` as text, unless it is the clause's max written the same way.
    pub fn unless_max(&self, key: &'static str, v: Decimal, out: &mut Params) {
        if v.to_string() != self.max.to_string() {
            out.push((key, Param::Text(v.to_string())));
        }
    }
    /// `ties`, unless it is the rubric's.
    pub fn unless_ties(&self, t: TiePolicy, out: &mut Params) {
        if t != self.ties {
            out.push(("ties", Param::Text(t.key().into())));
        }
    }
}

impl Better {
    /// As a rubric writes it: `higher` or `lower`.
    pub fn key(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
        }
    }
    /// `better`, unless it is `higher`.
    pub fn unless_higher(self, out: &mut Params) {
        if self == Better::Lower {
            out.push(("better", Param::Text(self.key().into())));
        }
    }
}

/// The sha256 of the rubric's canonical text ([`write`]): equal for two files that say the same.
pub fn normalized_sha256(r: &Rubric) -> String {
    super::sha256_hex(write(r).as_bytes())
}

/// A TOML basic string: `"…"` with `\"`, `\\` and control characters escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn line(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str(" = ");
    out.push_str(value);
    out.push('\n');
}

fn text(out: &mut String, key: &str, value: &str) {
    line(out, key, &quote(value));
}

/// A list of texts: `["镇", "街道"]`.
fn list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|s| quote(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

fn param(p: &Param) -> String {
    match p {
        Param::Text(s) => quote(s),
        Param::Int(i) => i.to_string(),
        Param::Range(lo, hi) => list(&[lo, hi]),
        Param::Types(types) => {
            let tables: Vec<String> = types
                .iter()
                .map(|(name, each)| {
                    let key = if matches!(each, Param::Range(..)) {
                        "range"
                    } else {
                        "per"
                    };
                    format!("{{ name = {}, {key} = {} }}", quote(name), param(each))
                })
                .collect();
            format!("[{}]", tables.join(", "))
        }
        Param::List(entries) => {
            let tables: Vec<String> = entries
                .iter()
                .map(|e| {
                    let kv: Vec<String> = e
                        .iter()
                        .map(|(k, v)| format!("{k} = {}", quote(v)))
                        .collect();
                    format!("{{ {} }}", kv.join(", "))
                })
                .collect();
            format!("[{}]", tables.join(", "))
        }
    }
}

/// The rule of clause `c` as an inline table: `{ kind = "…", … }`.
pub fn rule_table(r: &Rubric, c: &Clause) -> String {
    let defaults = Defaults {
        max: c.max,
        ties: r.ties,
    };
    let mut kv = vec![format!("kind = {}", quote(c.rule.kind()))];
    for (k, v) in c.rule.params(&defaults) {
        kv.push(format!("{k} = {}", param(&v)));
    }
    format!("{{ {} }}", kv.join(", "))
}

/// The rubric as canonical TOML text.
pub fn write(r: &Rubric) -> String {
    let mut out = String::new();
    text(&mut out, "id", &r.id);
    text(&mut out, "title", &r.title);
    line(&mut out, "year", &r.year.to_string());
    text(&mut out, "version", &r.version);
    text(&mut out, "source", &r.source);
    if !r.category.is_empty() {
        text(&mut out, "category", &r.category);
    }
    text(&mut out, "max_total", &r.max_total.to_string());
    if let Some(cap) = r.total_cap {
        text(&mut out, "total_cap", &cap.to_string());
    }
    line(&mut out, "precision", &r.precision.to_string());
    text(&mut out, "ties", r.ties.key());
    shapes(&mut out, &r.shapes);
    for m in &r.metrics {
        out.push_str("\n[[metrics]]\n");
        text(&mut out, "key", &m.key);
        text(&mut out, "name", &m.name);
        text(&mut out, "kind", m.kind.key());
        if m.bare_percent {
            text(&mut out, "bare", "percent");
        }
        if !m.unit_label.is_empty() {
            text(&mut out, "unit_label", &m.unit_label);
        }
    }
    for g in &r.grades {
        out.push_str("\n[[grades]]\n");
        text(&mut out, "name", &g.name);
        text(&mut out, "min_ratio", &g.min_ratio.to_string());
    }
    for ind in &r.indicators {
        out.push_str("\n[[indicators]]\n");
        head(&mut out, &ind.id, &ind.name, ind.max);
        budget(&mut out, ind.budget);
        for item in &ind.items {
            if item.implicit {
                clauses(&mut out, r, "indicators.clauses", &item.clauses);
                continue;
            }
            out.push_str("\n[[indicators.items]]\n");
            head(&mut out, &item.id, &item.name, item.max);
            budget(&mut out, item.budget);
            if item.subitems.is_empty() {
                clauses(&mut out, r, "indicators.items.clauses", &item.clauses);
            }
            for sub in &item.subitems {
                out.push_str("\n[[indicators.items.subitems]]\n");
                head(&mut out, &sub.id, &sub.name, sub.max);
                clauses(
                    &mut out,
                    r,
                    "indicators.items.subitems.clauses",
                    &sub.clauses,
                );
            }
        }
    }
    out
}

fn head(out: &mut String, id: &str, name: &str, max: Decimal) {
    text(out, "id", id);
    text(out, "name", name);
    text(out, "max", &max.to_string());
}

/// An item's or indicator's `budget`, and its `floor` unless it is `"0"` (the default).
fn budget(out: &mut String, b: Option<crate::budget::Budget>) {
    if let Some(b) = b {
        text(out, "budget", &b.cap.to_string());
        if b.floor.to_string() != "0" {
            text(out, "floor", &b.floor.to_string());
        }
    }
}

/// The rubric-level shapes ([`super::shapes`]), each only where it differs from what its absence
/// means: `format` unless 1, `unit_kinds` when declared, `not_applicable` when `prorate`,
/// `ranking_groups` when given, `rank_within_groups` when `false` beside groups, `methods` unless
/// the default three in their order, `veto_grade` when given, `incomplete` unless the format's
/// default.
fn shapes(out: &mut String, s: &Shapes) {
    use super::shapes::{DEFAULT_METHODS, Incomplete, NotApplicable};
    if s.format != 1 {
        line(out, "format", &s.format.to_string());
    }
    if let Some(kinds) = &s.unit_kinds {
        line(out, "unit_kinds", &list(kinds));
    }
    if s.not_applicable == NotApplicable::Prorate {
        text(out, "not_applicable", "prorate");
    }
    if !s.ranking_groups.is_empty() {
        let groups: Vec<String> = s.ranking_groups.iter().map(|g| list(&g.kinds)).collect();
        line(out, "ranking_groups", &format!("[{}]", groups.join(", ")));
        if !s.rank_within_groups {
            line(out, "rank_within_groups", "false");
        }
    }
    if s.methods != DEFAULT_METHODS {
        line(out, "methods", &list(&s.methods));
    }
    if let Some(g) = &s.veto_grade {
        text(out, "veto_grade", g);
    }
    let default = if s.format >= 2 {
        Incomplete::Unranked
    } else {
        Incomplete::Ranked
    };
    if s.incomplete != default {
        let v = match s.incomplete {
            Incomplete::Ranked => "ranked",
            Incomplete::Unranked => "unranked",
        };
        text(out, "incomplete", v);
    }
}

fn clauses(out: &mut String, r: &Rubric, header: &str, idx: &[usize]) {
    for &ci in idx {
        let c = &r.clauses[ci];
        out.push_str(&format!("\n[[{header}]]\n"));
        text(out, "id", &c.id);
        text(out, "title", &c.title);
        text(out, "max", &c.max.to_string());
        let methods: Vec<&str> = c.methods.iter().map(|m| m.label()).collect();
        line(out, "method", &list(&methods));
        if let Some(kinds) = &c.applies_to {
            line(out, "applies_to", &list(kinds));
        }
        text(out, "text", &c.text);
        for (key, value) in levels::TEXTS
            .iter()
            .zip([&c.content, &c.standard, &c.method_text])
        {
            if let Some(v) = value {
                text(out, key, v);
            }
        }
        if !c.checkpoints.is_empty() {
            out.push_str("checkpoints = [\n");
            for p in &c.checkpoints {
                out.push_str(&format!("  {},\n", quote(p)));
            }
            out.push_str("]\n");
        }
        line(out, "rule", &rule_table(r, c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_is_quoted_and_escaped() {
        assert_eq!(quote("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
        let t: toml::Table = format!("k = {}", quote("“引号”\"\t\\")).parse().unwrap();
        assert_eq!(t["k"].as_str(), Some("“引号”\"\t\\"));
    }
}
