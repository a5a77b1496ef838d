#!/usr/bin/env bash
# The hardening half of CI (run by scripts/test.sh after the Release suite): the unit
# tests of the pure layers and the parsers built with AddressSanitizer and
# UndefinedBehaviorSanitizer (clang, -O1, assertions on), and each libFuzzer harness
# of fuzz/ run for a few seconds over its seed corpus (ctest's fuzz_smoke_* tests).
# Builds into build-sanitize/; a sanitizer report fails the test that made it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build-sanitize/CMakeCache.txt ]; then
  cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
        -DPREFLIGHT_FUZZ=ON -DPREFLIGHT_MAN_PAGES=OFF >&2
fi
cmake --build build-sanitize -j"$(nproc)" --target preflight_unit_tests preflight_fuzzers >&2
cd build-sanitize
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --output-on-failure -j"$(nproc)"
