# The cost ladder (`LADDER=1 gateway/bench/run`), sourced by run after its
# other passes. The gateway built with the benchmark-only `bench-ladder`
# feature (gateway/native/src/ladder.rs) is started once per rung with
# TOKENCTL_BENCH_RUNG=N, which switches off every feature above rung N, and
# counted like (c): system calls, context switches and CPU per request
# (counts.sh), and with INSTRUCTIONS=1 user-space instructions (callgrind).
# Rung 9 is the full gateway with --metrics-listen.

LADDER_RUNGS=(
  "0 minimal proxy: SHA-256 key lookup, forward"
  "1 + token decision (core)"
  "2 + credential injection, Host, header drops"
  "3 + X-Forwarded-For/-Proto/-Host"
  "4 + Server-Timing"
  "5 + usage record per request"
  "6 + spool write (events to disk)"
  "7 + sender (spool to the server)"
  "8 + config follower (= the gateway)"
  "9 + metrics (--metrics-listen)"
)

# Starts the ladder's gateway at `rung` on `addr` (under `wrapper`, e.g.
# valgrind), in a session of its own as in `run`; prints its pid.
start_rung() { # rung addr state-dir wrapper...
  local rung=$1 addr=$2 dir=$3 metrics=() top=$1
  shift 3
  if [ "$rung" = 9 ]; then
    top=8
    metrics=(--metrics-listen 127.0.0.1:18096)
  fi
  TOKENCTL_BENCH_RUNG=$top TOKENCTL_GATEWAY_KEY=$GW_KEY TOKIO_WORKER_THREADS=1 TOKENCTL_LOG=warn \
    setsid taskset -c 0 "$@" "$WORK/bin/tokenctl-ladder" gateway --listen "$addr" --workers 1 --state-dir "$dir" \
    "${metrics[@]}" >>"$WORK/logs/ladder.log" 2>&1 &
  echo $!
}

# Stops a gateway started by start_rung (not a child of this shell).
stop_rung() { # pid
  kill -INT "$1" 2>/dev/null || true
  while kill -0 "$1" 2>/dev/null; do sleep 0.1; done
}

wait_serving() { # url
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -H "X-API-Key: $KEY" -d "$BODY" "$1")" = 200 ] && return
    sleep 0.2
  done
  echo "error: the ladder's gateway at $1 never served" >&2
  exit 1
}

echo "climbing the cost ladder…" >&2
for entry in "${LADDER_RUNGS[@]}"; do
  rung=${entry%% *}
  # LADDER_ONLY="0 8": only these rungs.
  if [ -n "${LADDER_ONLY:-}" ] && [[ " $LADDER_ONLY " != *" $rung "* ]]; then
    continue
  fi
  echo "  rung $rung" >&2
  pid=$(start_rung "$rung" 127.0.0.1:18095 "$WORK/ladder-$rung")
  wait_serving "http://127.0.0.1:18095/v1/chat/completions"
  count_path "L$rung" "rung $entry" "http://127.0.0.1:18095/v1/chat/completions" "$pid" -- "$pid"
  stop_rung "$pid"
  if [ "${INSTRUCTIONS:-0}" = 1 ]; then
    pid=$(start_rung "$rung" 127.0.0.1:18097 "$WORK/ladder-cg-$rung" \
      valgrind -q --tool=callgrind --callgrind-out-file="$WORK/cg.L$rung")
    count_instructions "L$rung" "$pid" "http://127.0.0.1:18097/v1/chat/completions"
    stop_rung "$pid"
  fi
done
