//! The service from the command line: `kaohe serve`, `kaohe demo` (serving), `kaohe user add`,
//! `kaohe audit verify`, `kaohe import`.

use super::*;

pub fn user_add(
    data: &Path,
    login: &str,
    name: &str,
    role: &str,
    unit: Option<&str>,
    password: &str,
) -> Result<u8> {
    let role = kaohe_store::Role::parse(role).ok_or_else(|| {
        anyhow::anyhow!("角色应为 admin / assessor / reporter / viewer / sysadmin / secadmin / auditadmin，实为 {role}")
    })?;
    runtime()?.block_on(async {
        let store = open_store(data).await?;
        let new = kaohe_store::NewUser {
            login,
            name,
            role,
            unit,
            password,
        };
        match store.add_user(None, &new, &now_utc()).await {
            Ok(u) => {
                // Set at the console by the operator: the holder changes it at the first sign-in.
                store.require_password_change(&u.login, &now_utc()).await?;
                println!("已新增账户 {}（{}，{}）", u.login, u.name, u.role.label());
                Ok(EXIT_OK)
            }
            Err(kaohe_store::StoreError::Invalid(m)) => {
                eprintln!("错误：{m}");
                Ok(EXIT_INVALID)
            }
            Err(e) => Err(e.into()),
        }
    })
}

/// `kaohe audit verify --archive FILE`: an archive checked offline with the audit key (`--key`, the
/// global `--audit-key`, or `DATA/audit.key`); the tampered entry named.
pub fn audit_verify_archive(data: Option<&Path>, key: Option<&Path>, archive: &Path) -> Result<u8> {
    let key_path = key
        .or(audit_key())
        .map(Path::to_path_buf)
        .or_else(|| data.map(|d| d.join("audit.key")))
        .ok_or_else(|| anyhow::anyhow!("请用 --key 指定审计密钥文件，或用 --data 指定数据目录"))?;
    let key = kaohe_store::audit::AuditKey::read(&key_path)
        .map_err(|e| anyhow::anyhow!(e))?
        .ok_or_else(|| anyhow::anyhow!("找不到审计密钥文件 {}", key_path.display()))?;
    let text = std::fs::read_to_string(archive)
        .with_context(|| format!("无法读取归档文件 {}", archive.display()))?;
    match kaohe_store::archive::verify(&key, &text) {
        Ok(c) => {
            println!(
                "审计归档完好：{} 至 {}，共 {} 条，哈希、链接和签名逐一核对无误",
                c.from, c.to, c.count
            );
            Ok(EXIT_OK)
        }
        Err(bad) => {
            eprintln!("审计归档被改动：{bad}");
            Ok(EXIT_INVALID)
        }
    }
}

pub fn audit_verify(data: &Path) -> Result<u8> {
    sqlite_present(data)?;
    runtime()?.block_on(async {
        let store = open_store(data).await?;
        let n = match store.audit_verify().await? {
            Ok(n) => n,
            Err(first_bad) => {
                eprintln!("审计日志被改动：{first_bad}");
                return Ok(EXIT_INVALID);
            }
        };
        let differences = store.audit_replay().await?;
        if !differences.is_empty() {
            eprintln!(
                "审计日志完好（共 {n} 条），但数据表与审计日志不符——有数据在审计日志之外被改动："
            );
            for d in &differences {
                eprintln!("  - {d}");
            }
            return Ok(EXIT_INVALID);
        }
        println!(
            "审计日志完好：共 {n} 条，密钥链（HMAC-SM3）与链头逐条核对无误；按日志回放，考核分、问题记录、指标、加分、定档结果、阶段、细则与账户均与数据表一致"
        );
        Ok(EXIT_OK)
    })
}

/// How `serve` and `demo` run the service.
pub struct Service {
    pub settings: kaohe_server::Settings,
    pub max_connections: Option<usize>,
    /// HTTPS served directly: the certificate chain and private key files (PEM).
    pub tls: Option<(PathBuf, PathBuf)>,
}

/// Serves `store` on `addr` as `service` says, until the process ends.
pub(super) async fn serve_store(
    store: kaohe_store::Store,
    addr: &str,
    service: &Service,
) -> Result<()> {
    let state = kaohe_server::AppState::new(store, kaohe_server::AppState::system_clock())
        .with_settings(service.settings.clone());
    let mut limits = kaohe_server::limits::Limits::default();
    if let Some(n) = service.max_connections {
        limits.max_connections = n.max(1);
    }
    let tls = match &service.tls {
        Some((cert, key)) => {
            Some(kaohe_server::tls::acceptor(cert, key).map_err(|e| anyhow::anyhow!(e))?)
        }
        None => None,
    };
    kaohe_server::serve_tls(kaohe_server::router(state), addr, limits, tls)
        .await
        .with_context(|| format!("无法在 {addr} 提供服务"))
}

pub fn serve(data: &Path, addr: &str, service: &Service) -> Result<u8> {
    runtime()?.block_on(async {
        let store = open_store(data).await?;
        serve_store(store, addr, service).await?;
        Ok(EXIT_OK)
    })
}

pub fn demo_serve(data: Option<&Path>, addr: &str, service: &Service) -> Result<u8> {
    let dir = match data {
        Some(d) => d.to_path_buf(),
        None => std::env::temp_dir().join(format!("kaohe-demo-{}", std::process::id())),
    };
    if dir.join("kaohe.db").exists() {
        bail!("{} 中已有数据；示例需要一个新的目录", dir.display());
    }
    runtime()?.block_on(async {
        let store = open_store(&dir).await?;
        if store.user_by_login("admin").await?.is_some() {
            bail!("数据库中已有数据；示例需要一个空的数据库");
        }
        let id = kaohe_server::demo::seed(
            &store,
            embedded::RUDONG_2021,
            &embedded::demo_files(),
            &now_utc(),
        )
        .await?;
        println!(
            "示例数据目录：{}（考核 {id}，示例数据，不是真实考核结果）",
            dir.display()
        );
        println!(
            "示例账户（登录名 / 密码 / 角色）。这些示例账号是唯一的例外：首次登录不要求修改密码，任何人都可以用下面的密码试用；正式账号首次登录和密码被重置后都须先修改密码："
        );
        for (login, name, role, unit, password) in kaohe_server::demo::ACCOUNTS {
            let unit = unit.map(|u| format!("，单位 {u}")).unwrap_or_default();
            println!(
                "  {login:<10} {password:<22} {}（{name}{unit}）",
                role.label()
            );
        }
        serve_store(store, addr, service).await?;
        Ok(EXIT_OK)
    })
}

pub fn import(data: &Path, assessment: i64, actor: &str, args: &PlatformArgs) -> Result<u8> {
    if !args.given() {
        bail!("请至少提供一种平台数据：--cases、--claims 或 --survey");
    }
    runtime()?.block_on(async {
        let store = open_store(data).await?;
        let by = store
            .user_by_login(actor)
            .await?
            .ok_or_else(|| anyhow::anyhow!("没有账户“{actor}”"))?;
        // The same use case as the web's staged import (kaohe_app::import).
        let (period, scale) = period_and_scale(args)?;
        use kaohe_app::import::{Kind, Source, prepare_for};
        let sources: Vec<Source> = [
            (Kind::Cases, &args.cases),
            (Kind::Claims, &args.claims),
            (Kind::Survey, &args.surveys),
        ]
        .into_iter()
        .flat_map(|(kind, files)| {
            files.iter().map(move |f| Source {
                kind,
                path: f.clone(),
                shown: f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            })
        })
        .collect();
        let (imp, problems) = prepare_for(&store, assessment, period, scale, &sources).await?;
        let Some(imp) = imp else {
            return invalid(&problems, Format::Table);
        };
        print_problems(&problems);
        let rows = imp.rows;
        match store.import(&by, assessment, &imp, &now_utc()).await {
            Ok(id) => {
                println!(
                    "已导入（第 {id} 次导入）：{rows} 行，{} 条指标，{} 例超期办件",
                    imp.metrics.len(),
                    imp.findings.len()
                );
                Ok(EXIT_OK)
            }
            Err(kaohe_store::StoreError::Invalid(m))
            | Err(kaohe_store::StoreError::Forbidden(m)) => {
                eprintln!("错误：{m}");
                Ok(EXIT_INVALID)
            }
            Err(e) => Err(e.into()),
        }
    })
}
