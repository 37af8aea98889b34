#pragma once
// What the 3D view needs to know about a volume besides its voxels, computed once per series off the main
// thread: the HU histogram (behind the transfer-function editor) and a coarse grid of bricks with their HU
// min/max (for empty-space skipping: a ray jumps over a brick that the transfer function makes transparent).
#include "volume/volume.h"

#include <glm/glm.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace ctview {

struct BrickGrid {
    int size = 8;        // voxels per brick side
    glm::ivec3 count{0}; // bricks along i, j, k
    // Per brick, i fastest: min and max HU over its voxels and the one-voxel ring around it, because
    // trilinear filtering at a brick's faces reads the neighbours' voxels.
    std::vector<float> min, max;
    // Per brick, 1 when it or its ring holds air outside the body: voxels below kAirHU joined to the edge of
    // their k slice through such voxels (in 2D, per slice, so that the airways, open to the outside through
    // the nose and mouth in 3D, stay inside). What a preset that hides the outside of the body (the skin's
    // shell of partial-volume values, which a lung transfer function would show) leaves out. Empty on
    // coarsened grids.
    std::vector<std::uint8_t> exterior;
    std::size_t index(int bi, int bj, int bk) const {
        return (std::size_t(bk) * std::size_t(count.y) + std::size_t(bj)) * std::size_t(count.x) +
               std::size_t(bi);
    }
};

inline constexpr float kAirHU = -400; // below: air, as the exterior mask counts it

struct VolumeStats {
    float minHU = 0, maxHU = 0;
    std::vector<std::uint64_t> histogram; // equal bins from minHU to maxHU (inclusive)
    BrickGrid bricks;
};

// Bricks of 8 voxels a side: fine enough that a ray entering one that shows something (bone in a CT) meets it
// within a few samples; coarsenBricks() makes the larger ones a MIP walks with.
VolumeStats computeVolumeStats(const Volume& v, int bins = 512, int brickSize = 8);

// The grid with bricks `factor` times larger along each axis, from this one: each brick's min/max are those
// of the bricks it covers, which is exactly what computing it from the voxels gives (the ring included).
BrickGrid coarsenBricks(const BrickGrid& g, int factor);

// 1 for each brick in which a transfer function table (bakeTf over huMin..huMax) has any opacity, else 0.
std::vector<std::uint8_t> classifyBricks(const BrickGrid& g, const std::vector<std::array<float, 4>>& table,
                                         float huMin, float huMax);
// 1 for each brick that reaches `threshold` HU (an isosurface can only be hit there).
std::vector<std::uint8_t> bricksReaching(const BrickGrid& g, float threshold);

// For each brick, how many bricks away the nearest visible one (`visible[b] != 0`) is, in the chessboard
// metric (the largest of the index differences): 0 for a visible brick, at most 255 (also where none is
// visible). All bricks closer than d to a brick at distance d are empty, so a ray in it may leap over that
// whole cube at once.
std::vector<std::uint8_t> brickDistances(const std::vector<std::uint8_t>& visible, glm::ivec3 count);

// A copy `factor` times smaller along each axis (the mean of each factor^3 block), with spacing and origin so
// that it covers the same place in patient space. For the 3D view of volumes too large for the GPU.
Volume downsampleVolume(const Volume& v, int factor);
// The smallest power of two by which the 3D view must downsample a volume of `dims` voxels and `bytes` bytes:
// each side within `max3d` (GL_MAX_3D_TEXTURE_SIZE; 0: no limit), the copy within `maxBytes` (0: no cap).
int downsampleFactor3d(glm::ivec3 dims, std::uint64_t bytes, int max3d, std::uint64_t maxBytes);

} // namespace ctview
