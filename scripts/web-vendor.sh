#!/usr/bin/env bash
# Places the browser application's runtime modules (Preact, its hooks,
# htm) in web/vendor/, from the npm registry through web/package-lock.json.
# The build runs it (CMake's web_vendor target), so `make`, `make run` and
# `make test` serve them; nothing under web/vendor/ is committed.
# Idempotent: when web/vendor/ was made from this lockfile by this script it
# does nothing and does not touch the network.
set -euo pipefail
cd "$(dirname "$0")/.."

WEB=web
NPM_DIR=$WEB/.npm # hidden: the web folder never serves a dot file
VENDOR=$WEB/vendor
STAMP=$VENDOR/.stamp

stamp=$(cat "$WEB/package.json" "$WEB/package-lock.json" "$0" | sha256sum |
	cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$stamp" ]; then
	exit 0
fi

echo "web-vendor: npm ci for web/ and copy into $VENDOR" >&2
mkdir -p "$NPM_DIR"
cp "$WEB/package.json" "$WEB/package-lock.json" "$NPM_DIR/"
(cd "$NPM_DIR" && npm ci --no-audit --no-fund --loglevel=error)

mods=$NPM_DIR/node_modules
tmp=$(mktemp -d "$WEB/.vendor.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The source maps are not shipped: drop the comments that point to them.
strip_map() {
	sed -e '/^\/\/# sourceMappingURL=/d' "$1"
}

strip_map "$mods/preact/dist/preact.module.js" >"$tmp/preact.mjs"
strip_map "$mods/htm/dist/htm.module.js" >"$tmp/htm.mjs"

# The hooks import the bare name "preact". A browser resolves a bare name
# only through an import map, and the Content-Security-Policy (script-src
# 'self', no 'unsafe-inline') forbids the inline <script type="importmap">
# it would take: point the import at the file next to it instead.
strip_map "$mods/preact/hooks/dist/hooks.module.js" |
	sed -e 's/from"preact"/from".\/preact.mjs"/g' >"$tmp/hooks.mjs"
if grep -q 'from"preact"\|from "preact"' "$tmp/hooks.mjs" ||
	! grep -q 'from"\./preact\.mjs"' "$tmp/hooks.mjs"; then
	echo "web-vendor: the import of preact in hooks.module.js changed" >&2
	exit 1
fi

cp "$mods/preact/LICENSE" "$tmp/preact.LICENSE"
cp "$mods/htm/LICENSE" "$tmp/htm.LICENSE"
echo "$stamp" >"$tmp/.stamp"

rm -rf "$VENDOR"
mv "$tmp" "$VENDOR"
chmod 755 "$VENDOR"
trap - EXIT
