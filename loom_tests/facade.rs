//! loom models: facade (placeholder until written).
#![cfg(loom)]
