#!/usr/bin/env bash
# relais erlang as a user runs it: the JSON of the wfm-anchors vectors
# (B3, B4, C2, C3, C4, A1), the tables in both languages, and every kind of
# mistake (exit 2 naming the option) or impossible question (exit 1).
set -u
relais=$1
. "$(dirname "$0")/lib_cli.sh"

# near FILE JQ-PATH EXPECTED DIGITS: the value to DIGITS significant digits
near() {
	jq -e --argjson e "$3" --argjson d "$4" \
		"($2) as \$v | (\$v - \$e | fabs) <= 0.5 * pow(10; (\$e | fabs | log10 | floor) - \$d + 1)" \
		"$1" >/dev/null
}

jqq() { jq -e "$@" >/dev/null; }

# fails_with STATUS WORD ARGS...: exits STATUS and stderr names WORD
fails_with() {
	local status=$1 word=$2
	shift 2
	"$relais" erlang "$@" >"$out/stdout" 2>"$out/stderr"
	local rc=$?
	test "$rc" -eq "$status" && grep -q -e "$word" "$out/stderr" &&
		test ! -s "$out/stdout"
}

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

q="--calls 100 --interval-s 1800 --aht-s 180"

# C2: 14 agents on 10 Erlangs (CRAN ErlangC README)
"$relais" erlang c --agents 14 $q --threshold-s 20 --json >"$out/c2"
check "C2 exits 0" test $? -eq 0
check "C2 has exactly its four keys" \
	jqq 'keys == ["asa_s","occupancy","p_wait","service_level"]' "$out/c2"
check "C2 P(W>0) 0.1741319" near "$out/c2" .p_wait 0.1741319 7
check "C2 service level 0.88835" near "$out/c2" .service_level 0.88835 5
check "C2 ASA 7.835937 s" near "$out/c2" .asa_s 7.83593701177724 7
check "C2 occupancy 0.7142857" near "$out/c2" .occupancy 0.7142857 7
"$relais" erlang c --agents 11 $q --threshold-s 20 --json >"$out/c2b"
check "C2 n=11 service level 0.3896138" \
	near "$out/c2b" .service_level 0.3896138 7

# C3 and C4: staffing (pyworkforce)
"$relais" erlang staff --model c $q --target-sl 0.8 --threshold-s 20 \
	--max-occupancy 0.85 --shrinkage 0.3 --json >"$out/c3"
check "C3 exits 0" test $? -eq 0
check "C3 14 agents, 20 positions" jqq '.agents == 14 and .scheduled == 20' "$out/c3"
check "C3 service level 0.888" near "$out/c3" .service_level 0.888 3
check "C3 occupancy 0.714" near "$out/c3" .occupancy 0.714 3
check "C3 P(W>0) 0.174" near "$out/c3" .p_wait 0.174 3
"$relais" erlang staff --model c $q --target-sl 0.8 --threshold-s 20 \
	--max-occupancy 0.70 --shrinkage 0.3 --json >"$out/c4"
check "C4 occupancy cap: 15 agents, 22 positions" \
	jqq '.agents == 15 and .scheduled == 22' "$out/c4"
check "C4 service level 0.941453" near "$out/c4" .service_level 0.941453 6

# A1: Erlang A, mean patience 5 minutes (pyworkforce)
"$relais" erlang a --agents 14 $q --threshold-s 20 --patience-s 300 \
	--json >"$out/a1"
check "A1 exits 0" test $? -eq 0
check "A1 has exactly its six keys" \
	jqq 'keys == ["asa_answered_s","asa_s","occupancy","p_abandon","p_wait","service_level"]' "$out/a1"
check "A1 P(W>0) 0.14526" near "$out/a1" .p_wait 0.14526 5
check "A1 P(Ab) 0.013984" near "$out/a1" .p_abandon 0.013984 5
check "A1 service level 0.916792" near "$out/a1" .service_level 0.916792 6
check "A1 occupancy 0.704297" near "$out/a1" .occupancy 0.704297 6
check "A1 E[W] 0.069919 min" near "$out/a1" '.asa_s / 60' 0.069919 5
check "A2 answered ASA 0.064641 min" near "$out/a1" '.asa_answered_s / 60' 0.064641 5

# B3 and B4: Erlang B
"$relais" erlang b --lines 15 --erlangs 8.108 --json >"$out/b4"
check "B4 blocking 0.010000" near "$out/b4" .blocking 0.010000 5
check "B4 has one key" jqq 'keys == ["blocking"]' "$out/b4"
"$relais" erlang staff --model b $q --max-blocking 0.02 --shrinkage 0.3 \
	--json >"$out/b3"
check "B3 17 lines, 25 positions" jqq '.agents == 17 and .scheduled == 25' "$out/b3"
check "B3 blocking 0.012949" near "$out/b3" .blocking 0.012949 5

# Erlang A staffing with an abandon cap and a variant
"$relais" erlang staff --model a $q --target-sl 0.8 --threshold-s 20 \
	--patience-s 300 --max-abandon 0.014 --sl-variant answered --json >"$out/as"
check "A staffing meets the abandon cap" jqq '.agents == 14 and .p_abandon <= 0.014' "$out/as"

# Tables, in both languages
"$relais" erlang c --agents 14 $q --threshold-s 20 --lang en >"$out/en"
check "table in English" grep -q "service level in 20 s .* 88.84 %" "$out/en"
"$relais" erlang a --agents 14 $q --threshold-s 20 --patience-s 300 \
	--lang fr >"$out/fr"
check "table in French, decimal comma" grep -q "niveau de service à 20 s .* 91,68 %" "$out/fr"
LANG=fr_FR.UTF-8 "$relais" erlang staff --model b $q --max-blocking 0.02 >"$out/fr2"
check "French from the environment" grep -q "lignes nécessaires .* 17" "$out/fr2"
"$relais" erlang staff --model c $q --target-sl 0.8 --threshold-s 20 \
	--shrinkage 0.3 --lang en >"$out/staff"
check "staff table shows positions" grep -q "positions to schedule (shrinkage 30%) .* 20" "$out/staff"

# Help
for c in b c a staff; do
	"$relais" erlang $c --help >"$out/help" 2>&1
	check "erlang $c --help exits 0" test $? -eq 0
	check "erlang $c --help shows usage" grep -q "usage: relais erlang $c" "$out/help"
done
"$relais" erlang --help >"$out/help"
check "erlang --help lists staff" grep -q "staff" "$out/help"
"$relais" --help >"$out/help"
check "relais --help lists erlang" grep -q "erlang" "$out/help"

# Mistakes: exit 2, the option named, nothing on stdout
check "no subcommand" fails_with 2 "usage"
check "unknown subcommand" fails_with 2 "unknown command 'x'" x
check "negative calls" fails_with 2 "--calls must be a number >= 0" \
	c --agents 14 --calls -5 --interval-s 1800 --aht-s 180 --threshold-s 20
check "zero AHT" fails_with 2 "--aht-s must be a number > 0" \
	c --agents 14 $q --aht-s 0 --threshold-s 20
check "garbage number" fails_with 2 "--interval-s .*'30min'" \
	c --agents 14 --calls 100 --interval-s 30min --aht-s 180 --threshold-s 20
check "fractional agents" fails_with 2 "--agents must be a whole number" \
	c --agents 14.5 $q --threshold-s 20
check "missing option" fails_with 2 "--threshold-s is required" \
	c --agents 14 $q
check "missing value" fails_with 2 "--threshold-s needs a value" \
	c --agents 14 $q --threshold-s
check "unknown option" fails_with 2 "unknown option '--bogus'" \
	c --agents 14 $q --threshold-s 20 --bogus 1
check "Erlang A needs a patience" fails_with 2 "--patience-s is required" \
	a --agents 14 $q --threshold-s 20
check "negative patience" fails_with 2 "--patience-s must be a number > 0" \
	a --agents 14 $q --threshold-s 20 --patience-s -3
check "Erlang B needs lines" fails_with 2 "--lines is required" \
	b --erlangs 3
check "staff needs a model" fails_with 2 "--model is required" \
	staff $q --target-sl 0.8 --threshold-s 20
check "staff with an unknown model" fails_with 2 "--model must be b, c or a" \
	staff --model x $q --target-sl 0.8 --threshold-s 20
check "staff needs a target" fails_with 2 "--model c needs a target" \
	staff --model c $q
check "a service level needs a threshold" fails_with 2 "--target-sl needs --threshold-s" \
	staff --model c $q --target-sl 0.8
check "a service level above 1" fails_with 2 "--target-sl must be a fraction" \
	staff --model c $q --target-sl 80 --threshold-s 20
check "abandonment is for Erlang A" fails_with 2 "--max-abandon does not apply to --model c" \
	staff --model c $q --target-sl 0.8 --threshold-s 20 --max-abandon 0.05
check "blocking is for Erlang B" fails_with 2 "--max-blocking does not apply to --model a" \
	staff --model a $q --patience-s 60 --max-blocking 0.05
check "bad service-level variant" fails_with 2 "--sl-variant must be" \
	staff --model a $q --patience-s 60 --target-sl 0.8 --threshold-s 20 --sl-variant most
check "mistakes in French" fails_with 2 "--calls doit être un nombre >= 0" \
	c --agents 14 --calls -1 --interval-s 1800 --aht-s 180 --threshold-s 20 --lang fr

# Impossible questions: exit 1, with the reason
check "Erlang C with as many agents as Erlangs" fails_with 1 "--agents 10 cannot carry 10.00 Erlangs" \
	c --agents 10 $q --threshold-s 20
check "Erlang C below the load, as JSON too" fails_with 1 "needs at least 11 agents" \
	c --agents 9 $q --threshold-s 20 --json
check "a service level of 100 %" fails_with 1 "--target-sl 1 cannot be met" \
	staff --model c $q --target-sl 1 --threshold-s 20
check "an occupancy cap no staff meets" fails_with 1 "--max-occupancy 0.000001 cannot be met" \
	staff --model a $q --patience-s 60 --max-occupancy 0.000001

finish
