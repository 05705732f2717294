//! The shared vocabulary every stage speaks: the evaluation [`document`] as validated input,
//! the [`findings`] scoring and checks produce, and exact [`decimal_text`] for decimals in JSON.
//! Plain data; depends on nothing else in the crate.

pub mod decimal_text;
pub mod decision_record;
pub mod document;
pub mod findings;
