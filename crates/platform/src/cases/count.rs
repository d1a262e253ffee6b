//! 计数 — a parsed case counted in the stats: its unit seen, an online case accepted in the period
//! (网上办件量 and the item it concerns), and, past its deadline (working-day calendar, special
//! procedures), an overdue case with its receipt.

use super::CaseStats;
use super::record::{Idx, Meta, Parsed};
use crate::indicators::{OverdueCase, Period};
use crate::units::UnitMap;
use kaohe_core::calendar::Calendar;
use kaohe_core::deadline;
use kaohe_core::{Origin, Problem};
use kaohe_tables::header::Columns;

/// Everything a row is counted against, the same for every row of a file.
pub(super) struct Ctx<'a> {
    pub(super) meta: Meta,
    pub(super) cols: Columns,
    pub(super) ix: Idx,
    pub(super) calendar: &'a Calendar,
    pub(super) period: Period,
}

/// Counts a parsed row in `st`; an overdue case comes back (its receipt names `row`).
pub(super) fn account(
    p: Parsed<'_>,
    row: u32,
    ctx: &Ctx<'_>,
    units: &UnitMap,
    st: &mut CaseStats,
    problems: &mut Vec<Problem>,
) -> Option<OverdueCase> {
    let u = p.unit as usize;
    st.seen[u] = true;
    if !p.online || !ctx.period.contains(p.accepted.date) {
        return None;
    }
    st.online_in_period += 1;
    st.volume[u] += 1;
    let item = match st.item_ids.get(p.item_code) {
        Some(&i) => i,
        None => {
            let i = st.item_ids.len() as u32;
            st.item_ids.insert(p.item_code.to_string(), i);
            i
        }
    };
    st.items[u].insert(item);
    let cal = ctx.calendar;
    let name = &ctx.meta.name;
    let due = match deadline::deadline(cal, p.accepted.date, p.limit, p.special) {
        Ok(d) => d,
        Err(e) => {
            let header = ctx
                .cols
                .index("accepted_at")
                .and_then(|i| ctx.meta.headers.get(i))
                .cloned()
                .unwrap_or_default();
            problems.push(
                Problem::error(e.to_string())
                    .at(Some(Origin::row(name, row).with_column(header)))
                    .value(p.accepted.to_string())
                    .expected("工作日历覆盖的年份"),
            );
            return None;
        }
    };
    match deadline::overdue(cal, due.due, p.completed.map(|c| c.date), ctx.period.end) {
        Ok(Some(late)) => {
            st.overdue_count[u] += 1;
            Some(OverdueCase {
                case_id: p.case_id.to_string(),
                unit: units.codes[u].clone(),
                item_code: p.item_code.to_string(),
                item_name: p.item_name.to_string(),
                accepted: p.accepted,
                limit: p.limit,
                due: due.due,
                extension: due.extension,
                completed: p.completed,
                late,
                source: Origin::row(name, row),
            })
        }
        Ok(None) => None,
        Err(e) => {
            problems.push(
                Problem::error(e.to_string())
                    .at(Some(Origin::row(name, row)))
                    .expected("工作日历覆盖的年份"),
            );
            None
        }
    }
}
