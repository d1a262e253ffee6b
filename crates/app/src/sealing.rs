//! 阶段与定档 — moving an assessment on, sealing its result into 定档, 更正 after it, and reading the
//! sealed versions and what changed between them. The store checks and records each move under its
//! write lock; the result it seals is made here, from what the store read under that lock.

use crate::results::{Result, hide_unreadable_details};
use kaohe_store::policy::{self, Read};
use kaohe_store::store::{Assessment, Sealed};
use kaohe_store::{Gate, Ledger, Stage, Store, StoreError, User};
use serde_json::{Value, json};

/// The result as kaohe-core computes it from an assessment and its inputs, as the canonical JSON
/// text that is sealed (DATA.md §3). The store calls it under its write lock.
/// When the admin went on with unfinished work, the result carries the note (`incomplete_note`).
pub fn sealed_result(x: &Assessment, inputs: &kaohe_core::Inputs) -> String {
    let scored = kaohe_core::score(&x.rubric, inputs);
    let report = kaohe_report::json::report(&scored, &[]);
    match &x.incomplete_note {
        None => serde_json::to_string(&report),
        Some(note) => {
            let mut v = serde_json::to_value(&report).expect("a report serialises");
            v["incomplete_note"] = json!(note);
            serde_json::to_string(&v)
        }
    }
    .expect("a report serialises")
}

/// The work still unfinished in an assessment, one line per unit (by code): the clauses without a
/// score or without data, as kaohe-core finds them missing, and a self-assessment not submitted
/// (提交自评) where the unit has clauses to self-assess and a reporter to do it. What the gate before 公示 and 定档 lists.
pub fn unfinished(
    x: &Assessment,
    inputs: &kaohe_core::Inputs,
    progress: &kaohe_store::Progress,
) -> Vec<String> {
    unfinished_in(x, &kaohe_core::score(&x.rubric, inputs), progress)
}

/// [`unfinished`] of a result already scored (the kept one, for the 待办).
pub fn unfinished_in(
    x: &Assessment,
    scored: &kaohe_core::Scored<'_>,
    progress: &kaohe_store::Progress,
) -> Vec<String> {
    let mut rows: Vec<(&str, String)> = scored
        .units
        .iter()
        .filter_map(|r| {
            let missing: Vec<&str> = scored
                .clauses(r)
                .iter()
                .zip(&x.rubric.clauses)
                .filter(|(c, _)| c.score().is_none())
                .map(|(_, clause)| &*clause.id)
                .collect();
            let u = scored.unit(r);
            let unsubmitted =
                x.rubric.self_assessed(&u.kind).next().is_some() && progress.owes_self(&u.code);
            let mut what = Vec::new();
            if !missing.is_empty() {
                what.push(format!("条款 {} 未评分或缺数据", missing.join("、")));
            }
            if unsubmitted {
                what.push("自评未提交".to_string());
            }
            if what.is_empty() {
                return None;
            }
            Some((&*u.code, format!("{}：{}", u.name, what.join("；"))))
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(b.0));
    rows.into_iter().map(|(_, line)| line).collect()
}

/// The gate before 公示 and 定档: [`unfinished`], and the files staged for import and not committed
/// (`staged`, each as the import page names it), then the admin's override (`go_on`) if any.
fn gate<'a>(staged: &'a [String], go_on: Option<&'a str>) -> Gate<'a> {
    Gate::new(move |x, inputs, progress| {
        let mut lines = unfinished(x, inputs, progress);
        if !staged.is_empty() {
            lines.push(format!(
                "数据导入：已上传但未导入的文件 {} 个（{}），请在“数据导入”页导入或移除",
                staged.len(),
                staged.join("、")
            ));
        }
        lines
    })
    .overridden(go_on)
}

/// Where a stage move left the assessment.
#[derive(Debug)]
pub enum Moved {
    /// In the next stage.
    To(Stage),
    /// In 定档, its result sealed.
    Sealed(Sealed),
}

impl Moved {
    /// What the person who moved it is told.
    pub fn message(&self) -> String {
        match self {
            Moved::To(s) => format!("已进入“{}”阶段", s.label()),
            Moved::Sealed(s) => format!("已定档，结果已封存为第 {} 版", s.version),
        }
    }
}

/// 推进阶段 (admin, with the reason): into the next stage; into 定档 the result is sealed with it.
/// Into 公示 and 定档 unfinished work refuses the move ([`StoreError::Unfinished`], every unit
/// named) unless `go_on` gives the admin's explicit reason to continue — a consent of its own,
/// never the move's `why`; it is recorded and printed on the result. `staged` names the files
/// uploaded for import and not committed (the gate lists them).
#[allow(clippy::too_many_arguments)]
pub async fn advance(
    store: &Store,
    user: &User,
    id: i64,
    to: Stage,
    why: &str,
    go_on: Option<&str>,
    staged: &[String],
    now: &str,
) -> Result<Moved> {
    if to == Stage::Final {
        return Ok(Moved::Sealed(
            finalize(store, user, id, why, go_on, staged, now).await?,
        ));
    }
    let gate = gate(staged, go_on);
    store.advance(user, id, to, why, now, gate).await?;
    Ok(Moved::To(to))
}

/// 定档: the result sealed as it is scored under the store's write lock, past the same gate.
pub async fn finalize(
    store: &Store,
    user: &User,
    id: i64,
    why: &str,
    go_on: Option<&str>,
    staged: &[String],
    now: &str,
) -> Result<Sealed> {
    let gate = gate(staged, go_on);
    store
        .finalize(user, id, why, now, gate, sealed_result)
        .await
}

/// 更正 after 定档 (admin, with the reason): a new sealed version, and what changed from the last.
pub async fn correct(
    store: &Store,
    user: &User,
    id: i64,
    reason: &str,
    now: &str,
) -> Result<(Sealed, Vec<Value>)> {
    let last = store.sealed(id).await?.last().map(|s| s.version);
    let before = match last {
        Some(v) => sealed_value(store, id, v).await?,
        None => Value::Null,
    };
    let sealed = store.correct(user, id, reason, now, sealed_result).await?;
    let after = sealed_value(store, id, sealed.version).await?;
    let changes = changes(&before, &after);
    Ok((sealed, changes))
}

/// 更正 as the assessment page makes it: when a unit and a clause are given, that clause's 最终分 set
/// first (with the reason, as the store checks a 更正), then the result sealed again with the same
/// reason; what changed from the last version. Without a clause, only the new seal (of changes made
/// meanwhile through the API).
#[allow(clippy::too_many_arguments)]
pub async fn correct_score(
    store: &Store,
    user: &User,
    id: i64,
    target: Option<(&str, &str)>,
    score: &str,
    reason: &str,
    now: &str,
) -> Result<(Sealed, Vec<Value>)> {
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid("定档后的更正须写明理由".into()));
    }
    if let Some((unit, clause)) = target {
        let current = store
            .scores(user, id, unit)
            .await?
            .into_iter()
            .find(|s| s.clause_id == clause && s.ledger == Ledger::Final)
            .map(|s| s.version);
        store
            .set_score(
                user,
                id,
                unit,
                clause,
                Ledger::Final,
                score,
                reason,
                current,
                now,
            )
            .await?;
    }
    correct(store, user, id, reason, now).await
}

/// A change between two sealed versions (one of [`changes`]) in words, with the unit's name:
/// “马塘镇 · 条款 2.3.2：0.1500 → 0.1000”.
pub fn change_words(c: &Value, unit_name: impl Fn(&str) -> Option<String>) -> String {
    let code = c["unit"].as_str().unwrap_or_default();
    let unit = unit_name(code).unwrap_or_else(|| code.to_string());
    let what = match c["what"].as_str().unwrap_or_default() {
        "total" => "总分".to_string(),
        "rank" => "名次".to_string(),
        other => match other.strip_prefix("clause ") {
            Some(id) => format!("条款 {id}"),
            None => other.to_string(),
        },
    };
    let shown = |v: &Value| match v {
        Value::Null => "无".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    format!(
        "{unit} · {what}：{} → {}",
        shown(&c["from"]),
        shown(&c["to"])
    )
}

/// A sealed version as JSON (checked by the store against its 定档 record); a text that is not
/// JSON is reported as corrupt, never served as empty.
pub async fn sealed_value(store: &Store, id: i64, version: i64) -> Result<Value> {
    let text = store.sealed_json(id, version).await?;
    serde_json::from_str(&text)
        .map_err(|_| StoreError::Corrupt(format!("第 {version} 版定档结果不是有效的 JSON")))
}

/// A sealed version as `user` may read it (the clause details of other units emptied), with its
/// `seal` ([`kaohe_store::store::Seal`]: the SM2 signature anyone can check with `kaohe verify`).
/// A copy with details hidden says so (`seal.redacted`): the signature covers the whole result.
pub async fn sealed_for(store: &Store, user: &User, id: i64, version: i64) -> Result<Value> {
    let (text, seal) = store.sealed_signed(id, version).await?;
    let mut v: Value = serde_json::from_str(&text)
        .map_err(|_| StoreError::Corrupt(format!("第 {version} 版定档结果不是有效的 JSON")))?;
    let stage = store.assessment(id).await?.stage;
    let whole = v.clone();
    hide_unreadable_details(user, stage, &mut v);
    let redacted = v != whole;
    if let (Some(seal), Some(obj)) = (seal, v.as_object_mut()) {
        let mut s = serde_json::to_value(seal).expect("a seal serialises");
        if redacted {
            s["redacted"] = Value::Bool(true);
        }
        obj.insert("seal".into(), s);
    }
    Ok(v)
}

/// What differs between two sealed versions as `user` may read it: every unit's total and rank,
/// clause scores only of the units `user` may read.
pub async fn diff(store: &Store, user: &User, id: i64, from: i64, to: i64) -> Result<Vec<Value>> {
    let x = sealed_value(store, id, from).await?;
    let y = sealed_value(store, id, to).await?;
    let stage = store.assessment(id).await?.stage;
    let mut list = changes(&x, &y);
    list.retain(|c| {
        matches!(c["what"].as_str(), Some("total" | "rank"))
            || policy::may_read(user, Read::Results, stage, c["unit"].as_str()).is_ok()
    });
    Ok(list)
}

/// What differs between two results: per unit its total and rank, and every clause score.
pub fn changes(a: &Value, b: &Value) -> Vec<Value> {
    fn by_key(v: &Value, list: &str, key: &str) -> std::collections::BTreeMap<String, Value> {
        v[list]
            .as_array()
            .map(|xs| {
                xs.iter()
                    .map(|x| (x[key].as_str().unwrap_or_default().to_string(), x.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }
    let (ia, ib) = (by_key(a, "units", "code"), by_key(b, "units", "code"));
    let mut out = Vec::new();
    for (code, ub) in &ib {
        let ua = ia.get(code).cloned().unwrap_or(Value::Null);
        for field in ["total", "rank"] {
            if ua[field] != ub[field] {
                out.push(
                    json!({ "unit": code, "what": field, "from": ua[field], "to": ub[field] }),
                );
            }
        }
        let (ca, cb) = (by_key(&ua, "clauses", "id"), by_key(ub, "clauses", "id"));
        for (cid, c) in &cb {
            let before = ca
                .get(cid)
                .map(|x| x["score"].clone())
                .unwrap_or(Value::Null);
            if before != c["score"] {
                out.push(json!({ "unit": code, "what": format!("clause {cid}"), "from": before, "to": c["score"], "explanation": c["explanation"] }));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Totals, ranks and clause scores that differ are listed per unit; equal ones are not; a unit
    /// new in the second result shows its values as from nothing.
    #[test]
    fn changes_list_what_differs() {
        let a = json!({ "units": [
            { "code": "A", "total": "9.0", "rank": 1, "clauses": [{ "id": "1.1", "score": "1.0" }, { "id": "1.2", "score": "2.0" }] },
        ]});
        let b = json!({ "units": [
            { "code": "A", "total": "8.5", "rank": 1, "clauses": [{ "id": "1.1", "score": "0.5", "explanation": "扣0.5分" }, { "id": "1.2", "score": "2.0" }] },
            { "code": "B", "total": "7.0", "rank": 2, "clauses": [] },
        ]});
        assert_eq!(
            changes(&a, &b),
            vec![
                json!({ "unit": "A", "what": "total", "from": "9.0", "to": "8.5" }),
                json!({ "unit": "A", "what": "clause 1.1", "from": "1.0", "to": "0.5", "explanation": "扣0.5分" }),
                json!({ "unit": "B", "what": "total", "from": null, "to": "7.0" }),
                json!({ "unit": "B", "what": "rank", "from": null, "to": 2 }),
            ]
        );
        assert!(changes(&b, &b).is_empty());
    }
}
