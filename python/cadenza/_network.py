"""Loading networks: ONNX models (a file, bytes or an ``onnx.ModelProto``) and MAESTRO ``.m`` files."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Protocol, Union

from . import _core


class SerializableModel(Protocol):
    """What load() needs of an ``onnx.ModelProto`` (without importing onnx)."""

    def SerializeToString(self) -> bytes: ...


ModelSource = Union[str, "os.PathLike[str]", bytes, SerializableModel]


@dataclass(frozen=True)
class Layer:
    """One layer the cost model evaluates (an ONNX MAC node or a ``.m`` layer).

    ``dims`` holds the declared dimensions by the paper's letters: N K C Y X R S for
    convolutions (Y and X are *input* rows and columns, padding included), M N K for GEMMs,
    G for grouped convolutions.
    """

    name: str
    op_type: str  #: the source's word: "Conv", "MatMul", or the ``.m`` type
    kind: str  #: "CONV", "DSCONV", "NGCONV", "TRCONV" or "GEMM"
    dims: Mapping[str, int]
    stride: tuple[int, int]  #: (rows, columns)
    dilation: tuple[int, int]  #: (rows, columns); 1 is a dense filter
    instances: int  #: identical copies run one after another (e.g. groups)
    macs: int  #: the true multiply-accumulate count, all instances

    @classmethod
    def _from_core(cls, d: dict[str, Any]) -> Layer:
        return cls(name=d["name"], op_type=d["op_type"], kind=d["kind"], dims=dict(d["dims"]),
                   stride=tuple(d["stride"]), dilation=tuple(d["dilation"]),
                   instances=d["instances"], macs=d["exact_macs"])


@dataclass(frozen=True)
class NotAnalysed:
    """A source node that does or may do MACs but is not among the layers, and why."""

    name: str
    op_type: str
    macs: Optional[int]  #: its MAC count when the shapes give it, else None
    reason: str  #: e.g. "unsupported: non-matmul Einsum"


@dataclass(frozen=True)
class _Origin:
    """How a network was loaded, so that another process can load it again (cadenza.dse)."""

    kind: str  # "onnx" or "maestro"
    data: Optional[bytes]  # an in-memory model's bytes; None: read the file at `path`
    batch: Optional[int] = None
    dims: Mapping[str, int] = field(default_factory=dict)
    skip_unresolved: bool = False


class Network:
    """A loaded network: its layers in execution order and the MAC work left out of them.

    Made by :func:`cadenza.load`; pass it to :func:`cadenza.search`.
    """

    def __init__(self, core: _core.Network, *, path: str, sha256: str,
                 origin: Optional[_Origin] = None) -> None:
        self._core = core
        self._origin = origin or _Origin("maestro" if path.endswith(".m") else "onnx", None)
        self.path = path  #: the file as given, or a name for an in-memory model
        self.sha256 = sha256  #: of the model file (or of the serialized bytes)
        self.name: str = core.name  #: as the model names its graph
        self.layers: tuple[Layer, ...] = tuple(Layer._from_core(d) for d in core.layers())
        self.not_analysed: tuple[NotAnalysed, ...] = tuple(
            NotAnalysed(**d) for d in core.not_analysed())
        self.warnings: tuple[str, ...] = tuple(core.warnings)  #: what the reader worked around
        #: ONNX operator type -> count, for the operators without MACs (not costed)
        self.other_ops: dict[str, int] = dict(core.other_ops)

    @property
    def macs(self) -> int:
        """The true MAC count of all layers."""
        return sum(layer.macs for layer in self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        return (f"<cadenza.Network {self.name!r} from {self.path!r}: {len(self.layers)} layers, "
                f"{self.macs:,} MACs, {len(self.not_analysed)} nodes not analysed>")


def load(model: ModelSource, *, dims: Optional[Mapping[str, int]] = None,
         batch: Optional[int] = None, skip_unresolved: bool = False,
         name: Optional[str] = None) -> Network:
    """Loads a network to search.

    ``model`` is the path of an ONNX model (``.onnx``) or a MAESTRO network (``.m``; its own
    dataflows are not used by :func:`cadenza.search`), the bytes of a serialized ONNX model, or
    an ``onnx.ModelProto``. For ONNX models, ``batch`` is the value of symbolic batch dimensions
    (default 1) and ``dims`` gives other symbolic dimensions by name, e.g. ``{"sequence": 128}``;
    with ``skip_unresolved`` a MAC node whose shapes still cannot be settled is left out (it is
    in ``Network.not_analysed``) instead of being an error.
    ``name`` stands for the path of an in-memory model in messages and reports.

    Raises :class:`cadenza.InputError` naming the file (and the node or line at fault) when the
    model cannot be used.
    """
    dim_values = dict(dims or {})
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        core = _core.load_file(path, batch, dim_values, skip_unresolved)
        kind = "maestro" if path.endswith(".m") else "onnx"
        return Network(core, path=path, sha256=_sha256_of_file(path),
                       origin=_Origin(kind, None, batch, dim_values, skip_unresolved))
    if isinstance(model, (bytes, bytearray, memoryview)):
        data = bytes(model)
    elif hasattr(model, "SerializeToString"):
        data = bytes(model.SerializeToString())
    else:
        raise TypeError("cadenza.load: expected a path, bytes or an onnx.ModelProto, not "
                        f"{type(model).__name__}")
    label = name or "<in-memory ONNX model>"
    core = _core.load_onnx_bytes(data, label, batch, dim_values, skip_unresolved)
    return Network(core, path=label, sha256=hashlib.sha256(data).hexdigest(),
                   origin=_Origin("onnx", data, batch, dim_values, skip_unresolved))


def _sha256_of_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
