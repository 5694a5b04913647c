//! Owns the ICO templates export.
