#pragma once
// Closed planar contours (RTSTRUCT's CLOSED_PLANAR, in patient space) to voxels of a grid, by the even-odd
// rule per plane: a contour inside another contour of the same structure on the same plane is a hole, as
// DICOM RT intends (PS3.3 C.8.8.6) and as the tools that agree with each other do. A voxel is in when its
// centre is inside (a centre on an edge counts on the left and top edges only, so that two contours that
// share an edge never both take a voxel).
#include "volume/volume.h"

#include <glm/glm.hpp>

#include <cstdint>
#include <vector>

namespace ctview {

struct ContourRaster {
    std::vector<std::uint32_t> voxels; // indices into the grid (Volume::index), each once, sorted
    std::size_t betweenSlices = 0;     // contours off the grid's voxel planes: put on the nearest
    std::size_t oblique = 0;           // contours not in a voxel plane: projected onto the nearest one
    std::size_t outside = 0;           // contours whose plane lies outside the grid
};

// The voxels of `g` inside `contours` (each a closed polygon of LPS points, at least 3).
ContourRaster rasteriseContours(const Geometry& g, const std::vector<std::vector<glm::dvec3>>& contours);

} // namespace ctview
