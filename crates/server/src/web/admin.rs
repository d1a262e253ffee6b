//! 管理: the import page, the audit log and the setup page (units, accounts, assignments).

use super::*;

/// 导入平台数据 (admin): stage, preview, commit or cancel — through the import API.
pub(super) async fn import_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
) -> Page {
    if a.user.role != Role::Admin {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            Some(&a),
            "只有管理员可以导入平台数据",
        ));
    }
    let x = assessment_of(&st, &a, id).await?;
    let period = kaohe_app::import::default_period(&x);
    let page = ImportPage {
        frame: Frame::of(Some(&a)),
        a_id: id,
        title: &x.title,
        period_start: period.start.to_string(),
        period_end: period.end.to_string(),
        staged: crate::imports::staged_files(&st, id),
    };
    Ok(render("import.html", page))
}

/// 导入平台数据's context: the assessment, the period its imports default to, the files staged.
#[derive(serde::Serialize)]
struct ImportPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    a_id: i64,
    title: &'a str,
    period_start: String,
    period_end: String,
    staged: Vec<crate::imports::StagedFile>,
}

/// 审计日志's context: the entries found, the filter, and the chain's state.
#[derive(serde::Serialize)]
struct AuditPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    entries: Vec<kaohe_app::audit_log::Row>,
    q: &'a AuditFilter,
    /// The filter's choices: every action code with its words.
    actions: &'static [(&'static str, &'static str)],
    chain_ok: bool,
    chain_entries: Option<u64>,
    chain_error: Option<String>,
    /// 审计日志保留期 (days): nothing younger may be removed, and the store removes nothing.
    retention: i64,
}

#[derive(Deserialize, Default, serde::Serialize)]
pub(super) struct AuditFilter {
    #[serde(default)]
    pub(super) actor: String,
    #[serde(default)]
    pub(super) action: String,
    #[serde(default)]
    pub(super) entity: String,
    /// A notice (the last sign-in, when the 审计管理员 signs in).
    #[serde(default)]
    pub(super) msg: Option<String>,
}

/// 审计日志 (审计管理员 only): newest first, filterable, with the chain's status and the archive form.
pub(super) async fn audit_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Query(q): Query<AuditFilter>,
) -> Page {
    let entries =
        kaohe_app::audit_log::search(&st.store, &a.user, &q.actor, &q.action, &q.entity, 500)
            .await
            .or_page(&a)?;
    let chain = st.store.audit_verify().await.or_page(&a)?;
    let retention = st
        .store
        .security()
        .await
        .or_page(&a)?
        .get("audit_retention_days");
    let page = AuditPage {
        frame: Frame::of(Some(&a)).notice(q.msg.clone()),
        retention,
        entries,
        q: &q,
        actions: kaohe_store::audit::ACTIONS,
        chain_ok: chain.is_ok(),
        chain_entries: chain.as_ref().ok().map(|n| *n as u64),
        chain_error: chain.err().map(|e| e.to_string()),
    };
    Ok(render("audit.html", page))
}

/// 设置 (admin): the assessment's units, the accounts, and which assessor scores which unit. `typed`
/// keeps what was typed into a rejected form, `error` says what to fix.
pub(super) async fn setup_render(
    st: &AppState,
    a: &Authed,
    id: i64,
    typed: Value,
    error: Option<String>,
    notice: Option<String>,
) -> Page {
    if a.user.role != Role::Admin {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            Some(a),
            "只有管理员可以设置考核",
        ));
    }
    let x = assessment_of(st, a, id).await?;
    let accounts = st.store.accounts(&a.user).await.or_page(a)?;
    let units = st.store.units(id).await.or_page(a)?;
    let unit_name = |code: &str| {
        units
            .iter()
            .find(|u| u.code == code)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let kinds: Vec<String> = x
        .rubric
        .shapes
        .kinds()
        .unwrap_or_default()
        .into_iter()
        .map(str::to_string)
        .collect();
    let page = SetupPage {
        frame: Frame::of(Some(a)).error(error).notice(notice),
        a_id: id,
        title: &x.title,
        stage_label: x.stage.label(),
        is_draft: x.stage == Stage::Draft,
        before_final: x.stage != Stage::Final,
        kinds,
        roles: [Role::Admin, Role::Assessor, Role::Reporter, Role::Viewer]
            .map(|r| (r.key(), r.label()))
            .to_vec(),
        users: accounts
            .iter()
            .map(|u| Account {
                login: &u.login,
                name: &u.name,
                role: u.role.label(),
                role_key: u.role.key(),
                unit: u.unit_code.as_deref().map(|c| match unit_name(c) {
                    n if n.is_empty() => c.to_string(),
                    n => format!("{c}（{n}）"),
                }),
                unit_code: u.unit_code.as_deref(),
                phone: u.phone.as_deref(),
                active: u.active,
                must_change: u.must_change_password,
            })
            .collect(),
        assessors: accounts
            .iter()
            .filter(|u| u.role == Role::Assessor && u.active)
            .map(|u| Person {
                login: &u.login,
                name: &u.name,
            })
            .collect(),
        assignments: st
            .store
            .assignments(id)
            .await
            .or_page(a)?
            .into_iter()
            .map(|(login, name, unit)| Assignment {
                login,
                name,
                unit_name: unit_name(&unit),
                unit,
            })
            .collect(),
        units,
        typed,
    };
    let mut r = render("setup.html", page);
    *r.status_mut() = status;
    Ok(r)
}

/// 设置's context: the units, accounts and assignments, and what was typed into a refused form.
#[derive(serde::Serialize)]
struct SetupPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    a_id: i64,
    title: &'a str,
    stage_label: &'static str,
    /// Units are added and edited in 草稿 only.
    is_draft: bool,
    /// Assessors are reassigned until 定档.
    before_final: bool,
    /// The rubric's unit kinds.
    kinds: Vec<String>,
    /// (key, label) of every role.
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<kaohe_store::store::UnitRow>,
    users: Vec<Account<'a>>,
    assessors: Vec<Person<'a>>,
    assignments: Vec<Assignment>,
    typed: Value,
}

#[derive(serde::Serialize)]
struct Account<'a> {
    login: &'a str,
    name: &'a str,
    role: &'static str,
    role_key: &'static str,
    /// 所属单位 as shown: code and name.
    unit: Option<String>,
    unit_code: Option<&'a str>,
    phone: Option<&'a str>,
    active: bool,
    must_change: bool,
}

#[derive(serde::Serialize)]
struct Person<'a> {
    login: &'a str,
    name: &'a str,
}

#[derive(serde::Serialize)]
struct Assignment {
    login: String,
    name: String,
    unit: String,
    unit_name: String,
}

pub(super) async fn setup_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    Query(msg): Query<Msg>,
) -> Page {
    setup_render(&st, &a, id, json!({}), None, msg.msg).await
}

/// 名册模板 (admin): the workbook to fill in.
pub(super) async fn roster_template(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
) -> Page {
    let bytes = kaohe_app::accounts::template(&st.store, &a.user, id)
        .await
        .or_page(&a)?;
    Ok(xlsx_download(
        Ok::<_, String>(bytes),
        "单位与账号名册模板.xlsx",
    ))
}

/// 导出现有单位与账号 (admin): never a password.
pub(super) async fn roster_export(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
) -> Page {
    let bytes = kaohe_app::accounts::export(&st.store, &a.user, id)
        .await
        .or_page(&a)?;
    Ok(xlsx_download(Ok::<_, String>(bytes), "单位与账号.xlsx"))
}

/// One setup form: `what` = unit (add a unit), unit_edit, user (add an account), user_edit,
/// user_disable, user_enable, user_reset (a generated password, shown once on the page), assign
/// (an assessor to a unit without one) or reassign (改派, with a reason).
pub(super) async fn setup_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    body: String,
) -> Page {
    let f = posted(&a, &body)?;
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let what = get("what");
    let now = st.now();
    let said = |e: StoreError| crate::error::AppError::from(e).message;
    let opt = |v: String| (!v.is_empty()).then_some(v);
    let result: Result<String, String> = match what.as_str() {
        "unit" => {
            let (code, name, kind) = (get("code"), get("name"), get("kind"));
            if code.is_empty() || name.is_empty() || kind.is_empty() {
                Err("请填写单位编码（区划代码）、名称和类型".into())
            } else {
                st.store
                    .add_unit(&a.user, id, &code, &name, &kind, &now)
                    .await
                    .map(|_| format!("已添加单位 {name}（{code}）"))
                    .map_err(said)
            }
        }
        "unit_edit" => {
            let edit = kaohe_store::NewUnit {
                code: get("code"),
                name: get("name"),
                kind: get("kind"),
            };
            st.store
                .edit_unit(&a.user, id, &get("old"), &edit, &now)
                .await
                .map(|_| format!("已修改单位 {}（{}）", edit.name, edit.code))
                .map_err(said)
        }
        "user" => match Role::parse(&get("role")) {
            None => Err("请选择角色".into()),
            Some(role) => st
                .store
                .add_account(
                    &a.user,
                    Some(id),
                    &kaohe_store::NewAccount {
                        login: get("login"),
                        name: get("name"),
                        role,
                        unit: opt(get("unit")),
                        phone: opt(get("phone")),
                        password: f.get("password").cloned().unwrap_or_default(),
                    },
                    &now,
                )
                .await
                .map(|u| {
                    format!(
                        "已添加账号 {}（{}，{}），首次登录须修改初始密码",
                        u.login,
                        u.name,
                        u.role.label()
                    )
                })
                .map_err(said),
        },
        "user_edit" => match Role::parse(&get("role")) {
            None => Err("请选择角色".into()),
            Some(role) => {
                let login = get("login");
                st.store
                    .edit_account(
                        &a.user,
                        Some(id),
                        &login,
                        &kaohe_store::AccountEdit {
                            name: get("name"),
                            role,
                            unit: opt(get("unit")),
                            phone: opt(get("phone")),
                        },
                        &now,
                    )
                    .await
                    .map(|_| format!("已修改账号 {login}"))
                    .map_err(said)
            }
        },
        "user_disable" | "user_enable" => {
            let (login, active) = (get("login"), what == "user_enable");
            st.store
                .set_account_active(&a.user, &login, active, &get("why"), &now)
                .await
                .map(|_| {
                    if active {
                        format!("已启用账号 {login}")
                    } else {
                        format!("已停用账号 {login}：不能再登录，已登录的会话已结束")
                    }
                })
                .map_err(said)
        }
        "user_reset" => {
            let login = get("login");
            // The new password is shown once, on this page (never put in a URL to redirect to).
            return match kaohe_app::accounts::reset_password(&st.store, &a.user, &login, &now).await
            {
                Ok(p) => {
                    let m = format!(
                        "已重置 {login} 的密码。新的初始密码：{p}（只显示这一次，请告知本人；下次登录须先修改密码）"
                    );
                    setup_render(&st, &a, id, json!({}), None, Some(m)).await
                }
                Err(e) => setup_render(&st, &a, id, json!({}), Some(said(e)), None).await,
            };
        }
        "assign" => {
            let (login, unit) = (get("assessor"), get("unit"));
            match st.store.user_by_login(&login).await {
                Ok(Some(u)) => st
                    .store
                    .assign(&a.user, id, &u, &unit, &now)
                    .await
                    .map(|_| format!("已安排 {} 考核单位 {unit}", u.name))
                    .map_err(said),
                _ => Err(format!("没有账号“{login}”")),
            }
        }
        "reassign" => {
            let (unit, from, to) = (get("unit"), get("from"), get("to"));
            st.store
                .reassign(&a.user, id, &unit, &from, &to, &get("why"), &now)
                .await
                .map(|_| format!("已将单位 {unit} 的考核员由 {from} 改派为 {to}"))
                .map_err(said)
        }
        _ => Err("未知的设置项".into()),
    };
    match result {
        Ok(m) => Ok(Redirect::to(&format!(
            "/a/{id}/setup?{}",
            serde_urlencoded::to_string([("msg", m.as_str())]).unwrap_or_default()
        ))
        .into_response()),
        Err(e) => {
            // Keep what was typed, except the password.
            let mut typed = json!(f);
            if let Some(o) = typed.as_object_mut() {
                o.remove("password");
                o.remove("csrf");
            }
            setup_render(&st, &a, id, typed, Some(e), None).await
        }
    }
}
