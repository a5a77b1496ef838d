#!/usr/bin/env python3
"""Writes N libvirt <cpu> definitions into one file (the input of
`virsh cpu-baseline` and `preflight baseline`): random models of one vendor from
libvirt's cpu_map, each with a few features added and some of the model's
features dropped (a CPU given as a small base model plus an explicit list).

With --bare each CPU is a model and vendor only (how most hosts' CPUs are
written), the case where preflight must expand every model itself.

usage: generate.py N OUT.xml [--seed S] [--vendor Intel|AMD] [--cpu-map DIR] [--bare]
"""
import argparse
import random
import xml.etree.ElementTree as ET
from pathlib import Path


def load_map(cpu_map):
    index = ET.parse(cpu_map / "index.xml").getroot()
    features, models = [], {}
    for arch in index.findall("arch"):
        if arch.get("name") != "x86":
            continue
        for inc in arch.findall("include"):
            root = ET.parse(cpu_map / inc.get("filename")).getroot()
            for f in root.findall("feature"):
                features.append(f.get("name"))
            for m in root.findall("model"):
                v = m.find("vendor")
                models[m.get("name")] = (
                    v.get("name") if v is not None else None,
                    [f.get("name") for f in m.findall("feature") if f.get("removed") != "yes"],
                )
    return features, models


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--vendor", default="Intel")
    ap.add_argument("--cpu-map", default="/usr/share/libvirt/cpu_map")
    ap.add_argument("--bare", action="store_true",
                    help="model and vendor only, no feature list (the common form of a host CPU)")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    features, models = load_map(Path(a.cpu_map))
    names = [m for m, (v, _) in models.items() if v == a.vendor]
    with open(a.out, "w") as out:
        for _ in range(a.n):
            model = rnd.choice(names)
            feats = set(models[model][1])
            feats -= set(rnd.sample(sorted(feats), rnd.randint(0, 3)))
            feats |= set(rnd.sample(features, rnd.randint(0, 4)))
            out.write("<cpu>\n  <arch>x86_64</arch>\n")
            if a.bare:
                out.write(f"  <model>{model}</model>\n  <vendor>{a.vendor}</vendor>\n</cpu>\n")
                continue
            if rnd.random() < 0.5:  # named model plus extras
                out.write(f"  <model>{model}</model>\n  <vendor>{a.vendor}</vendor>\n")
                listed = feats - set(models[model][1])
            else:  # base model plus the whole list (expresses dropped model features)
                out.write(f"  <model>qemu64</model>\n  <vendor>{a.vendor}</vendor>\n")
                listed = feats
            for f in sorted(listed):
                out.write(f"  <feature name='{f}'/>\n")
            out.write("</cpu>\n")


if __name__ == "__main__":
    main()
