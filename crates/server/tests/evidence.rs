//! 佐证材料: stored by content, typed by content, shown only to who may; self-assessment with evidence.

use super::*;

pub(crate) async fn evidence_is_stored_by_content_typed_by_content_and_shown_only_to_who_may(
    db: Db,
) {
    let a = app(db).await;
    let s = &a.store;
    // A second assessment in 自评, where reporters upload.
    let id = in_self_assessment(
        s,
        "佐证测试",
        &[
            ("320623001", "掘港街道", "街道"),
            ("320623100", "马塘镇", "镇"),
        ],
    )
    .await;
    let rep = a.login("juegang").await;
    let other = a.login("matang").await;
    let admin = a.login("admin").await;
    let path = format!("/api/assessments/{id}/units/320623001/clauses/1.1.1/evidence");
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF".to_vec();
    let name = [("x-file-name", "%E6%B5%8B%E7%BB%98%E6%8A%A5%E5%91%8A.exe")]; // 测绘报告.exe: the name decides nothing
    let (st, body, _) = a.raw(&rep, "PUT", &path, &name, pdf.clone()).await;
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let r: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(r["mime"], "application/pdf");
    assert_eq!(r["original_name"], "测绘报告.exe");
    let sha = r["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha, kaohe_core::rubric::sha256_hex(&pdf));
    assert!(s.dir().join("evidence").join(&sha[..2]).join(&sha).exists());
    // The same content twice is stored once.
    a.raw(&rep, "PUT", &path, &[], pdf.clone()).await;
    let files: usize = std::fs::read_dir(s.dir().join("evidence").join(&sha[..2]))
        .unwrap()
        .count();
    assert_eq!(files, 1);
    // Forbidden types, by content, whatever the name.
    for (bytes, nm) in [
        (b"MZ\x90\x00 program".to_vec(), "x.pdf"),
        (b"<html><script>alert(1)</script>".to_vec(), "a.png"),
    ] {
        let (st, body, _) = a
            .raw(&rep, "PUT", &path, &[("x-file-name", nm)], bytes)
            .await;
        assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(String::from_utf8_lossy(&body).contains("不支持的文件类型"));
    }
    // Over the limit.
    let mut big = b"%PDF-".to_vec();
    big.resize(kaohe_store::evidence::MAX_BYTES + 2048, b'0');
    let (st, body, _) = a.raw(&rep, "PUT", &path, &[], big).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(String::from_utf8_lossy(&body).contains("文件过大"));
    // Another unit's reporter may neither upload here nor read the file.
    assert_eq!(
        a.raw(&other, "PUT", &path, &[], pdf.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        a.raw(&other, "GET", &format!("/api/evidence/{sha}"), &[], vec![])
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        a.call(
            &other,
            "GET",
            &format!("/api/assessments/{id}/units/320623001/evidence"),
            None,
            false
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // The owner and the admin may; the download is an attachment the browser will not sniff.
    for who in [&rep, &admin] {
        let (st, body, h) = a
            .raw(who, "GET", &format!("/api/evidence/{sha}"), &[], vec![])
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(body, pdf);
        assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert!(
            h.get(header::CONTENT_DISPOSITION)
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("attachment; filename*=UTF-8''")
        );
    }
    let (_, list, _) = a
        .call(
            &rep,
            "GET",
            &format!("/api/assessments/{id}/units/320623001/evidence"),
            None,
            false,
        )
        .await;
    assert_eq!(list["evidence"].as_array().unwrap().len(), 2);
    assert_eq!(
        a.raw(&admin, "GET", "/api/evidence/not-a-hash", &[], vec![])
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

pub(crate) async fn a_reporter_self_assesses_on_its_page_and_sees_its_evidence(db: Db) {
    let a = app(db).await;
    let s = &a.store;
    let id = in_self_assessment(s, "自评测试", &[("320623001", "掘港街道", "街道")]).await;
    let rep = web_login(&a, "juegang").await;
    let (st, html) = page(&a, &rep, &format!("/a/{id}/u/320623001")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("保存自评")
            && html.contains("class=\"evidence\"")
            && html.contains("<script src=\"/static/kaohe.js\"></script>")
            && kaohe_server::SCRIPT.contains("xhr.upload.onprogress")
    );
    let (st, _, _) = a.raw(&rep, "POST", &format!("/a/{id}/u/320623001/self"), &[("content-type", "application/x-www-form-urlencoded")], format!("csrf={}&clause=1.1.1&score=0.04&reason=%E9%9D%A2%E7%A7%AF%E7%BA%A6190%E5%B9%B3%E6%96%B9%E7%B1%B3&version=", rep.csrf).into_bytes()).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, _) = a
        .raw(
            &rep,
            "PUT",
            &format!("/api/assessments/{id}/units/320623001/clauses/1.1.1/evidence"),
            &[("x-file-name", "%E6%B5%8B%E7%BB%98.pdf")],
            b"%PDF-1.4 x".to_vec(),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, html) = page(&a, &rep, &format!("/a/{id}/u/320623001")).await;
    assert!(
        html.contains("面积约190平方米") && html.contains("value=\"0.04\""),
        "the self score and 说明 show"
    );
    assert!(
        html.contains("佐证材料：</div><div class=\"text file\"><a href=\"/api/evidence/"),
        "{html}"
    );
    assert!(html.contains(">测绘.pdf</a>"));
    // Another unit's reporter has no form here, and no page.
    let rep_b = web_login(&a, "matang").await;
    assert_eq!(
        page(&a, &rep_b, &format!("/a/{id}/u/320623001")).await.0,
        StatusCode::FORBIDDEN
    );
}
