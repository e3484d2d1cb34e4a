#!/usr/bin/env bash
# Where the instructions of a TLS request go, Paddock against nginx, under
# valgrind's callgrind, which counts instructions and so does not depend on
# what else the machine is doing. One Paddock worker, run through
# `worker_binary` = a wrapper that starts it under callgrind, against nginx
# with `master_process off` (one process, the same one that serves) under
# callgrind too; the same certificate, TLS settings as bench/tls.sh, and the
# same wrk load: keep-alive over TLS, then a new connection per request.
# Counting starts once the server answers (--instr-atstart=no, then
# callgrind_control -i on), so start-up and certificate loading are left out.
# Prints, per server and run, the instructions per request in OpenSSL
# (libssl + libcrypto), libc and the server's own code (bench/callgrind-objects.py).
#
# Under callgrind a handshake takes tens of milliseconds, so the
# new-connection run lasts longer (close_duration) to count enough of them;
# its first 8 connections are full handshakes, the rest resumptions (as
# wrk does in bench/tls.sh).
#
# Usage: bench/tls-callgrind.sh [duration=10s] [close_duration=60s]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/lib.sh"
duration="${1:-10s}"
close_duration="${2:-60s}"
command -v valgrind >/dev/null || { echo "tls-callgrind.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
"$root/scripts/install-deps" --bench >&2
swift build -c release --static-swift-stdlib --package-path "$root" >&2
bin="$root/.build/release"
work="$(mktemp -d /tmp/paddock-bench-callgrind.XXXXXX)"
server_pid=""
cleanup() {
  stop_pid "$server_pid" TERM 60
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -keyout "$work/key.pem" -out "$work/cert.pem" -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
# Valgrind 3.19 gives up on the release binary's DWARF 5 debug information:
# the worker runs a copy without it (symbols kept, so functions are named).
objcopy --strip-debug "$bin/paddock" "$work/paddock"
cat > "$work/worker-under-callgrind" <<SH
#!/bin/sh
exec valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$work/paddock.%p.callgrind "$work/paddock" "\$@" 2>>"$work/valgrind.log"
SH
chmod +x "$work/worker-under-callgrind"

nginx_conf() {
  cat > "$work/nginx.conf" <<NGINX
daemon off;
master_process off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  ssl_certificate $work/cert.pem;
  ssl_certificate_key $work/key.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_ciphers DEFAULT;
  ssl_prefer_server_ciphers on;
  ssl_session_cache off;
  ssl_session_tickets on;
  server {
    listen 127.0.0.1:$1 ssl;
    location /health { default_type application/json; return 200 '{"status":"healthy"}'; }
  }
}
NGINX
}

# profile SERVER KIND: prints the object breakdown for one run.
profile() {
  local server="$1" kind="$2" port extra=() target out reqs length="$duration"
  port=$(free_port)
  [[ "$kind" == close ]] && { extra=(-H 'Connection: close'); length="$close_duration"; }
  rm -f "$work"/*.callgrind*
  if [[ "$server" == paddock ]]; then
    : > "$work/paddock.log"
    "$bin/paddock" --app echo --workers 1 --worker-binary "$work/worker-under-callgrind" --boot-timeout 300 --timeout 300 \
      --bind "127.0.0.1:$port" --certfile "$work/cert.pem" --keyfile "$work/key.pem" --error-logfile "$work/paddock.log" >/dev/null 2>&1 &
    server_pid=$!
    wait_log "$work/paddock.log" 'all [0-9]+ workers ready' 300
    target=$(ps -o pid= --ppid "$server_pid" | head -1 | tr -d ' ')
  else
    nginx_conf "$port"
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/nginx.%p.callgrind" \
      nginx -p "$work" -c "$work/nginx.conf" >/dev/null 2>&1 &
    server_pid=$!
    target=$server_pid
  fi
  for _ in $(seq 1 600); do curl -skf -o /dev/null "https://127.0.0.1:$port/health" && break; sleep 0.1; done
  callgrind_control -i on "$target" >/dev/null
  out=$(wrk -t1 -c8 -d"$length" "${extra[@]}" "https://127.0.0.1:$port/health")
  callgrind_control -i off "$target" >/dev/null
  reqs=$(parse_wrk <<<"$out" | awk '{ print $6 }')
  stop_pid "$server_pid" TERM 60
  server_pid=""
  echo "**$server, $kind** ($reqs requests, wrk -t1 -c8):"
  echo
  python3 "$root/bench/callgrind-objects.py" "$reqs" "$work"/*.callgrind* | sed 's/^/- /'
  echo
}

for kind in tls close; do
  profile paddock "$kind"
  profile nginx "$kind"
done
