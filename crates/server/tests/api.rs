//! The JSON API: every route for every role, CSRF, conflicts, the results' shape, the OpenAPI
//! document, the wrong-person sweep over every route, corrupt data as errors.

use super::*;

pub(crate) async fn every_route_for_every_role(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let anon = Who::default();
    let admin = a.login("admin").await;
    let assessor = a.login("wangfang").await;
    let other_assessor = a.login("lina").await;
    let rep_a = a.login("juegang").await;
    let rep_b = a.login("matang").await;
    let viewer = a.login("leader").await;
    let score = |s: &str| json!({ "score": s, "reason": "理由" });
    let u = "320623001";
    // (who, name, method, path, body, expected) — in 考核 (review).
    /// (who, name, method, path, body, expected)
    type Case<'a> = (&'a Who, &'a str, &'a str, String, Option<Value>, StatusCode);
    let cases: Vec<Case> = vec![
        (
            &anon,
            "anon",
            "GET",
            "/api/assessments".into(),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            &viewer,
            "viewer",
            "GET",
            "/api/assessments".into(),
            None,
            StatusCode::OK,
        ),
        (
            &rep_a,
            "rep_a",
            "GET",
            format!("/api/assessments/{id}"),
            None,
            StatusCode::OK,
        ),
        (
            &anon,
            "anon",
            "GET",
            format!("/api/assessments/{id}"),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            &admin,
            "admin",
            "GET",
            format!("/api/assessments/{id}/units/{u}/scores"),
            None,
            StatusCode::OK,
        ),
        (
            &assessor,
            "assessor",
            "GET",
            format!("/api/assessments/{id}/units/{u}/scores"),
            None,
            StatusCode::OK,
        ),
        (
            &rep_a,
            "rep_a",
            "GET",
            format!("/api/assessments/{id}/units/{u}/scores"),
            None,
            StatusCode::OK,
        ),
        (
            &rep_b,
            "rep_b",
            "GET",
            format!("/api/assessments/{id}/units/{u}/scores"),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            &viewer,
            "viewer",
            "GET",
            format!("/api/assessments/{id}/units/{u}/scores"),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            &anon,
            "anon",
            "GET",
            format!("/api/assessments/{id}/units/{u}/scores"),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            &assessor,
            "assessor",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.1.2/assessor"),
            Some(score("0.05")),
            StatusCode::OK,
        ),
        (
            &admin,
            "admin",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.1.3/assessor"),
            Some(score("0.05")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &admin,
            "admin",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.2.1/assessor"),
            Some(score("0.05")),
            StatusCode::OK,
        ),
        (
            &other_assessor,
            "other_assessor",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.2.2/assessor"),
            Some(score("0.05")),
            StatusCode::FORBIDDEN,
        ),
        (
            &rep_a,
            "rep_a",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.2.2/assessor"),
            Some(score("0.05")),
            StatusCode::FORBIDDEN,
        ),
        (
            &rep_a,
            "rep_a",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.2.2/self"),
            Some(score("0.05")),
            StatusCode::FORBIDDEN,
        ),
        (
            &viewer,
            "viewer",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.2.2/assessor"),
            Some(score("0.05")),
            StatusCode::FORBIDDEN,
        ),
        (
            &anon,
            "anon",
            "PUT",
            format!("/api/assessments/{id}/units/{u}/scores/1.2.2/assessor"),
            Some(score("0.05")),
            StatusCode::UNAUTHORIZED,
        ),
        (
            &assessor,
            "assessor",
            "POST",
            format!("/api/assessments/{id}/units/{u}/findings"),
            Some(json!({ "clause": "1.4.2", "description": "指南缺少样表" })),
            StatusCode::OK,
        ),
        (
            &rep_b,
            "rep_b",
            "POST",
            format!("/api/assessments/{id}/units/{u}/findings"),
            Some(json!({ "clause": "1.4.2", "description": "x" })),
            StatusCode::FORBIDDEN,
        ),
        (
            &assessor,
            "assessor",
            "POST",
            format!("/api/assessments/{id}/stage"),
            Some(json!({ "to": "publication" })),
            StatusCode::FORBIDDEN,
        ),
        (
            &viewer,
            "viewer",
            "POST",
            format!("/api/assessments/{id}/stage"),
            Some(json!({ "to": "publication" })),
            StatusCode::FORBIDDEN,
        ),
        (
            &admin,
            "admin",
            "GET",
            format!("/api/assessments/{id}/results"),
            None,
            StatusCode::OK,
        ),
        (
            &assessor,
            "assessor",
            "GET",
            format!("/api/assessments/{id}/results"),
            None,
            StatusCode::OK,
        ),
        (
            &rep_a,
            "rep_a",
            "GET",
            format!("/api/assessments/{id}/results"),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            &viewer,
            "viewer",
            "GET",
            format!("/api/assessments/{id}/results"),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            &anon,
            "anon",
            "GET",
            "/api/openapi.json".into(),
            None,
            StatusCode::OK,
        ),
        (
            &admin,
            "admin",
            "GET",
            "/api/assessments/999".into(),
            None,
            StatusCode::NOT_FOUND,
        ),
    ];
    let mut fails = Vec::new();
    for (who, name, method, path, body, want) in cases {
        let (got, v, _) = a.call(who, method, &path, body, method != "GET").await;
        if got != want {
            fails.push(format!(
                "{name} {method} {path}: expected {want}, got {got} {v}"
            ));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

pub(crate) async fn a_state_change_without_the_csrf_token_is_refused(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let path = format!(
        "/api/assessments/{}/units/320623001/scores/1.1.1/assessor",
        a.id
    );
    let (s, v, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "score": "0.05" })),
            false,
        )
        .await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (
            StatusCode::FORBIDDEN,
            "缺少或错误的 CSRF 令牌（请刷新页面后重试）"
        )
    );
    let wrong = Who {
        csrf: "0".repeat(32),
        ..admin.clone()
    };
    let (s, _, _) = a
        .call(&wrong, "PUT", &path, Some(json!({ "score": "0.05" })), true)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = a
        .call(&admin, "PUT", &path, Some(json!({ "score": "0.05" })), true)
        .await;
    assert_eq!(s, StatusCode::OK);
}

pub(crate) async fn a_stale_edit_gets_409_with_the_current_value(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let assessor = a.login("wangfang").await;
    let path = format!(
        "/api/assessments/{}/units/320623001/scores/1.5.1/assessor",
        a.id
    );
    let (s, v, _) = a
        .call(
            &assessor,
            "PUT",
            &path,
            Some(json!({ "score": "0.1" })),
            true,
        )
        .await;
    assert_eq!((s, v["version"].as_i64()), (StatusCode::OK, Some(1)));
    let (s, _, _) = a
        .call(
            &assessor,
            "PUT",
            &path,
            Some(json!({ "score": "0.08", "reason": "岗位牌未公开照片", "version": 1 })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "score": "0.09", "reason": "未佩戴标志", "version": 1 })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["current"]["score"], "0.08");
    assert_eq!(v["current"]["version"], 2);
    assert_eq!(v["current"]["updated_by"], "王芳");
    assert!(v["error"].as_str().unwrap().contains("王芳"));
}

pub(crate) async fn results_have_the_shape_of_data_md_and_publication_opens_them(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let path = format!("/api/assessments/{}/results", a.id);
    let (s, v, _) = a.call(&admin, "GET", &path, None, false).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["rubric"]["id"], "rudong-2021");
    assert_eq!(v["rubric"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(v["complete"], false); // most clauses are not scored yet
    let matang = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "320623100")
        .unwrap();
    let c = matang["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "1.1.1")
        .unwrap();
    assert_eq!(c["score"], "0.0400");
    assert_eq!(
        c["explanation"],
        "考核员县政务办评定 0.04，扣 0.01：标识牌不显著"
    );
    assert_eq!(c["status"], "scored");
    // 公示: the viewer may read; a reporter sees the clause details of its own unit only.
    let (s, _, _) = a
        .call(
            &admin,
            "POST",
            &format!("/api/assessments/{}/stage", a.id),
            Some(
                json!({ "to": "publication", "why": "公示", "override_reason": "结果形状的测试" }),
            ),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let viewer = a.login("leader").await;
    assert_eq!(
        a.call(&viewer, "GET", &path, None, false).await.0,
        StatusCode::OK
    );
    let rep = a.login("juegang").await;
    let (s, v, _) = a.call(&rep, "GET", &path, None, false).await;
    assert_eq!(s, StatusCode::OK);
    for u in v["units"].as_array().unwrap() {
        let n = u["clauses"].as_array().unwrap().len();
        assert_eq!(
            n,
            if u["code"] == "320623001" { 28 } else { 0 },
            "{}",
            u["code"]
        );
    }
    assert_eq!(v["stage"], "publication");
}

pub(crate) async fn the_openapi_document_lists_every_route_and_every_route_exists(db: Db) {
    let a = app(db).await;
    let (s, doc, _) = a
        .call(&Who::default(), "GET", "/api/openapi.json", None, false)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let admin = a.login("admin").await;
    for (method, path, _) in kaohe_server::openapi::ROUTES {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing from the document"
        );
        let concrete = path
            .replace("{id}", &a.id.to_string())
            .replace("{unit}", "320623001")
            .replace("{clause}", "1.1.1")
            .replace("{ledger}", "assessor")
            .replace("{oid}", "1")
            .replace("{fid}", "1")
            .replace("{login}", "lina")
            .replace("{version}", "1")
            .replace("{a}", "1")
            .replace("{b}", "1");
        let body = (*method != "get").then(|| json!({}));
        let (s, _, _) = a
            .call(&admin, &method.to_uppercase(), &concrete, body, true)
            .await;
        assert!(
            s != StatusCode::NOT_FOUND && s != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} → {s}"
        );
    }
}

/// A valid request for every route of the OpenAPI list, so that a refusal is about who asks.
pub(crate) fn valid_request(
    method: &str,
    path: &str,
) -> (String, Vec<u8>, Vec<(&'static str, &'static str)>) {
    let body = |v: Value| v.to_string().into_bytes();
    let json_h = vec![("content-type", "application/json")];
    let p = path
        .replace("{unit}", "320623001")
        .replace("{clause}", "1.1.1")
        .replace("{ledger}", "assessor")
        .replace("{oid}", "1")
        .replace("{version}", "1")
        .replace("{a}", "1")
        .replace("{b}", "1")
        .replace("{metric}", "claim_rate")
        .replace("{login}", "lina")
        .replace("{sha}", &"0".repeat(64));
    let (b, h) = match (method, path) {
        ("put", p) if p.ends_with("/evidence") => (b"%PDF-1.7 x".to_vec(), vec![]),
        ("post", p) if p.ends_with("/imports/stage") => {
            (b"a,b\n1,2\n".to_vec(), vec![("x-kind", "cases")])
        }
        (_, p) if p.ends_with("/stage") => (body(json!({ "to": "publication" })), json_h),
        (_, p) if p.ends_with("/scores/{clause}/{ledger}") => {
            (body(json!({ "score": "0.05" })), json_h)
        }
        (_, p) if p.ends_with("/withdraw") => (body(json!({ "reason": "x" })), json_h),
        (_, p) if p.ends_with("/findings") => (
            body(json!({ "clause": "1.4.2", "description": "x" })),
            json_h,
        ),
        ("post", p) if p.ends_with("/objections") => (
            body(json!({ "unit": "320623001", "clause": "1.1.1", "reason": "x" })),
            json_h,
        ),
        (_, p) if p.ends_with("/decision") => (
            body(json!({ "outcome": "rejected", "reason": "x" })),
            json_h,
        ),
        (_, p) if p.ends_with("/finalize") || p.ends_with("/corrections") => {
            (body(json!({ "reason": "x" })), json_h)
        }
        (_, p) if p.ends_with("/disable") || p.ends_with("/enable") => {
            (body(json!({ "reason": "x" })), json_h)
        }
        (_, p) if p.ends_with("/assignments/replace") => (
            body(json!({ "unit": "320623001", "from": "wangfang", "to": "lina", "reason": "x" })),
            json_h,
        ),
        ("put", "/api/users/{login}") => (body(json!({ "name": "x", "role": "viewer" })), json_h),
        ("put", "/api/assessments/{id}/units/{unit}") => (
            body(json!({ "code": "320623001", "name": "x", "kind": "街道" })),
            json_h,
        ),
        ("post", "/api/users") => (
            body(
                json!({ "login": "zz", "name": "z", "role": "viewer", "password": "password-123" }),
            ),
            json_h,
        ),
        ("post", "/api/assessments/new") => (
            body(json!({
                "title": "2022年度考核", "year": 2022, "from": 1, "copy_units": true,
                "copy_assignments": true, "copy_rubric": true, "period_start": "2022-01-01",
                "period_end": "2022-12-31", "self_deadline": "2023-01-15", "publication_days": 5
            })),
            json_h,
        ),
        ("put", p) if p.ends_with("/dates") => (
            body(json!({
                "period_start": "2021-01-01", "period_end": "2021-12-31",
                "self_deadline": "2022-01-15", "publication_days": 5, "why": "x"
            })),
            json_h,
        ),
        (_, p) if p.ends_with("/dates/extend") => {
            (body(json!({ "until": "2022-02-18", "why": "x" })), json_h)
        }
        ("post", "/api/assessments") => {
            (body(json!({ "title": "x", "rubric_toml": RUBRIC })), json_h)
        }
        ("post", p) if p.ends_with("/units") => (
            body(json!({ "code": "9", "name": "x", "kind": "镇" })),
            json_h,
        ),
        (_, p) if p.ends_with("/assignments") => (
            body(json!({ "assessor": "lina", "unit": "320623001" })),
            json_h,
        ),
        (_, p) if p.contains("/metrics/") => {
            (body(json!({ "value": "0.9", "previous": null })), json_h)
        }
        (_, p) if p.ends_with("/bonus") => (
            body(json!({ "clause": "2.3.3", "points": "0.01", "reason": "x" })),
            json_h,
        ),
        (_, p) if p.ends_with("/preview") || p.ends_with("/commit") => (
            body(json!({ "tokens": [], "period": "2021-01-01..2021-12-31" })),
            json_h,
        ),
        (_, p) if p.ends_with("/cancel") => (body(json!({ "tokens": [] })), json_h),
        (_, p) if p.ends_with("/whatif") => (body(json!({ "rubric_assessment": 1 })), json_h),
        ("get", _) => (vec![], vec![]),
        _ => (body(json!({})), json_h),
    };
    (p, b, h)
}

pub(crate) async fn no_route_lets_the_wrong_person_through(db: Db) {
    let a = app(db).await;
    let id = a.id.to_string();
    let viewer = a.login("leader").await;
    let rep_b = a.login("matang").await;
    let other_assessor = a.login("lina").await;
    let anon = Who::default();
    // A finding of 掘港街道 (id 1), for the route that withdraws one.
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let fid = a
        .store
        .add_finding(
            &admin_user,
            a.id,
            "320623001",
            "1.4.2",
            "指南缺少样表",
            &kaohe_server::iso(T0),
        )
        .await
        .unwrap();
    assert_eq!(fid, 1);
    let mut fails = Vec::new();
    for (method, path, _) in kaohe_server::openapi::ROUTES {
        // Signing in and out, and changing one's own password, are everyone's own business.
        if ["/api/login", "/api/logout", "/api/me/password"].contains(path) {
            continue;
        }
        let (p, body, headers) = valid_request(method, path);
        let p = p.replace("{id}", &id);
        // A what-if is posted (it may carry a draft) but changes nothing; it reads every unit's result.
        let whatif = p.ends_with("/whatif");
        let mutating = *method != "get" && !whatif;
        let touches_unit = p.contains("/units/320623001")
            || p.contains("/assignments")
            || p.ends_with("/objections") && mutating;
        let m = method.to_uppercase();
        // Anonymous: always 401, but for the API document.
        let (s, _, _) = a.raw(&anon, &m, &p, &headers, body.clone()).await;
        if *path != "/api/openapi.json" && s != StatusCode::UNAUTHORIZED {
            fails.push(format!("anonymous {m} {p} → {s}"));
        }
        // A viewer changes nothing and reads no unit data, accounts, audit or unpublished result.
        let (s, _, _) = a.raw(&viewer, &m, &p, &headers, body.clone()).await;
        let private_read = p.contains("/units/")
            || p.ends_with("/users")
            || p.contains("/audit")
            || p.ends_with("/results")
            || whatif
            || p.contains("/evidence");
        if s.is_success() && (mutating || private_read) {
            fails.push(format!("viewer {m} {p} → {s}"));
        }
        // Another unit's reporter touches nothing of this unit.
        let (s, _, _) = a.raw(&rep_b, &m, &p, &headers, body.clone()).await;
        if s.is_success() && (touches_unit || mutating || whatif) {
            fails.push(format!("other unit's reporter {m} {p} → {s}"));
        }
        // An assessor not assigned to the unit changes nothing of it.
        let (s, _, _) = a.raw(&other_assessor, &m, &p, &headers, body.clone()).await;
        if s.is_success() && mutating && (touches_unit || !p.contains("/units/")) {
            fails.push(format!("unassigned assessor {m} {p} → {s}"));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

pub(crate) async fn a_metric_edited_meanwhile_is_a_conflict_not_an_overwrite(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let path = format!(
        "/api/assessments/{}/units/320623001/metrics/claim_rate",
        a.id
    );
    let (s, _, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "value": "0.98", "previous": null })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Two editors saw 0.98; the first saves 0.99, the second's 0.97 is refused with the current value.
    let (s, _, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "value": "0.99", "previous": "0.98" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "value": "0.97", "previous": "0.980" })),
            true,
        )
        .await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (
            StatusCode::CONFLICT,
            "该指标已被他人修改，当前值为 0.99，请刷新后再改"
        )
    );
    let (s, _, _) = a
        .call(
            &admin,
            "PUT",
            &path,
            Some(json!({ "value": "0.97", "previous": null })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

pub(crate) async fn a_corrupt_stored_score_is_an_error_never_a_zero(db: Db) {
    let a = app(db).await;
    let id = a.id;
    // 马塘镇's 1.1.1 (0.04) altered in the database behind the service's back.
    sqlx::query(
        "UPDATE ledger SET score = 'x.4' WHERE unit_code = '320623100' AND clause_id = '1.1.1'",
    )
    .execute(a.store.pool())
    .await
    .unwrap();
    let e = a.store.inputs(id).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "数据库中的数据已损坏：单位 320623100 条款 1.1.1 的考核分的值“x.4”不是数"
    );
    let admin = web_login(&a, "admin").await;
    for path in [
        format!("/a/{id}"),
        format!("/a/{id}/u/320623100"),
        format!("/a/{id}/export.xlsx"),
    ] {
        let (s, html) = page(&a, &admin, &path).await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(html.contains("读取考核数据失败"), "{path}: {html}");
    }
    let who = a.login("admin").await;
    let (s, v, _) = a
        .call(
            &who,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{v}");

    // A table that cannot be read: the unit's page says so instead of showing no evidence.
    let b = app(db).await;
    sqlx::query("DROP TABLE evidence_links")
        .execute(b.store.pool())
        .await
        .unwrap();
    let admin = web_login(&b, "admin").await;
    let (s, html) = page(&b, &admin, &format!("/a/{}/u/320623001", b.id)).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(html.contains("读取数据失败，请联系管理员"), "{html}");
    // …and a database that fails is not "没有这个考核" (404). (The assessment itself is kept in memory
    // until the next change to it: make its revision, which says whether anything changed, unreadable.)
    sqlx::query("ALTER TABLE assessments RENAME TO assessments_gone")
        .execute(b.store.pool())
        .await
        .unwrap();
    let (s, html) = page(&b, &admin, &format!("/a/{}/rubric", b.id)).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(html.contains("读取数据失败，请联系管理员"), "{html}");
}

#[test]
fn percent_decoding_of_file_names() {
    use kaohe_server::api::percent_decode;
    assert_eq!(percent_decode("%E6%B5%8B%E7%BB%98.pdf"), "测绘.pdf");
    assert_eq!(percent_decode("a%2"), "a%2");
    assert_eq!(percent_decode("100%"), "100%");
    assert_eq!(percent_decode("%zz测"), "%zz测");
}
