#!/usr/bin/env bash
# Lighthouse 12 (npm, tests/package.json) on the storefront of a fresh demo shop:
#
#   scripts/lighthouse.sh [PATH/TO/fff]      (default build/release/fff; `make lighthouse`)
#
# Mobile form factor with Lighthouse's default (simulated) throttling, Debian's Chromium headless
# with a fresh profile per page. Pages: home, a top category, a product, and the cart holding one
# item (the cart cookie of a cart filled through the cart API is sent with the cart's run).
# Prints the four category scores per page as a table and keeps the HTML + JSON reports in
# $LH_OUT (default <the binary's folder>/lighthouse). Exit 1 when a run fails, or when a score is
# below $LH_MIN_SCORE (default 0: report only).
#
# Env: LH_OUT, LH_MIN_SCORE, LH_DEMO_PRODUCTS (default 200), CHROME_PATH (default /usr/bin/chromium).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bin=${1:-build/release/fff}
[ -x "$bin" ] || { echo "lighthouse: no binary at $bin (make build, or pass the path)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
out=${LH_OUT:-$(dirname "$bin")/lighthouse}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}

if [ ! -x "$CHROME_PATH" ]; then bash "$root/scripts/deps.sh" test; fi
[ -x "$CHROME_PATH" ] || { echo "lighthouse: no browser at $CHROME_PATH" >&2; exit 1; }
"$root/scripts/npm_deps.sh"
for tool in curl jq ss node; do
  command -v "$tool" >/dev/null 2>&1 || { echo "lighthouse: $tool not found (scripts/deps.sh test)" >&2; exit 1; }
done

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/fff-lighthouse.XXXXXX")

# shellcheck source=scripts/test_shop.sh
source "$root/scripts/test_shop.sh"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  shop_stop
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "lighthouse: interrupted" >&2; exit 130' INT TERM

shop_start "$bin" "$out/server.log" "${LH_DEMO_PRODUCTS:-200}"
base=$shop_url

# The pages: the first top category of the catalog, a product with an M in stock, and a cart with
# one of its variants in it (through the cart API, which answers the cart id as the fff_cart cookie).
category=$(curl -fsS "$base/api/v1/categories" | jq -r '.items[0].slug')
slug=$(curl -fsS "$base/api/v1/products?per_page=1&in_stock=true&size=m&category=$category" | jq -r '.items[0].slug // empty' || true)
[ -n "$slug" ] || slug=$(curl -fsS "$base/api/v1/products?per_page=1&in_stock=true" | jq -r '.items[0].slug')
variant=$(curl -fsS "$base/api/v1/products/$slug" |
  jq -r '[.variants[] | select(.availability.status != "sold_out")][0].id')
cart=$(curl -fsS -X POST -H 'Content-Type: application/json' -d '{}' "$base/api/v1/carts" | jq -r .id)
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' -H "Cookie: fff_cart=$cart" \
  -d "{\"variant_id\":\"$variant\",\"quantity\":1}" "$base/api/v1/carts/$cart/lines"
echo "{\"Cookie\": \"fff_cart=$cart\"}" >"$work/cart-headers.json"
cart_page=$(curl -fsS -H "Cookie: fff_cart=$cart" "$base/cart" || true)
if grep -q 'href="/checkout"' <<<"$cart_page"; then
  echo "lighthouse: the cart holds $slug (variant $variant)"
else
  echo "lighthouse: warning: the cart page does not show the item (its run measures an empty cart)" >&2
fi

pages=(
  "home|/|"
  "category|/c/$category|"
  "product|/p/$slug|"
  "cart|/cart|$work/cart-headers.json"
)

failed=0
for entry in "${pages[@]}"; do
  IFS='|' read -r name path headers <<<"$entry"
  url="$base$path"
  # Warm the server (templates, page cache) so that the run measures a steady shop.
  curl -s -o /dev/null "$url" || true
  profile="$work/profile-$name"
  flags="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run"
  flags+=" --disable-background-networking --disable-component-update --disable-sync"
  flags+=" --user-data-dir=$profile"
  args=(--quiet --output=json --output=html --output-path="$out/$name" --chrome-flags="$flags")
  [ -z "$headers" ] || args+=(--extra-headers="$headers")
  echo "lighthouse: $name ($path)"
  if ! tests/node_modules/.bin/lighthouse "$url" "${args[@]}" >"$out/$name.log" 2>&1; then
    echo "lighthouse: the $name run failed; its output ends:" >&2
    tail -n 20 "$out/$name.log" >&2
    failed=1
  fi
done

# The table: one row per page, the four category scores (0-100), and the runtime error if any.
node - "$out" "${LH_MIN_SCORE:-0}" "${pages[@]}" <<'EOF'
const fs = require('fs');
const [dir, minScore, ...pages] = process.argv.slice(2);
const cats = ['performance', 'accessibility', 'best-practices', 'seo'];
const rows = [];
let low = 0;
console.log('');
console.log(`${'page'.padEnd(10)} ${'path'.padEnd(44)} perf  a11y  best  seo`);
for (const entry of pages) {
  const [name, path] = entry.split('|');
  const file = `${dir}/${name}.report.json`;
  if (!fs.existsSync(file)) { console.log(`${name.padEnd(10)} ${path.slice(0, 44).padEnd(44)} (no report)`); low++; continue; }
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  const scores = cats.map((c) => (r.categories[c] && r.categories[c].score != null ? Math.round(r.categories[c].score * 100) : null));
  for (const s of scores) if (s == null || s < Number(minScore)) low++;
  const cells = scores.map((s) => String(s ?? '–').padStart(4)).join('  ');
  console.log(`${name.padEnd(10)} ${path.slice(0, 44).padEnd(44)} ${cells}${r.runtimeError ? `  (${r.runtimeError.code})` : ''}`);
  // The audits that cost points, for the note.
  const lost = [];
  for (const c of cats) {
    for (const ref of (r.categories[c]?.auditRefs || [])) {
      const a = r.audits[ref.id];
      if (ref.weight > 0 && a && a.score != null && a.score < 1) lost.push(`${ref.id} ${Math.round(a.score * 100)}`);
    }
  }
  rows.push({ name, path, scores: Object.fromEntries(cats.map((c, i) => [c, scores[i]])), below_100: lost });
}
fs.writeFileSync(`${dir}/scores.json`, JSON.stringify(rows, null, 2));
for (const r of rows) if (r.below_100.length) console.log(`  ${r.name}: below 100: ${r.below_100.join(', ')}`);
console.log(`\nreports: ${dir}/<page>.report.html and .report.json; scores.json`);
process.exit(low && Number(minScore) > 0 ? 1 : 0);
EOF
[ "$failed" -eq 0 ] || exit 1
