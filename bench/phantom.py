#!/usr/bin/env python
"""Phantom generation time: a pair at several sizes (same 192 mm field of view), printed with the ratio to
the 96³ baseline and the voxel-count ratio, so that scaling is visible. Target: a 128³ pair in < 10 s on 2 cores.

    python bench/phantom.py [--sizes 96 128 192] [--repeat 2]
"""
import argparse, resource, time
from covid_longi.phantom import make_longitudinal_pair

ap = argparse.ArgumentParser()
ap.add_argument("--sizes", type=int, nargs="+", default=[96, 128, 192])
ap.add_argument("--repeat", type=int, default=2)
args = ap.parse_args()

import torch, os
print(f"cores: {os.cpu_count()}, torch threads: {torch.get_num_threads()}")
base = None
print(f"{'size':>6} {'spacing mm':>10} {'best s':>8} {'x 96^3':>7} {'voxel ratio':>11} {'peak RSS GB':>11}")
for n in args.sizes:
    times = []
    for r in range(args.repeat):
        t = time.perf_counter()
        make_longitudinal_pair((n, n, n), (192 / n,) * 3, "mixed", seed=r)
        times.append(time.perf_counter() - t)
    best = min(times); base = base or (best, n)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"{n:>4}^3 {192 / n:>10.2f} {best:>8.2f} {best / base[0]:>7.2f} {(n / base[1]) ** 3:>11.2f} {rss:>11.2f}")
