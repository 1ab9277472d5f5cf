#!/usr/bin/env bash
# Installs the npm packages of the integration tests (tests/integration),
# pinned by its package-lock.json. Idempotent: does nothing when they are
# already installed at the locked versions.
set -euo pipefail
cd "$(dirname "$0")/../tests/integration"
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
	exit 0
fi
echo "install-node-deps: npm ci in tests/integration" >&2
npm ci --no-audit --no-fund --loglevel=error
