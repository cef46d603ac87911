#!/bin/sh
# The walled garden's benchmarks (root; release build). Everything runs in network namespaces
# this script creates and removes; no traffic leaves the machine.
#   1. portico bench firewall: rebuild with 100,000 addresses vs `nft -f`, and the netlink work
#      of one release (set delete + conntrack delete), in a scratch namespace.
#   2. release latency in the lab (deploy/lab): from the admin API's answer to a release to the
#      client's first 200 from the internet host, ROUNDS rounds (default 200).
# Results also go to bench-results/firewall-*.md.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-200}
cd "$ROOT"
[ "$(id -u)" = 0 ] || { echo "bench/firewall.sh: needs root (network namespaces, nftables)" >&2; exit 1; }
swift build -c release --product portico
mkdir -p bench-results
PORTICO=$ROOT/.build/release/portico
machine="$(nproc) cores, $(uname -r), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"

echo "## portico bench firewall ($machine)" | tee bench-results/firewall-netlink.md
"$PORTICO" bench firewall --addresses 100000 --releases 1000 | tee -a bench-results/firewall-netlink.md

export LAB=pbench PORTICO
deploy/lab/lab.sh down >/dev/null 2>&1 || true
trap 'deploy/lab/lab.sh down >/dev/null 2>&1 || true' EXIT INT TERM
deploy/lab/lab.sh up >/dev/null
state=/run/portico-lab-$LAB
echo "## release latency in the lab, $ROUNDS rounds ($machine)" | tee bench-results/firewall-release.md
ip netns exec $LAB-client python3 bench/firewall_release.py "$(cat $state/token)" "$(cat $state/ana-service)" "$ROUNDS" \
    | tee -a bench-results/firewall-release.md
