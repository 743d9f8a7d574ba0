//! Advice in data's messages that names a `plaindnn train` flag. One constant each, so that the
//! playground, which has no such flags, finds the same words to put in its own.

/// `--standardize-target` on a classification target.
pub const LEAVE_STANDARDIZE_OUT: &str =
    "leave the flag out, or pass --task regression if it is a number to predict";

/// A regression target so small that early stopping's least improvement hides its progress.
pub const MIN_DELTA_ZERO: &str = "or pass --min-delta 0";

/// Too few rows to split validation rows off.
pub const VAL_DATA_OF_THEIR_OWN: &str =
    ", or validation rows of their own with --val-data FILE.csv";

/// A learning-rate schedule's floor at or above the rate.
pub const MIN_LR_BELOW: &str = "give a min_lr below --lr";

/// A chosen column whose header cell is empty.
pub const UNNAMED_COLUMN: &str = "name it, or leave it out with --target and --features";

/// A number written with a decimal comma in a file whose fields a comma does not separate.
pub const DECIMAL_COMMA: &str = ", or pass --decimal ','";

/// What `--decimal ','` does, said where a number written with a point is refused under it.
pub const DECIMAL_MARK: &str = "--decimal ',' reads `,` as the decimal mark";

/// The way on for a file of points read with `--decimal ','`.
pub const POINTS_LEFT_OUT: &str =
    "if the file writes its numbers with points, leave out --decimal ','";

/// A target of numbers written with decimal commas, read without `--decimal ','` or `--task`.
pub const DECIMAL_TARGET: &str =
    "pass --decimal ',' to read the file's numbers so, or --task classification to take its \
     values as classes";
