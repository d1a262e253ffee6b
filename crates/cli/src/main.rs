//! `kaohe` — the command line of kaohe (考核).
//!
//! - `kaohe demo`: scores the embedded 如东县 2021 demo (示例数据) and prints the ranked table.
//! - `kaohe rubric check FILE` / `kaohe rubric show FILE`: validate a rubric; print its tree.
//! - `kaohe score --input DIR|WORKBOOK [--rubric FILE] --format table|json|xlsx [--out F]`.
//!
//! Exit status of `score` and `demo`: 0 complete, 3 incomplete (missing inputs; the result is still
//! printed), 2 invalid input (problems printed, nothing scored), 1 any other failure.

mod embedded;
mod run;

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
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 用内置的如东县2021年示例数据计分并打印排名表
    Demo {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 细则文件：检查或显示
    Rubric {
        #[command(subcommand)]
        action: RubricAction,
    },
    /// 按细则对输入数据计分
    Score {
        /// 细则文件（TOML）；省略时使用内置的 rudong-2021
        #[arg(long)]
        rubric: Option<PathBuf>,
        /// 输入：一个目录（每表一个 CSV/XLSX 文件）或一个工作簿（每表一个工作表）
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// 输出文件（xlsx 必填；table/json 省略时打印到标准输出）
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum RubricAction {
    /// 检查细则：列出所有问题（有效时退出码为 0）
    Check { file: PathBuf },
    /// 显示细则的结构：指标、类目、条款、分值、计分规则
    Show { file: PathBuf },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Xlsx,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo { format, out } => run::demo(format, out.as_deref()),
        Command::Rubric {
            action: RubricAction::Check { file },
        } => run::rubric_check(&file),
        Command::Rubric {
            action: RubricAction::Show { file },
        } => run::rubric_show(&file),
        Command::Score {
            rubric,
            input,
            format,
            out,
        } => run::score(rubric.as_deref(), &input, format, out.as_deref()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(1)
        }
    }
}
