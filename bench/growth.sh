#!/usr/bin/env bash
# Whether a request's cost grows with the data: Paddock on PostgreSQL with
# 1,000 users (10,000 posts) and with 100,000 users (1,000,000 posts), both
# seeded by `paddock seed` into one throwaway cluster this script starts on
# 127.0.0.1 and removes at exit, and the Flask reference (bench/reference,
# gunicorn -w 5 sync workers, venv in .build/bench-venv) on the
# 100,000-user database in the same run. One wrk run per request:
#   GET /api/users?page=1          the list: its total and the first page
#   GET /api/users?page=DEEP       the last page at 1,000 users (50), page 4000 at 100,000
#   GET /api/users/ID/posts        ID = 500 / 50000
#   GET /api/users/ID              the same user
# Then the cost of the trigger-kept counts on writers, on a third database
# (1,000 users): POST /auth/register (password_scrypt_n = 1024, the lowest)
# and POST /api/posts (one author, so every insert updates that author's
# counts), with the counts split as migration 5 made them, with every
# increment sent to one row (the functions rewritten in place), and with
# the triggers dropped (the cost without counts).
#
# Usage: bench/growth.sh [-d 5s] [-t 2] [-c 16] [--skip-reference] [--skip-writes] [--big-users 100000]
# Prints a markdown report; a copy goes to bench/results/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"

duration=5s; threads=2; conns=16; with_reference=1; with_writes=1; big_users=100000
while (($#)); do
  case "$1" in
    -d|--duration) duration="$2"; shift ;;
    -t|--threads) threads="$2"; shift ;;
    -c|--connections) conns="$2"; shift ;;
    --skip-reference) with_reference=0 ;;
    --skip-writes) with_writes=0 ;;
    --big-users) big_users="$2"; shift ;;   # a smaller "big" database, to try the script quickly
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

"$root/scripts/install-deps" --bench >&2
swift build -c release --static-swift-stdlib --package-path "$root" >&2
bin="$root/.build/release"
work="$(mktemp -d /tmp/paddock-growth.XXXXXX)"
paddock_pid=""; ref_pid=""
cleanup() {
  stop_pid "$paddock_pid" TERM 30
  stop_pid "$ref_pid" TERM 30
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
secret="bench-secret-0123456789abcdef0123456789abcdef"

if ((with_reference)); then reference_venv; fi

pg_start 300
seed() { # seed DB USERS
  pg_createdb "$1"
  local t0; t0=$(now_s)
  "$bin/paddock" seed --users "$2" --posts-per-user 10 --database-url "$(pg_url "$1")" >"$work/seed-$1.log" 2>&1 \
    || { tail -20 "$work/seed-$1.log" >&2; return 1; }
  echo "seeded $1 ($2 users) in $(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.0f", b - a }') s" >&2
  pg_psql "$1" "VACUUM ANALYZE" >/dev/null
}
seed small 1000
seed big "$big_users"
((with_writes)) && seed writes 1000

start_paddock() { # start_paddock DB [extra flags...]
  local db="$1" port; shift; port=$(free_port)
  : >"$work/paddock.log"
  "$bin/paddock" --database-url "$(pg_url "$db")" --jwt-secret-key "$secret" --bind "127.0.0.1:$port" \
    --error-logfile "$work/paddock.log" --log-level info "$@" &
  paddock_pid=$!
  wait_log "$work/paddock.log" 'all [0-9]+ workers ready' 60
  url="http://127.0.0.1:$port"
}


# run_get PATH -> "rps p50 p99 non2xx sockerr requests"
run_get() {
  wrk -t"$threads" -c"$conns" -d"$duration" --timeout 10s --latency "$url$1" | tee -a "$work/wrk.log" | parse_wrk
}

declare -A rps p50 cpu
measure() { # measure COLUMN SERVER_PID
  local col="$1" server="$2" key path c0 c1 n
  for key in list deep posts user; do
    case "$col:$key" in
      *:list) path="/api/users?page=1" ;;
      small:deep) path="/api/users?page=50" ;;
      *:deep) path="/api/users?page=4000" ;;
      small:posts) path="/api/users/500/posts" ;;
      *:posts) path="/api/users/$((big_users / 2))/posts" ;;
      small:user) path="/api/users/500" ;;
      *:user) path="/api/users/$((big_users / 2))" ;;
    esac
    curl -sf "$url$path" >/dev/null || { echo "GET $path failed on $col" >&2; exit 1; }
    c0=$(tree_cpu_ticks "$server" "$(pg_postmaster)")
    read -r r p _ _ _ n <<<"$(run_get "$path")"
    c1=$(tree_cpu_ticks "$server" "$(pg_postmaster)")
    rps[$col:$key]=$r; p50[$col:$key]=$p; cpu[$col:$key]=$(cpu_us_per_request $((c1 - c0)) "$n")
    echo "done: $col $path: $r req/s" >&2
  done
}

start_paddock small; measure small "$paddock_pid"; stop_pid "$paddock_pid"; paddock_pid=""
start_paddock big; measure big "$paddock_pid"; stop_pid "$paddock_pid"; paddock_pid=""
if ((with_reference)); then start_reference "$(pg_url big)" "$secret"; url="$ref_url"; measure flask "$ref_pid"; stop_pid "$ref_pid"; ref_pid=""; fi

# ---- writers ------------------------------------------------------------------
declare -A wrps wp50
if ((with_writes)); then
  cat >"$work/register.lua" <<'LUA'
-- POST /auth/register with an address no other request uses.
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
local n = 0
local run = os.getenv("RUN") or "0"
request = function()
  n = n + 1
  local body = '{"email":"r' .. run .. '-' .. (tid or 0) .. '-' .. n .. '@example.com","name":"Load","password":"password123"}'
  return wrk.format("POST", "/auth/register", { ["Content-Type"] = "application/json" }, body)
end
LUA
  # Every increment to shard 0: still exact (a total is the sum of its
  # shards), but every writer updates the same row.
  one_row() {
    local f
    for f in paddock_count_users paddock_count_posts; do
      pg_psql writes "SELECT pg_get_functiondef('$f'::regproc)" \
        | sed -E 's/NEW\.id % [0-9]+/0/g' >"$work/$f.sql"
      chmod 755 "$work"; chmod 644 "$work/$f.sql"   # psql runs as postgres
      pg_run psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d writes -v ON_ERROR_STOP=1 -q -f "$work/$f.sql" >/dev/null
    done
  }
  start_paddock writes --password-scrypt-n 1024
  token=$(json_field "$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"email":"user1@example.com","password":"password123"}' "$url/auth/login")" access_token)
  run=0
  write_round() { # write_round LABEL
    local r p
    run=$((run + 1))
    read -r r p _ <<<"$(RUN=$run wrk -t"$threads" -c"$conns" -d"$duration" --timeout 10s --latency -s "$work/register.lua" "$url" \
      | tee -a "$work/wrk.log" | parse_wrk)"
    wrps[$1:register]=$r; wp50[$1:register]=$p
    read -r r p _ <<<"$(TOKEN="$token" wrk -t"$threads" -c"$conns" -d"$duration" --timeout 10s --latency \
      -s "$root/bench/wrk/create_post.lua" "$url" | tee -a "$work/wrk.log" | parse_wrk)"
    wrps[$1:create]=$r; wp50[$1:create]=$p
    echo "done: writers, $1" >&2
  }
  write_round split
  one_row
  write_round onerow
  pg_psql writes "DROP TRIGGER users_counted ON users; DROP TRIGGER posts_counted ON posts" >/dev/null
  write_round none
  stop_pid "$paddock_pid"; paddock_pid=""
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
report() {
  echo "wrk -t$threads -c$conns -d$duration --latency; $(nproc) CPUs; Paddock with its default workers; PostgreSQL (fsync off) on the same machine."
  echo "req/s (p50 ms; CPU µs per request of the server's and PostgreSQL's processes together, which a"
  echo "shared machine disturbs far less than req/s)."
  echo
  local hdr="| request | 1,000 users | 100,000 users | 100k / 1k |"; local sep="|---|---|---|---|"
  ((with_reference)) && { hdr+=" Flask + gunicorn, 100,000 users | Paddock / Flask |"; sep+="---|---|"; }
  echo "$hdr"; echo "$sep"
  local key label row
  for key in list deep posts user; do
    case $key in
      list) label="GET /api/users?page=1" ;; deep) label="GET /api/users?page=50 / page=4000" ;;
      posts) label="GET /api/users/{500, 50000}/posts" ;; user) label="GET /api/users/{500, 50000}" ;;
    esac
    row="| $label | ${rps[small:$key]} (${p50[small:$key]}; ${cpu[small:$key]} µs) | ${rps[big:$key]} (${p50[big:$key]}; ${cpu[big:$key]} µs) | $(ratio "${rps[big:$key]}" "${rps[small:$key]}") |"
    ((with_reference)) && row+=" ${rps[flask:$key]} (${p50[flask:$key]}; ${cpu[flask:$key]} µs) | $(ratio "${rps[big:$key]}" "${rps[flask:$key]}") |"
    echo "$row"
  done
  echo
  echo "- At 100,000 users: page 1 serves $(ratio "${rps[big:list]}" "${rps[small:list]}")x what it serves at 1,000 users; page 4000 serves $(ratio "${rps[big:deep]}" "${rps[big:list]}")x of page 1."
  echo "- By CPU per request (1 / CPU: the throughput when CPU is what runs out): page 1 at 100,000 users $(ratio "${cpu[small:list]}" "${cpu[big:list]}")x of 1,000 users; page 4000 $(ratio "${cpu[big:list]}" "${cpu[big:deep]}")x of page 1."
  if ((with_writes)); then
    echo
    echo "| writer (1,000 users) | counts split (migration 5) | one counter row | no counts (triggers dropped) | split / none |"
    echo "|---|---|---|---|---|"
    for key in register create; do
      [[ $key == register ]] && label="POST /auth/register (scrypt N=1024)" || label="POST /api/posts (one author)"
      echo "| $label | ${wrps[split:$key]} (${wp50[split:$key]}) | ${wrps[onerow:$key]} (${wp50[onerow:$key]}) | ${wrps[none:$key]} (${wp50[none:$key]}) | $(ratio "${wrps[split:$key]}" "${wrps[none:$key]}") |"
    done
  fi
}
mkdir -p "$root/bench/results"
report | tee "$root/bench/results/growth-$(date +%Y%m%d-%H%M%S).md"
