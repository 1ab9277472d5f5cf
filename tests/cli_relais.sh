#!/usr/bin/env bash
# The relais command as a user runs it: help, version, errors, the demo.
set -u
relais=$1
. "$(dirname "$0")/lib_cli.sh"

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
check "demo routes contacts" awk '/^telco-voice/ { exit !($4 > 50) }' "$out/en"
"$relais" demo --fast --lang fr >"$out/fr"
check "demo speaks French" grep -q "Niveau de service" "$out/fr"
"$relais" demo --fast --lang en >"$out/en2"
check "demo is deterministic for a seed" cmp -s "$out/en" "$out/en2"
"$relais" demo --fast --lang en --seed 7 >"$out/en3"
check "another seed gives another day" differ "$out/en" "$out/en3"

# The server's commands (the server itself is tested in tests/integration).
"$relais" serve --help >"$out/shelp"
check "serve --help exits 0 and explains --data" grep -q -- "--data DIR" "$out/shelp"
"$relais" serve --bogus 2>/dev/null
check "bad serve option exits 2" test $? -eq 2
"$relais" serve --offer-timeout 0 2>"$out/oerr"
check "an offer time-out of 0 exits 2" test $? -eq 2
check "and names the option" grep -q -- "--offer-timeout" "$out/oerr"
check "serve --help explains --offer-timeout" grep -q -- "--offer-timeout S" "$out/shelp"
"$relais" serve --log-level loud 2>/dev/null
check "bad log level exits 2" test $? -eq 2
echo '{"nope": 1}' >"$out/bad.json"
"$relais" serve --config "$out/bad.json" 2>"$out/cerr"
check "unknown config key exits 2" test $? -eq 2
check "unknown config key is named" grep -q "nope" "$out/cerr"
"$relais" serve --data "$out/busy" --http 300.1.1.1:99999 2>/dev/null
check "bad listen address exits 1" test $? -eq 1
"$relais" serve --data "$out/webx" --http 127.0.0.1:0 --web /nonexistent \
	2>"$out/werr"
check "a missing web folder exits 1" test $? -eq 1
check "and is named" grep -q "nonexistent" "$out/werr"
"$relais" migrate --data "$out/store" >"$out/mig"
check "migrate creates a store" test -f "$out/store/relais.db"
check "migrate says the schema version" grep -q "schema version 5" "$out/mig"
"$relais" routes >"$out/routes"
check "routes lists /healthz" grep -qx "GET /healthz" "$out/routes"
"$relais" user 2>/dev/null
check "user without add exits 2" test $? -eq 2
echo short | "$relais" user add bob --role admin --data "$out/store" 2>/dev/null
check "a short password is refused" test $? -eq 1
# One data folder, one writer: a running server keeps the others out.
"$relais" serve --data "$out/locked" --http 127.0.0.1:0 >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do test -f "$out/locked/relais.db" && break; sleep 0.1; done
echo 'a long passphrase' | "$relais" user add eve --role admin \
	--data "$out/locked" 2>"$out/lerr"
check "user add refuses a folder a server is using" test $? -eq 1
check "and says why" grep -q "in use" "$out/lerr"
"$relais" serve --data "$out/locked" --http 127.0.0.1:0 >/dev/null 2>&1
check "a second server on the same folder exits 1" test $? -eq 1
kill -TERM "$server"
wait "$server"
check "the first server stops cleanly" test $? -eq 0

LANG=fr_FR.UTF-8 timeout 2 "$relais" serve --demo --data "$out/demo" \
	--http 127.0.0.1:0 >"$out/fr-banner" 2>/dev/null
check "the demo banner speaks French" grep -q "identifiants" "$out/fr-banner"

finish
