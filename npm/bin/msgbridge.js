#!/usr/bin/env node
// The `msgbridge` command of the npm package: the Rust CLI's compose, inspect, check and
// adapters, run as WebAssembly on Node (same flags, output and exit codes).
import { run } from "../index.js";

process.exitCode = run(process.argv.slice(2));
