//! 单位与账号 — the use cases of an assessment's units and accounts, once for the pages and the API:
//! the Excel template and export, the import (every problem by sheet, row and column, all or
//! nothing; each new account gets a generated initial password, shown once), and an admin's
//! password reset. The store checks the policy and preconditions again under its write lock.

use kaohe_core::problem::Problem;
use kaohe_store::policy::{self, Action};
use kaohe_store::roster::{self, CodeScheme};
use kaohe_store::{NewAccount, NewUnit, Role, Roster, Stage, Store, StoreError, User};
use kaohe_tables::roster::{
    ABOUT, ACCOUNT_COLUMNS, ACCOUNTS, MAX_ROSTER_ROWS, RosterSheet, UNIT_COLUMNS, UNITS,
};
use std::collections::{BTreeMap, BTreeSet};

/// The roles as the workbook names them (what the 角色 list offers).
pub const ROLE_LABELS: [&str; 4] = ["管理员", "考核员", "单位填报员", "领导"];

/// An account made by an import, with its initial password (shown once; only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Issued {
    pub login: String,
    pub name: String,
    pub role: &'static str,
    pub unit: Option<String>,
    pub password: String,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Imported {
    pub units: usize,
    pub accounts: Vec<Issued>,
}

/// Why an import wrote nothing: the workbook's problems (every one, by sheet, row and column), or
/// the store's refusal.
#[derive(Debug)]
pub enum ImportError {
    Problems(Vec<Problem>),
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

fn admin_only(by: &User) -> Result<(), StoreError> {
    policy::check(by, Action::ManageAccounts, Stage::Draft, None, false)
        .map_err(StoreError::Forbidden)
}

/// The 说明 sheet's paragraphs.
fn notes(kinds: &[String]) -> Vec<String> {
    vec![
        "单位与账号名册：填写“单位”和“账号”两张工作表后，在考核的“设置”页面导入。".into(),
        "导入要么全部成功，要么一条也不导入：有任何问题时，逐条列出工作表、行号和列，改正后重新导入整个文件。".into(),
        format!(
            "单位：单位编码为 9 位数字的区划代码（如 320623001，8 位或含字母的不接受）；单位名称不超过 {} 个字；单位类型为 {}。单位只能在“草稿”阶段导入，且不能与本次考核已有的单位重复。",
            roster::MAX_UNIT_NAME_CHARS,
            kinds.join(" / ")
        ),
        format!(
            "账号：登录名由英文字母、数字和 . _ - @ 组成，不超过 {} 个字符，不能与已有账号重复；姓名不超过 {} 个字；角色为 {}；单位填报员须填所属单位编码（本表“单位”中的或本次考核已有的单位），其他角色不填；电话可不填，不超过 {} 个字符。",
            roster::MAX_LOGIN_CHARS,
            roster::MAX_PERSON_NAME_CHARS,
            ROLE_LABELS.join(" / "),
            roster::MAX_PHONE_CHARS
        ),
        format!("每张工作表最多 {MAX_ROSTER_ROWS} 行数据，文件不超过 1 MB；更多请分批导入。"),
        "每个新账号由系统生成初始密码，导入后只显示一次（可下载名单）；首次登录须先修改密码。名册中不填写、也不导出任何密码。".into(),
    ]
}

/// The unit kinds of `assessment`'s rubric.
async fn kinds(store: &Store, assessment: i64) -> Result<Vec<String>, StoreError> {
    let a = store.assessment(assessment).await?;
    Ok(a.rubric
        .shapes
        .kinds()
        .unwrap_or_default()
        .into_iter()
        .map(str::to_string)
        .collect())
}

fn sheets(
    kinds: Vec<String>,
    units: Vec<Vec<String>>,
    accounts: Vec<Vec<String>>,
    account_columns: &'static [&'static str],
) -> Vec<kaohe_report::roster::SheetSpec<'static>> {
    use kaohe_report::roster::SheetSpec;
    vec![
        SheetSpec {
            name: UNITS,
            headers: &UNIT_COLUMNS,
            rows: units,
            lists: vec![(2, kinds, "单位类型")],
            blank_rows: MAX_ROSTER_ROWS as u32,
        },
        SheetSpec {
            name: ACCOUNTS,
            headers: account_columns,
            rows: accounts,
            lists: vec![(2, ROLE_LABELS.map(str::to_string).to_vec(), "角色")],
            blank_rows: MAX_ROSTER_ROWS as u32,
        },
    ]
}

/// The workbook writer's failure (out of memory, an internal error) as the store's kind of failure.
fn xlsx_failed(e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(std::io::Error::other(e.to_string()))
}

/// The template (admin): empty 单位 and 账号 sheets with their headers, the lists of 单位类型 (the
/// rubric's kinds) and 角色, and 说明.
pub async fn template(store: &Store, by: &User, assessment: i64) -> Result<Vec<u8>, StoreError> {
    admin_only(by)?;
    let kinds = kinds(store, assessment).await?;
    let notes = notes(&kinds);
    kaohe_report::roster::roster_workbook(
        &sheets(kinds, Vec::new(), Vec::new(), &ACCOUNT_COLUMNS),
        ABOUT,
        &notes,
    )
    .map_err(xlsx_failed)
}

/// The export's accounts columns: the template's and 状态 (启用 / 已停用).
const EXPORT_ACCOUNT_COLUMNS: [&str; 6] =
    ["登录名", "姓名", "角色", "所属单位编码", "电话", "状态"];

/// The export (admin): the assessment's units and every account (active or not, with 状态), in the
/// template's layout. Never a password or its hash.
pub async fn export(store: &Store, by: &User, assessment: i64) -> Result<Vec<u8>, StoreError> {
    admin_only(by)?;
    let kinds = kinds(store, assessment).await?;
    let units = store
        .units(assessment)
        .await?
        .into_iter()
        .map(|u| vec![u.code, u.name, u.kind])
        .collect();
    let accounts = store
        .accounts(by)
        .await?
        .into_iter()
        .map(|a| {
            vec![
                a.login,
                a.name,
                a.role.label().to_string(),
                a.unit_code.unwrap_or_default(),
                a.phone.unwrap_or_default(),
                if a.active { "启用" } else { "已停用" }.to_string(),
            ]
        })
        .collect();
    let mut notes = notes(&kinds);
    notes.insert(
        0,
        "这是导出的现有单位与账号（不含任何密码）。“状态”一列只在导出中有；要导入新的单位与账号，请使用“下载模板”得到的空白名册。".into(),
    );
    kaohe_report::roster::roster_workbook(
        &sheets(kinds, units, accounts, &EXPORT_ACCOUNT_COLUMNS),
        ABOUT,
        &notes,
    )
    .map_err(xlsx_failed)
}

/// A problem at layout column `col` of `line` of `sheet`, with the raw value.
fn at(sheet: &RosterSheet, row: u32, col: usize, raw: &str, msg: String) -> Problem {
    let p = Problem::error(msg).at(Some(sheet.origin(row, col)));
    if raw.is_empty() { p } else { p.value(raw) }
}

/// Reads and checks a roster workbook against `assessment` and the accounts that exist: the units
/// and accounts to write, or every problem by sheet, row and column.
async fn check(
    store: &Store,
    by: &User,
    assessment: i64,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<Roster, ImportError> {
    let file = kaohe_tables::roster::read(file_name, bytes).map_err(ImportError::Problems)?;
    let shapes = store.assessment(assessment).await?.rubric.shapes;
    let existing: BTreeSet<String> = store
        .units(assessment)
        .await?
        .into_iter()
        .map(|u| u.code)
        .collect();
    let logins: BTreeSet<String> = store
        .accounts(by)
        .await?
        .into_iter()
        .map(|a| a.login)
        .collect();
    let mut problems = Vec::new();
    let mut roster = Roster::default();

    // 单位
    let s = &file.units;
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    for l in &s.lines {
        let (code, name, kind) = (l.cell(0), l.cell(1), l.cell(2));
        if let Some(m) = roster::unit_code_problem(code, CodeScheme::default()) {
            problems.push(at(s, l.number, 0, code, m));
        } else if let Some(first) = seen.insert(code, l.number) {
            problems.push(at(
                s,
                l.number,
                0,
                code,
                format!("单位编码“{code}”与第{first}行重复"),
            ));
        } else if existing.contains(code) {
            problems.push(at(
                s,
                l.number,
                0,
                code,
                format!("单位编码“{code}”已在本次考核中"),
            ));
        }
        if let Some(m) = roster::unit_name_problem(name) {
            problems.push(at(s, l.number, 1, name, m));
        }
        if !shapes.accepts_kind(kind) {
            let list = shapes.kinds().unwrap_or_default().join(" / ");
            let m = if kind.is_empty() {
                format!("单位类型不能为空：应为 {list}")
            } else {
                format!("单位类型“{kind}”应为 {list}")
            };
            problems.push(at(s, l.number, 2, kind, m));
        }
        roster.units.push(NewUnit {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
        });
    }
    let known: BTreeSet<&str> = existing
        .iter()
        .map(String::as_str)
        .chain(seen.keys().copied())
        .collect();

    // 账号
    let s = &file.accounts;
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    for l in &s.lines {
        let (login, name, role, unit, phone) =
            (l.cell(0), l.cell(1), l.cell(2), l.cell(3), l.cell(4));
        if let Some(m) = roster::login_problem(login) {
            problems.push(at(s, l.number, 0, login, m));
        } else if let Some(first) = seen.insert(login, l.number) {
            problems.push(at(
                s,
                l.number,
                0,
                login,
                format!("登录名“{login}”与第{first}行重复"),
            ));
        } else if logins.contains(login) {
            problems.push(at(
                s,
                l.number,
                0,
                login,
                format!("登录名“{login}”已被现有账号使用"),
            ));
        }
        if let Some(m) = roster::person_name_problem(name) {
            problems.push(at(s, l.number, 1, name, m));
        }
        let parsed = Role::parse(role);
        match parsed {
            None if role.is_empty() => problems.push(at(
                s,
                l.number,
                2,
                role,
                format!("角色不能为空：应为 {}", ROLE_LABELS.join(" / ")),
            )),
            None => problems.push(at(
                s,
                l.number,
                2,
                role,
                format!("未知角色“{role}”：应为 {}", ROLE_LABELS.join(" / ")),
            )),
            Some(r) => {
                let unit_opt = (!unit.is_empty()).then_some(unit);
                if let Some(m) = roster::unit_binding_problem(r, unit_opt) {
                    problems.push(at(s, l.number, 3, unit, m));
                } else if r == Role::Reporter && !known.contains(unit) {
                    problems.push(at(
                        s,
                        l.number,
                        3,
                        unit,
                        format!("所属单位编码“{unit}”不是本次考核的单位：应为“单位”表中或本次考核已有的单位编码"),
                    ));
                }
            }
        }
        if let Some(m) = roster::phone_problem(phone) {
            problems.push(at(s, l.number, 4, phone, m));
        }
        roster.accounts.push(NewAccount {
            login: login.into(),
            name: name.into(),
            role: parsed.unwrap_or(Role::Viewer),
            unit: (!unit.is_empty()).then(|| unit.to_string()),
            phone: (!phone.is_empty()).then(|| phone.to_string()),
            password: String::new(),
        });
    }
    if roster.units.is_empty() && roster.accounts.is_empty() {
        problems.push(
            Problem::error("名册中没有任何单位或账号")
                .at(Some(kaohe_core::problem::Origin::file(file_name)))
                .expected("在“单位”或“账号”工作表的表头下填写数据行"),
        );
    }
    if !problems.is_empty() {
        kaohe_tables::limits::cap_problems(&mut problems);
        return Err(ImportError::Problems(problems));
    }
    Ok(roster)
}

/// Imports a roster workbook into `assessment` (admin): every problem by sheet, row and column and
/// nothing written; or all its units and accounts written at once, each account with a generated
/// initial password (returned here, shown once, to be changed at the first sign-in).
pub async fn import(
    store: &Store,
    by: &User,
    assessment: i64,
    file_name: &str,
    bytes: Vec<u8>,
    now: &str,
) -> Result<Imported, ImportError> {
    admin_only(by)?;
    let mut roster = check(store, by, assessment, file_name, bytes).await?;
    for a in &mut roster.accounts {
        a.password = roster::generate_password();
    }
    let (units, _) = store
        .import_roster(by, assessment, &roster, file_name, now)
        .await?;
    Ok(Imported {
        units,
        accounts: roster
            .accounts
            .into_iter()
            .map(|a| Issued {
                login: a.login,
                name: a.name,
                role: a.role.label(),
                unit: a.unit,
                password: a.password,
            })
            .collect(),
    })
}

/// An admin resets `login`'s password: a generated one (returned, shown once), to be changed at the
/// next sign-in; the account's sessions end.
pub async fn reset_password(
    store: &Store,
    by: &User,
    login: &str,
    now: &str,
) -> Result<String, StoreError> {
    let password = roster::generate_password();
    store.reset_password(by, login, &password, now).await?;
    Ok(password)
}
