//! The IDX format of MNIST and Fashion-MNIST (gzipped or not): a header of big-endian sizes, then bytes.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::dataset::{Dataset, Targets};
use super::prepared::Prepared;
use super::scaler::Scaler;
use crate::error::{Error, Result};

/// An n-dimensional array of unsigned bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxArray {
    /// Sizes, outermost first (`[images, rows, columns]`).
    pub dims: Vec<usize>,
    /// Values, row-major.
    pub data: Vec<u8>,
}

/// Reads an IDX file, unzipping it first when it starts with the gzip magic bytes.
pub fn read(path: &Path) -> Result<IdxArray> {
    let raw = fs::read(path).map_err(|e| Error::io(path, e))?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| Error::Data(format!("{}: not a valid gzip file: {e}", path.display())))?;
        out
    } else {
        raw
    };
    parse(&bytes).map_err(|message| Error::Data(format!("{}: {message}", path.display())))
}

/// Parses IDX bytes: magic `0 0 0x08 n`, then `n` big-endian u32 sizes, then the values.
pub fn parse(bytes: &[u8]) -> std::result::Result<IdxArray, String> {
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 {
        return Err("not an IDX file (it must start with two zero bytes)".into());
    }
    if bytes[2] != 0x08 {
        return Err(format!(
            "IDX element type 0x{:02x} is not supported (only unsigned bytes, 0x08)",
            bytes[2]
        ));
    }
    let n = bytes[3] as usize;
    if !(1..=4).contains(&n) {
        return Err(format!(
            "IDX files with {n} dimensions are not supported (1 to 4)"
        ));
    }
    let header = 4 + 4 * n;
    if bytes.len() < header {
        return Err("the header is cut short".into());
    }
    let dims: Vec<usize> = bytes[4..header]
        .chunks(4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .collect();
    // checked so a forged header cannot ask for more memory than the file holds
    let expected = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or("the sizes overflow")?;
    let found = bytes.len() - header;
    if found != expected {
        return Err(format!(
            "the header promises {expected} values ({dims:?}) but the file holds {found}"
        ));
    }
    Ok(IdxArray {
        dims,
        data: bytes[header..].to_vec(),
    })
}

/// The four standard MNIST file names (each may end in `.gz`).
pub const MNIST_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// The four files of `dir` that are there (each plain or gzipped), in [`MNIST_FILES`]' order.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    MNIST_FILES.iter().filter_map(|n| find(dir, n)).collect()
}

/// Whether `dir` holds file `name` both plain and gzipped.
fn both_there(dir: &Path, name: &str) -> bool {
    dir.join(name).is_file() && dir.join(format!("{name}.gz")).is_file()
}

fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    [dir.join(name), dir.join(format!("{name}.gz"))]
        .into_iter()
        .find(|p| p.is_file())
}

/// [`load_dir`]'s rows, pixels divided by 255 by the run's scaler (mean 0, std 255): the
/// network sees [0, 1], and new rows (`predict`, `eval --data`, the exported file's metadata)
/// are taken in the files' own 0–255, as a CSV run's are in its columns' units.
pub fn load_prepared(dir: &Path, labels_used: bool) -> Result<Prepared> {
    let (mut train, mut test) = load_dir(dir, labels_used)?;
    let scaler = Scaler::dividing_by(255.0, train.width());
    scaler.apply(&mut train.features);
    scaler.apply(&mut test.features);
    let gaps = skipped_labels(&train, dir).filter(|_| labels_used);
    Ok(Prepared {
        scaler: Some(scaler),
        warnings: gaps.into_iter().collect(),
        ..Prepared::unscaled(train, test)
    })
}

/// A warning when the labels skip values: a label is its class's index, so every value up to
/// the largest is a class and an output, rows or not (an outside audit's one stray 255 among
/// 0–9 made 256 outputs, 246 of them never seen).
fn skipped_labels(train: &Dataset, dir: &Path) -> Option<String> {
    let Targets::Classes(labels) = &train.targets else {
        return None;
    };
    let classes = train.class_names.len();
    let mut seen = vec![false; classes];
    labels.iter().for_each(|&l| seen[l as usize] = true);
    let empty = seen.iter().filter(|s| !**s).count();
    (empty > 0).then(|| {
        format!(
            "{}: the largest label is {}, so the network has {classes} outputs (a label is its \
             class's index, as in MNIST), and {empty} of those classes have no training rows: \
             relabel the classes 0 to {} if that is not meant",
            dir.display(),
            classes - 1,
            classes - empty - 1
        )
    })
}

/// The four MNIST-format files in `dir` (each plain or gzipped), in [`MNIST_FILES`]' order;
/// refused by name where one is missing, both forms of one are there, or `dir` is a file.
fn found_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if let Some(name) = MNIST_FILES.iter().find(|n| both_there(dir, n)) {
        return Err(Error::Data(format!(
            "{}: holds both {name} and {name}.gz, so which one to read is not clear: keep one \
             (a gunzipped copy beside the .gz, say, if they hold the same)",
            dir.display()
        )));
    }
    if dir.is_file() {
        return Err(Error::Data(format!(
            "{}: a file, not a folder: --data-dir takes the folder that holds the four \
             MNIST-format files",
            dir.display()
        )));
    }
    let paths: Vec<Option<PathBuf>> = MNIST_FILES.iter().map(|n| find(dir, n)).collect();
    let missing: Vec<&str> = MNIST_FILES
        .iter()
        .zip(&paths)
        .filter(|(_, p)| p.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(Error::Data(format!(
            "{}: missing {} (each may be gzipped, ending in .gz)",
            dir.display(),
            missing.join(", ")
        )));
    }
    Ok(paths.into_iter().flatten().collect())
}

/// Loads MNIST-format training and test sets from `dir`, pixels as the files hold them (0–255).
/// With `labels_used` (training a classifier, not an autoencoder) a test label that training
/// never saw is refused.
pub fn load_dir(dir: &Path, labels_used: bool) -> Result<(Dataset, Dataset)> {
    let paths = found_files(dir)?;
    let train = images_and_labels(&paths[0], &paths[1])?;
    let test = images_and_labels(&paths[2], &paths[3])?;
    let mut seen = train.1.clone();
    seen.sort_unstable();
    seen.dedup();
    if let [only] = seen[..] {
        return Err(Error::Data(format!(
            "{}: every training label is {only}: a classifier needs at least two classes",
            paths[1].display()
        )));
    }
    // as a CSV's class that training never saw: no output unit could have learnt it
    let unseen = (test.1.iter().enumerate()).find(|(_, l)| seen.binary_search(l).is_err());
    if let (Some((i, label)), true) = (unseen, labels_used) {
        let known: Vec<String> = seen.iter().take(12).map(|l| l.to_string()).collect();
        let more = if seen.len() > 12 { ", …" } else { "" };
        return Err(Error::Data(format!(
            "{}: item {}: label {label} was never seen in training (known: {}{more})",
            paths[3].display(),
            i + 1,
            known.join(", ")
        )));
    }
    // a label is its class's index, as in MNIST (and Keras' sparse labels)
    let classes = 1 + train.1.iter().chain(&test.1).copied().max().unwrap_or(0) as usize;
    let build = |(images, labels, [h, w]): (Vec<f32>, Vec<i64>, [usize; 2])| -> Result<Dataset> {
        let names = (0..h * w).map(|i| format!("px{i}")).collect();
        let class_names = (0..classes.max(2)).map(|c| c.to_string()).collect();
        Ok(
            Dataset::new(images, names, Targets::Classes(labels), class_names)?
                .with_target_name("label")
                .with_image(h, w),
        )
    };
    if train.2 != test.2 {
        return Err(Error::Data(format!(
            "{}: training images are {:?} but test images are {:?}",
            dir.display(),
            train.2,
            test.2
        )));
    }
    Ok((build(train)?, build(test)?))
}

fn images_and_labels(images: &Path, labels: &Path) -> Result<(Vec<f32>, Vec<i64>, [usize; 2])> {
    let img = read(images)?;
    let lab = read(labels)?;
    let [n, h, w] = img.dims[..] else {
        return Err(Error::Data(format!(
            "{}: expected 3 dimensions (images, rows, columns), got {:?}",
            images.display(),
            img.dims
        )));
    };
    if n == 0 {
        return Err(Error::Data(format!(
            "{}: the file holds no images (its header says 0)",
            images.display()
        )));
    }
    if h == 0 || w == 0 {
        return Err(Error::Data(format!(
            "{}: its images are {h}×{w} pixels; an image needs at least one",
            images.display()
        )));
    }
    if lab.dims.len() != 1 {
        return Err(Error::Data(format!(
            "{}: expected 1 dimension (one label per image), got {:?}",
            labels.display(),
            lab.dims
        )));
    }
    if lab.dims != [n] {
        return Err(Error::Data(format!(
            "{}: {} labels for {n} images in {}",
            labels.display(),
            lab.dims.first().copied().unwrap_or(0),
            images.display()
        )));
    }
    let pixels = img.data.iter().map(|&p| p as f32).collect();
    Ok((pixels, lab.data.iter().map(|&l| l as i64).collect(), [h, w]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0, 0, 0x08, dims.len() as u8];
        dims.iter().for_each(|d| bytes.extend(d.to_be_bytes()));
        bytes.extend(data);
        bytes
    }

    #[test]
    fn a_two_by_three_array_reads_back() {
        let a = parse(&idx(&[2, 3], &[1, 2, 3, 4, 5, 6])).expect("valid");
        assert_eq!(a.dims, vec![2, 3]);
        assert_eq!(a.data, vec![1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn a_header_promising_more_than_the_file_holds_is_refused_without_allocating() {
        let err = parse(&idx(&[60000, 28, 28], &[0; 10])).unwrap_err();
        assert!(err.contains("promises 47040000 values"), "{err}");
        let err = parse(&idx(&[u32::MAX, u32::MAX, u32::MAX], &[])).unwrap_err();
        assert!(
            err.contains("overflow") || err.contains("promises"),
            "{err}"
        );
    }

    #[test]
    fn wrong_magic_or_element_type_is_named() {
        assert!(parse(b"PK\x03\x04")
            .unwrap_err()
            .contains("not an IDX file"));
        let mut bytes = idx(&[1], &[0, 0, 0, 0]);
        bytes[2] = 0x0d;
        assert!(parse(&bytes).unwrap_err().contains("0x0d"));
    }

    #[test]
    fn a_training_file_without_images_is_named_not_trained_on() {
        let dir = std::env::temp_dir().join(format!("plaindnn-idx-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let files: [(&str, Vec<u8>); 4] = [
            ("train-images-idx3-ubyte", idx(&[0, 2, 2], &[])),
            ("train-labels-idx1-ubyte", idx(&[0], &[])),
            ("t10k-images-idx3-ubyte", idx(&[1, 2, 2], &[0, 1, 2, 3])),
            ("t10k-labels-idx1-ubyte", idx(&[1], &[1])),
        ];
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).expect("write");
        }
        let err = load_dir(&dir, true).map(|_| ()).unwrap_err().to_string();
        assert!(
            err.contains("train-images-idx3-ubyte: the file holds no images"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A review found a folder holding a file both plain and gzipped read the plain one without a
    /// word, whatever the .gz held.
    #[test]
    fn a_file_both_plain_and_gzipped_is_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("plaindnn-idx-both-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let files: [(&str, Vec<u8>); 5] = [
            ("train-images-idx3-ubyte", idx(&[2, 1, 2], &[0, 1, 2, 3])),
            ("train-images-idx3-ubyte.gz", vec![0x1f, 0x8b]),
            ("train-labels-idx1-ubyte", idx(&[2], &[0, 1])),
            ("t10k-images-idx3-ubyte", idx(&[1, 1, 2], &[0, 1])),
            ("t10k-labels-idx1-ubyte", idx(&[1], &[1])),
        ];
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).expect("write");
        }
        let err = load_dir(&dir, true).map(|_| ()).unwrap_err().to_string();
        let said = "holds both train-images-idx3-ubyte and train-images-idx3-ubyte.gz, so which \
                    one to read is not clear: keep one";
        assert!(err.contains(said), "{err}");
        std::fs::remove_file(dir.join("train-images-idx3-ubyte.gz")).expect("remove");
        assert!(load_dir(&dir, true).is_ok(), "the plain file alone");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn training_labels_of_a_single_class_are_refused() {
        // before: a made-up second class, and 100 % accuracy
        let dir = std::env::temp_dir().join(format!("plaindnn-idx-one-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let files: [(&str, Vec<u8>); 4] = [
            (
                "train-images-idx3-ubyte",
                idx(&[3, 1, 2], &[0, 1, 2, 3, 4, 5]),
            ),
            ("train-labels-idx1-ubyte", idx(&[3], &[7, 7, 7])),
            ("t10k-images-idx3-ubyte", idx(&[1, 1, 2], &[0, 1])),
            ("t10k-labels-idx1-ubyte", idx(&[1], &[7])),
        ];
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).expect("write");
        }
        let err = load_dir(&dir, true).map(|_| ()).unwrap_err().to_string();
        let said =
            "train-labels-idx1-ubyte: every training label is 7: a classifier needs at least two";
        assert!(err.contains(said), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A review found test labels above every training label accepted: they added output units
    /// nothing trained (8 outputs for classes 0–2) and scored 0 %.
    #[test]
    fn a_test_label_never_seen_in_training_is_named_as_a_csv_class_would_be() {
        let dir = std::env::temp_dir().join(format!("plaindnn-idx-unseen-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let files: [(&str, Vec<u8>); 4] = [
            (
                "train-images-idx3-ubyte",
                idx(&[3, 1, 2], &[0, 1, 2, 3, 4, 5]),
            ),
            ("train-labels-idx1-ubyte", idx(&[3], &[0, 1, 2])),
            ("t10k-images-idx3-ubyte", idx(&[2, 1, 2], &[0, 1, 2, 3])),
            ("t10k-labels-idx1-ubyte", idx(&[2], &[1, 7])),
        ];
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).expect("write");
        }
        let err = load_dir(&dir, true).map(|_| ()).unwrap_err().to_string();
        let said =
            "t10k-labels-idx1-ubyte: item 2: label 7 was never seen in training (known: 0, 1, 2)";
        assert!(err.contains(said), "{err}");
        assert!(
            load_dir(&dir, false).is_ok(),
            "an autoencoder reads no label"
        );
        let _ = std::fs::write(dir.join("t10k-labels-idx1-ubyte"), idx(&[2], &[1, 2]));
        let (train, _) = load_dir(&dir, true).expect("loads");
        assert_eq!(train.class_names, ["0", "1", "2"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn labels_of_two_dimensions_and_images_of_no_pixels_are_named() {
        let dir = std::env::temp_dir().join(format!("plaindnn-idx-shapes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let (images, labels) = (dir.join("i"), dir.join("l"));
        let _ = std::fs::write(&images, idx(&[2, 1, 1], &[1, 2]));
        let _ = std::fs::write(&labels, idx(&[2, 1], &[0, 1]));
        let err = images_and_labels(&images, &labels)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("expected 1 dimension (one label per image), got [2, 1]"),
            "{err}"
        );
        let _ = std::fs::write(&images, idx(&[2, 0, 5], &[]));
        let err = images_and_labels(&images, &labels)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(err.contains("its images are 0×5 pixels"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
