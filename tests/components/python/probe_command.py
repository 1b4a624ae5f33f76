"""The probe protocol's commands (../PROTOCOL.md), parsed as the Rust `probe-command` crate
parses them: shared by the Python probes of both worlds (put on componentize-py's path)."""

import re

DEFAULT_TIMEOUT_MS = 5000
"""Timeout of a `request` whose TIMEOUT is `-`."""

U32_MAX = 4294967295
"""The largest `u32`, the range of counts and timeouts."""

_DIGITS = re.compile(r"[0-9]+")


class Bad(Exception):
    """A malformed command line: the handler error `bad command: LINE (REASON)`."""

    def __init__(self, line, reason):
        super().__init__(f"bad command: {line} ({reason})")
        self.text = f"bad command: {line} ({reason})"


def number(word):
    """A decimal `u32` of ASCII digits only; `None` if it is not one."""
    if not _DIGITS.fullmatch(word):
        return None
    value = int(word)
    return value if value <= U32_MAX else None


def _optionalnumber(word):
    """`-` (unset: `"-"`) or a number; `None` means malformed."""
    return "-" if word == "-" else number(word)


def parse_line(line):
    """Parses the command line alone (no `\\n`) into a tuple (name, arguments...)."""
    if line.startswith("fail "):
        text = line[len("fail "):]
        if text == "":
            raise Bad(line, "fail needs a TEXT")
        return ("fail", text)
    words = line.split(" ")
    if any(w == "" for w in words):
        raise Bad(line, "words must be separated by single spaces")

    def arity(n, usage):
        if len(words) != n + 1:
            raise Bad(line, f"usage: {usage}")

    name = words[0]
    if name in ("echo", "describe", "trap", "spin"):
        arity(0, name)
        return (name,)
    if name in ("publish", "answer-status", "disconnect", "set-data"):
        arity(1, f"{name} SUBJECT")
        return (name, words[1])
    if name == "reply":
        arity(1, "reply N")
        n = number(words[1])
        if n is None:
            raise Bad(line, "N must be a count")
        return ("reply", n)
    if name == "request":
        arity(3, "request SUBJECT TIMEOUT EXPECTED")
        timeout = _optionalnumber(words[2])
        if timeout is None:
            raise Bad(line, "TIMEOUT must be milliseconds or -")
        if _optionalnumber(words[3]) is None:
            raise Bad(line, "EXPECTED must be a count or -")
        return ("request", words[1], timeout, _expected(words[3]))
    if name == "grow":
        arity(1, "grow MIB")
        mib = number(words[1])
        if mib is None:
            raise Bad(line, "MIB must be a count")
        return ("grow", mib)
    if name == "fail":
        raise Bad(line, "fail needs a TEXT")
    raise Bad(line, "unknown command")


def parse(body):
    """Splits a body into its command (the bytes before the first `\\n`) and payload."""
    at = body.find(b"\n")
    line_bytes, payload = (body, b"") if at < 0 else (body[:at], body[at + 1:])
    try:
        line = line_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise Bad(line_bytes.decode("utf-8", errors="replace"), "not UTF-8")
    return parse_line(line), payload



def _expected(word):
    """EXPECTED of a `request` (already checked): `"-"` or the count."""
    return _optionalnumber(word)


def report(error):
    """A report's body: `ok`, or `err TEXT`."""
    return b"ok" if error is None else f"err {error}".encode()


def request_report(replies):
    """The report of a successful request: `ok K`, then `\nLEN\n` and each reply's bytes."""
    out = f"ok {len(replies)}".encode()
    for reply in replies:
        out += f"\n{len(reply)}\n".encode() + reply
    return out


def numbered(i, payload):
    """The body of the i-th answer of `reply N`: ASCII `i:` followed by the payload."""
    return f"{i}:".encode() + payload


def grow(mib):
    """Allocates `mib` MiB, writing every byte, and returns how many bytes are held."""
    held = b"\x01" * (mib * 1024 * 1024)
    return len(held)


def spin():
    """Loops forever: only the host can stop this."""
    while True:
        pass
