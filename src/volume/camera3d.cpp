#include "volume/camera3d.h"

#include <glm/gtc/matrix_transform.hpp>

#include <algorithm>
#include <cmath>

namespace ctview {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kHalfFov = 15.0 * kPi / 180.0; // perspective: 30 degrees vertical at zoom 1

// The rotation whose columns are the camera's right, up and back (toward the camera) axes in LPS.
glm::dquat fromAxes(glm::dvec3 right, glm::dvec3 up, glm::dvec3 back) {
    return glm::normalize(glm::quat_cast(glm::dmat3(right, up, back)));
}
} // namespace

glm::dquat viewFromRotation(ViewFrom v) {
    const glm::dvec3 L(1, 0, 0), P(0, 1, 0), S(0, 0, 1);
    switch (v) {
    case ViewFrom::Anterior:
        return fromAxes(L, S, -P); // camera in front, looking back; patient's left on the right
    case ViewFrom::Posterior:
        return fromAxes(-L, S, P);
    case ViewFrom::Left:
        return fromAxes(P, S, L); // at the patient's left: anterior on screen left
    case ViewFrom::Right:
        return fromAxes(-P, S, -L);
    case ViewFrom::Superior:
        return fromAxes(-L, -P, S); // above the head, anterior up
    case ViewFrom::Inferior:
        return fromAxes(L, -P, -S); // below the feet, anterior up: as axial slices
    }
    return {1, 0, 0, 0};
}

const std::vector<ViewFromName>& viewFromNames() {
    static const std::vector<ViewFromName> names = {{ViewFrom::Anterior, "anterior", 'A', "the front"},
                                                    {ViewFrom::Posterior, "posterior", 'P', "the back"},
                                                    {ViewFrom::Left, "left", 'L', "the patient's left"},
                                                    {ViewFrom::Right, "right", 'R', "the patient's right"},
                                                    {ViewFrom::Superior, "superior", 'S', "above the head"},
                                                    {ViewFrom::Inferior, "inferior", 'I', "below the feet"}};
    return names;
}

glm::dquat orbitRotation(double azimuthDeg, double elevationDeg) {
    const glm::dquat az = glm::angleAxis(azimuthDeg * kPi / 180.0, glm::dvec3(0, 0, 1));
    // Raising the camera toward the head tilts it about its own x axis, downward.
    const glm::dquat el = glm::angleAxis(-elevationDeg * kPi / 180.0, glm::dvec3(1, 0, 0));
    return glm::normalize(az * viewFromRotation(ViewFrom::Anterior) * el);
}

glm::dquat turntableRotation(const glm::dquat& start, double degrees, int i, int frames) {
    return glm::normalize(glm::angleAxis(degrees * i / frames * kPi / 180.0, glm::dvec3(0, 0, 1)) * start);
}

double volumeRadius(const Geometry& g) {
    return std::max(1e-3, 0.5 * glm::length(glm::dvec3(g.dims) * g.spacing));
}

double volumeFrameHalfSize(const Geometry& g) {
    // The voxel box's corners (the outer faces of the edge voxels) in LPS, relative to its centre.
    glm::dvec3 half(0.0);
    for (int corner = 0; corner < 8; ++corner) {
        glm::dvec3 ijk;
        for (int a = 0; a < 3; ++a)
            ijk[a] = (corner >> a & 1) ? g.dims[a] - 0.5 : -0.5;
        half = glm::max(half, glm::abs(g.voxelToPatient(ijk) - volumeCentre(g)));
    }
    constexpr double kMargin = 1.05;
    return std::max(1e-3, kMargin * std::max({half.x, half.y, half.z}));
}

CameraMatrices cameraMatrices(const Camera3D& c, const Geometry& g, glm::dvec2 viewport) {
    CameraMatrices m;
    const double r = volumeRadius(g);
    const double aspect = viewport.y > 0 ? std::max(1e-3, viewport.x / viewport.y) : 1.0;
    const glm::dmat3 axes = glm::mat3_cast(c.rotation);
    const glm::dvec3 right = axes[0], up = axes[1], back = axes[2];
    const glm::dvec3 target = volumeCentre(g) - right * c.pan.x - up * c.pan.y;
    const double zoom = std::max(1e-3, c.zoom);
    // The volume's frame fits the shorter side of the view; the sphere round it (r) keeps every voxel between
    // the near and far planes whichever way it turns.
    const double frame = volumeFrameHalfSize(g);
    const double fitY = aspect >= 1 ? 1.0 : 1.0 / aspect;
    double dist;
    if (c.perspective) {
        dist = r / std::sin(kHalfFov);
        // The frame at the distance of the box's near face (larger on screen than its centre's).
        const double tanY = frame / std::max(dist - frame, 0.01 * dist) / zoom * fitY;
        m.projection =
            glm::perspective(2.0 * std::atan(tanY), aspect, std::max(dist - r, r * 0.01), dist + r);
        m.mmPerPixel = 2.0 * dist * tanY / std::max(1.0, viewport.y);
    } else {
        dist = 3.0 * r;
        const double halfY = frame / zoom * fitY, halfX = halfY * aspect;
        m.projection = glm::ortho(-halfX, halfX, -halfY, halfY, dist - r * 1.01, dist + r * 1.01);
        m.mmPerPixel = 2.0 * halfY / std::max(1.0, viewport.y);
    }
    m.eye = target + back * dist;
    m.view = glm::lookAt(m.eye, target, up);
    return m;
}

namespace {
glm::dvec3 onSphere(glm::dvec2 p, const Rect& rect) {
    const double radius = 0.5 * std::max(1.0f, std::min(rect.w, rect.h));
    glm::dvec3 v((p.x - (rect.x + rect.w * 0.5)) / radius, ((rect.y + rect.h * 0.5) - p.y) / radius, 0.0);
    const double d2 = v.x * v.x + v.y * v.y;
    if (d2 <= 1.0)
        v.z = std::sqrt(1.0 - d2);
    else
        v /= std::sqrt(d2);
    return v;
}
} // namespace

void arcballRotate(Camera3D& c, glm::dvec2 from, glm::dvec2 to, const Rect& rect) {
    const glm::dvec3 a = onSphere(from, rect), b = onSphere(to, rect);
    const glm::dvec3 axis = glm::cross(a, b);
    const double len = glm::length(axis);
    if (len < 1e-12)
        return;
    const double angle = std::atan2(len, glm::dot(a, b));
    // The volume turns by `angle` about `axis` (camera space); the camera turns the other way around it.
    c.rotation = glm::normalize(c.rotation * glm::angleAxis(-angle, axis / len));
}

void panCamera(Camera3D& c, glm::dvec2 delta, const Geometry& g, const Rect& rect) {
    const double mm = cameraMatrices(c, g, {rect.w, rect.h}).mmPerPixel;
    c.pan += glm::dvec2(delta.x, -delta.y) * mm;
}

Ray screenRay(const CameraMatrices& m, const Rect& rect, glm::dvec2 screen) {
    const glm::dmat4 toLps = glm::inverse(m.projection * m.view);
    const double x = (screen.x - rect.x) / std::max(1.0f, rect.w) * 2.0 - 1.0,
                 y = 1.0 - (screen.y - rect.y) / std::max(1.0f, rect.h) * 2.0;
    auto at = [&](double z) {
        const glm::dvec4 p = toLps * glm::dvec4(x, y, z, 1.0);
        return glm::dvec3(p) / p.w;
    };
    const glm::dvec3 near = at(-1.0), far = at(1.0);
    return {near, glm::normalize(far - near)};
}

bool projectToScreen(const CameraMatrices& m, const Rect& rect, glm::dvec3 lps, glm::dvec2& screen) {
    const glm::dvec4 clip = m.projection * m.view * glm::dvec4(lps, 1.0);
    if (clip.w <= 1e-9)
        return false;
    const glm::dvec3 ndc = glm::dvec3(clip) / clip.w;
    screen = {rect.x + (ndc.x + 1.0) * 0.5 * rect.w, rect.y + (1.0 - ndc.y) * 0.5 * rect.h};
    return true;
}

} // namespace ctview
