#!/usr/bin/python3
"""Exports the bundled ONNX models from torchvision (random weights: only the graphs matter).

Each model is written as MODEL.onnx (graph only, small, committed) beside MODEL.onnx.data
(its weights as ONNX external data, not committed). The importer never reads weight values,
so the graph-only file imports the same with or without the .data file.

Usage (Debian 12: apt-get install python3-torch python3-torchvision python3-onnx):
    /usr/bin/python3 models/export_models.py [--out DIR] [--full-weights PATH]

--full-weights PATH also writes ResNet-50 with its weights stored inside the .onnx file
(about 100 MB), for measuring import speed; keep it out of the repository.

The script also counts each model's multiply-accumulates on the PyTorch side, with forward
hooks on nn.Conv*/nn.Linear plus the attention matmuls computed from the model's config; that
count is independent of the ONNX importer and is what models/README.md quotes.
"""

import argparse
import os

import onnx
import torch
import torch.nn as nn
import torchvision

OPSET = 13


class DcganGenerator(nn.Module):
    """The DCGAN generator of Radford et al. (2016): z (100x1x1) -> 3x64x64 image."""

    def __init__(self, nz=100, ngf=64, nc=3):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.main(z)


def count_macs(model, example):
    """MACs of one forward pass by the conventions of docs/onnx-import.md, from module hooks."""
    total = 0

    def conv_hook(module, inputs, output):
        nonlocal total
        x = inputs[0]
        kernel = 1
        for k in module.kernel_size:
            kernel *= k
        if isinstance(module, nn.modules.conv._ConvTransposeNd):
            # N * C_in * prod(In) * (C_out / groups) * prod(kernel)
            total += x.numel() * (module.out_channels // module.groups) * kernel
        else:
            # N * C_out * prod(Out) * (C_in / groups) * prod(kernel)
            total += output.numel() * (module.in_channels // module.groups) * kernel

    def linear_hook(module, inputs, output):
        nonlocal total
        total += output.numel() * module.in_features

    handles = []
    for m in model.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d,
                          nn.ConvTranspose2d, nn.ConvTranspose3d)):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    with torch.no_grad():
        model(example)
    for h in handles:
        h.remove()
    return total


def vit_attention_macs(model, batch):
    """Q.K^T and attention.V of every encoder block; hooks do not see these matmuls."""
    tokens = (model.image_size // model.patch_size) ** 2 + 1
    heads = model.encoder.layers[0].self_attention.num_heads
    head_dim = model.hidden_dim // heads
    per_block = 2 * batch * heads * tokens * tokens * head_dim
    return per_block * len(model.encoder.layers)


def vit_projection_macs(model, batch):
    """The attention in/out projections; MultiheadAttention calls them functionally."""
    tokens = (model.image_size // model.patch_size) ** 2 + 1
    d = model.hidden_dim
    return len(model.encoder.layers) * batch * tokens * (3 * d * d + d * d)


MODELS = {
    # name: (constructor, input shape without batch)
    "resnet50": (lambda: torchvision.models.resnet50(weights=None), (3, 224, 224)),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), (3, 224, 224)),
    "vgg16": (lambda: torchvision.models.vgg16(weights=None), (3, 224, 224)),
    "vit_b_16": (lambda: torchvision.models.vit_b_16(weights=None), (3, 224, 224)),
    "dcgan_generator": (lambda: DcganGenerator(), (100, 1, 1)),
    "deeplabv3_mobilenet_v3_large": (
        lambda: torchvision.models.segmentation.deeplabv3_mobilenet_v3_large(
            weights=None, weights_backbone=None, aux_loss=False),
        (3, 224, 224)),
}


def export(name, out_dir, full_weights_path=None):
    make, shape = MODELS[name]
    torch.manual_seed(0)
    model = make().eval()
    example = torch.randn(1, *shape)
    path = os.path.join(out_dir, name + ".onnx")
    torch.onnx.export(model, example, path, opset_version=OPSET, input_names=["input"],
                      output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                      do_constant_folding=True)
    macs = count_macs(model, example)
    if name == "vit_b_16":
        macs += vit_attention_macs(model, 1) + vit_projection_macs(model, 1)
    if full_weights_path:
        onnx.save_model(onnx.load(path), full_weights_path)
    # Graph-only copy: every tensor over 1 KiB moves to NAME.onnx.data, which is not committed.
    m = onnx.load(path)
    data_name = name + ".onnx.data"
    if os.path.exists(os.path.join(out_dir, data_name)):
        os.remove(os.path.join(out_dir, data_name))
    onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location=data_name, size_threshold=1024)
    print(f"{name}: {os.path.getsize(path)} bytes, {macs} MACs (PyTorch hooks, batch 1)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--full-weights", help="also write ResNet-50 with inline weights here")
    parser.add_argument("models", nargs="*", default=list(MODELS))
    args = parser.parse_args()
    for name in args.models:
        export(name, args.out, args.full_weights if name == "resnet50" else None)


if __name__ == "__main__":
    main()
