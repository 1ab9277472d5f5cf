#!/usr/bin/env bash
# relais sim compare: the what-if of two scenarios, as a planner runs it.
relais=$1
. "$(dirname "$0")/lib_cli.sh"
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

a=$src/examples/scenario-day.json
b=$src/examples/scenario-day-offshore.json
"$relais" sim compare "$a" "$b" --reps 3 >"$out/t"
check "compare exits 0" test $? -eq 0
check "the table has the centre's service level" grep -q '^centre *service_level' "$out/t"
check "and the cost per contact" grep -q 'cost_per_contact' "$out/t"
check "and every queue of both" test "$(grep -c '^assurmax-claims' "$out/t")" -ge 3
"$relais" sim compare "$a" "$b" --reps 3 --json >"$out/j"
check "--json is JSON with rows" python3 -c "import json,sys; d=json.load(open('$out/j')); assert d['reps']==3 and len(d['rows'])>10"
check "moving claims agents offshore lowers the cost per contact" python3 -c "
import json; d=json.load(open('$out/j'))
r=[x for x in d['rows'] if x['group']=='centre' and x['measure']=='cost_per_contact'][0]
assert r['diff'] < 0, r"
check "B - A is B's mean minus A's" python3 -c "
import json; d=json.load(open('$out/j'))
assert all(abs(x['b']['mean']-x['a']['mean']-x['diff'])<=1e-5*max(1,abs(x['a']['mean'])) for x in d['rows'])"
check "paired: both see the same customers (offered differs by exactly 0)" python3 -c "
import json; d=json.load(open('$out/j'))
assert d['paired'] is True
r=[x for x in d['rows'] if x['group']=='queue' and x['measure']=='offered']
assert r and all(x['diff']==0 and x['diff_ci95']==0 for x in r), r"
check "paired: the difference's interval is narrower than A's and B's" python3 -c "
import json; d=json.load(open('$out/j'))
r=[x for x in d['rows'] if x['group']=='centre' and x['measure']=='cost_per_contact'][0]
assert 0 < r['diff_ci95'] < min(r['a']['ci95'], r['b']['ci95']), r"
LANG=fr_FR.UTF-8 "$relais" sim compare "$a" "$b" --reps 3 >"$out/fr"
check "in French from the environment, with a decimal comma" grep -q '^centre *service_level *0,[0-9]* ±0,' "$out/fr"
check "and a French title" grep -q 'réplications, graine 1, appariées' "$out/fr"
"$relais" sim compare "$a" "$b" --reps 3 --json --lang fr >"$out/jfr"
check "JSON is the same in both languages" cmp -s "$out/j" "$out/jfr"
"$relais" sim compare "$a" "$b" --reps deux --lang fr 2>"$out/efr"
check "a French error for a bad --reps" grep -q -- '--reps : nombre entier attendu' "$out/efr"
"$relais" sim compare "$a" "$a" --reps 2 --json >"$out/same"
check "a scenario against itself differs by nothing" python3 -c "
import json; d=json.load(open('$out/same'))
assert all(x['diff']==0 for x in d['rows'])"
"$relais" sim compare "$a" 2>/dev/null
check "one scenario only exits 2" test $? -eq 2
"$relais" sim compare "$a" "$out/none.json" 2>"$out/e"
check "a missing file exits 1" test $? -eq 1
check "and is named" grep -q none.json "$out/e"
"$relais" sim compare "$a" "$b" --reps zero 2>/dev/null
check "a bad --reps exits 2" test $? -eq 2

finish
