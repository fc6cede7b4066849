#!/usr/bin/env bash
# Everything `make test` checks, after scripts/deps.sh has installed the packages:
#
#   1. PostgreSQL + Redis on loopback (scripts/services.sh, a state dir of this run's own)
#   2. Debug build with ASan/UBSan and -Werror (build/debug)
#   3. ctest: unit and API tests, storage tests once per config (/sqlite and /postgres)
#   4. the routes of the binary against api/openapi.yaml (scripts/check_routes.sh), the browser
#      tests (scripts/e2e.sh: Chromium journeys, axe, screenshots in $BUILD_DIR/e2e-artifacts),
#      and no password or token the tests used in any test server's output (check_secret_leaks.sh)
#   4b. two nodes behind nginx on one PostgreSQL and one Redis (tests/cluster/run.sh)
#   5. Redocly lint of api/openapi.yaml (recommended rules, api/redocly.yaml)
#   6. the layering rules (scripts/check_layers.sh, after its self-test)
#   7. clang-format of every tracked (or new, unignored) *.cpp / *.hpp
#
# Every step runs even when an earlier one failed (except those that need the binary), the services
# are stopped on any exit (also ctrl-C), and a summary closes the output. Exit 1 if anything failed.
#
# Env: FFF_TEST_BUILD_DIR (default build/debug), JOBS (build parallelism, default nproc),
#      CTEST_JOBS (default 3), CTEST_ARGS (extra ctest arguments, e.g. "-R catalog").
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

BUILD_DIR=${FFF_TEST_BUILD_DIR:-build/debug}
JOBS=${JOBS:-$(nproc)}
# API cases spend much of their time waiting on their child server: three at a time keeps two
# cores busy.
CTEST_JOBS=${CTEST_JOBS:-3}
LOG_DIR="$BUILD_DIR/test-logs"

results=()        # "STATUS|step|detail"
checks_passed=0   # steps other than ctest (ctest counts its tests instead)
checks_failed=0
checks_skipped=0
ctest_passed=0
ctest_failed=0
ctest_skipped=0
failed_steps=()

services_dir="/tmp/fff-test-services.$$"
export FFF_SERVICES_DIR="$services_dir"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -d "$services_dir" ]; then
    "$root/scripts/services.sh" stop >/dev/null 2>&1 || echo "test: could not stop the services in $services_dir" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo; echo "test: interrupted"; exit 130' INT TERM

banner() { printf '\n==> %s\n' "$*"; }

# record STATUS STEP DETAIL [counted]: adds a line to the summary.
record() {
  results+=("$1|$2|$3")
  [ "${4:-yes}" = yes ] || return 0
  case "$1" in
    PASS) checks_passed=$((checks_passed + 1)) ;;
    FAIL) checks_failed=$((checks_failed + 1)); failed_steps+=("$2") ;;
    SKIP) checks_skipped=$((checks_skipped + 1)) ;;
  esac
}

# step NAME FUNCTION: runs FUNCTION, records the outcome with its duration; never aborts the script.
# (Functions run in a `||` context, where `set -e` is off: they check each command themselves.)
step() {
  local name=$1 fn=$2 t0=$SECONDS rc=0
  banner "$name"
  "$fn" || rc=$?
  if [ "$rc" -eq 0 ]; then
    record PASS "$name" "$((SECONDS - t0))s"
  else
    record FAIL "$name" "$((SECONDS - t0))s, exit $rc"
  fi
  return 0
}

skip() { banner "$1"; echo "skipped: $2"; record SKIP "$1" "$2"; }

# ---------------------------------------------------------------------------------------------

start_services() {
  "$root/scripts/services.sh" start >/dev/null || return 1
  # shellcheck disable=SC1091 # written by services.sh at run time
  source "$services_dir/env" || return 1
  echo "PostgreSQL: $FFF_TEST_POSTGRES_URL"
  echo "Redis:      $FFF_TEST_REDIS_URL"
}

configure() {
  local gen=()
  # Keep the generator of an existing build dir (cmake refuses to switch); Ninja for a new one.
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    if command -v ninja >/dev/null 2>&1; then gen=(-G Ninja); else gen=(-G "Unix Makefiles"); fi
  fi
  cmake -S . -B "$BUILD_DIR" "${gen[@]}" -DCMAKE_BUILD_TYPE=Debug -DFFF_SANITIZE=ON -DFFF_WERROR=ON
}

build() { cmake --build "$BUILD_DIR" -j "$JOBS"; }

run_cluster() { bash tests/cluster/run.sh "$FFF_BIN"; }

check_secret_leaks() { bash scripts/check_secret_leaks.sh "$LOG_DIR/servers"; }

run_ctest() {
  local log="$LOG_DIR/ctest.log" rc=0
  mkdir -p "$LOG_DIR" || return 1
  # Every test server's output is kept here for the secret-leak check.
  rm -rf "$LOG_DIR/servers"
  FFF_TEST_SERVER_LOG_DIR="$(cd "$LOG_DIR" && pwd)/servers"
  export FFF_TEST_SERVER_LOG_DIR
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  # shellcheck disable=SC2086 # CTEST_ARGS is a list of words on purpose
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$CTEST_JOBS" --no-tests=error --timeout 600 \
    ${CTEST_ARGS:-} 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}

  # Per-test lines look like "  7/40 Test  #7: Suite.Name/sqlite ....   Passed    0.10 sec".
  local lines
  lines=$(grep -E '^ *[0-9]+/[0-9]+ +Test +#[0-9]+: ' "$log" || true)
  ctest_passed=$(grep -cE ' +Passed +[0-9.]+ sec$' <<<"$lines" || true)
  ctest_skipped=$(grep -cE 'Skipped|Not Run' <<<"$lines" || true)
  ctest_failed=$(($(grep -c . <<<"$lines" || true) - ctest_passed - ctest_skipped))
  local on_sqlite on_postgres pg_skipped
  on_sqlite=$(grep -cE '#[0-9]+: [^ ]*(/|__)sqlite[^ ]* .*Passed' <<<"$lines" || true)
  on_postgres=$(grep -cE '#[0-9]+: [^ ]*(/|__)postgres[^ ]* .*Passed' <<<"$lines" || true)
  pg_skipped=$(grep -cE '#[0-9]+: [^ ]*(/|__)postgres[^ ]* .*Skipped' <<<"$lines" || true)
  storage_note="storage tests passed: $on_sqlite on sqlite, $on_postgres on postgres"
  echo
  echo "$storage_note"
  if [ "$pg_skipped" -gt 0 ]; then
    echo "warning: $pg_skipped postgres test(s) were skipped (is FFF_TEST_POSTGRES_URL reachable?)"
  fi
  if [ "$on_sqlite" -gt 0 ] && [ "$on_postgres" -eq 0 ]; then
    echo "warning: storage tests ran on sqlite only; none ran on postgres"
  fi
  if [ "$rc" -ne 0 ] && [ "$ctest_failed" -eq 0 ]; then ctest_failed=1; fi   # ctest itself failed
  return "$rc"
}

check_routes() { "$root/scripts/check_routes.sh" "$FFF_BIN"; }

# Its server log and the secrets it used land in $FFF_TEST_SERVER_LOG_DIR for the leak check.
run_e2e() { bash "$root/scripts/e2e.sh" "$FFF_BIN"; }

lint_openapi() {
  local rc=0
  "$root/scripts/npm_deps.sh" || return 1
  export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
  # --max-problems keeps the whole list; warnings fail the step too (the spec must lint clean).
  # Redocly prints a framed Node.js 20 end-of-life notice on every run: keep it out of the log.
  tests/node_modules/.bin/redocly lint api/openapi.yaml --config api/redocly.yaml --max-problems 200 \
    --format stylish 2>&1 | grep -v -e '[╔╚]' -e '^ *║' | tee "$LOG_DIR/redocly.log" || rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || return "$rc"
  if grep -qE 'You have [0-9]+ warnings?' "$LOG_DIR/redocly.log"; then
    echo "redocly: warnings count as failures here (fix them, or turn the rule off in api/redocly.yaml with a reason)"
    return 1
  fi
}

layers_self_test() { "$root/scripts/check_layers.sh" --self-test; }
check_layers() { "$root/scripts/check_layers.sh" "$root/src"; }

check_format() {
  local files=() out
  command -v clang-format >/dev/null 2>&1 || { echo "clang-format not found (scripts/deps.sh test installs it)"; return 1; }
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp')
  if [ ${#files[@]} -eq 0 ]; then echo "no C++ files"; return 0; fi
  if out=$(clang-format --dry-run -Werror "${files[@]}" 2>&1); then
    echo "clang-format: ${#files[@]} files formatted ($(clang-format --version | grep -oE '[0-9]+\.[0-9.]+' | head -1))"
    return 0
  fi
  echo "clang-format: these files need \`make format\`:"
  grep -oE '^[^:]+\.(cpp|hpp):[0-9]+:[0-9]+: (error|warning)' <<<"$out" | cut -d: -f1 | sort | uniq -c |
    awk '{printf "  %s (%d places)\n", $2, $1}'
  echo "first differences (clang-format --dry-run):"
  head -n 12 <<<"$out"
  return 1
}

# ---------------------------------------------------------------------------------------------

t_start=$SECONDS
storage_note=""
mkdir -p "$LOG_DIR"

step services start_services
step configure configure
built=no
FFF_BIN=""
if [ "${results[-1]%%|*}" = PASS ]; then
  step build build
  if [ -x "$BUILD_DIR/fff" ]; then FFF_BIN=$BUILD_DIR/fff; fi
  if [ "${results[-1]%%|*}" = PASS ] && [ -n "$FFF_BIN" ]; then built=yes; fi
else
  skip build "configure failed"
fi

if [ "$built" = yes ]; then
  banner ctest
  t0=$SECONDS
  rc=0
  run_ctest || rc=$?
  if [ "$rc" -eq 0 ]; then
    record PASS ctest "$((SECONDS - t0))s; $ctest_passed passed, $ctest_skipped skipped; $storage_note" no
  else
    record FAIL ctest "$((SECONDS - t0))s; $ctest_failed failed, $ctest_passed passed, $ctest_skipped skipped" no
    failed_steps+=(ctest)
  fi
  step routes-vs-openapi check_routes
  step e2e run_e2e
  step secret-leaks check_secret_leaks
  step cluster run_cluster
else
  skip ctest "no binary (build failed)"
  skip routes-vs-openapi "no binary (build failed)"
  skip e2e "no binary (build failed)"
  skip secret-leaks "no binary (build failed)"
  skip cluster "no binary (build failed)"
fi
step openapi-lint lint_openapi
step layers-self-test layers_self_test
step layers check_layers
step clang-format check_format

banner "summary ($((SECONDS - t_start))s)"
for r in "${results[@]}"; do
  IFS='|' read -r status name detail <<<"$r"
  printf '  %-5s %-18s %s\n' "$status" "$name" "$detail"
done
total_passed=$((ctest_passed + checks_passed))
total_failed=$((ctest_failed + checks_failed))
total_skipped=$((ctest_skipped + checks_skipped))
echo
if [ ${#failed_steps[@]} -eq 0 ]; then
  echo "test.sh: everything passed ($ctest_passed ctest tests and $checks_passed other steps)"
else
  echo "test.sh: FAILED: ${failed_steps[*]}"
fi
# One closing line counting ctest's tests plus this script's other steps.
echo "summary: $total_passed passed, $total_failed failed, $total_skipped skipped"
[ ${#failed_steps[@]} -eq 0 ]
