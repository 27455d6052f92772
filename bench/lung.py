#!/usr/bin/env python
"""Time `segment_lungs` on a 128³ chest CT (the 4-D CT's chest resampled to 128 × 128 × 128) and at full resolution.

    .venv/bin/python bench/lung.py [--repeat 3]

Prints seconds per call (best of `--repeat`) and the lung volume; needs ../shared/data/real-ct. Writes nothing.
"""
import argparse, os, time
from pathlib import Path
import numpy as np
import SimpleITK as sitk
from covid_longi.io import read_ct
from covid_longi.lung import segment_lungs

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "real-ct"


def to_size(ct, size):
    "`ct` resampled (linearly, after an anti-aliasing blur) onto a grid of `size` voxels over the same field of view."
    sp = np.array(ct.GetSpacing()) * np.array(ct.GetSize()) / np.array(size)
    sig = np.sqrt(np.maximum(sp ** 2 - np.array(ct.GetSpacing()) ** 2, 0)) / 2.355
    sm = sitk.SmoothingRecursiveGaussian(sitk.Cast(ct, sitk.sitkFloat32), [max(float(v), 1e-3) for v in sig])
    org = ct.TransformContinuousIndexToPhysicalPoint([(t / s - 1) / 2 for s, t in zip(ct.GetSpacing(), sp)])
    return sitk.Resample(sm, [int(v) for v in size], sitk.Transform(), sitk.sitkLinear, org, sp.tolist(),
                         ct.GetDirection(), -1024.0, sitk.sitkFloat32)


def best_of(f, repeat):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); out = f(); ts.append(time.perf_counter() - t)
    return min(ts), out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    f = REAL / "chest_4dct_phase00_256.nii.gz"
    if not f.exists(): print(f"skipped: {f} not found"); return
    ct = read_ct(f)
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    for label, img in (("128³", to_size(ct, (128, 128, 128))), ("full 256² × 141", ct)):
        secs, m = best_of(lambda: segment_lungs(img), args.repeat)
        ml = sitk.GetArrayViewFromImage(m).sum() * np.prod(m.GetSpacing()) / 1000
        print(f"{label:16s} spacing {tuple(round(s, 2) for s in img.GetSpacing())} mm: {secs:.2f} s, lung {ml:.0f} mL")


if __name__ == "__main__":
    main()
