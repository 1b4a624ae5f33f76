//! The properties every input must keep, shared by the `cargo fuzz` targets and the bounded
//! run in the test command (`compose/tests/mutations.rs`).
//!
//! A panic inside `inspect`, `top_level_names` or `compose` propagates out of these
//! functions (the fuzzer reports it as a crash, the bounded run catches it with
//! `catch_unwind`); every other broken promise is returned as an `Err` describing it.
//! Refusing an input is fine: it is what bad input should get.

use msgbridge_compose::{compose, inspect, top_level_names, World};
use wasmparser::{Validator, WasmFeatures};

/// Validates `bytes` as the project's own checks do, with every feature wasmparser knows.
pub fn validates(bytes: &[u8]) -> Result<(), String> {
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(bytes)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Renders an error and every source under it, as the CLI does, so that an error whose
/// `Display` panics is found too.
pub fn render(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// `inspect` and `top_level_names` on `bytes`: neither panics; an accepted component
/// validates, its names parse, and every messaging interface it reports belongs to the world
/// it reports. `Ok(true)` when `inspect` accepted the input, `Ok(false)` when it refused it.
pub fn check_inspect(bytes: &[u8]) -> Result<bool, String> {
    let names = top_level_names(bytes);
    if let Err(e) = &names {
        render(e);
    }
    match inspect(bytes) {
        Ok(inspection) => {
            validates(bytes).map_err(|e| format!("inspect accepted an invalid input: {e}"))?;
            if let Err(e) = names {
                return Err(format!(
                    "inspect accepted the input but top_level_names refused it: {}",
                    render(&e)
                ));
            }
            let uses = inspection
                .messaging_imports
                .iter()
                .chain(&inspection.messaging_exports);
            for interface in uses {
                if !inspection.world.owns(&interface.name) {
                    return Err(format!(
                        "inspect says {} but reports {}",
                        inspection.world, interface.name
                    ));
                }
            }
            Ok(true)
        }
        Err(e) => {
            render(&e);
            Ok(false)
        }
    }
}

/// `compose` of `bytes` for `target`: it does not panic, and a composition it returns
/// validates and speaks `target`'s world. `Ok(true)` when it composed, `Ok(false)` when it
/// refused.
pub fn check_compose_for(bytes: &[u8], target: World) -> Result<bool, String> {
    match compose(bytes, target) {
        Ok(composed) => {
            validates(&composed).map_err(|e| {
                format!("compose for {target} returned a component that does not validate: {e}")
            })?;
            let inspection = inspect(&composed).map_err(|e| {
                format!(
                    "compose for {target} returned a component inspect refuses: {}",
                    render(&e)
                )
            })?;
            if inspection.world != target {
                return Err(format!(
                    "compose for {target} returned a component speaking {}",
                    inspection.world
                ));
            }
            Ok(true)
        }
        Err(e) => {
            render(&e);
            Ok(false)
        }
    }
}

/// [`check_compose_for`] for both targets; how many composed.
pub fn check_compose(bytes: &[u8]) -> Result<usize, String> {
    let mut composed = 0;
    for target in World::SYNC {
        composed += usize::from(check_compose_for(bytes, target)?);
    }
    Ok(composed)
}
