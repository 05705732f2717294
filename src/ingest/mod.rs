//! Getting forms in: JSON and JSON Lines [`input`], spreadsheet and table [`import`] (workbooks
//! checked against the [`archive`] limits first) into evaluation documents read by the
//! [`layout`] files of each template family, the document's JSON [`schema`] and [`validate`]
//! against it. Depends only on [`crate::model`].

pub mod archive;
pub mod import;
pub mod input;
pub mod layout;
pub mod region;
pub mod schema;
pub mod validate;
