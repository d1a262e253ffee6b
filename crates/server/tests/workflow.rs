//! An assessment from 草稿 to 定档 and a 更正, set up through the API; objection forms.

use super::*;

pub(crate) async fn the_whole_workflow_from_draft_to_final_and_a_correction(db: Db) {
    let a = app(db).await;
    let s = &a.store;
    let now = kaohe_server::iso(T0);
    let admin_u = s
        .authenticate("admin", "password-123")
        .await
        .unwrap()
        .unwrap();
    let assessor_u = s
        .authenticate("wangfang", "password-123")
        .await
        .unwrap()
        .unwrap();
    // A fresh assessment, set up in 草稿 through the store (the setup API comes with the admin pages).
    let id = s
        .create_assessment(&admin_u, "2021年度考核（流程测试）", RUBRIC, &now)
        .await
        .unwrap();
    for (code, name, kind) in [
        ("320623001", "掘港街道", "街道"),
        ("320623100", "马塘镇", "镇"),
    ] {
        s.add_unit(&admin_u, id, code, name, kind, &now)
            .await
            .unwrap();
        s.assign(&admin_u, id, &assessor_u, code, &now)
            .await
            .unwrap();
    }
    let admin = a.login("admin").await;
    let assessor = a.login("wangfang").await;
    let rep = a.login("juegang").await;
    let stage = |to: &str| json!({ "to": to, "why": "按计划推进" });
    assert_eq!(
        a.call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/stage"),
            Some(stage("self")),
            true
        )
        .await
        .0,
        StatusCode::OK
    );
    // 自评: the reporter self-assesses its unit.
    let (st, v, _) = a
        .call(
            &rep,
            "PUT",
            &format!("/api/assessments/{id}/units/320623001/scores/1.1.1/self"),
            Some(json!({ "score": "0.05", "reason": "" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // 提交自评 is refused until every clause it self-assesses has a 自评分, then locks them.
    let submit = format!("/api/assessments/{id}/units/320623001/submission");
    let (st, v, _) = a.call(&rep, "POST", &submit, None, true).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("项考核点未自评，不能提交"),
        "{v}"
    );
    for (who, unit) in [(&rep, "320623001"), (&a.login("matang").await, "320623100")] {
        self_assess_and_submit(&a, who, id, unit).await;
    }
    let (st, v, _) = a
        .call(
            &rep,
            "PUT",
            &format!("/api/assessments/{id}/units/320623001/scores/1.1.1/self"),
            Some(json!({ "score": "0.04", "reason": "再改", "version": 1 })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(
        a.call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/stage"),
            Some(stage("review")),
            true
        )
        .await
        .0,
        StatusCode::OK
    );
    // 考核: the assessor scores every judgement clause of both units; the platform metrics go in.
    let (_, detail, _) = a
        .call(
            &assessor,
            "GET",
            &format!("/api/assessments/{id}"),
            None,
            false,
        )
        .await;
    for unit in ["320623001", "320623100"] {
        for c in detail["rubric"]["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["rule"] == "judgement")
        {
            let (score, reason) = if unit == "320623001" && c["id"] == "1.1.1" {
                ("0.03", "大厅面积不足200平方米")
            } else {
                (c["max"].as_str().unwrap(), "")
            };
            let path = format!(
                "/api/assessments/{id}/units/{unit}/scores/{}/assessor",
                c["id"].as_str().unwrap()
            );
            let (st, v, _) = a
                .call(
                    &assessor,
                    "PUT",
                    &path,
                    Some(json!({ "score": score, "reason": reason })),
                    true,
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{path} {v}");
        }
        for (m, v) in [
            ("claim_rate", "0.98"),
            ("guide_defects", "0"),
            ("overdue_cases", "0"),
            ("online_volume", "100"),
            ("online_coverage", "0.9"),
            ("agent_satisfaction", "0.97"),
        ] {
            s.set_metric(&admin_u, id, unit, m, v.parse().unwrap(), &now)
                .await
                .unwrap();
        }
    }
    let (_, r, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    assert_eq!(r["complete"], true);
    let total = |r: &Value, code: &str| {
        r["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == code)
            .unwrap()["total"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(total(&r, "320623001"), "1.4800");
    // 公示: the unit objects on 1.1.1; the assessor upholds it with a final score.
    assert_eq!(
        a.call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/stage"),
            Some(stage("publication")),
            true
        )
        .await
        .0,
        StatusCode::OK
    );
    let (st, v, _) = a.call(&rep, "POST", &format!("/api/assessments/{id}/objections"), Some(json!({ "unit": "320623001", "clause": "1.1.1", "reason": "大厅已扩建至220平方米，附测绘报告" })), true).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let oid = v["id"].as_i64().unwrap();
    // Finalising with an open objection is refused.
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/finalize"),
            Some(json!({ "reason": "定档" })),
            true,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "还有 1 件异议未处理，不能定档：掘港街道 条款 1.1.1"
        )
    );
    // The outcome said outright: missing (or the old `upheld: true`) and unknown are refused.
    for (body, error) in [
        (
            json!({ "upheld": true, "reason": "经核实", "score": "0.05" }),
            "请写明处理结果 outcome：应为 upheld（采纳）或 rejected（驳回）",
        ),
        (
            json!({ "outcome": "采纳", "reason": "经核实", "score": "0.05" }),
            "处理结果 outcome“采纳”不认识：应为 upheld（采纳）或 rejected（驳回）",
        ),
    ] {
        let (st, v, _) = a
            .call(
                &assessor,
                "POST",
                &format!("/api/assessments/{id}/objections/{oid}/decision"),
                Some(body),
                true,
            )
            .await;
        assert_eq!(
            (st, v["error"].as_str().unwrap()),
            (StatusCode::UNPROCESSABLE_ENTITY, error)
        );
    }
    let (st, v, _) = a
        .call(
            &assessor,
            "POST",
            &format!("/api/assessments/{id}/objections/{oid}/decision"),
            Some(json!({ "outcome": "upheld", "reason": "经核实测绘报告，面积达标", "score": "0.05" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "upheld");
    let (_, list, _) = a
        .call(
            &rep,
            "GET",
            &format!("/api/assessments/{id}/objections"),
            None,
            false,
        )
        .await;
    assert_eq!(list["objections"][0]["status"], "upheld");
    assert_eq!(list["objections"][0]["decided_by"], "王芳");
    let (_, r, _) = a
        .call(
            &rep,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    assert_eq!(total(&r, "320623001"), "1.5000");
    // 定档: sealed with the sha256 of the canonical result.
    let (st, sealed, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/finalize"),
            Some(json!({ "reason": "县考核领导小组审定" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{sealed}");
    assert_eq!(sealed["version"], 1);
    let text = s.sealed_json(id, 1).await.unwrap();
    assert_eq!(
        sealed["sha256"].as_str().unwrap(),
        kaohe_core::rubric::sha256_hex(text.as_bytes())
    );
    // Nothing changes any more without a correction.
    let path = format!("/api/assessments/{id}/units/320623100/scores/1.1.2/assessor");
    assert_eq!(
        a.call(
            &assessor,
            "PUT",
            &path,
            Some(json!({ "score": "0.04", "reason": "x", "version": 1 })),
            true
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // 更正: the admin corrects a final score with a reason and seals version 2; the diff shows it.
    let path = format!("/api/assessments/{id}/units/320623100/scores/2.3.2/final");
    let (st, v, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "score": "0.1", "reason": "" })),
            true,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (StatusCode::UNPROCESSABLE_ENTITY, "定档后的更正须写明理由")
    );
    let (st, _, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "score": "0.1", "reason": "复核发现电子交易平台仅部分使用" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/corrections"),
            Some(json!({ "reason": "复核更正" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["sealed"]["version"], 2);
    let (_, d, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/sealed/1/diff/2"),
            None,
            false,
        )
        .await;
    let changes = d["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["unit"] == "320623100"
            && c["what"] == "clause 2.3.2"
            && c["from"] == "0.1500"
            && c["to"] == "0.1000"),
        "{d}"
    );
    assert!(
        changes
            .iter()
            .any(|c| c["unit"] == "320623100" && c["what"] == "total"),
        "{d}"
    );
    assert_eq!(changes, v["changes"].as_array().unwrap());
    // The other unit's reporter sees the totals and ranks that changed, not another unit's clauses.
    let rep_b = a.login("matang").await;
    let (_, d, _) = a
        .call(
            &rep_b,
            "GET",
            &format!("/api/assessments/{id}/sealed/1/diff/2"),
            None,
            false,
        )
        .await;
    let theirs = d["changes"].as_array().unwrap();
    assert!(
        theirs.iter().any(|c| c["what"] == "clause 2.3.2"),
        "matang is 320623100: its own clause shows"
    );
    let rep_a_view = {
        let (_, d, _) = a
            .call(
                &rep,
                "GET",
                &format!("/api/assessments/{id}/sealed/1/diff/2"),
                None,
                false,
            )
            .await;
        d["changes"].as_array().unwrap().clone()
    };
    assert!(
        rep_a_view
            .iter()
            .all(|c| c["unit"] == "320623001" || c["what"] == "total" || c["what"] == "rank"),
        "{rep_a_view:?}"
    );
    assert!(!rep_a_view.iter().any(|c| c["what"] == "clause 2.3.2"));
    let (_, versions, _) = a
        .call(
            &rep,
            "GET",
            &format!("/api/assessments/{id}/sealed"),
            None,
            false,
        )
        .await;
    assert_eq!(versions["versions"].as_array().unwrap().len(), 2);
    assert_eq!(versions["versions"][1]["reason"], "复核更正");
    // A sealed result that was altered in the database is reported, not served.
    sqlx::query("UPDATE results SET json = replace(json, '1.5000', '1.4000') WHERE version = 1")
        .execute(s.pool())
        .await
        .unwrap();
    let (st, v, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/sealed/1"),
            None,
            false,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "完整性校验失败：第 1 版定档结果与其 sha256 不符：数据被改动。请联系管理员用 kaohe audit verify 检查"
        )
    );
    assert_eq!(s.audit_verify().await.unwrap().map(|n| n > 60), Ok(true));
}

pub(crate) async fn an_admin_sets_up_an_assessment_through_the_api(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            "/api/assessments",
            Some(json!({ "title": "2022年度考核", "rubric_toml": "id = \"broken\"" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["error"].as_str().unwrap().starts_with("细则无效："),
        "{v}"
    );
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            "/api/assessments",
            Some(json!({ "title": "2022年度考核", "rubric_toml": RUBRIC })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let id = v["id"].as_i64().unwrap();
    for (code, name, kind) in [
        ("320623001", "掘港街道", "街道"),
        ("320623400", "如东县经济开发区", "区"),
    ] {
        let (st, v, _) = a
            .call(
                &admin,
                "POST",
                &format!("/api/assessments/{id}/units"),
                Some(json!({ "code": code, "name": name, "kind": kind })),
                true,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/units"),
            Some(json!({ "code": "320623001", "name": "掘港街道", "kind": "街道" })),
            true,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "单位“320623001”已在本次考核中"
        )
    );
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/units"),
            Some(json!({ "code": "1", "name": "x", "kind": "市" })),
            true,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "单位类型“市”应为 镇 / 街道 / 区"
        )
    );
    let (st, _, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/assignments"),
            Some(json!({ "assessor": "lina", "unit": "320623400" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/assignments"),
            Some(json!({ "assessor": "juegang", "unit": "320623400" })),
            true,
        )
        .await;
    assert_eq!(
        (st, v["error"].as_str().unwrap()),
        (StatusCode::UNPROCESSABLE_ENTITY, "掘港填报员 不是考核员")
    );
    let (_, v, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}"),
            None,
            false,
        )
        .await;
    assert_eq!(v["units"].as_array().unwrap().len(), 2);
    assert_eq!(v["rubric"]["clauses"].as_array().unwrap().len(), 28);
    assert_eq!(v["stage"], "draft");
    // The audit log shows the setup, newest first, and the chain is sound.
    let auditor = a.auditor().await;
    let (_, log, _) = a
        .call(
            &auditor,
            "GET",
            &format!("/api/audit?entity=assessment/{id}/unit"),
            None,
            false,
        )
        .await;
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["assignment.add", "unit.add", "unit.add"]);
    assert_eq!(log["chain"]["ok"], true);
}

pub(crate) async fn refused_objection_forms_keep_what_was_typed(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    a.store
        .advance(
            &admin_user,
            id,
            Stage::Publication,
            "公示",
            &now,
            kaohe_store::Gate::none(),
        )
        .await
        .unwrap();
    let rep = web_login(&a, "matang").await;
    let form = |who: &Who, path: String, body: String| {
        let (a, who) = (&a, who.clone());
        async move {
            let (s, html, _) = a.form(&who, &path, body).await;
            (s, html)
        }
    };
    // An objection without a reason (only spaces): refused; the chosen clause stays selected.
    let (s, html) = form(
        &rep,
        format!("/a/{id}/u/320623100/object"),
        format!("csrf={}&clause=1.5.3&reason=+++", rep.csrf),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("异议须写明理由"), "{html}");
    assert!(html.contains("<option value=\"1.5.3\" selected>"), "{html}");
    // A filed objection decided with a final score above the maximum: refused, score and reason kept.
    let (s, _) = form(
        &rep,
        format!("/a/{id}/u/320623100/object"),
        format!(
            "csrf={}&clause=1.1.1&reason=%E6%A0%87%E8%AF%86%E7%89%8C%E5%B7%B2%E6%9B%B4%E6%8D%A2",
            rep.csrf
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let oid = a.store.objections(&admin_user, id).await.unwrap()[0].id;
    let admin = web_login(&a, "admin").await;
    let (s, html) = form(
        &admin,
        format!("/a/{id}/u/320623100/objections/{oid}"),
        format!(
            "csrf={}&outcome=upheld&score=0.09&reason=%E5%B7%B2%E6%A0%B8%E5%AE%9E",
            admin.csrf
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("0.09") && html.contains("超出"), "{html}");
    assert!(
        html.contains("value=\"0.09\"") && html.contains("value=\"已核实\""),
        "{html}"
    );
}

/// 自评 of every judgement clause not yet self-assessed at full marks, then 提交自评, by the unit's
/// reporter `who`, through the API.
async fn self_assess_and_submit(a: &App, who: &Who, id: i64, unit: &str) {
    let (_, scores, _) = a
        .call(
            who,
            "GET",
            &format!("/api/assessments/{id}/units/{unit}/scores"),
            None,
            false,
        )
        .await;
    let (_, detail, _) = a
        .call(who, "GET", &format!("/api/assessments/{id}"), None, false)
        .await;
    for c in detail["rubric"]["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["rule"] == "judgement")
    {
        let done = scores
            .to_string()
            .contains(&format!("\"clause_id\":{}", c["id"]));
        if done {
            continue;
        }
        let path = format!(
            "/api/assessments/{id}/units/{unit}/scores/{}/self",
            c["id"].as_str().unwrap()
        );
        let body = json!({ "score": c["max"], "reason": "" });
        let (st, v, _) = a.call(who, "PUT", &path, Some(body), true).await;
        assert_eq!(st, StatusCode::OK, "{path} {v}");
    }
    let path = format!("/api/assessments/{id}/units/{unit}/submission");
    let (st, v, _) = a.call(who, "POST", &path, None, true).await;
    assert_eq!(
        (st, v["submission"]["status"].as_str()),
        (StatusCode::OK, Some("submitted")),
        "{v}"
    );
}

/// The gate before 公示 and 定档 (issue 12), and a move into 定档 through `POST …/stage` sealing the
/// result as `…/finalize` does (one use case, kaohe_app::sealing::advance). The fixture has scored
/// one clause of one unit: the move is refused with every unfinished unit named; `why` is no
/// consent, an empty override reason neither; an override with its reason goes on, is in the audit
/// log and is printed on the result — also on the sealed one.
pub(crate) async fn the_gate_lists_unfinished_work_and_the_stage_route_seals(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin = a.login("admin").await;
    let rep = a.login("juegang").await;
    let path = format!("/api/assessments/{id}/stage");
    let mv = |who: &Who, body: Value| {
        let (a, who, path) = (&a, who.clone(), path.clone());
        async move { a.call(&who, "POST", &path, Some(body), true).await }
    };
    let (st, v, _) = mv(&rep, json!({ "to": "publication", "why": "x" })).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    for body in [
        json!({ "to": "publication", "why": "公示，已经核对" }),
        json!({ "to": "publication", "why": "公示", "override_reason": "  " }),
    ] {
        let (st, v, _) = mv(&admin, body).await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        let list: Vec<&str> = v["unfinished"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert_eq!(list.len(), 2, "{v}");
        assert!(list[0].starts_with("掘港街道：条款 1.1.1、"), "{v}");
        assert!(
            list[1].starts_with("马塘镇：条款 1.1.2、"),
            "马塘镇's 1.1.1 is scored: {v}"
        );
        // Neither unit's reporter has submitted its self-assessment.
        assert!(
            list.iter()
                .all(|l| l.ends_with("未评分或缺数据；自评未提交")),
            "{v}"
        );
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .starts_with("还有 2 项未完成，不能进入“公示”"),
            "{v}"
        );
        assert_eq!(a.store.assessment(id).await.unwrap().stage, Stage::Review);
    }
    let (st, v, _) = mv(
        &admin,
        json!({ "to": "publication", "why": "公示", "override_reason": "经县考核领导小组同意，缺项另行补评" }),
    )
    .await;
    assert_eq!(
        (st, v["stage"].as_str()),
        (StatusCode::OK, Some("publication")),
        "{v}"
    );
    assert!(v.get("sealed").is_none(), "{v}");
    let note = a
        .store
        .assessment(id)
        .await
        .unwrap()
        .incomplete_note
        .unwrap();
    assert!(
        note.starts_with("部分单位未完成考核：掘港街道：条款 1.1.1、"),
        "{note}"
    );
    let (_, results, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    assert_eq!(results["incomplete_note"], note.as_str());
    let log = a.store.audit_log().await.unwrap();
    let e = log
        .iter()
        .rev()
        .find(|e| e.action == "stage.override")
        .unwrap();
    assert_eq!(e.why.as_deref(), Some("经县考核领导小组同意，缺项另行补评"));
    assert_eq!(e.new.as_deref(), Some(note.as_str()));
    assert!(
        a.store.audit_replay().await.unwrap().is_empty(),
        "the note is replayed"
    );
    // 定档: refused again while unfinished, then sealed with the override; the seal carries the note.
    let (st, v, _) = mv(
        &admin,
        json!({ "to": "final", "why": "县考核领导小组审定" }),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    let (st, v, _) = mv(
        &admin,
        json!({ "to": "final", "why": "县考核领导小组审定", "override_reason": "同意定档" }),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (v["stage"].as_str(), v["stage_label"].as_str()),
        (Some("final"), Some("定档"))
    );
    assert_eq!(v["sealed"]["version"], 1, "{v}");
    assert_eq!(v["sealed"]["reason"], "县考核领导小组审定");
    let text = a.store.sealed_json(id, 1).await.unwrap();
    assert_eq!(
        v["sealed"]["sha256"].as_str().unwrap(),
        kaohe_core::rubric::sha256_hex(text.as_bytes())
    );
    assert_eq!(a.store.assessment(id).await.unwrap().stage, Stage::Final);
    // The sealed text is the result the API showed just before (no second way to compute it).
    let sealed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(sealed["units"], results["units"]);
    assert_eq!(sealed["incomplete_note"], note.as_str());
}
