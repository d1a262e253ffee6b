//! 单位考核表: a unit's scorecard with the three ledgers, explanations and receipts, and its forms —
//! scores, self-assessment, findings, withdrawals, objections and decisions.

use super::*;
use kaohe_store::policy::{self, Action};

/// A unit's points by indicator, with the average of all units (units missing data for an
/// indicator are left out of its average, and the unit's own bar says 缺数据). The averages are
/// the kept result's, made once per change, not per page.
pub(super) fn profile(
    kept: &kaohe_app::kept::Kept,
    me: &kaohe_core::result::UnitResult,
) -> Vec<crate::charts::ProfileRow> {
    let rubric = &kept.assessment().rubric;
    rubric
        .indicators
        .iter()
        .zip(kept.indicator_averages())
        .map(|(ind, average)| crate::charts::ProfileRow {
            name: ind.name.clone(),
            max: ind.max,
            unit: kaohe_app::kept::indicator_points(kept.scored(), me, ind),
            average: *average,
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub(super) struct Notice {
    pub(super) ok: Option<String>,
    pub(super) found: Option<String>,
    pub(super) withdrawn: Option<String>,
    pub(super) objected: Option<String>,
    pub(super) decided: Option<String>,
    pub(super) inspected: Option<String>,
    pub(super) uninspected: Option<String>,
    pub(super) submitted: Option<String>,
    pub(super) returned: Option<String>,
    pub(super) attached: Option<String>,
    pub(super) replaced: Option<String>,
    pub(super) removed: Option<String>,
    pub(super) reopened: Option<String>,
}

/// What a unit's page shows again after a form: the error that refused it, the score form as typed,
/// a notice of what was done, and what was typed into a refused objection form (`form` = "object"
/// or the objection's id) — so that nothing typed is lost.
#[derive(Default)]
pub(super) struct Again<'f> {
    pub(super) error: Option<String>,
    pub(super) typed: Option<&'f ScoreForm>,
    pub(super) notice: Option<String>,
    pub(super) kept: Value,
    /// The clause whose forms refused: the error is shown beside them instead of atop the page.
    pub(super) at: Option<String>,
}

impl Again<'_> {
    /// The page again with only this error.
    pub(super) fn error(message: String) -> Again<'static> {
        Again {
            error: Some(message),
            ..Again::default()
        }
    }
}

/// What one finding of a type (or of an untyped clause with a range) deducts, as the form shows it.
fn each_label(each: kaohe_core::rules::counting::Each) -> String {
    use kaohe_core::rules::counting::Each;
    match each {
        Each::Per(p) => format!("每次扣 {} 分", p.normalize()),
        Each::Range(r) => format!("酌情扣 {}–{} 分", r.lo.normalize(), r.hi.normalize()),
    }
}

/// The state of a clause result that is not a number: 不适用, 未检查 (else none).
fn state_label(r: &kaohe_core::result::ClauseResult) -> Option<&'static str> {
    use kaohe_core::result::{Detail, Missing};
    match r.detail {
        Detail::NotApplicable => Some("不适用"),
        Detail::Missing(Missing::NotInspected) => Some("未检查"),
        _ => None,
    }
}

/// The lines beside a unit's total: 不参与排名, 排名组, 档次, 单项否决 and its reason, 折算.
fn remarks(s: &kaohe_core::result::Scored<'_>, u: &kaohe_core::result::UnitResult) -> Vec<String> {
    let mut out = Vec::new();
    if !u.ranked {
        out.push(format!(
            "数据不全（缺 {}），不参与排名",
            s.missing_clauses(u).join("、")
        ));
    }
    if let Some(g) = s.group(u) {
        out.push(format!("排名组：{g}"));
    }
    if let Some(g) = s.grade(u) {
        out.push(format!("档次：{g}"));
    }
    if let Some(v) = s.veto_reason(u) {
        out.push(format!("单项否决：{v}"));
    }
    if let Some(p) = s.prorate_note(u) {
        out.push(p);
    }
    out
}

/// A refusal of a form about one clause, as the page says it: "条款 1.1.1：…".
fn about_clause(clause: &str, e: kaohe_store::StoreError) -> String {
    format!("条款 {clause}：{}", crate::error::AppError::from(e).message)
}

/// The unit's scorecard, with what a form left to show again.
pub(super) async fn scorecard_page(
    st: &AppState,
    a: &Authed,
    id: i64,
    unit: &str,
    again: Again<'_>,
) -> Page {
    let Again {
        error,
        typed,
        notice,
        kept,
        at,
    } = again;
    let x = assessment_of(st, a, id).await?;
    kaohe_app::results::may_open_unit(&a.user, x.stage, unit).or_page(a)?;
    let u = st.store.unit(id, unit).await.or_page(a)?;
    let Some(u) = u.as_ref() else {
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            Some(a),
            &format!("本次考核中没有单位“{unit}”"),
        ));
    };
    let scores = st.store.scores(&a.user, id, unit).await.or_page(a)?;
    let show = may_see_results(&a.user, x.stage);
    // The result, scored, for who may see it now; the unit's row of it.
    let results = match show {
        true => Some(
            kaohe_app::results::of(&st.store, &a.user, id)
                .await
                .or_page(a)?,
        ),
        false => None,
    };
    // The unit's row of the kept result, found by its code (no scan, nothing scored per page).
    let scored = results.as_ref().map(|r| r.scored());
    let ur = results.as_ref().and_then(|r| r.kept.unit(unit));
    let assigned = st.store.assigned(id, &a.user, unit).await.or_page(a)?;
    // What this person may do here now, as the store's write policy says (and checks again).
    let may = |action| policy::check(&a.user, action, x.stage, Some(unit), assigned).is_ok();
    let can_score = may(Action::Score);
    // Findings recorded by hand, which whoever may score can withdraw (with a reason).
    let by_hand: Vec<kaohe_store::Finding> = if can_score {
        st.store
            .findings_of(&a.user, id, unit)
            .await
            .or_page(a)?
            .into_iter()
            .filter(|f| !f.imported)
            .collect()
    } else {
        Vec::new()
    };
    // 检查记录, for whoever may read the unit's findings now.
    let inspections = match st.store.inspections_of(&a.user, id, unit).await {
        Err(kaohe_store::StoreError::Forbidden(_)) => Vec::new(),
        other => other.or_page(a)?,
    };
    let today = kaohe_core::time::beijing_date(&st.now())
        .map(|d| d.to_string())
        .unwrap_or_default();
    let submission = submission::view(st, a, &x, u, assigned).await.or_page(a)?;
    let locked = submission.as_ref().is_some_and(|s| s.submitted);
    let can_self = may(Action::SelfAssess) && !locked;
    // 佐证材料, for whoever may read them (a leader reads the page without them).
    let evidence = match st.store.evidence(&a.user, id, unit).await {
        Err(kaohe_store::StoreError::Forbidden(_)) => Vec::new(),
        other => other.or_page(a)?,
    };
    let can_object = may(Action::Object);
    let can_decide = may(Action::Decide);
    let can_reopen = may(Action::Reopen);
    let objections = super::files::objection_rows(
        st.store.objections(&a.user, id).await.or_page(a)?,
        unit,
        &evidence,
    );
    let plain = |c: &str| {
        super::files::file_rows(
            evidence
                .iter()
                .filter(|e| e.clause_id == c && e.objection_id.is_none() && e.finding_id.is_none()),
        )
    };
    let of_findings = |c: &str| {
        super::files::file_rows(
            evidence
                .iter()
                .filter(|e| e.clause_id == c && e.finding_id.is_some()),
        )
    };
    let clauses: Vec<Value> = x
        .rubric
        .clauses
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let find = |l: Ledger| scores.iter().find(|s| s.clause_id == *c.id && s.ledger == l);
            let (s_self, s_ass, s_fin) = (find(Ledger::SelfScore), find(Ledger::Assessor), find(Ledger::Final));
            let (final_score, explanation, lost, instances, state) = match (&scored, ur) {
                (Some(scored), Some(r)) => {
                    let cr = scored.clauses(r)[ci];
                    (
                        cr.score().map(|v| kaohe_report::fixed(v, x.rubric.precision)),
                        scored.explain(r, ci),
                        !scored.lost(c, &cr).is_zero(),
                        scored.findings(r, ci).iter().map(|f| f.description.clone()).collect::<Vec<_>>(),
                        state_label(&cr),
                    )
                }
                _ => (None, String::new(), false, Vec::new(), None),
            };
            let counting = c.rule.counting();
            let mut row = json!({
                "id": &*c.id, "title": c.title, "max": c.max.normalize().to_string(),
                "self": s_self.map(|s| s.score.clone()), "self_reason": s_self.map(|s| s.reason.clone()),
                "assessor": s_ass.map(|s| s.score.clone()),
                "assessor_reason": s_ass.map(|s| s.reason.clone()),
                "version": s_ass.map(|s| s.version),
                "self_version": s_self.map(|s| s.version),
                "evidence": plain(&c.id),
                "finding_files": of_findings(&c.id),
                "final": final_score.or(s_fin.map(|s| s.score.clone())), "explanation": explanation, "lost": lost, "instances": instances,
                "judgement": matches!(c.rule, kaohe_core::rubric::Rule::Judgement),
                "by_hand": by_hand.iter().filter(|f| f.clause_id == *c.id).map(|f| {
                    let mut v = json!(f);
                    v["files"] = json!(super::files::file_rows(evidence.iter().filter(|e| e.finding_id == Some(f.id))));
                    v
                }).collect::<Vec<_>>(),
                "state": state,
                "inspection": counting.inspection,
                "inspections": inspections.iter().filter(|i| i.clause_id == *c.id).collect::<Vec<_>>(),
                "types": counting.types.iter().map(|t| json!({ "name": t.name, "label": each_label(t.each) })).collect::<Vec<_>>(),
                "range": counting.range.map(|r| each_label(kaohe_core::rules::counting::Each::Range(r))),
                "takes_points": counting.range.is_some() || counting.types.iter().any(|t| matches!(t.each, kaohe_core::rules::counting::Each::Range(_))),
            });
            if let Some(t) = typed
                && t.clause == *c.id
            {
                if t.description.is_empty() {
                    row["assessor"] = json!(t.score);
                    row["assessor_reason"] = json!(t.reason);
                } else {
                    row["finding_typed"] = json!(t.description);
                    row["finding_type_typed"] = json!(t.finding_type);
                    row["points_typed"] = json!(t.points);
                    row["finding_reason_typed"] = json!(t.reason);
                }
            }
            row["takes_findings"] = json!(c.rule.takes_findings());
            if can_score && at.as_deref() == Some(&*c.id) {
                row["error"] = json!(error);
            }
            row
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    // Beside the clause's forms when they are shown, or in the objection's decision (`o-N`) or
    // reopening (`reopen-N`) form when the page shows it (from `kept`) — else atop the page.
    let form_shown = |oid: &str, open: bool| {
        let oid = oid.parse::<i64>().ok();
        objections
            .iter()
            .any(|o| oid.is_some() && o["id"].as_i64() == oid && (o["status"] == "open") == open)
    };
    let beside = (can_score && at.as_deref().is_some_and(|c| x.rubric.clause(c).is_some()))
        || match at.as_deref() {
            Some(a) if a.starts_with("o-") => can_decide && form_shown(&a[2..], true),
            Some(a) if a.starts_with("reopen-") => can_reopen && form_shown(&a[7..], false),
            _ => false,
        };
    let mut page = ScorecardPage {
        frame: Frame::of(Some(a))
            .error(if beside { None } else { error })
            .notice(notice),
        unit: u,
        a_id: id,
        stage_label: x.stage.label(),
        clauses,
        can_score,
        can_self,
        can_object,
        can_decide,
        can_reopen,
        objections,
        profile_chart: None,
        profile: Vec::new(),
        years_chart: None,
        total: None,
        kept,
        today,
        submission,
    };
    if let (Some(results), Some(scored), Some(r)) = (&results, scored, ur) {
        let dp = x.rubric.precision;
        let profile = profile(&results.kept, r);
        page.profile_chart = Some(crate::charts::profile_chart(&profile));
        page.profile = profile
            .iter()
            .map(|p| IndicatorBar {
                name: p.name.clone(),
                max: p.max.normalize().to_string(),
                unit: p.unit.map(|v| v.normalize().to_string()),
                average: p.average.map(|v| kaohe_report::fixed(v, dp)),
            })
            .collect();
        let this = (x.year as i32, r.total, r.rank);
        let years = kaohe_app::results::years(&st.store, &a.user, unit, (id, this))
            .await
            .or_page(a)?;
        if years.len() > 1 {
            page.years_chart = Some(crate::charts::years_chart(&years));
        }
        let has_penalty = x.rubric.clauses.iter().any(|c| c.is_penalty());
        page.total = Some(Total {
            total: kaohe_report::fixed(r.total, dp),
            base: kaohe_report::fixed(r.base, dp),
            bonus: kaohe_report::fixed(r.bonus, dp),
            penalty: has_penalty.then(|| kaohe_report::fixed(r.penalty, dp)),
            rank: r.rank,
            ranked: r.ranked,
            rank_text: scored.rank_text(r),
            remarks: remarks(scored, r),
        });
    }
    let mut resp = render("scorecard.html", page);
    *resp.status_mut() = status;
    Ok(resp)
}

/// 单位考核表's context. A clause row carries the ledgers' values, the result and its explanation
/// when the reader may see it, the evidence, and what was typed into a refused form.
#[derive(serde::Serialize)]
struct ScorecardPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    unit: &'a kaohe_store::store::UnitRow,
    a_id: i64,
    stage_label: &'static str,
    clauses: Vec<Value>,
    can_score: bool,
    can_self: bool,
    can_object: bool,
    can_decide: bool,
    /// The admin in 公示: a decided objection can be reopened.
    can_reopen: bool,
    objections: Vec<Value>,
    profile_chart: Option<String>,
    profile: Vec<IndicatorBar>,
    years_chart: Option<String>,
    total: Option<Total>,
    kept: Value,
    /// Today in Beijing time (the 检查日期 a new record starts with).
    today: String,
    /// 提交自评: its state and what this person may do with it.
    submission: Option<submission::SubmissionView>,
}

/// The unit's points in one indicator beside the average of all units.
#[derive(serde::Serialize)]
struct IndicatorBar {
    name: String,
    max: String,
    unit: Option<String>,
    average: Option<String>,
}

/// The unit's total, base, bonus, 扣分项 (when the rubric has penalty clauses) and rank — or why
/// it is not ranked — with the remarks beside them (排名组, 档次, 单项否决, 折算).
#[derive(serde::Serialize)]
struct Total {
    total: String,
    base: String,
    bonus: String,
    penalty: Option<String>,
    rank: u32,
    ranked: bool,
    rank_text: String,
    remarks: Vec<String>,
}

pub(super) async fn scorecard(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit)): Path<(i64, String)>,
    Query(n): Query<Notice>,
) -> Page {
    let notice =
        n.ok.map(|c| format!("已保存条款 {c} 的得分"))
            .or(n.found.map(|c| format!("已记录条款 {c} 的问题")))
            .or(n
                .withdrawn
                .map(|c| format!("已撤回条款 {c} 的一条问题记录")))
            .or(n.objected.map(|_| "异议已提交，等待考核组处理".to_string()))
            .or(n.decided.map(|_| "异议已处理".to_string()))
            .or(n.inspected.map(|c| format!("已记录条款 {c} 的检查")))
            .or(n.attached.map(|f| format!("已上传“{f}”")))
            .or(n.replaced.map(|f| format!("已替换为“{f}”")))
            .or(n.removed.map(|f| format!("已删除“{f}”")))
            .or(n
                .reopened
                .map(|_| "异议已重新打开，等待重新处理".to_string()))
            .or(n
                .uninspected
                .map(|c| format!("已撤销条款 {c} 的一条检查记录")))
            .or(n
                .submitted
                .map(|_| "自评已提交，等待考核员审核".to_string()))
            .or(n
                .returned
                .map(|_| "已退回自评，填报员可修改后重新提交".to_string()));
    let again = Again {
        notice,
        ..Again::default()
    };
    scorecard_page(&st, &a, id, &unit, again).await
}

#[derive(Deserialize)]
pub(super) struct ScoreForm {
    #[serde(default)]
    pub(super) csrf: String,
    pub(super) clause: String,
    #[serde(default)]
    pub(super) score: String,
    #[serde(default)]
    pub(super) reason: String,
    #[serde(default)]
    pub(super) version: String,
    /// A finding's description (the 记录问题 form); when set, the form was that one.
    #[serde(default)]
    pub(super) description: String,
    /// 问题类型 of a finding (clauses whose rule lists types).
    #[serde(default)]
    pub(super) finding_type: String,
    /// 扣分 chosen in a range (the 扣分理由 is `reason`).
    #[serde(default)]
    pub(super) points: String,
    /// A photo taken on site and another file recorded with a finding (base64url from the page's
    /// script) with their names; never shown again.
    #[serde(default, skip_serializing)]
    pub(super) photo_data: Option<String>,
    #[serde(default, skip_serializing)]
    pub(super) photo_name: Option<String>,
    #[serde(default, skip_serializing)]
    pub(super) file_data: Option<String>,
    #[serde(default, skip_serializing)]
    pub(super) file_name: Option<String>,
}

pub(super) async fn score_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Page {
    ledger_form(st, a, id, unit, body, Ledger::Assessor).await
}

/// 自评: the unit's reporter, in 自评.
pub(super) async fn self_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Page {
    ledger_form(st, a, id, unit, body, Ledger::SelfScore).await
}

/// The posted form of a unit's page (score, self-assessment or finding), or the page that refuses
/// it: an incomplete form (the unit's page saying so), a missing or wrong CSRF token.
pub(super) async fn score_form_of(
    st: &AppState,
    a: &Authed,
    id: i64,
    unit: &str,
    body: &str,
) -> Result<ScoreForm, PageError> {
    let Ok(f) = serde_urlencoded::from_str::<ScoreForm>(body) else {
        let again = Again::error("表单不完整，请重新填写".into());
        let r = scorecard_page(st, a, id, unit, again).await?;
        return Err(PageError(Box::new(r)));
    };
    if !auth::same(&f.csrf, &a.csrf) {
        return Err(csrf_refused(a));
    }
    Ok(f)
}

pub(super) async fn ledger_form(
    st: AppState,
    a: Authed,
    id: i64,
    unit: String,
    body: String,
    ledger: Ledger,
) -> Page {
    let f = score_form_of(&st, &a, id, &unit, &body).await?;
    let version = f.version.trim().parse::<i64>().ok();
    match st
        .store
        .set_score(
            &a.user,
            id,
            &unit,
            &f.clause,
            ledger,
            &f.score,
            &f.reason,
            version,
            &st.now(),
        )
        .await
    {
        Ok(_) => Ok(to_unit_page(id, &unit, ("ok", &f.clause), Some(&f.clause))),
        Err(e) => {
            let again = Again {
                error: Some(about_clause(&f.clause, e)),
                typed: Some(&f),
                ..Again::default()
            };
            scorecard_page(&st, &a, id, &unit, again).await
        }
    }
}

/// 提出异议 (the unit's reporter, 公示).
pub(super) async fn object_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit)): Path<(i64, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Page {
    use super::files::{Carries, read_form};
    let body = read_form(&st, &a, (id, &unit), Carries::Objection, &headers, body).await?;
    let f = posted(&a, &body)?;
    let (clause, reason) = (
        f.get("clause").cloned().unwrap_or_default(),
        f.get("reason").cloned().unwrap_or_default(),
    );
    let files: Result<Vec<_>, String> =
        super::files::form_file(f.get("file_data"), f.get("file_name"))
            .map(|f| f.into_iter().collect());
    let done = match files {
        Ok(files) => {
            let ups = super::files::uploads(&files);
            st.store
                .file_objection_with(&a.user, id, &unit, &clause, &reason, &ups, &st.now())
                .await
                .map_err(|e| crate::error::AppError::from(e).message)
        }
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(to_unit_page(id, &unit, ("objected", "1"), None)),
        Err(e) => {
            let again = Again {
                error: Some(e),
                kept: json!({ "form": "object", "clause": clause, "reason": reason }),
                ..Again::default()
            };
            scorecard_page(&st, &a, id, &unit, again).await
        }
    }
}

/// 处理异议 (an assigned assessor or admin, 公示).
pub(super) async fn decide_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit, oid)): Path<(i64, String, i64)>,
    body: String,
) -> Page {
    let f = posted(&a, &body)?;
    let outcome = f.get("outcome").cloned().unwrap_or_default();
    let score = f.get("score").map(|s| s.trim()).filter(|s| !s.is_empty());
    let reason = f.get("reason").cloned().unwrap_or_default();
    let decided = match kaohe_store::Outcome::parse(Some(&outcome)) {
        Ok(o) => {
            let d = kaohe_store::Decision {
                upheld: o == kaohe_store::Outcome::Upheld,
                reason: &reason,
                score,
            };
            st.store
                .decide_objection(&a.user, id, oid, &d, &st.now())
                .await
        }
        Err(e) => Err(e),
    };
    match decided {
        Ok(()) => Ok(to_unit_page(id, &unit, ("decided", "1"), None)),
        Err(e) => {
            let error = crate::error::AppError::from(e).message;
            let again = Again {
                kept: json!({ "form": oid, "outcome": outcome, "score": score, "reason": reason, "error": &error }),
                error: Some(error),
                at: Some(format!("o-{oid}")),
                ..Again::default()
            };
            scorecard_page(&st, &a, id, &unit, again).await
        }
    }
}

/// 记录问题 (admin, the unit's assessors, in 考核): one finding of a clause counted per instance; it
/// appears in the clause's explanation and receipts. Refused forms keep the typed description.
/// 撤回: a finding recorded by hand taken back, with the reason (the audit log keeps its text).
pub(super) async fn withdraw_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit, fid)): Path<(i64, String, i64)>,
    body: String,
) -> Page {
    let f = score_form_of(&st, &a, id, &unit, &body).await?;
    match st
        .store
        .withdraw_finding(&a.user, id, &unit, fid, &f.reason, &st.now())
        .await
    {
        Ok(()) => Ok(to_unit_page(
            id,
            &unit,
            ("withdrawn", &f.clause),
            Some(&f.clause),
        )),
        Err(e) => {
            let again = Again::error(about_clause(&f.clause, e));
            scorecard_page(&st, &a, id, &unit, again).await
        }
    }
}

pub(super) async fn finding_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit)): Path<(i64, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Page {
    use super::files::{Carries, read_form};
    let body = read_form(&st, &a, (id, &unit), Carries::Finding, &headers, body).await?;
    let f = score_form_of(&st, &a, id, &unit, &body).await?;
    let mut files = Vec::new();
    for (data, name) in [(&f.photo_data, &f.photo_name), (&f.file_data, &f.file_name)] {
        match super::files::form_file(data.as_ref(), name.as_ref()) {
            Ok(file) => files.extend(file),
            Err(e) => {
                let again = Again {
                    error: Some(about_clause(&f.clause, kaohe_store::StoreError::Invalid(e))),
                    at: Some(f.clause.clone()),
                    typed: Some(&f),
                    ..Again::default()
                };
                return scorecard_page(&st, &a, id, &unit, again).await;
            }
        }
    }
    let ups = super::files::uploads(&files);
    let text = kaohe_app::findings::FindingText {
        files: &ups,
        clause: &f.clause,
        description: &f.description,
        finding_type: &f.finding_type,
        points: &f.points,
        reason: &f.reason,
    };
    match kaohe_app::findings::add_finding(&st.store, &a.user, id, &unit, &text, &st.now()).await {
        Ok(_) => Ok(to_unit_page(
            id,
            &unit,
            ("found", &f.clause),
            Some(&f.clause),
        )),
        Err(e) => {
            let msg = about_clause(&f.clause, e);
            // An empty description is kept as a single space so the form still counts as typed.
            let mut typed = f;
            if typed.description.is_empty() {
                typed.description = " ".into();
            }
            let again = Again {
                error: Some(msg),
                at: Some(typed.clause.clone()),
                typed: Some(&typed),
                ..Again::default()
            };
            scorecard_page(&st, &a, id, &unit, again).await
        }
    }
}

/// 记录检查：已检查，未发现问题 (admin, the unit's assessors, in 考核) on a clause that requires an
/// inspection record, with the day inspected. A refused form shows again as typed, with the reason.
pub(super) async fn inspection_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Page {
    let f = posted(&a, &body)?;
    let field = |k: &str| f.get(k).cloned().unwrap_or_default();
    let (clause, date, note) = (field("clause"), field("date"), field("note"));
    match kaohe_app::findings::record_inspection(
        &st.store,
        &a.user,
        id,
        &unit,
        &clause,
        &date,
        &note,
        &st.now(),
    )
    .await
    {
        Ok(_) => Ok(to_unit_page(
            id,
            &unit,
            ("inspected", &clause),
            Some(&clause),
        )),
        Err(e) => {
            let again = Again {
                error: Some(about_clause(&clause, e)),
                kept: json!({ "form": "inspect", "clause": clause, "date": date, "note": note }),
                at: Some(clause),
                ..Again::default()
            };
            scorecard_page(&st, &a, id, &unit, again).await
        }
    }
}

/// 撤销检查记录, with the reason (the audit log keeps the record).
pub(super) async fn remove_inspection_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, unit, iid)): Path<(i64, String, i64)>,
    body: String,
) -> Page {
    let f = posted(&a, &body)?;
    let field = |k: &str| f.get(k).cloned().unwrap_or_default();
    let (clause, reason) = (field("clause"), field("reason"));
    match kaohe_app::findings::remove_inspection(
        &st.store,
        &a.user,
        id,
        &unit,
        iid,
        &reason,
        &st.now(),
    )
    .await
    {
        Ok(()) => Ok(to_unit_page(
            id,
            &unit,
            ("uninspected", &clause),
            Some(&clause),
        )),
        Err(e) => {
            let again = Again {
                error: Some(about_clause(&clause, e)),
                at: Some(clause),
                ..Again::default()
            };
            scorecard_page(&st, &a, id, &unit, again).await
        }
    }
}
