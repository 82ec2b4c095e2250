"""cadenza.evaluate (`cadenza eval` of a .m network's own dataflows) and SearchResult.to_maestro:
the CLI's documents for the same inputs, errors, and the search -> .m -> evaluate round trip."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Optional

import pytest

import cadenza
from conftest import DATA, MODELS

RESNET_M = MODELS / "maestro" / "resnet50_kcp.m"
VGG_M = MODELS / "maestro" / "vgg16_kcp.m"  # the smaller network, for the exact-model cases
EXACT_CASES = DATA / "exact-model" / "inputs"


def cli_eval(command: str, tmp_path: Path, *args: str,
             exit_code: int = 0) -> tuple[dict[str, Any], str, str]:
    """`cadenza eval ARGS --json --csv`: the JSON document, the CSV and stderr."""
    out_json, out_csv = tmp_path / "cli.json", tmp_path / "cli.csv"
    run = subprocess.run([command, "eval", *args, "--json", str(out_json), "--csv", str(out_csv)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert run.returncode == exit_code, run.stderr
    return json.loads(out_json.read_text()), out_csv.read_text(), run.stderr


# Soft-limit warnings (bandwidth needs beyond the hardware's) are many on these networks; one
# test checks them.
pytestmark = pytest.mark.filterwarnings("ignore:.*a soft limit on this hardware:UserWarning")


@pytest.mark.parametrize("network, model, hw_file, simd_lanes", [
    (RESNET_M, "maestro", None, None),
    (VGG_M, "exact", None, None),
    (RESNET_M, "maestro", "accel256.m", 4),
    (VGG_M, "exact", "eyeriss_like.textproto", 2),
])
def test_json_and_csv_equal_the_cli(cadenza_command: str, tmp_path: Path, network: Path,
                                    model: str, hw_file: Optional[str],
                                    simd_lanes: Optional[int]) -> None:
    args = ["--mapping", str(network), "--model", model]
    hw: Optional[cadenza.Hardware] = None
    if hw_file:
        args += ["--hw", str(MODELS / "hw" / hw_file)]
        hw = cadenza.Hardware.from_file(MODELS / "hw" / hw_file)
    if simd_lanes:
        args += ["--simd-lanes", str(simd_lanes)]
    expected_json, expected_csv, _ = cli_eval(cadenza_command, tmp_path, *args)
    result = cadenza.evaluate(network, hw, model=model, simd_lanes=simd_lanes)
    # Every field, the files' names included: the same path and hardware source.
    assert result.to_dict() == expected_json
    assert result.to_csv() == expected_csv

    layers = len(cadenza.load(network).layers)
    assert result.model == model and len(result.layers) == layers
    assert result.totals.layers == layers and result.totals.failed == 0
    # Per-layer figures are one instance's; the totals count every instance.
    assert result.totals.runtime_cycles == sum(
        (layer.runtime_cycles or 0) * layer.instances for layer in result.layers)
    assert result.totals.energy_pj == pytest.approx(sum(
        (layer.energy_pj or 0) * layer.instances for layer in result.layers), rel=1e-12)
    first = result.layers[0]
    assert first.name == ("conv1" if network == RESNET_M else "conv1_1") and first.kind == "CONV"
    assert first.dims["K"] == 64 and first.error is None
    assert first.dataflow[0] == "SpatialMap(1,1) K;"
    assert first.energy_breakdown_pj is not None
    assert first.energy_breakdown_pj.total == pytest.approx(first.energy_pj, rel=1e-12)
    assert first.stats["runtime_cycles"] == first.runtime_cycles
    assert (first.exact is not None) == (model == "exact")
    if model == "exact":
        assert first.exact is not None and first.exact["macs"] == first.exact_macs


def test_text_bytes_presets_and_paths(tmp_path: Path) -> None:
    by_path = cadenza.evaluate(VGG_M, "eyeriss_like", model="exact").to_dict()
    text = VGG_M.read_text()
    for source in (text, text.encode()):
        by_text = cadenza.evaluate(source, "eyeriss_like", model="exact").to_dict()
        assert by_text.pop("mapping_file") == "<MAESTRO text>"
        assert by_text == {k: v for k, v in by_path.items() if k != "mapping_file"}
    # A hardware file by its path, as a str or a Path.
    hw_path = MODELS / "hw" / "eyeriss_like.textproto"
    for hw in (str(hw_path), hw_path):
        document = cadenza.evaluate(str(VGG_M), hw, model="exact").to_dict()
        assert document["hardware_file"] == str(hw_path)
        assert document["layers"] == by_path["layers"] and document["total"] == by_path["total"]


def test_views() -> None:
    result = cadenza.evaluate(RESNET_M)
    summary = result.summary()
    assert "conv1" in summary and "total" in summary
    snippet = result._repr_html_()
    assert snippet.count("<tr>") == 1 + 54 and "conv1" in snippet
    energy = cadenza._core.format_si(result.totals.energy_pj * 1e-12, "J")
    assert energy.endswith(" mJ") and energy in snippet
    frame = result.to_pandas()
    assert len(frame) == 54 and int(frame["runtime_cycles"].iloc[0]) == result.layers[0].runtime_cycles
    assert {"mac_pj", "l1_pj", "l2_pj", "offchip_pj", "dims", "error"} <= set(frame.columns)
    assert "resnet50" in repr(result)


def exact_case(case: str) -> tuple[Path, Path, int]:
    """An exact-model reference run: its .m file, hardware file and SIMD lanes."""
    for line in (EXACT_CASES / "runs.csv").read_text().splitlines()[1:]:
        run_id, case_id, hw_id, lanes = line.split(",")
        if run_id == case:
            return (EXACT_CASES / "cases" / f"{case_id}.m", EXACT_CASES / "hw" / f"{hw_id}.m",
                    int(lanes))
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["e023", "e027"])
def test_an_illegal_mapping_under_the_exact_model(cadenza_command: str, tmp_path: Path,
                                                  case: str) -> None:
    expected = json.loads((DATA / "exact-model" / "expected" / f"{case}.json").read_text())
    assert expected["legal"] is False
    mapping, hw, lanes = exact_case(case)
    message = (f"layer '{case}': coverage: {expected['missing_macs']} MACs missing, "
               f"{expected['extra_macs']} extra")
    with pytest.raises(cadenza.InputError, match=message) as error:
        cadenza.evaluate(mapping, hw, model="exact", simd_lanes=lanes)
    assert str(error.value).startswith(f"{mapping}:")
    # keep_going: the result, the layer with its error and no figures; the CLI's documents.
    cli_json, cli_csv, stderr = cli_eval(
        cadenza_command, tmp_path, "--mapping", str(mapping), "--hw", str(hw), "--model", "exact",
        "--simd-lanes", str(lanes), "--keep-going", exit_code=1)
    result = cadenza.evaluate(mapping, hw, model="exact", simd_lanes=lanes, keep_going=True)
    assert result.to_dict() == cli_json and result.to_csv() == cli_csv
    assert result.totals.failed == 1 and result.errors == (result.layers[0].error,)
    assert result.layers[0].runtime_cycles is None and result.layers[0].energy_breakdown_pj is None
    assert message in stderr and message in (result.layers[0].error or "")


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(cadenza.InputError, match="unknown cost model 'fast'"):
        cadenza.evaluate(RESNET_M, model="fast")
    with pytest.raises(cadenza.InputError, match="simd_lanes must be at least 1"):
        cadenza.evaluate(RESNET_M, simd_lanes=0)
    with pytest.raises(cadenza.InputError, match="neither a hardware file nor a preset"):
        cadenza.evaluate(RESNET_M, "no_such_preset")
    with pytest.raises(cadenza.InputError, match="ONNX model"):
        cadenza.evaluate(MODELS / "resnet50.onnx")
    with pytest.raises(cadenza.InputError, match="missing.m"):
        cadenza.evaluate(tmp_path / "missing.m")
    with pytest.raises(cadenza.InputError, match=r"<MAESTRO text>:2:"):
        cadenza.evaluate("Network x {\nLayer {\n")
    with pytest.raises(TypeError):
        cadenza.evaluate(3)  # type: ignore[arg-type]


def test_warnings_are_python_warnings(cadenza_command: str, tmp_path: Path) -> None:
    # This layer needs more bandwidth than the default hardware has (soft limits: warnings).
    mapping = DATA / "maestro" / "single" / "gemm_bert_qkv_512x768x768__kcp.m"
    _, _, stderr = cli_eval(cadenza_command, tmp_path, "--mapping", str(mapping))
    expected = [line.removeprefix("cadenza: warning: ") for line in stderr.splitlines()
                if line.startswith("cadenza: warning: ")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # over the module's filter
        result = cadenza.evaluate(mapping)
    assert [str(w.message) for w in caught] == expected
    assert [w for layer in result.layers for w in layer.warnings] == [
        line.split(": ", 2)[2] for line in expected if ": layer '" in line]


@pytest.mark.parametrize("model", ["maestro", "exact"])
def test_to_maestro_round_trip(cadenza_command: str, tmp_path: Path, model: str) -> None:
    """The search's choices as a .m network, evaluated, give the search's per-layer figures; the
    network is the one `cadenza search --emit-maestro` writes."""
    onnx = DATA / "good" / "lstm_small.onnx"
    result = cadenza.search(cadenza.load(onnx), model=model, max_candidates=100)
    path = tmp_path / "chosen.m"
    text = result.to_maestro(path)
    assert path.read_text() == text
    assert text.startswith("// The mapping chosen for every layer by cadenza ")
    assert f"// cost model: {model}\n" in text and "    Instances: " in text

    evaluated = cadenza.evaluate(text, result.hardware, model=model)
    assert len(evaluated.layers) == len(result.layers)
    for searched, layer in zip(result.layers, evaluated.layers):
        assert layer.error is None and dict(layer.dims) == dict(searched.dims)
        assert layer.instances == searched.instances
        assert searched.runtime_cycles == (layer.runtime_cycles or 0) * layer.instances
        assert searched.energy_pj == pytest.approx(
            (layer.energy_pj or 0) * layer.instances, rel=1e-12)
    assert evaluated.totals.runtime_cycles == result.totals.runtime_cycles

    out = tmp_path / "cli.m"
    subprocess.run([cadenza_command, "search", str(onnx), "--model", model, "--max-candidates",
                    "100", "--emit-maestro", str(out)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)

    def body(network: str) -> list[str]:
        return [line for line in network.splitlines() if not line.startswith("//")]

    assert body(text) == body(out.read_text())


def test_search_summary_energy_is_the_reports() -> None:
    net = cadenza.load(DATA / "good" / "lstm_small.onnx")
    result = cadenza.search(net, max_candidates=200, threads=1)
    energy = cadenza._core.format_si(result.totals.energy_pj * 1e-12, "J")
    assert energy in result._repr_html_() and energy in result.summary()
    assert "µJ" not in result._repr_html_() or energy.endswith("µJ")


def copies_of_network(path: Path, copies: int, out: Path) -> Path:
    """`path`'s network with its layers repeated `copies` times under new names: one evaluation
    that lasts `copies` times as long."""
    text = path.read_text()
    head, rest = text.split("Network ", 1)
    name, body = rest.split("{", 1)
    layers = body.rsplit("}", 1)[0]
    repeated = "".join(layers.replace("  Layer ", f"  Layer copy{i}_") for i in range(copies))
    out.write_text(f"{head}Network {name.strip()} {{{repeated}}}\n")
    return out


def test_evaluate_releases_the_gil(tmp_path: Path) -> None:
    """While an evaluation runs in another thread, this thread keeps running Python code."""
    done = threading.Event()
    took: list[float] = []
    # Under the exact model ResNet-50's layers take about 0.1-0.2 s; ten copies, over a second.
    network = copies_of_network(RESNET_M, 10, tmp_path / "resnets.m")

    def work() -> None:
        start = time.perf_counter()
        cadenza.evaluate(network, model="exact")
        took.append(time.perf_counter() - start)
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    longest_gap, last = 0.0, time.perf_counter()
    while not done.is_set():
        now = time.perf_counter()
        longest_gap = max(longest_gap, now - last)
        last = now
        time.sleep(0.001)
    worker.join()
    assert took[0] > 0.2, "the evaluation was too short to tell"
    # Holding the GIL would stall this loop for the whole evaluation.
    assert longest_gap < took[0] / 2, (longest_gap, took[0])
