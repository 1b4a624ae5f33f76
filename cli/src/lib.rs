//! The `msgbridge` command's subcommands, as a library so tests and other tools can call
//! them directly: [`compose`] (`compose`, `inspect`, `adapters`), [`check`] (a component
//! against a host profile, for CI), [`run`] (the reference host, with [`wash`] projects
//! and the [`control`] socket) and [`send`] (`request`, `publish`); [`output`] holds the
//! conventions they share (stdin/stdout, colour, logging, atomic writes).

pub mod check;
pub mod compose;
pub mod control;
pub mod output;
pub mod run;
pub mod send;
pub mod wash;
