#!/usr/bin/env python3
"""Measures the sharded design-space exploration (cadenza.dse) on a Dask LocalCluster: design
points per second with 1 and 2 workers, the overhead each task adds, and the chunk size that
keeps that overhead under 5 % (docs/dse.md, "Running on a cluster"); then projects the points
per second of 1 to 64 workers from those figures (docs/dse.md, "Projected scaling").

    build/venv/bin/python scripts/bench-dse.py [--model M] [--max-candidates N] [--sweep S]
    build/venv/bin/python scripts/bench-dse.py --project FIGURES.json   # the projection only

The last line printed is the measured figures as JSON; --project reads such a line back.

Needs the package and dask[distributed] installed (scripts/test-python.sh installs both into
build/venv). Every run's JSON is checked to be the same document as the first one's.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cadenza

REPO = Path(__file__).resolve().parents[1]

# 16 evaluation groups (4 PE counts x 2 NoC x 2 off-chip bandwidths) of 4 points each.
SWEEP = """
base {
  name: "bench"
  num_pes: 64
  simd_lanes: 1
  l1_bytes: 512
  l2_bytes: 65536
  bytes_per_element { input: 1 filter: 1 output: 1 }
  noc { bandwidth: 32 latency: 1 }
  offchip_bandwidth: 16
  clock_ghz: 1.0
}
num_pes { values: [64, 128, 256, 512] }
noc_bandwidth { values: [32, 64] }
offchip_bandwidth { values: [16, 32] }
l1_bytes { values: [512, 1024] }
l2_bytes { values: [262144, 1048576] }
"""


def without_run_details(document: str) -> str:
    document = re.sub(r'"explore_seconds": [0-9.e+-]+', '"explore_seconds": 0', document)
    return re.sub(r'"command_line": "[^"]*"', '"command_line": ""', document)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(REPO / "models" / "resnet50.onnx"))
    parser.add_argument("--sweep", help="a sweep file (default: a 64-point sweep, 16 groups)")
    parser.add_argument("--max-candidates", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=2, help="runs per configuration (best)")
    parser.add_argument("--project", metavar="FIGURES.json",
                        help="skip the measurements: project from a previous run's last line")
    args = parser.parse_args()
    if args.project:
        project(json.loads(Path(args.project).read_text().strip().splitlines()[-1]))
        return 0
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"  # the same date in every run's document
    distributed: Any = __import__("distributed")

    with tempfile.TemporaryDirectory() as tmp:
        sweep = args.sweep
        if sweep is None:
            sweep = str(Path(tmp) / "bench_sweep.textproto")
            Path(sweep).write_text(SWEEP)
        net = cadenza.load(args.model)
        groups = len(cadenza._core.Sweep(Path(sweep).read_text(), sweep).evaluation_groups())
        points = len(cadenza._core.Sweep(Path(sweep).read_text(), sweep))
        print(f"{Path(args.model).name}: {len(net.layers)} layers; {points} design points in "
              f"{groups} evaluation groups; {args.max_candidates} candidates per template")
        reference: str | None = None

        def run(executor: concurrent.futures.Executor,
                chunk: int) -> tuple[float, float, int, float]:
            nonlocal reference
            best = None
            for _ in range(args.repeat):
                start = time.perf_counter()
                result = cadenza.dse(net, sweep, max_candidates=args.max_candidates,
                                     executor=executor, chunk=chunk)
                wall = time.perf_counter() - start
                document = without_run_details(result.to_json())
                reference = reference or document
                assert document == reference, "another document than the first run's"
                if best is None or wall < best[0]:
                    best = (wall, result.task_seconds, result.chunks, result.merge_seconds)
            assert best is not None
            return best

        # One process, no executor overhead beyond a thread: the baseline.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            wall, busy, tasks, merge = run(pool, groups)
        print(f"in-process (1 task):      {wall:7.2f} s  {points / wall:7.1f} points/s  "
              f"({busy / groups * 1e3:.0f} ms of compute per group; the merge on the caller "
              f"{merge * 1e3:.0f} ms)")
        per_group = busy / groups
        in_run_overhead = 0.0
        points_per_second = {}
        merge_seconds = merge

        for workers in (1, 2):
            with distributed.LocalCluster(n_workers=workers, processes=True,
                                          threads_per_worker=1, dashboard_address=None,
                                          host="127.0.0.1") as cluster, \
                    distributed.Client(cluster) as client:
                executor = client.get_executor()
                run(executor, 1)  # warm-up: each worker loads the network and the sweep once
                for chunk in (1, 4):
                    wall, busy, tasks, merge = run(executor, chunk)
                    # Worker time outside the tasks and before the merge: scheduling,
                    # transfers, and waiting for the last task (imbalance).
                    idle = max(0.0, (wall - merge) * workers - busy) / tasks
                    print(f"Dask, {workers} worker(s), {chunk} group(s)/task: {wall:7.2f} s  "
                          f"{points / wall:7.1f} points/s  {tasks:3d} tasks  "
                          f"workers idle {idle * 1e3:6.1f} ms/task")
                    if workers == 1 and chunk == 1:
                        in_run_overhead = idle  # one worker: no imbalance, only overhead
                    if chunk == 1:
                        points_per_second[workers] = points / wall

        # The overhead of a task alone: a chunk of no design point, round trip.
        with distributed.LocalCluster(n_workers=1, processes=True, threads_per_worker=1,
                                      dashboard_address=None, host="127.0.0.1") as cluster, \
                distributed.Client(cluster) as client:
            executor = client.get_executor()
            from cadenza import _dse
            source = _dse._network_source(net)
            options = _dse._Options("edp", "maestro", 1, args.max_candidates, 0.0, 0.0)
            empty = _dse._Chunk(source, Path(sweep).read_text(), sweep, (), options)
            executor.submit(_dse._explore_chunk, empty).result()  # loads the network once
            samples = []
            for _ in range(5):
                start = time.perf_counter()
                futures = [executor.submit(_dse._explore_chunk, empty) for _ in range(50)]
                for f in futures:
                    f.result()
                samples.append((time.perf_counter() - start) / 50)
            task_overhead = statistics.median(samples)
        # Overhead / (overhead + work) < 5 %: work > 19 x overhead, with the larger of the two
        # measures (a real task also ships the model and the sweep, and its result back).
        overhead = max(task_overhead, in_run_overhead)
        chunk_for_5 = max(1, math.ceil(19 * overhead / per_group))
        print(f"overhead per task: {task_overhead * 1e3:.1f} ms for an empty task's round trip, "
              f"{in_run_overhead * 1e3:.1f} ms in the 1-worker run; for overhead < 5 % a task "
              f"needs >= {19 * overhead * 1e3:.0f} ms of work: >= {chunk_for_5} group(s) of this "
              "network and candidates")
        print(f"load average during the runs: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        figures = {"points": points, "groups": groups, "ms_per_group": per_group * 1e3,
                   "empty_task_ms": task_overhead * 1e3,
                   "in_run_overhead_ms": in_run_overhead * 1e3,
                   "groups_per_task_for_5_percent": chunk_for_5,
                   "merge_ms": merge_seconds * 1e3,
                   "points_per_second_1_worker": points_per_second[1],
                   "points_per_second_2_workers": points_per_second[2]}
        project(figures)
        print(json.dumps(figures))
    return 0


def projected_seconds(figures: dict[str, Any], groups: int, workers: int, chunk: int) -> float:
    """The wall time of a sweep of ``groups`` evaluation groups of the measured cost on
    ``workers`` single-threaded workers, ``chunk`` groups a task:

    - the tasks run in rounds of ``workers``, each task its groups' compute plus the per-task
      overhead (the larger of the two measures), as the 1-worker run showed;
    - the scheduler hands out tasks one at a time: no faster than one empty task's round trip
      each, whatever the workers (a bound, as measured with one worker);
    - the merge on the caller, serial, at the end.
    """
    overhead = max(figures["empty_task_ms"], figures["in_run_overhead_ms"]) / 1e3
    tasks = math.ceil(groups / chunk)
    rounds = math.ceil(tasks / workers)
    parallel = rounds * (chunk * figures["ms_per_group"] / 1e3 + overhead)
    dispatch = tasks * figures["empty_task_ms"] / 1e3
    return max(parallel, dispatch) + figures["merge_ms"] / 1e3


def project(figures: dict[str, Any]) -> None:
    """Points per second for 1 to 64 workers: the model of projected_seconds, and that model
    scaled by how far the measured 2-worker run fell short of it (workers sharing cores, memory
    and the machine with others)."""
    points_per_group = figures["points"] / figures["groups"]
    chunk = figures["groups_per_task_for_5_percent"]
    model_2 = figures["points"] / projected_seconds(figures, figures["groups"], 2, 1)
    shortfall = figures["points_per_second_2_workers"] / model_2
    print(f"measured: {figures['points_per_second_1_worker']:.1f} points/s on 1 worker, "
          f"{figures['points_per_second_2_workers']:.1f} on 2 (the model: {model_2:.1f}, so "
          f"x{shortfall:.2f} for the calibrated rows); {figures['ms_per_group']:.0f} ms a group "
          f"of {points_per_group:g} points, {max(figures['empty_task_ms'], figures['in_run_overhead_ms']):.1f} ms "
          f"a task, {figures['empty_task_ms']:.1f} ms dispatch, merge {figures['merge_ms']:.0f} ms; "
          f"{chunk} group(s) a task")
    counts = (1, 2, 4, 8, 16, 32, 64)
    print("| sweep | " + " | ".join(f"{w} worker{'s' if w > 1 else ''}" for w in counts) + " |")
    print("| --- |" + " --- |" * len(counts))
    # Group costs as measured; points per group as each sweep has them (a group's cost is its
    # candidate evaluations, hardly its points: 4 points a group in the bench sweep, 20 in
    # models/hw/sweep_example.textproto, whose L1 and L2 sizes are 4 x 5).
    for name, groups, per_group in (
            (f"{figures['groups']} groups x {points_per_group:g} points (measured)",
             figures["groups"], points_per_group),
            ("84 groups x 20 points (sweep_example's shape)", 84, 20),
            ("1,000 groups x 20 points", 1000, 20),
            ("5,000 groups x 20 points (the 100,000-point limit)", 5000, 20)):
        points = groups * per_group
        rates = [points / projected_seconds(figures, groups, w, chunk) for w in counts]
        print(f"| {name}, model | " + " | ".join(f"{r:,.0f}" for r in rates) + " |")
        print(f"| {name}, calibrated | " + " | ".join(f"{r * shortfall:,.0f}" for r in rates)
              + " |")


if __name__ == "__main__":
    sys.exit(main())
