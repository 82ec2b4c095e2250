"""cadenza.dse, the sharded design-space exploration: the same JSON document as `cadenza dse`
whatever the executor (a process pool, threads, a Dask LocalCluster) and the chunking; failed
chunks, checkpoints and resuming; a Dask worker killed mid-sweep; the cadenza-dse command."""

from __future__ import annotations

import concurrent.futures
import json
import os
import pickle
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import cadenza
from cadenza import _dse
from conftest import MODELS, REPO

NETWORK = MODELS / "resnet50.onnx"
SWEEP = REPO / "python" / "tests" / "data" / "dse_sweep.textproto"
GROUPS = 12  # the sweep's evaluation groups (6 PE counts x 2 NoC bandwidths), 4 points each
POINTS = 48
MAX_CANDIDATES = 60  # small: the tests explore the sweep many times
EPOCH = "1700000000"
# The command cadenza.dse names as its equivalent (the report's command_line); `cadenza dse` is
# run with these and its output options.
CLI_ARGS = ["dse", str(NETWORK), "--sweep", str(SWEEP), "--objective", "edp", "--model",
            "maestro", "--max-candidates", str(MAX_CANDIDATES)]


def normalised(document: str) -> str:
    """The JSON text with what describes the run rather than its result, the exploration's wall
    time and the command line (which names the output files), made constant; the text is
    otherwise compared byte for byte."""
    text, count = re.subn(r'"explore_seconds": [0-9.e+-]+', '"explore_seconds": 0', document)
    assert count == 1
    text, count = re.subn(r'"command_line": "[^"]*"', '"command_line": ""', text)
    assert count >= 1
    return text


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture(scope="module")
def net() -> cadenza.Network:
    return cadenza.load(NETWORK)


@pytest.fixture(scope="module")
def cli_outputs(cadenza_command: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """`cadenza dse`'s JSON and CSV for the sweep."""
    out = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    subprocess.run([cadenza_command, *CLI_ARGS, "--json", str(out / "r.json"), "--csv",
                    str(out / "r.csv"), "--emit-maestro", str(out / "r.m")], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"json": (out / "r.json").read_text(), "csv": (out / "r.csv").read_text(),
            "maestro": (out / "r.m").read_text()}


@pytest.fixture(scope="module")
def expected(cli_outputs: dict[str, str]) -> str:
    document = normalised(cli_outputs["json"])
    data = json.loads(document)
    # The sweep exercises what the merge must get right: infeasible points, a front, a choice.
    assert len(data["points"]) == POINTS and data["summary"]["evaluation_groups"] == GROUPS
    assert data["infeasible"] and data["pareto"] and data["summary"]["best"] is not None
    return document


def explore(net: cadenza.Network, **kwargs: Any) -> cadenza.DseResult:
    # The MAESTRO-compatible model, as CLI_ARGS: these tests explore the 48 points many times.
    kwargs.setdefault("model", "maestro")
    return cadenza.dse(net, SWEEP, max_candidates=MAX_CANDIDATES, **kwargs)


def test_a_process_pool_gives_the_cli_document(net: cadenza.Network, expected: str,
                                               cli_outputs: dict[str, str]) -> None:
    result = explore(net, workers=2)
    assert normalised(result.to_json()) == expected
    assert result.to_dict()["command_line"] == " ".join(["cadenza", *CLI_ARGS])
    assert result.to_csv() == cli_outputs["csv"]
    # About four tasks per worker: 12 groups / 8 tasks, rounded up to 2 groups a task.
    assert result.chunks == 6
    data = result.to_dict()
    assert result.best == data["summary"]["best"] and list(result.pareto) == data["pareto"]
    assert "Pareto" in result.summary() and result.to_html().startswith("<!DOCTYPE html>")


def test_to_maestro_is_what_emit_maestro_writes_and_evaluates_back(
        net: cadenza.Network, cli_outputs: dict[str, str], tmp_path: Path) -> None:
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        result = explore(net, executor=pool)
    text = result.to_maestro(tmp_path / "chosen.m")
    assert (tmp_path / "chosen.m").read_text() == text

    def without_command_line(document: str) -> list[str]:
        lines = document.splitlines()
        at = next(i for i, line in enumerate(lines) if "The mapping chosen for every layer" in line)
        return lines[:at + 1] + lines[at + 2:]

    # The same file as the command's but for the command line it quotes.
    assert without_command_line(text) == without_command_line(cli_outputs["maestro"])
    # The hardware lines, saved, and the mappings give back the chosen design's runtime and
    # energy, layer by layer.
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "save these lines as HW.textproto" in line)
    hardware = []
    for line in lines[start + 1:]:
        if not line.startswith("//   "):
            break
        hardware.append(line[len("//   "):])
    (tmp_path / "HW.textproto").write_text("\n".join(hardware) + "\n")
    evaluated = cadenza.evaluate(tmp_path / "chosen.m", tmp_path / "HW.textproto",
                                 model="maestro").to_dict()
    chosen = result.to_dict()["points"][result.best]
    assert sum(layer["runtime_cycles"] for layer in evaluated["layers"]) == chosen["runtime_cycles"]


def test_latency_slack_is_the_cli_option(cadenza_command: str, net: cadenza.Network,
                                         tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    subprocess.run([cadenza_command, *CLI_ARGS, "--latency-slack", "5%", "--json",
                    str(tmp_path / "cli.json")], check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    expected = normalised((tmp_path / "cli.json").read_text())
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        result = explore(net, executor=pool, latency_slack=0.05)
    assert normalised(result.to_json()) == expected
    assert result.to_dict()["command_line"] == " ".join(
        ["cadenza", *CLI_ARGS, "--latency-slack", "5%"])
    assert result.to_dict()["latency_slack"] == 0.05
    with pytest.raises(cadenza.InputError, match="latency_slack bounds latency"):
        explore(net, objective="latency", latency_slack=0.05)


def test_to_maestro_without_a_feasible_design_is_an_input_error(net: cadenza.Network) -> None:
    result = explore(net, area_budget=1.0)  # no design fits in 1 µm²
    assert result.best is None
    with pytest.raises(cadenza.InputError, match="no design point is feasible"):
        result.to_maestro()


@pytest.mark.parametrize("chunk", [1, 5, GROUPS])
def test_any_chunking_gives_the_same_document(net: cadenza.Network, expected: str,
                                              chunk: int) -> None:
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        result = explore(net, executor=pool, chunk=chunk)
    assert result.chunks == -(-GROUPS // chunk)
    assert normalised(result.to_json()) == expected


def test_a_chunk_result_is_plain_exact_data(net: cadenza.Network) -> None:
    groups = cadenza._core.Sweep(SWEEP.read_text(), str(SWEEP)).evaluation_groups()
    assert len(groups) == GROUPS and sorted(p for g in groups for p in g) == list(range(POINTS))
    source = _dse._network_source(net)
    options = _dse._Options("edp", "maestro", 1, MAX_CANDIDATES, 0.0, 0.0)
    chunk = _dse._Chunk(source, SWEEP.read_text(), str(SWEEP), tuple(groups[0] + groups[5]),
                        options)
    result = _dse._explore_chunk(pickle.loads(pickle.dumps(chunk)))

    def plain(value: Any) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return all(plain(v) for v in value)
        return isinstance(value, (bool, int, float, str))

    assert plain(result)
    assert [p["index"] for p in result["points"]] == sorted(groups[0] + groups[5])
    assert [g[0] for g in result["groups"]] == [groups[0][0], groups[5][0]]
    assert pickle.loads(pickle.dumps(result)) == result
    assert json.loads(json.dumps(result)) == json.loads(json.dumps(result))  # floats round-trip
    del result["seconds"]
    assert json.loads(json.dumps(result)) == {k: [list(g) if isinstance(g, tuple) else g
                                                  for g in v] for k, v in result.items()}


REAL_EXPLORE_SUBSET = cadenza._core.explore_subset


def failing_on(point: int, calls: list[list[int]]) -> Any:
    """explore_subset that records its calls and fails for the chunk holding `point`."""
    real = REAL_EXPLORE_SUBSET

    def explore_subset(network: Any, sweep: Any, indices: list[int], *args: Any,
                       **kwargs: Any) -> Any:
        calls.append(list(indices))
        if point in indices:
            raise cadenza.InputError(f"injected failure at design point {point}")
        return real(network, sweep, indices, *args, **kwargs)

    return explore_subset


def test_a_failed_chunk_names_its_points_and_a_resumed_run_finishes_it(
        net: cadenza.Network, expected: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    checkpoint = tmp_path / "sweep.ckpt"
    groups = cadenza._core.Sweep(SWEEP.read_text(), str(SWEEP)).evaluation_groups()
    calls: list[list[int]] = []
    monkeypatch.setattr(cadenza._core, "explore_subset", failing_on(groups[4][0], calls))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        with pytest.raises(cadenza.DseError) as failed:
            explore(net, executor=pool, chunk=2, checkpoint=checkpoint)
    # Chunk 2 holds groups 4 and 5; the others finished and are in the checkpoint.
    failed_points = tuple(sorted(groups[4] + groups[5]))
    assert [f.points for f in failed.value.failures] == [failed_points]
    assert "InputError: injected failure at design point" in failed.value.failures[0].error
    assert "1 chunk(s) of the exploration failed (8 of 48 design points)" in str(failed.value)
    assert f"design points {_dse._ranges(failed_points)}: InputError" in str(failed.value)
    assert len(checkpoint.read_text().splitlines()) == 1 + 5  # the header and 5 chunks

    calls.clear()
    monkeypatch.setattr(cadenza._core, "explore_subset", failing_on(-1, calls))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        resumed = explore(net, executor=pool, chunk=2, checkpoint=checkpoint)
    assert [c for c in calls if c] == [list(failed_points)]  # only the failed chunk ran again
    assert resumed.chunks == 1
    assert normalised(resumed.to_json()) == expected
    # Everything is in the checkpoint now: a third run explores nothing.
    calls.clear()
    again = explore(net, checkpoint=checkpoint, chunk=5)
    assert [c for c in calls if c] == [] and again.chunks == 0
    assert normalised(again.to_json()) == expected


def test_a_checkpoint_line_cut_short_is_explored_again(net: cadenza.Network, expected: str,
                                                       tmp_path: Path) -> None:
    checkpoint = tmp_path / "sweep.ckpt"
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        explore(net, executor=pool, chunk=3, checkpoint=checkpoint)
    lines = checkpoint.read_text().splitlines(keepends=True)
    assert len(lines) == 1 + 4
    # A crash while the last chunk was being written.
    checkpoint.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        resumed = explore(net, executor=pool, chunk=3, checkpoint=checkpoint)
    assert resumed.chunks == 1
    assert normalised(resumed.to_json()) == expected
    assert len(checkpoint.read_text().splitlines()) == 1 + 4


def test_a_checkpoint_of_another_exploration_is_refused(net: cadenza.Network,
                                                        tmp_path: Path) -> None:
    checkpoint = tmp_path / "sweep.ckpt"
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        explore(net, executor=pool, chunk=GROUPS, checkpoint=checkpoint)
        with pytest.raises(cadenza.InputError, match="not a checkpoint of this exploration"):
            cadenza.dse(net, SWEEP, max_candidates=MAX_CANDIDATES, objective="latency",
                        model="maestro", executor=pool, checkpoint=checkpoint)
        # resume=False starts it anew.
        result = cadenza.dse(net, SWEEP, max_candidates=MAX_CANDIDATES, objective="latency",
                             model="maestro", executor=pool, checkpoint=checkpoint, resume=False,
                             chunk=GROUPS)
    assert result.chunks == 1 and result.to_dict()["objective"] == "latency"


def test_a_maestro_network_and_an_in_memory_model_load_on_the_workers(
        net: cadenza.Network, cadenza_command: str, tmp_path: Path) -> None:
    # Workers load a .m network from its text, an in-memory ONNX model from its bytes.
    maestro = MODELS / "maestro" / "vgg16_kcp.m"
    out = tmp_path / "m.json"
    subprocess.run([cadenza_command, "dse", str(maestro), "--sweep", str(SWEEP), "--model",
                    "maestro", "--max-candidates", str(MAX_CANDIDATES), "--json", str(out)], check=True,
                   env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    result = cadenza.dse(cadenza.load(maestro), SWEEP, max_candidates=MAX_CANDIDATES, workers=2,
                         chunk=4, model="maestro")
    assert normalised(result.to_json()) == normalised(out.read_text())

    in_memory = cadenza.load(NETWORK.read_bytes(), name="resnet50 in memory")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        from_bytes = cadenza.dse(in_memory, SWEEP, max_candidates=MAX_CANDIDATES, executor=pool,
                                 model="maestro")
    assert from_bytes.to_dict()["points"] == explore(net, workers=1).to_dict()["points"]
    assert from_bytes.to_dict()["model"]["path"] == "resnet50 in memory"
    assert from_bytes.to_dict()["command_line"].startswith("cadenza.dse('resnet50 in memory'")


def test_a_dilated_model_is_explored_as_the_command_explores_it(cadenza_command: str,
                                                               tmp_path: Path) -> None:
    # The MAESTRO-compatible model takes a dilated conv as its undilated phases, in the tasks
    # and in the merge, as `cadenza dse` does.
    dilated = REPO / "tests" / "data" / "good" / "dilated_conv.onnx"
    out = tmp_path / "d.json"
    subprocess.run([cadenza_command, "dse", str(dilated), "--sweep", str(SWEEP), "--model",
                    "maestro", "--max-candidates", str(MAX_CANDIDATES), "--json", str(out)], check=True,
                   env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        result = cadenza.dse(cadenza.load(dilated), SWEEP, max_candidates=MAX_CANDIDATES,
                             executor=pool, model="maestro")
    assert normalised(result.to_json()) == normalised(out.read_text())
    assert result.best is not None


def test_bad_arguments(net: cadenza.Network, tmp_path: Path) -> None:
    with pytest.raises(cadenza.InputError, match="chunk must be at least 1"):
        explore(net, chunk=0)
    with pytest.raises(cadenza.InputError, match="unknown objective 'speed'"):
        explore(net, objective="speed")
    with pytest.raises(cadenza.InputError, match="area_budget must be a positive number"):
        explore(net, area_budget=-1.0)
    with pytest.raises(cadenza.InputError, match="unknown cost model 'fast'"):
        explore(net, model="fast")
    with pytest.raises(cadenza.InputError, match="missing.textproto: cannot read"):
        cadenza.dse(net, tmp_path / "missing.textproto")
    with pytest.raises(TypeError, match="expected a cadenza.Network"):
        cadenza.dse("resnet50.onnx", SWEEP)  # type: ignore[arg-type]


# ---- Dask ------------------------------------------------------------------------------------


@pytest.mark.parametrize("chunks_per_worker", [1, 3, None])
def test_a_dask_local_cluster_gives_the_cli_document(net: cadenza.Network, expected: str,
                                                     dask_client: Any,
                                                     chunks_per_worker: int | None) -> None:
    chunk = None if chunks_per_worker is None else GROUPS // (2 * chunks_per_worker)
    result = explore(net, executor=dask_client.get_executor(), chunk=chunk)
    # By default about four tasks per worker of the cluster: 12 groups / 8, rounded up to 2.
    assert result.chunks == (6 if chunks_per_worker is None else 2 * chunks_per_worker)
    assert normalised(result.to_json()) == expected


def test_a_dask_worker_killed_mid_sweep_changes_nothing(net: cadenza.Network, expected: str,
                                                        dask_client: Any) -> None:
    pids: dict[str, int] = dask_client.run(os.getpid)
    assert len(pids) == 2
    killed: list[int] = []

    def kill_a_worker(done: int, total: int) -> None:
        # After the first chunk, while the other worker is busy with its own: SIGKILL, as when
        # a node is lost. Dask's nanny starts a new worker and the scheduler reruns its tasks.
        if not killed:
            victim = max(pids.values())
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    result = explore(net, executor=dask_client.get_executor(), chunk=1, progress=kill_a_worker)
    assert killed
    with pytest.raises(ProcessLookupError):
        os.kill(killed[0], 0)
    assert normalised(result.to_json()) == expected
    dask_client.wait_for_workers(2, timeout=60)


def test_the_cadenza_dse_command_on_a_dask_scheduler(cli_outputs: dict[str, str], expected: str,
                                                     dask_client: Any, tmp_path: Path) -> None:
    address = dask_client.scheduler.address
    run = subprocess.run(
        [sys.executable, "-m", "cadenza.dse_cli", str(NETWORK), "--sweep", str(SWEEP), "--model",
         "maestro", "--max-candidates", str(MAX_CANDIDATES), "--dask-scheduler", address, "--chunk", "3",
         "--quiet", "--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "r.csv"), "-o",
         str(tmp_path / "r.html")],
        capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert run.returncode == 0, run.stderr
    assert normalised((tmp_path / "r.json").read_text()) == expected
    assert (tmp_path / "r.csv").read_text() == cli_outputs["csv"]
    assert "<svg" in (tmp_path / "r.html").read_text()
    assert "explored 48 design points in 4 task(s)" in run.stdout
    assert f"wrote {tmp_path / 'r.json'}" in run.stdout


def test_the_cadenza_dse_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "cadenza-dse"
    run = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert run.returncode == 0 and "--dask-scheduler ADDRESS" in run.stdout
    usage = subprocess.run([str(script), str(NETWORK)], capture_output=True, text=True)
    assert usage.returncode == 2 and "--sweep" in usage.stderr


def test_the_cadenza_dse_command_reports_bad_input(tmp_path: Path) -> None:
    sweep = tmp_path / "bad.textproto"
    sweep.write_text("base { num_pes: 0 }\n")
    run = subprocess.run([sys.executable, "-m", "cadenza.dse_cli", str(NETWORK), "--sweep",
                          str(sweep), "--local-workers", "1"], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.startswith(f"cadenza-dse: error: {sweep}")
    run = subprocess.run([sys.executable, "-m", "cadenza.dse_cli", str(NETWORK), "--sweep",
                          str(SWEEP), "--latency-slack", "five"], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.startswith("cadenza-dse: error: --latency-slack needs a percentage")


def test_the_cadenza_dse_command_takes_a_latency_slack(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    subprocess.run([sys.executable, "-m", "cadenza.dse_cli", str(NETWORK), "--sweep", str(SWEEP),
                    "--model", "maestro", "--max-candidates", str(MAX_CANDIDATES),
                    "--local-workers", "1", "--latency-slack", "5%", "--json", str(out),
                    "--quiet"], check=True)
    data = json.loads(out.read_text())
    assert data["latency_slack"] == 0.05
    assert data["command_line"].endswith("--latency-slack 5%")
