"""Searches the best dataflow for every layer of the bundled ResNet-50 on two accelerators and
writes the HTML review report of the first.

    python examples/search_resnet50.py [REPORT.html]

Run by python/tests/test_package.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cadenza

MODEL = Path(__file__).resolve().parents[1] / "models" / "resnet50.onnx"


def main() -> None:
    report = sys.argv[1] if len(sys.argv) > 1 else "resnet50.html"
    net = cadenza.load(MODEL)
    print(net)
    hw = cadenza.Hardware.preset("default")
    result = cadenza.search(net, hw, objective="edp")
    for layer in result.layers[:5]:
        print(f"{layer.index:3} {layer.name:30} {layer.dataflow:8} {layer.params_text:30} "
              f"{layer.runtime_cycles:>10,} cycles  util {layer.utilization:.1%}")
    t = result.totals
    print(f"total: {t.runtime_cycles:,} cycles, {t.energy_pj / 1e6:.3g} µJ, "
          f"utilization {t.utilization:.1%}")
    # The same network with twice the L2: what does it buy?
    bigger = cadenza.search(net, hw.replace(l2_bytes=2 << 20), objective="edp")
    # (the exact model, the default, counts DRAM traffic with reuse, so L2 changes energy too)
    print(f"with 2 MiB L2: {bigger.totals.runtime_cycles / t.runtime_cycles:.3f}x the cycles, "
          f"{bigger.totals.energy_pj / t.energy_pj:.3f}x the energy")
    result.to_html(report)
    print(f"wrote {report}")


if __name__ == "__main__":
    main()
