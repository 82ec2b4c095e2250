"""Makes docs/images/notebook.png, the README's picture of the example notebook: executes
examples/search_in_a_notebook.ipynb (scripts/run_notebook.py), lays out the search cell and the
pandas cell with their outputs as a notebook shows them (the result's _repr_html_, the
DataFrame's HTML), and photographs the page with headless Chromium.

    build/venv/bin/python scripts/notebook-screenshot.py [OUT.png]

Needs what scripts/test-python.sh installs in build/venv, Chromium (scripts/install-deps.sh) and
Pillow (Debian's python3-pil, which python3-torchvision brings) to trim the page's blank bottom.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import run_notebook  # beside this script

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "examples" / "search_in_a_notebook.ipynb"
SHOWN = (2, 3)  # the search cell and the pandas cell, among the code cells counted from 1
WIDTH, HEIGHT = 1100, 2400

STYLE = """
body { font-family: 'DejaVu Sans', sans-serif; font-size: 13px; margin: 16px; color: #212121; }
.cell { display: grid; grid-template-columns: 70px 1fr; margin-bottom: 14px; }
.prompt { font-family: 'DejaVu Sans Mono', monospace; color: #303f9f; text-align: right;
          padding: 6px 8px 0 0; }
.prompt.out { color: #d84315; }
pre.code { background: #f7f7f7; border: 1px solid #cfcfcf; border-radius: 2px; margin: 0;
           padding: 6px 8px; font-family: 'DejaVu Sans Mono', monospace; font-size: 12.5px; }
.output { padding: 6px 0 0 2px; overflow-x: auto; }
table { border-collapse: collapse; font-size: 12px; border: none; }
th, td { padding: 3px 8px; text-align: right; border: none; white-space: nowrap; }
thead th { border-bottom: 1px solid #000; }
tbody tr:nth-child(odd) { background: #f5f5f5; }
"""


def output_html(output: Any) -> str:
    """One output as the notebook renders it; stderr streams (warnings) are left out."""
    if output["output_type"] == "stream":
        if output["name"] != "stdout":
            return ""
        return f"<pre>{html.escape(output['text'])}</pre>"
    data = output.get("data", {})
    if "text/html" in data:
        return str(data["text/html"])
    return f"<pre>{html.escape(data.get('text/plain', ''))}</pre>"


def page(cells: list[Any]) -> str:
    parts = []
    for number, cell in cells:
        parts.append(f'<div class="cell"><div class="prompt">In [{number}]:</div>'
                     f'<pre class="code">{html.escape(cell.source)}</pre></div>')
        shown = "".join(output_html(o) for o in cell.outputs)
        if shown:
            parts.append(f'<div class="cell"><div class="prompt out">Out[{number}]:</div>'
                         f'<div class="output">{shown}</div></div>')
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{STYLE}</style></head>"
            f"<body>{''.join(parts)}</body></html>")


def trim(png: Path) -> None:
    """Cuts the blank bottom of the photograph, keeping a margin, and stores it in a palette
    of 256 colours (a third of the bytes, no visible difference for text)."""
    from PIL import Image, ImageChops

    image = Image.open(png).convert("RGB")
    box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    if box is not None:
        image = image.crop((0, 0, image.width, min(image.height, box[3] + 16)))
    image.quantize(256).save(png, optimize=True)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "docs" / "images" / "notebook.png")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("notebook-screenshot: needs Chromium (scripts/install-deps.sh installs it)")
    with tempfile.TemporaryDirectory() as work:
        nb = run_notebook.run(NOTEBOOK, Path(work))
        code = [c for c in nb.cells if c.cell_type == "code"]
        shown = [(n, code[n - 1]) for n in SHOWN]
        index = Path(work) / "notebook.html"
        index.write_text(page(shown), encoding="utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--window-size={WIDTH},{HEIGHT}",
                        f"--screenshot={out.resolve()}", index.as_uri()],
                       check=True, capture_output=True)
    trim(out)
    print(out)


if __name__ == "__main__":
    main()
