#!/usr/bin/env python
"""Data pipeline benchmark: time to pre-process one registered pair into the cube at several cube sizes,
slices per second served by a DataLoader (0 and 2 workers, from the memory-mapped cache), and peak memory.

    python bench/data.py [--sizes 128 300] [--phantom 128]

The pair is a phantom pair whose reference is warped with the true deformation (registration is timed by
bench/registration.py); pre-processing = crop, clip, normalise and resize of both CTs and both label maps.
"""
import argparse, resource, shutil, tempfile, time
from pathlib import Path


import SimpleITK as sitk
import torch
from torch.utils.data import DataLoader

from covid_longi.phantom import make_longitudinal_pair
from covid_longi.preprocess import PreprocessConfig, preprocess_pair
from covid_longi.data import PairCache, SliceDataset


def peak_gb(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


ap = argparse.ArgumentParser()
ap.add_argument("--sizes", type=int, nargs="+", default=[128, 300])
ap.add_argument("--phantom", type=int, default=128, help="phantom voxels per side (2.5 mm at 128)")
ap.add_argument("--batch", type=int, default=16)
args = ap.parse_args()

pair = make_longitudinal_pair((args.phantom,) * 3, (320.0 / args.phantom,) * 3, "mixed", seed=0)
warp = lambda img, interp, d: sitk.Resample(img, pair.ct1, pair.transform, interp, d)
ct0r, lab0r = warp(pair.ct0, sitk.sitkLinear, -1024.0), warp(pair.labels0, sitk.sitkNearestNeighbor, 0)
lung0r = sitk.Cast(lab0r > 0, sitk.sitkUInt8)
print(f"phantom pair {args.phantom}^3, torch threads {torch.get_num_threads()}, peak so far {peak_gb():.2f} GB")
tmp = Path(tempfile.mkdtemp())
try:
    for size in args.sizes:
        t = time.perf_counter()
        pp = preprocess_pair(ct0r, pair.ct1, lung0r, pair.lung1, (lab0r, pair.labels1), PreprocessConfig(size=size))
        t_pre = time.perf_counter() - t
        cache = PairCache(tmp)
        key = f"bench{size}"
        cache.put(key, dict(x0=pp.x0, x0_noreg=pp.x0, x1=pp.x1, y0=pp.y0, y0_noreg=pp.y0, y1=pp.y1),
                  dict(patient_id="bench", timepoints=[0, 1], record=pp.record.to_json(), registration={}))
        cp = cache.get(key)
        del pp
        print(f"cube {size}^3: pre-processing {t_pre:.2f} s, cache entry {sum(f.stat().st_size for f in cache.path(key).iterdir()) / 1e6:.0f} MB, "
              f"peak {peak_gb():.2f} GB")
        ds = SliceDataset([cp], "axial")
        for workers in (0, 2):
            dl = DataLoader(ds, batch_size=args.batch, shuffle=True, num_workers=workers)
            t, n = time.perf_counter(), 0
            for b in dl: n += len(b["x1"])
            dt = time.perf_counter() - t
            print(f"  DataLoader, {workers} workers, batch {args.batch}: {n / dt:7.0f} slices/s ({n} slices in {dt:.2f} s)")
        print(f"  peak memory {peak_gb():.2f} GB")
finally:
    shutil.rmtree(tmp)
