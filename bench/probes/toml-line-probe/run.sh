#!/usr/bin/env bash
# Builds the TOMLKit probe from a clean state (timed) and runs it. Not part of make test.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf .build
swift package resolve >/dev/null 2>&1
/usr/bin/time -f "clean debug build of TOMLKit 0.6.0 and the probe: wall %e s, CPU %U s user + %S s sys" \
    swift build >/dev/null
.build/debug/TOMLLineProbe
echo "Every 'source' in TOMLKit's public Swift API and its C layer (CTOML.h):"
grep -n "source" .build/checkouts/TOMLKit/Sources/CTOML/include/CTOML/CTOML.h \
    .build/checkouts/TOMLKit/Sources/TOMLKit/*.swift ".build/checkouts/TOMLKit/Sources/TOMLKit/TOML Data Types"/*.swift \
    .build/checkouts/TOMLKit/Sources/TOMLKit/TOMLValue/*.swift | grep -v "^.*//" || true
