//! 示例 — a data directory with the 2021 rubric, the 17 demo units (示例数据), an account for every
//! role, and a 2021 assessment part-way through 考核: self-assessments of every unit, the assessor
//! scores of the first ten units, the platform metrics, and the findings of 1.4.2.

use kaohe_store::{Ledger, NewUser, Role, Stage, Store, StoreError, User};

/// The demo accounts: (login, name, role, unit, password).
pub const ACCOUNTS: &[(&str, &str, Role, Option<&str>, &str)] = &[
    (
        "admin",
        "县政务办管理员",
        Role::Admin,
        None,
        "kaohe-admin-2021",
    ),
    (
        "zhangwei",
        "张伟（考核组）",
        Role::Assessor,
        None,
        "kaohe-assessor-2021",
    ),
    (
        "lina",
        "李娜（考核组）",
        Role::Assessor,
        None,
        "kaohe-assessor-2021",
    ),
    (
        "juegang",
        "掘港街道填报员",
        Role::Reporter,
        Some("320623001"),
        "kaohe-reporter-2021",
    ),
    (
        "matang",
        "马塘镇填报员",
        Role::Reporter,
        Some("320623100"),
        "kaohe-reporter-2021",
    ),
    ("leader", "县领导", Role::Viewer, None, "kaohe-viewer-2021"),
];

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|c| c.trim().to_string()).collect())
        .collect()
}

/// Seeds `store` (empty) with the demo. `files` are the demo CSVs by name; returns the assessment id.
pub async fn seed(
    store: &Store,
    rubric_toml: &str,
    files: &[(String, Vec<u8>)],
    now: &str,
) -> Result<i64, StoreError> {
    let file = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    };
    let mut users: Vec<User> = Vec::new();
    for (login, name, role, unit, password) in ACCOUNTS {
        let by = users.first().cloned();
        users.push(
            store
                .add_user(
                    by.as_ref(),
                    &NewUser {
                        login,
                        name,
                        role: *role,
                        unit: *unit,
                        password,
                    },
                    now,
                )
                .await?,
        );
    }
    let admin = users[0].clone();
    let assessors = [users[1].clone(), users[2].clone()];
    let id = store
        .create_assessment(
            &admin,
            "2021年度镇区、街道政务服务考核（示例数据）",
            rubric_toml,
            now,
        )
        .await?;
    let units = csv_rows(&file("units.csv"));
    for (i, u) in units.iter().enumerate() {
        store.add_unit(&admin, id, &u[0], &u[1], &u[2], now).await?;
        store
            .assign(&admin, id, &assessors[i % 2], &u[0], now)
            .await?;
    }
    store
        .advance(&admin, id, Stage::SelfAssessment, "开始自评", now)
        .await?;
    let judgements = csv_rows(&file("judgements.csv"));
    let reporters: Vec<&User> = users.iter().filter(|u| u.role == Role::Reporter).collect();
    for j in &judgements {
        // Self-assessments: units self-score full marks, with the reporter of the unit where there is one
        // (others by the admin on their behalf is not allowed, so only units with reporters self-assess).
        if let Some(r) = reporters
            .iter()
            .find(|r| r.unit_code.as_deref() == Some(j[0].as_str()))
        {
            store
                .set_score(
                    r,
                    id,
                    &j[0],
                    &j[1],
                    Ledger::SelfScore,
                    &j[2],
                    &j[3],
                    None,
                    now,
                )
                .await?;
        }
    }
    store
        .advance(&admin, id, Stage::Review, "开始考核", now)
        .await?;
    let first_ten: Vec<&String> = units.iter().take(10).map(|u| &u[0]).collect();
    for j in &judgements {
        if first_ten.contains(&&j[0]) {
            let i = units.iter().position(|u| u[0] == j[0]).unwrap_or(0);
            store
                .set_score(
                    &assessors[i % 2],
                    id,
                    &j[0],
                    &j[1],
                    Ledger::Assessor,
                    &j[2],
                    &j[3],
                    None,
                    now,
                )
                .await?;
        }
    }
    let rubric = store.assessment(id).await?.rubric;
    for m in csv_rows(&file("metrics.csv")) {
        let key = rubric
            .metrics
            .iter()
            .find(|d| *d.key == *m[1] || d.name == m[1])
            .map(|d| d.key.to_string())
            .unwrap_or_else(|| m[1].clone());
        let v = m[2].trim_end_matches('%');
        let mut value: rust_decimal::Decimal = v.parse().unwrap_or_default();
        if m[2].ends_with('%') {
            value /= rust_decimal::Decimal::ONE_HUNDRED;
        }
        store
            .set_metric(&admin, id, &m[0], &key, value, now)
            .await?;
    }
    for f in csv_rows(&file("findings.csv")) {
        let i = units.iter().position(|u| u[0] == f[0]).unwrap_or(0);
        store
            .add_finding(&assessors[i % 2], id, &f[0], &f[1], &f[2], now)
            .await?;
    }
    Ok(id)
}
