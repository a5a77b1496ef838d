#!/usr/bin/env python3
"""Writes a fleet of N facts files in K CPU classes, and its inventory.

Each host is a copy of a facts file written by `preflight collect` (default: the
repository's fixtures/golden/facts_full.yaml, a Cascade Lake host with VMs,
networks and pools) under its own name, with some CPUID leaf 7 feature bits
cleared: host i is in class i % K, and class k clears the bits where k's binary
digits are 1 (14 bits: up to 16384 distinct CPUs). Each VM is renamed after its
host (web1 -> web1-h00042), as a VM is defined on one host. The files are as large
as real ones.

usage: generate.py N K OUT_DIR [--template FACTS.yaml]
"""
import argparse
import re
from pathlib import Path

# Leaf 7 EBX bits set in the template that name features in libvirt's cpu_map and
# that no erratum drops: fsgsbase bmi1 avx2 smep bmi2 erms invpcid mpx avx512f
# avx512dq rdseed adx smap clflushopt.
BITS = [0, 3, 5, 7, 8, 9, 10, 14, 16, 17, 18, 19, 20, 23]
ROW = re.compile(r"^(\s*- \[0x00000007, 0x0, 0x[0-9a-f]{8}, )0x([0-9a-f]{8})(,.*)$", re.M)


def main():
    here = Path(__file__).resolve().parent
    p = argparse.ArgumentParser()
    p.add_argument("n", type=int)
    p.add_argument("k", type=int)
    p.add_argument("out", type=Path)
    p.add_argument("--template", type=Path, default=here / "../../fixtures/golden/facts_full.yaml")
    a = p.parse_args()
    if not 1 <= a.k <= 1 << len(BITS):
        p.error(f"K must be 1..{1 << len(BITS)}")
    text = a.template.read_text()
    if not ROW.search(text):
        p.error(f"{a.template}: no CPUID leaf 7 row")
    name = re.search(r"^  name: (.*)$", text, re.M).group(1)
    a.out.mkdir(parents=True, exist_ok=True)
    inventory = ["hosts:"]
    for i in range(a.n):
        k = i % a.k
        clear = sum(1 << b for j, b in enumerate(BITS) if k >> j & 1)
        host = f"h{i:05d}"
        body = ROW.sub(lambda m: f"{m.group(1)}0x{int(m.group(2), 16) & ~clear:08x}{m.group(3)}", text, count=1)
        body = body.replace(f"  name: {name}\n", f"  name: {host}\n", 1)
        vms = body.find("\n  vms:\n")
        if vms >= 0:
            end = re.search(r"\n  \S", body[vms + 1:])
            stop = vms + 1 + end.start() if end else len(body)
            section = re.sub(r"^(    - name: )(.*)$", rf"\g<1>\g<2>-{host}", body[vms:stop], flags=re.M)
            body = body[:vms] + section + body[stop:]
        (a.out / f"{host}.yaml").write_text(body)
        inventory.append(f"  {host}: {{facts: {host}.yaml}}")
    (a.out / "inventory.yaml").write_text("\n".join(inventory) + "\n")


if __name__ == "__main__":
    main()
