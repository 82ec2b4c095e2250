"""cadenza.search: the result object, the CLI's JSON for the same inputs, errors, the GIL."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import cadenza
from conftest import MODELS

RESNET = MODELS / "resnet50.onnx"
EPOCH = "1700000000"


@pytest.fixture(scope="module")
def resnet() -> cadenza.Network:
    return cadenza.load(RESNET)


@pytest.fixture(scope="module")
def result(resnet: cadenza.Network) -> cadenza.SearchResult:
    return cadenza.search(resnet, model="maestro")


def cli_json(command: str, tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "cli.json"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    subprocess.run([command, "search", *args, "--json", str(out)], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def python_json(monkeypatch: pytest.MonkeyPatch, *args: Any, **kwargs: Any) -> dict[str, Any]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    data: dict[str, Any] = json.loads(cadenza.search(*args, **kwargs).to_json())
    return data


def without_command_line(document: dict[str, Any]) -> dict[str, Any]:
    assert document["command_line"].startswith("cadenza")
    return {k: v for k, v in document.items() if k != "command_line"}


@pytest.mark.parametrize("hw_file, objective", [
    (None, None),
    ("eyeriss_like.textproto", "latency"),
    ("accel256.m", "energy"),
])
def test_json_equals_the_cli_json(cadenza_command: str, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch, resnet: cadenza.Network,
                                  hw_file: str | None, objective: str | None) -> None:
    # The MAESTRO-compatible model: the whole of ResNet-50 in seconds, searched twice per case.
    args = [str(RESNET), "--model", "maestro"]
    kwargs: dict[str, Any] = {"model": "maestro"}
    if hw_file:
        args += ["--hw", str(MODELS / "hw" / hw_file)]
        kwargs["hw"] = cadenza.Hardware.from_file(MODELS / "hw" / hw_file)
    if objective:
        args += ["--objective", objective]
        kwargs["objective"] = objective
    expected = cli_json(cadenza_command, tmp_path, *args)
    actual = python_json(monkeypatch, resnet, **kwargs)
    assert without_command_line(actual) == without_command_line(expected)
    # The Python search names the equivalent command.
    assert actual["command_line"].startswith(f"cadenza search {RESNET}")


def test_latency_slack_is_the_cli_option(cadenza_command: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch,
                                         resnet: cadenza.Network) -> None:
    args = [str(RESNET), "--model", "maestro", "--objective", "energy", "--latency-slack", "5%"]
    expected = cli_json(cadenza_command, tmp_path, *args)
    actual = python_json(monkeypatch, resnet, model="maestro", objective="energy",
                         latency_slack=0.05)
    assert without_command_line(actual) == without_command_line(expected)
    assert actual["command_line"] == (f"cadenza search {RESNET} --model maestro --objective energy "
                                      "--latency-slack 5%")
    # The bound changes some layer's choice (else this test would prove nothing).
    unbounded = python_json(monkeypatch, resnet, model="maestro", objective="energy")
    assert [layer["dataflow"] for layer in unbounded["layers"]] != \
        [layer["dataflow"] for layer in actual["layers"]]


def test_json_equals_the_cli_json_for_a_maestro_network(
        cadenza_command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = MODELS / "maestro" / "vgg16_kcp.m"
    expected = cli_json(cadenza_command, tmp_path, str(path), "--model", "maestro")
    actual = python_json(monkeypatch, cadenza.load(path), model="maestro")
    assert without_command_line(actual) == without_command_line(expected)


def test_result_objects(result: cadenza.SearchResult, resnet: cadenza.Network) -> None:
    assert result.objective == "edp" and len(result.layers) == len(resnet.layers) == 54
    totals = result.totals
    assert totals.layers == 54 and totals.layers_without_mapping == 0
    assert totals.distinct_layers == 24
    assert totals.runtime_cycles == sum(layer.runtime_cycles or 0 for layer in result.layers)
    assert totals.exact_macs == resnet.macs
    assert totals.energy_breakdown_pj.total == pytest.approx(totals.energy_pj, rel=1e-12)
    assert 0 < totals.utilization <= 1
    for layer, source in zip(result.layers, resnet.layers):
        assert layer.name == source.name and layer.found and layer.dataflow
        assert layer.params and layer.params_text == " ".join(
            f"{k}={v}" for k, v in layer.params.items())
        assert layer.mapping.count("\n") >= 2  # one .m directive per line
        assert layer.energy_breakdown_pj is not None
        assert layer.energy_breakdown_pj.total == pytest.approx(layer.energy_pj, rel=1e-12)
        assert layer.l1_need_bytes is not None and layer.l1_need_bytes <= 1024
        assert layer.l2_need_bytes is not None and layer.l2_need_bytes <= 1 << 20
        assert layer.utilization is not None and 0 < layer.utilization <= 1
        if layer.runner_up is not None:
            assert layer.runner_up.dataflow != layer.dataflow and layer.runner_up.margin >= 0
    families = {b.dataflow for b in result.baselines}
    assert {layer.dataflow for layer in result.layers} <= families
    # The adaptive choice is never worse than one family for every layer.
    assert all(b.ratio_to_adaptive is not None and b.ratio_to_adaptive >= 1 - 1e-12
               for b in result.baselines if b.complete)
    # A family that maps only part of the network is compared over the layers it maps.
    assert all(b.compared_layers == result.totals.layers - b.layers_without_mapping
               for b in result.baselines)
    assert result.candidates_evaluated > result.candidates_feasible > 0
    assert sum(result.infeasible.values()) == (
        result.candidates_evaluated - result.candidates_feasible)
    # The MAESTRO-compatible model offers no bound: every candidate is evaluated.
    assert result.candidates_skipped == 0
    assert all(layer.skipped_candidates == 0 for layer in result.layers)


def test_documents(result: cadenza.SearchResult, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    text = result.to_html(page)
    assert page.read_text() == text and text.lstrip().lower().startswith("<!doctype html>")
    assert "/conv1/Conv" in text
    snippet = result._repr_html_()
    assert snippet.count("<tr>") == 1 + 54 and "/fc/Gemm" in snippet
    csv = result.to_csv().splitlines()
    assert len(csv) == 1 + 54 and csv[0].startswith("index,")
    assert "total:" in result.summary()
    assert result.to_dict()["total"]["runtime_cycles"] == result.totals.runtime_cycles


def test_to_pandas(result: cadenza.SearchResult) -> None:
    pytest.importorskip("pandas")
    frame = result.to_pandas()
    assert len(frame) == 54
    assert int(frame["runtime_cycles"].sum()) == result.totals.runtime_cycles
    assert list(frame["dataflow"]) == [layer.dataflow for layer in result.layers]
    row = frame.loc[0]
    assert row["mac_pj"] + row["l1_pj"] + row["l2_pj"] + row["offchip_pj"] == pytest.approx(
        row["energy_pj"])


def test_objectives_models_and_threads(resnet: cadenza.Network) -> None:
    fast = cadenza.search(resnet, model="maestro", objective="runtime", threads=1)
    assert fast.objective == "latency"
    assert fast.totals.runtime_cycles <= cadenza.search(resnet, model="maestro").totals.runtime_cycles
    # The answer does not depend on the thread count.
    assert _same_but_date(fast, cadenza.search(resnet, model="maestro", objective="latency", threads=2))


def test_exact_model_counts_the_layer_macs() -> None:
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Conv2d(4, 8, 3, stride=2, padding=1),
                                torch.nn.Flatten(), torch.nn.Linear(8 * 6 * 6, 16))
    small = cadenza.from_torch(model, torch.zeros(1, 4, 12, 12))
    exact = cadenza.search(small, model="exact")
    assert exact.model == "exact"
    assert exact.totals.layers == 2 and exact.totals.layers_without_mapping == 0
    # The exact model counts the layer's MACs, so no PE does more than one per cycle.
    assert exact.totals.macs == exact.totals.exact_macs == sum(layer.macs for layer in small.layers)
    for searched in exact.layers:
        assert searched.utilization is not None and 0 < searched.utilization <= 1.0
    # Its bound skips candidates that cannot win; the rest are evaluated and accounted for.
    assert exact.candidates_skipped > 0
    assert sum(layer.skipped_candidates for layer in exact.layers) == exact.candidates_skipped
    assert sum(exact.infeasible.values()) == exact.candidates_evaluated - exact.candidates_feasible


def _same_but_date(a: cadenza.SearchResult, b: cadenza.SearchResult) -> bool:
    da, db = a.to_dict(), b.to_dict()
    for key in ("date", "command_line"):
        da.pop(key)
        db.pop(key)
    return da == db


def test_bad_arguments(resnet: cadenza.Network) -> None:
    with pytest.raises(cadenza.InputError, match="unknown objective 'fastest'"):
        cadenza.search(resnet, objective="fastest")
    with pytest.raises(cadenza.InputError, match="unknown cost model 'timeloop'"):
        cadenza.search(resnet, model="timeloop")
    with pytest.raises(cadenza.InputError, match="max_candidates"):
        cadenza.search(resnet, max_candidates=0)
    with pytest.raises(TypeError):
        cadenza.search("resnet50.onnx")  # type: ignore[arg-type]
    with pytest.raises(cadenza.InputError, match="latency_slack bounds latency"):
        cadenza.search(resnet, objective="latency", latency_slack=0.05)
    with pytest.raises(cadenza.InputError, match="latency_slack must be a fraction of 0 or more"):
        cadenza.search(resnet, objective="energy", latency_slack=-0.1)


def test_no_feasible_mapping_is_data_not_an_error(resnet: cadenza.Network) -> None:
    tiny = cadenza.Hardware(num_pes=4, l1_bytes=1, l2_bytes=4)
    result = cadenza.search(resnet, tiny, model="maestro")
    assert result.totals.layers_without_mapping == 54
    assert all(not layer.found and layer.note for layer in result.layers)
    assert all(layer.runtime_cycles is None and layer.dataflow is None for layer in result.layers)


def test_search_releases_the_gil(resnet: cadenza.Network) -> None:
    """While a search runs in another thread, this thread keeps running Python code."""
    done = threading.Event()
    took: list[float] = []

    def work() -> None:
        start = time.perf_counter()
        cadenza.search(resnet, model="maestro", threads=1, max_candidates=200_000)
        took.append(time.perf_counter() - start)
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    ticks, longest_gap, last = 0, 0.0, time.perf_counter()
    while not done.is_set():
        now = time.perf_counter()
        longest_gap = max(longest_gap, now - last)
        last = now
        ticks += 1
        time.sleep(0.001)
    worker.join()
    assert took[0] > 0.2, "the search was too short to tell"
    # Holding the GIL would stall this loop for the whole search.
    assert longest_gap < took[0] / 2, (longest_gap, took[0])
    assert ticks > 50
