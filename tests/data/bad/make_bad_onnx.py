#!/usr/bin/python3
"""Writes the bad ONNX models of this directory (Debian's python3-onnx, 1.12). The tests read
the committed outputs and never run this script; run it again only to change them:
    /usr/bin/python3 tests/data/bad/make_bad_onnx.py
Each model is a few hundred bytes and is bad in one way, named by its file."""

import os
import random

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))


def model(nodes, inputs, outputs, initializers=(), name="bad", opset=13, domains=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    imports = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    m = helper.make_model(graph, opset_imports=imports, producer_name="make_bad_onnx")
    m.ir_version = 8
    return m


def tensor(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def write(name, m):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(m.SerializeToString())


def write_bytes(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def conv_model(x_shape, w_shape, name="conv", **attrs):
    return model([helper.make_node("Conv", ["x", "w"], ["y"], name=name, **attrs)],
                 [tensor("x", x_shape), tensor("w", w_shape)], [tensor("y", None)])


def main():
    good = conv_model([1, 3, 8, 8], [4, 3, 3, 3])

    # Not a model at all.
    write_bytes("empty.onnx", b"")
    serialized = good.SerializeToString()
    write_bytes("truncated.onnx", serialized[: len(serialized) * 2 // 3])
    rng = random.Random(20240601)
    write_bytes("garbage.onnx", bytes(rng.randrange(256) for _ in range(512)))

    # Two Relu nodes that feed each other.
    write("cycle.onnx", model(
        [helper.make_node("Relu", ["b"], ["a"], name="first"),
         helper.make_node("Relu", ["a"], ["b"], name="second"),
         helper.make_node("Conv", ["a", "w"], ["y"], name="conv")],
        [tensor("w", [4, 3, 3, 3])], [tensor("y", None)]))

    # A Conv whose weight expects 5 input channels where the input has 3.
    write("conv_weight_mismatch.onnx", conv_model([1, 3, 8, 8], [4, 5, 3, 3], name="conv1"))

    # A MatMul of [2^32, 2^32] by [2^32, 2^32]: 2^96 MACs.
    big = 1 << 32
    write("matmul_overflow.onnx", model(
        [helper.make_node("MatMul", ["a", "b"], ["c"], name="huge_matmul")],
        [tensor("a", [big, big]), tensor("b", [big, big])], [tensor("c", None)]))

    # A Conv whose dims each fit but whose MAC count does not: 2^20 x 2^20 x 2^12 x 2^12 ...
    write("conv_overflow.onnx", conv_model([1 << 20, 1 << 20, 1 << 12, 1 << 12],
                                           [1 << 20, 1 << 20, 1, 1], name="huge_conv"))

    # Negative and zero dimensions declared on a graph input.
    write("negative_dim.onnx", conv_model([1, 3, -8, 8], [4, 3, 3, 3]))
    write("zero_channels.onnx", conv_model([1, 0, 8, 8], [4, 0, 3, 3], name="conv_zero"))

    # An initializer that claims 2^20 x 2^20 x 1024 floats (4 TiB) and holds no data.
    claimed = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1 << 20, 1 << 20, 1024])
    write("claimed_huge_initializer.onnx", model(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
        [tensor("x", [1, 1 << 20])], [tensor("y", None)], initializers=[claimed]))

    # Ops Cadenza does not know: one of the default domain that ONNX does not define either, and
    # a model made only of an op of a custom domain (no MAC layers: it imports with 0 layers).
    write("unknown_default_op.onnx", model(
        [helper.make_node("FrobnicateConv", ["x"], ["y"], name="frob")],
        [tensor("x", [1, 3, 8, 8])], [tensor("y", None)]))
    write("only_unknown_ops.onnx", model(
        [helper.make_node("Frobnicate", ["x"], ["y"], name="frob", domain="com.example")],
        [tensor("x", [1, 3, 8, 8])], [tensor("y", None)], domains=["com.example"]))

    # Node and value names that are not UTF-8, on a Conv whose weight is wrong.
    bad = conv_model([1, 3, 8, 8], [4, 5, 3, 3], name="conv")
    data = bad.SerializeToString().replace(b"conv", b"c\xff\xfev")
    write_bytes("non_utf8_names.onnx", data)

    # A ConvTranspose whose weight is a scalar: ONNX 1.12's own shape inference read a kernel
    # extent for each spatial axis of the input from it and crashed (found by fuzzing).
    write("convtranspose_scalar_weight.onnx", model(
        [helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up", auto_pad="SAME_UPPER",
                          strides=[2, 2])],
        [tensor("x", [1, 1, 3, 3]), tensor("w", [])], [tensor("y", None)]))

    # A Conv with a stride of 0: ONNX 1.12's shape inference divided by it (SIGFPE; found by
    # fuzzing), and a MaxPool with one before a Conv.
    write("conv_zero_stride.onnx", conv_model([1, 3, 8, 8], [4, 3, 3, 3], name="conv",
                                              strides=[1, 0]))
    write("maxpool_zero_stride.onnx", model(
        [helper.make_node("MaxPool", ["x"], ["p"], name="pool", kernel_shape=[2, 2],
                          strides=[0, 2]),
         helper.make_node("Conv", ["p", "w"], ["y"], name="conv")],
        [tensor("x", [1, 3, 8, 8]), tensor("w", [4, 3, 3, 3])], [tensor("y", None)]))

    # A 1-D ConvTranspose of a 3e9-tap kernel over 3e9 inputs: 9e18 MACs fit in 64 bits, but
    # the exact lowering needs a layer per border tap count (3e9 of them) and ran out of memory.
    huge = 3_000_000_000
    write("convtranspose_huge_kernel.onnx", model(
        [helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="wide")],
        [tensor("x", [1, 1, huge]), tensor("w", [1, 1, huge])], [tensor("y", None)]))

    # An opset newer than the ONNX library knows.
    write("future_opset.onnx", model(
        [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
        [tensor("x", [1, 3, 8, 8]), tensor("w", [4, 3, 3, 3])], [tensor("y", None)], opset=999))


if __name__ == "__main__":
    main()
