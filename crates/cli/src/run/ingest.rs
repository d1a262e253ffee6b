//! `kaohe ingest`: platform exports → `metrics.csv` and `overdue.csv`.

use super::*;

pub fn ingest(units: &Path, out: &Path, args: &PlatformArgs) -> Result<u8> {
    let (units, problems) = kaohe_tables::batch::read_units_file(units);
    if has_errors(&problems) {
        return invalid(&problems, Format::Table);
    }
    print_problems(&problems);
    if !args.given() {
        bail!("请至少提供一种平台数据：--cases、--claims 或 --survey");
    }
    // Overdue cases go to disk as they are found (memory stays flat in the number of rows), into a
    // temporary file that becomes overdue.csv only when the whole import succeeds.
    std::fs::create_dir_all(out).with_context(|| format!("无法创建目录 {}", out.display()))?;
    let partial = out.join("overdue.csv.partial");
    let mut writer = indicators::OverdueWriter::create(&partial)
        .with_context(|| format!("无法写入 {}", partial.display()))?;
    let (ind, problems) = platform_indicators(&units, args, Some(&mut writer))?;
    let Some(ind) = ind else {
        let _ = std::fs::remove_file(&partial);
        let _ = std::fs::remove_dir(out); // only when empty, i.e. made here
        return invalid(&problems, Format::Table);
    };
    print_problems(&problems);
    writer.finish().context("写入 overdue.csv 失败")?;
    std::fs::rename(&partial, out.join("overdue.csv")).context("写入 overdue.csv 失败")?;
    indicators::write_metrics(&out.join("metrics.csv"), &ind).context("写入 metrics.csv 失败")?;
    eprintln!(
        "已读取办件 {} 行（{:.1} MB）；写出 {} 条指标、{} 件超期办件到 {}",
        ind.rows,
        ind.bytes as f64 / 1e6,
        ind.metrics.len(),
        ind.overdue_total,
        out.display()
    );
    Ok(EXIT_OK)
}
