//! The reference host's tests, in one binary so each fixture is compiled once (the
//! process-wide [`msgbridge_host::Runtime::shared`] cache).
//!
//! Every messaging scenario runs for each world natively and on both brokers: in process and
//! on a `nats-server` the test starts on a free loopback port.

mod common;
mod http;
mod messaging;
mod worlds;
