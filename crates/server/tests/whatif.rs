//! 方案对比 (what-if): the data under another rubric, for who may see results.

use super::*;

pub(crate) async fn whatif_rescores_the_data_under_another_rubric_for_who_may_see_results(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    // 1.4.1: 掘港 first (0.05), 马塘 second (0.05 − 0.002 = 0.048).
    for (unit, rate) in [("320623001", "0.99"), ("320623100", "0.98")] {
        a.store
            .set_metric(
                &admin_user,
                id,
                unit,
                "claim_rate",
                rate.parse().unwrap(),
                &now,
            )
            .await
            .unwrap();
    }
    // Next year's draft: every rank step 0.005 (1.4.1 and 1.4.3b).
    let draft = RUBRIC
        .replace("id = \"rudong-2021\"", "id = \"rudong-2022\"")
        .replace("\nyear = 2021", "\nyear = 2022")
        .replace(
            "first = \"0.05\", step = \"0.002\"",
            "first = \"0.05\", step = \"0.005\"",
        );
    let id2 = a
        .store
        .create_assessment(&admin_user, "2022年度考核（征求意见）", &draft, &now)
        .await
        .unwrap();

    let admin = web_login(&a, "admin").await;
    let (_, html) = page(&a, &admin, &format!("/a/{id}")).await;
    assert!(html.contains(&format!("href=\"/a/{id}/whatif\"")), "{html}");
    let (s, html) = page(&a, &admin, &format!("/a/{id}/whatif")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("按此细则重算") && !html.contains("总分与名次"));

    // Another assessment's rubric, chosen from the list.
    let (s, html) = page(
        &a,
        &admin,
        &format!("/a/{id}/whatif?data={id}&rubric={id2}"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let expect_result = |html: &str| {
        assert!(html.contains("细则改动 2 条"), "{html}");
        assert!(html.contains("<td>马塘镇</td><td>1.4.1</td>\n<td class=\"num\">0.0480</td>\n<td class=\"num\">0.0450</td>"), "{html}");
        assert!(html.contains("0.05 − 1 × 0.005 = 0.045"), "{html}");
        // 马塘 (the only unit with 1.1.1 scored): 0.04 + 0.048 = 0.088 → 0.04 + 0.045 = 0.085,
        // still first; 掘港 0.05 either way.
        assert!(
            html.contains("<td class=\"num\">0.0880</td><td class=\"num\">0.0850</td><td class=\"num\">−0.003</td>"),
            "{html}"
        );
        assert!(
            html.contains("总分 0.088 → 0.085（−0.003）；名次 第1名不变"),
            "{html}"
        );
        assert!(html.contains("总分 0.05 不变；名次 第2名不变"), "{html}");
    };
    expect_result(&html);
    assert!(html.contains("“2022年度考核（征求意见）”所用"));
    // …and as a workbook.
    let link = format!("/a/{id}/whatif.xlsx?data={id}&amp;rubric={id2}");
    assert!(html.contains(&link), "{html}");
    let (s, book, h) = a
        .raw(&admin, "GET", &link.replace("&amp;", "&"), &[], vec![])
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(book.starts_with(b"PK\x03\x04"));
    let (s, _, h2) = a
        .raw(&admin, "GET", &format!("/a/{id}/whatif.xlsx"), &[], vec![])
        .await;
    assert_eq!(
        (
            s,
            h2.get(header::LOCATION)
                .map(|l| l.to_str().unwrap().to_string())
        ),
        (StatusCode::SEE_OTHER, Some(format!("/a/{id}/whatif"))),
        "no rubric chosen: back to the page"
    );
    assert!(
        h.get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );

    // The same draft uploaded as a file (the page's script puts its text in the form).
    let body = |csrf: &str, toml: &str| {
        serde_urlencoded::to_string([
            ("csrf", csrf),
            ("data", &id.to_string()),
            ("name", "2022草案.toml"),
            ("toml", toml),
        ])
        .unwrap()
    };
    let (s, html, _) = a
        .form(
            &admin,
            &format!("/a/{id}/whatif"),
            body(&admin.csrf, &draft),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    expect_result(&html);
    assert!(html.contains("上传的草案 2022草案.toml"));
    // The draft's comparison as a workbook, from the same form.
    let (s, book, _) = a
        .raw(
            &admin,
            "POST",
            &format!("/a/{id}/whatif"),
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("{}&format=xlsx", body(&admin.csrf, &draft)).into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(book.starts_with(b"PK\x03\x04"));
    // Nothing was stored: the assessment's own result is unchanged.
    let (_, html) = page(&a, &admin, &format!("/a/{id}/u/320623100")).await;
    assert!(html.contains("0.05 − 1 × 0.002 = 0.048"));

    // A broken draft: every problem listed, what was typed kept, nothing scored.
    let broken = draft.replacen("max = \"0.05\"", "max = \"0.06\"", 1);
    let (s, html, _) = a
        .form(
            &admin,
            &format!("/a/{id}/whatif"),
            body(&admin.csrf, &broken),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("细则草案有误，未计分") && html.contains("2022草案.toml"),
        "{html}"
    );
    assert!(html.contains("max = &quot;0.06&quot;") && !html.contains("总分与名次"));
    // Without the CSRF token: refused.
    let (s, _, _) = a
        .form(&admin, &format!("/a/{id}/whatif"), body("wrong", &draft))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The API: the same comparison as JSON, for an assessor not assigned to any unit too.
    let api = format!("/api/assessments/{id}/whatif");
    let lina = a.login("lina").await;
    let (s, v, _) = a
        .call(
            &lina,
            "POST",
            &api,
            Some(json!({ "rubric_assessment": id2 })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        v["summary"].as_str().unwrap().ends_with("细则改动 2 条"),
        "{v}"
    );
    let matang = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "320623100")
        .unwrap();
    assert_eq!(
        (
            &matang["before_total"],
            &matang["after_total"],
            &matang["delta"]
        ),
        (&json!("0.0880"), &json!("0.0850"), &json!("-0.003"))
    );
    let (s, v, _) = a
        .call(
            &lina,
            "POST",
            &api,
            Some(json!({ "rubric_toml": broken, "rubric_name": "坏.toml" })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("细则草案有误，未计分：错误 坏.toml"),
        "{v}"
    );
    let (s, _, _) = a
        .call(
            &lina,
            "POST",
            &api,
            Some(json!({ "rubric_assessment": id2, "rubric_toml": draft })),
            true,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = a
        .call(
            &lina,
            "POST",
            &api,
            Some(json!({ "rubric_assessment": id2 })),
            false,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token");

    // A reporter never; a leader only once results are public.
    let reporter = web_login(&a, "matang").await;
    let (_, html) = page(&a, &reporter, &format!("/a/{id}")).await;
    assert!(!html.contains("/whatif"));
    for path in [
        format!("/a/{id}/whatif?rubric={id2}"),
        format!("/a/{id}/whatif.xlsx?rubric={id2}"),
    ] {
        let (s, _) = page(&a, &reporter, &path).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
    }
    let leader = web_login(&a, "leader").await;
    let (s, html) = page(&a, &leader, &format!("/a/{id}/whatif?rubric={id2}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("尚未公示"), "{html}");
    a.store
        .advance(
            &admin_user,
            id,
            Stage::Publication,
            "",
            &now,
            kaohe_store::Gate::none(),
        )
        .await
        .unwrap();
    let (s, html) = page(&a, &leader, &format!("/a/{id}/whatif?rubric={id2}")).await;
    assert_eq!(s, StatusCode::OK);
    expect_result(&html);
    // The draft assessment's own (empty) data is not public: not offered, not readable.
    let data_select = html
        .split("<select name=\"data\">")
        .nth(1)
        .unwrap()
        .split("</select>")
        .next()
        .unwrap();
    assert!(data_select.contains(&format!("value=\"{id}\"")));
    assert!(
        !data_select.contains(&format!("value=\"{id2}\"")),
        "{data_select}"
    );
    let (s, _) = page(
        &a,
        &leader,
        &format!("/a/{id}/whatif?data={id2}&rubric={id}"),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
