#pragma once
// Slices out with their Hounsfield units, for ImageJ/Fiji, tifffile and every tool that measures: TIFF
// through libtiff (only here), never the display's window and colour map.
#include "volume/slice.h"
#include "volume/volume.h"

#include <filesystem>
#include <vector>

namespace ctview {

// One slice's values on a grid of its own: `width` × `height` pixels of `hSpacing` × `vSpacing` mm, row by
// row from the top left as the view shows it.
struct HuPlane {
    int width = 0, height = 0;
    double hSpacing = 1, vSpacing = 1; // mm
    std::vector<float> hu;
    bool integral = false; // every value is a whole number in int16's range: written as signed 16-bit
};

// Slice `k` of `axis` on the volume's own grid, uninterpolated (each pixel a voxel, or a thick slab's value
// along the slice's normal): integral for an int16 volume, thin or as a MIP or MinIP slab.
HuPlane nativeSlice(const Volume& v, Axis axis, int k, const Slab& slab = {});

// Writes `p` to `wanted` (a free name beside it unless `force`; through a temporary file, never partial):
// SampleFormat signed integer, 16 bits, when `p.integral`, else IEEE float, 32 bits; one strip per 8 rows,
// no compression; the pixel size as X/YResolution in pixels per centimetre (ResolutionUnit 3), which ImageJ
// shows as the pixel width and height. Returns the path written.
std::filesystem::path writeHuTiff(const HuPlane& p, const std::filesystem::path& wanted, bool force);

} // namespace ctview
