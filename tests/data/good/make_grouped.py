#!/usr/bin/python3
"""Writes grouped.onnx: the grouped convolutions a RegNet/ResNeXt block, a 1-D sequence model and
a U-Net decoder hold, each of which the importer turns into NGCONV layers (Debian's
python3-torch; the tests read the committed output and never run this script):
    /usr/bin/python3 tests/data/good/make_grouped.py"""

import os

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))


class Grouped(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 32, 3, stride=2, padding=1)
        self.group3x3 = nn.Conv2d(32, 32, 3, padding=1, groups=4)      # RegNet: group width 8
        self.group_strided = nn.Conv2d(32, 64, 3, stride=2, padding=1, groups=8)
        self.up = nn.ConvTranspose2d(64, 32, 2, stride=2, groups=2)    # U-Net decoder, grouped
        self.seq = nn.Conv1d(32, 32, 5, padding=2, groups=4)           # grouped 1-D convolution

    def forward(self, x):
        y = self.up(self.group_strided(self.group3x3(self.stem(x))))
        return self.seq(y.flatten(2))


def main():
    torch.manual_seed(0)
    torch.onnx.export(Grouped().eval(), torch.randn(1, 3, 32, 32),
                      os.path.join(HERE, "grouped.onnx"), opset_version=13,
                      input_names=["image"], output_names=["features"])


if __name__ == "__main__":
    main()
