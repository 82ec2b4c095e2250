"""PyTorch modules, exported to ONNX in memory and loaded like any other model."""

from __future__ import annotations

import io
from typing import Any, Mapping, Optional

from ._network import Network, load


def from_torch(module: Any, example_inputs: Any, *, dims: Optional[Mapping[str, int]] = None,
               batch: Optional[int] = None, name: Optional[str] = None) -> Network:
    """Exports ``module`` with ``torch.onnx.export`` on ``example_inputs`` (a tensor or a tuple
    of tensors) into memory and loads the result as :func:`cadenza.load` does. Nothing is
    written to disk. ``name`` names the model in messages and reports (default: the module's
    class name). Needs PyTorch (and the ``onnx`` package it exports with)."""
    try:
        import torch
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("cadenza.from_torch needs PyTorch") from e
    inputs = example_inputs if isinstance(example_inputs, tuple) else (example_inputs,)
    # With gradients on and inputs that require them, inference fast paths that have no ONNX
    # form stay off (torch.nn.TransformerEncoderLayer's and MultiheadAttention's take
    # aten::_transformer_encoder_layer_fwd and friends under no_grad); the graph is the same.
    inputs = tuple(_requiring_grad(torch, x) for x in inputs)
    buffer = io.BytesIO()
    was_training = bool(getattr(module, "training", False))
    module.eval()
    try:
        with torch.enable_grad():
            torch.onnx.export(module, inputs, buffer, opset_version=13, do_constant_folding=True)
    finally:
        module.train(was_training)
    label = name or f"<torch {type(module).__name__}>"
    return load(buffer.getvalue(), dims=dims, batch=batch, name=label)


def _requiring_grad(torch: Any, x: Any) -> Any:
    """A floating-point tensor as a copy that requires grad; anything else as it is."""
    if isinstance(x, torch.Tensor) and x.is_floating_point() and not x.requires_grad:
        return x.detach().clone().requires_grad_(True)
    return x
