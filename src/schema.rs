//! Generated JSON Schemas.
