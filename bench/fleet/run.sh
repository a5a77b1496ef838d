#!/bin/sh
# Fleet benchmarks (issue 11), whole processes timed by bench/paired.py, each paired with
# a named reference run in turn with it:
#   1. `preflight matrix` over N facts files in K CPU classes (classes, the class
#      matrix, the per-vendor baseline and what each class gives up), against
#      reading the same files (`cat`): the floor of any tool that reads them.
#   2. `check web1 hostB --from hostA` in an inventory of the demo lab plus N facts
#      hosts, against the same check in the lab's own inventory (goal: <= 1.5x).
#   3. `check web1 hostB` without --from in that inventory (the VM is looked for).
#   4. The worst case, N distinct CPUs (N classes): the class matrix's bitset pass
#      against a bare popcount(A AND NOT B) loop over the same sets, in one program
#      (bench/fleet/matrix_loop.cpp, paired rounds), then `preflight matrix` of them
#      whole (time and peak memory).
# usage: bench/fleet/run.sh [PREFLIGHT_BINARY] [N] [K] [RUNS]
# (the build folder of PREFLIGHT_BINARY builds bench_matrix_loop for 4)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-$here/../../build/bin/preflight}")
n=${2:-10000}
k=${3:-50}
runs=${4:-5}
lab=$(cd "$here/../../fixtures/lab" && pwd)
dir=$(mktemp -d /tmp/preflight-fleet-XXXXXX)
trap 'rm -rf "$dir"' EXIT

python3 "$here/generate.py" "$n" "$k" "$dir"
echo "fleet: $n facts files in $k CPU classes, $(du -sh "$dir" | cut -f1)"

echo "== 1. matrix of $n hosts vs cat of their files"
"$here/../paired.py" -n "$runs" --vs "sh -c 'cat $dir/*.yaml > /dev/null'" -- \
  "$bin" --inventory "$dir/inventory.yaml" matrix

# The demo lab with absolute paths, then the fleet.
big=$dir/big.yaml
{
  echo "hosts:"
  for h in hostA hostB hostC; do
    echo "  $h: {libvirt: 'test://$lab/$h.xml', cpu: '$lab/$h-cpu.xml'}"
  done
  tail -n +2 "$dir/inventory.yaml" | sed "s|{facts: |{facts: $dir/|"
  echo "policy: $lab/policy.yaml"
} > "$big"

echo "== 2. check --from: lab + $n hosts vs the lab's 3-host inventory"
"$here/../paired.py" -n "$runs" --vs "$bin --inventory $lab/preflight.yaml check web1 hostB --from hostA" -- \
  "$bin" --inventory "$big" check web1 hostB --from hostA

echo "== 3. check without --from: lab + $n hosts vs the lab's 3-host inventory"
"$here/../paired.py" -n "$runs" --vs "$bin --inventory $lab/preflight.yaml check web1 hostB" -- \
  "$bin" --inventory "$big" check web1 hostB

echo "== 4. worst case: $n distinct CPUs"
rm -f "$dir"/h*.yaml "$big"  # the folder must hold only the new fleet's facts and inventory
python3 "$here/generate.py" "$n" "$n" "$dir"
build=$(dirname "$(dirname "$bin")")
cmake --build "$build" --target bench_matrix_loop >/dev/null
"$build/bin/bench_matrix_loop" "$dir" "$runs"
for i in $(seq "$runs"); do
  /usr/bin/time -f "preflight matrix of $n distinct CPUs: %e s wall, %U s user, %M KiB peak" \
    "$bin" --inventory "$dir/inventory.yaml" matrix >/dev/null || true
done
