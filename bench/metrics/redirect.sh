#!/usr/bin/env bash
# The portal's redirect with Portico's hand-written request metrics (A) and with swift-prometheus
# behind the same per-thread cache of label sets (B, prometheus-variant.py on a scratch copy of
# HEAD): user-space instructions per redirect under callgrind (N1 and N2 keep-alive redirects,
# the difference over N2 - N1: the same whatever else the machine does), then wrk -t2 -c100 in
# ABBA rounds (req/s and the server's CPU per request; only meaningful on a quiet machine).
# Two release builds of portico: about 20 minutes each on two busy cores. Not part of make test.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
N1=${N1:-2000}; N2=${N2:-12000}; DURATION=${DURATION:-5}; REPEAT=${REPEAT:-8}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

(cd "$ROOT" && swift build -c release --product portico >/dev/null)
cp "$ROOT/.build/release/portico" "$WORK/A"
SCRATCH=${SCRATCH:-$ROOT/.build-metrics-variant}
mkdir -p "$SCRATCH"
git -C "$ROOT" archive HEAD | tar -x -C "$SCRATCH"
python3 "$HERE/prometheus-variant.py" "$SCRATCH"
(cd "$SCRATCH" && swift build -c release --product portico >/dev/null)
cp "$SCRATCH/.build/release/portico" "$WORK/B"
"$WORK/A" bench http-setup --database "$WORK/p.db" --address 127.0.0.1 >/dev/null

instructions() { # binary requests
  cp "$1" "$WORK/cg" && strip "$WORK/cg"  # Debian 12's valgrind cannot read this toolchain's debug info
  SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$WORK/cg" serve --database "$WORK/p.db" \
    --portal-listen 127.0.0.1:18380 --admin-listen 127.0.0.1:18381 --portal-url http://portal.test \
    >"$WORK/cg.log" 2>&1 &
  local pid=$!
  for _ in $(seq 600); do curl -s -o /dev/null http://127.0.0.1:18380/api/captive && break; sleep 0.2; done
  python3 "$HERE/drive.py" 18380 "$2" >/dev/null
  kill -TERM $pid; wait $pid || true
  awk '/Collected :/ {print $4}' "$WORK/cg.log"
}
for v in A B; do
  a=$(instructions "$WORK/$v" "$N1"); b=$(instructions "$WORK/$v" "$N2")
  echo "$v: $(( (b - a) / (N2 - N1) )) instructions per redirect (callgrind, user space)"
done

start() { # binary port
  "$1" serve --database "$WORK/p.db" --portal-listen 127.0.0.1:$2 --admin-listen 127.0.0.1:$(($2 + 1)) \
    --portal-url http://portal.test --portal-connections-per-address 2000 >"$WORK/$2.log" 2>&1 &
  echo $! >"$WORK/$2.pid"
  for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:$2/api/captive && return; sleep 0.1; done
  echo "no server on $2"; cat "$WORK/$2.log"; exit 1
}
ticks() { awk '{print $14 + $15}' "/proc/$(cat "$WORK/$1.pid")/stat"; }
run() { # port -> "req/s cpu-µs-per-request"
  local t0 t1 out
  t0=$(ticks "$1")
  out=$(wrk -t2 -c100 -d"${DURATION}s" -H "Host: example.com" "http://127.0.0.1:$1/generate_204" 2>/dev/null)
  t1=$(ticks "$1")
  echo "$(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}')" \
    "$(awk "BEGIN {printf \"%.2f\", ($t1 - $t0) * 1e6 / $(getconf CLK_TCK) / $(echo "$out" | awk '/requests in/ {print $1}')}")"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
start "$WORK/A" 18180; start "$WORK/B" 18280
ar=""; br=""; ac=""; bc=""
for i in $(seq "$REPEAT"); do
  if [ $((i % 2)) = 1 ]; then a=$(run 18180); b=$(run 18280); else b=$(run 18280); a=$(run 18180); fi
  set -- $a; ar="$ar $1"; ac="$ac $2"; set -- $b; br="$br $1"; bc="$bc $2"
  echo "round $i: A $a  B $b  (req/s, server CPU µs per request)"
done
echo "A: median $(echo $ar | median) req/s, $(echo $ac | median) µs CPU per request"
echo "B: median $(echo $br | median) req/s, $(echo $bc | median) µs CPU per request"
