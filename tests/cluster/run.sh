#!/usr/bin/env bash
# Several nodes, one shop: two `fff serve` processes on one PostgreSQL database and one Redis,
# behind nginx, exactly as README "Scaling out" describes — and checks that what must be shared
# is shared:
#   - nginx spreads requests over both nodes;
#   - the rate budget of a client address is one budget across the nodes (Redis), not one each;
#   - the client address is nginx's X-Forwarded-For hop, and a client cannot spoof it;
#   - a session started on one node is valid on the other, its CSRF token too, and signing out on
#     one ends it on both;
#   - a catalog change made on one node reaches the other node's search index (the outbox tail).
#
#   tests/cluster/run.sh PATH/TO/fff     (needs FFF_TEST_POSTGRES_URL and FFF_TEST_REDIS_URL,
#                                         which scripts/services.sh provides; nginx, curl, jq, psql)
# Everything it starts is stopped on exit, also after a failure.
set -euo pipefail

fff=$(cd "$(dirname "${1:?usage: $0 PATH/TO/fff}")" && pwd)/$(basename "$1")
: "${FFF_TEST_POSTGRES_URL:?FFF_TEST_POSTGRES_URL is not set (scripts/services.sh start)}"
: "${FFF_TEST_REDIS_URL:?FFF_TEST_REDIS_URL is not set (scripts/services.sh start)}"
for tool in nginx curl jq psql ss; do
  command -v "$tool" >/dev/null 2>&1 || { echo "cluster: $tool not found (scripts/deps.sh test)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fff-cluster.XXXXXX")
chmod 755 "$tmp"  # nginx workers run as another user
db="fff_cluster_$$"
server_url=${FFF_TEST_POSTGRES_URL%/*}
pids=()
failures=0

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  psql -q "$FFF_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "$rc" -ne 0 ]; then
    for f in "$tmp"/*.log; do echo "---- $f (tail)"; tail -n 15 "$f"; done >&2
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "cluster: $*"; }
check() {  # check NAME CONDITION-RESULT DETAIL
  if [ "$2" = yes ]; then say "PASS $1"; else say "FAIL $1: $3"; failures=$((failures + 1)); fi
}
free_port() {
  local p
  for p in $(shuf -i 19000-19999 -n 100); do
    if [ -z "$(ss -ltnH "sport = :$p" 2>/dev/null)" ]; then echo "$p"; return 0; fi
  done
  return 1
}

psql -q "$FFF_TEST_POSTGRES_URL" -c "CREATE DATABASE $db" >/dev/null

# ---- two nodes ------------------------------------------------------------------------------
budget=30
start_node() {  # start_node NAME PORT
  mkdir -p "$tmp/$1"
  env -u FFF_CONFIG FFF_DATABASE_URL="$server_url/$db" FFF_REDIS_URL="$FFF_TEST_REDIS_URL" \
    FFF_KV_PREFIX="cluster-$$:" FFF_SESSION_SECRET="cluster-session-secret-0123456789abcdef" \
    FFF_ADMIN_TOKEN="cluster-admin-token-0123456789" FFF_TRUSTED_PROXIES=127.0.0.1 \
    FFF_RATE_LIMIT_GLOBAL=$budget FFF_DEMO_PRODUCTS=40 FFF_DEMO_IMAGES=0 FFF_LOG_LEVEL=warn \
    FFF_PASSWORD_HASH=min \
    "$fff" serve --listen "127.0.0.1:$2" --data-dir "$tmp/$1/data" >"$tmp/$1.log" 2>&1 &
  pids+=($!)
}
wait_ready() {
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/readyz" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}
port_a=$(free_port)
start_node a "$port_a"
wait_ready "$port_a" || { say "node a never became ready"; exit 1; }
port_b=$(free_port)
start_node b "$port_b"
wait_ready "$port_b" || { say "node b never became ready"; exit 1; }
say "nodes on :$port_a and :$port_b, database $db, Redis $FFF_TEST_REDIS_URL"

# ---- nginx in front ---------------------------------------------------------------------------
port_lb=$(free_port)
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  upstream fff { server 127.0.0.1:$port_a; server 127.0.0.1:$port_b; }
  server {
    listen 127.0.0.1:$port_lb;
    location / {
      proxy_pass http://fff;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      add_header X-Upstream \$upstream_addr always;
    }
  }
}
CONF
nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" -g 'daemon off;' 2>>"$tmp/nginx.log" &
pids+=($!)
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port_lb/healthz" 2>/dev/null && break
  sleep 0.1
done
lb="http://127.0.0.1:$port_lb"
say "nginx on :$port_lb"

# Each check is a different client address (curl --interface 127.0.0.N): loopback answers for all
# of 127/8, and none of them is a trusted proxy, so each has a budget of its own.
upstream_of() { curl -sS -o /dev/null -D - --interface "$1" "$lb$2" | tr -d '\r' | awk 'tolower($1) == "x-upstream:" {print $2}'; }

# 1. Both nodes serve.
seen=$(for _ in 1 2 3 4 5 6; do upstream_of 127.0.0.11 /api/v1/ping; done | sort -u | wc -l)
check "nginx spreads requests over both nodes" "$([ "$seen" -eq 2 ] && echo yes || echo no)" "saw $seen upstream(s)"

# 2. One budget per client address across the nodes.
statuses=$(for _ in $(seq 1 $((budget + 1))); do
  curl -sS -o /dev/null -w '%{http_code}\n' --interface 127.0.0.12 "$lb/api/v1/ping"; done)
ok=$(grep -c '^200$' <<<"$statuses" || true)
last=$(tail -n 1 <<<"$statuses")
check "the rate budget is shared by the nodes" \
  "$([ "$ok" -eq "$budget" ] && [ "$last" = 429 ] && echo yes || echo no)" \
  "$ok of $((budget + 1)) answered 200 (want $budget) and the last $last (want 429)"
other=$(curl -sS -o /dev/null -w '%{http_code}' --interface 127.0.0.13 "$lb/api/v1/ping")
check "another client address keeps its own budget" "$([ "$other" = 200 ] && echo yes || echo no)" "got $other"

# 3. A spoofed X-Forwarded-For does not buy a fresh budget: nginx appends the real address, and
#    the nodes believe only the hop nginx added.
statuses=$(for i in $(seq 1 $((budget + 1))); do
  curl -sS -o /dev/null -w '%{http_code}\n' --interface 127.0.0.14 -H "X-Forwarded-For: 198.51.100.$i" "$lb/api/v1/ping"; done)
last=$(tail -n 1 <<<"$statuses")
check "a client cannot spoof its address through nginx" "$([ "$last" = 429 ] && echo yes || echo no)" "the request over budget answered $last"

# 4. Sessions: signed in on node a, used on node b, signed out on b, dead on a.
node_a="http://127.0.0.1:$port_a" node_b="http://127.0.0.1:$port_b"
email="cluster-$$@example.com" password="cluster password $$ long"
curl -sS -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Cluster Shopper\"}" "$node_a/api/v1/auth/signup"
headers=$(curl -sS -o /dev/null -D - -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$node_a/api/v1/auth/login" | tr -d '\r')
session=$(awk -F'[=;]' 'tolower($1) == "set-cookie: fff_session" {print $2; exit}' <<<"$headers")
csrf=$(awk 'tolower($1) == "x-csrf-token:" {print $2; exit}' <<<"$headers")
check "signing in on node a gives a session and its CSRF token" \
  "$([ -n "$session" ] && [ -n "$csrf" ] && echo yes || echo no)" "session '${session:0:6}…', csrf '${csrf:0:6}…'"
me_b=$(curl -sS "$node_b/api/v1/me" -H "Cookie: fff_session=$session" | jq -r '.email // empty')
check "node b knows node a's session" "$([ "$me_b" = "$email" ] && echo yes || echo no)" "GET /me on b gave '$me_b'"
renamed=$(curl -sS -o /dev/null -w '%{http_code}' -X PATCH "$node_b/api/v1/me" -H "Cookie: fff_session=$session" \
  -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d '{"name":"Renamed On B"}')
check "node a's CSRF token is valid on node b" "$([ "$renamed" = 200 ] && echo yes || echo no)" "PATCH /me on b answered $renamed"
out=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$node_b/api/v1/auth/logout" -H "Cookie: fff_session=$session" -H "X-CSRF-Token: $csrf")
after=$(curl -sS -o /dev/null -w '%{http_code}' "$node_a/api/v1/me" -H "Cookie: fff_session=$session")
check "signing out on node b ends the session on node a" \
  "$({ [ "$out" = 200 ] || [ "$out" = 204 ]; } && [ "$after" = 401 ] && echo yes || echo no)" "logout on b: $out, then /me on a: $after"

# 5. Each node keeps its own search index: a product staff create on node a is found by search
#    on node b within a second or two (node b tails catalog.changed from the shared outbox).
word="zephyrine$$"
created=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$node_a/api/v1/admin/products" \
  -H "Authorization: Bearer cluster-admin-token-0123456789" -H 'Content-Type: application/json' \
  -d "{\"slug\":\"$word-blouse\",\"title\":\"${word^} Blouse\",\"status\":\"active\",\"variants\":[{\"sku\":\"ZPH-$$-M\",\"size\":\"m\",\"colour\":\"white\",\"price\":\"30.00\"}]}")
found_after=""
started=$(date +%s%N)
for _ in $(seq 1 50); do
  hits=$(curl -sS "$node_b/api/v1/search?q=$word" | jq -r '.total // 0')
  if [ "$hits" -ge 1 ]; then found_after=$(( ($(date +%s%N) - started) / 1000000 )); break; fi
  sleep 0.1
done
check "a product created on node a is found by search on node b" \
  "$([ "$created" = 201 ] && [ -n "$found_after" ] && echo yes || echo no)" \
  "create on a: $created; found on b after ${found_after:-never (5 s)} ms"

if [ "$failures" -gt 0 ]; then say "$failures check(s) failed"; exit 1; fi
say "all checks passed"
