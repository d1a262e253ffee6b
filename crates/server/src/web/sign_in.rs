//! 登录与退出: the sign-in page and form, and signing out.

use super::*;

/// The sign-in page's context: the login typed, and why signing in failed.
#[derive(serde::Serialize)]
struct LoginPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    login: &'a str,
}

fn login(typed: &str, error: Option<String>) -> Response {
    render(
        "login.html",
        LoginPage {
            frame: Frame::of(None).error(error),
            login: typed,
        },
    )
}

pub(super) async fn login_page() -> Response {
    login("", None)
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    pub(super) login: String,
    pub(super) password: String,
}

pub(super) async fn login_form(
    State(st): State<AppState>,
    addr: auth::ClientAddr,
    cert: auth::ClientCert,
    body: String,
) -> Response {
    let Ok(f) = serde_urlencoded::from_str::<LoginForm>(&body) else {
        return login("", Some("请填写登录名和密码".into()));
    };
    match auth::sign_in(&st, &f.login, &f.password, addr, cert).await {
        Ok(s) => {
            // The previous sign-in's time and address, shown on the first page.
            let msg = serde_urlencoded::to_string([("msg", auth::last_sign_in_words(&s.previous))])
                .unwrap_or_default();
            let to = if s.must_change { "/password" } else { "/" };
            let mut r = Redirect::to(&format!("{to}?{msg}")).into_response();
            r.headers_mut().insert(header::SET_COOKIE, s.cookie);
            r
        }
        Err(e) => {
            let mut r = login(&f.login, Some(e.message));
            *r.status_mut() = e.status;
            r
        }
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    pub(super) csrf: String,
}

pub(super) async fn logout_form(
    State(st): State<AppState>,
    addr: auth::ClientAddr,
    a: Result<SignedIn, PageError>,
    body: String,
) -> Response {
    if let (Ok(SignedIn(a)), Ok(f)) = (a, serde_urlencoded::from_str::<CsrfForm>(&body))
        && auth::same(&f.csrf, &a.csrf)
    {
        let _ = st
            .store
            .sign_out(&a.user, &a.token, &addr.text(), &st.now())
            .await;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, auth::clear_cookie(&st));
    r
}

/// 修改密码's context: whether the change is required before anything else.
#[derive(serde::Serialize)]
struct PasswordPage<'a> {
    #[serde(flatten)]
    frame: Frame<'a>,
    required: bool,
    /// The password rule in force, in words (the security settings).
    rule: String,
    min_chars: usize,
}

async fn password_render(
    st: &AppState,
    a: &Authed,
    error: Option<String>,
    notice: Option<String>,
) -> Page {
    let required = match st.store.session(&a.token, &st.now()).await.or_page(a)? {
        Some(s) => s.must_change_password,
        None => st.store.must_change_password(&a.user).await.or_page(a)?,
    };
    let s = st.store.security().await.or_page(a)?;
    let rule = format!(
        "至少 {} 位，含大写字母、小写字母、数字、符号中至少 {} 类；不能是登录名或常见密码，不能与最近 {} 次用过的相同；每 {} 天须更换",
        s.min_chars(),
        s.classes(),
        s.history(),
        s.get("password_max_age_days")
    );
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut r = render(
        "password.html",
        PasswordPage {
            frame: Frame::of(Some(a)).error(error).notice(notice),
            required,
            rule,
            min_chars: s.min_chars(),
        },
    );
    *r.status_mut() = status;
    Ok(r)
}

/// 修改密码 (everyone): the old password, the new one twice. A person whose password is an initial
/// or reset one is sent here before anything else.
pub(super) async fn password_page(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    Query(msg): Query<Msg>,
) -> Page {
    password_render(&st, &a, None, msg.msg).await
}

pub(super) async fn password_form(
    State(st): State<AppState>,
    SignedIn(a): SignedIn,
    body: String,
) -> Page {
    let f = posted(&a, &body)?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let (old, new, again) = (get("old"), get("new"), get("again"));
    if new != again {
        return password_render(&st, &a, Some("两次输入的新密码不一致".into()), None).await;
    }
    match st
        .store
        .change_own_password(&a.user, &old, &new, &st.now())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/password?{}",
            serde_urlencoded::to_string([("msg", "密码已修改，下次登录请用新密码")])
                .unwrap_or_default()
        ))
        .into_response()),
        Err(e @ (StoreError::Invalid(_) | StoreError::Forbidden(_))) => {
            password_render(&st, &a, Some(e.to_string()), None).await
        }
        Err(e) => Err(PageError::store(&a, e)),
    }
}
