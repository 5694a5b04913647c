//! ropa checks a GDPR register of processing activities (Art. 30), kept as YAML, against
//! rules written as Cedar policies, and reports every violation at its exact source span.
//!
//! The pipeline: [`register`] (load) -> [`entities`] (Cedar entities and requests) ->
//! [`eval`] (policies) -> [`finding`] -> [`report`] (render).

pub mod baseline;
pub mod cedar_text;
pub mod cli;
pub mod commands;
pub mod config;
pub mod declaration;
pub mod document;
pub mod dpia;
pub mod entities;
pub mod eval;
pub mod files;
pub mod finding;
pub mod fix;
pub mod gate;
pub mod gate_words;
pub mod git;
pub mod import;
pub mod lang;
pub mod pack_cache;
pub mod pack_change;
pub mod parallel;
pub mod pipeline;
pub mod policy;
pub mod problem;
pub mod problem_words;
#[cfg(feature = "prove")]
pub mod prove;
pub mod register;
pub mod report;
pub mod rule;
pub mod sandbox;
pub mod schema;
pub mod source;
pub mod suggestion;
pub mod taxonomy;
pub mod testing;
pub mod vocabulary;
pub mod waiver;
pub mod words;
pub mod yaml;
