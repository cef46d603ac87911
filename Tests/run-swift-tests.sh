#!/usr/bin/env bash
# Runs the Swift tests (already built) and, when they fail, ends with what explains the failure:
# the failed expectations, the crashed thread's backtrace, and the tests that had started but not
# finished when the process died. CI shows the end of the output, so that is where it goes.
# The whole output is kept in .build/swift-test.log.
set -uo pipefail
cd "$(dirname "$0")/.."
LOG=.build/swift-test.log
mkdir -p .build
# On a crash: the crashed thread only, with source lines, and no register or image dumps.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=yes,threads=crashed,registers=none,images=none,sanitize=yes}"
# The namespace tests must leave the host's own nftables alone: compare its tables around the run.
host_tables() { [ "$(id -u)" = 0 ] && command -v nft >/dev/null && nft list tables 2>/dev/null | sort; }
before=$(host_tables)
"${SWIFT:-swift}" test --skip-build "$@" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
after=$(host_tables)
if [ "$before" != "$after" ]; then
    echo "==== the tests changed the host's nftables tables (they must stay inside namespaces) ===="
    diff <(echo "$before") <(echo "$after")
    [ "$status" = 0 ] && status=1
fi
[ "$status" = 0 ] && exit 0

echo
echo "==== swift test failed (exit $status); full output in $LOG ===="
echo "-- failed expectations and tests --"
grep -E '^(✘|􀢄)|recorded an issue|error:' "$LOG" | head -40
if grep -q -E 'crashed|Fatal error|Crash: ' "$LOG"; then
    echo "-- crash --"
    grep -n -E 'Fatal error|Crash: |crashed:' "$LOG" | head -5
    # The crashed thread's frames: from "Thread N crashed:" to the next blank line after frames.
    awk '/crashed:$/ {on=1} on {print; if (/^$/ && n++ > 0) exit}' "$LOG" | head -60
fi
echo "-- tests started but not finished --"
# Swift Testing prints "◇ Test NAME started." and "✔ Test NAME passed after …" (✘ failed, ➜ skipped).
sed -n -E 's/^◇ Test (.*) started\.$/\1/p' "$LOG" | grep -v -E "^(case passing|run$)" | sort -u >"$LOG.started"
sed -n -E 's/^[^ ]+ Test (.*) (passed|failed|skipped)( after .*|\.|:.*)$/\1/p' "$LOG" \
    | sed -E 's/ with [0-9]+ test cases?$//' | sort -u >"$LOG.ended"
comm -23 "$LOG.started" "$LOG.ended" | head -20
exit "$status"
