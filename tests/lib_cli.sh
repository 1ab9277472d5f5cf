# lib_cli.sh — what the command-line test scripts (tests/cli_*.sh) share:
# sourced after `relais=$1`. check NAME COMMAND... counts a check that
# passes when the command succeeds; finish prints the tally and fails the
# script if any check failed.
passes=0
fails=0

check() { # name, then a command that must succeed
	local name=$1
	shift
	if "$@"; then
		passes=$((passes + 1))
	else
		echo "FAIL: $name"
		fails=$((fails + 1))
	fi
}

finish() {
	echo "$passes passed, $fails failed"
	test "$fails" -eq 0
}
