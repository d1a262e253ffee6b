//! 解析 — one case record's cells read into a case (`Parsed`): ids, unit, channel, dates with their
//! precision, the time limit and a special procedure; every bad cell becomes a problem with file,
//! row, column and value, and a row with any problem is not counted.

use super::{channel, immediate, limit_unit};
use crate::rows::Cells;
use crate::units::UnitMap;
use kaohe_core::date::{Date, DateTime, Precision};
use kaohe_core::deadline::Limit;
use kaohe_core::text::trim;
use kaohe_core::{Origin, Problem};
use kaohe_tables::header::Columns;

/// Column indices of the fields, looked up once per file.
pub(super) struct Idx {
    pub(super) case_id: Option<usize>,
    item_code: Option<usize>,
    item_name: Option<usize>,
    unit: Option<usize>,
    channel: Option<usize>,
    kind: Option<usize>,
    accepted_at: Option<usize>,
    limit: Option<usize>,
    limit_unit: Option<usize>,
    completed_at: Option<usize>,
    special_start: Option<usize>,
    special_end: Option<usize>,
}

impl Idx {
    pub(super) fn new(cols: &Columns) -> Idx {
        let i = |k| cols.index(k);
        Idx {
            case_id: i("case_id"),
            item_code: i("item_code"),
            item_name: i("item_name"),
            unit: i("unit"),
            channel: i("channel"),
            kind: i("kind"),
            accepted_at: i("accepted_at"),
            limit: i("limit"),
            limit_unit: i("limit_unit"),
            completed_at: i("completed_at"),
            special_start: i("special_start"),
            special_end: i("special_end"),
        }
    }
}

/// A record without a problem: what counting needs of it.
pub(super) struct Parsed<'r> {
    pub(super) case_id: &'r str,
    pub(super) unit: u32,
    pub(super) item_code: &'r str,
    pub(super) item_name: &'r str,
    pub(super) online: bool,
    pub(super) accepted: DateTime,
    pub(super) limit: Limit,
    pub(super) completed: Option<DateTime>,
    pub(super) special: Option<(Date, Date)>,
}

fn when(raw: &str, xlsx: bool) -> Option<DateTime> {
    when_precise(raw, xlsx).map(|(t, _)| t)
}

/// A date-time and how precisely it was written. An XLSX cell holds a number, shown with seconds
/// whatever its format: there a time on the minute counts as given to the minute (and midnight as
/// a date alone).
fn when_precise(raw: &str, xlsx: bool) -> Option<(DateTime, Precision)> {
    let parsed = DateTime::parse_precise(raw).or_else(|| {
        if xlsx {
            kaohe_tables::cell::decimal(raw)
                .and_then(DateTime::from_excel_serial)
                .map(|t| (t, Precision::Second))
        } else {
            None
        }
    })?;
    Some(match parsed {
        (t, Precision::Second) if xlsx && t.secs == 0 => (t, Precision::Day),
        (t, Precision::Second) if xlsx && t.secs % 60 == 0 => (t, Precision::Minute),
        x => x,
    })
}

const DATE_EXPECTED: &str = "日期时间，如 2021-03-05 09:31:00、2021/3/5 9:31 或 20210305T093100";

fn bad_utf8(out: &mut Vec<Problem>, file: &str, row: u32, header: String, lossy: String) {
    out.push(
        Problem::error("单元格不是有效的 UTF-8 文本（文件编码混杂？）")
            .at(Some(Origin::row(file, row).with_column(header)))
            .value(lossy)
            .expected("整个文件使用同一种编码：UTF-8 或 GBK"),
    );
}

/// What parsing a row needs to know of its file.
pub(super) struct Meta {
    pub(super) name: String,
    pub(super) headers: Vec<String>,
    pub(super) xlsx: bool,
}

/// Parses one row; every bad cell becomes a problem.
pub(super) fn parse<'r>(
    row: &'r impl Cells,
    cols: &Columns,
    ix: &Idx,
    src: &Meta,
    units: &mut UnitMap,
    out: &mut Vec<Problem>,
) -> Option<Parsed<'r>> {
    let before = out.len();
    let xlsx = src.xlsx;
    // UTF-8 problems were reported by the caller before; here every field is text.
    // Each field is fetched once; a cell that is not valid UTF-8 (a file with mixed encodings) is
    // reported, never mangled.
    let mut not_utf8: Vec<(Option<usize>, String)> = Vec::new();
    let mut get = |col: Option<usize>| -> &'r str {
        match row.get(col) {
            Ok(s) => s,
            Err(lossy) => {
                not_utf8.push((col, lossy));
                ""
            }
        }
    };
    let case_id = trim(get(ix.case_id));
    let item_code = trim(get(ix.item_code));
    let item_name = trim(get(ix.item_name));
    let unit_raw = get(ix.unit);
    let ch_raw = get(ix.channel);
    let kind_raw = get(ix.kind);
    let acc_raw = get(ix.accepted_at);
    let lim_raw = get(ix.limit);
    let lu_raw = get(ix.limit_unit);
    let done_raw = get(ix.completed_at);
    let ss_raw = get(ix.special_start);
    let se_raw = get(ix.special_end);
    for (col, lossy) in not_utf8 {
        let header = col
            .and_then(|c| src.headers.get(c))
            .cloned()
            .unwrap_or_default();
        bad_utf8(out, &src.name, row.number(), header, lossy);
    }
    let mut bad = |key: &str, raw: &str, msg: String, expected: &str| {
        out.push(
            Problem::error(msg)
                .at(Some(
                    Origin::row(&src.name, row.number()).with_column(
                        src.headers
                            .get(cols.index(key).unwrap_or(usize::MAX))
                            .cloned()
                            .unwrap_or_else(|| key.to_string()),
                    ),
                ))
                .value(raw)
                .expected(expected),
        )
    };
    if case_id.is_empty() {
        bad("case_id", case_id, "办件编号为空".into(), "非空的办件编号");
    }
    if item_code.is_empty() {
        bad(
            "item_code",
            item_code,
            "事项编码为空".into(),
            "非空的事项编码",
        );
    }
    let unit = match units.resolve(unit_raw) {
        Ok(u) => Some(u),
        Err(m) => {
            bad(
                "unit",
                unit_raw,
                m,
                "单位表中的区划代码（9位，或村居12位）或单位名称",
            );
            None
        }
    };
    let ch = channel(ch_raw);
    if ch.is_none() {
        bad(
            "channel",
            ch_raw,
            "申报来源无法识别".into(),
            "1 窗口 / 2 电脑端网上 / 3 移动端 / 4 快递 / 9 其他，或对应文字",
        );
    }
    let imm = if trim(kind_raw).is_empty() {
        None
    } else {
        let k = immediate(kind_raw);
        if k.is_none() {
            bad(
                "kind",
                kind_raw,
                "办件类型无法识别".into(),
                "1 即办件 / 2 承诺件",
            );
        }
        k
    };
    let accepted_precise = when_precise(acc_raw, xlsx);
    let accepted = accepted_precise.map(|(t, _)| t);
    if accepted.is_none() {
        bad(
            "accepted_at",
            acc_raw,
            if trim(acc_raw).is_empty() {
                "受理时间为空".into()
            } else {
                "受理时间无法识别".into()
            },
            DATE_EXPECTED,
        );
    }
    let unit_of_limit = limit_unit(lu_raw);
    if unit_of_limit.is_none() {
        bad(
            "limit_unit",
            lu_raw,
            "时限单位无法识别".into(),
            "工作日 或 自然日",
        );
    }
    let days = if imm == Some(true) {
        Some(0)
    } else if trim(lim_raw).is_empty() {
        bad(
            "limit",
            lim_raw,
            "承诺时限为空".into(),
            "承诺件须有承诺时限（整数天）；即办件请在办件类型中注明",
        );
        None
    } else {
        let d = kaohe_tables::cell::whole(lim_raw)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n <= 3650);
        if d.is_none() {
            bad(
                "limit",
                lim_raw,
                "承诺时限不是整数天数".into(),
                "0 到 3650 的整数",
            );
        }
        d
    };
    let completed = if trim(done_raw).is_empty() {
        Some(None)
    } else {
        match when_precise(done_raw, xlsx) {
            // Compared at the coarser precision of the two (a time to the minute to the minute).
            Some((t, p)) if accepted_precise.is_some_and(|(a, q)| t.before(p, a, q)) => {
                bad(
                    "completed_at",
                    done_raw,
                    "办结时间早于受理时间".into(),
                    "不早于受理时间的日期时间",
                );
                None
            }
            Some((t, _)) => Some(Some(t)),
            None => {
                bad(
                    "completed_at",
                    done_raw,
                    "办结时间无法识别".into(),
                    DATE_EXPECTED,
                );
                None
            }
        }
    };
    let special = match (trim(ss_raw).is_empty(), trim(se_raw).is_empty()) {
        (true, true) => Some(None),
        (false, false) => match (when(ss_raw, xlsx), when(se_raw, xlsx)) {
            (Some(a), Some(b)) if b >= a => Some(Some((a.date, b.date))),
            (Some(_), Some(_)) => {
                bad(
                    "special_end",
                    se_raw,
                    "特别程序结束时间早于开始时间".into(),
                    "不早于开始时间的日期",
                );
                None
            }
            (a, _) => {
                if a.is_none() {
                    bad(
                        "special_start",
                        ss_raw,
                        "特别程序开始时间无法识别".into(),
                        DATE_EXPECTED,
                    );
                } else {
                    bad(
                        "special_end",
                        se_raw,
                        "特别程序结束时间无法识别".into(),
                        DATE_EXPECTED,
                    );
                }
                None
            }
        },
        (false, true) => {
            bad(
                "special_end",
                se_raw,
                "有特别程序开始时间而无结束时间".into(),
                "开始、结束时间成对填写",
            );
            None
        }
        (true, false) => {
            bad(
                "special_start",
                ss_raw,
                "有特别程序结束时间而无开始时间".into(),
                "开始、结束时间成对填写",
            );
            None
        }
    };
    let failed = out.len() > before;
    if failed {
        return None;
    }
    Some(Parsed {
        case_id,
        unit: unit?,
        item_code,
        item_name,
        online: matches!(ch?, 2 | 3),
        accepted: accepted?,
        limit: Limit {
            days: days?,
            unit: unit_of_limit?,
        },
        completed: completed?,
        special: special?,
    })
}
