//! 封存签名 (issue 14 part 4): a sealed result served with its SM2 signature, which `kaohe verify`'s
//! check finds valid under the store's key, and names when the file was changed, signed by another
//! key, or redacted for a reporter.

use super::{Who, app, page, web_login};
use kaohe_app::verify::{Problem, check};
use kaohe_store::testdb::Db;
use serde_json::{Value, json};

kaohe_store::on_both!(a_sealed_result_carries_a_signature_anyone_can_check);

async fn a_sealed_result_carries_a_signature_anyone_can_check(db: Db) {
    let a = app(db).await;
    let id = a.id;
    let admin = a.login("admin").await;
    let web = web_login(&a, "admin").await;
    let form = format!("/a/{id}/u/320623100/feedback");
    let (_, html) = page(&a, &web, &form).await;
    assert!(!html.contains("校验信息"), "no seal before 定档");
    let path = format!("/api/assessments/{id}/stage");
    for to in ["publication", "final"] {
        let body = json!({ "to": to, "why": "审定", "override_reason": "经县考核领导小组同意" });
        let (st, v, _) = a.call(&admin, "POST", &path, Some(body), true).await;
        assert_eq!(st, axum::http::StatusCode::OK, "{v}");
    }
    let get = |who: &Who| {
        let (a, who) = (&a, who.clone());
        async move {
            a.call(
                &who,
                "GET",
                &format!("/api/assessments/{id}/sealed/1"),
                None,
                false,
            )
            .await
            .1
        }
    };
    let v: Value = get(&admin).await;
    let key = a.store.seal_key();
    assert_eq!(v["seal"]["algorithm"], "SM2-SM3", "{v}");
    assert_eq!(v["seal"]["user_id"], "1234567812345678");
    assert_eq!(v["seal"]["public_key"], key.public_hex().as_str());
    assert_eq!(v["seal"]["fingerprint"], key.fingerprint().as_str());
    // The 考核反馈单 names the key's fingerprint, in its 校验信息 only, and how to check.
    let (_, html) = page(&a, &web, &form).await;
    let fp = key.fingerprint();
    let details = html
        .split("<details class=\"check\"><summary>校验信息</summary>")
        .nth(1)
        .and_then(|d| d.split("</details>").next())
        .unwrap_or_else(|| panic!("no 校验信息 in {html}"));
    assert!(
        details.contains(&fp) && details.contains("kaohe verify 文件"),
        "{details}"
    );
    assert_eq!(html.matches(&fp).count(), 1);
    assert!(details.contains("第 1 版"), "{details}");
    let (_, pdf, _) = a
        .raw(&web, "GET", &format!("{form}.pdf"), &[], vec![])
        .await;
    if let Some(pages) = kaohe_report::pdf::probe::pages(&pdf) {
        let text: String = pages.concat().split_whitespace().collect();
        let want = format!("校验信息：SM2公钥指纹{}", fp.replace(' ', ""));
        assert!(text.contains(&want), "{want} not in\n{text}");
        assert!(text.contains("核验方法：kaoheverify"), "{text}");
    }
    let bytes = serde_json::to_vec_pretty(&v).unwrap();
    let ok = check(&bytes, Some(&key.public_hex())).unwrap();
    assert_eq!(
        (ok.fingerprint, ok.version, ok.units),
        (key.fingerprint(), Some(1), 2)
    );
    // One total changed in the file: named as tampered.
    let mut changed = v.clone();
    changed["units"][0]["total"] = json!("9.9999");
    assert_eq!(
        check(&serde_json::to_vec(&changed).unwrap(), None),
        Err(Problem::Tampered)
    );
    // The versions list shows the signature and key too.
    let (_, list, _) = a
        .call(
            &admin,
            "GET",
            &format!("/api/assessments/{id}/sealed"),
            None,
            false,
        )
        .await;
    assert_eq!(list["versions"][0]["signature"], v["seal"]["signature"]);
    // A reporter's copy has the other unit's clauses hidden: it says so, and is not "valid".
    let rep = a.login("juegang").await;
    let mine = get(&rep).await;
    assert_eq!(mine["seal"]["redacted"], true, "{mine}");
    assert_eq!(
        check(&serde_json::to_vec(&mine).unwrap(), None),
        Err(Problem::Redacted)
    );
    // The private key is in its file, never in the database.
    let d = std::fs::read_to_string(&key.path).unwrap();
    let secret = d.lines().find(|l| !l.starts_with('#')).unwrap().to_string();
    assert_eq!(secret.len(), 64);
    let dump: Vec<String> = sqlx::query_scalar("SELECT json FROM results")
        .fetch_all(a.store.pool())
        .await
        .unwrap();
    assert!(dump.iter().all(|j| !j.contains(&secret)));
}
