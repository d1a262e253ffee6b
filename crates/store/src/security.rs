//! 安全设置与登录规则 (GB/T 22239 §8.1.4.1) — the sign-in rules as settings, each with a safe default
//! and bounds the 安全管理员 cannot go past (a password never shorter than 8 characters nor with
//! fewer than 3 of the 4 character classes, the audit log never kept less than 180 days); the password
//! rule itself ([`password_problem_with`]); and instants as seconds for the windows (lock, idle
//! timeout, expiry). The store reads the settings under the write lock ([`crate::Store::security`]).

use kaohe_core::DateTime;
use std::collections::BTreeMap;

/// One setting: its key, the words the security admin's page shows, its default and its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Setting {
    pub key: &'static str,
    pub label: &'static str,
    pub default: i64,
    pub min: i64,
    pub max: i64,
}

/// 安全设置 — every setting, in the order the page shows them.
pub const SETTINGS: &[Setting] = &[
    Setting {
        key: "password_min_chars",
        label: "密码最短长度（位）",
        default: 8,
        min: 8,
        max: 64,
    },
    Setting {
        key: "password_classes",
        label: "密码须含字符类别数（大写字母、小写字母、数字、符号 4 类中）",
        default: 3,
        min: 3,
        max: 4,
    },
    Setting {
        key: "password_max_age_days",
        label: "密码有效期（天，到期须修改）",
        default: 90,
        min: 1,
        max: 365,
    },
    Setting {
        key: "password_history",
        label: "新密码不得与最近几次的密码相同（次）",
        default: 5,
        min: 1,
        max: 24,
    },
    Setting {
        key: "session_idle_minutes",
        label: "会话空闲超时（分钟）",
        default: 30,
        min: 1,
        max: 120,
    },
    Setting {
        key: "session_max_hours",
        label: "会话最长时间（小时）",
        default: 12,
        min: 1,
        max: 24,
    },
    Setting {
        key: "lock_failures",
        label: "同一账号从同一地址连续登录失败几次后锁定（次）",
        default: 5,
        min: 3,
        max: 10,
    },
    Setting {
        key: "lock_minutes",
        label: "锁定时长（分钟）",
        default: 15,
        min: 5,
        max: 1440,
    },
    Setting {
        key: "require_cert",
        label: "须证书登录（1 为开启：登录须同时核对密码和系统管理员为该账号绑定的 SM2 数字证书，证书由前置的国密网关核验后转来；0 为只核对密码）",
        default: 0,
        min: 0,
        max: 1,
    },
    Setting {
        key: "audit_retention_days",
        label: "审计日志保留期（天，不少于 180 天，网络安全法第二十一条）",
        default: 180,
        min: 180,
        max: 3650,
    },
];

/// The settings in force: every key of [`SETTINGS`] with its value (the default until changed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SecuritySettings(BTreeMap<&'static str, i64>);

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings(SETTINGS.iter().map(|s| (s.key, s.default)).collect())
    }
}

impl SecuritySettings {
    /// The settings with stored `(key, value)` rows over the defaults; a row the store would not
    /// have written (unknown key, value out of bounds) is named.
    pub fn from_rows(rows: &[(String, String)]) -> Result<SecuritySettings, String> {
        let mut s = SecuritySettings::default();
        for (k, v) in rows {
            let def = setting(k).ok_or_else(|| format!("未知的安全设置“{k}”"))?;
            let n = check_value(def, v)?;
            s.0.insert(def.key, n);
        }
        Ok(s)
    }
    /// The value of `key` (a key of [`SETTINGS`]).
    pub fn get(&self, key: &str) -> i64 {
        self.0
            .get(key)
            .copied()
            .or_else(|| setting(key).map(|s| s.default))
            .unwrap_or(0)
    }
    /// (setting, value) in the page's order.
    pub fn rows(&self) -> Vec<(Setting, i64)> {
        SETTINGS.iter().map(|s| (*s, self.get(s.key))).collect()
    }
    pub fn min_chars(&self) -> usize {
        self.get("password_min_chars") as usize
    }
    pub fn classes(&self) -> usize {
        self.get("password_classes") as usize
    }
    pub fn max_age_secs(&self) -> i64 {
        self.get("password_max_age_days") * 86_400
    }
    pub fn history(&self) -> i64 {
        self.get("password_history")
    }
    pub fn idle_secs(&self) -> i64 {
        self.get("session_idle_minutes") * 60
    }
    pub fn session_secs(&self) -> i64 {
        self.get("session_max_hours") * 3600
    }
    pub fn lock_failures(&self) -> i64 {
        self.get("lock_failures")
    }
    pub fn lock_secs(&self) -> i64 {
        self.get("lock_minutes") * 60
    }
    /// 须证书登录: a sign-in needs the password and the account's bound certificate.
    pub fn require_cert(&self) -> bool {
        self.get("require_cert") == 1
    }
}

/// The setting named `key`.
pub fn setting(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

/// `value` as a whole number within the setting's bounds, or why not (in Chinese).
pub fn check_value(s: &Setting, value: &str) -> Result<i64, String> {
    let n: i64 = value
        .trim()
        .parse()
        .map_err(|_| format!("“{}”应为整数，实为“{value}”", s.label))?;
    if n < s.min || n > s.max {
        return Err(format!(
            "“{}”应在 {} 到 {} 之间，实为 {n}",
            s.label, s.min, s.max
        ));
    }
    Ok(n)
}

/// 常见密码: passwords found at the top of every leaked list, refused whatever their classes
/// (compared ignoring case).
pub const COMMON_PASSWORDS: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "11111111",
    "88888888",
    "00000000",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "p@ssword1",
    "passw0rd!",
    "p@ssw0rd1",
    "p@ssw0rd123",
    "admin123",
    "admin@123",
    "admin#123",
    "admin123!",
    "admin@1234",
    "administrator",
    "root@123",
    "qwerty123",
    "qwer1234",
    "qwer@1234",
    "1qaz2wsx",
    "1qaz@wsx",
    "1qaz!qaz",
    "abc12345",
    "abc@1234",
    "abc@123456",
    "aa123456",
    "a1234567",
    "a123456789",
    "test@123",
    "welcome1",
    "welcome@123",
    "iloveyou",
    "huawei@123",
    "kaohe@123",
    "kaohe123",
    "zwfw@123",
    "zhengwu@123",
];

/// The character classes of a password: 大写字母, 小写字母, 数字, 符号 (anything else).
pub fn classes(password: &str) -> usize {
    let mut c = [false; 4];
    for ch in password.chars() {
        let i = if ch.is_ascii_uppercase() {
            0
        } else if ch.is_ascii_lowercase() {
            1
        } else if ch.is_ascii_digit() {
            2
        } else if ch.is_whitespace() {
            continue;
        } else {
            3
        };
        c[i] = true;
    }
    c.iter().filter(|x| **x).count()
}

/// Why `password` is not accepted for `login` under `s`, in Chinese; `None` when it is. Length,
/// character classes, not the login (nor the login backwards), not a common password.
pub fn password_problem_with(s: &SecuritySettings, password: &str, login: &str) -> Option<String> {
    let min = s.min_chars();
    let n = password.chars().count();
    if n < min {
        return Some(format!("密码至少 {min} 位"));
    }
    if password.len() > crate::roster::MAX_PASSWORD_BYTES {
        return Some(format!(
            "密码过长：{} 字节，上限 {} 字节",
            password.len(),
            crate::roster::MAX_PASSWORD_BYTES
        ));
    }
    let want = s.classes();
    let have = classes(password);
    if have < want {
        return Some(format!(
            "密码须包含大写字母、小写字母、数字、符号中的至少 {want} 类（现只有 {have} 类）"
        ));
    }
    let lower = password.to_lowercase();
    let login = login.trim().to_lowercase();
    let reversed: String = login.chars().rev().collect();
    if !login.is_empty() && (lower == login || lower == reversed) {
        return Some("密码不能与登录名相同".into());
    }
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Some("密码过于常见（在常见弱密码表中），请另设一个".into());
    }
    None
}

/// An ISO 8601 UTC instant (`2021-12-01T09:00:00Z`) as seconds since 1970; `None` when it does not
/// read.
pub fn epoch(iso: &str) -> Option<i64> {
    let t = DateTime::parse(iso.trim().trim_end_matches('Z'))?;
    Some(i64::from(t.date.0) * 86_400 + i64::from(t.secs))
}

/// Seconds since 1970 as an ISO 8601 UTC instant, as the store keeps times.
pub fn iso(secs: i64) -> String {
    let date = kaohe_core::Date(secs.div_euclid(86_400) as i32);
    let s = secs.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The weak passwords of issue 14 are refused, each with its reason; a good one passes.
    #[test]
    fn weak_passwords_refused() {
        let s = SecuritySettings::default();
        let p = |pw: &str| password_problem_with(&s, pw, "zhangsan");
        assert!(p("12345678").unwrap().contains("至少 3 类"));
        assert!(p("password").unwrap().contains("至少 3 类"));
        assert!(p("        ").unwrap().contains("至少 3 类"));
        assert_eq!(p("short1!").unwrap(), "密码至少 8 位");
        assert!(p("P@ssw0rd").unwrap().contains("常见"));
        assert!(
            password_problem_with(&s, "Zhangsan1", "zhangsan1")
                .unwrap()
                .contains("登录名")
        );
        assert_eq!(p("Kaohe-2026-rd"), None);
        assert_eq!(p("kaohe-admin-2021"), None);
    }

    #[test]
    fn settings_bounds_and_rows() {
        let s = setting("password_min_chars").unwrap();
        assert!(check_value(s, "6").unwrap_err().contains("8 到 64"));
        assert!(check_value(s, "八").unwrap_err().contains("整数"));
        assert_eq!(check_value(s, "12"), Ok(12));
        let r = setting("audit_retention_days").unwrap();
        assert!(check_value(r, "90").is_err());
        let got =
            SecuritySettings::from_rows(&[("session_idle_minutes".into(), "10".into())]).unwrap();
        assert_eq!(got.idle_secs(), 600);
        assert_eq!(got.history(), 5);
        assert!(SecuritySettings::from_rows(&[("x".into(), "1".into())]).is_err());
    }

    #[test]
    fn instants_round_trip() {
        assert_eq!(epoch("2021-12-01T09:00:00Z"), Some(1_638_349_200));
        assert_eq!(iso(1_638_349_200), "2021-12-01T09:00:00Z");
    }
}
