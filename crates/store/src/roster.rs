//! 单位与账号的规则 — what a unit code, a login, a name, a phone number and a password must be, each
//! once, for the store (which checks them inside its write transactions), the Excel import (which
//! reports them by sheet, row and column) and the pages. Every limit is a named constant, and each
//! check answers in Chinese or not at all.
//!
//! **单位编码**: a 9-digit 区划代码 (乡级, e.g. 320623001). A rubric could declare its own scheme,
//! but no rubric format declares one yet (`kaohe_core::rubric::shapes` has unit kinds and ranking
//! groups, no code field), so the 9-digit rule applies to every assessment; [`CodeScheme`] is where a
//! rubric's scheme would be added.
//!
//! **密码**: [`password_problem`] is the default strength rule; the rules in force are settings
//! ([`crate::security`]).

use crate::model::Role;

/// 登录名: at most this many characters (the sign-in form refuses longer ones too).
pub const MAX_LOGIN_CHARS: usize = 64;
/// 姓名: at most this many characters.
pub const MAX_PERSON_NAME_CHARS: usize = 50;
/// 单位名称: at most this many characters.
pub const MAX_UNIT_NAME_CHARS: usize = 100;
/// 手机号/电话: at most this many characters.
pub const MAX_PHONE_CHARS: usize = 20;
/// 理由 (改派、停用): at most this many characters.
pub const MAX_REASON_CHARS: usize = 500;
/// 密码: at least this many characters (the default of the setting `password_min_chars`).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// 密码: at most this many bytes (the sign-in form's limit).
pub const MAX_PASSWORD_BYTES: usize = 256;
/// The length of a generated initial password.
pub const GENERATED_PASSWORD_CHARS: usize = 12;

/// How an assessment's unit codes are written. Only the 9-digit 区划代码 exists: no rubric declares
/// a scheme of its own yet (see the module's note).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodeScheme {
    /// 9 位区划代码 (乡镇、街道级), e.g. 320623001.
    #[default]
    Division9,
}

/// Why `code` is not a unit code under `scheme`, in Chinese; `None` when it is.
pub fn unit_code_problem(code: &str, scheme: CodeScheme) -> Option<String> {
    match scheme {
        CodeScheme::Division9 => {
            let digits = code.chars().all(|c| c.is_ascii_digit());
            let n = code.chars().count();
            if code.is_empty() {
                Some("单位编码不能为空：应为 9 位数字的区划代码（如 320623001）".into())
            } else if digits && n == 9 {
                None
            } else if digits {
                Some(format!(
                    "单位编码“{code}”是 {n} 位数字：区划代码应为 9 位数字（如 320623001）"
                ))
            } else {
                Some(format!(
                    "单位编码“{}”不是数字：区划代码应为 9 位数字（如 320623001）",
                    shown(code)
                ))
            }
        }
    }
}

/// Why `login` cannot be a login: empty, too long, or with characters other than letters, digits
/// and `. _ - @`.
pub fn login_problem(login: &str) -> Option<String> {
    let n = login.chars().count();
    if login.trim().is_empty() {
        Some("登录名不能为空".into())
    } else if n > MAX_LOGIN_CHARS {
        Some(format!("登录名过长：{n} 个字符，上限 {MAX_LOGIN_CHARS} 个"))
    } else if !login
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        Some(format!(
            "登录名“{}”只能由英文字母、数字和 . _ - @ 组成",
            shown(login)
        ))
    } else {
        None
    }
}

/// Why `name` cannot be a person's 姓名.
pub fn person_name_problem(name: &str) -> Option<String> {
    text_problem("姓名", name, MAX_PERSON_NAME_CHARS)
}

/// Why `name` cannot be a unit's 名称.
pub fn unit_name_problem(name: &str) -> Option<String> {
    text_problem("单位名称", name, MAX_UNIT_NAME_CHARS)
}

fn text_problem(what: &str, s: &str, max: usize) -> Option<String> {
    let n = s.chars().count();
    if s.trim().is_empty() {
        Some(format!("{what}不能为空"))
    } else if n > max {
        Some(format!("{what}过长：{n} 个字符，上限 {max} 个"))
    } else if s.chars().any(char::is_control) {
        Some(format!("{what}中不能有换行或控制字符"))
    } else {
        None
    }
}

/// Why `phone` is not a phone number (empty is allowed: the phone is optional): digits, with `-`,
/// `+` and spaces, at most [`MAX_PHONE_CHARS`].
pub fn phone_problem(phone: &str) -> Option<String> {
    let n = phone.chars().count();
    if phone.is_empty() {
        None
    } else if n > MAX_PHONE_CHARS {
        Some(format!("电话过长：{n} 个字符，上限 {MAX_PHONE_CHARS} 个"))
    } else if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' '))
        || !phone.chars().any(|c| c.is_ascii_digit())
    {
        Some(format!(
            "电话“{}”应为数字（可含 - 和 +），如 13800000000 或 0513-84512345",
            shown(phone)
        ))
    } else {
        None
    }
}

/// Why a reason (理由) is not accepted: empty or too long.
pub fn reason_problem(why: &str) -> Option<String> {
    let n = why.chars().count();
    if why.trim().is_empty() {
        Some("请填写理由".into())
    } else if n > MAX_REASON_CHARS {
        Some(format!("理由过长：{n} 个字符，上限 {MAX_REASON_CHARS} 个"))
    } else {
        None
    }
}

/// Why `password` is not accepted for `login` under the default sign-in rules (at least 8
/// characters, 3 of the 4 character classes, not the login, not a common password); the store applies
/// the security admin's settings instead ([`crate::security::password_problem_with`]).
pub fn password_problem(password: &str, login: &str) -> Option<String> {
    crate::security::password_problem_with(
        &crate::security::SecuritySettings::default(),
        password,
        login,
    )
}

/// Why `role` cannot have `unit`: a reporter needs one, the others have none.
pub fn unit_binding_problem(role: Role, unit: Option<&str>) -> Option<String> {
    match (role, unit) {
        (Role::Reporter, None) => Some("单位填报员须选择所属单位".into()),
        (Role::Reporter, Some(_)) | (_, None) => None,
        (r, Some(_)) => Some(format!("{}不绑定单位：所属单位应留空", r.label())),
    }
}

/// A new initial password: [`GENERATED_PASSWORD_CHARS`] characters from the OS random source, from
/// letters and digits that cannot be mistaken for one another when read aloud or copied by hand
/// (no 0/O, 1/l/I).
pub fn generate_password() -> String {
    loop {
        let p = generate_once();
        if password_problem(&p, "").is_none() {
            return p;
        }
    }
}

/// One draw of [`generate_password`] (which draws again until it has the classes it needs).
fn generate_once() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = String::with_capacity(GENERATED_PASSWORD_CHARS);
    while out.len() < GENERATED_PASSWORD_CHARS {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).expect("the OS random source");
        // Rejection sampling: only bytes below the largest multiple of the alphabet's size.
        let limit = 256 - 256 % ALPHABET.len();
        for x in b {
            if (x as usize) < limit && out.len() < GENERATED_PASSWORD_CHARS {
                out.push(ALPHABET[x as usize % ALPHABET.len()] as char);
            }
        }
    }
    out
}

/// A value as a message shows it: at most 40 characters, then “…”.
fn shown(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_codes_are_nine_digits_and_eight_is_refused_in_chinese() {
        assert_eq!(unit_code_problem("320623001", CodeScheme::Division9), None);
        assert_eq!(
            unit_code_problem("32062300", CodeScheme::Division9).unwrap(),
            "单位编码“32062300”是 8 位数字：区划代码应为 9 位数字（如 320623001）"
        );
        assert!(
            unit_code_problem("3206230011", CodeScheme::Division9)
                .unwrap()
                .contains("10 位")
        );
        assert!(
            unit_code_problem("曹埠镇", CodeScheme::Division9)
                .unwrap()
                .contains("不是数字")
        );
        assert!(unit_code_problem("", CodeScheme::Division9).is_some());
    }

    #[test]
    fn each_limit_holds_at_its_value_and_refuses_one_more() {
        let at = |n: usize| "a".repeat(n);
        assert_eq!(login_problem(&at(MAX_LOGIN_CHARS)), None);
        assert!(
            login_problem(&at(MAX_LOGIN_CHARS + 1))
                .unwrap()
                .contains("上限 64")
        );
        assert!(login_problem("张三").is_some());
        assert!(login_problem("").is_some());
        let han = |n: usize| "名".repeat(n);
        assert_eq!(person_name_problem(&han(MAX_PERSON_NAME_CHARS)), None);
        assert!(person_name_problem(&han(MAX_PERSON_NAME_CHARS + 1)).is_some());
        assert_eq!(unit_name_problem(&han(MAX_UNIT_NAME_CHARS)), None);
        assert!(unit_name_problem(&han(MAX_UNIT_NAME_CHARS + 1)).is_some());
        assert!(unit_name_problem("掘港\n街道").is_some());
        assert_eq!(phone_problem(&"1".repeat(MAX_PHONE_CHARS)), None);
        assert!(phone_problem(&"1".repeat(MAX_PHONE_CHARS + 1)).is_some());
        assert_eq!(phone_problem("0513-84512345"), None);
        assert_eq!(phone_problem(""), None);
        assert!(phone_problem("一三八").is_some());
        assert_eq!(reason_problem(&han(MAX_REASON_CHARS)), None);
        assert!(reason_problem(&han(MAX_REASON_CHARS + 1)).is_some());
        assert!(reason_problem("  ").is_some());
        let good = |n: usize| format!("Aa1{}", "a".repeat(n - 3));
        assert_eq!(password_problem(&good(MIN_PASSWORD_CHARS), "x"), None);
        assert!(password_problem(&at(MIN_PASSWORD_CHARS), "x").is_some());
        assert_eq!(
            password_problem(&good(MIN_PASSWORD_CHARS - 1), "x").unwrap(),
            "密码至少 8 位"
        );
        assert!(password_problem(&at(MAX_PASSWORD_BYTES + 1), "x").is_some());
    }

    #[test]
    fn generated_passwords_pass_the_rule_and_differ() {
        let a = generate_password();
        let b = generate_password();
        assert_eq!(a.chars().count(), GENERATED_PASSWORD_CHARS);
        assert_eq!(password_problem(&a, "x"), None);
        assert_ne!(a, b);
        assert!(!a.contains(['0', 'O', '1', 'l', 'I']));
    }

    #[test]
    fn only_reporters_are_bound_to_a_unit() {
        assert!(unit_binding_problem(Role::Reporter, None).is_some());
        assert_eq!(
            unit_binding_problem(Role::Reporter, Some("320623001")),
            None
        );
        assert_eq!(unit_binding_problem(Role::Assessor, None), None);
        assert_eq!(
            unit_binding_problem(Role::Viewer, Some("320623001")).unwrap(),
            "领导不绑定单位：所属单位应留空"
        );
    }
}
