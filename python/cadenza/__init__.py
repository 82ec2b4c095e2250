"""Cadenza: how fast, and at what energy cost, each layer of a DNN runs on a spatial
accelerator under its best dataflow.

    import cadenza
    net = cadenza.load("models/resnet50.onnx")
    result = cadenza.search(net, cadenza.Hardware.preset("eyeriss_like"), objective="latency")
    print(result.totals.runtime_cycles, result.layers[0].dataflow)
    result.to_html("resnet50.html")

:func:`evaluate` evaluates a MAESTRO ``.m`` network under the dataflows it gives, as
``cadenza eval`` does; ``SearchResult.to_maestro()`` writes a search's choices as such a network.

:func:`dse` explores the hardware design points of a sweep file, as ``cadenza dse`` does, in
tasks on any ``concurrent.futures.Executor`` (a local process pool by default, or a Dask
cluster), for one network or several (:class:`MultiDseResult`), over the whole sweep or a
sample of it; ``python -m cadenza.dse_cli`` (the ``cadenza-dse`` command) runs it from a shell.

The C++ core (cadenza._core) does the work; this package is a typed layer over it. Errors in
the input raise :class:`InputError`, a :class:`ValueError` whose message names the file and
the node or line at fault.
"""

from ._core import InputError, __version__
from ._dse import ChunkFailure, DseError, DseResult, dse
from ._dse_multi import MultiDseResult
from ._evaluate import EvalLayer, EvalResult, EvalTotals, evaluate
from ._hardware import Hardware
from ._network import Layer, Network, NotAnalysed, load
from ._search import (OBJECTIVES, Baseline, EnergyBreakdown, LayerResult, RunnerUp,
                      SearchResult, Totals, search)
from ._torch import from_torch

__all__ = [
    "OBJECTIVES", "Baseline", "ChunkFailure", "DseError", "DseResult", "EnergyBreakdown",
    "EvalLayer", "EvalResult", "EvalTotals", "Hardware", "InputError", "Layer", "LayerResult",
    "MultiDseResult", "Network", "NotAnalysed", "RunnerUp",
    "SearchResult", "Totals", "__version__", "dse", "evaluate", "from_torch", "load", "search",
]
