#!/usr/bin/env bash
# `make scan`: attack a running shop the way an intruder's tools would, and fail on any finding.
#
# Builds build/release (target fff), serves a fresh demo shop on a free loopback port, signs a
# customer up and in, then runs
#   - sqlmap (SQL injection) against the sign-in, sign-up, password reset, search, suggest,
#     product list and product page endpoints, query parameters, JSON body fields and path
#     segments alike;
#   - wapiti (SQL injection, XSS, command execution, file disclosure, CRLF, open redirects) from
#     the same start URLs.
# sqlmap exits 0 whatever it finds (notes/toolchain.md): its per-target results CSV and its log
# are read instead. Any 500 the scanners provoke is a finding too (a crash is an anomaly).
# Reports land in build/scan/ (kept). Not part of `make test`: a full scan takes minutes.
#
# Env: SCAN_FFF (use this binary, do not build), SCAN_LEVEL (sqlmap --level, default 2),
#      SCAN_RISK (sqlmap --risk, default 1).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out="$root/build/scan"
rm -rf "$out"
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fff-scan.XXXXXX")
server_pid=""
say() { echo "scan: $*" >&2; }
die() { say "error: $*"; exit 1; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  cp "$tmp/server.log" "$out/server.log" 2>/dev/null || true
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT TERM

for tool in sqlmap wapiti curl jq; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh scan installs it)"
done

if [ -n "${SCAN_FFF:-}" ]; then
  fff=$SCAN_FFF
else
  gen=()
  if [ ! -f build/release/CMakeCache.txt ]; then
    if command -v ninja >/dev/null 2>&1; then gen=(-G Ninja); else gen=(-G "Unix Makefiles"); fi
  fi
  cmake -S . -B build/release "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DFFF_TESTS=OFF >/dev/null
  cmake --build build/release -j "$(nproc)" --target fff
  fff=build/release/fff
fi

port=""
for p in $(shuf -i 18600-18799 -n 50); do
  if [ -z "$(ss -ltnH "sport = :$p" 2>/dev/null)" ]; then port=$p; break; fi
done
[ -n "$port" ] || die "no free port"
base="http://127.0.0.1:$port"
# Rate limits would answer the scanners' thousands of requests with 429 and hide what is behind
# them; the scan is about what the handlers do, so the budgets are lifted for it.
env -u FFF_DATABASE_URL -u FFF_REDIS_URL FFF_LOG_LEVEL=warn FFF_DEMO_PRODUCTS=300 \
  FFF_DEMO_IMAGES=0 FFF_RATE_LIMIT_GLOBAL=0 FFF_RATE_LIMIT_SENSITIVE=0 \
  "$fff" serve --listen "127.0.0.1:$port" --data-dir "$tmp/data" >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null --max-time 2 "$base/readyz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || die "the server exited: $(tail -5 "$tmp/server.log")"
  sleep 0.2
done
curl -fsS -o /dev/null "$base/readyz" || die "the server never became ready"
say "shop on $base"

slug=$(curl -fsS "$base/api/v1/products?per_page=1" | jq -r '.items[0].slug')
email="scan-$(date +%s)@example.com"
password="correct horse battery staple 42"
curl -sS -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Scan Shopper\"}" \
  "$base/api/v1/auth/signup" || true
cookie=$(curl -sS -D - -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$base/api/v1/auth/login" |
  awk -F'[=;]' 'tolower($1) ~ /^set-cookie: fff_session$/ {print $2; exit}')
[ -n "$cookie" ] || die "could not sign the scanning customer in (see $tmp/server.log)"
say "signed in as $email"

json='Content-Type: application/json'
# name|url|extra sqlmap arguments (a '*' marks a path segment to inject into)
targets=(
  "login|$base/api/v1/auth/login|--data={\"email\":\"$email\",\"password\":\"wrong password 123\"} -H=$json"
  "signup|$base/api/v1/auth/signup|--data={\"email\":\"new@example.com\",\"password\":\"another long pass 9\",\"name\":\"N\"} -H=$json"
  "forgot|$base/api/v1/auth/password/forgot|--data={\"email\":\"$email\"} -H=$json"
  "search|$base/api/v1/search?q=red+dress&sort=relevance&page=1&size=m|"
  "suggest|$base/api/v1/search/suggest?q=dre|"
  "list|$base/api/v1/products?category=women&brand=aurora&colour=red&sort=price_asc&price_min=10&page=2|"
  "product|$base/api/v1/products/$slug*|"
  "me|$base/api/v1/me|--cookie=fff_session=$cookie --level=3"
)

findings=0
for t in "${targets[@]}"; do
  IFS='|' read -r name url extra <<<"$t"
  args=()
  # Split "--opt=value -H=value" pairs; values may hold spaces inside JSON, so split on " --"/" -H=".
  while [ -n "$extra" ]; do
    item=${extra%% -[-H]*}
    if [ "$item" = "$extra" ]; then extra=""; else extra=${extra#"$item" }; fi
    case "$item" in
      -H=*) args+=(-H "${item#-H=}") ;;
      *) args+=("$item") ;;
    esac
  done
  say "sqlmap: $name"
  # 401 (a wrong password) and 429 (a lockout or a budget) are answers to read, not reasons to
  # stop: without --ignore-code sqlmap gives up on the sign-in endpoint at its first request.
  sqlmap -u "$url" "${args[@]}" --batch --flush-session --level="${SCAN_LEVEL:-2}" \
    --ignore-code=401,429 \
    --risk="${SCAN_RISK:-1}" --threads=2 --output-dir="$out/sqlmap-$name" \
    --results-file="$out/sqlmap-$name.csv" >"$out/sqlmap-$name.log" 2>&1 || true
  if grep -qiE "is vulnerable|appears to be injectable|sqlmap identified the following injection" \
      "$out/sqlmap-$name.log" ||
     { [ -f "$out/sqlmap-$name.csv" ] && [ "$(wc -l <"$out/sqlmap-$name.csv")" -gt 1 ]; }; then
    say "FINDING: sqlmap reports an injection in $name (see $out/sqlmap-$name.log)"
    findings=$((findings + 1))
  else
    tested=$(grep -ciE "testing '" "$out/sqlmap-$name.log" || true)
    if [ "$tested" -eq 0 ]; then
      # A target sqlmap could not even test (a 404, a refused request) proves nothing.
      say "FINDING: sqlmap ran no test against $name (see $out/sqlmap-$name.log)"
      findings=$((findings + 1))
    else
      say "  clean: $tested injection tests, none took"
    fi
  fi
done

say "wapiti"
starts=()
for t in "${targets[@]}"; do
  IFS='|' read -r _ url _ <<<"$t"
  case "$url" in *'*') ;; *) starts+=(-s "$url") ;; esac
done
wapiti -u "$base/api/v1/" "${starts[@]}" -s "$base/api/v1/products/$slug" --scope folder \
  -m sql,blindsql,xss,permanentxss,exec,file,crlf,redirect --flush-session \
  --max-scan-time 600 -f json -o "$out/wapiti.json" >"$out/wapiti.log" 2>&1 || true
[ -f "$out/wapiti.json" ] || die "wapiti wrote no report (see $out/wapiti.log)"
wapiti_vulns=$(jq '[.vulnerabilities[] | length] | add // 0' "$out/wapiti.json")
wapiti_anomalies=$(jq '[.anomalies[] | length] | add // 0' "$out/wapiti.json")
say "wapiti: $wapiti_vulns vulnerabilities, $wapiti_anomalies anomalies"
if [ "$wapiti_vulns" -gt 0 ] || [ "$wapiti_anomalies" -gt 0 ]; then
  jq '{vulnerabilities: (.vulnerabilities | with_entries(select(.value | length > 0))),
       anomalies: (.anomalies | with_entries(select(.value | length > 0)))}' "$out/wapiti.json" >&2
  findings=$((findings + 1))
fi

if grep -q '"status":5[0-9][0-9]' "$tmp/server.log"; then
  say "FINDING: the server answered 5xx during the scan"
  findings=$((findings + 1))
fi

requests=$(curl -fsS "$base/metrics" | awk '/^fff_http_requests_total/ {n += $2} END {print n + 0}')
say "summary: ${#targets[@]} sqlmap targets, wapiti from ${#starts[@]} start URLs; the shop served $requests requests; findings: $findings"
[ "$findings" -eq 0 ]
