// msgbridge's composer for Node: `compose` and `inspect` on a component's bytes, run as
// WebAssembly (the Rust composer, transpiled with jco). The errors are the messages the
// `msgbridge` CLI prints for the same component read from standard input.
import {
  _setTerminalStdin,
  _setTerminalStdout,
  _setTerminalStderr,
} from "@bytecodealliance/preview2-shim/cli";
import { types as filesystemTypes } from "@bytecodealliance/preview2-shim/filesystem";
import { api, cli } from "./dist/msgbridge.js";

// preview2-shim refuses every open that asks for `mutate-directory`, which wasi-libc asks
// for whenever it opens a file for writing, so no file could be written. The flag only
// matters for directory descriptors; drop it.
const openAt = filesystemTypes.Descriptor.prototype.openAt;
filesystemTypes.Descriptor.prototype.openAt = function (pathFlags, path, openFlags, flags) {
  return openAt.call(this, pathFlags, path, openFlags, { ...flags, mutateDirectory: false });
};

// preview2-shim reports every standard stream as a terminal; say which ones are, so the CLI
// colours only a terminal's output and refuses to write a component to one.
const notTerminal = undefined;
if (!process.stdin.isTTY) _setTerminalStdin(notTerminal);
if (!process.stdout.isTTY) _setTerminalStdout(notTerminal);
if (!process.stderr.isTTY) _setTerminalStderr(notTerminal);

/** The message of an error the component returned (jco throws it as a ComponentError). */
function rethrow(e) {
  const message = typeof e?.payload === "string" ? e.payload : String(e?.message ?? e);
  throw new Error(message, { cause: e });
}

function bytesOf(component) {
  if (component instanceof Uint8Array) return component;
  if (component instanceof ArrayBuffer) return new Uint8Array(component);
  throw new TypeError("msgbridge: pass the component as a Uint8Array (e.g. fs.readFileSync's Buffer)");
}

/**
 * Adapts a component to a host of another messaging world, as `msgbridge compose` does.
 * @param {Uint8Array} component
 * @param {{ target: string, portable?: boolean, clientName?: string }} options
 * @returns {Uint8Array}
 */
export function compose(component, options) {
  const { target, portable = false, clientName } = options ?? {};
  if (typeof target !== "string") {
    throw new TypeError("msgbridge: compose needs options.target: `wasmcloud`, `wasi`, `wasmcloud-async` or `wasi-async`");
  }
  try {
    return api.compose(bytesOf(component), { target, portable: Boolean(portable), clientName });
  } catch (e) {
    rethrow(e);
  }
}

/**
 * What `msgbridge inspect --json` reports for a component (schema `msgbridge.inspect/1`).
 * @param {Uint8Array} component
 */
export function inspect(component) {
  let json;
  try {
    json = api.inspect(bytesOf(component));
  } catch (e) {
    rethrow(e);
  }
  return JSON.parse(json);
}

/**
 * Runs the `msgbridge` command line with `args` (without the program name) in `cwd`;
 * returns its exit code. Output goes to this process's standard output and error.
 * @param {string[]} args
 * @param {string} [cwd]
 * @returns {number}
 */
export function run(args, cwd = process.cwd()) {
  return cli.run(["msgbridge", ...args], cwd);
}
