//! 三员分立的页面: 安全管理 (安全管理员: the sign-in rules as settings, locks lifted, roles), 系统管理
//! (系统管理员: every account — added, disabled, enabled, its password reset) and the audit archive
//! (审计管理员). Each action is the store's, checked under its lock and audited there; a refusal
//! comes back as the page that says why.

use super::*;
use kaohe_store::security::Setting;

/// 安全管理's context: the settings in force, the locks, the accounts with their roles.
#[derive(serde::Serialize)]
struct SecurityPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    settings: Vec<(Setting, i64)>,
    locks: Vec<kaohe_store::store::Lock>,
    accounts: Vec<AccountRow>,
    roles: Vec<(&'static str, &'static str)>,
    /// Accounts with a bound certificate, and the active ones (for 须证书登录).
    certified: usize,
    active_accounts: usize,
}

/// An account as the officers' pages list it.
#[derive(serde::Serialize)]
struct AccountRow {
    login: String,
    name: String,
    role: &'static str,
    role_label: &'static str,
    active: bool,
    must_change_password: bool,
}

fn account_rows(accounts: Vec<kaohe_store::Account>) -> Vec<AccountRow> {
    accounts
        .into_iter()
        .map(|u| AccountRow {
            role: u.role.key(),
            role_label: u.role.label(),
            login: u.login,
            name: u.name,
            active: u.active,
            must_change_password: u.must_change_password,
        })
        .collect()
}

/// Every role as (key, words), for the forms.
fn roles() -> Vec<(&'static str, &'static str)> {
    [
        Role::Admin,
        Role::Assessor,
        Role::Viewer,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ]
    .into_iter()
    .map(|r| (r.key(), r.label()))
    .collect()
}

/// Back to `to` with a notice.
fn back(to: &str, notice: &str) -> Response {
    Redirect::to(&format!(
        "{to}?{}",
        serde_urlencoded::to_string([("msg", notice)]).unwrap_or_default()
    ))
    .into_response()
}

fn refuse_unless(a: &Authed, role: Role) -> Result<(), PageError> {
    if a.user.role == role {
        return Ok(());
    }
    Err(PageError::new(
        StatusCode::FORBIDDEN,
        Some(a),
        &format!(
            "{}（{}）无权打开此页面：只有{}可以（三员分立）",
            a.user.name,
            a.user.role.label(),
            role.label()
        ),
    ))
}

/// 安全管理 (安全管理员).
pub(super) async fn security_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Query(msg): Query<Msg>,
) -> Page {
    refuse_unless(&a, Role::SecurityAdmin)?;
    let now = st.now();
    let page = SecurityPage {
        frame: Frame::of(Some(&a)).notice(msg.msg).error(msg.error),
        settings: st.store.security().await.or_page(&a)?.rows(),
        locks: st.store.locks(&a.user, &now).await.or_page(&a)?,
        accounts: account_rows(st.store.accounts(&a.user).await.or_page(&a)?),
        roles: roles(),
        certified: st.store.certificates(&a.user).await.or_page(&a)?.len(),
        active_accounts: 0,
    };
    let page = SecurityPage {
        active_accounts: page.accounts.iter().filter(|u| u.active).count(),
        ..page
    };
    Ok(render("security.html", page))
}

/// A 安全管理 form: `what` = settings (every setting), unlock (`login`), role (`login`, `role`, `why`).
pub(super) async fn security_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    body: String,
) -> Page {
    refuse_unless(&a, Role::SecurityAdmin)?;
    let f = posted(&a, &body)?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let now = st.now();
    let done = match get("what").as_str() {
        "settings" => {
            let mut r = Ok(());
            for s in kaohe_store::security::SETTINGS {
                if let Some(v) = f.get(s.key) {
                    r = st.store.set_security(&a.user, s.key, v, &now).await;
                    if r.is_err() {
                        break;
                    }
                }
            }
            r.map(|_| "安全设置已保存".to_string())
        }
        "unlock" => {
            let login = get("login");
            let locks = st.store.locks(&a.user, &now).await.or_page(&a)?;
            let r = st.store.unlock(&a.user, &login, &now).await;
            if r.is_ok() {
                // The in-memory flood counts of the same pairs go too.
                for l in locks.iter().filter(|l| l.login == login) {
                    let ip = auth::ClientAddr(l.addr.parse().ok());
                    st.limiter.succeeded(&login, ip);
                }
            }
            r.map(|_| format!("已解锁账号 {login}"))
        }
        "role" => match Role::parse(&get("role")) {
            Some(role) => st
                .store
                .set_role(&a.user, &get("login"), role, &get("why"), &now)
                .await
                .map(|_| format!("已将 {} 改为{}", get("login"), role.label())),
            None => Err(StoreError::Invalid("请选择角色".into())),
        },
        _ => Err(StoreError::Invalid("未知的操作".into())),
    };
    match done {
        Ok(m) => Ok(back("/security", &m)),
        Err(e @ (StoreError::Invalid(_) | StoreError::Forbidden(_))) => Ok(Redirect::to(&format!(
            "/security?{}",
            serde_urlencoded::to_string([("error", e.to_string())]).unwrap_or_default()
        ))
        .into_response()),
        Err(e) => Err(PageError::store(&a, e)),
    }
}

/// 系统管理's context: every account, and the password just generated (shown once).
#[derive(serde::Serialize)]
struct SystemPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    accounts: Vec<AccountRow>,
    roles: Vec<(&'static str, &'static str)>,
    /// (login, certificate identity) of every account with a bound certificate.
    certs: std::collections::BTreeMap<String, String>,
}

/// 系统管理 (系统管理员): every account.
pub(super) async fn system_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Query(msg): Query<Msg>,
) -> Page {
    refuse_unless(&a, Role::SystemAdmin)?;
    let page = SystemPage {
        frame: Frame::of(Some(&a)).notice(msg.msg).error(msg.error),
        accounts: account_rows(st.store.accounts(&a.user).await.or_page(&a)?),
        roles: roles(),
        certs: st
            .store
            .certificates(&a.user)
            .await
            .or_page(&a)?
            .into_iter()
            .collect(),
    };
    Ok(render("system.html", page))
}

/// A 系统管理 form: `what` = add (login, name, role, phone; a generated initial password shown once),
/// disable / enable (login, why), reset (login; a generated password shown once), cert (login,
/// cert: the certificate's identity to bind; empty removes the binding).
pub(super) async fn system_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    body: String,
) -> Page {
    refuse_unless(&a, Role::SystemAdmin)?;
    let f = posted(&a, &body)?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let now = st.now();
    let login = get("login").trim().to_string();
    let done = match get("what").as_str() {
        "add" => match Role::parse(&get("role")) {
            Some(Role::Reporter) | None => Err(StoreError::Invalid(
                "请选择角色（单位填报员由管理员在考核的“设置”页面添加）".into(),
            )),
            Some(role) => {
                let password = kaohe_store::roster::generate_password();
                let phone = Some(get("phone")).filter(|p| !p.trim().is_empty());
                let new = kaohe_store::NewAccount {
                    login: login.clone(),
                    name: get("name").trim().to_string(),
                    role,
                    unit: None,
                    phone,
                    password: password.clone(),
                };
                st.store
                    .add_account(&a.user, None, &new, &now)
                    .await
                    .map(|_| {
                        format!("已新增账号 {login}（{}），初始密码：{password}（只显示这一次，首次登录须修改）", role.label())
                    })
            }
        },
        w @ ("disable" | "enable") => st
            .store
            .set_account_active(&a.user, &login, w == "enable", &get("why"), &now)
            .await
            .map(|_| {
                format!(
                    "账号 {login} 已{}",
                    if w == "enable" { "启用" } else { "停用" }
                )
            }),
        "reset" => {
            let password = kaohe_store::roster::generate_password();
            st.store
                .reset_password(&a.user, &login, &password, &now)
                .await
                .map(|_| {
                    format!("账号 {login} 的密码已重置为：{password}（只显示这一次，登录后须修改）")
                })
        }
        "cert" => {
            let cert = get("cert").trim().to_string();
            let cert = Some(cert.as_str()).filter(|c| !c.is_empty());
            st.store
                .bind_certificate(&a.user, &login, cert, &now)
                .await
                .map(|_| match cert {
                    Some(_) => format!("已为账号 {login} 绑定数字证书"),
                    None => format!("已解除账号 {login} 的数字证书绑定"),
                })
        }
        _ => Err(StoreError::Invalid("未知的操作".into())),
    };
    match done {
        Ok(m) => Ok(back("/system", &m)),
        Err(e @ (StoreError::Invalid(_) | StoreError::Forbidden(_))) => Ok(Redirect::to(&format!(
            "/system?{}",
            serde_urlencoded::to_string([("error", e.to_string())]).unwrap_or_default()
        ))
        .into_response()),
        Err(e) => Err(PageError::store(&a, e)),
    }
}

#[derive(Deserialize)]
pub(super) struct Period {
    from: String,
    to: String,
}

/// 导出审计归档 (审计管理员): the entries of a period as a signed archive to check offline.
pub(super) async fn audit_archive(
    State(st): State<AppState>,
    addr: auth::ClientAddr,
    SignedIn(a): SignedIn,
    Query(p): Query<Period>,
) -> Page {
    let date = |s: &str| {
        kaohe_core::Date::parse(s.trim()).ok_or_else(|| {
            PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&a),
                &format!("日期“{s}”应写成 2026-01-31"),
            )
        })
    };
    let (from, to) = (date(&p.from)?, date(&p.to)?);
    let text = st
        .store
        .audit_archive(&a.user, from, to, &addr.text(), &st.now())
        .await
        .or_page(&a)?;
    let mut r = text.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/jsonl; charset=utf-8"),
    );
    if let Ok(v) = header::HeaderValue::from_str(&format!(
        "attachment; filename=\"kaohe-audit-{from}-{to}.jsonl\""
    )) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
