//! Getting forms in: JSON and JSON Lines [`input`], spreadsheet and table [`import`] (workbooks
//! checked against the [`archive`] limits first) into
//! evaluation documents, the document's JSON [`schema`] and [`validate`] against it. Depends
//! only on [`crate::model`].

pub mod archive;
pub mod import;
pub mod input;
pub mod schema;
pub mod validate;
