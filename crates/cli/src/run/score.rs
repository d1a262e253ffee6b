//! `kaohe score`, `kaohe demo --print` and `kaohe whatif`: a batch scored (and compared under another
//! rubric) and printed as a table, JSON, XLSX or PDF.

use super::*;

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
    platform: &PlatformArgs,
) -> Result<u8> {
    let (r, problems) = load_rubric(rubric)?;
    let Some(r) = r else {
        return invalid(&problems, format);
    };
    match read_batch(&r, input, platform, problems)? {
        Ok((inputs, problems)) => emit(&r, &inputs, problems, format, out),
        Err(problems) => invalid(&problems, format),
    }
}

/// `kaohe whatif`: the batch scored under `rubric` (the one in force) and under `other`, compared.
pub fn whatif(
    rubric: Option<&Path>,
    other: &Path,
    input: &Path,
    format: Format,
    out: Option<&Path>,
    platform: &PlatformArgs,
) -> Result<u8> {
    match (format, out) {
        (Format::Pdf, _) => bail!("方案对比可输出 table、json 或 xlsx"),
        (Format::Xlsx, None) => bail!("--format xlsx 需要 --out 文件名"),
        _ => {}
    }
    let (r, problems) = load_rubric(rubric)?;
    let Some(r) = r else {
        return invalid(&problems, format);
    };
    let (o, other_problems) = load_rubric(Some(other))?;
    let Some(o) = o else {
        return invalid(&other_problems, format);
    };
    let (inputs, read_problems) = match read_batch(&r, input, platform, problems)? {
        Ok(x) => x,
        Err(problems) => return invalid(&problems, format),
    };
    if let Err(all) = kaohe_app::batch::scored(&r, &inputs, &read_problems) {
        return invalid(&all, format);
    }
    let label = |r: &Rubric| kaohe_app::whatif::label(r, None);
    let w = kaohe_app::whatif::compare(&r, &inputs, &o, (&label(&r), &label(&o)), other_problems);
    if let (Format::Xlsx, Some(p)) = (format, out) {
        let bytes = kaohe_report::xlsx::whatif_workbook(&w).context("生成 XLSX 失败")?;
        std::fs::write(p, bytes).with_context(|| format!("无法写入 {}", p.display()))?;
        eprintln!("已写入 {}", p.display());
        return Ok(EXIT_OK);
    }
    let text = if format == Format::Json {
        w.to_json()
    } else {
        w.table()
    };
    match out {
        Some(p) => {
            std::fs::write(p, text + "\n").with_context(|| format!("无法写入 {}", p.display()))?
        }
        None => println!("{text}"),
    }
    Ok(EXIT_OK)
}
