//! The `msgbridge` command's subcommands, as a library so tests and other tools can call
//! them directly: [`compose`] (`compose`, `inspect`, `adapters`), [`run`] (the reference
//! host) and [`check`] (compose and link-check for CI).

pub mod check;
pub mod compose;
pub mod run;
