"""cadenza.load: ONNX files, bytes and ModelProto objects, MAESTRO .m files, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

import cadenza
from conftest import DATA, MODELS


def test_resnet50_layers() -> None:
    net = cadenza.load(MODELS / "resnet50.onnx")
    assert len(net.layers) == 54
    first = net.layers[0]
    assert (first.name, first.op_type, first.kind) == ("/conv1/Conv", "Conv", "CONV")
    # 3 input channels, 64 filters of 7x7 on a 224x224 input padded to 230x230, stride 2.
    assert first.dims == {"N": 1, "K": 64, "C": 3, "Y": 230, "X": 230, "R": 7, "S": 7}
    assert first.stride == (2, 2)
    assert first.macs == 64 * 3 * 7 * 7 * 112 * 112
    last = net.layers[-1]
    assert (last.op_type, last.kind) == ("Gemm", "GEMM")
    assert 4.0e9 < net.macs < 4.2e9  # ResNet-50's well-known 4.09 G MACs
    assert net.not_analysed == ()
    assert net.path == str(MODELS / "resnet50.onnx") and len(net.sha256) == 64


def test_bytes_and_model_proto_load_the_same_layers() -> None:
    path = MODELS / "resnet50.onnx"
    from_file = cadenza.load(path)
    from_bytes = cadenza.load(path.read_bytes(), name="resnet50")
    assert from_bytes.layers == from_file.layers
    assert from_bytes.path == "resnet50" and from_bytes.sha256 == from_file.sha256
    onnx = pytest.importorskip("onnx")
    proto = onnx.load(str(path), load_external_data=False)  # weights are never read
    assert cadenza.load(proto).layers == from_file.layers


def test_batch_scales_the_macs() -> None:
    one = cadenza.load(MODELS / "resnet50.onnx")
    four = cadenza.load(MODELS / "resnet50.onnx", batch=4)
    assert four.layers[0].dims["N"] == 4
    assert four.macs == 4 * one.macs


def test_symbolic_dims_and_not_analysed() -> None:
    model = DATA / "good" / "symbolic_conv.onnx"
    with pytest.raises(cadenza.InputError, match=r"symbolic_conv\.onnx.*Conv_0"):
        cadenza.load(model)
    partial = cadenza.load(model, skip_unresolved=True)
    assert [layer.op_type for layer in partial.layers] == ["MatMul"]
    assert len(partial.not_analysed) == 1
    skipped = partial.not_analysed[0]
    assert (skipped.name, skipped.op_type) == ("Conv_0", "Conv")
    assert skipped.reason.startswith("unresolved: ")
    full = cadenza.load(model, dims={"H": 10, "W": 12}, batch=2)
    conv = full.layers[0]
    assert conv.dims["N"] == 2 and (conv.dims["Y"], conv.dims["X"]) == (10, 12)
    assert full.not_analysed == ()


def test_maestro_network() -> None:
    net = cadenza.load(MODELS / "maestro" / "vgg16_kcp.m")
    assert len(net.layers) > 10
    assert all(layer.kind == "CONV" for layer in net.layers[:5])
    with pytest.raises(cadenza.InputError, match="ONNX models only"):
        cadenza.load(MODELS / "maestro" / "vgg16_kcp.m", batch=2)


@pytest.mark.parametrize("name", ["conv_weight_mismatch.onnx", "cycle.onnx"])
def test_bad_onnx_raises_input_error_naming_the_file(name: str) -> None:
    path = DATA / "bad" / name
    with pytest.raises(cadenza.InputError) as info:
        cadenza.load(path)
    assert isinstance(info.value, ValueError)
    assert str(path) in str(info.value)
    if name == "conv_weight_mismatch.onnx":
        assert "node 'conv1' (Conv)" in str(info.value)


def test_other_bad_input(tmp_path: Path) -> None:
    with pytest.raises(cadenza.InputError, match="missing.onnx"):
        cadenza.load(tmp_path / "missing.onnx")
    with pytest.raises(cadenza.InputError, match="neither an ONNX model"):
        cadenza.load(tmp_path / "model.txt")
    with pytest.raises(cadenza.InputError, match="garbage"):
        cadenza.load(b"\x08\x07not a model at all", name="garbage")
    with pytest.raises(cadenza.InputError, match="batch must be at least 1"):
        cadenza.load(MODELS / "resnet50.onnx", batch=0)
    with pytest.raises(TypeError):
        cadenza.load(42)  # type: ignore[arg-type]
