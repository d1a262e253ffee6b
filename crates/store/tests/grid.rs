//! 评分表的一页 (issue 15): a page of units with their 考核分 and assessors in a fixed number of
//! queries — the units one works on, filtered by kind and search, paged, with the filter's limits.

use super::*;
use kaohe_store::{GRID_MAX_KINDS, GRID_MAX_PER_PAGE, GRID_MAX_SEARCH, GridFilter};

/// The world's two units and 118 more (镇, 街道 and 区 in turn; one named with `_` and `%`), the
/// assessor assigned to every fourth, some scored.
async fn many_units(w: &World) {
    for n in 0..118u32 {
        let code = format!("3206239{n:02}");
        let code = if n < 100 {
            code
        } else {
            format!("320624{n:03}")
        };
        let kind = ["镇", "街道", "区"][(n % 3) as usize];
        let name = if n == 7 {
            "试点_50%镇".to_string()
        } else {
            format!("第{n}号{kind}")
        };
        w.store
            .add_unit(&w.admin, w.id, &code, &name, kind, NOW)
            .await
            .unwrap();
        // Every fourth unit is 王芳's, except 第60号镇, which is 李娜's (one assessor a unit).
        if n % 4 == 0 && n != 60 {
            w.store
                .assign(&w.admin, w.id, &w.assessor, &code, NOW)
                .await
                .unwrap();
        }
    }
}

fn filter(page: u32, per_page: u32) -> GridFilter {
    GridFilter {
        page,
        per_page,
        ..GridFilter::default()
    }
}

pub(crate) async fn a_grid_page_is_read_whole_filtered_and_paged(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    many_units(&w).await;
    s.assign(&w.admin, w.id, &w.other_assessor, "320623960", NOW)
        .await
        .unwrap();
    move_to(s, &w.admin, w.id, Stage::SelfAssessment).await;
    // 掘港街道's self-assessment is not in the grid's rows: the grid shows 考核分 only.
    s.set_score(
        &w.reporter,
        w.id,
        "320623001",
        "1.2.1",
        Ledger::SelfScore,
        "0.05",
        "",
        None,
        NOW,
    )
    .await
    .unwrap();
    move_to(s, &w.admin, w.id, Stage::Review).await;
    // 第60号镇 (320623960) is scored on two clauses; 1.1.2 twice (version 2).
    for (clause, score, reason, version) in [
        ("1.1.1", "0.04", "标识牌不显著", None),
        ("1.1.2", "0.05", "", None),
        ("1.1.2", "0.03", "功能分区不清", Some(1)),
    ] {
        s.set_score(
            &w.admin,
            w.id,
            "320623960",
            clause,
            Ledger::Assessor,
            score,
            reason,
            version,
            NOW,
        )
        .await
        .unwrap();
    }

    // The admin: 120 units, 50 a page, in code order.
    let p1 = s.grid_rows(&w.admin, w.id, &filter(1, 50)).await.unwrap();
    assert_eq!(
        (p1.total, p1.page, p1.pages(), p1.units.len()),
        (120, 1, 3, 50)
    );
    assert_eq!(p1.units[0].unit.code, "320623001");
    assert!(p1.units[0].scores.is_empty());
    assert_eq!(p1.units[1].unit.code, "320623100");
    assert_eq!(p1.units[2].unit.code, "320623900");
    assert_eq!(p1.kinds, ["区", "街道", "镇"]);
    let p2 = s.grid_rows(&w.admin, w.id, &filter(2, 50)).await.unwrap();
    let u = p2
        .units
        .iter()
        .find(|u| u.unit.code == "320623960")
        .unwrap();
    assert_eq!(u.unit.name, "第60号镇");
    let got: Vec<_> = u
        .scores
        .iter()
        .map(|s| {
            (
                s.clause_id.as_str(),
                s.score.as_str(),
                s.reason.as_str(),
                s.version,
                s.updated_by.as_str(),
                s.ledger,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "1.1.1",
                "0.04",
                "标识牌不显著",
                1,
                "县政务办",
                Ledger::Assessor
            ),
            (
                "1.1.2",
                "0.03",
                "功能分区不清",
                2,
                "县政务办",
                Ledger::Assessor
            ),
        ]
    );
    assert_eq!(u.assessors, ["李娜"]);
    // Unscored units have no scores (never a default).
    assert!(
        p2.units
            .iter()
            .filter(|u| u.unit.code != "320623960")
            .all(|u| u.scores.is_empty())
    );
    // The last page has the rest; a page past it is read as the last; pages never overlap.
    let p3 = s.grid_rows(&w.admin, w.id, &filter(3, 50)).await.unwrap();
    assert_eq!((p3.page, p3.units.len()), (3, 20));
    let past = s.grid_rows(&w.admin, w.id, &filter(9, 50)).await.unwrap();
    assert_eq!(past.page, 3);
    assert_eq!(past.units, p3.units);
    let mut all: Vec<_> = [&p1, &p2, &p3]
        .iter()
        .flat_map(|p| p.units.iter().map(|u| u.unit.code.clone()))
        .collect();
    let n = all.len();
    all.dedup();
    assert_eq!((n, all.len()), (120, 120));

    // By kind (one kind, or a ranking group's kinds) and by search.
    let kinds = |k: &[&str], search: &str| GridFilter {
        kinds: (!k.is_empty()).then(|| k.iter().map(|k| k.to_string()).collect()),
        search: search.into(),
        ..GridFilter::default()
    };
    let towns = s
        .grid_rows(&w.admin, w.id, &kinds(&["镇"], ""))
        .await
        .unwrap();
    // 马塘镇 and 第0号镇, 第3号镇 … 第117号镇 (40 of 118).
    assert_eq!(towns.total, 41);
    assert!(towns.units.iter().all(|u| u.unit.kind == "镇"));
    let group = s
        .grid_rows(&w.admin, w.id, &kinds(&["镇", "街道"], ""))
        .await
        .unwrap();
    assert_eq!(group.total, 1 + 1 + 40 + 39);
    let found = s
        .grid_rows(&w.admin, w.id, &kinds(&[], "掘港"))
        .await
        .unwrap();
    assert_eq!(found.units.len(), 1);
    assert_eq!(found.units[0].unit.name, "掘港街道");
    let by_code = s
        .grid_rows(&w.admin, w.id, &kinds(&[], "3206241"))
        .await
        .unwrap();
    assert_eq!(by_code.total, 18);
    // `_` and `%` are searched as themselves, not as patterns.
    for literal in ["_", "50%", "_50%"] {
        let r = s
            .grid_rows(&w.admin, w.id, &kinds(&[], literal))
            .await
            .unwrap();
        let names: Vec<_> = r.units.iter().map(|u| u.unit.name.as_str()).collect();
        assert_eq!(names, ["试点_50%镇"], "{literal}");
    }
    // A kind and a group that does not hold it: nothing.
    let f = GridFilter {
        kinds: Some(Vec::new()),
        ..GridFilter::default()
    };
    assert_eq!(s.grid_rows(&w.admin, w.id, &f).await.unwrap().total, 0);
    let none = s
        .grid_rows(&w.admin, w.id, &kinds(&["区"], "掘港"))
        .await
        .unwrap();
    assert_eq!(
        (none.total, none.page, none.pages(), none.units.len()),
        (0, 1, 1, 0)
    );

    // An assessor: the units assigned to him only (掘港街道 and every fourth of the 118 but 第60号镇:
    // 29).
    let mine = s
        .grid_rows(&w.assessor, w.id, &filter(1, 200))
        .await
        .unwrap();
    assert_eq!(mine.total, 30);
    assert!(
        mine.units
            .iter()
            .all(|u| u.assessors.contains(&"王芳".to_string()))
    );
    assert!(!mine.units.iter().any(|u| u.unit.code == "320623100"));
    let other = s
        .grid_rows(&w.other_assessor, w.id, &filter(1, 50))
        .await
        .unwrap();
    let codes: Vec<_> = other.units.iter().map(|u| u.unit.code.as_str()).collect();
    assert_eq!(codes, ["320623960"]);
    assert_eq!(other.kinds, ["镇"]);

    // Who may: not a reporter nor the leader.
    let leader = s
        .add_user(
            Some(&w.admin),
            &NewUser {
                login: "leader",
                name: "县领导",
                role: Role::Viewer,
                unit: None,
                password: "leader-pass-1",
            },
            NOW,
        )
        .await
        .unwrap();
    for who in [&w.reporter, &leader] {
        let e = s.grid_rows(who, w.id, &filter(1, 50)).await.unwrap_err();
        assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    }

    // The filter's limits, each at the limit and one past it.
    s.grid_rows(&w.admin, w.id, &filter(1, GRID_MAX_PER_PAGE))
        .await
        .unwrap();
    for bad in [0, GRID_MAX_PER_PAGE + 1] {
        let e = s
            .grid_rows(&w.admin, w.id, &filter(1, bad))
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("每页单位数应为 1 到 200，收到 {bad}"),
        );
    }
    let long = "镇".repeat(GRID_MAX_SEARCH);
    s.grid_rows(&w.admin, w.id, &kinds(&[], &long))
        .await
        .unwrap();
    let e = s
        .grid_rows(&w.admin, w.id, &kinds(&[], &format!("{long}镇")))
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "搜索内容最多 50 个字，收到 51 个");
    let many: Vec<String> = (0..GRID_MAX_KINDS).map(|i| format!("类{i}")).collect();
    let f = GridFilter {
        kinds: Some(many.clone()),
        ..GridFilter::default()
    };
    assert_eq!(s.grid_rows(&w.admin, w.id, &f).await.unwrap().total, 0);
    let f = GridFilter {
        kinds: Some([many, vec!["镇".into()]].concat()),
        ..GridFilter::default()
    };
    let e = s.grid_rows(&w.admin, w.id, &f).await.unwrap_err();
    assert_eq!(e.to_string(), "单位类型最多选 32 种，收到 33 种");
}

/// An assessor's units ([`kaohe_store::Store::assigned_to`]) are read as one row of joined codes:
/// the same units as the table holds, in code order — and a code that itself holds the separator
/// (a value the roster would refuse, written behind the store's back) is read row by row, whole.
pub(crate) async fn an_assessors_units_are_read_whole_in_code_order(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    many_units(&w).await;
    let in_table = || async {
        let mut v: Vec<String> = sqlx::query_scalar(
            "SELECT unit_code FROM assignments WHERE assessment_id = $1 AND user_id = $2",
        )
        .bind(w.id)
        .bind(w.assessor.id)
        .fetch_all(s.pool())
        .await
        .unwrap();
        v.sort();
        v
    };
    let read = s.assigned_to(w.id, &w.assessor).await.unwrap();
    assert!(read.len() > 29, "{read:?}");
    assert_eq!(read, in_table().await);
    sqlx::query("INSERT INTO assignments (assessment_id, user_id, unit_code) VALUES ($1, $2, $3)")
        .bind(w.id)
        .bind(w.assessor.id)
        .bind("320623\u{1f}999")
        .execute(s.pool())
        .await
        .unwrap();
    let read = s.assigned_to(w.id, &w.assessor).await.unwrap();
    assert!(read.contains(&"320623\u{1f}999".to_string()), "{read:?}");
    assert_eq!(read, in_table().await);
    // Nobody's units: an empty list, not one empty code.
    assert_eq!(
        s.assigned_to(w.id, &w.admin).await.unwrap(),
        Vec::<String>::new()
    );
}
