//! What every benchmark shares: the binary's allocator, so that the figures are the binary's,
//! and the median of repeated timings.

use std::time::Duration;

/// The binary's allocator (`src/main.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The median of `samples` (the upper one of an even count).
///
/// # Panics
/// When `samples` is empty.
#[allow(clippy::indexing_slicing, reason = "benchmark helper, never called without samples")]
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}
