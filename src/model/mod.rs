//! The shared vocabulary every stage speaks: the evaluation [`document`] as validated input,
//! the [`findings`] scoring and checks produce, exact [`decimal_text`] for decimals in JSON, the
//! [`range`] of numbers the engine computes with, the one [`diagnostic`] type (with its one
//! location) every boundary reports problems in, and [`located`] values of TOML files that
//! diagnostics point into.
//! Plain data; depends on nothing else in the crate.

pub mod decimal_text;
pub mod decision_record;
pub mod diagnostic;
pub mod document;
pub mod files;
pub mod findings;
pub mod located;
pub mod range;
