"""examples/search_in_a_notebook.ipynb runs top to bottom on a kernel of this interpreter, and its
outputs are what it promises: the network, the result's inline table, the pandas frame, the
report file."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO

NOTEBOOK = REPO / "examples" / "search_in_a_notebook.ipynb"


def run_notebook() -> Any:
    spec = importlib.util.spec_from_file_location("run_notebook",
                                                  REPO / "scripts" / "run_notebook.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outputs(cell: Any, kind: str) -> str:
    """A code cell's outputs of one MIME type (or its printed text, for "stream")."""
    if kind == "stream":
        return "".join(o["text"] for o in cell.outputs
                       if o["output_type"] == "stream" and o["name"] == "stdout")
    return "".join(o["data"].get(kind, "") for o in cell.outputs if "data" in o)


def test_notebook_runs(tmp_path: Path) -> None:
    for module in ("nbclient", "nbformat", "ipykernel", "torchvision", "pandas"):
        pytest.importorskip(module)
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    # The kernel is this interpreter: one more cell says which one it is.
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.prefix)"))
    path = tmp_path / NOTEBOOK.name
    nbformat.write(nb, str(path))
    cells = [c for c in run_notebook().run(path, tmp_path).cells if c.cell_type == "code"]
    assert outputs(cells[-1], "stream").strip() == sys.prefix  # the venv

    assert "'resnet18'" in outputs(cells[0], "text/plain") and "21 layers" in outputs(
        cells[0], "text/plain")
    table = outputs(cells[1], "text/html")  # SearchResult._repr_html_
    assert "<b>resnet18</b>: 21 layers" in table and table.count("<tr>") == 1 + 21
    assert "/conv1/Conv" in table
    frame = outputs(cells[2], "text/html")  # the DataFrame
    assert "runtime_cycles" in frame and "/conv1/Conv" in frame and frame.count("<tr") == 2 + 8  # two header rows
    assert "x the EDP of the per-layer choice" in outputs(cells[3], "stream")
    assert (tmp_path / "resnet18.html").stat().st_size > 10_000
