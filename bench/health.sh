#!/usr/bin/env bash
# GET /health with keep-alive: Paddock (app = echo, default workers) against
# nginx `return 200`, measured alternately in the same run so both see the
# same machine state. Prints a markdown report (req/s, ratio, p50/p99,
# RSS of master and each worker, requests per worker).
#
# Usage: bench/health.sh [rounds=3] [duration=10s]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-3}"
duration="${2:-10s}"
"$root/scripts/install-deps" --bench >&2
swift build -c release --static-swift-stdlib --package-path "$root" >&2
bin="$root/.build/release"
work="$(mktemp -d /tmp/paddock-bench.XXXXXX)"
pport=18080; nport=18081
cleanup() {
  [[ -n "${ppid_:-}" ]] && kill -TERM "$ppid_" 2>/dev/null || true
  [[ -n "${npid:-}" ]] && kill -QUIT "$npid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/nginx.conf" <<NGINX
daemon off;
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  server {
    listen 127.0.0.1:$nport;
    location /health { default_type application/json; return 200 '{"status":"healthy"}'; }
  }
}
NGINX

wait_port() { for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 not ready" >&2; return 1; }

# wrk output -> "rps p50 p99" (latencies in ms)
parse_wrk() {
  awk '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    function ms(v) { if (v ~ /us$/) { sub(/us$/,"",v); return v/1000 } if (v ~ /ms$/) { sub(/ms$/,"",v); return v+0 } if (v ~ /s$/) { sub(/s$/,"",v); return v*1000 } return v }
    END { printf "%s %.3f %.3f\n", rps, ms(p50), ms(p99) }'
}

run_paddock() {
  "$bin/paddock" --app echo --bind "127.0.0.1:$pport" --error-logfile "$work/paddock.log" --log-level info &
  ppid_=$!
  wait_port "$pport"
  sleep 0.5
  # Idle RSS (KiB) of master and workers before load.
  rss_master=$(ps -o rss= -p "$ppid_" | tr -d ' ')
  rss_workers=$(ps -o rss= --ppid "$ppid_" | tr -s ' \n' ' ')
  out=$(wrk -t2 -c64 -d"$duration" --latency "http://127.0.0.1:$pport/health")
  read -r rps p50 p99 <<<"$(parse_wrk <<<"$out")"
  kill -TERM "$ppid_"; wait "$ppid_" || true; ppid_=""
  # Requests per worker from the workers' exit lines.
  per_worker=$(grep -o 'exiting after [0-9]* requests' "$work/paddock.log" | awk '{print $3}' | tr '\n' ' ')
  : > "$work/paddock.log"
  echo "$rps $p50 $p99|$rss_master|$rss_workers|$per_worker"
}

run_nginx() {
  nginx -c "$work/nginx.conf" -p "$work" &
  npid=$!
  wait_port "$nport"
  out=$(wrk -t2 -c64 -d"$duration" --latency "http://127.0.0.1:$nport/health")
  kill -QUIT "$npid"; wait "$npid" || true; npid=""
  parse_wrk <<<"$out"
}

echo "| round | Paddock req/s | nginx req/s | ratio | Paddock p50 / p99 (ms) | nginx p50 / p99 (ms) | requests per worker (max / mean) |"
echo "|---|---|---|---|---|---|---|"
sum_ratio=0
for r in $(seq 1 "$rounds"); do
  IFS='|' read -r pstats rssm rssw perw <<<"$(run_paddock)"
  read -r prps pp50 pp99 <<<"$pstats"
  read -r nrps np50 np99 <<<"$(run_nginx)"
  ratio=$(awk -v a="$prps" -v b="$nrps" 'BEGIN{printf "%.2f", a/b}')
  balance=$(awk -v s="$perw" 'BEGIN{n=split(s,a," "); t=0; m=0; for(i=1;i<=n;i++){t+=a[i]; if(a[i]>m)m=a[i]} if(n==0){print "n/a"; exit} printf "%s (max/mean %.2f)", s, m/(t/n)}')
  echo "| $r | $prps | $nrps | $ratio | $pp50 / $pp99 | $np50 / $np99 | $balance |"
  last_rss="master ${rssm} KiB; workers ${rssw}KiB"
done
echo
echo "Idle RSS (last round): $last_rss"
