#include "volume/resample.h"

#include "volume/parallel.h"
#include "volume/trilinear.h"

#include <algorithm>
#include <cmath>

namespace ctview {

namespace {

template <class T>
void resampleInto(const Volume& moving, const T* from, Volume& out, const glm::dmat4& link) {
    const Geometry& to = out.geometry();
    const Geometry& g = moving.geometry();
    // target voxel -> moving voxel is affine: origin + steps * (i, j, k).
    const glm::dmat3 toMoving = glm::inverse(g.voxelSteps()) * glm::dmat3(link) * to.voxelSteps();
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
