//! Owns the W3C DPV JSON-LD export.
