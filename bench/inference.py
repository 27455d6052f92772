#!/usr/bin/env python
"""Inference speed of the longitudinal FC-DenseNet-57: slices per second, seconds per full pair (3 views x all
slices x 2 directions), achieved GFLOP/s and peak memory, at several cube sizes, for each setting side by side
with the plain fp32 batch-1 baseline, and the ratio of the package's default setting to that baseline.

    python bench/inference.py                          # cubes 128 and 300 on the CPU
    python bench/inference.py --cubes 128 --threads 1 2   # the default setting at 1 and 2 threads too
    python bench/inference.py --cubes 128 --device cuda
    python bench/inference.py --dice-check             # labels of reduced precision vs fp32 on a phantom pair
    python bench/inference.py --cubes 128 --profile    # where the time of one forward pass goes (per op)
    python bench/inference.py --fold-check             # can batch norm be folded into the convolutions?
    python bench/inference.py --cpu-time --cubes 64 128   # fp32 vs bf16 in process CPU time, 1 thread (fair on a busy machine)
    python bench/inference.py --cubes 128 --compile --pair   # + torch.compile, + a real 3-view pair through predict_cube
    python bench/inference.py --cubes 64 128 --onnx    # + ONNX Runtime (pip install onnxruntime; not a dependency)
    python bench/inference.py --cubes 64 128 --openvino   # + OpenVINO, fp32 and bf16 (pip install openvino; not a dependency)
    python bench/inference.py --cubes 300 --device cuda --restore   # a pair's inference + restore: before (CPU restore) vs now
    python bench/inference.py --device cuda --analyze CT   # segment_pair end to end on CT resampled to 512 x 512 x 300

Settings: fp32 (baseline: backbone, batch 1, contiguous), the PairNet (one slice pair = both time points per
call, as predict_cube runs it), larger batches, channels_last, bf16 autocast (CPU) or fp16 (CUDA), and with
--compile torch.compile (inductor with weight freezing). [default] marks what predict_cube uses on this
machine (infer.default_batch_size, infer.default_dtype: bf16 only where the CPU has native bf16). FLOPs are
counted once per slice with torch.utils.flop_counter. A full pair's time is extrapolated from the measured
slice rate: 3 views x cube slices x 2 directions (empty slices are skipped in practice: an upper bound).
"""
import argparse, os, resource, tempfile, time

import covid_longi   # before torch: the package's thread settings (OMP_WAIT_POLICY) apply, as they do for users
import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from covid_longi.model import fc_densenet57, PairNet, autocast
from covid_longi.infer import default_batch_size, default_dtype, cpu_native_bf16
from covid_longi.weights import load_weights


def flops_per_slice(model, size):
    x = torch.rand(1, 2, size, size)
    with FlopCounterMode(display=False) as fc, torch.inference_mode():
        model(x)
    return fc.get_total_flops()


def rate(model, size, batch, dtype, channels_last, device, seconds=6.0, pair=False):
    "Slices per second (each slice = one backbone input); also the first call's time (compilation, kernel choice)."
    mf = torch.channels_last if channels_last else torch.contiguous_format
    if pair:   # a PairNet call: `batch` slice pairs, both time points in one backbone call
        x0, x1 = torch.rand(batch, size, size, device=device), torch.rand(batch, size, size, device=device)
        call, n_slices = (lambda: model(x0, x1)), 2 * batch
    else:
        x = torch.rand(batch, 2, size, size, device=device).contiguous(memory_format=mf)
        call, n_slices = (lambda: model(x)), batch
    with torch.inference_mode(), autocast(device, dtype):
        t = time.perf_counter(); call()                  # warm-up (oneDNN picks its kernels; torch.compile compiles)
        if device.type == "cuda": torch.cuda.synchronize()
        first = time.perf_counter() - t
        n, t = 0, time.perf_counter()
        while time.perf_counter() - t < seconds:
            call(); n += n_slices
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
ap.add_argument("--threads", type=int, nargs="*", default=[], help="also time the default setting at these thread counts")
ap.add_argument("--compile", action="store_true", help="also torch.compile (inductor, weight freezing): slow first call")
ap.add_argument("--pair", action="store_true", help="also time predict_cube over 3 views of a real-size cube (the first of --cubes)")
ap.add_argument("--profile", action="store_true", help="per-op time of one forward pass at the first cube size")
ap.add_argument("--fold-check", action="store_true", help="check whether batch norm folds exactly into the convolutions")
ap.add_argument("--dice-check", action="store_true")
ap.add_argument("--onnx", action="store_true", help="also ONNX Runtime (CPU provider, fp32), checked against torch fp32")
ap.add_argument("--openvino", action="store_true", help="also OpenVINO (CPU plugin, f32 and bf16 inference precision), checked against torch fp32")
ap.add_argument("--restore", action="store_true", help="a pair's inference + restore (3 views, cube = first of --cubes, 512x512x300 grid): "
                "the package as it is against the path before 0.1.0's GPU work (per-batch copies to the CPU, SimpleITK restore)")
ap.add_argument("--analyze", metavar="CT", help="segment_pair end to end on this chest CT resampled to --analyze-size (and a moved copy)")
ap.add_argument("--analyze-size", type=int, nargs=3, default=[512, 512, 300], metavar=("X", "Y", "Z"))
ap.add_argument("--cpu-time", action="store_true", help="only: fp32 vs reduced precision per slice pair, in process CPU time on one thread")
args = ap.parse_args()
if args.onnx:   # optional: only this comparison needs it
    import onnxruntime as ort
if args.openvino:   # the package's backend (covid_longi.infer.openvino_models), converted into a temporary cache
    import openvino as ov
    from covid_longi.infer import OpenVINOPairNet
    ov_cache = tempfile.mkdtemp()
device = torch.device(args.device)
torch.manual_seed(0)
model = fc_densenet57(2).eval().to(device)
pairnet = PairNet(model).eval()
low = torch.bfloat16 if device.type == "cpu" else torch.float16
low_name = str(low).split('.')[-1]
cap = torch.backends.cpu.get_cpu_capability() if device.type == "cpu" else torch.cuda.get_device_name()
default_b, default_dt = default_batch_size(device), default_dtype(device)
print(f"device {device} ({cap}), torch {torch.__version__}, threads {torch.get_num_threads()}")
if device.type == "cpu":
    print(f"native bf16 on this CPU: {cpu_native_bf16()} -> default precision {default_dt or 'float32'}")
    peak, how = peak_gflops(); print(f"estimated fp32 peak {peak:.0f} GFLOP/s ({how})")
else:   # the card's dense fp16/bf16 tensor-core peak (H100 / H200 SXM: 989 TFLOP/s), for the fraction of peak below
    peak = float(os.environ.get("PEAK_GFLOPS", 989e3))
    torch.backends.cudnn.benchmark = True   # as segment_pair sets it on a GPU: one slice size, cuDNN picks its fastest kernels
    print(f"GPU peak taken as {peak / 1e3:.0f} TFLOP/s (dense fp16 tensor cores; PEAK_GFLOPS overrides); cudnn.benchmark on")
if args.cpu_time:   # a machine shared with other jobs inflates wall time; one thread's CPU time much less
    torch.set_num_threads(1)
    for size in args.cubes:
        for b in (1, 4):
            x0, x1 = torch.rand(b, size, size, device=device), torch.rand(b, size, size, device=device)
            res = {}
            for dt in (None, low):
                with torch.inference_mode(), autocast(device, dt):
                    pairnet(x0, x1); pairnet(x0, x1)
                    n = max(2, int(6 * (64 / size) ** 2 / b))
                    t = time.process_time()
                    for _ in range(n): pairnet(x0, x1)
                    res[dt] = 2 * b * n / (time.process_time() - t)
            print(f"cube {size}, {b} pair(s)/pass: fp32 {res[None]:.2f}, {low_name} {res[low]:.2f} slices per CPU-second (x{res[low] / res[None]:.2f})", flush=True)
    raise SystemExit
compiled = None
if args.compile:
    import torch._inductor.config as ic
    ic.freezing = True
    compiled = torch.compile(model)
dname = f"PairNet, {default_b} pair(s)/pass, channels_last, {default_dt or torch.float32} [default]".replace("torch.", "")
for size in args.cubes:
    gflop = flops_per_slice(model.cpu(), size) / 1e9; model.to(device)
    # (name, model, batch, dtype, channels_last, PairNet call?)
    settings = [("fp32, batch 1, NCHW (baseline)", model, 1, None, False, False),
                ("fp32, batch 1, channels_last", model, 1, None, True, False),
                ("fp32, batch 8, channels_last", model, 8, None, True, False),
                (dname, pairnet, default_b, default_dt, True, True),
                (f"{low_name}, PairNet, 1 pair/pass, channels_last", pairnet, 1, low, True, True),
                (f"{low_name}, batch 8, channels_last", model, 8, low, True, False)]
    if device.type == "cuda": settings += [("fp32, batch 32, channels_last", model, 32, None, True, False),
                                           (f"{low_name}, batch 32, channels_last", model, 32, low, True, False),
                                           (f"{low_name}, batch 128, channels_last", model, 128, low, True, False),
                                           (f"{low_name}, PairNet, 128 pairs/pass, channels_last", pairnet, 128, low, True, True)]
    if compiled is not None: settings.append(("fp32, batch 1, channels_last, compiled", compiled, 1, None, True, False))
    if args.onnx and device.type == "cpu":
        so = ort.SessionOptions(); so.intra_op_num_threads = torch.get_num_threads()
        with tempfile.TemporaryDirectory() as tmp:      # the session holds the model: the file goes when it is loaded
            path = os.path.join(tmp, "fc_densenet57.onnx")
            torch.onnx.export(model, (torch.rand(1, 2, size, size),), path, dynamo=False, input_names=["x"], output_names=["y"],
                              dynamic_axes={"x": {0: "batch"}}, opset_version=17)
            sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        xb = torch.rand(4, 2, size, size)
        with torch.inference_mode(): ref = model(xb).numpy()
        got = sess.run(None, {"x": xb.numpy()})[0]
        print(f"  ONNX Runtime {ort.__version__} vs torch fp32: max |logit diff| {np.abs(got - ref).max():.1e}, "
              f"argmax equal on {100 * (got.argmax(1) == ref.argmax(1)).mean():.3f} % of pixels")
        for b in (1, 8):
            xs = np.random.default_rng(0).random((b, 2, size, size), np.float32)
            onnx_model = lambda x, xs=xs: sess.run(None, {"x": xs})       # `rate` feeds its own tensor: ignore it
            settings.append((f"ONNX Runtime fp32, batch {b}", onnx_model, b, None, False, False))
    if args.openvino and device.type == "cpu":   # one slice pair per call, as the package's CPU default
        x0, x1 = torch.rand(2, 1, size, size, generator=torch.Generator().manual_seed(0))
        with torch.inference_mode(): ref = torch.cat(pairnet(x0, x1)).numpy()
        for hint in ("f32", "bf16"):
            ovp = OpenVINOPairNet(pairnet, hint, ov_cache)
            got = torch.cat(ovp(x0, x1)).numpy()
            print(f"  OpenVINO {ov.__version__} {hint} vs torch fp32: max |logit diff| {np.abs(got - ref).max():.1e}, "
                  f"argmax equal on {100 * (got.argmax(1) == ref.argmax(1)).mean():.3f} % of pixels")
            settings.append((f"OpenVINO {hint}, PairNet, 1 pair/pass", ovp, 1, None, False, True))
    print(f"\ncube {size}: {gflop:.2f} GFLOP per slice; a full pair = 3 views x {size} slices x 2 directions = {6 * size} slices")
    base = default_rate = None
    for name, m, b, dt, cl, pair in settings:
        r, first = rate(m, size, b, dt, cl, device, args.seconds, pair)
        base = base or r
        if "[default]" in name: default_rate = r
        print(f"  {name:<52} {r:6.2f} slices/s {gflop * r:6.1f} GFLOP/s ({100 * gflop * r / peak:4.1f} % of peak)  pair {6 * size / r:7.1f} s"
              f"  x{r / base:4.2f} vs baseline  first call {first:5.1f} s  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB", flush=True)
    print(f"  default / fp32 batch-1 baseline: x{default_rate / base:.2f}")
    n0 = torch.get_num_threads()
    for th in args.threads:
        torch.set_num_threads(th)
        r, _ = rate(pairnet, size, default_b, default_dt, True, device, args.seconds, True)
        print(f"  default setting at {th} thread(s): {r:6.2f} slices/s", flush=True)
    torch.set_num_threads(n0)

if args.profile:
    size = args.cubes[0]
    x = torch.rand(2, 2, size, size, device=device).contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        model(x)
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            for _ in range(3): model(x)
    ev = [e for e in prof.key_averages() if e.key.startswith("aten::") and e.key in
          ("aten::mkldnn_convolution", "aten::convolution", "aten::native_batch_norm", "aten::_native_batch_norm_legit_no_training",
           "aten::relu_", "aten::cat", "aten::max_pool2d", "aten::max_pool2d_with_indices", "aten::slice", "aten::copy_")]
    tot = sum(e.self_cpu_time_total for e in prof.key_averages())
    print(f"\nwhere the time of a forward pass goes (cube {size}, 1 pair, channels_last, self CPU time):")
    for e in sorted(ev, key=lambda e: -e.self_cpu_time_total):
        print(f"  {e.key:<48} {100 * e.self_cpu_time_total / tot:5.1f} %")

if args.fold_check:
    # FC-DenseNet layers are BN -> ReLU -> conv: the ReLU between them stops BN from folding into the conv that
    # follows it, and each feature map feeds the BNs of every later layer of its block (each with its own
    # statistics), so it cannot fold into the conv that produced it either. Folding BN into the next conv while
    # ignoring the ReLU shows how far from exact that is.
    from covid_longi.weights import load_weights
    layer = load_weights(device="cpu").models["axial"].backbone.dense_down[2].layers[1]
    bn, conv = layer[0], layer[2]
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps); shift = bn.bias - bn.running_mean * scale
    folded = torch.nn.Conv2d(conv.in_channels, conv.out_channels, 3, padding=1)
    with torch.no_grad():
        folded.weight.copy_(conv.weight * scale[None, :, None, None])
        folded.bias.copy_(conv.bias + (conv.weight * shift[None, :, None, None]).sum((1, 2, 3)))
        x = torch.randn(1, conv.in_channels, 32, 32)
        ref = conv(torch.relu(bn(x))); got = folded(torch.relu(x)); lin = folded(x); exact = conv(bn(x))
    inner = (..., slice(1, -1), slice(1, -1))   # the zero padding is not shifted by BN: compare away from the border
    print(f"\nBN folded into the following conv: without the ReLU it is exact away from the zero-padded border "
          f"(max |diff| {float((lin - exact)[inner].abs().max()):.1e}, {float((lin - exact).abs().max()):.2f} on the border); "
          f"with the ReLU between them, as in FC-DenseNet, it is not (max |diff| {float((got - ref).abs().max()):.2f}, "
          f"outputs of size {float(ref.abs().mean()):.2f}); fraction of BN scales <= 0: {float((scale <= 0).float().mean()):.2f}")

if args.pair:
    from covid_longi.infer import predict_cube
    from covid_longi.data import VIEWS
    size = args.cubes[0]
    x0 = np.random.default_rng(0).uniform(-1, 1, (size,) * 3).astype(np.float32); x1 = x0[::-1].copy()
    t = time.perf_counter()
    for v in VIEWS: predict_cube(pairnet, x0, x1, v, device=device)
    print(f"\npredict_cube, 3 views, cube {size}, package defaults: {time.perf_counter() - t:.1f} s for the pair "
          f"(every slice non-empty; the lung crop leaves few empty ones)")

if args.dice_check:
    from covid_longi.phantom import make_longitudinal_pair
    from covid_longi.infer import segment_pair
    from covid_longi.weights import load_weights
    from covid_longi.metrics import dice_per_class
    from covid_longi.core import to_array
    pair = make_longitudinal_pair(scenario="progression", seed=4)
    models = load_weights(device=device)
    out = {}
    for name, dt in (("fp32", torch.float32), ("low", low)):
        t = time.perf_counter(); seg = segment_pair(pair.ct0, pair.ct1, models, pair.lung0, pair.lung1, device=device, dtype=dt)
        out[name] = (seg, time.perf_counter() - t)
    a, b = to_array(out["fp32"][0].labels1), to_array(out["low"][0].labels1)
    print(f"\nlabels {low_name} vs fp32: identical voxels {100 * (a == b).mean():.3f} %; Dice per class {dice_per_class(b, a)}")
    print("vs ground truth: fp32", {k: round(v, 3) for k, v in dice_per_class(a, to_array(pair.labels1)).items()},
          "low", {k: round(v, 3) for k, v in dice_per_class(b, to_array(pair.labels1)).items()})
    print(f"segment_pair wall time: fp32 {out['fp32'][1]:.1f} s, {low_name} {out['low'][1]:.1f} s")
    if args.openvino and device.type == "cpu":
        reg = out["fp32"][0].registration                        # the same registration: only the network differs
        from covid_longi.infer import openvino_models
        for dt, hint in ((torch.float32, "f32"), (torch.bfloat16, "bf16")):
            t = time.perf_counter(); ovm = openvino_models(load_weights(device="cpu"), dtype=dt, cache_dir=ov_cache); conv = time.perf_counter() - t
            seg = segment_pair(pair.ct0, pair.ct1, ovm, pair.lung0, pair.lung1, registration=reg, device=device, dtype=torch.float32)
            c = to_array(seg.labels1)
            print(f"OpenVINO {hint}: labels vs torch fp32 identical on {100 * (c == a).mean():.4f} % of voxels, vs torch {low_name} "
                  f"{100 * (c == b).mean():.4f} %; inference {seg.timing['inference']:.1f} s (torch fp32 {out['fp32'][0].timing['inference']:.1f} s, "
                  f"{low_name} {out['low'][0].timing['inference']:.1f} s) after converting (or reading) + compiling {conv:.1f} s for {len(ovm.models)} views")

def legacy_pair(pairnet, x0, x1, record, device, batch, dtype):
    "The path before the GPU work, as it was: per view and batch, softmax copied to the CPU; numpy average; SimpleITK restore."
    from covid_longi.data import VIEWS, view_axes, nonempty_slices
    from covid_longi.preprocess import restore
    from covid_longi.core import N_CLASSES
    t = time.perf_counter()
    P = []
    for v in VIEWS:
        axis = view_axes(record.cube["direction"])[v]
        keep = np.union1d(nonempty_slices(x1, axis), nonempty_slices(x0, axis))
        p1 = np.zeros((N_CLASSES,) + x1.shape, np.float32); p0 = np.zeros_like(p1); p1[0] = p0[0] = 1.0
        X0, X1 = np.moveaxis(x0, axis, 0), np.moveaxis(x1, axis, 0)
        P1, P0 = np.moveaxis(p1, axis + 1, 1), np.moveaxis(p0, axis + 1, 1)
        with torch.inference_mode(), autocast(device, dtype):
            for i in range(0, len(keep), batch):
                idx = keep[i:i + batch]
                a0 = torch.from_numpy(np.ascontiguousarray(X0[idx], np.float32)).to(device)
                a1 = torch.from_numpy(np.ascontiguousarray(X1[idx], np.float32)).to(device)
                for logits, Pv in zip(pairnet(a0, a1), (P1, P0)):
                    Pv[:, idx] = torch.softmax(logits.float(), 1).cpu().numpy().transpose(1, 0, 2, 3)
        P.append((p1, p0))
    p1 = sum(a for a, _ in P) / 3; p0 = sum(b for _, b in P) / 3
    t_inf = time.perf_counter() - t; t = time.perf_counter()
    import SimpleITK as sitk
    labels = [sitk.GetArrayFromImage(restore(p, record)).argmax(-1).astype(np.uint8) for p in (p1, p0)]
    return t_inf, time.perf_counter() - t, labels

def package_pair(pairnet, x0, x1, record, device, batch, dtype):
    "The package's path (segment_pair's inference and restore): segment_cube, then restore_probabilities and arg-max on the device."
    from covid_longi.data import VIEWS
    from covid_longi.infer import segment_cube, restore_probabilities
    t = time.perf_counter()
    probs = segment_cube({v: pairnet for v in VIEWS}, x0, x1, record.cube["direction"], batch, device, dtype)
    if device.type == "cuda": torch.cuda.synchronize()
    t_inf = time.perf_counter() - t; t = time.perf_counter()
    labels = [restore_probabilities(p, record).argmax(0).to(torch.uint8).cpu().numpy() for p in probs]
    return t_inf, time.perf_counter() - t, labels

if args.restore:
    from covid_longi.preprocess import PreprocessRecord, PreprocessConfig, Crop, cube_grid
    size = args.cubes[0]
    grid = dict(size=(512, 512, 300), spacing=(0.7, 0.7, 1.0), origin=(0.0, 0.0, 0.0), direction=(1, 0, 0, 0, 1, 0, 0, 0, 1))
    crop = Crop((70, 110, 10), (372, 300, 280))            # a lung crop of an adult chest on that grid
    record = PreprocessRecord(grid, crop, cube_grid(grid, crop, size), PreprocessConfig(size=size))
    g = torch.Generator().manual_seed(0)
    x0 = torch.nn.functional.interpolate(torch.rand(1, 1, 24, 24, 24, generator=g), size=(size,) * 3, mode="trilinear")[0, 0].numpy()
    x1 = np.ascontiguousarray(x0[:, ::-1])
    pairnet_w = load_weights(device=device).models["axial"]     # trained weights: a realistic mixture of classes
    print(f"\na pair's inference + restore, cube {size}, grid 512 x 512 x 300 (crop 372 x 300 x 280), 3 views x {size} slices x 2 directions:")
    res = {}
    for name, fn, b, dt in (("before: batch 16, fp32, per-batch copies, SimpleITK restore", legacy_pair, 16, None),
                            (f"package: batch {default_b}, {default_dt or torch.float32}, on the device".replace("torch.", ""), package_pair, default_b, default_dt),
                            ("package path, fp32, same batch", package_pair, default_b, torch.float32)):
        ti, tr, lab = fn(pairnet_w, x0, x1, record, device, b, dt)   # second run timed below (the first warms cuDNN up)
        ti, tr, lab = fn(pairnet_w, x0, x1, record, device, b, dt)
        res[name] = (ti + tr, lab)
        print(f"  {name:<62} inference {ti:6.2f} s  restore {tr:6.2f} s  total {ti + tr:6.2f} s", flush=True)
    names = list(res)
    print(f"  package / before: x{res[names[0]][0] / res[names[1]][0]:.2f} faster; labels agree on "
          + ", ".join(f"{100 * (a == b).mean():.4f} %" for a, b in zip(res[names[0]][1], res[names[1]][1])) + " (t1, t0) with the before path "
          + "(fp32 vs the default precision); package fp32 vs before: "
          + ", ".join(f"{100 * (a == b).mean():.4f} %" for a, b in zip(res[names[0]][1], res[names[2]][1])))

if args.analyze:
    import SimpleITK as sitk
    from covid_longi.io import read_ct
    from covid_longi.infer import segment_pair
    from covid_longi.weights import load_weights as _lw
    ct = read_ct(args.analyze)
    D = np.array(ct.GetDirection()).reshape(3, 3); sz0, sp0 = np.array(ct.GetSize()), np.array(ct.GetSpacing())
    size = np.array(args.analyze_size); sp = sz0 * sp0 / size
    ref = sitk.Image(*[int(v) for v in size], sitk.sitkInt16); ref.SetSpacing(sp.tolist()); ref.SetDirection(ct.GetDirection())
    ref.SetOrigin((np.array(ct.GetOrigin()) + D @ (sp / 2 - sp0 / 2)).tolist())
    big1 = sitk.Resample(ct, ref, sitk.Transform(), sitk.sitkLinear, -1024, sitk.sitkInt16)
    tf = sitk.Euler3DTransform(); tf.SetCenter(big1.TransformContinuousIndexToPhysicalPoint((size - 1) / 2)); tf.SetRotation(0.0, 0.0, 0.05); tf.SetTranslation((4.0, -6.0, 3.0))
    big0 = sitk.Resample(big1, big1, tf, sitk.sitkLinear, -1024, sitk.sitkInt16)
    models = _lw(device=device)
    for k in range(int(os.environ.get("ANALYZE_RUNS", 2))):   # the first run includes cuDNN's kernel choice
        t = time.perf_counter(); seg = segment_pair(big0, big1, models, device=device); wall = time.perf_counter() - t
        print(f"\nsegment_pair end to end, {args.analyze} resampled to {' x '.join(map(str, size))} ({sp.round(2).tolist()} mm) and a moved copy, "
              f"run {k + 1}: {wall:.1f} s; per stage: " + ", ".join(f"{k_} {v:.2f} s" for k_, v in seg.timing.items()), flush=True)
