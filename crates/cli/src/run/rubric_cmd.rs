//! `kaohe rubric check|show|diff`: a rubric validated, shown as its tree, or compared with another.

use super::*;

/// `kaohe rubric diff OLD NEW`: what a new rubric changes, clause by clause (no data needed).
pub fn rubric_diff(old: &Path, new: &Path) -> Result<u8> {
    let (a, pa) = load_rubric(Some(old))?;
    let (b, pb) = load_rubric(Some(new))?;
    let (Some(a), Some(b)) = (a, b) else {
        let all: Vec<Problem> = pa.into_iter().chain(pb).collect();
        return invalid(&all, Format::Table);
    };
    let label = |r: &Rubric| {
        format!(
            "《{}》（{} 版本 {}，满分 {}）",
            r.title,
            r.id,
            r.version,
            r.max_total.normalize()
        )
    };
    println!("原细则：{}", label(&a));
    println!("新细则：{}", label(&b));
    let changes: Vec<_> = kaohe_core::compare::rubrics(&a, &b)
        .into_iter()
        .filter(|c| c.rubric_changed())
        .collect();
    let count = |f: &dyn Fn(&kaohe_core::compare::ClauseDelta) -> bool| {
        changes.iter().filter(|c| f(c)).count()
    };
    let (added, removed) = (count(&|c| c.added()), count(&|c| c.removed()));
    println!(
        "细则改动 {} 条：新增 {added}，删去 {removed}，修改 {}",
        changes.len(),
        changes.len() - added - removed
    );
    for c in &changes {
        println!("  {} {}：{}", c.id, c.title, c.explain());
    }
    Ok(EXIT_OK)
}

pub fn rubric_check(file: &Path) -> Result<u8> {
    let (r, problems) = load_rubric(Some(file))?;
    print_problems(&problems);
    match r {
        Some(r) => {
            println!(
                "细则有效：{}（{}，第{}版）— {} 个指标，{} 个条款，满分 {}，sha256 {}",
                r.title,
                r.id,
                r.version,
                r.indicators.len(),
                r.clauses.len(),
                r.max_total.normalize(),
                r.sha256
            );
            Ok(EXIT_OK)
        }
        None => {
            eprintln!(
                "细则无效：共 {} 个问题",
                problems.iter().filter(|p| p.is_error()).count()
            );
            Ok(EXIT_INVALID)
        }
    }
}

pub fn rubric_show(file: &Path) -> Result<u8> {
    let (r, problems) = load_rubric(Some(file))?;
    print_problems(&problems);
    let Some(r) = r else {
        return Ok(EXIT_INVALID);
    };
    print!("{}", show(&r));
    Ok(EXIT_OK)
}

/// The rubric as a tree with points and the rule of every clause.
pub fn show(r: &Rubric) -> String {
    use kaohe_core::num::pts;
    let mut out = format!(
        "《{}》 {} 第{}版  {}年  满分 {}  精度 {} 位小数\n来源：{}\nsha256 {}\n",
        r.title,
        r.id,
        r.version,
        r.year,
        pts(r.max_total),
        r.precision,
        r.source,
        r.sha256
    );
    for ind in &r.indicators {
        out.push_str(&format!(
            "\n{} {}（{}分）\n",
            ind.id,
            ind.name,
            pts(ind.max)
        ));
        for item in &ind.items {
            out.push_str(&format!(
                "  {} {}（{}分）\n",
                item.id,
                item.name,
                pts(item.max)
            ));
            for &ci in &item.clauses {
                let c = &r.clauses[ci];
                let methods: Vec<&str> = c.methods.iter().map(|m| m.label()).collect();
                let max = if c.is_bonus() {
                    "加分".to_string()
                } else {
                    format!("{}分", pts(c.max))
                };
                out.push_str(&format!(
                    "    {} {}  {}  [{}] {}\n      规则：{}\n",
                    c.id,
                    c.title,
                    max,
                    c.rule.kind(),
                    methods.join("/"),
                    r.describe_rule(c)
                ));
            }
        }
    }
    if !r.grades.is_empty() {
        out.push_str("\n定档：");
        let g: Vec<String> = r
            .grades
            .iter()
            .map(|g| format!("{} ≥ {}%", g.name, pts(g.min_ratio * rust_decimal_100())))
            .collect();
        out.push_str(&g.join("，"));
        out.push('\n');
    }
    out
}

pub(super) fn rust_decimal_100() -> kaohe_core::num::Dec {
    kaohe_core::num::Dec::ONE_HUNDRED
}
