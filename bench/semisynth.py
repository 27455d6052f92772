#!/usr/bin/env python
"""Semi-synthetic pair benchmark: seconds to make one pair on a real chest CT resampled to n voxels a side,
with and without acquisition effects, and peak memory.

    python bench/semisynth.py [--sides 64 96 128] [--scan ../shared/data/real-ct/chest_4dct_phase00_256.nii.gz]

The scan is resampled (linearly) to an n x n x n grid covering its own field of view; its lung field comes from
`segment_lungs` once per size (not timed). Writes nothing.
"""
import argparse, resource, time
from pathlib import Path

import numpy as np
import SimpleITK as sitk

from covid_longi.lung import segment_lungs
from covid_longi.semisynth import SemiSynthConfig, make_semisynthetic_pair


def peak_gb(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


ap = argparse.ArgumentParser()
ap.add_argument("--sides", type=int, nargs="+", default=[64, 96, 128])
ap.add_argument("--scan", default=str(Path(__file__).resolve().parents[2] / "shared/data/real-ct/chest_4dct_phase00_256.nii.gz"))
ap.add_argument("--repeats", type=int, default=2)
args = ap.parse_args()

ct = sitk.Cast(sitk.ReadImage(args.scan), sitk.sitkInt16)
extent = np.array(ct.GetSize()) * np.array(ct.GetSpacing())
print(f"scan {Path(args.scan).name}: {ct.GetSize()} voxels, {np.round(ct.GetSpacing(), 2)} mm")
for n in args.sides:
    sp = extent / n
    small = sitk.Resample(ct, [n] * 3, sitk.Transform(), sitk.sitkLinear, ct.GetOrigin(), sp.tolist(), ct.GetDirection(), -1024, sitk.sitkInt16)
    lung = segment_lungs(small)
    for name, cfg in (("clean", SemiSynthConfig(acquisition=None)), ("with acquisition", SemiSynthConfig())):
        times = []
        for r in range(args.repeats):
            t = time.perf_counter(); make_semisynthetic_pair(small, lung, "mixed", seed=r, config=cfg); times.append(time.perf_counter() - t)
        print(f"{n}^3 ({np.round(sp, 2)} mm), {name}: {min(times):.2f} s per pair (best of {args.repeats}), peak memory {peak_gb():.2f} GB")
