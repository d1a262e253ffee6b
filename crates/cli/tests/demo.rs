use crate::support::*;
use rust_decimal::Decimal;
use serde_json::Value;

fn unit<'a>(j: &'a Value, code: &str) -> &'a Value {
    j["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == code)
        .unwrap()
}

fn clause<'a>(u: &'a Value, id: &str) -> &'a Value {
    u["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

fn d(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn demo_prints_the_ranked_table_and_exits_0() {
    let o = kaohe(&["demo", "--print"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("示例数据"));
    insta::assert_snapshot!("demo-table", o.stdout);
}

#[test]
fn demo_json_matches_score_on_the_example_folder() {
    let demo = kaohe(&["demo", "--print", "--format", "json"]);
    assert_eq!(demo.code, 0);
    let j: Value = serde_json::from_str(&demo.stdout).unwrap();
    let from_files = json(&demo_dir());
    // Origins name the same files; everything else is identical.
    assert_eq!(j, from_files);
    insta::assert_json_snapshot!("demo-json", j);
}

#[test]
fn json_has_the_shape_of_data_md() {
    let j = json(&demo_dir());
    assert_eq!(j["rubric"]["id"], "rudong-2021");
    assert_eq!(j["rubric"]["title"], "2021年度镇区、街道政务服务考核细则");
    assert_eq!(j["rubric"]["max_total"], "1.5");
    let text = std::fs::read(repo().join("rubrics/rudong-2021.toml")).unwrap();
    assert_eq!(j["rubric"]["sha256"], kaohe_core::rubric::sha256_hex(&text));
    assert_eq!(j["complete"], true);
    assert_eq!(j["problems"], serde_json::json!([]));
    let units = j["units"].as_array().unwrap();
    assert_eq!(units.len(), 17);
    // Units by rank; decimals as strings at 4 places; one explanation per clause.
    let ranks: Vec<u64> = units.iter().map(|u| u["rank"].as_u64().unwrap()).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
    for u in units {
        for k in ["code", "name", "kind", "base", "bonus", "total"] {
            assert!(u[k].is_string(), "{k}");
        }
        assert_eq!(
            u["total"]
                .as_str()
                .unwrap()
                .split('.')
                .nth(1)
                .unwrap()
                .len(),
            4
        );
        let cs = u["clauses"].as_array().unwrap();
        assert_eq!(cs.len(), 28);
        for c in cs {
            assert_eq!(c["status"], "scored");
            assert!(!c["explanation"].as_str().unwrap().is_empty());
            assert!(c["max"].is_string() && c["score"].is_string());
        }
        // total = base + bonus, base = Σ clause scores except the bonus clause.
        let base: Decimal = cs
            .iter()
            .filter(|c| c["id"] != "2.3.3")
            .map(|c| d(&c["score"]))
            .sum();
        assert_eq!(base, d(&u["base"]));
        assert_eq!(d(&u["base"]) + d(&u["bonus"]), d(&u["total"]));
    }
    let c = clause(unit(&j, "320623100"), "1.4.1");
    assert_eq!(
        c["explanation"],
        "认领率 98.70%，17个单位中并列第2，0.05 − 1 × 0.002 = 0.048"
    );
}

/// Three units scored by hand from the demo files, clause by clause.
///
/// Judgement maxima: indicator 1 has 1.1.1–1.3.4 (8 × 0.05 = 0.40), 1.5.1 0.10, 1.5.2, 1.5.3, 1.6.1,
/// 1.7.1, 1.7.2 (5 × 0.05 = 0.25): 0.75; indicator 2 has seven clauses of 0.05 and 2.3.2 of 0.15: 0.50.
///
/// 网上办件 composite (1.4.3b): ranks by volume and coverage among all 17, summed:
/// 掘港 1+2=3, 长沙 5+1=6, 城中 2+5=7, 开发区 3+6=9, 马塘 6+4=10, 栟茶 7+3=10, 苴镇 4+8=12, 丰利 10+7=17,
/// 岔河 8+11=19, 河口 12+9=21, 大豫 11+10=21, 双甸 9+13=22, 洋口 14+12=26, 新店 13+14=27, 袁庄 15+15=30,
/// 曹埠 16+16=32, 洋口港 17+17=34.
#[test]
fn three_units_match_a_hand_calculation() {
    let j = json(&demo_dir());
    let dd = |s: &str| s.parse::<Decimal>().unwrap();

    // 曹埠镇: 2.5.1 scored 0.03 (−0.02). 认领率 95.00% ranks 13th → 0.05 − 12 × 0.002 = 0.026;
    // 指南问题 4 → 0.05 − 4 × 0.002 = 0.042; 超期 27 → 0.05 − 0.054 < 0 → 0; composite key 32 is 16th
    // → 0.05 − 15 × 0.002 = 0.020; 满意度 98% → 0.05.
    // Indicator 1 = 0.75 + 0.026 + 0.042 + 0 + 0.020 + 0.05 = 0.888; indicator 2 = 0.50 − 0.02 = 0.48.
    let u = unit(&j, "320623111");
    assert_eq!(d(&clause(u, "1.4.1")["score"]), dd("0.026"));
    assert_eq!(d(&clause(u, "1.4.2")["score"]), dd("0.042"));
    assert_eq!(d(&clause(u, "1.4.3a")["score"]), dd("0"));
    assert_eq!(d(&clause(u, "1.4.3b")["score"]), dd("0.020"));
    assert_eq!(d(&u["base"]), dd("0.888") + dd("0.48"));
    assert_eq!(u["total"], "1.3680");
    assert_eq!(u["rank"], 17);

    // 河口镇: 2.3.2 scored 0.10 (−0.05). 认领率 96.50% 10th → 0.032; 指南问题 0 → 0.05; 超期 5 → 0.04;
    // composite key 21 shared with 大豫 at 10th → 0.05 − 9 × 0.002 = 0.032;
    // 满意度 90% → 0.05 × 0.90 ÷ 0.95 = 0.0473684… → 0.0474 (rounded once).
    // Indicator 1 = 0.75 + 0.032 + 0.05 + 0.04 + 0.032 + 0.0474 = 0.9514; indicator 2 = 0.45.
    let u = unit(&j, "320623108");
    assert_eq!(clause(u, "1.6.2")["score"], "0.0474");
    assert_eq!(
        clause(u, "1.4.3b")["score"],
        clause(unit(&j, "320623114"), "1.4.3b")["score"]
    );
    assert_eq!(d(&clause(u, "1.4.3b")["score"]), dd("0.032"));
    assert_eq!(d(&u["total"]), dd("0.9514") + dd("0.45"));

    // 如东县经济开发区: 2.4.3 scored 0.04 (−0.01); bonus 0.02. 认领率 97.95% 5th → 0.042; 指南问题 1 →
    // 0.048; 超期 4 → 0.042; composite key 9 is 4th → 0.044; 满意度 98% → 0.05.
    // Indicator 1 = 0.75 + 0.042 + 0.048 + 0.042 + 0.044 + 0.05 = 0.976; indicator 2 = 0.49;
    // base 1.466, total 1.486.
    let u = unit(&j, "320623400");
    assert_eq!(u["base"], "1.4660");
    assert_eq!(u["bonus"], "0.0200");
    assert_eq!(u["total"], "1.4860");
    assert_eq!(d(&clause(u, "1.4.3b")["score"]), dd("0.044"));
    assert_eq!(u["rank"], 3);
}

#[test]
fn ties_share_a_rank_and_deductions_carry_their_instances() {
    let j = json(&demo_dir());
    // 丰利镇 and 栟茶镇 both total 1.4540: both 7th, next is 9th.
    assert_eq!(unit(&j, "320623110")["rank"], 7);
    assert_eq!(unit(&j, "320623112")["rank"], 7);
    assert_eq!(unit(&j, "320623114")["rank"], 9);
    let c = clause(unit(&j, "320623113"), "1.4.2");
    assert_eq!(c["lost"], "0.0060");
    let inst = c["instances"].as_array().unwrap();
    assert_eq!(inst.len(), 3);
    assert_eq!(inst[0]["evidence"], "省事项管理平台截图");
    assert!(
        inst[0]["source"]
            .as_str()
            .unwrap()
            .starts_with("findings.csv 第")
    );
}

#[test]
fn missing_data_is_reported_and_exits_3_with_the_json_still_printed() {
    let dir = scratch();
    std::fs::remove_file(dir.path().join("findings.csv")).unwrap();
    let o = kaohe(&[
        "score",
        "--input",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 3, "{}", o.stderr);
    let j: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(j["complete"], false);
    let c = clause(unit(&j, "320623101"), "1.4.2");
    assert_eq!(c["status"], "missing");
    assert_eq!(c["score"], Value::Null);
    assert_eq!(unit(&j, "320623101")["complete"], false);
    let w = j["problems"].as_array().unwrap();
    assert!(
        w.iter()
            .any(|p| p["severity"] == "warning" && p["text"].as_str().unwrap().contains("1.4.2"))
    );
    // The table says so too.
    let o = kaohe(&["score", "--input", dir.path().to_str().unwrap()]);
    assert_eq!(o.code, 3);
    assert!(o.stdout.contains("缺数据"));
    assert!(o.stdout.contains("结果不完整"));
}
