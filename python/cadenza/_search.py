"""The per-layer dataflow search and its result (the review report's data)."""

from __future__ import annotations

import html
import importlib
import json
import os
import shlex
import time
from dataclasses import dataclass
import sys
import warnings
from typing import Any, Callable, Mapping, Optional, Union

from . import _core
from ._hardware import Hardware
from ._network import Network

#: The objectives search() takes; "runtime" is another name for "latency".
OBJECTIVES = ("latency", "energy", "edp")
_OBJECTIVE_ALIASES = {"runtime": "latency"}


@dataclass(frozen=True)
class EnergyBreakdown:
    """Energy by where it is spent, in pJ."""

    mac: float
    l1: float
    l2: float
    offchip: float

    @property
    def total(self) -> float:
        return self.mac + self.l1 + self.l2 + self.offchip

    @classmethod
    def _from_json(cls, d: Mapping[str, float]) -> EnergyBreakdown:
        return cls(mac=d["mac"], l1=d["l1"], l2=d["l2"], offchip=d["offchip"])


@dataclass(frozen=True)
class RunnerUp:
    """The best other dataflow family for a layer and how much worse it is (0.25 = 25 %)."""

    dataflow: str
    margin: float


@dataclass(frozen=True)
class LayerResult:
    """The search's answer for one layer. Cycles, energies and MACs count every instance.

    When ``found`` is false no candidate fits the hardware: ``note`` says why and the cost
    fields are None.
    """

    index: int
    name: str
    op_type: str
    kind: str
    dims: Mapping[str, int]
    instances: int
    exact_macs: int
    found: bool
    note: Optional[str]
    dataflow: Optional[str]  #: the chosen template family, e.g. "kcp"
    params: Mapping[str, int]  #: the template's parameters, e.g. {"TK": 1, "CL": 64}
    params_text: str  #: the same as "TK=1 CL=64"
    mapping: str  #: the chosen dataflow as ``.m`` directives, one per line
    runtime_cycles: Optional[int]
    energy_pj: Optional[float]
    energy_breakdown_pj: Optional[EnergyBreakdown]
    utilization: Optional[float]  #: exact MACs / (PEs x SIMD lanes x cycles)
    l1_need_bytes: Optional[int]  #: per PE
    l2_need_bytes: Optional[int]
    noc_bw_need_per_cycle: Optional[int]
    offchip_bw_need_per_cycle: Optional[int]
    runner_up: Optional[RunnerUp]
    candidates: int
    feasible_candidates: int
    #: not evaluated: their lower bound could not beat their family's best (no choice changes)
    skipped_candidates: int
    warnings: tuple[str, ...]

    @classmethod
    def _from_json(cls, d: Mapping[str, Any]) -> LayerResult:
        found = bool(d["found"])
        breakdown = d.get("energy_breakdown_pj")
        runner_up = d.get("runner_up")
        return cls(
            index=d["index"], name=d["name"], op_type=d["op_type"], kind=d["kind"],
            dims=dict(d["dims"]), instances=d["instances"], exact_macs=d["exact_macs"],
            found=found, note=d["note"], dataflow=d["dataflow"],
            params=dict(d.get("params") or {}), params_text=d.get("params_text") or "",
            mapping=d.get("mapping") or "", runtime_cycles=d.get("runtime_cycles"),
            energy_pj=d.get("energy_pj"),
            energy_breakdown_pj=EnergyBreakdown._from_json(breakdown) if breakdown else None,
            utilization=d.get("utilization"), l1_need_bytes=d.get("l1_need_bytes"),
            l2_need_bytes=d.get("l2_need_bytes"),
            noc_bw_need_per_cycle=d.get("noc_bw_need_per_cycle"),
            offchip_bw_need_per_cycle=d.get("offchip_bw_need_per_cycle"),
            runner_up=RunnerUp(runner_up["dataflow"], runner_up["margin"]) if runner_up else None,
            candidates=d["candidates"], feasible_candidates=d["feasible_candidates"],
            skipped_candidates=d["skipped_candidates"], warnings=tuple(d["warnings"]))


@dataclass(frozen=True)
class Totals:
    """The whole network under the adaptive per-layer choice (layers without a mapping are
    left out of the sums and counted in ``layers_without_mapping``)."""

    runtime_cycles: int
    runtime_seconds: float
    energy_pj: float
    energy_breakdown_pj: EnergyBreakdown
    edp_pj_cycles: float
    objective_value: float
    macs: int  #: as the cost model counts them
    exact_macs: int
    utilization: float
    layers: int
    distinct_layers: int
    layers_without_mapping: int

    @classmethod
    def _from_json(cls, d: Mapping[str, Any]) -> Totals:
        return cls(
            runtime_cycles=d["runtime_cycles"], runtime_seconds=d["runtime_seconds"],
            energy_pj=d["energy_pj"],
            energy_breakdown_pj=EnergyBreakdown._from_json(d["energy_breakdown_pj"]),
            edp_pj_cycles=d["edp_pj_cycles"], objective_value=d["objective_value"],
            macs=d["macs"], exact_macs=d["exact_macs"], utilization=d["utilization"],
            layers=d["layers"], distinct_layers=d["distinct_layers"],
            layers_without_mapping=d["layers_without_mapping"])


@dataclass(frozen=True)
class Baseline:
    """The network with one dataflow family for every layer (parameters tuned per layer)."""

    dataflow: str
    runtime_cycles: int
    energy_nj: float
    edp_pj_cycles: float
    objective_value: float
    #: over ``compared_layers`` only; > 1: worse than the adaptive per-layer choice there;
    #: None when the family maps no layer
    ratio_to_adaptive: Optional[float]
    compared_layers: int  #: layers both this family and the adaptive choice map
    adaptive_compared_objective_value: float  #: the adaptive choice over those layers
    layers_without_mapping: int
    complete: bool  #: every layer has a mapping in this family (else totals not comparable)


class SearchResult:
    """What :func:`cadenza.search` found: per-layer results, totals and baselines.

    The same data as ``cadenza search``'s report: :meth:`to_json` is its JSON document
    (docs/report-schema.md), :meth:`to_html` its HTML page.
    """

    def __init__(self, report: _core.Report, network: Network, hardware: Hardware) -> None:
        self._report = report
        self._json = report.json()
        data = json.loads(self._json)
        self.network = network
        self.hardware = hardware
        self.objective: str = data["objective"]
        self.model: str = data["cost_model"]  #: the cost model: "exact" or "maestro"
        self.layers: tuple[LayerResult, ...] = tuple(
            LayerResult._from_json(layer) for layer in data["layers"])
        self.totals = Totals._from_json(data["total"])
        self.baselines: tuple[Baseline, ...] = tuple(
            Baseline(**b) for b in data["baselines"])
        self.candidates_evaluated: int = data["search"]["candidates_evaluated"]
        self.candidates_feasible: int = data["search"]["candidates_feasible"]
        #: candidates not evaluated because their lower bound could not beat the best of their
        #: family (the exact model's search; no choice changes)
        self.candidates_skipped: int = data["search"]["candidates_skipped"]
        #: infeasible candidates by reason, e.g. {"l1-overflow": 28288}
        self.infeasible: dict[str, int] = {
            r["reason"]: r["count"] for r in data["search"]["infeasible"]}
        self.warnings: tuple[str, ...] = tuple(data["warnings"])
        #: the OpenMP threads the search ran on (``threads=``, else ``OMP_NUM_THREADS`` or the
        #: cores); the result never depends on it
        self.threads: int = report.threads
        self._command_line: str = data["command_line"]

    def to_json(self) -> str:
        """The report as JSON, the document ``cadenza search --json`` writes."""
        return self._json

    def to_dict(self) -> dict[str, Any]:
        """The JSON document as Python objects."""
        result: dict[str, Any] = json.loads(self._json)
        return result

    def to_html(self, path: Union[str, "os.PathLike[str]", None] = None) -> str:
        """The self-contained HTML review page (``cadenza search -o``). Written to ``path``
        when given (replaced atomically, as the CLI does); returned in any case."""
        page: str = self._report.html()
        if path is not None:
            _write_atomically(os.fspath(path), page)
        return page

    def to_csv(self) -> str:
        """One CSV row per layer (``cadenza search --csv``)."""
        text: str = self._report.csv()
        return text

    def to_maestro(self, path: Union[str, "os.PathLike[str]", None] = None) -> str:
        """The chosen mapping of every layer as a MAESTRO ``.m`` network, the file ``cadenza
        search --emit-maestro`` writes (headed by comments saying where it came from):
        ``cadenza.evaluate(result.to_maestro(), result.hardware, model=result.model)`` (or
        ``cadenza eval``) gives back each layer's runtime and energy. A layer without a
        feasible mapping is left out, with a warning. Written to ``path`` when given (replaced
        atomically); returned in any case. Raises :class:`cadenza.InputError` when no layer
        has a mapping."""
        left_out = sum(1 for layer in self.layers if not layer.found)
        if left_out:
            warnings.warn(f"to_maestro: {left_out} layer(s) have no feasible mapping and are "
                          "left out of the .m network", UserWarning, stacklevel=2)
        text: str = _core.search_maestro_text(self._report, self._maestro_comments())
        if path is not None:
            _write_atomically(os.fspath(path), text)
        return text

    def _maestro_comments(self) -> list[str]:
        """The comments heading :meth:`to_maestro`'s text (cli/run_support.cc's, for a Python
        search)."""
        source = self.hardware.source
        if os.path.exists(source) or source.startswith("built-in default"):
            hw_arg = f" --hw {shlex.quote(source)}" if os.path.exists(source) else ""
            how = f"cadenza eval --mapping THIS.m{hw_arg} --model {self.model}"
        else:
            how = f"cadenza.evaluate(THIS, hw, model={self.model!r}) with the hardware above"
        return [f"The mapping chosen for every layer by cadenza {_core.__version__}:",
                f"  {self._command_line}",
                f"hardware: {source}",
                f"cost model: {self.model}",
                f"Evaluate it: {how}"]

    def summary(self) -> str:
        """The column-aligned summary ``cadenza search`` prints."""
        text: str = self._report.text()
        return text

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` with one row per layer: the fields of :class:`LayerResult` (energy broken down into
        ``mac_pj``, ``l1_pj``, ``l2_pj``, ``offchip_pj``). Needs pandas."""
        try:
            pandas = importlib.import_module("pandas")
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("SearchResult.to_pandas() needs pandas (pip install pandas)") from e
        rows = []
        for layer in self.layers:
            row: dict[str, Any] = {
                k: getattr(layer, k) for k in (
                    "index", "name", "op_type", "kind", "instances", "exact_macs", "found",
                    "dataflow", "params_text", "runtime_cycles", "energy_pj", "utilization",
                    "l1_need_bytes", "l2_need_bytes", "noc_bw_need_per_cycle",
                    "offchip_bw_need_per_cycle", "candidates", "note")}
            row["dims"] = " ".join(f"{k}{v}" for k, v in layer.dims.items())
            breakdown = layer.energy_breakdown_pj
            for level in ("mac", "l1", "l2", "offchip"):
                row[f"{level}_pj"] = getattr(breakdown, level) if breakdown else None
            row["runner_up"] = layer.runner_up.dataflow if layer.runner_up else None
            row["runner_up_margin"] = layer.runner_up.margin if layer.runner_up else None
            rows.append(row)
        return pandas.DataFrame(rows).set_index("index")

    def _repr_html_(self) -> str:
        """A compact table for notebooks (the full page is :meth:`to_html`)."""
        t = self.totals
        head = (f"<p><b>{html.escape(self.network.name or self.network.path)}</b>: "
                f"{t.layers} layers on {self.hardware.num_pes} PEs, objective {self.objective}; "
                f"{t.runtime_cycles:,} cycles, {_core.format_si(t.energy_pj * 1e-12, 'J')}, "
                f"utilization {t.utilization:.1%}</p>")
        rows = "".join(
            f"<tr><td>{layer.index}</td><td>{html.escape(layer.name)}</td>"
            f"<td>{html.escape(layer.op_type)}</td>"
            f"<td>{html.escape(layer.dataflow or '—')}</td>"
            f"<td>{html.escape(layer.params_text)}</td>"
            f"<td>{'' if layer.runtime_cycles is None else f'{layer.runtime_cycles:,}'}</td>"
            f"<td>{'' if layer.utilization is None else f'{layer.utilization:.1%}'}</td>"
            f"<td>{html.escape(layer.runner_up.dataflow) if layer.runner_up else ''}</td></tr>"
            for layer in self.layers)
        return (head + "<table><thead><tr><th>#</th><th>layer</th><th>op</th><th>dataflow</th>"
                "<th>params</th><th>cycles</th><th>util</th><th>runner-up</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")

    def __repr__(self) -> str:
        t = self.totals
        return (f"<cadenza.SearchResult {self.network.name!r}: {t.layers} layers, "
                f"{t.runtime_cycles:,} cycles, {t.energy_pj:.6g} pJ, objective {self.objective}>")


#: What ``search(progress=...)`` takes: a callable of (candidates done, total), True for a bar.
ProgressArg = Union[None, bool, Callable[[int, int], Any]]


def search(net: Network, hw: Optional[Hardware] = None, *, objective: str = "edp",
           model: str = "exact", threads: Optional[int] = None,
           max_candidates: int = 20_000, progress: ProgressArg = None,
           latency_slack: Optional[float] = None) -> SearchResult:
    """Finds the best dataflow for every layer of ``net`` on ``hw``.

    ``hw`` defaults to the preset ``cadenza search`` uses without ``--hw``. ``objective`` is
    what each layer minimises: ``"latency"`` (or ``"runtime"``), ``"energy"`` or ``"edp"`` (the
    CLI's default). ``model`` is the cost model, ``"exact"`` (default, as the CLI's) or
    ``"maestro"``. ``threads``
    defaults to ``OMP_NUM_THREADS``, else every core; the answer never depends on it
    (:attr:`SearchResult.threads` records it). ``max_candidates`` is the number of candidates
    kept per layer and template (``--max-candidates``). ``latency_slack`` (``--latency-slack``,
    as a fraction: 0.05 is 5%), with the energy or edp objective: each layer chooses only among
    its mappings within that fraction of its fastest, then minimises the objective.

    ``progress``: a callable, called from the calling thread with ``(candidates evaluated,
    candidates in all)`` every 50 ms or so while the count moves and once at the end with
    ``(total, total)``; ``True`` shows a tqdm bar (a line on stderr without tqdm); ``None``
    (default) or ``False``: nothing. An exception from the callable stops the search and
    propagates.

    The search runs without the GIL, in a worker thread; the calling thread checks for signals
    every 50 ms, so Ctrl-C (KeyboardInterrupt) stops it within a fraction of a second, leaving
    no partial result. Raises :class:`cadenza.InputError` for a bad argument or a network that
    cannot be searched.
    """
    if not isinstance(net, Network):
        raise TypeError(f"cadenza.search: expected a cadenza.Network, not {type(net).__name__}")
    hardware = Hardware.preset("default") if hw is None else hw
    objective = _OBJECTIVE_ALIASES.get(objective, objective)
    slack = _latency_slack_of(latency_slack)
    provenance = {
        "model_path": net.path,
        "model_sha256": net.sha256,
        "date": _iso_date(),
        "command_line": _command_line(net, hardware, objective, model, threads, max_candidates,
                                      slack),
        "hardware_text": hardware.text,
    }
    if isinstance(threads, bool) or not isinstance(threads, (int, type(None))):
        raise TypeError(f"cadenza.search: threads must be an int or None, not {threads!r}")
    callback, close = _progress_callback(progress)
    try:
        report = _core.search(net._core, hardware.to_text(), hardware.source, objective, model,
                              0 if threads is None else threads, max_candidates, provenance,
                              callback, latency_slack=slack)
    finally:
        close()
    return SearchResult(report, net, hardware)


def _progress_callback(
        progress: ProgressArg) -> tuple[Optional[Callable[[int, int], Any]], Callable[[], None]]:
    """The core's callback for ``search(progress=...)`` and what closes its display."""
    if progress is None or progress is False:
        return None, lambda: None
    if progress is not True:
        if not callable(progress):
            raise TypeError("cadenza.search: progress must be a callable, True, False or None, "
                            f"not {type(progress).__name__}")
        return progress, lambda: None
    try:
        tqdm = importlib.import_module("tqdm.auto").tqdm
    except ImportError:
        line = _StderrLine()
        return line, line.close
    bar = tqdm(total=0, unit="cand", desc="searching", unit_scale=True)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return update, bar.close


class _StderrLine:
    """``progress=True`` without tqdm: a ``\\r``-updated line on stderr."""

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        sys.stderr.write(f"\rsearching: {percent}% ({done:,}/{total:,} candidates)")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")


def _iso_date() -> str:
    """Now in UTC, ISO 8601; SOURCE_DATE_EPOCH overrides the clock (as in the CLI)."""
    now = time.time()
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        now = float(epoch)
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))


def _latency_slack_of(latency_slack: Optional[float]) -> float:
    """The core's latency slack for a Python argument: the fraction, or -1 for None. The core
    checks the rest (0 or more, not with the latency objective)."""
    if latency_slack is None:
        return -1.0
    if isinstance(latency_slack, bool) or not isinstance(latency_slack, (int, float)):
        raise TypeError(f"latency_slack must be a number, not {latency_slack!r}")
    if not latency_slack >= 0:
        raise _core.InputError("latency_slack must be a fraction of 0 or more (0.05: within 5%)")
    return float(latency_slack)


def _percent(fraction: float) -> str:
    """A fraction as the CLI's percentage: 0.05 -> "5%"."""
    return f"{fraction * 100:g}%"


def _command_line(net: Network, hw: Hardware, objective: str, model: str,
                  threads: Optional[int], max_candidates: int, latency_slack: float = -1.0) -> str:
    """The CLI command that reproduces this search when there is one, else a description of the
    Python call."""
    args = [f"objective={objective!r}", f"model={model!r}"]
    if latency_slack >= 0:
        args.append(f"latency_slack={latency_slack!r}")
    call = f"cadenza.search({net.path!r}, {hw.source!r}, {', '.join(args)})"
    reproducible = (os.path.exists(net.path)
                    and (hw._text is not None and (hw._source == hw.source)))
    if not reproducible:
        return call
    cmd = ["cadenza", "search", net.path]
    if os.path.exists(hw.source):
        cmd += ["--hw", hw.source]
    elif not hw.source.startswith("built-in default"):
        return call
    cmd += ["--model", model, "--objective", objective]
    if threads:
        cmd += ["--threads", str(threads)]
    if max_candidates != 20_000:
        cmd += ["--max-candidates", str(max_candidates)]
    if latency_slack >= 0:
        cmd += ["--latency-slack", _percent(latency_slack)]
    return " ".join(shlex.quote(a) for a in cmd)


def _write_atomically(path: str, text: str) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    try:
        mode = os.stat(path).st_mode & 0o7777
        os.chmod(tmp, mode)
    except FileNotFoundError:
        pass
    os.replace(tmp, path)
