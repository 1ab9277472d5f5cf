#!/usr/bin/env bash
# Installs every Debian 12 package relais needs to build, test, benchmark
# and fuzz (chromium runs the browser tests, tests/browser; a font so that
# its screenshots show text on a machine without a desktop; Kannel and
# its fakesmsc carrier for the SMS tests; Dovecot and an SMTP sink for the
# email tests; SIPp, baresip and Kamailio as the voice tests' peers,
# espeak-ng and sox to render the voice prompts; wireshark-common's
# dumpcap captures RTP on lo for the voice tests and benchmark). Idempotent: when
# everything is present it does nothing and does not touch the network.
# Run as root (or it re-runs itself through sudo).
set -euo pipefail

PACKAGES=(
	build-essential cmake pkg-config
	clang clang-format libclang-rt-14-dev
	libcmocka-dev
	tzdata
	libre-dev librem-dev libjansson-dev libsqlite3-dev libsodium-dev uuid-dev
	libssl-dev libwslay-dev libxlsxwriter-dev
	sqlite3 wrk jq curl
	libglpk-dev python3-simpy3
	chromium fonts-dejavu-core
	kannel kannel-extras
	libgmime-3.0-dev libcurl4-openssl-dev libxml2-dev
	dovecot-imapd python3-aiosmtpd openssl python3-yaml
	sip-tester baresip kamailio espeak-ng sox
	wireshark-common
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

# Node.js runs the integration tests. The machine may carry its own build
# (with npm inside), which Debian's npm package conflicts with: ask apt only
# for what is really absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Debian's kannel starts its own bearerbox on the default ports where an
# init system lets it; the tests run their own on free ports with their
# own kannel.conf (kannel-extras brings their carrier, fakesmsc), so the
# system one is stopped rather than left running.
case " ${missing[*]} " in
*" kannel "*) $SUDO service kannel stop >/dev/null 2>&1 || true ;;
esac
# The voice tests start their own Kamailio in front of relais: the one
# the package may have started is stopped, never used.
case " ${missing[*]} " in
*" kamailio "*) $SUDO service kamailio stop >/dev/null 2>&1 || true ;;
esac
# The email tests start their own Dovecot (tests/test_mail_live.c): the
# one the package may have started on port 143 is stopped, never used.
if [ -s /run/dovecot/master.pid ] &&
	$SUDO kill -0 "$(cat /run/dovecot/master.pid)" 2>/dev/null; then
	$SUDO dovecot stop || true
fi
