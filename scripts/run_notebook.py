"""Executes a notebook on a Jupyter kernel of this interpreter (so the kernel imports the cadenza
installed beside it, whatever kernels the machine registers) and returns it with its outputs.

    python scripts/run_notebook.py NOTEBOOK.ipynb [OUT.ipynb]

Needs nbclient, nbformat and ipykernel (scripts/test-python.sh installs them, pinned, into
build/venv). Used by python/tests/test_notebook.py and scripts/notebook-screenshot.py.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

KERNEL = "cadenza-this-python"


def run(notebook: Path, cwd: Path, timeout: int = 300) -> Any:
    """The executed notebook (an nbformat NotebookNode), run with `cwd` as its directory.
    Raises nbclient's CellExecutionError naming the cell when one fails."""
    import nbclient
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    with tempfile.TemporaryDirectory() as jupyter:
        spec = Path(jupyter) / "kernels" / KERNEL
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": f"Python ({sys.executable})",
            "language": "python",
        }))
        saved = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = jupyter + (os.pathsep + saved if saved else "")
        try:
            nbclient.NotebookClient(nb, kernel_name=KERNEL, timeout=timeout,
                                    resources={"metadata": {"path": str(cwd)}}).execute()
        finally:
            if saved is None:
                del os.environ["JUPYTER_PATH"]
            else:
                os.environ["JUPYTER_PATH"] = saved
    return nb


def main() -> None:
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    import nbformat

    notebook = Path(sys.argv[1]).resolve()
    nb = run(notebook, Path.cwd())
    if len(sys.argv) == 3:
        nbformat.write(nb, sys.argv[2])


if __name__ == "__main__":
    main()
