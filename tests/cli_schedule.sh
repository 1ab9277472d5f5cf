#!/usr/bin/env bash
# relais schedule as a user runs it: help, command-line and file errors,
# a day and a week of the example, the JSON, CSV and SVG outputs, and
# under-coverage reported as a result.
set -u
relais=$1
. "$(dirname "$0")/lib_cli.sh"
src=$(cd "$(dirname "$0")/.." && pwd)
forecast=$src/examples/schedule-forecast.csv
sites=$src/examples/schedule-sites.json
# The messages and the table follow the environment's language: English
# here, unless a check asks for French (--lang fr or LANG=fr_FR.UTF-8).
unset RELAIS_LANG LC_ALL LC_MESSAGES
export LANG=C

jqq() { jq -e "$@" >/dev/null; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

sched() { "$relais" schedule --quiet "$@"; }

# ---- the command line ----
"$relais" --help >"$out/help"
check "relais --help lists schedule" grep -q "schedule" "$out/help"
"$relais" schedule --help >"$out/shelp"
check "--help exits 0" test $? -eq 0
check "--help explains --sites" grep -q -- "--sites FILE" "$out/shelp"
sched --forecast "$forecast" 2>"$out/err"
check "no --sites exits 2" test $? -eq 2
check "no --sites is named" grep -q -- "--sites FILE" "$out/err"
sched --forecast "$forecast" --sites "$sites" --sl 1.5 2>"$out/err"
check "bad --sl exits 2" test $? -eq 2
check "bad --sl is named" grep -q -- "--sl 1.5" "$out/err"
sched --forecast "$forecast" --sites "$sites" --days 8 2>"$out/err"
check "--days 8 exits 2" test $? -eq 2
sched --forecast "$forecast" --sites "$sites" --interval-min 45 2>"$out/err"
check "--interval-min 45 exits 2" test $? -eq 2
sched --forecast "$forecast" --sites "$sites" --json --csv 2>"$out/err"
check "--json and --csv exit 2" test $? -eq 2
sched --bogus 2>/dev/null
check "unknown option exits 2" test $? -eq 2

# ---- the files ----
sched --forecast "$out/none.csv" --sites "$sites" 2>"$out/err"
check "missing forecast exits 1" test $? -eq 1
check "missing forecast is named" grep -q "none.csv" "$out/err"
printf 'start,queue,offered,aht_s\n2026-04-13 08:00,billing,abc,240\n' \
	>"$out/bad.csv"
sched --forecast "$out/bad.csv" --sites "$sites" 2>"$out/err"
check "bad forecast row exits 1" test $? -eq 1
check "bad forecast row names its line" grep -q "line 2" "$out/err"

jq '.sites[0].bogus = 1' "$sites" >"$out/s1.json"
sched --forecast "$forecast" --sites "$out/s1.json" 2>"$out/err"
check "unknown site key exits 1" test $? -eq 1
check "unknown site key is named" grep -q "sites\[0\].bogus: unknown key" "$out/err"
jq '.sites[1].rules.max_days = 9' "$sites" >"$out/s2.json"
sched --forecast "$forecast" --sites "$out/s2.json" 2>"$out/err"
check "bad rule is named" grep -q "sites\[1\].rules.max_days" "$out/err"
jq '.sites[0].hours = "7h-21h"' "$sites" >"$out/s3.json"
sched --forecast "$forecast" --sites "$out/s3.json" 2>"$out/err"
check "bad hours are named" grep -q "sites\[0\].hours" "$out/err"
jq '.groups = {"billing": ["billing"]}' "$sites" >"$out/s4.json"
sched --forecast "$forecast" --sites "$out/s4.json" 2>"$out/err"
check "a queue in no group exits 1" test $? -eq 1
check "the queue is named" grep -q "support: this forecast queue is in no group" "$out/err"
jq '.shifts.start_step_min = 20' "$sites" >"$out/s5.json"
sched --forecast "$forecast" --sites "$out/s5.json" --days 1 2>"$out/err"
check "bad shift step is named" grep -q "shifts.start_step_min" "$out/err"
printf 'start,queue,offered,aht_s\n2026-04-13 08:00,billing,10,\n' \
	>"$out/noaht.csv"
sched --forecast "$out/noaht.csv" --sites "$sites" 2>"$out/err"
check "a row without aht_s is named" grep -q "billing at 2026-04-13 08:00: no aht_s" "$out/err"
sched --forecast "$out/noaht.csv" --sites "$sites" --aht-s 240 >/dev/null 2>&1
check "--aht-s fills it in" test $? -eq 0

# ---- one day ----
sched --forecast "$forecast" --sites "$sites" --days 1 >"$out/day" 2>"$out/err"
check "a day exits 0" test $? -eq 0
check "a day is solved to optimality" grep -q "Solver: optimal" "$out/day"
check "the table has the roster" grep -q "^Roster of casablanca" "$out/day"
check "the table has the coverage" grep -q "^Coverage of telco" "$out/day"
sched --forecast "$forecast" --sites "$sites" --days 1 --json >"$out/day.json"
check "JSON: optimal, no gap" jqq '.solver.status == "optimal" and .solver.gap < 1e-9' "$out/day.json"
check "JSON: nothing short" jqq '.groups[0].under_agent_hours == 0' "$out/day.json"
check "JSON: 96 intervals" jqq '(.groups[0].required | length) == 96' "$out/day.json"
check "JSON: offshore is full before onshore" \
	jqq '.sites[1].agents_used == .sites[1].agents' "$out/day.json"
check "JSON: the roster has every shift" \
	jqq '([.roster[].shifts[]] | length) == .totals.shifts' "$out/day.json"
sched --forecast "$forecast" --sites "$sites" --days 1 --csv >"$out/day.csv"
check "CSV header" test "$(head -1 "$out/day.csv")" = \
	"agent,site,group,start,end,break_start,break_end,paid_hours,cost"
check "CSV: a row per shift" test "$(($(wc -l <"$out/day.csv") - 1))" -eq \
	"$(jq .totals.shifts "$out/day.json")"

# a forecast with "calls" for "offered", as the brief of this command had it
sed '1s/offered/calls/' "$forecast" >"$out/calls.csv"
sched --forecast "$out/calls.csv" --sites "$sites" --days 1 --json \
	>"$out/calls.json"
check "a calls column reads as offered" \
	jqq --slurpfile a "$out/day.json" '.totals == $a[0].totals' "$out/calls.json"

# ---- too few agents: under-coverage is a result ----
jq '.sites[0].agents = 2 | .sites[1].agents = 3' "$sites" >"$out/few.json"
sched --forecast "$forecast" --sites "$out/few.json" --days 1 --json \
	>"$out/few.out"
check "too few agents still exits 0" test $? -eq 0
check "the shortfall is reported" \
	jqq '.groups[0].under_agent_hours > 100 and .solver.penalty > 0' "$out/few.out"
sched --forecast "$forecast" --sites "$out/few.json" --days 1 >"$out/few.txt"
check "the table marks short hours" grep -q '!!' "$out/few.txt"

# ---- a week, with a loose gap to stay quick, and the chart ----
sched --forecast "$forecast" --sites "$sites" --gap 0.05 --json \
	--svg "$out/week.svg" >"$out/week.json"
check "a week exits 0" test $? -eq 0
check "a week covers seven days" jqq '.horizon.days == 7' "$out/week.json"
check "a week is within its gap" jqq '.solver.gap <= 0.05' "$out/week.json"
check "nobody over 44 h" jqq '[.roster[].hours] | max <= 44' "$out/week.json"
check "Paris agents within 35 h" \
	jqq '[.roster[] | select(.site == "paris") | .hours] | max <= 35' "$out/week.json"
check "the chart is SVG" grep -q "^<svg xmlns" "$out/week.svg"
check "the chart is closed" grep -q "^</svg>" "$out/week.svg"

# a time limit that cuts everything short still gives a schedule
sched --forecast "$forecast" --sites "$sites" --time-limit 0.001 --json \
	>"$out/quick.json" 2>/dev/null
check "a tiny time limit exits 0" test $? -eq 0
check "and says so" jqq '.solver.status == "time_limit"' "$out/quick.json"

# ---- French ----
check "--help lists --lang" grep -q -- "--lang L " "$out/shelp"
"$relais" schedule --help --lang fr >"$out/shelp.fr"
check "--lang fr: the usage is French" grep -q "^Calcule l'effectif requis sur chaque intervalle de 15 minutes" "$out/shelp.fr"
check "--lang fr: the options are explained in French" grep -q -- "--sites FICHIER     sites, groupes de files, vacations" "$out/shelp.fr"
sched --forecast "$forecast" --sites "$sites" --sl 1.5 --lang fr 2>"$out/err"
check "French: bad --sl exits 2" test $? -eq 2
check "French: bad --sl is named, its range in French" grep -q -- "^relais schedule: --sl 1.5 : il faut un nombre de 0 à 1 (exclu)$" "$out/err"
check "French: the hint to --help" grep -q "^'relais schedule --help' donne les options.$" "$out/err"
sched --lang fr --forecast "$forecast" 2>"$out/err"
check "French: no --sites exits 2" test $? -eq 2
check "French: no --sites is named" grep -q -- "--sites FICHIER est obligatoire" "$out/err"
env LANG=fr_FR.UTF-8 "$relais" schedule --quiet --forecast "$forecast" --sites "$sites" --interval-min 45 2>"$out/err"
check "LANG=fr_FR.UTF-8: --interval-min 45 exits 2" test $? -eq 2
check "LANG=fr_FR.UTF-8 picks French" grep -q -- "--interval-min 45 : il faut 15, 30 ou 60" "$out/err"
sched --forecast "$forecast" --sites "$out/s1.json" --lang fr 2>"$out/err"
check "French: an unknown site key exits 1" test $? -eq 1
check "French: the field keeps the file's name" grep -q "s1.json : sites\[0\].bogus : clé inconnue$" "$out/err"
sched --forecast "$forecast" --sites "$out/s4.json" --lang fr 2>"$out/err"
check "French: a queue in no group" grep -q "groups.support : cette file de la prévision n'est dans aucun groupe" "$out/err"
sched --forecast "$forecast" --sites "$out/nope.json" --lang fr 2>"$out/err"
check "French: a missing sites file exits 1" test $? -eq 1
check "French: a missing sites file is explained" grep -q "nope.json : fichier ou dossier introuvable" "$out/err"

sched --forecast "$forecast" --sites "$sites" --days 1 --lang fr >"$out/day.fr" 2>"$out/err"
check "French: a day exits 0" test $? -eq 0
check "French: the title" grep -q "^Planning du lun 2026-04-13 au lun 2026-04-13 (1 jour) : 2 sites, 1 groupe$" "$out/day.fr"
check "French: the staffing" grep -q "^Dimensionnement : Erlang A, 80 % en 20 s, patience 120 s, occupation <= 85 %, indisponibilité 30 %$" "$out/day.fr"
check "French: the solver, with a decimal comma" grep -qE "^Solveur : optimal en [0-9]+,[0-9] s, écart 0,00 %" "$out/day.fr"
check "French: the sites table" grep -q "^Site           Type      Effectif Utilisés Vacations  H payées         Coût$" "$out/day.fr"
check "French: figures with decimal commas" grep -qE "^paris +onshore +24 +[0-9]+ +[0-9]+ +[0-9]+,[0-9] +[0-9]+,[0-9]{2}$" "$out/day.fr"
check "French: the coverage" grep -qE "^Couverture de telco : requis [0-9]+,[0-9] h-conseiller, planifié [0-9]+,[0-9]" "$out/day.fr"
check "French: the sparkline legend" grep -q "r requis, p planifiés" "$out/day.fr"
check "French: the sparklines' letters" grep -qE "^  lun 2026-04-13  r " "$out/day.fr"
check "French: the roster" grep -q "^Planning nominatif de casablanca$" "$out/day.fr"
check "French: the roster's head" grep -qE "^Conseiller +lun 04-13 +Heures$" "$out/day.fr"
check "French: hours with a decimal comma" grep -qE "^paris-01 +[0-9:-]+ +[0-9]+,[0-9]$" "$out/day.fr"
# the same table but for the words: the figures of the sites are equal
sched --forecast "$forecast" --sites "$sites" --days 1 --lang en >"$out/day.en"
awk '/^(paris|casablanca|Total) / { print $(NF-4), $(NF-3), $(NF-2), $(NF-1), $NF }' "$out/day.en" >"$out/sites.en"
awk '/^(paris|casablanca|Total) / { gsub(",", "."); print $(NF-4), $(NF-3), $(NF-2), $(NF-1), $NF }' "$out/day.fr" >"$out/sites.fr"
check "French and English sites tables hold the same figures" cmp -s "$out/sites.en" "$out/sites.fr"
check "three rows of sites" test "$(wc -l <"$out/sites.fr")" -eq 3

# programs read the JSON and CSV: the same in every language (the solve
# times aside)
sched --forecast "$forecast" --sites "$sites" --days 1 --json --lang fr \
	--svg "$out/day.fr.svg" >"$out/day.fr.json"
untimed() { jq -S 'del(.solver.time_s, .solver.total_s)' "$1"; }
check "JSON: the same with --lang fr" cmp -s <(untimed "$out/day.json") <(untimed "$out/day.fr.json")
check "JSON: the horizon's start is a date" jqq '.horizon.start == "2026-04-13"' "$out/day.fr.json"
env LANG=fr_FR.UTF-8 "$relais" schedule --quiet --forecast "$forecast" --sites "$sites" --days 1 --csv >"$out/day.fr.csv"
check "CSV: the same bytes with LANG=fr_FR.UTF-8" cmp -s "$out/day.csv" "$out/day.fr.csv"
check "the French chart's title" grep -q "telco : conseillers requis (ligne rouge) et planifiés (bleu), manque de 0,0 h-conseiller (zone rouge)" "$out/day.fr.svg"
check "the French chart's days" grep -q ">lun 2026-04-13</text>" "$out/day.fr.svg"

finish
