//! 规范写法 — a loaded rubric written back as TOML text in one canonical form, whatever the form of
//! the file it came from: the same keys in the same order, the same layout, the same quoting. Used
//! by the Excel round trip (`kaohe rubric import` writes its TOML with it) and to compare two
//! rubrics by content: [`normalized_sha256`] is the sha256 of [`write`]'s text.
//!
//! The form:
//! - the rubric's own fields first (`id`, `title`, `year`, `version`, `source`, `category` when it
//!   has one, `max_total`, `precision`, `ties`), then `[[metrics]]`, `[[grades]]` and
//!   `[[indicators]]` with their items, sub-items and clauses in the rubric's order (see
//!   [`super::levels`] for the two- and four-level forms);
//! - a clause: `id`, `title`, `max`, `method`, `text`, `content`, `standard`, `method_text`,
//!   `checkpoints` (one per line), `rule` (an inline table: `kind` first, then the kind's parameters
//!   in the order of its `KEYS`);
//! - decimals as text exactly as the model holds them: a decimal keeps the places it was written
//!   with (`"0.050"` stays `"0.050"`, `"1.0"` stays `"1.0"`); an integer written bare (`max = 2`)
//!   becomes text (`"2"`);
//! - a parameter left at its default is left out (`better = "higher"`, `ties` equal to the
//!   rubric's, `first`/`points`/`cap` equal to the clause's max written the same way, `beyond =
//!   "0"`, `mode = "ratio"`), so that a clerk who changes the max or the rubric's ties changes them
//!   everywhere; the entries of a list (`tiers`, `parts`) are written with all their fields;
//! - `version = "1"` and `precision = 4` are written even when the file left them to their default.
//!
//! Properties (tested for every rubric under `rubrics/`): `load(write(r))` is `r` in every field
//! but the file's sha256, and `write(load(write(r))) == write(r)`.

use super::*;

/// A rule parameter as written: text (a decimal as its text, a name), a whole number, or a list
/// of small tables whose values are all text (`tiers`, `parts`), each with every field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Text(String),
    Int(i64),
    List(Vec<Vec<(&'static str, String)>>),
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
/// The fields of `r` the canonical writer (and so the Excel sheet) cannot write yet — the shapes of
/// issue 11 that came with it: a rubric that uses any is refused by `kaohe rubric export` with
/// their names, never written without them.
pub fn unsupported(r: &Rubric) -> Vec<&'static str> {
    let mut out = Vec::new();
    let d = Shapes::default();
    let s = &r.shapes;
    let mut flag = |on: bool, name: &'static str| {
        if on && !out.contains(&name) {
            out.push(name);
        }
    };
    flag(s.format != d.format, "format");
    flag(s.unit_kinds.is_some(), "unit_kinds");
    flag(s.not_applicable != d.not_applicable, "not_applicable");
    flag(!s.ranking_groups.is_empty(), "ranking_groups");
    flag(
        s.rank_within_groups != d.rank_within_groups,
        "rank_within_groups",
    );
    flag(s.methods != d.methods, "methods");
    flag(s.veto_grade.is_some(), "veto_grade");
    flag(s.incomplete != d.incomplete, "incomplete");
    flag(r.total_cap.is_some(), "total_cap");
    for ind in &r.indicators {
        flag(ind.budget.is_some(), "budget");
        for it in &ind.items {
            flag(it.budget.is_some(), "budget");
        }
    }
    for c in &r.clauses {
        flag(c.applies_to.is_some(), "applies_to");
        flag(matches!(c.rule, Rule::Penalty(_)), "penalty");
        let k = c.rule.counting();
        flag(!k.types.is_empty(), "types");
        flag(k.range.is_some(), "range");
        flag(k.word.is_some(), "word");
        flag(k.inspection, "inspection");
    }
    out
}

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

fn param(p: &Param) -> String {
    match p {
        Param::Text(s) => quote(s),
        Param::Int(i) => i.to_string(),
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
    line(&mut out, "precision", &r.precision.to_string());
    text(&mut out, "ties", r.ties.key());
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
        for item in &ind.items {
            if item.implicit {
                clauses(&mut out, r, "indicators.clauses", &item.clauses);
                continue;
            }
            out.push_str("\n[[indicators.items]]\n");
            head(&mut out, &item.id, &item.name, item.max);
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

fn clauses(out: &mut String, r: &Rubric, header: &str, idx: &[usize]) {
    for &ci in idx {
        let c = &r.clauses[ci];
        out.push_str(&format!("\n[[{header}]]\n"));
        text(out, "id", &c.id);
        text(out, "title", &c.title);
        text(out, "max", &c.max.to_string());
        let methods: Vec<String> = c.methods.iter().map(|m| quote(m.label())).collect();
        line(out, "method", &format!("[{}]", methods.join(", ")));
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
