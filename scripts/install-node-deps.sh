#!/usr/bin/env bash
# Installs the npm packages of the test suites that run in Node: the
# integration tests (tests/integration) and the browser tests
# (tests/browser), each pinned by its package-lock.json. Idempotent: does
# nothing for a suite whose packages are installed at the locked versions.
# (The browser application's own modules are web/package.json's, placed by
# scripts/web-vendor.sh during the build.)
set -euo pipefail
cd "$(dirname "$0")/../tests"

# Whether every package of the lockfile is installed at its version. (Not
# by the files' dates: a git checkout makes the lockfile look newer.)
installed() {
	[ -f node_modules/.package-lock.json ] && node -e '
		const fs = require("fs");
		const want = JSON.parse(fs.readFileSync("package-lock.json")).packages;
		const have = JSON.parse(
			fs.readFileSync("node_modules/.package-lock.json")).packages;
		for (const k in want)
			if (k && have[k]?.version !== want[k].version)
				process.exit(1);'
}

for suite in integration browser; do
	cd $suite
	if ! installed; then
		# npm ci would empty a linked folder: that of another checkout.
		if [ -L node_modules ]; then
			echo "install-node-deps: tests/$suite/node_modules is a link" \
				"to packages of other versions; remove it" >&2
			exit 1
		fi
		echo "install-node-deps: npm ci in tests/$suite" >&2
		npm ci --no-audit --no-fund --loglevel=error
	fi
	cd ..
done
