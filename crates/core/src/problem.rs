//! 问题 — a problem found in a rubric or in the inputs. The core never fails: it returns its results
//! together with every problem it found, each saying where (file, row, column), what value, what was
//! expected, and why, in Chinese.

use std::fmt;

/// 严重程度 — errors block scoring; warnings and notes are shown with the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// 错误: the input cannot be used as it is.
    Error,
    /// 警告: the result is usable but something deserves a look (e.g. missing data).
    Warning,
    /// 提示: information, e.g. an ignored unknown column.
    Note,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Note => "提示",
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// 位置 — where a value came from: a file, a row (1-based, as a spreadsheet shows it; the header is
/// row 1), a column (as the file names it) or a field path in a rubric.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Origin {
    pub file: String,
    pub row: Option<u32>,
    pub column: Option<String>,
}

impl Origin {
    pub fn file(file: impl Into<String>) -> Self {
        Origin {
            file: file.into(),
            ..Origin::default()
        }
    }
    pub fn row(file: impl Into<String>, row: u32) -> Self {
        Origin {
            file: file.into(),
            row: Some(row),
            column: None,
        }
    }
    pub fn with_column(&self, column: impl Into<String>) -> Self {
        Origin {
            column: Some(column.into()),
            ..self.clone()
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(row) = self.row {
            write!(f, " 第{row}行")?;
        }
        if let Some(col) = &self.column {
            write!(f, " [{col}]")?;
        }
        Ok(())
    }
}

/// 问题 — one problem with its place, the raw value, what was expected, and a Chinese message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Problem {
    pub severity: Severity,
    pub origin: Option<Origin>,
    pub unit: Option<String>,
    pub clause: Option<String>,
    pub value: Option<String>,
    pub expected: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        Problem {
            severity,
            origin: None,
            unit: None,
            clause: None,
            value: None,
            expected: None,
            message: message.into(),
        }
    }
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }
    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }
    pub fn note(message: impl Into<String>) -> Self {
        Self::new(Severity::Note, message)
    }
    pub fn at(mut self, origin: Option<Origin>) -> Self {
        self.origin = origin;
        self
    }
    pub fn unit(mut self, unit: impl AsRef<str>) -> Self {
        self.unit = Some(unit.as_ref().to_string());
        self
    }
    pub fn clause(mut self, clause: impl AsRef<str>) -> Self {
        self.clause = Some(clause.as_ref().to_string());
        self
    }
    pub fn value(mut self, value: impl AsRef<str>) -> Self {
        self.value = Some(value.as_ref().to_string());
        self
    }
    pub fn expected(mut self, expected: impl AsRef<str>) -> Self {
        self.expected = Some(expected.as_ref().to_string());
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.severity.label())?;
        if let Some(o) = &self.origin {
            write!(f, " {o}")?;
        }
        if let Some(c) = &self.clause {
            write!(f, " 条款{c}")?;
        }
        if let Some(u) = &self.unit {
            write!(f, " 单位{u}")?;
        }
        write!(f, "：{}", self.message)?;
        if let Some(v) = &self.value {
            write!(f, "；原值“{v}”")?;
        }
        if let Some(e) = &self.expected {
            write!(f, "；应为：{e}")?;
        }
        Ok(())
    }
}

/// True when any problem is an error.
pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(Problem::is_error)
}
