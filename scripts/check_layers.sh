#!/usr/bin/env bash
# Checks the include graph of src/ against the layers in docs (DESIGN.md "Layout"):
#
#   core  <-  infra  <-  modules, ai  <-  flows  <-  web  <-  app
#
# A file may include headers from its own layer and the layers to its left, never from the right.
# `app` is the composition root, so it may include `web`, and nothing may include `app`.
# A module never includes another module: src/modules/X may not include "modules/Y/..." (Y != X).
# Includes are rooted at src/; a quoted include that climbs out with "../" is reported too, because
# the rule cannot be checked through it.
#
#   scripts/check_layers.sh [SRC_DIR]    check SRC_DIR (default: src/ of this repository)
#   scripts/check_layers.sh --self-test  run the checker on small trees with known answers
#
# Prints one line per violation, `path:line: message`, and exits 1 when there is any.
set -euo pipefail

# Layer rank of each top-level folder of src/. Same rank = may include each other, except modules.
# A new top-level folder must be placed here on purpose; an unknown one is an error.
LAYERS="core=0 infra=1 modules=2 ai=2 flows=3 web=4 app=5"

check_tree() {
  local src=${1%/}
  [ -d "$src" ] || { echo "check_layers: no such directory: $src" >&2; return 2; }
  local files
  files=$(cd "$src" && find . -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' -o -name '*.cc' \
    -o -name '*.ipp' -o -name '*.inc' \) | sed 's|^\./||' | LC_ALL=C sort)
  # Top-level folders that hold sources must all be known layers.
  local bad=0 top
  for top in $(printf '%s\n' "$files" | awk -F/ 'NF > 1 {print $1}' | sort -u); do
    if ! tr ' ' '\n' <<<"$LAYERS" | grep -q "^$top="; then
      echo "$src/$top: unknown layer '$top' (place it in LAYERS in scripts/check_layers.sh)"
      bad=1
    fi
  done
  [ -n "$files" ] || { echo "check_layers: no C++ files under $src" >&2; return $bad; }

  # shellcheck disable=SC2016 # the awk program is single-quoted on purpose
  (cd "$src" && printf '%s\n' "$files" | tr '\n' '\0' | xargs -0 awk -v layers="$LAYERS" -v prefix="$src/" '
    BEGIN {
      n = split(layers, pairs, " ")
      for (i = 1; i <= n; i++) { split(pairs[i], kv, "="); rank[kv[1]] = kv[2] + 0 }
    }
    FNR == 1 {
      np = split(FILENAME, part, "/")
      from = part[1]
      from_module = (from == "modules" && np > 2) ? part[2] : ""
      in_comment = 0
    }
    {
      # Drop comments so that a commented-out include is not counted (// needs nothing: an include
      # line must start with #).
      line = ""; rest = $0
      while (rest != "") {
        if (in_comment) {
          k = index(rest, "*/"); if (k == 0) { rest = "" } else { rest = substr(rest, k + 2); in_comment = 0 }
        } else {
          k = index(rest, "/*"); if (k == 0) { line = line rest; rest = "" } else { line = line substr(rest, 1, k - 1); rest = substr(rest, k + 2); in_comment = 1 }
        }
      }
      if (line !~ /^[ \t]*#[ \t]*include[ \t]*"/) next
      target = line
      sub(/^[ \t]*#[ \t]*include[ \t]*"/, "", target)
      sub(/".*$/, "", target)
      where = prefix FILENAME ":" FNR ": "
      if (target ~ /(^|\/)\.\.\//) {
        printf "%s%s includes \"%s\": relative include climbs out of its folder; root it at src/\n", where, from, target
        bad = 1; next
      }
      nt = split(target, tp, "/")
      to = tp[1]
      if (nt < 2 || !(to in rank) || !(from in rank)) next   # same-folder or third-party header
      if (rank[to] > rank[from]) {
        printf "%s%s must not include %s (\"%s\")\n", where, from, to, target
        bad = 1
      } else if (rank[to] == rank[from] && to != from) {
        printf "%s%s must not include %s (\"%s\"): same layer, different folder\n", where, from, to, target
        bad = 1
      } else if (to == "modules" && nt > 2) {
        if (from == "modules" && from_module != "" && tp[2] != from_module) {
          printf "%smodule %s must not include module %s (\"%s\"); use a flow or an event\n", where, from_module, tp[2], target
          bad = 1
        }
      }
    }
    END { exit bad }
  ') || bad=1
  return $bad
}

self_test() (
  local tmp fails=0
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_layers.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  mk() { mkdir -p "$(dirname "$tmp/$1")"; printf '%b' "$2" >"$tmp/$1"; }

  # A clean tree: every allowed edge once.
  mk good/core/money.hpp '#pragma once\n#include <string>\n#include "core/error.hpp"\n'
  mk good/core/error.hpp '#pragma once\n'
  mk good/infra/db/database.hpp '#include "core/error.hpp"\n#include "infra/db/row.hpp"\n#include "row.hpp"\n'
  mk good/modules/catalog/service.hpp '#include "infra/db/database.hpp"\n#include "modules/catalog/model.hpp"\n#include "modules/module.hpp"\n'
  mk good/modules/order/service.cpp '#include "modules/order/service.hpp"\n// #include "modules/catalog/service.hpp"\n/* #include "web/page.hpp" */\n'
  mk good/flows/checkout.cpp '#include "modules/catalog/service.hpp"\n#include "modules/order/service.hpp"\n'
  mk good/web/storefront/home.cpp '#include "flows/checkout.hpp"\n#include <boost/beast.hpp>\n'
  mk good/app/main.cpp '#include "web/storefront/home.hpp"\n#include "flows/checkout.hpp"\n'

  # Each bad tree holds one violation; the expected message fragment follows it.
  local -a cases=(
    'core/money.cpp|#include "infra/db/database.hpp"|core/money.cpp:2: core must not include infra'
    'infra/http/router.cpp|#include "modules/catalog/api.hpp"|infra/http/router.cpp:2: infra must not include modules'
    'modules/cart/service.cpp|#include "modules/catalog/store.hpp"|module cart must not include module catalog'
    'modules/cart/service.cpp|#  include "flows/checkout.hpp"|modules must not include flows'
    'flows/checkout.cpp|#include "web/storefront/cart.hpp"|flows must not include web'
    'web/admin/orders.cpp|#include "app/app.hpp"|web must not include app'
    'modules/cart/service.cpp|#include "ai/recommend.hpp"|modules must not include ai'
    'core/id.cpp|#include "../infra/db/database.hpp"|relative include climbs out'
    'misc/thing.cpp|#include "core/id.hpp"|unknown layer'
  )
  local c file line want out rc
  if out=$(check_tree "$tmp/good" 2>&1); then
    echo "self-test ok: clean tree passes"
  else
    echo "self-test FAILED: clean tree was rejected:"; echo "$out"; fails=$((fails + 1))
  fi
  local i=0
  for c in "${cases[@]}"; do
    i=$((i + 1))
    IFS='|' read -r file line want <<<"$c"
    rm -rf "$tmp/bad$i"; cp -r "$tmp/good" "$tmp/bad$i"
    mkdir -p "$(dirname "$tmp/bad$i/$file")"
    printf '#pragma once\n%s\n' "$line" >"$tmp/bad$i/$file"
    rc=0; out=$(check_tree "$tmp/bad$i" 2>&1) || rc=$?
    if [ "$rc" -ne 0 ] && grep -qF -- "$want" <<<"$out"; then
      echo "self-test ok: rejects $file: $line"
    else
      echo "self-test FAILED: $file with '$line' gave exit $rc, wanted a message containing '$want':"
      echo "$out"; fails=$((fails + 1))
    fi
  done
  if [ "$fails" -ne 0 ]; then echo "check_layers self-test: $fails case(s) failed"; return 1; fi
  echo "check_layers self-test: $((i + 1)) cases passed"
)

case "${1:-}" in
  --self-test) self_test ;;
  -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *)
    root=$(cd "$(dirname "$0")/.." && pwd)
    src=${1:-$root/src}
    if check_tree "$src"; then
      echo "check_layers: ok ($(find "$src" -type f \( -name '*.hpp' -o -name '*.cpp' \) | wc -l) files under $src)"
    else
      echo "check_layers: include rules broken (see DESIGN.md, Layout; scripts/check_layers.sh --help)" >&2
      exit 1
    fi
    ;;
esac
