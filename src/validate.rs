//! Document validation.
