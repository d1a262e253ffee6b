//! Units and accounts (issue 12): edits, disabling, password resets and changes, unit codes,
//! reassignment with a reason, and a roster written whole or not at all — each checked under the
//! write lock by policy and preconditions, each with its audit entry, and the log replaying to the
//! tables afterwards.

use super::*;
use kaohe_store::{AccountEdit, NewAccount, NewUnit, Roster};

fn account(login: &str, role: Role, unit: Option<&str>) -> NewAccount {
    NewAccount {
        login: login.into(),
        name: format!("{login}的姓名"),
        role,
        unit: unit.map(Into::into),
        phone: None,
        password: "initial-pass-1".into(),
    }
}

fn invalid(e: StoreError) -> String {
    match e {
        StoreError::Invalid(m) => m,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// The last audit entry of `action`.
async fn last_entry(w: &World, action: &str) -> kaohe_store::audit::Entry {
    w.store
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .max_by_key(|e| e.seq)
        .unwrap_or_else(|| panic!("no {action} entry"))
}

async fn replay_is_clean(w: &World) {
    assert!(w.store.audit_verify().await.unwrap().is_ok());
    assert_eq!(w.store.audit_replay().await.unwrap(), Vec::<String>::new());
}

pub(crate) async fn accounts_are_added_edited_and_disabled_by_the_admin_with_their_audit(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    // Only an admin; a reporter is refused before anything is read.
    let e = s
        .add_account(
            &w.reporter,
            Some(w.id),
            &account("x1", Role::Viewer, None),
            NOW,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
    // A reporter's unit is one of the assessment's units: free text and other codes are refused.
    for unit in ["曹埠镇", "999999999"] {
        let m = invalid(
            s.add_account(
                &w.admin,
                Some(w.id),
                &account("x2", Role::Reporter, Some(unit)),
                NOW,
            )
            .await
            .unwrap_err(),
        );
        assert_eq!(
            m,
            format!("所属单位“{unit}”不是本次考核的被考核单位：请从本次考核的单位中选择")
        );
    }
    let m = invalid(
        s.add_account(
            &w.admin,
            None,
            &account("x2", Role::Reporter, Some("320623100")),
            NOW,
        )
        .await
        .unwrap_err(),
    );
    assert!(m.contains("须从一次考核的单位中选择"), "{m}");
    // Every field problem at once.
    let bad = NewAccount {
        login: "张 三".into(),
        name: "".into(),
        role: Role::Viewer,
        unit: Some("320623100".into()),
        phone: Some("一三八".into()),
        password: "short".into(),
    };
    let m = invalid(
        s.add_account(&w.admin, Some(w.id), &bad, NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        m,
        "登录名“张 三”只能由英文字母、数字和 . _ - @ 组成；姓名不能为空；领导不绑定单位：所属单位应留空；电话“一三八”应为数字（可含 - 和 +），如 13800000000 或 0513-84512345；密码至少 8 位"
    );
    // A good one: its initial password must be changed at the first sign-in.
    let matang = s
        .add_account(
            &w.admin,
            Some(w.id),
            &account("matang", Role::Reporter, Some("320623100")),
            NOW,
        )
        .await
        .unwrap();
    assert!(s.must_change_password(&matang).await.unwrap());
    assert!(!s.must_change_password(&w.reporter).await.unwrap());
    let m = invalid(
        s.add_account(
            &w.admin,
            Some(w.id),
            &account("matang", Role::Viewer, None),
            NOW,
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(m, "登录名“matang”已存在");

    // Edit: name, unit (one of the assessment's), phone; audited with before and after (the phone
    // masked, and a reporter's name: the log keeps its first character).
    let edit = AccountEdit {
        name: "掘港街道填报员".into(),
        role: Role::Reporter,
        unit: Some("320623100".into()),
        phone: Some("0513-84512345".into()),
    };
    s.edit_account(&w.admin, Some(w.id), "juegang", &edit, NOW)
        .await
        .unwrap();
    let e = last_entry(&w, "user.edit").await;
    assert_eq!(e.entity, "user/juegang");
    assert_eq!(
        e.old.as_deref(),
        Some(
            r#"{"login":"juegang","name":"掘****","phone":null,"role":"reporter","unit":"320623001"}"#
        )
    );
    assert_eq!(
        e.new.as_deref(),
        Some(
            r#"{"login":"juegang","name":"掘******","phone":"051******2345","role":"reporter","unit":"320623100"}"#
        )
    );
    let m = invalid(
        s.edit_account(
            &w.admin,
            Some(w.id),
            "juegang",
            &AccountEdit {
                unit: Some("32062300".into()),
                ..edit.clone()
            },
            NOW,
        )
        .await
        .unwrap_err(),
    );
    assert!(m.contains("不是本次考核的被考核单位"), "{m}");
    // An assessor who still scores a unit keeps the role until the unit is reassigned.
    let m = invalid(
        s.edit_account(
            &w.admin,
            Some(w.id),
            "wangfang",
            &AccountEdit {
                name: "王芳".into(),
                role: Role::Viewer,
                unit: None,
                phone: None,
            },
            NOW,
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(m, "王芳 仍负责 1 个单位的考核：请先改派这些单位，再改角色");
    // The last active admin stays one, and cannot be disabled.
    let m = invalid(
        s.edit_account(
            &w.admin,
            Some(w.id),
            "admin",
            &AccountEdit {
                name: "县政务办".into(),
                role: Role::Viewer,
                unit: None,
                phone: None,
            },
            NOW,
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(m, "这是唯一启用的管理员账号：不能停用或改为其他角色");
    let m = invalid(
        s.set_account_active(&w.admin, "admin", false, "离职", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(m, "不能停用自己的账号");

    // Disable: sign-in refused, the session ends; never deleted; re-enabled it signs in again.
    s.create_session(
        &w.reporter,
        "tok-juegang",
        "csrf",
        NOW,
        "2099-01-01T00:00:00Z",
    )
    .await
    .unwrap();
    assert!(s.session("tok-juegang", NOW).await.unwrap().is_some());
    let m = invalid(
        s.set_account_active(&w.admin, "juegang", false, " ", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(m, "请填写理由");
    let e = s
        .set_account_active(&w.assessor, "juegang", false, "离职", NOW)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)));
    s.set_account_active(&w.admin, "juegang", false, "调离", NOW)
        .await
        .unwrap();
    assert!(s.session("tok-juegang", NOW).await.unwrap().is_none());
    assert!(
        s.authenticate("juegang", "reporter-pass-1")
            .await
            .unwrap()
            .is_none()
    );
    let e = last_entry(&w, "user.disable").await;
    assert_eq!(
        (e.entity.as_str(), e.why.as_deref()),
        ("user/juegang", Some("调离"))
    );
    let listed = s.accounts(&w.admin).await.unwrap();
    let j = listed.iter().find(|a| a.login == "juegang").unwrap();
    assert!(!j.active);
    assert_eq!(j.phone.as_deref(), Some("0513-84512345"));
    assert_eq!(listed.len(), 5, "nothing deleted");
    assert!(
        serde_json::to_string(&listed)
            .unwrap()
            .find("argon2")
            .is_none(),
        "no hash in the list"
    );
    let m = invalid(
        s.set_account_active(&w.admin, "juegang", false, "再停", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(m, "账号“juegang”已是停用状态");
    s.set_account_active(&w.admin, "juegang", true, "返岗", NOW)
        .await
        .unwrap();
    assert!(
        s.authenticate("juegang", "reporter-pass-1")
            .await
            .unwrap()
            .is_some()
    );
    // Every change above replays to the tables; one behind the store's back is named.
    replay_is_clean(&w).await;
    sqlx::query("UPDATE users SET active = 0 WHERE login = 'lina'")
        .execute(s.pool())
        .await
        .unwrap();
    assert_eq!(
        s.audit_replay().await.unwrap(),
        [
            "账户“lina”在表中为 李娜（考核员，单位 无，已停用），审计日志记载为 李娜（考核员，单位 无，启用）：在审计日志之外被改动"
        ]
    );
}

pub(crate) async fn a_reset_password_must_be_changed_and_a_change_needs_the_old_one(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    s.create_session(&w.reporter, "tok", "csrf", NOW, "2099-01-01T00:00:00Z")
        .await
        .unwrap();
    let e = s
        .reset_password(&w.assessor, "juegang", "new-initial-1", NOW)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)));
    let m = invalid(
        s.reset_password(&w.admin, "juegang", "short", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(m, "密码至少 8 位");
    s.reset_password(&w.admin, "juegang", "new-initial-1", NOW)
        .await
        .unwrap();
    // The session ends; the new password signs in and must be changed before anything else.
    let session = s.session("tok", NOW).await.unwrap();
    assert!(session.is_none());
    assert!(
        s.authenticate("juegang", "reporter-pass-1")
            .await
            .unwrap()
            .is_none()
    );
    let u = s
        .authenticate("juegang", "new-initial-1")
        .await
        .unwrap()
        .unwrap();
    s.create_session(&u, "tok2", "csrf", NOW, "2099-01-01T00:00:00Z")
        .await
        .unwrap();
    assert!(
        s.session("tok2", NOW)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
    // A change needs the old password, a new one of at least 8, and a different one.
    let m = invalid(
        s.change_own_password(&u, "wrong-old-1", "my-own-pass-1", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(m, "原密码不正确");
    let m = invalid(
        s.change_own_password(&u, "new-initial-1", "1234567", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(m, "新密码至少 8 位");
    let m = invalid(
        s.change_own_password(&u, "new-initial-1", "new-initial-1", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(m, "新密码不能与原密码相同");
    s.change_own_password(&u, "new-initial-1", "my-own-pass-1", NOW)
        .await
        .unwrap();
    assert!(!s.must_change_password(&u).await.unwrap());
    assert!(
        !s.session("tok2", NOW)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
    assert!(
        s.authenticate("juegang", "my-own-pass-1")
            .await
            .unwrap()
            .is_some()
    );
    // Audited, without a password or a hash.
    for (action, actor) in [
        ("user.password_reset", "admin"),
        ("user.password_change", "juegang"),
    ] {
        let e = last_entry(&w, action).await;
        assert_eq!(
            (e.actor.as_str(), e.entity.as_str()),
            (actor, "user/juegang")
        );
        assert_eq!((e.old, e.new), (None, None));
    }
    replay_is_clean(&w).await;
}

pub(crate) async fn units_are_edited_in_draft_with_checked_codes(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    let m = invalid(
        s.add_unit(&w.admin, w.id, "32062310", "长沙镇", "镇", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        m,
        "单位编码“32062310”是 8 位数字：区划代码应为 9 位数字（如 320623001）"
    );
    let m = invalid(
        s.add_unit(&w.admin, w.id, "曹埠镇", "曹埠镇", "镇", NOW)
            .await
            .unwrap_err(),
    );
    assert!(m.contains("不是数字"), "{m}");
    // Name and kind.
    let edit = |code: &str, name: &str, kind: &str| NewUnit {
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
    };
    s.edit_unit(
        &w.admin,
        w.id,
        "320623100",
        &edit("320623100", "马塘镇人民政府", "镇"),
        NOW,
    )
    .await
    .unwrap();
    let m = invalid(
        s.edit_unit(
            &w.admin,
            w.id,
            "320623100",
            &edit("32062310", "马塘镇", "市"),
            NOW,
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(
        m,
        "单位编码“32062310”是 8 位数字：区划代码应为 9 位数字（如 320623001）；单位类型“市”应为 镇 / 街道 / 区"
    );
    let m = invalid(
        s.edit_unit(
            &w.admin,
            w.id,
            "320623100",
            &edit("320623001", "马塘镇", "镇"),
            NOW,
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(m, "单位编码“320623001”已是本次考核中另一个单位的编码");
    // A new code: the assignment and the reporter follow, the reporter's move audited.
    s.edit_unit(
        &w.admin,
        w.id,
        "320623001",
        &edit("320623002", "掘港街道", "街道"),
        NOW,
    )
    .await
    .unwrap();
    let codes: Vec<String> = s
        .units(w.id)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.code)
        .collect();
    assert_eq!(codes, ["320623002", "320623100"]);
    assert_eq!(
        s.assignments(w.id).await.unwrap(),
        [(
            "wangfang".to_string(),
            "王芳".to_string(),
            "320623002".to_string()
        )]
    );
    let j = s.user_by_login("juegang").await.unwrap().unwrap();
    assert_eq!(j.unit_code.as_deref(), Some("320623002"));
    let e = last_entry(&w, "unit.edit").await;
    assert_eq!(e.entity, format!("assessment/{}/unit/320623001", w.id));
    assert_eq!(
        e.new.as_deref(),
        Some(r#"{"code":"320623002","kind":"街道","name":"掘港街道"}"#)
    );
    replay_is_clean(&w).await;
    // After 草稿, units are fixed.
    move_to(s, &w.admin, w.id, Stage::SelfAssessment).await;
    let e = s
        .edit_unit(
            &w.admin,
            w.id,
            "320623100",
            &edit("320623100", "马塘镇", "镇"),
            NOW,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Forbidden(m) if m == "当前为“自评”阶段，不能设置单位与分工"),
        "{e:?}"
    );
}

pub(crate) async fn an_assessor_is_replaced_with_a_reason_at_any_stage_before_final(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    // 安排 never adds a second assessor beside the first.
    let m = invalid(
        s.assign(&w.admin, w.id, &w.other_assessor, "320623001", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        m,
        "单位 320623001 已由考核员 王芳 负责：更换考核员请用“改派”（须填写理由）"
    );
    move_to(s, &w.admin, w.id, Stage::SelfAssessment).await;
    move_to(s, &w.admin, w.id, Stage::Review).await;
    let m = invalid(
        s.reassign(&w.admin, w.id, "320623001", "wangfang", "lina", "", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(m, "改派请填写理由");
    let m = invalid(
        s.reassign(
            &w.admin,
            w.id,
            "320623001",
            "wangfang",
            "juegang",
            "病假",
            NOW,
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(m, "掘港填报员 不是考核员");
    let m = invalid(
        s.reassign(&w.admin, w.id, "320623100", "wangfang", "lina", "病假", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(m, "“wangfang”不是单位 320623100 的考核员，无从改派");
    let e = s
        .reassign(
            &w.assessor,
            w.id,
            "320623001",
            "wangfang",
            "lina",
            "病假",
            NOW,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)));
    // In 考核: replaced, not added; the audit entry names both and the reason.
    s.reassign(
        &w.admin,
        w.id,
        "320623001",
        "wangfang",
        "lina",
        "王芳病假，改由李娜考核",
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(
        s.assignments(w.id).await.unwrap(),
        [(
            "lina".to_string(),
            "李娜".to_string(),
            "320623001".to_string()
        )]
    );
    assert!(!s.assigned(w.id, &w.assessor, "320623001").await.unwrap());
    let e = last_entry(&w, "assignment.replace").await;
    assert_eq!(
        (e.old.as_deref(), e.new.as_deref(), e.why.as_deref()),
        (
            Some("wangfang"),
            Some("lina"),
            Some("王芳病假，改由李娜考核")
        )
    );
    let m = invalid(
        s.reassign(&w.admin, w.id, "320623001", "lina", "lina", "x", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(m, "李娜 已是单位 320623001 的考核员");
    // The new assessor scores; the old one no longer may.
    s.set_score(
        &w.other_assessor,
        w.id,
        "320623001",
        "1.1.1",
        Ledger::Assessor,
        "0.05",
        "",
        None,
        NOW,
    )
    .await
    .unwrap();
    let e = s
        .set_score(
            &w.assessor,
            w.id,
            "320623001",
            "1.1.2",
            Ledger::Assessor,
            "0.05",
            "",
            None,
            NOW,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)));
    // In 公示 still; after 定档 no more.
    move_to(s, &w.admin, w.id, Stage::Publication).await;
    s.reassign(
        &w.admin,
        w.id,
        "320623001",
        "lina",
        "wangfang",
        "李娜出差",
        NOW,
    )
    .await
    .unwrap();
    s.finalize(
        &w.admin,
        w.id,
        "定档",
        NOW,
        kaohe_store::Gate::none(),
        |_, _| "{}".into(),
    )
    .await
    .unwrap();
    let e = s
        .reassign(&w.admin, w.id, "320623001", "wangfang", "lina", "x", NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Forbidden(m) if m == "当前为“定档”阶段，不能改派考核员"),
        "{e:?}"
    );
}

pub(crate) async fn a_roster_is_written_whole_or_not_at_all(db: Db) {
    let w = world(db).await;
    let s = &w.store;
    let count = |t: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
            .fetch_one(s.pool())
            .await
            .unwrap()
    };
    let unit = |code: &str, name: &str| NewUnit {
        code: code.into(),
        name: name.into(),
        kind: "镇".into(),
    };
    let good = Roster {
        units: vec![unit("320623103", "长沙镇"), unit("320623104", "洋口镇")],
        accounts: vec![
            account("changsha", Role::Reporter, Some("320623103")),
            account("matang", Role::Reporter, Some("320623100")),
            account("zhaolei", Role::Assessor, None),
        ],
    };
    // One bad account (a unit in neither the assessment nor the file): nothing is written.
    let mut bad = good.clone();
    bad.accounts[2] = account("zhaolei", Role::Reporter, Some("320623999"));
    bad.accounts.push(account("changsha", Role::Viewer, None));
    let (units, users, log) = (
        count("units").await,
        count("users").await,
        count("audit_log").await,
    );
    let m = invalid(
        s.import_roster(&w.admin, w.id, &bad, "名册.xlsx", NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        m,
        "导入未进行（全部不导入）：账号 zhaolei：所属单位“320623999”不是本次考核的被考核单位；账号 changsha：登录名“changsha”重复或已存在"
    );
    assert_eq!(
        (
            count("units").await,
            count("users").await,
            count("audit_log").await
        ),
        (units, users, log)
    );
    // Not an admin: refused.
    let e = s
        .import_roster(&w.assessor, w.id, &good, "名册.xlsx", NOW)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)));
    // The good one: every unit and account, each audited, then the import's own entry.
    assert_eq!(
        s.import_roster(&w.admin, w.id, &good, "名册.xlsx", NOW)
            .await
            .unwrap(),
        (2, 3)
    );
    assert_eq!(count("units").await, units + 2);
    assert_eq!(count("users").await, users + 3);
    assert_eq!(count("audit_log").await, log + 2 + 3 + 1);
    let e = last_entry(&w, "roster.import").await;
    assert_eq!(
        e.new.as_deref(),
        Some(r#"{"accounts":3,"file":"名册.xlsx","units":2}"#)
    );
    let u = s
        .authenticate("changsha", "initial-pass-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.unit_code.as_deref(), Some("320623103"));
    assert!(s.must_change_password(&u).await.unwrap());
    replay_is_clean(&w).await;
    // After 草稿: accounts alone may be imported, units no longer.
    move_to(s, &w.admin, w.id, Stage::SelfAssessment).await;
    let more = Roster {
        units: vec![unit("320623105", "栟茶镇")],
        accounts: vec![],
    };
    let e = s
        .import_roster(&w.admin, w.id, &more, "名册.xlsx", NOW)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
    let more = Roster {
        units: vec![],
        accounts: vec![account("yangkou", Role::Reporter, Some("320623104"))],
    };
    assert_eq!(
        s.import_roster(&w.admin, w.id, &more, "名册.xlsx", NOW)
            .await
            .unwrap(),
        (0, 1)
    );
}
