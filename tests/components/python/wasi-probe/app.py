# wasi-probe, in Python: the `wasi:messaging@0.2.0-draft` fixture guest of ../../PROTOCOL.md
# (world `messaging-request-reply`), componentized with `componentize-py` by
# `tests/toolchain-artifacts`, with ../probe_command.py on its path. It makes the choices
# the Rust `wasi-probe` makes (../../wasi-probe/src/lib.rs): the client is connected once at
# the start of every message; only `echo` and `publish` copy content-type and metadata.
#
# componentize-py's bindings: a `result<T, error>` import returns T or raises
# `componentize_py_types.Err(error)`; the export returns `err(e)` when `handle` raises
# `Err(e)`, and traps on any other exception.

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import producer, request_reply
from wit_world.imports.types import (
    Client,
    Error_Connection,
    Error_Other,
    Error_PermissionDenied,
    Error_Timeout,
    Message,
)

import probe_command as pc


def _error_text(error):
    """The protocol's text for a wasi error."""
    if isinstance(error, Error_Timeout):
        return "timeout"
    if isinstance(error, Error_Connection):
        return f"connection: {error.value}"
    if isinstance(error, Error_PermissionDenied):
        return f"permission-denied: {error.value}"
    return f"other: {error.value}"


def _attempt(call):
    """Runs `call`; `None` on success, the protocol's error text on a wasi error."""
    try:
        call()
        return None
    except Err as e:
        return _error_text(e.value)


def _copy_headers(incoming, message):
    """Copies the incoming content-type and metadata (when set) onto `message`."""
    content_type = incoming.content_type()
    if content_type is not None:
        message.set_content_type(content_type)
    metadata = incoming.metadata()
    if metadata is not None:
        message.set_metadata(metadata)


def _answer(incoming, body):
    """Answers `incoming` with a plain message of `body` (raising its error)."""
    request_reply.reply(incoming, Message(body))


def _connected(client):
    """The connected client, or raises the connect error."""
    if isinstance(client, Err):
        raise client
    return client


def _send(client, subject, message):
    """Sends `message` on `subject` through `client` (a client or the connect error)."""
    producer.send(_connected(client), subject, message)


def _request(client, command, payload):
    """The report of `request SUBJECT TIMEOUT EXPECTED`."""
    _, subject, timeout, expected = command
    options = None
    if timeout != "-" or expected != "-":
        options = request_reply.RequestOptions()
        if timeout != "-":
            options.set_timeout_ms(timeout)
        if expected != "-":
            options.set_expected_replies(expected)
    try:
        replies = request_reply.request(_connected(client), subject, Message(payload), options)
        return pc.request_report([reply.data() for reply in replies])
    except Err as e:
        return pc.report(_error_text(e.value))


def _publish(client, incoming, subject, payload):
    """`publish SUBJECT`: the payload, with the incoming headers."""
    message = Message(payload)
    _copy_headers(incoming, message)
    _send(client, subject, message)


def _disconnect(subject, payload):
    """`disconnect SUBJECT`: a second client, disconnected, then sent through."""
    second = Client.connect("default")
    second.disconnect()
    producer.send(second, subject, Message(payload))


def _set_data(client, subject, payload):
    """`set-data SUBJECT`: a stale message whose data is then replaced."""
    message = Message(b"stale")
    message.set_content_type("text/stale")
    message.set_data(payload)
    _send(client, subject, message)


def _describe(incoming, payload):
    """The answer to `describe`."""
    def shown(value):
        return "-" if value is None else value

    metadata = incoming.metadata() or []
    pairs = ",".join(f"{k}={v}" for k, v in sorted(metadata, key=lambda kv: kv[0]))
    return (
        f"topic={shown(incoming.topic())}\ncontent-type={shown(incoming.content_type())}\n"
        f"metadata={pairs or '-'}\nlen={len(payload)}"
    ).encode()


def _run(client, incoming, command, payload):
    """Carries out `command` for `incoming`."""
    name = command[0]
    if name == "echo":
        message = Message(payload)
        _copy_headers(incoming, message)
        request_reply.reply(incoming, message)
    elif name == "reply":
        for i in range(1, command[1] + 1):
            _answer(incoming, pc.numbered(i, payload))
    elif name == "publish":
        status = _attempt(lambda: _publish(client, incoming, command[1], payload))
        _answer(incoming, pc.report(status))
    elif name == "request":
        _answer(incoming, _request(client, command, payload))
    elif name == "answer-status":
        status = _attempt(lambda: _answer(incoming, payload))
        _send(client, command[1], Message(pc.report(status)))
    elif name == "describe":
        _answer(incoming, _describe(incoming, payload))
    elif name == "disconnect":
        _answer(incoming, pc.report(_attempt(lambda: _disconnect(command[1], payload))))
    elif name == "set-data":
        status = _attempt(lambda: _set_data(client, command[1], payload))
        _answer(incoming, pc.report(status))
    elif name == "fail":
        raise Err(Error_Other(command[1]))
    elif name == "trap":
        raise RuntimeError("wasi-probe (python): trap command")
    elif name == "spin":
        pc.spin()
    elif name == "grow":
        _answer(incoming, f"ok {pc.grow(command[1])}".encode())


class IncomingHandler(exports.IncomingHandler):
    """The exported `wasi:messaging/incoming-handler@0.2.0-draft`."""

    def handle(self, message):
        # Connected first, so that every message connects exactly once.
        try:
            client = Client.connect("default")
        except Err as e:
            client = e
        try:
            command, payload = pc.parse(message.data())
        except pc.Bad as e:
            raise Err(Error_Other(e.text))
        _run(client, message, command, payload)
