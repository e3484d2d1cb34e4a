#!/usr/bin/env bash
# GET /health over TLS: Paddock (app = echo, default workers, certfile and
# keyfile) against nginx (worker_processes auto, `return 200`), with the same
# EC P-256 certificate and key, made here, and the same TLS settings. Every
# run starts its server afresh; within a round the two servers alternate
# (which one goes first alternates between rounds), so both see the same
# machine state. Three kinds of run:
#   plain   keep-alive over plain HTTP, for reference
#   tls     keep-alive over TLS: what encryption adds to a request
#   close   a new TLS connection per request (wrk -H 'Connection: close'):
#           what a handshake costs
# With --ktls, `tls` and `close` again with kernel TLS on in both (Paddock
# --ssl-ktls, nginx `ssl_conf_command Options KTLS`), when the kernel can
# (the `tls` upper-layer protocol in /proc/sys/net/ipv4/tcp_available_ulp);
# otherwise the script says why and skips them.
#
# The same TLS on both: TLS 1.2 and 1.3, OpenSSL's default cipher list and
# groups, the server's cipher preference, session tickets on and no
# server-side session cache. Paddock resumes by tickets alone, their keys
# shared by every worker; nginx makes its ticket key once in the master, so
# its workers share it too, and `ssl_session_cache off` leaves it the same
# mechanism (a cache per worker would be a second one; TLS 1.3 resumes by
# ticket anyway). Whether wrk resumes sessions on its reconnects decides
# what `close` measures (a full handshake or a resumption), so a short run
# against an nginx that logs `$ssl_session_reused` counts it first.
#
# Prints, per round and kind, req/s, the server's CPU time per request
# (master and workers, user + system, from /proc: on a shared machine it
# varies far less than req/s), p50/p99, and two ratios, both "Paddock as a
# fraction of nginx" (higher is better for Paddock): req/s Paddock / nginx,
# and CPU nginx / Paddock; then the medians.
#
# Usage: bench/tls.sh [rounds=3] [duration=10s] [--ktls]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"
ktls=0
positional=()
for a in "$@"; do
  case "$a" in
    --ktls) ktls=1 ;;
    -*) echo "tls.sh: unknown option $a" >&2; exit 2 ;;
    *) positional+=("$a") ;;
  esac
done
rounds="${positional[0]:-3}"
duration="${positional[1]:-10s}"
"$root/scripts/install-deps" --bench >&2
swift build -c release --static-swift-stdlib --package-path "$root" >&2
bin="$root/.build/release"
work="$(mktemp -d /tmp/paddock-bench-tls.XXXXXX)"
server_pid=""
cleanup() {
  stop_pid "$server_pid"
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -keyout "$work/key.pem" -out "$work/cert.pem" -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null

# nginx_conf KTLS(0|1) PORT TLS(0|1) [log]: one server on PORT; a fourth
# argument logs each request's protocol and whether its session was resumed.
nginx_conf() {
  local kernel="$1" port="$2" tls="$3" log="off"
  [[ -n "${4:-}" ]] && log="$work/nginx-access.log reused"
  cat > "$work/nginx.conf" <<NGINX
daemon off;
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  log_format reused '\$ssl_protocol \$ssl_session_reused';
  access_log $log;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  ssl_certificate $work/cert.pem;
  ssl_certificate_key $work/key.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_ciphers DEFAULT;            # OpenSSL's default list, as Paddock's empty ciphers
  ssl_prefer_server_ciphers on;
  ssl_session_cache off;
  ssl_session_tickets on;
  $( ((kernel)) && echo "ssl_conf_command Options KTLS;" )
  server {
    listen 127.0.0.1:$port$( [[ "$tls" == 1 ]] && echo " ssl" );
    location /health { default_type application/json; return 200 '{"status":"healthy"}'; }
  }
}
NGINX
}

# start SERVER KIND PORT [nginx log format]: sets server_pid once it serves.
start() {
  local server="$1" kind="$2" port="$3" tls=1 kernel=0 scheme=https
  [[ "$kind" == plain ]] && { tls=0; scheme=http; }
  [[ "$kind" == *-ktls ]] && kernel=1
  if [[ "$server" == paddock ]]; then
    local args=("$bin/paddock" --app echo --bind "127.0.0.1:$port" --error-logfile "$work/paddock.log")
    ((tls)) && args+=(--certfile "$work/cert.pem" --keyfile "$work/key.pem")
    ((kernel)) && args+=(--ssl-ktls)
    : > "$work/paddock.log"
    "${args[@]}" >/dev/null &
    server_pid=$!
    wait_log "$work/paddock.log" 'all [0-9]+ workers ready' 60
  else
    nginx_conf "$kernel" "$port" "$tls" "${4:-}"
    nginx -p "$work" -c "$work/nginx.conf" >/dev/null 2>&1 &
    server_pid=$!
    wait_port "$port" 30
  fi
  curl -skf -o /dev/null "$scheme://127.0.0.1:$port/health" || { echo "$server $kind: /health did not answer" >&2; return 1; }
}

stop() {
  # nginx stops at once on TERM; Paddock drains, and nothing is in flight.
  stop_pid "$server_pid"
  server_pid=""
}

# run SERVER KIND: one wrk run against a fresh server; prints
# "rps p50_ms p99_ms cpu_us errors".
run() {
  local server="$1" kind="$2" port url extra=() before after out
  port=$(free_port)
  start "$server" "$kind" "$port"
  url="https://127.0.0.1:$port/health"
  [[ "$kind" == plain ]] && url="http://127.0.0.1:$port/health"
  [[ "$kind" == close* ]] && extra=(-H 'Connection: close')
  before=$(tree_cpu_ticks "$server_pid")
  out=$(wrk -t2 -c64 -d"$duration" --latency "${extra[@]}" "$url")
  after=$(tree_cpu_ticks "$server_pid")
  stop
  read -r rps p50 p99 non2xx sock reqs <<<"$(parse_wrk <<<"$out")"
  echo "$rps $p50 $p99 $(awk -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" -v n="$reqs" \
    'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "n/a" }') $((non2xx + sock))"
}

# resumes SERVER: whether a second connection resumes the first one's
# session (Python's ssl, the ticket read with the response first).
resumes() {
  local server="$1" port
  port=$(free_port)
  start "$server" tls "$port"
  python3 - "$port" <<'PY'
import socket, ssl, sys
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
session = None
for _ in range(2):
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), session=session) as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        while s.recv(65536):
            pass
        reused, version, session = s.session_reused, s.version(), s.session
print(("resumed" if reused else "full handshake") + " (" + version + ")")
PY
  stop
}

echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(nginx -v 2>&1); $(openssl version)"
echo
# What `close` measures: wrk's reconnects, as nginx saw them.
port=$(free_port)
start nginx close "$port" reused
wrk -t2 -c64 -d3s -H 'Connection: close' "https://127.0.0.1:$port/health" >/dev/null
stop
read -r resumed total <<<"$(awk '{ n++ } $2 == "r" { r++ } END { print r + 0, n + 0 }' "$work/nginx-access.log")"
echo "wrk and session resumption: of $total TLS connections (one request each), nginx logged $resumed resumed ($(awk -v r="$resumed" -v n="$total" 'BEGIN { if (n) printf "%.1f%%", 100 * r / n }')): wrk keeps each connection's session across its reconnects, so \`close\` measures resumed handshakes after the first 64."
echo "A second connection with the first one's ticket (Python ssl): Paddock $(resumes paddock), nginx $(resumes nginx)."
echo

kinds=(plain tls close)
if ((ktls)); then
  if [[ ! -e /proc/sys/net/ipv4/tcp_available_ulp ]] || ! grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp; then
    command -v modprobe >/dev/null && modprobe tls 2>/dev/null || true
  fi
  if grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null; then
    kinds+=(tls-ktls close-ktls)
  else
    echo "--ktls: skipped: this kernel offers no TLS upper-layer protocol (tcp_available_ulp: $(cat /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null || echo missing)$(command -v modprobe >/dev/null || echo '; no modprobe'))."
    if command -v cc >/dev/null && cc -O1 -o "$work/ktls-probe" "$root/bench/ktls-probe.c" -lssl -lcrypto -lpthread 2>/dev/null; then
      echo "bench/ktls-probe.c: $("$work/ktls-probe" "$work/cert.pem" "$work/key.pem" | tr '\n' ' ')"
    fi
    echo
  fi
fi

echo "| round | run | Paddock req/s | nginx req/s | req/s P/n | Paddock CPU µs/req | nginx CPU µs/req | CPU n/P | Paddock p50 / p99 ms | nginx p50 / p99 ms | errors P / n |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
: > "$work/results"
for r in $(seq 1 "$rounds"); do
  for kind in "${kinds[@]}"; do
    if (( r % 2 )); then p=$(run paddock "$kind"); n=$(run nginx "$kind"); else n=$(run nginx "$kind"); p=$(run paddock "$kind"); fi
    read -r prps pp50 pp99 pcpu perr <<<"$p"
    read -r nrps np50 np99 ncpu nerr <<<"$n"
    rr=$(awk -v a="$prps" -v b="$nrps" 'BEGIN { printf "%.2f", a / b }')
    cr=$(awk -v a="$ncpu" -v b="$pcpu" 'BEGIN { printf "%.2f", a / b }')
    echo "| $r | $kind | $prps | $nrps | $rr | $pcpu | $ncpu | $cr | $pp50 / $pp99 | $np50 / $np99 | $perr / $nerr |"
    echo "$kind $prps $nrps $rr $pcpu $ncpu $cr" >> "$work/results"
  done
done

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
echo
echo "Medians over $rounds rounds; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end:"
echo
echo "| run | Paddock req/s | nginx req/s | req/s P/n | Paddock CPU µs/req | nginx CPU µs/req | CPU n/P |"
echo "|---|---|---|---|---|---|---|"
for kind in "${kinds[@]}"; do
  line="| $kind "
  for col in 2 3 4 5 6 7; do
    line+="| $(awk -v k="$kind" -v c="$col" '$1 == k { print $c }' "$work/results" | median) "
  done
  echo "$line|"
done
