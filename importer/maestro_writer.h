#pragma once
// Writes layers and their mappings as a MAESTRO `.m` network file, the form ReadMaestroModel
// reads and `cadenza eval` evaluates: a search's choices taken away as a file.

#include <string>
#include <vector>

#include "analyzer/layer.h"
#include "analyzer/mapping.h"

namespace cadenza {

/// `network` as a `.m` network: one Layer block (Type, Stride, Dimensions, Dataflow) per layer
/// whose `mappings[i]` is not null, in network order; a layer without one is left out with a
/// comment saying so. `comments` go first, one `//` line each. Beyond the original tool's
/// syntax, and only where a layer needs it: `Dilation { Y: d, X: d }` for a dilated layer and
/// `Instances: n` for a layer that runs n times (Layer::instances); ReadMaestroModel reads both.
/// A layer or network name that is not one `.m` word (separators such as '-', ':', ',', spaces,
/// "//", a keyword) is written with '_' in their place, made unique, and the original name is
/// kept in a comment above the block.
/// The text is read back before it is returned: every written layer must come back with its
/// kind, shape, instances and mapping. Throws InputError naming the layer when one does not
/// (e.g. a size beyond the reader's limits).
/// REQUIRES: mappings.size() == network.layers.size().
std::string MaestroNetworkText(const Network& network, const std::vector<const Mapping*>& mappings,
                               const std::vector<std::string>& comments);

}  // namespace cadenza
