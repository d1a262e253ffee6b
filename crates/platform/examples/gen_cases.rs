//! Synthetic case records for the ingest benchmark (bench/run.py):
//! `cargo run --release -p kaohe-platform --example gen_cases -- ROWS OUT.csv [LATE_PERCENT]`
//! UTF-8, Chinese headers, the 17 demo units, 2021 acceptances (and ~1% in late 2020, outside the
//! period), limits in 工作日 and 自然日, 即办件, LATE_PERCENT% late (default 2; 30 for a backlog year)
//! and ~1% open cases. Deterministic. Writes
//! `units.csv` beside OUT.csv.

use std::io::{BufWriter, Write};

const UNITS: [&str; 17] = [
    "320623001",
    "320623002",
    "320623003",
    "320623100",
    "320623101",
    "320623103",
    "320623104",
    "320623107",
    "320623108",
    "320623109",
    "320623110",
    "320623111",
    "320623112",
    "320623113",
    "320623114",
    "320623400",
    "320623402",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: u64 = args.get(1).and_then(|s| s.parse().ok()).expect("ROWS");
    let out = args.get(2).expect("OUT.csv");
    let late: u64 = args.get(3).map_or(2, |s| s.parse().expect("LATE_PERCENT"));
    assert!(late < 99, "LATE_PERCENT below 99");
    let file = std::fs::File::create(out).expect("create");
    let mut w = BufWriter::with_capacity(1 << 20, file);
    writeln!(w, "办件编号,事项编码,事项名称,行政区划,申报来源,办件类型,受理时间,承诺时限,时限单位,办结时间,特别程序开始时间,特别程序结束时间").unwrap();
    let mut x: u64 = 0x2021_1231_dead_beef;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let start = kaohe_core::Date::from_ymd(2020, 12, 28).unwrap();
    let limits: [(u32, &str); 7] = [
        (0, "工作日"),
        (1, "工作日"),
        (3, "工作日"),
        (5, "工作日"),
        (7, "工作日"),
        (10, "自然日"),
        (15, "工作日"),
    ];
    for i in 0..rows {
        let r = next();
        let unit = UNITS[(r % 17) as usize];
        let item = (r >> 8) % 300;
        let channel = [1, 2, 2, 3, 3, 1, 4, 2, 3, 9][((r >> 20) % 10) as usize];
        let acc = start.add_days(((r >> 24) % 369) as i32);
        let (n, lu) = limits[((r >> 33) % 7) as usize];
        let kind = if n == 0 { 1 } else { 2 };
        let (h, m, s) = (8 + (r >> 36) % 9, (r >> 40) % 60, (r >> 46) % 60);
        let fate = (r >> 52) % 100;
        let done = match fate {
            0 => String::new(), // open
            f if f <= late => format!(
                "{} 10:00:00",
                acc.add_days(n as i32 + 20 + (f % 7) as i32 * 3)
            ), // late
            _ => format!(
                "{} 17:30:00",
                acc.add_days(((r >> 56) % (n as u64 + 1)) as i32)
            ), // on time
        };
        writeln!(
            w,
            "{unit}2021{i:010},3206230{item:08},事项{item},{unit},{channel},{kind},{acc} {h:02}:{m:02}:{s:02},{n},{lu},{done},,"
        )
        .unwrap();
    }
    w.flush().unwrap();
    let units: Vec<String> = std::iter::once("单位编码,单位名称,类型".to_string())
        .chain(UNITS.iter().map(|u| format!("{u},单位{u},镇")))
        .collect();
    std::fs::write(
        std::path::Path::new(out).with_file_name("units.csv"),
        units.join("\n"),
    )
    .unwrap();
}
