#!/usr/bin/env bash
# Fails when the routes the binary serves and the operations in the OpenAPI spec differ.
#
#   scripts/check_routes.sh PATH/TO/fff [api/openapi.yaml]
#
# Compares `fff routes` (one `METHOD /path/{param}` per public route) with the spec's
# paths x methods, and lists what is only in one of them.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
fff=${1:-}
spec=${2:-$root/api/openapi.yaml}
[ -n "$fff" ] || { echo "usage: $0 PATH/TO/fff [OPENAPI.yaml]" >&2; exit 2; }
[ -x "$fff" ] || { echo "check_routes: $fff is not an executable" >&2; exit 2; }
[ -f "$spec" ] || { echo "check_routes: $spec not found" >&2; exit 2; }
fff=$(cd "$(dirname "$fff")" && pwd)/$(basename "$fff")

"$root/scripts/npm_deps.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_routes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Run in a scratch dir with a scratch data dir: listing routes must not touch ./data.
if ! (cd "$tmp" && FFF_DATA_DIR="$tmp/data" FFF_DEMO=0 FFF_LOG_LEVEL=error "$fff" routes) >"$tmp/served.raw" 2>"$tmp/served.err"; then
  echo "check_routes: '$fff routes' failed:" >&2
  cat "$tmp/served.err" >&2
  exit 1
fi
# Keep only `METHOD /path` lines (a stray log line must not pass for a route), without the
# storefront's HTML pages (marked "(page)"): they are not API operations.
grep -E '^[A-Z]+ /' "$tmp/served.raw" | grep -v '(page)$' | sed 's/[[:space:]]*$//' | LC_ALL=C sort -u >"$tmp/served"
node "$root/scripts/spec_routes.cjs" "$spec" | LC_ALL=C sort -u >"$tmp/spec"

if [ ! -s "$tmp/served" ]; then
  echo "check_routes: '$fff routes' printed no routes" >&2
  exit 1
fi

only_served=$(LC_ALL=C comm -23 "$tmp/served" "$tmp/spec")
only_spec=$(LC_ALL=C comm -13 "$tmp/served" "$tmp/spec")
if [ -z "$only_served" ] && [ -z "$only_spec" ]; then
  echo "check_routes: ok, $(wc -l <"$tmp/served") routes match ${spec#"$root"/}"
  exit 0
fi
echo "check_routes: the binary's routes and ${spec#"$root"/} differ" >&2
if [ -n "$only_served" ]; then
  echo "  served by fff but missing from the spec:" >&2
  LC_ALL=C comm -23 "$tmp/served" "$tmp/spec" | sed 's/^/    /' >&2
fi
if [ -n "$only_spec" ]; then
  echo "  in the spec but not served by fff:" >&2
  LC_ALL=C comm -13 "$tmp/served" "$tmp/spec" | sed 's/^/    /' >&2
fi
exit 1
