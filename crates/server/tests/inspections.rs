//! 检查记录 and typed findings in the service (issue 11), with the window-service example: not
//! inspected is 未检查 and incomplete; an inspection recorded is full marks; a finding's chosen points
//! outside the range are refused in Chinese beside the form; inside it, with a reason, they are
//! scored and explained with the rubric's words and the type's name. The page and the API alike.

use super::*;

const WINDOW: &str = include_str!("../../../rubrics/example-window-service.toml");
/// 2024-06-01T09:00:00Z (17:00 in Beijing).
const JUNE: u64 = 1_717_232_400;

/// The window-service example in 考核 at JUNE: units 320623501 (assigned to 王芳) and 320623502.
async fn window(db: Db) -> (App, i64) {
    let a = app(db).await;
    a.clock.store(JUNE, Ordering::SeqCst);
    let now = kaohe_server::iso(JUNE);
    let admin = a.store.user_by_login("admin").await.unwrap().unwrap();
    let wang = a.store.user_by_login("wangfang").await.unwrap().unwrap();
    let s = &a.store;
    let id = s
        .create_assessment(&admin, "2024年度窗口服务考核", WINDOW, &now)
        .await
        .unwrap();
    s.add_unit(&admin, id, "320623501", "政务服务中心窗口", "镇", &now)
        .await
        .unwrap();
    s.add_unit(&admin, id, "320623502", "不动产登记窗口", "镇", &now)
        .await
        .unwrap();
    s.assign(&admin, id, &wang, "320623501", &now)
        .await
        .unwrap();
    for to in [Stage::SelfAssessment, Stage::Review] {
        s.advance(&admin, id, to, "", &now, kaohe_store::Gate::none())
            .await
            .unwrap();
    }
    (a, id)
}

/// The row of `clause` on a unit page.
fn row<'h>(html: &'h str, clause: &str) -> &'h str {
    let i = html
        .find(&format!("id=\"c-{clause}\""))
        .unwrap_or_else(|| panic!("no row {clause}"));
    &html[i..i + html[i..].find("</tr>").unwrap()]
}

/// The final-score cell of a row.
fn final_cell(row: &str) -> &str {
    let cells: Vec<&str> = row.split("<td").collect();
    let c = cells[5];
    &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()]
}

fn enc(s: &str) -> String {
    kaohe_store::url::percent_encode(s, b"-._~")
}

pub(crate) async fn an_inspection_and_a_typed_finding_are_recorded_on_the_unit_page(db: Db) {
    let (a, id) = window(db).await;
    let wang = web_login(&a, "wangfang").await;
    let c = wang.csrf.clone();
    let unit_page = format!("/a/{id}/u/320623501");
    let post = |path: &'static str, body: String| {
        let (a, wang) = (&a, wang.clone());
        async move {
            a.form(&wang, &format!("/a/{id}/u/320623501/{path}"), body)
                .await
        }
    };
    // Not inspected: 未检查, and the unit is not ranked.
    let (s, html) = page(&a, &wang, &unit_page).await;
    assert_eq!(s, StatusCode::OK);
    let r = row(&html, "1.1.1");
    assert_eq!(final_cell(r), "未检查");
    assert!(r.contains("检查记录：未检查"), "{r}");
    assert!(r.contains("记录检查：已检查，未发现问题"), "{r}");
    assert!(
        r.contains("name=\"date\" size=\"10\" value=\"2024-06-01\""),
        "{r}"
    );
    assert!(
        r.contains("<option value=\"标识不醒目\">标识不醒目（每次扣 1 分）</option>"),
        "{r}"
    );
    assert!(
        r.contains("<option value=\"标识不易识别\">标识不易识别（每次扣 0.5 分）</option>"),
        "{r}"
    );
    assert!(!r.contains("name=\"points\""), "{r}");
    let r = row(&html, "1.2.1");
    assert!(
        r.contains("name=\"points\"") && r.contains("酌情扣 2–5 分"),
        "{r}"
    );
    assert!(r.contains("扣分理由"), "{r}");
    assert!(!r.contains("记录检查"), "{r}");
    // 扣分项 apart from 加分 (this rubric has penalty clauses).
    assert!(
        html.contains("（基础分 27.00，加分 0.00，扣分项 0.00）"),
        "{html}"
    );
    // A date after today (Beijing) is refused beside the form, which keeps what was typed.
    let (s, html, _) = post(
        "inspection",
        format!("csrf={c}&clause=1.1.1&date=2024-06-02&note=x"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let r = row(&html, "1.1.1");
    assert!(
        r.contains("role=\"alert\">条款 1.1.1：检查日期 2024-06-02 晚于今天（2024-06-01）：不能记录尚未进行的检查</div>"),
        "{r}"
    );
    assert!(r.contains("value=\"2024-06-02\""), "{r}");
    let (s, html, _) = post(
        "inspection",
        format!("csrf={c}&clause=1.1.1&date={}", enc("昨天")),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("检查日期“昨天”无法识别：应为日期，如 2024-05-08"));
    // Inspected, nothing found: full marks, with who and when.
    let (s, _, loc) = post(
        "inspection",
        format!("csrf={c}&clause=1.1.1&date=2024-05-08"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.ends_with("?inspected=1.1.1#c-1.1.1"), "{loc}");
    let (_, html) = page(&a, &wang, &format!("{unit_page}?inspected=1.1.1")).await;
    assert!(html.contains("已记录条款 1.1.1 的检查"));
    let r = row(&html, "1.1.1");
    assert_eq!(final_cell(r), "5.00");
    assert!(
        r.contains("检查记录：检查人 王芳，检查日期 2024-05-08"),
        "{r}"
    );
    assert!(r.contains("王芳 于 2024-05-08 检查"), "{r}");
    // Chosen points outside the range: refused in Chinese beside the form, the typed values kept.
    let desc = enc("推诿扯皮");
    let why = enc("群众投诉");
    let (s, html, _) = post(
        "finding",
        format!("csrf={c}&clause=1.2.1&description={desc}&points=6&reason={why}"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let r = row(&html, "1.2.1");
    assert!(
        r.contains("条款 1.2.1：扣分 6 超出条款 1.2.1的酌情范围：应在 2 到 5 分之间"),
        "{r}"
    );
    assert!(
        r.contains("value=\"6\"")
            && r.contains("value=\"群众投诉\"")
            && r.contains("value=\"推诿扯皮\""),
        "{r}"
    );
    let (s, html, _) = post(
        "finding",
        format!("csrf={c}&clause=1.2.1&description={desc}&points=3&reason="),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(row(&html, "1.2.1").contains("酌情扣分须写明扣分理由"));
    // Inside the range, with a reason: scored and explained.
    let (s, _, loc) = post(
        "finding",
        format!("csrf={c}&clause=1.2.1&description={desc}&points=3&reason={why}"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    // A typed finding: the type's own deduction, explained with its name.
    let (s, html, _) = post(
        "finding",
        format!("csrf={c}&clause=1.1.1&description={}", enc("入口无指引")),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        row(&html, "1.1.1")
            .contains("条款 1.1.1 分问题类型扣分，请选择问题类型（标识不醒目、标识不易识别）"),
        "{html}"
    );
    let (s, _, _) = post(
        "finding",
        format!(
            "csrf={c}&clause=1.1.1&finding_type={}&description={}",
            enc("标识不醒目"),
            enc("入口无指引")
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = page(&a, &wang, &unit_page).await;
    let r = row(&html, "1.2.1");
    assert_eq!(final_cell(r), "17.00");
    assert!(r.contains("1 件次：酌情扣 3（群众投诉）"), "{r}");
    assert!(
        r.contains("手工记录：推诿扯皮，酌情扣 3 分（群众投诉）（王芳）"),
        "{r}"
    );
    let r = row(&html, "1.1.1");
    assert_eq!(final_cell(r), "4.00");
    assert!(r.contains("标识不醒目 1 次 × 1 = 1"), "{r}");
    assert!(
        r.contains("手工记录：【标识不醒目】入口无指引（王芳）"),
        "{r}"
    );
    // Removing the record takes a reason; without one the clause is 未检查 again.
    let iid = a
        .store
        .inspections_of(
            &a.store.user_by_login("admin").await.unwrap().unwrap(),
            id,
            "320623501",
        )
        .await
        .unwrap()[0]
        .id;
    let path = format!("/a/{id}/u/320623501/inspection/{iid}/remove");
    let (s, html, _) = a
        .form(&wang, &path, format!("csrf={c}&clause=1.1.1&reason="))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(row(&html, "1.1.1").contains("条款 1.1.1：撤销检查记录须填写理由"));
    let (s, _, loc) = a
        .form(
            &wang,
            &path,
            format!("csrf={c}&clause=1.1.1&reason={}", enc("日期录错")),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.ends_with("?uninspected=1.1.1#c-1.1.1"), "{loc}");
    let (_, html) = page(&a, &wang, &unit_page).await;
    assert_eq!(final_cell(row(&html, "1.1.1")), "未检查");
    // An assessor not assigned to the unit sees no forms, and is refused.
    let lina = web_login(&a, "lina").await;
    let (_, html) = page(&a, &lina, &unit_page).await;
    assert!(!html.contains("记录检查"));
    let (s, html, _) = a
        .form(
            &lina,
            &format!("/a/{id}/u/320623501/inspection"),
            format!("csrf={}&clause=1.1.1&date=2024-05-08", lina.csrf),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("李娜（考核员）无权考核评分"), "{html}");
}

pub(crate) async fn inspections_and_typed_findings_through_the_api(db: Db) {
    let (a, id) = window(db).await;
    let wang = a.login("wangfang").await;
    let base = format!("/api/assessments/{id}/units/320623501");
    let post = |path: String, body: Value| {
        let (a, wang) = (&a, wang.clone());
        async move { a.call(&wang, "POST", &path, Some(body), true).await }
    };
    let result = |v: &Value, unit: &str, clause: &str| -> Value {
        let u = v["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == unit)
            .unwrap()
            .clone();
        let c = u["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == clause)
            .unwrap()
            .clone();
        json!({ "unit": u, "clause": c })
    };
    // Not inspected: missing, explained as 未检查, the unit incomplete.
    let (s, v, _) = a
        .call(
            &wang,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let r = result(&v, "320623501", "1.1.1");
    assert_eq!(r["clause"]["status"], "missing");
    assert!(
        r["clause"]["explanation"]
            .as_str()
            .unwrap()
            .contains("未检查"),
        "{r}"
    );
    assert_eq!(r["unit"]["complete"], false);
    // Refusals, in Chinese.
    let (s, v, _) = post(
        format!("{base}/inspections"),
        json!({ "clause": "1.1.2", "date": "2024-05-08" }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        v["error"],
        "条款 1.1.2 不要求检查记录：细则未写 inspection = \"required\""
    );
    let (s, v, _) = post(
        format!("{base}/inspections"),
        json!({ "clause": "1.1.1", "date": "2023-12-31" }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        v["error"],
        "检查日期 2023-12-31 早于考核年度 2024 年：应在 2024-01-01 到 2024-06-01 之间"
    );
    let lina = a.login("lina").await;
    let (s, _, _) = a
        .call(
            &lina,
            "POST",
            &format!("{base}/inspections"),
            Some(json!({ "clause": "1.1.1", "date": "2024-05-08" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Recorded: full marks.
    let (s, v, _) = post(
        format!("{base}/inspections"),
        json!({ "clause": "1.1.1", "date": "2024-05-08", "note": "入口、窗口" }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let iid = v["id"].as_i64().unwrap();
    let (_, v, _) = a
        .call(&wang, "GET", &format!("{base}/inspections"), None, false)
        .await;
    assert_eq!(v[0]["inspector"], "王芳");
    assert_eq!(v[0]["date"], "2024-05-08");
    assert_eq!(v[0]["note"], "入口、窗口");
    // The unit's reporter does not read them before 公示 (there is none for 320623501: 掘港's reads 320623501's).
    let rep = a.login("juegang").await;
    let (s, _, _) = a
        .call(&rep, "GET", &format!("{base}/inspections"), None, false)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Typed findings: the range checked, the reason required, the type's own deduction.
    let (s, v, _) = post(
        format!("{base}/findings"),
        json!({ "clause": "1.2.1", "description": "推诿扯皮", "points": "1", "reason": "群众投诉" }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        v["error"],
        "扣分 1 超出条款 1.2.1的酌情范围：应在 2 到 5 分之间"
    );
    let (s, v, _) = post(
        format!("{base}/findings"),
        json!({ "clause": "1.2.1", "description": "推诿扯皮", "points": "三", "reason": "群众投诉" }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"], "扣分“三”不是数字：应填写分值，如 3 或 2.5");
    let (s, v, _) = post(
        format!("{base}/findings"),
        json!({ "clause": "1.2.1", "description": "推诿扯皮", "points": "4.5", "reason": "群众投诉" }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v, _) = post(
        format!("{base}/findings"),
        json!({ "clause": "1.1.1", "description": "标识褪色", "finding_type": "标识不易识别" }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v, _) = a
        .call(&wang, "GET", &format!("{base}/findings"), None, false)
        .await;
    assert_eq!(v[0]["points"], "4.5");
    assert_eq!(v[0]["reason"], "群众投诉");
    assert_eq!(v[1]["finding_type"], "标识不易识别");
    let (_, v, _) = a
        .call(
            &wang,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    let r = result(&v, "320623501", "1.2.1");
    assert_eq!(r["clause"]["score"], "15.50", "{r}");
    assert!(
        r["clause"]["explanation"]
            .as_str()
            .unwrap()
            .contains("1 件次：酌情扣 4.5（群众投诉）"),
        "{r}"
    );
    let r = result(&v, "320623501", "1.1.1");
    assert_eq!(r["clause"]["score"], "4.50", "{r}");
    assert!(
        r["clause"]["explanation"]
            .as_str()
            .unwrap()
            .contains("标识不易识别 1 次 × 0.5 = 0.5"),
        "{r}"
    );
    // Removed with a reason: missing again.
    let (s, v, _) = post(
        format!("{base}/inspections/{iid}/remove"),
        json!({ "reason": "" }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"], "撤销检查记录须填写理由");
    let (s, _, _) = post(
        format!("{base}/inspections/{iid}/remove"),
        json!({ "reason": "日期录错" }),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v, _) = a
        .call(
            &wang,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    assert_eq!(
        result(&v, "320623501", "1.1.1")["clause"]["status"],
        "missing"
    );
    assert!(a.store.audit_replay().await.unwrap().is_empty());
}

/// The rubric-level shapes on the unit page, with the groups-and-kinds example: a clause that does
/// not apply is 不适用 and the base is 折算; the ranking group, the veto's grade and reason; an
/// incomplete unit shows 未完成 where its rank would be, never rank 0.
pub(crate) async fn the_unit_page_shows_not_applicable_prorating_group_veto_and_unranked(db: Db) {
    const GROUPS: &str = include_str!("../../../rubrics/example-groups-and-kinds.toml");
    let a = app(db).await;
    let now = kaohe_server::iso(T0);
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let s = &a.store;
    let id = s
        .create_assessment(&admin_user, "2023年度星级评定", GROUPS, &now)
        .await
        .unwrap();
    s.add_unit(&admin_user, id, "320623521", "某镇", "镇", &now)
        .await
        .unwrap();
    s.add_unit(&admin_user, id, "320623522", "开发区", "区", &now)
        .await
        .unwrap();
    for to in [Stage::SelfAssessment, Stage::Review] {
        s.advance(&admin_user, id, to, "", &now, kaohe_store::Gate::none())
            .await
            .unwrap();
    }
    for u in ["320623521", "320623522"] {
        s.set_score(
            &admin_user,
            id,
            u,
            "1.1.1",
            Ledger::Assessor,
            "2",
            "",
            None,
            &now,
        )
        .await
        .unwrap();
        for (m, v) in [("online_rate", "0.9"), ("satisfaction", "0.95")] {
            s.set_metric(&admin_user, id, u, m, v.parse().unwrap(), &now)
                .await
                .unwrap();
        }
    }
    s.add_finding(
        &admin_user,
        id,
        "320623522",
        "2.2.2",
        "发生安全生产责任事故",
        &now,
    )
    .await
    .unwrap();
    let admin = web_login(&a, "admin").await;
    // 开发区 (区): 1.2.1 不适用, the base 折算, its group, vetoed with the grade and the reason.
    let (_, html) = page(&a, &admin, &format!("/a/{id}/u/320623522")).await;
    assert_eq!(final_cell(row(&html, "1.2.1")), "不适用");
    assert!(html.contains("排名组：区、园区"), "{html}");
    assert!(html.contains("档次：不合格"), "{html}");
    assert!(
        html.contains("单项否决：2.2.2（安全责任事故一票否决）：发生安全生产责任事故"),
        "{html}"
    );
    assert!(html.contains("基础分按适用条款折算：8 × 10 ÷ 8"), "{html}");
    // 某镇: 1.2.1 not scored yet — incomplete, so not ranked: 未完成, never rank 0.
    let (_, html) = page(&a, &admin, &format!("/a/{id}/u/320623521")).await;
    assert_eq!(final_cell(row(&html, "1.2.1")), "");
    assert!(html.contains("排名：未完成"), "{html}");
    assert!(html.contains("数据不全（缺 1.2.1），不参与排名"), "{html}");
    assert!(html.contains("排名组：镇、街道"), "{html}");
    assert!(!html.contains("第 0 名"), "{html}");
    assert!(!html.contains("扣分项"), "{html}");
}
