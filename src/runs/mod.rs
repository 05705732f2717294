//! Work over many documents or rule-set folders: [`batch`] scoring of JSON Lines, approved
//! [`baseline`]s and the run [`manifest`]s that let a run be replayed, [`compare`] of two rule sets over a corpus, a rule set's own tests
//! ([`ruletest`]), editor workflows on rule-set folders ([`ruleset_edit`]) and the corpus
//! [`generate`]or for tests and benchmarks; recorded [`files`] are read only when regular. Built on [`crate::engine`] and [`crate::report`].

pub mod baseline;
pub mod batch;
pub mod compare;
pub mod generate;
pub mod manifest;
pub mod ruleset_edit;
pub mod ruletest;
