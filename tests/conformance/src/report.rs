//! `docs/conformance.md`, rendered from a [`Matrix`].

use std::collections::BTreeSet;
use std::fmt::Write as _;

use msgbridge_worlds::{Direction, World};

use crate::matrix::{Cell, Matrix};
use crate::observe::Loss;

/// The command that regenerates `docs/conformance.md`.
pub const REGENERATE: &str = "cargo run -p msgbridge-conformance -- --write docs/conformance.md";

/// Versions of what the suite ran with, from `Cargo.lock` (read at build time) and from
/// `msgbridge-compose`.
pub fn versions() -> Vec<(&'static str, String)> {
    vec![
        ("wasmtime", env!("MSGBRIDGE_VERSION_WASMTIME").to_string()),
        ("wac-graph", env!("MSGBRIDGE_VERSION_WAC_GRAPH").to_string()),
        (
            "wit-component",
            env!("MSGBRIDGE_VERSION_WIT_COMPONENT").to_string(),
        ),
        (
            "async-nats",
            env!("MSGBRIDGE_VERSION_ASYNC_NATS").to_string(),
        ),
        (
            "WIT packages",
            World::ALL
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ]
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Pass => "pass".into(),
        Cell::Fail(_) => "**FAIL**".into(),
        Cell::NotApplicable(reason) => format!("n/a: {}", reason.replace('|', "\\|")),
        Cell::Loss(direction, losses) => {
            let links: Vec<String> = losses
                .iter()
                .map(|l| format!("[{}]({})", l.label(), l.link(*direction)))
                .collect();
            format!("documented loss: {}", links.join(", "))
        }
    }
}

/// Renders the matrix as Markdown.
pub fn render(matrix: &Matrix) -> String {
    let mut out = String::new();
    let (pass, loss, na, fail) = matrix.counts();
    let _ = writeln!(out, "# msgbridge conformance matrix\n");
    let _ = writeln!(
        out,
        "Generated from real runs by `{REGENERATE}`; do not edit by hand. \
         `cargo test -p msgbridge-conformance` runs the same matrix and fails when this file \
         differs from what it would write, or when a cell fails.\n"
    );
    let _ = writeln!(
        out,
        "Each scenario of [`tests/cases`](../tests/cases) runs in each configuration below, on \
         the in-process broker and on NATS. A native run must match the case file; an adapted \
         run must equal the native run of the same guest world exactly (everything put on the \
         broker, `_INBOX` subjects numbered, what the harness received, and how the probe's \
         failed deliveries ended), after the losses the case declares (documented in \
         [mapping.md](mapping.md)) are applied to the native run. A *documented loss* cell \
         names those losses; each of them changes the native run. A scenario without a probe \
         (the HTTP example) is checked against its case file in every configuration.\n"
    );
    let _ = writeln!(
        out,
        "{} cells: {pass} pass, {loss} documented loss, {na} n/a, {fail} FAIL.\n",
        matrix.cells.len()
    );
    let _ = writeln!(out, "## Versions\n");
    for (what, version) in versions() {
        let _ = writeln!(out, "- {what}: {version}");
    }
    let _ = writeln!(out, "\n## Configurations\n");
    let _ = writeln!(out, "| id | what runs | compared with |");
    let _ = writeln!(out, "|---|---|---|");
    for config in &matrix.configurations {
        let compared = match (config.reference, config.adapted()) {
            (Some(r), true) => format!("`{r}`, with the documented losses applied"),
            (Some(r), false) => format!("the case files, and `{r}` exactly"),
            (None, _) => "the case files".into(),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {compared} |",
            config.id,
            config.describe()
        );
    }
    for broker in &matrix.brokers {
        let _ = writeln!(out, "\n## {}\n", capitalized(broker.name()));
        let mut header = String::from("| scenario |");
        let mut rule = String::from("|---|");
        for config in &matrix.configurations {
            let _ = write!(header, " `{}` |", config.id);
            rule.push_str("---|");
        }
        let _ = writeln!(out, "{header}\n{rule}");
        for case in &matrix.cases {
            let _ = write!(
                out,
                "| [{}](../tests/cases/{}.toml) |",
                case.title.replace('|', "\\|"),
                case.id
            );
            for config in &matrix.configurations {
                let cell = matrix
                    .cells
                    .get(&(case.id.clone(), config.id, *broker))
                    .map(cell_text)
                    .unwrap_or_else(|| "**FAIL**: missing".into());
                let _ = write!(out, " {cell} |");
            }
            out.push('\n');
        }
    }
    let _ = writeln!(out, "\n## Documented losses\n");
    let mut seen = BTreeSet::new();
    for direction in Direction::ALL {
        for &loss in Loss::of(direction) {
            if seen.insert((loss, direction)) {
                let name = match direction {
                    Direction::WasiOnWasmcloud => "wasi guest on a wasmCloud host",
                    Direction::WasmcloudOnWasi => "wasmCloud guest on a wasi host",
                    Direction::WasiAsyncOnWasmcloudAsync => {
                        "async wasi guest on a wasmCloud v2.8 host"
                    }
                    Direction::WasmcloudAsyncOnWasiAsync => {
                        "wasmCloud v2.8 guest on an async wasi host"
                    }
                    Direction::WasmcloudOnWasmcloudAsync => {
                        "wasmCloud guest on a wasmCloud v2.8 host"
                    }
                    Direction::WasiOnWasiAsync => "wasi guest on an async wasi (Omnia) host",
                    Direction::WasiOnWasmcloudAsync => "wasi guest on a wasmCloud v2.8 host",
                    Direction::WasmcloudOnWasiAsync => {
                        "wasmCloud guest on an async wasi (Omnia) host"
                    }
                };
                let _ = writeln!(
                    out,
                    "- [{}]({}) ({name}): {}.",
                    loss.label(),
                    loss.link(direction),
                    loss.rule(direction)
                );
            }
        }
    }
    let _ = writeln!(out, "\n## Scenarios\n");
    for case in &matrix.cases {
        let _ = writeln!(
            out,
            "- [{}](../tests/cases/{}.toml): {}",
            case.title, case.id, case.about
        );
    }
    out
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
