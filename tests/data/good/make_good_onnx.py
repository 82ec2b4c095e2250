#!/usr/bin/python3
"""Writes the small valid ONNX models of this directory (Debian's python3-onnx, 1.12). The tests
read the committed outputs and never run this script; run it again only to change them:
    /usr/bin/python3 tests/data/good/make_good_onnx.py
The tests that run the `cadenza` binary (tests/cli/) cannot build models with the ONNX library
themselves: only tests/importer/ may include it (tests/check_layering.sh)."""

import os

from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    # A Conv whose batch and spatial input dimensions are symbolic (N, H, W), so its shape is
    # unresolved until --dim gives them, and a 2x2 MatMul (8 MACs) that always resolves. The
    # nodes have no names: cadenza names them Conv_0 and MatMul_1.
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"]), helper.make_node("MatMul", ["a", "a"], ["z"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [8, 3, 3, 3]),
         helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 8, "P", "Q"]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="make_good_onnx")
    model.ir_version = 8
    with open(os.path.join(HERE, "symbolic_conv.onnx"), "wb") as f:
        f.write(model.SerializeToString())

    # A Conv the importer analyses (x 1x2x6x6, w 3x2x3x3: 864 MACs) and one inside an If's
    # then-branch (u 1x2x4x4: 216 MACs) that it records as not analysed (control flow): the
    # left-out node holds 216 / (864 + 216) = 20% of the model's MACs. The else-branch has no
    # MACs.
    then_graph = helper.make_graph(
        [helper.make_node("Conv", ["u", "w"], ["a"], name="then_conv")], "then_g", [],
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [1, 3, 2, 2])])
    else_graph = helper.make_graph(
        [helper.make_node("Relu", ["v"], ["b"], name="else_relu")], "else_g", [],
        [helper.make_tensor_value_info("b", TensorProto.FLOAT, [1, 3, 2, 2])])
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], name="main_conv"),
         helper.make_node("If", ["cond"], ["z"], name="branch", then_branch=then_graph,
                          else_branch=else_graph)],
        "g",
        [helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 6, 6]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [3, 2, 3, 3]),
         helper.make_tensor_value_info("u", TensorProto.FLOAT, [1, 2, 4, 4]),
         helper.make_tensor_value_info("v", TensorProto.FLOAT, [1, 3, 2, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 4, 4]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 3, 2, 2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="make_good_onnx")
    model.ir_version = 8
    with open(os.path.join(HERE, "conv_in_if.onnx"), "wb") as f:
        f.write(model.SerializeToString())

    # A dilated conv with a batch of 2 (x 2x4x8x8, w 8x4x3x3, dilation 2, pads 2: 8x8 outputs,
    # 2*8*64*4*9 = 36,864 MACs) and a dilated, strided one after it (w2 4x8x3x3, dilation 3,
    # stride 2, pads 3: 4x4 outputs, 2*4*16*8*9 = 9,216 MACs). Imported as two layers that keep
    # their dilation; the MAESTRO-compatible model gets their undilated phases.
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], name="dilated", dilations=[2, 2],
                          pads=[2, 2, 2, 2]),
         helper.make_node("Conv", ["y", "w2"], ["z"], name="dilated_strided", dilations=[3, 3],
                          strides=[2, 2], pads=[3, 3, 3, 3])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4, 8, 8]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [8, 4, 3, 3]),
         helper.make_tensor_value_info("w2", TensorProto.FLOAT, [4, 8, 3, 3])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 4, 4, 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="make_good_onnx")
    model.ir_version = 8
    with open(os.path.join(HERE, "dilated_conv.onnx"), "wb") as f:
        f.write(model.SerializeToString())


if __name__ == "__main__":
    main()
