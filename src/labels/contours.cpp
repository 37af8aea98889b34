#include "labels/contours.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace ctview {

namespace {

// A contour in the voxel plane it lies in: the plane's axis (the normal) and index, and the polygon in the
// other two axes (u < v in axis order).
struct PlanePolygon {
    int axis = 2, index = 0;
    std::vector<glm::dvec2> points;
};

// Fills the voxels of plane (axis, index) inside `polygons` by the even-odd rule, row by row along v.
void fillPlane(const Geometry& g, int axis, int index, const std::vector<std::vector<glm::dvec2>>& polygons,
               std::vector<std::uint32_t>& out) {
    const int ua = axis == 0 ? 1 : 0, va = axis == 2 ? 1 : 2;
    std::vector<double> crossings;
    for (int v = 0; v < g.dims[va]; ++v) {
        crossings.clear();
        const double y = v;
        for (const auto& poly : polygons)
            for (std::size_t e = 0; e < poly.size(); ++e) {
                const glm::dvec2 p = poly[e], q = poly[(e + 1) % poly.size()];
                // Half-open in v: an edge counts for rows at or above its lower end, below its upper end.
                if ((p.y <= y) != (q.y <= y))
                    crossings.push_back(p.x + (y - p.y) * (q.x - p.x) / (q.y - p.y));
            }
        std::sort(crossings.begin(), crossings.end());
        for (std::size_t c = 0; c + 1 < crossings.size(); c += 2) {
            // Centres u with x0 <= u < x1.
            const int u0 = std::max(0, int(std::ceil(crossings[c])));
            const int u1 = std::min(g.dims[ua], int(std::ceil(crossings[c + 1])));
            for (int u = u0; u < u1; ++u) {
                glm::ivec3 ijk;
                ijk[axis] = index;
                ijk[ua] = u;
                ijk[va] = v;
                out.push_back(
                    std::uint32_t((std::size_t(ijk.z) * std::size_t(g.dims.y) + std::size_t(ijk.y)) *
                                      std::size_t(g.dims.x) +
                                  std::size_t(ijk.x)));
            }
        }
    }
}

} // namespace

ContourRaster rasteriseContours(const Geometry& g, const std::vector<std::vector<glm::dvec3>>& contours) {
    ContourRaster r;
    std::map<std::pair<int, int>, std::vector<std::vector<glm::dvec2>>> planes;
    for (const auto& contour : contours) {
        if (contour.size() < 3)
            continue;
        std::vector<glm::dvec3> v;
        glm::dvec3 lo(1e300), hi(-1e300), sum(0.0);
        for (const glm::dvec3& p : contour) {
            v.push_back(g.patientToVoxel(p));
            lo = glm::min(lo, v.back());
            hi = glm::max(hi, v.back());
            sum += v.back();
        }
        // The plane: the voxel axis along which the contour spreads least.
        const glm::dvec3 spread = hi - lo;
        const int axis = spread.z <= spread.x && spread.z <= spread.y ? 2 : spread.y <= spread.x ? 1 : 0;
        const double at = sum[axis] / double(v.size());
        const int index = int(std::lround(at));
        if (spread[axis] > 0.5)
            ++r.oblique;
        else if (std::fabs(at - index) > 0.01)
            ++r.betweenSlices;
        if (index < 0 || index >= g.dims[axis]) {
            ++r.outside;
            continue;
        }
        const int ua = axis == 0 ? 1 : 0, va = axis == 2 ? 1 : 2;
        std::vector<glm::dvec2> poly;
        for (const glm::dvec3& p : v)
            poly.emplace_back(p[ua], p[va]);
        planes[{axis, index}].push_back(std::move(poly));
    }
    for (const auto& [plane, polygons] : planes)
        fillPlane(g, plane.first, plane.second, polygons, r.voxels);
    std::sort(r.voxels.begin(), r.voxels.end());
    r.voxels.erase(std::unique(r.voxels.begin(), r.voxels.end()), r.voxels.end());
    return r;
}

} // namespace ctview
