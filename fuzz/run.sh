#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (make fuzz-short / make fuzz). New inputs go to
# fuzz/.build/corpus/<target> (kept between runs, not committed); the seeds in fuzz/corpus/<target>
# are only read. With FUZZ_SEED and FUZZ_RUNS set (make fuzz-short) a target replays the committed
# seeds only and then runs exactly FUZZ_RUNS inputs from that seed, so the run is the same on every
# machine and CI never fails on a new find; `make fuzz` draws a seed and explores. A crash or a broken invariant stops the run with exit 1 and names the input,
# saved as fuzz/.build/crashes/<target>-crash-<sha1>; replay it with `<binary> <that file>`.
set -uo pipefail
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
cd "$(dirname "$0")"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzForm FuzzHead FuzzCookie FuzzStripe FuzzJSON FuzzRadius)
bin=.build/debug
rss_mb=${FUZZ_RSS_MB:-2048}
repeatable=()
if [ -n "${FUZZ_SEED:-}" ] && [ -n "${FUZZ_RUNS:-}" ]; then
    repeatable=(-seed="$FUZZ_SEED" -runs="$FUZZ_RUNS")
fi
# Swift's own crash backtracer trips over ASan; libFuzzer prints the stack itself.
export SWIFT_BACKTRACE=enable=no
mkdir -p .build/crashes
failed=()
for t in "${targets[@]}"; do
    log=".build/crashes/$t.log"
    if [ ${#repeatable[@]} -gt 0 ]; then
        # A scratch corpus: inputs found by earlier runs would change the path.
        work=".build/corpus-repeatable/$t"
        rm -rf "$work"
    else
        work=".build/corpus/$t"
    fi
    mkdir -p "$work"
    start=$SECONDS
    "$bin/$t" -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -malloc_limit_mb="$rss_mb" -timeout=10 \
        -max_len=4096 -print_final_stats=1 -artifact_prefix=".build/crashes/$t-" "${repeatable[@]}" \
        "$work" "corpus/$t" >"$log" 2>&1
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
if [ ${#repeatable[@]} -gt 0 ]; then
    echo "fuzz: ${#targets[@]} targets ok, $FUZZ_RUNS inputs each from seed $FUZZ_SEED"
else
    echo "fuzz: ${#targets[@]} targets ok, ${seconds} s each"
fi
