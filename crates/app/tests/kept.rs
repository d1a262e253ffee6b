//! The kept scored result (issue 15): kept while its assessment is unchanged, scored again once per
//! change to it (concurrent readers share the one computation), untouched by sign-ins, account
//! changes and other assessments' changes, and seen by a second server on the same database on its
//! next read. Every test runs on SQLite and on PostgreSQL (`KAOHE_TEST_POSTGRES`).

use kaohe_app::kept::Sort;
use kaohe_app::kept::{Builds, kept};
use kaohe_app::results::{Paging, Results};
use kaohe_store::testdb::{Db, open};
use kaohe_store::{Gate, Ledger, NewUser, Role, Stage, Store, User};
use std::sync::Arc;

kaohe_store::on_both!(
    a_score_change_rescored_once_and_nothing_else_disturbs_the_kept_result,
    concurrent_reads_after_a_change_share_one_scoring,
    a_change_through_one_server_is_seen_by_the_other_on_its_next_read,
    a_league_page_is_a_slice_of_the_whole_in_the_order_asked,
    the_todo_of_many_units_comes_from_the_kept_result_and_names_twenty,
    every_kind_of_scoring_input_is_brought_up_to_date_from_the_kept_result,
);

const RUBRIC: &str = include_str!("../../../rubrics/rudong-2021.toml");
const NOW: &str = "2021-12-01T09:00:00Z";

struct World {
    dir: tempfile::TempDir,
    url: Option<String>,
    store: Store,
    admin: User,
    assessor: User,
    /// Two assessments in 评审, each of `units` units; the assessor is assigned to every unit.
    a: i64,
    b: i64,
}

fn code(i: usize) -> String {
    format!("3206{i:05}")
}

async fn world(db: Db, units: usize) -> World {
    let dir = tempfile::tempdir().unwrap();
    let (store, url) = open(dir.path(), db).await;
    let new = |login: &'static str, name: &'static str, role| NewUser {
        login,
        name,
        role,
        unit: None,
        password: "a-long-password-1",
    };
    let admin = store
        .add_user(None, &new("admin", "县政务办", Role::Admin), NOW)
        .await
        .unwrap();
    let assessor = store
        .add_user(Some(&admin), &new("wangfang", "王芳", Role::Assessor), NOW)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for title in ["2021年度考核", "2022年度考核"] {
        let id = store
            .create_assessment(&admin, title, RUBRIC, NOW)
            .await
            .unwrap();
        for i in 0..units {
            let c = code(i);
            store
                .add_unit(&admin, id, &c, &format!("第{i}镇"), "镇", NOW)
                .await
                .unwrap();
            store.assign(&admin, id, &assessor, &c, NOW).await.unwrap();
        }
        for to in [Stage::SelfAssessment, Stage::Review] {
            store
                .advance(&admin, id, to, "", NOW, Gate::none())
                .await
                .unwrap();
        }
        ids.push(id);
    }
    World {
        dir,
        url,
        store,
        admin,
        assessor,
        a: ids[0],
        b: ids[1],
    }
}

/// Sets the assessor's score of clause 1.1.1 (max 0.05) of unit `i`.
async fn score(s: &Store, w: &World, id: i64, i: usize, v: &str) {
    let unit = code(i);
    let version = s
        .scores(&w.assessor, id, &unit)
        .await
        .unwrap()
        .iter()
        .find(|x| x.clause_id == "1.1.1" && x.ledger == Ledger::Assessor)
        .map(|x| x.version);
    s.set_score(
        &w.assessor,
        id,
        &unit,
        "1.1.1",
        Ledger::Assessor,
        v,
        "面积不足",
        version,
        NOW,
    )
    .await
    .unwrap();
}

/// Unit `i`'s score of clause 1.1.1 in a kept result.
fn clause_score(k: &kaohe_app::kept::Kept, i: usize) -> Option<String> {
    let r = k.unit(&code(i)).expect("the unit is in the result");
    let ci = k
        .assessment()
        .rubric
        .clauses
        .iter()
        .position(|c| &*c.id == "1.1.1")
        .unwrap();
    k.scored().clauses(r)[ci].score().map(|d| d.to_string())
}

/// Everything a kept result says — per unit in league order its total, place, grade and every
/// clause's score and explanation — beside the same from the inputs scored whole.
fn as_whole(k: &kaohe_app::kept::Kept) -> (String, String) {
    let said = |s: &kaohe_core::Scored| {
        let mut out = String::new();
        for u in &s.units {
            out += &format!(
                "{} {} {} {:?}\n",
                s.unit(u).code,
                u.total,
                s.rank_text(u),
                s.grade(u)
            );
            for ci in 0..s.rubric.clauses.len() {
                out += &format!("  {:?} {}\n", s.clauses(u)[ci], s.explain(u, ci));
            }
        }
        out
    };
    let whole =
        kaohe_app::kept::Kept::build(k.revision, k.assessment().clone(), k.inputs().clone());
    let averages = |k: &kaohe_app::kept::Kept| format!("{:?}", k.indicator_averages());
    let unit = |k: &kaohe_app::kept::Kept, s: &kaohe_core::Scored| {
        s.units
            .iter()
            .map(|u| format!("{:?}", k.unit(&s.unit(u).code).map(|r| (r.row, r.total))))
            .collect::<String>()
    };
    (
        said(k.scored()) + &averages(k) + &unit(k, k.scored()),
        said(whole.scored()) + &averages(&whole) + &unit(&whole, whole.scored()),
    )
}

async fn a_score_change_rescored_once_and_nothing_else_disturbs_the_kept_result(db: Db) {
    let w = world(db, 3).await;
    let s = &w.store;
    let first = kept(s, w.a).await.unwrap();
    let builds = Builds::count(s);
    assert_eq!(clause_score(&first, 0), None, "not scored yet");
    // Unchanged: the same kept result, nothing scored again.
    assert!(Arc::ptr_eq(&first, &kept(s, w.a).await.unwrap()));
    // A sign-in (an audited session) does not disturb it …
    let login = s
        .authenticate("wangfang", "a-long-password-1")
        .await
        .unwrap();
    assert!(login.is_some());
    s.create_session(
        &w.assessor,
        "token-1",
        "csrf-1",
        NOW,
        "2099-01-01T00:00:00Z",
    )
    .await
    .unwrap();
    assert!(
        Arc::ptr_eq(&first, &kept(s, w.a).await.unwrap()),
        "a sign-in"
    );
    // … nor an account added …
    s.add_user(
        Some(&w.admin),
        &NewUser {
            login: "lina",
            name: "李娜",
            role: Role::Assessor,
            unit: None,
            password: "a-long-password-1",
        },
        NOW,
    )
    .await
    .unwrap();
    assert!(
        Arc::ptr_eq(&first, &kept(s, w.a).await.unwrap()),
        "an account"
    );
    // … nor a score in another assessment (whose own result does change).
    let other = kept(s, w.b).await.unwrap();
    score(s, &w, w.b, 1, "0.02").await;
    assert!(
        Arc::ptr_eq(&first, &kept(s, w.a).await.unwrap()),
        "another assessment"
    );
    let other_now = kept(s, w.b).await.unwrap();
    assert!(!Arc::ptr_eq(&other, &other_now));
    assert_eq!(clause_score(&other_now, 1).as_deref(), Some("0.02"));
    assert_eq!(
        Builds::count(s),
        builds + 2,
        "only assessment b, once before and once after"
    );
    // A score in this assessment: the next read is scored again, once, and shows it, tagged with
    // the change's audit sequence.
    score(s, &w, w.a, 0, "0.04").await;
    let after = kept(s, w.a).await.unwrap();
    assert!(!Arc::ptr_eq(&first, &after));
    assert!(after.revision > first.revision);
    assert_eq!(after.revision, s.revision(w.a).await.unwrap());
    let last = s.audit_log().await.unwrap().pop().unwrap();
    assert_eq!(
        after.revision, last.seq,
        "the revision is the change's own entry"
    );
    assert_eq!(clause_score(&after, 0).as_deref(), Some("0.04"));
    assert!(
        after.incremental,
        "a save: its clause and unit scored again, then the ranks"
    );
    let (kept_says, whole_says) = as_whole(&after);
    assert_eq!(kept_says, whole_says);
    assert!(Arc::ptr_eq(&after, &kept(s, w.a).await.unwrap()));
    assert_eq!(Builds::count(s), builds + 3);
    // A stage move is a change of the assessment too: the kept result's stage follows, and as it
    // changes no scoring input nothing is read or scored again.
    s.advance(&w.admin, w.a, Stage::Publication, "", NOW, Gate::none())
        .await
        .unwrap();
    let published = kept(s, w.a).await.unwrap();
    assert_eq!(published.assessment().stage, Stage::Publication);
    assert_eq!(clause_score(&published, 0).as_deref(), Some("0.04"));
    assert!(published.incremental, "a stage move rescored nothing");
    assert!(
        Arc::ptr_eq(published.inputs(), after.inputs()),
        "and read or copied no input"
    );
    assert_eq!(as_whole(&published).0, as_whole(&published).1);
}

/// After `what`, the kept result is brought up to date from the one before (`incremental`) or
/// scored whole, as `incremental` says; it equals the inputs scored whole, which equal a whole read
/// by a store that kept nothing; and it was scored once.
async fn up_to_date(w: &World, what: &str, incremental: bool) -> Arc<kaohe_app::kept::Kept> {
    up_to_date_in(w, w.a, what, incremental).await
}

async fn up_to_date_in(
    w: &World,
    id: i64,
    what: &str,
    incremental: bool,
) -> Arc<kaohe_app::kept::Kept> {
    let s = &w.store;
    let builds = Builds::count(s);
    let k = kept(s, id).await.unwrap();
    assert_eq!(Builds::count(s), builds + 1, "{what}: scored once");
    assert_eq!(k.incremental, incremental, "{what}");
    let (kept_says, whole_says) = as_whole(&k);
    assert_eq!(kept_says, whole_says, "{what}");
    let fresh = Store::open_with(w.dir.path(), w.url.as_deref())
        .await
        .unwrap();
    assert_eq!(**k.inputs(), *fresh.inputs(id).await.unwrap(), "{what}");
    k
}

/// A unit's score of clause `id` and its total in a kept result.
fn unit_says(k: &kaohe_app::kept::Kept, i: usize, id: &str) -> String {
    let r = k.unit(&code(i)).unwrap();
    let s = k.scored();
    let ci = s.rubric.clauses.iter().position(|c| &*c.id == id).unwrap();
    format!("{:?} {}", s.clauses(r)[ci].score(), r.total)
}

async fn every_kind_of_scoring_input_is_brought_up_to_date_from_the_kept_result(db: Db) {
    let w = world(db, 4).await;
    let s = &w.store;
    let (admin, assessor, a) = (&w.admin, &w.assessor, w.a);
    let d = |v: &str| v.parse::<rust_decimal::Decimal>().unwrap();
    kept(s, a).await.unwrap();
    // A metric behind a ranking (1.4.1 按认领率排名): units 0 and 1 ranked; raising unit 1 above
    // unit 0 moves unit 0's score too, though only unit 1 changed.
    s.set_metric(admin, a, &code(0), "claim_rate", d("0.95"), NOW)
        .await
        .unwrap();
    s.set_metric(admin, a, &code(1), "claim_rate", d("0.90"), NOW)
        .await
        .unwrap();
    let k = up_to_date(&w, "two metrics", true).await;
    let before = unit_says(&k, 0, "1.4.1");
    s.set_metric(admin, a, &code(1), "claim_rate", d("0.99"), NOW)
        .await
        .unwrap();
    let k = up_to_date(&w, "a metric", true).await;
    assert_ne!(unit_says(&k, 0, "1.4.1"), before, "unit 0 lost first place");
    // A finding (1.4.2 每发现一例扣 0.002 分), a bonus (2.3.3), the finding withdrawn.
    let finding = s
        .add_finding(assessor, a, &code(2), "1.4.2", "办事指南缺少材料清单", NOW)
        .await
        .unwrap();
    let k = up_to_date(&w, "a finding", true).await;
    assert!(
        unit_says(&k, 2, "1.4.2").starts_with("Some("),
        "{}",
        unit_says(&k, 2, "1.4.2")
    );
    s.add_bonus(assessor, a, &code(3), "2.3.3", "0.02", "一窗通办亮点", NOW)
        .await
        .unwrap();
    up_to_date(&w, "a bonus", true).await;
    s.withdraw_finding(assessor, a, &code(2), finding, "重复记录", NOW)
        .await
        .unwrap();
    up_to_date(&w, "a finding withdrawn", true).await;
    // A score and a finding in one run of changes, read together.
    score(s, &w, a, 1, "0.03").await;
    s.add_finding(assessor, a, &code(0), "1.4.2", "办事指南未更新", NOW)
        .await
        .unwrap();
    up_to_date(&w, "a score and a finding", true).await;
    // The assessor renamed: the name is in the inputs (考核人), so they are read whole.
    let renamed = kaohe_store::AccountEdit {
        name: "王芳芳".into(),
        role: Role::Assessor,
        unit: None,
        phone: None,
    };
    s.edit_account(admin, None, "wangfang", &renamed, NOW)
        .await
        .unwrap();
    let k = up_to_date(&w, "an account renamed", false).await;
    assert!(
        k.inputs()
            .judgements
            .iter()
            .all(|j| j.assessor.as_deref() == Some("王芳芳"))
    );
    // A new unit (in 准备, a new assessment) changes the rows: scored whole.
    let c = s
        .create_assessment(admin, "2023年度考核", RUBRIC, NOW)
        .await
        .unwrap();
    s.add_unit(admin, c, &code(0), "第0镇", "镇", NOW)
        .await
        .unwrap();
    kept(s, c).await.unwrap();
    s.add_unit(admin, c, &code(1), "第1镇", "镇", NOW)
        .await
        .unwrap();
    let k = up_to_date_in(&w, c, "a unit added", false).await;
    assert!(k.unit(&code(1)).is_some());
}

async fn concurrent_reads_after_a_change_share_one_scoring(db: Db) {
    let w = world(db, 40).await;
    let s = &w.store;
    kept(s, w.a).await.unwrap();
    score(s, &w, w.a, 3, "0.01").await;
    let before = Builds::count(s);
    let reads: Vec<_> = (0..8)
        .map(|_| {
            let s = s.clone();
            let id = w.a;
            tokio::spawn(async move { kept(&s, id).await.unwrap() })
        })
        .collect();
    let mut got = Vec::new();
    for r in reads {
        got.push(r.await.unwrap());
    }
    assert_eq!(Builds::count(s), before + 1, "eight reads, one scoring");
    assert!(got.iter().all(|k| Arc::ptr_eq(k, &got[0])));
    assert_eq!(clause_score(&got[0], 3).as_deref(), Some("0.01"));
    // Scores changed since the kept inputs are read again one by one and put in place (a new
    // score, a changed one, in units first and last in order): the inputs equal a whole read by a
    // store that kept nothing.
    for (i, v) in [(0, "0.02"), (39, "0.05"), (3, "0.03"), (17, "0.00")] {
        score(s, &w, w.a, i, v).await;
    }
    score(s, &w, w.b, 5, "0.04").await;
    let patched = kept(s, w.a).await.unwrap();
    let fresh = Store::open_with(w.dir.path(), w.url.as_deref())
        .await
        .unwrap();
    assert_eq!(**patched.inputs(), *fresh.inputs(w.a).await.unwrap());
    assert_eq!(
        patched.inputs().judgements.len(),
        4,
        "units 0, 3, 17 and 39"
    );
    assert!(
        patched.incremental,
        "four saves, brought up to date from the kept result"
    );
    let (kept_says, whole_says) = as_whole(&patched);
    assert_eq!(kept_says, whole_says);
    // A stage move reads nothing again, and the inputs still agree.
    s.advance(&w.admin, w.a, Stage::Publication, "", NOW, Gate::none())
        .await
        .unwrap();
    score(s, &w, w.b, 6, "0.01").await;
    assert_eq!(
        *s.inputs(w.a).await.unwrap(),
        *fresh.inputs(w.a).await.unwrap()
    );
}

async fn a_change_through_one_server_is_seen_by_the_other_on_its_next_read(db: Db) {
    let w = world(db, 3).await;
    let one = &w.store;
    // A second server: its own store (its own kept results) on the same database.
    let two = Store::open_with(w.dir.path(), w.url.as_deref())
        .await
        .unwrap();
    let k1 = kept(one, w.a).await.unwrap();
    let k2 = kept(&two, w.a).await.unwrap();
    assert!(!Arc::ptr_eq(&k1, &k2), "each server keeps its own");
    score(&two, &w, w.a, 2, "0.03").await;
    let seen = kept(one, w.a).await.unwrap();
    assert_eq!(
        clause_score(&seen, 2).as_deref(),
        Some("0.03"),
        "server one sees server two's save"
    );
    assert!(
        seen.incremental,
        "from the other server's audit entry, as from its own"
    );
    assert_eq!(seen.revision, two.revision(w.a).await.unwrap());
    score(one, &w, w.a, 2, "0.05").await;
    assert_eq!(
        clause_score(&kept(&two, w.a).await.unwrap(), 2).as_deref(),
        Some("0.05"),
        "and the other way round"
    );
    // A sign-in through one server leaves the other's kept result alone.
    let k2 = kept(&two, w.a).await.unwrap();
    one.create_session(
        &w.assessor,
        "token-2",
        "csrf-2",
        NOW,
        "2099-01-01T00:00:00Z",
    )
    .await
    .unwrap();
    assert!(Arc::ptr_eq(&k2, &kept(&two, w.a).await.unwrap()));
}

async fn a_league_page_is_a_slice_of_the_whole_in_the_order_asked(db: Db) {
    let w = world(db, 7).await;
    let s = &w.store;
    for (i, v) in [(0, "0.01"), (1, "0.05"), (2, "0.03")] {
        score(s, &w, w.a, i, v).await;
    }
    let results = kaohe_app::results::of(s, &w.admin, w.a).await.unwrap();
    let whole = results.report_json(&w.admin);
    let codes = |v: &serde_json::Value| -> Vec<String> {
        v["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["code"].as_str().unwrap().to_string())
            .collect()
    };
    let all = codes(&whole);
    assert_eq!(all.len(), 7);
    // Pages of 3 in rank order: 3 + 3 + 1, together the whole result in its order, each row equal
    // to the whole report's row.
    let mut paged = Vec::new();
    for page in 1..=3 {
        let p = Paging {
            page,
            per_page: 3,
            sort: Sort::Rank,
        };
        let v = results.page_json(&w.admin, &p);
        assert_eq!(v["paging"]["pages"], 3);
        assert_eq!(v["paging"]["total_units"], 7);
        assert_eq!(v["paging"]["page"], page);
        for u in v["units"].as_array().unwrap() {
            let same = whole["units"]
                .as_array()
                .unwrap()
                .iter()
                .find(|w| w["code"] == u["code"]);
            assert_eq!(Some(u), same);
        }
        paged.extend(codes(&v));
    }
    assert_eq!(paged, all);
    // A page past the last shows the last.
    let p = Paging {
        page: 9,
        per_page: 3,
        sort: Sort::Rank,
    };
    assert_eq!(results.page(&p).page, 3);
    assert_eq!(results.page(&p).rows.len(), 1);
    // By total (highest first): 0.05, 0.03, 0.01 lead.
    let p = Paging {
        page: 1,
        per_page: 3,
        sort: Sort::Total,
    };
    assert_eq!(
        codes(&results.page_json(&w.admin, &p)),
        [code(1), code(2), code(0)]
    );
    // By code and by name.
    let p = Paging {
        page: 1,
        per_page: 7,
        sort: Sort::Code,
    };
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(codes(&results.page_json(&w.admin, &p)), sorted);
    let p = Paging {
        page: 1,
        per_page: 2,
        sort: Sort::Name,
    };
    assert_eq!(codes(&results.page_json(&w.admin, &p)), [code(0), code(1)]);
    let _: &Results = &results;
}

#[test]
fn paging_parameters_are_checked_at_their_limits() {
    let p = |a: Option<&str>, b: Option<&str>, c: Option<&str>| Paging::parse(a, b, c);
    assert_eq!(p(None, None, None).unwrap(), Paging::default());
    assert_eq!(p(Some("1"), Some("1"), Some("rank")).unwrap().per_page, 1);
    assert_eq!(p(None, Some("500"), None).unwrap().per_page, 500);
    let err = |r: Result<Paging, kaohe_store::StoreError>| r.unwrap_err().to_string();
    assert_eq!(
        err(p(None, Some("501"), None)),
        "参数 per_page 的值“501”不对：应为 1 到 500 之间的整数"
    );
    assert_eq!(
        err(p(None, Some("0"), None)),
        "参数 per_page 的值“0”不对：应为 1 到 500 之间的整数"
    );
    assert_eq!(
        err(p(Some("0"), None, None)),
        "参数 page 的值“0”不对：应为 1 到 1000000 之间的整数"
    );
    assert_eq!(
        err(p(Some("二"), None, None)),
        "参数 page 的值“二”不对：应为 1 到 1000000 之间的整数"
    );
    assert!(err(p(None, None, Some("score"))).contains("排序方式“score”无法识别"));
    assert_eq!(p(None, None, Some("total")).unwrap().sort, Sort::Total);
}

/// 待办 of an assessor of 25 units in 考核: the count, the first 20 unfinished units by name, one
/// line for the other 5 to the grid; the admin's gate line counts all 25 and names five. Read from
/// the kept result (its unit rows and states), so a dashboard costs no whole-table reads; a save
/// moves them on the next read.
async fn the_todo_of_many_units_comes_from_the_kept_result_and_names_twenty(db: Db) {
    let w = world(db, 25).await;
    let s = &w.store;
    let texts = |t: Vec<kaohe_app::todo::Todo>| t.into_iter().map(|t| t.text).collect::<Vec<_>>();
    let mine = texts(
        kaohe_app::todo::of(s, &w.assessor, w.a, &[], NOW)
            .await
            .unwrap(),
    );
    assert_eq!(mine.len(), 1 + 20 + 1, "{mine:#?}");
    assert_eq!(mine[0], "分给您的单位 0/25 个已评完");
    // Clauses that score without entries (a bonus with none, a veto not found) count as scored.
    let scored = |line: &str| -> usize {
        let n = line
            .split("已有得分 ")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap();
        n.parse().unwrap()
    };
    assert!(mine[1].starts_with("第0镇：已有得分 "), "{}", mine[1]);
    let before = scored(&mine[1]);
    assert!(mine[20].starts_with("第19镇："), "{}", mine[20]);
    assert_eq!(mine[21], "另有 5 个单位未评完，见评分表");
    let admin = texts(
        kaohe_app::todo::of(s, &w.admin, w.a, &[], NOW)
            .await
            .unwrap(),
    );
    assert_eq!(
        admin,
        ["进入公示前还有 25 个单位未完成：第0镇、第1镇、第2镇、第3镇、第4镇 等 25 个"]
    );
    let counts = kaohe_app::todo::counts(s, w.a).await.unwrap();
    assert_eq!((counts.units, counts.complete), (25, 0));
    // A unit's scores all given: it leaves both lists on the next read.
    let k = kept(s, w.a).await.unwrap();
    let clauses: Vec<String> = k
        .assessment()
        .rubric
        .clauses
        .iter()
        .filter(|c| matches!(c.rule, kaohe_core::rubric::Rule::Judgement))
        .map(|c| c.id.to_string())
        .collect();
    for c in &clauses {
        let max = k.assessment().rubric.clause(c).unwrap().max.to_string();
        s.set_score(
            &w.assessor,
            w.a,
            &code(0),
            c,
            Ledger::Assessor,
            &max,
            "",
            None,
            NOW,
        )
        .await
        .unwrap();
    }
    // Its judged clauses now count (the clauses scored from platform data still lack data here).
    let mine = texts(
        kaohe_app::todo::of(s, &w.assessor, w.a, &[], NOW)
            .await
            .unwrap(),
    );
    let line = mine.iter().find(|t| t.starts_with("第0镇：")).unwrap();
    assert_eq!(scored(line), before + clauses.len(), "{line}");
}
