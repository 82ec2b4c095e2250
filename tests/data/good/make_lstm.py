#!/usr/bin/python3
"""Writes lstm_small.onnx: a 2-layer bidirectional nn.LSTM as PyTorch exports it (random
weights; only the graph matters), for the importer's recurrent-layer tests.

Input 12, hidden 20, 2 layers, bidirectional, sequence 7, batch 3, batch_first=False.
PyTorch-convention MACs (D * T * B * 4H * (I_layer + H) per layer, biases free):
  layer 0: 2 * 7 * 3 * 80 * (12 + 20) = 107520
  layer 1: 2 * 7 * 3 * 80 * (40 + 20) = 201600      total 309120

Usage (Debian 12: apt-get install python3-torch python3-onnx):
    /usr/bin/python3 tests/data/good/make_lstm.py [--out FILE]
"""

import argparse
import os

import torch
import torch.nn as nn


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "lstm_small.onnx"))
    args = parser.parse_args()
    torch.manual_seed(0)
    model = nn.LSTM(input_size=12, hidden_size=20, num_layers=2, bidirectional=True).eval()
    x = torch.randn(7, 3, 12)
    torch.onnx.export(model, (x,), args.out, opset_version=14, input_names=["x"],
                      output_names=["y", "h", "c"])


if __name__ == "__main__":
    main()
