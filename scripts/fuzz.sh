#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS [HARNESS...]]: builds the libFuzzer harnesses of fuzz/
# (build-sanitize/, as scripts/sanitize.sh) and runs each for SECONDS (default 60),
# one after another, over its seeds (build-sanitize/fuzz/seeds/NAME) and the corpus
# it grows (build-sanitize/fuzz/corpus/NAME). Extra libFuzzer flags: FUZZ_FLAGS
# (e.g. FUZZ_FLAGS=-runs=1000000); FUZZ_BUILD=0 runs the harnesses already built. A crash stops the run with the input saved as
# build-sanitize/fuzz/crash-* and the script's exit status non-zero; logs are in
# build-sanitize/fuzz/logs/NAME.log, and the last line of each is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
if [ "${FUZZ_BUILD:-1}" != 0 ]; then
  if [ ! -f build-sanitize/CMakeCache.txt ]; then
    cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
          -DPREFLIGHT_FUZZ=ON -DPREFLIGHT_MAN_PAGES=OFF >&2
  fi
  cmake --build build-sanitize -j"$(nproc)" --target preflight_fuzzers >&2
fi
cd build-sanitize/fuzz
mkdir -p logs
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  for d in seeds/*/; do harnesses+=("$(basename "$d")"); done
fi
status=0
for h in "${harnesses[@]}"; do
  mkdir -p "corpus/$h"
  start=$(date +%s)
  # shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
  if ../bin/fuzz_"$h" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$PWD/crash-$h-" ${FUZZ_FLAGS:-} "corpus/$h" "seeds/$h" >"logs/$h.log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  end=$(date +%s)
  last=$(grep -E '^#[0-9]+' "logs/$h.log" | tail -1 || true)
  runs=$(grep -E '^stat::number_of_executed_units' "logs/$h.log" | awk '{print $2}' || true)
  echo "$h: $result, ${runs:-?} executions in $((end - start)) s; $last"
done
exit $status
