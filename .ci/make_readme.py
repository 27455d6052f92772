#!/usr/bin/env python
"""Build README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which cannot be installed offline).

Runs the notebook, then writes its markdown cells, its visible code cells and their outputs; figures are
saved to nbs/images/ and linked. Cells marked `#| hide` are left out.
"""
import base64, os, re
from pathlib import Path
from execnb.shell import CaptureShell
from execnb.nbio import read_nb

root = Path(__file__).resolve().parents[1]
nb = read_nb(root / "nbs" / "index.ipynb")
os.environ.setdefault("MPLBACKEND", "Agg")
cwd = os.getcwd(); os.chdir(root / "nbs")
CaptureShell().run_all(nb, exc_stop=True)
os.chdir(cwd)
img_dir = root / "nbs" / "images"; img_dir.mkdir(exist_ok=True)
out, n_img = [], 0
for cell in nb.cells:
    src = cell.source
    if cell.cell_type == "markdown":
        out.append(src.strip()); continue
    lines = src.splitlines()
    if any(re.match(r"#\s*\|\s*hide", l) for l in lines): continue
    code = "\n".join(l for l in lines if not re.match(r"#\s*\|", l)).strip()
    if code: out.append(f"```python\n{code}\n```")
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        if "image/png" in data:
            n_img += 1
            name = f"index_{n_img}.png"
            (img_dir / name).write_bytes(base64.b64decode(data["image/png"]))
            out.append(f"![](nbs/images/{name})")
        elif o.get("output_type") == "stream":
            out.append("```\n" + "".join(o.get("text", "")).rstrip() + "\n```")
        elif "text/plain" in data and "image/png" not in data:
            out.append("```\n" + "".join(data["text/plain"]).rstrip() + "\n```")
text = "\n\n".join(out) + "\n"
# the notebook's title block: "# title\n\n> summary" reads well as is
(root / "README.md").write_text("<!-- generated from nbs/index.ipynb by .ci/make_readme.py; edit the notebook -->\n\n" + text)
print(f"README.md written ({n_img} figures)")
