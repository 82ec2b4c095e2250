#pragma once
// Convolution geometry (Conv, ConvTranspose, any rank, groups, dilation) -> analyzer layers
// that count every multiply-accumulate of the node exactly once and no multiplication by an
// inserted zero. docs/onnx-import.md derives the decompositions.

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/layer.h"

namespace cadenza {

/// One convolution node's geometry, as ONNX states it after padding was resolved.
/// REQUIRES: every vector has one entry per spatial axis (>= 1 axis); all sizes >= 1;
/// pads >= 0; in_channels and out_channels are multiples of group.
struct ConvGeometry {
  bool transposed = false;  // ConvTranspose: the products are input pixel x kernel tap
  int64_t batch = 1;
  int64_t in_channels = 1;   // channels of X
  int64_t out_channels = 1;  // channels of Y
  int64_t group = 1;
  std::vector<int64_t> input;  // spatial extents of X, without padding
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads_begin;  // forward conv only (a transposed conv's pads crop its
  std::vector<int64_t> pads_end;    // output and change no product)
};

/// Output extents of a forward convolution: (in + pads - dilation * (kernel - 1) - 1) / stride
/// + 1 per axis. Throws InputError when the dilated kernel is larger than the padded input.
std::vector<int64_t> ConvOutputExtents(const ConvGeometry& g);

/// The node's MAC count by the usual conventions: forward N*K*prod(Out)*(C/groups)*prod(kernel);
/// transposed N*C_in*prod(In)*(K_out/groups)*prod(kernel). Throws InputError on overflow.
int64_t ConvMacs(const ConvGeometry& g);

/// The analyzer layers for the node `name`. A forward conv is one layer that keeps its dilation
/// (ForCostModel in analyzer/polyphase.h splits it for the MAESTRO-compatible model); a
/// transposed conv is one layer per distinct undilated piece shape, named "name/phase0",
/// "name/phase1", ... when there are several. Their exact_macs (each ExactMacs(kind, shape) *
/// instances) sum to ConvMacs(g). Kind: group 1 -> CONV (TRCONV when transposed); group ==
/// C_in == C_out -> DSCONV; other groups -> NGCONV with K, C per group.
/// Throws InputError when the kernel does not fit or a count overflows 64 bits.
std::vector<Layer> LowerConv(const ConvGeometry& g, const std::string& name,
                             const std::string& op_type);

}  // namespace cadenza
