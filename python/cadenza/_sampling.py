"""Exploring part of a sweep: random and Latin-hypercube samples of its points with a budget, and
Optuna's TPE sampler asking for points round by round (docs/dse.md, "Beyond the full grid").

Every sampler is seeded and depends on nothing else (not on the executor, the chunking or the
timing): TPE asks a fixed number of points a round and is told their results in the order it
asked for them, so the same seed gives the same points and the same report anywhere.
"""

from __future__ import annotations

import importlib
import math
import random
import warnings
from typing import TYPE_CHECKING, Any, Sequence

from . import _core

if TYPE_CHECKING:
    from ._dse import _Explorer

SAMPLERS = ("random", "lhs", "tpe")
#: TPE proposals a round may repeat (points already explored); past this many proposals per
#: point of the budget the search stops, having found nothing new to explore.
_TPE_PROPOSALS_PER_POINT = 20


class SweepSpace:
    """A sweep file's points as the cartesian product they are (hardware-config.md, "Sweep
    files"): the values of each parameter in sweep order, read back from the points' labels
    ("pes=256 simd=1 l1=1024 ..."), and a point's index from one value position per parameter."""

    def __init__(self, labels: Sequence[str]) -> None:
        rows = [[item.partition("=") for item in label.split()] for label in labels]
        self.names: tuple[str, ...] = tuple(name for name, _, _ in rows[0]) if rows else ()
        values: list[list[str]] = [[] for _ in self.names]
        for row in rows:
            for k, (_, _, value) in enumerate(row):
                if value not in values[k]:
                    values[k].append(value)
        self.values: tuple[tuple[str, ...], ...] = tuple(tuple(v) for v in values)
        # The last parameter changes from one point to the next (innermost).
        self.strides: list[int] = []
        stride = 1
        for v in reversed(self.values):
            self.strides.insert(0, stride)
            stride *= len(v)
        self.size = len(labels)
        if stride != self.size or any(self.index([values[k].index(value) for k, (_, _, value)
                                                   in enumerate(row)]) != i
                                      for i, row in enumerate(rows)):
            raise _core.InputError("the sweep's points are not the cartesian product of its "
                                   "parameters' values")

    def index(self, positions: Sequence[int]) -> int:
        """The point with value ``positions[k]`` of parameter k."""
        return sum(p * s for p, s in zip(positions, self.strides))


def random_sample(space: SweepSpace, budget: int, seed: int) -> list[int]:
    """``budget`` distinct points (all of them when the sweep has fewer), uniformly."""
    return sorted(random.Random(seed).sample(range(space.size), min(budget, space.size)))


def lhs_sample(space: SweepSpace, budget: int, seed: int) -> list[int]:
    """A Latin hypercube of ``budget`` points over the parameters: each parameter's range [0, 1)
    is cut into ``budget`` strata, one draw per stratum, the strata shuffled per parameter, and a
    draw u picks value floor(u * values). Each parameter's values are so covered as evenly as
    ``budget`` allows. Points drawn twice are kept once, so it may give fewer than ``budget``."""
    n = min(budget, space.size)
    rng = random.Random(seed)
    columns: list[list[int]] = []
    for values in space.values:
        draws = [(k + rng.random()) / n for k in range(n)]
        rng.shuffle(draws)
        columns.append([min(len(values) - 1, math.floor(u * len(values))) for u in draws])
    chosen = {space.index([column[j] for column in columns]) for j in range(n)}
    return sorted(chosen)


def _tpe_values(explorer: _Explorer, index: int,
                weights: Sequence[float]) -> tuple[list[float], bool]:
    """What TPE minimises for a point: the weighted mean over the networks of log cycles and of
    log energy (the logarithm makes networks of any size weigh as their weights say), and log
    provisioned area; and whether the point is feasible for every network."""
    total = sum(weights)
    latency = energy = 0.0
    feasible = True
    area = 1.0
    for points, weight in zip(explorer.points, weights):
        p = points[index]
        feasible = feasible and bool(p["feasible"])
        latency += weight / total * math.log(max(1.0, float(p["runtime_cycles"])))
        energy += weight / total * math.log(max(1.0, float(p["energy_pj"])))
        area = float(p["provisioned"]["area_um2"])
    return [latency, energy, math.log(max(1.0, area))], feasible


def tpe_explore(space: SweepSpace, budget: int, seed: int, batch: int, explorer: _Explorer,
                weights: Sequence[float], whole_groups: bool = False) -> list[int]:
    """Optuna's multi-objective TPE over the swept parameters (one integer per parameter, the
    position of its value), ``batch`` points a round, at most ``budget`` distinct points.
    Infeasible points are told as violating a constraint, so TPE prefers feasible ones. The
    other points of each asked point's group are explored with it (they cost next to nothing),
    and reported with ``whole_groups``; TPE is told only what it asked for."""
    try:
        optuna: Any = importlib.import_module("optuna")
    except ImportError as e:
        raise _core.InputError("sample='tpe' needs Optuna: pip install 'cadenza[optuna]'") from e
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    budget = min(budget, space.size)
    feasible_of: dict[int, bool] = {}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(seed=seed)
    study = optuna.create_study(directions=["minimize"] * 3, sampler=sampler)
    swept = [k for k, values in enumerate(space.values) if len(values) > 1]
    explored: list[int] = []
    proposals = 0
    while len(explored) < budget and proposals < _TPE_PROPOSALS_PER_POINT * budget:
        trials: list[tuple[Any, int]] = []
        new: list[int] = []
        for _ in range(batch):
            trial = study.ask()
            proposals += 1
            positions = [0] * len(space.values)
            for k in swept:
                positions[k] = trial.suggest_int(space.names[k], 0, len(space.values[k]) - 1)
            index = space.index(positions)
            if index not in feasible_of and index not in new:
                if len(explored) + len(new) == budget:
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    continue
                new.append(index)
            trials.append((trial, index))
        # Whole groups in any case: a later round asking for another point of a group evaluated
        # now finds it explored instead of evaluating the group again (without this, TPE at 10 %
        # of the example sweep's points made 1.8 times the full grid's evaluations).
        explorer.evaluate(explorer.whole_groups(new))
        explored += new
        for trial, index in trials:
            values, feasible = _tpe_values(explorer, index, weights)
            feasible_of[index] = feasible
            trial.set_constraint("feasible", 0.0 if feasible else 1.0)
            study.tell(trial, values)
    return explorer.whole_groups(explored) if whole_groups else sorted(explored)


def explore(sample: str, space: SweepSpace, budget: int, seed: int, batch: int,
            explorer: _Explorer, weights: Sequence[float], whole_groups: bool) -> list[int]:
    """Explores the sample's points with ``explorer``; returns them, ascending. With
    ``whole_groups``, every point of each sampled point's evaluation group is explored too: they
    share all its candidate evaluations, so they cost next to nothing more (docs/dse.md)."""
    if sample == "tpe":
        points = tpe_explore(space, budget, seed, batch, explorer, weights, whole_groups)
    else:
        points = random_sample(space, budget, seed) if sample == "random" else lhs_sample(
            space, budget, seed)
        if whole_groups:
            points = explorer.whole_groups(points)
        explorer.evaluate(points)
    return points
