"""The installed package: the `cadenza` command, the example, typing, versions, coexistence
with the onnx package, and from_torch."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import cadenza
from conftest import MODELS, REPO


def test_version_matches_the_project() -> None:
    cmake = (REPO / "CMakeLists.txt").read_text()
    project_version = re.search(r"project\(cadenza VERSION ([0-9.]+)", cmake)
    assert project_version and cadenza.__version__ == project_version.group(1)
    pyproject = (REPO / "pyproject.toml").read_text()
    assert f'version = "{cadenza.__version__}"' in pyproject


def test_the_cadenza_command(cadenza_command: str, tmp_path: Path) -> None:
    version = subprocess.run([cadenza_command, "--version"], check=True, capture_output=True,
                             text=True)
    assert cadenza.__version__ in version.stdout
    # An ONNX search needs the command's ONNX module, installed beside it (the fast model: what
    # is tested is the installation).
    out = tmp_path / "r.csv"
    subprocess.run([cadenza_command, "search", str(MODELS / "resnet50.onnx"), "--model", "maestro",
                    "--csv", str(out)], check=True, capture_output=True)
    assert len(out.read_text().splitlines()) == 1 + 54


def test_example_runs(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(REPO / "examples" / "search_resnet50.py"),
                          str(tmp_path / "resnet50.html")],
                         check=True, capture_output=True, text=True, cwd=tmp_path)
    assert "/conv1/Conv" in run.stdout and "total" in run.stdout
    assert (tmp_path / "resnet50.html").stat().st_size > 10_000


def test_onnx_and_cadenza_coexist_in_one_process() -> None:
    pytest.importorskip("onnx")
    # onnx's own C++ (checker, shape inference) and cadenza's importer in one process, both
    # import orders.
    for order in ("import onnx, cadenza", "import cadenza, onnx"):
        code = (f"{order}\n"
                "from onnx import helper, TensorProto as T\n"
                "g = helper.make_graph([helper.make_node('Conv', ['x', 'w'], ['y'], name='c')], 'g',\n"
                "    [helper.make_tensor_value_info('x', T.FLOAT, [1, 3, 8, 8]),\n"
                "     helper.make_tensor_value_info('w', T.FLOAT, [4, 3, 3, 3])],\n"
                "    [helper.make_tensor_value_info('y', T.FLOAT, [1, 4, 6, 6])])\n"
                "m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)])\n"
                "onnx.checker.check_model(m)\n"
                "m = onnx.shape_inference.infer_shapes(m)\n"
                "print(cadenza.load(m).layers[0].macs)\n")
        run = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                             text=True)
        assert run.stdout.strip() == str(4 * 3 * 3 * 3 * 6 * 6)


def test_typed_package() -> None:
    package = Path(cadenza.__file__).parent
    assert (package / "py.typed").exists() and (package / "_core.pyi").exists()
    mypy = pytest.importorskip("mypy.api")
    for target in (["-p", "cadenza"], [str(REPO / "examples")]):
        stdout, stderr, status = mypy.run(["--strict", "--no-incremental", *target])
        assert status == 0, stdout + stderr


def test_from_torch() -> None:
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(),
                                torch.nn.Flatten(), torch.nn.Linear(8 * 16 * 16, 10))
    net = cadenza.from_torch(model, torch.zeros(2, 3, 16, 16))
    assert [layer.kind for layer in net.layers] == ["CONV", "GEMM"]
    assert net.layers[0].macs == 2 * 8 * 3 * 3 * 3 * 16 * 16
    assert net.layers[1].macs == 2 * 8 * 16 * 16 * 10
    assert net.path == "<torch Sequential>"
    assert model.training  # put back as it was
    assert cadenza.search(net).totals.layers == 2


def test_readme_example_runs(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("\n## Python\n"):]
    code = section[section.index("```python\n") + len("```python\n"):section.index("```\n", 10)]
    code = code.replace('"models/', f'"{REPO}/models/')
    (tmp_path / "out").mkdir()
    run = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=tmp_path)
    assert "/conv1/Conv" in run.stdout
    assert (tmp_path / "out" / "resnet50.html").stat().st_size > 10_000
