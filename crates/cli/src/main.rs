//! `kaohe` — the command line of kaohe (考核).
//!
//! - `kaohe demo`: a fresh demo data directory (示例数据) served on 127.0.0.1:8080, accounts printed;
//!   `kaohe demo --print` scores the embedded demo and prints the ranked table.
//! - `kaohe rubric check FILE` / `kaohe rubric show FILE`: validate a rubric; print its tree.
//! - `kaohe rubric export FILE --format xlsx|toml --out F` / `kaohe rubric import F.xlsx --out
//!   FILE.toml`: the rubric as a workbook a clerk edits, and back (canonical TOML).
//! - `kaohe score --input DIR|WORKBOOK [--rubric FILE] --format table|json|xlsx [--out F]`
//!   `[--period P --cases F… --claims F… --survey F…]`.
//! - `kaohe ingest --units F --period P [--cases F]… [--claims F]… [--survey F]… --out DIR`.
//! - `kaohe calendar check DATE | deadline DATE N [--natural] | between A B`.
//! - `kaohe user add --data DIR …`, `kaohe audit verify --data DIR`, `kaohe import --data DIR …`,
//!   `kaohe backup --data DIR --out B`, `kaohe restore --from B --data DIR`, `kaohe serve --data DIR`;
//!   `kaohe verify FILE [--key seal-sm2.pub]`, `kaohe data-key encrypt --data DIR --data-key F`,
//!   `kaohe data-key rotate --data DIR --old-key F --new-key F`;
//!   with `--database postgres://…` (or `KAOHE_DATABASE`) the service's database is PostgreSQL.
//!
//! Exit status of `score` and `demo`: 0 complete, 3 incomplete (missing inputs; the result is still
//! printed), 2 invalid input (problems printed, nothing scored), 1 any other failure.

/// The subcommands of `kaohe calendar` and `kaohe data-key`.
mod actions;
mod embedded;
mod run;

use actions::{CalendarAction, DataKeyAction};

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "kaohe",
    version,
    about = "kaohe（考核）：政务服务考核——细则即数据，精确计分，每一分都有理由"
)]
struct Cli {
    /// 考核服务的数据库：postgres://用户:密码@主机/库名（PostgreSQL 或兼容其协议的数据库）；省略时用数据目录中的
    /// SQLite（kaohe.db）。佐证材料总在数据目录的 evidence/ 中
    #[arg(long, global = true, env = "KAOHE_DATABASE")]
    database: Option<String>,
    /// 审计日志密钥文件（HMAC-SM3）；省略时为数据目录中的 audit.key（首次使用时生成）。多台服务共用一个
    /// PostgreSQL 数据库时，须给它们同一个密钥文件。链头文件 audit.head 写在密钥文件旁
    #[arg(long, global = true, env = "KAOHE_AUDIT_KEY")]
    audit_key: Option<PathBuf>,
    /// 定档结果签名私钥文件（SM2）；省略时为审计密钥旁的 seal-sm2.key（首次使用时生成，公钥写在其旁的
    /// seal-sm2.pub）。私钥从不写入数据库
    #[arg(long, global = true, env = "KAOHE_SEAL_KEY")]
    seal_key: Option<PathBuf>,
    /// 数据加密密钥文件（SM4，16 字节：32 位十六进制数字或 16 字节原始数据）：给出时，此后存入的佐证材料和账号电话
    /// 以 SM4-GCM 加密存放，下载或显示时解密；此前存入的明文照常可读（kaohe data-key encrypt 可将其加密）。
    /// 密钥不写入数据库、数据目录与备份，请另行备份保管
    #[arg(long, global = true, env = "KAOHE_DATA_KEY")]
    data_key: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// How the service is deployed (`serve` and `demo`).
#[derive(clap::Args, Clone, Debug)]
struct ServiceOpts {
    /// 浏览器经 HTTPS 访问本服务（由前置的 HTTPS 代理或网关转发）：会话 Cookie 加 Secure，并发送 HSTS
    #[arg(long, alias = "https", env = "KAOHE_HTTPS")]
    behind_https: bool,
    /// 本服务在受信任的反向代理之后：客户端地址取 X-Forwarded-For 的最后一个地址（仅此时才采信该头）
    #[arg(long, env = "KAOHE_TRUSTED_PROXY")]
    trusted_proxy: bool,
    /// 同时打开的连接上限（默认：可打开文件数 − 128，至多 10000）
    #[arg(long)]
    max_connections: Option<usize>,
    /// 本服务直接提供 HTTPS：证书链文件（PEM）；须与 --tls-key 同时给出。此时 Cookie 加 Secure，并发送 HSTS。
    /// 需要国密 TLCP 时，请在前面放置国密 SSL 网关（见 docs/等保与密评.md）
    #[arg(long, env = "KAOHE_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// HTTPS 私钥文件（PEM：PKCS#8、RSA 或 EC）
    #[arg(long, env = "KAOHE_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// SM2 证书登录：前置的国密 TLCP 网关核验客户端证书后，用这个请求头转来证书标识（序列号/主题）。
    /// 只在加 --behind-https 时可用，且只采信来自本机回环地址（网关）的连接（见 docs/等保与密评.md）
    #[arg(long, env = "KAOHE_CLIENT_CERT_HEADER")]
    client_cert_header: Option<String>,
}

impl ServiceOpts {
    /// How to serve; a certificate header without a gateway in front is refused in Chinese.
    fn settings(&self) -> anyhow::Result<run::Service> {
        let client_cert_header = match self.client_cert_header.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(_) if !self.behind_https || self.tls_cert.is_some() => anyhow::bail!(
                "--client-cert-header 只能与 --behind-https 一起使用（证书由前置的国密网关核验后转来；本服务直接提供 HTTPS 时不采信该请求头）"
            ),
            Some(h) => Some(kaohe_server::Settings::cert_header(h).ok_or_else(|| {
                anyhow::anyhow!("--client-cert-header 不是有效的请求头名称：{h}")
            })?),
        };
        Ok(run::Service {
            settings: kaohe_server::Settings {
                https: self.behind_https || self.tls_cert.is_some(),
                trusted_proxy: self.trusted_proxy,
                client_cert_header,
            },
            max_connections: self.max_connections,
            tls: self.tls_cert.clone().zip(self.tls_key.clone()),
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// 示例：建立一个新的示例数据目录（各角色账户、17 个单位、进行到“考核”阶段的 2021 年考核）并提供考核服务；
    /// 加 --print 则只用内置示例数据计分并打印排名表
    Demo {
        /// 只计分并打印（不提供服务）
        #[arg(long)]
        print: bool,
        /// --print 的输出格式
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// --print 的输出文件
        #[arg(long)]
        out: Option<PathBuf>,
        /// 示例数据目录（默认在系统临时目录中新建）
        #[arg(long)]
        data: Option<PathBuf>,
        /// 监听地址
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        #[command(flatten)]
        service: ServiceOpts,
    },
    /// 提供考核服务（JSON 接口见 /api/openapi.json）
    Serve {
        /// 数据目录（数据库与佐证材料）
        #[arg(long)]
        data: PathBuf,
        /// 监听地址
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        #[command(flatten)]
        service: ServiceOpts,
    },
    /// 细则文件：检查或显示
    Rubric {
        #[command(subcommand)]
        action: RubricAction,
    },
    /// 按细则对输入数据计分（可直接读取平台导出的办件、认领、测评数据）
    Score {
        /// 细则文件（TOML）；省略时使用内置的 rudong-2021
        #[arg(long)]
        rubric: Option<PathBuf>,
        /// 输入：一个目录（每表一个 CSV/XLSX 文件）或一个工作簿（每表一个工作表）
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// 输出文件（xlsx 必填；table/json 省略时打印到标准输出）；pdf 为输出目录
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// 方案对比（试算）：同一批数据分别按现行细则与另一版细则（征求意见稿、新一年的细则）计分，列出总分、名次与每条得分的变化
    Whatif {
        /// 现行细则（TOML）；省略时使用内置的 rudong-2021
        #[arg(long)]
        rubric: Option<PathBuf>,
        /// 另一版细则（TOML）
        #[arg(long)]
        other: PathBuf,
        /// 输入：一个目录（每表一个 CSV/XLSX 文件）或一个工作簿（每表一个工作表），按现行细则读取
        #[arg(long)]
        input: PathBuf,
        /// table、json 或 xlsx（总分与名次、细则改动、得分变化）
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// 输出文件（xlsx 必填；省略时打印到标准输出）
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// 平台数据 → 指标：读取办件、事项认领、满意度测评导出文件，写出 metrics.csv 与 overdue.csv
    Ingest {
        /// 单位表（CSV 或 XLSX：单位编码、单位名称、类型）
        #[arg(long)]
        units: PathBuf,
        /// 输出目录
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// 把平台导出数据导入服务中的一次考核（全部成功或全部不变）
    Import {
        /// 数据目录
        #[arg(long)]
        data: PathBuf,
        /// 考核编号
        #[arg(long)]
        assessment: i64,
        /// 以哪个管理员账户的名义导入（登录名）
        #[arg(long = "as")]
        actor: String,
        #[command(flatten)]
        platform: PlatformArgs,
    },
    /// 在线备份：数据库的一致副本与全部佐证材料
    Backup {
        /// 数据目录
        #[arg(long)]
        data: PathBuf,
        /// 备份目录（须为空）
        #[arg(long)]
        out: PathBuf,
    },
    /// 迁移：把考核服务的全部数据复制到另一个数据库——SQLite 数据目录迁入 PostgreSQL，或 PostgreSQL 复制成一个
    /// SQLite 数据目录；全部成功或全部不变，复制后校验审计日志并逐表核对行数
    Transfer {
        /// 数据目录（佐证材料所在；源数据库为 --database，省略时为其中的 kaohe.db）
        #[arg(long)]
        data: PathBuf,
        /// 目标：postgres://… （空库），或一个新的数据目录（写入 kaohe.db 并复制佐证材料）
        #[arg(long)]
        to: String,
    },
    /// 从备份恢复到一个空的数据目录，并校验审计日志
    Restore {
        /// 备份目录
        #[arg(long)]
        from: PathBuf,
        /// 新的数据目录（须为空）
        #[arg(long)]
        data: PathBuf,
    },
    /// 验证定档结果：检查从“定档结果”下载的 JSON 文件的 SM2 签名（公钥随文件附带，可用 --key 指定应有的公钥）
    Verify {
        /// 定档结果文件（GET /api/assessments/{id}/sealed/{version} 的 JSON，至多 64 MB）
        file: PathBuf,
        /// 应有的签名公钥：seal-sm2.pub 文件（或其中的十六进制公钥）
        #[arg(long)]
        key: Option<String>,
    },
    /// 账户管理（考核服务的数据目录）
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// 数据加密密钥（SM4，--data-key）：encrypt 把配置密钥前存入的明文数据加密；rotate 更换密钥
    DataKey {
        #[command(subcommand)]
        action: DataKeyAction,
    },
    /// 审计日志
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// 工作日历：是否工作日、办理期限、两日之间的工作日数
    Calendar {
        /// 另行载入的日历目录（每年一个 TOML，如 calendars/2027.toml）
        #[arg(long, global = true)]
        calendar_dir: Option<PathBuf>,
        #[command(subcommand)]
        action: CalendarAction,
    },
}

/// Options for platform exports.
#[derive(clap::Args, Default)]
pub struct PlatformArgs {
    /// 考核期（按受理日期），如 2021-01-01..2021-12-31；提供办件数据时必填
    #[arg(long)]
    pub period: Option<String>,
    /// 办件数据（可多次）
    #[arg(long = "cases")]
    pub cases: Vec<PathBuf>,
    /// 事项认领数据（可多次）
    #[arg(long = "claims")]
    pub claims: Vec<PathBuf>,
    /// 帮办代办满意度测评数据（可多次）
    #[arg(long = "survey")]
    pub surveys: Vec<PathBuf>,
    /// 评价数字代码的方向：gbt39046（1=非常满意）或 haocha（好差评：1=非常不满意）
    #[arg(long)]
    pub rating_scale: Option<String>,
    /// 另行载入的日历目录（每年一个 TOML）
    #[arg(long)]
    pub calendar_dir: Option<PathBuf>,
    /// 跳过有错误的行（逐行列出），而不是整批拒绝
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// 解析办件 CSV 所用的线程数（默认：全部 CPU 核心）
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: Option<u16>,
}

#[derive(Subcommand)]
enum UserAction {
    /// 新增账户；密码用 --password 或环境变量 KAOHE_PASSWORD 给出
    Add {
        /// 数据目录
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// admin（管理员）/ assessor（考核员）/ reporter（单位填报员）/ viewer（领导）
        #[arg(long)]
        role: String,
        /// 填报员所属单位的编码
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, env = "KAOHE_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// 校验审计日志的哈希链：完好时退出码为 0，否则指出第一条有问题的记录。带 --archive 时离线校验
    /// 一份审计归档（审计管理员导出）：逐条核对哈希、链接和签名，指出被改动的记录
    Verify {
        /// 数据目录（校验归档时只用来找审计密钥 audit.key；也可用 --audit-key 指定密钥）
        #[arg(long, required_unless_present = "archive")]
        data: Option<PathBuf>,
        /// 审计归档文件（.jsonl）
        #[arg(long)]
        archive: Option<PathBuf>,
        /// 审计密钥文件（离线校验归档时）
        #[arg(long)]
        key: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum RubricAction {
    /// 检查细则：列出所有问题（有效时退出码为 0）
    Check { file: PathBuf },
    /// 显示细则的结构：指标、类目、条款、分值、计分规则
    Show { file: PathBuf },
    /// 对比两版细则：新增、删去和改动的条款（满分、计分规则、原文）
    Diff { old: PathBuf, new: PathBuf },
    /// 导出细则：Excel 工作簿（细则、指标与类目、说明，可编辑后导入）或规范写法的 TOML
    Export {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "xlsx")]
        format: RubricFormat,
        /// 输出文件（xlsx 必填；toml 省略时打印）
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 从 Excel 工作簿导入细则，写出规范写法的 TOML；有任何错误则不写文件
    Import {
        file: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

/// What `kaohe rubric export` writes.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RubricFormat {
    /// Excel 工作簿
    Xlsx,
    /// 规范写法的 TOML
    Toml,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Xlsx,
    /// 每个单位一份考核反馈单（PDF，A4），写入 --out 目录
    Pdf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    run::set_database(cli.database, cli.audit_key, cli.seal_key);
    run::set_data_key(cli.data_key);
    let result = match cli.command {
        Command::Demo {
            print: true,
            format,
            out,
            ..
        } => run::demo(format, out.as_deref()),
        Command::Demo {
            data,
            addr,
            service,
            ..
        } => service
            .settings()
            .and_then(|s| run::demo_serve(data.as_deref(), &addr, &s)),
        Command::Serve {
            data,
            addr,
            service,
        } => service
            .settings()
            .and_then(|s| run::serve(&data, &addr, &s)),
        Command::Rubric {
            action: RubricAction::Check { file },
        } => run::rubric_check(&file),
        Command::Rubric {
            action: RubricAction::Show { file },
        } => run::rubric_show(&file),
        Command::Rubric {
            action: RubricAction::Diff { old, new },
        } => run::rubric_diff(&old, &new),
        Command::Rubric {
            action: RubricAction::Export { file, format, out },
        } => run::rubric_export(&file, format, out.as_deref()),
        Command::Rubric {
            action: RubricAction::Import { file, out },
        } => run::rubric_import(&file, &out),
        Command::Score {
            rubric,
            input,
            format,
            out,
            platform,
        } => run::score(rubric.as_deref(), &input, format, out.as_deref(), &platform),
        Command::Whatif {
            rubric,
            other,
            input,
            format,
            out,
            platform,
        } => run::whatif(
            rubric.as_deref(),
            &other,
            &input,
            format,
            out.as_deref(),
            &platform,
        ),
        Command::Ingest {
            units,
            out,
            platform,
        } => run::ingest(&units, &out, &platform),
        Command::User {
            action:
                UserAction::Add {
                    data,
                    login,
                    name,
                    role,
                    unit,
                    password,
                },
        } => run::user_add(&data, &login, &name, &role, unit.as_deref(), &password),
        Command::Audit {
            action: AuditAction::Verify { data, archive, key },
        } => match (archive, data) {
            (Some(archive), data) => {
                run::audit_verify_archive(data.as_deref(), key.as_deref(), &archive)
            }
            (None, Some(data)) => run::audit_verify(&data),
            (None, None) => unreachable!("clap requires --data without --archive"),
        },
        Command::Verify { file, key } => run::verify(&file, key.as_deref()),
        Command::DataKey {
            action: DataKeyAction::Encrypt { data },
        } => run::data_key_encrypt(&data),
        Command::DataKey {
            action:
                DataKeyAction::Rotate {
                    data,
                    old_key,
                    new_key,
                },
        } => run::data_key_rotate(&data, &old_key, &new_key),
        Command::Backup { data, out } => run::backup(&data, &out),
        Command::Transfer { data, to } => run::transfer(&data, &to),
        Command::Restore { from, data } => run::restore(&from, &data),
        Command::Import {
            data,
            assessment,
            actor,
            platform,
        } => run::import(&data, assessment, &actor, &platform),
        Command::Calendar {
            calendar_dir,
            action,
        } => match action {
            CalendarAction::Check { date } => run::calendar_check(calendar_dir.as_deref(), &date),
            CalendarAction::Deadline {
                accepted,
                days,
                natural,
            } => run::calendar_deadline(calendar_dir.as_deref(), &accepted, days, natural),
            CalendarAction::Between { from, to } => {
                run::calendar_between(calendar_dir.as_deref(), &from, &to)
            }
        },
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // The chain of causes, each once: an error that shows its source in its own text
            // (`数据库错误：…`) does not repeat it.
            let mut text = String::new();
            for cause in e.chain() {
                let c = cause.to_string();
                if !text.contains(&c) {
                    if !text.is_empty() {
                        text.push('：');
                    }
                    text.push_str(&c);
                }
            }
            eprintln!("错误：{text}");
            ExitCode::from(1)
        }
    }
}
