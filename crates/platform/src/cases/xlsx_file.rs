//! XLSX — a case export as a workbook: its first sheet read row by row on one thread, each row
//! parsed and counted, case ids handed to the duplicate check as they pass.

use super::count::{Ctx, account};
use super::record::{Idx, Meta, parse};
use super::{CaseOptions, CaseStats, FIELDS, PROGRESS_EVERY};
use crate::dups::IdTracker;
use crate::rows::{Encoding, Row, Source, Tracking};
use crate::units::UnitMap;
use kaohe_core::Problem;
use kaohe_tables::header::map_columns;
use std::path::Path;

/// An XLSX workbook's first sheet, row by row (Excel caps a sheet at 1,048,576 rows).
pub(super) fn read_xlsx(
    fi: usize,
    path: &Path,
    units: &mut UnitMap,
    opts: &mut CaseOptions<'_, '_>,
    st: &mut CaseStats,
    tracker: &mut Option<IdTracker>,
    problems: &mut Vec<Problem>,
) -> bool {
    let mut src = match Source::open_for(path, FIELDS, problems) {
        Ok(s) => s,
        Err(p) => {
            problems.push(*p);
            return false;
        }
    };
    let Some(cols) = map_columns(&src.header_sheet(), FIELDS, problems) else {
        return false;
    };
    let ix = Idx::new(&cols);
    if let Some(t) = tracker.take() {
        src.track_ids(Tracking {
            column: ix.case_id,
            file: fi,
            tracker: t,
        });
    }
    let ctx = Ctx {
        meta: Meta {
            name: src.name.clone(),
            headers: src.headers.clone(),
            xlsx: src.encoding == Encoding::Xlsx,
        },
        cols,
        ix,
        calendar: opts.calendar,
        period: opts.period,
    };
    let mut row = Row::default();
    let mut rows_here = 0u64;
    loop {
        match src.next(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(p) => {
                problems.push(*p);
                return false;
            }
        }
        st.rows += 1;
        rows_here += 1;
        if rows_here.is_multiple_of(PROGRESS_EVERY)
            && let Some(cb) = opts.progress.as_mut()
        {
            cb(&src.name, src.position(), rows_here);
        }
        kaohe_tables::limits::trim_problems(problems);
        let Some(p) = parse(&row, &ctx.cols, &ctx.ix, &ctx.meta, units, problems) else {
            continue;
        };
        if let Some(case) = account(p, row.number, &ctx, units, st, problems) {
            match opts.overdue_sink.as_mut() {
                Some(sink) => sink.write(&case),
                None => st.overdue.push(case),
            }
        }
    }
    if let Some(cb) = opts.progress.as_mut() {
        cb(&src.name, src.position(), rows_here);
    }
    *tracker = src.into_tracker();
    true
}
