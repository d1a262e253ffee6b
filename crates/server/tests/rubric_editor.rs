//! 细则编辑 (issue 12): the editor adds a clause, refuses a wrong parameter in Chinese, tells a TOML
//! syntax error in Chinese, saves a 草案, shows its diff with the rubric in force, makes it 生效; the
//! downloads; 方案对比's draft box speaks Chinese too.

use super::*;

/// The text of the first `<textarea name="{name}" …>` of a page, unescaped.
fn textarea(html: &str, name: &str) -> String {
    let start = html
        .find(&format!("<textarea name=\"{name}\""))
        .unwrap_or_else(|| panic!("no textarea {name}"));
    let rest = &html[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</textarea>").unwrap();
    rest[open..close]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

fn form(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}

pub(crate) async fn the_rubric_editor_adds_refuses_saves_diffs_and_makes_effective(db: Db) {
    let a = app(db).await;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    // Next year's assessment, in 草稿, with the same rubric; 2021's data previews its drafts.
    let next = RUBRIC
        .replace("id = \"rudong-2021\"", "id = \"rudong-2022\"")
        .replace("\nyear = 2021", "\nyear = 2022");
    let id = a
        .store
        .create_assessment(&admin_user, "2022年度考核", &next, &now)
        .await
        .unwrap();
    let admin = web_login(&a, "admin").await;

    // The rubric page links to the editor and to both downloads.
    let (s, html) = page(&a, &admin, &format!("/a/{id}/rubric")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("href=\"rubric/edit\""), "{html}");
    assert!(html.contains("href=\"rubric.toml\"") && html.contains("href=\"rubric.xlsx\""));
    assert!(!html.contains("sha256"), "no hash on the page");

    let (s, html) = page(&a, &admin, &format!("/a/{id}/rubric/edit")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("正在编辑：现行细则"), "{html}");
    assert!(html.contains("条款 1.4.1"));
    assert!(html.contains("<option value=\"rank_step\" selected>排名递减</option>"));
    assert!(
        html.contains("名次每后一名扣减的分数。例：0.002"),
        "the parameter explained"
    );
    // Its metric chosen from the rubric's own, named in Chinese.
    assert!(
        html.contains("<option value=\"claim_rate\" selected>认领率</option>"),
        "{html}"
    );
    assert!(html.contains(">名次扣减分</label>"), "{html}");
    // What a clerk reads of a clause: Chinese only, no TOML key beside a parameter's name.
    let start = html.find("<div class=\"clause\" id=\"c-1.4.1\">").unwrap();
    let end = start + html[start..].find("</table>").unwrap();
    insta::assert_snapshot!(
        "page-rubric-editor-clause",
        crate::snapshots::page_text(&html[start..end])
    );
    assert!(html.contains("未发现问题"));
    // 综合排名 in the clerk's words: metrics by name, 高/低; nothing on the page, boxes included, in
    // English (the TOML box apart).
    assert!(
        html.contains("value=\"网上办件量:高:1；网上办件覆盖率:高:1\""),
        "{html}"
    );
    assert_eq!(
        crate::words::bad_words("/rubric/edit", &html),
        Vec::<String>::new()
    );
    let text = textarea(&html, "toml");
    assert!(text.starts_with("id = \"rudong-2022\""), "{text}");

    // Add a clause under 类目 1.1: it is there, with what to fill in named.
    let body = form(&[
        ("csrf", &admin.csrf),
        ("toml", &text),
        ("op", "add-clause:t:1.1"),
    ]);
    let (s, html, _) = a.form(&admin, &format!("/a/{id}/rubric/edit"), body).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("已在类目 1.1 下添加条款 1.1.3"), "{html}");
    assert!(html.contains("<strong>条款 1.1.3</strong>"));
    assert!(
        html.contains("条款 1.1.3 › 原文（text）"),
        "its empty text is a problem: {html}"
    );
    let added = textarea(&html, "toml");
    assert!(added.contains("id = \"1.1.3\""));

    // A wrong parameter: refused in Chinese, the draft unchanged.
    let body = form(&[
        ("csrf", &admin.csrf),
        ("toml", &text),
        ("c|1.4.1|p.step", "-0.5"),
        ("op", "apply"),
    ]);
    let (s, html, _) = a.form(&admin, &format!("/a/{id}/rubric/edit"), body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("未修改，请改正"), "{html}");
    assert!(
        html.contains("条款1.4.1：名次扣减分应大于 0，实为 -0.5"),
        "{html}"
    );
    assert_eq!(textarea(&html, "toml"), text);

    // A TOML syntax error typed in the TOML box: Chinese, with line and column, no English.
    let body = form(&[
        ("csrf", &admin.csrf),
        ("toml", &text),
        ("typed", "id = \"x\"\n标题 = \"y\"\n"),
        ("op", "typed"),
    ]);
    let (s, html, _) = a.form(&admin, &format!("/a/{id}/rubric/edit"), body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("TOML 写法有误，第 2 行第 1 列：键名无效"),
        "{html}"
    );
    for english in ["TOML parse error", "invalid", "expected", "解析器说明"] {
        assert!(!html.contains(english), "{english}: {html}");
    }

    // Save: 0.01 moved from 1.1.1 (0.05) to 1.1.2 (0.05), and 1.1.2's rule made 每例扣分; the sums
    // still add up.
    let body = form(&[
        ("csrf", &admin.csrf),
        ("toml", &text),
        ("c|1.1.1|max", "0.04"),
        ("c|1.1.2|max", "0.06"),
        ("c|1.1.2|kind", "per_instance"),
        ("op", "apply"),
    ]);
    let (s, html, _) = a.form(&admin, &format!("/a/{id}/rubric/edit"), body).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("<option value=\"per_instance\" selected>每例扣分</option>"));
    // The new kind's parameter is still to fill in: shown beside the clause, not refused.
    assert!(html.contains("条款1.1.2：缺少必填字段“per”"), "{html}");
    assert!(html.contains("name=\"c|1.1.2|p.per\""), "{html}");
    let changed = textarea(&html, "toml");
    let body = form(&[
        ("csrf", &admin.csrf),
        ("toml", &changed),
        ("c|1.1.2|p.per", "0.01"),
        ("op", "save"),
    ]);
    let (s, html, loc) = a.form(&admin, &format!("/a/{id}/rubric/edit"), body).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let drafts = a.store.rubric_drafts(id).await.unwrap();
    assert_eq!(drafts.len(), 1);
    let d = drafts[0].id;
    assert_eq!(loc, format!("/a/{id}/rubric/drafts/{d}?saved=1"));
    assert_eq!(drafts[0].author, "县政务办");

    // The draft: saved, with its time in Beijing time, its diff, the preview on 2021's data.
    let (s, html) = page(&a, &admin, &loc).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("已保存为草案第 1 版"), "{html}");
    assert!(
        html.contains("县政务办 保存于 2021年12月1日 17:00"),
        "{html}"
    );
    assert!(html.contains("改动 2 条"), "{html}");
    assert!(html.contains("<td>1.1.1</td>"), "{html}");
    assert!(html.contains("满分 0.05 → 0.04"), "{html}");
    assert!(html.contains("满分 0.05 → 0.06；计分规则 原“"), "{html}");
    assert!(
        html.contains("用“2021年度考核”的数据按这份草案重新计分"),
        "{html}"
    );
    assert!(html.contains(&format!("name=\"data\" value=\"{}\"", a.id)));
    // The editor starts from the newest draft.
    let (_, html) = page(&a, &admin, &format!("/a/{id}/rubric/edit")).await;
    assert!(
        html.contains("正在编辑：草案第 1 版（县政务办，2021年12月1日 17:00）"),
        "{html}"
    );
    assert!(html.contains("第 1 版</a>"));

    // The preview: 方案对比 of 2021's data under the draft.
    let draft_text = a.store.rubric_draft(id, d).await.unwrap().rubric_toml;
    let body = form(&[
        ("csrf", &admin.csrf),
        ("data", &a.id.to_string()),
        ("name", "细则草案第1版"),
        ("toml", &draft_text),
    ]);
    let (s, html, _) = a.form(&admin, &format!("/a/{id}/whatif"), body).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("细则改动 2 条"), "{html}");

    // 方案对比's draft box: a syntax error in Chinese too.
    let body = form(&[
        ("csrf", &admin.csrf),
        ("data", &a.id.to_string()),
        ("toml", "id = \"x\"\n标题 = \"y\"\n"),
    ]);
    let (s, html, _) = a.form(&admin, &format!("/a/{}/whatif", a.id), body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("第 2 行第 1 列：键名无效"), "{html}");
    assert!(
        !html.contains("解析器说明") && !html.contains("invalid"),
        "{html}"
    );

    // Downloads: the draft as TOML and Excel; the rubric in force too.
    let (s, body, h) = a
        .raw(
            &admin,
            "GET",
            &format!("/a/{id}/rubric/drafts/{d}/toml"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(String::from_utf8(body).unwrap(), draft_text);
    assert!(
        h[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    let (s, body, _) = a
        .raw(
            &admin,
            "GET",
            &format!("/a/{id}/rubric/drafts/{d}/xlsx"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&body[..2], b"PK");
    let (s, body, _) = a
        .raw(&admin, "GET", &format!("/a/{id}/rubric.toml"), &[], vec![])
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("id = \"rudong-2022\"")
    );
    let (s, body, _) = a
        .raw(&admin, "GET", &format!("/a/{id}/rubric.xlsx"), &[], vec![])
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&body[..2], b"PK");

    // 生效: the rubric is replaced, and the audit log says so.
    let (s, _, loc) = a
        .form(
            &admin,
            &format!("/a/{id}/rubric/drafts/{d}/effective"),
            form(&[("csrf", &admin.csrf)]),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = page(&a, &admin, &loc).await;
    assert!(html.contains("草案第 1 版已生效"), "{html}");
    let x = a.store.assessment(id).await.unwrap();
    assert_eq!(x.rubric.clause("1.1.1").unwrap().max.to_string(), "0.04");
    assert_eq!(
        x.rubric.clause("1.1.2").unwrap().rule.kind(),
        "per_instance"
    );
    let log = a.store.audit_log().await.unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.action, "rubric.effective");
    assert!(last.old.as_deref().unwrap().contains("rudong-2022"));
    assert!(a.store.audit_replay().await.unwrap().is_empty());
    // Twice: refused.
    let (s, html, _) = a
        .form(
            &admin,
            &format!("/a/{id}/rubric/drafts/{d}/effective"),
            form(&[("csrf", &admin.csrf)]),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("这份草案已经生效过"), "{html}");

    // In 考核 (the app's own assessment) the editor is read-only, and a form is refused.
    let (s, html) = page(&a, &admin, &format!("/a/{}/rubric/edit", a.id)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("细则只能查看"), "{html}");
    assert!(!html.contains("name=\"op\""), "no buttons: {html}");
    let body = form(&[("csrf", &admin.csrf), ("toml", &text), ("op", "save")]);
    let (s, html, _) = a
        .form(&admin, &format!("/a/{}/rubric/edit", a.id), body)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(
        html.contains("当前为“考核”阶段，细则只能查看，不能修改"),
        "{html}"
    );
    // Others may not open the editor; a form without the token is refused.
    let assessor = web_login(&a, "wangfang").await;
    let (s, _) = page(&a, &assessor, &format!("/a/{id}/rubric/edit")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = a
        .form(
            &admin,
            &format!("/a/{id}/rubric/edit"),
            form(&[("toml", &text), ("op", "save")]),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

pub(crate) async fn a_pasted_rubric_is_proposed_with_its_rules_and_added_only_when_ticked(db: Db) {
    let a = app(db).await;
    let admin_user = a.store.user_by_login("admin").await.unwrap().unwrap();
    let now = kaohe_server::iso(T0);
    let id = a
        .store
        .create_assessment(&admin_user, "2022年度考核", RUBRIC, &now)
        .await
        .unwrap();
    let admin = web_login(&a, "admin").await;
    let (_, html) = page(&a, &admin, &format!("/a/{id}/rubric/edit")).await;
    let text = textarea(&html, "toml");
    let seed = include_str!("../../../rubrics/source/rudong-2021-seed.txt");
    let body = form(&[("csrf", &admin.csrf), ("toml", &text), ("pasted", seed)]);
    let (s, html, _) = a.form(&admin, &format!("/a/{id}/rubric/paste"), body).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    // Every kind the seed's wording suggests is shown in Chinese, with the words marked.
    for label in [
        "排名递减",
        "每例扣分",
        "按比例扣分",
        "综合排名递减",
        "考核员评定",
    ] {
        assert!(
            html.contains(&format!("<strong class=\"kind\">{label}</strong>")),
            "{label}"
        );
    }
    assert!(html.contains("<mark>"), "{html}");
    assert!(html.contains("按建议拆成 2 条"), "1.4.3's split: {html}");
    // Nothing was added yet.
    assert_eq!(textarea(&html, "toml"), text);
    // Two clauses ticked, appended.
    let body = form(&[
        ("csrf", &admin.csrf),
        ("toml", &text),
        ("pasted", seed),
        ("take", "1"),
        ("take", "2"),
        ("mode", "append"),
    ]);
    let (s, html, _) = a
        .form(&admin, &format!("/a/{id}/rubric/paste/accept"), body)
        .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("已将勾选的 2 个条款加入草案"), "{html}");
    let after = textarea(&html, "toml");
    assert_eq!(text.matches("[[indicators]]").count(), 2);
    assert_eq!(
        after.matches("[[indicators]]").count(),
        3,
        "one more indicator: {after}"
    );
    // Nothing ticked: refused, nothing added.
    let body = form(&[
        ("csrf", &admin.csrf),
        ("toml", &text),
        ("pasted", seed),
        ("mode", "append"),
    ]);
    let (s, html, _) = a
        .form(&admin, &format!("/a/{id}/rubric/paste/accept"), body)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("没有勾选任何条款"));
    assert_eq!(textarea(&html, "toml"), text);
}
