//! `kaohe rubric check|show|diff|export|import`: a rubric validated, shown as its tree, compared
//! with another, exported as a workbook (or canonical TOML) and imported back from one.

use super::*;
use crate::RubricFormat;

/// `kaohe rubric export FILE --format xlsx|toml [--out F]`. Every rubric the loader accepts is
/// exported; a workbook is first read back as `kaohe rubric import` would, and written only if it
/// gives the same canonical TOML (what a cell cannot hold exactly — a name with spaces at its ends,
/// a kind that holds `、` — is refused, naming the first line that differs, never written lossy).
pub fn rubric_export(file: &Path, format: RubricFormat, out: Option<&Path>) -> Result<u8> {
    let (r, problems) = load_rubric(Some(file))?;
    print_problems(&problems);
    let Some(r) = r else {
        return Ok(EXIT_INVALID);
    };
    match (format, out) {
        (RubricFormat::Toml, None) => print!("{}", rubric::write(&r)),
        (RubricFormat::Toml, Some(p)) => {
            std::fs::write(p, rubric::write(&r))
                .with_context(|| format!("无法写入 {}", p.display()))?;
            eprintln!("已写入 {}", p.display());
        }
        (RubricFormat::Xlsx, None) => bail!("--format xlsx 需要 --out 文件名"),
        (RubricFormat::Xlsx, Some(p)) => {
            let bytes =
                kaohe_report::rubric_sheet::rubric_workbook(&r).context("生成 XLSX 失败")?;
            if let Some(why) = reads_back_differently(&r, &bytes) {
                eprintln!(
                    "{}：导出的细则表读回后与原细则不一致，未导出 {}：{why}",
                    file.display(),
                    p.display()
                );
                return Ok(EXIT_INVALID);
            }
            std::fs::write(p, bytes).with_context(|| format!("无法写入 {}", p.display()))?;
            eprintln!(
                "已写入 {}（{} 个条款；规范写法 sha256 {}）",
                p.display(),
                r.clauses.len(),
                rubric::normalized_sha256(&r)
            );
        }
    }
    Ok(EXIT_OK)
}

/// What differs when the workbook `bytes` of rubric `r` is read back, or `None` when it reads back
/// as the same canonical TOML.
fn reads_back_differently(r: &Rubric, bytes: &[u8]) -> Option<String> {
    let want = rubric::write(r);
    let got = match kaohe_tables::rubric_sheet::import("细则表", bytes.to_vec()) {
        Ok((_, text, _)) => text,
        Err(problems) => {
            let first = problems.iter().find(|p| p.is_error()).or(problems.first());
            return Some(first.map_or_else(|| "无法读回".into(), |p| p.message.clone()));
        }
    };
    if got == want {
        return None;
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let n = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    Some(format!(
        "规范写法第 {} 行原为“{}”，读回为“{}”（表格单元格无法原样保存此值）",
        n + 1,
        a.get(n).unwrap_or(&""),
        b.get(n).unwrap_or(&"")
    ))
}

/// `kaohe rubric import F.xlsx --out FILE.toml`: all or nothing.
pub fn rubric_import(file: &Path, out: &Path) -> Result<u8> {
    let name = kaohe_tables::sheet::display_name(file);
    let read = kaohe_tables::sheet::read_bytes_limited(
        file,
        kaohe_tables::limits::MAX_XLSX_FILE_BYTES,
        "XLSX 工作簿",
    );
    let result = read
        .map_err(|p| vec![p])
        .and_then(|bytes| kaohe_tables::rubric_sheet::import(&name, bytes));
    match result {
        Ok((r, text, warnings)) => {
            print_problems(&warnings);
            std::fs::write(out, &text).with_context(|| format!("无法写入 {}", out.display()))?;
            println!(
                "已导入：{}（{}）— {} 个条款，满分 {}，写入 {}；规范写法 sha256 {}",
                r.title,
                r.id,
                r.clauses.len(),
                r.max_total.normalize(),
                out.display(),
                rubric::sha256_hex(text.as_bytes())
            );
            Ok(EXIT_OK)
        }
        Err(problems) => {
            print_problems(&problems);
            eprintln!(
                "细则表有误，未写出 {}：共 {} 个错误",
                out.display(),
                problems.iter().filter(|p| p.is_error()).count()
            );
            Ok(EXIT_INVALID)
        }
    }
}

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
            if !item.implicit {
                out.push_str(&format!(
                    "  {} {}（{}分）\n",
                    item.id,
                    item.name,
                    pts(item.max)
                ));
            }
            for &ci in &item.clauses {
                let c = &r.clauses[ci];
                if let Some(s) = c.subitem.map(|s| &item.subitems[s])
                    && s.clauses.first() == Some(&ci)
                {
                    out.push_str(&format!("   {} {}（{}分）\n", s.id, s.name, pts(s.max)));
                }
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
                for (label, text) in c.texts() {
                    out.push_str(&format!("      {label}：{text}\n"));
                }
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
