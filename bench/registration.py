#!/usr/bin/env python
"""Registration benchmark: covid_longi's default against elastix's standard affine + B-spline parameter maps,
side by side on the same phantom pairs and the same lung masks.

For each pair and method: wall time, TRE (mean / 95th percentile over the follow-up's lung voxels, mm,
against the phantom's true deformation), mask Dice after, folding (fraction of lung voxels with Jacobian
<= 0) and peak memory of the process that ran it; then the time ratio ours / elastix.

    pip install itk-elastix            # not a dependency of covid_longi
    python bench/registration.py                       # 128^3 at 2.5 mm and 256^3 at 1.25 mm
    python bench/registration.py --sizes 128 --seeds 0 1 2
    python bench/registration.py --grid-study          # TRE against the B-spline control-point spacing
    python bench/registration.py --real-size           # a 512 x 512 x 300 chest at 0.7 x 0.7 x 1 mm: hybrid, mask, intensity, elastix
    python bench/registration.py --real-size --no-elastix --methods hybrid

Each method runs in its own process (fresh memory high-water mark). elastix gets the masks as float images;
it runs with its default number of threads (itk-elastix crashed here when given number_of_threads).
"""
import argparse, multiprocessing as mp, os, queue, resource, shutil, tempfile, time

import numpy as np
import SimpleITK as sitk


def _pair(size, seed):
    from covid_longi.phantom import make_longitudinal_pair
    scen = ["mixed", "severe", "progression"][seed % 3]
    return make_longitudinal_pair((size,) * 3, (320.0 / size,) * 3, scen, seed=seed)


def _tre_field(disp_zyx3, pair):
    "TRE from a displacement field array (z, y, x, 3) on the fixed grid, fixed -> moving."
    from covid_longi.core import to_array
    idx = np.argwhere(to_array(pair.lung1) > 0)
    idx = idx[np.random.default_rng(0).choice(len(idx), min(len(idx), 20000), replace=False)]
    err = []
    for z, y, x in idx:
        p = np.array(pair.ct1.TransformIndexToPhysicalPoint((int(x), int(y), int(z))))
        err.append(np.linalg.norm(p + disp_zyx3[z, y, x] - np.array(pair.transform.TransformPoint(p.tolist()))))
    err = np.array(err)
    return err.mean(), np.percentile(err, 95)


def _jac_folding(disp_zyx3, pair):
    from covid_longi.register import jacobian_stats
    f = sitk.GetImageFromArray(disp_zyx3.astype(np.float64), isVector=True); f.CopyInformation(pair.ct1)
    return jacobian_stats(sitk.DisplacementFieldTransform(f), pair.lung1)["folding_fraction"]   # Jacobian in physical space


def run_ours(size, seed, q, grid_mm=None):
    from covid_longi.register import register_pair, RegistrationConfig, target_registration_error
    pair = _pair(size, seed)
    cfg = RegistrationConfig() if grid_mm is None else RegistrationConfig(method="mask", grid_spacing_mm=grid_mm)
    t = time.perf_counter()
    res = register_pair(pair.ct1, pair.ct0, pair.lung1, pair.lung0, cfg)
    wall = time.perf_counter() - t
    tre = target_registration_error(res.transform, pair.transform, pair.lung1, 20000)
    q.put(dict(method="covid_longi" if grid_mm is None else f"covid_longi grid {grid_mm:g} mm", wall_s=wall,
               tre_mean=tre["mean"], tre_p95=tre["p95"], dice=res.quality["dice_after"],
               folding=res.quality["folding_fraction"], peak_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6))


def _elastix(fixed, moving):
    "elastix's default affine + B-spline parameter maps on two itk images: (transform parameters, seconds)."
    import itk
    params = itk.ParameterObject.New()
    params.AddParameterMap(params.GetDefaultParameterMap("affine"))
    params.AddParameterMap(params.GetDefaultParameterMap("bspline"))
    t = time.perf_counter()
    _, tparams = itk.elastix_registration_method(fixed, moving, parameter_object=params, log_to_console=False)
    return tparams, time.perf_counter() - t


def run_elastix(size, seed, q):
    import itk
    # transformix writes deformationField.nii into the working directory: work in a temporary one
    work = tempfile.mkdtemp(prefix="covid_longi_bench_")
    os.chdir(work)
    from covid_longi.core import to_array
    pair = _pair(size, seed)
    def to_itk(img):
        im = itk.image_from_array(to_array(img).astype(np.float32))
        im.SetSpacing(img.GetSpacing()); im.SetOrigin(img.GetOrigin())
        im.SetDirection(itk.matrix_from_array(np.array(img.GetDirection()).reshape(3, 3)))
        return im
    fixed, moving = to_itk(pair.lung1), to_itk(pair.lung0)
    tparams, wall = _elastix(fixed, moving)
    field = np.asarray(itk.transformix_deformation_field(moving, tparams))
    warped = np.asarray(itk.transformix_filter(moving, tparams)) > 0.5
    m1 = to_array(pair.lung1) > 0
    dice = 2 * (warped & m1).sum() / (warped.sum() + m1.sum())
    mean, p95 = _tre_field(field, pair)
    q.put(dict(method="elastix", wall_s=wall, tre_mean=mean, tre_p95=p95, dice=float(dice),
               folding=_jac_folding(field, pair), peak_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6))
    shutil.rmtree(work, ignore_errors=True)


REAL_CT = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "real-ct", "chest_4dct_phase00_256.nii.gz")
REAL_SIZE, REAL_SPACING = (512, 512, 300), (0.7, 0.7, 1.0)


def make_real_size(work):
    """A semi-synthetic pair (recovering lesions, known motion) on the real 4-D CT phase, resampled to 512 x 512 x 300 at
    0.7 x 0.7 x 1 mm around the lungs' centre; written to `work`. Falls back to the phantom when ../shared is absent."""
    import warnings
    from covid_longi.core import to_array
    if os.path.exists(REAL_CT):
        from covid_longi.io import read_ct
        from covid_longi.semisynth import make_semisynthetic_pair
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pair = make_semisynthetic_pair(read_ct(REAL_CT), scenario="recovery", seed=0)
        source = "real 4-D CT phase, semi-synthetic recovery pair (seed 0)"
    else:
        pair = _pair(128, 1); source = "phantom 128^3 (../shared not found)"
    # the big grid: centred on the follow-up lungs, same orientation
    idx = np.argwhere(to_array(pair.lung1) > 0).mean(0)[::-1]
    centre = np.array(pair.ct1.TransformContinuousIndexToPhysicalPoint(idx.tolist()))
    d = np.array(pair.ct1.GetDirection()).reshape(3, 3)
    origin = centre - d @ (np.array(REAL_SIZE) / 2 * np.array(REAL_SPACING))
    big = lambda im, interp, default: sitk.Resample(im, REAL_SIZE, sitk.Transform(), interp, origin.tolist(), REAL_SPACING,
                                                    pair.ct1.GetDirection(), default, im.GetPixelID())
    for name, im, interp, default in (("ct0", pair.ct0, sitk.sitkLinear, -1024), ("ct1", pair.ct1, sitk.sitkLinear, -1024),
                                      ("lung0", pair.lung0, sitk.sitkNearestNeighbor, 0), ("lung1", pair.lung1, sitk.sitkNearestNeighbor, 0)):
        sitk.WriteImage(big(im, interp, default), os.path.join(work, name + ".nrrd"))
    return pair.transform, source


def run_real_size(work, method, q):
    """Register the big pair with covid_longi (`method`), then warp the reference CT at full resolution (through the displacement
    field `RegistrationResult.dense`); writes the exact transform."""
    from covid_longi.register import register_pair, RegistrationConfig
    rd = lambda n: sitk.ReadImage(os.path.join(work, n + ".nrrd"))
    ct0, ct1, lung0, lung1 = rd("ct0"), rd("ct1"), rd("lung0"), rd("lung1")
    t = time.perf_counter()
    res = register_pair(ct1, ct0, lung1, lung0, RegistrationConfig(method=method))
    reg_s = time.perf_counter() - t
    reg_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6     # the registration's own peak (the warp comes next)
    t = time.perf_counter(); res.warp(ct0, "ct"); warp_s = time.perf_counter() - t
    sitk.WriteTransform(res.transform, os.path.join(work, f"{method}.tfm"))
    ru = resource.getrusage(resource.RUSAGE_SELF)
    q.put(dict(method=method, wall_s=reg_s, warp_s=warp_s, dice=res.quality["dice_after"], folding=res.quality["folding_fraction"],
               peak_gb=ru.ru_maxrss / 1e6, reg_gb=reg_gb, cpu_s=ru.ru_utime + ru.ru_stime, load=os.getloadavg()[0],
               stages={k: v["seconds"] for k, v in res.quality["stages"].items() if "seconds" in v}))


def run_real_size_elastix(work, q):
    import itk
    os.chdir(work)                     # transformix writes deformationField.nii into the working directory
    rd = lambda n: itk.imread(os.path.join(work, n + ".nrrd"), itk.F)
    fixed, moving = rd("lung1"), rd("lung0")
    tparams, wall = _elastix(fixed, moving)
    reg_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6     # the registration's own peak (before the field is converted)
    field = itk.transformix_deformation_field(moving, tparams)
    f = sitk.GetImageFromArray(np.asarray(field).astype(np.float64), isVector=True)
    f.SetSpacing(tuple(field.GetSpacing())); f.SetOrigin(tuple(field.GetOrigin()))
    f.SetDirection(tuple(np.asarray(field.GetDirection()).ravel()))
    sitk.WriteImage(f, os.path.join(work, "elastix_field.nii"))
    ru = resource.getrusage(resource.RUSAGE_SELF)
    q.put(dict(method="elastix (masks)", wall_s=wall, warp_s=float("nan"), dice=float("nan"), folding=float("nan"),
               peak_gb=ru.ru_maxrss / 1e6, reg_gb=reg_gb, cpu_s=ru.ru_utime + ru.ru_stime, load=os.getloadavg()[0], stages={}))


def real_size(methods, elastix):
    from covid_longi.register import target_registration_error
    work = tempfile.mkdtemp(prefix="covid_longi_bench_")       # everything written goes here, and is removed
    try:
        truth, source = make_real_size(work)
        lung1 = sitk.ReadImage(os.path.join(work, "lung1.nrrd"))
        print(f"real size: {REAL_SIZE} at {REAL_SPACING} mm, {source}; cores {os.cpu_count()}", flush=True)
        none = target_registration_error(sitk.Transform(3, sitk.sitkIdentity), truth, lung1, 5000)
        print(f"{'none':<16} TRE {none['mean']:5.2f} / {none['p95']:5.2f} mm", flush=True)
        runs = [(run_real_size, (work, m)) for m in methods] + ([(run_real_size_elastix, (work,))] if elastix else [])
        walls = {}
        for fn, args in runs:
            try: r = in_process(fn, *args)
            except Exception as e: print(f"{args[-1] if len(args) > 1 else 'elastix'} failed: {e}", flush=True); continue
            name = r["method"].split()[0] if r["method"].startswith("elastix") else r["method"]
            est = (sitk.DisplacementFieldTransform(sitk.ReadImage(os.path.join(work, "elastix_field.nii"), sitk.sitkVectorFloat64))
                   if name == "elastix" else sitk.ReadTransform(os.path.join(work, f"{name}.tfm")))
            tre = target_registration_error(est, truth, lung1, 5000)
            print(f"{r['method']:<16} register {r['wall_s']:6.1f} s ({r['reg_gb']:.2f} GB)  warp at full size {r['warp_s']:5.1f} s  peak {r['peak_gb']:.2f} GB  "
                  f"TRE {tre['mean']:5.2f} / {tre['p95']:5.2f} mm  Dice {r['dice']:.3f}  folding {100 * r['folding']:.3f} %", flush=True)
            # the machine may be shared: the process's CPU seconds (all of it, reading the images included) and the load say how
            print(f"{'':<16} process CPU {r['cpu_s']:6.1f} s  load average {r['load']:.1f} on {os.cpu_count()} cores  stages (s): "
                  + ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items()), flush=True)
            walls[name] = (r["wall_s"], r["reg_gb"], tre["mean"])
        if "elastix" in walls:        # ratios against the baseline of this same run
            e = walls.pop("elastix")
            for name, (w, gb, t) in walls.items():
                print(f"{name} / elastix: time x{w / e[0]:.2f}, memory while registering x{gb / e[1]:.2f}, mean TRE x{t / e[2]:.2f}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def in_process(fn, *args):
    "`fn(*args, q)` in a fresh process; its result, or an error when the process dies without one (e.g. itk missing)."
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=fn, args=(*args, q))
    p.start()
    while True:
        try: out = q.get(timeout=5); break
        except queue.Empty:
            if p.is_alive(): continue
            try: out = q.get(timeout=1); break      # it may have put its result just before exiting
            except queue.Empty: raise RuntimeError(f"{fn.__name__} died (exit code {p.exitcode}) without a result") from None
    p.join()
    return out


def show(r, size, seed):
    print(f"{size:>4}^3 seed {seed}  {r['method']:<28} {r['wall_s']:7.1f} s  TRE {r['tre_mean']:5.2f} / {r['tre_p95']:5.2f} mm  "
          f"Dice {r['dice']:.3f}  folding {100 * r['folding']:.3f} %  peak {r['peak_gb']:.2f} GB", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[128, 256])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--no-elastix", action="store_true")
    ap.add_argument("--grid-study", action="store_true", help="TRE of our method against the control-point spacing")
    ap.add_argument("--real-size", action="store_true", help="a 512 x 512 x 300 chest at 0.7 x 0.7 x 1 mm")
    ap.add_argument("--methods", nargs="+", default=["hybrid", "mask", "intensity"], help="--real-size: covid_longi methods to run")
    args = ap.parse_args()
    if args.real_size:
        real_size(args.methods, not args.no_elastix); raise SystemExit
    print(f"cores: {os.cpu_count()}  (phantom pairs span 320 mm; displacements up to 10 mm)")
    for size in args.sizes:
        for seed in args.seeds:
            if args.grid_study:
                for g in (80.0, 120.0, 160.0, 200.0): show(in_process(run_ours, size, seed, g), size, seed)
                continue
            ours = in_process(run_ours, size, seed); show(ours, size, seed)
            if not args.no_elastix:
                try: elx = in_process(run_elastix, size, seed)
                except Exception as e: print(f"elastix failed: {e}"); continue
                show(elx, size, seed)
                print(f"{'':>14} time ours/elastix {ours['wall_s'] / elx['wall_s']:.2f}   "
                      f"TRE ours/elastix {ours['tre_mean'] / elx['tre_mean']:.2f}", flush=True)
