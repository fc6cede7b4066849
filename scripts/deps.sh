#!/usr/bin/env bash
# Installs every Debian package FFF needs to build, run, test and benchmark.
# Idempotent: runs `apt-get update` only when a package is missing, and installs only what is missing.
# Never installs libboost-dev (Boost 1.74), which conflicts with libboost1.81-dev.
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libsqlite3-dev libpq-dev libspdlog-dev libfmt-dev libcli11-dev libsodium-dev libxapian-dev
  libvips-dev libhiredis-dev libssl-dev john-data
  libcurl4-openssl-dev libkainjow-mustache-dev libjs-bootstrap5 zlib1g-dev
)
test_pkgs=(
  libgtest-dev libgmock-dev postgresql redis-server clang-format iproute2 nginx-light curl jq
  chromium
)
bench_pkgs=(wrk jq iproute2)
scan_pkgs=(sqlmap wapiti jq curl iproute2)

want=("${build_pkgs[@]}")
case "${1:-all}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${bench_pkgs[@]}") ;;
  scan) want+=("${scan_pkgs[@]}") ;;
  all) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|bench|scan|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
# Node.js may come from another source than Debian (its nodejs conflicts with Debian's npm):
# ask for Debian's packages only when no node/npm is on the PATH.
if [ "${1:-all}" = test ] || [ "${1:-all}" = all ]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "deps: installing ${missing[*]}" >&2
$sudo apt-get update -o DPkg::Lock::Timeout=600 -qq
$sudo apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
