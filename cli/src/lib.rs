//! The `msgbridge` command's subcommands, as a library so tests and other tools can call
//! them directly: [`command`] (the command line itself, which the binary and the npm
//! package's WebAssembly build run), [`compose`] (`compose`, `inspect`, `adapters`), [`check`] (a component
//! against a host profile, for CI), [`run`] (the reference host, with [`wash`] projects
//! and the [`control`] socket) and [`send`] (`request`, `publish`); [`output`] holds the
//! conventions they share (stdin/stdout, colour, logging, atomic writes).
//!
//! [`run`], [`send`], [`wash`] and [`control`] need the reference host: the default `host`
//! feature. Without it the crate composes, inspects, checks and writes the adapters, with
//! no wasmtime, tokio or NATS client in its build.

pub mod check;
pub mod command;
pub mod compose;
#[cfg(feature = "host")]
pub mod control;
pub mod output;
#[cfg(feature = "host")]
pub mod run;
#[cfg(feature = "host")]
pub mod send;
#[cfg(feature = "host")]
pub mod wash;
