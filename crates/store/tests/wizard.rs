//! 新建考核 and the dates (issue 12): an assessment copied from an earlier one in one transaction
//! with one audit entry; the 自评 deadline and the 公示 window refused inside the write transaction
//! with the date; extensions with a reason, audited.

use super::{NOW, RUBRIC, World, world};
use kaohe_core::Date;
use kaohe_store::store::{CopyFrom, Dates, NewAssessment, Source};
use kaohe_store::testdb::Db;
use kaohe_store::{Ledger, Stage, StoreError};

kaohe_store::on_both!(
    a_copy_has_the_same_units_assignments_and_rubric_in_its_own_year,
    a_copy_is_refused_whole_for_a_non_admin_or_a_bad_choice,
    self_assessment_after_the_deadline_is_refused_with_the_date_until_extended,
    an_objection_after_the_window_is_refused_with_the_date_until_extended,
    the_window_counts_working_days_across_a_holiday,
    the_dates_move_with_the_store_into_another_database,
);

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// 2022 copied from the world's 2021: everything, with dates.
fn copy_2022(from: i64) -> NewAssessment<'static> {
    NewAssessment {
        title: "2022年度考核",
        year: 2022,
        rubric: Source::Copied,
        copy: Some(CopyFrom {
            from,
            units: true,
            assignments: true,
        }),
        dates: Dates {
            period: Some((d("2022-01-01"), d("2022-12-31"))),
            self_deadline: Some(d("2023-01-15")),
            publication_days: Some(5),
            ..Dates::default()
        },
    }
}

async fn a_copy_has_the_same_units_assignments_and_rubric_in_its_own_year(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    let before = s.audit_log().await.unwrap().len();
    let id = s
        .new_assessment(&w.admin, &copy_2022(w.id), NOW)
        .await
        .unwrap();
    assert_ne!(id, w.id);
    assert_eq!(s.units(id).await.unwrap(), s.units(w.id).await.unwrap());
    assert_eq!(s.units(id).await.unwrap().len(), 2);
    assert_eq!(
        s.assignments(id).await.unwrap(),
        s.assignments(w.id).await.unwrap()
    );
    assert_eq!(s.assignments(id).await.unwrap().len(), 1);
    let (old, new) = (
        s.assessment(w.id).await.unwrap(),
        s.assessment(id).await.unwrap(),
    );
    assert_eq!(new.rubric.sha256, old.rubric.sha256);
    assert_eq!(new.rubric_toml, old.rubric_toml);
    assert_eq!((old.year, new.year), (2021, 2022));
    assert_eq!(new.stage, Stage::Draft);
    assert_eq!(new.title, "2022年度考核");
    assert_eq!(new.dates.period, Some((d("2022-01-01"), d("2022-12-31"))));
    assert_eq!(new.dates.self_deadline, Some(d("2023-01-15")));
    assert_eq!(new.dates.publication_days, Some(5));
    assert_eq!(new.dates.publication_closes, None);
    // The assigned assessor may score the copied unit in the new year, the reporter self-assess.
    assert!(
        s.assigned(id, &w.assessor, "320623001").await.unwrap()
            && !s
                .assigned(id, &w.other_assessor, "320623001")
                .await
                .unwrap()
    );
    // One audit entry names the source and what was copied; the log replays to the tables.
    let log = s.audit_log().await.unwrap();
    assert_eq!(log.len(), before + 1);
    let e = log.iter().max_by_key(|e| e.seq).unwrap();
    assert_eq!(e.action, "assessment.create");
    assert_eq!(e.entity, format!("assessment/{id}"));
    assert_eq!(e.why.as_deref(), Some(&*format!("复制自考核 {}", w.id)));
    let v: serde_json::Value = serde_json::from_str(e.new.as_deref().unwrap()).unwrap();
    assert_eq!(v["from"], w.id);
    assert_eq!(v["year"], 2022);
    assert_eq!(v["copied"]["units"], 2);
    assert_eq!(v["copied"]["assignments"], 1);
    assert_eq!(v["copied"]["rubric"], true);
    assert_eq!(v["dates"]["period"], "2022-01-01..2022-12-31");
    assert_eq!(s.audit_replay().await.unwrap(), Vec::<String>::new());
    // Units only: no assignments; a new rubric's TOML instead of the copied one.
    let mut only_units = copy_2022(w.id);
    only_units.copy = Some(CopyFrom {
        from: w.id,
        units: true,
        assignments: false,
    });
    only_units.rubric = Source::Toml(RUBRIC);
    let id2 = s.new_assessment(&w.admin, &only_units, NOW).await.unwrap();
    assert_eq!(s.units(id2).await.unwrap().len(), 2);
    assert!(s.assignments(id2).await.unwrap().is_empty());
}

async fn a_copy_is_refused_whole_for_a_non_admin_or_a_bad_choice(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    let count = || async { s.assessments().await.unwrap().len() };
    let before = count().await;
    let e = s
        .new_assessment(&w.assessor, &copy_2022(w.id), NOW)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    let mut bad = copy_2022(w.id);
    bad.copy = Some(CopyFrom {
        from: w.id,
        units: false,
        assignments: true,
    });
    let e = s.new_assessment(&w.admin, &bad, NOW).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "考核员分工按单位安排：复制分工须同时复制单位"
    );
    let mut bad = copy_2022(999);
    bad.copy = Some(CopyFrom {
        from: 999,
        units: true,
        assignments: true,
    });
    let e = s.new_assessment(&w.admin, &bad, NOW).await.unwrap_err();
    assert_eq!(e.to_string(), "要复制的考核不存在");
    let mut bad = copy_2022(w.id);
    bad.dates.period = Some((d("2022-12-31"), d("2022-01-01")));
    let e = s.new_assessment(&w.admin, &bad, NOW).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "考核期的开始日 2022-12-31 晚于结束日 2022-01-01"
    );
    let mut bad = copy_2022(w.id);
    bad.rubric = Source::Toml("id = \"x\"\n这不是 TOML\n");
    let e = s.new_assessment(&w.admin, &bad, NOW).await.unwrap_err();
    assert!(e.to_string().starts_with("细则无效："), "{e}");
    // Nothing was made, and the refusals wrote nothing to the log.
    assert_eq!(count().await, before);
    assert_eq!(s.audit_replay().await.unwrap(), Vec::<String>::new());
}

/// A copy of the world's assessment moved to `stage`, with these dates.
async fn with_dates(w: &World, self_deadline: &str, days: u32, stage: Stage, at: &str) -> i64 {
    let mut n = copy_2022(w.id);
    n.dates.self_deadline = Some(d(self_deadline));
    n.dates.publication_days = Some(days);
    let id = w.store.new_assessment(&w.admin, &n, NOW).await.unwrap();
    for to in [Stage::SelfAssessment, Stage::Review, Stage::Publication] {
        if to > stage {
            break;
        }
        w.store
            .advance(&w.admin, id, to, "", at, kaohe_store::Gate::none())
            .await
            .unwrap();
    }
    id
}

async fn self_assessment_after_the_deadline_is_refused_with_the_date_until_extended(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    let id = with_dates(&w, "2022-01-14", 5, Stage::SelfAssessment, NOW).await;
    let save = |now: &'static str| {
        s.set_score(
            &w.reporter,
            id,
            "320623001",
            "1.1.1",
            Ledger::SelfScore,
            "0.05",
            "",
            None,
            now,
        )
    };
    // 2022-01-14 23:59:59 Beijing is the deadline's day: accepted.
    let first = save("2022-01-14T15:59:59Z").await.unwrap();
    // 2022-01-15 00:00:00 Beijing: refused, with the date; nothing written.
    let e = s
        .set_score(
            &w.reporter,
            id,
            "320623001",
            "1.1.1",
            Ledger::SelfScore,
            "0.05",
            "",
            Some(first.version),
            "2022-01-14T16:00:00Z",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    assert_eq!(
        e.to_string(),
        "自评已于 2022-01-14（北京时间当日 24 时）截止，不能再填报或修改自评分和佐证材料；如需延期，请联系管理员"
    );
    // Evidence too: no upload after the deadline.
    let e = s
        .put_evidence(
            &w.reporter,
            id,
            "320623001",
            "1.1.1",
            "晚交.pdf",
            b"%PDF-1.4\n%late\n",
            "2022-01-14T16:00:00Z",
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("自评已于 2022-01-14（北京时间当日 24 时）截止"),
        "{e}"
    );
    // Extending is the admin's, with a reason, audited with the old and new dates.
    let mut later = s.assessment(id).await.unwrap().dates;
    later.self_deadline = Some(d("2022-01-21"));
    let e = s
        .set_dates(&w.admin, id, &later, " ", "2022-01-15T01:00:00Z")
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "修改考核日期须写明理由");
    let e = s
        .set_dates(&w.reporter, id, &later, "延期", "2022-01-15T01:00:00Z")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    s.set_dates(
        &w.admin,
        id,
        &later,
        "系统故障顺延一周",
        "2022-01-15T01:00:00Z",
    )
    .await
    .unwrap();
    let log = s.audit_log().await.unwrap();
    let e = log.iter().max_by_key(|e| e.seq).unwrap();
    assert_eq!(e.action, "assessment.dates");
    assert_eq!(e.why.as_deref(), Some("系统故障顺延一周"));
    assert!(e.old.as_deref().unwrap().contains("2022-01-14"), "{e:?}");
    assert!(e.new.as_deref().unwrap().contains("2022-01-21"), "{e:?}");
    let saved = s
        .set_score(
            &w.reporter,
            id,
            "320623001",
            "1.1.1",
            Ledger::SelfScore,
            "0.05",
            "",
            Some(first.version),
            "2022-01-20T02:00:00Z",
        )
        .await
        .unwrap();
    assert_eq!(saved.version, first.version + 1);
    assert_eq!(s.audit_replay().await.unwrap(), Vec::<String>::new());
}

async fn an_objection_after_the_window_is_refused_with_the_date_until_extended(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    // Published Wednesday 2022-02-09 10:00 Beijing; 5 working days after that day: Thu 10, Fri 11,
    // Mon 14, Tue 15, Wed 16 — the window closes at 24:00 on 2022-02-16.
    let id = with_dates(
        &w,
        "2022-01-14",
        5,
        Stage::Publication,
        "2022-02-09T02:00:00Z",
    )
    .await;
    let dates = s.assessment(id).await.unwrap().dates;
    assert_eq!(dates.published_at.as_deref(), Some("2022-02-09T02:00:00Z"));
    assert_eq!(dates.publication_closes, Some(d("2022-02-16")));
    let object =
        |now: &'static str| s.file_objection(&w.reporter, id, "320623001", "1.1.1", "请复核", now);
    object("2022-02-16T15:59:59Z").await.unwrap();
    let e = object("2022-02-16T16:00:00Z").await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    assert_eq!(
        e.to_string(),
        "公示期已于 2022-02-16（北京时间当日 24 时）结束，不能再提出异议"
    );
    // The extension: the admin's, later than now, with a reason; audited.
    let at = "2022-02-17T01:00:00Z";
    let e = s
        .extend_publication(&w.admin, id, d("2022-02-15"), "延长", at)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "公示期现至 2022-02-16，延长后的日期 2022-02-15 应晚于它"
    );
    let e = s
        .extend_publication(&w.admin, id, d("2022-02-18"), "", at)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "延长公示期须写明理由");
    let e = s
        .extend_publication(&w.reporter, id, d("2022-02-18"), "延长", at)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    s.extend_publication(
        &w.admin,
        id,
        d("2022-02-18"),
        "春节后部分单位未及时查看",
        at,
    )
    .await
    .unwrap();
    let log = s.audit_log().await.unwrap();
    let e = log.iter().max_by_key(|e| e.seq).unwrap();
    assert_eq!(
        (
            e.action.as_str(),
            e.old.as_deref(),
            e.new.as_deref(),
            e.why.as_deref()
        ),
        (
            "publication.extend",
            Some("2022-02-16"),
            Some("2022-02-18"),
            Some("春节后部分单位未及时查看")
        )
    );
    object("2022-02-18T08:00:00Z").await.unwrap();
    let e = object("2022-02-18T16:00:00Z").await.unwrap_err();
    assert!(e.to_string().contains("2022-02-18"), "{e}");
    // Not in 公示: no extension of its window.
    let e = s
        .extend_publication(&w.admin, w.id, d("2022-02-18"), "延长", at)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "当前为“草稿”阶段：公示期只能在公示阶段延长");
}

async fn the_window_counts_working_days_across_a_holiday(db: Db) {
    let w = world(db).await;
    // Published Thursday 2021-09-30 at 23:30 Beijing (15:30 UTC): the day itself does not count;
    // 10-01..10-07 are the National Day holiday, Saturday 10-09 a working day (调休): 10-08 (1),
    // 10-09 (2), 10-11 (3), 10-12 (4), 10-13 (5).
    let id = with_dates(
        &w,
        "2021-09-01",
        5,
        Stage::Publication,
        "2021-09-30T15:30:00Z",
    )
    .await;
    let dates = w.store.assessment(id).await.unwrap().dates;
    assert_eq!(dates.publication_closes, Some(d("2021-10-13")));
    // Published at 00:30 Beijing on 10-01 (16:30 UTC on 09-30): the day is 10-01, a holiday.
    let id = with_dates(
        &w,
        "2021-09-01",
        1,
        Stage::Publication,
        "2021-09-30T16:30:00Z",
    )
    .await;
    let dates = w.store.assessment(id).await.unwrap().dates;
    assert_eq!(dates.publication_closes, Some(d("2021-10-08")));
    // An assessment without a 公示期 (made before dates) has no window: objections as before.
    assert_eq!(
        w.store.assessment(w.id).await.unwrap().dates,
        Dates::default()
    );
}

async fn the_dates_move_with_the_store_into_another_database(db: Db) {
    let w = world(db).await;
    let id = with_dates(
        &w,
        "2022-01-14",
        5,
        Stage::Publication,
        "2022-02-09T02:00:00Z",
    )
    .await;
    let want = w.store.assessment(id).await.unwrap().dates;
    // Into the other kind of database, and back into this kind (both on SQLite without a server).
    let other = match (db, kaohe_store::testdb::server()) {
        (Db::Sqlite, Some(_)) => Db::Postgres,
        _ => Db::Sqlite,
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&w.store.audit_key().path, dir.path().join("audit.key")).unwrap();
    let (t, _) = kaohe_store::testdb::open(dir.path(), other).await;
    w.store.copy_into(&t).await.unwrap();
    let got = t.assessment(id).await.unwrap();
    assert_eq!(got.dates, want);
    assert_eq!(got.year, 2022);
    assert_eq!(want.publication_days, Some(5));
}
