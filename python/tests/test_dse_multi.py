"""cadenza.dse over several networks (each network's own report and the aggregate: the same
documents whatever the executor and the chunking, after a resume too, and from cadenza-dse), and
over samples of the sweep (random, Latin hypercube, Optuna's TPE: reproducible from a seed, in
the sweep, within the budget, each point as the full grid explores it)."""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import cadenza
from cadenza import _sampling
from conftest import MODELS
from test_dse import EPOCH, MAX_CANDIDATES, POINTS, SWEEP, normalised

NETWORKS = [MODELS / "mobilenet_v2.onnx", MODELS / "dcgan_generator.onnx"]
WEIGHTS = [2.0, 1.0]


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture(scope="module")
def nets() -> list[cadenza.Network]:
    return [cadenza.load(p) for p in NETWORKS]


def explore(nets: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("model", "maestro")  # fast: these tests explore the sweep many times
    return cadenza.dse(nets, SWEEP, max_candidates=MAX_CANDIDATES, **kwargs)


@pytest.fixture(scope="module")
def singles(nets: list[cadenza.Network]) -> list[cadenza.DseResult]:
    """Each network explored alone, on threads."""
    with pytest.MonkeyPatch.context() as mp, concurrent.futures.ThreadPoolExecutor(2) as pool:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return [explore(n, executor=pool, chunk=4) for n in nets]


@pytest.fixture(scope="module")
def multi(nets: list[cadenza.Network]) -> cadenza.MultiDseResult:
    with pytest.MonkeyPatch.context() as mp, concurrent.futures.ThreadPoolExecutor(2) as pool:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result: cadenza.MultiDseResult = explore(nets, executor=pool, weights=WEIGHTS, chunk=1)
    return result


def test_each_network_gets_its_own_report(multi: cadenza.MultiDseResult,
                                          singles: list[cadenza.DseResult]) -> None:
    assert len(multi.networks) == 2
    for own, alone in zip(multi.networks, singles):
        assert normalised(own.to_json()) == normalised(alone.to_json())
    # Chunks of both networks went to the executor together: 12 groups each, one a task.
    assert multi.networks[0].chunks == 24


def test_the_aggregate_is_the_documented_one(multi: cadenza.MultiDseResult,
                                             singles: list[cadenza.DseResult]) -> None:
    per_net = [s.points for s in singles]
    feasible = [all(p[k]["feasible"] for p in per_net) for k in range(POINTS)]
    # The sweep has points infeasible for some network (an L1 of 8 bytes), and feasible ones.
    assert any(feasible) and not all(feasible)
    lowest = [min(p[k]["edp_pj_cycles"] for k in range(POINTS) if feasible[k]) for p in per_net]
    lowest_cycles = [min(p[k]["runtime_cycles"] for k in range(POINTS) if feasible[k])
                     for p in per_net]
    share = [w / sum(WEIGHTS) for w in WEIGHTS]
    for k, point in enumerate(multi.points):
        assert point["feasible"] == feasible[k] and point["sweep_index"] == k
        if not feasible[k]:
            assert point["weighted"] is None and point["pareto"] is False
            bad = [str(n) for n, p in zip(NETWORKS, per_net) if not p[k]["feasible"]]
            assert all(b in point["reason"] for b in bad)
            continue
        ratios = [p[k]["edp_pj_cycles"] / lo for p, lo in zip(per_net, lowest)]
        assert point["weighted"] == pytest.approx(sum(s * r for s, r in zip(share, ratios)),
                                                  rel=1e-12)
        assert point["worst_case"] == pytest.approx(max(ratios), rel=1e-12)
        assert point["latency"] == pytest.approx(sum(
            s * p[k]["runtime_cycles"] / lo for s, p, lo in zip(share, per_net, lowest_cycles)),
            rel=1e-12)
        assert [f["normalised_objective"] for f in point["networks"]] == pytest.approx(ratios)
        assert point["area_um2"] == per_net[0][k]["provisioned"]["area_um2"]
    ok = [p for p in multi.points if p["feasible"]]
    assert multi.best_weighted == min(ok, key=lambda p: (p["weighted"], p["index"]))["index"]
    assert multi.best_worst_case == min(ok, key=lambda p: (p["worst_case"], p["index"]))["index"]
    assert min(p["worst_case"] for p in ok) >= 1.0
    # Each network's own best point scores exactly 1.0 for it.
    for n, result in enumerate(singles):
        if result.best is not None and feasible[result.best]:
            assert multi.points[result.best]["networks"][n]["normalised_objective"] == 1.0

    def axes(p: dict[str, Any]) -> tuple[float, float, float]:
        return (p["latency"], p["energy"], p["area_um2"])

    front = {p["index"] for p in ok if not any(
        all(a <= b for a, b in zip(axes(q), axes(p))) and axes(q) != axes(p) for q in ok)}
    assert set(multi.pareto) == front and front
    assert multi.best_weighted in front


def test_the_aggregate_document_is_the_same_for_any_executor(
        nets: list[cadenza.Network], multi: cadenza.MultiDseResult, dask_client: Any) -> None:
    on_dask = explore(nets, executor=dask_client.get_executor(), weights=WEIGHTS, chunk=3)
    assert on_dask.to_json() == multi.to_json()
    assert on_dask.to_csv() == multi.to_csv()
    data = multi.to_dict()
    assert data["document"] == "dse-multi" and data["aggregate"]["pareto"] == list(multi.pareto)
    assert [n["weight"] for n in data["networks"]] == WEIGHTS
    assert data["sweep"] == {"path": str(SWEEP), "points": POINTS, "explored": POINTS,
                             "sampling": None}
    page = multi.to_html()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert all(str(n) in page for n in NETWORKS)
    assert "best weighted: point" in multi.summary()


def test_a_resumed_run_of_several_networks_gives_the_same_document(
        nets: list[cadenza.Network], multi: cadenza.MultiDseResult, tmp_path: Path) -> None:
    checkpoint = tmp_path / "multi.ckpt"
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        explore(nets, executor=pool, weights=WEIGHTS, chunk=6, checkpoint=checkpoint)
    lines = checkpoint.read_text().splitlines(keepends=True)
    assert len(lines) == 1 + 4 and {json.loads(line)["network"] for line in lines[1:]} == {0, 1}
    checkpoint.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        resumed = explore(nets, executor=pool, weights=WEIGHTS, chunk=6, checkpoint=checkpoint)
    assert resumed.networks[0].chunks == 1
    assert resumed.to_json() == multi.to_json()
    # A single network's checkpoint is not this one's.
    with pytest.raises(cadenza.InputError, match="not a checkpoint of this exploration"):
        explore(nets[0], checkpoint=checkpoint)


def test_the_cadenza_dse_command_takes_several_models(multi: cadenza.MultiDseResult,
                                                      tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "cadenza.dse_cli", *map(str, NETWORKS), "--sweep", str(SWEEP),
         "--model", "maestro", "--max-candidates", str(MAX_CANDIDATES), "--weights", "2,1",
         "--local-workers", "2",
         "--quiet", "--json", str(tmp_path / "m.json"), "--csv", str(tmp_path / "m.csv"),
         "-o", str(tmp_path / "m.html"), "--network-reports", str(tmp_path / "nets")],
        capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "m.json").read_text() == multi.to_json()
    assert (tmp_path / "m.csv").read_text() == multi.to_csv()
    assert f"best weighted: point {multi.best_weighted} " in run.stdout
    assert "explored 48 design points for 2 networks" in run.stdout
    own = (tmp_path / "nets" / "1-dcgan_generator.json").read_text()
    assert normalised(own) == normalised(multi.networks[1].to_json())
    bad = subprocess.run([sys.executable, "-m", "cadenza.dse_cli", *map(str, NETWORKS),
                          "--sweep", str(SWEEP), "--weights", "1"], capture_output=True,
                         text=True)
    assert bad.returncode == 1 and "1 weight(s) for 2 network(s)" in bad.stderr


def test_bad_several_network_arguments(nets: list[cadenza.Network]) -> None:
    with pytest.raises(cadenza.InputError, match="no network given"):
        cadenza.dse([], SWEEP)
    with pytest.raises(cadenza.InputError, match="weights must be finite"):
        explore(nets, weights=[0, 0])
    with pytest.raises(TypeError, match="expected a cadenza.Network"):
        cadenza.dse([nets[0], "x.onnx"], SWEEP)  # type: ignore[list-item]


# ---- Sampling --------------------------------------------------------------------------------


def test_the_sweep_space_is_read_from_the_labels() -> None:
    sweep = cadenza._core.Sweep(SWEEP.read_text(), str(SWEEP))
    space = _sampling.SweepSpace(sweep.labels)
    assert space.names == ("pes", "simd", "l1", "l2", "noc", "offchip")
    assert [len(v) for v in space.values] == [6, 1, 2, 2, 2, 1]
    assert space.values[0] == ("8", "16", "32", "64", "128", "256")
    assert space.index([5, 0, 1, 1, 1, 0]) == POINTS - 1
    with pytest.raises(cadenza.InputError, match="not the cartesian product"):
        _sampling.SweepSpace(["pes=1 l1=2", "pes=2 l1=2", "pes=1 l1=3"])


@pytest.mark.parametrize("kind", ["random", "lhs"])
def test_a_sample_is_reproducible_in_the_sweep_and_within_budget(kind: str) -> None:
    space = _sampling.SweepSpace(cadenza._core.Sweep(SWEEP.read_text(), str(SWEEP)).labels)
    draw = _sampling.random_sample if kind == "random" else _sampling.lhs_sample
    for budget in (1, 7, 20, POINTS, 1000):
        first = draw(space, budget, 11)
        assert first == draw(space, budget, 11)
        assert first == sorted(set(first)) and all(0 <= i < POINTS for i in first)
        assert len(first) <= min(budget, POINTS)
        if kind == "random":
            assert len(first) == min(budget, POINTS)
    assert draw(space, 12, 1) != draw(space, 12, 2)
    # A Latin hypercube of 12 draws 2 of each of the 6 PE counts; a point drawn twice is kept
    # once, so each PE count is in the sample once or twice (a random sample misses some).
    if kind == "lhs":
        for seed in range(20):
            pes = [i // space.strides[0] for i in draw(space, 12, seed)]
            assert all(1 <= pes.count(k) <= 2 for k in range(6)), (seed, pes)


def test_sampled_points_are_explored_as_in_the_full_grid(
        nets: list[cadenza.Network], singles: list[cadenza.DseResult]) -> None:
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        sampled = explore(nets[0], executor=pool, sample="lhs", budget=10, seed=5, chunk=1)
    again = explore(nets[0], workers=2, sample="lhs", budget=10, seed=5)
    assert sampled.to_json() == again.to_json().replace(
        f'"explore_seconds": {again.to_dict()["explore_seconds"]}',
        f'"explore_seconds": {sampled.to_dict()["explore_seconds"]}')
    space = _sampling.SweepSpace(cadenza._core.Sweep(SWEEP.read_text(), str(SWEEP)).labels)
    assert list(sampled.sweep_indices) == _sampling.lhs_sample(space, 10, 5)
    full = singles[0].points
    keys = ("label", "feasible", "runtime_cycles", "energy_pj", "objective_value", "provisioned")
    for k, i in enumerate(sampled.sweep_indices):
        assert sampled.points[k]["index"] == k
        assert {key: sampled.points[k][key] for key in keys} == {key: full[i][key] for key in keys}
    data = sampled.to_dict()
    assert data["sweep"]["points"] == len(sampled.sweep_indices)
    assert "sample='lhs', budget=10, seed=5" in data["command_line"]
    assert 0 < sampled.candidates_evaluated < singles[0].to_dict()["summary"][
        "candidates_evaluated"]


def test_whole_groups_add_their_points_without_evaluations(
        nets: list[cadenza.Network], singles: list[cadenza.DseResult]) -> None:
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        sampled = explore(nets[0], executor=pool, sample="random", budget=5, seed=2)
        whole = explore(nets[0], executor=pool, sample="random", budget=5, seed=2,
                        whole_groups=True)
    groups = cadenza._core.Sweep(SWEEP.read_text(), str(SWEEP)).evaluation_groups()
    touched = [g for g in groups if set(g) & set(sampled.sweep_indices)]
    assert list(whole.sweep_indices) == sorted(p for g in touched for p in g)
    assert whole.candidates_evaluated == sampled.candidates_evaluated
    for k, i in enumerate(whole.sweep_indices):
        assert whole.points[k]["objective_value"] == singles[0].points[i]["objective_value"]
    assert "whole_groups=True" in whole.to_dict()["command_line"]


def test_several_networks_on_a_random_sample(nets: list[cadenza.Network],
                                             multi: cadenza.MultiDseResult) -> None:
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        sampled = explore(nets, executor=pool, sample="random", budget=16, seed=1,
                          weights=WEIGHTS)
    assert len(sampled.points) == 16
    data = sampled.to_dict()
    assert data["sweep"]["explored"] == 16 and data["sweep"]["sampling"].startswith(
        "sample='random'")
    for p in sampled.points:
        full = multi.points[p["sweep_index"]]
        assert p["label"] == full["label"] and p["feasible"] == full["feasible"]
        assert [f["runtime_cycles"] for f in p["networks"]] == [
            f["runtime_cycles"] for f in full["networks"]]


def test_tpe_is_reproducible_and_within_budget(nets: list[cadenza.Network],
                                               singles: list[cadenza.DseResult],
                                               dask_client: Any) -> None:
    pytest.importorskip("optuna")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = explore(nets[1], executor=pool, sample="tpe", budget=14, seed=3, batch=4,
                        chunk=1)
    second = explore(nets[1], executor=dask_client.get_executor(), sample="tpe", budget=14,
                     seed=3, batch=4, chunk=5)
    assert first.sweep_indices == second.sweep_indices
    assert normalised(first.to_json()) == normalised(second.to_json())
    assert 0 < len(first.sweep_indices) <= 14 and all(0 <= i < POINTS
                                                       for i in first.sweep_indices)
    # A group is evaluated once, whichever round asks for its points: never more than the grid.
    assert first.candidates_evaluated <= singles[1].to_dict()["summary"]["candidates_evaluated"]
    other = explore(nets[1], workers=1, sample="tpe", budget=14, seed=4, batch=4)
    assert other.sweep_indices != first.sweep_indices


def test_bad_sampling_arguments(nets: list[cadenza.Network]) -> None:
    with pytest.raises(cadenza.InputError, match="budget and whole_groups need sample"):
        explore(nets[0], budget=4)
    with pytest.raises(cadenza.InputError, match="unknown sample 'grid'"):
        explore(nets[0], sample="grid", budget=4)
    with pytest.raises(cadenza.InputError, match="needs a budget of at least 1"):
        explore(nets[0], sample="random")
