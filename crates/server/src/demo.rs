//! 示例 — a data directory with the 2021 rubric, the 17 demo units (示例数据), an account for every
//! role (the three administrators of 三员分立 among them; the demo's accounts are the one exception to
//! the forced change of password at the first sign-in, so that anyone can try them), and a 2021 assessment part-way through 考核: self-assessments of every unit, the assessor
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
    (
        "sysadmin",
        "赵敏（信息中心）",
        Role::SystemAdmin,
        None,
        "Kaohe-sys-2021",
    ),
    (
        "secadmin",
        "钱进（信息中心）",
        Role::SecurityAdmin,
        None,
        "Kaohe-sec-2021",
    ),
    (
        "auditor",
        "孙丽（纪检监察）",
        Role::AuditAdmin,
        None,
        "Kaohe-audit-2021",
    ),
];

/// Seeds `store` (empty) with the demo. `files` are the demo CSVs by name; returns the assessment id.
pub async fn seed(
    store: &Store,
    rubric_toml: &str,
    files: &[(String, Vec<u8>)],
    now: &str,
) -> Result<i64, StoreError> {
    // The demo files are read by the same reader as `kaohe score` (kaohe-tables): a value it cannot
    // read is an error, never a zero.
    let Some(rubric) = kaohe_core::rubric::load("rubric.toml", rubric_toml).0 else {
        return Err(StoreError::Invalid("示例细则无法读取".into()));
    };
    let (inputs, _, problems) =
        kaohe_tables::batch::read_inputs_from_files(files.to_vec(), &rubric);
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| p.to_string())
        .collect();
    if !errors.is_empty() {
        return Err(StoreError::Invalid(format!(
            "示例数据有误：{}",
            errors.join("；")
        )));
    }
    let mut users: Vec<User> = Vec::new();
    for (login, name, role, unit, password) in ACCOUNTS {
        // The three administrators of 三员分立 are set up at the console (as `kaohe user add` does).
        let by = users.first().cloned().filter(|_| !role.is_officer());
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
    let units = &inputs.units;
    for (i, u) in units.iter().enumerate() {
        store
            .add_unit(&admin, id, &u.code, &u.name, &u.kind, now)
            .await?;
        store
            .assign(&admin, id, &assessors[i % 2], &u.code, now)
            .await?;
    }
    store
        .advance(
            &admin,
            id,
            Stage::SelfAssessment,
            "开始自评",
            now,
            kaohe_store::Gate::none(),
        )
        .await?;
    let reporters: Vec<&User> = users.iter().filter(|u| u.role == Role::Reporter).collect();
    for j in &inputs.judgements {
        // Self-assessments: units self-score full marks, with the reporter of the unit where there is one
        // (others by the admin on their behalf is not allowed, so only units with reporters self-assess).
        if let Some(r) = reporters
            .iter()
            .find(|r| r.unit_code.as_deref() == Some(&*j.unit))
        {
            store
                .set_score(
                    r,
                    id,
                    &j.unit,
                    &j.clause,
                    Ledger::SelfScore,
                    &j.score.normalize().to_string(),
                    &j.reason,
                    None,
                    now,
                )
                .await?;
        }
    }
    store
        .advance(
            &admin,
            id,
            Stage::Review,
            "开始考核",
            now,
            kaohe_store::Gate::none(),
        )
        .await?;
    let first_ten: Vec<&str> = units.iter().take(10).map(|u| &*u.code).collect();
    for j in &inputs.judgements {
        if let Some(i) = first_ten.iter().position(|c| *c == &*j.unit) {
            store
                .set_score(
                    &assessors[i % 2],
                    id,
                    &j.unit,
                    &j.clause,
                    Ledger::Assessor,
                    &j.score.normalize().to_string(),
                    &j.reason,
                    None,
                    now,
                )
                .await?;
        }
    }
    for m in &inputs.metrics {
        let key = rubric
            .metrics
            .iter()
            .find(|d| d.key == m.metric || d.name == *m.metric)
            .map_or_else(|| m.metric.to_string(), |d| d.key.to_string());
        store
            .set_metric(&admin, id, &m.unit, &key, m.value, now)
            .await?;
    }
    for f in &inputs.findings {
        let i = units.iter().position(|u| u.code == f.unit).unwrap_or(0);
        store
            .add_finding(
                &assessors[i % 2],
                id,
                &f.unit,
                &f.clause,
                &f.description,
                now,
            )
            .await?;
    }
    Ok(id)
}
