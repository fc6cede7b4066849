#!/usr/bin/env bash
# Installs the test-only Node packages (tests/package.json) with `npm ci --prefix tests`, but only
# when tests/node_modules is missing or was installed from another tests/package-lock.json.
# Prints nothing when already current.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
lock="$root/tests/package-lock.json"
stamp="$root/tests/node_modules/.fff-lock.sha256"

command -v npm >/dev/null 2>&1 || { echo "npm_deps: npm not found (scripts/deps.sh test installs it)" >&2; exit 1; }
[ -f "$lock" ] || { echo "npm_deps: $lock is missing" >&2; exit 1; }

want=$(sha256sum "$lock" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$root/tests/node_modules/.bin/redocly" ] &&
  [ -f "$root/tests/node_modules/playwright-core/package.json" ] &&
  [ -x "$root/tests/node_modules/.bin/lighthouse" ]; then
  exit 0
fi

echo "npm_deps: installing test packages (npm ci --prefix tests)" >&2
# playwright-core and lighthouse download no browser: the e2e tests and Lighthouse drive Debian's
# chromium (scripts/deps.sh test installs it).
# Redocly's usage telemetry and update checks would try the network beyond the npm registry.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
npm ci --prefix "$root/tests" --no-audit --no-fund --loglevel=error >&2
echo "$want" >"$stamp"
