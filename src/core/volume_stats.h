#pragma once
// What the 3D view needs to know about a volume besides its voxels, computed once per series off the main thread:
// the HU histogram (behind the transfer-function editor) and a coarse grid of bricks with their HU min/max (for
// empty-space skipping: a ray jumps over a brick that the transfer function makes transparent).
#include "core/volume.h"

#include <glm/glm.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace ctview {

struct BrickGrid {
    int size = 16;          // voxels per brick side
    glm::ivec3 count{0};    // bricks along i, j, k
    // Per brick, i fastest: min and max HU over its voxels and the one-voxel ring around it, because trilinear
    // filtering at a brick's faces reads the neighbours' voxels.
    std::vector<float> min, max;
    std::size_t index(int bi, int bj, int bk) const {
        return (std::size_t(bk) * std::size_t(count.y) + std::size_t(bj)) * std::size_t(count.x) + std::size_t(bi);
    }
};

struct VolumeStats {
    float minHU = 0, maxHU = 0;
    std::vector<std::uint64_t> histogram; // equal bins from minHU to maxHU (inclusive)
    BrickGrid bricks;
};

VolumeStats computeVolumeStats(const Volume& v, int bins = 512, int brickSize = 16);

// 1 for each brick in which a transfer function table (bakeTf over huMin..huMax) has any opacity, else 0.
std::vector<std::uint8_t> classifyBricks(const BrickGrid& g, const std::vector<std::array<float, 4>>& table,
                                         float huMin, float huMax);
// 1 for each brick that reaches `threshold` HU (an isosurface can only be hit there).
std::vector<std::uint8_t> bricksReaching(const BrickGrid& g, float threshold);

// A copy `factor` times smaller along each axis (the mean of each factor^3 block), with spacing and origin so that
// it covers the same place in patient space. For the 3D view of volumes too large for the GPU.
Volume downsampleVolume(const Volume& v, int factor);

} // namespace ctview
