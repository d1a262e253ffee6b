//! Bounds of a rubric's text (issue 9): its size, its clauses, its numbers, its encoding, and TOML
//! syntax errors told in Chinese without echoing the text — so that a hostile rubric (a file, a
//! what-if draft, an upload) is refused before it costs anything.

use super::*;
use crate::problem::{Origin, Problem};
use toml::{Table, Value};

/// The TOML parser's reason in Chinese where it is a common one; else its own words, quoted.
fn toml_reason(why: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        ("max recursion depth", "嵌套层数过深"),
        ("duplicate key", "键重复"),
        ("invalid string", "字符串无效"),
        ("invalid basic string", "字符串无效（可能缺少引号）"),
        ("unclosed", "括号或引号未闭合"),
        ("expected", "此处的写法不符合 TOML 语法"),
        ("invalid key", "键名无效"),
        ("invalid table header", "表头 [..] 写法有误"),
        ("invalid", "此处的写法不符合 TOML 语法"),
    ];
    match KNOWN.iter().find(|(k, _)| why.contains(k)) {
        Some((_, zh)) => format!("{zh}（解析器说明：{why}）"),
        None => format!("解析器说明：{why}"),
    }
}

/// Bytes of a rubric's TOML text (a file, a what-if draft, an upload). The 2021 seed with every
/// clause's paragraph verbatim is about 40 KB; 1 MiB is twenty-five times that.
pub const MAX_RUBRIC_BYTES: usize = 1024 * 1024;

/// The largest number (points, thresholds, parameters) a rubric may hold, in absolute value. Sums
/// and products of such numbers over [`MAX_CLAUSES`] clauses stay far inside `Decimal`'s range
/// (a max of 79,228,162,514,264,337,593,543,950,335 made the sum of points overflow: a panic).
pub const MAX_RUBRIC_NUMBER: i64 = 1_000_000_000_000;

/// Clauses of one rubric. The 2021 seed has 22; a province's rubric a few hundred at most.
pub const MAX_CLAUSES: usize = 2000;

pub(super) fn too_big(file: &str, len: usize) -> Problem {
    Problem::error(format!(
        "细则文件有 {len} 字节，超过上限 {MAX_RUBRIC_BYTES} 字节（1 MiB）"
    ))
    .at(Some(Origin::file(file)))
    .expected("不超过 1 MiB 的 TOML 细则")
}

/// `[[indicators]] → [[indicators.items]] → [[indicators.items.clauses]]` (and the clauses of the
/// other depths: `[[indicators.clauses]]`, `[[indicators.items.subitems.clauses]]`), counted before
/// any clause is looked at.
pub(super) fn count_clauses(t: &Table) -> usize {
    let tables = |v: Option<&Value>| -> usize {
        match v {
            Some(Value::Array(a)) => a.len(),
            _ => 0,
        }
    };
    let mut n = 0usize;
    if let Some(Value::Array(inds)) = t.get("indicators") {
        for ind in inds.iter().filter_map(Value::as_table) {
            // Two levels: clauses directly under the indicator (see `levels`).
            n = n.saturating_add(tables(ind.get("clauses")));
            if let Some(Value::Array(items)) = ind.get("items") {
                for item in items.iter().filter_map(Value::as_table) {
                    n = n.saturating_add(tables(item.get("clauses")));
                    // Four levels: clauses under a 子类目.
                    if let Some(Value::Array(subs)) = item.get("subitems") {
                        for sub in subs.iter().filter_map(Value::as_table) {
                            n = n.saturating_add(tables(sub.get("clauses")));
                        }
                    }
                }
            }
        }
    }
    n
}

/// Loads a rubric from the bytes of a file: refused past [`MAX_RUBRIC_BYTES`] or when they are not
/// UTF-8 (a problem naming the file and the byte where the text breaks), else as [`load`].
pub fn load_bytes(file: &str, bytes: &[u8]) -> (Option<Rubric>, Vec<Problem>) {
    if bytes.len() > MAX_RUBRIC_BYTES {
        return (None, vec![too_big(file, bytes.len())]);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => load(file, text),
        Err(e) => (
            None,
            vec![
                Problem::error(format!(
                    "细则文件不是 UTF-8 编码：第 {} 字节起无法识别",
                    e.valid_up_to() + 1
                ))
                .at(Some(Origin::file(file)))
                .expected("UTF-8 编码的 TOML 文本（请用记事本等另存为 UTF-8）"),
            ],
        ),
    }
}

/// A TOML syntax error as a problem: where (line and byte), and the parser's own short reason —
/// never the whole line, which in a one-line file of 1 MiB would be echoed whole.
pub(super) fn syntax_problem(file: &str, text: &str, e: &toml::de::Error) -> Problem {
    let at = match e.span() {
        Some(span) => {
            let before = &text.as_bytes()[..span.start.min(text.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let col = before.len()
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1)
                + 1;
            format!("第 {line} 行第 {col} 字节处")
        }
        None => String::new(),
    };
    let why: String = e.message().trim().chars().take(200).collect();
    Problem::error(format!("TOML 语法错误：{at}{}", toml_reason(&why))).at(Some(Origin::file(file)))
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    /// A rubric of `clauses` clauses (each 0 points, one indicator and item), valid or not past
    /// the checks counted here.
    fn with_clauses(clauses: usize) -> String {
        let mut s = String::from(
            "id = \"x\"\ntitle = \"x\"\nyear = 2021\nversion = \"1\"\nsource = \"x\"\ncategory = \"x\"\nmax_total = \"0\"\nprecision = 4\nties = \"competition\"\n[[indicators]]\nid = \"1\"\nname = \"x\"\nmax = \"0\"\n[[indicators.items]]\nid = \"1.1\"\nname = \"x\"\nmax = \"0\"\n",
        );
        for i in 0..clauses {
            s.push_str(&format!("[[indicators.items.clauses]]\nid = \"1.1.{i}\"\n"));
        }
        s
    }

    #[test]
    fn clauses_at_the_limit_are_looked_at_and_one_more_is_refused_unread() {
        let (_, at) = load("r.toml", &with_clauses(MAX_CLAUSES));
        assert!(!at.iter().any(|p| p.message.contains("个条款，超过上限")));
        let (r, past) = load("r.toml", &with_clauses(MAX_CLAUSES + 1));
        assert!(r.is_none());
        assert_eq!(past.len(), 1, "{past:?}");
        assert_eq!(
            past[0].to_string(),
            "错误 r.toml：细则有 2001 个条款，超过上限 2000 个；应为：一份细则不超过 2000 个条款"
        );
    }

    #[test]
    fn a_rubric_text_at_the_size_limit_is_parsed_and_one_byte_more_is_refused() {
        let mut at = String::from("id = \"x\"\n");
        while at.len() < MAX_RUBRIC_BYTES {
            at.push('#');
        }
        at.truncate(MAX_RUBRIC_BYTES);
        let (_, p) = load("r.toml", &at);
        assert!(!p.iter().any(|p| p.message.contains("超过上限")), "{p:?}");
        let past = format!("{at}#");
        let (r, p) = load_bytes("r.toml", past.as_bytes());
        assert!(r.is_none());
        assert_eq!(p.len(), 1);
        assert!(
            p[0].to_string().starts_with(
                "错误 r.toml：细则文件有 1048577 字节，超过上限 1048576 字节（1 MiB）"
            ),
            "{}",
            p[0]
        );
    }

    #[test]
    fn a_number_past_the_rubrics_range_is_a_problem_not_an_overflow() {
        // Found by the fuzz suite: this max made the sum of the points overflow (a panic).
        let text = include_str!("../../../../rubrics/example-general-kinds.toml").replacen(
            "max = \"4\"",
            "max = \"79228162514264337593543950335\"",
            1,
        );
        let (r, p) = load("x.toml", &text);
        assert!(r.is_none());
        assert!(
            p.iter().any(|p| p
                .message
                .contains("超出细则数值的范围（绝对值不超过 1000000000000）")),
            "{p:?}"
        );
        let at = include_str!("../../../../rubrics/example-general-kinds.toml").replacen(
            "max = \"4\"",
            "max = \"1000000000000\"",
            1,
        );
        let (_, p) = load("x.toml", &at);
        assert!(
            !p.iter().any(|p| p.message.contains("超出细则数值的范围")),
            "{p:?}"
        );
    }

    #[test]
    fn a_syntax_error_on_a_long_line_names_the_place_not_the_whole_line() {
        let deep = format!("a = {}{}\n", "[".repeat(500_000), "]".repeat(500_000));
        let (r, p) = load("deep.toml", &deep);
        assert!(r.is_none());
        let text = p[0].to_string();
        assert!(text.len() < 400, "{} bytes", text.len());
        assert!(
            text.contains("deep.toml：TOML 语法错误：第 1 行第"),
            "{text}"
        );
        assert!(text.contains("嵌套层数过深"), "{text}");
    }

    #[test]
    fn a_rubric_that_is_not_utf8_is_a_problem_naming_the_file_and_the_byte() {
        // "title = \"细则\"" in GBK: 0xCF 0xB8 happens to be UTF-8 too, 0xD4 0xF2 is not.
        let gbk = b"title = \"\xCF\xB8\xD4\xF2\"\n";
        let (r, p) = load_bytes("gbk.toml", gbk);
        assert!(r.is_none());
        assert_eq!(p.len(), 1);
        assert!(
            p[0].to_string()
                .contains("gbk.toml：细则文件不是 UTF-8 编码：第 12 字节起无法识别"),
            "{}",
            p[0]
        );
    }
}
