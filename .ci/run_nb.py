#!/usr/bin/env python
"""Execute notebooks in place so their outputs (numbers, figures) are saved, then clean them with nbdev_clean.

    .venv/bin/python .ci/run_nb.py nbs/03_lung.ipynb [more.ipynb ...] [--flags "slow"]

Cells flagged with a settings.ini `tst_flags` flag (`#| slow`, `#| cuda`) are not run unless named in --flags;
they keep the outputs they had. Stops with a non-zero exit at the first failing cell (the notebook is not saved).
"""
import argparse, os, subprocess, sys
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="+")
    ap.add_argument("--flags", default="", help='flagged cells to run as well, e.g. "slow"')
    args = ap.parse_args()
    os.environ.setdefault("MPLBACKEND", "Agg")
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from nbdev.config import get_config
    skip = set(get_config().tst_flags.split()) - set(args.flags.split())

    def flagged(cell):
        if cell.cell_type != "code": return True
        for line in cell.source.splitlines():
            s = line.strip()
            if s.startswith("#|") and set(s[2:].split()) & skip: return True
            if s.replace(" ", "") == "#|eval:false": return True      # as nbdev's test_nb: never run
        return False

    paths = [Path(f).absolute() for f in args.notebooks]
    for fn in paths:
        nb = read_nb(fn)
        os.chdir(fn.parent)  # notebooks find ../shared relative to nbs/, as in the test run
        shell = CaptureShell()
        try:
            shell.run_all(nb, exc_stop=True, preproc=flagged)
        except Exception as e:
            print(f"FAIL {fn.name}: {e}", file=sys.stderr); sys.exit(1)
        write_nb(nb, fn)
        print(f"ran {fn.name}", flush=True)
    for fn in paths:
        subprocess.run([str(Path(sys.executable).parent / "nbdev_clean"), "--fname", str(fn)], check=True)


if __name__ == "__main__":
    main()
