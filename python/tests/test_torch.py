"""The PyTorch path on real architectures: torchvision's ResNet-18 and torch.nn.TransformerEncoder,
exported in memory by cadenza.from_torch. The layers and MACs are checked against counts taken
from the modules themselves (forward hooks on the actual tensors), then a search runs."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

import cadenza

torch = pytest.importorskip("torch")


def hooked_macs(module: Any, inputs: Any) -> list[tuple[str, int]]:
    """(module name, MACs) of every Conv2d, Linear and MultiheadAttention call of one forward pass,
    from the tensors they see: a convolution's outputs x its filter volume, a linear layer's
    outputs x its inputs, attention's projections and its two per-head matmuls."""
    counts: list[tuple[str, int]] = []
    nn = torch.nn

    def conv(name: str) -> Any:
        def hook(m: Any, args: Any, out: Any) -> None:
            kh, kw = m.kernel_size
            counts.append((name, out.numel() * (m.in_channels // m.groups) * kh * kw))
        return hook

    def linear(name: str) -> Any:
        def hook(m: Any, args: Any, out: Any) -> None:
            counts.append((name, out.numel() * m.in_features))
        return hook

    def attention(name: str) -> Any:
        def hook(m: Any, args: Any, out: Any) -> None:
            batch, seq, embed = args[0].shape  # batch_first; self-attention
            head = embed // m.num_heads
            counts.append((name + ".in_proj", batch * seq * embed * 3 * embed))
            counts.append((name + ".scores", batch * m.num_heads * seq * seq * head))
            counts.append((name + ".values", batch * m.num_heads * seq * seq * head))
            counts.append((name + ".out_proj", batch * seq * embed * embed))
        return hook

    handles = []
    for name, m in module.named_modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv(name)))
        elif isinstance(m, nn.MultiheadAttention):
            # Its out_proj runs functionally, not as a module: counted here, not by the hook.
            handles.append(m.register_forward_hook(attention(name)))
        elif isinstance(m, nn.Linear) and not isinstance(
                m, nn.modules.linear.NonDynamicallyQuantizableLinear):
            handles.append(m.register_forward_hook(linear(name)))
    module.eval()
    try:
        # Gradients on: the module's own layers run, not a fused inference kernel.
        with torch.enable_grad():
            module(inputs.clone().requires_grad_(True))
    finally:
        for h in handles:
            h.remove()
    return counts


def test_torchvision_resnet18() -> None:
    torchvision = pytest.importorskip("torchvision")
    model = torchvision.models.resnet18(weights=None)
    x = torch.zeros(2, 3, 224, 224)
    net = cadenza.from_torch(model, x)
    expected = hooked_macs(model, x)
    assert len(expected) == 21  # 20 convolutions (3 of them downsampling shortcuts) and fc
    assert len(net) == 21 and net.not_analysed == ()
    assert Counter(layer.kind for layer in net.layers) == {"CONV": 20, "GEMM": 1}
    assert sorted(layer.macs for layer in net.layers) == sorted(m for _, m in expected)
    assert net.macs == sum(m for _, m in expected) == 2 * 1_814_073_344
    first = net.layers[0]
    assert first.dims["N"] == 2 and first.dims["K"] == 64 and first.dims["R"] == 7
    assert first.stride == (2, 2)
    assert net.layers[-1].dims == {"M": 2, "N": 1000, "K": 512}

    result = cadenza.search(net, max_candidates=500)
    assert result.totals.layers == 21 and result.totals.layers_without_mapping == 0
    assert result.totals.exact_macs == net.macs
    assert all(layer.found and layer.dataflow for layer in result.layers)


def test_transformer_encoder() -> None:
    nn = torch.nn
    embed, heads, ff, seq, depth = 64, 4, 128, 16, 2
    layer = nn.TransformerEncoderLayer(d_model=embed, nhead=heads, dim_feedforward=ff,
                                       batch_first=True)
    model = nn.TransformerEncoder(layer, num_layers=depth)
    x = torch.randn(1, seq, embed)
    # Under no_grad with frozen weights torch takes its fused inference path, which has no ONNX
    # form; from_torch still exports the ops.
    for p in model.parameters():
        p.requires_grad_(False)
    with torch.no_grad():
        net = cadenza.from_torch(model, x)
    expected = hooked_macs(model, x)
    per_block = (seq * embed * 3 * embed + 2 * heads * seq * seq * (embed // heads)
                 + seq * embed * embed + 2 * seq * embed * ff)
    assert net.macs == sum(m for _, m in expected) == depth * per_block == 1_114_112
    assert net.not_analysed == ()
    assert len(net) == 6 * depth and {layer.kind for layer in net.layers} == {"GEMM"}
    assert sorted(layer.macs for layer in net.layers) == sorted(m for _, m in expected)
    # The attention matmuls: one GEMM per head, seq x seq x head.
    scores = [layer for layer in net.layers if layer.instances == heads]
    assert len(scores) == 2 * depth
    assert all(layer.dims == {"M": seq, "N": seq, "K": embed // heads} for layer in scores)
    assert {layer.dims["N"] for layer in net.layers} == {3 * embed, seq, embed, ff}

    result = cadenza.search(net, max_candidates=500)
    assert result.totals.layers_without_mapping == 0
    assert result.totals.exact_macs == net.macs
    # Identical blocks are searched once.
    assert result.totals.distinct_layers == 5
