//! kaohe-store against real databases: every test runs on SQLite in a temporary folder and on a
//! fresh PostgreSQL database (when `KAOHE_TEST_POSTGRES` names a server; `.ci/run` starts one).

use kaohe_store::{Backend, Ledger, NewUser, Role, Stage, Store, StoreError, User};

use kaohe_store::testdb::{Db, open};

kaohe_store::on_both!(
    passwords_are_argon2id_and_wrong_ones_fail,
    roles_units_and_stages_are_enforced,
    scores_are_checked_against_the_rubric,
    concurrent_edits_on_two_threads_exactly_one_wins_every_time,
    concurrent_edits_of_one_score_exactly_one_wins,
    the_audit_log_records_every_change_and_detects_tampering,
    reopening_keeps_everything,
    reads_are_kept_until_the_next_change,
    a_store_moves_whole_into_another_database,
    the_untouched_log_replays_to_the_tables,
    deleting_the_last_entries_is_named,
    an_edit_with_every_later_hash_recomputed_is_named,
    tables_changed_behind_the_stores_back_are_named,
    a_sealed_result_edited_with_its_hash_is_refused_and_named,
    the_key_file_is_required_and_must_be_the_right_one,
    a_log_from_before_keys_is_kept_and_checked,
    a_score_and_a_stage_move_at_once_never_leave_a_score_after_the_move,
    a_hand_finding_and_an_import_at_once_never_count_one_clause_twice,
    an_objection_and_the_finalisation_at_once_never_seal_over_an_open_objection,
    a_corrupt_stage_role_or_rubric_is_an_error_never_a_default,
    inspections_are_checked_recorded_and_scored,
    typed_findings_are_checked_recorded_and_scored,
    inspections_move_with_the_store,
    unit_kinds_are_the_rubrics_own,
    accounts_are_added_edited_and_disabled_by_the_admin_with_their_audit,
    a_reset_password_must_be_changed_and_a_change_needs_the_old_one,
    units_are_edited_in_draft_with_checked_codes,
    an_assessor_is_replaced_with_a_reason_at_any_stage_before_final,
    a_roster_is_written_whole_or_not_at_all,
    a_grid_page_is_read_whole_filtered_and_paged,
    an_assessors_units_are_read_whole_in_code_order,
    a_self_assessment_is_submitted_whole_locked_and_returned_with_a_reason,
    the_gate_is_told_which_units_submitted,
    another_units_reporter_and_the_deadline_are_refused,
    objections_are_decided_on_purpose_and_reopened,
    files_are_attached_removed_and_replaced_until_their_stage_closes,
    sign_in_rules_are_settings_and_weak_passwords_are_refused,
    a_lock_is_kept_across_a_restart_and_lifted_by_the_security_admin,
    the_three_administrators_are_refused_each_others_work,
    the_audit_archive_is_signed_and_a_tampered_entry_is_named,
    evidence_is_sm4_encrypted_at_rest_and_a_changed_file_is_refused,
    phones_are_sm4_encrypted_at_rest_and_a_changed_value_is_refused,
    what_was_stored_before_the_key_is_encrypted_once,
    only_account_managers_read_phones,
    a_rotation_moves_every_sealed_value_to_the_new_key,
    reporters_names_are_sm4_encrypted_at_rest_and_opened_where_shown,
    a_backup_restores_with_its_audit_chain_and_sealed_versions_verifiable,
);

/// Evidence encrypted at rest with SM4-GCM when a data key is configured (issue 14 part 4).
mod at_rest;
use at_rest::*;

/// 数据备份恢复: a backup restored with its chain and sealed versions verifiable (issue 14).
mod backup;
use backup::*;
/// Account phones encrypted at rest, `encrypt_stored`, who reads phones (issue 14 part 4).
mod personal;
use personal::*;

/// Units and accounts: edits, disabling, passwords, unit codes, reassignment, a roster (issue 12).
mod roster;
use roster::*;

/// Stored values the store would never have written are errors (issue 10).
mod failures;
use failures::*;

/// Accounts and the data directory: argon2id passwords, reopening a store, a directory named in Chinese.
mod accounts;
use accounts::*;
/// Who may do what in which stage, scores checked against the rubric, concurrent edits of one score.
mod rules;
use rules::*;
/// The audit log recorded and checked, reads kept until the next change, a store moved whole into
mod data;
use data::*;
/// 评分表的一页: units with their 考核分 and assessors, filtered and paged (issue 15).
mod grid;
/// The keyed audit chain, its head and the replay (issue 9).
mod history;
use grid::*;
/// 提交自评 and 退回 (issue 13).
mod submissions;
use submissions::*;
/// 检查记录 and typed findings (issue 11).
mod inspections;
/// Checks under the write lock, two callers at once (issue 10).
mod locks;
/// Files on objections and findings; objections decided on purpose and reopened (issue 13).
mod objections;
use objections::*;
/// 细则草案 and 生效 (issue 12), with their own world and their own runs on both databases.
mod rubric_drafts;
use history::*;
use inspections::*;
use locks::*;
/// 三员分立、登录规则与安全审计 (issue 14).
mod security;
use security::*;
/// 新建考核 by copying, the 自评 deadline and the 公示 window (issue 12).
mod wizard;

const RUBRIC: &str = include_str!("../../../rubrics/rudong-2021.toml");
const NOW: &str = "2021-12-01T09:00:00Z";

struct World {
    dir: tempfile::TempDir,
    /// The PostgreSQL database, when on PostgreSQL.
    url: Option<String>,
    store: Store,
    admin: User,
    assessor: User,
    other_assessor: User,
    reporter: User,
    id: i64,
}

async fn world(db: Db) -> World {
    let dir = tempfile::tempdir().unwrap();
    let (store, url) = open(dir.path(), db).await;
    let admin = store
        .add_user(
            None,
            &NewUser {
                login: "admin",
                name: "县政务办",
                role: Role::Admin,
                unit: None,
                password: "admin-pass-1",
            },
            NOW,
        )
        .await
        .unwrap();
    let assessor = store
        .add_user(
            Some(&admin),
            &NewUser {
                login: "wangfang",
                name: "王芳",
                role: Role::Assessor,
                unit: None,
                password: "assessor-pass-1",
            },
            NOW,
        )
        .await
        .unwrap();
    let other_assessor = store
        .add_user(
            Some(&admin),
            &NewUser {
                login: "lina",
                name: "李娜",
                role: Role::Assessor,
                unit: None,
                password: "assessor-pass-1",
            },
            NOW,
        )
        .await
        .unwrap();
    let reporter = store
        .add_user(
            Some(&admin),
            &NewUser {
                login: "juegang",
                name: "掘港填报员",
                role: Role::Reporter,
                unit: Some("320623001"),
                password: "reporter-pass-1",
            },
            NOW,
        )
        .await
        .unwrap();
    let id = store
        .create_assessment(&admin, "2021年度考核", RUBRIC, NOW)
        .await
        .unwrap();
    store
        .add_unit(&admin, id, "320623001", "掘港街道", "街道", NOW)
        .await
        .unwrap();
    store
        .add_unit(&admin, id, "320623100", "马塘镇", "镇", NOW)
        .await
        .unwrap();
    store
        .assign(&admin, id, &assessor, "320623001", NOW)
        .await
        .unwrap();
    World {
        dir,
        url,
        store,
        admin,
        assessor,
        other_assessor,
        reporter,
        id,
    }
}

/// Moves an assessment on with no reason and no gate: the set-up of tests about other rules.
async fn move_to(s: &Store, admin: &kaohe_store::User, id: i64, to: Stage) {
    s.advance(admin, id, to, "", NOW, kaohe_store::Gate::none())
        .await
        .unwrap();
}

async fn drop_trigger(s: &Store, name: &str) {
    let sql = match s.backend() {
        Backend::Sqlite => format!("DROP TRIGGER {name}"),
        Backend::Postgres => format!("DROP TRIGGER {name} ON audit_log"),
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(s.pool())
        .await
        .unwrap();
}
