//! 检查记录 and typed findings (issue 11): who may record them, the clause's rule checked under the
//! write lock (inspection required, 问题类型, 酌情范围 and its reason, the date), the audit entry
//! written with the change, the scoring inputs, and the replay.

use super::*;
use kaohe_core::Date;
use kaohe_store::NewFinding;
use rust_decimal::Decimal;

const WINDOW: &str = include_str!("../../../rubrics/example-window-service.toml");
/// 2024-06-01 17:00 Beijing time.
const JUNE: &str = "2024-06-01T09:00:00Z";
const UNIT: &str = "320623501";

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn invalid(e: StoreError) -> String {
    match e {
        StoreError::Invalid(m) => m,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// The window-service example in 考核, unit W01 assigned to 王芳 (not to 李娜).
async fn window_world(db: Db) -> World {
    let mut w = world(db).await;
    let s = &w.store;
    let id = s
        .create_assessment(&w.admin, "2024年度窗口服务考核", WINDOW, JUNE)
        .await
        .unwrap();
    s.add_unit(&w.admin, id, UNIT, "政务服务中心窗口", "镇", JUNE)
        .await
        .unwrap();
    s.assign(&w.admin, id, &w.assessor, UNIT, JUNE)
        .await
        .unwrap();
    w.id = id;
    w
}

/// Unit W01's score and explanation of `clause`, scored from what the store holds.
async fn scored(s: &Store, id: i64, clause: &str) -> (Option<Decimal>, String) {
    let a = s.assessment(id).await.unwrap();
    let inputs = s.inputs(id).await.unwrap();
    let r = kaohe_core::score(&a.rubric, &inputs);
    let ci = a
        .rubric
        .clauses
        .iter()
        .position(|c| &*c.id == clause)
        .unwrap();
    let u = &r.units[0];
    (r.clauses(u)[ci].score(), r.explain(u, ci))
}

pub(crate) async fn inspections_are_checked_recorded_and_scored(db: Db) {
    let w = window_world(db).await;
    let (s, id) = (&w.store, w.id);
    let rec = |by: &User, clause: &str, date: &str, now: &'static str| {
        let (by, clause, date) = (by.clone(), clause.to_string(), day(date));
        async move {
            s.record_inspection(&by, id, UNIT, &clause, date, "", now)
                .await
        }
    };
    // 草稿: nobody records yet.
    let e = rec(&w.assessor, "1.1.1", "2024-05-08", JUNE)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Forbidden(m) if m == "当前为“草稿”阶段，不能考核评分"),
        "{e}"
    );
    move_to(s, &w.admin, id, Stage::SelfAssessment).await;
    move_to(s, &w.admin, id, Stage::Review).await;
    // Not inspected: 未检查, and the unit incomplete.
    let (v, text) = scored(s, id, "1.1.1").await;
    assert_eq!(v, None);
    assert!(text.contains("未检查"), "{text}");
    // Only the assigned assessor or the admin.
    for who in [&w.other_assessor, &w.reporter] {
        let e = rec(who, "1.1.1", "2024-05-08", JUNE).await.unwrap_err();
        assert!(
            matches!(&e, StoreError::Forbidden(m) if m.ends_with("无权考核评分：只有分配到该单位的考核员或管理员可以")),
            "{e}"
        );
    }
    // The clause must exist and require an inspection record.
    let e = invalid(
        rec(&w.assessor, "9.9.9", "2024-05-08", JUNE)
            .await
            .unwrap_err(),
    );
    assert_eq!(e, "细则中没有条款“9.9.9”");
    let e = invalid(
        rec(&w.assessor, "1.1.2", "2024-05-08", JUNE)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        e,
        "条款 1.1.2 不要求检查记录：细则未写 inspection = \"required\""
    );
    // Not after today in Beijing time, not before the assessment's year.
    let e = invalid(
        rec(&w.assessor, "1.1.1", "2024-06-02", JUNE)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        e,
        "检查日期 2024-06-02 晚于今天（2024-06-01）：不能记录尚未进行的检查"
    );
    let e = invalid(
        rec(&w.assessor, "1.1.1", "2023-12-31", JUNE)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        e,
        "检查日期 2023-12-31 早于考核年度 2024 年：应在 2024-01-01 到 2024-06-01 之间"
    );
    // 2024-06-01 16:00 UTC is already 2024-06-02 in Beijing.
    let late = rec(&w.admin, "1.1.1", "2024-06-02", "2024-06-01T16:00:00Z")
        .await
        .unwrap();
    let first = rec(&w.assessor, "1.1.1", "2024-05-08", JUNE).await.unwrap();
    let e = invalid(
        rec(&w.assessor, "1.1.1", "2024-05-08", JUNE)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        e,
        "王芳 已记录过 2024-05-08 对条款 1.1.1 的检查，不必重复记录"
    );
    // Inspected, nothing found: full marks, explained with who inspected and when.
    let (v, text) = scored(s, id, "1.1.1").await;
    assert_eq!(v, Some(Decimal::from(5)));
    assert!(text.contains("县政务办 于 2024-06-02 检查"), "{text}");
    let listed = s.inspections_of(&w.assessor, id, UNIT).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|i| (i.id, i.inspector.as_str(), i.date.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (late, "县政务办", "2024-06-02"),
            (first, "王芳", "2024-05-08")
        ]
    );
    // Before 公示 the unit's reporter does not read them (like findings).
    assert!(matches!(
        s.inspections_of(&w.reporter, id, UNIT).await.unwrap_err(),
        StoreError::Forbidden(_)
    ));
    // The audit entry was written with the record.
    let log = s.audit_log().await.unwrap();
    let e = log
        .iter()
        .find(|e| e.action == "inspection.add" && e.actor == "wangfang")
        .unwrap();
    assert_eq!(
        e.entity,
        format!("assessment/{id}/unit/{UNIT}/clause/1.1.1/inspection/{first}")
    );
    assert_eq!(e.new.as_deref(), Some(r#"{"date":"2024-05-08","note":""}"#));
    assert_eq!(e.at, JUNE);
    // Removed with a reason only; with both gone the clause is 未检查 again.
    let e = invalid(
        s.remove_inspection(&w.assessor, id, UNIT, first, " ", JUNE)
            .await
            .unwrap_err(),
    );
    assert_eq!(e, "撤销检查记录须填写理由");
    assert!(matches!(
        s.remove_inspection(&w.other_assessor, id, UNIT, first, "录错", JUNE)
            .await
            .unwrap_err(),
        StoreError::Forbidden(_)
    ));
    for i in [first, late] {
        s.remove_inspection(&w.assessor, id, UNIT, i, "日期录错", JUNE)
            .await
            .unwrap();
    }
    let (v, _) = scored(s, id, "1.1.1").await;
    assert_eq!(v, None);
    let gone = log.len();
    let log = s.audit_log().await.unwrap();
    assert_eq!(log.len(), gone + 2);
    let last = log.last().unwrap();
    assert_eq!(last.action, "inspection.remove");
    assert_eq!(last.why.as_deref(), Some("日期录错"));
    assert_eq!(
        last.old.as_deref(),
        Some(r#"{"date":"2024-06-02","note":""}"#)
    );
    // The log replays to the table; a record written or changed behind the store's back is named.
    rec(&w.assessor, "1.1.1", "2024-05-09", JUNE).await.unwrap();
    assert_eq!(s.audit_replay().await.unwrap(), Vec::<String>::new());
    sqlx::query("UPDATE inspections SET inspected_on = '2024-01-02'")
        .execute(s.pool())
        .await
        .unwrap();
    let d = s.audit_replay().await.unwrap();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].contains("wangfang 于 2024-01-02")
            && d[0].contains("wangfang 于 2024-05-09")
            && d[0].ends_with("在审计日志之外被改动"),
        "{d:?}"
    );
}

pub(crate) async fn typed_findings_are_checked_recorded_and_scored(db: Db) {
    let w = window_world(db).await;
    let (s, id) = (&w.store, w.id);
    move_to(s, &w.admin, id, Stage::SelfAssessment).await;
    move_to(s, &w.admin, id, Stage::Review).await;
    let add = |by: &User, f: NewFinding<'static>| {
        let by = by.clone();
        async move { s.add_typed_finding(&by, id, UNIT, &f, JUNE).await }
    };
    let f = |clause: &'static str,
             ty: Option<&'static str>,
             points: Option<&str>,
             reason: Option<&'static str>| NewFinding {
        clause,
        description: "现场检查发现",
        finding_type: ty,
        points: points.map(|p| p.parse().unwrap()),
        reason,
        files: &[],
    };
    // Who may: as for findings.
    let e = add(
        &w.other_assessor,
        f("1.2.1", None, Some("3"), Some("群众投诉")),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    // 问题类型: required on a typed clause, one of its list; none on an untyped clause.
    let cases = [
        (
            f("1.1.1", None, None, None),
            "条款 1.1.1 分问题类型扣分，请选择问题类型（标识不醒目、标识不易识别）",
        ),
        (
            f("1.1.1", Some("标识太小"), None, None),
            "条款 1.1.1 没有问题类型“标识太小”：应为 标识不醒目、标识不易识别 之一",
        ),
        (
            f("1.1.1", Some("标识不醒目"), Some("3"), Some("很不醒目")),
            "问题类型“标识不醒目”按细则规定的分值扣分，不能自填扣分",
        ),
        (
            f("1.1.2", Some("标识不醒目"), None, None),
            "条款 1.1.2 不分问题类型，不能选“标识不醒目”",
        ),
        (
            f("1.1.2", None, None, Some("情节较重")),
            "条款 1.1.2按细则规定的分值扣分，不填扣分理由（情况写在问题描述中）",
        ),
        // 酌情扣分: points inside the range, with a reason.
        (
            f("1.2.1", None, None, Some("群众投诉")),
            "条款 1.2.1酌情扣分，请填写扣分（2 到 5 分）和扣分理由",
        ),
        (
            f("1.2.1", None, Some("6"), Some("群众投诉")),
            "扣分 6 超出条款 1.2.1的酌情范围：应在 2 到 5 分之间",
        ),
        (
            f("1.2.1", None, Some("1.5"), Some("群众投诉")),
            "扣分 1.5 超出条款 1.2.1的酌情范围：应在 2 到 5 分之间",
        ),
        (
            f("1.2.1", None, Some("3"), Some("  ")),
            "酌情扣分须写明扣分理由（为何扣这个分值）",
        ),
    ];
    for (i, (x, want)) in cases.into_iter().enumerate() {
        let e = invalid(add(&w.assessor, x).await.unwrap_err());
        assert_eq!(e, want, "case {i}");
    }
    // Nothing refused was written.
    assert!(s.findings_of(&w.admin, id, UNIT).await.unwrap().is_empty());
    // At the ends of the range, with reasons; a typed finding.
    let lo = add(&w.assessor, f("1.2.1", None, Some("2"), Some("态度生硬")))
        .await
        .unwrap();
    add(&w.admin, f("1.2.1", None, Some("5.0"), Some("推诿扯皮")))
        .await
        .unwrap();
    add(&w.assessor, f("1.1.1", Some("标识不易识别"), None, None))
        .await
        .unwrap();
    let found = s.findings_of(&w.assessor, id, UNIT).await.unwrap();
    assert_eq!(found[0].points.as_deref(), Some("2"));
    assert_eq!(found[0].reason.as_deref(), Some("态度生硬"));
    assert_eq!(found[1].points.as_deref(), Some("5"));
    assert_eq!(found[2].finding_type.as_deref(), Some("标识不易识别"));
    assert_eq!(found[2].points, None);
    // Scored and explained in the rubric's words, with the chosen points and the type's name.
    let (v, text) = scored(s, id, "1.2.1").await;
    assert_eq!(v, Some(Decimal::from(13)));
    assert!(
        text.contains("2 件次：酌情扣 2（态度生硬）、5（推诿扯皮）= 7"),
        "{text}"
    );
    s.record_inspection(&w.assessor, id, UNIT, "1.1.1", day("2024-05-08"), "", JUNE)
        .await
        .unwrap();
    let (v, text) = scored(s, id, "1.1.1").await;
    assert_eq!(v, Some(Decimal::new(45, 1)));
    assert!(text.contains("标识不易识别 1 次 × 0.5 = 0.5"), "{text}");
    // The audit entry holds the type, points and reason; a plain finding's is as before.
    add(&w.assessor, f("1.1.2", None, None, None))
        .await
        .unwrap();
    let log = s.audit_log().await.unwrap();
    let e = log
        .iter()
        .find(|e| e.entity.ends_with(&format!("/clause/1.2.1/finding/{lo}")))
        .unwrap();
    assert_eq!(e.action, "finding.add_typed");
    assert_eq!(
        e.new.as_deref(),
        Some(
            r#"{"description":"现场检查发现","finding_type":null,"points":"2","reason":"态度生硬"}"#
        )
    );
    let last = log.last().unwrap();
    assert_eq!(last.action, "finding.add");
    assert_eq!(last.new.as_deref(), Some("现场检查发现"));
    // Withdrawn like any finding; the log replays to the table; chosen points changed behind the
    // store's back are named.
    s.withdraw_finding(&w.assessor, id, UNIT, lo, "重复记录", JUNE)
        .await
        .unwrap();
    assert_eq!(s.audit_replay().await.unwrap(), Vec::<String>::new());
    sqlx::query("UPDATE findings SET points = '2.5' WHERE points = '5'")
        .execute(s.pool())
        .await
        .unwrap();
    let d = s.audit_replay().await.unwrap();
    assert_eq!(
        d,
        vec![format!(
            "问题记录 {}（单位 {UNIT} 条款 1.2.1）的问题类型、扣分或扣分理由在表中为 “无”、2.5、“推诿扯皮”，审计日志记载为 “无”、5、“推诿扯皮”：在审计日志之外被改动",
            lo + 1
        )]
    );
}

pub(crate) async fn inspections_move_with_the_store(db: Db) {
    let w = window_world(db).await;
    let (s, id) = (&w.store, w.id);
    move_to(s, &w.admin, id, Stage::SelfAssessment).await;
    move_to(s, &w.admin, id, Stage::Review).await;
    s.record_inspection(
        &w.assessor,
        id,
        UNIT,
        "1.1.1",
        day("2024-05-08"),
        "入口",
        JUNE,
    )
    .await
    .unwrap();
    s.add_typed_finding(
        &w.assessor,
        id,
        UNIT,
        &NewFinding {
            clause: "1.2.1",
            description: "推诿",
            points: Some(Decimal::from(3)),
            reason: Some("群众投诉"),
            ..NewFinding::default()
        },
        JUNE,
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        w.store.audit_key().path.clone(),
        dir.path().join("audit.key"),
    )
    .unwrap();
    let to = Store::open(dir.path()).await.unwrap();
    let copied = s.copy_into(&to).await.unwrap();
    assert!(copied.contains(&("inspections", 1)), "{copied:?}");
    assert_eq!(*to.inputs(id).await.unwrap(), *s.inputs(id).await.unwrap());
    assert_eq!(to.audit_replay().await.unwrap(), Vec::<String>::new());
    assert_eq!(
        to.inspections_of(&w.admin, id, UNIT).await.unwrap()[0].note,
        "入口"
    );
    assert_eq!(
        to.findings_of(&w.admin, id, UNIT).await.unwrap()[0]
            .reason
            .as_deref(),
        Some("群众投诉")
    );
}
