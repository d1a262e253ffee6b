//! 单位与账号名册 through kaohe-app (issue 12): every problem of a roster workbook by sheet, row and
//! column — codes, names, roles, units, phones, logins — each limit at its value and one past it, and
//! the template's lists.

use kaohe_app::accounts::{self, ImportError};
use kaohe_store::roster::{
    MAX_LOGIN_CHARS, MAX_PERSON_NAME_CHARS, MAX_PHONE_CHARS, MAX_UNIT_NAME_CHARS,
};
use kaohe_store::testdb::{Db, open};
use kaohe_store::{NewUser, Role, Store, User};

const RUBRIC: &str = include_str!("../../../rubrics/rudong-2021.toml");
const NOW: &str = "2022-01-05T09:00:00Z";

async fn setup() -> (tempfile::TempDir, Store, User, i64) {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(dir.path(), Db::Sqlite).await;
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
    let id = store
        .create_assessment(&admin, "2022年度考核", RUBRIC, NOW)
        .await
        .unwrap();
    store
        .add_unit(&admin, id, "320623001", "掘港街道", "街道", NOW)
        .await
        .unwrap();
    (dir, store, admin, id)
}

fn book(units: &[&[&str]], accounts: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, heads, rows) in [
        ("单位", &["单位编码", "单位名称", "单位类型"][..], units),
        (
            "账号",
            &["登录名", "姓名", "角色", "所属单位编码", "电话"][..],
            accounts,
        ),
    ] {
        let ws = wb.add_worksheet().set_name(name).unwrap();
        for (c, h) in heads.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn problems(e: ImportError) -> Vec<String> {
    match e {
        ImportError::Problems(ps) => ps.iter().map(|p| p.to_string()).collect(),
        ImportError::Store(e) => panic!("expected problems, got {e:?}"),
    }
}

#[tokio::test]
async fn every_problem_is_named_by_sheet_row_and_column_and_each_limit_holds() {
    let (_dir, store, admin, id) = setup().await;
    let long_unit = "镇".repeat(MAX_UNIT_NAME_CHARS);
    let too_long_unit = "镇".repeat(MAX_UNIT_NAME_CHARS + 1);
    let long_login = "a".repeat(MAX_LOGIN_CHARS);
    let too_long_login = "b".repeat(MAX_LOGIN_CHARS + 1);
    let long_name = "名".repeat(MAX_PERSON_NAME_CHARS);
    let too_long_name = "名".repeat(MAX_PERSON_NAME_CHARS + 1);
    let long_phone = "1".repeat(MAX_PHONE_CHARS);
    let too_long_phone = "1".repeat(MAX_PHONE_CHARS + 1);
    let units: &[&[&str]] = &[
        &["320623100", &long_unit, "镇"],
        &["320623101", &too_long_unit, "镇"],
        &["32062310", "长沙镇", "市"],
        &["320623001", "掘港街道", "街道"],
        &["320623100", "马塘镇", "镇"],
    ];
    let accounts: &[&[&str]] = &[
        &[&long_login, &long_name, "考核员", "", &long_phone],
        &[&too_long_login, &too_long_name, "组长", "", &too_long_phone],
        &["rep1", "甲", "单位填报员", "", ""],
        &["rep2", "乙", "填报员", "曹埠镇", ""],
        &["view1", "丙", "查看", "320623001", ""],
        &["admin", "丁", "管理员", "", ""],
        &["rep3", "戊", "单位填报员", "320623100", "0513-84512345"],
    ];
    let e = accounts::import(&store, &admin, id, "名册.xlsx", book(units, accounts), NOW)
        .await
        .unwrap_err();
    let got = problems(e);
    let s = "名册.xlsx › 单位";
    let a = "名册.xlsx › 账号";
    let want = [
        format!(
            "错误 {s} 第3行 [单位名称（B列）]：单位名称过长：101 个字符，上限 100 个；原值“{too_long_unit}”"
        ),
        format!(
            "错误 {s} 第4行 [单位编码（A列）]：单位编码“32062310”是 8 位数字：区划代码应为 9 位数字（如 320623001）；原值“32062310”"
        ),
        format!("错误 {s} 第4行 [单位类型（C列）]：单位类型“市”应为 镇 / 街道 / 区；原值“市”"),
        format!(
            "错误 {s} 第5行 [单位编码（A列）]：单位编码“320623001”已在本次考核中；原值“320623001”"
        ),
        format!(
            "错误 {s} 第6行 [单位编码（A列）]：单位编码“320623100”与第2行重复；原值“320623100”"
        ),
        format!(
            "错误 {a} 第3行 [登录名（A列）]：登录名过长：65 个字符，上限 64 个；原值“{too_long_login}”"
        ),
        format!(
            "错误 {a} 第3行 [姓名（B列）]：姓名过长：51 个字符，上限 50 个；原值“{too_long_name}”"
        ),
        format!(
            "错误 {a} 第3行 [角色（C列）]：未知角色“组长”：应为 管理员 / 考核员 / 单位填报员 / 领导；原值“组长”"
        ),
        format!(
            "错误 {a} 第3行 [电话（E列）]：电话过长：21 个字符，上限 20 个；原值“{too_long_phone}”"
        ),
        format!("错误 {a} 第4行 [所属单位编码（D列）]：单位填报员须选择所属单位"),
        format!(
            "错误 {a} 第5行 [所属单位编码（D列）]：所属单位编码“曹埠镇”不是本次考核的单位：应为“单位”表中或本次考核已有的单位编码；原值“曹埠镇”"
        ),
        format!(
            "错误 {a} 第6行 [所属单位编码（D列）]：领导不绑定单位：所属单位应留空；原值“320623001”"
        ),
        format!("错误 {a} 第7行 [登录名（A列）]：登录名“admin”已被现有账号使用；原值“admin”"),
    ];
    assert_eq!(got, want);
    // Nothing was written.
    assert_eq!(store.units(id).await.unwrap().len(), 1);
    assert_eq!(store.accounts(&admin).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_empty_roster_and_someone_else_are_refused() {
    let (_dir, store, admin, id) = setup().await;
    let got = problems(
        accounts::import(&store, &admin, id, "名册.xlsx", book(&[], &[]), NOW)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        got,
        [
            "错误 名册.xlsx：名册中没有任何单位或账号；应为：在“单位”或“账号”工作表的表头下填写数据行"
        ]
    );
    let viewer = store
        .add_user(
            Some(&admin),
            &NewUser {
                login: "leader",
                name: "县领导",
                role: Role::Viewer,
                unit: None,
                password: "leader-pass-1",
            },
            NOW,
        )
        .await
        .unwrap();
    let e = accounts::import(&store, &viewer, id, "名册.xlsx", book(&[], &[]), NOW)
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        ImportError::Store(kaohe_store::StoreError::Forbidden(_))
    ));
    assert!(accounts::template(&store, &viewer, id).await.is_err());
    assert!(accounts::export(&store, &viewer, id).await.is_err());
}

#[tokio::test]
async fn an_import_gives_each_account_its_own_initial_password_once() {
    let (_dir, store, admin, id) = setup().await;
    let done = accounts::import(
        &store,
        &admin,
        id,
        "名册.xlsx",
        book(
            &[&["320623100", "马塘镇", "镇"]],
            &[
                &["matang", "马塘填报员", "单位填报员", "320623100", ""],
                &["juegang", "掘港填报员", "填报员", "320623001", ""],
            ],
        ),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(done.units, 1);
    assert_eq!(done.accounts.len(), 2);
    assert_ne!(done.accounts[0].password, done.accounts[1].password);
    for i in &done.accounts {
        let u = store
            .authenticate(&i.login, &i.password)
            .await
            .unwrap()
            .unwrap();
        assert!(store.must_change_password(&u).await.unwrap());
    }
}

/// The XML of one part of a workbook.
fn part(xlsx: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[tokio::test]
async fn the_template_offers_the_rubrics_kinds_and_the_roles_as_lists() {
    let (_dir, store, admin, id) = setup().await;
    let t = accounts::template(&store, &admin, id).await.unwrap();
    let units = part(&t, "xl/worksheets/sheet1.xml");
    assert!(
        units.contains(r#"type="list""#) && units.contains(r#"sqref="C2:C2001""#),
        "{units}"
    );
    assert!(
        units.contains("<formula1>\"镇,街道,区\"</formula1>"),
        "{units}"
    );
    let people = part(&t, "xl/worksheets/sheet2.xml");
    assert!(
        people.contains("<formula1>\"管理员,考核员,单位填报员,领导\"</formula1>"),
        "{people}"
    );
    // Every column is text, so that a code or a phone number stays as typed.
    let styles = part(&t, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="@""#), "{styles}");
    assert!(
        units.contains("<cols>") && units.contains(r#"style="2""#),
        "{units}"
    );
    // The template reads back as an empty roster.
    let f = kaohe_tables::roster::read("模板.xlsx", t).unwrap();
    assert!(f.units.lines.is_empty() && f.accounts.lines.is_empty());
}

kaohe_store::on_both!(a_roster_round_trips_with_its_phones_sealed_at_rest);

/// 名册 with the SM4 data key (issue 14 part 4): the phones imported from a workbook are sealed in
/// the database (a store without the key cannot read them and says so) and come back as typed in
/// the export.
async fn a_roster_round_trips_with_its_phones_sealed_at_rest(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let (plain, _) = open(dir.path(), db).await;
    let store = plain
        .clone()
        .with_data_key(Some(kaohe_store::datakey::DataKey::new([5; 16])));
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
    let id = store
        .create_assessment(&admin, "2022年度考核", RUBRIC, NOW)
        .await
        .unwrap();
    accounts::import(
        &store,
        &admin,
        id,
        "名册.xlsx",
        book(
            &[&["320623100", "马塘镇", "镇"]],
            &[
                &[
                    "matang",
                    "马塘填报员",
                    "单位填报员",
                    "320623100",
                    "13800001234",
                ],
                &["zhangsan", "张三", "考核员", "", "0513-84512345"],
            ],
        ),
        NOW,
    )
    .await
    .unwrap();
    let out = accounts::export(&store, &admin, id).await.unwrap();
    let strings = part(&out, "xl/sharedStrings.xml");
    for phone in ["13800001234", "0513-84512345"] {
        assert!(strings.contains(phone), "{phone} not exported: {strings}");
    }
    assert!(!strings.contains("sm4gcm:"), "{strings}");
    let e = accounts::export(&plain, &admin, id).await.unwrap_err();
    assert!(e.to_string().contains("未配置数据加密密钥"), "{e}");
}
