#!/usr/bin/env bash
# The users API on PostgreSQL under wrk: Paddock (app = users, default
# workers) on a throwaway, seeded cluster this script starts on 127.0.0.1 and
# removes at exit. One wrk run per workload (scripts in bench/wrk/):
#   user      GET /api/users/{random 1..1000}
#   page      GET /api/users?page={random 1..50}
#   posts     GET /api/users/{random 1..1000}/posts
#   create    POST /api/posts with a Bearer access token (logged in once before)
#   login     POST /auth/login (scrypt N=32768 verification per request)
# plus `pgbench` running the same primary-key select as the database's own
# ceiling, the CPU cost of one scrypt verification (hence the login bound),
# and the RSS of the whole server (master + workers).
#
# --with-reference also serves the same database with the Flask reference
# (bench/reference/app.py, gunicorn -w 5 sync workers, from a venv in
# .build/bench-venv) and alternates the two servers run by run.
#
# --pgbouncer puts PgBouncer (transaction pooling, a pool of 20 server
# connections) between Paddock and PostgreSQL; --prepared-statements runs
# Paddock with db_prepared_statements = on (direct connections only),
# --unnamed-statements with it off (the default is auto);
# --only KEY runs one workload (user, page, posts, create, login).
#
# Usage: bench/users.sh [--with-reference] [--pgbouncer] [--prepared-statements|--unnamed-statements] [--only KEY]
#                       [-d 10s] [-t 2] [-c 64] [--rounds 1] [--skip-login]
# Prints a markdown report; a copy goes to bench/results/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"

with_reference=0; duration=10s; threads=2; conns=64; rounds=1; skip_login=0
pgbouncer=0; prepared=0; unnamed=0; only=""
while (($#)); do
  case "$1" in
    --with-reference) with_reference=1 ;;
    --pgbouncer) pgbouncer=1 ;;
    --prepared-statements) prepared=1 ;;
    --unnamed-statements) unnamed=1 ;;
    --only) only="$2"; shift ;;
    -d|--duration) duration="$2"; shift ;;
    -t|--threads) threads="$2"; shift ;;
    -c|--connections) conns="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --skip-login) skip_login=1 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
secs=${duration%s}
if ((pgbouncer && prepared)); then
  echo "--prepared-statements does not work through PgBouncer's transaction pooling" >&2; exit 2
fi

"$root/scripts/install-deps" --bench >&2
swift build -c release --static-swift-stdlib --package-path "$root" >&2
bin="$root/.build/release"
work="$(mktemp -d /tmp/paddock-bench.XXXXXX)"
paddock_pid=""; ref_pid=""; pgb_pid=""
cleanup() {
  stop_pid "$paddock_pid" TERM 30
  stop_pid "$ref_pid" TERM 30
  stop_pid "$pgb_pid" TERM 10
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT

seed_database "$bin" "$work"
paddock_db_url="$db_url"; paddock_flags=()
((prepared)) && paddock_flags+=(--db-prepared-statements=on)
((unnamed)) && paddock_flags+=(--db-prepared-statements=off)

# PgBouncer as its Debian package runs it, in transaction mode; as root it
# runs as the postgres user (it refuses root).
start_pgbouncer() {
  local dir="$work/pgbouncer" port; port=$(free_port)
  mkdir -p "$dir"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PG_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 500
server_login_retry = 1
logfile = $dir/pgbouncer.log
INI
  echo '"postgres" ""' >"$dir/userlist.txt"
  local run=()
  if [[ $(id -u) -eq 0 ]]; then
    chmod 755 "$work"; chown -R postgres:postgres "$dir"
    run=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  fi
  "${run[@]}" pgbouncer "$dir/pgbouncer.ini" >/dev/null 2>&1 &
  pgb_pid=$!
  wait_port "$port" 10
  paddock_db_url="postgresql://postgres@127.0.0.1:$port/paddock"
}
if ((pgbouncer)); then
  command -v pgbouncer >/dev/null || { echo "pgbouncer is not installed (apt-get install pgbouncer)" >&2; exit 1; }
  start_pgbouncer
fi
secret="bench-secret-0123456789abcdef0123456789abcdef"

if ((with_reference)); then reference_venv; fi

cpus=$(nproc)

start_paddock() {
  local port; port=$(free_port)
  "$bin/paddock" --database-url "$paddock_db_url" --jwt-secret-key "$secret" --bind "127.0.0.1:$port" \
    --error-logfile "$work/paddock.log" --log-level info "${paddock_flags[@]}" &
  paddock_pid=$!
  wait_log "$work/paddock.log" 'all [0-9]+ workers ready' 60
  paddock_url="http://127.0.0.1:$port"
}


login_token() {
  json_field "$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"email":"user1@example.com","password":"password123"}' "$1/auth/login")" access_token
}

server_trees() { echo "$paddock_pid $(pg_postmaster) $pgb_pid"; }

# run_wrk URL SCRIPT -> "rps p50 p99 non2xx sockerr requests"
run_wrk() {
  local url="$1" script="$2" timeout=10s
  [[ "$script" == login ]] && timeout=30s   # ~5 logins at a time, each ~0.1 s of CPU
  TOKEN="$token" wrk -t"$threads" -c"$conns" -d"$duration" --timeout "$timeout" --latency \
    -s "$root/bench/wrk/$script.lua" "$url" | tee -a "$work/wrk.log" | parse_wrk
}

start_paddock
sleep 1
paddock_idle=$(tree_rss_kib "$paddock_pid")
paddock_workers=$(ps -o pid= --ppid "$paddock_pid" | wc -l)
if ((with_reference)); then
  start_reference "$db_url" "$secret"
  sleep 1
  ref_idle=$(tree_rss_kib "$ref_pid")
fi

workloads=(user:"GET /api/users/{id}" page:"GET /api/users?page=N" posts:"GET /api/users/{id}/posts" create:"POST /api/posts (Bearer)")
((skip_login)) || workloads+=(login:"POST /auth/login")
if [[ -n "$only" ]]; then
  selected=(); for w in "${workloads[@]}"; do [[ ${w%%:*} == "$only" ]] && selected+=("$w"); done
  ((${#selected[@]})) || { echo "--only: no workload named $only" >&2; exit 2; }
  workloads=("${selected[@]}")
fi
script_of() { case "$1" in user) echo user_by_id ;; page) echo users_page ;; posts) echo user_posts ;; create) echo create_post ;; login) echo login ;; esac; }

rows=()
login_rps_p=""; login_rps_r=""
for w in "${workloads[@]}"; do
  key=${w%%:*}; label=${w#*:}; script=$(script_of "$key")
  for r in $(seq 1 "$rounds"); do
    order=(p); ((with_reference)) && { if ((r % 2)); then order=(p r); else order=(r p); fi; }
    for who in "${order[@]}"; do
      if [[ $who == p ]]; then
        token=$(login_token "$paddock_url")
        # shellcheck disable=SC2046
        cpu0=$(tree_cpu_ticks $(server_trees))
        res_p=$(run_wrk "$paddock_url" "$script")
        # shellcheck disable=SC2046
        cpu1=$(tree_cpu_ticks $(server_trees))
      else
        token=$(login_token "$ref_url"); res_r=$(run_wrk "$ref_url" "$script")
      fi
      echo "done: $label round $r ($who)" >&2
    done
    read -r prps pp50 pp99 pnon psock preqs <<<"$res_p"
    [[ $key == login ]] && login_rps_p="$prps"
    pcpu=$(cpu_us_per_request $((cpu1 - cpu0)) "$preqs")
    row="| $label | $r | $prps | $pp50 / $pp99 | $pnon / $psock | $pcpu |"
    if ((with_reference)); then
      read -r rrps rp50 rp99 rnon rsock _ <<<"$res_r"
      [[ $key == login ]] && login_rps_r="$rrps"
      ratio=$(awk -v a="$prps" -v b="$rrps" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }')
      row+=" $rrps | $rp50 / $rp99 | $rnon / $rsock | $ratio |"
    fi
    rows+=("$row")
  done
done
paddock_after=$(tree_rss_kib "$paddock_pid")
((with_reference)) && ref_after=$(tree_rss_kib "$ref_pid")

# The database's own ceiling: the same primary-key select from 64 clients.
cat >"$work/select.sql" <<'SQL'
\set id random(1, 1000)
SELECT id, email, name, created_at, updated_at FROM users WHERE id = :id;
SQL
chmod 644 "$work/select.sql"; chmod 755 "$work"
pgb=$("$PG_BIN/pgbench" -n -M prepared -f "$work/select.sql" -c 64 -j 2 -T "$secs" \
        -h 127.0.0.1 -p "$PG_PORT" -U postgres paddock 2>&1)
pg_tps=$(awk '/^tps/ { printf "%.0f", $3; exit }' <<<"$pgb")
pg_lat=$(awk '/latency average/ { print $4; exit }' <<<"$pgb")
# And from as many clients as Paddock holds connections (one per worker):
# 64 backends on 2 cores spend much of their time switching.
pgb=$("$PG_BIN/pgbench" -n -M prepared -f "$work/select.sql" -c "$paddock_workers" -j 2 -T "$secs" \
        -h 127.0.0.1 -p "$PG_PORT" -U postgres paddock 2>&1)
pg_tps_w=$(awk '/^tps/ { printf "%.0f", $3; exit }' <<<"$pgb")
pg_lat_w=$(awk '/latency average/ { print $4; exit }' <<<"$pgb")

# One scrypt verification at Werkzeug's default cost, through the same
# libcrypto (EVP_PBE_scrypt) that Paddock calls, in CPU seconds: alone (one
# process, median of 9), and with every core hashing at once (one process per
# core, mean of 5 each), which is the condition during the login run: 32 MiB
# per hash makes parallel hashes compete for cache and memory bandwidth.
scrypt_probe() {
  python3 - "$1" <<'PY'
import hashlib, statistics, sys, time
runs = []
for _ in range(int(sys.argv[1])):
    t = time.process_time()
    hashlib.scrypt(b"password123", salt=b"x" * 16, n=32768, r=8, p=1, dklen=64, maxmem=128 << 20)
    runs.append(time.process_time() - t)
print(f"{statistics.median(runs):.4f}")
PY
}
scrypt_alone=$(scrypt_probe 9)
scrypt_s=$(for _ in $(seq 1 "$cpus"); do scrypt_probe 5 & done | awk '{ s += $1; n++ } END { printf "%.4f", s / n }')
bound=$(awk -v c="$cpus" -v s="$scrypt_s" 'BEGIN { printf "%.1f", c / s }')
bound_alone=$(awk -v c="$cpus" -v s="$scrypt_alone" 'BEGIN { printf "%.1f", c / s }')

report() {
  local via="direct connections"
  ((pgbouncer)) && via="through PgBouncer $(pgbouncer --version | awk 'NR==1 { print $2 }') (transaction pooling, pool 20)"
  ((prepared)) && via+=", db_prepared_statements = on"
  ((unnamed)) && via+=", db_prepared_statements = off"
  echo "wrk -t$threads -c$conns -d$duration --latency; $cpus CPUs; Paddock with $paddock_workers workers (default), $via$( ((with_reference)) && echo "; gunicorn -w 5 sync workers")."
  echo "Latencies in ms; errors = non-2xx responses / socket errors (connect+read+write+timeout)."
  echo "CPU µs/req: user + system CPU of Paddock (master and workers), PostgreSQL (all its processes)$( ((pgbouncer)) && echo " and PgBouncer") during the run, per request."
  echo
  if ((with_reference)); then
    echo "| workload | round | Paddock req/s | Paddock p50 / p99 | Paddock errors | Paddock CPU µs/req | gunicorn req/s | gunicorn p50 / p99 | gunicorn errors | Paddock / gunicorn |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
  else
    echo "| workload | round | req/s | p50 / p99 | errors | CPU µs/req |"
    echo "|---|---|---|---|---|---|"
  fi
  printf '%s\n' "${rows[@]}"
  echo
  echo "- PostgreSQL ceiling: \`pgbench -M prepared -c 64 -j 2 -T $secs\` running the same primary-key select: **$pg_tps tps** (latency average $pg_lat ms); with \`-c $paddock_workers\` (one client per Paddock worker): **$pg_tps_w tps** ($pg_lat_w ms)."
  echo "- One scrypt verification (N=32768, r=8, p=1) costs **${scrypt_s} s** of CPU while every core hashes (${scrypt_alone} s alone), so logins are bound to $cpus / $scrypt_s = **$bound/s** on this machine whatever the server ($bound_alone/s by the single-process cost)."
  if [[ -n "$login_rps_p" ]]; then
    echo "  Paddock logins: $login_rps_p/s = $(awk -v a="$login_rps_p" -v b="$bound" 'BEGIN { printf "%.0f", 100 * a / b }')% of the bound ($(awk -v a="$login_rps_p" -v b="$bound_alone" 'BEGIN { printf "%.0f", 100 * a / b }')% of the single-process bound)."
    [[ -n "$login_rps_r" ]] && echo "  gunicorn logins: $login_rps_r/s = $(awk -v a="$login_rps_r" -v b="$bound" 'BEGIN { printf "%.0f", 100 * a / b }')% of the bound."
  fi
  echo "- RSS of the whole Paddock server (master + $paddock_workers workers): $(kib_to_mib "$paddock_idle") idle after boot, $(kib_to_mib "$paddock_after") at rest after the runs."
  if ((with_reference)); then
    echo "- RSS of the whole gunicorn server (master + 5 workers): $(kib_to_mib "$ref_idle") idle after boot, $(kib_to_mib "$ref_after") at rest after the runs."
  fi
}
mkdir -p "$root/bench/results"
report | tee "$root/bench/results/users-$(date +%Y%m%d-%H%M%S).md"
