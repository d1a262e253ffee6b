//! The inputs of `kaohe score` (DATA.md §1): a folder with one file per table, or one workbook with one
//! sheet per table. Tables: units (required), metrics, judgements, findings, bonus, inspections
//! ([`crate::inspections`]). Findings may carry a 问题类型, a chosen 扣分 and its 扣分理由. Units may be
//! named by code or by name; rates may be written `0.987` or `98.7%` (or `98.7` where the rubric
//! declares the metric's bare numbers as percent). Every bad cell is a problem with file, row,
//! column, raw value and expectation; a bad row is never dropped silently.

use crate::cell::{self, RateForm};
use crate::header::{Columns, Field, map_columns};
use crate::sheet::{self, Sheet, Workbook, display_name};
use kaohe_core::input::Id;
use kaohe_core::input::*;
use kaohe_core::rubric::{MetricKind, Rubric};
use kaohe_core::{Origin, Problem};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The tables of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Units,
    Metrics,
    Judgements,
    Findings,
    Bonus,
    /// 检查记录: who inspected a unit on a clause that requires it, and when.
    Inspections,
}

impl Table {
    pub const ALL: [Table; 6] = [
        Table::Units,
        Table::Metrics,
        Table::Judgements,
        Table::Findings,
        Table::Bonus,
        Table::Inspections,
    ];
    /// File or sheet names accepted for the table.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Table::Units => &["units", "单位", "单位表", "被考核单位"],
            Table::Metrics => &["metrics", "指标", "指标数据"],
            Table::Judgements => &["judgements", "评分", "考核评分"],
            Table::Findings => &["findings", "问题", "问题记录", "扣分记录"],
            Table::Bonus => &["bonus", "加分"],
            Table::Inspections => &["inspections", "检查记录", "检查"],
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Table::Units => "单位表",
            Table::Metrics => "指标数据",
            Table::Judgements => "评分表",
            Table::Findings => "问题记录",
            Table::Bonus => "加分表",
            Table::Inspections => "检查记录",
        }
    }
    fn matches(self, stem: &str) -> bool {
        let s = stem.trim().to_lowercase();
        self.names().iter().any(|n| *n == s)
    }
}

/// What was read: for each table, the sheet name and row count.
#[derive(Debug, Clone, Default)]
pub struct BatchSource {
    pub tables: Vec<(Table, String, usize)>,
}

static UNIT_FIELDS: &[Field] = &[
    Field {
        key: "code",
        label: "单位编码",
        required: true,
        aliases: &["单位编码", "编码", "区划代码", "行政区划代码"],
    },
    Field {
        key: "name",
        label: "单位名称",
        required: true,
        aliases: &["单位名称", "名称", "单位"],
    },
    Field {
        key: "kind",
        label: "类型",
        required: true,
        aliases: &["类型", "单位类型", "类别"],
    },
];
static METRIC_FIELDS: &[Field] = &[
    Field {
        key: "unit",
        label: "单位",
        required: true,
        aliases: &["单位", "单位编码", "单位名称"],
    },
    Field {
        key: "metric",
        label: "指标",
        required: true,
        aliases: &["指标", "指标名称", "指标代码"],
    },
    Field {
        key: "value",
        label: "数值",
        required: true,
        aliases: &["数值", "值", "指标值"],
    },
];
static JUDGEMENT_FIELDS: &[Field] = &[
    Field {
        key: "unit",
        label: "单位",
        required: true,
        aliases: &["单位", "单位编码", "单位名称"],
    },
    Field {
        key: "clause",
        label: "条款",
        required: true,
        aliases: &["条款", "条款编号", "序号"],
    },
    Field {
        key: "score",
        label: "得分",
        required: true,
        aliases: &["得分", "分数", "评分"],
    },
    Field {
        key: "reason",
        label: "理由",
        required: false,
        aliases: &["理由", "扣分理由", "说明"],
    },
    Field {
        key: "assessor",
        label: "考核员",
        required: false,
        aliases: &["考核员", "评分人"],
    },
];
static FINDING_FIELDS: &[Field] = &[
    Field {
        key: "unit",
        label: "单位",
        required: true,
        aliases: &["单位", "单位编码", "单位名称"],
    },
    Field {
        key: "clause",
        label: "条款",
        required: true,
        aliases: &["条款", "条款编号"],
    },
    Field {
        key: "description",
        label: "问题描述",
        required: true,
        aliases: &["问题描述", "问题", "描述"],
    },
    Field {
        key: "evidence",
        label: "佐证",
        required: false,
        aliases: &["佐证", "佐证材料", "证据"],
    },
    Field {
        key: "type",
        label: "问题类型",
        required: false,
        aliases: &["问题类型", "类型"],
    },
    Field {
        key: "points",
        label: "扣分",
        required: false,
        aliases: &["扣分", "酌情扣分", "扣分分值"],
    },
    Field {
        key: "reason",
        label: "扣分理由",
        required: false,
        aliases: &["扣分理由", "理由"],
    },
];
static BONUS_FIELDS: &[Field] = &[
    Field {
        key: "unit",
        label: "单位",
        required: true,
        aliases: &["单位", "单位编码", "单位名称"],
    },
    Field {
        key: "clause",
        label: "条款",
        required: true,
        aliases: &["条款", "条款编号"],
    },
    Field {
        key: "points",
        label: "加分",
        required: true,
        aliases: &["加分", "分值", "加分分值"],
    },
    Field {
        key: "reason",
        label: "理由",
        required: true,
        aliases: &["理由", "加分理由", "说明"],
    },
];

/// Reads the batch at `path` (a folder or an .xlsx workbook) against `rubric`.
pub fn read_inputs(path: &Path, rubric: &Rubric) -> (Inputs, BatchSource, Vec<Problem>) {
    let mut problems = Vec::new();
    let sheets = if path.is_dir() {
        sheets_from_dir(path, &mut problems)
    } else {
        sheets_from_workbook(path, &mut problems)
    };
    let mut out = inputs_from_sheets(sheets, &display_name(path), rubric, problems);
    crate::limits::cap_problems(&mut out.2);
    out
}

/// Reads a batch given as files in memory: (file name with extension, bytes), e.g. the embedded demo.
pub fn read_inputs_from_files(
    files: Vec<(String, Vec<u8>)>,
    rubric: &Rubric,
) -> (Inputs, BatchSource, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut named = Vec::new();
    for (name, bytes) in files {
        let stem = name
            .rsplit_once('.')
            .map_or(name.as_str(), |(s, _)| s)
            .to_string();
        named.push((stem, name, bytes));
    }
    let sheets = pick_tables(named, &mut problems);
    let mut out = inputs_from_sheets(sheets, "输入", rubric, problems);
    crate::limits::cap_problems(&mut out.2);
    out
}

fn inputs_from_sheets(
    sheets: Vec<(Table, Sheet)>,
    place: &str,
    rubric: &Rubric,
    mut problems: Vec<Problem>,
) -> (Inputs, BatchSource, Vec<Problem>) {
    let mut source = BatchSource::default();
    let mut inputs = Inputs::default();
    let Some(units_sheet) = sheets.iter().find(|(t, _)| *t == Table::Units) else {
        if !problems.iter().any(Problem::is_error) {
            problems.push(
                Problem::error("缺少单位表")
                    .at(Some(Origin::file(place)))
                    .expected(
                        "units.csv / 单位.csv / units.xlsx，或工作簿中名为 units / 单位 的工作表",
                    ),
            );
        }
        return (inputs, source, problems);
    };
    for (t, s) in &sheets {
        source.tables.push((*t, s.name.clone(), s.rows.len()));
    }
    inputs.units = read_units(&units_sheet.1, table_kinds(Some(rubric)), &mut problems);
    let resolver = Resolver::new(&inputs.units, rubric);
    for (t, s) in &sheets {
        match t {
            Table::Units => {}
            Table::Metrics => read_metrics(s, rubric, &resolver, &mut inputs, &mut problems),
            Table::Judgements => read_judgements(s, &resolver, &mut inputs, &mut problems),
            Table::Findings => read_findings(s, &resolver, &mut inputs, &mut problems),
            Table::Bonus => read_bonus(s, &resolver, &mut inputs, &mut problems),
            Table::Inspections => {
                crate::inspections::read(s, &resolver, &mut inputs, &mut problems)
            }
        }
    }
    (inputs, source, problems)
}

fn sheets_from_dir(dir: &Path, problems: &mut Vec<Problem>) -> Vec<(Table, Sheet)> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            problems.push(
                Problem::error(format!("无法读取目录：{e}"))
                    .at(Some(Origin::file(dir.display().to_string()))),
            );
            return Vec::new();
        }
    };
    files.sort();
    let mut named = Vec::new();
    for f in files {
        let ext = f
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if !matches!(ext.as_str(), "csv" | "xlsx") || !f.is_file() {
            continue;
        }
        let stem = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let limit = if ext == "xlsx" {
            (crate::limits::MAX_XLSX_FILE_BYTES, "XLSX 工作簿")
        } else {
            (crate::limits::MAX_TABLE_FILE_BYTES, "CSV 表格")
        };
        match sheet::read_bytes_limited(&f, limit.0, limit.1) {
            Ok(bytes) => named.push((stem, display_name(&f), bytes)),
            Err(p) => problems.push(p),
        }
    }
    pick_tables(named, problems)
}

/// Matches files (stem, name, bytes) to tables and reads them.
fn pick_tables(
    files: Vec<(String, String, Vec<u8>)>,
    problems: &mut Vec<Problem>,
) -> Vec<(Table, Sheet)> {
    let mut found: HashMap<Table, String> = HashMap::new();
    let mut out = Vec::new();
    for (stem, name, bytes) in files {
        let Some(t) = Table::ALL.into_iter().find(|t| t.matches(&stem)) else {
            problems.push(
                Problem::note(format!("文件“{name}”不是已知的输入表，已忽略"))
                    .at(Some(Origin::file(&name))),
            );
            continue;
        };
        if let Some(prev) = found.get(&t) {
            problems.push(
                Problem::error(format!("{}有两个文件：{prev} 与 {name}", t.label()))
                    .at(Some(Origin::file(&name)))
                    .expected("每张表只放一个文件"),
            );
            continue;
        }
        found.insert(t, name.clone());
        match sheet::from_bytes(&name, bytes) {
            Ok(s) => out.push((t, s)),
            Err(p) => problems.push(p),
        }
    }
    out
}

fn sheets_from_workbook(path: &Path, problems: &mut Vec<Problem>) -> Vec<(Table, Sheet)> {
    let mut wb = match Workbook::open(path) {
        Ok(wb) => wb,
        Err(p) => {
            problems.push(p);
            return Vec::new();
        }
    };
    let mut out: Vec<(Table, Sheet)> = Vec::new();
    for name in wb.sheet_names() {
        let Some(t) = Table::ALL.into_iter().find(|t| t.matches(&name)) else {
            problems.push(
                Problem::note(format!("工作表“{name}”不是已知的输入表，已忽略"))
                    .at(Some(Origin::file(display_name(path)))),
            );
            continue;
        };
        if out.iter().any(|(x, _)| *x == t) {
            problems.push(
                Problem::error(format!("{}有两个工作表（又见“{name}”）", t.label()))
                    .at(Some(Origin::file(display_name(path))))
                    .expected("每张表只有一个工作表"),
            );
            continue;
        }
        match wb.sheet(&name) {
            Ok(s) => out.push((t, s)),
            Err(p) => problems.push(p),
        }
    }
    out
}

/// Reports a bad cell.
pub(crate) fn bad(
    sheet: &Sheet,
    cols: &Columns,
    row: u32,
    key: &str,
    raw: &str,
    msg: String,
    expected: &str,
) -> Problem {
    Problem::error(msg)
        .at(Some(sheet.origin(row).with_column(cols.header(key, sheet))))
        .value(raw)
        .expected(expected)
}

/// The kinds a unit table is checked against here: kaohe's three for a format-1 rubric without
/// `unit_kinds` (and for a units file read alone); otherwise any non-empty kind, which the scoring core
/// checks against the rubric's own list (one problem per unit, the unit kept).
fn table_kinds(rubric: Option<&Rubric>) -> Option<&'static [&'static str]> {
    match rubric {
        Some(r) if r.shapes.unit_kinds.is_some() || r.shapes.format >= 2 => None,
        _ => Some(kaohe_core::rubric::shapes::LEGACY_UNIT_KINDS),
    }
}

/// Reads a units table alone (a CSV or XLSX file), e.g. for `kaohe ingest --units`.
pub fn read_units_file(path: &Path) -> (Vec<Unit>, Vec<Problem>) {
    let mut problems = Vec::new();
    let units = match sheet::read_any(path) {
        Ok(s) => read_units(&s, table_kinds(None), &mut problems),
        Err(p) => {
            problems.push(p);
            Vec::new()
        }
    };
    if units.is_empty() && !problems.iter().any(Problem::is_error) {
        problems
            .push(Problem::error("单位表没有任何单位").at(Some(Origin::file(display_name(path)))));
    }
    (units, problems)
}

fn read_units(sheet: &Sheet, kinds: Option<&[&str]>, problems: &mut Vec<Problem>) -> Vec<Unit> {
    let Some(cols) = map_columns(sheet, UNIT_FIELDS, problems) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for row in &sheet.rows {
        let code = cell::normalize(cols.get("code", &row.cells));
        let name = cell::clean(cols.get("name", &row.cells));
        let kind_raw = cols.get("kind", &row.cells);
        let kind = cell::normalize(kind_raw);
        let mut ok = true;
        if code.is_empty() || code.contains(char::is_whitespace) {
            problems.push(bad(
                sheet,
                &cols,
                row.number,
                "code",
                &code,
                "单位编码为空或含空格".into(),
                "非空、不含空格的编码，如 320623001",
            ));
            ok = false;
        }
        if name.is_empty() {
            problems.push(bad(
                sheet,
                &cols,
                row.number,
                "name",
                &name,
                "单位名称为空".into(),
                "单位名称，如 掘港街道",
            ));
            ok = false;
        }
        let known = match kinds {
            Some(list) => list.contains(&kind.as_str()),
            None => !kind.is_empty(),
        };
        if !known {
            let expected = match kinds {
                Some(list) => list.join(" / "),
                None => "单位类型，如 镇".into(),
            };
            problems.push(bad(
                sheet,
                &cols,
                row.number,
                "kind",
                kind_raw,
                format!("单位类型“{kind}”无法识别"),
                &expected,
            ));
            ok = false;
        }
        if ok {
            out.push(Unit {
                code: code.into(),
                name,
                kind,
                origin: Some(sheet.origin(row.number)),
            });
        }
    }
    out
}

/// Resolves a unit given by code or by name to the unit table's code (one shared allocation per
/// unit), and a clause id to the rubric's.
pub(crate) struct Resolver {
    codes: HashMap<String, Id>,
    names: HashMap<String, Vec<Id>>,
    clauses: HashMap<String, Id>,
}

impl Resolver {
    fn new(units: &[Unit], rubric: &Rubric) -> Self {
        let mut codes = HashMap::new();
        let mut names: HashMap<String, Vec<Id>> = HashMap::new();
        for u in units {
            codes.insert(u.code.to_string(), u.code.clone());
            names
                .entry(u.name.clone())
                .or_default()
                .push(u.code.clone());
        }
        let clauses = rubric
            .clauses
            .iter()
            .map(|c| (c.id.to_string(), c.id.clone()))
            .collect();
        Resolver {
            codes,
            names,
            clauses,
        }
    }
    fn resolve(&self, raw: &str) -> Result<Id, String> {
        let s = cell::normalize(raw);
        if let Some(c) = self.codes.get(&s) {
            return Ok(c.clone());
        }
        let s = cell::clean(raw);
        match self.names.get(&s).map(Vec::as_slice) {
            Some([one]) => Ok(one.clone()),
            Some(many) => Err(format!(
                "单位名称“{s}”对应多个单位（{}），请用单位编码",
                many.iter()
                    .map(|c| c.as_ref())
                    .collect::<Vec<_>>()
                    .join("、")
            )),
            None => Err(format!("未知单位“{s}”：单位表中没有这个编码或名称")),
        }
    }
    /// A clause id as the rubric spells it (case and width folded); unknown ids are kept as typed,
    /// for the engine to report.
    pub(crate) fn clause(&self, cols: &Columns, row: &crate::Row) -> Id {
        let s = cell::normalize(cols.get("clause", &row.cells)).to_lowercase();
        self.clauses.get(&s).cloned().unwrap_or_else(|| s.into())
    }
}

pub(crate) fn unit_of(
    sheet: &Sheet,
    cols: &Columns,
    row: &crate::Row,
    r: &Resolver,
    problems: &mut Vec<Problem>,
) -> Option<Id> {
    let raw = cols.get("unit", &row.cells);
    match r.resolve(raw) {
        Ok(c) => Some(c),
        Err(msg) => {
            problems.push(bad(
                sheet,
                cols,
                row.number,
                "unit",
                raw,
                msg,
                "单位表中的单位编码或单位名称",
            ));
            None
        }
    }
}

fn read_metrics(
    sheet: &Sheet,
    rubric: &Rubric,
    r: &Resolver,
    inputs: &mut Inputs,
    problems: &mut Vec<Problem>,
) {
    let Some(cols) = map_columns(sheet, METRIC_FIELDS, problems) else {
        return;
    };
    for row in &sheet.rows {
        let unit = unit_of(sheet, &cols, row, r, problems);
        let metric_raw = cols.get("metric", &row.cells);
        let key = cell::normalize(metric_raw);
        let def = rubric
            .metrics
            .iter()
            .find(|m| *m.key == *key || m.name == key);
        let Some(def) = def else {
            let known: Vec<String> = rubric
                .metrics
                .iter()
                .map(|m| format!("{}（{}）", m.key, m.name))
                .collect();
            problems.push(bad(
                sheet,
                &cols,
                row.number,
                "metric",
                metric_raw,
                format!("未知指标“{key}”"),
                &format!("细则定义的指标之一：{}", known.join("、")),
            ));
            continue;
        };
        let raw = cols.get("value", &row.cells);
        let value = match def.kind {
            MetricKind::Rate => match cell::maybe_percent(raw) {
                Some((v, RateForm::Percent)) => Some(v / Decimal::ONE_HUNDRED),
                Some((v, RateForm::Bare)) if def.bare_percent => Some(v / Decimal::ONE_HUNDRED),
                Some((v, RateForm::Bare)) if v > Decimal::ONE => {
                    problems.push(bad(
                        sheet,
                        &cols,
                        row.number,
                        "value",
                        raw,
                        format!("{}“{raw}”大于 1：比率请写成小数或带百分号", def.name),
                        "0 到 1 之间的小数（如 0.987）或百分数（如 98.7%）",
                    ));
                    continue;
                }
                Some((v, RateForm::Bare)) => Some(v),
                None => None,
            },
            MetricKind::Count => cell::whole(raw).map(Decimal::from),
            MetricKind::Number => cell::decimal(raw),
        };
        let Some(value) = value else {
            let expected = match def.kind {
                MetricKind::Rate => "比率，如 0.987 或 98.7%",
                MetricKind::Count => "不小于 0 的整数",
                MetricKind::Number => "数字，如 12.5",
            };
            problems.push(bad(
                sheet,
                &cols,
                row.number,
                "value",
                raw,
                format!("{}的数值无法识别", def.name),
                expected,
            ));
            continue;
        };
        if let Some(unit) = unit {
            inputs.metrics.push(MetricEntry {
                unit,
                metric: def.key.clone(),
                value,
                origin: Some(sheet.origin(row.number)),
            });
        }
    }
}

fn read_judgements(sheet: &Sheet, r: &Resolver, inputs: &mut Inputs, problems: &mut Vec<Problem>) {
    let Some(cols) = map_columns(sheet, JUDGEMENT_FIELDS, problems) else {
        return;
    };
    for row in &sheet.rows {
        let unit = unit_of(sheet, &cols, row, r, problems);
        let raw = cols.get("score", &row.cells);
        let Some(score) = cell::decimal(raw) else {
            problems.push(bad(
                sheet,
                &cols,
                row.number,
                "score",
                raw,
                "得分不是数字".into(),
                "数字，如 0.05",
            ));
            continue;
        };
        let assessor =
            Some(cell::normalize(cols.get("assessor", &row.cells))).filter(|s| !s.is_empty());
        if let Some(unit) = unit {
            inputs.judgements.push(JudgementEntry {
                unit,
                clause: r.clause(&cols, row),
                score,
                reason: cols.get("reason", &row.cells).trim().into(),
                assessor: assessor.map(Into::into),
                origin: Some(sheet.origin(row.number)),
            });
        }
    }
}

fn read_findings(sheet: &Sheet, r: &Resolver, inputs: &mut Inputs, problems: &mut Vec<Problem>) {
    let Some(cols) = map_columns(sheet, FINDING_FIELDS, problems) else {
        return;
    };
    let text = |key: &str, row: &crate::Row| {
        Some(cols.get(key, &row.cells).trim().to_string()).filter(|s| !s.is_empty())
    };
    for row in &sheet.rows {
        // 扣分: empty for a clause that deducts its fixed points; a number where the assessor chose.
        let raw = cols.get("points", &row.cells);
        let points = match raw.trim() {
            "" => None,
            _ => match cell::decimal(raw) {
                Some(p) => Some(p),
                None => {
                    problems.push(bad(
                        sheet,
                        &cols,
                        row.number,
                        "points",
                        raw,
                        "扣分不是数字".into(),
                        "酌情扣分的分值，如 3；按固定分值扣分的留空",
                    ));
                    continue;
                }
            },
        };
        if let Some(unit) = unit_of(sheet, &cols, row, r, problems) {
            inputs.findings.push(FindingEntry {
                unit,
                clause: r.clause(&cols, row),
                description: cols.get("description", &row.cells).trim().to_string(),
                evidence: text("evidence", row),
                finding_type: text("type", row),
                points,
                reason: text("reason", row),
                origin: Some(sheet.origin(row.number)),
            });
        }
    }
}

fn read_bonus(sheet: &Sheet, r: &Resolver, inputs: &mut Inputs, problems: &mut Vec<Problem>) {
    let Some(cols) = map_columns(sheet, BONUS_FIELDS, problems) else {
        return;
    };
    for row in &sheet.rows {
        let unit = unit_of(sheet, &cols, row, r, problems);
        let raw = cols.get("points", &row.cells);
        let Some(points) = cell::decimal(raw) else {
            problems.push(bad(
                sheet,
                &cols,
                row.number,
                "points",
                raw,
                "加分不是数字".into(),
                "大于 0 的数字，如 0.02",
            ));
            continue;
        };
        if let Some(unit) = unit {
            inputs.bonuses.push(BonusEntry {
                unit,
                clause: r.clause(&cols, row),
                points,
                reason: cols.get("reason", &row.cells).trim().to_string(),
                origin: Some(sheet.origin(row.number)),
            });
        }
    }
}
