#pragma once
// Dilated convolutions as the MAESTRO-compatible model needs them. The importer keeps a dilated
// convolution as one layer with its dilation, which the exact model and the simulator take as
// it is. The Analyzer has no dilation, so a network is given to it with every dilated layer
// replaced by the undilated polyphase convolutions that do the same products and skip none
// (docs/onnx-import.md, "Dilation", derives them). ForCostModel is that step; it is applied
// once, where a network is loaded for a search (cli LoadModel, the Python search), and the
// report is built from its result. The phases of one layer use the same weights but do not
// share them: the MAESTRO-compatible model evaluates each layer, and each instance, from empty
// buffers, and has no state that would carry a tensor from one to the next.

#include <cstdint>
#include <utility>
#include <vector>

#include "analyzer/cost_model.h"
#include "analyzer/layer.h"

namespace cadenza {

/// One 1-D convolution covering part of an axis: `outputs` outputs of `taps` taps each, `dilation`
/// input positions apart, read from `input` positions with `stride`, repeated `count` times.
struct AxisPiece {
  int64_t outputs = 1;
  int64_t taps = 1;
  int64_t stride = 1;
  int64_t input = 1;
  int64_t count = 1;
  int64_t dilation = 1;
  /// outputs * taps * count; throws InputError("the MAC count overflows 64 bits").
  int64_t Macs() const;
};

/// `total` items dealt round-robin into `parts` classes: at most two class sizes, as
/// (size, number of classes) pairs, largest first; empty classes are left out.
std::vector<std::pair<int64_t, int64_t>> SplitEvenly(int64_t total, int64_t parts);

/// A forward convolution axis of `outputs` outputs over `padded` input positions (kernel k,
/// stride s, dilation d) as undilated pieces: one piece when d == 1 or k == 1, else the
/// gcd(s, d)-reduced output phases (at most two piece shapes).
std::vector<AxisPiece> UndilatedForwardAxis(int64_t padded, int64_t k, int64_t s, int64_t d,
                                            int64_t outputs);

/// Identical pieces merged (counts add), largest share of the MACs first (stable).
std::vector<AxisPiece> MergeAxisPieces(std::vector<AxisPiece> pieces);

/// The layers of `base` (its kind, N/K/C/G sizes, op_type) for every (row piece, column piece)
/// pair, in that order: Y/R/stride/dilation from the row piece, X/S/... from the column piece,
/// instances y.count * x.count * outer, exact_macs = ExactMacs * instances. Named base.name
/// when there is one pair, else "base.name/phase0", "/phase1", ... Throws InputError when a
/// count overflows 64 bits.
std::vector<Layer> PieceLayers(const Layer& base, const std::vector<AxisPiece>& rows,
                               const std::vector<AxisPiece>& columns, int64_t outer);

/// The network as cost model `kind` takes it. kExact: `network` unchanged. kMaestro: every
/// layer with a dilation > 1 replaced, in place, by its undilated phases (PieceLayers over
/// UndilatedForwardAxis per axis); their exact_macs sum to the layer's. Other layers, the name,
/// warnings and nodes left out are kept as they are.
Network ForCostModel(const Network& network, CostModelKind kind);

}  // namespace cadenza
