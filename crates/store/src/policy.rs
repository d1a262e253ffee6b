//! 权限 — what each role may do in each stage, decided here and nowhere else, and enforced by the
//! store on every change (the UI only hides what the store would refuse).
//!
//! | action | who | when |
//! |---|---|---|
//! | manage accounts (add, edit, disable, reset a password, import) | admin (business accounts), 系统管理员 (every account) | any stage |
//! | security settings (password and session rules), unlock, an account's role | 安全管理员 | any stage |
//! | read and export the audit log | 审计管理员 | any stage |
//! | set up units, assignments | admin | 草稿 |
//! | edit the rubric: save a 草案, make one 生效 | admin | 草稿 |
//! | set up units, assignments (add, edit a unit, import units) | admin | 草稿 |
//! | reassign a unit's assessor (改派, with a reason) | admin | any stage before 定档 |
//! | change one's own password (the old one required) | everyone | any stage |
//! | move to the next stage | admin | any stage but 定档 |
//! | set the dates, extend the 自评 deadline or the 公示 window (with a reason) | admin | any stage but 定档 |
//! | self-assess (自评分), upload evidence | the unit's reporter | 自评 |
//! | score (考核分), findings (with 问题类型 and 酌情扣分), inspection records (检查记录), bonus | an assessor assigned to the unit, or admin | 考核 |
//! | import platform data | admin | 考核 |
//! | file an objection | the unit's reporter | 公示 |
//! | decide objections (最终分) | an assessor assigned to the unit, or admin | 公示 |
//! | 更正 after 定档 (with a reason) | admin | 定档 |
//!
//! What each role may **read** ([`may_read`]) sits beside it, in one table too; the API and the pages
//! ask it (through the store's read functions, which filter by it) and nothing else:
//!
//! | what is read | admin, assessor | the unit's own reporter | another unit's reporter | viewer (领导) |
//! |---|---|---|---|---|
//! | 自评分 of a unit | any stage | any stage | never | from 公示 |
//! | 考核分, 最终分, 问题记录 (findings), 检查记录 (inspections), receipts of a unit | any stage | from 公示 | never | from 公示 |
//! | 佐证材料 (evidence) of a unit | any stage | any stage | never | never |
//! | 异议 (objections) of a unit | any stage | any stage | never | never |
//! | the result (league table, totals, ranks) | any stage | from 公示 (clause details of its own unit only) | from 公示 (totals and ranks only) | from 公示 |
//! | the whole result as a file (汇总表, 扣分明细, every unit's 考核反馈单) | any stage | never | never | from 公示 |
//!
//! Before 公示 a reporter sees only what its own unit wrote (自评分, evidence, objections): the
//! assessors' scores and findings are their unfinished work until the result is published.
//! The leader (领导) reads the published result and nothing before it: from 公示 the league table,
//! every unit's page read-only (its three ledgers and receipts, not its evidence or objections,
//! which are the unit's own business) and every 扣分明细 and 考核反馈单; never a form.
//! A unit's page opens for whoever may read one of its ledgers ([`may_open_unit`]).
//!
//! 三员分立 (GB/T 22239 §8.1.4.2): the 系统管理员, 安全管理员 and 审计管理员 have no business rights —
//! they score, publish and read nothing of an assessment (every row above is "no" for them) — and
//! each has only their own row: accounts, security, the audit log.

use crate::model::{Ledger, Role, Stage, User};

/// An action on the assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ManageAccounts,
    SetUp,
    EditRubric,
    Reassign,
    AdvanceStage,
    SetDates,
    SelfAssess,
    /// 提交自评: the unit's reporter, in 自评.
    Submit,
    /// 退回自评: the unit's assessor or the admin, in 自评.
    ReturnSelf,
    Score,
    Import,
    Object,
    Decide,
    /// 重新打开异议: the admin, in 公示, with a reason.
    Reopen,
    Correct,
    /// 安全设置、解锁、角色: the 安全管理员.
    ManageSecurity,
    /// 审计日志: read and export it; the 审计管理员 only.
    ReadAudit,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::ManageAccounts => "管理账户",
            Action::SetUp => "设置单位与分工",
            Action::EditRubric => "修改细则",
            Action::Reassign => "改派考核员",
            Action::AdvanceStage => "推进阶段",
            Action::SetDates => "设置考核日期",
            Action::SelfAssess => "填报自评",
            Action::Submit => "提交自评",
            Action::ReturnSelf => "退回自评",
            Action::Score => "考核评分",
            Action::Import => "导入平台数据",
            Action::Object => "提出异议",
            Action::Decide => "处理异议",
            Action::Reopen => "重新打开已处理的异议",
            Action::Correct => "更正",
            Action::ManageSecurity => "管理安全设置、解锁和角色",
            Action::ReadAudit => "查看审计日志",
        }
    }
}

/// What adding evidence (佐证材料) counts as in `stage`: for a reporter, its self-assessment — or, in
/// 公示, its objection; for anyone else, scoring — or, in 公示, deciding objections.
pub fn evidence_action(user: &User, stage: Stage) -> Action {
    match (user.role == Role::Reporter, stage) {
        (true, Stage::Publication) => Action::Object,
        (true, _) => Action::SelfAssess,
        (false, Stage::Publication) => Action::Decide,
        (false, _) => Action::Score,
    }
}

/// Why an action is refused, in Chinese.
pub fn check(
    user: &User,
    action: Action,
    stage: Stage,
    unit: Option<&str>,
    assigned: bool,
) -> Result<(), String> {
    let stage_ok = match action {
        Action::ManageAccounts | Action::ManageSecurity | Action::ReadAudit => true,
        Action::SetUp | Action::EditRubric => stage == Stage::Draft,
        Action::Reassign => stage != Stage::Final,
        Action::AdvanceStage | Action::SetDates => stage != Stage::Final,
        Action::SelfAssess | Action::Submit | Action::ReturnSelf => stage == Stage::SelfAssessment,
        Action::Score | Action::Import => stage == Stage::Review,
        Action::Object | Action::Decide | Action::Reopen => stage == Stage::Publication,
        Action::Correct => stage == Stage::Final,
    };
    let role_ok = match action {
        Action::ManageAccounts => matches!(user.role, Role::Admin | Role::SystemAdmin),
        Action::ManageSecurity => user.role == Role::SecurityAdmin,
        Action::ReadAudit => user.role == Role::AuditAdmin,
        Action::SetUp
        | Action::EditRubric
        | Action::Reassign
        | Action::AdvanceStage
        | Action::SetDates
        | Action::Import
        | Action::Reopen
        | Action::Correct => user.role == Role::Admin,
        Action::SelfAssess | Action::Submit | Action::Object => {
            user.role == Role::Reporter && unit.is_some() && user.unit_code.as_deref() == unit
        }
        Action::Score | Action::Decide | Action::ReturnSelf => {
            user.role == Role::Admin || (user.role == Role::Assessor && assigned)
        }
    };
    if !role_ok {
        let who = match action {
            Action::SelfAssess | Action::Submit | Action::Object => "本单位的填报员",
            Action::Score | Action::Decide | Action::ReturnSelf => "分配到该单位的考核员或管理员",
            Action::ManageAccounts => "管理员或系统管理员",
            Action::ManageSecurity => "安全管理员",
            Action::ReadAudit => "审计管理员",
            _ => "管理员",
        };
        return Err(format!(
            "{}（{}）无权{}：只有{}可以",
            user.name,
            user.role.label(),
            action.label(),
            who
        ));
    }
    if !stage_ok {
        return Err(format!(
            "当前为“{}”阶段，不能{}",
            stage.label(),
            action.label()
        ));
    }
    Ok(())
}

/// What is read (查看), for [`may_read`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// One of a unit's three ledgers.
    Ledger(Ledger),
    /// A unit's 问题记录 and the receipts of its imported instances.
    Findings,
    /// A unit's 佐证材料.
    Evidence,
    /// A unit's 异议 and their outcome.
    Objections,
    /// The scored result (league table): totals and ranks of every unit, the clause details of the
    /// units the reader may read.
    Results,
    /// The whole result as a file (汇总表, 扣分明细, every unit's 考核反馈单): every unit's clause
    /// details, so never a reporter; a leader once published.
    Export,
}

impl Read {
    pub fn label(self) -> &'static str {
        match self {
            Read::Ledger(l) => l.label(),
            Read::Findings => "问题记录",
            Read::Evidence => "佐证材料",
            Read::Objections => "异议",
            Read::Results => "考核结果",
            Read::Export => "全部单位的考核结果（导出）",
        }
    }
}

/// Whether `user` may read `what` of `unit` (`None`: the whole assessment, for [`Read::Results`])
/// in `stage`; why not, in Chinese. See the table at the top of this module.
pub fn may_read(user: &User, what: Read, stage: Stage, unit: Option<&str>) -> Result<(), String> {
    if readable(user, what, stage, unit) {
        return Ok(());
    }
    let whose = unit.map(|u| format!("单位 {u} 的")).unwrap_or_default();
    if readable(user, what, Stage::Final, unit) {
        return Err(format!(
            "{whose}{}尚未公示（当前为“{}”阶段），{}（{}）暂不能查看",
            what.label(),
            stage.label(),
            user.name,
            user.role.label()
        ));
    }
    Err(format!(
        "{}（{}）无权查看{whose}{}",
        user.name,
        user.role.label(),
        what.label()
    ))
}

/// Whether `user` may open unit `unit`'s page (考核表, 考核反馈单) in `stage`: when they may read
/// one of its ledgers — admins and assessors always, the unit's own reporter always (its 自评分), a
/// leader from 公示, another unit's reporter never. Asked by the page and by every link to it.
pub fn may_open_unit(user: &User, stage: Stage, unit: &str) -> bool {
    [Ledger::SelfScore, Ledger::Assessor]
        .into_iter()
        .any(|l| readable(user, Read::Ledger(l), stage, Some(unit)))
}

/// The table of [`may_read`].
fn readable(user: &User, what: Read, stage: Stage, unit: Option<&str>) -> bool {
    let published = stage >= Stage::Publication;
    let own = user.role == Role::Reporter && unit.is_some() && user.unit_code.as_deref() == unit;
    match (user.role, what) {
        (Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin, _) => false,
        (Role::Admin | Role::Assessor, _) => true,
        (Role::Viewer, Read::Evidence | Read::Objections) => false,
        (Role::Viewer, _) => published,
        (Role::Reporter, Read::Results) => published && (unit.is_none() || own),
        (Role::Reporter, Read::Export) => false,
        (Role::Reporter, Read::Ledger(Ledger::SelfScore) | Read::Evidence | Read::Objections) => {
            own
        }
        (Role::Reporter, Read::Ledger(_) | Read::Findings) => own && published,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, unit: Option<&str>) -> User {
        User {
            id: 1,
            login: "u".into(),
            name: "张三".into(),
            role,
            unit_code: unit.map(Into::into),
        }
    }

    /// The authorisation matrix, row by row: (role, unit of the reporter, action, stage, target unit,
    /// assigned, allowed).
    #[test]
    fn matrix() {
        use Action::*;
        use Role::*;
        use Stage::*;
        /// (role, unit of the reporter, action, stage, target unit, assigned, allowed)
        type Case = (
            Role,
            Option<&'static str>,
            Action,
            Stage,
            Option<&'static str>,
            bool,
            bool,
        );
        let rows: &[Case] = &[
            (Admin, None, SetUp, Draft, None, false, true),
            (Admin, None, SetUp, SelfAssessment, None, false, false),
            (Assessor, None, SetUp, Draft, None, false, false),
            (Admin, None, EditRubric, Draft, None, false, true),
            (Admin, None, EditRubric, SelfAssessment, None, false, false),
            (Admin, None, EditRubric, Final, None, false, false),
            (Assessor, None, EditRubric, Draft, None, false, false),
            (Viewer, None, EditRubric, Draft, None, false, false),
            (Admin, None, Reassign, Draft, None, false, true),
            (Admin, None, Reassign, Review, None, false, true),
            (Admin, None, Reassign, Publication, None, false, true),
            (Admin, None, Reassign, Final, None, false, false),
            (Assessor, None, Reassign, Review, None, true, false),
            (
                Reporter,
                Some("A"),
                Reassign,
                Review,
                Some("A"),
                false,
                false,
            ),
            (Admin, None, ManageAccounts, Final, None, false, true),
            (Viewer, None, ManageAccounts, Draft, None, false, false),
            (Admin, None, AdvanceStage, Publication, None, false, true),
            (Admin, None, AdvanceStage, Final, None, false, false),
            (Viewer, None, AdvanceStage, Draft, None, false, false),
            (
                Reporter,
                Some("A"),
                SelfAssess,
                SelfAssessment,
                Some("A"),
                false,
                true,
            ),
            (
                Reporter,
                Some("A"),
                SelfAssess,
                SelfAssessment,
                Some("B"),
                false,
                false,
            ),
            (
                Reporter,
                Some("A"),
                SelfAssess,
                Review,
                Some("A"),
                false,
                false,
            ),
            (
                Assessor,
                None,
                SelfAssess,
                SelfAssessment,
                Some("A"),
                true,
                false,
            ),
            (Assessor, None, Score, Review, Some("A"), true, true),
            (Assessor, None, Score, Review, Some("A"), false, false),
            (
                Assessor,
                None,
                Score,
                SelfAssessment,
                Some("A"),
                true,
                false,
            ),
            (Admin, None, Score, Review, Some("A"), false, true),
            (Reporter, Some("A"), Score, Review, Some("A"), false, false),
            (Viewer, None, Score, Review, Some("A"), true, false),
            (Admin, None, Import, Review, None, false, true),
            (Assessor, None, Import, Review, None, true, false),
            (
                Reporter,
                Some("A"),
                Object,
                Publication,
                Some("A"),
                false,
                true,
            ),
            (Reporter, Some("A"), Object, Final, Some("A"), false, false),
            (Assessor, None, Decide, Publication, Some("A"), true, true),
            (Admin, None, Correct, Final, None, false, true),
            (Admin, None, Correct, Publication, None, false, false),
            (Assessor, None, Correct, Final, None, true, false),
            // 三员分立: each officer only their own row, none of the business.
            (SystemAdmin, None, ManageAccounts, Review, None, false, true),
            (SystemAdmin, None, ManageSecurity, Draft, None, false, false),
            (SystemAdmin, None, ReadAudit, Draft, None, false, false),
            (SystemAdmin, None, Score, Review, Some("A"), false, false),
            (SystemAdmin, None, AdvanceStage, Review, None, false, false),
            (
                SecurityAdmin,
                None,
                ManageSecurity,
                Final,
                None,
                false,
                true,
            ),
            (
                SecurityAdmin,
                None,
                ManageAccounts,
                Draft,
                None,
                false,
                false,
            ),
            (SecurityAdmin, None, ReadAudit, Draft, None, false, false),
            (SecurityAdmin, None, Correct, Final, None, false, false),
            (AuditAdmin, None, ReadAudit, Review, None, false, true),
            (AuditAdmin, None, ManageAccounts, Draft, None, false, false),
            (AuditAdmin, None, ManageSecurity, Draft, None, false, false),
            (AuditAdmin, None, Import, Review, None, false, false),
            (Admin, None, ManageSecurity, Draft, None, false, false),
            (Admin, None, ReadAudit, Draft, None, false, false),
        ];
        for (i, (role, own, action, stage, unit, assigned, allowed)) in rows.iter().enumerate() {
            let got = check(&user(*role, *own), *action, *stage, *unit, *assigned);
            assert_eq!(
                got.is_ok(),
                *allowed,
                "row {i}: {role:?} {action:?} in {stage:?} on {unit:?}: {got:?}"
            );
        }
    }

    #[test]
    fn refusals_say_why_in_chinese() {
        let e = check(
            &user(Role::Reporter, Some("A")),
            Action::SelfAssess,
            Stage::SelfAssessment,
            Some("B"),
            false,
        )
        .unwrap_err();
        assert_eq!(e, "张三（单位填报员）无权填报自评：只有本单位的填报员可以");
        let e = check(
            &user(Role::Admin, None),
            Action::SetUp,
            Stage::Review,
            None,
            false,
        )
        .unwrap_err();
        assert_eq!(e, "当前为“考核”阶段，不能设置单位与分工");
    }

    /// The read table, row by row: (role, unit of the reporter, what, stage, target unit, allowed).
    #[test]
    fn read_matrix() {
        use Read::*;
        use Role::*;
        use Stage::*;
        type Case = (
            Role,
            Option<&'static str>,
            Read,
            Stage,
            Option<&'static str>,
            bool,
        );
        let rows: &[Case] = &[
            (Assessor, None, Results, Review, None, true),
            (Viewer, None, Results, Review, None, false),
            (Viewer, None, Results, Publication, None, true),
            (Reporter, Some("A"), Results, Review, None, false),
            (Reporter, Some("A"), Results, Publication, None, true),
            (Reporter, Some("A"), Results, Publication, Some("A"), true),
            (Reporter, Some("A"), Results, Publication, Some("B"), false),
            (Admin, None, Export, Draft, None, true),
            (Assessor, None, Export, Review, None, true),
            (Viewer, None, Export, Review, None, false),
            (Viewer, None, Export, Final, None, true),
            (Reporter, Some("A"), Export, Final, None, false),
            (
                Reporter,
                Some("A"),
                Ledger(crate::model::Ledger::SelfScore),
                Draft,
                Some("A"),
                true,
            ),
            (Reporter, Some("A"), Findings, Review, Some("A"), false),
            (Reporter, Some("A"), Findings, Publication, Some("A"), true),
            (Reporter, Some("A"), Evidence, Review, Some("B"), false),
            (Viewer, None, Objections, Final, Some("A"), false),
            (Viewer, None, Evidence, Final, Some("A"), false),
            (Viewer, None, Findings, Review, Some("A"), false),
            (Viewer, None, Findings, Publication, Some("A"), true),
            (
                Viewer,
                None,
                Ledger(crate::model::Ledger::Assessor),
                Review,
                Some("A"),
                false,
            ),
            (
                Viewer,
                None,
                Ledger(crate::model::Ledger::Final),
                Final,
                Some("A"),
                true,
            ),
            (SystemAdmin, None, Results, Review, None, false),
            (SecurityAdmin, None, Results, Final, None, false),
            (AuditAdmin, None, Export, Final, None, false),
            (SystemAdmin, None, Evidence, Review, Some("A"), false),
        ];
        for (i, (role, own, what, stage, unit, allowed)) in rows.iter().enumerate() {
            let got = may_read(&user(*role, *own), *what, *stage, *unit);
            assert_eq!(
                got.is_ok(),
                *allowed,
                "row {i}: {role:?} {what:?} in {stage:?} of {unit:?}: {got:?}"
            );
        }
        // A unit's page: the own reporter always, a leader once published, another reporter never.
        let (rep, leader) = (user(Reporter, Some("A")), user(Viewer, None));
        assert!(may_open_unit(&rep, Draft, "A") && !may_open_unit(&rep, Final, "B"));
        assert!(!may_open_unit(&leader, Review, "A") && may_open_unit(&leader, Publication, "A"));
        let e = may_read(&user(Viewer, None), Export, Review, None).unwrap_err();
        assert_eq!(
            e,
            "全部单位的考核结果（导出）尚未公示（当前为“考核”阶段），张三（领导）暂不能查看"
        );
    }
}
