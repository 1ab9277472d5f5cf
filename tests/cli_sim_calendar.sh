#!/usr/bin/env bash
# relais sim with calendars: a queue closed outside its opening hours
# takes voicemail, on the scenario's date and in its time zone.
relais=$1
. "$(dirname "$0")/lib_cli.sh"
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The forecast day (Tuesday 14 April 2026, 08:00-20:00 Paris), with
# support open on Tuesday mornings only.
python3 - "$src/examples/scenario-forecast-day.json" "$out" <<'PY'
import json, sys
src, out = sys.argv[1], sys.argv[2]
base = json.load(open(src))
base['forecast_csv'] = src.rsplit('/', 1)[0] + '/schedule-forecast.csv'
base['timezone'] = 'Europe/Paris'
base['calendars'] = [{'id': 'mornings', 'timezone': 'Europe/Paris',
                      'weekly': [{'day': 'tue', 'from': '08:00', 'to': '12:00'}]}]
base['queues'][1].update(calendar='mornings', closed_action='voicemail')
def put(name, change=None):
    d = json.loads(json.dumps(base))
    if change:
        change(d)
    json.dump(d, open(f'{out}/{name}.json', 'w'))
put('open')
put('holiday', lambda d: d['calendars'][0].update(holidays=['2026-04-14']))
put('monday', lambda d: d.update(date='2026-04-13'))
put('utc', lambda d: d.pop('timezone'))
put('nodate', lambda d: d.pop('date') and d.pop('forecast_csv'))
put('badzone', lambda d: d['calendars'][0].update(timezone='Mars/Olympus'))
put('badday', lambda d: d['calendars'][0]['weekly'][0].update(day='someday'))
put('unknown', lambda d: d['queues'][1].update(calendar='evenings'))
PY

"$relais" sim "$out/open.json" --reps 3 --json --quiet >"$out/j"
check "a scenario with a calendar runs" test $? -eq 0
check "support is offered contacts until noon, then none; billing all day" python3 -c "
import json; d = json.load(open('$out/j'))
iv = d['intervals']
sup = [next(q for q in i['queues'] if q['id'] == 'support')['offered']['mean'] for i in iv]
bil = [next(q for q in i['queues'] if q['id'] == 'billing')['offered']['mean'] for i in iv]
assert all(x > 0 for x in sup[:8]) and all(x == 0 for x in sup[8:]), sup
assert all(x > 0 for x in bil), bil
assert d['voicemail'] > 0 and d['closed'] == 0, (d['voicemail'], d['closed'])"
"$relais" sim "$out/holiday.json" --reps 2 --json --quiet >"$out/h"
check "on a holiday support is closed all day: every contact gets voicemail" python3 -c "
import json; d = json.load(open('$out/h'))
sup = next(q for q in d['total']['queues'] if q['id'] == 'support')
assert sup['offered']['mean'] == 0 and d['voicemail'] > 400 * 2, d['voicemail']"
"$relais" sim "$out/monday.json" --reps 2 --json --quiet >"$out/m"
check "on a Monday (no opening hours) the same" python3 -c "
import json; d = json.load(open('$out/m'))
sup = next(q for q in d['total']['queues'] if q['id'] == 'support')
assert sup['offered']['mean'] == 0, sup['offered']"
"$relais" sim "$out/utc.json" --reps 2 --json --quiet >"$out/u"
check "with the day in UTC, Paris closes support at 10:00 UTC (two hours earlier)" python3 -c "
import json; d = json.load(open('$out/u'))
sup = [next(q for q in i['queues'] if q['id'] == 'support')['offered']['mean'] for i in d['intervals']]
assert all(x > 0 for x in sup[:4]) and all(x == 0 for x in sup[4:]), sup"

"$relais" sim "$out/nodate.json" --quiet 2>"$out/e1"
check "calendars without a date are refused" grep -q 'date: required with calendars' "$out/e1"
"$relais" sim "$out/badzone.json" --quiet 2>"$out/e2"
check "an unknown zone is named" grep -q 'calendars\[0\].timezone: unknown zone Mars/Olympus' "$out/e2"
"$relais" sim "$out/badday.json" --quiet 2>"$out/e3"
check "a bad weekday is named" grep -q 'calendars\[0\].weekly\[0\].day' "$out/e3"
"$relais" sim "$out/unknown.json" --quiet 2>"$out/e4"
check "an unknown calendar exits 1" test $? -eq 1
check "and names the queue" grep -q 'queues\[1\]' "$out/e4"

finish
