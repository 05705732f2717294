//! The committed schemas under `schemas/` must equal what the code generates.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use clap::ValueEnum;
use jixiao::schema::SchemaName;

#[test]
fn committed_schemas_are_up_to_date() {
    for &name in SchemaName::value_variants() {
        let path = format!("{}/schemas/{}", env!("CARGO_MANIFEST_DIR"), name.file_name());
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        let generated = name.to_pretty_json();
        assert!(
            committed == generated,
            "{path} is stale; regenerate it with:\n    cargo run -- schema {} > schemas/{}",
            name.file_name().trim_end_matches(".schema.json"),
            name.file_name()
        );
    }
}
