//! `kaohe calendar check|deadline|between`: the working-day calendar asked directly.

use super::*;

pub fn calendar_check(dir: Option<&Path>, date: &str) -> Result<u8> {
    let cal = load_calendar(dir)?;
    let d = date_arg(date)?;
    let why = cal
        .describe(d)
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    println!("{d}（{}）：{why}", d.weekday_label());
    Ok(EXIT_OK)
}

pub fn calendar_deadline(
    dir: Option<&Path>,
    accepted: &str,
    days: u32,
    natural: bool,
) -> Result<u8> {
    let cal = load_calendar(dir)?;
    let a = date_arg(accepted)?;
    let unit = if natural {
        LimitUnit::CalendarDays
    } else {
        LimitUnit::WorkingDays
    };
    let dl = deadline::deadline(&cal, a, Limit { days, unit }, None)
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    println!(
        "受理 {a}（{}），承诺 {days} 个{} → 办理期限 {}（{}）24:00",
        a.weekday_label(),
        unit.label(),
        dl.due,
        dl.due.weekday_label()
    );
    Ok(EXIT_OK)
}

pub fn calendar_between(dir: Option<&Path>, from: &str, to: &str) -> Result<u8> {
    let cal = load_calendar(dir)?;
    let (a, b) = (date_arg(from)?, date_arg(to)?);
    let n = cal
        .working_days_between(a, b)
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    println!("{a} 至 {b}：{n} 个工作日（不含 {a}，含 {b}）");
    Ok(EXIT_OK)
}
