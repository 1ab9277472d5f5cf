#!/usr/bin/env bash
# durable_bench — durable contact creations per second: POST
# /api/v1/contacts with fsync on (the default: each 201 is on disk first),
# with the group commit against --no-group-commit (one commit, so one
# fsync, per request). First line:
#
#	durable contacts_per_s=X naive_per_s=Y
#
# then details: the commits the server counted (relais_store_commits_total
# in /metrics) and so the contacts per commit, the mean commit time, the
# events per contact, the latencies, the CPU time of the server's loop
# thread and of its other threads (the commits run on one of them) during
# the run, the same with --no-fsync (what the
# disk costs), and the disk (filesystem of the data folder, and the time of
# one synced 4 KiB write with dd).
#
# Method: for each mode a fresh `relais serve --demo` on a fresh data
# folder; the integration login; wrk -t1 -c64 -d10s --latency with
# bench/contact_post.lua, every request the same email contact of AssurMax
# (email queue, agents offline, so the contacts wait: the engine's queue
# grows to tens of thousands). 201s only count: any other answer fails.
#
#	bench/durable_bench.sh
#	DURABLE_DURATION=5s DURABLE_CONNS=128 bench/durable_bench.sh
#	BENCH_TMP=/mnt/ssd bench/durable_bench.sh   # the disk under test
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need wrk curl jq

DURATION=${DURABLE_DURATION:-10s}
CONNS=${DURABLE_CONNS:-64}
LUA=$BENCH_ROOT/bench/contact_post.lua

# run_mode NAME ARGS...: one server, one wrk run; sets the M_* results
# (keep() reads them by name).
# shellcheck disable=SC2034
run_mode() {
	local name=$1 out c0 c1 s0 s1 k0 k1
	shift
	start_relais R "$@"
	assurmax_email "$R_URL"
	export BENCH_TOKEN BENCH_TENANT BENCH_QUEUE BENCH_CHANNEL=email
	out=$(bench_tmpdir "wrk-$name")
	# One request to check the body is accepted.
	curl -sf -o /dev/null -X POST -H "Authorization: Bearer $BENCH_TOKEN" \
		-H 'Content-Type: application/json' \
		-d "{\"tenant\":\"$BENCH_TENANT\",\"queue\":\"$BENCH_QUEUE\",\"channel\":\"email\"}" \
		"$R_URL/api/v1/contacts" || die "$name: POST /api/v1/contacts failed"
	c0=$(metric "$R_URL" relais_store_commits_total)
	s0=$(metric "$R_URL" relais_store_commit_seconds_total)
	k0=$(metric "$R_URL" 'relais_http_responses_total{class="2xx"}')
	e0=$(metric "$R_URL" relais_events_total)
	d0=$(listen_drops)
	read -r l0 o0 < <(thread_cpu "$R_PID")
	wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s "$LUA" "$R_URL" \
		>"$out/wrk" || die "$name: wrk failed"
	M_DROPS=$(($(listen_drops) - d0))
	read -r l1 o1 < <(thread_cpu "$R_PID")
	M_CPU=$(awk -v a="$l0" -v b="$l1" -v c="$o0" -v d="$o1" \
		'BEGIN { printf "loop=%.1fs store=%.1fs", b - a, d - c }')
	c1=$(metric "$R_URL" relais_store_commits_total)
	s1=$(metric "$R_URL" relais_store_commit_seconds_total)
	k1=$(metric "$R_URL" 'relais_http_responses_total{class="2xx"}')
	e1=$(metric "$R_URL" relais_events_total)
	read -r M_RPS M_P50 M_P99 M_NON2XX M_SOCKERR M_TMO < \
		<(wrk_fields "$out/wrk")
	M_COMMITS=$((c1 - c0))
	M_OK=$((k1 - k0 - 2)) # minus the two /metrics reads in between
	M_COMMIT_MS=$(awk -v a="$s0" -v b="$s1" -v n="$M_COMMITS" \
		'BEGIN { printf "%.2f", n ? (b - a) * 1000 / n : 0 }')
	M_PER_COMMIT=$(awk -v k="$M_OK" -v n="$M_COMMITS" \
		'BEGIN { printf "%.1f", n ? k / n : 0 }')
	M_EVENTS=$(awk -v e="$((e1 - e0))" -v k="$M_OK" \
		'BEGIN { printf "%.1f", k ? e / k : 0 }')
	M_QUEUED=$(metric "$R_URL" 'relais_contacts{state="queued"}')
	M_DB=$(du -sh "$R_DIR/data" | cut -f1)
	M_FS=$(df -PT "$R_DIR/data" | awk 'NR == 2 { print $1, $2 }')
	stop_server "$R_PID"
	M_EXIT=$STOP_RC
	M_ERRLOG=$(grep -c ' error ' "$R_DIR/stderr" || true)
}

declare -A R
# keep NAME: saves the M_* of the last run_mode under NAME.
keep() {
	local k
	for k in RPS P50 P99 NON2XX SOCKERR TMO DROPS CPU COMMITS OK COMMIT_MS PER_COMMIT \
		QUEUED DB EXIT ERRLOG EVENTS; do
		local v="M_$k"
		R[$1.$k]=${!v}
	done
}
run_mode group
keep group
FS=$M_FS
run_mode naive --no-group-commit
keep naive
run_mode nofsync --no-fsync
keep nofsync

# A raw figure for the disk: 4 KiB writes, each synced (dd oflag=dsync).
ddf=$BENCH_WORK/dd.test
sync_ms=$(dd if=/dev/zero of="$ddf" bs=4k count=200 oflag=dsync 2>&1 |
	awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") t = $(i - 1);
		printf "%.2f", t * 1000 / 200 }')
rm -f "$ddf"

echo "durable contacts_per_s=${R[group.RPS]} naive_per_s=${R[naive.RPS]}"
echo "  method: wrk -t1 -c$CONNS -d$DURATION --latency -s" \
	"bench/contact_post.lua, a fresh server per mode; group and naive" \
	"with fsync on (the default), nofsync is the group commit with" \
	"--no-fsync, for reference only"
for m in group naive nofsync; do
	echo "  $m: contacts_per_s=${R[$m.RPS]} contacts=${R[$m.OK]}" \
		"commits=${R[$m.COMMITS]}" \
		"contacts_per_commit=${R[$m.PER_COMMIT]}" \
		"commit_ms_mean=${R[$m.COMMIT_MS]}" \
		"events_per_contact=${R[$m.EVENTS]}" \
		"p50_ms=${R[$m.P50]} p99_ms=${R[$m.P99]}" \
		"queued_at_end=${R[$m.QUEUED]} store=${R[$m.DB]}" \
		"server_cpu: ${R[$m.CPU]}" \
		"wrk_timeouts=${R[$m.TMO]} listen_drops=${R[$m.DROPS]}"
done
echo "  speedup=$(awk -v a="${R[group.RPS]}" -v b="${R[naive.RPS]}" \
	'BEGIN { printf "%.1f", b ? a / b : 0 }')x" \
	"target contacts_per_s>=5000: $(awk -v r="${R[group.RPS]}" \
		'BEGIN { print (r >= 5000 ? "met" : "NOT met") }')"
echo "  disk: $FS under $BENCH_TMP" \
	"($(findmnt -no OPTIONS -T "$BENCH_TMP" 2>/dev/null | cut -c1-40));" \
	"dd 4KiB O_DSYNC write: ${sync_ms} ms"
errors=0 exits="" errlog=0
for m in group naive nofsync; do
	errors=$((errors + R[$m.NON2XX] + R[$m.SOCKERR]))
	errlog=$((errlog + R[$m.ERRLOG]))
	exits="$exits $m=${R[$m.EXIT]}"
	[ "${R[$m.EXIT]}" = 0 ] || errors=$((errors + 1))
done
echo "  server: exit$exits error_log_lines=$errlog" \
	"non_201_or_socket_errors=$errors;" \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$errors" = 0 ] || exit 1
