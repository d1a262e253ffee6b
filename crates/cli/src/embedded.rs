//! What the binary carries: the 2021 rubric and the demo inputs (示例数据), so that `kaohe demo` and
//! `kaohe score` without `--rubric` need no file beside the binary.

pub const RUDONG_2021: &str = include_str!("../../../rubrics/rudong-2021.toml");
pub const RUDONG_2021_NAME: &str = "rudong-2021.toml";

/// The demo inputs as (file name, bytes).
pub fn demo_files() -> Vec<(String, Vec<u8>)> {
    macro_rules! f {
        ($name:literal) => {
            (
                $name.to_string(),
                include_bytes!(concat!("../../../examples/rudong-2021/", $name)).to_vec(),
            )
        };
    }
    vec![
        f!("units.csv"),
        f!("metrics.csv"),
        f!("judgements.csv"),
        f!("findings.csv"),
        f!("bonus.csv"),
    ]
}
