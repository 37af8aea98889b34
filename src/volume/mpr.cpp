#include "volume/mpr.h"

#include "volume/trilinear.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ctview {

SlicePlane acquiredPlane(const Geometry& g, const SliceFrame& f) {
    SlicePlane p;
    p.origin = volumeCentre(g);
    // Orthonormalised, normal first: a sheared stack's in-plane axes may lean against its slice direction.
    p.normal = glm::normalize(g.direction[f.nAxis]) * (f.nFlip ? -1.0 : 1.0);
    glm::dvec3 right = g.direction[f.hAxis] * (f.hFlip ? -1.0 : 1.0);
    right = glm::normalize(right - glm::dot(right, p.normal) * p.normal);
    glm::dvec3 down = g.direction[f.vAxis] * (f.vFlip ? -1.0 : 1.0);
    down -= glm::dot(down, p.normal) * p.normal + glm::dot(down, right) * right;
    p.right = right;
    p.down = glm::normalize(down);
    return p;
}

glm::dmat3 rotationAbout(glm::dvec3 axis, double radians) {
    const glm::dvec3 u = glm::normalize(axis);
    const double c = std::cos(radians), s = std::sin(radians), t = 1 - c;
    // Rodrigues' formula, column-major (m[column][row]).
    glm::dmat3 m;
    m[0] = {t * u.x * u.x + c, t * u.x * u.y + s * u.z, t * u.x * u.z - s * u.y};
    m[1] = {t * u.x * u.y - s * u.z, t * u.y * u.y + c, t * u.y * u.z + s * u.x};
    m[2] = {t * u.x * u.z + s * u.y, t * u.y * u.z - s * u.x, t * u.z * u.z + c};
    return m;
}

namespace {
// The rotation of least angle that takes unit vector a to unit vector b. Opposite vectors: a half turn about
// any axis perpendicular to a.
glm::dmat3 shortestArc(glm::dvec3 a, glm::dvec3 b) {
    const glm::dvec3 axis = glm::cross(a, b);
    const double sine = glm::length(axis), cosine = glm::dot(a, b);
    if (sine < 1e-12) {
        if (cosine > 0)
            return glm::dmat3(1.0);
        const glm::dvec3 other = std::abs(a.x) < 0.9 ? glm::dvec3(1, 0, 0) : glm::dvec3(0, 1, 0);
        return rotationAbout(glm::cross(a, other), M_PI);
    }
    return rotationAbout(axis / sine, std::atan2(sine, cosine));
}
} // namespace

SlicePlane viewPlane(const Geometry& g, Axis axis, const Mpr& m) {
    const SlicePlane acquired = acquiredPlane(g, sliceFrame(g, axis));
    SlicePlane p;
    p.normal = glm::normalize(m.rotation * acquired.normal);
    const glm::dmat3 turn = shortestArc(acquired.normal, p.normal);
    p.right = glm::normalize(turn * acquired.right);
    p.down = glm::normalize(turn * acquired.down);
    const glm::dvec3 c = volumeCentre(g);
    p.origin = c + p.normal * glm::dot(m.centre - c, p.normal);
    return p;
}

double tiltDegrees(const Geometry& g, Axis axis, const Mpr& m) {
    const SlicePlane acquired = acquiredPlane(g, sliceFrame(g, axis));
    const double c =
        std::clamp(glm::dot(glm::normalize(m.rotation * acquired.normal), acquired.normal), -1.0, 1.0);
    return glm::degrees(std::acos(c));
}

double normalStep(const Geometry& g, glm::dvec3 normal) {
    // Voxels per mm along the normal, per voxel axis: |D^-1 n| / spacing.
    const glm::dvec3 rate = glm::abs(glm::inverse(g.direction) * normal) / g.spacing;
    const double fastest = std::max({rate.x, rate.y, rate.z});
    return fastest > 0 ? 1 / fastest : std::min({g.spacing.x, g.spacing.y, g.spacing.z});
}

PlaneSteps planeSteps(const Geometry& g, const SlicePlane& p) {
    PlaneSteps s;
    s.step = normalStep(g, p.normal);
    // Half the extent of the box of voxel centres along the normal.
    double half = 0;
    for (int a = 0; a < 3; ++a)
        half += std::abs(glm::dot(g.direction[a], p.normal)) * (g.dims[a] - 1) * g.spacing[a] / 2;
    s.count = int(std::floor(2 * half / s.step + 1e-6)) + 1;
    s.first = -(s.count - 1) * s.step / 2;
    return s;
}

int planeNumber(const Geometry& g, const SlicePlane& p) {
    const PlaneSteps s = planeSteps(g, p);
    const int n = int(std::lround((p.distance(volumeCentre(g)) * -1 - s.first) / s.step));
    return std::clamp(n, 0, s.count - 1) + 1; // numbered from 1, as the axis-aligned slices
}

float sampleHu(const Volume& v, glm::dvec3 ijk, bool linear) {
    const glm::ivec3 d = v.geometry().dims;
    for (int c = 0; c < 3; ++c)
        if (!(ijk[c] >= -0.5 && ijk[c] < d[c] - 0.5))
            return std::numeric_limits<float>::quiet_NaN();
    if (!linear)
        return v.at(std::clamp(int(std::lround(ijk.x)), 0, d.x - 1),
                    std::clamp(int(std::lround(ijk.y)), 0, d.y - 1),
                    std::clamp(int(std::lround(ijk.z)), 0, d.z - 1));
    return v.type() == ScalarType::Int16 ? trilinear(v.int16Data(), d, ijk)
                                         : trilinear(v.float32Data(), d, ijk);
}

float planeValue(const Volume& v, glm::dvec3 lps, glm::dvec3 normal, const Slab& slab, bool linear) {
    const Geometry& g = v.geometry();
    const double step = normalStep(g, normal);
    const int half = slabHalfCount(slab, step);
    if (half == 0)
        return sampleHu(v, g.patientToVoxel(lps), linear);
    double acc = 0;
    int n = 0;
    for (int s = -half; s <= half; ++s) {
        const float x = sampleHu(v, g.patientToVoxel(lps + normal * (s * step)), linear);
        if (std::isnan(x))
            continue;
        if (n == 0 || slab.mode == SlabMode::Average)
            acc = n == 0 ? x : acc + x;
        else
            acc = slab.mode == SlabMode::Mip ? std::max(acc, double(x)) : std::min(acc, double(x));
        ++n;
    }
    if (n == 0)
        return std::numeric_limits<float>::quiet_NaN();
    return float(slab.mode == SlabMode::Average ? acc / n : acc);
}

SliceImage extractPlane(const Volume& v, const SliceFrame& f, const SlicePlane& p, const Slab& slab,
                        bool linear) {
    SliceImage out;
    out.pixelSize = std::min(f.hSpacing, f.vSpacing);
    out.width = std::max(1, int(std::lround(f.width * f.hSpacing / out.pixelSize)));
    out.height = std::max(1, int(std::lround(f.height * f.vSpacing / out.pixelSize)));
    out.hu.resize(std::size_t(out.width) * std::size_t(out.height));
    const glm::dvec2 corner(-out.width * out.pixelSize / 2, -out.height * out.pixelSize / 2);
    for (int y = 0; y < out.height; ++y)
        for (int x = 0; x < out.width; ++x) {
            const glm::dvec3 lps = p.at(corner + glm::dvec2(x + 0.5, y + 0.5) * out.pixelSize);
            out.hu[std::size_t(y) * std::size_t(out.width) + std::size_t(x)] =
                planeValue(v, lps, p.normal, slab, linear);
        }
    return out;
}

std::vector<glm::dvec3> planeOutline(const Geometry& g, const SlicePlane& p) {
    // The box's 8 corners (voxel space, outer faces) and its 12 edges: pairs of corners that differ in one
    // bit.
    std::vector<glm::dvec3> points;
    auto corner = [&](int c) {
        return g.voxelToPatient({(c & 1) ? g.dims.x - 0.5 : -0.5, (c & 2) ? g.dims.y - 0.5 : -0.5,
                                 (c & 4) ? g.dims.z - 0.5 : -0.5});
    };
    for (int a = 0; a < 8; ++a)
        for (int bit : {1, 2, 4}) {
            if (a & bit)
                continue;
            const glm::dvec3 u = corner(a), w = corner(a | bit);
            const double du = p.distance(u), dw = p.distance(w);
            if ((du < 0) == (dw < 0) && du != 0)
                continue; // both on one side
            if (du == dw)
                continue; // the edge lies in the plane: its ends come with the edges that meet it
            points.push_back(u + (w - u) * (du / (du - dw)));
        }
    if (points.size() < 3)
        return {};
    glm::dvec2 mid(0.0);
    for (const glm::dvec3& q : points)
        mid += p.coordinates(q);
    mid /= double(points.size());
    std::sort(points.begin(), points.end(), [&](const glm::dvec3& a, const glm::dvec3& b) {
        const glm::dvec2 x = p.coordinates(a) - mid, y = p.coordinates(b) - mid;
        return std::atan2(x.y, x.x) < std::atan2(y.y, y.x);
    });
    // A plane through a corner meets three edges there: one point is enough.
    points.erase(
        std::unique(points.begin(), points.end(),
                    [](const glm::dvec3& a, const glm::dvec3& b) { return glm::length(a - b) < 1e-9; }),
        points.end());
    return points;
}

EdgeLetters planeLetters(const SlicePlane& p) {
    return {directionLetters(-p.right), directionLetters(p.right), directionLetters(-p.down),
            directionLetters(p.down)};
}

} // namespace ctview
