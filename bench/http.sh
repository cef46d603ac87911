#!/usr/bin/env bash
# Keep-alive requests per second of Portico's redirect and suspension page against nginx on the
# same machine in the same run (wrk, 2 threads, 100 and 1,000 connections; DURATION seconds per
# run, REPEAT alternating runs per cell). Writes
# bench-results/http.md. All traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5}
REPEAT=${REPEAT:-3}
OUT=bench-results/http.md
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p bench-results
BIN=.build/release/portico
[ -x "$BIN" ] || swift build -c release --product portico

$BIN bench http-setup --database "$WORK/p.db" --address 127.0.0.1 >/dev/null
$BIN serve --database "$WORK/p.db" --portal-listen 127.0.0.1:18080 --admin-listen 127.0.0.1:18081 \
  --portal-url http://portal.test --portal-connections-per-address 2000 >"$WORK/portico.log" 2>&1 &
for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:18080/api/captive && break; sleep 0.1; done
PORTICO_PID=$(pgrep -f "portico serve --database $WORK/p.db" | head -1)
rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$PORTICO_PID/status"; }
peak() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$PORTICO_PID/status"; }
IDLE_RSS=$(rss)

# nginx answers the same 302 and serves a static copy of Portico's page.
curl -s -H 'Host: portal.test' http://127.0.0.1:18080/ >"$WORK/page.html"
mkdir -p "$WORK/www" && cp "$WORK/page.html" "$WORK/www/index.html"
cat >"$WORK/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:18090;
    location = /redirect { return 302 http://portal.test/; }
    location / { root $WORK/www; index index.html; add_header Cache-Control no-store; }
  }
}
NGINX
nginx -c "$WORK/nginx.conf"
sleep 0.5

rps() { # url host connections
  wrk -t2 -c"$3" -d"${DURATION}s" -H "Host: $2" "$1" 2>/dev/null | awk '/Requests\/sec/ {printf "%.0f", $2}'
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
# Each cell alternates nginx and Portico REPEAT times (this VM drifts by ±10 % over a minute) and
# reports the medians and the median of the per-round ratios.
cell() { # label nginx-url portico-url host connections
  local ns="" ps="" rs=""
  for _ in $(seq "$REPEAT"); do
    n=$(rps "$2" "$4" "$5"); p=$(rps "$3" "$4" "$5")
    ns="$ns $n"; ps="$ps $p"; rs="$rs $(awk "BEGIN {printf \"%.4f\", $p/$n}")"
  done
  echo "| $1 | $5 | $(echo $ns | median) | $(echo $ps | median) | $(echo $rs | median | awk '{printf "%.2f", $1}') |"
}
{
  echo "| answer | connections | nginx req/s | Portico req/s | Portico / nginx |"
  echo "|---|---:|---:|---:|---:|"
  for c in 100 1000; do
    cell "302 redirect" http://127.0.0.1:18090/redirect http://127.0.0.1:18080/generate_204 example.com $c
  done
  for c in 100 1000; do
    cell "suspension page ($(wc -c <"$WORK/page.html") bytes)" http://127.0.0.1:18090/ http://127.0.0.1:18080/ portal.test $c
  done
} | tee "$OUT"
echo "each cell: the median of $REPEAT alternating runs of $DURATION s per server" | tee -a "$OUT"
echo "Portico resident memory: idle $IDLE_RSS MiB, peak under load $(peak) MiB" | tee -a "$OUT"
# nginx's master and workers together, each at its peak (VmHWM), under the same load.
NGINX_MASTER=$(cat "$WORK/nginx.pid")
NGINX_KIB=0
for pid in $NGINX_MASTER $(pgrep -P "$NGINX_MASTER"); do
  NGINX_KIB=$((NGINX_KIB + $(awk '/VmHWM/ {print $2}' "/proc/$pid/status")))
done
echo "nginx resident memory, master and 2 workers at their peaks: $(awk "BEGIN {printf \"%.1f\", $NGINX_KIB/1024}") MiB" | tee -a "$OUT"
echo "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d)" | tee -a "$OUT"
