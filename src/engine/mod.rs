//! Scoring a document under a rule set: the [`grammar`] that reads target and actual texts,
//! [`scoring`] that recomputes every number (keeping a [`trace`] of how, when asked), the
//! reviewer checks it runs ([`review`]), the reviewer [`decisions`] applied before and after,
//! and [`explain`], which renders that trace. Depends on [`crate::model`], [`crate::script`]
//! and [`crate::policy`].

pub mod decisions;
pub mod explain;
pub mod grammar;
pub mod pipeline;
pub mod review;
pub mod scoring;
pub mod trace;
