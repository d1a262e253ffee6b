//! The league page, the CSV, the 考核反馈单 and the API's results of rubrics with the rubric-level
//! shapes (issue 11): 未完成 for a unit not ranked, the group beside the rank, 不适用 and 折算, the
//! veto's grade and reason, 未达等级, and 扣分项 apart from 加分.

use super::*;

/// An assessment of `rubric` in 评审 (where the admin sees results) with `units`, scored by `set`.
async fn shaped(db: Db, rubric: &str, units: &[(&str, &str, &str)]) -> App {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = kaohe_store::testdb::open(dir.path(), db).await;
    let now = kaohe_server::iso(T0);
    let admin = store
        .add_user(
            None,
            &NewUser {
                login: "admin",
                name: "县政务办",
                role: Role::Admin,
                unit: None,
                password: "password-123",
            },
            &now,
        )
        .await
        .unwrap();
    let id = store
        .create_assessment(&admin, "2023年度考核", rubric, &now)
        .await
        .unwrap();
    for (code, name, kind) in units {
        store
            .add_unit(&admin, id, code, name, kind, &now)
            .await
            .unwrap();
    }
    for to in [Stage::SelfAssessment, Stage::Review] {
        store
            .advance(&admin, id, to, "", &now, kaohe_store::Gate::none())
            .await
            .unwrap();
    }
    let clock = Arc::new(AtomicU64::new(T0));
    let c = clock.clone();
    let state = AppState::new(store.clone(), Arc::new(move || c.load(Ordering::SeqCst)));
    App {
        _dir: dir,
        app: router(state),
        clock,
        store,
        id,
    }
}

async fn score(a: &App, unit: &str, clause: &str, score: &str, reason: &str) {
    let admin = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    a.store
        .set_score(
            &admin,
            a.id,
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

async fn metric(a: &App, unit: &str, metric: &str, value: &str) {
    let admin = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    a.store
        .set_metric(&admin, a.id, unit, metric, value.parse().unwrap(), &now)
        .await
        .unwrap();
}

async fn finding(a: &App, unit: &str, clause: &str, what: &str) {
    let admin = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    a.store
        .add_finding(&admin, a.id, unit, clause, what, &now)
        .await
        .unwrap();
}

/// The league table's row of a unit: the `<tr>` whose cells name it.
fn row<'h>(html: &'h str, code: &str) -> &'h str {
    let table = html
        .split("<table id=\"league\"")
        .nth(1)
        .expect("league table");
    table
        .split("<tr>")
        .find(|r| r.contains(&format!(">{code}</td>")))
        .unwrap_or_else(|| panic!("no row of {code}: {table}"))
}

pub(crate) async fn the_league_page_shows_unranked_groups_not_applicable_and_the_veto(db: Db) {
    let a = shaped(
        db,
        include_str!("../../../rubrics/example-groups-and-kinds.toml"),
        &[
            ("320623101", "甲镇", "镇"),
            ("320623102", "乙街道", "街道"),
            ("320623103", "丙镇", "镇"),
            ("320623401", "高新区", "区"), // the store keeps 镇, 街道, 区 only (its CHECK)
            ("320623402", "经济开发区", "区"),
        ],
    )
    .await;
    for (u, c, s, why) in [
        ("320623101", "1.1.1", "2", ""),
        ("320623101", "1.2.1", "2", ""),
        ("320623102", "1.1.1", "1", "标识缺失"),
        ("320623102", "1.2.1", "0.5", "代办点未运行"),
        ("320623401", "1.1.1", "1.2", "功能分区不全"),
        ("320623402", "1.1.1", "2", ""),
    ] {
        score(&a, u, c, s, why).await;
    }
    for (u, m, v) in [
        ("320623101", "online_rate", "0.9"),
        ("320623101", "satisfaction", "0.95"),
        ("320623102", "online_rate", "0.5"),
        ("320623102", "satisfaction", "0.475"),
        ("320623103", "online_rate", "0.6"),
        ("320623401", "online_rate", "0.95"),
        ("320623401", "satisfaction", "0.95"),
        ("320623402", "online_rate", "0.7"),
        ("320623402", "satisfaction", "0.95"),
    ] {
        metric(&a, u, m, v).await;
    }
    finding(&a, "320623402", "2.2.2", "发生安全生产责任事故").await;

    let admin = web_login(&a, "admin").await;
    let (s, html) = page(&a, &admin, &format!("/a/{}", a.id)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("<th>档次</th>"), "{html}");
    // The group beside the rank; 未完成 and not a 0 for the unit not ranked.
    let r = row(&html, "320623101");
    assert!(r.contains("<td class=\"num\">镇、街道组 第1名</td>"), "{r}");
    assert!(r.contains("<td>五星</td>"), "{r}");
    let r = row(&html, "320623102");
    assert!(
        r.contains("镇、街道组 第2名") && r.contains("<td>未达等级</td>"),
        "{r}"
    );
    let r = row(&html, "320623103");
    assert!(r.contains("<td class=\"num\">未完成</td>"), "{r}");
    assert!(!r.contains("<td class=\"num\">0</td>"), "{r}");
    assert!(
        r.contains("<td>暂不定档（数据不全）</td>") && r.contains("数据不全"),
        "{r}"
    );
    // 不适用 and the 折算 of the base.
    let r = row(&html, "320623401");
    assert!(r.contains("区、园区组 第1名"), "{r}");
    assert!(
        r.contains("不适用：1.2.1；基础分按适用条款折算：7.2 × 10 ÷ 8 = 9"),
        "{r}"
    );
    // The veto's grade and its reason.
    let r = row(&html, "320623402");
    assert!(r.contains("<td>不合格</td>"), "{r}");
    assert!(
        r.contains("单项否决：2.2.2（安全责任事故一票否决）：发生安全生产责任事故"),
        "{r}"
    );
    // The chart says 未完成 too, never "0.".
    assert!(html.contains("未完成 丙镇（数据不全）"), "{html}");
    assert!(!html.contains("0. 丙镇"), "{html}");

    // The CSV: the same rank cells and grades.
    let (s, body, _) = a
        .raw(
            &admin,
            "GET",
            &format!("/a/{}/export.csv", a.id),
            &[],
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let csv = String::from_utf8(body).unwrap();
    assert!(csv.contains("\n未完成,320623103,丙镇,镇,"), "{csv}");
    assert!(
        csv.contains("\n区、园区组 第2名,320623402,经济开发区,区,"),
        "{csv}"
    );
    assert!(csv.contains(",否,暂不定档（数据不全）\n"), "{csv}");

    // The 考核反馈单 of the unit not ranked: 未完成, never 第 0 名.
    let (s, html) = page(&a, &admin, &format!("/a/{}/u/320623103/feedback", a.id)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<strong>未完成</strong>"), "{html}");
    assert!(!html.contains("第 <strong>0</strong> 名"), "{html}");
    assert!(html.contains("档次：暂不定档（数据不全）。"), "{html}");
    let (_, html) = page(&a, &admin, &format!("/a/{}/u/320623401/feedback", a.id)).await;
    assert!(
        html.contains("在区、园区组 2 个单位中第 <strong>1</strong> 名"),
        "{html}"
    );
    assert!(html.contains("<td class=\"num\">不适用</td>"), "{html}");

    // The API's results carry the same fields.
    let who = a.login("admin").await;
    let (s, v, _) = a
        .call(
            &who,
            "GET",
            &format!("/api/assessments/{}/results", a.id),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let units = v["units"].as_array().unwrap();
    let c = units.iter().find(|u| u["code"] == "320623103").unwrap();
    assert_eq!(
        (c["rank_note"].as_str(), c["grade_note"].as_str()),
        (Some("未完成"), Some("暂不定档（数据不全）"))
    );
    let p = units.iter().find(|u| u["code"] == "320623401").unwrap();
    assert_eq!(p["place"], "区、园区组 第1名");
    assert_eq!(p["not_applicable"], json!(["1.2.1"]));
}

pub(crate) async fn the_league_page_shows_penalties_apart_from_bonus(db: Db) {
    let a = shaped(
        db,
        include_str!("../../../rubrics/example-window-service.toml"),
        &[
            ("320623511", "一号窗口", "镇"),
            ("320623512", "二号窗口", "镇"),
        ],
    )
    .await;
    for u in ["320623511", "320623512"] {
        score(&a, u, "1.3.2", "8", "").await;
        score(&a, u, "2.1.1", "60", "").await;
    }
    finding(&a, "320623512", "3.2.2", "群众有效投诉：排队过长").await;
    finding(&a, "320623512", "3.2.2", "群众有效投诉：态度生硬").await;

    let admin = web_login(&a, "admin").await;
    let (s, html) = page(&a, &admin, &format!("/a/{}", a.id)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains(
            "<th class=\"num wide-only\">加分</th><th class=\"num wide-only\">扣分项</th><th class=\"num\">总分</th>"
        ),
        "{html}"
    );
    let r = row(&html, "320623512");
    assert!(
        r.contains("<td class=\"num wide-only\">0.00</td><td class=\"num wide-only\">−2.00</td>"),
        "{r}"
    );
    let r = row(&html, "320623511");
    assert!(
        r.contains("<td class=\"num wide-only\">0.00</td><td class=\"num wide-only\">0.00</td>"),
        "{r}"
    );

    let (_, html) = page(&a, &admin, &format!("/a/{}/u/320623512/feedback", a.id)).await;
    assert!(html.contains("扣分项 −2.00）"), "{html}");
    assert!(html.contains("总分计算：基础分 "), "{html}");
    assert!(
        html.contains("<td class=\"num\">扣分项</td><td class=\"num\">−2.00</td>"),
        "{html}"
    );

    let (s, body, _) = a
        .raw(
            &admin,
            "GET",
            &format!("/a/{}/export.csv", a.id),
            &[],
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let csv = String::from_utf8(body).unwrap();
    assert!(csv.contains(",基础分,加分,扣分项,总分,完整\n"), "{csv}");
}
