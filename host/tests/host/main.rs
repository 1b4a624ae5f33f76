//! The reference host's own tests, in one binary so each fixture is compiled once (the
//! process-wide [`msgbridge_host::Runtime::shared`] cache): what loading a component checks,
//! what the host logs, HTTP before any component serves it, and the async worlds'
//! bounded body streams. Messaging behaviour is
//! tested by the scenario runner (`tests/conformance` over `tests/cases`).

mod http;
mod loading;
mod logs;
mod streams;
