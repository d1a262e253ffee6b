//! 审计回放 — the audit log replayed into the state it says the tables hold, then compared with the
//! tables row by row: a score, finding (with its type and chosen points), inspection record, metric, bonus, sealed result, stage, rubric or account changed
//! behind the store's back (SQL without an audit entry) is named, with what the log says it should be.
//! Run by `kaohe audit verify` after the chain itself has been checked (a replay of an untrusted log
//! would prove nothing).

use crate::audit::Entry;
use crate::model::Ledger;
use crate::store::{Result, Store, sealed_sha_of};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// At most this many differences are listed; the rest are counted.
pub const MAX_LISTED: usize = 200;

/// The digest of a platform import's instances on one clause, in the order written: sha256 of the
/// JSON array of `[unit, description, source]`. The import's audit entry records it per clause; the
/// replay recomputes it from the table.
pub fn instances_digest<'a>(
    rows: impl Iterator<Item = (&'a str, &'a str, Option<&'a str>)>,
) -> String {
    let list: Vec<(&str, &str, Option<&str>)> = rows.collect();
    let text = serde_json::to_string(&list).expect("serialisable");
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An imported instance as the table holds it: unit, description, source.
type Instance = (String, String, Option<String>);

/// 问题类型, 扣分, 扣分理由 of a finding.
type Typed = (Option<String>, Option<String>, Option<String>);

/// A 检查记录: assessment, unit, clause, inspector's login, date, note, recorded at.
type InspectionRow = (i64, String, String, String, String, String, String);

/// What the log says one ledger cell holds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cell {
    score: String,
    reason: String,
    version: i64,
    by: String,
    at: String,
}

/// The state the log describes.
#[derive(Default)]
struct State {
    /// (assessment, unit, clause, ledger key) → cell
    ledger: BTreeMap<(i64, String, String, String), Cell>,
    /// finding id → (assessment, unit, clause, description, by, at), hand-made ones
    findings: BTreeMap<i64, (i64, String, String, String, String, String)>,
    /// finding id → (问题类型, 扣分, 扣分理由) of hand-made findings recorded with them
    typed: BTreeMap<i64, Typed>,
    /// inspection id → (assessment, unit, clause, inspector login, date, note, recorded at)
    inspections: BTreeMap<i64, InspectionRow>,
    /// (assessment, clause) → (import id, digest of its instances on the clause)
    imported: BTreeMap<(i64, String), (i64, String)>,
    /// (assessment, unit, metric) → value
    metrics: BTreeMap<(i64, String, String), String>,
    /// assessments whose metrics an old-format import entry touched (values not in the log)
    metrics_unknown: BTreeMap<i64, i64>,
    /// bonus id → (assessment, unit, clause, points, reason)
    bonuses: BTreeMap<i64, (i64, String, String, String, String)>,
    /// (assessment, version) → sha256
    sealed: BTreeMap<(i64, i64), String>,
    /// assessment → (stage key, rubric sha256)
    assessments: BTreeMap<i64, (String, String)>,
    /// assessment → its 部分单位未完成考核 note (from `stage.override`)
    notes: BTreeMap<i64, String>,
    /// login → (name, role, unit, active)
    users: BTreeMap<String, (String, String, Option<String>, bool)>,
    /// Entries the replay could not read (a format it does not know).
    unreadable: Vec<String>,
}

/// `assessment/{a}/…` → a
fn assessment_of(entity: &str) -> Option<i64> {
    entity
        .strip_prefix("assessment/")?
        .split('/')
        .next()?
        .parse()
        .ok()
}

/// `assessment/{a}/unit/{u}/clause/{rest}` → (a, u, rest); clause ids may not hold "/clause/".
fn unit_clause(entity: &str) -> Option<(i64, &str, &str)> {
    let a = assessment_of(entity)?;
    let (_, after_unit) = entity.split_once("/unit/")?;
    let (unit, rest) = after_unit.rsplit_once("/clause/")?;
    Some((a, unit, rest))
}

impl State {
    fn apply(&mut self, e: &Entry) {
        let bad = |s: &mut State| {
            s.unreadable.push(format!(
                "审计日志第 {} 条（{}）的内容无法回放",
                e.seq,
                crate::audit::action_label(&e.action)
            ))
        };
        let new = e.new.as_deref().unwrap_or_default();
        match e.action.as_str() {
            "score.set" => {
                let parsed = unit_clause(&e.entity).and_then(|(a, u, rest)| {
                    let (clause, ledger) = rest.rsplit_once('/')?;
                    let v: serde_json::Value = serde_json::from_str(new).ok()?;
                    Some((
                        (a, u.to_string(), clause.to_string(), ledger.to_string()),
                        Cell {
                            score: v["score"].as_str()?.to_string(),
                            reason: v["reason"].as_str()?.to_string(),
                            version: v["version"].as_i64()?,
                            by: e.actor.clone(),
                            at: e.at.clone(),
                        },
                    ))
                });
                match parsed {
                    Some((k, c)) => {
                        self.ledger.insert(k, c);
                    }
                    None => bad(self),
                }
            }
            "finding.add_typed" => {
                let parsed = unit_clause(&e.entity).and_then(|(a, u, rest)| {
                    let (clause, id) = rest.rsplit_once("/finding/")?;
                    let t: crate::store::TypedAudit = serde_json::from_str(new).ok()?;
                    Some((
                        a,
                        u.to_string(),
                        clause.to_string(),
                        id.parse::<i64>().ok()?,
                        t,
                    ))
                });
                match parsed {
                    Some((a, u, c, id, t)) => {
                        self.findings
                            .insert(id, (a, u, c, t.description, e.actor.clone(), e.at.clone()));
                        self.typed.insert(id, (t.finding_type, t.points, t.reason));
                    }
                    None => bad(self),
                }
            }
            "inspection.add" | "inspection.remove" => {
                let parsed = unit_clause(&e.entity).and_then(|(a, u, rest)| {
                    let (clause, id) = rest.rsplit_once("/inspection/")?;
                    Some((
                        a,
                        u.to_string(),
                        clause.to_string(),
                        id.parse::<i64>().ok()?,
                    ))
                });
                let record = serde_json::from_str::<crate::store::InspectionAudit>(new).ok();
                match (parsed, e.action.as_str(), record) {
                    (Some((a, u, c, id)), "inspection.add", Some(r)) => {
                        self.inspections
                            .insert(id, (a, u, c, e.actor.clone(), r.date, r.note, e.at.clone()));
                    }
                    (Some((_, _, _, id)), "inspection.remove", _) => {
                        self.inspections.remove(&id);
                    }
                    _ => bad(self),
                }
            }
            "finding.add" | "finding.withdraw" => {
                let parsed = unit_clause(&e.entity).and_then(|(a, u, rest)| {
                    let (clause, id) = rest.rsplit_once("/finding/")?;
                    Some((
                        a,
                        u.to_string(),
                        clause.to_string(),
                        id.parse::<i64>().ok()?,
                    ))
                });
                match (parsed, e.action.as_str()) {
                    (Some((a, u, c, id)), "finding.add") => {
                        self.findings.insert(
                            id,
                            (a, u, c, new.to_string(), e.actor.clone(), e.at.clone()),
                        );
                    }
                    (Some((_, _, _, id)), _) => {
                        self.findings.remove(&id);
                        self.typed.remove(&id);
                    }
                    (None, _) => bad(self),
                }
            }
            "metric.set" => {
                let parsed = assessment_of(&e.entity).and_then(|a| {
                    let (_, after_unit) = e.entity.split_once("/unit/")?;
                    let (u, m) = after_unit.rsplit_once("/metric/")?;
                    Some((a, u.to_string(), m.to_string()))
                });
                match parsed {
                    Some(k) => {
                        self.metrics.insert(k, new.to_string());
                    }
                    None => bad(self),
                }
            }
            "import" => {
                let (Some(a), Ok(v), Some(id)) = (
                    assessment_of(&e.entity),
                    serde_json::from_str::<serde_json::Value>(new),
                    e.entity
                        .rsplit_once("/import/")
                        .and_then(|(_, id)| id.parse::<i64>().ok()),
                ) else {
                    return bad(self);
                };
                match v["values"].as_array() {
                    Some(values) => {
                        let keys: BTreeSet<&str> =
                            values.iter().filter_map(|x| x[1].as_str()).collect();
                        self.metrics
                            .retain(|(aa, _, m), _| *aa != a || !keys.contains(m.as_str()));
                        for x in values {
                            if let (Some(u), Some(m), Some(val)) =
                                (x[0].as_str(), x[1].as_str(), x[2].as_str())
                            {
                                self.metrics
                                    .insert((a, u.to_string(), m.to_string()), val.to_string());
                            }
                        }
                    }
                    None if v["metrics"].as_i64().unwrap_or(0) > 0 => {
                        self.metrics_unknown.insert(a, e.seq);
                    }
                    None => {}
                }
                if let Some(digests) = v["instances_sha256"].as_object() {
                    for (clause, d) in digests {
                        self.imported.insert(
                            (a, clause.clone()),
                            (id, d.as_str().unwrap_or_default().to_string()),
                        );
                    }
                }
            }
            "bonus.add" => {
                let parsed = unit_clause(&e.entity).and_then(|(a, u, rest)| {
                    let (clause, id) = rest.rsplit_once("/bonus/")?;
                    Some((
                        a,
                        u.to_string(),
                        clause.to_string(),
                        id.parse::<i64>().ok()?,
                    ))
                });
                match parsed {
                    Some((a, u, c, id)) => {
                        let why = e.why.clone().unwrap_or_default();
                        self.bonuses.insert(id, (a, u, c, new.to_string(), why));
                    }
                    None => bad(self),
                }
            }
            "stage.finalize" | "result.correct" => {
                let (Some(a), Some(sha)) = (assessment_of(&e.entity), sealed_sha_of(e)) else {
                    return bad(self);
                };
                let version = match e.entity.rsplit_once("/result/") {
                    Some((_, v)) => v.parse().unwrap_or(0),
                    None => 1,
                };
                self.sealed.insert((a, version), sha.to_string());
                if e.action == "stage.finalize"
                    && let Some(x) = self.assessments.get_mut(&a)
                {
                    x.0 = "final".into();
                }
            }
            "stage.override" => match assessment_of(&e.entity) {
                Some(a) => {
                    self.notes.insert(a, new.to_string());
                }
                None => bad(self),
            },
            "stage.advance" => match (assessment_of(&e.entity), e.new.as_deref()) {
                (Some(a), Some(to)) => {
                    if let Some(x) = self.assessments.get_mut(&a) {
                        x.0 = to.to_string();
                    }
                }
                _ => bad(self),
            },
            "assessment.create" => {
                let v: serde_json::Value = serde_json::from_str(new).unwrap_or_default();
                match (assessment_of(&e.entity), v["sha256"].as_str()) {
                    (Some(a), Some(sha)) => {
                        self.assessments
                            .insert(a, ("draft".into(), sha.to_string()));
                    }
                    _ => bad(self),
                }
            }
            // 草案生效: the assessment's rubric is the draft's from here on.
            "rubric.effective" => {
                let v: serde_json::Value = serde_json::from_str(new).unwrap_or_default();
                match (assessment_of(&e.entity), v["sha256"].as_str()) {
                    (Some(a), Some(sha)) => {
                        if let Some(x) = self.assessments.get_mut(&a) {
                            x.1 = sha.to_string();
                        }
                    }
                    _ => bad(self),
                }
            }
            "user.add" => {
                let v: serde_json::Value = serde_json::from_str(new).unwrap_or_default();
                match (v["login"].as_str(), v["name"].as_str(), v["role"].as_str()) {
                    (Some(l), Some(n), Some(r)) => {
                        self.users.insert(
                            l.to_string(),
                            (
                                n.to_string(),
                                r.to_string(),
                                v["unit"].as_str().map(str::to_string),
                                true,
                            ),
                        );
                    }
                    _ => bad(self),
                }
            }
            "user.edit" => {
                let v: serde_json::Value = serde_json::from_str(new).unwrap_or_default();
                let login = e.entity.strip_prefix("user/");
                match (login, v["name"].as_str(), v["role"].as_str()) {
                    (Some(l), Some(n), Some(r)) => {
                        let active = self.users.get(l).is_none_or(|u| u.3);
                        self.users.insert(
                            l.to_string(),
                            (
                                n.to_string(),
                                r.to_string(),
                                v["unit"].as_str().map(str::to_string),
                                active,
                            ),
                        );
                    }
                    _ => bad(self),
                }
            }
            // 修改角色 (安全管理员): the new role key.
            "user.role" => {
                match e
                    .entity
                    .strip_prefix("user/")
                    .and_then(|l| self.users.get_mut(l))
                {
                    Some(u) => u.1 = new.to_string(),
                    None => bad(self),
                }
            }
            "user.disable" | "user.enable" => {
                match e
                    .entity
                    .strip_prefix("user/")
                    .and_then(|l| self.users.get_mut(l))
                {
                    Some(u) => u.3 = e.action == "user.enable",
                    None => bad(self),
                }
            }
            _ => {}
        }
    }
}

/// Collects differences, listing the first [`MAX_LISTED`].
#[derive(Default)]
struct Differences {
    listed: Vec<String>,
    more: usize,
}

impl Differences {
    fn push(&mut self, d: String) {
        if self.listed.len() < MAX_LISTED {
            self.listed.push(d);
        } else {
            self.more += 1;
        }
    }
}

/// 启用 / 已停用
fn state_label(active: bool) -> &'static str {
    if active { "启用" } else { "已停用" }
}

/// A role's key as the office says it (单位填报员, 领导 …); a key kaohe does not know, quoted.
fn role_label(key: &str) -> String {
    crate::Role::parse(key).map_or_else(|| format!("角色“{key}”"), |r| r.label().to_string())
}

fn ledger_label(key: &str) -> String {
    Ledger::parse(key).map_or_else(|| format!("账本“{key}”"), |l| l.label().to_string())
}

/// 问题类型, 扣分, 扣分理由 as a difference names them.
fn typed_text(t: &Typed) -> String {
    format!(
        "“{}”、{}、“{}”",
        t.0.as_deref().unwrap_or("无"),
        t.1.as_deref().unwrap_or("无"),
        t.2.as_deref().unwrap_or("无")
    )
}

impl Store {
    /// Replays the whole audit log and compares the tables with it: every difference, in Chinese
    /// (the first [`MAX_LISTED`], then how many more). Empty when the tables are what the log says.
    /// Check the chain first ([`Store::audit_verify`]): this trusts the entries.
    pub async fn audit_replay(&self) -> Result<Vec<String>> {
        let mut st = State::default();
        let mut after = 0i64;
        loop {
            let page = sqlx::query_as::<_, Entry>("SELECT seq, at, actor, action, entity, old, new, why, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 10000")
                .bind(after)
                .fetch_all(self.pool())
                .await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for e in &page {
                st.apply(e);
            }
        }
        let mut d = Differences::default();
        for u in std::mem::take(&mut st.unreadable) {
            d.push(u);
        }
        self.compare_ledger(&mut st, &mut d).await?;
        self.compare_findings(&mut st, &mut d).await?;
        self.compare_inspections(&mut st, &mut d).await?;
        self.compare_metrics(&mut st, &mut d).await?;
        self.compare_rest(&mut st, &mut d).await?;
        let mut out = d.listed;
        if d.more > 0 {
            out.push(format!("……另有 {} 处不符未列出", d.more));
        }
        Ok(out)
    }

    async fn compare_ledger(&self, st: &mut State, d: &mut Differences) -> Result<()> {
        let rows = sqlx::query("SELECT l.assessment_id, l.unit_code, l.clause_id, l.ledger, l.score, l.reason, l.version, u.login, l.updated_at FROM ledger l LEFT JOIN users u ON u.id = l.updated_by ORDER BY l.assessment_id, l.unit_code, l.clause_id, l.ledger")
            .fetch_all(self.pool())
            .await?;
        for r in &rows {
            let key = (
                r.get::<i64, _>("assessment_id"),
                r.get::<String, _>("unit_code"),
                r.get::<String, _>("clause_id"),
                r.get::<String, _>("ledger"),
            );
            let got = Cell {
                score: r.get("score"),
                reason: r.get("reason"),
                version: r.get("version"),
                by: r.get::<Option<String>, _>("login").unwrap_or_default(),
                at: r.get("updated_at"),
            };
            let place = format!(
                "考核 {} 单位 {} 条款 {} 的{}",
                key.0,
                key.1,
                key.2,
                ledger_label(&key.3)
            );
            match st.ledger.remove(&key) {
                None => d.push(format!(
                    "{place}在表中为 {}（第 {} 版），审计日志中没有这条记录：在审计日志之外被写入",
                    got.score, got.version
                )),
                Some(want) if want != got => d.push(format!(
                    "{place}在表中为 {}（理由“{}”，第 {} 版，{} 于 {}），审计日志记载为 {}（理由“{}”，第 {} 版，{} 于 {}）：在审计日志之外被改动",
                    got.score, got.reason, got.version, got.by, got.at,
                    want.score, want.reason, want.version, want.by, want.at
                )),
                Some(_) => {}
            }
        }
        for ((a, u, c, l), want) in std::mem::take(&mut st.ledger) {
            d.push(format!(
                "考核 {a} 单位 {u} 条款 {c} 的{}：审计日志记载为 {}（第 {} 版），表中没有：该行被删除",
                ledger_label(&l),
                want.score,
                want.version
            ));
        }
        Ok(())
    }

    async fn compare_findings(&self, st: &mut State, d: &mut Differences) -> Result<()> {
        let rows = sqlx::query("SELECT f.id, f.assessment_id, f.unit_code, f.clause_id, f.description, f.evidence_sha256, f.import_id, u.login, f.created_at, f.finding_type, f.points, f.reason FROM findings f LEFT JOIN users u ON u.id = f.created_by ORDER BY f.id")
            .fetch_all(self.pool())
            .await?;
        // Imported instances, grouped by (assessment, clause, import) in the order written.
        let mut imported: BTreeMap<(i64, String, i64), Vec<Instance>> = BTreeMap::new();
        for r in &rows {
            let id: i64 = r.get("id");
            let (a, u, c): (i64, String, String) = (
                r.get("assessment_id"),
                r.get("unit_code"),
                r.get("clause_id"),
            );
            let desc: String = r.get("description");
            if let Some(imp) = r.get::<Option<i64>, _>("import_id") {
                imported
                    .entry((a, c, imp))
                    .or_default()
                    .push((u, desc, r.get("evidence_sha256")));
                continue;
            }
            let got = (
                a,
                u,
                c,
                desc,
                r.get::<Option<String>, _>("login").unwrap_or_default(),
                r.get::<String, _>("created_at"),
            );
            let typed: Typed = (r.get("finding_type"), r.get("points"), r.get("reason"));
            let want_typed = st.typed.remove(&id).unwrap_or_default();
            if st.findings.contains_key(&id) && typed != want_typed {
                d.push(format!(
                    "问题记录 {id}（单位 {} 条款 {}）的问题类型、扣分或扣分理由在表中为 {}，审计日志记载为 {}：在审计日志之外被改动",
                    got.1,
                    got.2,
                    typed_text(&typed),
                    typed_text(&want_typed)
                ));
            }
            match st.findings.remove(&id) {
                None => d.push(format!(
                    "问题记录 {id}（考核 {} 单位 {} 条款 {}：“{}”）在表中，审计日志中没有这条记录或已记为撤回：在审计日志之外被写入",
                    got.0, got.1, got.2, got.3
                )),
                Some(want) if want != got => d.push(format!(
                    "问题记录 {id} 在表中为 单位 {} 条款 {}“{}”，审计日志记载为 单位 {} 条款 {}“{}”：在审计日志之外被改动",
                    got.1, got.2, got.3, want.1, want.2, want.3
                )),
                Some(_) => {}
            }
        }
        for (id, (a, u, c, desc, ..)) in std::mem::take(&mut st.findings) {
            d.push(format!(
                "问题记录 {id}（考核 {a} 单位 {u} 条款 {c}：“{desc}”）审计日志记载未撤回，表中没有：该行被删除"
            ));
        }
        for ((a, c, imp), list) in &imported {
            let digest = instances_digest(
                list.iter()
                    .map(|(u, desc, src)| (u.as_str(), desc.as_str(), src.as_deref())),
            );
            match st.imported.get(&(*a, c.clone())) {
                Some((want_imp, want)) if want_imp == imp && *want == digest => {}
                Some((want_imp, _)) if want_imp == imp => d.push(format!(
                    "考核 {a} 条款 {c} 由第 {imp} 次导入带来的 {} 条问题记录与审计日志记下的摘要不符：在审计日志之外被改动",
                    list.len()
                )),
                _ => d.push(format!(
                    "考核 {a} 条款 {c} 有 {} 条标为第 {imp} 次导入的问题记录，审计日志记载该条款的导入不是这一次：在审计日志之外被写入",
                    list.len()
                )),
            }
        }
        for ((a, c), (imp, _)) in &st.imported {
            if !imported.contains_key(&(*a, c.clone(), *imp)) {
                d.push(format!(
                    "考核 {a} 条款 {c} 第 {imp} 次导入的问题记录在表中一条也没有，审计日志记载有：被删除"
                ));
            }
        }
        Ok(())
    }

    async fn compare_inspections(&self, st: &mut State, d: &mut Differences) -> Result<()> {
        let rows = sqlx::query("SELECT i.id, i.assessment_id, i.unit_code, i.clause_id, u.login, i.inspected_on, i.note, i.recorded_at FROM inspections i LEFT JOIN users u ON u.id = i.inspected_by ORDER BY i.id")
            .fetch_all(self.pool())
            .await?;
        for r in &rows {
            let id: i64 = r.get("id");
            let got: InspectionRow = (
                r.get("assessment_id"),
                r.get("unit_code"),
                r.get("clause_id"),
                r.get::<Option<String>, _>("login").unwrap_or_default(),
                r.get("inspected_on"),
                r.get("note"),
                r.get("recorded_at"),
            );
            match st.inspections.remove(&id) {
                None => d.push(format!(
                    "检查记录 {id}（考核 {} 单位 {} 条款 {}，{} 于 {}）在表中，审计日志中没有这条记录或已记为撤销：在审计日志之外被写入",
                    got.0, got.1, got.2, got.3, got.4
                )),
                Some(want) if want != got => d.push(format!(
                    "检查记录 {id} 在表中为 单位 {} 条款 {}，{} 于 {}（说明“{}”），审计日志记载为 单位 {} 条款 {}，{} 于 {}（说明“{}”）：在审计日志之外被改动",
                    got.1, got.2, got.3, got.4, got.5, want.1, want.2, want.3, want.4, want.5
                )),
                Some(_) => {}
            }
        }
        for (id, (a, u, c, by, date, ..)) in std::mem::take(&mut st.inspections) {
            d.push(format!(
                "检查记录 {id}（考核 {a} 单位 {u} 条款 {c}，{by} 于 {date}）审计日志记载未撤销，表中没有：该行被删除"
            ));
        }
        Ok(())
    }

    async fn compare_metrics(&self, st: &mut State, d: &mut Differences) -> Result<()> {
        for (a, seq) in &st.metrics_unknown {
            d.push(format!(
                "注意：审计日志第 {seq} 条是旧格式的导入记录（未记下指标数值），考核 {a} 的指标数值未能核对"
            ));
        }
        let rows = sqlx::query("SELECT assessment_id, unit_code, metric, value FROM metrics ORDER BY assessment_id, unit_code, metric")
            .fetch_all(self.pool())
            .await?;
        for r in &rows {
            let key = (
                r.get::<i64, _>("assessment_id"),
                r.get::<String, _>("unit_code"),
                r.get::<String, _>("metric"),
            );
            if st.metrics_unknown.contains_key(&key.0) {
                continue;
            }
            let got: String = r.get("value");
            match st.metrics.remove(&key) {
                None => d.push(format!(
                    "考核 {} 单位 {} 的指标 {} 在表中为 {got}，审计日志中没有：在审计日志之外被写入",
                    key.0, key.1, key.2
                )),
                Some(want) if want != got => d.push(format!(
                    "考核 {} 单位 {} 的指标 {} 在表中为 {got}，审计日志记载为 {want}：在审计日志之外被改动",
                    key.0, key.1, key.2
                )),
                Some(_) => {}
            }
        }
        for ((a, u, m), want) in std::mem::take(&mut st.metrics) {
            if !st.metrics_unknown.contains_key(&a) {
                d.push(format!(
                    "考核 {a} 单位 {u} 的指标 {m}：审计日志记载为 {want}，表中没有：该行被删除"
                ));
            }
        }
        Ok(())
    }

    async fn compare_rest(&self, st: &mut State, d: &mut Differences) -> Result<()> {
        // 加分
        for r in sqlx::query("SELECT id, assessment_id, unit_code, clause_id, points, reason FROM bonuses ORDER BY id")
            .fetch_all(self.pool())
            .await?
        {
            let id: i64 = r.get("id");
            let got = (
                r.get::<i64, _>("assessment_id"),
                r.get::<String, _>("unit_code"),
                r.get::<String, _>("clause_id"),
                r.get::<String, _>("points"),
                r.get::<String, _>("reason"),
            );
            match st.bonuses.remove(&id) {
                None => d.push(format!(
                    "加分 {id}（单位 {} 条款 {} {} 分）在表中，审计日志中没有：在审计日志之外被写入",
                    got.1, got.2, got.3
                )),
                Some(want) if want != got => d.push(format!(
                    "加分 {id} 在表中为 单位 {} 条款 {} {} 分，审计日志记载为 单位 {} 条款 {} {} 分：在审计日志之外被改动",
                    got.1, got.2, got.3, want.1, want.2, want.3
                )),
                Some(_) => {}
            }
        }
        for (id, (a, u, c, p, _)) in std::mem::take(&mut st.bonuses) {
            d.push(format!(
                "加分 {id}（考核 {a} 单位 {u} 条款 {c} {p} 分）审计日志中有，表中没有：该行被删除"
            ));
        }
        // 定档结果
        for r in sqlx::query("SELECT assessment_id, version, sha256, json FROM results ORDER BY assessment_id, version")
            .fetch_all(self.pool())
            .await?
        {
            let (a, v): (i64, i64) = (r.get("assessment_id"), r.get("version"));
            let (sha, json): (String, String) = (r.get("sha256"), r.get("json"));
            let actual: String = Sha256::digest(json.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            match st.sealed.remove(&(a, v)) {
                None => d.push(format!(
                    "考核 {a} 第 {v} 版定档结果在表中，审计日志中没有定档或更正记录：在审计日志之外被写入"
                )),
                Some(want) if want != sha || want != actual => d.push(format!(
                    "考核 {a} 第 {v} 版定档结果与审计日志定档时记下的哈希不符：结果被改动"
                )),
                Some(_) => {}
            }
        }
        for ((a, v), _) in std::mem::take(&mut st.sealed) {
            d.push(format!(
                "考核 {a} 第 {v} 版定档结果：审计日志记载已定档，表中没有：该行被删除"
            ));
        }
        // 考核的阶段与细则
        for r in
            sqlx::query("SELECT id, stage, rubric_sha256, rubric_toml, incomplete_note FROM assessments ORDER BY id")
                .fetch_all(self.pool())
                .await?
        {
            let a: i64 = r.get("id");
            let (stage, sha, toml): (String, String, String) =
                (r.get("stage"), r.get("rubric_sha256"), r.get("rubric_toml"));
            let Some((want_stage, want_sha)) = st.assessments.remove(&a) else {
                d.push(format!(
                    "考核 {a} 在表中，审计日志中没有创建记录：在审计日志之外被写入"
                ));
                continue;
            };
            if stage != want_stage {
                d.push(format!(
                    "考核 {a} 的阶段在表中为“{stage}”，审计日志记载为“{want_stage}”：在审计日志之外被改动"
                ));
            }
            let note: Option<String> = r.get("incomplete_note");
            if note != st.notes.remove(&a) {
                d.push(format!(
                    "考核 {a} 的“部分单位未完成考核”说明与审计日志记载的不符：在审计日志之外被改动"
                ));
            }
            let actual = kaohe_core::rubric::load("rubric.toml", &toml)
                .0
                .map(|r| r.sha256);
            if sha != want_sha || actual.as_deref() != Some(want_sha.as_str()) {
                d.push(format!(
                    "考核 {a} 的细则与审计日志创建时记下的哈希不符：细则在审计日志之外被改动"
                ));
            }
        }
        for (a, _) in std::mem::take(&mut st.assessments) {
            d.push(format!(
                "考核 {a}：审计日志记载已创建，表中没有：该行被删除"
            ));
        }
        // 账户
        for r in sqlx::query("SELECT login, name, role, unit_code, active FROM users ORDER BY id")
            .fetch_all(self.pool())
            .await?
        {
            let login: String = r.get("login");
            let role: String = r.get("role");
            // A reporter's name is compared as the log keeps it (`crate::store::replay_names`).
            let (name, want) =
                self.replay_names(&login, &role, r.get("name"), st.users.remove(&login))?;
            let got = (
                name,
                role,
                r.get::<Option<String>, _>("unit_code"),
                r.get::<i64, _>("active") != 0,
            );
            match want {
                None => d.push(format!(
                    "账户“{login}”（{}）在表中，审计日志中没有创建记录：在审计日志之外被写入",
                    role_label(&got.1)
                )),
                Some(want) if want != got => d.push(format!(
                    "账户“{login}”在表中为 {}（{}，单位 {}，{}），审计日志记载为 {}（{}，单位 {}，{}）：在审计日志之外被改动",
                    got.0, role_label(&got.1), got.2.as_deref().unwrap_or("无"), state_label(got.3),
                    want.0, role_label(&want.1), want.2.as_deref().unwrap_or("无"), state_label(want.3)
                )),
                Some(_) => {}
            }
        }
        for (login, _) in std::mem::take(&mut st.users) {
            d.push(format!(
                "账户“{login}”：审计日志记载已创建，表中没有：该行被删除"
            ));
        }
        Ok(())
    }
}
