//! 检查记录 (DATA.md §1): who inspected a unit on a clause that requires an inspection record
//! (`inspection = "required"` in the rubric), and when — one row per unit, clause and visit:
//!
//! ```text
//! 单位,条款,检查人,检查日期
//! 掘港街道,1.1.1,张三,2024-05-08
//! ```
//!
//! With a record and no findings the clause is full marks; without one it is missing (未检查).
//! Read like the findings table: every bad cell is a problem with file, row, column and value.

use crate::batch::{Resolver, bad, unit_of};
use crate::header::{Field, map_columns};
use crate::sheet::Sheet;
use kaohe_core::input::{Inputs, InspectionEntry};
use kaohe_core::{Date, Problem};

static INSPECTION_FIELDS: &[Field] = &[
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
        key: "inspector",
        label: "检查人",
        required: true,
        aliases: &["检查人", "考核员", "检查人员"],
    },
    Field {
        key: "date",
        label: "检查日期",
        required: true,
        aliases: &["检查日期", "日期", "检查时间"],
    },
];

/// Reads the inspections table into `inputs.inspections`.
pub(crate) fn read(sheet: &Sheet, r: &Resolver, inputs: &mut Inputs, problems: &mut Vec<Problem>) {
    let Some(cols) = map_columns(sheet, INSPECTION_FIELDS, problems) else {
        return;
    };
    for row in &sheet.rows {
        let unit = unit_of(sheet, &cols, row, r, problems);
        let raw = cols.get("date", &row.cells);
        let Some(date) = Date::parse(raw.trim()) else {
            problems.push(bad(
                sheet,
                &cols,
                row.number,
                "date",
                raw,
                "检查日期无法识别".into(),
                "日期，如 2024-05-08",
            ));
            continue;
        };
        if let Some(unit) = unit {
            inputs.inspections.push(InspectionEntry {
                unit,
                clause: r.clause(&cols, row),
                inspector: cols.get("inspector", &row.cells).trim().to_string(),
                date,
                origin: Some(sheet.origin(row.number)),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::read_inputs_from_files;

    const RUBRIC: &str = include_str!("../../../rubrics/example-window-service.toml");

    #[test]
    fn findings_with_types_and_chosen_points_and_inspection_records_are_read() {
        let (rubric, _) = kaohe_core::rubric::load("w.toml", RUBRIC);
        let rubric = rubric.unwrap();
        let files = vec![
            ("units.csv".to_string(), "单位编码,单位名称,类型\nA,窗口A,镇\n".as_bytes().to_vec()),
            (
                "findings.csv".to_string(),
                "单位,条款,问题描述,问题类型,扣分,扣分理由\nA,1.1.1,入口无指引,标识不醒目,,\nA,1.2.1,推诿,,3,群众投诉\nA,1.2.1,推诿,,三,x\n"
                    .as_bytes()
                    .to_vec(),
            ),
            (
                "检查记录.csv".to_string(),
                "单位,条款,检查人,检查日期\nA,1.1.1,张三,2024-05-08\nA,1.1.1,张三,昨天\n".as_bytes().to_vec(),
            ),
        ];
        let (inputs, _, problems) = read_inputs_from_files(files, &rubric);
        assert_eq!(inputs.findings.len(), 2);
        assert_eq!(
            inputs.findings[0].finding_type.as_deref(),
            Some("标识不醒目")
        );
        assert_eq!(
            inputs.findings[1].points.map(|p| p.to_string()).as_deref(),
            Some("3")
        );
        assert_eq!(inputs.findings[1].reason.as_deref(), Some("群众投诉"));
        assert_eq!(inputs.inspections.len(), 1);
        assert_eq!(inputs.inspections[0].inspector, "张三");
        let msgs: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("扣分不是数字") && m.contains("第4行")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("检查日期无法识别")),
            "{msgs:?}"
        );
        let scored = kaohe_core::score(&rubric, &inputs);
        let u = &scored.units[0];
        let ci = rubric.clause_index("1.1.1").unwrap();
        assert_eq!(
            scored.clauses(u)[ci]
                .score()
                .map(|s| s.to_string())
                .as_deref(),
            Some("4")
        );
    }
}
