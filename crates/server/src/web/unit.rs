//! 单位考核表: a unit's scorecard with the three ledgers, explanations and receipts, and its forms —
//! scores, self-assessment, findings, withdrawals, objections and decisions.

use super::*;

/// A unit's points by indicator, with the average of all units (units missing data for an
/// indicator are left out of its average, and the unit's own bar says 缺数据).
pub(super) fn profile(
    rubric: &kaohe_core::rubric::Rubric,
    scored: &kaohe_core::result::Scored<'_>,
    me: &kaohe_core::result::UnitResult,
) -> Vec<crate::charts::ProfileRow> {
    let sum = |r: &kaohe_core::result::UnitResult, ind: &kaohe_core::rubric::Indicator| {
        let cells = scored.clauses(r);
        ind.items
            .iter()
            .flat_map(|it| it.clauses.iter())
            .try_fold(rust_decimal::Decimal::ZERO, |acc, &ci| {
                cells[ci].score().map(|v| acc + v)
            })
    };
    rubric
        .indicators
        .iter()
        .map(|ind| {
            let known: Vec<_> = scored.units.iter().filter_map(|r| sum(r, ind)).collect();
            let average = (!known.is_empty()).then(|| {
                known.iter().sum::<rust_decimal::Decimal>()
                    / rust_decimal::Decimal::from(known.len() as u64)
            });
            crate::charts::ProfileRow {
                name: ind.name.clone(),
                max: ind.max,
                unit: sum(me, ind),
                average,
            }
        })
        .collect()
}

/// The unit's total and rank in every assessment whose results the user may see, oldest year first.
/// `this` is the assessment being shown (id, year, total, rank), already scored.
pub(super) async fn years(
    st: &AppState,
    a: &Authed,
    unit: &str,
    this: (i64, i32, rust_decimal::Decimal, u32),
) -> Result<Vec<(i32, rust_decimal::Decimal, u32)>, kaohe_store::StoreError> {
    let mut out = vec![(this.1, this.2, this.3)];
    for row in st.store.assessments().await? {
        if row.id == this.0 {
            continue;
        }
        // A year that cannot be read is an error of the page, never a year missing from the chart.
        let x = st.store.assessment(row.id).await?;
        if !may_see_results(&a.user, x.stage) {
            continue;
        }
        let inputs = st.store.inputs(row.id).await?;
        let scored = kaohe_core::score(&x.rubric, &inputs);
        if let Some(r) = scored.units.iter().find(|r| &*scored.unit(r).code == unit) {
            out.push((x.year as i32, r.total, r.rank));
        }
    }
    out.sort_by_key(|p| p.0);
    Ok(out)
}

#[derive(Deserialize, Default)]
pub(super) struct Notice {
    pub(super) ok: Option<String>,
    pub(super) found: Option<String>,
    pub(super) withdrawn: Option<String>,
    pub(super) objected: Option<String>,
    pub(super) decided: Option<String>,
}

pub(super) async fn scorecard_page(
    st: &AppState,
    a: &Authed,
    id: i64,
    unit: &str,
    error: Option<String>,
    typed: Option<&ScoreForm>,
    notice: Option<String>,
) -> Response {
    scorecard_page_kept(st, a, id, unit, error, typed, notice, Value::Null).await
}

/// The scorecard; `kept` is what was typed into a refused objection form (`form` = "object" or the
/// objection's id), shown again so nothing typed is lost.
#[allow(clippy::too_many_arguments)]
pub(super) async fn scorecard_page_kept(
    st: &AppState,
    a: &Authed,
    id: i64,
    unit: &str,
    error: Option<String>,
    typed: Option<&ScoreForm>,
    notice: Option<String>,
    kept: Value,
) -> Response {
    if !Store::may_read_unit(&a.user, unit) {
        return page_error(
            StatusCode::FORBIDDEN,
            Some(a),
            &format!(
                "{}（{}）无权查看单位 {unit} 的考核表",
                a.user.name,
                a.user.role.label()
            ),
        );
    }
    let x = match assessment_or_page(st, a, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let units = or_500!(st.store.units(id).await, a);
    let Some(u) = units.iter().find(|u| u.code == unit) else {
        return page_error(
            StatusCode::NOT_FOUND,
            Some(a),
            &format!("本次考核中没有单位“{unit}”"),
        );
    };
    let scores = or_500!(st.store.scores(&a.user, id, unit).await, a);
    let show = may_see_results(&a.user, x.stage);
    let inputs = match inputs_or_page(st, a, id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let scored = kaohe_core::score(&x.rubric, &inputs);
    let ur = scored.units.iter().find(|r| &*scored.unit(r).code == unit);
    let assigned = or_500!(st.store.assigned(id, &a.user, unit).await, a);
    let can_score = x.stage == Stage::Review
        && (a.user.role == Role::Admin || (a.user.role == Role::Assessor && assigned));
    // Findings recorded by hand, which whoever may score can withdraw (with a reason).
    let by_hand: Vec<kaohe_store::Finding> = if can_score {
        or_500!(st.store.findings_of(&a.user, id, unit).await, a)
            .into_iter()
            .filter(|f| !f.imported)
            .collect()
    } else {
        Vec::new()
    };
    let can_self = x.stage == Stage::SelfAssessment
        && a.user.role == Role::Reporter
        && a.user.unit_code.as_deref() == Some(unit);
    let evidence = or_500!(st.store.evidence(&a.user, id, unit).await, a);
    let can_object = x.stage == Stage::Publication
        && a.user.role == Role::Reporter
        && a.user.unit_code.as_deref() == Some(unit);
    let can_decide = x.stage == Stage::Publication
        && (a.user.role == Role::Admin || (a.user.role == Role::Assessor && assigned));
    let objections: Vec<Value> = or_500!(st.store.objections(&a.user, id).await, a)
        .into_iter()
        .filter(|o| o.unit_code == unit)
        .map(|o| {
            let label = match o.status.as_str() {
                "open" => "待处理",
                "upheld" => "已采纳",
                _ => "不予采纳",
            };
            let mut v = json!(o);
            v["status_label"] = json!(label);
            v
        })
        .collect();
    let clauses: Vec<Value> = x
        .rubric
        .clauses
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let find = |l: Ledger| scores.iter().find(|s| s.clause_id == *c.id && s.ledger == l);
            let (s_self, s_ass, s_fin) = (find(Ledger::SelfScore), find(Ledger::Assessor), find(Ledger::Final));
            let (final_score, explanation, lost, instances) = match (show, ur) {
                (true, Some(r)) => {
                    let cr = scored.clauses(r)[ci];
                    (
                        cr.score().map(|v| kaohe_report::fixed(v, x.rubric.precision)),
                        scored.explain(r, ci),
                        !scored.lost(c, &cr).is_zero(),
                        scored.findings(r, ci).iter().map(|f| f.description.clone()).collect::<Vec<_>>(),
                    )
                }
                _ => (None, String::new(), false, Vec::new()),
            };
            let mut row = json!({
                "id": &*c.id, "title": c.title, "max": c.max.normalize().to_string(),
                "self": s_self.map(|s| s.score.clone()), "self_reason": s_self.map(|s| s.reason.clone()),
                "assessor": s_ass.map(|s| s.score.clone()),
                "assessor_reason": s_ass.map(|s| s.reason.clone()),
                "version": s_ass.map(|s| s.version),
                "self_version": s_self.map(|s| s.version),
                "evidence": evidence.iter().filter(|e| e.clause_id == *c.id).collect::<Vec<_>>(),
                "final": final_score.or(s_fin.map(|s| s.score.clone())), "explanation": explanation, "lost": lost, "instances": instances,
                "judgement": matches!(c.rule, kaohe_core::rubric::Rule::Judgement),
                "by_hand": by_hand.iter().filter(|f| f.clause_id == *c.id).collect::<Vec<_>>(),
            });
            if let Some(t) = typed
                && t.clause == *c.id
            {
                if t.description.is_empty() {
                    row["assessor"] = json!(t.score);
                    row["assessor_reason"] = json!(t.reason);
                } else {
                    row["finding_typed"] = json!(t.description);
                }
            }
            row["takes_findings"] = json!(c.rule.takes_findings());
            row
        })
        .collect();
    let mut ctx = base(Some(a));
    ctx["unit"] = json!(u);
    ctx["a_id"] = json!(id);
    ctx["stage_label"] = json!(x.stage.label());
    ctx["clauses"] = json!(clauses);
    ctx["can_score"] = json!(can_score);
    ctx["can_self"] = json!(can_self);
    ctx["can_object"] = json!(can_object);
    ctx["can_decide"] = json!(can_decide);
    ctx["objections"] = json!(objections);
    if let (true, Some(r)) = (show, ur) {
        let profile = profile(&x.rubric, &scored, r);
        ctx["profile_chart"] = json!(crate::charts::profile_chart(&profile));
        ctx["profile"] = json!(
            profile
                .iter()
                .map(|p| json!({
                    "name": p.name,
                    "max": p.max.normalize().to_string(),
                    "unit": p.unit.map(|v| v.normalize().to_string()),
                    "average": p.average.map(|v| kaohe_report::fixed(v, x.rubric.precision)),
                }))
                .collect::<Vec<_>>()
        );
        let years = or_500!(
            years(st, a, unit, (id, x.year as i32, r.total, r.rank)).await,
            a
        );
        if years.len() > 1 {
            ctx["years_chart"] = json!(crate::charts::years_chart(&years));
        }
        ctx["total"] = json!({ "total": kaohe_report::fixed(r.total, x.rubric.precision), "base": kaohe_report::fixed(r.base, x.rubric.precision), "bonus": kaohe_report::fixed(r.bonus, x.rubric.precision), "rank": r.rank });
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    ctx["kept"] = kept;
    ctx["error"] = json!(error);
    ctx["notice"] = json!(notice);
    let mut resp = render("scorecard.html", ctx);
    *resp.status_mut() = status;
    resp
}

pub(super) async fn scorecard(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    Query(n): Query<Notice>,
) -> Response {
    let a = match signed_in(&st, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let notice =
        n.ok.map(|c| format!("已保存条款 {c} 的得分"))
            .or(n.found.map(|c| format!("已记录条款 {c} 的问题")))
            .or(n
                .withdrawn
                .map(|c| format!("已撤回条款 {c} 的一条问题记录")))
            .or(n.objected.map(|_| "异议已提交，等待考核组处理".to_string()))
            .or(n.decided.map(|_| "异议已处理".to_string()));
    scorecard_page(&st, &a, id, &unit, None, None, notice).await
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
}

pub(super) async fn score_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Response {
    ledger_form(st, headers, id, unit, body, Ledger::Assessor).await
}

/// 自评: the unit's reporter, in 自评.
pub(super) async fn self_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Response {
    ledger_form(st, headers, id, unit, body, Ledger::SelfScore).await
}

/// The signed-in user and the posted form of a unit's page (score, self-assessment or finding), or
/// the response that refuses it: sign-in, an incomplete form, a missing or wrong CSRF token.
pub(super) async fn score_form_of(
    st: &AppState,
    headers: &HeaderMap,
    id: i64,
    unit: &str,
    body: &str,
) -> Result<(Authed, ScoreForm), Response> {
    let a = signed_in(st, headers).await?;
    let Ok(f) = serde_urlencoded::from_str::<ScoreForm>(body) else {
        let r = scorecard_page(
            st,
            &a,
            id,
            unit,
            Some("表单不完整，请重新填写".into()),
            None,
            None,
        )
        .await;
        return Err(r);
    };
    if !auth::same(&f.csrf, &a.csrf) {
        return Err(csrf_refused(&a));
    }
    Ok((a, f))
}

pub(super) async fn ledger_form(
    st: AppState,
    headers: HeaderMap,
    id: i64,
    unit: String,
    body: String,
    ledger: Ledger,
) -> Response {
    let (a, f) = match score_form_of(&st, &headers, id, &unit, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
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
        Ok(_) => to_unit_page(id, &unit, ("ok", &f.clause), Some(&f.clause)),
        Err(e) => {
            let msg = format!(
                "条款 {}：{}",
                f.clause,
                crate::error::AppError::from(e).message
            );
            scorecard_page(&st, &a, id, &unit, Some(msg), Some(&f), None).await
        }
    }
}

/// 提出异议 (the unit's reporter, 公示).
pub(super) async fn object_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Response {
    let (a, f) = match posted(&st, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (clause, reason) = (
        f.get("clause").cloned().unwrap_or_default(),
        f.get("reason").cloned().unwrap_or_default(),
    );
    match st
        .store
        .file_objection(&a.user, id, &unit, &clause, &reason, &st.now())
        .await
    {
        Ok(_) => to_unit_page(id, &unit, ("objected", "1"), None),
        Err(e) => {
            scorecard_page_kept(
                &st,
                &a,
                id,
                &unit,
                Some(crate::error::AppError::from(e).message),
                None,
                None,
                json!({ "form": "object", "clause": clause, "reason": reason }),
            )
            .await
        }
    }
}

/// 处理异议 (an assigned assessor or admin, 公示).
pub(super) async fn decide_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit, oid)): Path<(i64, String, i64)>,
    body: String,
) -> Response {
    let (a, f) = match posted(&st, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let upheld = f.get("upheld").map(String::as_str) == Some("yes");
    let score = f.get("score").map(|s| s.trim()).filter(|s| !s.is_empty());
    let reason = f.get("reason").cloned().unwrap_or_default();
    let d = kaohe_store::Decision {
        upheld,
        reason: &reason,
        score,
    };
    match st
        .store
        .decide_objection(&a.user, id, oid, &d, &st.now())
        .await
    {
        Ok(()) => to_unit_page(id, &unit, ("decided", "1"), None),
        Err(e) => {
            scorecard_page_kept(
                &st,
                &a,
                id,
                &unit,
                Some(crate::error::AppError::from(e).message),
                None,
                None,
                json!({ "form": oid, "upheld": upheld, "score": score, "reason": reason }),
            )
            .await
        }
    }
}

/// 记录问题 (admin, the unit's assessors, in 考核): one finding of a clause counted per instance; it
/// appears in the clause's explanation and receipts. Refused forms keep the typed description.
/// 撤回: a finding recorded by hand taken back, with the reason (the audit log keeps its text).
pub(super) async fn withdraw_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit, fid)): Path<(i64, String, i64)>,
    body: String,
) -> Response {
    let (a, f) = match score_form_of(&st, &headers, id, &unit, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match st
        .store
        .withdraw_finding(&a.user, id, &unit, fid, &f.reason, &st.now())
        .await
    {
        Ok(()) => to_unit_page(id, &unit, ("withdrawn", &f.clause), Some(&f.clause)),
        Err(e) => {
            let msg = format!(
                "条款 {}：{}",
                f.clause,
                crate::error::AppError::from(e).message
            );
            scorecard_page(&st, &a, id, &unit, Some(msg), None, None).await
        }
    }
}

pub(super) async fn finding_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, unit)): Path<(i64, String)>,
    body: String,
) -> Response {
    let (a, f) = match score_form_of(&st, &headers, id, &unit, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match st
        .store
        .add_finding(&a.user, id, &unit, &f.clause, &f.description, &st.now())
        .await
    {
        Ok(_) => to_unit_page(id, &unit, ("found", &f.clause), Some(&f.clause)),
        Err(e) => {
            let msg = format!(
                "条款 {}：{}",
                f.clause,
                crate::error::AppError::from(e).message
            );
            // An empty description is kept as a single space so the form still counts as typed.
            let mut typed = f;
            if typed.description.is_empty() {
                typed.description = " ".into();
            }
            scorecard_page(&st, &a, id, &unit, Some(msg), Some(&typed), None).await
        }
    }
}
