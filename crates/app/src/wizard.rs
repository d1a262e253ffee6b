//! 新建考核 — a new assessment, in 草稿: copied from an earlier one (its units, its assessors'
//! assignments, its rubric — each chosen) or started from a rubric file (TOML, or the Excel sheet of
//! `kaohe rubric export`), with its own year (by default the source's + 1), title, 考核期 (by
//! default the whole year; the platform imports default to it), 自评 deadline and 公示 period.
//! Every problem of the form and of the rubric is listed in Chinese, with line and column for a
//! TOML file (never the TOML parser's English). The store makes it in one transaction.

use kaohe_core::Date;
use kaohe_store::store::Result;
use kaohe_store::store::{CopyFrom, Dates, NewAssessment, Source};
use kaohe_store::{Store, StoreError, User};

/// A rubric file given to the wizard.
#[derive(Debug, Clone)]
pub enum Upload {
    /// A TOML text (read by the page from the chosen file, or pasted).
    Toml { name: String, text: String },
    /// The bytes of the rubric's Excel sheet.
    Xlsx { name: String, bytes: Vec<u8> },
}

/// What the wizard's form says, as typed.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    /// The assessment copied, if any.
    pub from: Option<i64>,
    pub copy_units: bool,
    pub copy_assignments: bool,
    /// Copy the source's rubric (otherwise `upload` gives it).
    pub copy_rubric: bool,
    pub upload: Option<Upload>,
    pub title: String,
    pub year: String,
    pub period_start: String,
    pub period_end: String,
    pub self_deadline: String,
    pub publication_days: String,
}

/// What the form is filled with: from the source (its year + 1) or, without one, this year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    pub title: String,
    pub year: i64,
    pub period_start: String,
    pub period_end: String,
    pub self_deadline: String,
    pub publication_days: u32,
}

/// 公示期 when nothing else is said: 5 working days.
pub const PUBLICATION_DAYS: u32 = 5;

/// The form's defaults for a copy of `from` (its year + 1, its title with that year, the whole year as
/// the 考核期, 自评 by 15 January of the next year, its 公示 period or 5 working days), or for a new
/// assessment in the year of `now`.
pub async fn defaults(store: &Store, from: Option<i64>, now: &str) -> Result<Defaults> {
    let (year, title, days) = match from {
        Some(id) => {
            let a = store.assessment(id).await?;
            let y = a.year + 1;
            let title = if a.title.contains(&a.year.to_string()) {
                a.title.replace(&a.year.to_string(), &y.to_string())
            } else {
                format!("{y}年度考核")
            };
            (
                y,
                title,
                a.dates.publication_days.unwrap_or(PUBLICATION_DAYS),
            )
        }
        None => {
            let y = now.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2022);
            (y, format!("{y}年度考核"), PUBLICATION_DAYS)
        }
    };
    Ok(Defaults {
        title,
        year,
        period_start: format!("{year}-01-01"),
        period_end: format!("{year}-12-31"),
        self_deadline: format!("{}-01-15", year + 1),
        publication_days: days,
    })
}

/// Why the wizard made nothing: every problem of the form or the rubric, or the store's refusal.
#[derive(Debug)]
pub enum Refused {
    Problems(Vec<String>),
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Refused {
        Refused::Store(e)
    }
}

/// Makes the assessment the form describes (草稿); its id, or every problem.
pub async fn create(
    store: &Store,
    by: &User,
    c: &Choices,
    now: &str,
) -> std::result::Result<i64, Refused> {
    let mut problems = Vec::new();
    let year = match c.year.trim().parse::<i64>() {
        Ok(y) => y,
        Err(_) => {
            problems.push(format!(
                "年度“{}”不是年份（应为 2022 这样的四位数）",
                c.year.trim()
            ));
            0
        }
    };
    let dates = match parse_dates(
        &c.period_start,
        &c.period_end,
        &c.self_deadline,
        &c.publication_days,
    ) {
        Ok(d) => d,
        Err(p) => {
            problems.extend(p);
            Dates::default()
        }
    };
    let toml = match (&c.upload, c.copy_rubric && c.from.is_some()) {
        (_, true) => None,
        (Some(u), false) => match rubric_text(u) {
            Ok(t) => Some(t),
            Err(p) => {
                problems.extend(p);
                None
            }
        },
        (None, false) => {
            problems.push("请选择要复制细则的考核，或上传细则文件（TOML 或 Excel）".into());
            None
        }
    };
    if !problems.is_empty() {
        return Err(Refused::Problems(problems));
    }
    let new = NewAssessment {
        title: &c.title,
        year,
        rubric: match &toml {
            Some(t) => Source::Toml(t),
            None => Source::Copied,
        },
        copy: c.from.map(|from| CopyFrom {
            from,
            units: c.copy_units,
            assignments: c.copy_assignments,
        }),
        dates,
    };
    Ok(store.new_assessment(by, &new, now).await?)
}

/// The 考核期, 自评截止 and 公示期 as typed, or every problem (each is required).
pub fn parse_dates(
    period_start: &str,
    period_end: &str,
    self_deadline: &str,
    publication_days: &str,
) -> std::result::Result<Dates, Vec<String>> {
    let mut problems = Vec::new();
    let mut date = |what: &str, text: &str| -> Option<Date> {
        let t = text.trim();
        if t.is_empty() {
            problems.push(format!("请填写{what}"));
            return None;
        }
        let got = Date::parse(t);
        if got.is_none() {
            problems.push(format!(
                "{what}“{t}”不是日期（应为 2022-01-15 这样的年-月-日）"
            ));
        }
        got
    };
    let start = date("考核期开始日", period_start);
    let end = date("考核期结束日", period_end);
    let deadline = date("自评截止日", self_deadline);
    let days = match publication_days.trim().parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            problems.push(format!(
                "公示期“{}”不是工作日天数（应为 5 这样的整数）",
                publication_days.trim()
            ));
            None
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Dates {
        period: start.zip(end),
        self_deadline: deadline,
        publication_days: days,
        ..Dates::default()
    })
}

/// Standard base64 (as a page's file reader gives an Excel file) or base64url (as a page's script
/// sends an evidence file in a form), or `None` when it is not.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let text = text.split_once("base64,").map_or(text, |(_, b)| b);
    let val = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        }))
    };
    let bytes: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let body = bytes
        .strip_suffix(b"==")
        .or_else(|| bytes.strip_suffix(b"="))
        .unwrap_or(&bytes);
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c)? << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    Some(out)
}

/// A rubric file's TOML text once it loads, or every problem in Chinese: a TOML syntax error with
/// its line and column, the loader's problems, the Excel sheet's by sheet, row and column.
pub fn rubric_text(u: &Upload) -> std::result::Result<String, Vec<String>> {
    match u {
        Upload::Xlsx { name, bytes } => kaohe_tables::rubric_sheet::import(name, bytes.clone())
            .map(|(_, toml, _warnings)| toml)
            .map_err(|ps| ps.iter().map(ToString::to_string).collect()),
        Upload::Toml { name, text } => {
            if let Err(e) = text.parse::<toml::Table>()
                && text.len() <= kaohe_core::rubric::MAX_RUBRIC_BYTES
            {
                return Err(vec![toml_problem(name, text, &e)]);
            }
            let (r, ps) = kaohe_core::rubric::load(name, text);
            match r {
                Some(_) if !kaohe_core::problem::has_errors(&ps) => Ok(text.clone()),
                _ => Err(ps.iter().map(ToString::to_string).collect()),
            }
        }
    }
}

/// A TOML syntax error in Chinese: the file, line and column (in characters), what is wrong, and the
/// text where it is (at most 30 characters of it).
pub fn toml_problem(name: &str, text: &str, e: &toml::de::Error) -> String {
    let why = e.message();
    let (line, col, near) = match e.span() {
        Some(span) => {
            let start = span.start.min(text.len());
            let start = (0..=start)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            let before = &text[..start];
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |p| p + 1);
            let col = before[line_start..].chars().count() + 1;
            let near: String = text[start..]
                .chars()
                .take_while(|c| *c != '\n')
                .take(30)
                .collect();
            (line, col, near)
        }
        None => (0, 0, String::new()),
    };
    let place = if line > 0 {
        format!("第 {line} 行第 {col} 列")
    } else {
        String::new()
    };
    let near = if near.trim().is_empty() {
        String::new()
    } else {
        format!("；出错处：“{}”", near.trim_end())
    };
    format!("错误 {name} {place}：{}{near}", toml_reason(why))
}

/// The TOML parser's reason (English) as what a clerk should fix, in Chinese.
fn toml_reason(why: &str) -> String {
    let quoted = why
        .split('`')
        .nth(1)
        .filter(|k| !k.is_empty() && k.chars().count() <= 40)
        .map(|k| format!("“{k}”"))
        .unwrap_or_default();
    const KNOWN: &[(&str, &str)] = &[
        (
            "invalid unquoted key",
            "键名无效：不加引号的键名只能由英文字母、数字、“-”和“_”组成，中文或带空格的键名须加英文双引号",
        ),
        ("key with no value", "键后缺少“=”和值"),
        ("duplicate key", "键重复：同一个表中每个键只能出现一次"),
        ("redefinition of table", "表重复定义"),
        ("duplicate table", "表重复定义"),
        (
            "invalid table header",
            "表头写法有误（应为 [名称] 或 [[名称]]）",
        ),
        ("unclosed array", "方括号未闭合：列表缺少“]”"),
        ("unclosed table", "方括号未闭合：表头缺少“]”"),
        ("unclosed inline table", "花括号未闭合：缺少“}”"),
        (
            "invalid basic string",
            "字符串无效：可能缺少结尾的英文双引号",
        ),
        (
            "invalid literal string",
            "字符串无效：可能缺少结尾的英文单引号",
        ),
        ("invalid string", "字符串无效：可能缺少引号，或引号未闭合"),
        ("unterminated", "引号或括号未闭合"),
        ("string values must be quoted", "文字须加英文双引号"),
        ("invalid integer", "整数写法有误"),
        ("invalid float", "小数写法有误"),
        ("invalid number", "数字写法有误"),
        ("invalid date", "日期写法有误"),
        ("max recursion depth", "嵌套层数过深"),
        ("invalid key", "键名无效"),
        ("expected newline", "此处应换行：一行只能写一个键值"),
    ];
    match KNOWN.iter().find(|(k, _)| why.contains(k)) {
        Some((k, zh)) if k.starts_with("duplicate") && !quoted.is_empty() => {
            format!("{zh}（{quoted}）")
        }
        Some((_, zh)) => zh.to_string(),
        None => "此处的写法不符合 TOML 语法".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> String {
        let e = text.parse::<toml::Table>().unwrap_err();
        toml_problem("细则.toml", text, &e)
    }

    #[test]
    fn base64_as_a_file_reader_gives_it() {
        assert_eq!(decode_base64("a2FvaGU=").unwrap(), b"kaohe");
        assert_eq!(
            decode_base64("data:application/vnd.ms-excel;base64,6ICD5qC4").unwrap(),
            "考核".as_bytes()
        );
        assert_eq!(decode_base64("a2Fv aGU").unwrap(), b"kaohe");
        assert!(decode_base64("a2F*").is_none());
        assert!(decode_base64("a").is_none());
    }

    #[test]
    fn toml_syntax_errors_are_chinese_with_line_and_column() {
        let p = problem("id = \"x\"\n年度 = 2022\n");
        assert_eq!(
            p,
            "错误 细则.toml 第 2 行第 1 列：键名无效：不加引号的键名只能由英文字母、数字、“-”和“_”组成，中文或带空格的键名须加英文双引号；出错处：“年度 = 2022”"
        );
        let p = problem("id = \"x\"\n年度 考核 = 2022\n");
        assert_eq!(
            p,
            "错误 细则.toml 第 2 行第 4 列：键后缺少“=”和值；出错处：“考核 = 2022”"
        );
        let p = problem("id = \"x\"\ntitle = \"考核\nyear = 2022\n");
        assert!(p.starts_with("错误 细则.toml 第 2 行"), "{p}");
        assert!(p.contains("字符串无效"), "{p}");
        let p = problem("id = \"x\"\nid = \"y\"\n");
        assert!(
            p.starts_with("错误 细则.toml 第 2 行第 1 列：键重复"),
            "{p}"
        );
        let p = problem("a = [1, 2\n");
        assert!(p.contains("第 1 行") || p.contains("第 2 行"), "{p}");
        for bad in [
            "x = \n",
            "[a\n",
            "x = 1 2\n",
            "x = 1.2.3\n",
            "x = abc\n",
            "[[a]\n",
            "x = {a = 1\n",
            "x = 'abc\n",
            "= 1\n",
        ] {
            let p = problem(bad);
            // Apart from the file's name, "TOML" and the quoted text itself: no English.
            let words = p
                .split("出错处")
                .next()
                .unwrap()
                .replace("TOML", "")
                .replace("细则.toml", "");
            assert!(
                !words.chars().any(|c| c.is_ascii_alphabetic()),
                "English in “{p}” for {bad:?}"
            );
            assert!(p.contains("第 1 行") || p.contains("第 2 行"), "{p}");
        }
    }

    #[test]
    fn a_rubric_that_does_not_load_lists_every_problem_in_chinese() {
        let seed = include_str!("../../../rubrics/rudong-2021.toml");
        let ok = Upload::Toml {
            name: "细则.toml".into(),
            text: seed.into(),
        };
        assert_eq!(rubric_text(&ok).unwrap(), seed);
        let bad = Upload::Toml {
            name: "细则.toml".into(),
            text: seed.replacen("year = 2021", "year = \"二〇二一\"", 1),
        };
        let ps = rubric_text(&bad).unwrap_err();
        assert!(!ps.is_empty());
        assert!(ps.iter().all(|p| p.starts_with("错误")), "{ps:?}");
        let xlsx = Upload::Xlsx {
            name: "细则.xlsx".into(),
            bytes: b"not a workbook".to_vec(),
        };
        let ps = rubric_text(&xlsx).unwrap_err();
        assert!(ps[0].contains("细则.xlsx"), "{ps:?}");
    }
}
