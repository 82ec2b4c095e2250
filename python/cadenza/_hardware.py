"""The accelerator a network is searched on (docs/hardware-config.md describes every field)."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from . import _core

_PRESETS_DIR = Path(__file__).parent / "presets"
#: The preset the CLI uses without --hw, as the report names it.
_DEFAULT_SOURCE = "built-in default (models/hw/default.textproto)"


@dataclass(frozen=True)
class Hardware:
    """Hardware parameters, by the names of Cadenza's hardware configuration files.

    Capacities are in bytes, bandwidths in elements per cycle; ``None`` means unlimited.
    Construct by keyword (unset fields keep the configuration format's defaults), by preset
    name (:meth:`preset`) or from any file the CLI's ``--hw`` reads (:meth:`from_file`), and
    derive variants with :meth:`replace`. Every value is checked by the same reader as a
    configuration file; a bad one raises :class:`cadenza.InputError`.
    """

    num_pes: int
    simd_lanes: int = 1  #: MACs per PE per cycle
    l1_bytes: Optional[int] = None  #: per PE
    l2_bytes: Optional[int] = None  #: shared
    noc_bandwidth: Optional[int] = None
    noc_latency: int = 1  #: cycles per NoC transfer
    #: per cluster level (0 = top): (bandwidth, latency), None = as noc_bandwidth / noc_latency
    noc_levels: tuple[tuple[Optional[int], Optional[int]], ...] = ()
    offchip_bandwidth: Optional[int] = None
    clock_ghz: float = 1.0
    bytes_per_element: tuple[int, int, int] = (1, 1, 1)  #: input, filter, output
    mac_pj: float = 0.23
    l1_pj: float = 0.3864
    l2_pj: float = 4.2803
    dram_pj: float = 46.0
    bandwidth_is_hard_limit: bool = False  #: the search rejects mappings needing more bandwidth
    # Where the description came from and its text, as the report shows them.
    _source: Optional[str] = field(default=None, compare=False, repr=False)
    _text: Optional[str] = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "noc_levels", tuple(tuple(level) for level in self.noc_levels))
        object.__setattr__(self, "bytes_per_element", tuple(self.bytes_per_element))
        # The configuration reader checks every value (ranges, types) and names the field.
        parsed = _core.parse_hardware_config(self.to_text(), "Hardware(...)")
        object.__setattr__(self, "clock_ghz", float(self.clock_ghz))
        for name in ("mac_pj", "l1_pj", "l2_pj", "dram_pj"):
            object.__setattr__(self, name, float(getattr(self, name)))
        if parsed != self._fields():
            raise _core.InputError(f"Hardware(...): {self!r} does not read back as itself from "
                                   f"the configuration format: {parsed}")

    # Construction -----------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: Union[str, "os.PathLike[str]"]) -> Hardware:
        """Reads a hardware file as every command's ``--hw`` does: Cadenza's text format
        (``.textproto``), the same configuration in JSON (``.json``) or a MAESTRO hardware
        ``.m`` file."""
        path = os.fspath(path)
        fields = _core.read_hardware_file(path)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        return cls._make(fields, source=path, text=text)

    @classmethod
    def preset(cls, name: str = "default") -> Hardware:
        """A bundled preset by name: see :meth:`presets`. ``"default"`` is the accelerator
        ``cadenza search`` uses without ``--hw``."""
        if name == "default":
            text = _core.default_hardware_text()
            return cls._make(_core.parse_hardware_config(text, _DEFAULT_SOURCE),
                             source=_DEFAULT_SOURCE, text=text)
        for path in _preset_files():
            if path.stem == name:
                hw = cls.from_file(path)
                object.__setattr__(hw, "_source", f"preset '{name}' (models/hw/{path.name})")
                return hw
        raise _core.InputError(f"no hardware preset '{name}'; the presets are "
                               f"{', '.join(cls.presets())}")

    @staticmethod
    def presets() -> list[str]:
        """The names :meth:`preset` takes."""
        return sorted({"default", *(p.stem for p in _preset_files())})

    def replace(self, **changes: Any) -> Hardware:
        """A copy with the given fields changed, e.g. ``hw.replace(l2_bytes=2 << 20)``."""
        if not changes:
            return self
        unknown = sorted(set(changes) - set(self._fields()))
        if unknown:
            raise TypeError(f"Hardware.replace: unknown field(s) {', '.join(unknown)}")
        hw = dataclasses.replace(self, _source=None, _text=None, **changes)
        what = " ".join(f"{k}={v!r}" for k, v in sorted(changes.items()))
        object.__setattr__(hw, "_source", f"{self.source} with {what}")
        return hw

    # Views ------------------------------------------------------------------------------

    @property
    def source(self) -> str:
        """Where this description came from: a file, a preset, or Python."""
        return self._source if self._source is not None else "Hardware(...) in Python"

    @property
    def text(self) -> str:
        """The description as the report shows it: the file's own text when it came from a
        file unchanged, else :meth:`to_text`."""
        return self._text if self._text is not None else self.to_text()

    def to_text(self) -> str:
        """This hardware in Cadenza's configuration format (docs/hardware-config.md)."""
        lines = [f"num_pes: {self.num_pes}", f"simd_lanes: {self.simd_lanes}"]
        for key in ("l1_bytes", "l2_bytes"):
            value = getattr(self, key)
            if value is not None:
                lines.append(f"{key}: {value}")
        i, f, o = self.bytes_per_element
        lines.append(f"bytes_per_element {{ input: {i} filter: {f} output: {o} }}")
        noc = [] if self.noc_bandwidth is None else [f"bandwidth: {self.noc_bandwidth}"]
        noc.append(f"latency: {self.noc_latency}")
        for bw, latency in self.noc_levels:
            level = ([] if bw is None else [f"bandwidth: {bw}"]) + (
                [] if latency is None else [f"latency: {latency}"])
            noc.append(f"level {{ {' '.join(level)} }}")
        lines.append(f"noc {{ {' '.join(noc)} }}")
        if self.offchip_bandwidth is not None:
            lines.append(f"offchip_bandwidth: {self.offchip_bandwidth}")
        lines.append(f"clock_ghz: {self.clock_ghz!r}")
        lines.append(f"energy {{ mac_pj: {self.mac_pj!r} l1_pj: {self.l1_pj!r} "
                     f"l2_pj: {self.l2_pj!r} dram_pj: {self.dram_pj!r} }}")
        lines.append(f"bandwidth_is_hard_limit: {str(self.bandwidth_is_hard_limit).lower()}")
        return "\n".join(lines) + "\n"

    def _fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if not f.name.startswith("_")}

    @classmethod
    def _make(cls, fields: dict[str, Any], *, source: str, text: str) -> Hardware:
        return cls(**fields, _source=source, _text=text)


def _preset_files() -> list[Path]:
    if not _PRESETS_DIR.is_dir():
        return []
    return sorted(p for p in _PRESETS_DIR.iterdir()
                  if p.suffix in (".textproto", ".m") and p.stem != "default")
