//! Seeds a data directory (or the `KAOHE_DATABASE` PostgreSQL database) for `bench/scale.py`: an
//! admin, five assessors and a leader, and one assessment of each size asked for, in 评审, its units
//! shared among the assessors and every unit scored on the first `clauses` judgement clauses of
//! rudong-2021 — all through the store's own operations (each one audited write), as the service
//! would write them.
//!
//! `cargo run --release -p kaohe --example seed_scale -- DATA CLAUSES 17 1500 [10000]`; prints one
//! line of JSON per assessment: `{"id":…,"units":…,"prefix":"…"}` (unit codes are the prefix and a
//! 5-digit number from 00000).

use kaohe_store::{Gate, Ledger, NewUser, Role, Stage, Store};

const RUBRIC: &str = include_str!("../../../rubrics/rudong-2021.toml");
const NOW: &str = "2021-12-01T09:00:00Z";
const PASSWORD: &str = "bench-password-1";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    assert!(args.len() >= 3, "usage: seed_scale DATA CLAUSES N [N…]");
    let dir = std::path::PathBuf::from(&args[0]);
    let clauses: usize = args[1].parse().expect("CLAUSES");
    let db = std::env::var("KAOHE_DATABASE").ok();
    let store = Store::open_with(&dir, db.as_deref()).await.expect("store");
    let user = |login: &'static str, name: &'static str, role| NewUser {
        login,
        name,
        role,
        unit: None,
        password: PASSWORD,
    };
    let admin = store
        .add_user(None, &user("admin", "管理员", Role::Admin), NOW)
        .await
        .expect("admin");
    let mut assessors = Vec::new();
    for (login, name) in [
        ("assessor1", "评审一"),
        ("assessor2", "评审二"),
        ("assessor3", "评审三"),
        ("assessor4", "评审四"),
        ("assessor5", "评审五"),
    ] {
        assessors.push(
            store
                .add_user(Some(&admin), &user(login, name, Role::Assessor), NOW)
                .await
                .expect("assessor"),
        );
    }
    store
        .add_user(Some(&admin), &user("leader", "领导", Role::Viewer), NOW)
        .await
        .expect("leader");
    let a = kaohe_core::rubric::load("rudong-2021.toml", RUBRIC)
        .0
        .expect("the rubric");
    let judgement: Vec<String> = a
        .clauses
        .iter()
        .filter(|c| matches!(c.rule, kaohe_core::rubric::Rule::Judgement))
        .map(|c| c.id.to_string())
        .take(clauses)
        .collect();
    for (k, n) in args[2..].iter().enumerate() {
        let n: usize = n.parse().expect("a number of units");
        let prefix = format!("9{k}00"); // 9 digits with the 5-digit number (区划代码的长度)
        let id = store
            .create_assessment(&admin, &format!("规模测试 {n} 个单位"), RUBRIC, NOW)
            .await
            .expect("assessment");
        let t = std::time::Instant::now();
        for i in 0..n {
            let code = format!("{prefix}{i:05}");
            store
                .add_unit(&admin, id, &code, &format!("第{i}镇"), "镇", NOW)
                .await
                .expect("unit");
            store
                .assign(&admin, id, &assessors[i % assessors.len()], &code, NOW)
                .await
                .expect("assign");
        }
        for to in [Stage::SelfAssessment, Stage::Review] {
            store
                .advance(&admin, id, to, "", NOW, Gate::none())
                .await
                .expect("advance");
        }
        for i in 0..n {
            let code = format!("{prefix}{i:05}");
            let by = &assessors[i % assessors.len()];
            for (j, c) in judgement.iter().enumerate() {
                let max = a.clause(c).expect("clause").max;
                // 0 … max in steps of a tenth of it, varied by unit and clause.
                let v = max * rust_decimal::Decimal::from(((i * 7 + j * 3) % 11) as u32)
                    / rust_decimal::Decimal::from(10);
                let v = v.min(max).round_dp(2);
                store
                    .set_score(
                        by,
                        id,
                        &code,
                        c,
                        Ledger::Assessor,
                        &v.to_string(),
                        "依据检查记录",
                        None,
                        NOW,
                    )
                    .await
                    .expect("score");
            }
        }
        eprintln!("seeded {n} units in {:.1} s", t.elapsed().as_secs_f64());
        println!("{{\"id\":{id},\"units\":{n},\"prefix\":\"{prefix}\"}}");
    }
    settle(&store).await;
}

/// What a database is given after a bulk load before it serves: the planner's statistics
/// (`ANALYZE`) and, on SQLite, the write-ahead log folded into the file — so that the measured run
/// is the steady state and not the database catching up with the seeding (PostgreSQL's autovacuum
/// analysing fresh tables, a checkpoint of a large WAL) in the middle of it.
async fn settle(store: &Store) {
    let t = std::time::Instant::now();
    let statements: &[&str] = match store.backend() {
        kaohe_store::Backend::Sqlite => &["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"],
        kaohe_store::Backend::Postgres => &["VACUUM ANALYZE"],
    };
    for q in statements {
        sqlx::query(*q).execute(store.pool()).await.expect(q);
    }
    eprintln!(
        "settled ({}) in {:.1} s",
        statements.join("; "),
        t.elapsed().as_secs_f64()
    );
}
