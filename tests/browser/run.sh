#!/bin/sh
# ctest's entry to the web studio's browser test (studio_test.mjs): runs it, or exits 77, which
# ctest counts as skipped, when what it needs is not installed: Node.js, Debian's chromium, or
# playwright-core (scripts/setup.sh installs all three, the last with `npm ci` here).
# Usage: run.sh PIANOLA_BINARY OUTPUT_DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
chromium=${PIANOLA_CHROMIUM:-/usr/bin/chromium}
skip() { echo "skipped: $1; scripts/setup.sh installs it"; exit 77; }
command -v node >/dev/null 2>&1 || skip "no node"
[ -x "$chromium" ] || skip "no $chromium (Debian's chromium)"
[ -d "$here/node_modules/playwright-core" ] || skip "no playwright-core in $here/node_modules (npm ci)"
PIANOLA_CHROMIUM=$chromium exec node "$here/studio_test.mjs" "$@"
