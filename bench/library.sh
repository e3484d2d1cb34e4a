#!/usr/bin/env bash
# The library products against the built-in server: GET /health on `paddock`
# (app = echo, as bench/health.sh) and on two applications built on the
# `Paddock` product alone, the example package's `hello` and the test app
# `PaddockExampleTestApp`; then one list of 20 objects answered through
# `Codable` (/bench/codable) and through the JSON writer (/bench/writer) by
# the test app. Every run starts its server afresh with the default workers;
# the runs alternate within a round so that all see the same machine state.
# Beside req/s, the server's CPU time per request (master and workers,
# user + system, from /proc): on a shared machine it varies far less.
# Prints a markdown table per round and the medians.
#
# Usage: bench/library.sh [rounds=5] [duration=10s]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"
rounds="${1:-5}"
duration="${2:-10s}"
"$root/scripts/install-deps" --bench >&2
swift build -c release --static-swift-stdlib --package-path "$root" >&2
bin="$root/.build/release"
work="$(mktemp -d /tmp/paddock-bench-library.XXXXXX)"
server_pid=""
cleanup() {
  stop_pid "$server_pid"
  rm -rf "$work"
}
trap cleanup EXIT

# run NAME PATH: one wrk run against a fresh server; prints "rps p99_ms cpu_us".
run() {
  local name="$1" path="$2" port args
  port=$(free_port)
  case "$name" in
    paddock) args=("$bin/paddock" --app echo) ;;
    hello) args=("$bin/hello" --database-url "sqlite:///$work/hello.db") ;;
    testapp) args=("$bin/PaddockExampleTestApp") ;;
  esac
  "${args[@]}" --bind "127.0.0.1:$port" --error-logfile "$work/$name.log" >/dev/null &
  server_pid=$!
  wait_port "$port" 60
  # Ready once a worker answers the application's readiness (hello: its schema is migrated).
  for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready" && break; sleep 0.05; done
  sleep 0.5   # every worker booted
  local before after out
  before=$(tree_cpu_ticks "$server_pid")
  out=$(wrk -t2 -c64 -d"$duration" --latency "http://127.0.0.1:$port$path")
  after=$(tree_cpu_ticks "$server_pid")
  stop_pid "$server_pid"; server_pid=""
  read -r rps _ p99 non2xx sock reqs <<<"$(parse_wrk <<<"$out")"
  if (( non2xx > 0 || sock > 0 )); then echo "$name $path: $non2xx non-2xx, $sock socket errors" >&2; fi
  # One decimal: about 14 us per /health request, where 1 us is 7%.
  echo "$rps $p99 $(awk -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" -v n="$reqs" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
}

runs=("paddock /health" "hello /health" "testapp /health" "testapp /bench/codable" "testapp /bench/writer")
echo "| round | paddock /health | hello /health | test app /health | /bench/codable | /bench/writer | hello / paddock | codable / writer |"
echo "|---|---|---|---|---|---|---|---|"
: > "$work/results"
for r in $(seq 1 "$rounds"); do
  # Rotate the order each round: no server always runs first or last.
  line="| $r "
  declare -A got=()
  for i in "${!runs[@]}"; do
    k=$(( (i + r - 1) % ${#runs[@]} ))
    read -r name path <<<"${runs[$k]}"
    got[$k]=$(run "$name" "$path")
  done
  for k in "${!runs[@]}"; do
    read -r rps p99 cpu <<<"${got[$k]}"
    line+="| $rps req/s, $cpu us, p99 $p99 ms "
    echo "$r $k $rps $cpu" >> "$work/results"
  done
  read -r prps _ pcpu <<<"${got[0]}"; read -r hrps _ hcpu <<<"${got[1]}"
  read -r crps _ ccpu <<<"${got[3]}"; read -r wrps _ wcpu <<<"${got[4]}"
  line+="| $(awk -v a="$hrps" -v b="$prps" 'BEGIN{printf "%.2f", a/b}') req/s, $(awk -v a="$hcpu" -v b="$pcpu" 'BEGIN{printf "%.2f", a/b}') CPU "
  line+="| $(awk -v a="$crps" -v b="$wrps" 'BEGIN{printf "%.2f", a/b}') req/s, $(awk -v a="$ccpu" -v b="$wcpu" 'BEGIN{printf "%.2f", a/b}') CPU |"
  echo "$line"
  unset got
done
echo
echo "Medians over $rounds rounds (req/s, CPU us per request):"
for k in "${!runs[@]}"; do
  rps=$(awk -v k="$k" '$2 == k { print $3 }' "$work/results" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }')
  cpu=$(awk -v k="$k" '$2 == k { print $4 }' "$work/results" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }')
  echo "- ${runs[$k]}: $rps req/s, $cpu us"
done
