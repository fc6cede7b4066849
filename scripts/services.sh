#!/usr/bin/env bash
# Throwaway PostgreSQL 15 and Redis on loopback for the tests: no systemd, no persistence, free ports.
#
#   scripts/services.sh start   start both (no-op when this state dir already runs them); prints the env
#   scripts/services.sh env     print the env file:  eval "$(scripts/services.sh env)"
#   scripts/services.sh status  say what runs
#   scripts/services.sh stop    stop both by pidfile and remove every dir it made (no-op when none)
#
# State lives in $FFF_SERVICES_DIR (default /tmp/fff-services-$UID): pids, ports, logs, and `env`, which
# exports FFF_TEST_POSTGRES_URL and FFF_TEST_REDIS_URL. Two runs that must not share services use two
# state dirs (scripts/test.sh makes its own).
#
# PostgreSQL runs as the `postgres` user when we are root (initdb refuses root) and as ourselves
# otherwise; its data dir is a fresh dir under /tmp so that the `postgres` user can traverse its parents.
# Ports come from FFF_PG_PORTS / FFF_REDIS_PORTS ranges ("LOW-HIGH"), checked free with `ss -ltn`.
set -euo pipefail

PGBIN=${FFF_PGBIN:-/usr/lib/postgresql/15/bin}
STATE_DIR=${FFF_SERVICES_DIR:-${TMPDIR:-/tmp}/fff-services-$(id -u)}
PG_PORTS=${FFF_PG_PORTS:-55400-55599}
REDIS_PORTS=${FFF_REDIS_PORTS:-56400-56599}

say() { echo "services: $*" >&2; }
die() { say "error: $*"; exit 1; }

# Runs a PostgreSQL tool as the user that owns the cluster.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      # shellcheck disable=SC2016 # expanded by the inner shell
      su postgres -s /bin/sh -c '"$0" "$@"' -- "$@"
    fi
  else
    "$@"
  fi
}

port_free() { [ -z "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]; }

# Prints a free port from a LOW-HIGH range, starting at a random offset so parallel runs rarely collide.
free_port() {
  local lo=${1%-*} hi=${1#*-} skip=${2:-} n i p
  n=$((hi - lo + 1))
  i=$((RANDOM % n))
  for ((k = 0; k < n; k++)); do
    p=$((lo + (i + k) % n))
    [ "$p" = "$skip" ] && continue
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  return 1
}

# A zombie (exited, not yet reaped: PID 1 in a container may never reap) counts as gone.
alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$state" != Z ]
}

read_state() { cat "$STATE_DIR/$1" 2>/dev/null || true; }

# Waits up to $2 tenths of a second for pid $1 to exit.
wait_gone() {
  local pid=$1 tries=${2:-100}
  while alive "$pid" && [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
  ! alive "$pid"
}

running() {
  [ -f "$STATE_DIR/env" ] && alive "$(read_state pg.pid)" && alive "$(read_state redis.pid)"
}

stop_all() {
  local pg_dir pg_pid redis_pid redis_port
  pg_dir=$(read_state pg.dir)
  pg_pid=$(read_state pg.pid)
  redis_pid=$(read_state redis.pid)
  redis_port=$(read_state redis.port)

  if [ -n "$pg_dir" ] && [ -f "$pg_dir/data/postmaster.pid" ]; then
    [ -n "$pg_pid" ] || pg_pid=$(head -1 "$pg_dir/data/postmaster.pid")
    as_pg "$PGBIN/pg_ctl" -D "$pg_dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  if alive "$pg_pid"; then
    kill -INT "$pg_pid" 2>/dev/null || true    # SIGINT = fast shutdown
    wait_gone "$pg_pid" 100 || { say "PostgreSQL $pg_pid ignored SIGINT; killing it"; kill -KILL "$pg_pid" 2>/dev/null || true; }
  fi

  if alive "$redis_pid"; then
    if [ -n "$redis_port" ]; then redis-cli -h 127.0.0.1 -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; fi
    wait_gone "$redis_pid" 50 || kill -TERM "$redis_pid" 2>/dev/null || true
    wait_gone "$redis_pid" 50 || { say "Redis $redis_pid ignored SIGTERM; killing it"; kill -KILL "$redis_pid" 2>/dev/null || true; }
  fi

  if [ -n "$pg_dir" ]; then
    case "$pg_dir" in /tmp/fff-pg.*) rm -rf "$pg_dir" ;; *) say "not removing unexpected dir $pg_dir" ;; esac
  fi
  rm -rf "$STATE_DIR"
}

# Refuses to treat a dir that this script did not make as its state dir (stop removes it).
check_state_dir() {
  if [ -d "$STATE_DIR" ] && [ ! -f "$STATE_DIR/.fff-services" ] && [ ! -f "$STATE_DIR/pg.dir" ] &&
    [ -n "$(ls -A "$STATE_DIR")" ]; then
    die "$STATE_DIR exists and is not a services state dir; choose another FFF_SERVICES_DIR"
  fi
}

start_postgres() {
  local pg_dir port attempt
  [ -x "$PGBIN/initdb" ] || die "$PGBIN/initdb not found (apt-get install postgresql-15, or set FFF_PGBIN)"
  pg_dir=$(mktemp -d /tmp/fff-pg.XXXXXX)   # not $TMPDIR: the postgres user must traverse it
  echo "$pg_dir" >"$STATE_DIR/pg.dir"
  chmod 755 "$pg_dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$pg_dir"; fi
  as_pg "$PGBIN/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log" >&2; die "initdb failed"; }

  for attempt in 1 2 3 4 5; do
    port=$(free_port "$PG_PORTS") || die "no free port for PostgreSQL in $PG_PORTS"
    if as_pg "$PGBIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1 9>&-; then
      echo "$port" >"$STATE_DIR/pg.port"
      head -1 "$pg_dir/data/postmaster.pid" >"$STATE_DIR/pg.pid"
      "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 30 || die "PostgreSQL on port $port is not ready"
      return 0
    fi
    say "PostgreSQL did not start on port $port (attempt $attempt); log tail:"
    tail -n 5 "$pg_dir/server.log" >&2 2>/dev/null || true
  done
  die "PostgreSQL failed to start"
}

start_redis() {
  local port attempt pid
  command -v redis-server >/dev/null 2>&1 || die "redis-server not found (apt-get install redis-server)"
  for attempt in 1 2 3 4 5; do
    port=$(free_port "$REDIS_PORTS") || die "no free port for Redis in $REDIS_PORTS"
    rm -f "$STATE_DIR/redis.pid"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$STATE_DIR" --save '' --appendonly no \
      --daemonize yes --pidfile "$STATE_DIR/redis.pid" --logfile "$STATE_DIR/redis.log" >/dev/null 2>&1 9>&- || true
    for _ in $(seq 1 50); do
      if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then break; fi
      sleep 0.1
    done
    pid=$(read_state redis.pid)
    if alive "$pid" && redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
      echo "$port" >"$STATE_DIR/redis.port"
      return 0
    fi
    if alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
    say "Redis did not start on port $port (attempt $attempt); log tail:"
    tail -n 5 "$STATE_DIR/redis.log" >&2 2>/dev/null || true
  done
  die "Redis failed to start"
}

start_all() {
  if running; then
    say "already running (state in $STATE_DIR)"
    cat "$STATE_DIR/env"
    return 0
  fi
  if [ -d "$STATE_DIR" ]; then
    say "cleaning up stale state in $STATE_DIR"
    stop_all
  fi
  mkdir -p "$STATE_DIR"
  chmod 755 "$STATE_DIR"
  touch "$STATE_DIR/.fff-services"
  # Undo a half-finished start, whatever failed.
  trap 'if [ $? -ne 0 ]; then say "start failed; cleaning up"; stop_all; fi' EXIT
  start_postgres
  start_redis
  cat >"$STATE_DIR/env" <<EOF
export FFF_SERVICES_DIR=$STATE_DIR
export FFF_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$(read_state pg.port)/postgres
export FFF_TEST_REDIS_URL=redis://127.0.0.1:$(read_state redis.port)/0
EOF
  trap - EXIT
  say "PostgreSQL pid $(read_state pg.pid) on 127.0.0.1:$(read_state pg.port), Redis pid $(read_state redis.pid) on 127.0.0.1:$(read_state redis.port)"
  cat "$STATE_DIR/env"
}

status() {
  if running; then
    say "running: PostgreSQL pid $(read_state pg.pid) port $(read_state pg.port), Redis pid $(read_state redis.pid) port $(read_state redis.port)"
  elif [ -d "$STATE_DIR" ]; then
    say "stale state in $STATE_DIR (run: $0 stop)"; return 1
  else
    say "not running"; return 1
  fi
}

# One start/stop at a time per state dir. The daemons are started with fd 9 closed so they never
# inherit the lock.
with_lock() {
  local lock="${STATE_DIR%/}.lock"
  exec 9>"$lock"
  flock -w 120 9 || die "another services.sh holds $lock"
  "$@"
}

case "${1:-}" in
  start|stop) check_state_dir ;;
esac
case "${1:-}" in
  start) with_lock start_all ;;
  stop)
    if [ -d "$STATE_DIR" ]; then
      with_lock stop_all
      # Removed while held: a start racing with this stop may take a fresh lock file, which is fine
      # because the state dir is gone and it starts from scratch.
      rm -f "${STATE_DIR%/}.lock"
      say "stopped"
    else
      say "nothing to stop"
    fi
    ;;
  env)
    running || die "not running (state dir $STATE_DIR); run: $0 start"
    cat "$STATE_DIR/env"
    ;;
  status) status ;;
  *) echo "usage: $0 start|stop|env|status   (state dir: \$FFF_SERVICES_DIR, now $STATE_DIR)" >&2; exit 2 ;;
esac
