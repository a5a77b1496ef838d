#!/bin/bash
# The two-host migration lab: two "hosts", each its own UTS/mount/net/pid namespace
# with its own libvirtd + virtlogd, joined by a veth pair that exists only inside
# the two namespaces (the root namespace gets no interface and no route).
#
#   lab.sh up            bring both hosts up (idempotent); prints the hosts
#   lab.sh down          stop both hosts (SIGKILL to unshare ends each namespace)
#   lab.sh status        prints the hosts; exit 1 when the lab is not up
#   lab.sh guest-xml NAME [plain|dirty|rate:MIBS] [DISK]   a domain XML for the counter
#                        guest; DISK: a qcow2 file it gets as its (unused) disk hda;
#                        rate:MIBS writes its memory above 2 MiB once (up to 8 MiB below
#                        its end) and then dirties MIBS MiB/s of it, in order
#   lab.sh qcow2 N NAME MIB  a MIB MiB qcow2 volume NAME in host N's pool 'images'
#                        (/var/lib/libvirt/images, per host), its first MiB filled with
#                        0x5a; prints its path
#   lab.sh serial N NAME path (root namespace) of NAME's serial log on host N
#   lab.sh kill-libvirtd N | start-libvirtd N
#   lab.sh link down|up  cut or restore the veth link between the hosts
#   lab.sh exec N CMD... run CMD inside host N (all its namespaces)
#   lab.sh dest-cpu-off FEATURE|none   see PREFLIGHT_LAB_DEST_CPU_OFF
#
# Each host has a persistent, autostarted dir pool 'images' at /var/lib/libvirt/images
# (inside its own /var overlay, so the two hosts never share a file). libvirt's
# keepalive on the peer-to-peer migration connection is 2 s x 3 (qemu.conf) and on
# the daemons' connections the same (libvirtd.conf), instead of 5 s x 5: a cut link
# ends a move after about 8 s instead of about 30 s.
#
# Environment: PREFLIGHT_LAB_DIR (default /tmp/preflight-lab);
# PREFLIGHT_LAB_GUEST_MIB: the guest's memory for guest-xml (default 64);
# PREFLIGHT_LAB_ACCEL=auto|kvm|tcg (auto: kvm when a probe guest prints within 3 s);
# PREFLIGHT_LAB_DEST_CPU_OFF=FEATURE at up (or later: lab.sh dest-cpu-off FEATURE|none):
# host 2's qemu-system-x86_64 is a wrapper appending ,FEATURE=off to -cpu, a weaker
# destination CPU for the QEMUs started from then on.
#
# Output of up/status, one line per host:
#   hostN ADDRESS PEER_URI CONTROL_URI
# PEER_URI (qemu+tcp://ADDRESS/system) is how the hosts reach each other (the
# migration destination URI); CONTROL_URI is a unix socket reachable from the root
# namespace: qemu+unix:///system?socket=$PREFLIGHT_LAB_DIR/hostN/run/libvirt/libvirt-sock
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
lab=${PREFLIGHT_LAB_DIR:-/tmp/preflight-lab}
accel_wanted=${PREFLIGHT_LAB_ACCEL:-auto}
dest_cpu_off=${PREFLIGHT_LAB_DEST_CPU_OFF:-}
guest_features=(ssse3 sse4.1 sse4.2 popcnt)

die() { echo "lab.sh: $*" >&2; exit 1; }
address() { echo "192.0.2.$1"; }
peer_uri() { echo "qemu+tcp://$(address "$1")/system"; }
control_uri() { echo "qemu+unix:///system?socket=$lab/host$1/run/libvirt/libvirt-sock"; }
unshare_pid() { cat "$lab/host$1/unshare.pid" 2>/dev/null || true; }
# PID (root namespace) of the host's PID 1, the child of unshare.
init_pid() {
  local p
  p=$(unshare_pid "$1")
  [ -n "$p" ] && cat "/proc/$p/task/$p/children" 2>/dev/null | awk '{print $1}'
}
in_host() { local n=$1; shift; nsenter -t "$(init_pid "$n")" -a "$@"; }
libvirtd_answers() { timeout 5 virsh -q -c "$(control_uri "$1")" version >/dev/null 2>&1; }
# Changes with what up builds, so that a lab brought up by an older lab.sh is rebuilt.
config_string() { echo "accel=$accel_wanted layout=2"; }

host_running() {
  local p
  p=$(unshare_pid "$1")
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null
}

print_hosts() {
  local n
  for n in 1 2; do
    echo "host$n $(address "$n") $(peer_uri "$n") $(control_uri "$n")"
  done
}

is_up() {
  host_running 1 && host_running 2 && libvirtd_answers 1 && libvirtd_answers 2 &&
    [ "$(cat "$lab/config" 2>/dev/null)" = "$(config_string)" ]
}

stop_host() {
  local n=$1 p i
  p=$(unshare_pid "$n")
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    kill -KILL "$p"
    for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$lab/host$n/unshare.pid"
}

qemu_module_dir() {
  local d
  for d in /usr/lib/x86_64-linux-gnu/qemu /usr/lib64/qemu /usr/lib/qemu; do
    [ -d "$d" ] && { echo "$d"; return; }
  done
}

write_configs() {
  local n=$1 d=$lab/host$1
  mkdir -p "$d/run" "$d/var/upper" "$d/var/work" "$d/etc-libvirt"
  cp -a /etc/libvirt/. "$d/etc-libvirt/"
  cat > "$d/etc-libvirt/libvirtd.conf" <<EOF
listen_tls = 0
listen_tcp = 1
listen_addr = "$(address "$n")"
auth_tcp = "none"
auth_unix_rw = "none"
unix_sock_group = "root"
host_uuid = "5a1b0000-0000-4000-8000-00000000000$n"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
keepalive_interval = 2
keepalive_count = 3
EOF
  cat > "$d/etc-libvirt/qemu.conf" <<EOF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
migration_address = "$(address "$n")"
migration_host = "$(address "$n")"
keepalive_interval = 2
keepalive_count = 3
EOF
  # Pools: only the lab's own (a copy of the machine's could claim the same directory).
  rm -rf "$d/etc-libvirt/storage"
  mkdir -p "$d/etc-libvirt/storage/autostart"
  cat > "$d/etc-libvirt/storage/images.xml" <<EOF
<pool type='dir'>
  <name>images</name>
  <target><path>/var/lib/libvirt/images</path></target>
</pool>
EOF
  ln -s /etc/libvirt/storage/images.xml "$d/etc-libvirt/storage/autostart/images.xml"
  : > "$d/etc-libvirt/virtlogd.conf"
  cp /etc/passwd "$d/passwd"
  cp /etc/group "$d/group"
  getent group libvirt-qemu >/dev/null || echo "libvirt-qemu:x:64055:" >> "$d/group"
  getent group kvm >/dev/null || echo "kvm:x:64056:" >> "$d/group"
  getent passwd libvirt-qemu >/dev/null ||
    echo "libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin" >> "$d/passwd"
  if [ "$n" = 2 ]; then
    : > "$d/qemu-real"
    echo "$dest_cpu_off" > "$d/cpu-off"
    cat > "$d/qemu-wrapper" <<EOF
#!/bin/bash
# Lab destination CPU: every -cpu gets ,FEATURE=off appended, FEATURE read from
# $d/cpu-off (empty: unchanged).
off=\$(cat "$d/cpu-off" 2>/dev/null)
# QEMU looks for its modules and firmware relative to its own path, which is no
# longer /usr/bin: name both.
export QEMU_MODULE_DIR=\${QEMU_MODULE_DIR:-$(qemu_module_dir)}
args=(-L /usr/share/qemu -L /usr/share/seabios -L /usr/lib/ipxe/qemu)
next_is_cpu=0
for a in "\$@"; do
  if [ \$next_is_cpu = 1 ] && [ -n "\$off" ]; then a="\$a,\$off=off"; fi
  next_is_cpu=0
  [ "\$a" = -cpu ] && next_is_cpu=1
  args+=("\$a")
done
exec "$d/qemu-real" "\${args[@]}"
EOF
    chmod +x "$d/qemu-wrapper"
  fi
}

build_guest() {
  local g=$lab/guest variant
  mkdir -p "$g"
  for variant in plain dirty; do
    [ -s "$g/counter-$variant.bin" ] && continue
    local defs=()
    [ "$variant" = dirty ] && defs=(--defsym DIRTY=1)
    as --32 "${defs[@]}" "$here/guest/counter.S" -o "$g/counter-$variant.o"
    ld -m elf_i386 -Ttext=0x100000 -e _start --oformat=binary "$g/counter-$variant.o" -o "$g/counter-$variant.bin"
  done
}

# The rate:MIBS guest for a guest of MIB MiB; prints the image's path.
build_rate_guest() {
  local mibs=$1 mib=$2 g=$lab/guest mhz tick end
  mhz=$(awk '/^cpu MHz/ {print $4; exit}' /proc/cpuinfo)
  # One 4 KiB page every tick: cycles per page = Hz / (MIBS * 256).
  tick=$(awk -v m="$mhz" -v r="$mibs" 'BEGIN {printf "%d", m * 1e6 / (r * 256)}')
  end=$(printf '0x%x' $(( (mib - 8) * 1024 * 1024 )))
  local bin=$g/counter-rate-$mibs-$mib.bin
  if [ ! -s "$bin" ]; then
    mkdir -p "$g"
    as --32 --defsym RATE_TICK="$tick" --defsym RATE_END="$end" "$here/guest/counter.S" -o "$g/counter-rate-$mibs-$mib.o"
    ld -m elf_i386 -Ttext=0x100000 -e _start --oformat=binary "$g/counter-rate-$mibs-$mib.o" -o "$bin"
  fi
  echo "$bin"
}

# kvm when /dev/kvm boots the counter guest within 3 s here and now, else tcg.
probe_accel() {
  case $accel_wanted in
    kvm|tcg) echo "$accel_wanted"; return ;;
  esac
  [ -w /dev/kvm ] || { echo tcg; return; }
  local log=$lab/guest/probe.serial p i
  rm -f "$log"
  qemu-system-x86_64 -nodefaults -accel kvm -cpu qemu64 -m 64 -M pc -display none \
    -kernel "$lab/guest/counter-plain.bin" -serial "file:$log" -monitor none 2>/dev/null &
  p=$!
  for i in $(seq 30); do [ -s "$log" ] && break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  if [ -s "$log" ]; then echo kvm; else echo tcg; fi
}

up() {
  if is_up; then print_hosts; return; fi
  down >/dev/null
  command -v unshare >/dev/null && command -v libvirtd >/dev/null && command -v virtlogd >/dev/null ||
    die "unshare, libvirtd and virtlogd are needed"
  mkdir -p "$lab"
  build_guest
  probe_accel > "$lab/accel" &
  local probe=$! n
  for n in 1 2; do
    rm -rf "$lab/host$n"
    write_configs "$n"
    setsid unshare --uts --mount --net --pid --fork --kill-child --mount-proc --propagation private \
      bash "$here/host_init.sh" "$n" "$lab/host$n" > "$lab/host$n.console" 2>&1 < /dev/null &
    echo $! > "$lab/host$n/unshare.pid"
  done
  local i
  for i in $(seq 100); do
    [ -e "$lab/host1/mounted" ] && [ -e "$lab/host2/mounted" ] && break
    sleep 0.05
  done
  [ -e "$lab/host1/mounted" ] && [ -e "$lab/host2/mounted" ] ||
    die "hosts did not start: $(cat "$lab"/host*.console)"
  # The veth pair is created inside host 1 with its peer directly in host 2.
  nsenter -t "$(init_pid 1)" -n ip link add lab0 type veth peer name lab0 netns "/proc/$(init_pid 2)/ns/net"
  for n in 1 2; do
    nsenter -t "$(init_pid "$n")" -n ip link set lo up
    nsenter -t "$(init_pid "$n")" -n ip addr add "$(address "$n")/24" dev lab0
    nsenter -t "$(init_pid "$n")" -n ip link set lab0 up
    touch "$lab/host$n/net-ready"
  done
  local deadline=$((SECONDS + 60))
  while [ $SECONDS -lt $deadline ]; do
    libvirtd_answers 1 && libvirtd_answers 2 && break
    sleep 0.1
  done
  libvirtd_answers 1 && libvirtd_answers 2 || die "libvirtd did not answer: $(cat "$lab"/host*.console)"
  wait "$probe"
  config_string > "$lab/config"
  print_hosts
}

down() {
  stop_host 1
  stop_host 2
  rm -f "$lab/config"
  echo "lab down"
}

guest_xml() {
  local name=$1 variant=${2:-plain} disk=${3:-} type=kvm f features="" disk_xml=""
  local mib=${PREFLIGHT_LAB_GUEST_MIB:-64} kernel=$lab/guest/counter-${2:-plain}.bin
  case $variant in
    rate:*) kernel=$(build_rate_guest "${variant#rate:}" "$mib") ;;
    *) [ -s "$kernel" ] || build_guest ;;
  esac
  [ "$(cat "$lab/accel" 2>/dev/null)" = kvm ] || type=qemu
  for f in "${guest_features[@]}"; do features+="<feature policy='require' name='$f'/>"; done
  [ -n "$disk" ] && disk_xml="<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$disk'/><target dev='hda' bus='ide'/></disk>"
  cat <<EOF
<domain type='$type'>
  <name>$name</name>
  <memory unit='MiB'>$mib</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>$kernel</kernel></os>
  <cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>qemu64</model>$features</cpu>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='none'/>
    $disk_xml
    <serial type='file'><source path='/var/log/libvirt/qemu/$name.serial'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

# A qcow2 volume in host N's pool, made with qemu-img inside the host (its /var),
# with a pattern a copy can be checked against.
make_qcow2() {
  local n=$1 name=$2 mib=$3 path=/var/lib/libvirt/images/$2
  in_host "$n" qemu-img create -q -f qcow2 "$path" "${mib}M"
  in_host "$n" qemu-io -f qcow2 -c "write -P 0x5a 0 1M" "$path" >/dev/null
  virsh -q -c "$(control_uri "$n")" pool-refresh images >/dev/null
  echo "$path"
}

set_link() {
  case $1 in
    down|up) in_host 1 ip link set lab0 "$1" ;;
    *) die "link down|up" ;;
  esac
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) is_up || { echo "lab down"; exit 1; }; print_hosts; echo "accel $(cat "$lab/accel")" ;;
  guest-xml) guest_xml "${2:?NAME}" "${3:-plain}" "${4:-}" ;;
  qcow2) make_qcow2 "${2:?N}" "${3:?NAME}" "${4:?MIB}" ;;
  link) set_link "${2:?down|up}" ;;
  serial) echo "$lab/host${2:?N}/var/upper/log/libvirt/qemu/${3:?NAME}.serial" ;;
  kill-libvirtd) in_host "${2:?N}" sh -c 'kill -KILL $(cat /run/libvirtd.pid)' ;;
  start-libvirtd)
    in_host "${2:?N}" libvirtd -d --listen
    for _ in $(seq 100); do libvirtd_answers "$2" && exit 0; sleep 0.1; done
    die "libvirtd on host $2 did not answer" ;;
  exec) n=${2:?N}; shift 2; in_host "$n" "$@" ;;
  dest-cpu-off) f=${2:?FEATURE or none}; [ "$f" = none ] && f=""; echo "$f" > "$lab/host2/cpu-off" ;;
  *) die "usage: lab.sh up|down|status|guest-xml NAME [plain|dirty] [DISK]|qcow2 N NAME MIB|serial N NAME|kill-libvirtd N|start-libvirtd N|link down|up|exec N CMD...|dest-cpu-off FEATURE|none" ;;
esac
