//! loom models: reentrant (placeholder until written).
#![cfg(loom)]
