# Per-request counts that do not move with the machine's load, for
# gateway/bench/run (sourced; uses KEY, BODY, CONNECTIONS and WORK):
#
#   * system calls per proxied request, and which ones: `strace -c -f`
#     attached to the proxy's processes for exactly one pass of a fixed
#     number of requests;
#   * voluntary and nonvoluntary context switches per request: the sum over
#     /proc/PID/task/*/status before and after a separate pass, without
#     strace (a tracer adds switches of its own);
#   * minor page faults per request over that same pass (/proc/PID/stat,
#     every thread): memory the allocator gave back to the kernel and
#     touches again costs a fault, which no system call count shows;
#   * CPU µs per request over that same pass, and how much of it is the
#     kernel's (these move with load).
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

# Minor page faults, user and system clock ticks, summed over the given
# processes (each process's /proc/PID/stat counts all of its threads).
faults_and_ticks() { # pids...
  local pid
  for pid in "$@"; do cat "/proc/$pid/stat" 2>/dev/null; done |
    awk '{f += $10; u += $14; s += $15} END {print f + 0, u + 0, s + 0}'
}

# Counts one path: appends a JSON line to $WORK/counts.jsonl.
count_path() { # key label url cpu-pids -- traced-pids
  local name=$1 label=$2 url=$3 ok pid sw0 sw1 ft0 ft1 strace_pid
  shift 3
  local cpu_pids=() traced=()
  while [ "$1" != -- ]; do cpu_pids+=("$1"); shift; done
  shift
  traced=("$@")
  ok=$(fixed_load "$url" "$COUNT_WARMUP")
  [ "$ok" = "$COUNT_WARMUP" ] || { echo "error: ($name) warm-up answered $ok of $COUNT_WARMUP with 2xx" >&2; exit 1; }

  # Pass 1: context switches and CPU, nothing attached.
  sw0=$(switches "${traced[@]}"); ft0=$(faults_and_ticks "${cpu_pids[@]}")
  ok=$(fixed_load "$url" "$COUNT_REQUESTS")
  sw1=$(switches "${traced[@]}"); ft1=$(faults_and_ticks "${cpu_pids[@]}")
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

  python3 - "$name" "$label" "$COUNT_REQUESTS" "$WORK/strace.$name" "$sw0" "$sw1" "$(getconf CLK_TCK)" "$ft0" "$ft1" \
    >> "$WORK/counts.jsonl" <<'EOF'
import json, sys
name, label, n, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
v0, n0 = map(int, sys.argv[5].split()); v1, n1 = map(int, sys.argv[6].split())
hz = int(sys.argv[7])
f0, u0, s0 = map(int, sys.argv[8].split()); f1, u1, s1 = map(int, sys.argv[9].split())
ticks = (u1 - u0) + (s1 - s0)
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
    "faults": (f1 - f0) / n,
    "cpu_us": ticks / hz * 1e6 / n,
    "system_share": (s1 - s0) / max(1, ticks),
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
print(f"{'path':{width}} {'instr.':>7} {'syscalls':>9} {'vol. cs':>8} {'invol. cs':>9} {'faults':>7} {'CPU µs *':>9} {'kernel *':>9}  system calls")
for r in rows:
    which = ", ".join(f"{k} {v:.2f}" for k, v in r["which"].items() if v >= 0.005)
    i = ins.get(r["key"], "-")
    print(f"{r['path']:{width}} {i:>7} {r['syscalls']:>9.2f} {r['voluntary']:>8.2f} {r['nonvoluntary']:>9.2f} {r['faults']:>7.2f} {r['cpu_us']:>9.1f} {r['system_share']:>8.0%}  {which}")
print("faults: minor page faults; kernel: the share of the proxy's CPU time spent in the kernel")
print("* CPU µs and its kernel share move with the machine's load (and here include no repetition); the other columns do not")
b = next((r for r in rows if r["key"] == "b"), None)
c = next((r for r in rows if r["key"] == "c"), None)
if b and c:
    print(f"(c)/(b) system calls per request: {c['syscalls'] / b['syscalls']:.2f}   (target <= 1.25)")
    print(f"(c)/(b) context switches per request: {(c['voluntary'] + c['nonvoluntary']) / (b['voluntary'] + b['nonvoluntary']):.2f}")
EOF
}

# Who runs when on CPU 0 (SCHED=1): the scheduler's switch and wake-up
# events on the shared core (`perf record -e sched:sched_switch -e
# sched:sched_wakeup -C 0`, which needs tracepoint access: root, or
# kernel.perf_event_paranoid <= -1) over a fixed pass of SCHED_REQUESTS,
# reduced to what decides the requests/s of a proxy that shares its core
# with the upstream: how often the proxy wakes the upstream, how often that
# wake-up preempts the proxy at once, how many requests the upstream serves
# per run, and each side's time on the core per request.
SCHED_REQUESTS=${SCHED_REQUESTS:-5000}

sched_path() { # key label url proxy-pids... -- upstream-pids...
  local name=$1 label=$2 url=$3 ok
  shift 3
  local proxy=() upstream=()
  while [ "$1" != -- ]; do proxy+=("$1"); shift; done
  shift
  upstream=("$@")
  ok=$(fixed_load "$url" "$COUNT_WARMUP")
  [ "$ok" = "$COUNT_WARMUP" ] || { echo "error: ($name) warm-up answered $ok of $COUNT_WARMUP with 2xx" >&2; exit 1; }
  # A large buffer: a lost event would undercount the switches.
  perf record -q -m 16M -e sched:sched_switch -e sched:sched_wakeup -C 0 -o "$WORK/sched.$name" \
    -- sleep 3600 2>/dev/null &
  local perf_pid=$!
  sleep 1 # recording
  ok=$(fixed_load "$url" "$SCHED_REQUESTS")
  # perf may have exited already (no tracepoint access): said below.
  kill -INT "$perf_pid" 2>/dev/null || true
  wait "$perf_pid" 2>/dev/null || true
  [ "$ok" = "$SCHED_REQUESTS" ] || { echo "error: ($name) answered $ok of $SCHED_REQUESTS with 2xx" >&2; exit 1; }
  [ -s "$WORK/sched.$name" ] || {
    echo "error: ($name) perf recorded nothing: scheduler tracepoints need root or kernel.perf_event_paranoid <= -1" >&2; exit 1
  }
  perf script -i "$WORK/sched.$name" -F tid,time,event,trace 2>"$WORK/sched.$name.err" > "$WORK/sched.$name.txt"
  if grep -qi lost "$WORK/sched.$name.err"; then
    echo "error: ($name) perf lost scheduler events; see $WORK/sched.$name.err" >&2; exit 1
  fi
  python3 - "$name" "$label" "$SCHED_REQUESTS" "$WORK/sched.$name.txt" "${proxy[*]}" "${upstream[*]}" \
    >> "$WORK/sched.jsonl" <<'PY'
import json, re, sys
name, label, n, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
proxy, upstream = set(sys.argv[5].split()), set(sys.argv[6].split())
switch = re.compile(r"prev_pid=(\d+) .*prev_state=(\S+) ==> .*next_pid=(\d+)")
wakeup = re.compile(r"sched_wakeup: .*?pid=(\d+)")
# Idle time before and after the pass does not matter: every figure is a
# count, or time on the core of the proxy or the upstream.
events = []
for line in open(path):
    fields = line.split()
    if len(fields) < 4:
        continue
    tid, t = fields[0], float(fields[1].rstrip(":"))
    if "sched_switch" in line:
        m = switch.search(line)
        if m:
            events.append((t, "switch", tid) + m.groups())
    elif "sched_wakeup" in line:
        m = wakeup.search(line)
        if m:
            events.append((t, "wakeup", tid, m.group(1)))
wakes = preempting = upstream_runs = 0
on_cpu = {"proxy": 0.0, "upstream": 0.0}
running, since = None, None
for i, e in enumerate(events):
    if e[1] == "wakeup":
        if e[2] in proxy and e[3] in upstream:
            wakes += 1
            # Preempted at once: the next event switches the proxy out for it.
            nxt = events[i + 1] if i + 1 < len(events) else None
            if nxt and nxt[1] == "switch" and nxt[3] in proxy and nxt[4] == "R" and nxt[5] in upstream:
                preempting += 1
        continue
    t, _, _, prev, state, nxt = e
    if running is not None:
        role = "proxy" if running in proxy else "upstream" if running in upstream else None
        if role:
            on_cpu[role] += t - since
    running, since = nxt, t
    if nxt in upstream:
        upstream_runs += 1
print(json.dumps({
    "key": name,
    "path": label,
    "wakeups": wakes / n,
    "preempting": preempting / n,
    "upstream_runs": upstream_runs / n,
    "proxy_us": on_cpu["proxy"] * 1e6 / n,
    "upstream_us": on_cpu["upstream"] * 1e6 / n,
}))
PY
}

print_sched() {
  python3 - "$WORK/sched.jsonl" "$SCHED_REQUESTS" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
width = max(len(r["path"]) for r in rows)
print(f"\nCPU 0's scheduler, per proxied request ({int(sys.argv[2]):,} requests, perf sched events):")
print(f"{'path':{width}} {'wakes upstream':>14} {'preempted by it':>15} {'upstream runs':>13} {'req/run':>7} {'proxy µs *':>10} {'upstream µs *':>13}")
for r in rows:
    per_run = 1 / r["upstream_runs"] if r["upstream_runs"] else float("inf")
    print(f"{r['path']:{width}} {r['wakeups']:>14.2f} {r['preempting']:>15.2f} {r['upstream_runs']:>13.2f} {per_run:>7.1f} {r['proxy_us']:>10.1f} {r['upstream_us']:>13.1f}")
print("(wakes upstream: the proxy's writes that found the upstream asleep; preempted by it: of those, the")
print(" ones after which the upstream ran at once; req/run: requests the upstream served per time on the core.")
print(" * time on CPU 0 from the trace, which moves with the machine's speed. Every column changes when")
print(" anything else runs on CPU 0: measure on a quiet machine)")
EOF
}
