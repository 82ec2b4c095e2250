#pragma once
// A Hardware in Cadenza's hardware configuration format (docs/hardware-config.md), so that any
// hardware a run used, e.g. a design point of a sweep, can be given back to `--hw`.

#include <string>

#include "analyzer/hardware.h"

namespace cadenza {

/// `hw` as a hardware configuration, one field per line, every field written (unlimited
/// capacities and bandwidths left out, which is how the format says "unlimited").
/// ParseHardwareConfig of the text gives `hw` back.
std::string HardwareConfigText(const Hardware& hw);

}  // namespace cadenza
