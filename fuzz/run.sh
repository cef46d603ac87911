#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (make fuzz-short / make fuzz). New inputs go to
# fuzz/.build/corpus/<target> (kept between runs, not committed); the seeds in fuzz/corpus/<target>
# are only read. A crash or a broken invariant stops the run with exit 1 and names the input,
# saved as fuzz/.build/crashes/<target>-crash-<sha1>; replay it with `<binary> <that file>`.
set -uo pipefail
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
cd "$(dirname "$0")"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzForm FuzzCookie FuzzStripe FuzzJSON)
bin=.build/debug
rss_mb=${FUZZ_RSS_MB:-2048}
# Swift's own crash backtracer trips over ASan; libFuzzer prints the stack itself.
export SWIFT_BACKTRACE=enable=no
mkdir -p .build/crashes
failed=()
for t in "${targets[@]}"; do
    mkdir -p ".build/corpus/$t"
    log=".build/crashes/$t.log"
    start=$SECONDS
    "$bin/$t" -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -malloc_limit_mb="$rss_mb" -timeout=10 \
        -max_len=4096 -print_final_stats=1 -artifact_prefix=".build/crashes/$t-" \
        ".build/corpus/$t" "corpus/$t" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    if [ $rc -eq 0 ]; then
        echo "fuzz $t: ok, ${runs:-?} runs in $((SECONDS - start)) s, $cov"
    else
        failed+=("$t")
        echo "fuzz $t: FAILED (exit $rc) after $((SECONDS - start)) s; log: fuzz/$log"
        grep -E 'invariant broken|Fatal error|ERROR: |SUMMARY|Test unit written' "$log" | head -8 | sed 's/^/    /'
        echo "    replay: fuzz/$bin/$t <the file named above>"
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}"
    exit 1
fi
echo "fuzz: ${#targets[@]} targets ok, ${seconds} s each"
