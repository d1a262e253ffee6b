//! Issue 13 parts 2 and 3 on the unit page: a finding recorded with a photo from the phone's camera
//! (its EXIF time and the upload time in Beijing time shown), replaced and removed in 考核 and
//! refused after; an objection filed with a file, its files added and removed while open; a
//! decision with no outcome, 采纳 without a 最终分 refused; 采纳 changing the 最终分; reopened by the
//! admin with a reason and its history shown; the size limit at the limit.

use super::*;

/// Base64url without padding, as the page's script sends a file.
fn b64url(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..=c.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn enc(s: &str) -> String {
    kaohe_store::url::percent_encode(s, b"-._~")
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF";

pub(crate) async fn objection_files_and_finding_photos_on_the_unit_page(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    let to = |stage| {
        let (s, u, now) = (&a.store, admin_user.clone(), now.clone());
        async move {
            s.advance(&u, id, stage, "推进", &now, kaohe_store::Gate::none())
                .await
                .unwrap();
        }
    };
    // The fixture is in 考核.
    let unit_page = format!("/a/{id}/u/320623001");
    let ass = web_login(&a, "wangfang").await;
    let (_, html) = page(&a, &ass, &unit_page).await;
    assert!(
        html.contains(r#"accept="image/*" capture="environment""#),
        "the finding form offers the camera"
    );
    // A finding with a photo taken on site.
    let photo = kaohe_store::exif::sample_jpeg("2021:11:30 15:04:05", false);
    let body = format!(
        "csrf={}&clause=1.4.2&description={}&photo_data={}&photo_name={}",
        ass.csrf,
        enc("指南缺少样表"),
        b64url(&photo),
        enc("现场.jpg")
    );
    let (s, html, _) = a.form(&ass, &format!("{unit_page}/finding"), body).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let (_, html) = page(&a, &ass, &unit_page).await;
    assert!(
        html.contains("现场.jpg")
            && html.contains("2021年12月1日 17:00 上传，拍摄于 2021年11月30日 15:04"),
        "{html}"
    );
    let ev = |who| {
        let (s, u) = (&a.store, who);
        async move { s.evidence(&u, id, "320623001").await.unwrap() }
    };
    let photo_id = ev(admin_user.clone()).await[0].id;
    let fid = ev(admin_user.clone()).await[0].finding_id.unwrap();
    // Replaced by another file, then the new one removed: each in the audit log.
    let body = format!(
        "csrf={}&to=finding&target={fid}&replace={photo_id}&file_data={}&file_name={}",
        ass.csrf,
        b64url(PDF),
        enc("整改前.pdf")
    );
    let (s, html, _) = a.form(&ass, &format!("{unit_page}/files"), body).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let now_files = ev(admin_user.clone()).await;
    assert_eq!(now_files.len(), 1);
    assert_eq!(now_files[0].original_name, "整改前.pdf");
    let removed_id = now_files[0].id;
    let body = format!("csrf={}&name={}&clause=1.4.2", ass.csrf, enc("整改前.pdf"));
    let (s, _, _) = a
        .form(
            &ass,
            &format!("{unit_page}/files/{removed_id}/remove"),
            body,
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(ev(admin_user.clone()).await.is_empty());
    let log: Vec<String> = a
        .store
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        log.contains(&"evidence.replace".to_string())
            && log.contains(&"evidence.remove".to_string())
    );
    // One more photo, which stays; in 公示 it can no longer be removed.
    let body = format!(
        "csrf={}&to=finding&target={fid}&file_data={}&file_name={}",
        ass.csrf,
        b64url(&photo),
        enc("补拍.jpg")
    );
    assert_eq!(
        a.form(&ass, &format!("{unit_page}/files"), body).await.0,
        StatusCode::SEE_OTHER
    );
    let kept = ev(admin_user.clone()).await[0].id;
    to(Stage::Publication).await;
    let body = format!("csrf={}&name=x", ass.csrf);
    let (s, html, _) = a
        .form(&ass, &format!("{unit_page}/files/{kept}/remove"), body)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("问题记录的照片和材料只能在考核阶段添加、删除或替换"),
        "{html}"
    );
    // An objection with a file.
    let rep = web_login(&a, "juegang").await;
    let body = format!(
        "csrf={}&clause=1.1.1&reason={}&file_data={}&file_name={}",
        rep.csrf,
        enc("标识牌已悬挂"),
        b64url(PDF),
        enc("标识牌.pdf")
    );
    let (s, html, _) = a.form(&rep, &format!("{unit_page}/object"), body).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let oid = a.store.objections(&admin_user, id).await.unwrap()[0].id;
    let (_, html) = page(&a, &rep, &unit_page).await;
    let sha = ev(admin_user.clone())
        .await
        .into_iter()
        .find(|e| e.objection_id == Some(oid))
        .unwrap()
        .sha256;
    assert!(
        html.contains(&format!("<a href=\"/api/evidence/{sha}\">标识牌.pdf</a>")),
        "{html}"
    );
    // The limit: a file of exactly 20 MB is taken, one byte more is refused in Chinese.
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(kaohe_store::evidence::MAX_BYTES, b' ');
    let attach = |bytes: &[u8], name: &str| {
        format!(
            "csrf={}&to=objection&target={oid}&file_data={}&file_name={}",
            rep.csrf,
            b64url(bytes),
            enc(name)
        )
    };
    let (s, html, _) = a
        .form(
            &rep,
            &format!("{unit_page}/files"),
            attach(&big, "台账.pdf"),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    big.push(b' ');
    let (s, html, _) = a
        .form(
            &rep,
            &format!("{unit_page}/files"),
            attach(&big, "太大.pdf"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("文件“太大.pdf”过大：20.0 MB，上限 20 MB"),
        "{html}"
    );
    let big_id = ev(admin_user.clone())
        .await
        .into_iter()
        .find(|e| e.original_name == "台账.pdf")
        .unwrap()
        .id;
    let body = format!("csrf={}&name={}", rep.csrf, enc("台账.pdf"));
    let (s, _, _) = a
        .form(&rep, &format!("{unit_page}/files/{big_id}/remove"), body)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // Decided on purpose: nothing pre-selected, none chosen refused, 采纳 without a 最终分 refused.
    let admin = web_login(&a, "admin").await;
    let (_, html) = page(&a, &admin, &unit_page).await;
    assert!(html.contains(r#"name="outcome" value="upheld">"#), "{html}");
    assert!(
        html.contains(r#"name="outcome" value="rejected">"#),
        "{html}"
    );
    let decide = |body: String| {
        let (a, admin) = (&a, admin.clone());
        async move {
            let (s, html, _) = a
                .form(
                    &admin,
                    &format!("/a/{id}/u/320623001/objections/{oid}"),
                    body,
                )
                .await;
            (s, html)
        }
    };
    let (s, html) = decide(format!("csrf={}&score=0.05&reason=ok", admin.csrf)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请选择处理结果：采纳或驳回"), "{html}");
    assert!(html.contains("value=\"0.05\""), "the typed score is kept");
    let (s, html) = decide(format!("csrf={}&outcome=upheld&reason=ok", admin.csrf)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("采纳异议须填写条款 1.1.1 新的最终分"),
        "{html}"
    );
    assert!(
        html.contains(r#"value="upheld" checked"#),
        "the choice is kept"
    );
    let (s, html) = decide(format!("csrf={}&outcome=rejected&reason=+", admin.csrf)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("驳回异议须写明理由"), "{html}");
    let (s, _) = decide(format!(
        "csrf={}&outcome=upheld&score=0.05&reason={}",
        admin.csrf,
        enc("现场复核属实")
    ))
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let fin = a
        .store
        .scores(&admin_user, id, "320623001")
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.clause_id == "1.1.1" && s.ledger == Ledger::Final)
        .unwrap();
    assert_eq!(fin.score, "0.05");
    // The unit sees the outcome, the reason and the file.
    let (_, html) = page(&a, &rep, &unit_page).await;
    assert!(
        html.contains("已采纳") && html.contains("采纳：最终分改为 0.05。现场复核属实"),
        "{html}"
    );
    assert!(html.contains("标识牌.pdf"));
    // Reopened: not by an assessor; by the admin only with a reason; the history shown.
    let reopen = |who: &Who, reason: &str| {
        let (a, who, body) = (
            &a,
            who.clone(),
            format!("csrf={}&reason={}", who.csrf, enc(reason)),
        );
        async move {
            let (s, html, _) = a
                .form(
                    &who,
                    &format!("/a/{id}/u/320623001/objections/{oid}/reopen"),
                    body,
                )
                .await;
            (s, html)
        }
    };
    let (s, html) = reopen(&ass, "复核").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("只有管理员可以"), "{html}");
    let (s, html) = reopen(&admin, " ").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("重新打开异议须写明理由"), "{html}");
    let (s, _) = reopen(&admin, "照片非本单位").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = page(&a, &rep, &unit_page).await;
    assert!(html.contains("待处理"), "{html}");
    assert!(
        html.contains("处理记录（1 次重新打开）") && html.contains("重新打开：照片非本单位"),
        "{html}"
    );
}
