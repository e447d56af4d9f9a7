//! The state of eight lanes that the vector steps (`avx.rs`, `wasm.rs`)
//! take from the portable walk and hand back.

/// Eight lanes' state, as the portable step keeps it.
pub(super) struct EightLanes<'s> {
    pub deadline: &'s [f64; 8],
    pub inverse: &'s [f64; 8],
    pub slack: &'s mut [f64; 8],
    pub missed: &'s mut [f64; 8],
    pub on_time: &'s mut [f64; 8],
}
