#!/usr/bin/env bash
# http_bench — how many GET /api/v1/stats/realtime a `relais serve --demo`
# answers per second, against a bare libre hello-world (bench/bare_http.c)
# on the same machine in the same run. First line:
#
#	http stats_rps=X bare_rps=Y ratio=Z
#
# (medians over the rounds; ratio = X / Y), then details. Method: wrk
# -t1 -c50 -d10s --latency (keep-alive), alternating bare, relais stats,
# relais /healthz (a detail), bare, ... for HTTP_ROUNDS rounds (default
# 3), after a 2 s warm-up of each server. relais runs with its default
# settings (fsync on; the GET writes nothing) and the admin's bearer
# token, which sees both demo tenants: the answer is ~4 KB of JSON (6
# queues, 12 agents).
#
#	bench/http_bench.sh
#	HTTP_ROUNDS=1 HTTP_DURATION=5s bench/http_bench.sh
#
# Both servers and wrk share the machine: compare the ratio, not the
# absolute numbers, from one machine to another. Exit status 1 only when a
# server fails (does not start, crashes, answers errors).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need wrk curl jq cc pkg-config

ROUNDS=${HTTP_ROUNDS:-3}
DURATION=${HTTP_DURATION:-10s}
CONNS=${HTTP_CONNS:-50}
THREADS=${HTTP_THREADS:-1}
WRK=(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency)

# The bare server, built here (it is not a CMake target).
BARE=$BUILD/bench/bare_http
SRC=$BENCH_ROOT/bench/bare_http.c
if [ ! -x "$BARE" ] || [ "$SRC" -nt "$BARE" ]; then
	mkdir -p "$BUILD/bench"
	# shellcheck disable=SC2046
	cc -O2 -Wall -Wextra -o "$BARE" "$SRC" \
		$(pkg-config --cflags --libs libre) || die "cannot build $BARE"
fi

start_relais R
bare_log=$(bench_tmpdir bare)
start_server B "$bare_log" "$BARE"
TOKEN=$(login "$R_URL" admin)
AUTH="Authorization: Bearer $TOKEN"
R_TARGET="$R_URL/api/v1/stats/realtime"
B_TARGET="http://127.0.0.1:$B_PORT/api/v1/stats/realtime"

r_bytes=$(curl -sf -H "$AUTH" "$R_TARGET" | wc -c) ||
	die "GET /api/v1/stats/realtime failed"
b_bytes=$(curl -sf "$B_TARGET" | wc -c)

H_TARGET="$R_URL/healthz"
out=$(bench_tmpdir wrk)
wrk -t"$THREADS" -c"$CONNS" -d2s "$B_TARGET" >/dev/null
wrk -t"$THREADS" -c"$CONNS" -d2s -H "$AUTH" "$R_TARGET" >/dev/null

b_rps=() r_rps=() h_rps=() b_p50=() r_p50=() h_p50=() b_p99=() r_p99=()
h_p99=()
r_err=0 b_err=0 b_drops=0 r_drops=0 r_tmo=0 b_tmo=0
for i in $(seq "$ROUNDS"); do
	d0=$(listen_drops)
	"${WRK[@]}" "$B_TARGET" >"$out/bare.$i"
	d1=$(listen_drops)
	"${WRK[@]}" -H "$AUTH" "$R_TARGET" >"$out/relais.$i"
	"${WRK[@]}" "$H_TARGET" >"$out/healthz.$i"
	d2=$(listen_drops)
	b_drops=$((b_drops + d1 - d0)) r_drops=$((r_drops + d2 - d1))
	read -r rps p50 p99 n2 se to < <(wrk_fields "$out/bare.$i")
	b_rps+=("$rps") b_p50+=("$p50") b_p99+=("$p99")
	b_err=$((b_err + n2 + se)) b_tmo=$((b_tmo + to))
	read -r rps p50 p99 n2 se to < <(wrk_fields "$out/relais.$i")
	r_rps+=("$rps") r_p50+=("$p50") r_p99+=("$p99")
	r_err=$((r_err + n2 + se)) r_tmo=$((r_tmo + to))
	read -r rps p50 p99 n2 se to < <(wrk_fields "$out/healthz.$i")
	h_rps+=("$rps") h_p50+=("$p50") h_p99+=("$p99")
	r_err=$((r_err + n2 + se)) r_tmo=$((r_tmo + to))
done

mr=$(median "${r_rps[@]}")
mb=$(median "${b_rps[@]}")
ratio=$(awk -v a="$mr" -v b="$mb" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
echo "http stats_rps=$mr bare_rps=$mb ratio=$ratio"
echo "  method: ${WRK[*]} (keep-alive), $ROUNDS rounds of bare," \
	"relais stats, relais healthz in turn; medians"
echo "  p50_ms stats=$(median "${r_p50[@]}") bare=$(median "${b_p50[@]}")" \
	"healthz=$(median "${h_p50[@]}")"
echo "  p99_ms stats=$(median "${r_p99[@]}") bare=$(median "${b_p99[@]}")" \
	"healthz=$(median "${h_p99[@]}")"
echo "  rounds_rps stats=${r_rps[*]} bare=${b_rps[*]} healthz=${h_rps[*]}"
echo "  healthz_rps=$(median "${h_rps[@]}") (relais's HTTP plumbing, no" \
	"auth, ~90 B) ratio_to_bare=$(awk -v a="$(median "${h_rps[@]}")" \
		-v b="$mb" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
echo "  response_bytes stats=$r_bytes bare=$b_bytes" \
	"(stats_mb_per_s=$(awk -v r="$mr" -v b="$r_bytes" \
		'BEGIN { printf "%.1f", r * b / 1e6 }'))"
echo "  target ratio>=0.5: $(awk -v r="$ratio" \
	'BEGIN { print (r >= 0.5 ? "met" : "NOT met") }')"

stop_server "$R_PID"
rc_r=$STOP_RC
stop_server "$B_PID"
rc_b=$STOP_RC
errlines=$(grep -c ' error ' "$R_DIR/stderr" || true)
echo "  server: exit=$rc_r error_log_lines=$errlines wrk_errors=$r_err" \
	"wrk_timeouts=$r_tmo; bare: exit=$rc_b wrk_errors=$b_err" \
	"wrk_timeouts=$b_tmo; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  listen_drops relais=$r_drops bare=$b_drops (connects dropped by a" \
	"full accept queue: libre's tcp_listen() uses a backlog of 5; each" \
	"costs a 1-3 s stall, which wrk's coordinated-omission correction" \
	"turns into many slow samples at p99)"
[ "$rc_r" = 0 ] && [ "$r_err" = 0 ] || exit 1
