//! The subcommands of `kaohe calendar` (工作日历) and `kaohe data-key` (数据加密密钥).

use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum CalendarAction {
    /// 某日是否工作日，及原因
    Check { date: String },
    /// 受理日 + 承诺时限 → 办理期限
    Deadline {
        accepted: String,
        days: u32,
        /// 按自然日计（默认按工作日）
        #[arg(long)]
        natural: bool,
    },
    /// 两日之间的工作日数（不含起始日，含截止日）
    Between { from: String, to: String },
}

#[derive(Subcommand)]
pub enum DataKeyAction {
    /// 加密已存数据：把配置数据加密密钥之前以明文存入的佐证材料、账号电话、填报员姓名和数字证书标识用 SM4 加密（须同时给出
    /// --data-key）；已加密的不再处理，可重复执行；写入审计日志。先停止服务或在服务运行时执行均可
    Encrypt {
        /// 数据目录
        #[arg(long)]
        data: PathBuf,
    },
    /// 更换密钥：把用旧密钥加密的佐证材料和个人信息全部改用新密钥加密（先停止服务；旧密钥不对时
    /// 不做任何改动；中途中断后用同样的两个密钥再执行一次即可完成；写入审计日志）。完成后把服务的
    /// --data-key 改为新密钥文件再启动
    Rotate {
        /// 数据目录
        #[arg(long)]
        data: PathBuf,
        /// 旧密钥文件（现在服务所用的 --data-key）
        #[arg(long)]
        old_key: PathBuf,
        /// 新密钥文件（16 字节：32 位十六进制）
        #[arg(long)]
        new_key: PathBuf,
    },
}
