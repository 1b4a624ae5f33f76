//! Checking a spliced component: one linear memory, and the surface of every adapted
//! component.

use wasmparser::{Parser, Payload};

use super::error::SpliceError;
use crate::inspect::Inspection;
use crate::Plan;

/// How many linear memories the core modules of `component` define (imports not counted).
pub fn memory_definitions(component: &[u8]) -> Result<usize, SpliceError> {
    let mut count = 0usize;
    for payload in Parser::new(0).parse_all(component) {
        if let Payload::MemorySection(section) = payload.map_err(SpliceError::Parse)? {
            count += section.count() as usize;
        }
    }
    Ok(count)
}

/// Checks a spliced component: one linear memory, and the surface every adapted component
/// has ([`crate::check::check_adapted`]).
pub(crate) fn check(
    spliced: &[u8],
    inspection: &Inspection,
    plan: &Plan,
) -> Result<(), SpliceError> {
    let memories = memory_definitions(spliced)?;
    if memories != 1 {
        return Err(SpliceError::Check(format!(
            "it defines {memories} linear memories, not one"
        )));
    }
    crate::check::check_adapted(spliced, inspection, plan).map_err(SpliceError::Check)
}
