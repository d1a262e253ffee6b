//! Issue 13 parts 2 and 3: files on objections and findings (a photo's EXIF time kept), removed or
//! replaced until their stage closes, each an audit entry; objections decided on purpose (采纳 with
//! the new 最终分 written to the 最终 ledger, 驳回 with its reason) and reopened by the admin with
//! the earlier decision kept.

use super::*;
use kaohe_store::{Attach, Decision, NewFinding, Upload};

const UNIT: &str = "320623001";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF";

fn invalid(e: StoreError) -> String {
    match e {
        StoreError::Invalid(m) => m,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn forbidden(e: StoreError) -> String {
    match e {
        StoreError::Forbidden(m) => m,
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

async fn final_score(s: &Store, by: &User, id: i64) -> Option<String> {
    s.scores(by, id, UNIT)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.clause_id == "1.1.1" && x.ledger == Ledger::Final)
        .map(|x| x.score)
}

async fn actions(s: &Store) -> Vec<String> {
    s.audit_log()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

pub(crate) async fn objections_are_decided_on_purpose_and_reopened(db: Db) {
    let w = world(db).await;
    let (s, id) = (&w.store, w.id);
    move_to(s, &w.admin, id, Stage::SelfAssessment).await;
    move_to(s, &w.admin, id, Stage::Review).await;
    s.set_score(
        &w.assessor,
        id,
        UNIT,
        "1.1.1",
        Ledger::Assessor,
        "0.03",
        "标识牌缺失",
        None,
        NOW,
    )
    .await
    .unwrap();
    move_to(s, &w.admin, id, Stage::Publication).await;
    let file = Upload {
        name: "标识牌照片.pdf",
        bytes: PDF,
    };
    let oid = s
        .file_objection_with(&w.reporter, id, UNIT, "1.1.1", "标识牌已悬挂", &[file], NOW)
        .await
        .unwrap();
    let ev = s.evidence(&w.reporter, id, UNIT).await.unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].objection_id, Some(oid));
    assert_eq!(ev[0].original_name, "标识牌照片.pdf");
    // 采纳 without the new 最终分, 驳回 without a reason: refused, nothing changes.
    let up = |score: Option<&'static str>, reason: &'static str| Decision {
        upheld: true,
        reason,
        score,
    };
    let e = s
        .decide_objection(&w.assessor, id, oid, &up(None, "属实"), NOW)
        .await
        .unwrap_err();
    assert_eq!(invalid(e), "采纳异议须填写条款 1.1.1 新的最终分");
    let e = s
        .decide_objection(&w.assessor, id, oid, &up(Some(" "), "属实"), NOW)
        .await
        .unwrap_err();
    assert!(invalid(e).contains("新的最终分"));
    let no = Decision {
        upheld: false,
        reason: " ",
        score: None,
    };
    let e = s
        .decide_objection(&w.assessor, id, oid, &no, NOW)
        .await
        .unwrap_err();
    assert_eq!(invalid(e), "驳回异议须写明理由");
    assert_eq!(s.objections(&w.admin, id).await.unwrap()[0].status, "open");
    assert_eq!(final_score(s, &w.admin, id).await, None);
    assert_eq!(
        kaohe_store::Outcome::parse(None).unwrap_err().to_string(),
        "请选择处理结果：采纳或驳回"
    );
    // 采纳 with 0.05: the 最终 ledger holds it and the scoring inputs use it.
    s.decide_objection(&w.assessor, id, oid, &up(Some("0.05"), "现场复核属实"), NOW)
        .await
        .unwrap();
    assert_eq!(final_score(s, &w.admin, id).await.as_deref(), Some("0.05"));
    let judged = |inputs: &kaohe_core::Inputs| {
        inputs
            .judgements
            .iter()
            .find(|j| &*j.unit == UNIT && &*j.clause == "1.1.1")
            .map(|j| j.score.normalize().to_string())
    };
    assert_eq!(
        judged(&s.inputs(id).await.unwrap()).as_deref(),
        Some("0.05")
    );
    let o = &s.objections(&w.reporter, id).await.unwrap()[0];
    assert_eq!(
        (o.status.as_str(), o.score.as_deref()),
        ("upheld", Some("0.05"))
    );
    // Its files are fixed once decided.
    let e = s
        .remove_evidence(&w.reporter, id, UNIT, ev[0].id, NOW)
        .await
        .unwrap_err();
    assert!(invalid(e).contains("已处理"));
    // Reopened: the admin only, with a reason.
    let e = s
        .reopen_objection(&w.assessor, id, oid, "复核", NOW)
        .await
        .unwrap_err();
    assert!(forbidden(e).contains("无权重新打开已处理的异议"));
    let e = s
        .reopen_objection(&w.admin, id, oid, " ", NOW)
        .await
        .unwrap_err();
    assert_eq!(invalid(e), "重新打开异议须写明理由");
    s.reopen_objection(&w.admin, id, oid, "复核发现照片非本单位", NOW)
        .await
        .unwrap();
    let o = &s.objections(&w.reporter, id).await.unwrap()[0];
    assert_eq!((o.status.as_str(), o.score.as_deref()), ("open", None));
    assert_eq!(o.decision, None);
    assert_eq!(o.history.len(), 1);
    let h = &o.history[0];
    assert_eq!(
        (
            h.status.as_str(),
            h.decision.as_str(),
            h.score.as_deref(),
            h.decided_by.as_str(),
            h.reopened_by.as_str(),
            h.reopen_reason.as_str()
        ),
        (
            "upheld",
            "现场复核属实",
            Some("0.05"),
            "王芳",
            "县政务办",
            "复核发现照片非本单位"
        )
    );
    // The 最终分 the decision set is put back to the clause's score before it.
    assert_eq!(final_score(s, &w.admin, id).await.as_deref(), Some("0.03"));
    let e = s
        .reopen_objection(&w.admin, id, oid, "再开", NOW)
        .await
        .unwrap_err();
    assert!(invalid(e).contains("尚未处理"));
    // Decided again: 驳回 with its reason.
    let no = Decision {
        upheld: false,
        reason: "照片非本单位",
        score: None,
    };
    s.decide_objection(&w.assessor, id, oid, &no, NOW)
        .await
        .unwrap();
    let o = &s.objections(&w.reporter, id).await.unwrap()[0];
    assert_eq!(
        (o.status.as_str(), o.decision.as_deref()),
        ("rejected", Some("照片非本单位"))
    );
    assert_eq!(final_score(s, &w.admin, id).await.as_deref(), Some("0.03"));
    let log = actions(s).await;
    for a in [
        "objection.file",
        "evidence.add",
        "objection.uphold",
        "objection.reopen",
        "objection.reject",
    ] {
        assert!(log.iter().any(|x| x == a), "{a} in {log:?}");
    }
    // Nor the unit's reporter.
    let e = s
        .reopen_objection(&w.reporter, id, oid, "再开", NOW)
        .await
        .unwrap_err();
    assert!(forbidden(e).contains("只有管理员可以"));
    assert!(s.audit_replay().await.unwrap().is_empty());
}

pub(crate) async fn files_are_attached_removed_and_replaced_until_their_stage_closes(db: Db) {
    let w = world(db).await;
    let (s, id) = (&w.store, w.id);
    move_to(s, &w.admin, id, Stage::SelfAssessment).await;
    // 自评 evidence: removed and replaced by the reporter while 自评 is open.
    let first = s
        .put_evidence(&w.reporter, id, UNIT, "1.1.1", "旧照片.pdf", PDF, NOW)
        .await
        .unwrap();
    let other = b"%PDF-1.7\n2 0 obj << >> endobj\n%%EOF";
    let new = s
        .attach_evidence(
            &w.reporter,
            id,
            UNIT,
            Attach::Clause("1.1.1"),
            &Upload {
                name: "新照片.pdf",
                bytes: other,
            },
            Some(first.id),
            NOW,
        )
        .await
        .unwrap();
    let ev = s.evidence(&w.reporter, id, UNIT).await.unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (ev[0].id, ev[0].original_name.as_str()),
        (new.id, "新照片.pdf")
    );
    // A file at the limit is taken; one byte over is refused in Chinese, nothing kept.
    let mut at_limit = b"%PDF-1.7\n".to_vec();
    at_limit.resize(kaohe_store::evidence::MAX_BYTES, b' ');
    let big = s
        .attach_evidence(
            &w.reporter,
            id,
            UNIT,
            Attach::Clause("1.1.2"),
            &Upload {
                name: "整本台账.pdf",
                bytes: &at_limit,
            },
            None,
            NOW,
        )
        .await
        .unwrap();
    at_limit.push(b' ');
    let e = s
        .attach_evidence(
            &w.reporter,
            id,
            UNIT,
            Attach::Clause("1.1.2"),
            &Upload {
                name: "太大.pdf",
                bytes: &at_limit,
            },
            None,
            NOW,
        )
        .await
        .unwrap_err();
    assert_eq!(invalid(e), "文件“太大.pdf”过大：20.0 MB，上限 20 MB");
    s.remove_evidence(&w.reporter, id, UNIT, big.id, NOW)
        .await
        .unwrap();
    assert_eq!(s.evidence(&w.reporter, id, UNIT).await.unwrap().len(), 1);
    // Not by another unit's reporter, nor an assessor.
    let e = s
        .remove_evidence(&w.assessor, id, UNIT, new.id, NOW)
        .await
        .unwrap_err();
    assert!(forbidden(e).contains("由被考核单位上传"));
    move_to(s, &w.admin, id, Stage::Review).await;
    // After 自评: refused, naming the stage.
    let e = s
        .remove_evidence(&w.reporter, id, UNIT, new.id, NOW)
        .await
        .unwrap_err();
    assert_eq!(
        forbidden(e),
        "当前为“考核”阶段，自评佐证材料只能在自评阶段删除或替换"
    );
    // A finding with a photo taken on site: the camera's time kept.
    let photo = kaohe_store::exif::sample_jpeg("2024:05:08 10:21:33", true);
    let files = [Upload {
        name: "现场.jpg",
        bytes: &photo,
    }];
    let f = NewFinding {
        clause: "1.4.2",
        description: "指南缺少样表",
        files: &files,
        ..NewFinding::default()
    };
    let fid = s
        .add_typed_finding(&w.assessor, id, UNIT, &f, NOW)
        .await
        .unwrap();
    let ph: Vec<_> = s
        .evidence(&w.admin, id, UNIT)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.finding_id == Some(fid))
        .collect();
    assert_eq!(ph.len(), 1);
    assert_eq!(ph[0].taken_at.as_deref(), Some("2024-05-08 10:21:33"));
    assert_eq!(ph[0].mime, "image/jpeg");
    // A reporter does not see findings' photos before 公示.
    assert!(
        s.evidence(&w.reporter, id, UNIT)
            .await
            .unwrap()
            .iter()
            .all(|e| e.finding_id.is_none())
    );
    let e = s
        .evidence_file(&w.reporter, &ph[0].sha256)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
    // A bad file refuses the whole finding.
    let bad = [Upload {
        name: "a.png",
        bytes: b"<html><script>",
    }];
    let e = s
        .add_typed_finding(
            &w.assessor,
            id,
            UNIT,
            &NewFinding {
                clause: "1.4.2",
                description: "另一例",
                files: &bad,
                ..NewFinding::default()
            },
            NOW,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Unsupported(m) if m.contains("a.png")),
        "{e:?}"
    );
    assert_eq!(s.findings_of(&w.admin, id, UNIT).await.unwrap().len(), 1);
    // Replaced, then another added, by another assessor: refused (not assigned).
    let e = s
        .attach_evidence(
            &w.other_assessor,
            id,
            UNIT,
            Attach::Finding(fid),
            &Upload {
                name: "x.pdf",
                bytes: PDF,
            },
            None,
            NOW,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
    let re = s
        .attach_evidence(
            &w.assessor,
            id,
            UNIT,
            Attach::Finding(fid),
            &Upload {
                name: "重拍.pdf",
                bytes: PDF,
            },
            Some(ph[0].id),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(re.finding_id, Some(fid));
    move_to(s, &w.admin, id, Stage::Publication).await;
    let e = s
        .remove_evidence(&w.assessor, id, UNIT, re.id, NOW)
        .await
        .unwrap_err();
    assert_eq!(
        forbidden(e),
        "当前为“公示”阶段，问题记录的照片和材料只能在考核阶段添加、删除或替换"
    );
    // Published: the reporter sees the finding's file.
    assert!(
        s.evidence(&w.reporter, id, UNIT)
            .await
            .unwrap()
            .iter()
            .any(|e| e.finding_id == Some(fid))
    );
    // An objection's files: added, replaced, removed while 公示 is open.
    let oid = s
        .file_objection(&w.reporter, id, UNIT, "1.1.1", "标识牌已悬挂", NOW)
        .await
        .unwrap();
    let o1 = s
        .attach_evidence(
            &w.reporter,
            id,
            UNIT,
            Attach::Objection(oid),
            &Upload {
                name: "补充.pdf",
                bytes: PDF,
            },
            None,
            NOW,
        )
        .await
        .unwrap();
    s.remove_evidence(&w.reporter, id, UNIT, o1.id, NOW)
        .await
        .unwrap();
    let log = s.audit_log().await.unwrap();
    let removed: Vec<_> = log
        .iter()
        .filter(|e| e.action == "evidence.remove")
        .collect();
    assert_eq!(removed.len(), 2);
    assert_eq!(removed[1].old.as_deref(), Some("补充.pdf"));
    assert!(
        removed[1]
            .entity
            .contains(&format!("/objection/{oid}/evidence/"))
    );
    let replaced: Vec<_> = log
        .iter()
        .filter(|e| e.action == "evidence.replace")
        .map(|e| (e.old.clone(), e.new.clone()))
        .collect();
    assert_eq!(
        replaced,
        [
            (Some("旧照片.pdf".into()), Some("新照片.pdf".into())),
            (Some("现场.jpg".into()), Some("重拍.pdf".into()))
        ]
    );
    assert!(s.audit_replay().await.unwrap().is_empty());
}
