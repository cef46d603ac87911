#!/usr/bin/env bash
# `make bench`: every benchmark in one run, then one table (bench/summary.py) with ratios against
# the references measured in the same run, written to bench-results/summary.md and into the
# README's benchmark block. Run it on a quiet machine: the figures are throughput and latency.
#   SERVICES (100000) and DAYS (30)  the daily run
#   DURATION (10)                    seconds per wrk cell (bench/http.sh)
#   ROUNDS (200)                     release rounds in the lab (bench/firewall.sh, root only)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product portico
mkdir -p .portico bench-results
rm -f bench-results/*.md
echo "$(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), \
$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), \
load average before the run $(cut -d' ' -f1 /proc/loadavg)" >bench-results/machine.txt

echo "== daily run"
.build/release/portico bench billing --database .portico/bench-billing.db \
  --services "${SERVICES:-100000}" --days "${DAYS:-30}" | tee bench-results/billing.md
echo "== portal throughput against nginx"
bench/http.sh
if [ "$(id -u)" = 0 ]; then
  echo "== walled garden (namespaces)"
  bench/firewall.sh
else
  echo "== walled garden: skipped (bench/firewall.sh needs root for network namespaces)"
fi
echo "== summary"
python3 bench/summary.py --readme README.md
