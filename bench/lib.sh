# shellcheck shell=bash
# Shared by the shell benchmarks (http_bench.sh, durable_bench.sh); source
# it. Starts `relais serve` (or another server printing "listening on
# http://127.0.0.1:PORT/") on a free port and a temporary data folder, and
# stops and removes everything on exit.
#
#	RELAIS_BIN   the binary (default build/relais of this checkout)
#	BUILD        the build folder (default build)
#	BENCH_TMP    where the temporary folders go (default $TMPDIR or /tmp):
#	             the disk under test for the durable benchmark

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$BENCH_ROOT/$BUILD ;; esac
RELAIS_BIN=${RELAIS_BIN:-$BUILD/relais}
BENCH_TMP=${BENCH_TMP:-${TMPDIR:-/tmp}}

BENCH_PIDS=()
# Everything temporary goes under one folder, removed on exit.
BENCH_WORK=$(mktemp -d "$BENCH_TMP/relais-bench.XXXXXX") || exit 1

bench_cleanup() {
	local p
	for p in "${BENCH_PIDS[@]}"; do
		if kill -TERM "$p" 2>/dev/null; then
			wait "$p" 2>/dev/null || true
		fi
	done
	rm -rf "$BENCH_WORK"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || die "needs $c"
	done
}

bench_tmpdir() { # NAME -> prints a new folder under $BENCH_WORK
	mktemp -d "$BENCH_WORK/$1.XXXXXX" || die "cannot mktemp"
}

# start_server VAR LOGDIR CMD ARGS...: runs CMD in the background, waits
# for its "listening on" line; sets VAR_PID and VAR_PORT.
start_server() {
	local var=$1 log=$2 pid port
	shift 2
	"$@" >"$log/stdout" 2>"$log/stderr" &
	pid=$!
	BENCH_PIDS+=("$pid")
	for _ in $(seq 150); do
		port=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' \
			"$log/stdout" 2>/dev/null | head -1 | sed 's/.*://' || true)
		[ -n "$port" ] && break
		kill -0 "$pid" 2>/dev/null || {
			cat "$log/stderr" >&2
			die "$1 exited at start"
		}
		sleep 0.1
	done
	[ -n "$port" ] || die "$* did not start"
	printf -v "${var}_PID" %s "$pid"
	printf -v "${var}_PORT" %s "$port"
}

# stop_server PID: SIGTERM, waits; sets STOP_RC to its exit status.
# shellcheck disable=SC2034 # STOP_RC is for the caller
stop_server() {
	STOP_RC=0
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || STOP_RC=$?
}

# start_relais VAR ARGS...: relais serve --demo on a fresh data folder
# (VAR_DIR/data; its output in VAR_DIR/stdout and stderr); sets VAR_PID,
# VAR_PORT, VAR_DIR, VAR_URL.
start_relais() {
	local var=$1 dir
	shift
	[ -x "$RELAIS_BIN" ] || die "no $RELAIS_BIN (make build first)"
	dir=$(bench_tmpdir relais)
	mkdir "$dir/data"
	start_server "$var" "$dir" "$RELAIS_BIN" serve --demo \
		--data "$dir/data" --http 127.0.0.1:0 "$@"
	printf -v "${var}_DIR" %s "$dir"
	local p="${var}_PORT"
	printf -v "${var}_URL" %s "http://127.0.0.1:${!p}"
}

# login URL USER: prints a bearer token (password USER-demo).
login() {
	curl -sf -X POST -H 'Content-Type: application/json' \
		-d "{\"username\":\"$2\",\"password\":\"$2-demo\"}" \
		"$1/api/v1/session" | jq -er .token ||
		die "cannot log in as $2 on $1"
}

# BENCH_TOKEN, BENCH_TENANT, BENCH_QUEUE: the integration login and the
# demo's AssurMax email queue of the server at URL (the benchmarks' POSTs).
assurmax_email() { # URL
	BENCH_TOKEN=$(login "$1" integration)
	BENCH_TENANT=$(curl -sf -H "Authorization: Bearer $BENCH_TOKEN" \
		"$1/api/v1/tenants?limit=500" |
		jq -er '.items[] | select(.name == "AssurMax") | .id')
	BENCH_QUEUE=$(curl -sf -H "Authorization: Bearer $BENCH_TOKEN" \
		"$1/api/v1/queues?limit=500" |
		jq -er '.items[] | select(.name == "AssurMax email") | .id')
}

# metric URL NAME: the value of one /metrics sample (full name with labels).
metric() {
	curl -sf "$1/metrics" | awk -v n="$2" '$1 == n { print $2; exit }'
}

# median of the numbers given
median() {
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
		END { if (NR % 2) print a[(NR + 1) / 2];
		      else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# wrk_fields FILE: from `wrk --latency` output, Requests/sec, p50, p99 (ms)
# and the error counts, as "rps p50_ms p99_ms non2xx sockerr timeouts":
# sockerr counts connect, read and write errors; timeouts, requests
# slower than wrk's 2 s (slow, not failed).
wrk_fields() {
	awk '
	function ms(v) {
		if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
		if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
		if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 }
		if (v ~ /m$/) { sub(/m$/, "", v); return v * 60000 }
		return v
	}
	/^Requests\/sec:/ { rps = $2 }
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/Non-2xx or 3xx responses:/ { non2xx = $NF }
	/Socket errors:/ { gsub(",", ""); serr = $4 + $6 + $8; tmo = $10 }
	END { printf "%.0f %.2f %.2f %d %d %d\n", rps, p50, p99, non2xx, serr,
		tmo }
	' "$1"
}

# listen_drops: the machine's count of connections dropped because a
# listen queue was full (TcpExt ListenDrops), to tell connect stalls apart.
listen_drops() {
	awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) n[$i] = i; h = 1 }
		else print $n["ListenDrops"] }' /proc/net/netstat
}

# thread_cpu PID: CPU seconds so far of the process's main (loop) thread
# and of its other threads together, as "loop_s others_s".
thread_cpu() {
	local t tck
	tck=$(getconf CLK_TCK)
	for t in /proc/"$1"/task/*; do
		# fields after the ")" of the name: utime is the 12th, stime 13th
		sed 's/.*) //' "$t/stat" | awk -v tid="${t##*/}" -v pid="$1" \
			'{ print (tid == pid ? "L" : "O"), $12 + $13 }'
	done | awk -v tck="$tck" '{ s[$1] += $2 }
		END { printf "%.2f %.2f\n", s["L"] / tck, s["O"] / tck }'
}
