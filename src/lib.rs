//! jixiao (绩效): a rule engine that scores 项目支出绩效自评表 (project expenditure performance
//! self-evaluation forms).
//!
//! Modules follow the flow of data: forms are read ([`input`]) into [`document`]s, validated
//! against their JSON Schema ([`validate`]); a [`policy`] rule set (TOML + sandboxed Rhai
//! [`script`]s) is chosen per document; [`scoring`] recomputes every number, with target and
//! actual texts read by the [`grammar`], and runs the policy's reviewer [`checks`] into
//! [`findings`]; reviewer [`decisions`]
//! correct documents before scoring and waive findings after it; [`report`] renders the results,
//! written atomically by [`output`]; [`explain`] derives every number step by step.

pub mod baseline;
pub mod batch;
pub mod checks;
pub mod compare;
pub mod decimal_text;
pub mod decisions;
pub mod document;
pub mod explain;
pub mod findings;
pub mod generate;
pub mod grammar;
pub mod import;
pub mod input;
pub mod native;
pub mod output;
pub mod policy;
pub mod reference;
pub mod report;
pub mod ruletest;
pub mod schema;
pub mod scoring;
pub mod script;
pub mod validate;
