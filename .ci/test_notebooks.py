#!/usr/bin/env python
"""Run every notebook in nbs/ as a test with nbdev's `test_nb` and count the results.

Each notebook runs in its own Python process, forked from one that has imported the package once. Cells flagged
with a `tst_flags` flag from settings.ini (`#| slow`, `#| cuda`) are skipped unless named in --flags. Prints one line per notebook and ends with
`N passed, N failed` (N counts notebooks); exits non-zero when any notebook fails.
"""
import argparse, json, os, queue, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# A zygote per worker imports what every notebook imports (torch, SimpleITK, the package, nbdev: ~3 s) once, then forks a
# fresh process per notebook, which runs nbdev's `test_nb` with its own stdout/stderr and exits with its result.
ZYGOTE = r"""
import json, os, sys
import matplotlib.pyplot, torch, SimpleITK, fastcore.test, nbdev.test, execnb.shell
import covid_longi.cli, covid_longi.pipeline, covid_longi.viz
from pathlib import Path
for line in sys.stdin:
    fn, skip, force, log = json.loads(line)
    pid = os.fork()
    if pid == 0:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC); os.dup2(fd, 1); os.dup2(fd, 2)
        try:
            ok, _ = nbdev.test.test_nb(Path(fn), skip_flags=skip, force_flags=force)
            rc = 0 if ok else 1
        except BaseException:
            import traceback; traceback.print_exc(); rc = 1
        sys.stdout.flush(); sys.stderr.flush(); os._exit(rc)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


LONGEST = {"17_cli": 211, "16_pipeline": 109, "03_lung": 102, "04_register": 79, "index": 50, "10_infer": 33, "03a_semisynth": 28}


def start_zygote(threads):
    env = dict(os.environ, MPLBACKEND="Agg")
    # notebooks run side by side: share the cores instead of oversubscribing them
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"): env.setdefault(var, str(threads))
    return subprocess.Popen([sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)


def run_one(zygotes, fn, skip, force):
    z = zygotes.get()
    try:
        fd, log = tempfile.mkstemp(prefix=f".{fn.stem}.", suffix=".log"); os.close(fd)
        t = time.time()
        try:
            z.stdin.write(json.dumps([str(fn), skip, force, log]) + "\n"); z.stdin.flush()
            rc = int(z.stdout.readline() or 1)
        except (BrokenPipeError, ValueError): rc = 1
        out = Path(log).read_text(encoding="utf-8", errors="replace"); os.unlink(log)
        if z.poll() is not None: out += f"\nthe test worker stopped (exit {z.returncode}); its error is printed above"
        return rc == 0, time.time() - t, out
    finally:
        zygotes.put(z)


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
    zygotes = queue.Queue()
    for _ in range(args.workers): zygotes.put(start_zygote(threads))
    with ThreadPoolExecutor(args.workers) as ex:
        futures = {f: ex.submit(run_one, zygotes, f, skip, force) for f in files}
        for f, fut in sorted(futures.items()):                  # report in name order
            ok, secs, log = fut.result()
            passed, failed = passed + ok, failed + (not ok)
            print(f"{'PASS' if ok else 'FAIL'} {f.name} ({secs:.0f} s)", flush=True)
            if not ok: print(log.rstrip(), flush=True)
    while not zygotes.empty(): z = zygotes.get(); z.stdin.close(); z.wait()
    print(f"total {time.time() - start:.0f} s")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
