#!/usr/bin/env python
"""Inference speed of the longitudinal FC-DenseNet-57: slices per second, seconds per full pair (3 views x all
slices x 2 directions), achieved GFLOP/s and peak memory, at several cube sizes, for each setting side by side
with the plain fp32 baseline.

    python bench/inference.py                          # cubes 128 and 300 on the CPU
    python bench/inference.py --cubes 128 --device cuda
    python bench/inference.py --dice-check             # Dice of bf16 vs fp32 labels on a phantom pair
    python bench/inference.py --cubes 128 --compile --pair   # + torch.compile, + a real 3-view pair through predict_cube

Settings: fp32 (baseline, batch 1, contiguous), batched, channels_last, bf16 autocast (CPU) or fp16 (CUDA),
and with --compile torch.compile (inductor with weight freezing). [default] marks what predict_cube uses. FLOPs are counted once per slice with torch.utils.flop_counter (convolutions and transposed
convolutions). A full pair's time is extrapolated from the measured slice rate: 3 views x cube slices x 2
directions (empty slices are skipped in practice, so this is an upper bound).
"""
import argparse, os, resource, time

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from covid_longi.model import fc_densenet57


def flops_per_slice(model, size):
    x = torch.rand(1, 2, size, size)
    with FlopCounterMode(display=False) as fc, torch.inference_mode():
        model(x)
    return fc.get_total_flops()


def rate(model, size, batch, dtype, channels_last, device, seconds=6.0):
    "Slices per second (each slice = one network input); also the first call's time (compilation, kernel choice)."
    mf = torch.channels_last if channels_last else torch.contiguous_format
    x = torch.rand(batch, 2, size, size, device=device).contiguous(memory_format=mf)
    ctx = (lambda: torch.autocast(device.type, dtype=dtype)) if dtype is not None else (lambda: torch.autocast(device.type, enabled=False))
    with torch.inference_mode(), ctx():
        t = time.perf_counter(); model(x)               # warm-up (oneDNN picks its kernels; torch.compile compiles)
        if device.type == "cuda": torch.cuda.synchronize()
        first = time.perf_counter() - t
        n, t = 0, time.perf_counter()
        while time.perf_counter() - t < seconds:
            model(x); n += batch
        if device.type == "cuda": torch.cuda.synchronize()
    return n / (time.perf_counter() - t), first


def peak_gflops():
    "Rough fp32 peak of this CPU: cores x FLOP/cycle (2 FMA pipes x vector width x 2) x clock from /proc/cpuinfo."
    flags = open("/proc/cpuinfo").read()
    mhz = float(flags.split("cpu MHz")[1].split(":")[1].split()[0])
    width = 16 if " avx512f" in flags else 8 if " avx2" in flags else 4
    return torch.get_num_threads() * 2 * width * 2 * mhz / 1e3, f"{torch.get_num_threads()} cores x 2 FMA x {width} fp32 lanes x 2 x {mhz / 1e3:.2f} GHz"


ap = argparse.ArgumentParser()
ap.add_argument("--cubes", type=int, nargs="+", default=[128, 300])
ap.add_argument("--device", default="cpu")
ap.add_argument("--seconds", type=float, default=6.0)
ap.add_argument("--compile", action="store_true", help="also torch.compile (inductor, weight freezing): slow first call")
ap.add_argument("--pair", action="store_true", help="also time predict_cube over 3 views of a real-size cube (the first of --cubes)")
ap.add_argument("--dice-check", action="store_true")
args = ap.parse_args()
device = torch.device(args.device)
torch.manual_seed(0)
model = fc_densenet57(2).eval().to(device)
low = torch.bfloat16 if device.type == "cpu" else torch.float16
cap = torch.backends.cpu.get_cpu_capability() if device.type == "cpu" else torch.cuda.get_device_name()
print(f"device {device} ({cap}), torch {torch.__version__}, threads {torch.get_num_threads()}")
if device.type == "cpu":
    peak, how = peak_gflops(); print(f"estimated fp32 peak {peak:.0f} GFLOP/s ({how})")
else:
    peak = float("nan")
compiled = None
if args.compile:
    import torch._inductor.config as ic
    ic.freezing = True
    compiled = torch.compile(model)
low_name = str(low).split('.')[-1]
for size in args.cubes:
    gflop = flops_per_slice(model.cpu(), size) / 1e9; model.to(device)
    settings = [("fp32, batch 1 (baseline)", model, 1, None, False), ("fp32, batch 8", model, 8, None, False),
                ("fp32, batch 1, channels_last [default]" if device.type == "cpu" else "fp32, batch 1, channels_last", model, 1, None, True),
                ("fp32, batch 8, channels_last", model, 8, None, True),
                ("fp32, batch 16, channels_last" + (" [default]" if device.type == "cuda" else ""), model, 16, None, True),
                (f"{low_name}, batch 1, channels_last", model, 1, low, True), (f"{low_name}, batch 8, channels_last", model, 8, low, True)]
    if compiled is not None: settings.append(("fp32, batch 1, channels_last, compiled", compiled, 1, None, True))
    print(f"\ncube {size}: {gflop:.2f} GFLOP per slice; a full pair = 3 views x {size} slices x 2 directions = {6 * size} slices")
    base = None
    for name, m, b, dt, cl in settings:
        r, first = rate(m, size, b, dt, cl, device, args.seconds)
        base = base or r
        print(f"  {name:<42} {r:6.2f} slices/s {gflop * r:6.1f} GFLOP/s ({100 * gflop * r / peak:4.1f} % of peak)  pair {6 * size / r:7.1f} s"
              f"  x{r / base:4.2f} vs baseline  first call {first:5.1f} s  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB", flush=True)

if args.pair:
    from covid_longi.infer import predict_cube
    from covid_longi.data import VIEWS
    from covid_longi.model import PairNet
    size = args.cubes[0]
    x0 = np.random.default_rng(0).uniform(-1, 1, (size,) * 3).astype(np.float32); x1 = x0[::-1].copy()
    t = time.perf_counter()
    pair = PairNet(model).eval()
    for v in VIEWS: predict_cube(pair, x0, x1, v, device=device)
    print(f"\npredict_cube, 3 views, cube {size}, package defaults: {time.perf_counter() - t:.1f} s for the pair "
          f"(every slice non-empty; the lung crop leaves few empty ones)")

if args.dice_check:
    import SimpleITK as sitk
    from covid_longi.phantom import make_longitudinal_pair
    from covid_longi.infer import segment_pair
    from covid_longi.weights import load_weights
    from covid_longi.metrics import dice_per_class
    from covid_longi.core import to_array
    pair = make_longitudinal_pair(scenario="progression", seed=4)
    models = load_weights(device=device)
    out = {}
    for name, dt in (("fp32", None), ("low", low)):
        t = time.perf_counter(); seg = segment_pair(pair.ct0, pair.ct1, models, pair.lung0, pair.lung1, device=device, dtype=dt)
        out[name] = (seg, time.perf_counter() - t)
    a, b = to_array(out["fp32"][0].labels1), to_array(out["low"][0].labels1)
    print(f"\nlabels bf16/fp16 vs fp32: identical voxels {100 * (a == b).mean():.3f} %; Dice per class {dice_per_class(b, a)}")
    print("vs ground truth: fp32", {k: round(v, 3) for k, v in dice_per_class(a, to_array(pair.labels1)).items()},
          "low", {k: round(v, 3) for k, v in dice_per_class(b, to_array(pair.labels1)).items()})
    print(f"segment_pair wall time: fp32 {out['fp32'][1]:.1f} s, low precision {out['low'][1]:.1f} s")
