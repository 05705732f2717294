//! Scoring a document under a rule set: the [`grammar`] that reads target and actual texts,
//! [`scoring`] that recomputes every number, the reviewer checks it runs ([`review`]), the
//! reviewer [`decisions`] applied before and after, and [`explain`], which renders how each
//! number came about. Depends on [`crate::model`], [`crate::script`] and [`crate::policy`].

pub mod decisions;
pub mod explain;
pub mod grammar;
pub mod pipeline;
pub mod review;
pub mod scoring;
