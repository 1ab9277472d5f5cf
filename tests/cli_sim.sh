#!/usr/bin/env bash
# relais sim as a user runs it: the M/M/n check against Erlang A, the
# example scenarios in every output format, and the refusals (exit 2 for
# bad usage, 1 for bad data, with the field named).
set -u
relais=$1
. "$(dirname "$0")/lib_cli.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
# The messages and the tables follow the environment's language: English
# here, unless a check asks for French (--lang fr or LANG=fr_FR.UTF-8).
unset RELAIS_LANG LC_ALL LC_MESSAGES
export LANG=C

jqt() { jq -e "$@" >/dev/null; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# ---- usage ----
"$relais" sim --help >"$out/help"
check "sim --help exits 0 and shows mmn" grep -q "relais sim mmn" "$out/help"
"$relais" sim 2>/dev/null
check "sim without arguments exits 2" test $? -eq 2
"$relais" sim mmn --calls 100 --interval-s 1800 --aht-s 180 \
	--threshold-s 20 2>"$out/err"
check "mmn without --agents exits 2" test $? -eq 2
check "and names it" grep -q -- "--agents is required" "$out/err"
"$relais" sim mmn --agents 14 --calls lots --interval-s 1800 --aht-s 180 \
	--threshold-s 20 2>/dev/null
check "mmn with a bad number exits 2" test $? -eq 2
"$relais" sim mmn --agents 14 --calls 100 --interval-s 1800 --aht-s 180 \
	--threshold-s 20 --bogus 1 2>/dev/null
check "mmn with an unknown option exits 2" test $? -eq 2
"$relais" sim "$root/examples/scenario-day.json" --json --csv 2>/dev/null
check "--json with --csv exits 2" test $? -eq 2
"$relais" sim "$root/examples/scenario-day.json" --reps 0 2>/dev/null
check "--reps 0 exits 2" test $? -eq 2

# ---- M/M/n+M against Erlang A (wfm-anchors A1) ----
mmn=(sim mmn --agents 14 --calls 100 --interval-s 1800 --aht-s 180
	--patience-s 300 --threshold-s 20 --reps 10 --seed 3
	--calls-per-rep 10000)
"$relais" "${mmn[@]}" --json >"$out/mmn.json"
check "mmn --json exits 0" test $? -eq 0
covers() { # key, exact value
	jq -e --argjson x "$2" \
		".$1.mean - .$1.ci95 <= \$x and \$x <= .$1.mean + .$1.ci95" \
		"$out/mmn.json" >/dev/null
}
check "P(wait) covers Erlang A 0.145260" covers p_wait 0.145260
check "service level covers 0.916792" covers service_level 0.916792
check "P(abandon) covers 0.013984" covers p_abandon 0.013984
check "ASA covers 3.878 s" covers asa_s 3.878
check "the calls are counted" jqt ".calls > 95000" "$out/mmn.json"
"$relais" "${mmn[@]}" >"$out/mmn.txt"
check "mmn prints a table" grep -q "^P(wait) " "$out/mmn.txt"
"$relais" "${mmn[@]}" >"$out/mmn2.txt"
check "mmn is deterministic for a seed" cmp -s "$out/mmn.txt" "$out/mmn2.txt"

# ---- the example scenarios ----
day="$root/examples/scenario-day.json"
"$relais" sim "$day" >"$out/day.txt"
check "the day scenario runs" test $? -eq 0
check "it reports its queues" grep -q "^telco-support " "$out/day.txt"
check "its sites" grep -q "^casablanca " "$out/day.txt"
check "its tenants" grep -q "^assurmax " "$out/day.txt"
check "and 48 quarter hours" test "$(grep -Ec '^[0-2][0-9]:[0-5][0-9] ' "$out/day.txt")" -eq 48
"$relais" sim "$day" >"$out/day2.txt"
check "a scenario is deterministic for a seed" cmp -s "$out/day.txt" "$out/day2.txt"
"$relais" sim "$day" --seed 2 --reps 3 >"$out/day3.txt"
check "--seed and --reps override the file" grep -q "3 replications, seed 2" "$out/day3.txt"
"$relais" sim "$day" --json >"$out/day.json"
check "--json is JSON with every interval" jqt '.intervals | length == 48' "$out/day.json"
check "--json has queue, site and tenant rows" \
	jqt '(.total.queues | length) == 4 and (.total.sites | length) == 2 and (.total.tenants | length) == 2' "$out/day.json"
check "--json rows carry mean and ci95" \
	jqt '.total.all.service_level.mean > 0 and .total.all.service_level.ci95 > 0' "$out/day.json"
"$relais" sim "$day" --csv >"$out/day.csv"
check "--csv has a header and 49 x 9 rows" test "$(wc -l <"$out/day.csv")" -eq 442
check "--csv header names the measures" grep -q "^start,group,key,reps,offered,offered_ci95," "$out/day.csv"
"$relais" sim "$day" --svg "$out/day.svg" >/dev/null
check "--svg draws a chart" grep -q "<polyline" "$out/day.svg"
"$relais" sim "$root/examples/scenario-erlang-a.json" --json >"$out/ea.json"
check "the Erlang A scenario covers 0.916792" jqt \
	'.total.queues[0].service_level_offered as $s | $s.mean - $s.ci95 <= 0.916792 and 0.916792 <= $s.mean + $s.ci95' \
	"$out/ea.json"

# ---- bad data: exit 1, the field named ----
refuse() { # name, expected text, then a jq filter applied to the example
	local name=$1 want=$2
	jq "$3" "$day" >"$out/bad.json"
	cp "$root/examples/scenario-day-arrivals.csv" "$out/"
	"$relais" sim "$out/bad.json" >/dev/null 2>"$out/err"
	check "$name exits 1" test $? -eq 1
	check "$name is explained" grep -qF -- "$want" "$out/err"
}
refuse "an unknown field" "unknown field: queues[0].colour" '.queues[0].colour = "red"'
refuse "a bad filter" "queues[1]: filter" '.queues[1].steps[0].filter = "lang.fr >= && x"'
refuse "an unknown site" "agents[2].site: unknown site" '.agents[2].site = "mars"'
refuse "a bad distribution" "queues[0].handle_time.sd_s" '.queues[0].handle_time.sd_s = 0'
refuse "a wrong type" "sites[0].cost_per_hour: expected a number" '.sites[0].cost_per_hour = "a lot"'
refuse "too few arrivals" "queues[0].arrivals: expected one value or one per interval" \
	'del(.arrivals_csv) | .queues[].arrivals = 10 | .queues[0].arrivals = [1, 2]'
refuse "missing arrivals" "queues[0].arrivals: required" 'del(.arrivals_csv)'
refuse "a bad shift time" "agents[0].shifts[0]: expected start and end as HH:MM" \
	'.agents[0].shifts[0].start = "25:00"'
refuse "a break outside its shift" "agents[0].shifts[0].breaks[0]" \
	'.agents[0].shifts[0].breaks[0] = {"start": "07:00", "end": "07:30"}'
printf 'start,assurmax-claims\n08:00,x\n' >"$out/bad.csv"
jq '.arrivals_csv = "bad.csv"' "$day" >"$out/bad.json"
"$relais" sim "$out/bad.json" >/dev/null 2>"$out/err"
check "a bad CSV exits 1" test $? -eq 1
check "and says where" grep -q "line 2, column 2" "$out/err"
echo '{"tenants": [' >"$out/broken.json"
"$relais" sim "$out/broken.json" 2>/dev/null
check "broken JSON exits 1" test $? -eq 1
"$relais" sim "$out/missing.json" 2>/dev/null
check "a missing file exits 1" test $? -eq 1

# ---- French ----
check "sim --help lists --lang" grep -q -- "--lang L  fr or en" "$out/help"
env LANG=fr_FR.UTF-8 "$relais" sim --help >"$out/help.fr"
check "LANG=fr_FR.UTF-8: sim --help is French" grep -q "^Simule un centre de contacts" "$out/help.fr"
"$relais" sim mmn --help --lang fr >"$out/help.fr"
check "sim mmn --help --lang fr is French" grep -q -- "--lang L  fr ou en pour les tableaux et les messages" "$out/help.fr"
"$relais" sim mmn --calls 100 --interval-s 1800 --aht-s 180 \
	--threshold-s 20 --lang fr 2>"$out/err"
check "French: mmn without --agents exits 2" test $? -eq 2
check "French: and names it" grep -q -- "^relais sim: --agents est obligatoire$" "$out/err"
check "French: with the hint to --help" grep -q "^'relais sim --help' donne les options.$" "$out/err"
"$relais" sim mmn --agents 14 --calls 0 --interval-s 1800 --aht-s 180 \
	--threshold-s 20 --lang fr 2>"$out/err"
check "French: --calls 0 exits 2" test $? -eq 2
check "French: --calls 0 is named" grep -q -- "--calls 0 : il faut un nombre > 0" "$out/err"
env LANG=fr_FR.UTF-8 "$relais" sim "$day" --reps 0 2>"$out/err"
check "LANG=fr_FR.UTF-8: --reps 0 exits 2" test $? -eq 2
check "LANG=fr_FR.UTF-8 picks French" grep -q -- "--reps 0 : il faut un nombre entier de 1 à 100000" "$out/err"
"$relais" sim "$day" --json --csv --lang fr 2>"$out/err"
check "French: --json with --csv exits 2" test $? -eq 2
check "French: and says so" grep -q -- "--json ou --csv, pas les deux" "$out/err"
"$relais" sim "$day" --bogus --lang fr 2>"$out/err"
check "French: an unexpected argument exits 2" test $? -eq 2
check "French: and names it" grep -q "argument inattendu « --bogus »" "$out/err"

"$relais" "${mmn[@]}" --lang fr >"$out/mmn.fr"
check "French: mmn exits 0" test $? -eq 0
check "French: the model" grep -q "^M/M/14+M : 100 contacts en 1800 s, durée de traitement 180 s, patience 300 s, seuil 20 s$" "$out/mmn.fr"
check "French: the runs" grep -qE "^10 réplications, graine 3, [0-9]+ contacts après la mise en régime$" "$out/mmn.fr"
check "French: the column titles" grep -qE "^mesure +moyenne +IC 95 % ± +Erlang A$" "$out/mmn.fr"
check "French: decimal commas" grep -qE "^P\(attente\) +0,[0-9]{6} +0,[0-9]{6} +0,145260$" "$out/mmn.fr"
awk '{ print $NF }' "$out/mmn.txt" | tail -7 >"$out/mmn.en.col"
awk '{ gsub(",", "."); print $NF }' "$out/mmn.fr" | tail -7 >"$out/mmn.fr.col"
check "French and English mmn tables hold the same figures" cmp -s "$out/mmn.en.col" "$out/mmn.fr.col"
"$relais" "${mmn[@]}" --json --lang fr >"$out/mmn.fr.json"
check "mmn JSON: the same bytes with --lang fr" cmp -s "$out/mmn.json" "$out/mmn.fr.json"

"$relais" sim "$day" --lang fr --svg "$out/day.fr.svg" >"$out/day.fr"
check "French: the day runs" test $? -eq 0
check "French: the title" grep -qE "^.*: 10 réplications, graine 1, 48 intervalles de 900 s$" "$out/day.fr"
check "French: the legend" grep -q "^Moyennes sur les réplications ± demi-largeur" "$out/day.fr"
check "French: the queue table" grep -qE "^file +reçus +répondus +abandon % +NS % +ASA s +DMT s$" "$out/day.fr"
check "French: the tenant table" grep -qE "^client +reçus " "$out/day.fr"
check "French: the site table" grep -qE "^site +conseillers +traités +occupation % +coût +par contact$" "$out/day.fr"
check "French: means and CIs with decimal commas" grep -qE "^telco-support +[0-9]+,[0-9]±[0-9]+,[0-9] " "$out/day.fr"
check "French: no decimal point in the tables" \
	test "$(grep -cE '[0-9]\.[0-9]' "$out/day.fr")" -eq 0
check "French: 48 quarter hours" test "$(grep -Ec '^[0-2][0-9]:[0-5][0-9] ' "$out/day.fr")" -eq 48
tr ',' '.' <"$out/day.fr" | grep -E '^(telco|assurmax|paris|casablanca|[0-2][0-9]:)' | \
	awk '{ $1 = $1; print }' >"$out/rows.fr"
grep -E '^(telco|assurmax|paris|casablanca|[0-2][0-9]:)' "$out/day.txt" | \
	awk '{ $1 = $1; print }' >"$out/rows.en"
check "French and English scenario tables hold the same figures" cmp -s "$out/rows.en" "$out/rows.fr"
check "the French chart's title" grep -q " : contacts reçus par intervalle (barres, à gauche) et niveau de service (ligne, à droite ; IC à 95 %)</text>" "$out/day.fr.svg"
"$relais" sim "$day" --svg "$out/day.en.svg" >/dev/null
check "the charts differ only by their title" cmp -s <(grep -v "font-size='15'" "$out/day.en.svg") <(grep -v "font-size='15'" "$out/day.fr.svg")
"$relais" sim "$day" --json --lang fr >"$out/day.fr.json"
check "scenario JSON: the same bytes with --lang fr" cmp -s "$out/day.json" "$out/day.fr.json"
env LANG=fr_FR.UTF-8 "$relais" sim "$day" --csv >"$out/day.fr.csv"
check "scenario CSV: the same bytes with LANG=fr_FR.UTF-8" cmp -s "$out/day.csv" "$out/day.fr.csv"

finish
