#!/usr/bin/env bash
# The metrics micro-benchmark (see Package.swift): a release build, then the table of ns per
# request on 2 threads and on 1, and, with valgrind installed, instructions per request on 1
# thread (callgrind counts instructions, the same whatever else the machine is doing; with
# SWIFT_DETERMINISTIC_HASHING so dictionaries hash alike in every run).
set -euo pipefail
cd "$(dirname "$0")"
swift build -c release --product MetricsBench >/dev/null
BIN=.build/release/MetricsBench
[ -n "${SKIP_TIMES:-}" ] || $BIN 2000000 2 5
[ -n "${SKIP_TIMES:-}" ] || $BIN 2000000 1 5
if command -v valgrind >/dev/null; then
    echo
    echo "instructions per request, 1 thread (callgrind; 200,000 requests minus the empty loop's count)"
    # Debian 12's valgrind cannot read this toolchain's debug information: count a stripped copy.
    STRIPPED=$(mktemp)
    trap 'rm -f "$STRIPPED"' EXIT
    cp "$BIN" "$STRIPPED" && strip "$STRIPPED" && chmod +x "$STRIPPED"
    count() { # variant-prefix requests
        SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$STRIPPED" "$2" 1 1 "$1" 2>&1 \
            | awk '/Collected :/ {print $4}'
    }
    base_small=$(count "nothing" 100000); base=$(count "nothing" 200000)
    for v in "Portico" "swift-metrics + swift-prometheus, handles made once" "swift-prometheus alone" \
        "swift-prometheus, handles from a per-thread" "swift-metrics + swift-prometheus, handles looked up"; do
        small=$(count "$v" 100000); large=$(count "$v" 200000)
        # (large - small) counts 100,000 requests x 2 (warm-up and round), minus the loop's own.
        echo "| $v | $(( ((large - small) - (base - base_small)) / 200000 )) |"
    done
fi
