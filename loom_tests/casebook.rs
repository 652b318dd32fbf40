//! loom models: casebook (placeholder until written).
#![cfg(loom)]
