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
    body: String,
) -> Response {
    let Ok(f) = serde_urlencoded::from_str::<LoginForm>(&body) else {
        return login("", Some("请填写登录名和密码".into()));
    };
    match auth::sign_in(&st, &f.login, &f.password, addr).await {
        Ok((cookie, _user, _csrf)) => {
            let mut r = Redirect::to("/").into_response();
            r.headers_mut().insert(header::SET_COOKIE, cookie);
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
    a: Result<SignedIn, PageError>,
    body: String,
) -> Response {
    if let (Ok(SignedIn(a)), Ok(f)) = (a, serde_urlencoded::from_str::<CsrfForm>(&body))
        && auth::same(&f.csrf, &a.csrf)
    {
        let _ = st.store.end_session(&a.token).await;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, auth::clear_cookie(&st));
    r
}
