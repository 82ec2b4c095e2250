"""Several networks in one exploration: each network's own report, and the aggregate over them
(docs/dse.md, "Several networks"; the JSON document in docs/report-schema.md).

For network n and design point p, the network's objective o(n, p) (cycles, energy or EDP, as
``objective`` says) is normalised by its lowest value over the points feasible for every
network, o*(n): 1.0 is the best any such point does for that network. Then, with weights w(n)
scaled to sum to 1,

    weighted(p)   = sum over n of w(n) * o(n, p) / o*(n)
    worst_case(p) = max over n with w(n) > 0 of o(n, p) / o*(n)

and, the same way, aggregate latency and energy (cycles and energy normalised by their own
lowest values). The aggregate Pareto front is over (aggregate latency, aggregate energy,
provisioned area), the three axes of one network's front; the chosen designs are the points with
the lowest weighted and worst-case objective (ties to the lower index). Every figure is computed
serially, in network and point order, from the per-network results, which are the same whatever
the executor: so is the aggregate.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
from typing import TYPE_CHECKING, Any, Optional, Sequence

from ._network import Network
from ._search import _iso_date, _write_atomically

if TYPE_CHECKING:
    from . import _core
    from ._dse import DseResult, PathLike, _Call

SCHEMA_VERSION = 1
_OBJECTIVE_FIELD = {"latency": "runtime_cycles", "energy": "energy_pj", "edp": "edp_pj_cycles"}


def _dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))


class MultiDseResult:
    """What :func:`cadenza.dse` found for several networks: ``networks[i]`` is network i's own
    :class:`cadenza.DseResult` (the report ``cadenza dse`` writes for it alone), and the aggregate:
    ``best_weighted``, ``best_worst_case``, ``pareto`` (point indices of the report) and
    ``points`` (each point's aggregate and per-network figures, as in :meth:`to_json`)."""

    def __init__(self, results: Sequence[DseResult], nets: Sequence[Network],
                 weights: Sequence[float], call: _Call, sweep: _core.Sweep,
                 explored: Optional[Sequence[int]]) -> None:
        self.networks: tuple[DseResult, ...] = tuple(results)
        self.weights: tuple[float, ...] = tuple(weights)
        self._call = call
        total = sum(weights)
        share = [w / total for w in weights]
        per_net = [r.points for r in results]
        count = len(per_net[0])
        field = _OBJECTIVE_FIELD[call.options.objective]
        feasible = [all(points[k]["feasible"] for points in per_net) for k in range(count)]

        def lowest(n: int, key: str) -> Optional[float]:
            values = [float(per_net[n][k][key]) for k in range(count) if feasible[k]]
            return min(values) if values else None

        keys = ("runtime_cycles", "energy_pj", field)
        reference = [{key: lowest(n, key) for key in keys} for n in range(len(nets))]

        def ratio(n: int, k: int, key: str) -> float:
            ref = reference[n][key]
            value = float(per_net[n][k][key])
            return value / ref if ref else (1.0 if value == 0 else float("inf"))

        points: list[dict[str, Any]] = []
        for k in range(count):
            first = per_net[0][k]
            point: dict[str, Any] = {
                "index": k,
                "sweep_index": results[0].sweep_indices[k],
                "label": first["label"],
                "feasible": feasible[k],
                "reason": None if feasible[k] else "; ".join(
                    f"{net.path}: {points[k]['reason']}" for net, points in zip(nets, per_net)
                    if not points[k]["feasible"]),
                "area_um2": first["provisioned"]["area_um2"],
                "peak_power_mw": first["provisioned"]["power_mw"],
                "pareto": False,
            }
            figures = []
            for n, points_n in enumerate(per_net):
                p = points_n[k]
                figures.append({
                    "feasible": p["feasible"],
                    "runtime_cycles": p["runtime_cycles"],
                    "energy_pj": p["energy_pj"],
                    "objective_value": p["objective_value"],
                    "normalised_objective": ratio(n, k, field) if feasible[k] else None,
                })
            if feasible[k]:
                normalised = [ratio(n, k, field) for n in range(len(nets))]
                weighted = 0.0
                latency = 0.0
                energy = 0.0
                for n in range(len(nets)):
                    weighted += share[n] * normalised[n]
                    latency += share[n] * ratio(n, k, "runtime_cycles")
                    energy += share[n] * ratio(n, k, "energy_pj")
                point["weighted"] = weighted
                point["worst_case"] = max(normalised[n] for n in range(len(nets)) if share[n] > 0)
                point["latency"] = latency
                point["energy"] = energy
            else:
                point["weighted"] = point["worst_case"] = None
                point["latency"] = point["energy"] = None
            point["networks"] = figures
            points.append(point)

        candidates = [p for p in points if p["feasible"]]

        def axes(p: dict[str, Any]) -> tuple[float, float, float]:
            return (p["latency"], p["energy"], p["area_um2"])

        for p in candidates:
            p["pareto"] = not any(_dominates(axes(q), axes(p)) for q in candidates)
        self.points: tuple[dict[str, Any], ...] = tuple(points)
        #: the aggregate front's points, by aggregate latency then index
        self.pareto: tuple[int, ...] = tuple(p["index"] for p in sorted(
            (p for p in candidates if p["pareto"]), key=lambda p: (p["latency"], p["index"])))

        def best(key: str) -> Optional[int]:
            if not candidates:
                return None
            chosen: dict[str, Any] = min(candidates, key=lambda p: (p[key], p["index"]))
            return int(chosen["index"])

        #: the point with the lowest weighted objective (None when none is feasible for all)
        self.best_weighted = best("weighted")
        #: the point with the lowest worst-case objective
        self.best_worst_case = best("worst_case")
        self._document = self._build_document(nets, share, reference, sweep, explored)

    def _build_document(self, nets: Sequence[Network], share: Sequence[float],
                        reference: Sequence[dict[str, Optional[float]]], sweep: _core.Sweep,
                        explored: Optional[Sequence[int]]) -> dict[str, Any]:
        call = self._call
        field = _OBJECTIVE_FIELD[call.options.objective]
        networks = []
        for n, (net, result) in enumerate(zip(nets, self.networks)):
            data = result.to_dict()
            networks.append({
                "path": net.path,
                "sha256": net.sha256,
                "network": data["model"]["network"],
                "weight": self.weights[n],
                "share": share[n],
                "lowest": {"runtime_cycles": reference[n]["runtime_cycles"],
                           "energy_pj": reference[n]["energy_pj"],
                           "objective_value": reference[n][field]},
                "best": result.best,
                "pareto": list(result.pareto),
            })
        return {
            "schema_version": SCHEMA_VERSION,
            "document": "dse-multi",
            "tool": "cadenza",
            "version": self.networks[0].to_dict()["version"],
            "date": _iso_date(),
            "command_line": self._command_line(nets),
            "objective": call.options.objective,
            "cost_model": call.options.model,
            "sweep": {"path": sweep.path, "points": len(sweep),
                      "explored": len(self.points),
                      "sampling": call.sampling() or None},
            "max_candidates_per_template": call.options.max_candidates,
            "area_budget_um2": call.options.area_budget_um2 or None,
            "power_budget_mw": call.options.power_budget_mw or None,
            "networks": networks,
            "aggregate": {
                "best_weighted": self.best_weighted,
                "best_worst_case": self.best_worst_case,
                "pareto": list(self.pareto),
                "feasible_points": sum(1 for p in self.points if p["feasible"]),
            },
            "points": list(self.points),
        }

    def _command_line(self, nets: Sequence[Network]) -> str:
        call = self._call
        args = [repr([n.path for n in nets]), repr(call.sweep_path),
                f"objective={call.options.objective!r}", f"model={call.options.model!r}",
                f"max_candidates={call.options.max_candidates}"]
        if call.options.latency_slack >= 0:
            args.append(f"latency_slack={call.options.latency_slack!r}")
        if any(w != 1.0 for w in self.weights):
            args.append(f"weights={list(self.weights)!r}")
        if call.sample is not None:
            args.append(call.sampling())
        return f"cadenza.dse({', '.join(args)})"

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.to_json())
        return result

    def to_json(self) -> str:
        """The aggregate report (docs/report-schema.md, "Several networks"): the same document
        whatever the executor and the chunking."""
        return json.dumps(self._document, indent=2) + "\n"

    def to_csv(self) -> str:
        """One row per design point: the aggregate figures, then each network's."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")  # quoted only when needed (RFC 4180)
        header = ["index", "sweep_index", "label", "feasible", "pareto", "area_um2",
                  "peak_power_mw", "weighted", "worst_case", "latency", "energy"]
        for n in range(len(self.networks)):
            header += [f"net{n}_runtime_cycles", f"net{n}_energy_pj",
                       f"net{n}_normalised_objective"]
        writer.writerow(header)
        for p in self.points:
            row = [p["index"], p["sweep_index"], p["label"], int(p["feasible"]),
                   int(p["pareto"]), p["area_um2"], p["peak_power_mw"], p["weighted"],
                   p["worst_case"], p["latency"], p["energy"]]
            for f in p["networks"]:
                row += [f["runtime_cycles"], f["energy_pj"], f["normalised_objective"]]
            writer.writerow(["" if v is None else repr(v) if isinstance(v, float) else str(v)
                             for v in row])
        return out.getvalue()

    def summary(self) -> str:
        """What ``cadenza-dse`` prints for several networks."""
        doc = self._document
        lines = [f"{len(self.networks)} networks, {doc['sweep']['explored']:,} of "
                 f"{doc['sweep']['points']:,} design points of {doc['sweep']['path']}"
                 + (f" ({doc['sweep']['sampling']})" if doc["sweep"]["sampling"] else "")
                 + f"; objective {doc['objective']}",
                 f"{doc['aggregate']['feasible_points']:,} feasible for every network, "
                 f"{len(self.pareto)} on the aggregate Pareto front"]
        for n, net in enumerate(doc["networks"]):
            lines.append(f"  {net['path']}: weight {net['weight']:g}, own best point "
                         f"{net['best']}")
        for name, index in (("weighted", self.best_weighted),
                            ("worst case", self.best_worst_case)):
            if index is None:
                lines.append(f"best {name}: none (no point is feasible for every network)")
                continue
            p = self.points[index]
            per = ", ".join(f"{f['normalised_objective']:.3f}" for f in p["networks"])
            lines.append(f"best {name}: point {index} ({p['label']}): weighted "
                         f"{p['weighted']:.4f}, worst case {p['worst_case']:.4f}; per network "
                         f"{per}")
        return "\n".join(lines) + "\n"

    def to_html(self, path: Optional[PathLike] = None) -> str:
        """A self-contained page: the networks, the chosen designs, the aggregate front (with
        each network's figures) and a scatter of aggregate latency against energy."""
        page = _html(self._document, self)
        if path is not None:
            _write_atomically(os.fspath(path), page)
        return page

    def __repr__(self) -> str:
        return (f"<cadenza.MultiDseResult {len(self.networks)} networks, {len(self.points)} "
                f"design points, {len(self.pareto)} on the aggregate Pareto front>")


def _html(doc: dict[str, Any], result: MultiDseResult) -> str:
    e = html.escape
    out = io.StringIO()
    names = [net["path"] for net in doc["networks"]]
    out.write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
              f"<title>Design-space exploration of {len(names)} networks</title><style>"
              "body{font-family:sans-serif;margin:2em;max-width:80em}"
              "table{border-collapse:collapse;margin:1em 0}"
              "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
              "th{background:#eee}td.l,th.l{text-align:left}"
              "</style></head><body>\n")
    out.write(f"<h1>Design-space exploration of {len(names)} networks</h1>\n")
    sweep = doc["sweep"]
    out.write(f"<p>{sweep['explored']:,} of {sweep['points']:,} design points of "
              f"<code>{e(sweep['path'])}</code>"
              + (f" ({e(sweep['sampling'])})" if sweep["sampling"] else "")
              + f"; objective <b>{e(doc['objective'])}</b>, cost model {e(doc['cost_model'])}; "
              f"{doc['aggregate']['feasible_points']:,} points feasible for every network. "
              "Each network's objective is divided by its lowest over those points (1.0: that "
              "network's best); <i>weighted</i> is the weighted mean of these ratios, "
              "<i>worst case</i> their largest.</p>\n")
    out.write("<h2>Networks</h2>\n<table><tr><th class=l>network</th><th>weight</th>"
              "<th>lowest objective</th><th>own best point</th>")
    for label in ("weighted", "worst case"):
        out.write(f"<th>ratio at best {label}</th>")
    out.write("</tr>\n")
    for n, net in enumerate(doc["networks"]):
        lowest = net["lowest"]["objective_value"]
        out.write(f"<tr><td class=l>{e(net['path'])}</td><td>{net['weight']:g}</td>"
                  f"<td>{'' if lowest is None else f'{lowest:.6g}'}</td>"
                  f"<td>{'' if net['best'] is None else net['best']}</td>")
        for index in (result.best_weighted, result.best_worst_case):
            value = (None if index is None
                     else result.points[index]["networks"][n]["normalised_objective"])
            out.write(f"<td>{'' if value is None else f'{value:.4f}'}</td>")
        out.write("</tr>\n")
    out.write("</table>\n")

    def point_table(title: str, indices: Sequence[int]) -> None:
        out.write(f"<h2>{e(title)}</h2>\n<table><tr><th>#</th><th class=l>design point</th>"
                  "<th>area (mm²)</th><th>weighted</th><th>worst case</th><th>latency</th>"
                  "<th>energy</th>")
        for name in names:
            out.write(f"<th>{e(os.path.basename(name))}</th>")
        out.write("</tr>\n")
        for index in indices:
            p = result.points[index]
            out.write(f"<tr><td>{index}</td><td class=l>{e(p['label'])}</td>"
                      f"<td>{p['area_um2'] / 1e6:.3f}</td>")
            for key in ("weighted", "worst_case", "latency", "energy"):
                out.write(f"<td>{p[key]:.4f}</td>")
            for f in p["networks"]:
                out.write(f"<td>{f['normalised_objective']:.4f}</td>")
            out.write("</tr>\n")
        out.write("</table>\n")

    chosen = [i for i in (result.best_weighted, result.best_worst_case) if i is not None]
    if chosen:
        point_table("Chosen designs (lowest weighted, lowest worst case)",
                    list(dict.fromkeys(chosen)))
        point_table(f"Aggregate Pareto front ({len(result.pareto)} points)", result.pareto)
        out.write(_scatter(result))
    else:
        out.write("<p><b>No design point is feasible for every network.</b></p>\n")
    out.write("</body></html>\n")
    return out.getvalue()


def _scatter(result: MultiDseResult) -> str:
    """Aggregate latency against aggregate energy, log scales, the front in red."""
    feasible = [p for p in result.points if p["feasible"]]
    xs = [math.log10(p["latency"]) for p in feasible]
    ys = [math.log10(p["energy"]) for p in feasible]
    width, height, pad = 640, 400, 50
    x0, x1 = min(xs), max(xs) or 1.0
    y0, y1 = min(ys), max(ys) or 1.0
    sx = (width - 2 * pad) / ((x1 - x0) or 1.0)
    sy = (height - 2 * pad) / ((y1 - y0) or 1.0)
    out = io.StringIO()
    out.write("<h2>Aggregate latency against energy</h2>\n"
              f"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\">"
              f"<rect x=\"{pad}\" y=\"{pad}\" width=\"{width - 2 * pad}\" "
              f"height=\"{height - 2 * pad}\" fill=\"none\" stroke=\"#999\"/>")
    for p, x, y in zip(feasible, xs, ys):
        cx = pad + (x - x0) * sx
        cy = height - pad - (y - y0) * sy
        colour = "#c00" if p["pareto"] else "#69c"
        out.write(f"<circle cx=\"{cx:.1f}\" cy=\"{cy:.1f}\" r=\"3\" fill=\"{colour}\">"
                  f"<title>#{p['index']} {html.escape(p['label'])}</title></circle>")
    out.write(f"<text x=\"{width / 2}\" y=\"{height - 10}\" text-anchor=\"middle\">aggregate "
              f"latency (x best, {10 ** x0:.2f}–{10 ** x1:.2f}, log)</text>"
              f"<text x=\"12\" y=\"{height / 2}\" transform=\"rotate(-90 12 {height / 2})\" "
              f"text-anchor=\"middle\">aggregate energy (x best, {10 ** y0:.2f}–{10 ** y1:.2f}, "
              "log)</text></svg>\n")
    return out.getvalue()
