//! The commands. IO lives here: reading files, printing, exit codes.

use crate::Format;
use crate::embedded;
use anyhow::{Context, Result, bail};
use kaohe_core::problem::has_errors;
use kaohe_core::rubric::{self, Rubric};
use kaohe_core::{Inputs, Problem};
use std::path::Path;

pub const EXIT_OK: u8 = 0;
pub const EXIT_INVALID: u8 = 2;
pub const EXIT_INCOMPLETE: u8 = 3;

fn print_problems(problems: &[Problem]) {
    for p in problems {
        eprintln!("{p}");
    }
}

/// Loads a rubric file, or the embedded rudong-2021.
fn load_rubric(path: Option<&Path>) -> Result<(Option<Rubric>, Vec<Problem>)> {
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("无法读取细则文件 {}", p.display()))?;
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(rubric::load(&name, &text))
        }
        None => Ok(rubric::load(
            embedded::RUDONG_2021_NAME,
            embedded::RUDONG_2021,
        )),
    }
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

fn rust_decimal_100() -> kaohe_core::num::Dec {
    kaohe_core::num::Dec::ONE_HUNDRED
}

pub fn demo(format: Format, out: Option<&Path>) -> Result<u8> {
    let (r, problems) = load_rubric(None)?;
    let Some(r) = r else {
        print_problems(&problems);
        bail!("内置细则无效");
    };
    let (inputs, _, read_problems) =
        kaohe_tables::read_inputs_from_files(embedded::demo_files(), &r);
    if format == Format::Table && out.is_none() {
        println!("示例数据（合成，不是真实考核结果）：如东县 3 个街道、12 个镇、2 个开发区\n");
    }
    emit(&r, &inputs, read_problems, format, out)
}

pub fn score(
    rubric: Option<&Path>,
    input: &Path,
    format: Format,
    out: Option<&Path>,
) -> Result<u8> {
    let (r, mut problems) = load_rubric(rubric)?;
    let Some(r) = r else {
        return invalid(&problems, format);
    };
    if !input.exists() {
        bail!("输入 {} 不存在", input.display());
    }
    let (inputs, _, read_problems) = kaohe_tables::read_inputs(input, &r);
    problems.extend(read_problems);
    emit(&r, &inputs, problems, format, out)
}

fn invalid(problems: &[Problem], format: Format) -> Result<u8> {
    print_problems(problems);
    if format == Format::Json {
        println!("{}", kaohe_report::json::problems_json(problems));
    }
    eprintln!(
        "输入有误，未计分：{} 个错误",
        problems.iter().filter(|p| p.is_error()).count()
    );
    Ok(EXIT_INVALID)
}

fn emit(
    r: &Rubric,
    inputs: &Inputs,
    read_problems: Vec<Problem>,
    format: Format,
    out: Option<&Path>,
) -> Result<u8> {
    let scored = kaohe_core::score(r, inputs);
    if has_errors(&read_problems) || has_errors(&scored.problems) {
        let all: Vec<Problem> = read_problems
            .iter()
            .chain(&scored.problems)
            .cloned()
            .collect();
        return invalid(&all, format);
    }
    match format {
        Format::Table | Format::Json => {
            let text = if format == Format::Json {
                kaohe_report::json::to_json(&scored, &read_problems)
            } else {
                kaohe_report::table::render(&scored, &read_problems)
            };
            match out {
                Some(p) => std::fs::write(p, text + "\n")
                    .with_context(|| format!("无法写入 {}", p.display()))?,
                None => println!("{text}"),
            }
        }
        Format::Xlsx => {
            let Some(p) = out else {
                bail!("--format xlsx 需要 --out 文件名");
            };
            let bytes =
                kaohe_report::xlsx::workbook(&scored, &read_problems).context("生成 XLSX 失败")?;
            std::fs::write(p, bytes).with_context(|| format!("无法写入 {}", p.display()))?;
            eprintln!("已写入 {}", p.display());
        }
    }
    Ok(if scored.complete {
        EXIT_OK
    } else {
        EXIT_INCOMPLETE
    })
}
