//! Owns the report formats. Each is a pure function of the findings (and the sources, for
//! positions); none prints.

pub mod human;
pub mod json;
pub mod rules;
pub mod tests;
