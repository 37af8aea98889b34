#pragma once
// Colour maps for slices and the 3D view's transfer functions: a 256-entry RGB table per map.
#include <glm/vec3.hpp>

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

// DICOM's RecommendedDisplayCIELabValue (0062,000D), how SEG and other objects give a colour: L*a*b* under
// D65, scaled to 0..65535 (PS3.3 C.10.7.1.1: L* 0..100, a* and b* -128..127), to sRGB 0..1 and back.
glm::vec3 cielabToRgb(std::uint16_t l, std::uint16_t a, std::uint16_t b);
std::array<int, 3> rgbToCielab(const glm::vec3& srgb);

} // namespace ctview
