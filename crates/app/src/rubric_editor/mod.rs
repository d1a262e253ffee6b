//! 细则编辑 — the rubric editor's use cases, for the pages (and any other face) to call:
//!
//! - **checks** ([`check`]): every problem of a draft in Chinese — the loader's own (with clause id
//!   and field), and a TOML syntax error told in Chinese with its line and column
//!   ([`syntax_problem`]), never the parser's English (方案对比's draft box uses the same);
//! - **edits** ([`apply`]): the draft is TOML text; an edit (add, move, delete, set fields, set a
//!   rule and its parameters) is applied to its parsed table and the result written back — with
//!   [`rubric::write`] when it is a valid rubric the writer can write, else as TOML as it is. An edit
//!   of fields that would bring a new error (a wrong parameter, a method not in the list) is refused
//!   with that error and the draft stays as it was; sums that no longer add up are shown, not
//!   refused, since a clerk changes a clause's points and then its item's;
//! - **paste** ([`paste_view`], [`accept_paste`]): pasted 细则 text split into a proposed tree with a
//!   suggested rule per clause (`kaohe_core::paste`), shown for the clerk to tick; only the ticked
//!   clauses are added;
//! - **versions**: a draft saved ([`save`]), the clause-by-clause diff with the rubric in force
//!   ([`diff`]), made 生效 ([`make_effective`]); the data of last year for the preview
//!   ([`last_year`]); downloads as TOML and Excel ([`download_xlsx`]);
//! - the parameters of every rule kind explained in Chinese with an example ([`param_help`]).

use kaohe_core::paste::{self, Pasted, PastedClause};
use kaohe_core::rubric::{self, Rubric};
use kaohe_core::{Problem, Severity};
use kaohe_store::{RubricDraft, Store, StoreError, User};
use serde::Serialize;
use toml::{Table, Value};

/// The name a draft's problems are reported under.
pub const DRAFT_FILE: &str = "细则草案";

// ───────────────────────────── checks ─────────────────────────────

/// A TOML syntax error in Chinese: where (line and column, counted in characters as an editor
/// shows them) and what, from the parser's reason mapped to Chinese; the parser's English is never
/// shown.
pub fn syntax_problem(file: &str, text: &str, e: &toml::de::Error) -> Problem {
    let at = match e.span() {
        Some(span) => {
            let mut start = span.start.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let before = &text[..start];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            format!("第 {line} 行第 {col} 列：")
        }
        None => String::new(),
    };
    Problem::error(format!("TOML 写法有误，{at}{}", syntax_reason(e.message())))
        .at(Some(kaohe_core::problem::Origin::file(file)))
        .expected(
            "按 TOML 写法：键 = 值，文字加英文双引号（如 max = \"0.05\"），表头写成 [[indicators]]",
        )
}

/// The parser's reason, in Chinese (the most specific match first; anything else as a general
/// syntax error).
fn syntax_reason(why: &str) -> &'static str {
    let why = why.to_lowercase();
    const KNOWN: &[(&str, &str)] = &[
        ("recursion", "嵌套层数过深"),
        ("duplicate key", "同一个键写了两次"),
        ("duplicate", "同一个键或表写了两次"),
        ("redefin", "同一个表定义了两次"),
        (
            "unquoted key",
            "键名无效：键名只能用英文字母、数字、- 和 _，其他文字须加双引号",
        ),
        (
            "invalid key",
            "键名无效：键名只能用英文字母、数字、- 和 _，其他文字须加双引号",
        ),
        ("table header", "表头 [..] 或 [[..]] 的写法有误"),
        ("unclosed", "引号或括号没有闭合"),
        ("unterminated", "引号或括号没有闭合"),
        (
            "newline",
            "此处不能换行（一行写完一个键值，或用三个引号写多行文字）",
        ),
        ("escape", "文字中的转义写法有误（反斜杠 \\ 须写成 \\\\）"),
        ("string", "文字的写法有误（文字须放在英文双引号中）"),
        (
            "integer",
            "数的写法有误（分值请写成带引号的文字，如 \"0.05\"）",
        ),
        (
            "float",
            "数的写法有误（分值请写成带引号的文字，如 \"0.05\"）",
        ),
        (
            "number",
            "数的写法有误（分值请写成带引号的文字，如 \"0.05\"）",
        ),
        ("date", "日期的写法有误"),
        ("array", "列表 [..] 的写法有误"),
        ("inline table", "行内表 {..} 的写法有误"),
        ("expected", "此处缺少应有的符号（如 =、引号或括号）"),
    ];
    KNOWN
        .iter()
        .find(|(k, _)| why.contains(k))
        .map_or("此处的写法不符合 TOML 语法", |(_, zh)| zh)
}

/// A draft read: the rubric when it is valid, and every problem in Chinese.
#[derive(Debug, Clone)]
pub struct Checked {
    pub rubric: Option<Rubric>,
    pub problems: Vec<Problem>,
}

impl Checked {
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }
    /// Every problem as one Chinese line.
    pub fn lines(&self) -> Vec<String> {
        self.problems.iter().map(|p| p.to_string()).collect()
    }
}

/// Reads a draft: a syntax error in Chinese (see [`syntax_problem`]), else every problem the
/// loader finds.
pub fn check(file: &str, text: &str) -> Checked {
    if text.len() <= rubric::MAX_RUBRIC_BYTES
        && let Err(e) = text.parse::<Table>()
    {
        return Checked {
            rubric: None,
            problems: vec![syntax_problem(file, text, &e)],
        };
    }
    let (rubric, problems) = rubric::load(file, text);
    Checked { rubric, problems }
}

mod edit;
mod help;
mod pasted;
mod tree;

pub use edit::*;
pub use help::*;
pub use pasted::*;
pub use tree::*;

// ───────────────────────────── versions ─────────────────────────────

/// The text the editor starts from: the newest draft not yet made 生效 when there is one, else the
/// rubric in force (written canonically when the writer can write it whole).
pub async fn start(
    store: &Store,
    assessment: i64,
) -> Result<(String, Option<RubricDraft>), StoreError> {
    let drafts = store.rubric_drafts(assessment).await?;
    if let Some(d) = drafts.into_iter().find(|d| d.effective_at.is_none()) {
        return Ok((d.rubric_toml.clone(), Some(d)));
    }
    let a = store.assessment(assessment).await?;
    Ok((in_force_text(&a), None))
}

/// The rubric in force as text, written canonically.
pub fn in_force_text(a: &kaohe_store::store::Assessment) -> String {
    rubric::write(&a.rubric)
}

/// Saves the draft text as a new 草案 (the admin, in 草稿): refused when it is not TOML.
pub async fn save(
    store: &Store,
    by: &User,
    assessment: i64,
    text: &str,
    now: &str,
) -> Result<RubricDraft, StoreError> {
    if let Err(e) = text.parse::<Table>() {
        return Err(StoreError::Invalid(
            syntax_problem(DRAFT_FILE, text, &e).to_string(),
        ));
    }
    store.save_rubric_draft(by, assessment, text, now).await
}

/// Makes a draft 生效 (the admin, in 草稿; the store checks and audits it).
pub async fn make_effective(
    store: &Store,
    by: &User,
    assessment: i64,
    draft: i64,
    now: &str,
) -> Result<(), StoreError> {
    store
        .make_rubric_effective(by, assessment, draft, now)
        .await
}

/// One line of the diff between the rubric in force and a draft.
#[derive(Debug, Clone, Serialize)]
pub struct DiffLine {
    pub id: String,
    pub title: String,
    /// 新增 / 删去 / 修改
    pub what: &'static str,
    pub explain: String,
}

/// The clause-by-clause diff between the rubric in force and the draft (clauses that changed
/// only), as `kaohe rubric diff` computes it.
pub fn diff(in_force: &Rubric, draft: &Rubric) -> Vec<DiffLine> {
    kaohe_core::compare::rubrics(in_force, draft)
        .into_iter()
        .filter(|d| d.rubric_changed())
        .map(|d| DiffLine {
            id: d.id.to_string(),
            title: d.title.clone(),
            what: if d.added() {
                "新增"
            } else if d.removed() {
                "删去"
            } else {
                "修改"
            },
            explain: d.explain(),
        })
        .collect()
}

/// The assessment whose data previews a draft: the latest year before this one (else none).
pub async fn last_year(
    store: &Store,
    assessment: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    let a = store.assessment(assessment).await?;
    Ok(store
        .assessments()
        .await?
        .into_iter()
        .filter(|r| r.id != assessment && r.year < a.year)
        .max_by_key(|r| (r.year, r.id))
        .map(|r| (r.id, r.title)))
}

/// A valid draft as the rubric's Excel workbook, or why not (in Chinese).
pub fn download_xlsx(text: &str) -> Result<Vec<u8>, String> {
    let c = check(DRAFT_FILE, text);
    let Some(r) = c.rubric else {
        return Err(format!(
            "细则有错误，不能导出为 Excel：{}",
            c.errors()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("；")
        ));
    };
    kaohe_report::rubric_sheet::rubric_workbook(&r).map_err(|e| format!("导出失败：{e}"))
}

#[cfg(test)]
mod tests;
