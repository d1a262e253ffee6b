//! 问题记录与检查记录 — recording a finding (with its 问题类型, and the points chosen in a range with
//! the reason, where the clause's rule says so), recording an inspection (检查记录: 已检查，未发现问题 /
//! 检查日期) and removing one: the form's text read once, for the page and the API alike; the store
//! checks who may, the clause, the range and the date under its write lock.

use kaohe_core::Date;
use kaohe_store::{NewFinding, Store, StoreError, User};
use rust_decimal::Decimal;

/// A finding as a form or a JSON body gives it: text, `points` empty when none was chosen.
#[derive(Debug, Clone, Default)]
pub struct FindingText<'a> {
    pub clause: &'a str,
    pub description: &'a str,
    /// 问题类型 (empty: none).
    pub finding_type: &'a str,
    /// 扣分 (empty: none).
    pub points: &'a str,
    /// 扣分理由 (empty: none).
    pub reason: &'a str,
    /// Photos taken on site or files sent with it.
    pub files: &'a [kaohe_store::Upload<'a>],
}

/// The points typed into a 扣分 field: `None` when empty, else a number, or why not in Chinese.
pub fn points_of(text: &str) -> Result<Option<Decimal>, StoreError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    kaohe_core::num::typed_decimal(t)
        .map(Some)
        .ok_or_else(|| StoreError::Invalid(format!("扣分“{t}”不是数字：应填写分值，如 3 或 2.5")))
}

/// The date typed into a 检查日期 field (`2024-05-08`, `2024/5/8`, `20240508`), or why not.
pub fn date_of(text: &str) -> Result<Date, StoreError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(StoreError::Invalid("请填写检查日期".into()));
    }
    Date::parse(t).ok_or_else(|| {
        StoreError::Invalid(format!("检查日期“{t}”无法识别：应为日期，如 2024-05-08"))
    })
}

/// Typed text, or `None` when only blanks.
fn kept(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// 记录问题: one finding of a clause counted per instance, with its type, points and reason where
/// the rule takes them. The finding's id.
pub async fn add_finding(
    store: &Store,
    by: &User,
    assessment: i64,
    unit: &str,
    f: &FindingText<'_>,
    now: &str,
) -> Result<i64, StoreError> {
    let points = points_of(f.points)?;
    let new = NewFinding {
        clause: f.clause,
        description: f.description,
        finding_type: kept(f.finding_type),
        points,
        reason: kept(f.reason),
        files: f.files,
    };
    store
        .add_typed_finding(by, assessment, unit, &new, now)
        .await
}

/// 记录检查：已检查，未发现问题 — `by` inspected `unit` on `clause` on the typed date. The record's id.
#[allow(clippy::too_many_arguments)]
pub async fn record_inspection(
    store: &Store,
    by: &User,
    assessment: i64,
    unit: &str,
    clause: &str,
    date: &str,
    note: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let date = date_of(date)?;
    store
        .record_inspection(by, assessment, unit, clause, date, note, now)
        .await
}

/// 撤销检查记录, with the reason.
pub async fn remove_inspection(
    store: &Store,
    by: &User,
    assessment: i64,
    unit: &str,
    inspection: i64,
    reason: &str,
    now: &str,
) -> Result<(), StoreError> {
    store
        .remove_inspection(by, assessment, unit, inspection, reason, now)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_read_or_refused_in_chinese() {
        assert_eq!(points_of(" ").unwrap(), None);
        assert_eq!(points_of("2.5").unwrap(), Some(Decimal::new(25, 1)));
        assert_eq!(
            points_of("三").unwrap_err().to_string(),
            "扣分“三”不是数字：应填写分值，如 3 或 2.5"
        );
        assert_eq!(date_of("2024-05-08").unwrap().to_string(), "2024-05-08");
        assert_eq!(date_of("").unwrap_err().to_string(), "请填写检查日期");
        assert_eq!(
            date_of("昨天").unwrap_err().to_string(),
            "检查日期“昨天”无法识别：应为日期，如 2024-05-08"
        );
    }
}
