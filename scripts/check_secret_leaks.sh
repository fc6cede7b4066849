#!/usr/bin/env bash
# Proves that no secret the tests used reached a log: every password, bearer token, session
# cookie, CSRF token and reset/verification token the API cases sent or received (recorded in
# DIR/secrets-*.txt by tests/api/api_cases_test.cpp) is looked for in the output of every server
# the tests started (DIR/server-*.log, kept by tests/support/server_process.cpp).
#   scripts/check_secret_leaks.sh build/debug/test-logs/servers
set -euo pipefail
dir=${1:?usage: $0 DIR}
shopt -s nullglob
logs=("$dir"/server-*.log)
secret_files=("$dir"/secrets-*.txt)
[ ${#logs[@]} -gt 0 ] || { echo "secret leaks: no server logs in $dir" >&2; exit 1; }
[ ${#secret_files[@]} -gt 0 ] || { echo "secret leaks: no secrets recorded in $dir" >&2; exit 1; }
all=$(mktemp)
trap 'rm -f "$all"' EXIT
sort -u "${secret_files[@]}" | grep -v '^$' >"$all" || true
count=$(wc -l <"$all")
# An empty list would make the check pass by saying nothing.
[ "$count" -gt 0 ] || { echo "secret leaks: the secrets files are empty" >&2; exit 1; }
lines=$(cat "${logs[@]}" | wc -l)
if leaks=$(cat "${logs[@]}" | grep -F -o -f "$all" | sort -u) && [ -n "$leaks" ]; then
  echo "secret leaks: these secrets appear in server output:" >&2
  while IFS= read -r s; do
    echo "  ${s:0:6}… in $(grep -l -F -- "$s" "${logs[@]}" | head -3 | tr '\n' ' ')" >&2
  done <<<"$leaks"
  exit 1
fi
echo "secret leaks: none of $count secrets appears in ${#logs[@]} server logs ($lines lines)"
