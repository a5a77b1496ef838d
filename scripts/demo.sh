#!/usr/bin/env bash
# README command 1: install what is missing, build, and run preflight on the bundled
# demo lab (libvirt's test driver: no hypervisor needed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
export PREFLIGHT_INVENTORY=fixtures/lab/preflight.yaml
run() {
  echo
  echo "\$ preflight $*"
  local rc=0
  build/bin/preflight "$@" || rc=$?  # the inventory: $PREFLIGHT_INVENTORY
  echo "(exit status $rc)"
}
# The main job: may these VMs move?
run check web1 hostB          # go: shared NFS storage, same networks, hostB has every CPU feature web1 sees
run check db1 hostB           # no-go: AVX-512 missing on hostB, not enough memory
run check gpu1 hostC          # no-go: Intel to AMD, a PCI passthrough device, a disk to copy
run check web1 hostB -o json  # the same verdict for scripts
run check fixtures/lab/new/db2.xml hostB  # a VM not defined yet (a domain XML): may it start on hostB? no-go
# What would make mixed hosts compatible:
run compare hostA hostB
run baseline hostA hostB -o libvirt
run mask db1 --hosts hostA hostB
run matrix                    # every pair of hosts at once
# Before a move: how long, and the plan (nothing moves in the demo lab)
run estimate web1 hostB
run migrate lb1 hostA --mode copy-storage --dry-run
