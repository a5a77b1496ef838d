#!/bin/bash
# Migrator overhead: preflight's Migrator against a bare `virsh migrate --live --p2p`
# of the same lab guest (tests/lab/), interleaved, ping-pong between the two lab
# hosts; prints both medians and their ratio (goal: at most 1.05).
# Usage: bench/migrate/run.sh [BUILD_DIR] [RUNS]   (root; default build-lab, 10 runs)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-lab}
runs=${2:-10}
[ "$(id -u)" = 0 ] || { echo "run.sh: the lab needs root" >&2; exit 1; }
cmake --build "$build" --target test_migrate_lab >/dev/null
PREFLIGHT_BENCH_RUNS=$runs PREFLIGHT_LAB_DIR=${PREFLIGHT_LAB_DIR:-/tmp/preflight-lab-bench} \
  "$build/bin/test_migrate_lab" --run_test='bench/*' --log_level=error
