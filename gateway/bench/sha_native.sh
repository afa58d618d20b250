# SHA-256 as the CPU runs it, for INSTRUCTIONS=1 of gateway/bench/run
# (sourced; uses WORK and KEY).
#
# valgrind does not emulate the SHA extensions (SHA-NI): under callgrind the
# `sha2` crate finds them missing and hashes in software, several times the
# instructions the CPU runs natively. So the gateway's count under callgrind
# includes a SHA-256 it never runs. This counts that one function both
# ways on a throwaway program: one digest of an input as long as the
# benchmark's key, with the `sha2` version of Cargo.lock,
#
#   * in software: under callgrind, as in the gateway's count (the mean of
#     three calls, the first of which also detects the CPU's features);
#   * natively: by single-stepping it in gdb (the third call), which runs
#     it on the real CPU;
#
# and `sha_native_per_request` turns a callgrind output of the gateway
# into the instructions per request it would count with SHA-256 native.

# Prints "<software> <native>": instructions of one digest each way.
sha_digest_instructions() {
  local dir=$WORK/sha-native version
  version=$(awk '/^name = "sha2"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<EOF
[package]
name = "sha-native"
version = "0.0.0"
edition = "2021"
[dependencies]
sha2 = "=$version"
[profile.release]
debug = 1
[workspace]
EOF
  cat > "$dir/src/main.rs" <<'EOF'
use sha2::{Digest, Sha256};
#[inline(never)]
pub fn digest_once(input: &[u8]) -> [u8; 32] {
    Sha256::digest(input).into()
}
fn main() {
    let input = std::env::args().nth(1).expect("an input");
    let mut seen = 0u8;
    for _ in 0..3 {
        seen ^= digest_once(std::hint::black_box(input.as_bytes()))[0];
    }
    std::hint::black_box(seen);
}
EOF
  (cd "$dir" && cargo build --release --quiet --target-dir "$dir/target" >"$dir/build.log" 2>&1) ||
    { echo "? ?"; return; }
  local bin=$dir/target/release/sha-native soft native
  valgrind -q --tool=callgrind --callgrind-out-file="$dir/cg.out" "$bin" "$KEY" >/dev/null 2>&1
  # (awk reads to the end: leaving early would fail the pipeline.)
  soft=$(callgrind_annotate --inclusive=yes "$dir/cg.out" 2>/dev/null |
    awk '!done && /sha_native::digest_once \[/ {gsub(",", "", $1); print int($1 / 3); done = 1}')
  cat > "$dir/step.py" <<'EOF'
import gdb
gdb.execute("set pagination off")
# At the first instruction, so that the stack pointer rises above its
# value there only on the return.
gdb.execute("break *sha_native::digest_once")
gdb.execute("run")
for _ in range(2):
    gdb.execute("continue")
entry_sp = int(gdb.selected_frame().read_register("rsp"))
steps = 0
while int(gdb.selected_frame().read_register("rsp")) <= entry_sp:
    gdb.execute("stepi", to_string=True)
    steps += 1
print("native", steps)
gdb.execute("kill")
EOF
  native=$(gdb -q -batch -x "$dir/step.py" --args "$bin" "$KEY" 2>/dev/null | awk '$1 == "native" {print $2}')
  echo "${soft:-?} ${native:-?}"
}

# Prints the gateway's instructions per request with SHA-256 native:
# the callgrind total less, per digest it made (one 64-byte block each, as
# the key is shorter than 56 bytes), software minus native.
sha_native_per_request() { # callgrind-output requests total-per-request soft native
  local digests
  digests=$(callgrind_calls "$1" 'sha2::sha256::soft::compress')
  python3 -c "print(round($3 - $digests / $2 * ($4 - $5)))"
}

# How many times a function was called in a callgrind output: the calls
# of its callers, listed above it in `--tree=caller`.
callgrind_calls() { # callgrind-output function
  callgrind_annotate --inclusive=yes --tree=caller "$1" 2>/dev/null |
    awk -v fn="$2" '
      index($0, "< ") && match($0, /\(([0-9,]+)x\)/) {
        calls = substr($0, RSTART + 1, RLENGTH - 3); gsub(",", "", calls); pending += calls; next }
      !done && index($0, "* ") && index($0, fn) { print pending + 0; done = 1 }
      !index($0, "< ") { pending = 0 }'
}
