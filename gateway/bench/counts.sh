# Per-request counts that do not move with the machine's load, for
# gateway/bench/run (sourced; uses KEY, BODY, CONNECTIONS and WORK):
#
#   * system calls per proxied request, and which ones: `strace -c -f`
#     attached to the proxy's processes for exactly one pass of a fixed
#     number of requests;
#   * voluntary and nonvoluntary context switches per request: the sum over
#     /proc/PID/task/*/status before and after a separate pass, without
#     strace (a tracer adds switches of its own);
#   * CPU µs per request over that same pass (this one does move with load).
#
# Each pass is a fixed number of requests (oha -n), after a warm-up.

COUNT_REQUESTS=${COUNT_REQUESTS:-20000}
COUNT_WARMUP=${COUNT_WARMUP:-2000}

# Sends `n` requests to `url`; prints how many were answered 2xx.
fixed_load() { # url n
  taskset -c 1 oha --no-tui --output-format json -n "$2" -c "$CONNECTIONS" -m POST \
    -H 'Content-Type: application/json' -H "X-API-Key: $KEY" -d "$BODY" "$1" |
    python3 -c 'import json,sys; d=json.load(sys.stdin)["statusCodeDistribution"]; print(sum(v for k, v in d.items() if k.startswith("2")))'
}

# Voluntary and nonvoluntary context switches, summed over every thread of
# the given processes.
switches() { # pids...
  local files=() pid
  for pid in "$@"; do files+=(/proc/"$pid"/task/*/status); done
  awk '/^voluntary_ctxt_switches/ {v += $2} /^nonvoluntary_ctxt_switches/ {n += $2} END {print v + 0, n + 0}' \
    "${files[@]}" 2>/dev/null
}

# Counts one path: appends a JSON line to $WORK/counts.jsonl.
count_path() { # key label url cpu-pids -- traced-pids
  local name=$1 label=$2 url=$3 ok pid sw0 sw1 t0 t1 strace_pid
  shift 3
  local cpu_pids=() traced=()
  while [ "$1" != -- ]; do cpu_pids+=("$1"); shift; done
  shift
  traced=("$@")
  ok=$(fixed_load "$url" "$COUNT_WARMUP")
  [ "$ok" = "$COUNT_WARMUP" ] || { echo "error: ($name) warm-up answered $ok of $COUNT_WARMUP with 2xx" >&2; exit 1; }

  # Pass 1: context switches and CPU, nothing attached.
  sw0=$(switches "${traced[@]}"); t0=$(cpu_ticks "${cpu_pids[@]}")
  ok=$(fixed_load "$url" "$COUNT_REQUESTS")
  sw1=$(switches "${traced[@]}"); t1=$(cpu_ticks "${cpu_pids[@]}")
  [ "$ok" = "$COUNT_REQUESTS" ] || { echo "error: ($name) answered $ok of $COUNT_REQUESTS with 2xx" >&2; exit 1; }

  # Pass 2: system calls, strace attached to every thread for the pass only.
  local args=()
  for pid in "${traced[@]}"; do args+=(-p "$pid"); done
  strace -c -f -qq -o "$WORK/strace.$name" "${args[@]}" 2>/dev/null &
  strace_pid=$!
  sleep 1 # attached
  ok=$(fixed_load "$url" "$COUNT_REQUESTS")
  kill -INT "$strace_pid"; wait "$strace_pid" 2>/dev/null || true
  [ "$ok" = "$COUNT_REQUESTS" ] || { echo "error: ($name) under strace answered $ok of $COUNT_REQUESTS with 2xx" >&2; exit 1; }

  python3 - "$name" "$label" "$COUNT_REQUESTS" "$WORK/strace.$name" "$sw0" "$sw1" "$((t1 - t0))" "$(getconf CLK_TCK)" \
    >> "$WORK/counts.jsonl" <<'EOF'
import json, sys
name, label, n, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
v0, n0 = map(int, sys.argv[5].split()); v1, n1 = map(int, sys.argv[6].split())
ticks, hz = int(sys.argv[7]), int(sys.argv[8])
calls = {}
for line in open(path):
    f = line.split()
    # "% time  seconds  usecs/call  calls  [errors]  syscall"
    if len(f) < 5 or not f[0][0].isdigit() or f[-1] == "total":
        continue
    calls[f[-1]] = int(f[3])
print(json.dumps({
    "key": name,
    "path": label,
    "syscalls": sum(calls.values()) / n,
    "which": {k: v / n for k, v in sorted(calls.items(), key=lambda kv: -kv[1])},
    "voluntary": (v1 - v0) / n,
    "nonvoluntary": (n1 - n0) / n,
    "cpu_us": ticks / hz * 1e6 / n,
}))
EOF
}

# Prints the table of $WORK/counts.jsonl (paths in file order), with the
# instructions of $WORK/instructions.txt where counted.
print_counts() {
  python3 - "$WORK/counts.jsonl" "$COUNT_REQUESTS" "$CONNECTIONS" "$WORK/instructions.txt" <<'EOF'
import json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
n, conns = sys.argv[2], sys.argv[3]
ins = {}
if os.path.exists(sys.argv[4]):
    ins = dict(l.split() for l in open(sys.argv[4]) if l.strip())
width = max(len(r["path"]) for r in rows)
print(f"\nper proxied request, {int(n):,} requests after a warm-up, {conns} connections:")
print(f"{'path':{width}} {'instr.':>7} {'syscalls':>9} {'vol. cs':>8} {'invol. cs':>9} {'CPU µs *':>9}  system calls")
for r in rows:
    which = ", ".join(f"{k} {v:.2f}" for k, v in r["which"].items() if v >= 0.005)
    i = ins.get(r["key"], "-")
    print(f"{r['path']:{width}} {i:>7} {r['syscalls']:>9.2f} {r['voluntary']:>8.2f} {r['nonvoluntary']:>9.2f} {r['cpu_us']:>9.1f}  {which}")
print("* CPU µs moves with the machine's load (and here includes no repetition); the other columns do not")
b = next((r for r in rows if r["key"] == "b"), None)
c = next((r for r in rows if r["key"] == "c"), None)
if b and c:
    print(f"(c)/(b) system calls per request: {c['syscalls'] / b['syscalls']:.2f}   (target <= 1.25)")
    print(f"(c)/(b) context switches per request: {(c['voluntary'] + c['nonvoluntary']) / (b['voluntary'] + b['nonvoluntary']):.2f}")
EOF
}
