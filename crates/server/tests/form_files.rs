//! Forms that carry files without JavaScript (issue 13): the unit page's forms post
//! `multipart/form-data` when the page's script does not run — a finding's photo, an objection's
//! file, a file added at exactly the 20 MB limit and one byte over — and who may send files is
//! asked before a byte of the body is read.

use super::*;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF";

/// A `multipart/form-data` body as a browser sends a form without script: text fields, then files
/// (field, file name, bytes; an empty name and no bytes when nothing was chosen).
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----kaoheFormBoundary7MA4YWxk";
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .into_bytes(),
        );
    }
    for (k, name, bytes) in files {
        b.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes());
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend(format!("--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

/// Posts a form without script: (status, page, where it redirects).
async fn post(a: &App, who: &Who, path: &str, form: (String, Vec<u8>)) -> (StatusCode, String) {
    let (s, b, _) = a
        .raw(who, "POST", path, &[("content-type", &form.0)], form.1)
        .await;
    (s, String::from_utf8(b).unwrap())
}

/// A body that fails as soon as it is read: a handler that reads it answers 400 (上传中断).
struct Unreadable;

impl http_body::Body for Unreadable {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Ready(Some(Err(std::io::Error::other("read"))))
    }
}

pub(crate) async fn forms_carry_files_without_javascript_within_the_limit_and_the_role_first(
    db: Db,
) {
    let a = app(db).await;
    let id = a.id;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let unit_page = format!("/a/{id}/u/320623001");
    let ass = web_login(&a, "wangfang").await;
    // The page's forms post files themselves when its script does not run.
    let (_, html) = page(&a, &ass, &unit_page).await;
    assert!(
        html.contains(r#"class="finding" enctype="multipart/form-data""#)
            && html.contains(r#"class="form-file" name="photo" data-into="photo""#),
        "{html}"
    );
    // 记录问题 with a photo taken on site (the hidden fields of the script stay empty; no 附件).
    let photo = kaohe_store::exif::sample_jpeg("2021:11:30 15:04:05", false);
    let form = multipart(
        &[
            ("csrf", &ass.csrf),
            ("clause", "1.4.2"),
            ("description", "指南缺少样表"),
            ("photo_data", ""),
            ("photo_name", ""),
            ("file_data", ""),
            ("file_name", ""),
        ],
        &[("photo", "现场.jpg", &photo), ("file", "", b"")],
    );
    let (s, html) = post(&a, &ass, &format!("{unit_page}/finding"), form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let (_, html) = page(&a, &ass, &unit_page).await;
    assert!(
        html.contains("现场.jpg") && html.contains("拍摄于 2021年11月30日 15:04"),
        "{html}"
    );
    let files = a
        .store
        .evidence(&admin_user, id, "320623001")
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].size as usize, photo.len());

    // 佐证材料 on a clause (the form beside a clause's 自评), without script.
    let form = multipart(
        &[("csrf", &ass.csrf), ("to", "clause"), ("target", "1.4.2")],
        &[("file", "检查记录.pdf", PDF)],
    );
    let (s, html) = post(&a, &ass, &format!("{unit_page}/files"), form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let files = a
        .store
        .evidence(&admin_user, id, "320623001")
        .await
        .unwrap();
    assert!(
        files
            .iter()
            .any(|e| e.original_name == "检查记录.pdf" && e.clause_id == "1.4.2"),
        "{files:?}"
    );

    // Who may not record a finding here is refused before the body is read (the body would fail).
    for login in ["leader", "juegang"] {
        let who = web_login(&a, login).await;
        let req = Request::builder()
            .method("POST")
            .uri(format!("{unit_page}/finding"))
            .header(header::COOKIE, &who.cookie)
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
            .body(Body::new(Unreadable))
            .unwrap();
        let resp = a.app.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{login}");
    }

    // In 公示: an objection with its file, then files at the limit and one byte over it.
    a.store
        .advance(
            &admin_user,
            id,
            Stage::Publication,
            "推进",
            &kaohe_server::iso(T0),
            kaohe_store::Gate::none(),
        )
        .await
        .unwrap();
    let rep = web_login(&a, "juegang").await;
    let form = multipart(
        &[
            ("csrf", &rep.csrf),
            ("clause", "1.1.1"),
            ("reason", "标识牌已悬挂"),
            ("file_data", ""),
            ("file_name", ""),
        ],
        &[("file", "标识牌.pdf", PDF)],
    );
    let (s, html) = post(&a, &rep, &format!("{unit_page}/object"), form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let oid = a.store.objections(&admin_user, id).await.unwrap()[0].id;
    let (_, html) = page(&a, &rep, &unit_page).await;
    assert!(html.contains("标识牌.pdf"), "{html}");
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(kaohe_store::evidence::MAX_BYTES, b' ');
    let attach = |bytes: Vec<u8>, name: &'static str| {
        let target = oid.to_string();
        let fields = [
            ("csrf", rep.csrf.clone()),
            ("to", "objection".into()),
            ("target", target),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        multipart(&fields, &[("file", name, &bytes)])
    };
    let (s, html) = post(
        &a,
        &rep,
        &format!("{unit_page}/files"),
        attach(big.clone(), "台账.pdf"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let stored = a
        .store
        .evidence(&admin_user, id, "320623001")
        .await
        .unwrap();
    let taken = stored
        .iter()
        .find(|e| e.original_name == "台账.pdf")
        .unwrap();
    assert_eq!(taken.size as usize, kaohe_store::evidence::MAX_BYTES);
    big.push(b' ');
    let (s, html) = post(
        &a,
        &rep,
        &format!("{unit_page}/files"),
        attach(big, "太大.pdf"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("文件“太大.pdf”过大：20.0 MB，上限 20 MB"),
        "{html}"
    );
    // A cut body says so in Chinese.
    let (ct, mut body) = attach(PDF.to_vec(), "半截.pdf");
    body.truncate(body.len() - 40);
    let (s, html) = post(&a, &rep, &format!("{unit_page}/files"), (ct, body)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("表单内容不完整"), "{html}");
}
