#!/usr/bin/env bash
# Installs what preflight needs to build and test, from Debian packages, when it is
# missing. As root it runs apt-get; otherwise it prints the one line to run.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libcpuid-dev libvirt-dev libyaml-cpp-dev libpugixml-dev libboost-test-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev
  libvirt-clients
  # the two-host migration lab of the tests: real libvirtd and QEMU in namespaces
  libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils seabios ipxe-qemu
  binutils iproute2 util-linux
  # fleet collection: the Ansible role of ansible/, run by its test
  ansible-core
  # matrix -o html is checked in a real browser; its screenshots are read with zlib
  chromium zlib1g-dev
  # the Debian package (cpack -G DEB, its Depends from dpkg-shlibdeps) and its man
  # pages, made from --help by help2man and rendered by the package test with man;
  # zsh runs the zsh completion in that test
  help2man dpkg-dev man-db zsh
  # the sanitizer build and the libFuzzer harnesses (scripts/sanitize.sh, scripts/fuzz.sh):
  # clang 14 with its runtimes (ASan, UBSan, libFuzzer)
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "preflight needs these Debian packages; run as root:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
