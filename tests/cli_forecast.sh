#!/usr/bin/env bash
# relais forecast as a user runs it, on a synthetic history made here: six
# weeks from Monday 2026-03-02 of two queues, 08:00-18:00 every 15 minutes.
# "billing" is closed on Sundays and on 2026-03-25 (a holiday) runs at a
# quarter of its volume; "support" is open every day.
set -u
relais=$1
. "$(dirname "$0")/lib_cli.sh"
# The messages and the table follow the environment's language: English
# here, unless a check asks for French (--lang fr or LANG=fr_FR.UTF-8).
unset RELAIS_LANG LC_ALL LC_MESSAGES
export LANG=C

status() { # name, expected exit status, then the command
	local name=$1 want=$2
	shift 2
	"$@" >"$out/stdout" 2>"$out/stderr"
	check "$name (exit $want)" test $? -eq "$want"
}

jqq() { jq -e "$@" >/dev/null; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
hist=$out/history.csv

# Mon..Sun daily volumes; a day's shape rises to midday; a little wobble.
awk 'BEGIN {
	split("1200 1000 950 980 900 400 0", bill, " ")
	split("300 280 270 260 250 200 180", supp, " ")
	print "start,queue,offered,aht_s"
	for (d = 0; d < 42; d++) {
		date = d < 30 ? sprintf("2026-03-%02d", d + 2) \
			      : sprintf("2026-04-%02d", d - 29)
		w = d % 7 + 1
		for (k = 32; k < 72; k++) {
			shape = 1 + 0.6 * sin((k - 32) * 3.14159 / 40)
			wob = 1 + ((d * 7 + k * 3) % 5 - 2) / 100 + (d * 3 % 5 - 2) / 100
			at = sprintf("%s %02d:%02d", date, int(k / 4), (k % 4) * 15)
			b = bill[w] * shape / 55.3 * wob
			if (d == 23)
				b = b / 4
			if (bill[w] > 0)
				printf "%s,billing,%.2f,%d\n", at, b, 170 + k % 7
			printf "%s,support,%.2f,\n", at, supp[w] * shape / 55.3 * wob
		}
	}
}' >"$hist"

# ---- usage -------------------------------------------------------------
"$relais" forecast --help >"$out/help"
check "help exits 0 and explains --history" grep -q -- "--history FILE" "$out/help"
status "no arguments" 2 "$relais" forecast
status "unknown option" 2 "$relais" forecast --history "$hist" --bogus
status "days out of range" 2 "$relais" forecast --history "$hist" --days 0
status "days not a number" 2 "$relais" forecast --history "$hist" --days 7x
status "unknown model" 2 "$relais" forecast --history "$hist" --model cubic
check "the model error says the choices" grep -q "additive or multiplicative" "$out/stderr"
status "bad holiday" 2 "$relais" forecast --history "$hist" --holidays 2026-02-30
check "the holiday is named" grep -q "2026-02-30" "$out/stderr"
status "negative factor" 2 "$relais" forecast --history "$hist" --holidays 2026-12-25=-1
status "json and csv" 2 "$relais" forecast --history "$hist" --json --csv
status "unknown zone" 2 "$relais" forecast --history "$hist" --tz Nowhere/Land
status "a stray argument" 2 "$relais" forecast --history "$hist" extra

# ---- bad data ----------------------------------------------------------
status "missing file" 1 "$relais" forecast --history "$out/nope.csv"
check "the missing file is named" grep -q "nope.csv" "$out/stderr"
printf 'start,queue,offered\n2026-03-02 08:00,q,1\n2026-03-02 08:07,q,1\n' >"$out/bad.csv"
status "an unaligned interval" 1 "$relais" forecast --history "$out/bad.csv"
check "the error names file and line" grep -q "bad.csv, line 3: .*15-minute" "$out/stderr"
printf 'when,queue,offered\n' >"$out/header.csv"
status "a header without start" 1 "$relais" forecast --history "$out/header.csv"
head -200 "$hist" >"$out/short.csv"
status "two days of history" 1 "$relais" forecast --history "$out/short.csv"
check "the short history is explained" grep -q "at least 14 (two weeks)" "$out/stderr"
status "unknown queue" 1 "$relais" forecast --history "$hist" --queue sales
check "the known queues are listed" grep -q "billing support" "$out/stderr"
status "multiplicative with closed Sundays" 1 "$relais" forecast --history "$hist" --queue billing --model multiplicative
check "the closed day is named" grep -q "2026-03-08 has no contacts" "$out/stderr"

# ---- the table -----------------------------------------------------------
status "table" 0 "$relais" forecast --history "$hist"
cp "$out/stdout" "$out/table"
check "both queues are fitted" test "$(grep -c '^Queue ' "$out/table")" -eq 2
check "the history is described" grep -q "Queue billing: 42 days of history, 2026-03-02 to 2026-04-12" "$out/table"
check "parameters are printed" grep -q "additive Holt-Winters, weekly season: alpha" "$out/table"
check "the hold-out is measured" grep -q "hold-out, last 14 days: MAPE" "$out/table"
check "seven days per queue" test "$(grep -cE '^  2026-04-(1[3-9]) ' "$out/table")" -eq 14
# Monday 2026-04-13: billing near 1200, its peak at midday
check "Monday is forecast near its volume" awk '/^Queue billing/ { q = 1 } q && /^  2026-04-13 / { exit !($3 > 1100 && $3 < 1300) }' "$out/table"
check "the peak interval is midday" awk '/^Queue billing/ { q = 1 } q && /^  2026-04-13 / { exit !($4 >= "12:00" && $4 <= "14:00") }' "$out/table"
check "closed Sunday stays near zero" awk '/^Queue billing/ { q = 1 } q && /^  2026-04-19 / { exit !($3 < 60) }' "$out/table"

# ---- CSV -------------------------------------------------------------------
status "csv" 0 "$relais" forecast --history "$hist" --queue support --days 3 --csv
cp "$out/stdout" "$out/fc.csv"
check "csv header" test "$(head -1 "$out/fc.csv")" = "start,queue,offered,aht_s"
check "csv: 96 intervals x 3 days" test "$(wc -l <"$out/fc.csv")" -eq 289
check "csv rows have four fields" awk -F, 'NR > 1 && NF != 4 { exit 1 }' "$out/fc.csv"
check "csv night intervals are empty" grep -q "^2026-04-13 03:00,support,0.000,$" "$out/fc.csv"
"$relais" forecast --history "$hist" --queue support --days 14 --csv >"$out/two-weeks.csv"
status "a forecast reads back as a history" 0 "$relais" forecast --history "$out/two-weeks.csv" --days 1
"$relais" forecast --history "$hist" --queue billing --days 2 --csv >"$out/bill.csv"
check "csv carries the AHT" grep -q "^2026-04-13 08:00,billing,[0-9.]*,17[0-9].[0-9]$" "$out/bill.csv"
# A queue named like a formula is written with a leading ' (OWASP: CSV
# injection); the numbers of its rows stay numbers.
sed 's/,support,/,=1+cmd|calc,/' "$hist" >"$out/formula.csv"
"$relais" forecast --history "$out/formula.csv" --queue '=1+cmd|calc' --days 1 --csv >"$out/fc-formula.csv"
check "csv neutralises a formula-like name" grep -q "^2026-04-13 12:00,'=1+cmd|calc,[0-9]*\.[0-9]\{3\},[0-9.]*$" "$out/fc-formula.csv"
check "csv writes no cell that starts with =" awk -F, '$2 ~ /^=/ { exit 1 }' "$out/fc-formula.csv"

# ---- JSON ------------------------------------------------------------------
status "json" 0 "$relais" forecast --history "$hist" --days 2 --json
cp "$out/stdout" "$out/fc.json"
check "json parses" jq -e . "$out/fc.json" >/dev/null
check "json has both queues" test "$(jq '.queues | length' "$out/fc.json")" -eq 2
check "json parameters in [0,1]" jqq '.queues[0].fit | .alpha >= 0 and .alpha <= 1 and .beta >= 0 and .gamma <= 1' "$out/fc.json"
check "json hold-out figures" jqq '.queues[1].holdout | .days == 14 and .mape < 0.1 and .wape < 0.1' "$out/fc.json"
check "json intervals add up to the day" jqq '.queues[0].forecast[0] | ([.intervals[].offered] | add) - .offered | fabs < 1e-6' "$out/fc.json"
check "json 96 intervals a day" jqq '.queues[0].forecast[1].intervals | length == 96' "$out/fc.json"

# ---- special days ----------------------------------------------------------
status "holidays" 0 "$relais" forecast --history "$hist" --queue billing --holidays 2026-03-25,2026-04-15
check "the factor is learnt from the past holiday" grep -qE "learnt factor 0\.(2|3)[0-9]* \(from 1 day\)" "$out/stdout"
check "the future holiday is lowered" awk '/^  2026-04-15 / { exit !($3 > 150 && $3 < 400) }' "$out/stdout"
status "holiday with a factor" 0 "$relais" forecast --history "$hist" --queue billing --holidays 2026-04-15=0
check "a zero factor closes the day" awk '/^  2026-04-15 / { exit !($3 == 0) }' "$out/stdout"
status "multiplicative on an open queue" 0 "$relais" forecast --history "$hist" --queue support --model multiplicative
check "the multiplicative season is shown" grep -q "multiplicative Holt-Winters" "$out/stdout"

# ---- instants and zones ----------------------------------------------------
# The support queue again, written as UTC instants: Paris is 1 hour ahead,
# 2 from Sunday 2026-03-29.
awk -F, 'NR == 1 { print; next } $2 == "support" {
	split($1, a, /[- :]/)
	h = a[4] - (a[2] a[3] >= "0329" ? 2 : 1)
	printf "%s-%s-%sT%02d:%s:00Z,%s,%s,%s\n", a[1], a[2], a[3], h, a[5], $2, $3, $4
}' "$hist" >"$out/utc.csv"
"$relais" forecast --history "$hist" --queue support --days 1 --csv >"$out/local.out"
status "instants in Paris" 0 "$relais" forecast --history "$out/utc.csv" --tz Europe/Paris --days 1 --csv
check "instants read in the zone give the same forecast" cmp -s "$out/local.out" "$out/stdout"

# ---- French --------------------------------------------------------------
check "--help lists --lang" grep -q -- "--lang L" "$out/help"
"$relais" forecast --help --lang fr >"$out/help.fr"
check "--lang fr: the usage is French" grep -q "^Prévoit les contacts par file et par intervalle de 15 minutes" "$out/help.fr"
check "--lang fr: and lists --lang" grep -q -- "--lang L           fr ou en" "$out/help.fr"
status "--lang fr: --days 0" 2 "$relais" forecast --history "$hist" --days 0 --lang fr
check "the range is said in French" grep -q -- "^relais forecast: --days 0 : il faut un nombre entier de 1 à 366$" "$out/stderr"
check "and so is the hint" grep -q "^'relais forecast --help' donne les options.$" "$out/stderr"
status "--lang fr before an unknown option" 2 "$relais" forecast --lang fr --bogus
check "the unknown option in French" grep -q "option inconnue « --bogus »" "$out/stderr"
status "--lang=fr: a missing history" 2 "$relais" forecast --lang=fr --days 3
check "the missing option in French" grep -q -- "--history FICHIER est obligatoire" "$out/stderr"
status "LANG=fr_FR.UTF-8: a bad model" 2 env LANG=fr_FR.UTF-8 "$relais" forecast --history "$hist" --model cubic
check "the environment picks French" grep -q -- "--model cubic : il faut additive ou multiplicative" "$out/stderr"
status "--lang en over LANG=fr_FR.UTF-8" 2 env LANG=fr_FR.UTF-8 "$relais" forecast --history "$hist" --model cubic --lang en
check "--lang wins over the environment" grep -q -- "--model cubic: expected additive or multiplicative" "$out/stderr"
status "RELAIS_LANG=fr over LANG=C" 1 env RELAIS_LANG=fr "$relais" forecast --history "$out/nope.csv"
check "a missing file in French" grep -q "nope.csv : fichier ou dossier introuvable" "$out/stderr"
status "French: an unknown queue" 1 "$relais" forecast --history "$hist" --queue sales --lang fr
check "the known queues, in French" grep -q "n'a pas de file « sales » ; ses files : billing support" "$out/stderr"

"$relais" forecast --history "$hist" --queue billing --holidays 2026-03-25,2026-04-15 >"$out/table.en"
status "French table" 0 "$relais" forecast --history "$hist" --queue billing --holidays 2026-03-25,2026-04-15 --lang fr
cp "$out/stdout" "$out/table.fr"
check "French: the history is described" grep -q "^File billing : 42 jours d'historique, du 2026-03-02 au 2026-04-12$" "$out/table.fr"
check "French: the fit, with decimal commas" grep -qE "^  Holt-Winters additif, saisonnalité hebdomadaire : alpha [0-9],[0-9]{4}, bêta [0-9],[0-9]{4}, gamma [0-9],[0-9]{4} \(convergé\)$" "$out/table.fr"
check "French: the hold-out" grep -qE "^  validation sur les 14 derniers jours : MAPE [0-9]+,[0-9] %" "$out/table.fr"
check "French: the learnt factor, singular" grep -qE "facteur appris 0,[0-9]{3} \(sur 1 jour\)$" "$out/table.fr"
check "French: the column titles" grep -q "Date        Jour   Contacts  Intervalle de pointe  Contacts" "$out/table.fr"
check "French: weekdays and decimal commas" grep -qE "^  2026-04-13  lun +[0-9]+,[0-9]  1[23]:[0-5][0-9] +[0-9]+,[0-9]$" "$out/table.fr"
check "French: no decimal point in a day's row" \
	test "$(grep -cE '^  2026-04-1[3-9] .*[0-9]\.[0-9]' "$out/table.fr")" -eq 0
# the same figures in both languages, only the marks differ
awk '/^  2026-04-/ { print $1, $3, $4, $5 }' "$out/table.en" >"$out/days.en"
awk '/^  2026-04-/ { gsub(",", ".", $0); print $1, $3, $4, $5 }' "$out/table.fr" >"$out/days.fr"
check "French and English tables hold the same figures" cmp -s "$out/days.en" "$out/days.fr"
check "and seven days" test "$(wc -l <"$out/days.fr")" -eq 7

# programs read the CSV and the JSON: the same bytes in every language
"$relais" forecast --history "$hist" --days 2 --json --lang en >"$out/en.json"
"$relais" forecast --history "$hist" --days 2 --json --lang fr >"$out/fr.json"
check "JSON: the same bytes with --lang fr" cmp -s "$out/en.json" "$out/fr.json"
env LANG=fr_FR.UTF-8 "$relais" forecast --history "$hist" --days 2 --json >"$out/env.json"
check "JSON: the same bytes with LANG=fr_FR.UTF-8" cmp -s "$out/en.json" "$out/env.json"
check "JSON keys stay English" jqq '.queues[0].forecast[0].weekday == "Mon" and .queues[0].fit.optimiser == "converged"' "$out/fr.json"
"$relais" forecast --history "$hist" --days 2 --csv --lang en >"$out/en.csv"
"$relais" forecast --history "$hist" --days 2 --csv --lang fr >"$out/fr.csv"
check "CSV: the same bytes with --lang fr" cmp -s "$out/en.csv" "$out/fr.csv"
check "CSV: decimal points" grep -qE "^2026-04-13 12:00,billing,[0-9]+\.[0-9]{3},[0-9]+\.[0-9]$" "$out/fr.csv"

finish
