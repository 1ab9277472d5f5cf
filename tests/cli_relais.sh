#!/usr/bin/env bash
# The relais command as a user runs it: help, version, errors, the demo.
set -u
relais=$1
fails=0
passes=0

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

differ() { ! cmp -s "$1" "$2"; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$relais" --help >"$out/help"
check "help exits 0 and lists demo" grep -q "demo" "$out/help"
"$relais" version >"$out/version"
check "version prints a version" grep -Eq '^relais [0-9]+\.[0-9]+\.[0-9]+$' "$out/version"
"$relais" bogus 2>"$out/err"
check "unknown command exits 2" test $? -eq 2
check "unknown command is named" grep -q "unknown command 'bogus'" "$out/err"
"$relais" 2>/dev/null
check "no command exits 2" test $? -eq 2
"$relais" demo --speed 0 2>/dev/null
check "bad demo option exits 2" test $? -eq 2
"$relais" demo --help >"$out/dhelp"
check "demo --help explains --fast" grep -q -- "--fast" "$out/dhelp"

"$relais" demo --fast --lang en >"$out/en"
check "demo runs to the end" test $? -eq 0
check "demo prints a line per quarter hour" test "$(grep -Ec '^[0-2][0-9]:[0-5][0-9] ' "$out/en")" -eq 52
check "demo routes contacts" awk '/^telco-billing/ { exit !($4 > 50) }' "$out/en"
"$relais" demo --fast --lang fr >"$out/fr"
check "demo speaks French" grep -q "Niveau de service" "$out/fr"
"$relais" demo --fast --lang en >"$out/en2"
check "demo is deterministic for a seed" cmp -s "$out/en" "$out/en2"
"$relais" demo --fast --lang en --seed 7 >"$out/en3"
check "another seed gives another day" differ "$out/en" "$out/en3"

echo "$passes passed, $fails failed"
test "$fails" -eq 0
