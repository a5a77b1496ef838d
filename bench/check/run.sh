#!/bin/sh
# Benchmark (issue 4): `preflight check` as a whole process against one
# `virsh -c test:///... dumpxml VM` on the same host file; median of N runs each.
# Run by hand from the source root after building: bench/check/run.sh [build-dir] [runs]
set -eu
BUILD=${1:-build}
RUNS=${2:-15}
LAB=$(cd "$(dirname "$0")/../../fixtures/lab" && pwd)
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_ms() {  # runs "$@" once, prints wall milliseconds
  s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))
}
i=0; : > /tmp/pf_check.$$; : > /tmp/pf_virsh.$$
while [ $i -lt "$RUNS" ]; do
  time_ms "$BUILD/bin/preflight" --inventory "$LAB/preflight.yaml" check web1 hostB --from hostA -o json >> /tmp/pf_check.$$
  time_ms virsh -c "test://$LAB/hostA.xml" dumpxml web1 >> /tmp/pf_virsh.$$
  i=$((i + 1))
done
c=$(median < /tmp/pf_check.$$); v=$(median < /tmp/pf_virsh.$$)
rm -f /tmp/pf_check.$$ /tmp/pf_virsh.$$
echo "preflight check web1 hostB --from hostA: median ${c} ms over $RUNS runs"
echo "virsh dumpxml web1 (test driver):        median ${v} ms over $RUNS runs"
awk -v c="$c" -v v="$v" 'BEGIN { printf "ratio: %.2fx (goal: at most 2x)\n", (v > 0 ? c / v : 0) }'
