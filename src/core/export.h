#pragma once
// Writing slice images (PNG, JPEG through stb_image_write), never overwriting and never leaving partial files.
#include "core/slice.h"

#include <filesystem>

namespace ctview {

enum class ImageFormat { Png, Jpeg };

// Writes `img` to `wanted` (or a free name next to it unless `force`) and returns the path written.
std::filesystem::path writeImage(const RgbImage& img, const std::filesystem::path& wanted, ImageFormat format,
                                 bool force);

} // namespace ctview
