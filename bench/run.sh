#!/usr/bin/env bash
# `make bench`: HTTP throughput and latency of a Release `fff serve` on loopback, measured with wrk.
#
# Builds build/release (target fff), starts the server on a fresh temp data dir (embedded SQLite with
# the demo shop) on a free port, waits for /readyz, runs the scenarios, reads the server's RSS after
# each, prints a table and writes bench/results/latest.json. Stops the server on any exit.
# See bench/README.md for how to read the figures.
#
# Env (defaults in brackets):
#   BENCH_SCENARIOS    scenarios to run, in order
#                      ["ceiling healthz product_list product_detail product_detail_signed_in me
#                        search_typo suggest login"]
#   BENCH_ACCOUNTS     customer accounts (and sessions) the signed-in scenarios spread over [200]
#   BENCH_LOGIN_CONNECTIONS  wrk -c for `login` [8]: sign-ins are CPU-bound, more only queue
#   BENCH_PRODUCTS     demo shop size [10000]
#   BENCH_MIN_URLS     fewest distinct URLs a data scenario may cycle through [1000]
#   BENCH_DURATION     wrk -d per scenario [10s]      BENCH_WARMUP   unmeasured run before each [2s; 0 = none]
#   BENCH_THREADS      wrk -t [1]                     BENCH_CONNECTIONS  wrk -c [64]
#   BENCH_TIMEOUT      wrk --timeout [2s]
#   BENCH_BUILD_DIR    [build/release]                BENCH_JOBS     build parallelism [nproc]
#   BENCH_FFF          use this binary, do not build
#   BENCH_DATABASE_URL serve from this database (e.g. postgres://…) instead of a fresh SQLite file
#   BENCH_SERVE_ARGS   extra `fff serve` arguments, e.g. --no-workers (background jobs left queued)
#   BENCH_OUT          results file [bench/results/latest.json]
#   BENCH_ALLOW_ERRORS 1 = exit 0 even when a scenario saw errors
#   BENCH_RATE_LIMIT   the server's global per-address budget per minute [100000000]: wrk is one
#                      address, so the default 3000 would turn the run into 429s; the limit is
#                      still counted on every request, so its cost stays in the figures
#   BENCH_CART_CONNECTIONS  wrk -c for `add_to_cart` and `checkout` [32]
#   BENCH_CARTS        carts prepared (a line each) for those two [30000]: a checkout uses its cart up
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

SCENARIOS=${BENCH_SCENARIOS:-ceiling healthz product_list product_detail product_detail_signed_in me search_typo suggest page_home page_category page_product login add_to_cart checkout}
PRODUCTS=${BENCH_PRODUCTS:-10000}
MIN_URLS=${BENCH_MIN_URLS:-1000}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
THREADS=${BENCH_THREADS:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
TIMEOUT=${BENCH_TIMEOUT:-2s}
BUILD_DIR=${BENCH_BUILD_DIR:-build/release}
JOBS=${BENCH_JOBS:-$(nproc)}
OUT=${BENCH_OUT:-$root/bench/results/latest.json}
PORTS=${BENCH_PORTS:-18400-18599}
CART_CONNECTIONS=${BENCH_CART_CONNECTIONS:-32}
CARTS=${BENCH_CARTS:-30000}
# The staff token the run uses to read the catalog export (SKUs with their stock).
ADMIN_TOKEN=bench-admin-token-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

say() { echo "bench: $*" >&2; }
die() { say "error: $*"; exit 1; }

for tool in wrk curl jq; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh bench installs it)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fff-bench.XXXXXX")
server_pid=""

stop_server() {
  [ -n "$server_pid" ] || return 0
  local pid=$server_pid rc=0
  server_pid=""
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "server $pid did not stop within 15 s of SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || rc=$?
  server_exit=$rc
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_server
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT TERM

# ---- the binary ----------------------------------------------------------------------------
if [ -n "${BENCH_FFF:-}" ]; then
  fff=$BENCH_FFF
else
  gen=()
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    if command -v ninja >/dev/null 2>&1; then gen=(-G Ninja); else gen=(-G "Unix Makefiles"); fi
  fi
  say "building $BUILD_DIR (Release, target fff)"
  cmake -S . -B "$BUILD_DIR" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DFFF_TESTS=OFF >"$tmp/cmake.log" 2>&1 ||
    { cat "$tmp/cmake.log" >&2; die "cmake configure failed"; }
  cmake --build "$BUILD_DIR" -j "$JOBS" --target fff || die "build failed"
  fff=$BUILD_DIR/fff
fi
[ -x "$fff" ] || die "$fff is not an executable"
fff=$(cd "$(dirname "$fff")" && pwd)/$(basename "$fff")

# ---- the server ----------------------------------------------------------------------------
port_free() { [ -z "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]; }
free_port() {
  local lo=${PORTS%-*} hi=${PORTS#*-} n i p k
  n=$((hi - lo + 1)); i=$((RANDOM % n))
  for ((k = 0; k < n; k++)); do
    p=$((lo + (i + k) % n))
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  return 1
}

start_server() {
  local port=$1 db_env=()
  mkdir -p "$tmp/data"
  if [ -n "${BENCH_DATABASE_URL:-}" ]; then db_env=("FFF_DATABASE_URL=$BENCH_DATABASE_URL"); fi
  # A clean environment for the server's own settings: only what this run chooses.
  env -u FFF_DATABASE_URL -u FFF_DEMO -u FFF_LISTEN -u FFF_DATA_DIR -u FFF_CONFIG \
    FFF_ADMIN_TOKEN="$ADMIN_TOKEN" FFF_LOG_LEVEL=warn FFF_DEMO_PRODUCTS="$PRODUCTS" "${db_env[@]}" \
    FFF_RATE_LIMIT_GLOBAL="${BENCH_RATE_LIMIT:-100000000}" FFF_RATE_LIMIT_SENSITIVE=0 \
    "$fff" serve --listen "127.0.0.1:$port" --data-dir "$tmp/data" ${BENCH_SERVE_ARGS:-} >"$tmp/server.log" 2>&1 &
  server_pid=$!
}

wait_ready() {
  local base=$1 deadline=$((SECONDS + ${BENCH_READY_TIMEOUT:-600}))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$server_pid" 2>/dev/null || return 1
    if curl -fsS -o /dev/null --max-time 2 "$base/readyz" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  return 1
}

ready=no
for attempt in 1 2 3; do
  port=$(free_port) || die "no free port in $PORTS"
  base="http://127.0.0.1:$port"
  start_server "$port"
  say "server pid $server_pid on $base (data in $tmp/data), waiting for /readyz"
  if wait_ready "$base"; then ready=yes; break; fi
  say "server did not get ready (attempt $attempt); log tail:"
  tail -n 20 "$tmp/server.log" >&2 || true
  stop_server
done
[ "$ready" = yes ] || die "the server never became ready"

rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$server_pid/status" 2>/dev/null || echo null; }
rss_start=$(rss_mb)

# ---- scenario inputs -------------------------------------------------------------------------
# Every product's slug (from the list API), and from them and the facets the request paths of the
# data scenarios. Each must have at least MIN_URLS distinct paths.
curl -fsS "$base/api/v1/products?page=1&per_page=100" >"$tmp/page1.json" || die "GET /api/v1/products failed"
total=$(jq -r '.total' "$tmp/page1.json")
if ! [[ "$total" =~ ^[0-9]+$ ]] || [ "$total" -eq 0 ]; then
  die "the list API reports total=$total products (is the demo shop loaded?)"
fi
jq -r '.items[].slug' "$tmp/page1.json" >"$tmp/slugs.txt"
pages=$(((total + 99) / 100))
for ((p = 2; p <= pages && p <= 100; p++)); do
  curl -fsS "$base/api/v1/products?page=$p&per_page=100" | jq -r '.items[].slug' >>"$tmp/slugs.txt" ||
    die "GET /api/v1/products?page=$p failed"
done
sort -u -o "$tmp/slugs.txt" "$tmp/slugs.txt"
say "$total products, $(wc -l <"$tmp/slugs.txt") distinct slugs"

# product_list: 24 items, one filter (a category, brand, colour, size or tag from the facets),
# a sort, the first pages of each.
jq -r '.facets as $f
  | ([$f.category[] | "category=\(.value)"] + [$f.brand[] | "brand=\(.value)"]
     + [$f.colour[] | "colour=\(.value)"] + [$f.size[] | "size=\(.value)"]
     + [$f.tag[] | "tag=\(.value)"])[] as $filter
  | ("newest", "price_asc", "price_desc", "best_selling") as $sort
  | (1, 2, 3) as $page
  | "/api/v1/products?\($filter)&sort=\($sort)&page=\($page)&per_page=24"' "$tmp/page1.json" |
  shuf --random-source=<(yes) >"$tmp/product_list.paths"
sed 's|^|/api/v1/products/|' "$tmp/slugs.txt" >"$tmp/product_detail.paths"
# search_typo: a word of a product's name and its noun, with one letter dropped from the longer
# ("organic dres", "cotton jens"), at each inner position.
awk -F- '{
    n = 0; for (i = 1; i <= NF; i++) if ($i !~ /^[0-9]+$/) w[++n] = $i
    for (i = 1; i < n; i++) {
      a = w[i]; b = w[n]
      long = length(b) >= length(a) ? b : a
      for (k = 2; k < length(long); k++) {
        typo = substr(long, 1, k - 1) substr(long, k + 1)
        if (long == b) print "/api/v1/search?q=" a "+" typo; else print "/api/v1/search?q=" typo "+" b
      }
    }
  }' "$tmp/slugs.txt" | sort -u | shuf --random-source=<(yes) >"$tmp/search_typo.paths"
# suggest: prefixes of 2 to 5 letters of the words in product names, alone and after another word.
awk -F- '{
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^[0-9]+$/) continue
      for (k = 2; k <= 5 && k <= length($i); k++) {
        print "/api/v1/search/suggest?q=" substr($i, 1, k)
        if (i > 1 && $(i - 1) !~ /^[0-9]+$/) print "/api/v1/search/suggest?q=" $(i - 1) "+" substr($i, 1, k)
      }
    }
  }' "$tmp/slugs.txt" | sort -u | shuf --random-source=<(yes) >"$tmp/suggest.paths"
# The signed-in scenarios: BENCH_ACCOUNTS customers, each signed up and signed in once, their
# sessions spread over the same product pages as product_detail (so the two compare the cost of
# the session lookup alone) and over /api/v1/me.
case " $SCENARIOS " in
  *" login "* | *" me "* | *" product_detail_signed_in "*)
    accounts=${BENCH_ACCOUNTS:-200}
    say "signing up and in $accounts customers"
    seq 1 "$accounts" | xargs -P 4 -I{} sh -c '
      body="{\"email\":\"bench-{}@example.com\",\"password\":\"bench password {} long\",\"name\":\"Bench {}\"}"
      curl -fsS -o /dev/null -H "Content-Type: application/json" -d "$body" "$1/api/v1/auth/signup" || exit 255
      curl -fsS -D - -o /dev/null -H "Content-Type: application/json" \
        -d "{\"email\":\"bench-{}@example.com\",\"password\":\"bench password {} long\"}" \
        "$1/api/v1/auth/login" | tr -d "\r" | sed -n "s/^[Ss]et-[Cc]ookie: fff_session=\([^;]*\).*/\1/p" > "$2/session-{}"
    ' _ "$base" "$tmp" || die "could not sign the bench customers up and in"
    for i in $(seq 1 "$accounts"); do
      printf 'bench-%s@example.com\tbench password %s long\n' "$i" "$i"
    done >"$tmp/accounts.tsv"
    cat "$tmp"/session-* | grep -v '^$' >"$tmp/sessions.txt"
    [ "$(wc -l <"$tmp/sessions.txt")" -eq "$accounts" ] || die "only $(wc -l <"$tmp/sessions.txt") of $accounts sign-ins gave a session"
    awk 'NR == FNR { s[n++] = $0; next } { print $0 "\t" s[(FNR - 1) % n] }' \
      "$tmp/sessions.txt" "$tmp/product_detail.paths" >"$tmp/product_detail_signed_in.paths"
    awk '{ print "/api/v1/me\t" $0 }' "$tmp/sessions.txt" >"$tmp/me.paths"
    ;;
esac

# The cart scenarios: SKUs of active products with at least 10 on hand (from the staff export),
# and BENCH_CARTS guest carts holding one line each, filled by wrk (cart_prep.lua) in 5 s rounds.
case " $SCENARIOS " in
  *" add_to_cart "* | *" checkout "*)
    curl -fsS -H "Authorization: Bearer $ADMIN_TOKEN" "$base/api/v1/admin/products/export?format=json" |
      jq -r '.products[] | select(.status == "active") | .variants[] | select(.on_hand >= 10) | .sku' |
      shuf --random-source=<(yes) >"$tmp/skus.txt" || die "could not read the catalog export"
    [ "$(wc -l <"$tmp/skus.txt")" -ge 1000 ] || die "only $(wc -l <"$tmp/skus.txt") SKUs with stock (want 1000)"
    : >"$tmp/carts.txt"
    say "preparing $CARTS carts from $(wc -l <"$tmp/skus.txt") in-stock SKUs"
    for round in $(seq 1 60); do
      wrk -t 1 -c "$CART_CONNECTIONS" -d 5s --timeout "$TIMEOUT" -s "$root/bench/scenarios/cart_prep.lua" \
        "$base" -- "$tmp/carts.txt" "$tmp/skus.txt" >"$tmp/cart_prep.out" 2>&1 || { cat "$tmp/cart_prep.out" >&2; die "cart preparation failed"; }
      [ "$(wc -l <"$tmp/carts.txt")" -ge "$CARTS" ] && break
    done
    sort -u -o "$tmp/carts.txt" "$tmp/carts.txt"
    shuf --random-source=<(yes) -o "$tmp/carts.txt" "$tmp/carts.txt"
    say "$(wc -l <"$tmp/carts.txt") carts ready"
    ;;
esac

# The storefront's HTML pages, as a visitor without cookies asks for them: every
# category of the sitemap under each sort and its first pages, and every product page.
curl -fsS "$base/sitemap.xml" >"$tmp/sitemap.xml" || die "GET /sitemap.xml failed"
grep -o '<loc>[^<]*</loc>' "$tmp/sitemap.xml" | sed -E 's|</?loc>||g; s|^https?://[^/]*||' >"$tmp/sitemap.paths"
grep '^/c/' "$tmp/sitemap.paths" | while read -r c; do
  for sort in newest price_asc price_desc popular; do
    for page in 1 2 3; do
      for size in "" xs s m l xl; do echo "$c?${size:+size=$size&}sort=$sort&page=$page"; done
    done
  done
done | shuf --random-source=<(yes) >"$tmp/page_category.paths"
grep '^/p/' "$tmp/sitemap.paths" | shuf --random-source=<(yes) >"$tmp/page_product.paths"

for s in product_list product_detail search_typo suggest page_category page_product; do
  n=$(wc -l <"$tmp/$s.paths")
  say "$s: $n distinct URLs"
  case " $SCENARIOS " in *" $s "*) [ "$n" -ge "$MIN_URLS" ] || die "$s has only $n distinct URLs (want $MIN_URLS; more products?)" ;; esac
done

# ---- scenarios -----------------------------------------------------------------------------
scen="$root/bench/scenarios"
# name -> "script|path|script args"
scenario_spec() {
  case "$1" in
    ceiling) echo "$scen/get.lua|/api/v1/ping|" ;;
    healthz) echo "$scen/get.lua|/healthz|" ;;
    page_home) echo "$scen/get.lua|/|" ;;
    page_category | page_product) echo "$scen/paths.lua|/|$tmp/$1.paths" ;;
    product_list | product_detail | search_typo | suggest | product_detail_signed_in | me)
      echo "$scen/paths.lua|/|$tmp/$1.paths" ;;
    login) echo "$scen/login.lua|/api/v1/auth/login|$tmp/accounts.tsv" ;;
    add_to_cart) echo "$scen/add_to_cart.lua|/|$tmp/carts.txt $tmp/skus.txt" ;;
    checkout) echo "$scen/checkout.lua|/api/v1/checkout|$tmp/carts.txt $THREADS" ;;
    *) return 1 ;;
  esac
}
for s in $SCENARIOS; do scenario_spec "$s" >/dev/null || die "unknown scenario '$s'"; done

: >"$tmp/results.jsonl"
for s in $SCENARIOS; do
  IFS='|' read -r script path arg <<<"$(scenario_spec "$s")"
  connections=$CONNECTIONS
  if [ "$s" = login ]; then connections=${BENCH_LOGIN_CONNECTIONS:-8}; fi
  if [ "$s" = add_to_cart ] || [ "$s" = checkout ]; then connections=$CART_CONNECTIONS; fi
  wrk_args=(-t "$THREADS" -c "$connections" --timeout "$TIMEOUT" -s "$script" "$base$path")
  extra=()
  # Script arguments are paths without spaces (under the mktemp dir) and numbers.
  if [ -n "$arg" ]; then read -r -a args_list <<<"$arg"; extra=(-- "${args_list[@]}"); fi
  if [ "$s" = checkout ]; then extra+=(0); fi  # carts used so far
  if [ "$WARMUP" != 0 ] && [ "$WARMUP" != 0s ]; then
    say "$s: warm-up $WARMUP"
    wrk -d "$WARMUP" "${wrk_args[@]}" "${extra[@]}" >"$tmp/$s.warmup" 2>&1 || { cat "$tmp/$s.warmup" >&2; die "$s: wrk failed"; }
    if [ "$s" = checkout ]; then  # the measured run starts with carts the warm-up left
      used=$(sed -n 's/^FFF_RESULT //p' "$tmp/$s.warmup" | jq '.requests')
      extra[${#extra[@]} - 1]=$((used + connections))
    fi
  fi
  what=$path
  if [ "$path" = / ]; then what="-s ${script#"$root"/}${arg:+ -- $arg}"; fi
  say "$s: wrk -t$THREADS -c$connections -d$DURATION --latency $what"
  wrk -d "$DURATION" --latency "${wrk_args[@]}" "${extra[@]}" >"$tmp/$s.out" 2>&1 || { cat "$tmp/$s.out" >&2; die "$s: wrk failed"; }
  kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$tmp/server.log" >&2; die "the server died during $s"; }
  result=$(sed -n 's/^FFF_RESULT //p' "$tmp/$s.out")
  [ -n "$result" ] || { cat "$tmp/$s.out" >&2; die "$s: no FFF_RESULT line from the Lua script"; }
  rss=$(rss_mb)
  jq -c --arg name "$s" --arg path "$path" --arg rss "$rss" --arg connections "$connections" \
    --rawfile wrk_output "$tmp/$s.out" '
    . as $r
    | ($r.duration_us / 1e6) as $secs
    | { scenario: $name, path: $path, connections: ($connections | tonumber),
        requests: $r.requests,
        rps: (if $secs > 0 then ($r.requests / $secs * 10 | round / 10) else 0 end),
        p50_ms: ($r.latency_us.p50 / 1000), p90_ms: ($r.latency_us.p90 / 1000),
        p99_ms: ($r.latency_us.p99 / 1000), max_ms: ($r.latency_us.max / 1000),
        mean_ms: (($r.latency_us.mean / 10 | round) / 100),
        non2xx: $r.non2xx, socket_errors: $r.socket_errors,
        errors: ($r.non2xx + ([$r.socket_errors[]] | add)),
        rss_mb: ($rss | tonumber? // null),
        duration_s: $secs, bytes: $r.bytes,
        wrk_output: $wrk_output }' <<<"$result" >>"$tmp/results.jsonl"
  say "$s: $(jq -r 'select(.scenario == "'"$s"'") | "\(.rps) req/s, p99 \(.p99_ms) ms, \(.errors) errors, RSS \(.rss_mb) MB"' "$tmp/results.jsonl")"
done

server_exit=""
stop_server
if [ "$server_exit" != 0 ]; then say "warning: the server exited with status $server_exit after SIGTERM (want 0)"; fi

# ---- report --------------------------------------------------------------------------------
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo none)
if [ "$commit" != none ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit-dirty"; fi
mkdir -p "$(dirname "$OUT")"
jq -s \
  --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --arg commit "$commit" \
  --arg nproc "$(nproc)" \
  --arg cpu "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
  --arg mem_mb "$(awk '/^MemTotal:/ {printf "%d", $2 / 1024}' /proc/meminfo)" \
  --arg kernel "$(uname -sr)" \
  --arg loadavg "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --arg wrk "$(wrk -v 2>&1 | head -1 || true)" \
  --arg fff_version "$("$fff" version 2>/dev/null | head -1 || true)" \
  --arg database "${BENCH_DATABASE_URL:+${BENCH_DATABASE_URL%%:*}}" \
  --arg rss_start "$rss_start" \
  --arg server_exit "$server_exit" \
  --arg threads "$THREADS" --arg connections "$CONNECTIONS" --arg duration "$DURATION" --arg warmup "$WARMUP" '
  (map(select(.scenario == "ceiling")) | first | .rps) as $ceiling
  | {
      date: $date,
      git_commit: $commit,
      fff_version: $fff_version,
      machine: { nproc: ($nproc | tonumber), cpu_model: $cpu, memory_mb: ($mem_mb | tonumber),
                 kernel: $kernel, loadavg_after: $loadavg },
      settings: { wrk: $wrk, threads: ($threads | tonumber), connections: ($connections | tonumber),
                  duration: $duration, warmup: $warmup,
                  database: (if $database == "" then "sqlite" else $database end),
                  server_log_level: "warn" },
      server: { rss_mb_at_start: ($rss_start | tonumber? // null), exit_status_on_sigterm: ($server_exit | tonumber? // null) },
      scenarios: map(. + { ratio_to_ceiling: (if $ceiling and $ceiling > 0 then ((.rps / $ceiling * 1000 | round) / 1000) else null end) })
    }
  # Checkout against its target: every checkout answer is an order.
  | (.scenarios | map(select(.scenario == "checkout")) | first) as $co
  | if $co then
      .checkout = { orders_per_s: $co.rps, p99_ms: $co.p99_ms, errors: $co.errors,
                    connections: $co.connections, target_orders_per_s: 500, target_p99_ms: 50,
                    meets_target: ($co.errors == 0 and $co.rps >= 500 and $co.p99_ms <= 50) }
    else . end
  # What a session costs: the same product pages signed in and anonymous, in one run.
  | (.scenarios | map(select(.scenario == "product_detail")) | first) as $anon
  | (.scenarios | map(select(.scenario == "product_detail_signed_in")) | first) as $signed
  | if $anon and $signed then
      .session_overhead = { p99_ms_anonymous: $anon.p99_ms, p99_ms_signed_in: $signed.p99_ms,
                            p99_ratio: (($signed.p99_ms / $anon.p99_ms * 100 | round) / 100),
                            rps_ratio: (($signed.rps / $anon.rps * 100 | round) / 100) }
    else . end' "$tmp/results.jsonl" >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"

echo
printf '%-16s %10s %9s %9s %8s %9s %8s\n' scenario "req/s" "p50 ms" "p99 ms" errors "/ceiling" "RSS MB"
jq -r '.scenarios[] | [.scenario, .rps, .p50_ms, .p99_ms, .errors, (.ratio_to_ceiling // "-"), (.rss_mb // "-")] | @tsv' "$OUT" |
  while IFS=$'\t' read -r name rps p50 p99 errors ratio rss; do
    if [ "$ratio" != - ]; then ratio=$(printf '%.2f' "$ratio"); fi
    if [ "$rss" != - ]; then rss=$(printf '%.1f' "$rss"); fi
    printf '%-16s %10.0f %9.2f %9.2f %8s %9s %8s\n' "$name" "$rps" "$p50" "$p99" "$errors" "$ratio" "$rss"
  done
echo
jq -r '"machine: \(.machine.nproc) cpu (\(.machine.cpu_model)), \(.machine.memory_mb) MB, \(.machine.kernel), load \(.machine.loadavg_after)"' "$OUT"
jq -r '"settings: \(.settings.wrk | split(" ")[0:2] | join(" ")) -t\(.settings.threads) -c\(.settings.connections) -d\(.settings.duration) on loopback, \(.settings.database), commit \(.git_commit)"' "$OUT"
jq -r 'select(.checkout) | .checkout | "checkout: \(.orders_per_s) orders/s, p99 \(.p99_ms) ms at -c\(.connections) (target >= 500 orders/s, p99 <= 50 ms: \(if .meets_target then "met" else "NOT met" end))"' "$OUT"
jq -r 'select(.session_overhead) | .session_overhead | "session lookup: product page p99 \(.p99_ms_signed_in) ms signed in vs \(.p99_ms_anonymous) ms anonymous (x\(.p99_ratio)); throughput x\(.rps_ratio)"' "$OUT"
echo "results: ${OUT#"$root"/}"

errors=$(jq '[.scenarios[].errors] | add // 0' "$OUT")
if [ "$errors" -gt 0 ]; then
  say "$errors responses were errors (non-2xx or socket errors); see wrk_output in ${OUT#"$root"/}"
  [ "${BENCH_ALLOW_ERRORS:-0}" = 1 ] || exit 1
fi
