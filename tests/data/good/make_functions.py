#!/usr/bin/python3
"""Writes resblocks_functions.onnx: a small CNN whose two residual blocks PyTorch exports as
model-local ONNX functions (export_modules_as_functions; domain __main__, op Res), for the
importer's function-inlining tests. Random weights; only the graph matters.

Stem Conv 3->8 3x3 on 16x16 (55296 MACs), two blocks of two Conv 8->8 3x3 (147456 each),
Linear 8->10 (80): 645200 MACs.

Usage (Debian 12: apt-get install python3-torch python3-onnx):
    /usr/bin/python3 tests/data/good/make_functions.py [--out FILE]
"""

import argparse
import os

import torch
import torch.nn as nn


class Res(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(8, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv2(torch.relu(self.conv1(x))) + x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.b1 = Res()
        self.b2 = Res()
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        return self.fc(self.b2(self.b1(self.stem(x))).mean((2, 3)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__),
                                                      "resblocks_functions.onnx"))
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.onnx.export(Net().eval(), (torch.randn(1, 3, 16, 16),), args.out, opset_version=15,
                      input_names=["x"], output_names=["y"],
                      export_modules_as_functions={Res})


if __name__ == "__main__":
    main()
