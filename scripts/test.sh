#!/usr/bin/env bash
# Second command of the README (and CI): set up everything the tests need, build, run the whole suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" test
cd "$root/build"
ctest --output-on-failure -j "$(nproc)" --timeout 900
# A bounded fuzzing run of the readers of outside data (docs/fuzzing.md): 15 s per target, about 2 minutes in all.
"$root/scripts/fuzz.sh" 15
