#pragma once
// Trilinear interpolation of a voxel grid at a continuous voxel position: the one rule of the CPU's samplers
// (the turned views' sampleHu, the resampling of a second series onto the base's grid).
#include <glm/glm.hpp>

#include <cstddef>

namespace ctview {

// The value of `voxels` (dims.x fastest) at voxel coordinate p, between the eight voxels around it. Clamped
// at the faces as a GL_LINEAR texture with CLAMP_TO_EDGE samples: p beyond the outer centres takes the border
// voxels' values (the caller decides what lies outside the box).
template <class T> float trilinear(const T* voxels, const glm::ivec3& dims, const glm::dvec3& p) {
    const glm::dvec3 q = glm::clamp(p, glm::dvec3(0.0), glm::dvec3(dims - 1));
    const glm::ivec3 a = glm::min(glm::ivec3(glm::floor(q)), glm::max(dims - 2, glm::ivec3(0)));
    const glm::dvec3 f = q - glm::dvec3(a);
    const glm::ivec3 b = glm::min(a + 1, dims - 1);
    const std::size_t row = std::size_t(dims.x), plane = row * std::size_t(dims.y);
    auto at = [&](int i, int j, int k) {
        return double(voxels[std::size_t(k) * plane + std::size_t(j) * row + std::size_t(i)]);
    };
    const double c00 = at(a.x, a.y, a.z) * (1 - f.x) + at(b.x, a.y, a.z) * f.x;
    const double c10 = at(a.x, b.y, a.z) * (1 - f.x) + at(b.x, b.y, a.z) * f.x;
    const double c01 = at(a.x, a.y, b.z) * (1 - f.x) + at(b.x, a.y, b.z) * f.x;
    const double c11 = at(a.x, b.y, b.z) * (1 - f.x) + at(b.x, b.y, b.z) * f.x;
    const double c0 = c00 * (1 - f.y) + c10 * f.y, c1 = c01 * (1 - f.y) + c11 * f.y;
    return float(c0 * (1 - f.z) + c1 * f.z);
}

} // namespace ctview
