#!/usr/bin/env python
"""Inference speed of the longitudinal FC-DenseNet-57: slices per second, seconds per full pair (3 views x all
slices x 2 directions), achieved GFLOP/s and peak memory, at several cube sizes, for each setting side by side
with the plain fp32 baseline.

    python bench/inference.py                          # cubes 128 and 300 on the CPU
    python bench/inference.py --cubes 128 --device cuda
    python bench/inference.py --dice-check             # Dice of bf16 vs fp32 labels on a phantom pair

Settings: fp32 (baseline, batch 1, contiguous), fp32 batched, + channels_last, bf16 autocast (CPU) or fp16
(CUDA). FLOPs are counted once per slice with torch.utils.flop_counter (convolutions and transposed
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
    "Slices per second (each slice = one network input)."
    mf = torch.channels_last if channels_last else torch.contiguous_format
    m = model.to(device).to(memory_format=mf)
    x = torch.rand(batch, 2, size, size, device=device).contiguous(memory_format=mf)
    ctx = (lambda: torch.autocast(device.type, dtype=dtype)) if dtype is not None else (lambda: torch.autocast(device.type, enabled=False))
    with torch.inference_mode(), ctx():
        m(x)                                             # warm-up (oneDNN picks its kernels)
        if device.type == "cuda": torch.cuda.synchronize()
        n, t = 0, time.perf_counter()
        while time.perf_counter() - t < seconds:
            m(x); n += batch
        if device.type == "cuda": torch.cuda.synchronize()
    return n / (time.perf_counter() - t)


ap = argparse.ArgumentParser()
ap.add_argument("--cubes", type=int, nargs="+", default=[128, 300])
ap.add_argument("--device", default="cpu")
ap.add_argument("--seconds", type=float, default=6.0)
ap.add_argument("--dice-check", action="store_true")
args = ap.parse_args()
device = torch.device(args.device)
torch.manual_seed(0)
model = fc_densenet57(2).eval()
low = torch.bfloat16 if device.type == "cpu" else torch.float16
cap = torch.backends.cpu.get_cpu_capability() if device.type == "cpu" else torch.cuda.get_device_name()
print(f"device {device} ({cap}), torch {torch.__version__}, threads {torch.get_num_threads()}")
for size in args.cubes:
    gflop = flops_per_slice(model, size) / 1e9
    settings = [("fp32, batch 1 (baseline)", 1, None, False), ("fp32, batch 8", 8, None, False), ("fp32, batch 8, channels_last", 8, None, True),
                (f"{str(low).split('.')[-1]}, batch 8, channels_last", 8, low, True)]
    print(f"\ncube {size}: {gflop:.2f} GFLOP per slice; a full pair = 3 views x {size} slices x 2 directions = {6 * size} slices")
    base = None
    for name, b, dt, cl in settings:
        r = rate(model, size, b, dt, cl, device, args.seconds)
        base = base or r
        print(f"  {name:<34} {r:7.2f} slices/s  {gflop * r:7.1f} GFLOP/s  pair {6 * size / r:7.1f} s  x{r / base:4.2f} vs baseline  "
              f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB", flush=True)

if args.dice_check:
    import SimpleITK as sitk
    from covid_longi.phantom import make_longitudinal_pair
    from covid_longi.infer import load_weights, segment_pair
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
