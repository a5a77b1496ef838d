#!/usr/bin/env bash
# README command 1: install what is missing, build, and run preflight on the bundled
# demo lab (libvirt's test driver: no hypervisor needed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
inv=fixtures/lab/preflight.yaml
run() { echo; echo "\$ preflight $*"; build/bin/preflight "$@" || echo "(exit status $?)"; }
run collect --inventory "$inv" --all -o build/lab-facts
run baseline --inventory "$inv" hostA hostB
run compare --inventory "$inv" hostA hostB
