#!/usr/bin/env bash
# README command 2: install what is missing, build, run every test through CTest, then
# the sanitizer build's unit suites and fuzz smoke runs (scripts/sanitize.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)")
# The unit suites again under ASan + UBSan, and a smoke run of each fuzz harness.
scripts/sanitize.sh
