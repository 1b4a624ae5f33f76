/** A messaging world's short name, as `--target` takes it. */
export type World = "wasmcloud" | "wasi" | "wasmcloud-async" | "wasi-async";

/** How to compose: `msgbridge compose`'s flags. */
export interface ComposeOptions {
  /** The messaging world of the host the component must run on. */
  target: World;
  /** The portable form (two adapter components around the guest) instead of the spliced one. */
  portable?: boolean;
  /** The name the wasmcloud-on-wasi adapter passes to `client.connect`. */
  clientName?: string;
}

/** A messaging interface and the functions of it the component uses. */
export interface Interface {
  name: string;
  functions: string[];
}

/** What `msgbridge inspect --json` prints (schema `msgbridge.inspect/1`, see docs/cli.md). */
export interface InspectReport {
  schema: "msgbridge.inspect/1";
  world: World;
  package: string;
  messaging_imports: Interface[];
  messaging_exports: Interface[];
  other_imports: string[];
  other_exports: string[];
  adapted_by_msgbridge: { version: string; form: "spliced" | "portable" } | null;
  other_host: {
    world: World;
    form: "spliced" | "portable" | null;
    portable_because: string | null;
    halves: string[];
    refused: string | null;
  };
}

/** Adapts a component for a host of `options.target`; throws the CLI's error message. */
export function compose(component: Uint8Array | ArrayBuffer, options: ComposeOptions): Uint8Array;

/** Inspects a component; throws the CLI's error message. */
export function inspect(component: Uint8Array | ArrayBuffer): InspectReport;

/** Runs the `msgbridge` command line (compose, inspect, check, adapters); returns the exit code. */
export function run(args: string[], cwd?: string): number;
