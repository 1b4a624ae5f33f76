//! The reference host's own tests, in one binary so each fixture is compiled once (the
//! process-wide [`msgbridge_host::Runtime::shared`] cache): what loading a component checks,
//! what the host logs, and HTTP before any component serves it. Messaging behaviour is
//! tested by the scenario runner (`tests/conformance` over `tests/cases`).

mod http;
mod loading;
mod logs;
