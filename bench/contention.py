#!/usr/bin/env python
"""Inference speed when another job shares the cores: OpenMP's wait policy.

PyTorch's CPU kernels run on OpenMP threads (GNU libgomp in the PyPI wheels). With the default wait policy a
thread that reaches a barrier spins for a while before sleeping; when another process holds the other core,
the spinning threads burn the time slices their partners need. This script runs the package's default
inference setting (PairNet, `infer.default_batch_size`, `infer.default_dtype`) in a fresh process per
measurement, with libgomp's defaults, `OMP_WAIT_POLICY=PASSIVE` (sleep at once) and shorter spins (`GOMP_SPINCOUNT`), on an otherwise idle machine
and beside a competing job (the same workload in another process, as a second analysis would be), and prints
slices/s with the ratio to the unset policy in the same run.

    python bench/contention.py                 # cube 96, 6 s per measurement, 2 repeats
    python bench/contention.py --size 128 --seconds 8 --repeats 3

`import covid_longi` sets OMP_WAIT_POLICY=PASSIVE unless the environment says otherwise (before torch is imported).
"""
import argparse, os, subprocess, sys, time

WORK = r"""
import os, sys, time, torch   # torch first: libgomp reads OMP_WAIT_POLICY as the child's environment has it
from covid_longi.model import fc_densenet57, PairNet, autocast
from covid_longi.infer import default_batch_size, default_dtype
size, seconds = int(sys.argv[1]), float(sys.argv[2])
dev = torch.device("cpu"); b = default_batch_size(dev); dt = default_dtype(dev)
torch.manual_seed(0); m = PairNet(fc_densenet57(2)).eval()
x0, x1 = torch.rand(b, size, size), torch.rand(b, size, size)
with torch.inference_mode(), autocast(dev, dt):
    m(x0, x1); n, t = 0, time.perf_counter()
    while time.perf_counter() - t < seconds: m(x0, x1); n += 2 * b
print(n / (time.perf_counter() - t))
"""


SETTINGS = {"libgomp default": {}, "OMP_WAIT_POLICY=PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE"},
            "GOMP_SPINCOUNT=10000": {"GOMP_SPINCOUNT": "10000"}, "GOMP_SPINCOUNT=100000": {"GOMP_SPINCOUNT": "100000"}}


def run(setting, size, seconds, competitor):
    plain = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}   # libgomp's defaults
    env = dict(plain, **SETTINGS[setting])
    comp = None
    if competitor:   # another job of the same kind, with libgomp's default policy, for longer than the measurement
        comp = subprocess.Popen([sys.executable, "-c", WORK, str(size), str(seconds + 6)], env=plain, stdout=subprocess.DEVNULL)
        time.sleep(3)
    out = subprocess.run([sys.executable, "-c", WORK, str(size), str(seconds)], env=env, capture_output=True, text=True, check=True)
    if comp is not None: comp.kill(); comp.wait()
    return float(out.stdout.strip().splitlines()[-1])


ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--size", type=int, default=96)
ap.add_argument("--seconds", type=float, default=6.0)
ap.add_argument("--repeats", type=int, default=2)
args = ap.parse_args()
print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; cube {args.size}, default inference setting")
for competitor in (False, True):
    res = {p: [] for p in SETTINGS}
    for _ in range(args.repeats):            # interleaved: drifting load hits every policy alike
        for p in res: res[p].append(run(p, args.size, args.seconds, competitor))
    base = sum(res["libgomp default"]) / len(res["libgomp default"])
    print(("beside a competing job" if competitor else "no competing job started") + f" (load average {os.getloadavg()[0]:.1f} at the end):")
    for p, v in res.items():
        mean = sum(v) / len(v)
        print(f"  {p:24s} {mean:7.2f} slices/s  (runs: {', '.join(f'{x:.2f}' for x in v)})  x{mean / base:.2f} vs libgomp's default")
