#!/usr/bin/env bash
# A bounded libFuzzer run of every fuzz target (docs/fuzzing.md), from the committed seed corpus.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 15 seconds, every target)
# Builds build-fuzz/ with clang (ASan, UBSan, libFuzzer) on first use; new inputs go to build-fuzz/corpus/<target>/,
# never into the committed corpus. A crash, leak, sanitizer report or hang fails the script and leaves the input in
# build-fuzz/findings/<target>/: fix the bug, then commit the input under tests/fuzz/regressions/<target>/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-15}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sweep fleet task_list result status runner_result dataset lab)
build="$root/build-fuzz"

if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLI_FUZZ=ON >/dev/null
fi
cmake --build "$build" --target dli_fuzz

status=0
for target in "${targets[@]}"; do
  mkdir -p "$build/corpus/$target" "$build/findings/$target"
  seeds=()
  for folder in "$root/tests/fuzz/corpus/$target" "$root/tests/fuzz/regressions/$target"; do
    [ -d "$folder" ] && seeds+=("$folder")
  done
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: 2 GiB for one input is a memory bug.
  if ! "$build/dli_fuzz_$target" "$build/corpus/$target" "${seeds[@]}" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/findings/$target/" \
       >"$build/findings/$target.log" 2>&1; then
    echo "fuzz $target: FINDING (see $build/findings/$target.log and $build/findings/$target/)" >&2
    tail -n 40 "$build/findings/$target.log" >&2
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/findings/$target.log" | grep -o '[0-9]*$' || true)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$build/findings/$target.log" | grep -o '[0-9]*$' || true)
  echo "fuzz $target: ${runs:-?} inputs in ${seconds} s (${speed:-?}/s)"
done
exit $status
