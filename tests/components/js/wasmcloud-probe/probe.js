// wasmcloud-probe, in JavaScript: the `wasmcloud:messaging@0.2.0` fixture guest of
// ../../PROTOCOL.md (imports `consumer`, exports `handler`), componentized with
// `jco componentize` (StarlingMonkey) by the `msgbridge-test-js-artifacts` crate.
//
// It must answer exactly as the Rust probe does (../../wasmcloud-probe/src/lib.rs, with the
// parsing and formats of ../../probe-command/src/lib.rs): same bytes, same error texts. A
// differential test (tests/js-artifacts/tests/runs_on_host.rs) compares the two.
//
// How the jco bindings map results (see the generated bindings, `--debug-bindings`):
// - An imported `result<T, string>` function returns T, or throws a `ComponentError` whose
//   own property `payload` is the error string.
// - The exported `handle-message` returns `ok` when `handleMessage` returns. When it throws,
//   the bindings call `getErrorPayload(e)`: a value with an own `payload` property gives
//   `err(e.payload)`, an `Error` without one is rethrown (the component traps), and any
//   other value (a string, here) is the `err` payload itself.

import { publish as consumerPublish, request as consumerRequest } from 'wasmcloud:messaging/consumer@0.2.0';

/** Timeout of a `request` whose TIMEOUT is `-`. */
const DEFAULT_TIMEOUT_MS = 5000;

/** The largest `u32`, the range of counts and timeouts. */
const U32_MAX = 4294967295;

const encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------
// Handler errors and traps.

/**
 * A handler error: thrown as a plain object with an own `payload`, which the bindings turn
 * into `err(payload)`. (An `Error` would make the component trap instead.)
 */
class HandlerError {
  constructor(text) {
    this.payload = text;
  }
}

/**
 * Calls an imported `result<_, string>` function. Returns `null` on success and the host's
 * error string on failure; anything thrown that is not a result error is rethrown.
 */
function attempt(call) {
  try {
    call();
    return null;
  } catch (e) {
    return errorText(e);
  }
}

/** The error string of a `ComponentError` thrown by an import; rethrows anything else. */
function errorText(e) {
  if (e !== null && typeof e === 'object' && Object.prototype.hasOwnProperty.call(e, 'payload')) {
    return e.payload;
  }
  throw e;
}

// ---------------------------------------------------------------------------------------
// Bytes and text.

/** `s` as UTF-8 bytes. */
function utf8(s) {
  return encoder.encode(s);
}

/** The concatenation of the `Uint8Array`s in `parts`. */
function concat(parts) {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Decodes UTF-8 `bytes`. With `lossy` false, returns `null` if they are not valid UTF-8
 * (Rust's `str::from_utf8`); with `lossy` true, replaces each maximal invalid subpart by one
 * U+FFFD (Rust's `String::from_utf8_lossy`, which is also the WHATWG decoder's behaviour).
 * Written out here rather than with `TextDecoder` so that the result does not depend on the
 * engine's options support (`fatal`, `ignoreBOM`: a leading BOM must be kept).
 */
function decodeUtf8(bytes, lossy) {
  const units = []; // UTF-16 code units, turned into a string in chunks at the end
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i];
    if (b0 < 0x80) {
      units.push(b0);
      i += 1;
      continue;
    }
    // The sequence's length and the allowed range of its second byte (which excludes
    // overlong forms, surrogates and code points above U+10FFFF).
    let need;
    let lo = 0x80;
    let hi = 0xbf;
    let cp;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1;
      cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      cp = b0 & 0x0f;
      if (b0 === 0xe0) lo = 0xa0;
      if (b0 === 0xed) hi = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      cp = b0 & 0x07;
      if (b0 === 0xf0) lo = 0x90;
      if (b0 === 0xf4) hi = 0x8f;
    } else {
      // Not a lead byte: an invalid subpart of one byte.
      if (!lossy) return null;
      units.push(0xfffd);
      i += 1;
      continue;
    }
    let j = i + 1;
    let ok = true;
    for (let k = 0; k < need; k++, j++) {
      const b = j < bytes.length ? bytes[j] : -1;
      const min = k === 0 ? lo : 0x80;
      const max = k === 0 ? hi : 0xbf;
      if (b < min || b > max) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (b & 0x3f);
    }
    if (!ok) {
      // The lead byte and the continuation bytes accepted so far are one invalid subpart;
      // the offending byte (if any) starts the next one.
      if (!lossy) return null;
      units.push(0xfffd);
      i = j;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    i = j;
  }
  let s = '';
  for (let at = 0; at < units.length; at += 8192) {
    s += String.fromCharCode.apply(null, units.slice(at, at + 8192));
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// The protocol (probe-command).

/** The handler error for a bad command line: `bad command: LINE (REASON)`. */
function bad(line, reason) {
  return new HandlerError(`bad command: ${line} (${reason})`);
}

/** A decimal `u32` made of ASCII digits only (no sign, no spaces); `null` if it is not. */
function number(word) {
  if (!/^[0-9]+$/.test(word)) return null;
  const value = Number(word); // exact up to 2^53, and anything longer is far above U32_MAX
  return value <= U32_MAX ? value : null;
}

/** `-` (unset, `undefined`) or a `number`; `null` means malformed. */
function optionalNumber(word) {
  return word === '-' ? undefined : number(word);
}

/**
 * Splits a message body into its command and payload. The command is the bytes before the
 * first `\n`; the payload is everything after it (empty when there is no `\n`). Throws the
 * `HandlerError` `bad command: …` on an unknown or malformed command.
 */
function parse(body) {
  const at = body.indexOf(0x0a);
  const lineBytes = at < 0 ? body : body.subarray(0, at);
  const payload = at < 0 ? body.subarray(body.length) : body.subarray(at + 1);
  const line = decodeUtf8(lineBytes, false);
  if (line === null) throw bad(decodeUtf8(lineBytes, true), 'not UTF-8');
  return { command: parseLine(line), payload };
}

/** Parses the command line alone (no `\n`) into `{ name, ...arguments }`. */
function parseLine(line) {
  // `fail` keeps the rest of the line verbatim, spaces included.
  if (line.startsWith('fail ')) {
    const text = line.slice('fail '.length);
    if (text === '') throw bad(line, 'fail needs a TEXT');
    return { name: 'fail', text };
  }
  const words = line.split(' ');
  if (words.some((w) => w === '')) throw bad(line, 'words must be separated by single spaces');
  const arity = (n, usage) => {
    if (words.length !== n + 1) throw bad(line, `usage: ${usage}`);
  };
  switch (words[0]) {
    case 'echo':
      arity(0, 'echo');
      return { name: 'echo' };
    case 'reply': {
      arity(1, 'reply N');
      const n = number(words[1]);
      if (n === null) throw bad(line, 'N must be a count');
      return { name: 'reply', n };
    }
    case 'publish':
      arity(1, 'publish SUBJECT');
      return { name: 'publish', subject: words[1] };
    case 'request': {
      arity(3, 'request SUBJECT TIMEOUT EXPECTED');
      const timeoutMs = optionalNumber(words[2]);
      if (timeoutMs === null) throw bad(line, 'TIMEOUT must be milliseconds or -');
      const expected = optionalNumber(words[3]);
      if (expected === null) throw bad(line, 'EXPECTED must be a count or -');
      return { name: 'request', subject: words[1], timeoutMs, expected };
    }
    case 'answer-status':
      arity(1, 'answer-status SUBJECT');
      return { name: 'answer-status', subject: words[1] };
    case 'describe':
      arity(0, 'describe');
      return { name: 'describe' };
    case 'disconnect':
      arity(1, 'disconnect SUBJECT');
      return { name: 'disconnect', subject: words[1] };
    case 'set-data':
      arity(1, 'set-data SUBJECT');
      return { name: 'set-data', subject: words[1] };
    case 'fail':
      throw bad(line, 'fail needs a TEXT');
    case 'trap':
      arity(0, 'trap');
      return { name: 'trap' };
    case 'spin':
      arity(0, 'spin');
      return { name: 'spin' };
    case 'grow': {
      arity(1, 'grow MIB');
      const mib = number(words[1]);
      if (mib === null) throw bad(line, 'MIB must be a count');
      return { name: 'grow', mib };
    }
    default:
      throw bad(line, 'unknown command');
  }
}

/** The body of the i-th answer of `reply N`: ASCII `i:` followed by the payload. */
function numbered(i, payload) {
  return concat([utf8(`${i}:`), payload]);
}

/** A report's body: `ok` when `error` is `null`, `err TEXT` otherwise. */
function report(error) {
  return utf8(error === null ? 'ok' : `err ${error}`);
}

/** The report of a successful request: `ok K`, then `\nLEN\n` and the bytes of each reply. */
function requestReport(replies) {
  const parts = [utf8(`ok ${replies.length}`)];
  for (const reply of replies) {
    parts.push(utf8(`\n${reply.length}\n`), reply);
  }
  return concat(parts);
}

/** The answer to `describe` (wasmcloud has no content-type or metadata). */
function describe(topic, len) {
  return `topic=${topic ?? '-'}\ncontent-type=-\nmetadata=-\nlen=${len}`;
}

// ---------------------------------------------------------------------------------------
// Messaging.

/** Publishes `body` on `subject` with no reply subject; `null` or the host's error. */
function publish(subject, body) {
  return attempt(() => consumerPublish({ subject, body, replyTo: undefined }));
}

/**
 * Answers the message being handled: publishes `body` to its `replyTo`, or does nothing
 * (successfully) when it has none. `null` or the host's error.
 */
function answer(replyTo, body) {
  return replyTo === undefined ? null : publish(replyTo, body);
}

/** Throws the handler error `error` unless it is `null`. */
function check(error) {
  if (error !== null) throw new HandlerError(error);
}

/** Traps: an `Error` thrown out of the export is rethrown by the bindings, not mapped. */
function trap() {
  throw new Error('wasmcloud-probe (js): trap command');
}

/** The exported `wasmcloud:messaging/handler@0.2.0`. */
export const handler = {
  handleMessage(msg) {
    const { command, payload } = parse(msg.body);
    const replyTo = msg.replyTo;
    switch (command.name) {
      case 'echo':
        check(answer(replyTo, payload));
        return;
      case 'reply':
        for (let i = 1; i <= command.n; i++) {
          check(answer(replyTo, numbered(i, payload)));
        }
        return;
      // wasmcloud has no client: `disconnect` and `set-data` are plain publishes.
      case 'publish':
      case 'disconnect':
      case 'set-data':
        check(answer(replyTo, report(publish(command.subject, payload))));
        return;
      case 'request': {
        // EXPECTED is ignored: a successful request has exactly one reply.
        const timeoutMs = command.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        let body;
        try {
          const reply = consumerRequest(command.subject, payload, timeoutMs);
          body = requestReport([reply.body]);
        } catch (e) {
          body = report(errorText(e));
        }
        check(answer(replyTo, body));
        return;
      }
      case 'answer-status': {
        const status = answer(replyTo, payload);
        check(publish(command.subject, report(status)));
        return;
      }
      case 'describe': {
        const topic = msg.subject === '' ? undefined : msg.subject;
        check(answer(replyTo, utf8(describe(topic, payload.length))));
        return;
      }
      case 'fail':
        throw new HandlerError(command.text);
      case 'trap':
        trap();
        return;
      case 'spin':
        // Only the host can stop this.
        for (;;) {}
      case 'grow': {
        const held = new Uint8Array(command.mib * 1024 * 1024).fill(1);
        check(answer(replyTo, utf8(`ok ${held.length}`)));
        return;
      }
    }
  },
};
