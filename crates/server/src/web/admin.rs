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
    entries: Vec<kaohe_store::audit::Entry>,
    q: &'a AuditFilter,
    chain_ok: bool,
    chain_entries: Option<u64>,
    chain_error: Option<String>,
}

#[derive(Deserialize, Default, serde::Serialize)]
pub(super) struct AuditFilter {
    #[serde(default)]
    pub(super) actor: String,
    #[serde(default)]
    pub(super) action: String,
    #[serde(default)]
    pub(super) entity: String,
}

/// 审计日志 (admin): newest first, filterable, with the chain's status.
pub(super) async fn audit_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Query(q): Query<AuditFilter>,
) -> Page {
    let entries = st
        .store
        .audit_search(&a.user, &q.actor, &q.action, &q.entity, 500)
        .await
        .or_page(&a)?;
    let chain = st.store.audit_verify().await.or_page(&a)?;
    let page = AuditPage {
        frame: Frame::of(Some(&a)),
        entries,
        q: &q,
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
    let users = st.store.users(&a.user).await.or_page(a)?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = SetupPage {
        frame: Frame::of(Some(a)).error(error).notice(notice),
        a_id: id,
        title: &x.title,
        stage_label: x.stage.label(),
        units: st.store.units(id).await.or_page(a)?,
        users: users
            .iter()
            .map(|u| Account {
                login: &u.login,
                name: &u.name,
                role: u.role.label(),
                unit: u.unit_code.as_deref(),
            })
            .collect(),
        assessors: users
            .iter()
            .filter(|u| u.role == Role::Assessor)
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
            .map(|(login, name, unit)| Assignment { login, name, unit })
            .collect(),
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
    unit: Option<&'a str>,
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
}

pub(super) async fn setup_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Path(id): Path<i64>,
    Query(msg): Query<Msg>,
) -> Page {
    setup_render(&st, &a, id, json!({}), None, msg.msg).await
}

/// One setup form: `what` = unit (add a unit), user (add an account) or assign (an assessor to a unit).
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
                    .map_err(|e| crate::error::AppError::from(e).message)
            }
        }
        "user" => {
            let (login, name, role, unit, password) = (
                get("login"),
                get("name"),
                get("role"),
                get("unit"),
                f.get("password").cloned().unwrap_or_default(),
            );
            match Role::parse(&role) {
                None => Err("请选择角色".into()),
                Some(r) => st
                    .store
                    .add_user(
                        Some(&a.user),
                        &kaohe_store::NewUser {
                            login: &login,
                            name: &name,
                            role: r,
                            unit: (!unit.is_empty()).then_some(unit.as_str()),
                            password: &password,
                        },
                        &now,
                    )
                    .await
                    .map(|u| format!("已添加账号 {}（{}，{}）", u.login, u.name, u.role.label()))
                    .map_err(|e| crate::error::AppError::from(e).message),
            }
        }
        "assign" => {
            let (login, unit) = (get("assessor"), get("unit"));
            match st.store.user_by_login(&login).await {
                Ok(Some(u)) => st
                    .store
                    .assign(&a.user, id, &u, &unit, &now)
                    .await
                    .map(|_| format!("已安排 {} 考核单位 {unit}", u.name))
                    .map_err(|e| crate::error::AppError::from(e).message),
                _ => Err(format!("没有账号“{login}”")),
            }
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
