//! Checks under the lock (issue 10): for each check that once ran before the write lock, two callers
//! at once, many rounds — the outcome is always one that the two in some order would give.

use super::*;
use kaohe_store::Import;

const ROUNDS: usize = 8;

async fn seq_of(s: &Store, action: &str) -> Option<i64> {
    s.audit_log()
        .await
        .unwrap()
        .iter()
        .rev()
        .find(|e| e.action == action)
        .map(|e| e.seq)
}

/// `set_score` reads the stage under the lock: a score saved while the stage moves on is saved
/// before the move, or refused after it — never written in 公示 on the strength of a stale 考核.
pub(crate) async fn a_score_and_a_stage_move_at_once_never_leave_a_score_after_the_move(db: Db) {
    for round in 0..ROUNDS {
        let w = world(db).await;
        let s = w.store.clone();
        move_to(&s, &w.admin, w.id, Stage::SelfAssessment).await;
        move_to(&s, &w.admin, w.id, Stage::Review).await;
        let (s1, s2) = (s.clone(), s.clone());
        let (assessor, admin, id) = (w.assessor.clone(), w.admin.clone(), w.id);
        let score = tokio::spawn(async move {
            s1.set_score(
                &assessor,
                id,
                "320623001",
                "1.1.1",
                Ledger::Assessor,
                "0.04",
                "面积不足",
                None,
                NOW,
            )
            .await
        });
        let mv = tokio::spawn(async move {
            s2.advance(
                &admin,
                id,
                Stage::Publication,
                "",
                NOW,
                kaohe_store::Gate::none(),
            )
            .await
        });
        let (score, mv) = (score.await.unwrap(), mv.await.unwrap());
        mv.unwrap();
        match score {
            Ok(_) => {
                let (set, moved) = (
                    seq_of(&s, "score.set").await,
                    seq_of(&s, "stage.advance").await,
                );
                assert!(
                    set < moved,
                    "round {round}: score {set:?} after the move {moved:?}"
                );
            }
            Err(StoreError::Forbidden(m)) => assert!(m.contains("公示"), "round {round}: {m}"),
            Err(e) => panic!("round {round}: {e}"),
        }
    }
}

/// `add_finding` and `import` check "one source per count" under the lock: a hand-made finding and
/// an import of the same clause at once — exactly one of them goes in.
pub(crate) async fn a_hand_finding_and_an_import_at_once_never_count_one_clause_twice(db: Db) {
    for round in 0..ROUNDS {
        let w = world(db).await;
        let s = w.store.clone();
        move_to(&s, &w.admin, w.id, Stage::SelfAssessment).await;
        move_to(&s, &w.admin, w.id, Stage::Review).await;
        let imp = Import {
            kind: "办件".into(),
            files: vec![("办件.csv".into(), "cd".repeat(32))],
            rows: 2,
            metrics: vec![],
            findings: vec![(
                "320623001".into(),
                "1.4.3a".into(),
                "办件 A1 超期 2 个工作日".into(),
                "办件.csv 第 2 行".into(),
            )],
            receipts: "[]".into(),
        };
        let (s1, s2) = (s.clone(), s.clone());
        let (assessor, admin, id) = (w.assessor.clone(), w.admin.clone(), w.id);
        let hand = tokio::spawn(async move {
            s1.add_finding(&assessor, id, "320623001", "1.4.3a", "办件 M1 超期", NOW)
                .await
        });
        let imported = tokio::spawn(async move { s2.import(&admin, id, &imp, NOW).await });
        let (hand, imported) = (hand.await.unwrap(), imported.await.unwrap());
        assert!(
            hand.is_ok() != imported.is_ok(),
            "round {round}: exactly one may go in: {hand:?} / {imported:?}"
        );
        let kinds: Vec<bool> = s
            .findings_of(&w.admin, w.id, "320623001")
            .await
            .unwrap()
            .iter()
            .filter(|f| f.clause_id == "1.4.3a")
            .map(|f| f.imported)
            .collect();
        assert_eq!(kinds.len(), 1, "round {round}: {kinds:?}");
    }
}

/// `finalize` counts the open objections under the lock and checks that its stage change took: an
/// objection filed while the result is sealed is either counted (定档 refused) or refused (定档).
pub(crate) async fn an_objection_and_the_finalisation_at_once_never_seal_over_an_open_objection(
    db: Db,
) {
    for round in 0..ROUNDS {
        let w = world(db).await;
        let s = w.store.clone();
        for to in [Stage::SelfAssessment, Stage::Review, Stage::Publication] {
            s.advance(&w.admin, w.id, to, "", NOW, kaohe_store::Gate::none())
                .await
                .unwrap();
        }
        let (s1, s2) = (s.clone(), s.clone());
        let (reporter, admin, id) = (w.reporter.clone(), w.admin.clone(), w.id);
        let object = tokio::spawn(async move {
            s1.file_objection(&reporter, id, "320623001", "1.1.1", "标识已更换", NOW)
                .await
        });
        let seal = tokio::spawn(async move {
            s2.finalize(
                &admin,
                id,
                "定档",
                NOW,
                kaohe_store::Gate::none(),
                |_, _| "{}".into(),
            )
            .await
        });
        let (object, seal) = (object.await.unwrap(), seal.await.unwrap());
        assert!(
            object.is_ok() != seal.is_ok(),
            "round {round}: exactly one may go in: {object:?} / {seal:?}"
        );
        let open = s
            .objections(&w.admin, w.id)
            .await
            .unwrap()
            .iter()
            .filter(|o| o.status == "open")
            .count();
        let stage = s.assessment(w.id).await.unwrap().stage;
        assert!(
            (stage == Stage::Final) == (open == 0),
            "round {round}: {stage:?} with {open} open objections"
        );
    }
}
