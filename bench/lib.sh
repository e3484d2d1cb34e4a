# Shared helpers for the benchmark scripts; source it: . "$root/bench/lib.sh"
#
# Everything listens on 127.0.0.1 only. The PostgreSQL helpers mirror
# Sources/TestSupport/PostgresCluster.swift: initdb into a temporary
# directory, trust authentication, fsync off, a free port, and every
# PostgreSQL command run as the `postgres` user when we are root
# (PostgreSQL refuses to run as root).

# A TCP port nobody listens on now (the kernel's choice for port 0).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# json_field JSON KEY: one top-level field of a JSON object, printed.
json_field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# wait_port PORT [seconds=10]: until something accepts on 127.0.0.1:PORT.
wait_port() {
  local port="$1" tries=$(( ${2:-10} * 20 ))
  for _ in $(seq 1 "$tries"); do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "port $port not ready" >&2
  return 1
}

# wait_port_closed PORT [seconds=30]: until nothing accepts on the port.
wait_port_closed() {
  local port="$1" tries=$(( ${2:-30} * 20 ))
  for _ in $(seq 1 "$tries"); do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null || return 0
    sleep 0.05
  done
  return 1
}

# wrk output on stdin -> "rps p50_ms p99_ms non2xx socket_errors requests".
# p50/p99 need `wrk --latency`; socket errors = connect+read+write+timeout.
# wrk counts "Non-2xx or 3xx responses", so 3xx also pass as successes.
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
      if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
      if (v ~ /m$/)  { sub(/m$/, "", v);  return v * 60000 }
      if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
      return v
    }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /requests in/ { reqs = $1 }
    /Non-2xx or 3xx responses/ { non2xx = $NF }
    /Socket errors/ { gsub(/,/, ""); sock = $4 + $6 + $8 + $10 }
    END { printf "%s %.2f %.2f %d %d %d\n", (rps == "" ? 0 : rps), p50, p99, non2xx, sock, reqs }'
}

# The PIDs of a process and all its descendants, one per line.
pid_tree() {
  local pid="$1" child
  echo "$pid"
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do pid_tree "$child"; done
}

# Total RSS in KiB of a process and all its descendants.
tree_rss_kib() {
  local pids
  pids=$(pid_tree "$1" | paste -sd, -)
  [[ -z "$pids" ]] && { echo 0; return; }
  ps -o rss= -p "$pids" 2>/dev/null | awk '{s += $1} END {print s + 0}'
}

# KiB -> "12.3 MiB"
kib_to_mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# Wall clock in seconds with fractions (for timelines).
now_s() { date +%s.%N; }

# ---- throwaway PostgreSQL ----------------------------------------------------
# pg_start [max_connections=300]: sets PG_DIR PG_PORT PG_BIN and pg_url().
# pg_stop: stops it and removes its directory (idempotent; call it from a trap).

pg_bin_dir() {
  local d
  d=$(pg_config --bindir 2>/dev/null || true)
  [[ -x "$d/initdb" ]] && { echo "$d"; return; }
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -nr); do
    [[ -x "$d/initdb" ]] && { echo "$d"; return; }
  done
  echo "PostgreSQL binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin)" >&2
  return 1
}

# Runs a PostgreSQL binary, as `postgres` when we are root.
pg_run() {
  local tool="$1"; shift
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$PG_BIN/$tool" "$@"
  else
    "$PG_BIN/$tool" "$@"
  fi
}

pg_start() {
  local max_conn="${1:-300}"
  PG_BIN=$(pg_bin_dir)
  PG_DIR=$(mktemp -d /tmp/paddock-bench-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PG_DIR"
  PG_PORT=$(free_port)
  pg_run initdb -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  cat >>"$PG_DIR/data/postgresql.conf" <<CONF

listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = $max_conn
shared_buffers = 128MB
CONF
  pg_run pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; return 1; }
  for _ in $(seq 1 100); do
    pg_run pg_isready -h 127.0.0.1 -p "$PG_PORT" -U postgres -t 1 >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "PostgreSQL on port $PG_PORT did not become ready; see $PG_DIR/server.log" >&2
  return 1
}

# CPU time (user + system, in clock ticks) used so far by the processes of
# the given trees: on a shared machine CPU per request varies far less than
# requests per second.
tree_cpu_ticks() {
  local pids="" root
  for root in "$@"; do pids+=" $(pid_tree "$root")"; done
  for p in $pids; do awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null; done | awk '{ s += $1 } END { print s + 0 }'
}
# cpu_us_per_request TICKS REQUESTS
cpu_us_per_request() {
  awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN { if (n > 0) printf "%.0f", t / hz * 1e6 / n; else print "n/a" }'
}
pg_postmaster() { head -1 "$PG_DIR/data/postmaster.pid"; }

pg_url() { echo "postgresql://postgres@127.0.0.1:$PG_PORT/${1:-postgres}"; }

pg_createdb() { pg_run createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres "$1"; }

# pg_psql DB SQL
pg_psql() { pg_run psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$1" -v ON_ERROR_STOP=1 -qAt -c "$2"; }

pg_stop() {
  [[ -n "${PG_DIR:-}" && -d "$PG_DIR" ]] || return 0
  if [[ -f "$PG_DIR/data/postmaster.pid" ]]; then
    pg_run pg_ctl -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"
  PG_DIR=""
}

# ---- Paddock ----------------------------------------------------------------

# stop_pid PID [signal=TERM] [seconds=30]: signal one process we started and
# wait (bounded) for it to exit; KILL if it does not.
stop_pid() {
  local pid="$1" sig="${2:-TERM}" tries=$(( ${3:-30} * 10 ))
  [[ -n "$pid" ]] || return 0
  kill -"$sig" "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 "$tries"); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# wait_log LOGFILE REGEX [seconds=30]: until a line matches.
wait_log() {
  local tries=$(( ${3:-30} * 20 ))
  for _ in $(seq 1 "$tries"); do
    grep -Eq "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "no line matching /$2/ in $1" >&2
  return 1
}

# seed_database BIN WORKDIR: a throwaway cluster with the benchmark data of
# API.md (1000 users, 10 posts each); sets db_url. Logs go to WORKDIR.
seed_database() {
  local bin="$1" work="$2"
  # Enough connections for 64 pgbench clients, 5+ Paddock workers, gunicorn's pools.
  pg_start 300
  pg_createdb paddock
  db_url=$(pg_url paddock)
  "$bin/paddock" migrate --database-url "$db_url" >"$work/migrate.log" 2>&1
  "$bin/paddock" seed --users 1000 --posts-per-user 10 --database-url "$db_url" >"$work/seed.log" 2>&1
}

# reference_venv: sets venv to the Flask reference's virtualenv
# (PADDOCK_BENCH_VENV, else .build/bench-venv), creating it when missing.
reference_venv() {
  venv="${PADDOCK_BENCH_VENV:-$root/.build/bench-venv}"
  if [[ ! -x "$venv/bin/gunicorn" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$root/bench/reference/requirements.txt" >&2
  fi
}

# start_reference DATABASE_URL JWT_SECRET: the Flask reference under
# `gunicorn -w 5` on a free loopback port, logging to $work/gunicorn.log,
# once its workers are up; sets ref_pid and ref_url.
start_reference() {
  local port; port=$(free_port)
  DATABASE_URL="$1" JWT_SECRET_KEY="$2" \
    "$venv/bin/gunicorn" -w 5 -b "127.0.0.1:$port" --chdir "$root/bench/reference" \
    --error-logfile "$work/gunicorn.log" app:app &
  ref_pid=$!
  wait_port "$port" 60
  wait_log "$work/gunicorn.log" 'Booting worker' 60
  sleep 2   # all five workers import the app
  ref_url="http://127.0.0.1:$port"
}
