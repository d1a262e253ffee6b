//! The server-rendered pages: sign-in, every page for every role, forms that keep what was typed,
//! the feedback form and exports, charts, setup, the grid, findings on the unit page.

use super::*;

pub(crate) async fn pages_sign_in_and_redirect_and_keep_what_was_typed(db: Db) {
    let a = app(db).await;
    let (s, _, h) = a.raw(&Who::default(), "GET", "/", &[], vec![]).await;
    assert_eq!(
        (s, h.get(header::LOCATION).unwrap().to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/login")
    );
    let (s, html) = page(&a, &Who::default(), "/login").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("lang=\"zh-CN\"") && html.contains("登录考核系统"));
    // A wrong password: the page says so and keeps the login typed.
    let (s, body, _) = a
        .raw(
            &Who::default(),
            "POST",
            "/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"login=%E7%8E%8B%E8%8A%B3&password=x".to_vec(),
        )
        .await;
    let html = String::from_utf8(body).unwrap();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(
        html.contains("登录名或密码错误") && html.contains("value=\"王芳\""),
        "{html}"
    );
    let admin = web_login(&a, "admin").await;
    let (_, html) = page(&a, &admin, "/").await;
    assert!(html.contains("2021年度考核") && html.contains("县政务办（管理员）"));
}

pub(crate) async fn every_page_for_every_role(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin = web_login(&a, "admin").await;
    let assessor = web_login(&a, "wangfang").await;
    let rep_a = web_login(&a, "juegang").await;
    let rep_b = web_login(&a, "matang").await;
    let viewer = web_login(&a, "leader").await;
    let auditor = a.auditor().await;
    let anon = Who::default();
    let u = "320623100";
    // (who, path, status, must contain, must not contain)
    let cases: Vec<(&Who, String, StatusCode, &str, &str)> = vec![
        (&anon, format!("/a/{id}"), StatusCode::SEE_OTHER, "", ""),
        (
            &admin,
            format!("/a/{id}"),
            StatusCode::OK,
            "<svg",
            "尚未公示",
        ),
        (
            &assessor,
            format!("/a/{id}"),
            StatusCode::OK,
            "id=\"league\"",
            "",
        ),
        (
            &viewer,
            format!("/a/{id}"),
            StatusCode::OK,
            "结果尚未公示",
            "id=\"league\"",
        ),
        (
            &rep_a,
            format!("/a/{id}"),
            StatusCode::OK,
            "结果尚未公示",
            "<svg",
        ),
        (
            &viewer,
            format!("/a/{id}/rubric"),
            StatusCode::OK,
            "开放式办公的服务大厅且面积不小于200平方米",
            "",
        ),
        (
            &admin,
            format!("/a/{id}/u/{u}"),
            StatusCode::OK,
            "考核员县政务办评定 0.04，扣 0.01：标识牌不显著",
            "",
        ),
        (
            &admin,
            format!("/a/{id}/u/{u}"),
            StatusCode::OK,
            "name=\"score\"",
            "",
        ),
        (
            &assessor,
            format!("/a/{id}/u/{u}"),
            StatusCode::OK,
            "标识牌不显著",
            "name=\"score\"",
        ),
        (
            &rep_b,
            format!("/a/{id}/u/{u}"),
            StatusCode::OK,
            "马塘镇",
            "标识牌不显著",
        ),
        (
            &rep_a,
            format!("/a/{id}/u/{u}"),
            StatusCode::FORBIDDEN,
            "无权查看单位 320623100 的考核表",
            "标识牌",
        ),
        (
            &viewer,
            format!("/a/{id}/u/{u}"),
            StatusCode::FORBIDDEN,
            "无权查看",
            "标识牌",
        ),
        (
            &admin,
            "/a/999".into(),
            StatusCode::NOT_FOUND,
            "没有这个考核",
            // A refusal is its own page: not the dashboard saying there is no assessment.
            "还没有考核",
        ),
        (
            &admin,
            format!("/a/{id}/import"),
            StatusCode::OK,
            "导入要么全部成功，要么不作任何改动",
            "",
        ),
        (
            &assessor,
            format!("/a/{id}/import"),
            StatusCode::FORBIDDEN,
            "只有管理员可以导入平台数据",
            "id=\"file\"",
        ),
        (
            &anon,
            format!("/a/{id}/import"),
            StatusCode::SEE_OTHER,
            "",
            "",
        ),
        (&auditor, "/audit".into(), StatusCode::OK, "校验链完好", ""),
        (
            &admin,
            "/audit".into(),
            StatusCode::FORBIDDEN,
            "只有审计管理员可以",
            "哈希链",
        ),
        (
            &auditor,
            "/audit?action=no.such.action".into(),
            StatusCode::OK,
            "没有符合条件的记录",
            "",
        ),
        (
            &rep_a,
            "/audit".into(),
            StatusCode::FORBIDDEN,
            "无权查看审计日志",
            "哈希链",
        ),
        (
            &viewer,
            "/audit".into(),
            StatusCode::FORBIDDEN,
            "无权查看审计日志",
            "哈希链",
        ),
    ];
    let mut fails = Vec::new();
    for (who, path, status, has, hasnt) in cases {
        let (s, html) = page(&a, who, &path).await;
        if s != status
            || (!has.is_empty() && !html.contains(has))
            || (!hasnt.is_empty() && html.contains(hasnt))
        {
            fails.push(format!(
                "{path} as {}: {s}, wanted {status} with “{has}” without “{hasnt}”",
                who.cookie.len()
            ));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

pub(crate) async fn the_score_form_saves_refuses_with_the_typed_values_and_needs_the_csrf_token(
    db: Db,
) {
    let a = app(db).await;
    let id = a.id;
    let admin = web_login(&a, "admin").await;
    let form = |who: &Who, body: String| {
        let a = &a;
        let who = who.clone();
        async move {
            a.raw(
                &who,
                "POST",
                &format!("/a/{id}/u/320623001/score"),
                &[("content-type", "application/x-www-form-urlencoded")],
                body.into_bytes(),
            )
            .await
        }
    };
    let (s, _, h) = form(
        &admin,
        format!(
            "csrf={}&clause=1.2.1&score=0.05&reason=&version=",
            admin.csrf
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(
        h.get(header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with("?ok=1.2.1#c-1.2.1")
    );
    // Below max without a reason: refused, and the form shows what was typed.
    let (s, body, _) = form(
        &admin,
        format!(
            "csrf={}&clause=1.2.2&score=0.03&reason=&version=",
            admin.csrf
        ),
    )
    .await;
    let html = String::from_utf8(body).unwrap();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("条款 1.2.2：得分 0.03 低于满分 0.05，须填写理由"),
        "{html}"
    );
    assert!(html.contains("value=\"0.03\""));
    // A stale version: the message says who changed it.
    let (s, body, _) = form(
        &admin,
        format!(
            "csrf={}&clause=1.2.1&score=0.04&reason=%E7%90%86%E7%94%B1&version=7",
            admin.csrf
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8(body).unwrap().contains("已被县政务办"));
    // Without the page's CSRF token nothing is saved.
    let (s, _, _) = form(
        &admin,
        "csrf=forged&clause=1.2.1&score=0.01&reason=x&version=1".into(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let scores = a.store.scores(&admin_user, id, "320623001").await.unwrap();
    assert_eq!(
        scores
            .iter()
            .find(|s| s.clause_id == "1.2.1")
            .unwrap()
            .score,
        "0.05"
    );
}

#[test]
fn the_league_chart_escapes_names() {
    let svg = kaohe_server::web::league_chart(
        &[json!({ "rank": 1, "name": "<script>x</script>", "total": "1.5000" })],
        1.5,
    );
    assert!(svg.starts_with("<svg") && svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
    assert!(svg.contains("width=\"520.0\""));
}

pub(crate) async fn the_feedback_form_and_the_exports_respect_roles_and_publication(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin = web_login(&a, "admin").await;
    let rep_b = web_login(&a, "matang").await;
    let viewer = web_login(&a, "leader").await;
    let (s, html) = page(&a, &admin, &format!("/a/{id}/u/320623100/feedback")).await;
    assert_eq!(s, StatusCode::OK);
    for needle in [
        "考核反馈单",
        "被考核单位：马塘镇（320623100，镇）",
        "考核员县政务办评定 0.04，扣 0.01：标识牌不显著",
        "考核组（签字）",
        "@page { size: A4",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(html.contains(&format!("href=\"/a/{id}/u/320623100/feedback.pdf\"")));
    // The unit's page links both the printable form and its PDF.
    let (_, card) = page(&a, &admin, &format!("/a/{id}/u/320623100")).await;
    assert!(card.contains(&format!("href=\"/a/{id}/u/320623100/feedback\"")));
    assert!(card.contains(&format!("href=\"/a/{id}/u/320623100/feedback.pdf\"")));
    // The same form as a PDF, made on the server.
    let (s, pdf, h) = a
        .raw(
            &admin,
            "GET",
            &format!("/a/{id}/u/320623100/feedback.pdf"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(pages) = kaohe_report::pdf::probe::pages(&pdf) {
        let text: String = pages.concat().split_whitespace().collect();
        for needle in [
            "被考核单位：马塘镇（320623100，镇）",
            "考核员县政务办评定0.04，扣0.01：标识牌不显著",
            "考核组（签字）",
        ] {
            assert!(text.contains(needle), "{needle} not in the PDF:\n{text}");
        }
    }
    // Before 公示 a reporter may not see its result yet, on the page or as PDF; the viewer may
    // not export.
    let (s, html) = page(&a, &rep_b, &format!("/a/{id}/u/320623100/feedback")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("结果尚未公示"));
    let pdf_as = |who: &Who, unit: &str| {
        let who = who.clone();
        let path = format!("/a/{id}/u/{unit}/feedback.pdf");
        let a = &a;
        async move { a.raw(&who, "GET", &path, &[], vec![]).await.0 }
    };
    assert_eq!(pdf_as(&rep_b, "320623100").await, StatusCode::FORBIDDEN);
    assert_eq!(
        page(&a, &viewer, &format!("/a/{id}/export.xlsx")).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, body, h) = a
        .raw(&admin, "GET", &format!("/a/{id}/export.xlsx"), &[], vec![])
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.starts_with(b"PK\x03\x04") && body.len() > 5000);
    assert!(
        h.get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );
    let (s, body, _) = a
        .raw(&admin, "GET", &format!("/a/{id}/export.csv"), &[], vec![])
        .await;
    assert_eq!(s, StatusCode::OK);
    let csv = String::from_utf8(body).unwrap();
    assert!(csv.starts_with("\u{feff}排名,单位编码,单位名称,类型,1 政务服务规范化建设,2 公共资源交易管理规范化,基础分,加分,总分,完整\n"), "{csv}");
    assert!(csv.contains(",320623100,马塘镇,镇,"));
    // After 公示: the reporter prints its own form, not another unit's; the viewer exports; the reporter does not.
    a.call(
        &Who { ..admin.clone() },
        "POST",
        &format!("/api/assessments/{id}/stage"),
        Some(json!({ "to": "publication", "override_reason": "权限的测试" })),
        true,
    )
    .await;
    assert_eq!(
        page(&a, &rep_b, &format!("/a/{id}/u/320623100/feedback"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        page(&a, &rep_b, &format!("/a/{id}/u/320623001/feedback"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(pdf_as(&rep_b, "320623100").await, StatusCode::OK);
    assert_eq!(pdf_as(&rep_b, "320623001").await, StatusCode::FORBIDDEN);
    assert_eq!(
        page(&a, &viewer, &format!("/a/{id}/export.csv")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        page(&a, &rep_b, &format!("/a/{id}/export.xlsx")).await.0,
        StatusCode::FORBIDDEN
    );
    // Every unit's form in one PDF: for who may export; each unit starts a page, in rank order.
    let all = format!("/a/{id}/feedback.pdf");
    assert_eq!(
        a.raw(&rep_b, "GET", &all, &[], vec![]).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, pdf, _) = a.raw(&viewer, "GET", &all, &[], vec![]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(pages) = kaohe_report::pdf::probe::pages(&pdf) {
        let firsts: Vec<String> = pages
            .iter()
            .map(|p| p.split_whitespace().collect::<String>())
            .filter(|p| p.contains("第1页/共"))
            .collect();
        assert_eq!(firsts.len(), 2, "one first page per unit");
        assert!(
            firsts
                .iter()
                .any(|p| p.contains("被考核单位：马塘镇（320623100，镇）"))
        );
        assert!(
            firsts
                .iter()
                .any(|p| p.contains("被考核单位：掘港街道（320623001，街道）"))
        );
    }
}

pub(crate) async fn charts_show_the_distribution_and_a_units_profile_against_the_average(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    // Indicator 2 (公共资源交易管理规范化, 0.5) complete for both units: 掘港 full marks, 马塘 0.03 of
    // 0.05 on 2.5.1, so 马塘 has 0.48 and the average is 0.49. Indicator 1 stays incomplete.
    let full = [
        ("2.1.1", "0.05"),
        ("2.2.1", "0.05"),
        ("2.3.1", "0.05"),
        ("2.3.2", "0.15"),
        ("2.4.1", "0.05"),
        ("2.4.2", "0.05"),
        ("2.4.3", "0.05"),
        ("2.5.1", "0.05"),
    ];
    for unit in ["320623001", "320623100"] {
        for (clause, max) in full {
            let (score, reason) = if unit == "320623100" && clause == "2.5.1" {
                ("0.03", "缺少培训记录")
            } else {
                (max, "")
            };
            a.store
                .set_score(
                    &admin_user,
                    id,
                    unit,
                    clause,
                    Ledger::Assessor,
                    score,
                    reason,
                    None,
                    &now,
                )
                .await
                .unwrap();
        }
    }
    let admin = web_login(&a, "admin").await;
    let (s, html) = page(&a, &admin, &format!("/a/{id}/u/320623100")).await;
    assert_eq!(s, StatusCode::OK);
    let start = html.find("<table id=\"profile\">").expect("profile table");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    assert!(
        table.contains("<td>公共资源交易管理规范化</td><td class=\"num\">0.5</td><td class=\"num\">0.48</td><td class=\"num\">0.4900</td>"),
        "{table}"
    );
    assert!(
        table.contains("<td>政务服务规范化建设</td><td class=\"num\">1</td><td class=\"num\">未计分</td><td class=\"num\">未计分</td>"),
        "{table}"
    );
    assert!(html.contains("aria-label=\"分指标得分率与全县平均\""));
    // One assessment only: no multi-year chart yet.
    assert!(!html.contains("历年总分"));
    let (s, html) = page(&a, &admin, &format!("/a/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let start = html.find("aria-label=\"总分分布\"").expect("distribution");
    let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
    // Two units, two different totals: one in the first bin and one in the last.
    assert_eq!(svg.matches("1 个").count(), 2, "{svg}");
    // A second year: the unit's page draws its totals year by year.
    let rubric_2022 = RUBRIC
        .replace("id = \"rudong-2021\"", "id = \"rudong-2022\"")
        .replace("\nyear = 2021", "\nyear = 2022");
    let id2 = a
        .store
        .create_assessment(&admin_user, "2022年度考核", &rubric_2022, &now)
        .await
        .unwrap();
    a.store
        .add_unit(&admin_user, id2, "320623100", "马塘镇", "镇", &now)
        .await
        .unwrap();
    let (_, html) = page(&a, &admin, &format!("/a/{id2}/u/320623100")).await;
    let start = html.find("aria-label=\"历年总分\"").expect("years chart");
    let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
    assert!(svg.contains("2021年") && svg.contains("2022年"), "{svg}");
    assert!(svg.contains("0.52 第1名"), "{svg}");
}

pub(crate) async fn the_setup_page_adds_units_accounts_and_assignments_and_keeps_what_was_typed(
    db: Db,
) {
    let a = app(db).await;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    // A new assessment in 草稿, where units and assignments may be set.
    let id = a
        .store
        .create_assessment(&admin_user, "2022年度考核", RUBRIC, &now)
        .await
        .unwrap();
    let admin = web_login(&a, "admin").await;
    let post = |who: &Who, assessment: i64, body: String| {
        let (a, who) = (&a, who.clone());
        async move { a.form(&who, &format!("/a/{assessment}/setup"), body).await }
    };
    let c = admin.csrf.clone();
    let (s, _, loc) = post(
        &admin,
        id,
        format!(
            "csrf={c}&what=unit&code=320623107&name=%E4%B8%B0%E5%88%A9%E9%95%87&kind=%E9%95%87"
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.starts_with(&format!("/a/{id}/setup?msg=")), "{loc}");
    let (s, _, _) = post(
        &admin,
        id,
        format!("csrf={c}&what=assign&assessor=wangfang&unit=320623107"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = post(
        &admin,
        id,
        format!("csrf={c}&what=user&login=fengli&name=%E4%B8%B0%E5%88%A9%E5%A1%AB%E6%8A%A5%E5%91%98&role=reporter&unit=320623107&password=fengli-2022-pass"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = page(&a, &admin, &format!("/a/{id}/setup")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("<td>320623107</td><td>丰利镇</td><td>镇</td>"),
        "{html}"
    );
    assert!(
        html.contains("<td>丰利镇（320623107）</td><td>王芳（wangfang）</td>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<td>fengli</td><td>丰利填报员</td><td>单位填报员</td><td>320623107（丰利镇）</td>"
        ),
        "{html}"
    );
    // The new reporter can sign in.
    let r = a.login_with("fengli", "fengli-2022-pass").await;
    assert!(!r.csrf.is_empty());
    // In 考核 (the first assessment) units are fixed: refused, and the form keeps the typed values.
    let (s, html, _) = post(
        &admin,
        a.id,
        format!(
            "csrf={c}&what=unit&code=320623108&name=%E5%A4%A7%E8%B1%AB%E9%95%87&kind=%E9%95%87"
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("value=\"320623108\"") && html.contains("value=\"大豫镇\""),
        "{html}"
    );
    assert!(html.contains("role=\"alert\""));
    // A reporter without a unit: refused with what to fix; the password is not sent back.
    let (s, html, _) = post(
        &admin,
        id,
        format!("csrf={c}&what=user&login=x1&name=x&role=reporter&unit=&password=secret-pass-1"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("value=\"x1\"") && !html.contains("secret-pass-1"));
    // Without the CSRF token, and for anyone but the admin: refused.
    let (s, _, _) = post(&admin, id, "what=unit&code=1&name=x&kind=%E9%95%87".into()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let assessor = web_login(&a, "wangfang").await;
    let (s, html) = page(&a, &assessor, &format!("/a/{id}/setup")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("只有管理员可以设置考核"));
    let ac = assessor.csrf.clone();
    let (s, _, _) = post(
        &assessor,
        id,
        format!("csrf={ac}&what=unit&code=320623109&name=x&kind=%E9%95%87"),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(a.store.units(id).await.unwrap().len(), 1);
}

pub(crate) async fn the_grid_shows_the_units_one_may_score_with_their_versions(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin = web_login(&a, "admin").await;
    let (s, html) = page(&a, &admin, &format!("/a/{id}/grid")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("tr data-unit=\"320623001\"") && html.contains("tr data-unit=\"320623100\"")
    );
    // 马塘镇 1.1.1 was scored 0.04 with a reason (version 1); the cell carries all three.
    let i = html.find("tr data-unit=\"320623100\"").unwrap();
    let row = &html[i..i + html[i..].find("</tr>").unwrap()];
    assert!(row.contains("data-clause=\"1.1.1\" data-v=\"1\""), "{row}");
    assert!(row.contains("value=\"0.04\"") && row.contains("value=\"标识牌不显著\""));
    // Only 评定 clauses are columns: 1.4.1 (事项认领率) is computed from platform data.
    assert!(html.contains("<b>1.1.1</b>") && !html.contains("<b>1.4.1</b>"));
    // An assessor sees the units assigned to him only; a reporter may not open the grid.
    let assessor = web_login(&a, "wangfang").await;
    let (s, html) = page(&a, &assessor, &format!("/a/{id}/grid")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("tr data-unit=\"320623001\"") && !html.contains("tr data-unit=\"320623100\"")
    );
    let rep = web_login(&a, "matang").await;
    let (s, html) = page(&a, &rep, &format!("/a/{id}/grid")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("只有管理员和考核员可以使用评分表"));
}

pub(crate) async fn an_assessor_records_a_finding_on_the_page_and_it_costs_its_points(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin = web_login(&a, "admin").await;
    let post = |body: String| {
        let (a, admin) = (&a, admin.clone());
        async move {
            a.form(&admin, &format!("/a/{id}/u/320623100/finding"), body)
                .await
        }
    };
    let c = admin.csrf.clone();
    let (s, _, loc) = post(format!(
        "csrf={c}&clause=1.4.2&description=%E5%8A%9E%E4%BA%8B%E6%8C%87%E5%8D%97%E7%BC%BA%E5%B0%91%E6%94%B6%E8%B4%B9%E6%A0%87%E5%87%86"
    ))
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.ends_with("?found=1.4.2#c-1.4.2"), "{loc}");
    let (_, html) = page(&a, &admin, &format!("/a/{id}/u/320623100?found=1.4.2")).await;
    assert!(html.contains("已记录条款 1.4.2 的问题"));
    let i = html.find("id=\"c-1.4.2\"").unwrap();
    let row = &html[i..i + html[i..].find("</tr>").unwrap()];
    assert!(row.contains("· 办事指南缺少收费标准"), "{row}");
    assert!(row.contains("1例"), "{row}");
    // A judgement clause takes no findings; an empty description is refused; the form keeps its text.
    let (s, html, _) = post(format!("csrf={c}&clause=1.1.1&description=x")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("条款 1.1.1：条款 1.1.1 按“评定”计分，不接受问题记录")
            || html.contains("不接受问题记录"),
        "{html}"
    );
    let (s, html, _) = post(format!("csrf={c}&clause=1.4.2&description=")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("问题描述不能为空"));
    // Without the token: refused; a reporter may not record findings.
    let (s, _, _) = post("clause=1.4.2&description=x".into()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let rep = web_login(&a, "matang").await;
    let (s, _, _) = a
        .form(
            &rep,
            &format!("/a/{id}/u/320623100/finding"),
            format!("csrf={}&clause=1.4.2&description=x", rep.csrf),
        )
        .await;
    // (Refused as who they are, before the form's body — which may carry files — is read.)
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, html) = page(&a, &admin, &format!("/a/{id}/u/320623100")).await;
    assert_eq!(html.matches("· 办事指南缺少收费标准").count(), 1);
    assert!(!html.contains("· x<"));
    // Where the count came as a metric, a finding would be a second source: refused, saying why.
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    a.store
        .set_metric(
            &admin_user,
            id,
            "320623001",
            "guide_defects",
            rust_decimal::Decimal::ZERO,
            &now,
        )
        .await
        .unwrap();
    let err = a
        .store
        .add_finding(&admin_user, id, "320623001", "1.4.2", "指南缺少样表", &now)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("单位 320623001 的指南问题已由指标数值给出（0）")
            && err.contains("两种来源只能用一种"),
        "{err}"
    );
    // And the other way round: 马塘镇 has a finding under 1.4.2, so no number for its 指南问题.
    let err = a
        .store
        .set_metric(
            &admin_user,
            id,
            "320623100",
            "guide_defects",
            rust_decimal::Decimal::ONE,
            &now,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("单位 320623100 条款 1.4.2 已逐条记录 1 例问题"),
        "{err}"
    );
}

/// A session that cannot be looked up because the database fails is a page saying so (500), never the
/// sign-in page (which would tell a signed-in person their session was gone).
pub(crate) async fn a_failing_session_lookup_is_an_error_page_not_the_sign_in_page(db: Db) {
    let a = app(db).await;
    let admin = web_login(&a, "admin").await;
    let (s, _) = page(&a, &admin, "/").await;
    assert_eq!(s, StatusCode::OK);
    sqlx::query("ALTER TABLE sessions RENAME TO sessions_gone")
        .execute(a.store.pool())
        .await
        .unwrap();
    let (s, html) = page(&a, &admin, "/").await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{html}");
    assert!(html.contains("服务器内部错误"), "{html}");
    // Without a cookie, still the way to sign in.
    let (s, _, h) = a.raw(&Who::default(), "GET", "/", &[], vec![]).await;
    assert_eq!(
        (s, h.get(header::LOCATION).unwrap().to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/login")
    );
}
