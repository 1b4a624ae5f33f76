//! Running the whole matrix and judging each cell.

use std::collections::BTreeMap;
use std::sync::Arc;

use msgbridge_worlds::Direction;

use crate::case::Case;
use crate::config::{configurations, Configuration};
use crate::observe::{with_losses, Loss, Observation};
use crate::run::{expectation_world, run_case, BrokerKind, BrokerSource};
use crate::RunError;

/// The verdict of one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Native: as the case file says; adapted: equal to the native run.
    Pass,
    /// Equal to the native run once the losses the case declares (documented in
    /// `docs/mapping.md`) are applied to it; each of them changes the native run.
    Loss(Direction, Vec<Loss>),
    /// The scenario does not apply, and why.
    NotApplicable(String),
    /// Something differs, or the run failed.
    Fail(String),
}

/// One cell's coordinates: case id, configuration id, broker.
pub type Key = (String, &'static str, BrokerKind);

/// Every cell of a run of the matrix.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// The cases, in catalogue order.
    pub cases: Vec<Case>,
    /// The configurations, in matrix order.
    pub configurations: Vec<Configuration>,
    /// The brokers run.
    pub brokers: Vec<BrokerKind>,
    /// The verdicts.
    pub cells: BTreeMap<Key, Cell>,
}

impl Matrix {
    /// The failing cells, with their reasons.
    pub fn failures(&self) -> Vec<(&Key, &str)> {
        self.cells
            .iter()
            .filter_map(|(k, c)| match c {
                Cell::Fail(reason) => Some((k, reason.as_str())),
                _ => None,
            })
            .collect()
    }

    /// Counts of pass, documented loss, n/a and FAIL cells.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut counts = (0, 0, 0, 0);
        for cell in self.cells.values() {
            match cell {
                Cell::Pass => counts.0 += 1,
                Cell::Loss(..) => counts.1 += 1,
                Cell::NotApplicable(_) => counts.2 += 1,
                Cell::Fail(_) => counts.3 += 1,
            }
        }
        counts
    }
}

/// Runs every case in every configuration on each of `brokers`: one lane per
/// (configuration, broker), lanes concurrently, the cases of a lane one after the other
/// (on NATS, each lane has its own `nats-server`).
pub async fn run_matrix(cases: Vec<Case>, brokers: &[BrokerKind]) -> Result<Matrix, RunError> {
    run_configurations(cases, configurations(), brokers).await
}

/// Runs `cases` in `configs` (which must include the references of the adapted ones) on
/// each of `brokers`; see [`run_matrix`].
pub async fn run_configurations(
    cases: Vec<Case>,
    configs: Vec<Configuration>,
    brokers: &[BrokerKind],
) -> Result<Matrix, RunError> {
    // Compose once and compile each distinct component once, one at a time, before the
    // lanes start: compiling the 12-40 MB toolchain components concurrently inside the
    // lanes overran the hang guard and the machine's memory.
    let runtime = msgbridge_host::Runtime::shared().map_err(crate::run::host_error)?;
    let mut seen = std::collections::HashSet::new();
    for config in &configs {
        let mut components = Vec::new();
        for case in &cases {
            if case.not_applicable_reason(config).is_none() {
                for component in &case.components {
                    components.push(config.bytes(component.artifact)?);
                }
            }
        }
        components.extend(config.peer.map(|p| bytes::Bytes::from_static(p.bytes())));
        for bytes in components {
            if seen.insert(bytes.clone()) {
                runtime
                    .compile(&bytes)
                    .await
                    .map_err(crate::run::host_error)?;
            }
        }
    }
    let cases = Arc::new(cases);
    let mut lanes = Vec::new();
    let mut servers = Vec::new();
    for &broker in brokers {
        for config in configs.clone() {
            let source = match broker {
                BrokerKind::InProcess => BrokerSource::InProcess,
                BrokerKind::Nats => {
                    let server =
                        tokio::task::spawn_blocking(msgbridge_test_support::NatsServer::start)
                            .await
                            .map_err(|e| {
                                RunError::Broker(format!("nats-server did not start: {e}"))
                            })?;
                    let url = server.url();
                    servers.push(server);
                    BrokerSource::Nats(url)
                }
            };
            let cases = cases.clone();
            lanes.push(tokio::spawn(async move {
                let mut results = Vec::new();
                for case in cases.iter() {
                    if case.not_applicable_reason(&config).is_some() {
                        continue;
                    }
                    let result = run_case(case, &config, &source).await;
                    results.push(((case.id.clone(), config.id, broker), result));
                }
                results
            }));
        }
    }
    let mut observations: BTreeMap<Key, Result<Observation, RunError>> = BTreeMap::new();
    for lane in lanes {
        let results = lane
            .await
            .map_err(|e| RunError::Host(format!("a lane panicked: {e}")))?;
        observations.extend(results);
    }
    drop(servers);

    let mut cells = BTreeMap::new();
    for &broker in brokers {
        for config in &configs {
            for case in cases.iter() {
                let key = (case.id.clone(), config.id, broker);
                let cell = judge(case, config, broker, &observations);
                cells.insert(key, cell);
            }
        }
    }
    Ok(Matrix {
        cases: cases.to_vec(),
        configurations: configs,
        brokers: brokers.to_vec(),
        cells,
    })
}

fn judge(
    case: &Case,
    config: &Configuration,
    broker: BrokerKind,
    observations: &BTreeMap<Key, Result<Observation, RunError>>,
) -> Cell {
    if let Some(reason) = case.not_applicable_reason(config) {
        return Cell::NotApplicable(reason);
    }
    let get = |id: &'static str| observations.get(&(case.id.clone(), id, broker));
    let observed = match get(config.id) {
        Some(Ok(o)) => o,
        Some(Err(e)) => return Cell::Fail(format!("the run failed: {e}")),
        None => return Cell::Fail("not run".into()),
    };
    // A case without a probe is checked against the case file in every configuration.
    let reference = config.reference.filter(|_| case.has_probe());
    if !config.adapted() || reference.is_none() {
        let world = expectation_world(case, config);
        let expected = match case.expectation(world, broker == BrokerKind::Nats) {
            Ok(e) => e,
            Err(e) => return Cell::Fail(e.to_string()),
        };
        if let Err(reason) = observed.check(case, &expected) {
            return Cell::Fail(reason);
        }
    }
    let Some(reference) = reference else {
        return Cell::Pass;
    };
    let native = match get(reference) {
        Some(Ok(o)) => o,
        Some(Err(e)) => return Cell::Fail(format!("the native run ({reference}) failed: {e}")),
        None => return Cell::Fail(format!("the native run ({reference}) did not run")),
    };
    match config.direction() {
        None => match observed.difference(native) {
            None => Cell::Pass,
            Some(d) => Cell::Fail(format!("differs from {reference}: {d}")),
        },
        Some(direction) => {
            let losses = case.declared_losses(config, broker == BrokerKind::Nats);
            let expected = match with_losses(case, direction, &losses, native) {
                Ok(expected) => expected,
                Err(reason) => return Cell::Fail(format!("{}: {reason}", case.id)),
            };
            match observed.difference(&expected) {
                None if losses.is_empty() => Cell::Pass,
                None => Cell::Loss(direction, losses),
                Some(d) => Cell::Fail(format!(
                    "differs from {reference} with the declared losses [{}] applied: {d}",
                    losses
                        .iter()
                        .map(|l| l.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::{Msg, Recorded};

    fn obs(answer: &[u8]) -> Observation {
        Observation {
            answers: vec![vec![Msg::new("_INBOX.1", answer)]],
            traffic: vec![Recorded {
                msg: Msg::new("_INBOX.1", answer),
                answer_to: Some(0),
                by_harness: false,
            }],
            failures: Vec::new(),
        }
    }

    fn cells(native: &[u8], adapted: &[u8], case_id: &str) -> Cell {
        let case = crate::case::catalogue()
            .unwrap()
            .into_iter()
            .find(|c| c.id == case_id)
            .unwrap();
        let configs = configurations();
        let config = configs.iter().find(|c| c.id == "portable-wasi").unwrap();
        let mut observations = BTreeMap::new();
        observations.insert(
            (case.id.clone(), "native-wasi", BrokerKind::Nats),
            Ok(obs(native)),
        );
        observations.insert(
            (case.id.clone(), "portable-wasi", BrokerKind::Nats),
            Ok(obs(adapted)),
        );
        judge(&case, config, BrokerKind::Nats, &observations)
    }

    #[test]
    fn an_adapted_run_that_differs_fails() {
        assert_eq!(cells(b"ping", b"ping", "request-replier"), Cell::Pass);
        assert!(matches!(
            cells(b"ping", b"pong", "request-replier"),
            Cell::Fail(_)
        ));
    }

    #[test]
    fn a_documented_loss_is_asserted_both_ways() {
        let native = b"ok 3\n1\nr\n1\nr\n1\nr";
        assert!(matches!(
            cells(native, b"ok 1\n1\nr", "expected-replies"),
            Cell::Loss(Direction::WasiOnWasmcloud, _)
        ));
        // The declared loss no longer happening is a failure too: the mapping table would
        // be wrong.
        assert!(matches!(
            cells(native, native, "expected-replies"),
            Cell::Fail(_)
        ));
    }
}
