// `npm run build`: builds the package's WebAssembly from the workspace and transpiles it.
//   1. cargo builds npm/component (msgbridge's composer and CLI) for wasm32-wasip2, release;
//   2. jco transpiles the component into dist/ (ES module glue and core wasm files), its
//      WASI imports mapped to @bytecodealliance/preview2-shim.
// Needs Rust with the wasm32-wasip2 target (`scripts/setup`) and this folder's
// devDependencies (`npm ci`). The package a user installs (`npm pack`) needs neither.
import { execFileSync } from "node:child_process";
import { rmSync, mkdirSync, statSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const component = join(here, "component");
const target = process.env.CARGO_TARGET_DIR ?? join(component, "target");
const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit", cwd: here });

console.error("build: cargo build --release --target wasm32-wasip2 (npm/component)");
run("cargo", [
  "build",
  "--release",
  "--locked",
  "--target",
  "wasm32-wasip2",
  "--manifest-path",
  join(component, "Cargo.toml"),
]);
const wasm = join(target, "wasm32-wasip2", "release", "msgbridge_npm_component.wasm");

const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
console.error("build: jco transpile into dist/");
run(join(here, "node_modules", ".bin", "jco"), [
  "transpile",
  wasm,
  "--name",
  "msgbridge",
  "--out-dir",
  dist,
  "--quiet",
]);
const sizes = readdirSync(dist).map((f) => `${f} ${statSync(join(dist, f)).size}`);
console.error(`build: dist/\n  ${sizes.join("\n  ")}`);
