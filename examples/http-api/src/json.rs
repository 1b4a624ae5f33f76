//! The task body: a JSON object with the string members `worker` and `payload` (others are
//! accepted and ignored, a duplicated member is an error), read with `serde_json`.

use serde::Deserialize;

/// A task to hand to a worker.
#[derive(Debug, Deserialize)]
pub struct Task {
    /// The worker's name: the request goes to `tasks.<worker>`.
    pub worker: String,
    /// The text sent to the worker.
    pub payload: String,
}

/// Parses a task body; the error says what is wrong, for a 400 response.
pub fn parse_task(body: &[u8]) -> Result<Task, String> {
    let task: Task = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let valid = !task.worker.is_empty()
        && task
            .worker
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !valid {
        return Err(format!(
            "`worker` must be a non-empty name of A-Z, a-z, 0-9, `_` and `-`, not {:?}",
            task.worker
        ));
    }
    Ok(task)
}

#[cfg(test)]
mod tests {
    use super::parse_task;

    #[test]
    fn accepts_valid_tasks() {
        let task = parse_task(
            br#" { "n": [1, -2.5e+3, {"x": null}, true, false], "payload" : "caf\u00e9 \ud83d\ude00 \"q\"\n", "worker":"re_v-1" } "#,
        )
        .expect("valid");
        assert_eq!(task.worker, "re_v-1");
        assert_eq!(task.payload, "caf\u{e9} \u{1f600} \"q\"\n");
        assert_eq!(
            parse_task("{\"worker\":\"w\",\"payload\":\"\u{e9}\"}".as_bytes())
                .expect("valid")
                .payload,
            "\u{e9}"
        );
    }

    #[test]
    fn rejects_invalid_tasks() {
        for body in [
            &b""[..],
            b"[]",
            b"{",
            b"{}",
            br#"{"worker":"leet"}"#,
            br#"{"payload":"x"}"#,
            br#"{"worker":"leet","payload":1}"#,
            br#"{"worker":"a.b","payload":"x"}"#,
            br#"{"worker":"","payload":"x"}"#,
            br#"{"worker":"leet","payload":"x",}"#,
            br#"{"worker":"leet","payload":"x"} x"#,
            br#"{"worker":"leet","worker":"w","payload":"x"}"#,
            br#"{"worker":"leet","payload":"\ud800"}"#,
            br#"{"worker":"leet","payload":"\x"}"#,
            br#"{"worker":"leet","payload":"x","n":01}"#,
            br#"{"worker":"leet","payload":"x","n":1.}"#,
            br#"{"worker":"leet","payload":"x","n":tru}"#,
            b"{\"worker\":\"leet\",\"payload\":\"a\tb\"}",
            b"{\"worker\":\"leet\",\"payload\":\"\xff\"}",
        ] {
            assert!(
                parse_task(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn deep_nesting_is_bounded() {
        // A deeply nested member that is ignored costs nothing; one that must be read is
        // refused at serde_json's recursion limit instead of overflowing the stack.
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let ignored = format!(r#"{{"worker":"w","payload":"p","n":{}}}"#, deep(100_000));
        assert_eq!(parse_task(ignored.as_bytes()).expect("valid").worker, "w");
        let read = format!(r#"{{"worker":"w","payload":{}}}"#, deep(100_000));
        assert!(parse_task(read.as_bytes()).is_err());
    }
}
