#!/usr/bin/env python3
"""Compares sampled explorations (cadenza.dse with sample="random", "lhs" and "tpe") with the full
grid of a sweep: how much of the grid's Pareto front each finds, and at what share of the grid's
evaluations (docs/dse.md, "Beyond the full grid").

    build/venv/bin/python scripts/compare-dse-sampling.py [--model M] [--sweep S]
        [--max-candidates N] [--budgets 0.01,0.02,0.05,0.1] [--seeds 3] [--workers 2]

Needs the package and optuna installed (scripts/test-python.sh installs both into build/venv).
Front quality, for the feasible points' (cycles, energy, provisioned area):

- hypervolume ratio: the volume the sample's front dominates over the grid front's, each axis
  log10-scaled to [0, 1] over the grid's feasible points, reference point 1.1 on each axis;
- front points found: the grid front's points that the sample explored (each is on the sample's
  front too: nothing in a subset dominates it);
- best objective: the grid's best network objective over the sample's (1.0: found).

Cost: the design points explored, and the candidate evaluations made (a sample touching a point
evaluates its whole evaluation group, docs/dse.md), each as a share of the grid's. Each sampler
runs as it is and with whole_groups=True (every point of a sampled point's group explored too).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import cadenza

REPO = Path(__file__).resolve().parents[1]
Point = tuple[float, float, float]


def hypervolume(points: Sequence[Point], reference: Point) -> float:
    """The volume dominated by ``points`` (minimised) up to ``reference``: slabs along the third
    axis, each the 2-D area dominated by the points at or below it."""
    inside = sorted({p for p in points if all(a < r for a, r in zip(p, reference))},
                    key=lambda p: p[2])
    volume = 0.0
    for k, p in enumerate(inside):
        top = inside[k + 1][2] if k + 1 < len(inside) else reference[2]
        if top <= p[2]:
            continue
        # The 2-D staircase of the points up to this slab.
        area = 0.0
        best_y = reference[1]
        for x, y, _ in sorted(q for q in inside[:k + 1]):
            if y < best_y:
                area += (reference[0] - x) * (best_y - y)
                best_y = y
        volume += area * (top - p[2])
    return volume


def front_axes(points: Sequence[dict[str, Any]]) -> list[Point]:
    return [(float(p["runtime_cycles"]), float(p["energy_pj"]),
             float(p["provisioned"]["area_um2"])) for p in points if p["feasible"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(REPO / "models" / "resnet50.onnx"))
    parser.add_argument("--sweep", default=str(REPO / "models" / "hw" / "sweep_example.textproto"))
    parser.add_argument("--max-candidates", type=int, default=200)
    parser.add_argument("--budgets", default="0.01,0.02,0.05,0.1",
                        help="budgets as shares of the sweep's points")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per method and budget")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tpe-batch", type=int, default=8)
    parser.add_argument("--methods", default="random,lhs,tpe", help="samplers to compare")
    args = parser.parse_args()

    net = cadenza.load(args.model)
    start = time.perf_counter()
    grid = cadenza.dse(net, args.sweep, max_candidates=args.max_candidates, workers=args.workers)
    grid_seconds = time.perf_counter() - start
    grid_data = grid.to_dict()
    total = len(grid.points)
    grid_evaluations = grid_data["summary"]["candidates_evaluated"]
    feasible = front_axes(grid.points)
    logs = [[math.log10(p[k]) for p in feasible] for k in range(3)]
    low = [min(v) for v in logs]
    span = [(max(v) - min(v)) or 1.0 for v in logs]

    def scaled(points: Sequence[Point]) -> list[Point]:
        return [tuple((math.log10(p[k]) - low[k]) / span[k] for k in range(3))  # type: ignore[misc]
                for p in points]

    reference = (1.1, 1.1, 1.1)
    grid_front = set(grid.pareto)
    grid_hv = hypervolume(scaled([feasible_p for feasible_p in front_axes(
        [grid.points[i] for i in grid.pareto])]), reference)
    best_objective = grid.points[grid.best]["objective_value"] if grid.best is not None else None
    print(f"{Path(args.model).name} over {args.sweep}: {total} design points, "
          f"{grid_data['summary']['evaluation_groups']} evaluation groups, "
          f"{args.max_candidates} candidates per template; grid: {len(grid_front)} Pareto "
          f"points, {grid_evaluations:,} candidate evaluations, {grid_seconds:.1f} s on "
          f"{args.workers} workers")
    print("| method | budget (points) | explored | evaluations | hypervolume ratio | "
          "front points found | grid best / sample best |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    rows = []
    for share in (float(b) for b in args.budgets.split(",")):
        budget = max(1, round(share * total))
        for method, whole in (("random", False), ("lhs", False), ("tpe", False),
                              ("random", True), ("lhs", True), ("tpe", True)):
            if method not in args.methods.split(","):
                continue
            runs = []
            for seed in range(args.seeds):
                result = cadenza.dse(net, args.sweep, max_candidates=args.max_candidates,
                                     workers=args.workers, sample=method, budget=budget,
                                     seed=seed, batch=args.tpe_batch, whole_groups=whole)
                explored = set(result.sweep_indices)
                hv = hypervolume(scaled(front_axes([result.points[i] for i in result.pareto])),
                                 reference)
                found = len(grid_front & explored) / len(grid_front)
                sample_best = (result.points[result.best]["objective_value"]
                               if result.best is not None else math.inf)
                runs.append((len(explored) / total, result.candidates_evaluated / grid_evaluations,
                             hv / grid_hv, found,
                             best_objective / sample_best if best_objective else 0.0))
            mean = [statistics.mean(r[k] for r in runs) for k in range(5)]
            low_hv = min(r[2] for r in runs)
            name = method + (", whole groups" if whole else "")
            rows.append({"method": name, "budget": budget, "explored": mean[0],
                         "evaluations": mean[1], "hypervolume_ratio": mean[2],
                         "hypervolume_ratio_min": low_hv, "front_found": mean[3],
                         "best_ratio": mean[4]})
            print(f"| {name} | {budget} ({share:.0%}) | {mean[0]:.1%} | {mean[1]:.1%} | "
                  f"{mean[2]:.3f} (min {low_hv:.3f}) | {mean[3]:.1%} | {mean[4]:.3f} |",
                  flush=True)
    print(json.dumps({"points": total, "grid_pareto": len(grid_front),
                      "grid_evaluations": grid_evaluations, "seeds": args.seeds, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
