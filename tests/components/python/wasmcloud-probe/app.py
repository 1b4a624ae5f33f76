# wasmcloud-probe, in Python: the `wasmcloud:messaging@0.2.0` fixture guest of
# ../../PROTOCOL.md (imports `consumer`, exports `handler`), componentized with
# `componentize-py` by `tests/toolchain-artifacts`, with ../probe_command.py on its path.
#
# It answers as the Rust probe does (../../wasmcloud-probe/src/lib.rs) and as the
# JavaScript one does (../../js/wasmcloud-probe/probe.js): same bytes, same error texts.
#
# componentize-py's bindings: an imported `result<T, string>` function returns T or raises
# `componentize_py_types.Err(text)`; the exported `handle-message` returns `ok` when
# `handle_message` returns, `err(text)` when it raises `Err(text)`, and traps on any other
# exception.

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import consumer
from wit_world.imports.types import BrokerMessage

import probe_command as pc


def _publish(subject, body):
    """Publishes `body` on `subject` with no reply subject; `None` or the host's error."""
    try:
        consumer.publish(BrokerMessage(subject=subject, body=body, reply_to=None))
        return None
    except Err as e:
        return e.value


def _answer(reply_to, body):
    """Answers the message being handled, or does nothing when it has no reply subject."""
    return None if reply_to is None else _publish(reply_to, body)


def _check(error):
    """Raises the handler error `error` unless it is `None`."""
    if error is not None:
        raise Err(error)


def _request(command, payload):
    """The report of `request SUBJECT TIMEOUT EXPECTED` (EXPECTED is ignored)."""
    timeout = pc.DEFAULT_TIMEOUT_MS if command[2] == "-" else command[2]
    try:
        reply = consumer.request(command[1], payload, timeout)
        return pc.request_report([reply.body])
    except Err as e:
        return pc.report(e.value)


def _run(command, payload, msg):
    """Carries out `command` for the message `msg`."""
    name = command[0]
    reply_to = msg.reply_to
    if name == "echo":
        _check(_answer(reply_to, payload))
    elif name == "reply":
        for i in range(1, command[1] + 1):
            _check(_answer(reply_to, pc.numbered(i, payload)))
    elif name in ("publish", "disconnect", "set-data"):
        # wasmcloud has no client: `disconnect` and `set-data` are plain publishes.
        _check(_answer(reply_to, pc.report(_publish(command[1], payload))))
    elif name == "request":
        _check(_answer(reply_to, _request(command, payload)))
    elif name == "answer-status":
        status = _answer(reply_to, payload)
        _check(_publish(command[1], pc.report(status)))
    elif name == "describe":
        topic = msg.subject if msg.subject != "" else "-"
        text = f"topic={topic}\ncontent-type=-\nmetadata=-\nlen={len(payload)}"
        _check(_answer(reply_to, text.encode()))
    elif name == "fail":
        raise Err(command[1])
    elif name == "trap":
        raise RuntimeError("wasmcloud-probe (python): trap command")
    elif name == "spin":
        pc.spin()
    elif name == "grow":
        _check(_answer(reply_to, f"ok {pc.grow(command[1])}".encode()))


class Handler(exports.Handler):
    """The exported `wasmcloud:messaging/handler@0.2.0`."""

    def handle_message(self, msg):
        try:
            command, payload = pc.parse(msg.body)
        except pc.Bad as e:
            raise Err(e.text)
        _run(command, payload, msg)
