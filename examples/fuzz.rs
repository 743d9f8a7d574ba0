//! Bounded fuzzing of every reader that sees user files: CSV, IDX, checkpoints, config.json.
//!
//! Mutates valid seed inputs (bit flips, truncation, byte insertion, splices) for a fixed time per
//! target and counts panics; any panic is a bug (readers must return errors). Inputs that panic are
//! written to `artifacts/fuzz/` to become regression tests.
//!
//! Run: `cargo run --release --example fuzz -- [seconds per target, default 30]`

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use plaindnn::burn::module::Module;
use plaindnn::burn::store::ModuleRecord;
use plaindnn::burn::tensor::{Bytes, Device};
use plaindnn::data::csv_file::{self, CsvFormat};
use plaindnn::data::idx;
use plaindnn::model::MlpConfig;
use plaindnn::train::RunConfig;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

fn mutate(seed: &[u8], rng: &mut StdRng) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..rng.random_range(1..8) {
        let len = v.len().max(1);
        match rng.random_range(0..5) {
            0 if !v.is_empty() => {
                let i = rng.random_range(0..v.len());
                v[i] ^= 1 << rng.random_range(0..8);
            }
            1 => v.truncate(rng.random_range(0..len)),
            2 => v.insert(rng.random_range(0..len), rng.random()),
            3 if !v.is_empty() => {
                let i = rng.random_range(0..v.len());
                v[i] = [0, 0xff, b',', b'\n', b'"', b'-', b'e'][rng.random_range(0..7)];
            }
            _ => {
                let (a, b) = (rng.random_range(0..len), rng.random_range(0..len));
                let chunk: Vec<u8> = v
                    .get(a.min(b)..a.max(b))
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default();
                let at = rng.random_range(0..len);
                v.splice(at.min(v.len())..at.min(v.len()), chunk);
            }
        }
    }
    v
}

fn fuzz(name: &str, seed: &[u8], budget: Duration, run: impl Fn(&[u8])) -> (u64, u64) {
    let mut rng = StdRng::seed_from_u64(1);
    let (start, mut tried, mut panics) = (Instant::now(), 0u64, 0u64);
    while start.elapsed() < budget {
        let input = mutate(seed, &mut rng);
        tried += 1;
        if catch_unwind(AssertUnwindSafe(|| run(&input))).is_err() {
            panics += 1;
            let dir = std::path::Path::new("artifacts/fuzz");
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join(format!("{name}-{panics}.bin")), &input);
        }
    }
    println!("{name:<12} {tried:>9} inputs  {panics} panics");
    (tried, panics)
}

fn main() -> plaindnn::Result<()> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let budget = Duration::from_secs(seconds);
    std::panic::set_hook(Box::new(|_| {})); // panics are counted, not printed
    let tmp = std::env::temp_dir().join(format!("plaindnn-fuzz-{}.csv", std::process::id()));

    let csv_seed = b"a,b,label\n1.5,-2,x\n3,4e-2,y\n0,0,x\n".to_vec();
    let idx_seed: Vec<u8> = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]
        .into_iter()
        .chain(0..8)
        .collect();
    let device = Device::flex();
    let config = MlpConfig::new(2, vec![4], 3);
    let model_seed = config
        .init(&device, 0)?
        .into_record()
        .into_bytes()
        .map_err(|e| plaindnn::Error::Training(e.to_string()))?;
    let json_seed = include_str!("../tests/fixtures/config.json")
        .as_bytes()
        .to_vec();

    let mut panics = 0;
    panics += fuzz("csv", &csv_seed, budget, |bytes| {
        if std::fs::write(&tmp, bytes).is_ok() {
            let (columns, missing) = ((None, None), Default::default());
            let point = CsvFormat::default();
            let _ = csv_file::read_table(&tmp, None, columns, None, (point, missing));
            // the seed's `b` read as categories
            let one_hot = (None, Some(&["b".to_string()][..]));
            let _ = csv_file::read_table(&tmp, None, one_hot, None, (point, missing));
            // numbers with decimal commas (`--decimal ','`), fields split by `;`
            let comma = CsvFormat::delimited(Some(b';')).with_decimal(Some(b','));
            let _ = csv_file::read_table(&tmp, None, columns, None, (comma, missing));
        }
    })
    .1;
    panics += fuzz("idx", &idx_seed, budget, |bytes| {
        let _ = idx::parse(bytes);
    })
    .1;
    panics += fuzz("checkpoint", &model_seed, budget, |bytes| {
        // as load_record reads a file: its checksum first, when it has one
        let Ok(bytes) = plaindnn::train::checksum::unseal(bytes.to_vec()) else {
            return;
        };
        if let Ok(record) = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes)) {
            if let Ok(model) = config.init_for_loading(&device) {
                let _ = model.try_load_record(record);
            }
        }
    })
    .1;
    panics += fuzz("config.json", &json_seed, budget, |bytes| {
        let _ = serde_json::from_slice::<RunConfig>(bytes).map(|c| c.train.validate());
    })
    .1;
    let _ = std::fs::remove_file(&tmp);
    if panics > 0 {
        return Err(plaindnn::Error::Data(format!(
            "{panics} inputs panicked; see artifacts/fuzz/"
        )));
    }
    Ok(())
}
