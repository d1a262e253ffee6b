//! Platform imports: staged, previewed with their problems, committed whole; one source per count.

use super::*;

pub(crate) async fn platform_files_are_staged_previewed_with_their_problems_and_committed_whole(
    db: Db,
) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let assessor = a.login("wangfang").await;
    let id = a.id;
    let stage = |bytes: Vec<u8>, kind: &'static str, name: &'static str| {
        let a = &a;
        let admin = admin.clone();
        async move {
            let (st, body, _) = a
                .raw(
                    &admin,
                    "POST",
                    &format!("/api/assessments/{id}/imports/stage"),
                    &[("x-kind", kind), ("x-file-name", name)],
                    bytes,
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
            serde_json::from_slice::<Value>(&body).unwrap()["token"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    // Only admins stage.
    let (st, _, _) = a
        .raw(
            &assessor,
            "POST",
            &format!("/api/assessments/{id}/imports/stage"),
            &[("x-kind", "cases")],
            b"x".to_vec(),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // A GBK export with a unit this assessment does not have: the preview lists the problem by row and
    // column, and nothing changes.
    let fixture = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../platform/tests/fixtures/cases_gbk.csv"),
    )
    .unwrap();
    let t = stage(fixture, "cases", "%E5%8A%9E%E4%BB%B6.csv").await;
    let plan = json!({ "tokens": [t], "period": "2021-01-01..2021-12-31" });
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/imports/preview"),
            Some(plan.clone()),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["ok"], false);
    let p = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["severity"] == "error")
        .unwrap();
    assert_eq!(
        (
            p["file"].as_str().unwrap(),
            p["row"].as_i64().unwrap(),
            p["column"].as_str().unwrap()
        ),
        ("办件.csv", 10, "行政区划")
    );
    assert!(
        p["message"]
            .as_str()
            .unwrap()
            .contains("未知单位“320623400”")
    );
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/imports/commit"),
            Some(plan),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("未导入"));
    let (_, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/imports/cancel"),
            Some(json!({ "tokens": [t] })),
            true,
        )
        .await;
    assert_eq!(v["cancelled"], 1);
    // A clean export for the two units: previewed, then committed; the overdue case is an instance.
    let csv = "办件编号,事项编码,事项名称,行政区划,申报来源,办件类型,受理时间,承诺时限,时限单位,办结时间\nX1,001,户籍证明,320623001,2,2,2021-09-30 10:00:00,3,工作日,2021-10-12 09:00:00\nX2,002,生育登记,320623100,3,2,2021-03-01 10:00:00,3,工作日,2021-03-02 09:00:00\n";
    let t = stage(csv.as_bytes().to_vec(), "cases", "cases.csv").await;
    let plan = json!({ "tokens": [t], "period": "2021-01-01..2021-12-31" });
    let (_, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/imports/preview"),
            Some(plan.clone()),
            true,
        )
        .await;
    assert_eq!(
        (
            v["ok"].as_bool(),
            v["rows"].as_i64(),
            v["instances"].as_i64()
        ),
        (Some(true), Some(2), Some(1)),
        "{v}"
    );
    let (st, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/imports/commit"),
            Some(plan),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (_, r, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    let jg = r["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "320623001")
        .unwrap();
    let c = jg["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "1.4.3a")
        .unwrap();
    assert_eq!(c["score"], "0.0480");
    assert!(
        c["instances"][0]["description"]
            .as_str()
            .unwrap()
            .starts_with("办件 X1："),
        "{c}"
    );
    let auditor = a.auditor().await;
    let (_, log, _) = a
        .call(&auditor, "GET", "/api/audit?action=import", None, false)
        .await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 1);
}

/// One source per count, whichever comes first: findings recorded by hand block an import that
/// would count the same clause for the same unit (all-or-nothing: nothing of it is stored), a
/// hand-made finding can be withdrawn with a reason (the audit log keeps its text), and once the
/// platform brought a clause's instances, no hand-made one is added next to them.
pub(crate) async fn imports_and_hand_made_findings_never_count_one_clause_twice(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let now = kaohe_server::iso(T0);
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let assessor_user = a.store.user_by_login("wangfang").await.unwrap().unwrap();
    let lina = a.store.user_by_login("lina").await.unwrap().unwrap();
    let fid = a
        .store
        .add_finding(
            &assessor_user,
            id,
            "320623001",
            "1.4.3a",
            "办件 M1 超期 2 天",
            &now,
        )
        .await
        .unwrap();
    let import =
        |metrics: Vec<(&str, &str, i64)>, findings: Vec<(&str, &str, &str)>| kaohe_store::Import {
            kind: "办件".into(),
            files: vec![("办件.csv".into(), "0".repeat(64))],
            rows: 10,
            metrics: metrics
                .into_iter()
                .map(|(u, m, v)| (u.to_string(), m.to_string(), rust_decimal::Decimal::from(v)))
                .collect(),
            findings: findings
                .into_iter()
                .map(|(u, c, d)| {
                    (
                        u.to_string(),
                        c.to_string(),
                        d.to_string(),
                        "办件.csv 第2行".to_string(),
                    )
                })
                .collect(),
            receipts: "[]".into(),
        };
    // The import would give 掘港街道 a count for 1.4.3a as well: refused, and nothing of it kept.
    let err = a
        .store
        .import(
            &admin_user,
            id,
            &import(
                vec![
                    ("320623001", "overdue_cases", 0),
                    ("320623100", "overdue_cases", 0),
                ],
                vec![],
            ),
            &now,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("单位 320623001 条款 1.4.3a 已逐条手工记录 1 例") && err.contains("撤回"),
        "{err}"
    );
    let inputs = a.store.inputs(id).await.unwrap();
    assert!(inputs.metrics.iter().all(|m| &*m.metric != "overdue_cases"));
    // Withdrawing: not by someone who may not score the unit, not without a reason.
    assert!(
        a.store
            .withdraw_finding(&lina, id, "320623001", fid, "录错", &now)
            .await
            .is_err()
    );
    let err = a
        .store
        .withdraw_finding(&assessor_user, id, "320623001", fid, " ", &now)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("须填写理由"), "{err}");
    // Through the unit's page, as the assessor does it.
    let who = web_login(&a, "wangfang").await;
    let (_, html) = page(&a, &who, &format!("/a/{id}/u/320623001")).await;
    assert!(
        html.contains(&format!("/a/{id}/u/320623001/finding/{fid}/withdraw")),
        "{html}"
    );
    assert!(html.contains("手工记录：办件 M1 超期 2 天（王芳）"));
    let (s, _, loc) = a
        .form(
            &who,
            &format!("/a/{id}/u/320623001/finding/{fid}/withdraw"),
            format!("csrf={}&clause=1.4.3a&reason=%E5%BD%95%E9%94%99", who.csrf),
        )
        .await;
    assert_eq!(
        (s, loc.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("/a/{id}/u/320623001?withdrawn=1.4.3a#c-1.4.3a").as_str()
        )
    );
    let (_, html) = page(&a, &who, &format!("/a/{id}/u/320623001?withdrawn=1.4.3a")).await;
    assert!(html.contains("已撤回条款 1.4.3a 的一条问题记录") && !html.contains("办件 M1 超期"));
    let log = a.store.audit_log().await.unwrap();
    let e = log.iter().find(|e| e.action == "finding.withdraw").unwrap();
    assert_eq!(
        (e.actor.as_str(), e.old.as_deref(), e.why.as_deref()),
        ("wangfang", Some("办件 M1 超期 2 天"), Some("录错"))
    );
    // Now the import goes in, bringing 马塘镇's overdue case as an instance …
    a.store
        .import(
            &admin_user,
            id,
            &import(
                vec![("320623001", "overdue_cases", 0)],
                vec![("320623100", "1.4.3a", "办件 P1 超期 1 天")],
            ),
            &now,
        )
        .await
        .unwrap();
    // … after which no case is added by hand next to it, and the imported one is not withdrawn.
    let err = a
        .store
        .add_finding(
            &admin_user,
            id,
            "320623100",
            "1.4.3a",
            "办件 P1 超期 1 天",
            &now,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("已由平台数据导入（1 例）"), "{err}");
    let admin = a.login("admin").await;
    let (s, v, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/units/320623100/findings"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["imported"], true);
    let imported = v[0]["id"].as_i64().unwrap();
    let (s, v, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{id}/units/320623100/findings/{imported}/withdraw"),
            Some(json!({ "reason": "重复" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["error"].as_str().unwrap().contains("来自平台数据导入"));
    // The clause is scored from one source for every unit.
    let inputs = a.store.inputs(id).await.unwrap();
    let rubric = a.store.assessment(id).await.unwrap().rubric;
    let scored = kaohe_core::score(&rubric, &inputs);
    assert!(
        scored
            .problems
            .iter()
            .all(|p| !p.message.contains("两个来源")),
        "{:?}",
        scored.problems
    );
}

/// Issue 9: every hostile file of the corpus (`tests/hostile/`), staged as any kind of export and
/// previewed, is a Chinese problem naming the file — the server keeps answering, nothing is stored.
pub(crate) async fn hostile_files_staged_and_previewed_are_problems_and_the_server_answers(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let id = a.id;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xlsx") || n.ends_with(".csv"))
        .collect();
    names.sort();
    assert!(names.len() >= 8, "{names:?}");
    let log_before = a.store.audit_log().await.unwrap().len();
    for (i, name) in names.iter().enumerate() {
        let kind = ["cases", "claims", "survey"][i % 3];
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let (st, body, _) = a
            .raw(
                &admin,
                "POST",
                &format!("/api/assessments/{id}/imports/stage"),
                &[("x-kind", kind), ("x-file-name", name.as_str())],
                bytes,
            )
            .await;
        assert_eq!(
            st,
            StatusCode::OK,
            "{name}: {}",
            String::from_utf8_lossy(&body)
        );
        let token = serde_json::from_slice::<Value>(&body).unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string();
        let plan = json!({ "tokens": [token], "period": "2021-01-01..2021-12-31" });
        let (st, v, _) = a
            .call(
                &admin,
                "POST",
                &format!("/api/assessments/{id}/imports/preview"),
                Some(plan.clone()),
                true,
            )
            .await;
        assert!(
            st == StatusCode::OK || st == StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {st} {v}"
        );
        let text = v.to_string();
        let errors: Vec<&Value> = v["problems"]
            .as_array()
            .map(|p| p.iter().filter(|p| p["severity"] == "error").collect())
            .unwrap_or_default();
        assert!(
            v["ok"] == false && (!errors.is_empty() || v["error"].is_string()),
            "{name}: {v}"
        );
        assert!(
            text.len() < 64 * 1024,
            "{name}: answer of {} bytes",
            text.len()
        );
        assert!(
            text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{name}: no Chinese in {text}"
        );
        // Committing it is refused, and the server still answers.
        let (st, _, _) = a
            .call(
                &admin,
                "POST",
                &format!("/api/assessments/{id}/imports/commit"),
                Some(plan),
                true,
            )
            .await;
        assert!(st.is_client_error(), "{name}: commit {st}");
        let (st, _, _) = a.call(&admin, "GET", "/api/me", None, false).await;
        assert_eq!(st, StatusCode::OK, "{name}: the server stopped answering");
    }
    assert_eq!(
        a.store.audit_log().await.unwrap().len(),
        log_before,
        "nothing stored"
    );
}
