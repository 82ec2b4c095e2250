#!/usr/bin/env python3
"""Measures the sharded design-space exploration (cadenza.dse) on a Dask LocalCluster: design
points per second with 1 and 2 workers, the overhead each task adds, and the chunk size that
keeps that overhead under 5 % (docs/dse.md, "Running on a cluster").

    build/venv/bin/python scripts/bench-dse.py [--model M] [--max-candidates N] [--sweep S]

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
    args = parser.parse_args()
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
        print(json.dumps({"points": points, "groups": groups, "ms_per_group": per_group * 1e3,
                          "empty_task_ms": task_overhead * 1e3,
                          "in_run_overhead_ms": in_run_overhead * 1e3,
                          "groups_per_task_for_5_percent": chunk_for_5}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
