#pragma once
// Writing slice images (PNG, JPEG through stb_image_write; TIFF of the Hounsfield units through libtiff,
// media/tiff.h), never overwriting and never leaving partial files.
#include "volume/slice.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ctview {

// Png and Jpeg: the pixels the view shows (window, colour map); Tiff: the slice's HU (16-bit, or float).
enum class ImageFormat { Png, Jpeg, Tiff };

// Writes `img` to `wanted` (or a free name next to it unless `force`) and returns the path written. Png or
// Jpeg only.
std::filesystem::path writeImage(const RgbImage& img, const std::filesystem::path& wanted, ImageFormat format,
                                 bool force);

// The file name `ctview export` and the viewer's save key give the slice numbered `number` (sliceNumber, as
// the overlay shows it): "<SeriesNumber>_<axis>_<NNNN>.png"; a thick slab adds its mode and thickness,
// "<SeriesNumber>_<axis>_<NNNN>_mip20mm.png"; a turned view (`oblique`) is
// "<SeriesNumber>_<axis>-oblique_<NNNN>.png".
std::string sliceFileName(int seriesNumber, Axis axis, int number, ImageFormat format, const Slab& slab = {},
                          double sliceSpacing = 1, bool oblique = false);

// Slice `k` (the voxel index along the view's normal; the file is named by its slice number) of `axis` at
// native resolution, as the thick `slab` around it when it is one, with `wl` and `map`, in each of
// `formats`, into `dir` (created if missing), never replacing a file unless `force`. Returns the paths
// written. The one path by which both `ctview export` and the viewer write slices, so that they write the
// same pixels. `drawOver`, when given, draws on them before they are written (the viewer's burned-in
// measurements).
std::vector<std::filesystem::path> exportSlice(const Volume& v, Axis axis, int k, const Slab& slab,
                                               const WindowLevel& wl, const ColormapTable& map,
                                               int seriesNumber, const std::vector<ImageFormat>& formats,
                                               const std::filesystem::path& dir, bool force,
                                               const std::function<void(RgbImage&)>& drawOver = {});

// A turned view's plane `p` of `axis` (volume/mpr.h extractPlane: its samples, trilinear when `linear`),
// named
// "<SeriesNumber>_<axis>-oblique_<NNNN>.png" by its number along the normal; otherwise as exportSlice.
std::vector<std::filesystem::path> exportPlane(const Volume& v, Axis axis, const SlicePlane& p, int number,
                                               const Slab& slab, bool linear, const WindowLevel& wl,
                                               const ColormapTable& map, int seriesNumber,
                                               const std::vector<ImageFormat>& formats,
                                               const std::filesystem::path& dir, bool force,
                                               const std::function<void(RgbImage&)>& drawOver = {});

} // namespace ctview
