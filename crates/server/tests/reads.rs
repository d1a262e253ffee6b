//! Reads as tight as writes (issue 9 §4): who reads which ledger of which unit in which stage, through
//! the API, exactly as `kaohe_store::policy::may_read` says — and 最终分 only through an objection.

use super::*;

const A: &str = "320623001"; // 掘港街道: juegang reports, wangfang assesses
const B: &str = "320623100"; // 马塘镇: matang reports

/// Every reader, every unit, every stage: the ledgers the scores route returns ("s" 自评分, "a"
/// 考核分, "f" 最终分) or "-" for 403. Column per stage: 草稿 自评 考核 公示 定档. Unit A gets a 自评分
/// in 自评, a 考核分 in 考核 and a 最终分 in 公示 (an upheld objection); B a 自评分 and a 考核分.
const TABLE: &[(&str, &str, [&str; 5])] = &[
    ("admin", A, ["", "s", "sa", "saf", "saf"]),
    ("admin", B, ["", "s", "sa", "sa", "sa"]),
    ("wangfang", A, ["", "s", "sa", "saf", "saf"]),
    ("lina", A, ["", "s", "sa", "saf", "saf"]),
    ("lina", B, ["", "s", "sa", "sa", "sa"]),
    // A reporter: its own unit's 自评分 always, the assessors' scores once published; never another unit.
    ("juegang", A, ["", "s", "s", "saf", "saf"]),
    ("juegang", B, ["-", "-", "-", "-", "-"]),
    ("matang", B, ["", "s", "s", "sa", "sa"]),
    ("matang", A, ["-", "-", "-", "-", "-"]),
    // 领导 read every unit's ledgers once published, nothing before.
    ("leader", A, ["-", "-", "-", "saf", "saf"]),
];

/// The findings route: readable ("y") or 403 ("-") per stage, for unit A.
const FINDINGS: &[(&str, [&str; 5])] = &[
    ("admin", ["y", "y", "y", "y", "y"]),
    ("lina", ["y", "y", "y", "y", "y"]),
    ("juegang", ["-", "-", "-", "y", "y"]),
    ("matang", ["-", "-", "-", "-", "-"]),
    ("leader", ["-", "-", "-", "y", "y"]),
];

/// The results route: 200 ("y") or 403 ("-") per stage; where it answers, whose clause details a
/// reader gets (A, B) is checked below.
const RESULTS: &[(&str, [&str; 5])] = &[
    ("admin", ["y", "y", "y", "y", "y"]),
    ("lina", ["y", "y", "y", "y", "y"]),
    ("juegang", ["-", "-", "-", "y", "y"]),
    ("leader", ["-", "-", "-", "y", "y"]),
];

pub(crate) async fn every_ledger_is_read_by_whom_the_read_policy_says_in_every_stage(db: Db) {
    let a = app(db).await;
    let now = kaohe_server::iso(T0);
    let s = &a.store;
    let admin_user = s.user_by_login("admin").await.unwrap().unwrap();
    let wangfang = s.user_by_login("wangfang").await.unwrap().unwrap();
    let id = s
        .create_assessment(&admin_user, "读取权限", RUBRIC, &now)
        .await
        .unwrap();
    s.add_unit(&admin_user, id, A, "掘港街道", "街道", &now)
        .await
        .unwrap();
    s.add_unit(&admin_user, id, B, "马塘镇", "镇", &now)
        .await
        .unwrap();
    s.assign(&admin_user, id, &wangfang, A, &now).await.unwrap();
    let mut who = std::collections::BTreeMap::new();
    for l in ["admin", "wangfang", "lina", "juegang", "matang", "leader"] {
        who.insert(l, a.login(l).await);
    }
    let mut fails = Vec::new();
    for (col, stage) in Stage::ORDER.into_iter().enumerate() {
        if stage != Stage::Draft && stage != Stage::Final {
            s.advance(&admin_user, id, stage, "", &now, kaohe_store::Gate::none())
                .await
                .unwrap();
        }
        // What this stage adds.
        match stage {
            Stage::Draft => {}
            Stage::SelfAssessment => {
                for (l, u) in [("juegang", A), ("matang", B)] {
                    let (st, v, _) = a
                        .call(
                            &who[l],
                            "PUT",
                            &format!("/api/assessments/{id}/units/{u}/scores/1.1.1/self"),
                            Some(json!({ "score": "0.05" })),
                            true,
                        )
                        .await;
                    assert_eq!(st, StatusCode::OK, "{v}");
                }
            }
            Stage::Review => {
                for u in [A, B] {
                    let (st, v, _) = a
                        .call(
                            &who["admin"],
                            "PUT",
                            &format!("/api/assessments/{id}/units/{u}/scores/1.1.1/assessor"),
                            Some(json!({ "score": "0.04", "reason": "标识不醒目" })),
                            true,
                        )
                        .await;
                    assert_eq!(st, StatusCode::OK, "{v}");
                }
                let (st, v, _) = a
                    .call(
                        &who["wangfang"],
                        "POST",
                        &format!("/api/assessments/{id}/units/{A}/findings"),
                        Some(json!({ "clause": "1.4.2", "description": "指南缺少样表" })),
                        true,
                    )
                    .await;
                assert_eq!(st, StatusCode::OK, "{v}");
            }
            Stage::Publication => {
                // 最终分 is not typed in: only an objection's decision gives it.
                let put_final = format!("/api/assessments/{id}/units/{A}/scores/1.1.1/final");
                let (st, v, _) = a
                    .call(
                        &who["admin"],
                        "PUT",
                        &put_final,
                        Some(json!({ "score": "0.05", "reason": "复核" })),
                        true,
                    )
                    .await;
                assert_eq!(
                    (st, v["error"].as_str().unwrap_or_default()),
                    (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "公示阶段的最终分只能在处理异议时给出：请在该条款的异议上选择“采纳”并填写最终分"
                    )
                );
                let (st, v, _) = a
                    .call(
                        &who["juegang"],
                        "POST",
                        &format!("/api/assessments/{id}/objections"),
                        Some(json!({ "unit": A, "clause": "1.1.1", "reason": "标识已更换" })),
                        true,
                    )
                    .await;
                assert_eq!(st, StatusCode::OK, "{v}");
                let oid = v["id"].as_i64().unwrap();
                let (st, v, _) = a
                    .call(
                        &who["wangfang"],
                        "POST",
                        &format!("/api/assessments/{id}/objections/{oid}/decision"),
                        Some(json!({ "outcome": "upheld", "reason": "现场复核属实", "score": "0.05" })),
                        true,
                    )
                    .await;
                assert_eq!(st, StatusCode::OK, "{v}");
            }
            Stage::Final => {
                let (st, v, _) = a
                    .call(
                        &who["admin"],
                        "POST",
                        &format!("/api/assessments/{id}/finalize"),
                        // The fixture scores few clauses: going on past the gate, with its reason.
                        Some(json!({ "reason": "定档", "override_reason": "读取规则的测试" })),
                        true,
                    )
                    .await;
                assert_eq!(st, StatusCode::OK, "{v}");
            }
        }
        let got_stage = s.assessment(id).await.unwrap().stage;
        assert_eq!(got_stage, stage);
        for (l, u, cols) in TABLE {
            let (st, v, _) = a
                .call(
                    &who[l],
                    "GET",
                    &format!("/api/assessments/{id}/units/{u}/scores"),
                    None,
                    false,
                )
                .await;
            let got = if st == StatusCode::FORBIDDEN {
                "-".to_string()
            } else {
                assert_eq!(st, StatusCode::OK, "{l} {u} {stage:?}: {v}");
                let mut g: Vec<char> = v["scores"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| match x["ledger"].as_str().unwrap() {
                        "self" => 's',
                        "assessor" => 'a',
                        _ => 'f',
                    })
                    .collect();
                g.sort_by_key(|c| "saf".find(*c));
                g.into_iter().collect()
            };
            if got != cols[col] {
                fails.push(format!(
                    "{l} 读 {u} 的分数，{}阶段：得到“{got}”，应为“{}”",
                    stage.label(),
                    cols[col]
                ));
            }
        }
        for (l, cols) in FINDINGS {
            let (st, _, _) = a
                .call(
                    &who[l],
                    "GET",
                    &format!("/api/assessments/{id}/units/{A}/findings"),
                    None,
                    false,
                )
                .await;
            let got = if st == StatusCode::OK { "y" } else { "-" };
            if got != cols[col] || (got == "-" && st != StatusCode::FORBIDDEN) {
                fails.push(format!(
                    "{l} 读 {A} 的问题记录，{}阶段：{st}",
                    stage.label()
                ));
            }
        }
        for (l, cols) in RESULTS {
            let (st, v, _) = a
                .call(
                    &who[l],
                    "GET",
                    &format!("/api/assessments/{id}/results"),
                    None,
                    false,
                )
                .await;
            let got = if st == StatusCode::OK { "y" } else { "-" };
            if got != cols[col] || (got == "-" && st != StatusCode::FORBIDDEN) {
                fails.push(format!("{l} 读结果，{}阶段：{st}", stage.label()));
                continue;
            }
            if got == "y" {
                let details = |code: &str| {
                    v["units"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|x| x["code"] == code)
                        .unwrap()["clauses"]
                        .as_array()
                        .unwrap()
                        .len()
                };
                let want_b = if *l == "juegang" { 0 } else { details(A) };
                if details(A) == 0 || details(B) != want_b {
                    fails.push(format!(
                        "{l} 读结果的条款明细，{}阶段：A {} 条，B {} 条",
                        stage.label(),
                        details(A),
                        details(B)
                    ));
                }
            }
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
    // The final score came through the objection, with its reason, in the same transaction.
    let fin = s
        .scores(&admin_user, id, A)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.ledger == Ledger::Final)
        .unwrap();
    assert_eq!(
        (fin.score.as_str(), fin.reason.as_str()),
        ("0.05", "现场复核属实")
    );
}

/// A metric is a number of its kind, for a unit of the assessment.
pub(crate) async fn metric_values_are_checked_against_their_kind_and_unit(db: Db) {
    let a = app(db).await;
    let admin = a.login("admin").await;
    let id = a.id;
    let cases = [
        (
            B,
            "claim_rate",
            "5",
            "认领率的值 5 超出范围：应为0 到 1 之间的比率（或 0% 到 100%）",
        ),
        (
            B,
            "guide_defects",
            "-3",
            "指南问题的值 -3 超出范围：应为不小于 0 的整数",
        ),
        (
            B,
            "online_volume",
            "1.5",
            "网上办件量的值 1.5 超出范围：应为不小于 0 的整数",
        ),
        (
            "999999999",
            "claim_rate",
            "0.9",
            "本次考核中没有单位“999999999”",
        ),
    ];
    for (unit, metric, value, message) in cases {
        let (st, v, _) = a
            .call(
                &admin,
                "PUT",
                &format!("/api/assessments/{id}/units/{unit}/metrics/{metric}"),
                Some(json!({ "value": value })),
                true,
            )
            .await;
        assert!(st.is_client_error(), "{unit} {metric} {value}: {st} {v}");
        assert_eq!(v["error"].as_str().unwrap(), message);
    }
    let (st, v, _) = a
        .call(
            &admin,
            "PUT",
            &format!("/api/assessments/{id}/units/{B}/metrics/claim_rate"),
            Some(json!({ "value": "0.9" })),
            true,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

/// Regression (issue 9 §10): a withdrawal whose form's clause field held a line break was committed
/// and then answered 500 (the clause went unencoded into the Location header). Every form's way back
/// to the unit page encodes what was typed.
pub(crate) async fn a_line_break_typed_into_a_form_never_breaks_the_way_back(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    let fid = a
        .store
        .add_finding(&admin_user, id, A, "1.4.2", "指南缺少样表", &now)
        .await
        .unwrap();
    let who = web_login(&a, "admin").await;
    let (s, _, loc) = a
        .form(
            &who,
            &format!("/a/{id}/u/{A}/finding/{fid}/withdraw"),
            format!(
                "csrf={}&clause=1.4.2%0D%0AX-Evil%3A%201&reason=%E5%BD%95%E9%94%99",
                who.csrf
            ),
        )
        .await;
    assert_eq!(
        (s, loc.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("/a/{id}/u/{A}?withdrawn=1.4.2%0D%0AX-Evil%3A+1#c-1.4.2%0D%0AX-Evil%3A%201")
                .as_str()
        )
    );
    assert!(
        a.store
            .findings_of(&admin_user, id, A)
            .await
            .unwrap()
            .is_empty()
    );
    // The same with a finding recorded through the form.
    let (s, _, loc) = a
        .form(
            &who,
            &format!("/a/{id}/u/{A}/finding"),
            format!(
                "csrf={}&clause=1.4.2%0A&description=%E6%A0%B7%E8%A1%A8",
                who.csrf
            ),
        )
        .await;
    assert!(
        s == StatusCode::SEE_OTHER || s == StatusCode::UNPROCESSABLE_ENTITY,
        "{s}"
    );
    assert!(!loc.contains('\n'), "{loc:?}");
}
