#!/bin/sh
# Baseline of 10,000 CPU definitions: preflight vs virsh, whole process, median
# of RUNS runs each; checks both print the same answer.
# usage: bench/baseline/run.sh [PREFLIGHT_BINARY] [N] [RUNS]
# INSTRUCTIONS=1 also counts the instructions of one run of each under
# valgrind's callgrind: a number that does not swing with the machine's load.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/bin/preflight}
n=${2:-10000}
runs=${3:-5}
file=$(mktemp /tmp/preflight-bench-XXXXXX.xml)
trap 'rm -f "$file" "$file.p" "$file.v"' EXIT
# BARE=1: model + vendor only, no feature lists (the common form).
python3 "$here/generate.py" "$n" "$file" --seed 1 ${BARE:+--bare}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
seconds() {  # command... -> wall seconds of one run
  s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
  echo "$e - $s" | bc
}

"$bin" baseline -o libvirt --features "$file" >"$file.p" 2>/dev/null
virsh -c test:///default cpu-baseline --features "$file" >"$file.v"
# virsh ends its output with one extra empty line
if printf '\n' | cat "$file.p" - | cmp -s - "$file.v"; then same=yes; else same=NO; fi

# Interleaved (preflight, virsh, preflight, ...): both see the same moments of a
# shared machine's load; each pair's ratio is kept too.
times=$(mktemp /tmp/preflight-bench-times-XXXXXX)
trap 'rm -f "$file" "$file.p" "$file.v" "$times"' EXIT
i=0
while [ $i -lt "$runs" ]; do
  p1=$(seconds "$bin" baseline -o libvirt --features "$file")
  v1=$(seconds virsh -c test:///default cpu-baseline --features "$file")
  echo "$p1 $v1 $(echo "scale=3; $v1 / $p1" | bc)" >>"$times"
  i=$((i + 1))
done
p=$(awk '{print $1}' "$times" | median)
v=$(awk '{print $2}' "$times" | median)
r=$(awk '{print $3}' "$times" | median)
echo "CPUs: $n${BARE:+ (model + vendor only)}   runs: $runs (interleaved)   same answer: $same"
echo "preflight: ${p}s (median)"
echo "virsh:     ${v}s (median)"
echo "speed-up:  $(echo "scale=1; $v / $p" | bc)x (ratio of medians); median of the per-run ratios: ${r}x"
if [ "${INSTRUCTIONS:-0}" = 1 ] && command -v valgrind >/dev/null; then
  count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/Collected/ {print $4}'; }
  pi=$(count "$bin" baseline -o libvirt --features "$file")
  vi=$(count virsh -c test:///default cpu-baseline --features "$file")
  echo "instructions: preflight $pi, virsh $vi ($(echo "scale=1; $vi / $pi" | bc)x)"
fi
