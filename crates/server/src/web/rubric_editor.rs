//! 细则编辑: the rubric editor (the admin, in 草稿; later stages read-only), 粘贴细则, the drafts
//! with their diff, 生效 and the preview on last year's data, and the downloads as TOML and Excel.
//! The draft being edited travels in the editor's one form as TOML text; each button is one small
//! action that `kaohe_app::rubric_editor` applies to it. Nothing is stored until 保存草案.

use super::exports::{attachment, xlsx_download};
use super::*;
use kaohe_app::rubric_editor::{self as editor, Edited, Op, PasteMode};
use kaohe_store::RubricDraft;

/// A posted form's fields in order (a tick box may repeat), or the page that refuses it (403)
/// unless the form's CSRF token is the session's.
fn posted_list(a: &Authed, body: &str) -> Result<Vec<(String, String)>, PageError> {
    let f: Vec<(String, String)> = serde_urlencoded::from_str(body).map_err(|_| csrf_refused(a))?;
    let token = f
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if !auth::same(token, &a.csrf) {
        return Err(csrf_refused(a));
    }
    Ok(f)
}

fn get<'a>(f: &'a [(String, String)], key: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The editor is the admin's.
fn admin_only(a: &Authed) -> Result<(), PageError> {
    if a.user.role != Role::Admin {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            Some(a),
            "细则只能由管理员编辑",
        ));
    }
    Ok(())
}

/// A draft in the versions list.
#[derive(serde::Serialize)]
struct DraftRow {
    id: i64,
    number: i64,
    author: String,
    at: String,
    effective_at: Option<String>,
}

fn draft_row(d: &RubricDraft) -> DraftRow {
    DraftRow {
        id: d.id,
        number: d.number,
        author: d.author.clone(),
        at: kaohe_core::time::beijing(&d.created_at),
        effective_at: d.effective_at.as_deref().map(kaohe_core::time::beijing),
    }
}

/// The editor's context.
#[derive(serde::Serialize)]
struct EditorPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    a: Value,
    editable: bool,
    /// `disabled` on every field when read-only.
    ro: &'static str,
    /// What the draft started from, in words.
    from: String,
    toml: String,
    tree: editor::Tree,
    kinds: Vec<Value>,
    problems: Vec<String>,
    refused: Vec<String>,
    drafts: Vec<DraftRow>,
    pasted: Option<String>,
    paste: Option<editor::PasteView>,
}

async fn editor_page(
    st: &AppState,
    a: &Authed,
    id: i64,
    text: String,
    from: String,
    edited: (Option<String>, Vec<String>),
    paste: Option<(String, editor::PasteView)>,
) -> Page {
    let x = assessment_of(st, a, id).await?;
    let checked = editor::check(editor::DRAFT_FILE, &text);
    let tree = editor::tree_of(&text, &checked.problems);
    let drafts = st.store.rubric_drafts(id).await.or_page(a)?;
    let (pasted, paste) = match paste {
        Some((p, v)) => (Some(p), Some(v)),
        None => (None, None),
    };
    let refused = edited.1;
    let status = if refused.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditorPage {
        frame: Frame::of(Some(a)).notice(edited.0),
        a: json!({ "id": id, "title": x.title, "stage": x.stage.label() }),
        editable: x.stage == Stage::Draft,
        ro: if x.stage == Stage::Draft {
            ""
        } else {
            "disabled"
        },
        from,
        tree,
        kinds: kaohe_core::rules::kinds()
            .into_iter()
            .map(|(k, l)| json!({ "kind": k, "label": l }))
            .collect(),
        problems: checked.lines(),
        refused,
        drafts: drafts.iter().map(draft_row).collect(),
        toml: text,
        pasted,
        paste,
    };
    let mut r = render("rubric_editor.html", page);
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize, Default)]
pub(super) struct EditorPick {
    draft: Option<i64>,
}

/// 编辑细则: the newest draft not yet in force (or `?draft=`), else the rubric in force.
pub(super) async fn rubric_editor(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<EditorPick>,
) -> Page {
    admin_only(&a)?;
    let (text, from) = match q.draft {
        Some(d) => {
            let d = st.store.rubric_draft(id, d).await.or_page(&a)?;
            let from = format!(
                "草案第 {} 版（{}，{}）",
                d.number,
                d.author,
                kaohe_core::time::beijing(&d.created_at)
            );
            (d.rubric_toml, from)
        }
        None => match editor::start(&st.store, id).await.or_page(&a)? {
            (text, Some(d)) => (
                text,
                format!(
                    "草案第 {} 版（{}，{}）",
                    d.number,
                    d.author,
                    kaohe_core::time::beijing(&d.created_at)
                ),
            ),
            (text, None) => (text, "现行细则".to_string()),
        },
    };
    editor_page(&st, &a, id, text, from, (None, Vec::new()), None).await
}

/// One editor action: the form's fields, then the button pressed (`op`); 保存草案 stores the draft.
pub(super) async fn rubric_editor_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    body: String,
) -> Page {
    admin_only(&a)?;
    let f = posted_list(&a, &body)?;
    let text = get(&f, "toml").unwrap_or_default().replace("\r\n", "\n");
    let from = get(&f, "from").unwrap_or("草案").to_string();
    let x = assessment_of(&st, &a, id).await?;
    if x.stage != Stage::Draft {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            Some(&a),
            &format!("当前为“{}”阶段，细则只能查看，不能修改", x.stage.label()),
        ));
    }
    let op = get(&f, "op").unwrap_or("apply");
    let edited = match op {
        "save" => {
            // The fields typed before 保存 count too.
            let e = editor::apply(&text, &f, &Op::Apply);
            if !e.refused.is_empty() {
                return editor_page(&st, &a, id, e.text, from, (None, e.refused), None).await;
            }
            let d = editor::save(&st.store, &a.user, id, &e.text, &st.now())
                .await
                .or_page(&a)?;
            return Ok(
                Redirect::to(&format!("/a/{id}/rubric/drafts/{}?saved=1", d.id)).into_response(),
            );
        }
        "typed" => editor::replace_text(&text, get(&f, "typed").unwrap_or_default()),
        "reset" => Edited {
            text: editor::in_force_text(&x),
            notice: Some("已放弃未保存的修改，从现行细则重新开始".into()),
            refused: Vec::new(),
        },
        other => match Op::parse(other) {
            Some(op) => editor::apply(&text, &f, &op),
            None => Edited {
                text: text.clone(),
                notice: None,
                refused: vec!["无法识别的操作".into()],
            },
        },
    };
    let from = if op == "reset" {
        "现行细则".to_string()
    } else {
        from
    };
    editor_page(
        &st,
        &a,
        id,
        edited.text,
        from,
        (edited.notice, edited.refused),
        None,
    )
    .await
}

/// 粘贴细则: the pasted text's proposed tree with a suggested rule per clause, to tick.
pub(super) async fn rubric_paste_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    body: String,
) -> Page {
    admin_only(&a)?;
    let f = posted_list(&a, &body)?;
    let text = get(&f, "toml").unwrap_or_default().replace("\r\n", "\n");
    let from = get(&f, "from").unwrap_or("草案").to_string();
    let pasted = get(&f, "pasted").unwrap_or_default().replace("\r\n", "\n");
    if pasted.trim().is_empty() {
        return editor_page(
            &st,
            &a,
            id,
            text,
            from,
            (None, vec!["请先粘贴细则的文字或表格".into()]),
            None,
        )
        .await;
    }
    let view = editor::paste_view(&pasted);
    let notice = Some(format!(
        "识别出 {} 个条款，请逐条核对建议的计分规则，勾选后再加入草案",
        view.clauses
    ));
    editor_page(
        &st,
        &a,
        id,
        text,
        from,
        (notice, Vec::new()),
        Some((pasted, view)),
    )
    .await
}

/// The ticked clauses of a paste added to the draft (appended, or in place of its indicators).
pub(super) async fn rubric_paste_accept(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    body: String,
) -> Page {
    admin_only(&a)?;
    let f = posted_list(&a, &body)?;
    let x = assessment_of(&st, &a, id).await?;
    if x.stage != Stage::Draft {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            Some(&a),
            &format!("当前为“{}”阶段，细则只能查看，不能修改", x.stage.label()),
        ));
    }
    let text = get(&f, "toml").unwrap_or_default().replace("\r\n", "\n");
    let from = get(&f, "from").unwrap_or("草案").to_string();
    let pasted = get(&f, "pasted").unwrap_or_default().replace("\r\n", "\n");
    let numbers = |key: &str| -> Vec<usize> {
        f.iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| v.parse().ok())
            .collect()
    };
    let mode = if get(&f, "mode") == Some("replace") {
        PasteMode::Replace
    } else {
        PasteMode::Append
    };
    let e = editor::accept_paste(&text, &pasted, &numbers("take"), &numbers("split"), mode);
    let paste = if e.refused.is_empty() {
        None
    } else {
        Some((pasted.clone(), editor::paste_view(&pasted)))
    };
    editor_page(&st, &a, id, e.text, from, (e.notice, e.refused), paste).await
}

/// A draft's context: its problems, the diff with the rubric in force, and what can be done.
#[derive(serde::Serialize)]
struct DraftPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    a: Value,
    d: DraftRow,
    toml: String,
    problems: Vec<String>,
    valid: bool,
    diff: Vec<editor::DiffLine>,
    may_take_effect: bool,
    last_year: Option<Value>,
}

#[derive(Deserialize, Default)]
pub(super) struct Saved {
    saved: Option<u8>,
    effective: Option<u8>,
}

/// 草案: its problems, the clause-by-clause diff with the rubric in force, 生效, the preview.
pub(super) async fn rubric_draft_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, d)): Path<(i64, i64)>,
    Query(q): Query<Saved>,
) -> Page {
    admin_only(&a)?;
    let x = assessment_of(&st, &a, id).await?;
    let draft = st.store.rubric_draft(id, d).await.or_page(&a)?;
    let checked = editor::check(editor::DRAFT_FILE, &draft.rubric_toml);
    let diff = checked
        .rubric
        .as_ref()
        .map(|r| editor::diff(&x.rubric, r))
        .unwrap_or_default();
    let valid = checked.rubric.is_some();
    let last_year = editor::last_year(&st.store, id)
        .await
        .or_page(&a)?
        .map(|(lid, title)| json!({ "id": lid, "title": title }));
    let notice = match (q.saved, q.effective) {
        (_, Some(_)) => Some(format!(
            "草案第 {} 版已生效，成为本次考核的细则",
            draft.number
        )),
        (Some(_), None) => Some(format!("已保存为草案第 {} 版", draft.number)),
        _ => None,
    };
    let page = DraftPage {
        frame: Frame::of(Some(&a)).notice(notice),
        a: json!({ "id": id, "title": x.title, "stage": x.stage.label() }),
        may_take_effect: valid && x.stage == Stage::Draft && draft.effective_at.is_none(),
        d: draft_row(&draft),
        toml: draft.rubric_toml.clone(),
        problems: checked.lines(),
        valid,
        diff,
        last_year,
    };
    Ok(render("rubric_draft.html", page))
}

/// 生效: the draft replaces the assessment's rubric (the store checks 草稿 and audits it).
pub(super) async fn rubric_effective_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, d)): Path<(i64, i64)>,
    body: String,
) -> Page {
    posted(&a, &body)?;
    editor::make_effective(&st.store, &a.user, id, d, &st.now())
        .await
        .or_page(&a)?;
    Ok(Redirect::to(&format!("/a/{id}/rubric/drafts/{d}?effective=1")).into_response())
}

const TOML_MIME: &str = "application/toml; charset=utf-8";
const XLSX_MIME_NAME: &str = "细则.xlsx";

/// The rubric in force as TOML.
pub(super) async fn rubric_toml(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
) -> Page {
    let x = assessment_of(&st, &a, id).await?;
    Ok(attachment(
        editor::in_force_text(&x).into_bytes(),
        TOML_MIME,
        &format!("{}-细则.toml", x.title),
    ))
}

/// The rubric in force as the Excel sheet of the rubric.
pub(super) async fn rubric_xlsx(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
) -> Page {
    let x = assessment_of(&st, &a, id).await?;
    xlsx_or_why(&a, editor::download_xlsx(&x.rubric_toml), &x.title)
}

fn xlsx_or_why(a: &Authed, book: Result<Vec<u8>, String>, title: &str) -> Page {
    match book {
        Ok(bytes) => Ok(xlsx_download(
            Ok::<_, String>(bytes),
            &format!("{title}-{XLSX_MIME_NAME}"),
        )),
        Err(why) => Err(PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(a),
            &why,
        )),
    }
}

/// A draft as TOML.
pub(super) async fn rubric_draft_toml(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, d)): Path<(i64, i64)>,
) -> Page {
    admin_only(&a)?;
    let x = assessment_of(&st, &a, id).await?;
    let d = st.store.rubric_draft(id, d).await.or_page(&a)?;
    Ok(attachment(
        d.rubric_toml.into_bytes(),
        TOML_MIME,
        &format!("{}-细则草案第{}版.toml", x.title, d.number),
    ))
}

/// A draft as the Excel sheet of the rubric (a valid draft only).
pub(super) async fn rubric_draft_xlsx(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path((id, d)): Path<(i64, i64)>,
) -> Page {
    admin_only(&a)?;
    let x = assessment_of(&st, &a, id).await?;
    let d = st.store.rubric_draft(id, d).await.or_page(&a)?;
    xlsx_or_why(
        &a,
        editor::download_xlsx(&d.rubric_toml),
        &format!("{}-草案第{}版", x.title, d.number),
    )
}
