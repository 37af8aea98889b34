#pragma once
// Colour maps for slices and the 3D view's transfer functions: a 256-entry RGB table per map.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ctview {

using ColormapTable = std::array<std::array<std::uint8_t, 3>, 256>;

// Names in display order: grayscale, viridis, inferno, magma, plasma, turbo, bone, hot.
const std::vector<std::string>& colormapNames();

// The table for `name`; throws UsageError for an unknown name. `invert` reverses it.
ColormapTable colormapTable(const std::string& name, bool invert = false);

} // namespace ctview
