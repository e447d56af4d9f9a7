//! Metrics over recordings (METRICS.md): being written.
