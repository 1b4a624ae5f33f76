//! `docs/reliability.md` lists every fault and bad input the tests try, with what happened
//! and what was lost; each test checks that its row says what it observed.

use std::path::Path;

/// Panics unless `docs/reliability.md` has the table row `| fault | outcome | lost |`
/// exactly, with the row to write when it does not.
pub fn documented(fault: &str, outcome: &str, lost: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/reliability.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_default();
    let row = format!("| {fault} | {outcome} | {lost} |");
    assert!(
        doc.lines().any(|line| line == row),
        "docs/reliability.md does not say what this test observed; its row must read:\n{row}"
    );
}
