#pragma once
// Operations on a segment's voxels as a mask on the series' grid: one byte per voxel (0 or 1), indexed as
// Volume::index (i fastest, then j, then k). What `ctview segment` and the segment editor do to them.
#include "volume/volume.h"

#include <glm/glm.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace ctview {

using Mask = std::vector<std::uint8_t>;

// The voxels whose HU lies in [lo, hi].
Mask thresholdMask(const Volume& ct, float lo, float hi);

// Which voxels touch: across faces only (6), or across faces, edges and corners (26), as 3D Slicer's
// islands tools offer.
enum class Connectivity { Faces6 = 6, All26 = 26 };

// The connected parts of `mask` (grid `dims`): per voxel its part's number (0 outside the mask, 1..N), and
// each part's size in voxels (sizes[n - 1] for part n), numbered in the order their first voxel comes.
struct Islands {
    std::vector<std::uint32_t> part;
    std::vector<std::size_t> sizes;
};
Islands findIslands(const Mask& mask, glm::ivec3 dims, Connectivity c);

// Keeps the largest part (the first of equal ones); nothing when the mask is empty.
Mask keepLargestIsland(const Mask& mask, glm::ivec3 dims, Connectivity c);
// Removes the parts of fewer than `minVoxels` voxels.
Mask removeSmallIslands(const Mask& mask, glm::ivec3 dims, std::size_t minVoxels, Connectivity c);
// Keeps the part that holds voxel `seed`; empty when the seed is not in the mask. A flood fill from the seed:
// its work is the part's voxels.
Mask keepIslandAt(const Mask& mask, glm::ivec3 dims, glm::ivec3 seed, Connectivity c);
// Grow from a click: the voxels with HU in [lo, hi] connected to `seed` (the same as keepIslandAt of the
// threshold's mask, without making that mask: the HU are tested as the fill reaches them). Empty when the
// seed's own HU is out of the range.
Mask growFromSeed(const Volume& ct, float lo, float hi, glm::ivec3 seed, Connectivity c);
// The same as a bit per voxel with its box and count: what the editor's click takes, without a byte per voxel
// of the grid to make and read.
struct Part {
    std::vector<std::uint64_t> in; // voxel n is in when bit n % 64 of in[n / 64] is set
    glm::ivec3 lo{0}, hi{-1};      // the box of its voxels (hi < lo: none)
    std::size_t voxels = 0;
    bool contains(std::size_t n) const { return (in[n / 64] >> (n % 64)) & 1; }
};
Part growPart(const Volume& ct, float lo, float hi, glm::ivec3 seed, Connectivity c);

std::size_t countVoxels(const Mask& mask);

} // namespace ctview
