#pragma once
// An 8-bit RGB picture in memory: a slice as shown, a render read back from GL, a screenshot; what the
// PNG/JPEG writers and the movie encoder take.
#include <cstdint>
#include <vector>

namespace ctview {

struct RgbImage {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgb; // 3 bytes per pixel, rows top to bottom
};

} // namespace ctview
