//! jixiao (绩效): a rule engine that scores 项目支出绩效自评表 (project expenditure performance
//! self-evaluation forms).
//!
//! Modules follow the flow of data: forms are [`import`]ed into [`document`]s, validated against
//! their JSON Schema ([`validate`]), and written out ([`output`]).

pub mod document;
pub mod import;
pub mod output;
pub mod schema;
pub mod validate;
