//! 审计日志 as people read it — each stored entry (codes, paths, ISO times, JSON values, hashes) in
//! the office's words: the action from the one table ([`kaohe_store::audit::ACTIONS`]), the object
//! with the unit's and the assessment's names, the time in Beijing time, the values as 键：值, and
//! every hash apart (校验信息). The stored entry is never changed; only its reading.

use crate::results::Result;
use kaohe_store::audit::{Entry, action_label};
use kaohe_store::{Store, User};
use serde_json::Value;
use std::collections::HashMap;

/// One entry as the audit page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub seq: i64,
    /// 时间, in Beijing time.
    pub at: String,
    /// 操作人: the account's name (its login when it is gone).
    pub actor: String,
    /// 操作, in words.
    pub action: String,
    /// 对象: e.g. “考核《2021年度考核》 · 单位 马塘镇 · 条款 1.1.1 · 考核分”.
    pub object: String,
    pub old: String,
    pub new: String,
    pub why: String,
    /// 校验信息: the stored codes, the chain's hashes and any hash the values carry.
    pub check: Vec<String>,
}

/// An assessment's names: its title, unit code → name, metric key → name.
type AssessmentNames = (String, HashMap<String, String>, HashMap<String, String>);

/// The names an entry's object is read with.
#[derive(Default)]
struct Names {
    /// Account login → name.
    people: HashMap<String, String>,
    /// Assessment id → (title, unit code → name, metric key → name).
    assessments: HashMap<i64, AssessmentNames>,
}

/// The entries found (the 审计管理员 only, as [`Store::audit_search`] checks), newest first, in words.
pub async fn search(
    store: &Store,
    by: &User,
    actor: &str,
    action: &str,
    entity: &str,
    limit: i64,
) -> Result<Vec<Row>> {
    let entries = store.audit_search(by, actor, action, entity, limit).await?;
    let mut names = Names::default();
    names.people.extend(store.audit_people(by).await?);
    for e in &entries {
        if let Some(id) = assessment_of(&e.entity)
            && !names.assessments.contains_key(&id)
        {
            // An assessment gone or unreadable leaves its ids as they are.
            if let Ok(x) = store.assessment(id).await {
                let units = store
                    .units(id)
                    .await?
                    .into_iter()
                    .map(|u| (u.code, u.name))
                    .collect();
                let metrics = x
                    .rubric
                    .metrics
                    .iter()
                    .map(|m| (m.key.to_string(), m.name.clone()))
                    .collect();
                names.assessments.insert(id, (x.title, units, metrics));
            }
        }
    }
    Ok(entries.iter().map(|e| row(e, &names)).collect())
}

/// The assessment an entity path names (`assessment/7/…`).
fn assessment_of(entity: &str) -> Option<i64> {
    entity
        .strip_prefix("assessment/")?
        .split('/')
        .next()?
        .parse()
        .ok()
}

fn row(e: &Entry, names: &Names) -> Row {
    let mut check = vec![
        format!("操作代码 {}", e.action),
        format!("对象路径 {}", e.entity),
    ];
    let metrics = assessment_of(&e.entity)
        .and_then(|id| names.assessments.get(&id))
        .map(|a| &a.2);
    let old = e
        .old
        .as_deref()
        .map(|t| value(t, metrics, &mut check))
        .unwrap_or_default();
    let new = e
        .new
        .as_deref()
        .map(|t| value(t, metrics, &mut check))
        .unwrap_or_default();
    check.push(format!("本条校验值 {}", e.hash));
    check.push(format!("上一条校验值 {}", e.prev_hash));
    Row {
        seq: e.seq,
        at: kaohe_core::time::beijing(&e.at),
        actor: names
            .people
            .get(&e.actor)
            .map_or_else(|| e.actor.clone(), |n| format!("{n}（{}）", e.actor)),
        action: action_label(&e.action).to_string(),
        object: object(&e.entity, names),
        old,
        new,
        why: e.why.clone().unwrap_or_default(),
        check,
    }
}

/// An entity path in words: `assessment/1/unit/320623100/clause/1.1.1/assessor` →
/// “考核《2021年度考核》 · 单位 马塘镇 · 条款 1.1.1 · 考核分”.
pub fn object_words(entity: &str) -> String {
    object(entity, &Names::default())
}

fn object(entity: &str, names: &Names) -> String {
    let parts: Vec<&str> = entity.split('/').collect();
    let here = assessment_of(entity).and_then(|id| names.assessments.get(&id));
    let mut out = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let (kind, id) = (parts[i], parts.get(i + 1).copied());
        let step = 2;
        let words = match (kind, id) {
            ("assessment", Some(id)) => match here {
                Some((title, _, _)) => format!("考核《{title}》"),
                None => format!("考核 {id}"),
            },
            ("unit", Some(code)) => match here.and_then(|h| h.1.get(code)) {
                Some(name) => format!("单位 {name}"),
                None => format!("单位 {code}"),
            },
            ("user", Some(login)) => match names.people.get(login) {
                Some(name) => format!("账号 {name}（{login}）"),
                None => format!("账号 {login}"),
            },
            ("clause", Some(c)) => format!("条款 {c}"),
            ("metric", Some(m)) => match here.and_then(|h| h.2.get(m)) {
                Some(name) => format!("指标数据 {name}"),
                None => format!("指标数据 {m}"),
            },
            ("finding", Some(n)) => format!("问题记录 第 {n} 条"),
            ("bonus", Some(n)) => format!("加分 第 {n} 条"),
            ("inspection", Some(n)) => format!("检查记录 第 {n} 条"),
            ("objection", Some(n)) => format!("异议 第 {n} 件"),
            ("evidence", Some(_)) => "佐证材料".to_string(),
            ("import", Some(n)) => format!("平台数据导入 第 {n} 次"),
            ("rubric_draft", Some(n)) => format!("细则草案（编号 {n}）"),
            ("result", Some(n)) => format!("定档结果 第 {n} 版"),
            (ledger, None) => {
                let l = kaohe_store::Ledger::parse(ledger).map(|l| l.label());
                out.push(l.or(word(ledger)).unwrap_or(ledger).to_string());
                break;
            }
            (other, Some(id)) => format!("{} {id}", word(other).unwrap_or(other)),
        };
        out.push(words);
        i += step;
    }
    out.join(" · ")
}

/// The words for a code a value or a path carries: a stage, a ledger, a role, an objection's state.
fn word(code: &str) -> Option<&'static str> {
    Some(match code {
        "draft" => "草稿",
        "self" => "自评",
        "review" => "考核",
        "publication" => "公示",
        "final" => "定档",
        "assessor" => "考核分",
        "admin" => "管理员",
        "reporter" => "单位填报员",
        "viewer" => "领导",
        "sysadmin" => "系统管理员",
        "secadmin" => "安全管理员",
        "auditadmin" => "审计管理员",
        "open" => "待处理",
        "upheld" => "已采纳",
        "rejected" => "不予采纳",
        "submitted" => "已提交",
        "returned" => "已退回",
        "true" => "是",
        "false" => "否",
        "data" => "已存数据",
        _ => return None,
    })
}

/// The words for a key of a stored JSON value.
fn key(k: &str) -> &str {
    match k {
        "name" => "名称",
        "version" => "版本",
        "rubric" => "细则",
        "kind" => "类型",
        "code" => "编码",
        "unit" | "units" => "单位",
        "role" => "角色",
        "login" => "账号",
        "score" => "得分",
        "reason" => "理由",
        "phone" => "电话",
        "phones" => "账号电话（个）",
        "names" => "填报员姓名（个）",
        "certs" => "数字证书标识（个）",
        "fields" => "个人信息（项）",
        "already" => "已是新密钥（项）",
        "bad_files" => "与文件名不符的文件（个）",
        "draft" => "草案",
        "year" => "年度",
        "values" => "数值",
        "title" => "标题",
        "self_deadline" => "自评截止",
        "rows" => "行数",
        "publication_days" => "公示期（工作日）",
        "period" => "考核期",
        "number" => "版次",
        "metrics" => "指标数",
        "instances" => "问题数",
        "files" | "file" => "文件",
        "dates" => "日期",
        "bytes" => "字节",
        "assignments" => "分工",
        "accounts" => "账号",
        "active" => "启用",
        "must_change_password" => "须修改密码",
        "unit_code" => "所属单位",
        "description" => "描述",
        "points" => "扣分",
        "type" => "问题类型",
        "date" => "检查日期",
        "note" => "说明",
        "addr" => "地址",
        "failures" => "连续失败次数",
        "until" => "锁定至",
        "from" => "起",
        "to" => "止",
        "entries" => "条数",
        other => other,
    }
}

/// Whether `s` is a sha256 in hex.
fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A stored value in words; hashes go to `check`.
fn value(text: &str, metrics: Option<&HashMap<String, String>>, check: &mut Vec<String>) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(v @ (Value::Object(_) | Value::Array(_))) => json_words(&v, metrics, check),
        _ => plain(text, check),
    }
}

/// Plain text: `final sha256=…` and bare codes in words, hashes apart.
fn plain(text: &str, check: &mut Vec<String>) -> String {
    let mut out = Vec::new();
    for w in text.split_whitespace() {
        let w = match w.split_once('=') {
            Some((k, h)) if is_hash(h) => {
                check.push(format!("{k} {h}"));
                continue;
            }
            _ => w,
        };
        if is_hash(w) {
            check.push(w.to_string());
            continue;
        }
        out.push(word(w).unwrap_or(w));
    }
    if out.is_empty() && !text.trim().is_empty() {
        return "（见校验信息）".into();
    }
    out.join(" ")
}

fn json_words(
    v: &Value,
    metrics: Option<&HashMap<String, String>>,
    check: &mut Vec<String>,
) -> String {
    match v {
        Value::Object(m) => m
            .iter()
            .filter_map(|(k, x)| {
                // Hashes, the rubric's id (a file's name) and an import's every value (what the
                // replay checks; its counts are shown) are 校验信息.
                if k.contains("sha256")
                    || k == "rubric"
                    || k == "values"
                    || x.as_str().is_some_and(is_hash)
                {
                    check.push(format!("{k} {}", compact(x)));
                    return None;
                }
                let name = metrics
                    .and_then(|ms| ms.get(k))
                    .map_or_else(|| key(k), String::as_str);
                let words = match (k.as_str(), x) {
                    // A role by the office's name for it; a login, an address or a file's name as
                    // it is (never read as a code: the login “admin” is not the role 管理员).
                    ("role", Value::String(r)) => kaohe_store::Role::parse(r)
                        .map_or_else(|| r.clone(), |r| r.label().to_string()),
                    ("login" | "addr" | "name" | "file", Value::String(t)) => t.clone(),
                    _ => json_words(x, metrics, check),
                };
                Some(format!("{name}：{words}"))
            })
            .collect::<Vec<_>>()
            .join("；"),
        Value::Array(xs) => xs
            .iter()
            .map(|x| json_words(x, metrics, check))
            .collect::<Vec<_>>()
            .join("、"),
        Value::String(s) => {
            if is_hash(s) {
                check.push(s.clone());
                String::new()
            } else if kaohe_core::time::beijing_date(s).is_some() {
                // A stored instant (a lock's end, a window's close) in Beijing time.
                kaohe_core::time::beijing(s)
            } else {
                word(s).map_or_else(|| s.clone(), str::to_string)
            }
        }
        Value::Null => "（无）".into(),
        other => word(&other.to_string()).map_or_else(|| other.to_string(), str::to_string),
    }
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_objects_read_in_words_with_hashes_apart() {
        let mut check = Vec::new();
        let h = "ab".repeat(32);
        assert_eq!(
            value(&format!("final sha256={h}"), None, &mut check),
            "定档"
        );
        assert_eq!(check, vec![format!("sha256 {h}")]);
        assert_eq!(
            value(
                r#"{"score":"0.04","reason":"标识牌不显著","version":2}"#,
                None,
                &mut check
            ),
            "理由：标识牌不显著；得分：0.04；版本：2"
        );
        assert_eq!(value("publication", None, &mut check), "公示");
        assert_eq!(
            object_words("assessment/1/unit/320623100/clause/1.1.1/assessor"),
            "考核 1 · 单位 320623100 · 条款 1.1.1 · 考核分"
        );
        assert_eq!(object_words("user/wangfang"), "账号 wangfang");
        assert_eq!(action_label("session.login"), "登录");
        assert_eq!(action_label("finding.add"), "记录问题");
        // `kaohe data-key encrypt`'s entry.
        assert_eq!(object_words("data"), "已存数据");
        assert_eq!(action_label("data.encrypt"), "加密已存数据");
        assert_eq!(action_label("data.rotate"), "更换数据加密密钥");
        assert_eq!(
            value(r#"{"files":2,"fields":3,"already":0}"#, None, &mut check),
            "已是新密钥（项）：0；个人信息（项）：3；文件：2"
        );
        assert_eq!(
            value(r#"{"files":2,"phones":1}"#, None, &mut check),
            "文件：2；账号电话（个）：1"
        );
    }
}
