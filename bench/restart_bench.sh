#!/usr/bin/env bash
# restart_bench — how long `relais serve` takes to start on a data folder
# holding 100,000 waiting contacts (issue 9: under 2 s). First line:
#
#	restart contacts=100000 start_ms=X rss_mb=Y
#
# start_ms: the median over RESTART_RUNS restarts of the time from the
# exec of `relais serve` to its "listening on" line (polled every 5 ms);
# rss_mb: the server's resident memory once it listens (median too). Then
# details: each run, and the server's own start_ms (from its "ready" log
# line: what load_state and the rest of start-up cost inside the process).
#
# Method: a fresh `relais serve --demo --no-fsync` (the demo's agents are
# offline, so contacts wait), the integration login, and wrk with
# bench/restart_post.lua: exactly RESTART_CONTACTS POSTs of an email
# contact of AssurMax through the API (the server's own group commit;
# nothing is written behind its back). The server is stopped (SIGTERM)
# and started again, without --demo, RESTART_RUNS times; each start must
# report every contact back (its "contacts=" count).
#
#	bench/restart_bench.sh
#	RESTART_CONTACTS=20000 RESTART_RUNS=1 bench/restart_bench.sh
#	RESTART_DATA=/tmp/rb bench/restart_bench.sh   # keep the folder (for
#	                      # perf); filled only if it has no relais.db yet
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need wrk curl jq

COUNT=${RESTART_CONTACTS:-100000}
RUNS=${RESTART_RUNS:-3}
TARGET_MS=2000

fill() {
	if [ -n "${RESTART_DATA:-}" ]; then
		R_DIR=$(bench_tmpdir relais)
		mkdir -p "$RESTART_DATA"
		start_server R "$R_DIR" "$RELAIS_BIN" serve --demo \
			--data "$RESTART_DATA" --http 127.0.0.1:0 --no-fsync
		R_URL=http://127.0.0.1:$R_PORT
	else
		start_relais R --no-fsync
	fi
	assurmax_email "$R_URL"
	export BENCH_TOKEN BENCH_TENANT BENCH_QUEUE BENCH_COUNT=$COUNT \
		BENCH_SLACK=$((COUNT > 256 ? 128 : 0)) BENCH_DONE=$R_DIR/wrk.done
	local t0=$SECONDS made body wrk_pid
	# its duration is only a bound: interrupted once the script is done
	wrk -t1 -c64 -d"$((COUNT / 200 + 30))s" \
		-s "$BENCH_ROOT/bench/restart_post.lua" \
		"$R_URL" >"$R_DIR/wrk.txt" 2>&1 &
	wrk_pid=$!
	BENCH_PIDS+=("$wrk_pid")
	while kill -0 "$wrk_pid" 2>/dev/null && [ ! -e "$BENCH_DONE" ]; do
		sleep 0.2
	done
	kill -INT "$wrk_pid" 2>/dev/null || true
	wait "$wrk_pid" || true
	grep -q "restart_post created=[0-9]* bad=0" "$R_DIR/wrk.txt" || {
		cat "$R_DIR/wrk.txt" >&2
		die "creating contacts failed"
	}
	sleep 0.5 # the requests wrk left in flight are committed anyway
	made=$(curl -sf -H "Authorization: Bearer $BENCH_TOKEN" \
		"$R_URL/api/v1/contacts?state=queued&limit=1" | jq -er .total)
	[ "$made" -le "$COUNT" ] || die "$made contacts made, more than $COUNT"
	body="{\"tenant\":\"$BENCH_TENANT\",\"queue\":\"$BENCH_QUEUE\",\"channel\":\"email\"}"
	for _ in $(seq "$made" $((COUNT - 1))); do
		curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
			-H "Authorization: Bearer $BENCH_TOKEN" -d "$body" \
			"$R_URL/api/v1/contacts" || die "POST /api/v1/contacts failed"
	done
	FILL_S=$((SECONDS - t0))
	stop_server "$R_PID"
	[ "$STOP_RC" -eq 0 ] || die "the filling server exited $STOP_RC"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# one_start N: starts the server on the filled folder, times it, stops it;
# sets RUN_MS, RUN_RSS_MB, RUN_READY_MS.
one_start() {
	local log=$R_DIR/run$1 t0 pid port="" ready
	mkdir -p "$log"
	t0=$(now_ms)
	"$RELAIS_BIN" serve --data "$DATA" --http 127.0.0.1:0 \
		--no-fsync >"$log/stdout" 2>"$log/stderr" &
	pid=$!
	BENCH_PIDS+=("$pid")
	for _ in $(seq 6000); do
		grep -q 'listening on http://127\.0\.0\.1:[0-9]*' \
			"$log/stdout" 2>/dev/null && { port=1; break; }
		kill -0 "$pid" 2>/dev/null || {
			cat "$log/stderr" >&2
			die "the server exited at start"
		}
		sleep 0.005
	done
	RUN_MS=$(($(now_ms) - t0))
	[ -n "$port" ] || die "the server did not start"
	RUN_RSS_MB=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' \
		"/proc/$pid/status")
	ready=$(grep -o 'msg=ready .*' "$log/stderr" "$log/stdout" 2>/dev/null |
		head -1)
	RUN_READY_MS=$(sed -n 's/.*start_ms=\([0-9.]*\).*/\1/p' <<<"$ready")
	local n
	n=$(grep -oh 'msg=restored contacts=[0-9]*' "$log/stderr" \
		"$log/stdout" 2>/dev/null | head -1 | sed 's/.*contacts=//')
	[ "$n" = "$COUNT" ] || die "restart $1: $n contacts restored, not $COUNT"
	stop_server "$pid"
	[ "$STOP_RC" -eq 0 ] || die "restart $1: the server exited $STOP_RC"
}

DATA=${RESTART_DATA:-}
if [ -n "$DATA" ] && [ -e "$DATA/relais.db" ]; then
	R_DIR=$(bench_tmpdir relais)
	FILL_S=0
else
	fill
	DATA=${DATA:-$R_DIR/data}
fi
ms=() rss=() lines=()
for i in $(seq "$RUNS"); do
	one_start "$i"
	ms+=("$RUN_MS")
	rss+=("$RUN_RSS_MB")
	lines+=("  run $i: start_ms=$RUN_MS rss_mb=$RUN_RSS_MB server_start_ms=$RUN_READY_MS")
done
med=$(median "${ms[@]}")
echo "restart contacts=$COUNT start_ms=$med rss_mb=$(median "${rss[@]}")"
printf '%s\n' "${lines[@]}"
echo "  filled in ${FILL_S} s through the API; data folder $(du -sm "$DATA" | cut -f1) MB"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${med%.*}" -lt "$TARGET_MS" ]; then
	echo "  target start_ms < $TARGET_MS with $COUNT contacts: met"
else
	echo "  target start_ms < $TARGET_MS with $COUNT contacts: NOT met"
fi
