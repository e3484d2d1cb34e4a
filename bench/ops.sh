#!/usr/bin/env bash
# Operations under load: Paddock (app = users, default workers) on a
# throwaway seeded PostgreSQL, wrk GET /api/users/{random id} for each
# scenario, a fresh server per scenario:
#   control   no signal
#   hup       HUP three times, 5 s apart (at 15%, 40%, 65% of the run)
#   usr2      USR2 once (binary upgrade, if the master implements it)
#   ttin-ttou TTIN x3, then TTOU x3
#   kill9     kill -9 of one worker; time from the kill to the master's
#             "worker ready slot=N" line for its replacement (log timestamps)
#   term      TERM with --shutdown-delay 2 while clients keep sending; wrk is
#             stopped (SIGINT, it prints its summary) once the master is gone,
#             and a probe client records each request's time and outcome to
#             split errors before / after the listener closed.
# Failed requests = socket errors + non-2xx from wrk's summary.
#
# Usage: bench/ops.sh [-d 20] [-c 64] [-t 2]     (duration in seconds)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"

dur=20; conns=64; threads=2
while (($#)); do
  case "$1" in
    -d|--duration) dur="${2%s}"; shift ;;
    -c|--connections) conns="$2"; shift ;;
    -t|--threads) threads="$2"; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

"$root/scripts/install-deps" --bench >&2
swift build -c release --static-swift-stdlib --package-path "$root" >&2
bin="$root/.build/release"
work="$(mktemp -d /tmp/paddock-bench.XXXXXX)"
paddock_pid=""; wrk_pid=""; probe_pid=""
cleanup() {
  stop_pid "$wrk_pid" INT 5
  stop_pid "$probe_pid" TERM 5
  stop_pid "$paddock_pid" TERM 30
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT

seed_database "$bin" "$work"

at() { awk -v d="$dur" -v f="$1" 'BEGIN { printf "%.2f", d * f }'; }   # fraction of the run, in s

# start_paddock LOG [extra flags...]
start_paddock() {
  local log="$1"; shift
  port=$(free_port)
  "$bin/paddock" --database-url "$db_url" --jwt-secret-key "bench-secret-0123456789abcdef0123456789abcdef" \
    --bind "127.0.0.1:$port" --error-logfile "$log" --log-level info "$@" &
  paddock_pid=$!
  wait_log "$log" 'all [0-9]+ workers ready' 60
}

start_wrk() {
  wrk -t"$threads" -c"$conns" -d"${1:-$dur}s" --timeout 5s --latency \
    -s "$root/bench/wrk/user_by_id.lua" "http://127.0.0.1:$port" >"$work/wrk.out" 2>&1 &
  wrk_pid=$!
  t0=$(now_s)
}
# Sleep until SECONDS after the start of wrk.
until_t() { local left; left=$(awk -v t0="$t0" -v now="$(now_s)" -v s="$1" 'BEGIN { x = t0 + s - now; printf "%.3f", (x > 0 ? x : 0) }'); sleep "$left"; }
# Waits for wrk (not in a subshell: it is this shell's child) and sets res.
finish_wrk() { wait "$wrk_pid" || true; wrk_pid=""; res=$(parse_wrk <"$work/wrk.out"); }
workers_now() { ps -o pid= --ppid "$paddock_pid" | wc -l; }
log_epoch() { date -u -d "$(cut -d' ' -f1 <<<"$1" | sed 's/Z$//')Z" +%s.%N; }   # first field of a log line

rows=()
add_row() {  # name "rps p50 p99 non2xx sock reqs" notes
  local rps p50 p99 non sock reqs
  read -r rps p50 p99 non sock reqs <<<"$2"
  local kinds; kinds=$(grep -o 'Socket errors:.*' "$work/wrk.out" | sed 's/Socket errors: //' || true)
  rows+=("| $1 | $rps | $p50 / $p99 | $reqs | $non | $sock${kinds:+ ($kinds)} | $((non + sock)) | $3 |")
  echo "done: $1" >&2
}

# --- control
log="$work/control.log"; start_paddock "$log"
start_wrk; finish_wrk
n=$(workers_now)
stop_pid "$paddock_pid" TERM 30; paddock_pid=""
add_row "control (no signal)" "$res" "$n workers"

# --- HUP x3
log="$work/hup.log"; start_paddock "$log"
before=$(grep -c 'worker ready' "$log")
start_wrk
for f in 0.15 0.40 0.65; do until_t "$(at $f)"; kill -HUP "$paddock_pid"; done
finish_wrk
hups=$(grep -c 'received SIGHUP' "$log" || true)
ready=$(( $(grep -c 'worker ready' "$log") - before ))
fails=$(grep -ciE 'reload failed|error' "$log" || true)
stop_pid "$paddock_pid" TERM 30; paddock_pid=""
add_row "HUP x3, $(awk -v d="$dur" 'BEGIN { printf "%.0f", d * 0.25 }') s apart" "$res" "$hups HUPs logged, $ready replacement workers ready, $fails error lines in the log"

# --- USR2
log="$work/usr2.log"; start_paddock "$log"
pids_before=$(ps -o pid= --ppid "$paddock_pid" | sort | paste -sd' ')
start_wrk
until_t "$(at 0.25)"; kill -USR2 "$paddock_pid"
finish_wrk
alive=$(kill -0 "$paddock_pid" 2>/dev/null && echo yes || echo no)
pids_after=$(ps -o pid= --ppid "$paddock_pid" 2>/dev/null | sort | paste -sd' ')
usr2_lines=$(grep -i 'usr2' "$log" | sed 's/.* slot=- //' | paste -sd';' || true)
if [[ -z "$usr2_lines" ]]; then
  note="not implemented: the master logs nothing for USR2 and starts no new master"
else
  note="master logged: ${usr2_lines}"
fi
[[ "$pids_before" == "$pids_after" ]] && note+="; same workers before and after" || note+="; workers changed"
note+="; master alive afterwards: $alive"
stop_pid "$paddock_pid" TERM 30; paddock_pid=""
add_row "USR2 once" "$res" "$note"

# --- TTIN x3, TTOU x3
log="$work/ttin.log"; start_paddock "$log"
w0=$(workers_now)
start_wrk
for f in 0.15 0.175 0.20; do until_t "$(at $f)"; kill -TTIN "$paddock_pid"; done
until_t "$(at 0.45)"; w1=$(workers_now)
for f in 0.50 0.525 0.55; do until_t "$(at $f)"; kill -TTOU "$paddock_pid"; done
until_t "$(at 0.85)"; w2=$(workers_now)
finish_wrk
stop_pid "$paddock_pid" TERM 30; paddock_pid=""
add_row "TTIN x3 then TTOU x3" "$res" "workers $w0 -> $w1 -> $w2"

# --- kill -9 of one worker
log="$work/kill9.log"; start_paddock "$log"
start_wrk
until_t "$(at 0.25)"
victim=$(ps -o pid= --ppid "$paddock_pid" | head -1 | tr -d ' ')
slot=$(grep -oE "worker ready slot=[0-9]+ pid=$victim " "$log" | sed -E 's/.*slot=([0-9]+).*/\1/')
t_kill=$(now_s); kill -KILL "$victim"
ready_line=""
for _ in $(seq 1 200); do
  ready_line=$(grep -E "worker ready slot=$slot pid=[0-9]+ " "$log" | grep -v "pid=$victim " | tail -1 || true)
  [[ -n "$ready_line" ]] && break
  sleep 0.05
done
finish_wrk
if [[ -n "$ready_line" ]]; then
  t_ready=$(log_epoch "$ready_line")
  gap_ms=$(awk -v a="$t_kill" -v b="$t_ready" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
  boot=$(grep -oE 'in [0-9.]+m?s' <<<"$ready_line" | tail -1)
  note="slot $slot: replacement ready ${gap_ms} ms after the kill (its boot: ${boot#in }; log timestamps have ms resolution)"
else
  note="slot $slot: no replacement ready line within 10 s"
fi
stop_pid "$paddock_pid" TERM 30; paddock_pid=""
add_row "kill -9 one worker" "$res" "$note"

# --- TERM with --shutdown-delay 2 while clients keep sending
log="$work/term.log"; start_paddock "$log" --shutdown-delay 2
cat >"$work/probe.py" <<'PY'
# Sequential clients until killed: one opening a new connection per request,
# one on a keep-alive connection, one polling /health/ready. Each line:
# "<epoch s> <client> <status or error name>".
import http.client, socket, sys, threading, time
port = int(sys.argv[1]); out = open(sys.argv[2], "w", buffering=1); lock = threading.Lock()
def rec(kind, what):
    with lock: out.write(f"{time.time():.4f} {kind} {what}\n")
def client(kind, path, keep, pause):
    conn = None
    while True:
        try:
            if conn is None: conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path); r = conn.getresponse(); r.read(); rec(kind, r.status)
            if not keep or r.getheader("Connection", "").lower() == "close": conn.close(); conn = None
        except Exception as e:
            rec(kind, type(e).__name__)
            if conn: conn.close()
            conn = None
            time.sleep(0.01)
        time.sleep(pause)
for args in (("new-conn", "/api/users/1", False, 0.005), ("keep-alive", "/api/users/2", True, 0.005), ("ready", "/health/ready", False, 0.05)):
    threading.Thread(target=client, args=args, daemon=True).start()
time.sleep(3600)
PY
python3 "$work/probe.py" "$port" "$work/probe.out" &
probe_pid=$!
start_wrk 120
until_t "$(at 0.25)"
t_term=$(now_s); kill -TERM "$paddock_pid"
t_closed=""; t_exit=""
for _ in $(seq 1 1200); do   # at most 60 s
  if [[ -z "$t_closed" ]] && ! (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then t_closed=$(now_s); fi
  if [[ -z "$t_exit" ]] && ! kill -0 "$paddock_pid" 2>/dev/null; then t_exit=$(now_s); fi
  [[ -n "$t_closed" && -n "$t_exit" ]] && break
  sleep 0.02
done
term_status=0; wait "$paddock_pid" 2>/dev/null || term_status=$?; paddock_pid=""
kill -INT "$wrk_pid" 2>/dev/null || true
finish_wrk
sleep 1; stop_pid "$probe_pid" TERM 5; probe_pid=""
split=$(awk -v tc="${t_closed:-9e18}" -v tt="$t_term" '
  $2 != "ready" { if ($1 < tt) { pre = "a" } else if ($1 < tc) { pre = "b" } else { pre = "c" }
                  n[pre]++; if ($3 !~ /^2/) e[pre]++; if ($3 !~ /^2/ && !(pre SUBSEP $3 in seen)) { seen[pre, $3] = 1; kinds[pre] = kinds[pre] " " $3 } }
  $2 == "ready" && $1 >= tt && $1 < tc { r[$3]++ }
  END {
    printf "probe: before TERM %d requests / %d failed; TERM to listener closed %d / %d failed%s; after %d / %d failed%s; /health/ready between TERM and close:",
      n["a"], e["a"], n["b"], e["b"], (kinds["b"] ? " (" substr(kinds["b"], 2) ")" : ""), n["c"], e["c"], (kinds["c"] ? " (" substr(kinds["c"], 2) ")" : "")
    for (k in r) printf " %s x%d", k, r[k]
  }' "$work/probe.out")
timeline=$(awk -v a="$t_term" -v b="${t_closed:-}" -v c="${t_exit:-}" 'BEGIN {
  printf "listener closed %s s after TERM, master exited %s s after TERM", (b == "" ? "never" : sprintf("%.2f", b - a)), (c == "" ? "never" : sprintf("%.2f", c - a)) }')
add_row "TERM, --shutdown-delay 2" "$res" "$timeline (exit status $term_status); wrk stopped when the master was gone; $split"

report() {
echo "wrk -t$threads -c$conns -d${dur}s --latency GET /api/users/{random id}; Paddock users app on PostgreSQL, default workers; a fresh server per scenario."
echo "Latencies in ms. Failed = non-2xx + socket errors (connect, read, write, timeout) from wrk's summary."
echo
echo "| scenario | req/s | p50 / p99 | requests | non-2xx | socket errors | failed | notes |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
}
mkdir -p "$root/bench/results"
report | tee "$root/bench/results/ops-$(date +%Y%m%d-%H%M%S).md"
