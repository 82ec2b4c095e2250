"""Evaluating a MAESTRO ``.m`` network under the dataflows it gives (``cadenza eval``)."""

from __future__ import annotations

import html
import importlib
import json
import os
import warnings
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Union

from . import _core
from ._hardware import Hardware
from ._search import EnergyBreakdown

#: What :func:`evaluate` takes as its network: a ``.m`` file's path, or its text (a ``str``
#: holding a newline, or ``bytes``).
MappingSource = Union[str, "os.PathLike[str]", bytes]
#: What :func:`evaluate` takes as its hardware: a :class:`Hardware`, a preset name or a file.
HardwareSource = Union[Hardware, str, "os.PathLike[str]", None]

#: The name messages and documents give a ``.m`` network passed as text.
TEXT_NAME = "<MAESTRO text>"


@dataclass(frozen=True)
class EvalLayer:
    """One layer under its file's dataflow. Cycles, energies and MACs are one instance's
    (``instances`` says how often the layer runs; :class:`EvalTotals` counts every one).

    When ``error`` is set (only with ``keep_going=True``) the layer has no result: the cost
    fields are None.
    """

    index: int
    name: str
    kind: str  #: the ``.m`` layer type, e.g. "CONV"
    dims: Mapping[str, int]
    stride: tuple[int, int]  #: (y, x)
    instances: int
    dataflow: tuple[str, ...]  #: the ``.m`` directives, one per item
    exact_macs: int  #: the layer's true MAC count
    error: Optional[str]  #: why there is no result ("file:line: layer 'x': ...")
    infeasible: Optional[str]  #: the reason's short name when the mapping is infeasible
    warnings: tuple[str, ...]
    runtime_cycles: Optional[int]
    macs: Optional[int]  #: as the cost model counts them
    energy_pj: Optional[float]  #: MAC + L1 + L2 + off-chip
    energy_breakdown_pj: Optional[EnergyBreakdown]
    utilization: Optional[float]
    l1_need_bytes: Optional[int]  #: per PE
    l2_need_bytes: Optional[int]
    #: the exact model's counts (``model="exact"``; spec/exact-model.md), else None
    exact: Optional[Mapping[str, Any]]
    #: every statistic of the layer, as ``cadenza eval --json`` writes it
    stats: Mapping[str, Any]

    @classmethod
    def _from_json(cls, index: int, d: Mapping[str, Any]) -> EvalLayer:
        ok = d["error"] is None
        stride = d["stride"]
        return cls(
            index=index, name=d["name"], kind=d["type"], dims=dict(d["dims"]),
            stride=(stride["y"], stride["x"]), instances=d["instances"],
            dataflow=tuple(d.get("dataflow") or ()), exact_macs=d["exact_macs"],
            error=d["error"], infeasible=d.get("infeasible"),
            warnings=tuple(d.get("warnings") or ()),
            runtime_cycles=d.get("runtime_cycles"), macs=d.get("macs"),
            energy_pj=d.get("total_energy_pj"),
            energy_breakdown_pj=EnergyBreakdown(
                mac=d["mac_energy_pj"], l1=d["l1_energy_pj"], l2=d["l2_energy_pj"],
                offchip=d["offchip_energy_pj"]) if ok else None,
            utilization=d.get("utilization"), l1_need_bytes=d.get("l1_need_bytes"),
            l2_need_bytes=d.get("l2_need_bytes"), exact=d.get("exact"), stats=dict(d))


@dataclass(frozen=True)
class EvalTotals:
    """The network's sums over the layers with a result (``failed`` counts the others)."""

    layers: int
    failed: int
    runtime_cycles: int
    energy_pj: float  #: MAC + L1 + L2 + off-chip
    energy_nj: float  #: MAESTRO's CSV energy (its activity counts; under exact, the total)
    macs: int  #: as the cost model counts them
    exact_macs: int
    utilization: float
    max_l1_need_bytes: int
    max_l2_need_bytes: int
    max_noc_bw_per_cycle: int

    @classmethod
    def _from_json(cls, d: Mapping[str, Any]) -> EvalTotals:
        return cls(
            layers=d["layers"], failed=d["failed"], runtime_cycles=d["runtime_cycles"],
            energy_pj=d["total_energy_pj"], energy_nj=d["energy_nj"], macs=d["macs"],
            exact_macs=d["exact_macs"], utilization=d["utilization"],
            max_l1_need_bytes=d["max_l1_need_bytes"], max_l2_need_bytes=d["max_l2_need_bytes"],
            max_noc_bw_per_cycle=d["max_noc_bw_per_cycle"])


class EvalResult:
    """What :func:`cadenza.evaluate` computed: per-layer results and totals.

    The same data as ``cadenza eval``: :meth:`to_json` is its ``--json`` document,
    :meth:`to_csv` its ``--csv`` (the original tool's columns and Cadenza's), :meth:`summary`
    the table it prints.
    """

    def __init__(self, report: _core.EvalReport, hardware: Hardware) -> None:
        self._report = report
        self._json = report.json()
        data = json.loads(self._json)
        self.hardware = hardware
        self.network: str = data["network"]  #: the ``.m`` network's name
        self.model: str = data["cost_model"]  #: "maestro" or "exact"
        self.mapping_file: str = data["mapping_file"]  #: the path, or TEXT_NAME
        self.warnings: tuple[str, ...] = tuple(data["warnings"])  #: the reader's
        self.layers: tuple[EvalLayer, ...] = tuple(
            EvalLayer._from_json(i, layer) for i, layer in enumerate(data["layers"]))
        self.totals = EvalTotals._from_json(data["total"])

    @property
    def errors(self) -> tuple[str, ...]:
        """The layers without a result, by their messages (``keep_going=True`` only)."""
        return tuple(layer.error for layer in self.layers if layer.error is not None)

    def to_json(self) -> str:
        """The document ``cadenza eval --json`` writes for the same inputs."""
        return self._json

    def to_dict(self) -> dict[str, Any]:
        """The JSON document as Python objects."""
        result: dict[str, Any] = json.loads(self._json)
        return result

    def to_csv(self) -> str:
        """The CSV ``cadenza eval --csv`` writes: MAESTRO's columns, then Cadenza's."""
        text: str = self._report.csv()
        return text

    def summary(self) -> str:
        """The column-aligned table ``cadenza eval`` prints."""
        text: str = self._report.text()
        return text

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` with one row per layer: the scalar fields of
        :class:`EvalLayer` (energy broken down into ``mac_pj``, ``l1_pj``, ``l2_pj``,
        ``offchip_pj``). Needs pandas."""
        try:
            pandas = importlib.import_module("pandas")
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("EvalResult.to_pandas() needs pandas (pip install pandas)") from e
        rows = []
        for layer in self.layers:
            row: dict[str, Any] = {
                k: getattr(layer, k) for k in (
                    "index", "name", "kind", "instances", "exact_macs", "macs",
                    "runtime_cycles", "energy_pj", "utilization", "l1_need_bytes",
                    "l2_need_bytes", "error")}
            row["dims"] = " ".join(f"{k}{v}" for k, v in layer.dims.items())
            breakdown = layer.energy_breakdown_pj
            for level in ("mac", "l1", "l2", "offchip"):
                row[f"{level}_pj"] = getattr(breakdown, level) if breakdown else None
            rows.append(row)
        return pandas.DataFrame(rows).set_index("index")

    def _repr_html_(self) -> str:
        """A compact table for notebooks."""
        t = self.totals
        failed = f", <b>{t.failed} failed</b>" if t.failed else ""
        head = (f"<p><b>{html.escape(self.network)}</b>: {t.layers} layers on "
                f"{self.hardware.num_pes} PEs, cost model {self.model}; "
                f"{t.runtime_cycles:,} cycles, {_core.format_si(t.energy_pj * 1e-12, 'J')}, "
                f"utilization {t.utilization:.1%}{failed}</p>")

        def cell(value: Optional[int]) -> str:
            return "" if value is None else f"{value:,}"

        rows = "".join(
            f"<tr><td>{layer.index}</td><td>{html.escape(layer.name)}</td>"
            f"<td>{html.escape(layer.kind)}</td><td>{cell(layer.runtime_cycles)}</td>"
            f"<td>{'' if layer.energy_pj is None else _core.format_si(layer.energy_pj * 1e-12, 'J')}</td>"
            f"<td>{'' if layer.utilization is None else f'{layer.utilization:.1%}'}</td>"
            f"<td>{html.escape(layer.error or '')}</td></tr>"
            for layer in self.layers)
        return (head + "<table><thead><tr><th>#</th><th>layer</th><th>type</th><th>cycles</th>"
                "<th>energy</th><th>util</th><th>error</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")

    def __repr__(self) -> str:
        t = self.totals
        return (f"<cadenza.EvalResult {self.network!r}: {t.layers} layers, "
                f"{t.runtime_cycles:,} cycles, {t.energy_pj:.6g} pJ, model {self.model}>")


def evaluate(mapping: MappingSource, hw: HardwareSource = None, *, model: str = "maestro",
             simd_lanes: Optional[int] = None, keep_going: bool = False) -> EvalResult:
    """Evaluates every layer of a MAESTRO ``.m`` network under the dataflow the file gives it,
    as ``cadenza eval --mapping F.m --hw H --model M [--simd-lanes N]`` does.

    ``mapping`` is the ``.m`` file's path, or its text: ``bytes``, or a ``str`` holding a
    newline (such as :meth:`SearchResult.to_maestro`'s); messages then name it
    ``<MAESTRO text>``. ``hw`` is a :class:`Hardware`, a preset name (:meth:`Hardware.presets`)
    or a hardware file as ``--hw`` reads it; default: the preset ``cadenza eval`` uses without
    ``--hw``. ``model`` is ``"maestro"`` (default) or ``"exact"``. ``simd_lanes`` overrides the
    hardware's SIMD width.

    The reader's and each layer's warnings are issued as Python warnings (UserWarning), with
    the text the command prints. A layer that cannot be evaluated (the model cannot take it,
    an infeasible mapping, or under the exact model a mapping that misses or repeats MACs:
    "coverage: N MACs missing, M extra") raises :class:`cadenza.InputError` naming the file,
    line and layer; with ``keep_going=True`` the result is returned instead, the layer with its
    ``error`` and no figures (``--keep-going``). The evaluation runs without the GIL.
    """
    if not isinstance(keep_going, bool):
        raise TypeError(f"cadenza.evaluate: keep_going must be a bool, not {keep_going!r}")
    if simd_lanes is not None and (isinstance(simd_lanes, bool) or not isinstance(simd_lanes, int)):
        raise TypeError(f"cadenza.evaluate: simd_lanes must be an int or None, not {simd_lanes!r}")
    hardware = _hardware_of(hw)
    text, name = _mapping_of(mapping)
    report = _core.evaluate(text, name, hardware.to_text(), hardware.source, model, simd_lanes)
    errors = []
    for is_error, message in report.messages():
        if is_error:
            errors.append(message)
        else:
            warnings.warn(message, UserWarning, stacklevel=2)
    if errors and not keep_going:
        raise _core.InputError("\n".join(errors) + "\n(keep_going=True returns the other layers)")
    return EvalResult(report, hardware)


def _mapping_of(mapping: MappingSource) -> tuple[str, Optional[str]]:
    """(path, None) for a file, (text, its name) for a network given as text."""
    if isinstance(mapping, (bytes, bytearray, memoryview)):
        return bytes(mapping).decode("utf-8"), TEXT_NAME
    if isinstance(mapping, str) and "\n" in mapping:
        return mapping, TEXT_NAME
    if isinstance(mapping, (str, os.PathLike)):
        return os.fspath(mapping), None
    raise TypeError("cadenza.evaluate: expected a .m file's path or its text, not "
                    f"{type(mapping).__name__}")


def _hardware_of(hw: HardwareSource) -> Hardware:
    """The hardware ``hw`` names: itself, a preset or a file."""
    if hw is None:
        return Hardware.preset("default")
    if isinstance(hw, Hardware):
        return hw
    if isinstance(hw, (str, os.PathLike)):
        path = os.fspath(hw)
        if os.path.exists(path):
            return Hardware.from_file(path)
        if path in Hardware.presets():
            return Hardware.preset(path)
        raise _core.InputError(f"{path}: neither a hardware file nor a preset; the presets are "
                               f"{', '.join(Hardware.presets())}")
    raise TypeError("cadenza.evaluate: hw must be a cadenza.Hardware, a preset name or a file, "
                    f"not {type(hw).__name__}")
