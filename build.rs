//! Rebuild when a shipped rule set changes: `rules/` is embedded into the binary.
fn main() {
    println!("cargo:rerun-if-changed=rules");
}
