#!/usr/bin/env python3
"""Time two whole processes in turn (A B A B ...) and print the ratio A/B pair by pair.

usage: bench/paired.py [-n RUNS] [--warmup W] --vs 'COMMAND_B' -- COMMAND_A [ARG ...]
       bench/paired.py [-n RUNS] -- COMMAND          (one command, no ratio)

Each run's wall time is a monotonic clock around the child; its cpu time (user +
system) and peak memory are the kernel's accounting of the reaped child (wait4).
Figures are printed as min / median / max; quote the median. Pairing keeps the
ratio meaningful when the machine's speed drifts (other work, frequency scaling).
Output of the commands is thrown away. Uses only Python's standard library.
"""
import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time


def run_once(argv):
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024.0,
            "exit": proc.returncode}


def spread(values, unit, scale=1.0, digits=3):
    v = [x * scale for x in values]
    return f"{min(v):.{digits}f} / {statistics.median(v):.{digits}f} / {max(v):.{digits}f} {unit}"


def report(name, runs):
    print(f"{name}: wall {spread([r['wall'] for r in runs], 's')}, cpu {spread([r['cpu'] for r in runs], 's')}, "
          f"peak {spread([r['peak_mib'] for r in runs], 'MiB', digits=1)}, exit codes {sorted({r['exit'] for r in runs})}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=5, help="counted runs of each command (default 5)")
    ap.add_argument("--warmup", type=int, default=1, help="uncounted runs first (default 1)")
    ap.add_argument("--vs", help="the reference command B, one string split as a shell splits words")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG ...]")
    args = ap.parse_args()
    a = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not a:
        ap.error("give the command to time after --")
    b = shlex.split(args.vs) if args.vs else None
    floor = run_once(["true"])["peak_mib"]  # a child's peak counts this process's own, as of the fork
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"load {open('/proc/loadavg').read().split()[0]}, {args.n} runs{' in pairs' if b else ''}; "
          f"peak memory cannot read below {floor:.1f} MiB here")
    for _ in range(args.warmup):
        run_once(a)
        if b:
            run_once(b)
    ra, rb = [], []
    for _ in range(args.n):
        ra.append(run_once(a))
        if b:
            rb.append(run_once(b))
    report("A", ra)
    if b:
        report("B", rb)
        print(f"A/B wall {spread([x['wall'] / y['wall'] for x, y in zip(ra, rb)], 'x', digits=2)}, "
              f"cpu {spread([x['cpu'] / max(y['cpu'], 1e-6) for x, y in zip(ra, rb)], 'x', digits=2)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
