//! Pages sized for people (issue 15): the league page and the results API page and sort on the
//! server, the whole result stays a download, and a save is on the saver's next page.

use super::*;

/// A second assessment of seven units in 评审 (the app's own has two), with three scores.
async fn seven(a: &App) -> i64 {
    let s = &a.store;
    let now = kaohe_server::iso(T0);
    let admin = s.user_by_login("admin").await.unwrap().unwrap();
    let id = s
        .create_assessment(&admin, "2022年度考核", RUBRIC, &now)
        .await
        .unwrap();
    for i in 0..7 {
        s.add_unit(
            &admin,
            id,
            &format!("32069{i:04}"),
            &format!("第{i}镇"),
            "镇",
            &now,
        )
        .await
        .unwrap();
    }
    for to in [Stage::SelfAssessment, Stage::Review] {
        s.advance(&admin, id, to, "", &now, kaohe_store::Gate::none())
            .await
            .unwrap();
    }
    for (i, v) in [(0, "0.01"), (1, "0.05"), (2, "0.03")] {
        s.set_score(
            &admin,
            id,
            &format!("32069{i:04}"),
            "1.1.1",
            Ledger::Assessor,
            v,
            "标识牌不显著",
            None,
            &now,
        )
        .await
        .unwrap();
    }
    id
}

fn codes(v: &Value) -> Vec<String> {
    v["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().to_string())
        .collect()
}

pub(crate) async fn the_results_api_pages_and_sorts_on_the_server(db: Db) {
    let a = app(db).await;
    let id = seven(&a).await;
    let admin = a.login("admin").await;
    // Without paging: the whole result, as a file.
    let (s, whole, h) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/results"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(codes(&whole).len(), 7);
    assert!(whole.get("paging").is_none());
    let cd = h
        .get(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cd.starts_with("attachment;"), "{cd}");
    // Page 2 of pages of 3 by total: the 4th to 6th highest, rows as in the whole result.
    let (s, v, h) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/results?page=2&per_page=3&sort=total"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(h.get(header::CONTENT_DISPOSITION).is_none());
    assert_eq!(
        v["paging"],
        json!({ "page": 2, "pages": 3, "per_page": 3, "total_units": 7, "sort": "total" })
    );
    assert_eq!(codes(&v).len(), 3);
    for u in v["units"].as_array().unwrap() {
        let same = whole["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["code"] == u["code"]);
        assert_eq!(Some(u), same);
    }
    let (_, first, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/results?per_page=3&sort=total"),
            None,
            false,
        )
        .await;
    assert_eq!(codes(&first), ["320690001", "320690002", "320690000"]);
    assert_eq!(first["stage"], whole["stage"]);
    assert!(first["revision"].as_i64().unwrap() > 0);
    // Refused in Chinese at the limits.
    let (s, v, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/results?per_page=501"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        v["error"],
        "参数 per_page 的值“501”不对：应为 1 到 500 之间的整数"
    );
    let (s, v, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/results?sort=score"),
            None,
            false,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("排序方式“score”无法识别"),
        "{v}"
    );
    // A save is in the saver's next read.
    let (s, v, _) = a
        .call(
            &admin,
            "PUT",
            &format!("/api/assessments/{id}/units/320690006/scores/1.1.1/assessor"),
            Some(json!({ "score": "0.05", "reason": "好" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, after, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/results?per_page=2&sort=total"),
            None,
            false,
        )
        .await;
    assert!(codes(&after).contains(&"320690006".to_string()), "{after}");
    assert!(after["revision"].as_i64() > first["revision"].as_i64());
}

pub(crate) async fn the_league_page_pages_and_sorts_on_the_server(db: Db) {
    let a = app(db).await;
    let id = seven(&a).await;
    let admin = web_login(&a, "admin").await;
    let rows = |html: &str| {
        html.split("<tbody>")
            .nth(1)
            .unwrap()
            .split("</tbody>")
            .next()
            .unwrap()
            .matches("<tr>")
            .count()
    };
    let (s, html) = page(&a, &admin, &format!("/a/{id}?per_page=3&page=3")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rows(&html), 1, "the last page holds the seventh");
    assert!(
        html.contains("共 7 个单位，第 3 / 3 页（每页 3 个）"),
        "{html}"
    );
    assert!(html.contains(&format!(
        "href=\"/a/{id}?page=2&amp;per_page=3&amp;sort=rank\">上一页"
    )));
    assert!(!html.contains("下一页"));
    let (_, html) = page(&a, &admin, &format!("/a/{id}?per_page=3&sort=total")).await;
    assert_eq!(rows(&html), 3);
    let body = html.split("<tbody>").nth(1).unwrap();
    let at = |c: &str| body.find(c).unwrap();
    assert!(at("320690001") < at("320690002") && at("320690002") < at("320690000"));
    assert!(html.contains("<strong>按总分</strong>"));
    // Fifty a page by default: seven units are one page, without paging controls.
    let (_, html) = page(&a, &admin, &format!("/a/{id}")).await;
    assert_eq!(rows(&html), 7);
    assert!(!html.contains("league-pages"));
    let (s, html) = page(&a, &admin, &format!("/a/{id}?page=0")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("参数 page 的值“0”不对"), "{html}");
}
