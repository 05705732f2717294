//! The `jixiao` command line.
fn main() {}
