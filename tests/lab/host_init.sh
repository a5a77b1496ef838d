#!/bin/bash
# PID 1 of one lab host, started by lab.sh inside
#   unshare --uts --mount --net --pid --fork --kill-child --mount-proc
# Usage: host_init.sh N HOST_DIR
# Gives the host its own hostname, /run, /var (overlay), /etc/libvirt, passwd/group
# (with libvirt-qemu) and optionally a wrapped qemu-system-x86_64; touches
# HOST_DIR/mounted, waits (bounded) for lab.sh to plug the veth and touch
# HOST_DIR/net-ready, then starts virtlogd and libvirtd --listen and reaps
# orphans until SIGKILL to the unshare process ends the namespace.
set -eu
n=$1
dir=$2

hostname "lab-host$n"
mount --bind "$dir/run" /run
mount -t overlay overlay -o "lowerdir=/var,upperdir=$dir/var/upper,workdir=$dir/var/work" /var
mount --bind "$dir/etc-libvirt" /etc/libvirt
mount --bind "$dir/passwd" /etc/passwd
mount --bind "$dir/group" /etc/group
if [ -f "$dir/qemu-wrapper" ]; then
  # The real binary stays reachable at $dir/qemu-real for the wrapper only.
  mount --bind /usr/bin/qemu-system-x86_64 "$dir/qemu-real"
  mount --bind "$dir/qemu-wrapper" /usr/bin/qemu-system-x86_64
fi
mkdir -p /var/lib/libvirt/qemu /var/lib/libvirt/images /var/log/libvirt/qemu /var/cache/libvirt /run/libvirt
touch "$dir/mounted"

for _ in $(seq 100); do
  [ -e "$dir/net-ready" ] && break
  sleep 0.1
done
[ -e "$dir/net-ready" ] || { echo "lab-host$n: network never came up" >&2; exit 1; }

virtlogd -d
libvirtd -d --listen

# Orphaned QEMU processes are re-parented to this shell; bash reaps them on SIGCHLD,
# so libvirt never waits on a zombie when it stops a domain.
while :; do
  sleep 3600 &
  wait $! || true
done
