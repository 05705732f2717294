//! jixiao (绩效): a rule engine that scores 项目支出绩效自评表 (project expenditure performance
//! self-evaluation forms).
//!
//! Modules follow the flow of data: forms are read ([`input`]) into [`document`]s, validated
//! against their JSON Schema ([`validate`]); target and actual texts are parsed by the
//! [`grammar`]; results are written atomically ([`output`]).

pub mod document;
pub mod grammar;
pub mod import;
pub mod input;
pub mod output;
pub mod schema;
pub mod script;
pub mod validate;
