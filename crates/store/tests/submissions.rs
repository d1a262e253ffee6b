//! 提交自评 and 退回 (issue 13): a unit's reporter submits only a complete self-assessment, which
//! then locks its 自评分 and 佐证材料 until its assessor (or the admin) returns it with a reason;
//! each checked under the write lock and audited; the gate is given the submitted units.

use super::*;

const JUEGANG: &str = "320623001";

fn forbidden(e: StoreError) -> String {
    match e {
        StoreError::Forbidden(m) => m,
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

fn invalid(e: StoreError) -> String {
    match e {
        StoreError::Invalid(m) => m,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// The clauses 掘港街道 (a 街道) self-assesses under rudong-2021, with their max.
fn self_clauses() -> Vec<(String, String)> {
    let (r, _) = kaohe_core::rubric::load("r", RUBRIC);
    r.unwrap()
        .self_assessed("街道")
        .map(|c| (c.id.to_string(), c.max.normalize().to_string()))
        .collect()
}

async fn self_score(w: &World, clause: &str, score: &str) -> Result<(), StoreError> {
    w.store
        .set_score(
            &w.reporter,
            w.id,
            JUEGANG,
            clause,
            Ledger::SelfScore,
            score,
            "",
            None,
            NOW,
        )
        .await
        .map(|_| ())
}

pub(crate) async fn a_self_assessment_is_submitted_whole_locked_and_returned_with_a_reason(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    let clauses = self_clauses();
    assert!(clauses.len() > 3, "rudong-2021 has judgement clauses");
    // Not in 草稿.
    let e = s
        .submit_self(&w.reporter, w.id, JUEGANG, NOW)
        .await
        .unwrap_err();
    assert!(forbidden(e).contains("当前为“草稿”阶段，不能提交自评"));
    move_to(s, &w.admin, w.id, Stage::SelfAssessment).await;
    // Every clause but the last two self-assessed: the submission names what is missing.
    for (c, max) in &clauses[..clauses.len() - 2] {
        self_score(&w, c, max).await.unwrap();
    }
    let e = s
        .submit_self(&w.reporter, w.id, JUEGANG, NOW)
        .await
        .unwrap_err();
    let m = invalid(e);
    assert!(m.starts_with("还有 2 项考核点未自评，不能提交："), "{m}");
    assert!(m.contains(&clauses[clauses.len() - 1].0), "{m}");
    assert!(s.submission(w.id, JUEGANG).await.unwrap().is_none());
    for (c, max) in &clauses[clauses.len() - 2..] {
        self_score(&w, c, max).await.unwrap();
    }
    // Only the unit's own reporter submits.
    let e = s
        .submit_self(&w.assessor, w.id, JUEGANG, NOW)
        .await
        .unwrap_err();
    assert!(forbidden(e).contains("无权提交自评：只有本单位的填报员可以"));
    let sub = s
        .submit_self(&w.reporter, w.id, JUEGANG, NOW)
        .await
        .unwrap();
    assert!(sub.is_submitted());
    assert_eq!(sub.submitted_by, "juegang");
    // Locked: no score, no evidence, no second submission.
    let e = self_score(&w, &clauses[0].0, "0").await.unwrap_err();
    assert!(forbidden(e).contains("本单位已提交自评"));
    let pdf = b"%PDF-1.4\n%test\n";
    let e = s
        .put_evidence(&w.reporter, w.id, JUEGANG, &clauses[0].0, "a.pdf", pdf, NOW)
        .await
        .unwrap_err();
    assert!(forbidden(e).contains("自评分和佐证材料已锁定"));
    let e = s
        .submit_self(&w.reporter, w.id, JUEGANG, NOW)
        .await
        .unwrap_err();
    assert_eq!(invalid(e), "本单位已提交自评，不必重复提交");
    // 退回: not by an assessor of another unit, nor by the reporter; a reason is required.
    let e = s
        .return_self(&w.other_assessor, w.id, JUEGANG, "请补充", NOW)
        .await
        .unwrap_err();
    assert!(forbidden(e).contains("无权退回自评"));
    let e = s
        .return_self(&w.reporter, w.id, JUEGANG, "请补充", NOW)
        .await
        .unwrap_err();
    assert!(forbidden(e).contains("无权退回自评"));
    let e = s
        .return_self(&w.assessor, w.id, JUEGANG, "  ", NOW)
        .await
        .unwrap_err();
    assert!(invalid(e).starts_with("退回自评须写明理由"));
    let long = "长".repeat(kaohe_store::store::MAX_REASON_CHARS + 1);
    let e = s
        .return_self(&w.assessor, w.id, JUEGANG, &long, NOW)
        .await
        .unwrap_err();
    assert!(invalid(e).starts_with("退回理由过长"));
    let back = s
        .return_self(
            &w.assessor,
            w.id,
            JUEGANG,
            "1.1.1 佐证不足，请补充照片",
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(back.status, "returned");
    assert_eq!(
        back.return_reason.as_deref(),
        Some("1.1.1 佐证不足，请补充照片")
    );
    // Open again (an edit of version 1); a second return is refused (nothing submitted).
    s.set_score(
        &w.reporter,
        w.id,
        JUEGANG,
        &clauses[0].0,
        Ledger::SelfScore,
        "0",
        "标识牌已补",
        Some(1),
        NOW,
    )
    .await
    .unwrap();
    let e = s
        .return_self(&w.admin, w.id, JUEGANG, "再退", NOW)
        .await
        .unwrap_err();
    assert!(invalid(e).contains("尚未提交自评"));
    // Submitted again; the audit log has each step, the return with its reason.
    s.submit_self(&w.reporter, w.id, JUEGANG, NOW)
        .await
        .unwrap();
    let log = s.audit_log().await.unwrap();
    let steps: Vec<(&str, &str, Option<&str>)> = log
        .iter()
        .filter(|e| e.action.starts_with("self."))
        .map(|e| (e.action.as_str(), e.actor.as_str(), e.why.as_deref()))
        .collect();
    assert_eq!(
        steps,
        [
            ("self.submit", "juegang", None),
            (
                "self.return",
                "wangfang",
                Some("1.1.1 佐证不足，请补充照片")
            ),
            ("self.submit", "juegang", None),
        ]
    );
    assert_eq!(s.audit_verify().await.unwrap(), Ok(log.len()));
    // After 自评 neither is possible; the state stays readable.
    move_to(s, &w.admin, w.id, Stage::Review).await;
    let e = s
        .return_self(&w.assessor, w.id, JUEGANG, "晚了", NOW)
        .await
        .unwrap_err();
    assert!(forbidden(e).contains("当前为“考核”阶段，不能退回自评"));
    assert!(
        s.submission(w.id, JUEGANG)
            .await
            .unwrap()
            .unwrap()
            .is_submitted()
    );
    assert_eq!(s.submissions(w.id).await.unwrap().len(), 1);
}

pub(crate) async fn another_units_reporter_and_the_deadline_are_refused(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    let matang = s
        .add_user(
            Some(&w.admin),
            &NewUser {
                login: "matang",
                name: "马塘填报员",
                role: Role::Reporter,
                unit: Some("320623100"),
                password: "Matang-pass-1",
            },
            NOW,
        )
        .await
        .unwrap();
    // 自评 closes on 2021-12-10 (Beijing).
    let mut dates = s.assessment(w.id).await.unwrap().dates;
    dates.self_deadline = Some(kaohe_core::Date::parse("2021-12-10").unwrap());
    s.set_dates(&w.admin, w.id, &dates, "按通知", NOW)
        .await
        .unwrap();
    move_to(s, &w.admin, w.id, Stage::SelfAssessment).await;
    for (c, max) in self_clauses() {
        self_score(&w, &c, &max).await.unwrap();
    }
    // 马塘镇's reporter cannot submit 掘港街道's self-assessment.
    let e = s
        .submit_self(&matang, w.id, JUEGANG, NOW)
        .await
        .unwrap_err();
    assert!(forbidden(e).contains("无权提交自评"));
    s.submit_self(&w.reporter, w.id, JUEGANG, NOW)
        .await
        .unwrap();
    // After the deadline (2021-12-11 Beijing): no return (the unit could not submit again) and no
    // submission.
    let late = "2021-12-10T16:00:00Z";
    let e = s
        .return_self(&w.assessor, w.id, JUEGANG, "请补充", late)
        .await
        .unwrap_err();
    assert!(
        forbidden(e).starts_with(
            "自评已于 2021-12-10（北京时间当日 24 时）截止：退回后单位无法再修改或提交"
        )
    );
    s.return_self(&w.assessor, w.id, JUEGANG, "请补充", "2021-12-10T15:59:00Z")
        .await
        .unwrap();
    let e = s
        .submit_self(&w.reporter, w.id, JUEGANG, late)
        .await
        .unwrap_err();
    assert!(forbidden(e).starts_with("自评已于 2021-12-10（北京时间当日 24 时）截止"));
}

pub(crate) async fn the_gate_is_told_which_units_submitted(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    move_to(s, &w.admin, w.id, Stage::SelfAssessment).await;
    for (c, max) in self_clauses() {
        self_score(&w, &c, &max).await.unwrap();
    }
    s.submit_self(&w.reporter, w.id, JUEGANG, NOW)
        .await
        .unwrap();
    move_to(s, &w.admin, w.id, Stage::Review).await;
    // A gate listing the units not submitted: 马塘镇 only, so the move is refused, naming it.
    let gate = kaohe_store::Gate::new(|_, inputs, progress| {
        inputs
            .units
            .iter()
            .filter(|u| !progress.submitted.contains(&*u.code))
            .map(|u| format!("{}：自评未提交", u.name))
            .collect()
    });
    let e = s
        .advance(&w.admin, w.id, Stage::Publication, "", NOW, gate)
        .await
        .unwrap_err();
    match e {
        StoreError::Unfinished { items, message } => {
            assert_eq!(items, ["马塘镇：自评未提交"]);
            assert!(
                message.starts_with("还有 1 项未完成，不能进入“公示”"),
                "{message}"
            );
        }
        other => panic!("expected Unfinished, got {other:?}"),
    }
}
