//! loom models: semaphore (placeholder until written).
#![cfg(loom)]
