#!/usr/bin/env bash
# The browser tests (tests/e2e, node's test runner + playwright-core driving Debian's Chromium)
# against a fresh demo shop served by the given binary on a free loopback port:
#
#   scripts/e2e.sh [PATH/TO/fff]      (default: $FFF_TEST_BUILD_DIR/fff, else build/debug/fff)
#
# Starts `fff serve` with a new data dir (a small demo shop), waits for /readyz, runs every
# tests/e2e/*.test.mjs with FFF_BASE_URL, and stops the server on any exit (also after a failure
# or ctrl-C). Fails too when the server printed a sanitizer report.
#
# Artefacts (screenshots of every page type at phone and desktop width, axe results, the server
# log, a screenshot + HTML of the page a failing test stopped on) go to $E2E_ARTIFACTS, default
# <the binary's folder>/e2e-artifacts (build/debug/e2e-artifacts).
#
# Env: E2E_ARTIFACTS, E2E_DEMO_PRODUCTS (default 200), E2E_TESTS (test files, default all),
#      SHOP_KEEP_DATA=1 (keep the shop's data dir), CHROME_PATH (default /usr/bin/chromium),
#      (the tests get FFF_BASE_URL, and FFF_ADMIN_TOKEN: the shop's bootstrap admin token)
#      FFF_TEST_SERVER_LOG_DIR (when set, as in `make test`: the server log and the secrets the
#      tests used are left there for scripts/check_secret_leaks.sh).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bin=${1:-${FFF_TEST_BUILD_DIR:-build/debug}/fff}
[ -x "$bin" ] || { echo "e2e: no binary at $bin (make build-debug, or pass the path)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
artifacts=${E2E_ARTIFACTS:-$(dirname "$bin")/e2e-artifacts}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}

# Debian's chromium and the npm packages (both idempotent, silent when done).
if [ ! -x "$CHROME_PATH" ]; then bash "$root/scripts/deps.sh" test; fi
[ -x "$CHROME_PATH" ] || { echo "e2e: no browser at $CHROME_PATH" >&2; exit 1; }
"$root/scripts/npm_deps.sh"
for tool in curl ss node; do
  command -v "$tool" >/dev/null 2>&1 || { echo "e2e: $tool not found (scripts/deps.sh test)" >&2; exit 1; }
done

rm -rf "$artifacts"
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)
log="$artifacts/server.log"

# shellcheck source=scripts/test_shop.sh
source "$root/scripts/test_shop.sh"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  shop_stop
  if [ -n "${FFF_TEST_SERVER_LOG_DIR:-}" ] && [ -f "$log" ]; then
    mkdir -p "$FFF_TEST_SERVER_LOG_DIR" && cp "$log" "$FFF_TEST_SERVER_LOG_DIR/server-e2e.log" || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "e2e: interrupted" >&2; exit 130' INT TERM

# The test-only routes: the admin tests read the mails the shop sent (/_test/mail/latest).
export FFF_TEST_ROUTES=1
shop_start "$bin" "$log" "${E2E_DEMO_PRODUCTS:-200}"
base=$shop_url

secrets=""
if [ -n "${FFF_TEST_SERVER_LOG_DIR:-}" ]; then
  mkdir -p "$FFF_TEST_SERVER_LOG_DIR"
  secrets="$FFF_TEST_SERVER_LOG_DIR/secrets-e2e.txt"
  : >"$secrets"
  echo "$shop_admin_token" >>"$secrets"
fi

tests=()
if [ -n "${E2E_TESTS:-}" ]; then
  read -r -a tests <<<"$E2E_TESTS"
else
  mapfile -t tests < <(ls tests/e2e/*.test.mjs)
fi

rc=0
# One test file at a time: two cores are shared with the server (and with everybody else).
FFF_BASE_URL="$base" E2E_ARTIFACTS="$artifacts" E2E_SECRETS_FILE="$secrets" \
  node --test --test-concurrency=1 --test-reporter=spec "${tests[@]}" 2>&1 |
  tee "$artifacts/test-output.txt" || rc=${PIPESTATUS[0]}

shop_stop
# The server's own health during the run: sanitizer reports, and 5xx answers in the access log.
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$log"; then
  echo "e2e: the server printed a sanitizer report (see $log):" >&2
  grep -m 5 -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$log" >&2
  rc=1
fi
if errors=$(grep -E '"msg":"request".*"status":5[0-9][0-9]' "$log") && [ -n "$errors" ]; then
  echo "e2e: the server answered $(grep -c . <<<"$errors") request(s) with a 5xx:" >&2
  head -n 5 <<<"$errors" >&2
  rc=1
fi

shots=$(find "$artifacts/screenshots" -name '*.png' 2>/dev/null | wc -l)
echo "e2e: artefacts in $artifacts ($shots screenshots; axe results in axe/; server.log)"
exit "$rc"
