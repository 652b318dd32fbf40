//! loom models: queue (placeholder until written).
#![cfg(loom)]
