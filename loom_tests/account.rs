//! loom models: account (placeholder until written).
#![cfg(loom)]
