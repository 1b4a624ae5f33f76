//! A small, strict JSON (RFC 8259) reader for the task body: it validates the whole
//! document and keeps only the string members `worker` and `payload` of the top-level
//! object. Written by hand to keep the example free of heavy dependencies.

/// A task to hand to a worker.
#[derive(Debug)]
pub struct Task {
    /// The worker's name: the request goes to `tasks.<worker>`.
    pub worker: String,
    /// The text sent to the worker.
    pub payload: String,
}

/// How deep arrays and objects may nest inside the task object.
const MAX_DEPTH: usize = 64;

/// Parses a task body; the error says what is wrong, for a 400 response.
pub fn parse_task(body: &[u8]) -> Result<Task, String> {
    let text = std::str::from_utf8(body).map_err(|_| "body is not UTF-8".to_string())?;
    let mut reader = Reader {
        bytes: text.as_bytes(),
        pos: 0,
    };
    reader.skip_ws();
    reader.expect(b'{', "the body must be a JSON object")?;
    let mut worker = None;
    let mut payload = None;
    reader.skip_ws();
    if !reader.eat(b'}') {
        loop {
            reader.skip_ws();
            let key = reader.string()?;
            reader.skip_ws();
            reader.expect(b':', "expected `:`")?;
            reader.skip_ws();
            let slot = match key.as_str() {
                "worker" => Some(&mut worker),
                "payload" => Some(&mut payload),
                _ => None,
            };
            match slot {
                Some(slot) => {
                    if reader.peek() != Some(b'"') {
                        return Err(format!("`{key}` must be a string"));
                    }
                    if slot.replace(reader.string()?).is_some() {
                        return Err(format!("duplicate field `{key}`"));
                    }
                }
                None => reader.skip_value(0)?,
            }
            reader.skip_ws();
            if reader.eat(b'}') {
                break;
            }
            reader.expect(b',', "expected `,` or `}`")?;
        }
    }
    reader.skip_ws();
    if reader.pos != reader.bytes.len() {
        return Err(reader.error("trailing characters after the object"));
    }
    let worker = worker.ok_or("missing field `worker`")?;
    let payload = payload.ok_or("missing field `payload`")?;
    if worker.is_empty()
        || !worker
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(format!(
            "`worker` must be a non-empty name of A-Z, a-z, 0-9, `_` and `-`, not {worker:?}"
        ));
    }
    Ok(Task { worker, payload })
}

/// A cursor over a JSON text.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    /// The next byte, if any.
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Consumes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    /// Consumes `byte` or fails with `what`.
    fn expect(&mut self, byte: u8, what: &str) -> Result<(), String> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// An error message pointing at the current position.
    fn error(&self, what: &str) -> String {
        format!("{what} at byte {}", self.pos)
    }

    /// Skips JSON whitespace.
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Reads a string, decoding its escapes.
    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"', "expected a string")?;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is valid UTF-8 and we stopped at an ASCII byte: a char boundary.
            out.push_str(
                std::str::from_utf8(&self.bytes[start..self.pos])
                    .map_err(|_| self.error("invalid UTF-8"))?,
            );
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            out.push(self.unicode_escape()?);
                            continue;
                        }
                        _ => return Err(self.error("invalid escape")),
                    };
                    self.pos += 1;
                    out.push(escaped);
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// Reads the `XXXX` of a `\uXXXX` escape (already past the `u`), and the low half of a
    /// surrogate pair when the first is a high half.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !(self.eat(b'\\') && self.eat(b'u')) {
                    return Err(self.error("unpaired surrogate in \\u escape"));
                }
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("unpaired surrogate in \\u escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("unpaired surrogate in \\u escape")),
            _ => first,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    /// Reads four hex digits.
    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("short \\u escape"))?;
        let mut value = 0;
        for &d in digits {
            let digit = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.error("invalid \\u escape"))?;
            value = value * 16 + digit;
        }
        self.pos += 4;
        Ok(value)
    }

    /// Validates and skips any value.
    fn skip_value(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'{') => {
                self.pos += 1;
                self.skip_ws();
                if self.eat(b'}') {
                    return Ok(());
                }
                loop {
                    self.skip_ws();
                    self.string()?;
                    self.skip_ws();
                    self.expect(b':', "expected `:`")?;
                    self.skip_ws();
                    self.skip_value(depth + 1)?;
                    self.skip_ws();
                    if self.eat(b'}') {
                        return Ok(());
                    }
                    self.expect(b',', "expected `,` or `}`")?;
                }
            }
            Some(b'[') => {
                self.pos += 1;
                self.skip_ws();
                if self.eat(b']') {
                    return Ok(());
                }
                loop {
                    self.skip_ws();
                    self.skip_value(depth + 1)?;
                    self.skip_ws();
                    if self.eat(b']') {
                        return Ok(());
                    }
                    self.expect(b',', "expected `,` or `]`")?;
                }
            }
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("expected a value")),
        }
    }

    /// Skips the keyword `word`.
    fn literal(&mut self, word: &str) -> Result<(), String> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("expected a value"))
        }
    }

    /// Skips a number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<(), String> {
        self.eat(b'-');
        if !self.eat(b'0') && self.digits() == 0 {
            return Err(self.error("invalid number"));
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(self.error("invalid number"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(())
    }

    /// Skips ASCII digits and returns how many there were.
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }
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
        let deep = format!(
            r#"{{"worker":"w","payload":"p","n":{}{}}}"#,
            "[".repeat(100),
            "]".repeat(100)
        );
        assert!(parse_task(deep.as_bytes()).is_err());
    }
}
