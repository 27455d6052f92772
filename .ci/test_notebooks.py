#!/usr/bin/env python
"""Run every notebook in nbs/ as a test with nbdev's `test_nb` and count the results.

Each notebook runs in its own Python process. Cells flagged with a `tst_flags` flag from settings.ini
(`#| slow`, `#| cuda`) are skipped unless named in --flags. Prints one line per notebook and ends with
`N passed, N failed` (N counts notebooks); exits non-zero when any notebook fails.
"""
import argparse, os, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHILD = """
import sys
from pathlib import Path
from nbdev.test import test_nb
ok, secs = test_nb(Path(sys.argv[1]), skip_flags=sys.argv[2].split(), force_flags=sys.argv[3].split())
sys.exit(0 if ok else 1)
"""


LONGEST = {"17_cli": 211, "16_pipeline": 109, "03_lung": 102, "04_register": 79, "index": 50, "10_infer": 33, "03a_semisynth": 28}


def run_one(fn, skip, force, threads):
    env = dict(os.environ, MPLBACKEND="Agg")
    # notebooks run side by side: share the cores instead of oversubscribing them
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"): env.setdefault(var, str(threads))
    t = time.time()
    r = subprocess.run([sys.executable, "-c", CHILD, str(fn), " ".join(skip), " ".join(force)],
                       capture_output=True, text=True, env=env)
    return r.returncode == 0, time.time() - t, r.stdout + r.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", help="notebooks to run (default: all of nbs/)")
    ap.add_argument("--flags", default="", help='flags to run that are skipped by default, e.g. "slow cuda"')
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="notebooks run at once")
    args = ap.parse_args()

    from nbdev.config import get_config
    cfg = get_config()
    skip, force = cfg.tst_flags.split(), args.flags.split()
    files = [Path(f).absolute() for f in args.notebooks] or sorted(Path(cfg.nbs_path).absolute().glob("*.ipynb"))
    # the longest first, so that no long notebook starts last while the other worker idles (seconds measured on CI)
    files.sort(key=lambda f: -LONGEST.get(f.stem, 0))
    threads = max(1, (os.cpu_count() or 1) // max(args.workers, 1))
    print(f"testing {len(files)} notebooks, {args.workers} at a time, skipping cells flagged "
          f"{' '.join(sorted(set(skip) - set(force))) or 'nothing'}", flush=True)
    start, passed, failed = time.time(), 0, 0
    with ThreadPoolExecutor(args.workers) as ex:
        futures = {f: ex.submit(run_one, f, skip, force, threads) for f in files}
        for f, fut in sorted(futures.items()):                  # report in name order
            ok, secs, log = fut.result()
            passed, failed = passed + ok, failed + (not ok)
            print(f"{'PASS' if ok else 'FAIL'} {f.name} ({secs:.0f} s)", flush=True)
            if not ok: print(log.rstrip(), flush=True)
    print(f"total {time.time() - start:.0f} s")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
