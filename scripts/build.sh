#!/usr/bin/env bash
# Configures and builds preflight into build/ (binary: build/bin/preflight).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
fi
cmake --build build -j"$(nproc)" >&2
