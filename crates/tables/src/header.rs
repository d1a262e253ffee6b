//! Header aliases: a table declares its fields with Chinese and English names; a file's header row
//! is matched to them whatever the column order, case, spaces or full-width letters. Unknown columns
//! are ignored with a note; a missing required column and a column named twice are errors.

use crate::cell::normalize;
use crate::limits::shown;

/// Unknown columns named in the one note that lists them; the rest are counted.
const UNKNOWN_LISTED: usize = 20;
use crate::sheet::Sheet;
use kaohe_core::{Origin, Problem};

/// One field of a table.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    /// The name shown in problems (Chinese).
    pub label: &'static str,
    pub required: bool,
    pub aliases: &'static [&'static str],
}

/// Field → column index in a sheet.
#[derive(Debug, Clone)]
pub struct Columns {
    idx: Vec<Option<usize>>,
    fields: &'static [Field],
}

impl Columns {
    pub fn get<'r>(&self, key: &str, cells: &'r [String]) -> &'r str {
        self.position(key)
            .and_then(|i| cells.get(i))
            .map(String::as_str)
            .unwrap_or("")
    }
    pub fn has(&self, key: &str) -> bool {
        self.position(key).is_some()
    }
    /// The column index of a field, when the file has it.
    pub fn index(&self, key: &str) -> Option<usize> {
        self.position(key)
    }
    fn position(&self, key: &str) -> Option<usize> {
        let f = self.fields.iter().position(|f| f.key == key)?;
        self.idx[f]
    }
    /// The header text of a field's column as the file wrote it (for problems).
    pub fn header<'s>(&self, key: &str, sheet: &'s Sheet) -> &'s str {
        self.position(key)
            .and_then(|i| sheet.headers.get(i))
            .map(String::as_str)
            .unwrap_or("")
    }
}

fn fold(s: &str) -> String {
    normalize(s)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '*')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Matches the sheet's header row to `fields`, reporting problems into `problems`.
/// Returns `None` when a required column is missing.
pub fn map_columns(
    sheet: &Sheet,
    fields: &'static [Field],
    problems: &mut Vec<Problem>,
) -> Option<Columns> {
    let mut idx: Vec<Option<usize>> = vec![None; fields.len()];
    let mut ok = true;
    // Unknown columns: one note for all of them (a file of a million columns is one cause).
    let mut unknown: Vec<&str> = Vec::new();
    let mut unknown_count = 0usize;
    for (col, h) in sheet.headers.iter().enumerate() {
        let key = fold(h);
        if key.is_empty() {
            continue;
        }
        let hit = fields
            .iter()
            .position(|f| fold(f.key) == key || f.aliases.iter().any(|a| fold(a) == key));
        match hit {
            Some(f) if idx[f].is_some() => {
                problems.push(
                    Problem::error(format!("“{}”列出现了两次", fields[f].label))
                        .at(Some(Origin::row(&sheet.name, 1).with_column(shown(h))))
                        .value(shown(h))
                        .expected("每个字段只占一列"),
                );
                ok = false;
            }
            Some(f) => idx[f] = Some(col),
            None => {
                unknown_count += 1;
                if unknown.len() < UNKNOWN_LISTED {
                    unknown.push(h);
                }
            }
        }
    }
    match unknown.as_slice() {
        [] => {}
        [one] => problems.push(
            Problem::note(format!("未知列“{}”，已忽略", shown(one)))
                .at(Some(Origin::row(&sheet.name, 1).with_column(shown(one))))
                .value(shown(one)),
        ),
        many => {
            let names: Vec<String> = many.iter().map(|h| format!("“{}”", shown(h))).collect();
            let more = if unknown_count > many.len() {
                format!("等 {unknown_count} 列")
            } else {
                format!("共 {unknown_count} 列")
            };
            problems.push(
                Problem::note(format!("未知列{}{more}，已忽略", names.join("、")))
                    .at(Some(Origin::row(&sheet.name, 1))),
            );
        }
    }
    for (f, field) in fields.iter().enumerate() {
        if field.required && idx[f].is_none() {
            let names: Vec<&str> = std::iter::once(field.key)
                .chain(field.aliases.iter().copied())
                .collect();
            problems.push(
                Problem::error(format!("缺少“{}”列", field.label))
                    .at(Some(Origin::row(&sheet.name, 1)))
                    .value(shown(&sheet.headers.join(",")))
                    .expected(format!("表头中有以下名称之一：{}", names.join(" / "))),
            );
            ok = false;
        }
    }
    ok.then_some(Columns { idx, fields })
}

/// Rows searched for the header row: a title, a date or a note may stand above it in an export.
pub const HEADER_SEARCH_ROWS: usize = 10;

/// Whether `cells` name every required field of `fields` (the expected columns).
pub fn names_required(cells: &[String], fields: &[Field]) -> bool {
    let folded: Vec<String> = cells.iter().map(|c| fold(c)).collect();
    fields.iter().filter(|f| f.required).all(|f| {
        folded.iter().any(|k| {
            !k.is_empty() && (fold(f.key) == *k || f.aliases.iter().any(|a| fold(a) == *k))
        })
    })
}

/// The header among the first [`HEADER_SEARCH_ROWS`] rows: when the first row does not name every
/// required field and a later one among them does, that row becomes the header and the rows above
/// it (a title, a note) are dropped. Returns the row number taken when it is not the first row —
/// for a note saying which row was taken; `None` when the first row stays the header (then
/// [`map_columns`] reports what it lacks).
pub fn find_header_row(sheet: &mut Sheet, fields: &[Field]) -> Option<u32> {
    if names_required(&sheet.headers, fields) {
        return None;
    }
    let at = sheet
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS - 1)
        .position(|r| names_required(&r.cells, fields))?;
    let mut rest = sheet.rows.split_off(at + 1);
    let header = sheet.rows.pop().expect("the row found");
    std::mem::swap(&mut sheet.rows, &mut rest);
    sheet.headers = header.cells;
    Some(header.number)
}

/// The note that says which row was taken as the header.
pub fn header_row_note(name: &str, row: u32) -> Problem {
    Problem::note(format!(
        "第 1 行不是表头，已取第 {row} 行为表头（其上各行视为标题或说明，不读入）"
    ))
    .at(Some(Origin::row(name, row)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::from_csv_text;

    static FIELDS: &[Field] = &[
        Field {
            key: "unit",
            label: "单位",
            required: true,
            aliases: &["单位编码", "单位名称", "单位"],
        },
        Field {
            key: "score",
            label: "得分",
            required: true,
            aliases: &["得分", "分数"],
        },
        Field {
            key: "reason",
            label: "理由",
            required: false,
            aliases: &["理由", "扣分理由"],
        },
    ];

    #[test]
    fn aliases_any_order_case_and_width() {
        let s = from_csv_text("t.csv", "得 分,ＵＮＩＴ,备注\n1,A,x\n").unwrap();
        let mut p = Vec::new();
        let c = map_columns(&s, FIELDS, &mut p).unwrap();
        assert_eq!(c.get("unit", &s.rows[0].cells), "A");
        assert_eq!(c.get("score", &s.rows[0].cells), "1");
        assert!(!c.has("reason"));
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("未知列“备注”"));
    }

    #[test]
    fn missing_and_duplicate_columns() {
        let s = from_csv_text("t.csv", "单位,单位编码\nA,B\n").unwrap();
        let mut p = Vec::new();
        assert!(map_columns(&s, FIELDS, &mut p).is_none());
        assert!(p.iter().any(|p| p.message.contains("出现了两次")));
        assert!(p.iter().any(|p| p.message.contains("缺少“得分”列")));
    }

    #[test]
    fn a_title_row_above_the_header_is_passed_over_within_ten_rows() {
        let mut s = from_csv_text(
            "t.csv",
            "2021年度考核得分表,,\n制表：县政务办,,\n单位,得分,理由\nA,1,x\n",
        )
        .unwrap();
        assert_eq!(find_header_row(&mut s, FIELDS), Some(3));
        assert_eq!(s.headers, vec!["单位", "得分", "理由"]);
        assert_eq!(s.rows.len(), 1);
        assert_eq!((s.rows[0].number, s.rows[0].cells[0].as_str()), (4, "A"));
        // The header in the first row stays; nothing is dropped.
        let mut s = from_csv_text("t.csv", "单位,得分\nA,1\n").unwrap();
        assert_eq!(find_header_row(&mut s, FIELDS), None);
        assert_eq!(s.rows.len(), 1);
        // The tenth row is the last one looked at; the eleventh is not.
        for (titles, found) in [(9, Some(10)), (10, None)] {
            let text = format!("{}单位,得分\nA,1\n", "标题,\n".repeat(titles));
            let mut s = from_csv_text("t.csv", &text).unwrap();
            assert_eq!(
                find_header_row(&mut s, FIELDS),
                found,
                "{titles} title rows"
            );
        }
    }
}
