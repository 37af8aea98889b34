#include "volume/resample.h"

#include "volume/parallel.h"

#include <algorithm>
#include <cmath>

namespace ctview {

namespace {

// Voxel steps -> LPS mm: the direction's columns scaled by the spacing.
glm::dmat3 voxelToPatientLinear(const Geometry& g) {
    glm::dmat3 m = g.direction;
    for (int c = 0; c < 3; ++c)
        m[c] *= g.spacing[c];
    return m;
}

// Trilinear HU at moving voxel coordinate p (inside [-0.5, dims - 0.5] on every axis), border voxels
// repeated up to half a voxel beyond the outer centres.
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

template <class T>
void resampleInto(const Volume& moving, const T* from, Volume& out, const glm::dmat4& link) {
    const Geometry& to = out.geometry();
    const Geometry& g = moving.geometry();
    // target voxel -> moving voxel is affine: origin + steps * (i, j, k).
    const glm::dmat3 toMoving =
        glm::inverse(voxelToPatientLinear(g)) * glm::dmat3(link) * voxelToPatientLinear(to);
    const glm::dvec3 originLps = glm::dvec3(link * glm::dvec4(to.origin, 1.0));
    const glm::dvec3 origin = g.patientToVoxel(originLps);
    const glm::dvec3 lo(-0.5), hi = glm::dvec3(g.dims) - 0.5;
    // A tolerance for centres exactly on the box's faces (a shift of a whole number of voxels).
    constexpr double kEdge = 1e-6;
    parallelFor(to.dims.z, [&](int k0, int k1) {
        for (int k = k0; k < k1; ++k)
            for (int j = 0; j < to.dims.y; ++j) {
                const glm::dvec3 row = origin + toMoving * glm::dvec3(0, j, k);
                for (int i = 0; i < to.dims.x; ++i) {
                    const glm::dvec3 p = row + toMoving[0] * double(i);
                    const bool inside = glm::all(glm::greaterThanEqual(p, lo - kEdge)) &&
                                        glm::all(glm::lessThanEqual(p, hi + kEdge));
                    out.set(i, j, k, inside ? trilinear(from, g.dims, p) : kOutsideHu);
                }
            }
    });
}

} // namespace

Volume resampleOnto(const Volume& moving, const Geometry& target, const glm::dmat4& link) {
    Volume out(target, moving.type(), SharedBuffer::Sharing::Private);
    if (moving.empty())
        return out;
    if (moving.type() == ScalarType::Int16)
        resampleInto(moving, moving.int16Data(), out, link);
    else
        resampleInto(moving, moving.float32Data(), out, link);
    return out;
}

glm::dmat4 shiftLink(const glm::dvec3& shift) {
    glm::dmat4 m(1.0);
    m[3] = glm::dvec4(shift, 1.0);
    return m;
}

} // namespace ctview
