#!/usr/bin/env python3
"""Writes models/maestro/resnet50_kcp.m: ResNet-50 (torchvision's v1.5, stride on the 3x3 of
each bottleneck) at 224x224, batch 1, as a MAESTRO network file: its 53 convolutions and the
classifier, each under the KC-P dataflow of models/maestro/vgg16_kcp.m. Padding is folded into
Y and X as the original tool has none. Used by tests/bench/startup_bench.sh.
    python3 tests/bench/make_resnet50_m.py > models/maestro/resnet50_kcp.m
"""

KCP = """    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(64,64) C;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
      Cluster(64, P);
      SpatialMap(1,1) C;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
    }"""


def layer(name, k, c, r, stride, out):
    """A convolution with an r x r kernel producing an out x out map (padding (r-1)/2)."""
    size = (out - 1) * stride + r
    return (f"  Layer {name} {{\n    Type: CONV\n    Stride {{ X: {stride}, Y: {stride} }}\n"
            f"    Dimensions {{ K: {k}, C: {c}, R: {r}, S: {r}, Y: {size}, X: {size} }}\n"
            f"{KCP}\n  }}")


def main():
    layers = [layer("conv1", 64, 3, 7, 2, 112)]
    channels, out = 64, 56  # after the 3x3/2 max pool
    for stage, (width, blocks) in enumerate([(64, 3), (128, 4), (256, 6), (512, 3)], start=2):
        for block in range(blocks):
            stride = 2 if block == 0 and stage > 2 else 1
            name = f"res{stage}{chr(ord('a') + block)}"
            out_next = out // stride
            layers.append(layer(f"{name}_branch2a", width, channels, 1, 1, out))
            layers.append(layer(f"{name}_branch2b", width, width, 3, stride, out_next))
            layers.append(layer(f"{name}_branch2c", 4 * width, width, 1, 1, out_next))
            if block == 0:
                layers.append(layer(f"{name}_branch1", 4 * width, channels, 1, stride, out_next))
            channels, out = 4 * width, out_next
    layers.append(layer("fc1000", 1000, 2048, 1, 1, 1))  # after the global average pool
    print("// ResNet-50 at 224x224, batch 1: its 53 convolutions and the classifier (a 1x1\n"
          "// convolution on the pooled 1x1x2048 map), each under the NVDLA-like KC-P dataflow.\n"
          "// Padding is folded into Y and X. Written by tests/bench/make_resnet50_m.py.")
    print("Network resnet50 {")
    print("\n".join(layers))
    print("}")


if __name__ == "__main__":
    main()
