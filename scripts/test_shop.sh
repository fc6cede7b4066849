# Sourced by scripts/e2e.sh and scripts/lighthouse.sh: a fresh demo shop served by a given `fff`
# binary on a free loopback port, stopped by the caller's exit trap.
#
#   source scripts/test_shop.sh
#   shop_start BIN LOG [PRODUCTS]   → sets shop_url, shop_pid, shop_data, shop_admin_token (exported
#                                     as FFF_ADMIN_TOKEN for the tests); returns 1 (with the
#                                     log's tail on stderr) when it is not ready in 5 minutes
#   shop_stop                       → SIGTERM, then SIGKILL after 15 s; removes the data dir
#                                     unless SHOP_KEEP_DATA=1
# shellcheck shell=bash

shop_pid=""
shop_url=""
shop_data=""
shop_admin_token=""

shop_free_port() {
  local p
  for p in $(shuf -i 20000-29999 -n 100); do
    if [ -z "$(ss -ltnH "sport = :$p" 2>/dev/null)" ]; then echo "$p"; return 0; fi
  done
  return 1
}

shop_start() {
  local bin=$1 log=$2 products=${3:-200} port t0=$SECONDS
  port=$(shop_free_port) || { echo "shop: no free port" >&2; return 1; }
  shop_url="http://127.0.0.1:$port"
  shop_data=$(mktemp -d "${TMPDIR:-/tmp}/fff-shop.XXXXXX")
  # The bootstrap admin token: the admin tests make their staff accounts with it.
  shop_admin_token="e2e-admin-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  export FFF_ADMIN_TOKEN="$shop_admin_token"
  # A shop of its own: no config file, SQLite in the fresh data dir, this process's memory for the
  # shared state; cheap password hashes (tests sign up and in); a small demo catalog with its
  # pictures (screenshots and Lighthouse should see a real-looking shop).
  env -u FFF_CONFIG -u FFF_DATABASE_URL -u FFF_REDIS_URL -u FFF_KV_PREFIX \
    FFF_DEMO=true FFF_DEMO_PRODUCTS="$products" FFF_DEMO_IMAGES=true \
    FFF_PASSWORD_HASH=min FFF_LOG_LEVEL=info FFF_PUBLIC_URL="$shop_url" \
    FFF_RATE_LIMIT_SENSITIVE=1000 \
    "$bin" serve --listen "127.0.0.1:$port" --data-dir "$shop_data/data" >"$log" 2>&1 &
  shop_pid=$!
  # Up to 5 minutes: a sanitizer build draws the demo pictures slowly.
  for _ in $(seq 1 1500); do
    if curl -fsS -o /dev/null --max-time 2 "$shop_url/readyz" 2>/dev/null; then
      echo "shop: ready at $shop_url in $((SECONDS - t0))s ($bin, $products demo products)"
      return 0
    fi
    kill -0 "$shop_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "shop: the server did not become ready at $shop_url; its log ends:" >&2
  tail -n 30 "$log" >&2
  return 1
}

shop_stop() {
  if [ -n "$shop_pid" ]; then
    kill -TERM "$shop_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$shop_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$shop_pid" 2>/dev/null || true
    wait "$shop_pid" 2>/dev/null || true
    shop_pid=""
  fi
  if [ -n "$shop_data" ]; then
    if [ "${SHOP_KEEP_DATA:-0}" = 1 ]; then echo "shop: data dir kept: $shop_data"; else rm -rf "$shop_data"; fi
    shop_data=""
  fi
}
