#!/bin/sh
# Baseline of 10,000 CPU definitions: preflight vs virsh, whole process, median
# of RUNS runs each; checks both print the same answer.
# usage: bench/baseline/run.sh [PREFLIGHT_BINARY] [N] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/bin/preflight}
n=${2:-10000}
runs=${3:-5}
file=$(mktemp /tmp/preflight-bench-XXXXXX.xml)
trap 'rm -f "$file" "$file.p" "$file.v"' EXIT
python3 "$here/generate.py" "$n" "$file" --seed 1

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_runs() {  # command... -> median seconds
  i=0
  while [ $i -lt "$runs" ]; do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    echo "$e - $s" | bc
    i=$((i + 1))
  done | median
}

"$bin" baseline --format libvirt --features "$file" >"$file.p" 2>/dev/null
virsh -c test:///default cpu-baseline --features "$file" >"$file.v"
# virsh ends its output with one extra empty line
if printf '\n' | cat "$file.p" - | cmp -s - "$file.v"; then same=yes; else same=NO; fi

p=$(time_runs "$bin" baseline --format libvirt --features "$file")
v=$(time_runs virsh -c test:///default cpu-baseline --features "$file")
echo "CPUs: $n   runs: $runs   same answer: $same"
echo "preflight: ${p}s (median)"
echo "virsh:     ${v}s (median)"
echo "speed-up:  $(echo "scale=1; $v / $p" | bc)x"
