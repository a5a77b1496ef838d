#!/bin/bash
# The estimate against real moves: for each scenario, a lab guest (tests/lab/) that
# dirties its memory at a set rate runs on lab host 1; `preflight estimate` measures
# it and predicts the move to host 2; then libvirt moves it for real (virsh migrate
# --live --p2p with the same bandwidth cap and downtime limit) and its completed job
# statistics (virDomainGetJobStats on the destination) give the real total time,
# downtime and iterations. Prints one Markdown table row per scenario; its last
# column is the estimate given the rate the guest was built to dirty at instead of
# the measured one (tells the model's error from the measurement's).
# Goals (issue 14): total within 25 %, downtime within 50 % or 100 ms, iterations +-1;
# a scenario that does not converge must be said not to.
# Usage: bench/estimate/run.sh [BUILD_DIR] [SCENARIO...]   (root; default build)
# Environment: PREFLIGHT_LAB_ACCEL=kvm|tcg|auto (tests/lab/lab.sh; the lab is rebuilt
# when it changes); PREFLIGHT_BENCH_KEEP=DIR keeps each scenario's estimates (JSON) and
# job statistics there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
shift || true
[ "$(id -u)" = 0 ] || { echo "run.sh: the lab needs root" >&2; exit 1; }
export PREFLIGHT_LAB_DIR=${PREFLIGHT_LAB_DIR:-/tmp/preflight-lab-estimate}
lab=$root/tests/lab/lab.sh
preflight=$build/bin/preflight
[ -x "$preflight" ] || { echo "run.sh: build preflight first ($preflight)" >&2; exit 1; }

# name  guest(plain|rate:MIBS)  memory_MiB  bandwidth_MiB/s(0: none)  max_downtime_ms  timeout_s
scenarios=(
  "idle       plain    256   0  300  60"
  "dirty-4    rate:4   256  32  300  60"
  "dirty-8    rate:8   256  32  300  60"
  "dirty-16   rate:16  256  32  300  60"
  "cap-16     rate:8   256  16  300  90"
  "cap-64     rate:16  256  64  300  60"
  "limit-1s   rate:16  256  32 1000  60"
  "no-conv    rate:16  256   8  300  30"
)
if [ $# -gt 0 ]; then
  wanted=" $* "
  kept=()
  for s in "${scenarios[@]}"; do [[ $wanted == *" ${s%% *} "* ]] && kept+=("$s"); done
  scenarios=("${kept[@]}")
fi

# The lab is shared: hold its lock while we use it (the lab's daemons must not inherit it).
exec 9>/tmp/preflight-lab.lock
flock 9
"$lab" up 9>&- >/dev/null
accel=$(cat "$PREFLIGHT_LAB_DIR/accel")
c1="qemu+unix:///system?socket=$PREFLIGHT_LAB_DIR/host1/run/libvirt/libvirt-sock"
c2="qemu+unix:///system?socket=$PREFLIGHT_LAB_DIR/host2/run/libvirt/libvirt-sock"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/inventory.yaml" <<EOF
hosts:
  lab1:
    libvirt: $c1
    migrate_uri: qemu+tcp://192.0.2.1/system
    link_gbit: 10
  lab2:
    libvirt: $c2
    migrate_uri: qemu+tcp://192.0.2.2/system
    link_gbit: 10
EOF

echo "accel $accel, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start, $("$preflight" --version 2>/dev/null | head -1)"
echo "| scenario | guest | cap | limit | measured dirty rate | in use | est. total | real total | est. downtime | real downtime | est. iter. | real iter. | within goals | at the set rate: total, downtime, iter. |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for s in "${scenarios[@]}"; do
  read -r name guest mib cap limit timeout <<<"$s"
  vm=est-$name
  virsh -q -c "$c1" destroy "$vm" >/dev/null 2>&1 || true
  virsh -q -c "$c2" destroy "$vm" >/dev/null 2>&1 || true
  PREFLIGHT_LAB_GUEST_MIB=$mib "$lab" guest-xml "$vm" "$guest" > "$work/$vm.xml"
  # qemu64 names svm, which an Intel host's KVM cannot give: libvirt refuses to start
  # the KVM guest ("Host CPU does not provide required features: svm"). Leave it out.
  [ "$accel" = kvm ] && sed -i "s|</model>|</model><feature policy='disable' name='svm'/>|" "$work/$vm.xml"
  serial=$("$lab" serial 1 "$vm")
  "$lab" exec 1 rm -f "/var/log/libvirt/qemu/$vm.serial"  # inside the host: its /var is an overlay
  virsh -q -c "$c1" create "$work/$vm.xml" >/dev/null
  # The guest writes its memory once, then prints its first line and settles at its
  # rate. Under nested KVM its BIOS alone can take 5-15 s, so wait for that line.
  for _ in $(seq 300); do [ -s "$serial" ] && break; sleep 0.2; done
  [ -s "$serial" ] || echo "run.sh: $vm printed nothing within 60 s" >&2
  sleep 2
  est_args=(--inventory "$work/inventory.yaml" estimate "$vm" lab2 --from lab1 --max-downtime "$limit" --measure-seconds 5 -o json)
  [ "$cap" != 0 ] && est_args+=(--bandwidth "$cap")
  "$preflight" "${est_args[@]}" > "$work/$vm.estimate.json" || true
  # The same with the rate the guest was built to dirty at, given instead of measured:
  # tells the model's error from the measurement's.
  set_rate=0
  [[ $guest == rate:* ]] && set_rate=${guest#rate:}
  "$preflight" "${est_args[@]}" --dirty-rate "$set_rate" > "$work/$vm.estimate-set.json" || true
  mig_args=(--live --p2p --timeout "$timeout" --timeout-suspend)
  [ "$cap" != 0 ] && mig_args+=(--bandwidth "$cap")
  virsh -q -c "$c1" migrate-setmaxdowntime "$vm" "$limit"
  virsh -q -c "$c1" migrate "${mig_args[@]}" "$vm" qemu+tcp://192.0.2.2/system >/dev/null 2>"$work/$vm.migrate.err" || true
  virsh -q -c "$c2" domjobinfo "$vm" --completed --rawstats > "$work/$vm.job" 2>/dev/null || true
  virsh -q -c "$c1" destroy "$vm" >/dev/null 2>&1 || true
  virsh -q -c "$c2" destroy "$vm" >/dev/null 2>&1 || true
  [ -n "${PREFLIGHT_BENCH_KEEP:-}" ] && mkdir -p "$PREFLIGHT_BENCH_KEEP" && cp "$work/$vm".* "$PREFLIGHT_BENCH_KEEP/"
  python3 - "$work/$vm.estimate.json" "$work/$vm.job" "$work/$vm.estimate-set.json" "$name" "$guest" "$mib" "$cap" "$limit" "$timeout" <<'EOF'
import json, sys
est_path, job_path, set_path, name, guest, mib, cap, limit, timeout = sys.argv[1:]
try:
    s = json.load(open(set_path))["live"]
    at_set_rate = (f"{s['total_s']:.1f} s, {s['downtime_ms']:.0f} ms, {s['iterations']}" if s["converges"]
                   else "does not converge")
except Exception:
    at_set_rate = "-"
try:
    e = json.load(open(est_path))
except Exception as x:
    print(f"| {name} | estimate failed: {x} |"); sys.exit()
job = {}
for line in open(job_path):
    if ':' in line:
        k, v = line.split(':', 1)
        job[k.strip()] = v.strip()
live, inputs = e["live"], e["inputs"]
dirty = inputs["dirty_bytes_per_s"]
used = inputs["used_bytes"]
elapsed = float(job.get("time_elapsed", "nan")) / 1000
downtime = float(job.get("downtime", "nan"))
iters = int(job.get("memory_iteration", "-1"))
forced = elapsed >= float(timeout) - 0.5  # libvirt suspended the guest at --timeout: it did not converge
et, ed, ei = live["total_s"], live["downtime_ms"], live["iterations"]
if not live["converges"] or forced:
    ok = (not live["converges"]) == forced
    verdict = "yes (both: does not converge)" if ok else ("no: the estimate converges, the move did not" if forced else "no: the estimate does not converge, the move did")
else:
    misses = []
    if abs(et - elapsed) > 0.25 * elapsed: misses.append(f"total {100 * (et - elapsed) / elapsed:+.0f} %")
    if abs(ed - downtime) > max(0.5 * downtime, 100): misses.append(f"downtime {ed - downtime:+.0f} ms")
    if abs(ei - iters) > 1: misses.append(f"iterations {ei - iters:+d}")
    verdict = "yes" if not misses else "no: " + ", ".join(misses)
real_total = f"{elapsed:.1f} s" + (" (forced at --timeout)" if forced else "")
est_total = f"{et:.1f} s" if live["converges"] else f"does not converge ({et:.1f} s forced)"
d = f"{dirty['value'] / 1048576:.1f} MiB/s" + (" (assumed)" if dirty["assumed"] else "")
u = f"{used['value'] / 1048576:.0f} MiB" + (" (assumed)" if used["assumed"] else "")
print(f"| {name} | {guest}, {mib} MiB | {cap + ' MiB/s' if cap != '0' else 'none'} | {limit} ms | {d} | {u} | {est_total} | {real_total} | {ed:.0f} ms | {downtime:.0f} ms | {ei} | {iters} | {verdict} | {at_set_rate} |")
EOF
done
