"""Design-space exploration sharded over a ``concurrent.futures.Executor``: a local process
pool, Dask (``distributed.Client.get_executor()``), mpi4py's ``MPIPoolExecutor`` or any other.

The sweep's evaluation groups (design points that differ only in buffer capacities share every
cost-model evaluation, docs/dse.md) are packed into chunks that never split a group; each chunk
is one task, which explores its points in the compiled core and returns them as plain data (a
dict of ints, floats and strings: picklable, and exact through pickle and JSON). The results of
all chunks are merged by the core into the report ``cadenza dse`` writes for the same sweep: the
same JSON document whatever the executor and the chunking.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import hashlib
import json
import math
import multiprocessing
import os
import shlex
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, Sequence, Union

from . import _core, _sampling
from ._network import Network, _sha256_of_file
from ._search import (OBJECTIVES, _OBJECTIVE_ALIASES, _iso_date, _latency_slack_of,
                      _percent, _write_atomically)

#: ``cadenza dse``'s default candidates per layer and template.
DEFAULT_MAX_CANDIDATES = 2000
#: Tasks per worker when ``chunk`` is not given: enough to balance groups of unequal cost.
_TASKS_PER_WORKER = 4
_CHECKPOINT_FORMAT = 1

PathLike = Union[str, "os.PathLike[str]"]


class DseError(RuntimeError):
    """Some chunks of a sharded exploration failed. ``failures`` says which design points each
    failed chunk held and why; the chunks that succeeded are in the checkpoint file, if any, and
    a rerun with it explores only the failed ones."""

    def __init__(self, failures: Sequence[ChunkFailure], total_points: int) -> None:
        self.failures = tuple(failures)
        lines = [f"design points {_ranges(f.points)}" + (f" of {f.network}" if f.network else "")
                 + f": {f.error}" for f in self.failures]
        failed = sum(len(f.points) for f in self.failures)
        super().__init__(f"{len(self.failures)} chunk(s) of the exploration failed "
                         f"({failed} of {total_points} design points):\n  " + "\n  ".join(lines))


@dataclass(frozen=True)
class ChunkFailure:
    """One failed chunk: its design points (sweep indices) and the error, as
    ``"ExceptionType: message"``."""

    points: tuple[int, ...]
    error: str
    network: str = ""  #: the network's path, when the exploration has several


@dataclass(frozen=True)
class _Options:
    objective: str
    model: str
    threads: int
    max_candidates: int
    area_budget_um2: float
    power_budget_mw: float
    latency_slack: float = -1.0  # a fraction (0.05: within 5%); < 0: none

    def core_args(self) -> tuple[str, str, int, int, float, float]:
        return (self.objective, self.model, self.threads, self.max_candidates,
                self.area_budget_um2, self.power_budget_mw)


@dataclass(frozen=True)
class _NetworkSource:
    """How a worker loads the coordinator's network: the file itself when it sees the same file
    (a shared file system), else the bytes shipped with the task."""

    kind: str  # "onnx" or "maestro"
    path: str  # the file, or the name of an in-memory model
    data: bytes
    sha256: str
    batch: Optional[int]
    dims: tuple[tuple[str, int], ...]
    skip_unresolved: bool


@dataclass(frozen=True)
class _Chunk:
    """One task: the design points (sweep indices) of whole evaluation groups."""

    network: _NetworkSource
    sweep_text: str
    sweep_path: str
    indices: tuple[int, ...]
    options: _Options


# Per worker process: the networks and sweeps already loaded, so that a worker's later chunks
# of one exploration load nothing.
_loaded_networks: dict[tuple[Any, ...], _core.Network] = {}
_loaded_sweeps: dict[tuple[str, str], _core.Sweep] = {}
_CACHE_LIMIT = 4


@atexit.register
def _forget_loaded() -> None:
    """Drops the cached core objects before the interpreter finalises the core module (which
    otherwise reports them as leaked)."""
    _loaded_networks.clear()
    _loaded_sweeps.clear()


def _load_source(source: _NetworkSource) -> _core.Network:
    key = (source.sha256, source.kind, source.batch, source.dims, source.skip_unresolved)
    network = _loaded_networks.get(key)
    if network is not None:
        return network
    dims = dict(source.dims)
    same_file = (source.kind == "onnx" and os.path.isfile(source.path)
                 and _sha256_of_file(source.path) == source.sha256)
    if same_file:
        network = _core.load_file(source.path, source.batch, dims, source.skip_unresolved)
    elif source.kind == "onnx":
        network = _core.load_onnx_bytes(source.data, source.path, source.batch, dims,
                                        source.skip_unresolved)
    else:
        network = _core.load_maestro_text(source.data.decode("utf-8"), source.path)
    if len(_loaded_networks) >= _CACHE_LIMIT:
        _loaded_networks.clear()
    _loaded_networks[key] = network
    return network


def _load_sweep(text: str, path: str) -> _core.Sweep:
    sweep = _loaded_sweeps.get((text, path))
    if sweep is None:
        sweep = _core.Sweep(text, path)
        if len(_loaded_sweeps) >= _CACHE_LIMIT:
            _loaded_sweeps.clear()
        _loaded_sweeps[(text, path)] = sweep
    return sweep


def _explore_chunk(chunk: _Chunk) -> dict[str, Any]:
    """The task a worker runs: its points' results as plain data, and its compute time."""
    start = time.perf_counter()
    network = _load_source(chunk.network)
    sweep = _load_sweep(chunk.sweep_text, chunk.sweep_path)
    result: dict[str, Any] = _core.explore_subset(network, sweep, list(chunk.indices),
                                                  *chunk.options.core_args(),
                                                  latency_slack=chunk.options.latency_slack)
    result["seconds"] = time.perf_counter() - start
    return result


class DseResult:
    """What :func:`cadenza.dse` found: the report ``cadenza dse`` writes for the same sweep.

    :meth:`to_json` is its JSON document (docs/report-schema.md), :meth:`to_html` its HTML page,
    :meth:`to_csv` one row per design point, :meth:`summary` what the command prints.
    """

    def __init__(self, report: _core.DseReport, chunks: int, task_seconds: float,
                 merge_seconds: float, sweep_indices: tuple[int, ...],
                 candidates_evaluated: int) -> None:
        self._report = report
        self._json = report.json()
        data = json.loads(self._json)
        #: the chosen design's index in the sweep, or None when no point is feasible
        self.best: Optional[int] = None if report.best < 0 else report.best
        #: the Pareto points' indices, by cycles then index
        self.pareto: tuple[int, ...] = tuple(data["pareto"])
        #: every design point as the JSON document gives it, in sweep order
        self.points: tuple[dict[str, Any], ...] = tuple(data["points"])
        self.chunks = chunks  #: tasks run (chunks restored from a checkpoint not counted)
        #: the workers' time inside the tasks, summed (the rest of the wall time is overhead)
        self.task_seconds = task_seconds
        #: the merge on the caller, with the chosen point's group evaluated again for its view
        self.merge_seconds = merge_seconds
        #: each point's index in the sweep file (the report's indices are positions in this
        #: tuple: the same numbers unless the exploration was sampled)
        self.sweep_indices = sweep_indices
        #: candidate evaluations this call's tasks made (for all networks; restored chunks not
        #: counted): what a sampled exploration saves
        self.candidates_evaluated = candidates_evaluated

    def to_json(self) -> str:
        """The report as JSON, the document ``cadenza dse --json`` writes."""
        return self._json

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self._json)
        return result

    def to_html(self, path: Optional[PathLike] = None) -> str:
        """The self-contained HTML page (``cadenza dse -o``), written to ``path`` when given."""
        page: str = self._report.html()
        if path is not None:
            _write_atomically(os.fspath(path), page)
        return page

    def to_csv(self) -> str:
        """One CSV row per design point (``cadenza dse --csv``)."""
        text: str = self._report.csv()
        return text

    def summary(self) -> str:
        """The summary and Pareto table ``cadenza dse`` prints."""
        text: str = self._report.text()
        return text

    def to_maestro(self, path: Optional[PathLike] = None) -> str:
        """The chosen design's mapping of every layer as a MAESTRO ``.m`` network, the file
        ``cadenza dse --emit-maestro`` writes: headed by comments saying where it came from and
        holding the chosen design's hardware (which exists only as a point of the sweep) as lines
        to save as ``HW.textproto``, so that ``cadenza eval --mapping THIS.m --hw HW.textproto``
        gives back each layer's runtime and energy. A layer without a feasible mapping is left
        out, with a warning. Written to ``path`` when given (replaced atomically); returned in
        any case. Raises :class:`cadenza.InputError` when no design point is feasible."""
        if self.best is None:
            raise _core.InputError("to_maestro: no design point is feasible, so there are no "
                                   "chosen mappings to write")
        left_out = self._report.layers_without_mapping
        if left_out:
            warnings.warn(f"to_maestro: {left_out} layer(s) have no feasible mapping on the "
                          "chosen design and are left out of the .m network", UserWarning,
                          stacklevel=2)
        data = self.to_dict()
        model = data.get("cost_model", "maestro")
        comments = [f"The mapping chosen for every layer by cadenza {_core.__version__}:",
                    f"  {data['command_line']}",
                    f"hardware: {self._report.chosen_hardware_source}",
                    f"cost model: {model}",
                    f"Evaluate it: cadenza eval --mapping THIS.m --hw HW.textproto --model {model}",
                    "",
                    "The chosen design's hardware (save these lines as HW.textproto):"]
        comments += ["  " + line for line in self._report.chosen_hardware_text.splitlines()]
        text: str = self._report.maestro_text(comments)
        if path is not None:
            _write_atomically(os.fspath(path), text)
        return text

    def __repr__(self) -> str:
        return (f"<cadenza.DseResult {len(self.points)} design points, "
                f"{len(self.pareto)} on the Pareto front, best {self.best}>")


NetOrNets = Union[Network, Sequence[Network]]


def dse(net: NetOrNets, sweep: PathLike, *, objective: str = "edp", model: str = "exact",
        max_candidates: int = DEFAULT_MAX_CANDIDATES, area_budget: Optional[float] = None,
        power_budget: Optional[float] = None, executor: Optional[concurrent.futures.Executor] = None,
        workers: Optional[int] = None, chunk: Optional[int] = None, threads: int = 1,
        checkpoint: Optional[PathLike] = None, resume: bool = True,
        progress: Optional[Callable[[int, int], None]] = None,
        weights: Optional[Sequence[float]] = None, sample: Optional[str] = None,
        budget: Optional[int] = None, seed: int = 0, batch: int = 8,
        whole_groups: bool = False, latency_slack: Optional[float] = None) -> Any:
    """Explores the design points of the sweep file ``sweep`` for ``net``, as ``cadenza dse``
    does, in tasks submitted to ``executor``.

    ``net`` is a :class:`cadenza.Network`, or a list of them: then every design point is
    explored for every network and the result is a :class:`MultiDseResult`, with each network's
    own :class:`DseResult` and the aggregate over the networks (``weights``, one per network,
    default 1 each; docs/dse.md, "Several networks").

    ``executor`` is any ``concurrent.futures.Executor`` whose workers can import cadenza: by
    default a local process pool of ``workers`` processes (default: every core), started and
    shut down here (it uses the "spawn" start method, so a script calling dse() needs the
    ``if __name__ == "__main__":`` guard). For a Dask cluster pass
    ``distributed.Client(...).get_executor()``. ``chunk`` is the number of evaluation groups per
    task (default: about four tasks per worker); a group is never split. ``threads`` is the
    threads each task uses (1: one per worker process; 0: every core of the worker).

    ``objective``, ``model``, ``max_candidates``, ``area_budget`` (µm²), ``power_budget``
    (mW) and ``latency_slack`` (a fraction: 0.05 is ``--latency-slack 5%``; with the energy or
    edp objective each layer chooses only among its mappings within that fraction of its
    fastest) are ``cadenza dse``'s options. The result is the same, to the byte of its JSON
    document, whatever the executor, ``chunk`` and ``threads``.

    ``sample`` explores at most ``budget`` design points of the sweep instead of all of them:
    ``"random"`` (uniformly, without repeats), ``"lhs"`` (a Latin hypercube over the swept
    parameters) or ``"tpe"`` (Optuna's TPE sampler, multi-objective over latency, energy and
    area, asking ``batch`` points per round; needs ``cadenza[optuna]``), each from ``seed``:
    the same points and result for the same seed whatever the executor. The report then holds
    the explored points only (``DseResult.sweep_indices`` maps them to the sweep). With
    ``whole_groups`` every point of each sampled point's evaluation group (the points that differ
    from it only in L1/L2 capacities) is explored too, at next to no cost: ``budget`` then counts
    the sampled points, not these.

    With ``checkpoint``, each finished chunk is appended to that file at once; with ``resume``
    (the default) the points a previous run of the same exploration left there are not explored
    again. ``progress(points_done, points_total)`` is called after each chunk.

    Raises :class:`cadenza.InputError` for bad input, :class:`DseError` naming the design points
    of every chunk that failed (after the others have finished and been checkpointed).
    """
    nets = _networks_of(net)
    objective = _OBJECTIVE_ALIASES.get(objective, objective)
    if objective not in OBJECTIVES:
        raise _core.InputError(f"unknown objective '{objective}'; use latency, energy or edp")
    for name, value in (("area_budget", area_budget), ("power_budget", power_budget)):
        if value is not None and not (value > 0 and math.isfinite(value)):
            raise _core.InputError(f"{name} must be a positive number")
    if chunk is not None and chunk < 1:
        raise _core.InputError("chunk must be at least 1 evaluation group")
    if workers is not None and workers < 1:
        raise _core.InputError("workers must be at least 1")
    weight_list = _weights_of(weights, nets)
    if sample is None and (budget is not None or whole_groups):
        raise _core.InputError("budget and whole_groups need sample='random', 'lhs' or 'tpe'")
    if sample is not None:
        if sample not in _sampling.SAMPLERS:
            raise _core.InputError(f"unknown sample '{sample}'; use random, lhs or tpe")
        if budget is None or budget < 1:
            raise _core.InputError("sample needs a budget of at least 1 design point")
        if batch < 1:
            raise _core.InputError("batch must be at least 1 design point")
    options = _Options(objective, model, threads, max_candidates, area_budget or 0.0,
                       power_budget or 0.0, _latency_slack_of(latency_slack))
    sweep_path = os.fspath(sweep)
    try:
        with open(sweep_path, encoding="utf-8") as f:
            sweep_text = f.read()
    except OSError as e:
        raise _core.InputError(f"{sweep_path}: cannot read the sweep file: {e.strerror}") from e
    core_sweep = _core.Sweep(sweep_text, sweep_path)
    sources = [_network_source(n) for n in nets]
    # Checks the options in the core (model, threads, candidates) before any task is sent.
    _core.explore_subset(nets[0]._core, core_sweep, [], *options.core_args(),
                         latency_slack=options.latency_slack)
    space = _sampling.SweepSpace(core_sweep.labels) if sample is not None else None

    start = time.monotonic()
    journal: Optional[_Checkpoint] = None
    if checkpoint is not None:
        key = _checkpoint_key(sources, sweep_text, sweep_path, options, sample, budget, seed,
                              batch)
        journal = _Checkpoint(os.fspath(checkpoint), key, resume)
    explorer = _Explorer(sources, sweep_text, sweep_path, core_sweep, options, executor,
                         workers, chunk, journal, progress)
    try:
        if journal is not None:
            explorer.restore(journal.restored)
        if space is None:
            explorer.total_points = len(core_sweep) * len(nets)
            explorer.evaluate(range(len(core_sweep)))
            explored: Optional[list[int]] = None
        else:
            assert budget is not None
            explorer.total_points = min(budget, len(core_sweep)) * len(nets)
            explored = _sampling.explore(sample or "", space, budget, seed, batch, explorer,
                                         weight_list, whole_groups)
    finally:
        explorer.close()
    seconds = time.monotonic() - start
    call = _Call(sweep_path, options, sample, budget, seed, batch, whole_groups, weight_list,
                 len(nets) > 1)
    results = [explorer.report(i, n, explored, call, seconds) for i, n in enumerate(nets)]
    if isinstance(net, Network):
        return results[0]
    from ._dse_multi import MultiDseResult
    return MultiDseResult(results, nets, weight_list, call, core_sweep, explored)


@dataclass(frozen=True)
class _Call:
    """What the caller asked for beyond the network, to describe it in the reports."""

    sweep_path: str
    options: _Options
    sample: Optional[str]
    budget: Optional[int]
    seed: int
    batch: int
    whole_groups: bool
    weights: tuple[float, ...]
    several: bool

    def sampling(self) -> str:
        """"" for the full grid, else e.g. "sample='lhs', budget=100, seed=0"."""
        if self.sample is None:
            return ""
        text = f"sample={self.sample!r}, budget={self.budget}, seed={self.seed}"
        text += f", batch={self.batch}" if self.sample == "tpe" else ""
        return text + (", whole_groups=True" if self.whole_groups else "")


def _networks_of(net: NetOrNets) -> list[Network]:
    if isinstance(net, Network):
        return [net]
    if isinstance(net, (list, tuple)):
        nets = list(net)
        if not nets:
            raise _core.InputError("cadenza.dse: no network given")
        for n in nets:
            if not isinstance(n, Network):
                raise TypeError(f"cadenza.dse: expected a cadenza.Network, not {type(n).__name__}")
        return nets
    raise TypeError(f"cadenza.dse: expected a cadenza.Network, not {type(net).__name__}")


def _weights_of(weights: Optional[Sequence[float]], nets: Sequence[Network]) -> tuple[float, ...]:
    if weights is None:
        return tuple(1.0 for _ in nets)
    values = tuple(float(w) for w in weights)
    if len(values) != len(nets):
        raise _core.InputError(f"{len(values)} weight(s) for {len(nets)} network(s); give one "
                               "weight per network")
    if not all(w >= 0 and math.isfinite(w) for w in values) or not any(values):
        raise _core.InputError("weights must be finite, at least 0, and not all 0")
    return values


class _Explorer:
    """Explores design points on demand, for every network, in chunks on the executor, and keeps
    every point's result (index -> plain data) and every evaluation group's candidate count, so
    that a point is never explored twice in one call (nor again after a resume)."""

    def __init__(self, sources: Sequence[_NetworkSource], sweep_text: str, sweep_path: str,
                 core_sweep: _core.Sweep, options: _Options,
                 executor: Optional[concurrent.futures.Executor], workers: Optional[int],
                 chunk: Optional[int], journal: Optional[_Checkpoint],
                 progress: Optional[Callable[[int, int], None]]) -> None:
        self.sources = list(sources)
        self.sweep_text, self.sweep_path, self.core_sweep = sweep_text, sweep_path, core_sweep
        self.options = options
        self.executor, self.workers, self.chunk = executor, workers, chunk
        self.journal, self.progress = journal, progress
        self.groups = core_sweep.evaluation_groups()
        self.first_of = [0] * len(core_sweep)
        for group in self.groups:
            for p in group:
                self.first_of[p] = group[0]
        self.points: list[dict[int, dict[str, Any]]] = [{} for _ in sources]
        self.group_candidates: list[dict[int, int]] = [{} for _ in sources]
        self.chunks = 0
        self.task_seconds = 0.0
        self.candidates_evaluated = 0  # by this call's tasks (not restored ones)
        self.total_points = 0
        self._pool: Optional[concurrent.futures.Executor] = None

    def restore(self, partials: Iterable[dict[str, Any]]) -> None:
        for partial in partials:
            self._keep(int(partial.get("network", 0)), partial)

    def _keep(self, network: int, partial: dict[str, Any]) -> None:
        if not 0 <= network < len(self.sources):
            raise _core.InputError(f"a chunk result names network {network} of "
                                   f"{len(self.sources)}")
        for p in partial["points"]:
            if not 0 <= p["index"] < len(self.first_of):
                raise _core.InputError(f"design point {p['index']} is not in the sweep")
            self.points[network][p["index"]] = p
        for first, candidates in partial["groups"]:
            self.group_candidates[network].setdefault(int(first), int(candidates))

    def whole_groups(self, indices: Iterable[int]) -> list[int]:
        """``indices`` and every other point of their evaluation groups, ascending."""
        firsts = {self.first_of[i] for i in indices}
        return sorted(p for g in self.groups if g[0] in firsts for p in g)

    def evaluate(self, indices: Iterable[int]) -> None:
        """Explores those of ``indices`` not yet explored, for every network."""
        wanted = set(indices)
        per_network: list[list[list[int]]] = []
        for points in self.points:
            pending = wanted.difference(points)
            per_network.append([[p for p in g if p in pending] for g in self.groups
                                if pending.intersection(g)])
        pending_groups = sum(len(g) for g in per_network)
        if not pending_groups:
            return
        pool = self._executor()
        size = self.chunk or max(1, math.ceil(pending_groups / (
            _TASKS_PER_WORKER * _worker_count(pool, self.workers))))
        tasks: list[tuple[int, _Chunk]] = []
        for n, groups in enumerate(per_network):
            for i in range(0, len(groups), size):
                indices_of = tuple(sorted(p for g in groups[i:i + size] for p in g))
                tasks.append((n, _Chunk(self.sources[n], self.sweep_text, self.sweep_path,
                                        indices_of, self.options)))
        already = sum(len(points) for points in self.points)
        results, failures = _run(pool, tasks, self.journal, already, self.total_points,
                                 self.progress, [s.path for s in self.sources]
                                 if len(self.sources) > 1 else None)
        for n, result in results:
            self._keep(n, result)
            self.chunks += 1
            self.task_seconds += result.get("seconds", 0.0)
            self.candidates_evaluated += sum(int(c) for _, c in result["groups"])
        if failures:
            raise DseError(failures, len(self.core_sweep) * len(self.sources))

    def _executor(self) -> concurrent.futures.Executor:
        if self.executor is not None:
            return self.executor
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.workers or os.cpu_count() or 1,
                mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def report(self, n: int, net: Network, explored: Optional[Sequence[int]], call: _Call,
               seconds: float) -> DseResult:
        """Network ``n``'s report over the whole sweep, or over the ``explored`` points only (a
        sweep of their own, in that order)."""
        indices = list(range(len(self.core_sweep))) if explored is None else list(explored)
        sweep = self.core_sweep if explored is None else self.core_sweep.subset(indices)
        position = {p: k for k, p in enumerate(indices)}
        points = []
        for p in indices:
            point = dict(self.points[n][p])
            point["index"] = position[p]
            points.append(point)
        groups = [(g[0], self.group_candidates[n][self.first_of[indices[g[0]]]])
                  for g in sweep.evaluation_groups()]
        provenance = {
            "model_path": net.path,
            "model_sha256": net.sha256,
            "date": _iso_date(),
            "command_line": _command_line(net, call),
        }
        merge_start = time.monotonic()
        report = _core.dse_report(net._core, sweep, [{"points": points, "groups": groups}],
                                  *self.options.core_args(), provenance, seconds,
                                  latency_slack=self.options.latency_slack)
        return DseResult(report, self.chunks, self.task_seconds, time.monotonic() - merge_start,
                         tuple(indices), self.candidates_evaluated)


def _run(pool: concurrent.futures.Executor, tasks: Sequence[tuple[int, _Chunk]],
         journal: Optional[_Checkpoint], already: int, total: int,
         progress: Optional[Callable[[int, int], None]], names: Optional[Sequence[str]]
         ) -> tuple[list[tuple[int, dict[str, Any]]], list[ChunkFailure]]:
    """Runs every task; returns the results (network, result) in task order and the failures."""
    futures = {pool.submit(_explore_chunk, task): i for i, (_, task) in enumerate(tasks)}
    results: list[Optional[dict[str, Any]]] = [None] * len(tasks)
    failures: list[tuple[int, ChunkFailure]] = []
    points_done = already
    for future in concurrent.futures.as_completed(futures):
        i = futures[future]
        network, task = tasks[i]
        try:
            result = future.result()
        except Exception as e:  # noqa: BLE001 - every failure is reported with its points
            failures.append((i, ChunkFailure(task.indices, f"{type(e).__name__}: {e}",
                                             names[network] if names else "")))
            continue
        results[i] = result
        if journal is not None:
            journal.append(result, network if names else None)
        points_done += len(task.indices)
        if progress is not None:
            progress(points_done, total)
    return ([(tasks[i][0], r) for i, r in enumerate(results) if r is not None],
            [f for _, f in sorted(failures, key=lambda x: x[0])])


def _worker_count(pool: concurrent.futures.Executor, workers: Optional[int]) -> int:
    """The executor's workers when it says (a process pool, a Dask client's executor), else
    ``workers`` or the local cores."""
    count = getattr(pool, "_max_workers", None)
    client = getattr(pool, "_client", None)
    if count is None and client is not None:
        try:
            count = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        except Exception:  # noqa: BLE001 - any other client: fall back
            count = None
    return max(1, int(count or workers or os.cpu_count() or 1))


def _network_source(net: Network) -> _NetworkSource:
    origin = net._origin
    if origin.data is not None:
        data = origin.data
    else:
        with open(net.path, "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != net.sha256:
            raise _core.InputError(f"{net.path}: the file changed since it was loaded; load it "
                                   "again")
    return _NetworkSource(origin.kind, net.path, data, net.sha256, origin.batch,
                          tuple(sorted(origin.dims.items())), origin.skip_unresolved)


def _checkpoint_key(sources: Sequence[_NetworkSource], sweep_text: str, sweep_path: str,
                    options: _Options, sample: Optional[str], budget: Optional[int], seed: int,
                    batch: int) -> str:
    """What a checkpoint's results depend on: the networks, the sweep and the options (not the
    threads, which change no result; nor the sampling, whose points are each explored as in the
    full grid, so that a sampled run and a full one can share a file)."""
    del sample, budget, seed, batch
    nets: list[Any] = [[s.sha256, s.kind, s.batch, s.dims, s.skip_unresolved] for s in sources]
    what = [*(nets[0] if len(nets) == 1 else [nets]),
            hashlib.sha256(sweep_text.encode()).hexdigest(), sweep_path, options.objective,
            options.model, options.max_candidates, options.area_budget_um2,
            options.power_budget_mw, options.latency_slack, _core.__version__]
    return hashlib.sha256(json.dumps(what).encode()).hexdigest()


class _Checkpoint:
    """A results file of JSON lines: a header naming the exploration, then one finished chunk a
    line, each flushed and synced as it finishes. A last line cut short by a crash is ignored.
    Python's json writes every float so that it reads back exactly."""

    def __init__(self, path: str, key: str, resume: bool) -> None:
        self.path = path
        self.restored: list[dict[str, Any]] = []
        header = {"cadenza_dse_checkpoint": _CHECKPOINT_FORMAT, "exploration": key}
        if resume and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
            try:
                first = json.loads(lines[0])
            except ValueError:
                first = None
            if first != header:
                raise _core.InputError(f"{path}: not a checkpoint of this exploration (another "
                                       "network, sweep or options); remove it or pass "
                                       "resume=False")
            complete = lines[1:-1]  # the last element follows the last newline
            for n, line in enumerate(complete, start=2):
                try:
                    chunk = json.loads(line)
                except ValueError as e:
                    raise _core.InputError(f"{path}:{n}: not a chunk's result: {e}") from e
                if not (isinstance(chunk, dict) and isinstance(chunk.get("points"), list)
                        and isinstance(chunk.get("groups"), list)):
                    raise _core.InputError(f"{path}:{n}: not a chunk's result (no points and "
                                           "groups)")
                self.restored.append(chunk)
            if lines[-1]:
                # A chunk cut short by a crash: rewrite the file without it.
                _write_atomically(path, "\n".join(lines[:-1]) + "\n")
        else:
            _write_atomically(path, json.dumps(header) + "\n")

    def append(self, result: dict[str, Any], network: Optional[int] = None) -> None:
        line = {k: result[k] for k in ("points", "groups")}
        if network is not None:  # one of several networks
            line["network"] = network
        text = json.dumps(line) + "\n"
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())


def _ranges(points: Iterable[int]) -> str:
    """"0-19, 40, 42-43"."""
    parts: list[str] = []
    run: list[int] = []
    for p in sorted(points):
        if run and p == run[-1] + 1:
            run.append(p)
            continue
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [p]
    if run:
        parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ", ".join(parts)


def _command_line(net: Network, call: _Call) -> str:
    """The ``cadenza dse`` command that gives the same report, when there is one, else a
    description of the Python call."""
    options = call.options
    cmd = ["cadenza", "dse", net.path, "--sweep", call.sweep_path, "--objective",
           options.objective, "--model", options.model]
    if options.max_candidates != DEFAULT_MAX_CANDIDATES:
        cmd += ["--max-candidates", str(options.max_candidates)]
    if options.area_budget_um2:
        cmd += ["--area-budget", repr(options.area_budget_um2)]
    if options.power_budget_mw:
        cmd += ["--power-budget", repr(options.power_budget_mw)]
    if options.latency_slack >= 0:
        cmd += ["--latency-slack", _percent(options.latency_slack)]
    origin = net._origin
    if (origin.data is not None or origin.batch is not None or origin.dims
            or origin.skip_unresolved or call.sample is not None):
        sampling = call.sampling()
        return (f"cadenza.dse({net.path!r}, {call.sweep_path!r}, objective={options.objective!r}"
                + (f", {sampling}" if sampling else "") + ")")
    return " ".join(shlex.quote(a) for a in cmd)
