#!/usr/bin/env bash
# relais sim with "forecast_csv": a scenario whose arrivals are one day of
# a forecast (the CSV `relais forecast --csv` writes).
relais=$1
. "$(dirname "$0")/lib_cli.sh"
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sc=$src/examples/scenario-forecast-day.json
fc=$src/examples/schedule-forecast.csv

"$relais" sim "$sc" --reps 20 --json --quiet >"$out/j"
check "a forecast scenario runs" test $? -eq 0
# Per half hour, the offered contacts must match the forecast's two
# quarter hours of that date (Poisson: within 4 standard errors).
check "each half hour offers what the forecast says for 2026-04-14" python3 -c "
import csv, json, math
d = json.load(open('$out/j'))
want = {}
for r in csv.DictReader(open('$fc')):
    day, hm = r['start'].split(' ')
    h, m = map(int, hm.split(':'))
    k = ((h * 60 + m) - 8 * 60) // 30
    if day == '2026-04-14' and 0 <= k < 24:
        want[(r['queue'], k)] = want.get((r['queue'], k), 0) + float(r['offered'])
assert len(want) == 48, len(want)
total = {}
for k, iv in enumerate(d['intervals']):
    for q in iv['queues']:
        mean = q['offered']['mean']
        exp = want[(q['id'], k)]
        se = math.sqrt(exp / 20)
        assert abs(mean - exp) <= 4 * se + 0.5, (q['id'], k, mean, exp)
        total[q['id']] = total.get(q['id'], 0) + exp
assert total['billing'] > 1000 and total['support'] > 400, total
"
check "the other days of the file are not used" python3 -c "
import json; d = json.load(open('$out/j'))
assert d['duration_s'] == 43200 and len(d['intervals']) == 24"

# Refusals name the field.
python3 - "$sc" "$out" <<'PY'
import json, sys
sc, out = sys.argv[1], sys.argv[2]
base = json.load(open(sc))
base['forecast_csv'] = sc.rsplit('/', 1)[0] + '/schedule-forecast.csv'
def put(name, change):
    d = json.loads(json.dumps(base))
    change(d)
    json.dump(d, open(f'{out}/{name}.json', 'w'))
put('nodate', lambda d: d.pop('date'))
put('noqueue', lambda d: d['queues'][1].update(id='sales'))
put('interval', lambda d: d.update(interval_s=600))
put('nofile', lambda d: d.update(forecast_csv='/nonexistent/forecast.csv'))
PY
"$relais" sim "$out/nodate.json" --quiet 2>"$out/e1"
check "no date: exit 1" test $? -eq 1
check "and says so" grep -q 'date: required with forecast_csv' "$out/e1"
"$relais" sim "$out/noqueue.json" --quiet 2>"$out/e2"
check "a queue the forecast lacks is named" grep -q 'no queue "sales" (queues\[1\])' "$out/e2"
"$relais" sim "$out/interval.json" --quiet 2>"$out/e3"
check "intervals must be whole quarter hours" grep -q 'interval_s: a multiple of 900' "$out/e3"
"$relais" sim "$out/nofile.json" --quiet 2>"$out/e4"
check "a missing forecast file is named" grep -q 'forecast_csv: cannot read /nonexistent/forecast.csv' "$out/e4"

finish
