"""What fresh memory costs on this machine: the key to reading the other benchmarks' CPU times.

usage: python benchmarks/bench_memory.py [--gb 2] [--rounds 3]

Allocates and writes ``--gb`` GiB with numpy (``np.ones``), frees it, and again, ``--rounds``
times in one process, and prints per round the wall, user and system (kernel) CPU seconds and
the page faults, with the system seconds per GiB. The first round takes memory the process never
had; later rounds get back pages it just freed. On an ordinary server the two cost about the
same (the kernel zeroes a page on first write: a tenth of a second per GiB). In a virtual machine
whose host backs guest memory on first touch and takes freed memory back (a balloon with free
page reporting, as on the 2-core machine of issue 14), the first round costs far more: measured
there on 2026-12-04, 4.7 s of kernel time for 2 GiB, then 0.19 s for each later round.

Every large temporary a computation allocates and frees (numpy returns allocations above
glibc's mmap threshold to the system on free) can pay that price again, which is why the
benchmarks print CPU time next to wall time and why, on that machine, memory saved is time saved
(the adjusted consensus at 10M households spent a third of its CPU time in the kernel).
"""
from __future__ import annotations

import argparse
import resource
import time

import numpy as np


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gb", type=float, default=2.0, help="GiB allocated and written per round")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args(argv)
    n = int(a.gb * 2**30 / 8)
    print(f"{a.gb:g} GiB written {a.rounds} times in one process (np.ones, then freed)")
    first = None
    for i in range(a.rounds):
        r0, w0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        x = np.ones(n)
        r1, w1 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        del x
        sys_s = r1.ru_stime - r0.ru_stime
        first = sys_s if first is None else first
        print(f"  round {i + 1}: wall {w1 - w0:6.2f} s  user {r1.ru_utime - r0.ru_utime:5.2f} s  "
              f"system {sys_s:5.2f} s ({sys_s / a.gb:5.2f} s per GiB)  page faults {r1.ru_minflt - r0.ru_minflt:,}")
    if a.rounds > 1:
        print(f"first touch / later rounds, system time: {first / max(sys_s, 1e-3):.1f}x")


if __name__ == "__main__":
    main()
